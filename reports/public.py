"""What anyone may read without signing in: the one place that decides it.

The transparency portal, its Atom feed and the OCDS publication all start from these
querysets. They hold the rules of publicity:

- a tender is public once published (never a draft);
- nothing about its bids before the opening: not the bidders, not how many there are;
- bidders' amounts only once the tender is awarded, and only the awarded bids';
- a member's order is public once sent to the supplier (an approved contract), without its
  contact person, e-mail, phone, delivery address or note;
- a mini-competition once published, its quotes like bids;
- organisations only: no person's name, e-mail or phone anywhere.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from procurement.members.models import Organization, OrganizationKind
from procurement.orders.models import Competition, OffPlatformCallOff, Order, Quote, QuoteStatus
from tenders import sealed_bids
from tenders.models import (
    PUBLIC_DOCUMENT_KINDS,
    AgreementStatus,
    AgreementSupplier,
    Bid,
    BidStatus,
    FrameworkAgreement,
    Question,
    Tender,
    TenderDocument,
    TenderStatus,
)

# Bids that were submitted and kept (a withdrawn bid was never a tender).
TENDERED = [s for s in BidStatus.values if s != BidStatus.WITHDRAWN]
AWARDED_STATUSES = frozenset({TenderStatus.AWARDED, TenderStatus.CONCLUDED})
# Orders that became contracts with the supplier: sent at some point.
SENT = Q(sent_at__isnull=False)


def central_purchasing_body() -> Organization | None:
    return Organization.objects.filter(kind=OrganizationKind.CENTRAL_PURCHASING_BODY).first()


# --- Tenders -------------------------------------------------------------------------------


def tenders() -> QuerySet[Tender]:
    return Tender.objects.exclude(status=TenderStatus.DRAFT)


def open_tenders(now=None) -> QuerySet[Tender]:
    """Open for bids: published and the submission deadline ahead."""
    return tenders().filter(status=TenderStatus.PUBLISHED, submission_deadline__gt=now or timezone.now())


def awarded_tenders() -> QuerySet[Tender]:
    return tenders().filter(status__in=AWARDED_STATUSES)


def documents(tender: Tender) -> QuerySet[TenderDocument]:
    """The documents every candidate reads (specifications, annexes, addenda); never records."""
    return TenderDocument.objects.filter(tender=tender, kind__in=PUBLIC_DOCUMENT_KINDS).exclude(
        tender__status=TenderStatus.DRAFT
    )


def public_documents() -> Prefetch:
    return Prefetch(
        "documents",
        queryset=TenderDocument.objects.filter(kind__in=PUBLIC_DOCUMENT_KINDS).order_by("uploaded_at", "id"),
        to_attr="public_documents",
    )


def answered_questions(tender: Tender) -> QuerySet[Question]:
    """Answers are read by all candidates; who asked stays with IMIO."""
    return (
        Question.objects.filter(tender=tender)
        .exclude(answer="")
        .select_related("lot")
        .only("question", "answer", "answered_at", "lot__number", "lot__title", "tender_id")
        .order_by("answered_at", "id")
    )


def bids_visible(tender: Tender) -> bool:
    """Whether the public may know who bid and how many: after the opening."""
    return tender.opened_at is not None and tender.status != TenderStatus.DRAFT


def amounts_visible(tender: Tender) -> bool:
    """Whether the awarded bids' amounts are public: once the tender was awarded."""
    return tender.awarded_at is not None and tender.opened_at is not None


def tendered_bids() -> Prefetch:
    """Who bid, for each lot (organisations only; the sealed content is not even loaded)."""
    return Prefetch(
        "bids",
        queryset=Bid.objects.filter(status__in=TENDERED)
        .select_related("supplier", "lot")
        .only("id", "tender_id", "lot_id", "lot__number", "supplier", "status", "award_rank")
        .order_by("lot__number", "award_rank", "supplier__name", "id"),
        to_attr="tendered_bids",
    )


def awarded_amounts(tender: Tender) -> dict[int, Decimal]:
    """The totals of the awarded bids (by bid id), once the tender is awarded; empty before.

    One query: the awarded bids' sealed content, opened as the evaluation opens it."""
    if not amounts_visible(tender):
        return {}
    awarded = Bid.objects.filter(tender=tender, status=BidStatus.AWARDED).select_related("tender")
    return {bid.pk: sealed_bids.open_for_evaluation(bid).total_amount for bid in awarded}


# --- Agreements ----------------------------------------------------------------------------


def agreements() -> QuerySet[FrameworkAgreement]:
    return FrameworkAgreement.objects.select_related("tender", "lot", "lot__cpv_code", "tender__cpv_code")


def active_agreements() -> QuerySet[FrameworkAgreement]:
    return agreements().filter(status=AgreementStatus.ACTIVE)


def current_suppliers(lookup: str = "supplier_links") -> Prefetch:
    """An agreement's current suppliers by rank (``lookup`` from another model: ``agreement__supplier_links``)."""
    return Prefetch(
        lookup,
        queryset=AgreementSupplier.objects.filter(active=True).select_related("supplier").order_by("rank"),
        to_attr="current_suppliers",
    )


# --- Call-offs -----------------------------------------------------------------------------


def call_off_orders() -> QuerySet[Order]:
    """Orders sent under an agreement without a mini-competition (those belong to theirs)."""
    competed = Competition.objects.filter(order=OuterRef("pk"))
    return Order.objects.filter(SENT).filter(~Exists(competed))


def competitions() -> QuerySet[Competition]:
    return Competition.objects.filter(published_at__isnull=False)


def quoted() -> Prefetch:
    return Prefetch(
        "quotes",
        queryset=Quote.objects.exclude(status=QuoteStatus.WITHDRAWN)
        .select_related("supplier")
        .only("id", "competition_id", "supplier", "status")
        .order_by("supplier__name", "id"),
        to_attr="kept_quotes",
    )


def off_platform_call_offs() -> QuerySet[OffPlatformCallOff]:
    return OffPlatformCallOff.objects.all()
