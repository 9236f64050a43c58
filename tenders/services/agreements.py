"""Framework agreements: conclusion, amendments, termination, expiry and its alerts."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.mail import send_after_commit
from procurement.core.permissions import Perm, Role
from procurement.core.transitions import StateMachine
from procurement.members.models import Organization, OrganizationKind
from tenders.models import (
    MAX_FRAMEWORK_MONTHS,
    AgreementAmendment,
    AgreementStatus,
    AgreementSupplier,
    AmendmentKind,
    BidStatus,
    FrameworkAgreement,
    LotStatus,
    ModificationGround,
    Tender,
    TenderStatus,
)
from tenders.services._common import buyer_emails, check_central_body, emails_of
from tenders.services.tenders import TENDER_STATES, locked

AGREEMENT_STATES = StateMachine(
    transitions={
        AgreementStatus.ACTIVE: {AgreementStatus.EXHAUSTED, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED},
        AgreementStatus.EXHAUSTED: {AgreementStatus.ACTIVE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED},
        AgreementStatus.EXPIRED: set(),
        AgreementStatus.TERMINATED: set(),
    },
    action_prefix="agreement",
    labels=dict(AgreementStatus.choices),
)
EXPIRY_ALERT_DAYS = (90, 30)
AGREEMENT_FIELDS = ("status", "start_date", "end_date", "estimated_value", "maximum_value")


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def latest_end_date(start_date: datetime.date) -> datetime.date:
    """A framework agreement lasts at most 48 months."""
    return add_months(start_date, MAX_FRAMEWORK_MONTHS) - datetime.timedelta(days=1)


def _locked(agreement: FrameworkAgreement) -> FrameworkAgreement:
    return FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)


@transaction.atomic
def tender_conclude(*, actor, tender: Tender, start_date: datetime.date | None = None) -> list[FrameworkAgreement]:
    """After the standstill, conclude one framework agreement per awarded lot."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    TENDER_STATES.check(tender, TenderStatus.CONCLUDED)
    now = timezone.now()
    if tender.standstill_ends_at and now < tender.standstill_ends_at:
        raise DomainError(
            _("The standstill period ends on %(date)s; the agreements can be concluded after it.")
            % {"date": timezone.localtime(tender.standstill_ends_at).strftime("%d/%m/%Y %H:%M")},
            code="standstill",
        )
    start_date = start_date or timezone.localdate()
    if start_date < timezone.localdate() - datetime.timedelta(days=31):
        raise ValidationError({"start_date": _("An agreement cannot start more than a month in the past.")})
    agreements = []
    beneficiaries = list(tender.beneficiaries.all())
    for lot in tender.lots.filter(status=LotStatus.AWARDED).order_by("number"):
        end_date = add_months(start_date, lot.duration_months) - datetime.timedelta(days=1)
        agreement = FrameworkAgreement.objects.create(
            reference=f"{tender.reference}-L{lot.number}",
            tender=tender,
            lot=lot,
            title=f"{tender.title} — {lot.title}" if tender.lots.count() > 1 else tender.title,
            supplier_mode=lot.supplier_mode,
            start_date=start_date,
            end_date=end_date,
            estimated_value=lot.estimated_value,
            maximum_value=lot.maximum_value,
            beneficiary_scope=tender.beneficiary_scope,
            concluded_at=now,
            concluded_by=actor,
            status_changed_at=now,
        )
        agreement.beneficiaries.set(beneficiaries)
        winners = lot.bids.filter(status=BidStatus.AWARDED).order_by("award_rank")
        AgreementSupplier.objects.bulk_create(
            AgreementSupplier(
                agreement=agreement, supplier_id=bid.supplier_id, rank=bid.award_rank, bid=bid, since=start_date
            )
            for bid in winners
        )
        audit.record(
            actor=actor,
            action="agreement.concluded",
            target=agreement,
            after={
                **audit.snapshot(agreement, AGREEMENT_FIELDS),
                "suppliers": [[bid.award_rank, bid.supplier_id] for bid in winners],
            },
            organizations=[bid.supplier_id for bid in winners],
        )
        agreements.append(agreement)
        send_after_commit(
            template="tenders/email/agreement_concluded",
            context={"agreement": agreement},
            recipients=emails_of([bid.supplier_id for bid in winners], [Role.SUPPLIER]),
        )
    TENDER_STATES.apply(
        tender,
        to=TenderStatus.CONCLUDED,
        actor=actor,
        verb="concluded",
        changes={"concluded_at": now, "status_changed_at": now},
    )
    return agreements


def _record_amendment(*, actor, agreement, kind, legal_ground, reason, before, after) -> AgreementAmendment:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason of the amendment.")})
    if legal_ground not in ModificationGround.values:
        raise ValidationError({"legal_ground": _("Choose the legal ground of the amendment.")})
    amendment = AgreementAmendment.objects.create(
        agreement=agreement,
        kind=kind,
        legal_ground=legal_ground,
        reason=reason,
        changes={"before": before, "after": after},
        decided_by=actor,
    )
    audit.record(
        actor=actor,
        action=f"agreement.amended.{kind}",
        target=agreement,
        before=before,
        after=after,
        data={"amendment": amendment.pk, "legal_ground": legal_ground, "reason": reason},
        organizations=list(agreement.supplier_links.filter(active=True).values_list("supplier_id", flat=True)),
    )
    return amendment


def _check_open(agreement: FrameworkAgreement) -> None:
    if agreement.status not in (AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED):
        raise DomainError(_("This agreement has ended and can no longer be amended."), code="agreement_ended")


@transaction.atomic
def agreement_modify(
    *,
    actor,
    agreement: FrameworkAgreement,
    legal_ground: str,
    reason: str,
    end_date: datetime.date | None = None,
    estimated_value: Decimal | None = None,
    maximum_value: Decimal | None = None,
) -> AgreementAmendment:
    """A recorded modification: the end date (within 48 months of the start) or the values."""
    check_central_body(actor, Perm.AGREEMENT_MANAGE)
    agreement = _locked(agreement)
    _check_open(agreement)
    changes = {}
    errors = {}
    if end_date is not None and end_date != agreement.end_date:
        if end_date > latest_end_date(agreement.start_date):
            errors["end_date"] = _("A framework agreement lasts at most 48 months: it must end by %(date)s.") % {
                "date": latest_end_date(agreement.start_date).strftime("%d/%m/%Y")
            }
        elif end_date < timezone.localdate():
            errors["end_date"] = _("The end date cannot be in the past.")
        changes["end_date"] = end_date
    if estimated_value is not None and estimated_value != agreement.estimated_value:
        changes["estimated_value"] = estimated_value
    if maximum_value is not None and maximum_value != agreement.maximum_value:
        if maximum_value < agreement.consumed_value:
            errors["maximum_value"] = _("The maximum cannot be below what has been consumed (%(consumed)s).") % {
                "consumed": agreement.consumed_value
            }
        changes["maximum_value"] = maximum_value
    if changes.get("maximum_value", agreement.maximum_value) < changes.get(
        "estimated_value", agreement.estimated_value
    ):
        errors["maximum_value"] = _("The maximum value cannot be below the estimated value.")
    if errors:
        raise ValidationError(errors)
    if not changes:
        raise ValidationError({"__all__": _("The amendment changes nothing.")})
    before = audit.snapshot(agreement, changes)
    for name, value in changes.items():
        setattr(agreement, name, value)
    agreement.full_clean()
    agreement.save(update_fields=list(changes))
    kind = AmendmentKind.END_DATE if set(changes) == {"end_date"} else AmendmentKind.MODIFICATION
    amendment = _record_amendment(
        actor=actor,
        agreement=agreement,
        kind=kind,
        legal_ground=legal_ground,
        reason=reason,
        before=before,
        after=audit.snapshot(agreement, changes),
    )
    if "end_date" in changes:
        agreement.expiry_alerted_days = None
        agreement.save(update_fields=["expiry_alerted_days"])
    _refresh_exhaustion(agreement, actor=actor)
    return amendment


def _refresh_exhaustion(agreement: FrameworkAgreement, *, actor) -> None:
    if agreement.status == AgreementStatus.EXHAUSTED and agreement.consumed_value < agreement.maximum_value:
        AGREEMENT_STATES.apply(
            agreement,
            to=AgreementStatus.ACTIVE,
            actor=actor,
            verb="reopened",
            changes={"status_changed_at": timezone.now()},
        )
    elif agreement.status == AgreementStatus.ACTIVE and agreement.consumed_value >= agreement.maximum_value:
        AGREEMENT_STATES.apply(
            agreement,
            to=AgreementStatus.EXHAUSTED,
            actor=actor,
            verb="exhausted",
            changes={"status_changed_at": timezone.now()},
        )


@transaction.atomic
def agreement_substitute_supplier(
    *,
    actor,
    agreement: FrameworkAgreement,
    old_supplier: Organization,
    new_supplier: Organization,
    reason: str,
    legal_ground: str = ModificationGround.REPLACEMENT,
) -> AgreementAmendment:
    """A supplier is replaced (takeover, restructuring…): the new one takes its rank from today."""
    check_central_body(actor, Perm.AGREEMENT_MANAGE)
    agreement = _locked(agreement)
    _check_open(agreement)
    if new_supplier.kind != OrganizationKind.SUPPLIER:
        raise ValidationError({"new_supplier": _("Choose a supplier.")})
    link = agreement.supplier_links.filter(supplier=old_supplier, active=True).first()
    if link is None:
        raise ValidationError({"old_supplier": _("This supplier is not a current supplier of the agreement.")})
    if agreement.supplier_links.filter(supplier=new_supplier, active=True).exists():
        raise ValidationError({"new_supplier": _("This supplier is already a supplier of the agreement.")})
    today = timezone.localdate()
    link.active, link.until = False, today
    link.save(update_fields=["active", "until"])
    AgreementSupplier.objects.create(agreement=agreement, supplier=new_supplier, rank=link.rank, since=today)
    return _record_amendment(
        actor=actor,
        agreement=agreement,
        kind=AmendmentKind.SUPPLIER_SUBSTITUTION,
        legal_ground=legal_ground,
        reason=reason,
        before={"rank": link.rank, "supplier": old_supplier.pk},
        after={"rank": link.rank, "supplier": new_supplier.pk},
    )


@transaction.atomic
def agreement_terminate(*, actor, agreement: FrameworkAgreement, reason: str) -> FrameworkAgreement:
    """End an agreement early, with the reason; no order is placed under it any more."""
    check_central_body(actor, Perm.AGREEMENT_MANAGE)
    agreement = _locked(agreement)
    AGREEMENT_STATES.check(agreement, AgreementStatus.TERMINATED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the termination.")})
    suppliers = list(agreement.supplier_links.filter(active=True).values_list("supplier_id", flat=True))
    AGREEMENT_STATES.apply(
        agreement,
        to=AgreementStatus.TERMINATED,
        actor=actor,
        verb="terminated",
        changes={"status_reason": reason, "status_changed_at": timezone.now()},
        organizations=suppliers,
    )
    send_after_commit(
        template="tenders/email/agreement_terminated",
        context={"agreement": agreement},
        recipients=emails_of(suppliers, [Role.SUPPLIER]),
    )
    return agreement


def advance_agreement(agreement: FrameworkAgreement, today: datetime.date | None = None) -> FrameworkAgreement:
    """An agreement past its end date expires (as the system), in its own transaction."""
    today = today or timezone.localdate()
    due = FrameworkAgreement.objects.filter(
        pk=agreement.pk, status__in=[AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED], end_date__lt=today
    )
    if due.exists():
        with transaction.atomic():
            current = _locked(agreement)
            if current.status in (AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED) and current.end_date < today:
                AGREEMENT_STATES.apply(
                    current,
                    to=AgreementStatus.EXPIRED,
                    actor=None,
                    verb="expired",
                    changes={"status_changed_at": timezone.now()},
                )
            agreement.status = current.status
    return agreement


def expire_due_agreements(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    due = FrameworkAgreement.objects.filter(
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED], end_date__lt=today
    )
    count = 0
    for agreement in due:
        advance_agreement(agreement, today)
        count += 1
    return count


def send_expiry_alerts(today: datetime.date | None = None) -> int:
    """Tell the buyers 90 and then 30 days before an agreement ends (once each)."""
    today = today or timezone.localdate()
    sent = 0
    horizon = today + datetime.timedelta(days=max(EXPIRY_ALERT_DAYS))
    candidates = FrameworkAgreement.objects.filter(
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED], end_date__lte=horizon, end_date__gte=today
    )
    for agreement_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            agreement = FrameworkAgreement.objects.select_for_update().get(pk=agreement_id)
            days_left = (agreement.end_date - today).days
            threshold = min(days for days in EXPIRY_ALERT_DAYS if days >= days_left)
            if agreement.expiry_alerted_days is not None and agreement.expiry_alerted_days <= threshold:
                continue
            agreement.expiry_alerted_days = threshold
            agreement.save(update_fields=["expiry_alerted_days"])
            audit.record(
                actor=None,
                action="agreement.expiry_alert",
                target=agreement,
                data={"days_left": days_left, "threshold": threshold},
            )
            send_after_commit(
                template="tenders/email/agreement_expiry",
                context={"agreement": agreement, "days_left": days_left},
                recipients=buyer_emails(),
            )
            sent += 1
    return sent


# --- The ceiling: what orders consume of an agreement's maximum ---------------------------------

CONSUMPTION_ALERTS = (80, 90, 100)  # % of the maximum at which the buyers hear of it, once each


def agreement_locked(agreement_id: int) -> FrameworkAgreement:
    """The agreement's row, locked until the end of the transaction: consumption is read and written under it."""
    return FrameworkAgreement.objects.select_for_update().get(pk=agreement_id)


def agreement_consume(*, agreement: FrameworkAgreement, amount: Decimal, actor, what: str) -> None:
    """Consume ``amount`` excl. VAT of the agreement's remaining value, or refuse saying what remains.

    The caller holds the row lock (:func:`agreement_locked`) in its transaction, so two
    approvals racing for the last euros are served one after the other; the table's check
    constraint (consumed ≤ maximum) would stop an overspend that slipped past anyway.
    """
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError(
            _("The agreement %(agreement)s is %(status)s: it accepts no new orders.")
            % {"agreement": agreement.reference, "status": agreement.get_status_display()},
            code="agreement_not_active",
        )
    if amount > agreement.remaining_value:
        raise DomainError(
            _(
                "%(what)s (%(amount)s € excl. VAT) does not fit in what remains of the agreement "
                "%(agreement)s: %(remaining)s € excl. VAT."
            )
            % {
                "what": what,
                "amount": amount,
                "agreement": agreement.reference,
                "remaining": agreement.remaining_value,
            },
            code="ceiling_exceeded",
        )
    agreement.consumed_value += amount
    agreement.save(update_fields=["consumed_value"])
    _refresh_exhaustion(agreement, actor=actor)
    _alert_consumption(agreement)


def agreement_release(*, agreement: FrameworkAgreement, amount: Decimal, actor) -> None:
    """Give ``amount`` back to the agreement (a cancelled order, an undelivered remainder…); under the lock."""
    if amount <= 0:
        return
    agreement.consumed_value = max(agreement.consumed_value - amount, Decimal("0.00"))
    agreement.save(update_fields=["consumed_value"])
    _refresh_exhaustion(agreement, actor=actor)


def _alert_consumption(agreement: FrameworkAgreement) -> None:
    percent = agreement.consumed_value * 100 / agreement.maximum_value
    reached = max((level for level in CONSUMPTION_ALERTS if percent >= level), default=None)
    if reached is None or (agreement.consumption_alerted_percent or 0) >= reached:
        return
    agreement.consumption_alerted_percent = reached
    agreement.save(update_fields=["consumption_alerted_percent"])
    audit.record(
        actor=None,
        action="agreement.consumption_alert",
        target=agreement,
        data={"percent": reached, "consumed": agreement.consumed_value, "maximum": agreement.maximum_value},
    )
    send_after_commit(
        template="tenders/email/agreement_consumption",
        context={"agreement": agreement, "percent": reached},
        recipients=buyer_emails(),
    )
