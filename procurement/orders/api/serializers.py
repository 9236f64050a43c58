"""Representations of subscriptions, carts, orders and call-offs; the inputs of their actions."""

from __future__ import annotations

from rest_framework import serializers

from catalog.models import CatalogItem
from procurement.core.money import vat_breakdown
from procurement.members.models import Organization
from procurement.orders.models import (
    ApprovalStep,
    CallOffSource,
    CartLine,
    Competition,
    CompetitionLine,
    Delivery,
    DeliveryLine,
    OffPlatformCallOff,
    Order,
    OrderApproval,
    OrderLine,
    Quote,
    Subscription,
)
from tenders.api.serializers import ReasonInputSerializer  # noqa: F401 — one schema component for both apps
from tenders.models import FrameworkAgreement


class SubscriptionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "member",
            "member_name",
            "agreement",
            "agreement_reference",
            "estimated_value",
            "status",
            "created_at",
            "ended_at",
        ]
        read_only_fields = ["member", "status", "created_at", "ended_at"]
        extra_kwargs = {"estimated_value": {"required": False}}


class SubscriptionCreateSerializer(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(queryset=FrameworkAgreement.objects.all())
    estimated_value = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)


class EstimateSerializer(serializers.Serializer):
    estimated_value = serializers.DecimalField(max_digits=16, decimal_places=2)


class ApprovalStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalStep
        fields = ["position", "name", "kind", "threshold"]
        read_only_fields = ["position"]


class ApprovalChainSerializer(serializers.Serializer):
    steps = ApprovalStepSerializer(many=True)


class CartLineSerializer(serializers.ModelSerializer):
    supplier_reference = serializers.CharField(source="item.supplier_reference", read_only=True)
    name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    unit_price = serializers.DecimalField(source="item.unit_price", max_digits=16, decimal_places=4, read_only=True)
    vat_rate = serializers.DecimalField(source="item.vat_rate", max_digits=5, decimal_places=2, read_only=True)
    agreement = serializers.IntegerField(source="item.agreement_id", read_only=True)
    supplier = serializers.IntegerField(source="item.supplier_id", read_only=True)
    amount_excl_vat = serializers.SerializerMethodField()

    class Meta:
        model = CartLine
        fields = [
            "id",
            "item",
            "supplier_reference",
            "name",
            "unit",
            "quantity",
            "unit_price",
            "vat_rate",
            "amount_excl_vat",
            "budget_article",
            "agreement",
            "supplier",
        ]

    def get_amount_excl_vat(self, line) -> str:
        return str(line_amount_of(line))


def line_amount_of(line: CartLine):
    from procurement.core.money import line_amount

    return line_amount(line.quantity, line.item.unit_price)


def cart_representation(lines: list[CartLine], warnings) -> dict:
    breakdown = vat_breakdown((line_amount_of(line), line.item.vat_rate) for line in lines)
    return {
        "lines": CartLineSerializer(lines, many=True).data,
        "vat": [
            {"rate": str(sub.rate), "taxable_amount": str(sub.taxable_amount), "vat_amount": str(sub.vat_amount)}
            for sub in breakdown.subtotals
        ],
        "total_excl_vat": str(breakdown.total.net),
        "total_vat": str(breakdown.total.vat),
        "total_incl_vat": str(breakdown.total.gross),
        "estimate_warnings": [
            {
                "agreement": subscription.agreement_id,
                "agreement_reference": subscription.agreement.reference,
                "estimated_value": str(subscription.estimated_value),
                "with_this_cart": str(total),
            }
            for subscription, total in warnings
        ],
    }


class CartAddSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=CatalogItem.objects.select_related("agreement"))
    quantity = serializers.CharField(max_length=30)
    budget_article = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class CartLineUpdateSerializer(serializers.Serializer):
    quantity = serializers.CharField(max_length=30, required=False)
    budget_article = serializers.CharField(max_length=30, required=False, allow_blank=True)


class CheckoutSerializer(serializers.Serializer):
    budget_article = serializers.CharField(max_length=30, allow_blank=True)
    delivery_address = serializers.CharField(max_length=1000)
    contact_name = serializers.CharField(max_length=150)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    requested_delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "position",
            "item",
            "supplier_reference",
            "name",
            "unit",
            "quantity",
            "unit_price",
            "list_price",
            "vat_rate",
            "cpv_code",
            "budget_article",
            "amount_excl_vat",
            "delivered_quantity",
        ]


class OrderApprovalSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.get_full_name", read_only=True)

    class Meta:
        model = OrderApproval
        fields = [
            "position",
            "step_name",
            "decision",
            "decided_by",
            "decided_at",
            "decision_date",
            "decision_reference",
            "note",
        ]


class DeliveryLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryLine
        fields = ["line", "quantity"]


class DeliverySerializer(serializers.ModelSerializer):
    lines = DeliveryLineSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "delivered_on", "reference", "note", "recorded_at", "lines"]


class OrderSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "member",
            "member_name",
            "agreement",
            "agreement_reference",
            "supplier",
            "supplier_name",
            "status",
            "budget_article",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "created_at",
            "submitted_at",
            "approved_at",
            "sent_at",
        ]


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    approvals = OrderApprovalSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)
    next_step = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "delivery_address",
            "contact_name",
            "contact_email",
            "contact_phone",
            "requested_delivery_date",
            "note",
            "consumed",
            "approval_chain",
            "next_step",
            "status_reason",
            "confirmed_at",
            "delivered_at",
            "closed_at",
            "document_sha256",
            "lines",
            "approvals",
            "deliveries",
        ]

    def get_next_step(self, order) -> dict | None:
        from procurement.orders.services import next_step

        return next_step(order)


class DecisionInputSerializer(serializers.Serializer):
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    decision_reference = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    decision_reference = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReaddressInputSerializer(serializers.Serializer):
    items = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        default=dict,
        help_text="Optional {order line id: catalogue line id of the next supplier} where the match is ambiguous.",
    )


class DeliverInputSerializer(serializers.Serializer):
    quantities = serializers.DictField(
        child=serializers.CharField(max_length=30), help_text="{order line id: quantity}"
    )
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CallOffSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)

    class Meta:
        model = OffPlatformCallOff
        fields = [
            "id",
            "agreement",
            "agreement_reference",
            "member",
            "member_name",
            "supplier",
            "supplier_name",
            "reference",
            "ordered_on",
            "amount_excl_vat",
            "source",
            "note",
            "cancelled",
            "cancel_reason",
            "recorded_at",
        ]
        read_only_fields = ["cancelled", "cancel_reason", "recorded_at"]


class CallOffInputSerializer(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(queryset=FrameworkAgreement.objects.all())
    member = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    supplier = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    reference = serializers.CharField(max_length=100)
    ordered_on = serializers.DateField()
    amount_excl_vat = serializers.DecimalField(max_digits=16, decimal_places=2)
    source = serializers.ChoiceField(choices=CallOffSource.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CompetitionLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompetitionLine
        fields = ["id", "position", "description", "unit", "quantity", "cpv_code"]
        read_only_fields = ["id", "position"]


class CompetitionSerializer(serializers.ModelSerializer):
    lines = CompetitionLineSerializer(many=True, read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)

    class Meta:
        model = Competition
        fields = [
            "id",
            "agreement",
            "agreement_reference",
            "member",
            "member_name",
            "title",
            "description",
            "deadline",
            "status",
            "lines",
            "budget_article",
            "delivery_address",
            "contact_name",
            "contact_email",
            "contact_phone",
            "published_at",
            "closed_at",
            "awarded_at",
            "award_reason",
            "status_reason",
            "order",
            "order_number",
        ]


class CompetitionLineInput(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    unit = serializers.CharField(max_length=3, required=False, default="C62")
    quantity = serializers.CharField(max_length=30)
    cpv_code = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class CompetitionCreateSerializer(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(queryset=FrameworkAgreement.objects.all())
    member = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, help_text="IMIO buyers: the member the need is for."
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    deadline = serializers.DateTimeField()
    lines = CompetitionLineInput(many=True)
    budget_article = serializers.CharField(max_length=30, allow_blank=True)
    delivery_address = serializers.CharField(max_length=1000)
    contact_name = serializers.CharField(max_length=150)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class QuoteSerializer(serializers.ModelSerializer):
    """A quote; its prices only for its supplier before the deadline, for everyone entitled after."""

    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    content = serializers.SerializerMethodField()
    total_points = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "status",
            "submitted_at",
            "receipt_digest",
            "total_excl_vat",
            "price_points",
            "quality_points",
            "total_points",
            "content",
        ]

    def get_content(self, quote) -> dict | None:
        from procurement.orders.services import QuoteSealed, open_quote

        try:
            content = open_quote(quote, organization_id=self.context.get("organization_id"))
        except QuoteSealed:
            return None
        return {key: value for key, value in content.items() if key != "salt"}


class QuoteInputSerializer(serializers.Serializer):
    prices = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(max_length=30)),
        help_text='{line id: {"unit_price": "12.5000", "vat_rate": "21"}} for every line of the need',
    )
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


class AwardQuoteSerializer(serializers.Serializer):
    quote = serializers.IntegerField()
    reason = serializers.CharField(max_length=10000)
    quality_points = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2),
        required=False,
        default=dict,
        help_text="{quote id: points} for the agreement's quality criteria (0 to their weight)",
    )
