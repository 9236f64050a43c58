"""After the deadline: the bids received, the opening, scores and ranking, award, conclusion.

Before the opening, these pages show who bid and when, never what: a bid's content is read
only through ``readable_content``, which keeps it sealed until the opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from procurement.core.errors import DomainError
from procurement.core.permissions import Perm
from tenders import rules, selectors, services
from tenders.forms import AwardForm, ConcludeForm, ReasonForm, RecordBidForm, ScoreForm
from tenders.models import Bid, BidStatus, CriterionKind, Lot, LotStatus, TenderStatus
from tenders.sealed_bids import BidContent
from tenders.views.base import BidMixin, ButtonView, ServiceFormMixin, TenderMixin, readable_content

SCORING = (TenderStatus.OPENED, TenderStatus.EVALUATED)


@dataclass
class BidRow:
    bid: Bid
    content: BidContent | None
    price_points: Decimal | None = None
    quality_points: Decimal | None = None
    total_points: Decimal | None = None
    rank: int | None = None
    abnormally_low: bool = False
    score_form: ScoreForm | None = None
    exclude_form: ReasonForm | None = None


@dataclass
class LotBids:
    lot: Lot
    rows: list[BidRow]
    ranking_problem: str = ""


class TenderBidsView(PermissionRequiredMixin, TenderMixin, TemplateView):
    """The bids received per lot: before the opening who and when only; after it, what."""

    permission_required = Perm.BID_VIEW
    template_name = "tenders/evaluation/bids.html"

    def get_context_data(self, **kwargs):
        user, tender = self.request.user, self.tender
        bids = selectors.bids_for(user).filter(tender=tender).order_by("lot__number", "submitted_at", "pk")
        lots = []
        for lot in tender.lots.all():
            rows = [BidRow(bid, readable_content(user, bid)) for bid in bids if bid.lot_id == lot.pk]
            lots.append(LotBids(lot, rows))
        return super().get_context_data(
            **kwargs,
            lots=lots,
            can_open=user.has_perm(Perm.TENDER_MANAGE) and services.TENDER_STATES.can(tender, TenderStatus.OPENED),
            opening_allowed=tender.opening_at is None or tender.opening_at <= timezone.now(),
            can_record=user.has_perm(Perm.TENDER_MANAGE) and tender.status == TenderStatus.OPENED,
        )


class TenderOpenBidsView(PermissionRequiredMixin, TenderMixin, ButtonView):
    permission_required = Perm.TENDER_MANAGE

    def perform(self):
        services.tender_open_bids(actor=self.request.user, tender=self.tender)

    def get_success_message(self):
        return _("The bids are opened; the opening record is kept with the tender's documents.")

    def get_success_url(self):
        return reverse("tender_bids", kwargs={"pk": self.tender.pk})


class EvaluationMixin(TenderMixin):
    """The evaluation table per lot: amounts, price and quality points, totals, ranks, flags."""

    def evaluation_url(self) -> str:
        return reverse("tender_evaluation", kwargs={"pk": self.tender.pk})

    def lot_bids(self, lot: Lot, quality_criteria, bound: dict) -> LotBids:
        user, tender = self.request.user, self.tender
        scoring = tender.status in SCORING
        bids = (
            selectors.bids_for(user)
            .filter(lot=lot)
            .exclude(status=BidStatus.WITHDRAWN)
            .prefetch_related("quality_scores")
            .order_by("submitted_at", "pk")
        )
        live, problem = {}, ""
        if scoring:
            try:
                results = services.lot_results(lot, tender)
            except DomainError as error:
                problem = str(error)
            else:
                flags = rules.abnormally_low([result.total_amount for result in results])
                live = {result.key.pk: (result, flag) for result, flag in zip(results, flags, strict=True)}
        rows = []
        for bid in bids:
            row = BidRow(bid, readable_content(user, bid))
            if bid.pk in live:
                result, flag = live[bid.pk]
                row.price_points, row.quality_points = result.price_points, result.quality_points
                row.total_points, row.rank, row.abnormally_low = result.total_points, result.rank, flag
            elif not scoring or bid.status != BidStatus.OPENED:
                row.price_points, row.quality_points = bid.price_points, bid.quality_points
                row.total_points, row.rank, row.abnormally_low = bid.total_points, bid.rank, bid.abnormally_low
            if scoring and bid.status == BidStatus.OPENED:
                scores = {score.criterion_id: score.points for score in bid.quality_scores.all()}
                if quality_criteria:
                    row.score_form = (
                        bound[("score", bid.pk)]
                        if ("score", bid.pk) in bound
                        else ScoreForm(criteria=quality_criteria, scores=scores, prefix=f"score-{bid.pk}")
                    )
                row.exclude_form = (
                    bound[("exclude", bid.pk)]
                    if ("exclude", bid.pk) in bound
                    else ReasonForm(prefix=f"exclude-{bid.pk}", help_text=_("The bidder will read it."))
                )
            rows.append(row)
        rows.sort(key=lambda row: (row.rank is None, row.rank or 0))
        return LotBids(lot, rows, problem)

    def evaluation_context(self, bound: dict | None = None) -> dict:
        tender = self.tender
        quality_criteria = list(tender.criteria.filter(kind=CriterionKind.QUALITY))
        bound = bound or {}
        lots = [] if tender.bids_sealed else [self.lot_bids(lot, quality_criteria, bound) for lot in tender.lots.all()]
        return {
            "tender": tender,
            "lots": lots,
            "criteria": list(tender.criteria.all()),
            "quality_criteria": quality_criteria,
            "scoring": tender.status in SCORING,
            "can_award": tender.status == TenderStatus.EVALUATED,
        }


class EvaluationView(PermissionRequiredMixin, EvaluationMixin, TemplateView):
    permission_required = Perm.TENDER_MANAGE
    template_name = "tenders/evaluation/evaluation.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.evaluation_context())


class BidEvaluationActionView(PermissionRequiredMixin, BidMixin, EvaluationMixin, ServiceFormMixin, FormView):
    """A form posted from a row of the evaluation table; with a field error, the table comes back with it."""

    permission_required = Perm.TENDER_MANAGE
    http_method_names = ["post"]
    template_name = "tenders/evaluation/evaluation.html"
    action = ""

    @cached_property
    def tender(self):
        return services.advance_tender(self.bid.tender)

    def get_context_data(self, **kwargs):
        return self.evaluation_context({(self.action, self.bid.pk): kwargs["form"]})

    def get_success_url(self):
        return f"{self.evaluation_url()}#lot-{self.bid.lot_id}"


class BidScoreView(BidEvaluationActionView):
    action = "score"
    success_message = _("The quality points are saved.")

    def get_form(self, form_class=None):
        criteria = self.tender.criteria.filter(kind=CriterionKind.QUALITY)
        return ScoreForm(self.request.POST, criteria=criteria, scores={}, prefix=f"score-{self.bid.pk}")

    def perform(self, form):
        return services.bid_score(actor=self.request.user, bid=self.bid, points=form.points())


class BidExcludeView(BidEvaluationActionView):
    action = "exclude"
    success_message = _("The bid is excluded.")

    def get_form(self, form_class=None):
        return ReasonForm(self.request.POST, prefix=f"exclude-{self.bid.pk}")

    def perform(self, form):
        return services.bid_exclude(actor=self.request.user, bid=self.bid, reason=form.cleaned_data["reason"])


class BidReinstateView(PermissionRequiredMixin, BidMixin, ButtonView):
    permission_required = Perm.TENDER_MANAGE

    def perform(self):
        services.bid_reinstate(actor=self.request.user, bid=self.bid)

    def get_success_message(self):
        return _("The bid is reinstated.")

    def get_success_url(self):
        return reverse("tender_evaluation", kwargs={"pk": self.bid.tender_id})


class TenderEvaluateView(PermissionRequiredMixin, TenderMixin, ButtonView):
    permission_required = Perm.TENDER_MANAGE

    def perform(self):
        services.tender_evaluate(actor=self.request.user, tender=self.tender)

    def get_success_message(self):
        if self.tender.status == TenderStatus.UNSUCCESSFUL:
            return _("No lot received an acceptable bid: the tender is unsuccessful.")
        return _("The bids are evaluated and ranked. Check the ranking, then award.")

    def get_success_url(self):
        return reverse("tender_evaluation", kwargs={"pk": self.tender.pk})


class AwardView(PermissionRequiredMixin, EvaluationMixin, ServiceFormMixin, FormView):
    """The award decision: per lot, the best bid (or the best N, ranked) and the reasons."""

    permission_required = Perm.TENDER_MANAGE
    template_name = "tenders/evaluation/award.html"
    success_message = _("The award decision is taken; the bidders are told by e-mail.")

    @cached_property
    def lots(self):
        return [lot for lot in self.tender.lots.all() if lot.status == LotStatus.ACTIVE]

    def get_form(self, form_class=None):
        return AwardForm(**self.get_form_kwargs(), lots=self.lots)

    def show_service_errors(self, error, form):
        form.add_service_errors(error)

    def perform(self, form):
        return services.tender_award(actor=self.request.user, tender=self.tender, reasons=form.reasons())

    def get_success_url(self):
        return self.tender_url()

    def get_context_data(self, **kwargs):
        form = kwargs.setdefault("form", self.get_form())
        return super().get_context_data(
            **kwargs,
            rankings=self.rankings(form),
            can_award=self.tender.status == TenderStatus.EVALUATED,
        )

    def rankings(self, form) -> list[tuple[Lot, list[BidRow], object]]:
        """Per lot to award: its acceptable bids by rank (the first ``max_suppliers`` win) and the reasons field."""
        if self.tender.status != TenderStatus.EVALUATED:
            return []
        user = self.request.user
        result = []
        for lot in self.lots:
            bids = selectors.bids_for(user).filter(lot=lot, status=BidStatus.OPENED).order_by("rank", "submitted_at")
            rows = [BidRow(bid, readable_content(user, bid), rank=bid.rank) for bid in bids]
            result.append((lot, rows, form[AwardForm.field_name(lot)]))
        return result


class ConcludeView(PermissionRequiredMixin, TenderMixin, ServiceFormMixin, FormView):
    """After the standstill: one framework agreement per awarded lot."""

    permission_required = Perm.TENDER_MANAGE
    template_name = "tenders/evaluation/conclude.html"
    form_class = ConcludeForm

    def perform(self, form):
        return services.tender_conclude(
            actor=self.request.user, tender=self.tender, start_date=form.cleaned_data["start_date"]
        )

    def get_success_message(self):
        return _("The framework agreements are concluded: %(references)s.") % {
            "references": ", ".join(agreement.reference for agreement in self.result)
        }

    def get_success_url(self):
        return self.tender_url()

    def get_context_data(self, **kwargs):
        tender = self.tender
        awarded = [
            (lot, lot.bids.filter(status=BidStatus.AWARDED).select_related("supplier").order_by("award_rank"))
            for lot in tender.lots.all()
            if lot.status == LotStatus.AWARDED
        ]
        return super().get_context_data(
            **kwargs,
            awarded=awarded,
            can_conclude=tender.status == TenderStatus.AWARDED,
            standstill_over=tender.standstill_ends_at is None or tender.standstill_ends_at <= timezone.now(),
        )


class RecordBidView(PermissionRequiredMixin, TenderMixin, ServiceFormMixin, FormView):
    """A bid opened on the federal e-Tendering platform, recorded here after the opening."""

    permission_required = Perm.TENDER_MANAGE
    template_name = "tenders/evaluation/record_bid.html"
    success_message = _("The e-Tendering bid is recorded.")

    def get_form(self, form_class=None):
        return RecordBidForm(**self.get_form_kwargs(), tender=self.tender)

    def perform(self, form):
        data = form.cleaned_data
        return services.bid_record(
            actor=self.request.user,
            lot=data["lot"],
            supplier=data["supplier"],
            total_amount=data["total_amount"],
            answers=form.answers(),
            attachments=data["attachments"],
            submitted_at=data["submitted_at"],
        )

    def get_success_url(self):
        return reverse("tender_bids", kwargs={"pk": self.tender.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, can_record=self.tender.status == TenderStatus.OPENED)
