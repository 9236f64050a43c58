"""The Atom feed of new tenders (``/public/tenders.atom``), for suppliers' watch tools.

Published tenders only, newest first; never anything about bids (not even whether there are).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import public
from tenders.models import Tender

FEED_ITEMS = 50


class TenderFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Tenders of the IMIO central purchasing body")
    subtitle = gettext_lazy(
        "The tenders IMIO publishes on behalf of Walloon communes, CPAS, police zones and other local bodies."
    )

    def link(self) -> str:
        return reverse("portal:tenders")

    def author_name(self) -> str:
        return settings.OCDS_PUBLISHER_NAME

    def items(self):
        return (
            public.tenders()
            .filter(published_at__isnull=False)
            .select_related("cpv_code")
            .prefetch_related("additional_cpv_codes", public.public_documents())
            .order_by("-published_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item: Tender) -> str:
        return f"{item.reference} — {item.title}"

    def item_link(self, item: Tender) -> str:
        return reverse("portal:tender", args=[item.pk])

    def item_description(self, item: Tender) -> str:
        deadline = item.submission_deadline
        parts = [
            _("Procedure: %(procedure)s.") % {"procedure": item.get_procedure_display()},
            _("Submission deadline: %(deadline)s.")
            % {"deadline": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M") if deadline else "—"},
            _("Main CPV code: %(code)s %(label)s.") % {"code": item.cpv_code.code, "label": item.cpv_code.label},
        ]
        return " ".join(parts)

    def item_pubdate(self, item: Tender):
        return item.published_at

    def item_updateddate(self, item: Tender):
        """The latest public change: publication, a change of stage, an addendum."""
        moments = [item.published_at, item.status_changed_at]
        moments += [document.uploaded_at for document in item.public_documents]
        return max(moment for moment in moments if moment is not None)

    def item_categories(self, item: Tender) -> list[str]:
        return [item.cpv_code.code, *(code.code for code in item.additional_cpv_codes.all())]
