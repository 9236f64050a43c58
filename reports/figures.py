"""The figures the reports are made of, aggregated by the database.

Spend is read from the rollups (``procurement.orders.rollups``) whenever they can answer —
groupings by member, supplier, agreement, lot, CPV division and month / quarter / year over
whole months — and from the order lines otherwise (CPV group, budget article, an order status,
a period cut inside a month, a supplier's own view). Both ways count the same orders for the same amounts,
to the cent (the tests compare them).
"""

from __future__ import annotations

import datetime
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.core.models import CpvCode, CpvLevel
from procurement.members.models import Organization
from procurement.orders.rollups import COUNTING
from reports import scope
from reports.base import Kind
from reports.scope import Viewer
from reports.sql import PeriodStart, grouped_with_vat, money
from tenders.models import FrameworkAgreement, Lot


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str | Promise
    kind: Kind
    line: Callable[[], object]  # its expression over order lines
    rollup: Callable[[], object] | None = None  # over SpendRollup rows; None: the rollups do not hold it
    labels: Callable[[list], dict] | None = None  # key values → what readers see


def organization_names(ids) -> dict:
    return dict(Organization.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def agreement_names(ids) -> dict:
    """An agreement by its reference and its lot ("IMIO-2026-003-L1 — Papier et fournitures de bureau")."""
    rows = FrameworkAgreement.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "reference", "lot__title")
    return {pk: f"{reference} — {lot}" for pk, reference, lot in rows}


def lot_names(ids) -> dict:
    lots = Lot.objects.filter(pk__in=[i for i in ids if i]).select_related("tender")
    return {lot.pk: f"{lot.tender.reference} — {lot}" for lot in lots}


def cpv_names(prefixes) -> dict:
    """CPV division ("30") or group ("301") → "30 — Office and computing machinery…"."""
    wanted = {prefix.ljust(8, "0"): prefix for prefix in prefixes if prefix}
    found = {}
    for code in CpvCode.objects.filter(level__in=(CpvLevel.DIVISION, CpvLevel.GROUP)):
        prefix = wanted.get(code.code[:8])
        if prefix is not None:
            found[prefix] = f"{prefix} — {code.label}"  # in the reader's language
    return {prefix: found.get(prefix, prefix or gettext("(no CPV code)")) for prefix in prefixes}


def budget_article_names(values) -> dict:
    return {value: value or gettext("(none)") for value in values}


DIMENSIONS: dict[str, Dimension] = {
    dimension.key: dimension
    for dimension in (
        Dimension(
            "member", _("Member"), Kind.TEXT, lambda: F("order__member_id"), lambda: F("member_id"), organization_names
        ),
        Dimension(
            "supplier",
            _("Supplier"),
            Kind.TEXT,
            lambda: F("order__supplier_id"),
            lambda: F("supplier_id"),
            organization_names,
        ),
        Dimension(
            "agreement",
            _("Framework agreement"),
            Kind.TEXT,
            lambda: F("order__agreement_id"),
            lambda: F("agreement_id"),
            agreement_names,
        ),
        Dimension(
            "lot", _("Lot"), Kind.TEXT, lambda: F("order__agreement__lot_id"), lambda: F("agreement__lot_id"), lot_names
        ),
        Dimension(
            "cpv_division",
            _("CPV division"),
            Kind.TEXT,
            lambda: Substr("cpv_code", 1, 2),
            lambda: F("cpv_division"),  # in CpvSpendRollup only
            cpv_names,
        ),
        Dimension("cpv_group", _("CPV group"), Kind.TEXT, lambda: Substr("cpv_code", 1, 3), None, cpv_names),
        Dimension(
            "budget_article", _("Budget article"), Kind.TEXT, lambda: F("budget_article"), None, budget_article_names
        ),
        Dimension(
            "month",
            _("Month"),
            Kind.MONTH,
            lambda: PeriodStart(F("order__approved_on"), "month"),
            lambda: F("month"),
        ),
        Dimension(
            "quarter",
            _("Quarter"),
            Kind.QUARTER,
            lambda: PeriodStart(F("order__approved_on"), "quarter"),
            lambda: PeriodStart(F("month"), "quarter"),
        ),
        Dimension(
            "year",
            _("Year"),
            Kind.YEAR,
            lambda: PeriodStart(F("order__approved_on"), "year"),
            lambda: PeriodStart(F("month"), "year"),
        ),
    )
}
PERIODS = ("month", "quarter", "year")


def in_sentence(dimension: str) -> str:
    """A dimension's label inside a sentence ("Spend per month"): lower case, but German nouns keep
    their capital."""
    label = str(DIMENSIONS[dimension].label)
    return label if (translation.get_language() or "").startswith("de") else label[:1].lower() + label[1:]


@dataclass(frozen=True)
class SpendFilters:
    date_from: datetime.date
    date_to: datetime.date
    member: Organization | None = None
    member_kind: str = ""
    supplier: Organization | None = None
    agreement: FrameworkAgreement | None = None
    statuses: tuple[str, ...] = ()  # empty: every status that counts

    @classmethod
    def of(cls, params: dict) -> SpendFilters:
        return cls(
            date_from=params["date_from"],
            date_to=params["date_to"],
            member=params.get("member"),
            member_kind=params.get("member_kind") or "",
            supplier=params.get("supplier"),
            agreement=params.get("agreement"),
            statuses=tuple(params.get("status") or ()),
        )

    def narrowed(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        """``queryset`` (orders, their lines with ``prefix="order__"``, rollups) narrowed to the
        member, kind of member, supplier and agreement asked for."""
        wanted = {
            "member": self.member,
            "member__kind": self.member_kind,
            "supplier": self.supplier,
            "agreement": self.agreement,
        }
        return queryset.filter(**{f"{prefix}{field}": value for field, value in wanted.items() if value})

    def counted_orders(self, orders: QuerySet, prefix: str = "") -> QuerySet:
        """Orders (or their lines) that count in the period, by their approval day, and the filters."""
        return self.narrowed(
            orders.filter(
                **{
                    f"{prefix}status__in": self.statuses or COUNTING,
                    f"{prefix}approved_on__gte": self.date_from,
                    f"{prefix}approved_on__lte": self.date_to,
                }
            ),
            prefix,
        )

    def whole_months(self) -> bool:
        """Whether the period is made of whole months (up to today for the current one)."""
        last_day = monthrange(self.date_to.year, self.date_to.month)[1]
        today = timezone.localdate()
        return self.date_from.day == 1 and (self.date_to.day == last_day or self.date_to >= today)


def rollups_answer(viewer: Viewer, group_by: list[str], filters: SpendFilters) -> bool:
    return (
        viewer.reads_rollups
        and all(DIMENSIONS[key].rollup is not None for key in group_by)
        and not filters.statuses
        and filters.whole_months()
    )


def counted_lines(viewer: Viewer, filters: SpendFilters) -> QuerySet:
    """The order lines that count in the period, narrowed to the viewer and the filters."""
    return filters.counted_orders(scope.order_lines(viewer), "order__")


def by_cpv(group_by: list[str]) -> bool:
    """Whether a grouping reads the rollups by CPV division (``CpvSpendRollup``) rather than ``SpendRollup``."""
    return "cpv_division" in group_by


def rollup_groups(viewer: Viewer, group_by: list[str], filters: SpendFilters, **aggregates) -> list[dict]:
    """Rollup rows of the period and filters, grouped by ``group_by``, with ``aggregates``: those by
    CPV division when the grouping has it."""
    rollups = scope.cpv_rollups(viewer) if by_cpv(group_by) else scope.spend_rollups(viewer)
    rows = filters.narrowed(
        rollups.filter(month__gte=filters.date_from.replace(day=1), month__lte=filters.date_to.replace(day=1))
    )
    keys = {f"rk_{key}": DIMENSIONS[key].rollup() for key in group_by}
    if not keys:
        total = rows.aggregate(**aggregates)
        return [total] if total.get("orders") else []
    found = []
    for row in rows.annotate(**keys).values(*keys).annotate(**aggregates):
        values = {key: row.pop(f"rk_{key}") for key in group_by}
        values.update(row)
        found.append(values)
    return found


def _rollup_rows(viewer: Viewer, group_by: list[str], filters: SpendFilters) -> list[dict]:
    rows = rollup_groups(viewer, group_by, filters, orders=Sum("orders"), net=Sum("net"), vat=Sum("vat"))
    found = []
    for row in rows:
        row.update(orders=row["orders"] or 0, net=money(row["net"]), vat=money(row["vat"]))
        row["gross"] = row["net"] + row["vat"]
        if row["orders"] or row["net"]:
            found.append(row)
    return found


def spend(viewer: Viewer, group_by: list[str], filters: SpendFilters) -> tuple[list[dict], str]:
    """Spend grouped by ``group_by``: rows of keys and orders, net, vat, gross; and the source used."""
    if rollups_answer(viewer, group_by, filters):
        return _rollup_rows(viewer, group_by, filters), "rollups"
    keys = {key: DIMENSIONS[key].line() for key in group_by}
    rows = [row for row in grouped_with_vat(counted_lines(viewer, filters), keys) if row["orders"]]
    for row in rows:
        for key in group_by:
            if DIMENSIONS[key].kind in (Kind.MONTH, Kind.QUARTER, Kind.YEAR) and isinstance(row[key], str):
                row[key] = datetime.date.fromisoformat(row[key])
    return rows, "lines"


def label_rows(rows: list[dict], group_by: list[str]) -> None:
    """Replace each key's raw value (an id, a CPV prefix) by what readers see, in place."""
    for key in group_by:
        labels = DIMENSIONS[key].labels
        if labels is None:
            continue
        names = labels(sorted({row[key] for row in rows if row[key] is not None}, key=str))
        for row in rows:
            row[f"{key}_id"] = row[key]
            row[key] = names.get(row[key], row[key]) if row[key] is not None else ""


def sort_rows(rows: list[dict], group_by: list[str]) -> list[dict]:
    periods = [key for key in group_by if key in PERIODS]
    others = [key for key in group_by if key not in PERIODS]
    if not periods and len(others) == 1:
        return sorted(rows, key=lambda row: (-row["net"], str(row[others[0]])))
    return sorted(rows, key=lambda row: tuple(row[key] for key in periods) + tuple(str(row[key]) for key in others))


def delivered_and_off_platform(agreement_ids) -> dict[int, dict[str, Decimal]]:
    """Per agreement, from the rollups: delivered and off-platform call-offs (agreement totals are public)."""
    from procurement.orders.models import SpendRollup

    rows = (
        SpendRollup.objects.filter(agreement_id__in=agreement_ids)
        .values("agreement_id")
        .annotate(delivered=Sum("delivered"), off_platform=Sum("off_platform"), orders=Sum("orders"))
    )
    return {
        row["agreement_id"]: {"delivered": money(row["delivered"]), "off_platform": money(row["off_platform"])}
        for row in rows
    }
