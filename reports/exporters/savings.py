"""Savings against public list prices: (list price − contract price) × quantity, per member,
agreement and year, with the rate of savings. Lines without a list price are counted apart:
their spend is shown, but they are not taken as zero savings."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports import charts
from reports.base import Chart, Column, Figure, Kind, Report, Result, Size, Table, percent, totals_of
from reports.fields import CommaMultipleChoiceField
from reports.figures import (
    DIMENSIONS,
    SpendFilters,
    counted_lines,
    in_sentence,
    label_rows,
    rollup_groups,
    rollups_answer,
    sort_rows,
)
from reports.params import OrderFiltersMixin, PeriodMixin, ReportForm
from reports.sql import counted_cents, counted_quantity, euros, money, product_cents

GROUPS = ("member", "agreement", "supplier", "year")
TOP = 15


class SavingsParameters(ReportForm, PeriodMixin, OrderFiltersMixin):
    group_by = CommaMultipleChoiceField(
        label=_("Group by"),
        choices=[(key, DIMENSIONS[key].label) for key in GROUPS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("By default: member, agreement and year."),
    )

    def clean_group_by(self):
        return list(dict.fromkeys(self.cleaned_data["group_by"] or ["member", "agreement", "year"]))


def savings_table(key: str, title: str, first: list[Column], rows: list[dict], *, apart: bool = True) -> Table:
    """Savings rows under their first columns: at list and contract prices, savings, rate, and (``apart``)
    the spend of lines without a list price; the totals' rate is that of the totals."""
    columns = [
        *first,
        Column("list_value", gettext("At list prices"), Kind.MONEY, total=True),
        Column("contract", gettext("At contract prices"), Kind.MONEY, total=True),
        Column("savings", gettext("Savings"), Kind.MONEY, total=True),
        Column("rate", gettext("Rate of savings"), Kind.PERCENT),
    ]
    if apart:
        columns += [
            Column("lines_with", gettext("Lines with a list price"), Kind.INTEGER, total=True),
            Column("without_list", gettext("Spend without a list price"), Kind.MONEY, total=True),
            Column("lines_without", gettext("Lines without a list price"), Kind.INTEGER, total=True),
        ]
    totals = totals_of(columns, rows, **({first[0].key: gettext("Total")} if first else {}))
    totals["rate"] = rate(totals["savings"], totals["list_value"])
    return Table(key, title, columns, rows, totals)


def rate(savings: Decimal, list_value: Decimal) -> Decimal | None:
    return percent(savings, list_value)


def savings_rows(lines, group_by: list[str]) -> list[dict]:
    """Per group: spend at list price and at contract price (lines with a list price), and the
    spend of lines without one, in cents summed by the database."""
    with_list = Q(list_price__isnull=False)
    keys = {f"rk_{key}": DIMENSIONS[key].line() for key in group_by}
    counted = counted_cents()
    rows = (
        lines.annotate(**keys)
        .values(*keys)
        .annotate(
            list_cents=Sum(product_cents(counted_quantity(), F("list_price")), filter=with_list),
            contract_cents=Sum(counted, filter=with_list, output_field=BigIntegerField()),
            without_cents=Sum(counted, filter=~with_list, output_field=BigIntegerField()),
            lines_with=Count("pk", filter=with_list),
            lines_without=Count("pk", filter=~with_list),
        )
    )
    found = []
    for row in rows:
        values = {key: row[f"rk_{key}"] for key in group_by}
        list_value, contract = euros(row["list_cents"]), euros(row["contract_cents"])
        values.update(
            list_value=list_value,
            contract=contract,
            savings=list_value - contract,
            rate=rate(list_value - contract, list_value),
            lines_with=row["lines_with"],
            without_list=euros(row["without_cents"]),
            lines_without=row["lines_without"],
        )
        for key in group_by:
            if DIMENSIONS[key].kind == Kind.YEAR and isinstance(values[key], str):
                values[key] = datetime.date.fromisoformat(values[key])
        found.append(values)
    return found


def savings(viewer, group_by: list[str], filters: SpendFilters) -> list[dict]:
    """Savings per group: from the rollups when they answer, from the order lines otherwise."""
    if not rollups_answer(viewer, group_by, filters):
        return savings_rows(counted_lines(viewer, filters), group_by)
    found = []
    for row in rollup_groups(
        viewer,
        group_by,
        filters,
        orders=Sum("orders"),
        r_net=Sum("net"),
        r_list_value=Sum("list_value"),
        r_list_net=Sum("list_net"),
        lines_with=Sum("listed_lines"),
        lines_without=Sum("unlisted_lines"),
    ):
        if not row["orders"]:
            continue
        list_value, contract = money(row.pop("r_list_value")), money(row.pop("r_list_net"))
        row.update(
            list_value=list_value,
            contract=contract,
            savings=list_value - contract,
            rate=rate(list_value - contract, list_value),
            without_list=money(row.pop("r_net")) - contract,
            lines_with=row["lines_with"] or 0,
            lines_without=row["lines_without"] or 0,
        )
        found.append(row)
    return found


class SavingsReport(Report):
    identifier = "savings"
    tables = ("savings",)
    title = _("Savings")
    description = _(
        "What members saved against the suppliers' public list prices, per member, agreement and year, "
        "with the rate of savings; lines without a list price are counted apart."
    )
    parameters = SavingsParameters

    def estimate(self, viewer, params) -> Size:
        return Size(rows=0, pages=1)

    def build(self, viewer, params, progress=lambda done, total: None) -> Result:
        group_by = params["group_by"]
        rows = savings(viewer, group_by, SpendFilters.of(params))
        progress(1, 2)
        label_rows(rows, group_by)
        for row in rows:
            row["net"] = row["savings"]  # the order of sort_rows when grouped by one field
        rows = sort_rows(rows, group_by)
        table = savings_table(
            "savings",
            gettext("Savings"),
            [Column(key, str(DIMENSIONS[key].label), DIMENSIONS[key].kind) for key in group_by],
            rows,
        )
        totals = table.totals
        result = Result(
            identifier=self.identifier,
            title=str(self.title),
            subtitle=gettext("Excl. VAT, on approved orders, by the day of their approval"),
            filters=params.get("_described", []),
            figures=[
                Figure(gettext("Savings"), totals["savings"]),
                Figure(gettext("Rate of savings"), totals["rate"], Kind.PERCENT),
                Figure(gettext("At list prices"), totals["list_value"]),
                Figure(gettext("Spend without a list price"), totals["without_list"]),
            ],
            tables=[table],
            orientation="landscape",
        )
        result.notes.append(
            gettext(
                "Savings are the difference between the public list price and the contract price, times the "
                "quantity ordered (delivered, once an order is closed). Lines without a list price are not "
                "counted as zero savings: their spend is shown apart."
            )
        )
        first = next((key for key in group_by if key != "year"), None)
        if rows and first:
            per_key: dict[str, Decimal] = {}
            for row in rows:
                per_key[row[first]] = per_key.get(row[first], Decimal("0.00")) + row["savings"]
            title = gettext("Savings per %(dimension)s") % {"dimension": in_sentence(first)}
            ranked = sorted(per_key.items(), key=lambda item: -item[1])
            result.charts.append(Chart(title, charts.bar_chart(ranked, title=title, max_items=TOP)))
        progress(2, 2)
        return result
