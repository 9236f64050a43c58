"""What every ordering service shares: who acts for which member, and what a member may order."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from procurement.core.errors import DomainError
from procurement.core.permissions import Perm, Role
from procurement.core.units import COUNTED_UNITS, Unit
from procurement.members.models import MEMBER_KINDS, Membership, MembershipStatus, Organization
from procurement.orders.models import Subscription, SubscriptionStatus
from tenders import selectors as tender_selectors
from tenders.models import FrameworkAgreement
from tenders.services import _common as tender_common

MAX_QUANTITY = Decimal("1000000")
QUANTITY_PLACES = 3
# Walloon municipal accounts: function (2 to 6 digits) / economic code (3 digits) - (2 digits),
# e.g. 104/742-53 or 76301/124-02, sometimes followed by the budget year (/2026). Loosely.
BUDGET_ARTICLE = re.compile(r"^\d{2,6}/\d{3}-\d{2}(/\d{4})?$")


def member_acted_for(actor, permission: Perm) -> Organization:
    """The member the actor acts for, holding ``permission`` there."""
    acting = actor.acting
    if not acting.has(permission) or acting.organization is None or acting.organization.kind not in MEMBER_KINDS:
        raise PermissionDenied(_("Only a member's officers can do this."))
    return acting.organization


def check_acting_for(actor, permission: Perm, organization_id: int) -> None:
    acting = actor.acting
    if not (acting.has(permission) and acting.organization_id == organization_id):
        raise PermissionDenied(_("You cannot do this for this organisation."))


def check_membership_active(member: Organization) -> None:
    membership = Membership.objects.filter(member=member).exclude(status=MembershipStatus.TERMINATED).first()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        if membership is not None and membership.status == MembershipStatus.SUSPENDED:
            message = _("%(member)s's membership is suspended: it cannot place new orders.")
        else:
            message = _("%(member)s has no active membership agreement with the central purchasing body.")
        raise DomainError(message % {"member": member}, code="membership_not_active")


def check_may_use(member: Organization, agreement: FrameworkAgreement) -> None:
    if not tender_selectors.usable_agreements_for(member).filter(pk=agreement.pk).exists():
        raise DomainError(
            _("%(member)s cannot order under %(agreement)s: it is not active, or not open to this member.")
            % {"member": member, "agreement": agreement.reference},
            code="agreement_not_usable",
        )


def check_subscribed(member: Organization, agreement: FrameworkAgreement) -> None:
    if not Subscription.objects.filter(member=member, agreement=agreement, status=SubscriptionStatus.ACTIVE).exists():
        raise DomainError(
            _("%(member)s is not subscribed to the agreement %(agreement)s: subscribe first.")
            % {"member": member, "agreement": agreement.reference},
            code="not_subscribed",
        )


def clean_quantity(item, quantity) -> Decimal:
    """A quantity ``item`` can be ordered in: positive, whole for counted units, at least its minimum."""
    return clean_quantity_of(quantity, unit=item.unit, minimum=item.min_quantity)


def clean_quantity_of(quantity, *, unit: str, minimum: Decimal = Decimal("0.001")) -> Decimal:
    try:
        value = Decimal(str(quantity).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"quantity": _("Enter a number.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({"quantity": _("Enter a quantity above zero.")})
    if value > MAX_QUANTITY:
        raise ValidationError({"quantity": _("A quantity above 1,000,000 is not plausible: check it.")})
    if value != value.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
        raise ValidationError({"quantity": _("A quantity has at most 3 decimals.")})
    label = Unit(unit).label if unit in Unit.values else unit
    if unit in COUNTED_UNITS and value != value.to_integral_value():
        raise ValidationError(
            {"quantity": _("This line is counted in whole units (%(unit)s): enter a whole number.") % {"unit": label}}
        )
    if value < minimum:
        raise ValidationError(
            {
                "quantity": _("The minimum order for this line is %(minimum)s %(unit)s.")
                % {"minimum": plain(minimum), "unit": label}
            }
        )
    return value


def plain(value: Decimal) -> str:
    """A quantity as people write it: 10, 2.5 — never 1E+1."""
    return format(value.normalize(), "f")


def clean_budget_article(value: str, *, field: str = "budget_article", required: bool = True) -> str:
    value = " ".join((value or "").split()).replace(" ", "")
    if not value:
        if required:
            raise ValidationError({field: _("Give the budget article the order is charged to (e.g. 104/742-53).")})
        return ""
    if not BUDGET_ARTICLE.match(value):
        raise ValidationError(
            {field: _("%(value)s is not a budget article such as 104/742-53 or 76301/124-02.") % {"value": value}}
        )
    return value


def emails_of(organization_id: int, roles) -> list[str]:
    return tender_common.emails_of([organization_id], roles)


def officers_of(organization_id: int) -> list[str]:
    return emails_of(organization_id, [Role.MEMBER_OFFICER])


def approvers_of(organization_id: int) -> list[str]:
    return emails_of(organization_id, [Role.MEMBER_APPROVER])


def supplier_people_of(organization_id: int) -> list[str]:
    return emails_of(organization_id, [Role.SUPPLIER])
