"""The bench data generator: members, subscriptions and orders that hold together.

The small scale runs on the test database (a few seconds); a second run adds nothing.
"""

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone

from bench import generate
from catalog.models import CatalogItem
from procurement.core.models import Municipality
from procurement.core.money import line_amount, vat_breakdown
from procurement.members.models import Membership, MembershipStatus, Organization
from procurement.orders.models import (
    DeliveryLine,
    OffPlatformCallOff,
    Order,
    OrderCounter,
    OrderLine,
    OrderStatus,
    Subscription,
)
from tenders.models import FrameworkAgreement

pytestmark = pytest.mark.django_db
S = OrderStatus
ZERO = Decimal("0.00")
HOLDING_ALL = {S.APPROVED, S.SENT, S.CONFIRMED, S.DECLINED, S.PARTIALLY_DELIVERED, S.DELIVERED}
NOT_DELIVERED = {S.DRAFT, S.SUBMITTED, S.APPROVED, S.REJECTED, S.SENT, S.CONFIRMED, S.DECLINED, S.CANCELLED}


def bench_orders():
    return Order.objects.filter(agreement__reference__regex=generate.AGREEMENT_REFERENCE)


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "deliveries": DeliveryLine.objects.count(),
        "call_offs": OffPlatformCallOff.objects.count(),
        "catalogue": CatalogItem.objects.count(),
    }


def check_numbers() -> None:
    """BC-<year>-<sequence> per member and year, from 1 without gaps; the counter at the last one."""
    sequences = defaultdict(list)
    for order in bench_orders():
        assert order.number == f"BC-{order.year}-{order.sequence:05d}"
        assert order.year == timezone.localtime(order.created_at).year
        sequences[(order.member_id, order.year)].append(order.sequence)
    counters = {(c.member_id, c.year): c.last for c in OrderCounter.objects.all()}
    for key, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
        assert counters[key] == len(numbers)


def check_orders() -> None:
    """Frozen lines, amounts to the cent, VAT per rate on the sum, consumption and deliveries by status."""
    lines = defaultdict(list)
    for line in OrderLine.objects.filter(order__in=bench_orders()).select_related("item"):
        lines[line.order_id].append(line)
    delivered = Counter()
    for line_id, quantity in DeliveryLine.objects.values_list("line_id", "quantity"):
        delivered[line_id] += quantity
    now = timezone.now()
    for order in bench_orders().select_related("agreement"):
        own = lines[order.pk]
        assert 1 <= len(own) <= 20
        assert sorted(line.position for line in own) == list(range(1, len(own) + 1))
        assert len({line.item_id for line in own}) == len(own)
        for line in own:
            item = line.item
            assert (item.agreement_id, item.supplier_id) == (order.agreement_id, order.supplier_id)
            assert (line.unit_price, line.vat_rate, line.cpv_code, line.unit, line.name) == (
                item.unit_price,
                item.vat_rate,
                item.cpv_code_id,
                item.unit,
                item.name_fr,
            )
            assert line.amount_excl_vat == line_amount(line.quantity, line.unit_price)
            assert line.quantity >= item.min_quantity
            assert line.budget_article == order.budget_article
            assert delivered[line.pk] == line.delivered_quantity
        total = vat_breakdown((line.amount_excl_vat, line.vat_rate) for line in own).total
        assert (order.total_excl_vat, order.total_vat, order.total_incl_vat) == (total.net, total.vat, total.gross)

        status = order.status
        delivered_amount = sum((line_amount(line.delivered_quantity, line.unit_price) for line in own), ZERO)
        if status in HOLDING_ALL:
            assert order.consumed == order.total_excl_vat
        elif status == S.CLOSED:
            assert order.consumed == delivered_amount <= order.total_excl_vat
        else:
            assert order.consumed == ZERO
        if status in NOT_DELIVERED:
            assert all(line.delivered_quantity == 0 for line in own)
        elif status == S.DELIVERED:
            assert all(line.delivered_quantity == line.quantity for line in own)
        elif status == S.PARTIALLY_DELIVERED:
            assert any(line.delivered_quantity > 0 for line in own)
            assert any(line.delivered_quantity < line.quantity for line in own)
        if order.approved_at is not None:
            assert order.agreement.start_date <= timezone.localdate(order.approved_at) <= order.agreement.end_date
        if status in HOLDING_ALL | {S.CLOSED}:
            assert order.approved_at is not None
        elif status != S.CANCELLED:  # cancelled: before or after its approval
            assert order.approved_at is None
        moments = [
            order.created_at,
            order.submitted_at,
            order.approved_at,
            order.sent_at,
            order.confirmed_at,
            order.delivered_at,
            order.closed_at,
        ]
        known = [moment for moment in moments if moment is not None]
        assert known == sorted(known)
        assert known[-1] <= order.status_changed_at <= now


def check_consumption() -> None:
    """Each agreement's consumption is what its orders and call-offs hold, within its maximum."""
    for agreement in FrameworkAgreement.objects.filter(reference__regex=generate.AGREEMENT_REFERENCE):
        held = sum(agreement.orders.values_list("consumed", flat=True), ZERO)
        called_off = sum(
            agreement.off_platform_call_offs.filter(cancelled=False).values_list("amount_excl_vat", flat=True), ZERO
        )
        assert agreement.consumed_value == held + called_off <= agreement.maximum_value
        assert (agreement.status == "exhausted") == (agreement.consumed_value == agreement.maximum_value)


def check_members() -> None:
    bench_members = Organization.objects.filter(name__startswith=generate.PREFIX, memberships__isnull=False)
    nis_codes = set(Municipality.objects.values_list("nis_code", flat=True))
    for member in bench_members:
        assert member.memberships.get().status == MembershipStatus.ACTIVE
        assert (member.nis_code in nis_codes) == (member.kind in ("commune", "cpas"))


def test_small_scale_holds_together_and_a_second_run_adds_nothing():
    added = generate.generate("small")
    sizes = generate.SCALES["small"]
    assert added["members"] == sizes["members"]
    assert OrderLine.objects.filter(order__in=bench_orders()).count() == sizes["order_lines"]
    statuses = Counter(bench_orders().values_list("status", flat=True))
    assert statuses[S.DELIVERED] + statuses[S.CLOSED] + statuses[S.CONFIRMED] > statuses[S.DRAFT] + statuses[S.REJECTED]
    check_members()
    check_numbers()
    check_orders()
    check_consumption()
    if "rollups" in get_commands():
        call_command("rollups", "--check")

    before = counts()
    again = generate.generate("small")
    assert counts() == before
    assert not any(again.values()), again


def test_orders_stop_at_an_agreements_maximum():
    """Maxima far too small for the orders: the planner cannot steer around them, the approvals refuse."""
    sizes = {"agreements": 3, "catalog_lines": 900, "members": 6, "order_lines": 0}
    generate.generate(sizes=sizes, rollups=False)
    agreements = FrameworkAgreement.objects.filter(reference__regex=generate.AGREEMENT_REFERENCE)
    agreements.update(estimated_value=Decimal(1000), maximum_value=Decimal(1500))

    added = generate.generate(sizes=sizes | {"order_lines": 1_500}, rollups=False)

    assert added["refused_at_the_ceiling"] > 0
    refused = bench_orders().filter(status=S.REJECTED, status_reason=generate.CEILING_REASON)
    assert refused.count() == added["refused_at_the_ceiling"]
    assert all(order.consumed == 0 and order.approved_at is None for order in refused)
    check_numbers()
    check_orders()
    check_consumption()
    assert all(agreement.consumed_value <= Decimal(1500) for agreement in agreements)
