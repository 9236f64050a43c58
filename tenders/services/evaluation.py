"""After the opening: quality scores, exclusions, evaluation and ranking, the award decision."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit, facts
from procurement.core.errors import DomainError
from procurement.core.mail import send_after_commit
from procurement.core.permissions import Perm, Role
from tenders import documents, rules, sealed_bids
from tenders.models import (
    AwardCriterion,
    Bid,
    BidStatus,
    CriterionKind,
    DocumentKind,
    Lot,
    LotStatus,
    QualityScore,
    Tender,
    TenderStatus,
)
from tenders.services._common import check_central_body, emails_of
from tenders.services.bids import BID_STATES
from tenders.services.tenders import LOT_STATES, TENDER_STATES, locked, store_generated_document

EVALUATION_FIELDS = ("price_points", "quality_points", "total_points", "rank", "abnormally_low")
SCORING_STATUSES = (TenderStatus.OPENED, TenderStatus.EVALUATED)


def _locked_bid(bid: Bid) -> Bid:
    return Bid.objects.select_for_update().select_related("tender", "lot", "supplier").get(pk=bid.pk)


def _check_scoring(tender: Tender) -> None:
    if tender.status not in SCORING_STATUSES:
        raise DomainError(_("Bids are scored between the opening and the award."), code="not_scoring")


@transaction.atomic
def bid_score(*, actor, bid: Bid, points: Mapping[int, Decimal]) -> Bid:
    """The buyer enters quality points per criterion (0 to the criterion's weight)."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(bid.tender)
    bid = _locked_bid(bid)
    _check_scoring(tender)
    if bid.status != BidStatus.OPENED:
        raise DomainError(_("Only an opened bid that is not excluded is scored."), code="bid_not_scorable")
    criteria = {c.pk: c for c in tender.criteria.filter(kind=CriterionKind.QUALITY)}
    errors = {}
    for criterion_id, value in points.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            errors[str(criterion_id)] = [_("This is not a quality criterion of the tender.")]
        elif value is None or value < 0 or value > criterion.weight:
            errors[str(criterion_id)] = [
                _("Between 0 and %(weight)s points.") % {"weight": f"{criterion.weight.normalize():f}"}
            ]
    if errors:
        raise ValidationError(errors)
    before = {str(s.criterion_id): str(s.points) for s in bid.quality_scores.all()}
    for criterion_id, value in points.items():
        QualityScore.objects.update_or_create(
            bid=bid,
            criterion_id=int(criterion_id),
            defaults={"points": Decimal(str(value)), "scored_by": actor, "scored_at": timezone.now()},
        )
    after = {str(s.criterion_id): str(s.points) for s in bid.quality_scores.all()}
    audit.record(actor=actor, action="bid.scored", target=bid, before=before, after=after)
    if tender.status == TenderStatus.EVALUATED:
        _evaluate_lot(bid.lot, tender, actor=actor)
    return bid


@transaction.atomic
def bid_exclude(*, actor, bid: Bid, reason: str) -> Bid:
    """Exclude a bid (irregular, or an abnormally low price not justified), with the reason."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(bid.tender)
    bid = _locked_bid(bid)
    _check_scoring(tender)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the exclusion; the bidder will read it.")})
    BID_STATES.apply(
        bid,
        to=BidStatus.EXCLUDED,
        actor=actor,
        verb="excluded",
        changes={"status_reason": reason, "status_changed_at": timezone.now(), "rank": None},
        organizations=[bid.supplier_id],
    )
    if tender.status == TenderStatus.EVALUATED:
        _evaluate_lot(bid.lot, tender, actor=actor)
        _settle(tender, actor=actor)
    return bid


@transaction.atomic
def bid_reinstate(*, actor, bid: Bid) -> Bid:
    """Undo an exclusion before the award."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(bid.tender)
    bid = _locked_bid(bid)
    _check_scoring(tender)
    if bid.status != BidStatus.EXCLUDED:
        raise DomainError(_("Only an excluded bid can be reinstated."), code="transition_not_allowed")
    BID_STATES.apply(
        bid,
        to=BidStatus.OPENED,
        actor=actor,
        verb="reinstated",
        changes={"status_reason": "", "status_changed_at": timezone.now()},
        organizations=[bid.supplier_id],
    )
    if tender.status == TenderStatus.EVALUATED:
        _evaluate_lot(bid.lot, tender, actor=actor)
    return bid


def lot_results(lot: Lot, tender: Tender) -> list[rules.Scored]:
    """Scores and ranks of the acceptable bids of a lot, from their opened contents."""
    price = tender.criteria.filter(kind=CriterionKind.PRICE).first()
    price_weight = price.weight if price else Decimal("0")
    quality_ids = list(tender.criteria.filter(kind=CriterionKind.QUALITY).values_list("pk", flat=True))
    entries = []
    for bid in (
        lot.bids.filter(status=BidStatus.OPENED).prefetch_related("quality_scores").order_by("submitted_at", "pk")
    ):
        scores = {s.criterion_id: s.points for s in bid.quality_scores.all()}
        missing = [pk for pk in quality_ids if pk not in scores]
        if missing:
            raise DomainError(
                _("Score every quality criterion of the bid of %(supplier)s (lot %(lot)s) first.")
                % {"supplier": bid.supplier, "lot": lot.number},
                code="scores_missing",
            )
        total = sealed_bids.open_for_evaluation(bid).total_amount
        entries.append((bid, total, sum(scores.values(), Decimal("0"))))
    return rules.rank_bids(entries, price_weight)


def _evaluate_lot(lot: Lot, tender: Tender, *, actor) -> None:
    results = lot_results(lot, tender)
    flags = rules.abnormally_low([r.total_amount for r in results])
    for result, flag in zip(results, flags, strict=True):
        bid = result.key
        before = audit.snapshot(bid, EVALUATION_FIELDS)
        bid.price_points, bid.quality_points = result.price_points, result.quality_points
        bid.total_points, bid.rank, bid.abnormally_low = result.total_points, result.rank, flag
        after = audit.snapshot(bid, EVALUATION_FIELDS)
        if after != before:
            bid.save(update_fields=list(EVALUATION_FIELDS))
            audit.record(actor=actor, action="bid.evaluated", target=bid, before=before, after=after)
    if not results and lot.status == LotStatus.ACTIVE:
        LOT_STATES.apply(
            lot,
            to=LotStatus.UNSUCCESSFUL,
            actor=actor,
            verb="unsuccessful",
            changes={"status_reason": _("No acceptable bid.")},
        )
    elif results and lot.status == LotStatus.UNSUCCESSFUL:
        LOT_STATES.apply(lot, to=LotStatus.ACTIVE, actor=actor, verb="reactivated", changes={"status_reason": ""})


def _settle(tender: Tender, *, actor) -> None:
    """No lot left with an acceptable bid: the procedure is unsuccessful."""
    if tender.lots.filter(status=LotStatus.ACTIVE).exists():
        return
    TENDER_STATES.apply(
        tender,
        to=TenderStatus.UNSUCCESSFUL,
        actor=actor,
        verb="unsuccessful",
        changes={"status_reason": _("No lot received an acceptable bid."), "status_changed_at": timezone.now()},
    )


@transaction.atomic
def tender_evaluate(*, actor, tender: Tender) -> Tender:
    """Price points (lowest ÷ price × weight), quality points, totals and ranks per lot;
    abnormally low bids flagged; lots without an acceptable bid unsuccessful."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    _check_scoring(tender)
    for lot in tender.lots.exclude(status=LotStatus.CANCELLED):
        _evaluate_lot(lot, tender, actor=actor)
    if not tender.lots.filter(status=LotStatus.ACTIVE).exists():
        _settle(tender, actor=actor)
    elif tender.status == TenderStatus.OPENED:
        now = timezone.now()
        TENDER_STATES.apply(
            tender,
            to=TenderStatus.EVALUATED,
            actor=actor,
            verb="evaluated",
            changes={"evaluated_at": now, "status_changed_at": now},
        )
    return tender


@transaction.atomic
def tender_award(*, actor, tender: Tender, reasons: Mapping[int, str]) -> Tender:
    """Award each lot to its best bid, or its best N for a multi-supplier lot (ranked), with reasons.

    The award report is kept as a PDF; each bidder is told its result. Where a standstill
    applies (EU level, or chosen), conclusion waits for its end.
    """
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    TENDER_STATES.check(tender, TenderStatus.AWARDED)
    lots = list(tender.lots.filter(status=LotStatus.ACTIVE))
    missing = {
        f"reasons[{lot.pk}]": _("Give the reasons of the award of lot %(number)s.") % {"number": lot.number}
        for lot in lots
        if not (reasons.get(lot.pk) or "").strip()
    }
    if missing:
        raise ValidationError(missing)
    for lot in lots:
        _evaluate_lot(lot, tender, actor=actor)  # the ranking the decision rests on, from the bids as they stand
    now = timezone.now()
    for lot in Lot.objects.filter(pk__in=[lot.pk for lot in lots]):
        if lot.status != LotStatus.ACTIVE:
            continue
        ranked = sorted(lot.bids.filter(status=BidStatus.OPENED), key=lambda bid: bid.rank)
        winners = ranked[: lot.max_suppliers]
        for position, bid in enumerate(winners, start=1):
            BID_STATES.apply(
                bid,
                to=BidStatus.AWARDED,
                actor=actor,
                verb="awarded",
                changes={"award_rank": position, "status_changed_at": now},
                organizations=[bid.supplier_id],
            )
        for bid in ranked[lot.max_suppliers :]:
            BID_STATES.apply(
                bid,
                to=BidStatus.NOT_AWARDED,
                actor=actor,
                verb="not_awarded",
                changes={"status_changed_at": now},
                organizations=[bid.supplier_id],
            )
        LOT_STATES.apply(
            lot,
            to=LotStatus.AWARDED,
            actor=actor,
            verb="awarded",
            changes={"status_reason": reasons[lot.pk].strip()},
            data={"winners": [bid.supplier_id for bid in winners]},
        )
    standstill_ends = now + datetime.timedelta(days=facts.standstill_days()) if tender.standstill_required else now
    TENDER_STATES.apply(
        tender,
        to=TenderStatus.AWARDED,
        actor=actor,
        verb="awarded",
        changes={"awarded_at": now, "standstill_ends_at": standstill_ends, "status_changed_at": now},
    )
    report = documents.award_report(tender)
    store_generated_document(
        tender,
        kind=DocumentKind.AWARD_REPORT,
        title=_("Award report"),
        filename=f"rapport-attribution-{tender.reference}.pdf",
        content=report,
        actor=actor,
    )
    for bid in tender.bids.exclude(status=BidStatus.WITHDRAWN).select_related("lot", "supplier"):
        send_after_commit(
            template="tenders/email/award_decision",
            context={"tender": tender, "bid": bid},
            recipients=emails_of([bid.supplier_id], [Role.SUPPLIER]),
        )
    return tender


def quality_criteria(tender: Tender) -> list[AwardCriterion]:
    return list(tender.criteria.filter(kind=CriterionKind.QUALITY))
