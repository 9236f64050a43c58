"""Order register: every order line with what an accountant needs to book it."""

from __future__ import annotations

from django import forms
from django.db.models import F, Sum, Window
from django.db.models.expressions import RowRange
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procurement.members.identifiers import format_enterprise_number
from procurement.orders.models import Order, OrderLine, OrderStatus
from procurement.orders.rollups import COUNTING
from reports import scope
from reports.base import Column, Figure, Kind, Report, Result, Size, Table
from reports.fields import CommaMultipleChoiceField
from reports.figures import SpendFilters
from reports.params import OrderFiltersMixin, PeriodMixin, ReportForm
from reports.scope import Audience
from reports.sql import cents, euros, money

CHUNK = 2000
REGISTER_STATUSES = [(s.value, s.label) for s in OrderStatus if s in COUNTING or s == OrderStatus.CANCELLED]


class RegisterParameters(ReportForm, PeriodMixin, OrderFiltersMixin):
    status = CommaMultipleChoiceField(
        label=_("Order status"),
        choices=REGISTER_STATUSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("By default every approved order, cancelled ones left out."),
    )


def share(upto: int, amount: int, rate_hundredths: int) -> int:
    """A line's VAT in cents: the order's rounded VAT up to this line minus that before it."""
    return (upto * rate_hundredths + 5000) // 10000 - ((upto - amount) * rate_hundredths + 5000) // 10000


COLUMNS = [
    ("number", _("Order number"), Kind.TEXT),
    ("status", _("Status"), Kind.TEXT),
    ("created_on", _("Created on"), Kind.DATE),
    ("approved_on", _("Approved on"), Kind.DATE),
    ("sent_on", _("Sent on"), Kind.DATE),
    ("member", _("Member"), Kind.TEXT),
    ("member_number", _("Member's enterprise number"), Kind.TEXT),
    ("budget_article", _("Budget article"), Kind.TEXT),
    ("supplier", _("Supplier"), Kind.TEXT),
    ("supplier_number", _("Supplier's enterprise number"), Kind.TEXT),
    ("agreement", _("Framework agreement"), Kind.TEXT),
    ("position", _("Line"), Kind.INTEGER),
    ("supplier_reference", _("Supplier reference"), Kind.TEXT),
    ("name", _("Item"), Kind.TEXT),
    ("cpv_code", _("CPV"), Kind.TEXT),
    ("unit", _("Unit"), Kind.TEXT),
    ("quantity", _("Quantity"), Kind.QUANTITY),
    ("delivered_quantity", _("Delivered"), Kind.QUANTITY),
    ("unit_price", _("Unit price excl. VAT"), Kind.PRICE),
    ("vat_rate", _("VAT rate"), Kind.RATE),
    ("net", _("Excl. VAT"), Kind.MONEY),
    ("vat", _("VAT"), Kind.MONEY),
    ("gross", _("Incl. VAT"), Kind.MONEY),
]
TOTALLED = {"net", "vat", "gross"}


class RegisterReport(Report):
    identifier = "register"
    tables = ("lines",)
    title = _("Order register")
    description = _(
        "Every order line with the fields accounting software needs: order number, dates, member, budget "
        "article, supplier and its enterprise number, agreement, item, quantity, unit price, VAT rate, amounts, status."
    )
    audiences = frozenset({Audience.CENTRAL, Audience.MEMBER, Audience.SUPPLIER})  # order-level rows
    parameters = RegisterParameters
    rows_per_page = 40

    def _orders(self, viewer, params):
        return SpendFilters.of(params).counted_orders(scope.orders(viewer))

    def estimate(self, viewer, params) -> Size:
        rows = OrderLine.objects.filter(order__in=self._orders(viewer, params)).count()
        return Size(rows=rows, pages=1 + rows // self.rows_per_page)

    def build(self, viewer, params, progress=lambda done, total: None) -> Result:
        orders = self._orders(viewer, params)
        totals = orders.aggregate(net=Sum("total_excl_vat"), vat=Sum("total_vat"), gross=Sum("total_incl_vat"))
        size = OrderLine.objects.filter(order__in=orders).count()
        limit = params.get("_limit")
        columns = [Column(key, str(label), kind, total=key in TOTALLED) for key, label, kind in COLUMNS]
        table_totals = {
            "number": gettext("Total"),
            "net": money(totals["net"]),
            "vat": money(totals["vat"]),
            "gross": money(totals["gross"]),
        }
        rows = self._rows(orders, size, limit, progress)
        result = Result(
            identifier=self.identifier,
            title=str(self.title),
            subtitle=gettext("Order lines of approved orders, as ordered"),
            filters=params.get("_described", []),
            figures=[
                Figure(gettext("Order lines"), size, Kind.INTEGER),
                Figure(gettext("Excl. VAT"), table_totals["net"]),
                Figure(gettext("VAT"), table_totals["vat"]),
                Figure(gettext("Incl. VAT"), table_totals["gross"]),
            ],
            tables=[
                Table(
                    "lines",
                    gettext("Order lines"),
                    columns,
                    rows,
                    table_totals,
                    size=size,
                )
            ],
            orientation="landscape",
        )
        result.notes.append(
            gettext(
                "Amounts are as ordered; a line's VAT is its share of its order's VAT at that rate, so that the "
                "lines of an order add up to the order's own VAT to the cent."
            )
        )
        return result

    def _rows(self, orders, size: int, limit: int | None, progress):
        """Lines in order of order and position, read by chunks of orders (constant memory)."""
        order_ids = orders.order_by("pk").values_list("pk", flat=True)
        done = 0
        last = 0
        while True:
            chunk = list(order_ids.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                return
            last = chunk[-1]
            lines = (
                OrderLine.objects.filter(order_id__in=chunk)
                .select_related("order__member", "order__supplier", "order__agreement")
                .annotate(
                    amount_cents=cents(F("amount_excl_vat")),
                    upto=Window(
                        Sum(cents(F("amount_excl_vat"))),
                        partition_by=[F("order_id"), F("vat_rate")],
                        order_by=F("position").asc(),
                        frame=RowRange(start=None, end=0),
                    ),
                )
                .order_by("order_id", "position")
            )
            for line in lines:
                yield self._row(line)
                done += 1
                if limit is not None and done >= limit:
                    return
            progress(done, size)

    @staticmethod
    def _row(line: OrderLine) -> dict:
        order: Order = line.order
        rate_hundredths = int((line.vat_rate * 100).to_integral_value())
        vat = euros(share(int(line.upto), int(line.amount_cents), rate_hundredths))
        return {
            "number": order.number,
            "status": order.get_status_display(),
            "created_on": timezone.localdate(order.created_at),
            "approved_on": order.approved_on,
            "sent_on": timezone.localdate(order.sent_at) if order.sent_at else None,
            "member": order.member.name,
            "member_number": format_enterprise_number(order.member.enterprise_number)
            if order.member.enterprise_number
            else "",
            "budget_article": line.budget_article,
            "supplier": order.supplier.name,
            "supplier_number": format_enterprise_number(order.supplier.enterprise_number)
            if order.supplier.enterprise_number
            else "",
            "agreement": order.agreement.reference,
            "position": line.position,
            "supplier_reference": line.supplier_reference,
            "name": line.name,
            "cpv_code": line.cpv_code,
            "unit": line.get_unit_display(),
            "quantity": line.quantity,
            "delivered_quantity": line.delivered_quantity,
            "unit_price": line.unit_price,
            "vat_rate": line.vat_rate,
            "net": line.amount_excl_vat,
            "vat": vat,
            "gross": line.amount_excl_vat + vat,
        }
