"""Who sees which subscriptions, carts, orders and call-offs. Everything starts from the acting organisation.

- IMIO's staff see every member's orders and call-offs;
- a member's people see their own organisation's;
- a supplier sees the orders sent to it (never drafts or those awaiting approval), and the
  call-offs reported under its agreements;
- observers see none (their figures are the reports' aggregates).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from procurement.core.permissions import Perm
from procurement.members.acting import acting_of
from procurement.members.models import MEMBER_KINDS, OrganizationKind
from procurement.orders.models import (
    SUPPLIER_VISIBLE,
    Cart,
    CartLine,
    Competition,
    CompetitionStatus,
    OffPlatformCallOff,
    Order,
    OrderLine,
    OrderStatus,
    Quote,
    Subscription,
    SubscriptionStatus,
)


def _member_or_imio(user):
    acting = acting_of(user)
    if not acting.has(Perm.ORDER_VIEW) or acting.organization is None:
        return acting, None
    return acting, acting.organization


def subscriptions_for(user) -> QuerySet[Subscription]:
    acting, organization = _member_or_imio(user)
    subscriptions = Subscription.objects.select_related("member", "agreement")
    if organization is None:
        return subscriptions.none()
    if acting.platform_wide:
        return subscriptions
    if organization.kind in MEMBER_KINDS:
        return subscriptions.filter(member=organization)
    if organization.kind == OrganizationKind.SUPPLIER:
        return subscriptions.filter(agreement__supplier_links__supplier=organization).distinct()
    return subscriptions.none()


def orders_for(user) -> QuerySet[Order]:
    acting, organization = _member_or_imio(user)
    orders = Order.objects.select_related("member", "agreement", "supplier")
    if organization is None:
        return orders.none()
    if acting.platform_wide:
        return orders
    if organization.kind in MEMBER_KINDS:
        return orders.filter(member=organization)
    if organization.kind == OrganizationKind.SUPPLIER:
        # Once sent: not a draft, nor an order cancelled before it reached the supplier.
        return orders.filter(supplier=organization, status__in=SUPPLIER_VISIBLE, sent_at__isnull=False)
    return orders.none()


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """An order's page: its lines, approvals and deliveries, in three queries whatever their number."""
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        "approvals__decided_by",
        "deliveries__lines",
    )


def call_offs_for(user) -> QuerySet[OffPlatformCallOff]:
    acting, organization = _member_or_imio(user)
    call_offs = OffPlatformCallOff.objects.select_related("agreement", "member", "supplier")
    if organization is None:
        return call_offs.none()
    if acting.platform_wide:
        return call_offs
    if organization.kind in MEMBER_KINDS:
        return call_offs.filter(member=organization)
    if organization.kind == OrganizationKind.SUPPLIER:
        return call_offs.filter(supplier=organization)
    return call_offs.none()


def cart_lines_of(user) -> QuerySet[CartLine]:
    """The acting officer's cart for its organisation (empty when it has none)."""
    acting = acting_of(user)
    if not acting.has(Perm.ORDER_PLACE) or acting.organization is None:
        return CartLine.objects.none()
    return (
        CartLine.objects.filter(cart__user=user, cart__organization=acting.organization)
        .select_related("item__agreement", "item__supplier", "item__cpv_code")
        .order_by("added_at", "id")
    )


def cart_of(user) -> Cart | None:
    acting = acting_of(user)
    if acting.organization is None:
        return None
    return Cart.objects.filter(user=user, organization=acting.organization).first()


# What counts against a member's subscription estimate: its approved orders still holding the
# ceiling, and the off-platform call-offs reported for it.
HOLDING = [
    OrderStatus.APPROVED,
    OrderStatus.SENT,
    OrderStatus.CONFIRMED,
    OrderStatus.DECLINED,
    OrderStatus.PARTIALLY_DELIVERED,
    OrderStatus.DELIVERED,
    OrderStatus.CLOSED,
]


def member_consumption(member_id: int, agreement_ids) -> dict[int, Decimal]:
    """What the member has consumed under each agreement: its orders and its off-platform call-offs."""
    consumed: dict[int, Decimal] = {}
    for agreement_id, total in (
        Order.objects.filter(member_id=member_id, agreement_id__in=agreement_ids, status__in=HOLDING)
        .values("agreement_id")
        .annotate(total=Sum("consumed"))
        .values_list("agreement_id", "total")
    ):
        consumed[agreement_id] = consumed.get(agreement_id, Decimal("0.00")) + total
    for agreement_id, total in (
        OffPlatformCallOff.objects.filter(member_id=member_id, agreement_id__in=agreement_ids, cancelled=False)
        .values("agreement_id")
        .annotate(total=Sum("amount_excl_vat"))
        .values_list("agreement_id", "total")
    ):
        consumed[agreement_id] = consumed.get(agreement_id, Decimal("0.00")) + total
    return consumed


def estimate_warnings(member_id: int, additions: dict[int, Decimal]) -> list[tuple[Subscription, Decimal]]:
    """Subscriptions whose estimate the member's consumption plus ``additions`` (per agreement) would pass."""
    subscriptions = Subscription.objects.filter(
        member_id=member_id, agreement_id__in=list(additions), status=SubscriptionStatus.ACTIVE
    ).select_related("agreement")
    consumed = member_consumption(member_id, list(additions))
    warnings = []
    for subscription in subscriptions:
        total = consumed.get(subscription.agreement_id, Decimal("0.00")) + additions[subscription.agreement_id]
        if total > subscription.estimated_value:
            warnings.append((subscription, total))
    return warnings


def competitions_for(user) -> QuerySet[Competition]:
    """IMIO all; a member its own; a supplier those published under its agreements."""
    acting, organization = _member_or_imio(user)
    competitions = Competition.objects.select_related("agreement", "member", "order")
    if organization is None:
        return competitions.none()
    if acting.platform_wide:
        return competitions
    if organization.kind in MEMBER_KINDS:
        return competitions.filter(member=organization)
    if organization.kind == OrganizationKind.SUPPLIER:
        return (
            competitions.exclude(status=CompetitionStatus.DRAFT)
            .filter(agreement__supplier_links__supplier=organization, agreement__supplier_links__active=True)
            .distinct()
        )
    return competitions.none()


def quotes_for(user, competition: Competition) -> QuerySet[Quote]:
    """A supplier its own quotes; the others every quote, once the deadline has opened them (not before:
    not even how many there are)."""
    acting = acting_of(user)
    quotes = Quote.objects.filter(competition=competition).select_related("supplier", "competition")
    if acting.organization is not None and acting.organization.kind == OrganizationKind.SUPPLIER:
        return quotes.filter(supplier=acting.organization)
    if competition.quotes_sealed:
        return quotes.none()
    return quotes
