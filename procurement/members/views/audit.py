"""The audit trail: newest first, filtered, paged by "older entries" links (no total count)."""

from __future__ import annotations

import datetime

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Q
from django.views.generic import TemplateView

from procurement.core.permissions import Perm
from procurement.core.selectors import audit_entries_for
from procurement.members.forms import AuditFilterForm
from procurement.members.views.base import PAGE_SIZE

CURSOR_SEPARATOR = "_"


def cursor_of(entry) -> str:
    """Where the next page starts: just after this entry, in (at, id) order."""
    return f"{entry.at.isoformat()}{CURSOR_SEPARATOR}{entry.pk}"


def parse_cursor(value: str) -> tuple[datetime.datetime, int] | None:
    at, _separator, pk = value.rpartition(CURSOR_SEPARATOR)
    try:
        moment, number = datetime.datetime.fromisoformat(at), int(pk)
    except ValueError:
        return None
    return (moment, number) if moment.tzinfo is not None else None


class AuditListView(PermissionRequiredMixin, TemplateView):
    """A keyset page: the table is too large at scale to count or to skip through by offset."""

    permission_required = Perm.AUDIT_VIEW
    template_name = "members/audit/list.html"

    def get_context_data(self, **kwargs):
        form = AuditFilterForm(self.request.GET)
        entries = form.filter(audit_entries_for(self.request.user)).order_by("-at", "-id")
        cursor = parse_cursor(self.request.GET.get("before", ""))
        if cursor is not None:
            at, pk = cursor
            entries = entries.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
        page = list(entries[: PAGE_SIZE + 1])
        return super().get_context_data(
            **kwargs,
            filter_form=form,
            entries=page[:PAGE_SIZE],
            older_cursor=cursor_of(page[PAGE_SIZE - 1]) if len(page) > PAGE_SIZE else None,
            is_first_page=cursor is None,
        )
