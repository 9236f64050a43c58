"""The demo's orders, loaded on top of the members', tenders' and catalogues' demos: every state
of an order, consumption that adds up to the cent on each agreement, and nothing made twice."""

from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.db.models import F, Sum

from catalog.demo import load_demo_catalogues
from procurement.core.models import AuditEntry
from procurement.core.money import line_amount
from procurement.core.permissions import Role
from procurement.members.demo import load_demo_data
from procurement.members.models import User
from procurement.orders import rollups, services
from procurement.orders.demo import L1, L2, load_demo_orders
from procurement.orders.models import (
    ApprovalStep,
    Cart,
    Delivery,
    OffPlatformCallOff,
    Order,
    OrderApproval,
    OrderStatus,
    Subscription,
)
from tenders.demo import load_demo_tenders
from tenders.models import FrameworkAgreement

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")
NEW_USERS = {
    "namur-finance-director": {Role.MEMBER_APPROVER},
    "namur-cpas-approver": {Role.MEMBER_APPROVER},
    "police-namur-officer": {Role.MEMBER_OFFICER, Role.MEMBER_ADMIN},
    "police-namur-approver": {Role.MEMBER_APPROVER},
}


def counts() -> dict[str, int]:
    models = (User, ApprovalStep, Subscription, Order, OrderApproval, Delivery, OffPlatformCallOff, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def total(queryset, field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def load_every_demo() -> dict[str, int]:
    load_demo_data()
    load_demo_tenders()
    load_demo_catalogues()
    return load_demo_orders()


def check_every_state(created: dict[str, int]) -> None:
    assert created == {
        "ordering users": 4,
        "approval steps": 4,
        "subscriptions": 7,
        "orders": 13,
        "off-platform call-offs": 1,
    }
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Order.objects.values("member").distinct().count() == 4
    assert not Cart.objects.filter(lines__isnull=False).exists()  # every cart was checked out
    sent = Order.objects.exclude(sent_at=None)
    assert sent.count() == 8
    assert all(order.document.read(5) == b"%PDF-" for order in sent)


def check_consumption() -> None:
    for agreement in FrameworkAgreement.objects.filter(reference__in=[L1, L2]):
        orders = total(Order.objects.filter(agreement=agreement), "consumed")
        call_offs = total(OffPlatformCallOff.objects.filter(agreement=agreement, cancelled=False), "amount_excl_vat")
        assert agreement.consumed_value == orders + call_offs, agreement.reference
        assert agreement.consumed_value <= agreement.maximum_value, agreement.reference
        assert agreement.status == "active"
    # Approved orders hold the ceiling until they are closed; drafts, rejections and cancellations do not.
    holding_nothing = {OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.REJECTED, OrderStatus.CANCELLED}
    for order in Order.objects.all():
        assert (order.consumed > 0) == (order.status not in holding_nothing), order.number
    closed_short = Order.objects.get(status=OrderStatus.CLOSED, consumed__lt=F("total_excl_vat"))
    delivered = sum(line_amount(line.delivered_quantity, line.unit_price) for line in closed_short.lines.all())
    assert closed_short.consumed == delivered  # the undelivered remainder went back to the agreement


def check_approval_chains() -> None:
    awaiting = Order.objects.get(status=OrderStatus.SUBMITTED)
    assert awaiting.total_excl_vat >= Decimal("22000.00")
    assert services.next_step(awaiting)["name"] == "Visa du directeur financier"
    two_steps = Order.objects.get(status=OrderStatus.APPROVED)
    assert [(a.step_name, a.decided_by.username) for a in two_steps.approvals.all()] == [
        ("Visa du directeur financier", "namur-finance-director"),
        ("Décision du Collège communal", "namur-approver"),
    ]
    readdressed = Order.objects.get(agreement__reference=L2, status=OrderStatus.CONFIRMED)
    assert readdressed.supplier.name == "Informatique Wallonne SRL"
    assert Order.objects.get(status=OrderStatus.DECLINED).supplier.name == "Bureau Meuse SA"
    assert Order.objects.get(status=OrderStatus.REJECTED).status_reason
    assert Order.objects.get(status=OrderStatus.CANCELLED).status_reason
    for username, roles in NEW_USERS.items():
        user = authenticate(username=username, password="demo")
        assert user is not None, username
        assert roles <= set(user.role_assignments.values_list("role", flat=True)), username
    # The Namur officer ordered for its CPAS on the way, and acts for the commune again.
    assert User.objects.get(username="namur-officer").active_organization.name == "Ville de Namur"


def test_demo_orders_pass_through_every_state_and_load_once(settings):
    """One test: the demos it stands on take some 25 s to load."""
    settings.DEBUG = True  # demo passwords

    created = load_every_demo()

    check_every_state(created)
    check_consumption()
    check_approval_chains()
    assert rollups.differences() == []  # the services kept the rollups as the demo's orders moved
    before = counts()
    consumed = dict(FrameworkAgreement.objects.values_list("reference", "consumed_value"))
    assert set(load_demo_orders().values()) == {0}
    assert counts() == before
    assert dict(FrameworkAgreement.objects.values_list("reference", "consumed_value")) == consumed
