"""Rollups of spend and consumption, kept by the ordering services as orders move.

What counts, and when:
- An order counts from its approval (its ``approved_on``, the day in Brussels, places it in a month)
  while it holds the agreement's ceiling: approved, sent, confirmed, declined, partly or
  wholly delivered, closed. Draft, submitted, rejected and cancelled orders count for nothing.
- It counts for its lines' amounts as ordered; once closed, for what was delivered (a partly
  delivered order gives the rest back). Its VAT is computed per rate on the sum of the counted
  lines, as the order's own VAT is (EN 16931). Its counted ``net`` is always its ``consumed``.
- ``delivered`` follows the deliveries of counted orders, at their lines' prices.
- For savings, the counted lines with a public list price are summed at list prices
  (``list_value``) and at contract prices (``list_net``); lines are counted with and without one.
- Off-platform call-offs count in ``off_platform`` in the month they were placed, until cancelled.
- By CPV division, each line counts with its share of its order's VAT (:func:`vat_shares`).

Each service that changes what an order counts for wraps the change in :func:`tracking`:
the order's contribution before and after is compared and only the difference is written,
in one ``UPDATE … SET x = x + δ`` per row. Rows are touched in a fixed order (sorted keys),
and always after the agreement's row lock, so concurrent approvals cannot deadlock.

``manage.py rollups --rebuild`` recomputes everything from the orders with the same
:func:`counted`; ``--check`` compares.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from procurement.core.money import line_amount, vat_amount, vat_breakdown
from procurement.orders.models import CpvSpendRollup, OffPlatformCallOff, Order, OrderLine, OrderStatus, SpendRollup

ZERO = Decimal("0.00")
COUNTING = frozenset(
    {
        OrderStatus.APPROVED,
        OrderStatus.SENT,
        OrderStatus.CONFIRMED,
        OrderStatus.DECLINED,
        OrderStatus.PARTIALLY_DELIVERED,
        OrderStatus.DELIVERED,
        OrderStatus.CLOSED,
    }
)
SPEND_MEASURES = (
    "orders",
    "net",
    "vat",
    "gross",
    "off_platform",
    "delivered",
    "list_value",
    "list_net",
    "listed_lines",
    "unlisted_lines",
)

CPV_MEASURES = ("orders", "net", "vat")

SpendKey = tuple[datetime.date, int, int, int]  # month, member, agreement, supplier
CpvKey = tuple[datetime.date, int, int, int, str]


def month_of(moment: datetime.datetime | datetime.date) -> datetime.date:
    day = timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment
    return day.replace(day=1)


class Contribution:
    """What some orders and call-offs add to the rollups: measures per row key."""

    def __init__(self):
        self.spend: dict[SpendKey, dict[str, Decimal | int]] = defaultdict(lambda: dict.fromkeys(SPEND_MEASURES, 0))
        self.cpv: dict[CpvKey, dict[str, Decimal | int]] = defaultdict(lambda: dict.fromkeys(CPV_MEASURES, 0))

    def add_order(self, order: Order, lines: Iterable[OrderLine]) -> None:
        if order.status not in COUNTING or order.approved_on is None:
            return
        closed = order.status == OrderStatus.CLOSED
        lines = list(lines)
        amounts = [
            (line, line_amount(line.delivered_quantity, line.unit_price) if closed else line.amount_excl_vat)
            for line in lines
        ]
        breakdown = vat_breakdown((amount, line.vat_rate) for line, amount in amounts)
        key = (month_of(order.approved_on), order.member_id, order.agreement_id, order.supplier_id)
        row = self.spend[key]
        row["orders"] += 1
        row["net"] += breakdown.total.net
        row["vat"] += breakdown.total.vat
        row["gross"] += breakdown.total.gross
        row["delivered"] += sum((line_amount(line.delivered_quantity, line.unit_price) for line in lines), ZERO)
        for line, amount in amounts:
            if line.list_price is None:
                row["unlisted_lines"] += 1
                continue
            quantity = line.delivered_quantity if closed else line.quantity
            row["list_value"] += line_amount(quantity, line.list_price)
            row["list_net"] += amount
            row["listed_lines"] += 1
        divisions = set()
        for line, amount, vat in vat_shares(amounts):
            division = (line.cpv_code or "")[:2]
            row = self.cpv[(*key, division)]
            row["net"] += amount
            row["vat"] += vat
            if division not in divisions:
                divisions.add(division)
                row["orders"] += 1

    def add_call_off(self, call_off: OffPlatformCallOff) -> None:
        if call_off.cancelled:
            return
        key = (month_of(call_off.ordered_on), call_off.member_id, call_off.agreement_id, call_off.supplier_id)
        self.spend[key]["off_platform"] += call_off.amount_excl_vat


def vat_shares(amounts: list[tuple[OrderLine, Decimal]]) -> Iterator[tuple[OrderLine, Decimal, Decimal]]:
    """Each line's share of its order's VAT at its rate: the VAT of the running sum up to it (in
    position order) minus that of the running sum before it. The order's VAT at a rate is rounded
    once, on the sum of its lines (EN 16931); the shares add up to it exactly, however lines are
    grouped afterwards. ``reports.sql.grouped_with_vat`` computes the same in SQL."""
    upto: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line, amount in sorted(amounts, key=lambda pair: pair[0].position):
        before = upto[line.vat_rate]
        upto[line.vat_rate] = before + amount
        yield line, amount, vat_amount(before + amount, line.vat_rate) - vat_amount(before, line.vat_rate)


def counted(order: Order) -> Contribution:
    contribution = Contribution()
    contribution.add_order(order, order.lines.all())
    return contribution


def _difference(before: Contribution, after: Contribution):
    spend = {}
    for key in sorted(set(before.spend) | set(after.spend)):
        delta = {m: after.spend.get(key, {}).get(m, 0) - before.spend.get(key, {}).get(m, 0) for m in SPEND_MEASURES}
        if any(delta.values()):
            spend[key] = delta
    cpv = {}
    for key in sorted(set(before.cpv) | set(after.cpv)):
        delta = {m: after.cpv.get(key, {}).get(m, 0) - before.cpv.get(key, {}).get(m, 0) for m in CPV_MEASURES}
        if any(delta.values()):
            cpv[key] = delta
    return spend, cpv


def apply(before: Contribution, after: Contribution) -> None:
    """Write ``after − before`` into the rollups, row by row in key order (inside the caller's transaction)."""
    spend, cpv = _difference(before, after)
    for (month, member, agreement, supplier), delta in spend.items():
        key = {"month": month, "member_id": member, "agreement_id": agreement, "supplier_id": supplier}
        SpendRollup.objects.bulk_create([SpendRollup(**key)], ignore_conflicts=True)
        SpendRollup.objects.filter(**key).update(**{m: F(m) + value for m, value in delta.items() if value})
    for (month, member, agreement, supplier, division), delta in cpv.items():
        key = {
            "month": month,
            "member_id": member,
            "agreement_id": agreement,
            "supplier_id": supplier,
            "cpv_division": division,
        }
        CpvSpendRollup.objects.bulk_create([CpvSpendRollup(**key)], ignore_conflicts=True)
        CpvSpendRollup.objects.filter(**key).update(**{m: F(m) + value for m, value in delta.items() if value})


@contextmanager
def tracking(order: Order) -> Iterator[None]:
    """Around a change of ``order`` (locked by the caller): the rollups follow what it counts for."""
    before = counted(order)
    yield
    order.refresh_from_db()
    apply(before, counted(order))


@contextmanager
def tracking_call_off(call_off: OffPlatformCallOff | None) -> Iterator[list]:
    """Around recording (``None`` before) or cancelling a call-off; the caller appends the recorded one."""
    before = Contribution()
    if call_off is not None:
        before.add_call_off(call_off)
    recorded: list[OffPlatformCallOff] = []
    yield recorded
    after = Contribution()
    for item in recorded or ([call_off] if call_off is not None else []):
        item.refresh_from_db()
        after.add_call_off(item)
    apply(before, after)


# --- Rebuild and check ----------------------------------------------------------------------------

CHUNK = 2000


def recompute() -> Contribution:
    """Everything the rollups should hold, from the orders and call-offs as they are."""
    contribution = Contribution()
    orders = Order.objects.filter(status__in=COUNTING, approved_on__isnull=False).order_by("pk")
    last = 0
    while True:
        chunk = list(orders.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            break
        lines = defaultdict(list)
        for line in OrderLine.objects.filter(order__in=chunk).order_by("order_id", "position"):
            lines[line.order_id].append(line)
        for order in chunk:
            contribution.add_order(order, lines[order.pk])
        last = chunk[-1].pk
    for call_off in OffPlatformCallOff.objects.filter(cancelled=False).iterator():
        contribution.add_call_off(call_off)
    return contribution


def stored() -> Contribution:
    contribution = Contribution()
    for row in SpendRollup.objects.values("month", "member_id", "agreement_id", "supplier_id", *SPEND_MEASURES):
        key = (row["month"], row["member_id"], row["agreement_id"], row["supplier_id"])
        contribution.spend[key] = {m: row[m] for m in SPEND_MEASURES}
    for row in CpvSpendRollup.objects.values(
        "month", "member_id", "agreement_id", "supplier_id", "cpv_division", *CPV_MEASURES
    ):
        key = (row["month"], row["member_id"], row["agreement_id"], row["supplier_id"], row["cpv_division"])
        contribution.cpv[key] = {m: row[m] for m in CPV_MEASURES}
    return contribution


def differences() -> list[str]:
    """Rows whose stored figures differ from the orders' (empty when the rollups are right)."""
    spend, cpv = _difference(stored(), recompute())
    found = [f"{key}: {', '.join(f'{m} off by {v}' for m, v in delta.items() if v)}" for key, delta in spend.items()]
    found += [f"{key}: {', '.join(f'{m} off by {v}' for m, v in delta.items() if v)}" for key, delta in cpv.items()]
    return found


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Replace the rollups by what the orders say; the numbers of rows written."""
    contribution = recompute()
    SpendRollup.objects.all().delete()
    CpvSpendRollup.objects.all().delete()
    SpendRollup.objects.bulk_create(
        (
            SpendRollup(month=month, member_id=member, agreement_id=agreement, supplier_id=supplier, **measures)
            for (month, member, agreement, supplier), measures in sorted(contribution.spend.items())
            if any(measures.values())
        ),
        batch_size=CHUNK,
    )
    CpvSpendRollup.objects.bulk_create(
        (
            CpvSpendRollup(
                month=month,
                member_id=member,
                agreement_id=agreement,
                supplier_id=supplier,
                cpv_division=division,
                **measures,
            )
            for (month, member, agreement, supplier, division), measures in sorted(contribution.cpv.items())
            if any(measures.values())
        ),
        batch_size=CHUNK,
    )
    return SpendRollup.objects.count(), CpvSpendRollup.objects.count()
