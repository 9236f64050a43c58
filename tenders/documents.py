"""Documents the procedure produces, as PDF (WeasyPrint): the opening record and the award report.

They are rendered in the platform's language (French), whoever triggers them.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tenders import sealed_bids
from tenders.models import Bid, BidStatus, Tender


def _html(template: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, {**context, "generated_at": timezone.localtime()})


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when producing a document

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _lots_with_bids(tender: Tender, statuses) -> list[dict]:
    rows = []
    for lot in tender.lots.order_by("number"):
        bids = []
        for bid in lot.bids.filter(status__in=statuses).select_related("supplier").order_by("submitted_at", "pk"):
            content = sealed_bids.open_for_evaluation(bid)
            bids.append({"bid": bid, "total_amount": content.total_amount, "attachments": len(content.attachments)})
        rows.append({"lot": lot, "bids": bids})
    return rows


def opening_record_html(tender: Tender) -> str:
    """Procès-verbal d'ouverture: who opened, when, the bids received per lot with their totals."""
    withdrawn = Bid.objects.filter(tender=tender, status=BidStatus.WITHDRAWN).count()
    return _html(
        "tenders/pdf/opening_record.html",
        {"tender": tender, "lots": _lots_with_bids(tender, [BidStatus.OPENED]), "withdrawn": withdrawn},
    )


def opening_record(tender: Tender) -> bytes:
    return _pdf(opening_record_html(tender))


def award_report(tender: Tender) -> bytes:
    return _pdf(award_report_html(tender))


def award_report_html(tender: Tender) -> str:
    """Rapport d'attribution: per lot the ranking, the points, the winners and the reasons."""
    statuses = [BidStatus.AWARDED, BidStatus.NOT_AWARDED, BidStatus.EXCLUDED, BidStatus.OPENED]
    lots = _lots_with_bids(tender, statuses)
    for row in lots:
        row["bids"].sort(key=lambda entry: (entry["bid"].rank is None, entry["bid"].rank or 0))
    return _html(
        "tenders/pdf/award_report.html",
        {"tender": tender, "lots": lots, "criteria": list(tender.criteria.all())},
    )
