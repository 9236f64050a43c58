"""Annual activity report of the central purchasing body: members and their growth, agreements
and their consumption gauges, spend per month, top suppliers, spend by CPV division, savings."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.members.models import MEMBER_KINDS, Membership, MembershipStatus, OrganizationKind
from reports import charts, scope
from reports.base import Chart, Column, Figure, Kind, Report, Result, Size, Table, percent, totals_of
from reports.exporters.savings import savings, savings_table
from reports.figures import SpendFilters, label_rows, spend
from reports.formats import display
from reports.params import ReportForm
from reports.scope import Audience
from reports.sql import money
from tenders.models import FrameworkAgreement

ZERO = Decimal("0.00")
TOP_SUPPLIERS = 10
FIRST_YEAR = 2000


def default_year() -> int:
    """The year a finance director reports on: the last one until the end of February."""
    return (timezone.localdate() - datetime.timedelta(days=59)).year


class AnnualParameters(ReportForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR)

    def clean_year(self):
        year = self.cleaned_data.get("year") or default_year()
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year


class AnnualReport(Report):
    identifier = "annual"
    tables = ("members", "agreements", "months", "suppliers", "cpv", "savings")
    title = _("Annual activity report")
    description = _(
        "The year of the central purchasing body: members and their growth, agreements and their consumption, "
        "spend per month, top suppliers, spend by CPV division and savings, with charts."
    )
    audiences = frozenset({Audience.CENTRAL, Audience.OBSERVER})
    parameters = AnnualParameters
    pdf_template = "reports/pdf/annual.html"

    def estimate(self, viewer, params) -> Size:
        agreements = self._agreements(params["year"]).count()
        return Size(rows=agreements, pages=6 + agreements // 30)

    def filename(self, params, extension) -> str:
        return f"rapport-annuel-{params['year']}.{extension}"

    @staticmethod
    def _agreements(year: int):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        return FrameworkAgreement.objects.filter(start_date__lte=end, end_date__gte=start)

    def build(self, viewer, params, progress=lambda done, total: None) -> Result:
        year = params["year"]
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        filters = SpendFilters(date_from=start, date_to=end)
        members = self._members(start, end)
        progress(1, 6)
        per_month, _source = spend(viewer, ["month"], filters)
        per_month.sort(key=lambda row: row["month"])
        off_platform = self._off_platform(viewer, start, end)
        progress(2, 6)
        suppliers, _source = spend(viewer, ["supplier"], filters)
        label_rows(suppliers, ["supplier"])
        suppliers.sort(key=lambda row: -row["net"])
        by_kind = self._by_member_kind(viewer, start, end)
        progress(3, 6)
        cpv = self._cpv(viewer, filters)
        progress(4, 6)
        saved = savings(viewer, ["agreement"], filters)
        label_rows(saved, ["agreement"])
        saved.sort(key=lambda row: -row["savings"])
        progress(5, 6)
        agreements = self._agreement_rows(year)

        money = [
            Column("net", gettext("Excl. VAT"), Kind.MONEY, total=True),
            Column("vat", gettext("VAT"), Kind.MONEY, total=True),
            Column("gross", gettext("Incl. VAT"), Kind.MONEY, total=True),
        ]
        month_columns = [
            Column("month", gettext("Month"), Kind.MONTH),
            Column("orders", gettext("Orders"), Kind.INTEGER, total=True),
            *money,
        ]
        month_totals = totals_of(month_columns, per_month, month=gettext("Total"))
        supplier_columns = [
            Column("supplier", gettext("Supplier")),
            Column("orders", gettext("Orders"), Kind.INTEGER, total=True),
            *money,
        ]
        top = suppliers[:TOP_SUPPLIERS]
        kind_columns = [
            Column("kind", gettext("Kind of member")),
            Column("members", gettext("Members at the end of the year"), Kind.INTEGER, total=True),
            Column("new", gettext("Joined in the year"), Kind.INTEGER, total=True),
            Column("buying", gettext("Members who ordered"), Kind.INTEGER, total=True),
            Column("net", gettext("Spend excl. VAT"), Kind.MONEY, total=True),
        ]
        kinds = [
            {
                "kind": OrganizationKind(kind).label,
                "members": members["by_kind"].get(kind, 0),
                "new": members["new_by_kind"].get(kind, 0),
                "buying": by_kind.get(kind, {}).get("buying", 0),
                "net": by_kind.get(kind, {}).get("net", ZERO),
            }
            for kind in OrganizationKind
            if kind in MEMBER_KINDS
        ]
        kind_totals = totals_of(kind_columns, kinds, kind=gettext("Total"))
        cpv_columns = [
            Column("division", gettext("CPV division")),
            Column("net", gettext("Excl. VAT"), Kind.MONEY, total=True),
            Column("share", gettext("Share"), Kind.PERCENT),
        ]
        cpv_total = sum((row["net"] for row in cpv), ZERO)
        for row in cpv:
            row["share"] = percent(row["net"], cpv_total)
        agreement_columns = [
            Column("reference", gettext("Agreement")),
            Column("title", gettext("Lot")),
            Column("end_date", gettext("Ends on"), Kind.DATE),
            Column("maximum", gettext("Maximum"), Kind.MONEY, total=True),
            Column("consumed", gettext("Consumed"), Kind.MONEY, total=True),
            Column("percent", gettext("Percent of maximum"), Kind.PERCENT),
        ]
        saved_table = savings_table(
            "savings", gettext("Savings"), [Column("agreement", gettext("Framework agreement"))], saved, apart=False
        )
        savings_totals = saved_table.totals

        result = Result(
            identifier=self.identifier,
            title=gettext("Annual activity report %(year)s") % {"year": year},
            subtitle=gettext("IMIO, central purchasing body of the Walloon local authorities"),
            filters=params.get("_described", []),
            figures=[
                Figure(gettext("Active members"), members["active"], Kind.INTEGER),
                Figure(gettext("New members"), members["new"], Kind.INTEGER),
                Figure(gettext("Framework agreements in force"), len(agreements), Kind.INTEGER),
                Figure(gettext("Orders"), month_totals["orders"], Kind.INTEGER),
                Figure(gettext("Spend excl. VAT"), month_totals["net"]),
                Figure(gettext("Off-platform call-offs excl. VAT"), off_platform),
                Figure(gettext("Savings"), savings_totals["savings"]),
                Figure(gettext("Rate of savings"), savings_totals["rate"], Kind.PERCENT),
            ],
            tables=[
                Table("members", gettext("Members"), kind_columns, kinds, kind_totals),
                Table(
                    "agreements",
                    gettext("Framework agreements"),
                    agreement_columns,
                    agreements,
                    totals_of(agreement_columns, agreements, reference=gettext("Total")),
                ),
                Table("months", gettext("Spend per month"), month_columns, per_month, month_totals),
                Table(
                    "suppliers",
                    gettext("Top suppliers"),
                    supplier_columns,
                    top,
                    totals_of(supplier_columns, top, supplier=gettext("Total")),
                ),
                Table(
                    "cpv",
                    gettext("Spend by CPV division"),
                    cpv_columns,
                    cpv,
                    {"division": gettext("Total"), "net": cpv_total},
                ),
                saved_table,
            ],
        )
        months = {row["month"]: row["net"] for row in per_month}
        series = [
            (display(datetime.date(year, month, 1), Kind.MONTH), months.get(datetime.date(year, month, 1), ZERO))
            for month in range(1, 13)
        ]
        growth = [
            (display(datetime.date(year, month, 1), Kind.MONTH), Decimal(count)) for month, count in members["growth"]
        ]
        titles = {
            "growth": gettext("Active members, month by month"),
            "agreements": gettext("Consumption of the agreements' maximum"),
            "months": gettext("Spend excl. VAT per month"),
            "suppliers": gettext("Top suppliers, excl. VAT"),
            "cpv": gettext("Spend by CPV division"),
            "savings": gettext("Savings per agreement"),
        }
        result.charts = [
            Chart(titles["growth"], charts.column_chart(growth, title=titles["growth"], unit="")),
            Chart(
                titles["agreements"],
                charts.gauge_list(
                    [
                        (f"{row['reference']} — {row['title']}", row["consumed"], row["maximum"], row["estimated"])
                        for row in agreements
                    ],
                    title=titles["agreements"],
                ),
            ),
            Chart(titles["months"], charts.column_chart(series, title=titles["months"])),
            Chart(
                titles["suppliers"],
                charts.bar_chart([(row["supplier"], row["net"]) for row in top], title=titles["suppliers"]),
            ),
            Chart(
                titles["cpv"], charts.donut_chart([(row["division"], row["net"]) for row in cpv], title=titles["cpv"])
            ),
            Chart(
                titles["savings"],
                charts.bar_chart(
                    [(row["agreement"], row["savings"]) for row in saved], title=titles["savings"], max_items=10
                ),
            ),
        ]
        result.notes.append(
            gettext(
                "Spend counts approved orders in the month of their approval, excl. VAT unless stated; "
                "off-platform call-offs are those reported to IMIO."
            )
        )
        progress(6, 6)
        return result

    @staticmethod
    def _members(start: datetime.date, end: datetime.date) -> dict:
        """Members at the end of the year (active then), those who joined in it, and month-end counts."""
        memberships = Membership.objects.filter(activated_at__isnull=False, member__kind__in=MEMBER_KINDS)
        end_moment = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
        still = Q(status=MembershipStatus.ACTIVE) | Q(status_changed_at__gt=end_moment)
        active_at_end = memberships.filter(still, activated_at__lte=end_moment)
        start_moment = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        joined = memberships.filter(activated_at__gte=start_moment, activated_at__lte=end_moment)
        growth = []
        today = timezone.localdate()
        for month in range(1, 13):
            first = datetime.date(start.year, month, 1)
            if first > today:
                break  # months to come
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            moment = timezone.make_aware(datetime.datetime.combine(min(last, today), datetime.time.max))
            growth.append((month, None, moment))
        counts = memberships.aggregate(
            **{
                f"m{month}": Count(
                    "pk",
                    filter=Q(activated_at__lte=moment)
                    & (Q(status=MembershipStatus.ACTIVE) | Q(status_changed_at__gt=moment)),
                )
                for month, _none, moment in growth
            }
        )
        return {
            "active": active_at_end.count(),
            "by_kind": dict(
                active_at_end.values_list("member__kind").annotate(n=Count("pk")).values_list("member__kind", "n")
            ),
            "new": joined.count(),
            "new_by_kind": dict(
                joined.values_list("member__kind").annotate(n=Count("pk")).values_list("member__kind", "n")
            ),
            "growth": [(month, counts[f"m{month}"]) for month, _none, _moment in growth],
        }

    @staticmethod
    def _by_member_kind(viewer, start, end) -> dict:
        rows = (
            scope.spend_rollups(viewer)
            .filter(month__gte=start, month__lte=end)
            .values("member__kind")
            .annotate(net=Sum("net"), buying=Count("member", distinct=True, filter=Q(orders__gt=0)))
        )
        return {row["member__kind"]: {"net": money(row["net"]), "buying": row["buying"]} for row in rows}

    @staticmethod
    def _off_platform(viewer, start, end) -> Decimal:
        total = (
            scope.spend_rollups(viewer)
            .filter(month__gte=start, month__lte=end)
            .aggregate(total=Sum("off_platform"))["total"]
        )
        return money(total)

    @staticmethod
    def _cpv(viewer, filters) -> list[dict]:
        rows, _source = spend(viewer, ["cpv_division"], filters)
        label_rows(rows, ["cpv_division"])
        return [{"division": row["cpv_division"], "net": row["net"]} for row in sorted(rows, key=lambda r: -r["net"])]

    @staticmethod
    def _agreement_rows(year: int) -> list[dict]:
        rows = []
        for agreement in AnnualReport._agreements(year).select_related("lot").order_by("reference"):
            rows.append(
                {
                    "reference": agreement.reference,
                    "title": agreement.lot.title,
                    "end_date": agreement.end_date,
                    "estimated": agreement.estimated_value,
                    "maximum": agreement.maximum_value,
                    "consumed": agreement.consumed_value,
                    "percent": percent(agreement.consumed_value, agreement.maximum_value),
                }
            )
        return rows
