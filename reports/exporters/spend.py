"""Spend: excl. VAT, VAT and incl. VAT, grouped by any combination of member, supplier,
agreement, lot, CPV division or group, budget article, and month, quarter or year."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports import charts
from reports.base import Chart, Column, Figure, Kind, Report, Result, Size, Table, totals_of
from reports.fields import CommaMultipleChoiceField
from reports.figures import DIMENSIONS, PERIODS, SpendFilters, in_sentence, label_rows, sort_rows, spend
from reports.formats import display
from reports.params import COUNTING_CHOICES, OrderFiltersMixin, PeriodMixin, ReportForm

GROUP_CHOICES = [(dimension.key, dimension.label) for dimension in DIMENSIONS.values()]
PIVOT_PERIODS = 36
PIVOT_ROWS = 500
TOP = 15


def summed(rows: list[dict], key: str) -> dict:
    """Excl. VAT per value of ``key``."""
    totals: dict = {}
    for row in rows:
        totals[row[key]] = totals.get(row[key], Decimal("0.00")) + row["net"]
    return totals


class SpendParameters(ReportForm, PeriodMixin, OrderFiltersMixin):
    status = CommaMultipleChoiceField(
        label=_("Order status"), choices=COUNTING_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    group_by = CommaMultipleChoiceField(
        label=_("Group by"),
        choices=GROUP_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Any combination; at most one of month, quarter and year."),
    )

    def clean_group_by(self):
        group_by = self.cleaned_data["group_by"] or ["agreement", "month"]
        if len([key for key in group_by if key in PERIODS]) > 1:
            raise forms.ValidationError(_("Group by one period at most: month, quarter or year."))
        if "cpv_division" in group_by and "cpv_group" in group_by:
            raise forms.ValidationError(_("Group by CPV division or by CPV group, not both."))
        return list(dict.fromkeys(group_by))


MEASURES = [
    ("orders", _("Orders"), Kind.INTEGER),
    ("net", _("Excl. VAT"), Kind.MONEY),
    ("vat", _("VAT"), Kind.MONEY),
    ("gross", _("Incl. VAT"), Kind.MONEY),
]


class SpendReport(Report):
    identifier = "spend"
    tables = ("spend", "pivot")
    title = _("Spend")
    description = _(
        "Amounts excl. VAT, VAT and incl. VAT of approved orders, grouped as you choose: member, supplier, "
        "agreement, lot, CPV, budget article, month, quarter or year."
    )
    parameters = SpendParameters

    def estimate(self, viewer, params) -> Size:
        return Size(rows=0, pages=1)  # grouped: a few thousand rows at most

    def build(self, viewer, params, progress=lambda done, total: None) -> Result:
        group_by = params["group_by"]
        filters = SpendFilters.of(params)
        rows, source = spend(viewer, group_by, filters)
        progress(1, 2)
        label_rows(rows, group_by)
        rows = sort_rows(rows, group_by)
        columns = [Column(key, str(DIMENSIONS[key].label), DIMENSIONS[key].kind) for key in group_by]
        columns += [Column(key, str(label), kind, total=True) for key, label, kind in MEASURES]
        totals = totals_of(columns, rows, **({group_by[0]: gettext("Total")} if group_by else {}))
        result = Result(
            identifier=self.identifier,
            title=str(self.title),
            subtitle=gettext("Approved orders, by the day of their approval"),
            filters=params.get("_described", []),
            figures=[
                Figure(gettext("Orders"), totals["orders"], Kind.INTEGER),
                Figure(gettext("Spend excl. VAT"), totals["net"]),
                Figure(gettext("VAT"), totals["vat"]),
                Figure(gettext("Spend incl. VAT"), totals["gross"]),
            ],
            tables=[Table("spend", gettext("Spend"), columns, rows, totals)],
            orientation="landscape" if len(group_by) > 2 else "portrait",
        )
        result.charts = self._charts(rows, group_by)
        pivot = self._pivot(rows, group_by)
        if pivot is not None:
            result.tables.append(pivot)
        result.notes.append(
            gettext("Figures read from the monthly rollups.")
            if source == "rollups"
            else gettext("Figures summed from the order lines.")
        )
        progress(2, 2)
        return result

    def _charts(self, rows: list[dict], group_by: list[str]) -> list[Chart]:
        found = []
        periods = [key for key in group_by if key in PERIODS]
        others = [key for key in group_by if key not in PERIODS]
        if rows and periods:
            kind = DIMENSIONS[periods[0]].kind
            title = gettext("Spend excl. VAT per %(period)s") % {"period": in_sentence(periods[0])}
            per_period = summed(rows, periods[0])
            series = [(display(period, kind), per_period[period]) for period in sorted(per_period)]
            found.append(Chart(title, charts.column_chart(series, title=title)))
        if rows and others:
            title = gettext("Spend excl. VAT per %(dimension)s") % {"dimension": in_sentence(others[0])}
            ranked = sorted(summed(rows, others[0]).items(), key=lambda item: -item[1])
            found.append(Chart(title, charts.bar_chart(ranked, title=title, max_items=TOP)))
        return found

    def _pivot(self, rows: list[dict], group_by: list[str]) -> Table | None:
        """With one period and other groupings: excl. VAT with the periods across (pandas pivot)."""
        periods = [key for key in group_by if key in PERIODS]
        others = [key for key in group_by if key not in PERIODS]
        if not rows or not periods or not others:
            return None
        if len({row[periods[0]] for row in rows}) > PIVOT_PERIODS:
            return None
        if len({tuple(row[key] for key in others) for row in rows}) > PIVOT_ROWS:
            return None  # thousands of rows with periods across are read in a spreadsheet: the first table
        frame = pd.DataFrame(rows)
        pivot = frame.pivot_table(index=others, columns=periods[0], values="net", aggfunc="sum", fill_value=0)
        kind = DIMENSIONS[periods[0]].kind
        period_columns = [(f"p{index}", period) for index, period in enumerate(pivot.columns)]
        columns = [Column(key, str(DIMENSIONS[key].label)) for key in others]
        columns += [Column(key, display(period, kind), Kind.MONEY, total=True) for key, period in period_columns]
        columns.append(Column("total", gettext("Total"), Kind.MONEY, total=True))
        pivoted = []
        for index, values in pivot.iterrows():
            index = index if isinstance(index, tuple) else (index,)
            row = dict(zip(others, index, strict=True))
            amounts = {key: Decimal(values[period]) for key, period in period_columns}
            row.update(amounts, total=sum(amounts.values(), Decimal("0.00")))
            pivoted.append(row)
        pivoted.sort(key=lambda row: -row["total"])
        totals = totals_of(columns, pivoted, **{others[0]: gettext("Total")})
        return Table("pivot", gettext("Excl. VAT per period"), columns, pivoted, totals)
