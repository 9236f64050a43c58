"""What anyone may read without signing in: the published tenders, their procedure and deadlines.

A minimal list; the transparency portal (issue 7) builds on it.
"""

from __future__ import annotations

from django.views.generic import ListView

from procurement.members.views.base import PAGE_SIZE
from tenders import selectors, services


class PublicTenderListView(ListView):
    template_name = "tenders/public/list.html"
    context_object_name = "tenders"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        services.close_due_tenders()  # what time did, before the list is read
        return selectors.public_tenders()
