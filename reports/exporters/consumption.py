"""Agreement consumption: estimated, maximum, consumed (off-platform call-offs included),
delivered, remaining, % of the maximum, the pace of the last 90 days and the day the
maximum would be reached at that pace; per member, consumption against its estimate."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.orders.models import OffPlatformCallOff, Order, SpendRollup, Subscription, SubscriptionStatus
from procurement.orders.rollups import COUNTING
from reports import charts, scope
from reports.base import Chart, Column, Figure, Kind, Report, Result, Size, Table, percent, totals_of
from reports.figures import delivered_and_off_platform, organization_names
from reports.params import AgreementChoiceField, OrganizationChoiceField, ReportForm
from reports.sql import money
from tenders.models import AgreementStatus

PACE_DAYS = 90
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class ConsumptionParameters(ReportForm):
    agreement = AgreementChoiceField(label=_("Framework agreement"), queryset=None, required=False)
    member = OrganizationChoiceField(label=_("Member"), queryset=None, required=False)
    include_ended = forms.BooleanField(label=_("Include ended agreements"), required=False)
    by_member = forms.BooleanField(
        label=_("Each member against its estimate"),
        required=False,
        help_text=_("Shown anyway when an agreement or a member is chosen."),
    )


class ConsumptionReport(Report):
    identifier = "consumption"
    tables = ("agreements", "members")
    title = _("Agreement consumption")
    description = _(
        "Each framework agreement against its estimate and its maximum: consumed, delivered, remaining, "
        "the pace of the last 90 days and when the maximum would be reached; each member against its estimate."
    )
    parameters = ConsumptionParameters
    rows_per_page = 30

    def _agreements(self, viewer, params):
        agreements = scope.agreements(viewer).select_related("lot__tender").order_by("reference")
        if params.get("agreement"):
            agreements = agreements.filter(pk=params["agreement"].pk)
        elif not params.get("include_ended"):
            agreements = agreements.filter(status__in=(AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED))
        return agreements

    def _breakdown(self, viewer, params, agreement_ids):
        """(agreement, member) → consumed: the rollups hold it for IMIO, members and observers; a
        supplier's comes from the orders it received."""
        member = viewer.member or params.get("member")
        if viewer.reads_rollups:
            rows = scope.spend_rollups(viewer).filter(agreement_id__in=agreement_ids)
            if member:
                rows = rows.filter(member=member)
            totals = rows.values("agreement_id", "member_id").annotate(net=Sum("net"), off=Sum("off_platform"))
            return {(r["agreement_id"], r["member_id"]): money(r["net"]) + money(r["off"]) for r in totals}
        orders = scope.orders(viewer).filter(agreement_id__in=agreement_ids, status__in=COUNTING)
        call_offs = scope.call_offs(viewer).filter(agreement_id__in=agreement_ids)
        if member:
            orders = orders.filter(member=member)
            call_offs = call_offs.filter(member=member)
        consumed: dict[tuple[int, int], Decimal] = {}
        for rows, field in ((orders, "consumed"), (call_offs, "amount_excl_vat")):
            for row in rows.values("agreement_id", "member_id").annotate(total=Sum(field)):
                key = (row["agreement_id"], row["member_id"])
                consumed[key] = consumed.get(key, ZERO) + money(row["total"])
        return consumed

    def estimate(self, viewer, params) -> Size:
        agreements = self._agreements(viewer, params).count()
        members = (
            scope.subscriptions(viewer).filter(agreement__in=self._agreements(viewer, params)).count()
            if self._by_member(viewer, params)
            else 0
        )
        rows = agreements + members
        return Size(rows=rows, pages=1 + rows // self.rows_per_page)

    def build(self, viewer, params, progress=lambda done, total: None) -> Result:
        today = timezone.localdate()
        agreements = list(self._agreements(viewer, params).prefetch_related("supplier_links__supplier"))
        ids = [agreement.pk for agreement in agreements]
        rollup = delivered_and_off_platform(ids)
        pace = self._pace(ids, today)
        estimates = self._estimates(viewer, params, ids, with_members=self._by_member(viewer, params))
        progress(1, 3)
        rows = []
        for agreement in agreements:
            figures = rollup.get(agreement.pk, {})
            consumed = agreement.consumed_value
            remaining = agreement.maximum_value - consumed
            daily = pace.get(agreement.pk, ZERO) / PACE_DAYS
            exhaustion = None
            if daily > 0 and remaining > 0:
                exhaustion = today + datetime.timedelta(days=int(remaining / daily))
            elif remaining <= 0:
                exhaustion = today
            suppliers = sorted(
                (link for link in agreement.supplier_links.all() if link.active), key=lambda link: link.rank
            )
            rows.append(
                {
                    "reference": agreement.reference,
                    "title": agreement.lot.title,
                    "suppliers": ", ".join(link.supplier.name for link in suppliers),
                    "status": agreement.get_status_display(),
                    "end_date": agreement.end_date,
                    "estimated": agreement.estimated_value,
                    "maximum": agreement.maximum_value,
                    "subscribed": estimates["per_agreement"].get(agreement.pk, ZERO),
                    "consumed": consumed,
                    "off_platform": figures.get("off_platform") or ZERO,
                    "delivered": figures.get("delivered") or ZERO,
                    "remaining": remaining,
                    "percent": percent(consumed, agreement.maximum_value),
                    "pace": pace.get(agreement.pk, ZERO),
                    "exhaustion": exhaustion,
                }
            )
        columns = [
            Column("reference", gettext("Agreement")),
            Column("title", gettext("Lot")),
            Column("suppliers", gettext("Suppliers")),
            Column("status", gettext("Status")),
            Column("end_date", gettext("Ends on"), Kind.DATE),
            Column("estimated", gettext("Estimated"), Kind.MONEY, total=True),
            Column("maximum", gettext("Maximum"), Kind.MONEY, total=True),
            Column("subscribed", gettext("Members' estimates"), Kind.MONEY, total=True),
            Column("consumed", gettext("Consumed"), Kind.MONEY, total=True),
            Column("off_platform", gettext("Of which off-platform"), Kind.MONEY, total=True),
            Column("delivered", gettext("Delivered"), Kind.MONEY, total=True),
            Column("remaining", gettext("Remaining"), Kind.MONEY, total=True),
            Column("percent", gettext("Percent of maximum"), Kind.PERCENT),
            Column("pace", gettext("Last 90 days"), Kind.MONEY, total=True),
            Column("exhaustion", gettext("Maximum reached about"), Kind.DATE),
        ]
        totals = totals_of(columns, rows, reference=gettext("Total"))
        totals["percent"] = percent(totals["consumed"], totals["maximum"])
        progress(2, 3)
        by_member = self._by_member(viewer, params)
        members = self._member_rows(viewer, params, ids, agreements, estimates) if by_member else []
        member_columns = [
            Column("agreement", gettext("Agreement")),
            Column("member", gettext("Member")),
            Column("estimate", gettext("Estimate"), Kind.MONEY, total=True),
            Column("consumed", gettext("Consumed"), Kind.MONEY, total=True),
            Column("percent", gettext("Percent of estimate"), Kind.PERCENT),
        ]
        member_totals = totals_of(member_columns, members, agreement=gettext("Total"))
        member_totals["percent"] = percent(member_totals["consumed"], member_totals["estimate"])
        result = Result(
            identifier=self.identifier,
            title=str(self.title),
            subtitle=gettext("On %(day)s") % {"day": today.strftime("%d/%m/%Y")},
            filters=params.get("_described", []),
            figures=[
                Figure(gettext("Agreements"), len(rows), Kind.INTEGER),
                Figure(gettext("Maximum"), totals["maximum"]),
                Figure(gettext("Consumed"), totals["consumed"]),
                Figure(gettext("Percent of maximum"), totals["percent"], Kind.PERCENT),
            ],
            tables=[
                Table("agreements", gettext("Agreements"), columns, rows, totals),
                Table(
                    "members",
                    gettext("Members against their estimates"),
                    member_columns,
                    members,
                    member_totals,
                    note=gettext("Consumption includes the off-platform call-offs reported to IMIO.")
                    if by_member
                    else gettext(
                        "Choose an agreement or a member, or tick “Each member against its estimate”, to see "
                        "each member against its estimate."
                    ),
                ),
            ],
            orientation="landscape",
        )
        title = gettext("Consumption of the maximum")
        gauges = [(f"{r['reference']} — {r['title']}", r["consumed"], r["maximum"], r["estimated"]) for r in rows]
        result.charts.append(Chart(title, charts.gauge_list(gauges, title=title)))
        result.notes.append(
            gettext(
                "The pace is what was consumed in the last %(days)s days; the date when the maximum would be "
                "reached assumes the same pace."
            )
            % {"days": PACE_DAYS}
        )
        progress(3, 3)
        return result

    def _pace(self, ids, today) -> dict[int, Decimal]:
        """What each agreement consumed in the last 90 days: the whole months from the rollups, the
        days before the first of them from the orders and call-offs themselves."""
        since = today - datetime.timedelta(days=PACE_DAYS - 1)
        months_from = since if since.day == 1 else (since.replace(day=1) + datetime.timedelta(days=31)).replace(day=1)
        pace: dict[int, Decimal] = {}

        def add(rows) -> None:
            for agreement_id, total in (
                rows.values("agreement_id").annotate(total=Sum("t")).values_list("agreement_id", "total")
            ):
                pace[agreement_id] = pace.get(agreement_id, ZERO) + money(total)

        add(
            SpendRollup.objects.filter(agreement_id__in=ids, month__gte=months_from).annotate(
                t=F("net") + F("off_platform")
            )
        )
        if since < months_from:
            days = {"agreement_id__in": ids}
            add(
                Order.objects.filter(
                    **days, status__in=COUNTING, approved_on__gte=since, approved_on__lt=months_from
                ).annotate(t=F("consumed"))
            )
            add(
                OffPlatformCallOff.objects.filter(
                    **days, cancelled=False, ordered_on__gte=since, ordered_on__lt=months_from
                ).annotate(t=F("amount_excl_vat"))
            )
        return pace

    @staticmethod
    def _by_member(viewer, params) -> bool:
        """The members table is a drill-down: thousands of rows for the whole platform."""
        return bool(params.get("by_member") or params.get("agreement") or params.get("member") or viewer.member)

    def _estimates(self, viewer, params, ids, *, with_members: bool) -> dict:
        subscriptions = scope.subscriptions(viewer).filter(agreement_id__in=ids, status=SubscriptionStatus.ACTIVE)
        member = viewer.member or params.get("member")
        per_member = subscriptions.filter(member=member) if member else subscriptions
        return {
            # What all members subscribed is public at agreement level; per member, the viewer's scope.
            "per_agreement": {
                agreement_id: money(total)
                for agreement_id, total in Subscription.objects.filter(
                    agreement_id__in=ids, status=SubscriptionStatus.ACTIVE
                )
                .values("agreement_id")
                .annotate(total=Sum("estimated_value"))
                .values_list("agreement_id", "total")
            },
            "per_member": {
                (row["agreement_id"], row["member_id"]): money(row["total"])
                for row in per_member.values("agreement_id", "member_id").annotate(total=Sum("estimated_value"))
            }
            if with_members
            else {},
        }

    def _member_rows(self, viewer, params, ids, agreements, estimates) -> list[dict]:
        consumed = self._breakdown(viewer, params, ids)
        keys = set(consumed) | set(estimates["per_member"])
        names = organization_names({member for _agreement, member in keys})
        references = {agreement.pk: agreement.reference for agreement in agreements}
        rows = []
        for agreement_id, member_id in keys:
            estimate = estimates["per_member"].get((agreement_id, member_id))
            used = consumed.get((agreement_id, member_id), ZERO)
            rows.append(
                {
                    "agreement": references[agreement_id],
                    "member": names.get(member_id, ""),
                    "estimate": estimate,
                    "consumed": used,
                    "percent": percent(used, estimate) if estimate else None,
                }
            )
        rows.sort(key=lambda row: (row["agreement"], row["member"]))
        return rows
