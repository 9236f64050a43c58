"""The demo's history, played on top of the orders' demo: months of orders for the reports, as the
services make them (approvals, consumption, rollups), nothing in the future, and nothing made twice."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Max
from django.utils import timezone

from procurement.orders import rollups
from procurement.orders.demo import L1, L2
from procurement.orders.demo_history import MARK, load_demo_history
from procurement.orders.models import Delivery, OffPlatformCallOff, Order, OrderLine, OrderStatus
from tenders.models import FrameworkAgreement
from tests.orders.test_demo import counts, load_every_demo, total

pytestmark = pytest.mark.django_db
S = OrderStatus


def check_history(created: dict[str, int]) -> None:
    history = Order.objects.filter(note__startswith=MARK)
    assert created["history orders"] == history.count() >= 90
    assert 3 <= created["history off-platform call-offs"] <= 6
    assert history.values("member").distinct().count() >= 8  # the orders' demo's four members and others
    statuses = Counter(history.values_list("status", flat=True))
    assert statuses[S.DELIVERED] + statuses[S.CLOSED] > history.count() / 2
    assert all(statuses[status] for status in (S.CONFIRMED, S.PARTIALLY_DELIVERED, S.REJECTED, S.CANCELLED))
    # Declined by the first supplier of the cascade, re-addressed to the next: both have spend.
    assert history.filter(agreement__reference=L2, supplier__name="Informatique Wallonne SRL").exists()
    lines = OrderLine.objects.filter(order__in=history)
    assert lines.exclude(list_price=None).exists()
    assert lines.filter(list_price=None).exists()  # savings have lines "without a list price"
    namur = history.filter(member__name="Ville de Namur")
    assert namur.values("budget_article").distinct().count() >= 3


def check_dates() -> None:
    """Months of approvals, each within its agreement's term, nothing after now."""
    today, now = timezone.localdate(), timezone.now()
    approved = list(Order.objects.exclude(approved_on=None).select_related("agreement"))
    assert len(approved) >= 90
    assert len({order.approved_on.replace(day=1) for order in approved}) >= 6
    for order in approved:
        assert order.agreement.start_date <= order.approved_on <= min(order.agreement.end_date, today), order.number
        assert timezone.localdate(order.approved_at) == order.approved_on, order.number
    moments = ("created_at", "submitted_at", "approved_at", "sent_at", "confirmed_at", "delivered_at", "closed_at")
    latest = Order.objects.aggregate(**{field: Max(field) for field in moments})
    assert all(moment is None or moment <= now for moment in latest.values()), latest
    assert not Delivery.objects.filter(delivered_on__gt=today).exists()
    assert not OffPlatformCallOff.objects.filter(ordered_on__gt=today).exists()


def check_consumption() -> None:
    """The ceilings hold what the orders and call-offs consume, with a quarter of each maximum free."""
    for agreement in FrameworkAgreement.objects.filter(reference__in=[L1, L2]):
        orders = total(Order.objects.filter(agreement=agreement), "consumed")
        call_offs = total(OffPlatformCallOff.objects.filter(agreement=agreement, cancelled=False), "amount_excl_vat")
        assert agreement.consumed_value == orders + call_offs, agreement.reference
        assert agreement.consumed_value <= agreement.maximum_value * Decimal("0.75"), agreement.reference
    assert rollups.differences() == []  # the rollups equal the orders


def test_demo_history_gives_reports_months_of_orders_and_loads_once():
    """One test: the demos it stands on and the history take a minute or so to load."""
    load_every_demo()

    created = load_demo_history()

    check_history(created)
    check_dates()
    check_consumption()
    before = counts()
    consumed = dict(FrameworkAgreement.objects.values_list("reference", "consumed_value"))
    assert set(load_demo_history().values()) == {0}
    assert counts() == before
    assert dict(FrameworkAgreement.objects.values_list("reference", "consumed_value")) == consumed
