"""The public transparency portal (``/public/``): what anyone may read without signing in.

Every query starts from :mod:`reports.public`, which decides what is public (never a draft,
nothing about bids before the opening, amounts only after the award, organisations only).
The views only read; the home page and the tender list first apply what time did (a
submission deadline passed), as the services do before they act.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Prefetch, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from procurement.members.models import Organization
from procurement.members.views.base import PAGE_SIZE
from reports import public
from reports.ocds import processes
from reports.ocds.releases import Kind
from reports.portal.forms import AgreementFilterForm, PublicState, TenderFilterForm, state_of
from tenders import services
from tenders.models import Bid, BidStatus, FrameworkAgreement, Lot, Tender, TenderStatus

HOME_ROWS = 5
NEWEST = F("published_at").desc(nulls_last=True)
ZERO = Decimal("0.00")


def listed(tenders: QuerySet[Tender]) -> QuerySet[Tender]:
    """What a row of a list of tenders reads: the tender and its main CPV code, in one query."""
    return tenders.select_related("cpv_code")


def state_label(tender: Tender, state: PublicState) -> str:
    """The stage in words, a little finer than the filter (concluded, cancelled or unsuccessful)."""
    if tender.status in (TenderStatus.CONCLUDED, TenderStatus.CANCELLED, TenderStatus.UNSUCCESSFUL):
        return tender.get_status_display()
    return state.label


def with_states(tenders, now) -> list[Tender]:
    """The rows with their public stage (``public_state``, for the badge) and its label."""
    rows = list(tenders)
    for tender in rows:
        tender.public_state = state_of(tender, now)
        tender.public_state_label = state_label(tender, tender.public_state)
    return rows


def winners_of(tender: Tender) -> list[Organization]:
    """The awarded suppliers of an awarded tender (from ``public.tendered_bids()``), each once."""
    suppliers = {}
    for bid in tender.tendered_bids:
        if bid.status == BidStatus.AWARDED:
            suppliers.setdefault(bid.supplier_id, bid.supplier)
    return list(suppliers.values())


def ocid_of(tender: Tender) -> str:
    return processes.SOURCES[Kind.TENDER].ocid(tender)


# --- Home ----------------------------------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        services.close_due_tenders()  # what time did, before the figures are read
        now = timezone.now()
        agreements = public.active_agreements().aggregate(
            count=Count("id"), maximum=Sum("maximum_value"), consumed=Sum("consumed_value")
        )
        maximum, consumed = agreements["maximum"] or ZERO, agreements["consumed"] or ZERO
        awarded = list(
            listed(public.awarded_tenders())
            .prefetch_related(public.tendered_bids())
            .order_by(F("awarded_at").desc(nulls_last=True), "-id")[:HOME_ROWS]
        )
        for tender in awarded:
            tender.winners = winners_of(tender)
        return super().get_context_data(
            **kwargs,
            open_count=public.open_tenders(now).count(),
            awarded_count=public.awarded_tenders().count(),
            agreement_count=agreements["count"],
            agreements_maximum=maximum,
            agreements_consumed=consumed,
            agreements_percent=(consumed * 100 / maximum).quantize(Decimal("0.1")) if maximum else None,
            open_tenders=list(listed(public.open_tenders(now)).order_by("submission_deadline", "id")[:HOME_ROWS]),
            awarded_tenders=awarded,
        )


# --- Tenders -------------------------------------------------------------------------------------


class TenderListView(ListView):
    template_name = "portal/tenders.html"
    context_object_name = "tenders"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self) -> TenderFilterForm:
        return TenderFilterForm(self.request.GET)

    def get_queryset(self):
        services.close_due_tenders()  # what time did, before the list is read
        self.now = timezone.now()
        return self.filter_form.filter(listed(public.tenders()), now=self.now).order_by(NEWEST, "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs, filter_form=self.filter_form)
        context["tenders"] = with_states(context["tenders"], self.now)
        return context


@dataclass
class Winner:
    rank: int | None
    supplier: Organization
    amount: Decimal | None


@dataclass
class LotResult:
    """What the public knows of one lot's bids: who bid after the opening, who won (and for how much) after the award."""

    lot: Lot
    bidders: list[Organization] = field(default_factory=list)
    winners: list[Winner] = field(default_factory=list)


def lot_results(tender: Tender, *, amounts: bool) -> list[LotResult]:
    """Only called once the bids are visible: ``public.tendered_bids()`` is not even loaded before."""
    bids: dict[int, list[Bid]] = defaultdict(list)
    for bid in tender.tendered_bids:
        bids[bid.lot_id].append(bid)
    totals = public.awarded_amounts(tender) if amounts else {}
    results = []
    for lot in tender.lots.all():
        result = LotResult(lot, bidders=sorted((bid.supplier for bid in bids[lot.pk]), key=lambda org: org.name))
        if amounts:
            awarded = [bid for bid in bids[lot.pk] if bid.status == BidStatus.AWARDED]
            awarded.sort(key=lambda bid: (bid.award_rank or 0, bid.supplier.name))
            result.winners = [Winner(bid.award_rank, bid.supplier, totals.get(bid.pk)) for bid in awarded]
        results.append(result)
    return results


class TenderDetailView(TemplateView):
    template_name = "portal/tender.html"

    def get_tender(self) -> Tender:
        lots = Prefetch("lots", queryset=Lot.objects.select_related("cpv_code").order_by("number"))
        tenders = public.tenders().select_related("cpv_code").prefetch_related(lots, "additional_cpv_codes")
        try:
            return tenders.prefetch_related(public.public_documents()).get(pk=self.kwargs["pk"])
        except Tender.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        tender = self.get_tender()
        now = timezone.now()
        state = state_of(tender, now)
        bids_visible, amounts_visible = public.bids_visible(tender), public.amounts_visible(tender)
        if bids_visible:  # who bid is not even read before the opening
            prefetch_related_objects([tender], public.tendered_bids())
        return super().get_context_data(
            **kwargs,
            tender=tender,
            public_state=state,
            public_state_label=state_label(tender, state),
            accepts_bids=tender.accepts_bids(now),
            documents=tender.public_documents,
            questions=list(public.answered_questions(tender)),
            bids_visible=bids_visible,
            amounts_visible=amounts_visible,
            results=lot_results(tender, amounts=amounts_visible) if bids_visible else (),
            bid_count=len(tender.tendered_bids) if bids_visible else None,
            agreements=list(public.agreements().filter(tender=tender).order_by("reference")),
            ocid=ocid_of(tender),
        )


# --- Framework agreements ----------------------------------------------------------------------


class AgreementListView(ListView):
    template_name = "portal/agreements.html"
    context_object_name = "agreements"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self) -> AgreementFilterForm:
        return AgreementFilterForm(self.request.GET)

    def get_queryset(self):
        agreements = public.agreements().prefetch_related(public.current_suppliers())
        return self.filter_form.filter(agreements).order_by("-start_date", "reference")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


class AgreementDetailView(TemplateView):
    template_name = "portal/agreement.html"

    def get_context_data(self, **kwargs):
        beneficiaries = Prefetch("beneficiaries", queryset=Organization.objects.only("id", "name").order_by("name"))
        agreements = public.agreements().prefetch_related(public.current_suppliers(), beneficiaries)
        try:
            agreement = agreements.get(pk=self.kwargs["pk"])
        except FrameworkAgreement.DoesNotExist:
            raise Http404 from None
        orders = (
            public.call_off_orders()
            .filter(agreement=agreement)
            .aggregate(count=Count("id"), total=Sum("total_excl_vat"))
        )
        return super().get_context_data(
            **kwargs,
            agreement=agreement,
            order_count=orders["count"],
            order_total=orders["total"] or ZERO,
            competition_count=public.competitions().filter(agreement=agreement).count(),
        )


# --- Open data -----------------------------------------------------------------------------------


class OpenDataView(TemplateView):
    template_name = "portal/open_data.html"

    def get_context_data(self, **kwargs):
        absolute = self.request.build_absolute_uri
        prefix = settings.OCDS_PREFIX
        return super().get_context_data(
            **kwargs,
            releases_url=absolute(reverse("api:ocds-releases")),
            records_url=absolute(reverse("api:ocds-records")),
            feed_url=absolute(reverse("portal:feed")),
            api_docs_url=reverse("api:docs"),
            ocds_prefix=prefix,
            ocds_license=settings.OCDS_LICENSE,
            publisher=settings.OCDS_PUBLISHER_NAME,
            example_ocids=[(kind, f"{prefix}-{kind}-42") for kind in Kind.ALL],
        )
