"""Member statement: one member, one period — its orders, its spend by agreement and budget
article, its savings, its consumption against its estimates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.orders.models import SubscriptionStatus
from procurement.orders.rollups import COUNTING
from procurement.orders.selectors import member_consumption
from reports import charts, scope
from reports.base import Chart, Column, Figure, Kind, Report, Result, Size, Table, percent, totals_of
from reports.exporters.savings import savings, savings_table
from reports.figures import SpendFilters, label_rows, sort_rows, spend
from reports.formats import display
from reports.params import OrganizationChoiceField, PeriodMixin, ReportForm
from reports.scope import Audience
from reports.sql import money

ZERO = Decimal("0.00")
MONEY_COLUMNS = [("net", _("Excl. VAT")), ("vat", _("VAT")), ("gross", _("Incl. VAT"))]


CHART_MONTHS = 36


def months(filters: SpendFilters) -> list[datetime.date]:
    """The first days of the period's months (its last three years at most)."""
    month, last = filters.date_from.replace(day=1), filters.date_to.replace(day=1)
    found = []
    while month <= last:
        found.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return found[-CHART_MONTHS:]


class StatementParameters(ReportForm, PeriodMixin):
    member = OrganizationChoiceField(label=_("Member"), queryset=None, required=False)

    def clean_member(self):
        member = self.cleaned_data.get("member")
        if self.viewer.audience == Audience.MEMBER:
            return self.viewer.organization
        if member is None:
            raise forms.ValidationError(_("Choose the member whose statement you want."))
        return member


def _money_columns() -> list[Column]:
    return [Column(key, str(label), Kind.MONEY, total=True) for key, label in MONEY_COLUMNS]


class StatementReport(Report):
    identifier = "statement"
    tables = ("agreements", "budget_articles", "savings", "estimates", "orders")
    title = _("Member statement")
    description = _(
        "One member over a period: its orders, its spend by agreement and by budget article, its savings and "
        "its consumption against its estimates."
    )
    audiences = frozenset({Audience.CENTRAL, Audience.MEMBER})
    parameters = StatementParameters
    pdf_template = "reports/pdf/statement.html"
    rows_per_page = 40

    def _orders(self, viewer, params):
        return (
            scope.orders(viewer)
            .filter(
                member=params["member"],
                status__in=COUNTING,
                approved_on__gte=params["date_from"],
                approved_on__lte=params["date_to"],
            )
            .select_related("agreement", "supplier")
            .order_by("approved_on", "number")
        )

    def estimate(self, viewer, params) -> Size:
        rows = self._orders(viewer, params).count()
        return Size(rows=rows, pages=3 + rows // self.rows_per_page)

    def filename(self, params, extension) -> str:
        return f"releve-{params['member'].pk}-{params['date_from']:%Y%m%d}-{params['date_to']:%Y%m%d}.{extension}"

    def build(self, viewer, params, progress=lambda done, total: None) -> Result:
        member = params["member"]
        filters = SpendFilters(date_from=params["date_from"], date_to=params["date_to"], member=member)
        by_agreement, _source = spend(viewer, ["agreement"], filters)
        label_rows(by_agreement, ["agreement"])
        by_agreement = sort_rows(by_agreement, ["agreement"])
        by_article, _source = spend(viewer, ["budget_article"], filters)
        label_rows(by_article, ["budget_article"])
        by_article = sort_rows(by_article, ["budget_article"])
        per_month, _source = spend(viewer, ["month"], filters)
        progress(1, 4)
        saved = savings(viewer, ["agreement"], filters)
        label_rows(saved, ["agreement"])
        saved.sort(key=lambda row: -row["savings"])
        progress(2, 4)
        orders = [
            {
                "number": order.number,
                "approved_on": order.approved_on,
                "agreement": order.agreement.reference,
                "supplier": order.supplier.name,
                "status": order.get_status_display(),
                "budget_article": order.budget_article,
                "net": order.total_excl_vat,
                "vat": order.total_vat,
                "gross": order.total_incl_vat,
                "counted": order.consumed,
            }
            for order in self._orders(viewer, params)
        ]
        progress(3, 4)
        estimates = self._estimates(viewer, member)

        spend_columns = [
            Column("agreement", gettext("Framework agreement")),
            Column("orders", gettext("Orders"), Kind.INTEGER, total=True),
            *_money_columns(),
        ]
        spend_totals = totals_of(spend_columns, by_agreement, agreement=gettext("Total"))
        article_columns = [
            Column("budget_article", gettext("Budget article")),
            Column("orders", gettext("Orders"), Kind.INTEGER),
            *_money_columns(),
        ]
        saved_table = savings_table(
            "savings", gettext("Savings"), [Column("agreement", gettext("Framework agreement"))], saved
        )
        savings_totals = saved_table.totals
        estimate_columns = [
            Column("agreement", gettext("Framework agreement")),
            Column("estimate", gettext("Estimate"), Kind.MONEY, total=True),
            Column("consumed", gettext("Consumed"), Kind.MONEY, total=True),
            Column("percent", gettext("Percent of estimate"), Kind.PERCENT),
        ]
        order_columns = [
            Column("number", gettext("Order")),
            Column("approved_on", gettext("Approved on"), Kind.DATE),
            Column("agreement", gettext("Agreement")),
            Column("supplier", gettext("Supplier")),
            Column("status", gettext("Status")),
            Column("budget_article", gettext("Budget article")),
            *_money_columns(),
            Column("counted", gettext("Counted excl. VAT"), Kind.MONEY, total=True),
        ]
        result = Result(
            identifier=self.identifier,
            title=f"{self.title} — {member.name}",
            subtitle=gettext("From %(start)s to %(end)s")
            % {"start": params["date_from"].strftime("%d/%m/%Y"), "end": params["date_to"].strftime("%d/%m/%Y")},
            filters=params.get("_described", []),
            figures=[
                Figure(gettext("Orders"), len(orders), Kind.INTEGER),
                Figure(gettext("Spend excl. VAT"), spend_totals["net"]),
                Figure(gettext("Spend incl. VAT"), spend_totals["gross"]),
                Figure(gettext("Savings"), savings_totals["savings"]),
                Figure(gettext("Rate of savings"), savings_totals["rate"], Kind.PERCENT),
            ],
            tables=[
                Table("agreements", gettext("Spend by framework agreement"), spend_columns, by_agreement, spend_totals),
                Table(
                    "budget_articles",
                    gettext("Spend by budget article"),
                    article_columns,
                    by_article,
                    totals_of(article_columns[2:], by_article, budget_article=gettext("Total")),
                ),
                saved_table,
                Table(
                    "estimates",
                    gettext("Consumption against the estimates"),
                    estimate_columns,
                    estimates,
                    totals_of(estimate_columns, estimates, agreement=gettext("Total")),
                    note=gettext("Since the start of each agreement, off-platform call-offs included."),
                ),
                Table(
                    "orders",
                    gettext("Orders"),
                    order_columns,
                    orders,
                    totals_of(order_columns, orders, number=gettext("Total")),
                    note=gettext("Amounts as ordered; a closed order counts for what was delivered."),
                ),
            ],
            orientation="landscape",
        )
        spent = {row["month"]: row["net"] for row in per_month}
        series = [(display(month, Kind.MONTH), spent.get(month, ZERO)) for month in months(filters)]
        title = gettext("Spend excl. VAT per month")
        result.charts.append(Chart(title, charts.column_chart(series, title=title)))
        title = gettext("Spend excl. VAT per agreement")
        result.charts.append(
            Chart(
                title,
                charts.bar_chart([(row["agreement"], row["net"]) for row in by_agreement], title=title, max_items=10),
            )
        )
        progress(4, 4)
        return result

    @staticmethod
    def _estimates(viewer, member) -> list[dict]:
        subscriptions = list(
            scope.subscriptions(viewer)
            .filter(member=member, status=SubscriptionStatus.ACTIVE)
            .select_related("agreement")
            .order_by("agreement__reference")
        )
        consumed = member_consumption(member.pk, [s.agreement_id for s in subscriptions])
        rows = []
        for subscription in subscriptions:
            used = money(consumed.get(subscription.agreement_id, ZERO))
            estimate = subscription.estimated_value
            rows.append(
                {
                    "agreement": f"{subscription.agreement.reference} — {subscription.agreement.title}",
                    "estimate": estimate,
                    "consumed": used,
                    "percent": percent(used, estimate),
                }
            )
        return rows
