"""Subscriptions: a member says it will order under an agreement, and how much it expects to spend."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.money import quantize
from procurement.core.permissions import Perm
from procurement.orders.models import Subscription, SubscriptionStatus
from procurement.orders.services._common import (
    check_acting_for,
    check_may_use,
    check_membership_active,
    member_acted_for,
)
from tenders.models import FrameworkAgreement, SurveyDeclaration


def estimate_from_survey(member, agreement: FrameworkAgreement) -> Decimal | None:
    """What the member declared in the needs survey behind the agreement's lot, at the estimated prices."""
    survey_id = agreement.tender.survey_id if agreement.tender_id else None
    if survey_id is None:
        return None
    declared = SurveyDeclaration.objects.filter(
        member=member, item__survey_id=survey_id, item__lot_number=agreement.lot.number
    ).aggregate(
        total=Sum(
            ExpressionWrapper(
                F("quantity") * F("item__estimated_unit_price"),
                output_field=DecimalField(max_digits=30, decimal_places=7),
            )
        )
    )["total"]
    return None if declared is None else quantize(declared)


def _clean_estimate(value) -> Decimal:
    try:
        value = quantize(value)
    except (TypeError, ValueError):
        raise ValidationError({"estimated_value": _("Enter an amount in euros.")}) from None
    if value < 0:
        raise ValidationError({"estimated_value": _("The estimate cannot be negative.")})
    return value


@transaction.atomic
def subscription_create(*, actor, agreement: FrameworkAgreement, estimated_value=None) -> Subscription:
    """Subscribe the actor's member to ``agreement``; the estimate defaults to its survey declaration."""
    member = member_acted_for(actor, Perm.ORDER_PLACE)
    check_membership_active(member)
    check_may_use(member, agreement)
    if estimated_value in (None, ""):
        estimated_value = estimate_from_survey(member, agreement)
        if estimated_value is None:
            raise ValidationError({"estimated_value": _("Give the amount the member expects to spend (excl. VAT).")})
    subscription = Subscription(
        member=member, agreement=agreement, estimated_value=_clean_estimate(estimated_value), created_by=actor
    )
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        raise DomainError(
            _("%(member)s is already subscribed to %(agreement)s.")
            % {"member": member, "agreement": agreement.reference},
            code="already_subscribed",
        ) from None
    audit.record(
        actor=actor,
        action="subscription.created",
        target=subscription,
        after={"agreement": agreement.reference, "estimated_value": subscription.estimated_value},
        organizations=[member.pk],
    )
    return subscription


@transaction.atomic
def subscription_update(*, actor, subscription: Subscription, estimated_value) -> Subscription:
    check_acting_for(actor, Perm.ORDER_PLACE, subscription.member_id)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise DomainError(_("This subscription has ended."), code="subscription_ended")
    before = {"estimated_value": subscription.estimated_value}
    subscription.estimated_value = _clean_estimate(estimated_value)
    subscription.save(update_fields=["estimated_value"])
    audit.record(
        actor=actor,
        action="subscription.updated",
        target=subscription,
        before=before,
        after={"estimated_value": subscription.estimated_value},
        organizations=[subscription.member_id],
    )
    return subscription


@transaction.atomic
def subscription_end(*, actor, subscription: Subscription) -> Subscription:
    """The member stops ordering under the agreement; orders already placed go on."""
    check_acting_for(actor, Perm.ORDER_PLACE, subscription.member_id)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise DomainError(_("This subscription has ended already."), code="subscription_ended")
    subscription.status, subscription.ended_at = SubscriptionStatus.ENDED, timezone.now()
    subscription.save(update_fields=["status", "ended_at"])
    audit.record(
        actor=actor,
        action="subscription.ended",
        target=subscription,
        before={"status": SubscriptionStatus.ACTIVE},
        after={"status": SubscriptionStatus.ENDED},
        organizations=[subscription.member_id],
    )
    return subscription
