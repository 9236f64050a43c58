"""Read-only admin pages: orders change through their services, which check, lock and audit."""

from django.contrib import admin

from procurement.orders.models import (
    Competition,
    OffPlatformCallOff,
    Order,
    OrderApproval,
    OrderLine,
    Quote,
    Subscription,
)
from tenders.admin import ReadOnlyAdmin, ReadOnlyInline


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "position",
        "supplier_reference",
        "name",
        "quantity",
        "unit",
        "unit_price",
        "vat_rate",
        "amount_excl_vat",
        "delivered_quantity",
    ]


class OrderApprovalInline(ReadOnlyInline):
    model = OrderApproval
    fields = ["position", "step_name", "decision", "decided_by", "decision_date", "decision_reference"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "member", "supplier", "agreement", "status", "total_excl_vat", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "member__name", "supplier__name"]
    list_select_related = ["member", "supplier", "agreement"]
    inlines = [OrderLineInline, OrderApprovalInline]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["member", "agreement", "estimated_value", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["member", "agreement"]


@admin.register(OffPlatformCallOff)
class CallOffAdmin(ReadOnlyAdmin):
    list_display = ["reference", "member", "supplier", "agreement", "amount_excl_vat", "ordered_on", "cancelled"]
    list_select_related = ["member", "supplier", "agreement"]


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyAdmin):
    list_display = ["title", "member", "agreement", "status", "deadline"]
    list_filter = ["status"]
    list_select_related = ["member", "agreement"]


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    # The sealed content never shows: only who quoted, when, and what the opening found.
    list_display = ["competition", "supplier", "status", "submitted_at", "total_excl_vat"]
    exclude = ["sealed", "sealing_key_id"]
    list_select_related = ["competition", "supplier"]
