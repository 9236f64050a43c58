"""Real concurrency on PostgreSQL: approvals racing for the last euros of an agreement never
overspend; concurrent checkouts number their orders without gaps or duplicates; a retried
checkout makes one set of orders."""

from decimal import Decimal

import pytest

from procurement.core.errors import DomainError
from procurement.core.permissions import Role
from procurement.orders import rollups, services
from procurement.orders.models import Order, OrderStatus
from tenders.models import AgreementStatus, FrameworkAgreement
from tests.api.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.orders import DELIVERY, catalogue_line, placed, subscribe
from tests.factories.tenders import concluded_agreement
from tests.members.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture
def shop(reference_data):
    member = OrganizationFactory()
    MembershipFactory(member=member)
    company = SupplierFactory()
    agreement = concluded_agreement(suppliers=[company], maximum="1000.00", estimated="800.00")
    subscribe(member, agreement)
    unit = catalogue_line(agreement, company, "U-1", "1.00")
    return member, agreement, unit


def test_approvals_racing_for_the_last_euros_never_overspend(shop):
    member, agreement, unit = shop
    officer = person(member, Role.MEMBER_OFFICER)
    approvers = [person(member, Role.MEMBER_APPROVER) for _ in range(10)]
    orders = [placed(officer, {unit: 150}) for _ in range(10)]  # 1,500.00 asked of 1,000.00
    for order in orders:
        services.order_submit(actor=officer, order=order)

    results = race(
        *(
            lambda order=order, approver=approver: services.order_approve(actor=approver, order=order)
            for order, approver in zip(orders, approvers, strict=True)
        )
    )

    approved = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert (len(approved), len(refused)) == (6, 4), results
    assert {error.code for error in refused} == {"ceiling_exceeded"}
    agreement.refresh_from_db()
    assert agreement.consumed_value == D("900.00")
    assert agreement.consumed_value == sum(o.consumed for o in Order.objects.filter(status=OrderStatus.APPROVED))
    assert Order.objects.filter(status=OrderStatus.SUBMITTED).count() == 4
    assert rollups.differences() == []  # the rollup row, updated by every racing approval, adds up


def test_the_last_euros_go_to_exactly_one_and_exhaust_the_agreement(shop):
    member, agreement, unit = shop
    officer = person(member, Role.MEMBER_OFFICER)
    first = placed(officer, {unit: 900})
    services.order_submit(actor=officer, order=first)
    services.order_approve(actor=person(member, Role.MEMBER_APPROVER), order=first)
    racing = [placed(officer, {unit: 100}) for _ in range(6)]
    for order in racing:
        services.order_submit(actor=officer, order=order)
    approvers = [person(member, Role.MEMBER_APPROVER) for _ in racing]

    results = race(
        *(
            lambda order=order, approver=approver: services.order_approve(actor=approver, order=order)
            for order, approver in zip(racing, approvers, strict=True)
        )
    )

    assert sum(isinstance(r, Order) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"agreement_not_active"}
    agreement.refresh_from_db()
    assert (agreement.consumed_value, agreement.status) == (D("1000.00"), AgreementStatus.EXHAUSTED)


def test_concurrent_checkouts_number_orders_without_gaps_or_duplicates(shop):
    member, _agreement, unit = shop
    officers = [person(member, Role.MEMBER_OFFICER) for _ in range(8)]
    for officer in officers:
        services.cart_add(actor=officer, item=unit, quantity=1)

    results = race(*(lambda officer=officer: services.cart_checkout(actor=officer, **DELIVERY) for officer in officers))

    assert all(isinstance(r, list) for r in results), results
    sequences = sorted(Order.objects.filter(member=member).values_list("sequence", flat=True))
    assert sequences == list(range(1, 9))


def test_a_double_submitted_checkout_makes_one_set_of_orders(shop):
    member, _agreement, unit = shop
    officer = person(member, Role.MEMBER_OFFICER)
    services.cart_add(actor=officer, item=unit, quantity=3)

    def post(key):
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return client_for(officer).post("/api/v1/cart/checkout/", DELIVERY, format="json", **headers)

    same_key = race(lambda: post("checkout-1"), threads_per_call=4)
    assert [r.status_code for r in same_key] == [201] * 4
    assert len({tuple(o["id"] for o in r.json()) for r in same_key}) == 1

    services.cart_add(actor=officer, item=unit, quantity=2)
    double_click = race(lambda: post(None), threads_per_call=3)  # no key: the emptied cart answers the others
    assert sorted(r.status_code for r in double_click) == [201, 400, 400]
    assert Order.objects.filter(member=member).count() == 2


def test_agreement_row_is_the_guard(shop):
    """Without the lock the check constraint still refuses: consumed never passes the maximum."""
    _member, agreement, _unit = shop
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkAgreement.objects.filter(pk=agreement.pk).update(consumed_value=D("1000.01"))
