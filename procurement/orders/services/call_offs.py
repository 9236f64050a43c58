"""Off-platform call-offs: orders a member placed with the supplier directly, reported to IMIO.

They consume the agreement's ceiling like any approved order, and the buyer who records one
gets the same refusal when it does not fit (the overspend must then be regularised, not hidden).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.money import quantize
from procurement.core.permissions import Perm
from procurement.members.models import MEMBER_KINDS, Organization
from procurement.orders import rollups
from procurement.orders.models import CallOffSource, OffPlatformCallOff
from tenders.models import AgreementSupplier, FrameworkAgreement
from tenders.services._common import check_central_body
from tenders.services.agreements import agreement_consume, agreement_locked, agreement_release


@transaction.atomic
def call_off_record(
    *,
    actor,
    agreement: FrameworkAgreement,
    member: Organization,
    supplier: Organization,
    reference: str,
    ordered_on: datetime.date,
    amount_excl_vat: Decimal,
    source: str,
    note: str = "",
) -> OffPlatformCallOff:
    check_central_body(actor, Perm.ORDER_MANAGE)
    errors = {}
    reference = " ".join((reference or "").split())
    if not reference:
        errors["reference"] = _("Give the reference of the order (the member's or the supplier's).")
    if member.kind not in MEMBER_KINDS:
        errors["member"] = _("Choose a member.")
    if not AgreementSupplier.objects.filter(agreement=agreement, supplier=supplier).exists():
        errors["supplier"] = _("%(supplier)s is not a supplier of this agreement.") % {"supplier": supplier}
    if source not in CallOffSource.values:
        errors["source"] = _("Say who reported it: the supplier or the member.")
    if not ordered_on:
        errors["ordered_on"] = _("Give the date of the order.")
    elif ordered_on > timezone.localdate():
        errors["ordered_on"] = _("An order reported to IMIO cannot be dated in the future.")
    elif not (agreement.start_date <= ordered_on <= agreement.end_date):
        errors["ordered_on"] = _("The date is outside the agreement's term (%(start)s – %(end)s).") % {
            "start": f"{agreement.start_date:%d/%m/%Y}",
            "end": f"{agreement.end_date:%d/%m/%Y}",
        }
    try:
        amount = quantize(amount_excl_vat)
    except (TypeError, ValueError):
        errors["amount_excl_vat"] = _("Enter an amount in euros.")
    else:
        if amount <= 0:
            errors["amount_excl_vat"] = _("The amount must be above zero.")
    if errors:
        raise ValidationError(errors)
    with rollups.tracking_call_off(None) as recorded:
        locked = agreement_locked(agreement.pk)
        agreement_consume(
            agreement=locked,
            amount=amount,
            actor=actor,
            what=_("The off-platform order %(reference)s") % {"reference": reference},
        )
        call_off = OffPlatformCallOff(
            agreement=agreement,
            member=member,
            supplier=supplier,
            reference=reference[:100],
            ordered_on=ordered_on,
            amount_excl_vat=amount,
            source=source,
            note=(note or "").strip(),
            recorded_by=actor,
        )
        try:
            with transaction.atomic():
                call_off.save()
        except IntegrityError:
            raise DomainError(
                _("The order %(reference)s of %(member)s is recorded already.")
                % {"reference": reference, "member": member},
                code="call_off_exists",
            ) from None
        recorded.append(call_off)
    audit.record(
        actor=actor,
        action="call_off.recorded",
        target=call_off,
        after={"agreement": agreement.reference, "reference": reference, "amount_excl_vat": amount, "source": source},
        organizations=[member.pk, supplier.pk],
    )
    return call_off


@transaction.atomic
def call_off_cancel(*, actor, call_off: OffPlatformCallOff, reason: str) -> OffPlatformCallOff:
    """A call-off recorded by mistake: its amount goes back to the agreement."""
    check_central_body(actor, Perm.ORDER_MANAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    call_off = OffPlatformCallOff.objects.select_for_update().get(pk=call_off.pk)
    if call_off.cancelled:
        raise DomainError(_("This call-off is cancelled already."), code="call_off_cancelled")
    with rollups.tracking_call_off(call_off):
        agreement_release(
            agreement=agreement_locked(call_off.agreement_id), amount=call_off.amount_excl_vat, actor=actor
        )
        call_off.cancelled, call_off.cancel_reason = True, reason
        call_off.save(update_fields=["cancelled", "cancel_reason"])
    audit.record(
        actor=actor,
        action="call_off.cancelled",
        target=call_off,
        before={"cancelled": False},
        after={"cancelled": True},
        data={"reason": reason, "released": call_off.amount_excl_vat},
        organizations=[call_off.member_id, call_off.supplier_id],
    )
    return call_off
