"""What members buy under IMIO's framework agreements: subscriptions, carts, purchase orders.

- A member **subscribes** to an agreement it is a beneficiary of, with its estimated spend;
  only subscribed members order under it.
- An officer's **cart** holds catalogue lines; checkout turns it into one **order** per
  agreement and supplier, numbered ``BC-<year>-<sequence>`` per member without gaps, each line
  frozen at the price, VAT rate, unit and CPV code it was bought at.
- The member's **approval chain** (``ApprovalStep``) approves the order; the last approval
  consumes its amount excl. VAT from the agreement's ceiling (``consumed``: what the order
  holds now). Cancelling, rejecting and closing release it, exactly as the services say.
- The supplier confirms or declines, and delivers (``Delivery``), partially or fully.
- **Off-platform call-offs** reported to IMIO consume the same ceiling.

Orders are never deleted.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.core.money import AmountField, UnitPriceField, VatRateField
from procurement.core.units import Unit

QUANTITY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0.00")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


class Subscription(models.Model):
    """A member's subscription to a framework agreement, with the spend it expects."""

    member = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("member")
    )
    agreement = models.ForeignKey(
        "tenders.FrameworkAgreement",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("framework agreement"),
    )
    estimated_value = AmountField(_("estimated spend excl. VAT"), validators=[MinValueValidator(Decimal(0))])
    status = models.CharField(
        _("status"), max_length=8, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "agreement"],
                condition=Q(status="active"),
                name="subscription_one_active",
                violation_error_message=_("This member is already subscribed to this agreement."),
            ),
            models.CheckConstraint(condition=Q(estimated_value__gte=0), name="subscription_estimate_not_negative"),
        ]
        indexes = [
            # The list's order (newest first) for a member and for IMIO, and by status.
            models.Index(fields=["member", "-created_at", "-id"], name="subscription_member_newest"),
            models.Index(fields=["-created_at", "-id"], name="subscription_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="subscription_status_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.agreement}"


class StepKind(models.TextChoices):
    VISA = "visa", _("visa")
    DECISION = "decision", _("decision")


class ApprovalStep(models.Model):
    """One step of a member's approval chain, e.g. the financial director's visa above 22,000 €.

    A step applies to an order whose total excl. VAT reaches its threshold (every order when
    there is none). A member without steps has one: the decision.
    """

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="approval_steps", verbose_name=_("member")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=StepKind.choices, default=StepKind.DECISION)
    threshold = AmountField(
        _("from (excl. VAT)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The step applies to orders of this amount or more; empty: to every order."),
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["organization_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "position"], name="approval_step_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, amount: Decimal) -> bool:
        return self.threshold is None or amount >= self.threshold


class Cart(models.Model):
    """What an officer is about to order for the organisation it acts for."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts")
    organization = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="cart_one_per_user_organization")]

    def __str__(self) -> str:
        return f"{self.user} ({self.organization})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.CatalogItem", on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    budget_article = models.CharField(_("budget article"), max_length=30, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["cart", "item"], name="cart_line_item_unique")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SENT = "sent", _("sent to the supplier")
    CONFIRMED = "confirmed", _("confirmed by the supplier")
    DECLINED = "declined", _("declined by the supplier")
    PARTIALLY_DELIVERED = "partially_delivered", _("partially delivered")
    DELIVERED = "delivered", _("delivered")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


# What a supplier sees: orders once they were sent to it.
SUPPLIER_VISIBLE = frozenset(
    {
        OrderStatus.SENT,
        OrderStatus.CONFIRMED,
        OrderStatus.DECLINED,
        OrderStatus.PARTIALLY_DELIVERED,
        OrderStatus.DELIVERED,
        OrderStatus.CLOSED,
        OrderStatus.CANCELLED,
    }
)


class OrderCounter(models.Model):
    """The last order number given by a member in a year: locked while the next is taken."""

    member = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="order_counter_unique")]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}: {self.last}"


def order_document_path(order: Order, filename: str) -> str:
    return f"orders/{order.member_id}/{order.year}/{filename}"


class Order(models.Model):
    """A purchase order (bon de commande) of a member to one supplier under one agreement."""

    number = models.CharField(_("number"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    member = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="orders", verbose_name=_("member")
    )
    agreement = models.ForeignKey(
        "tenders.FrameworkAgreement",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("framework agreement"),
    )
    supplier = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="supplier_orders", verbose_name=_("supplier")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    budget_article = models.CharField(_("budget article"), max_length=30)
    delivery_address = models.TextField(_("delivery address"))
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    note = models.TextField(_("note to the supplier"), blank=True)
    total_excl_vat = AmountField(_("total excl. VAT"), default=ZERO)
    total_vat = AmountField(_("VAT"), default=ZERO)
    total_incl_vat = AmountField(_("total incl. VAT"), default=ZERO)
    consumed = AmountField(
        _("held on the agreement's ceiling"),
        default=ZERO,
        help_text=_("What this order consumes of the agreement's maximum now: its total once approved."),
    )
    approval_chain = models.JSONField(
        _("approval chain"), default=list, blank=True, help_text=_("The steps this order needs, fixed at submission.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The day of the approval in Brussels, stored: it places the order's amounts in a month,
    # quarter or year, and reports group and filter on it without converting time zones per row.
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason"), blank=True)
    document = models.FileField(_("purchase order (PDF)"), upload_to=order_document_path, max_length=255, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "number"], name="order_number_unique"),
            models.UniqueConstraint(fields=["member", "year", "sequence"], name="order_sequence_unique"),
            models.CheckConstraint(condition=Q(consumed__gte=0), name="order_consumed_not_negative"),
            models.CheckConstraint(
                # Rounded: SQLite stores decimals as floating point numbers.
                condition=Q(total_incl_vat=Round(models.F("total_excl_vat") + models.F("total_vat"), 2)),
                name="order_totals_add_up",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status", "-created_at"], name="order_member_status"),
            models.Index(fields=["supplier", "status", "-created_at"], name="order_supplier_status"),
            models.Index(fields=["agreement", "status"], name="order_agreement_status"),
            models.Index(fields=["approved_on", "member"], name="order_approved_on"),
            # The lists' order (newest first) for a member, a supplier and IMIO: a page is read
            # from the index instead of sorting every order of the member.
            models.Index(fields=["member", "-created_at", "-id"], name="order_member_newest"),
            models.Index(fields=["supplier", "-created_at", "-id"], name="order_supplier_newest"),
            models.Index(fields=["-created_at", "-id"], name="order_newest"),
            # The other orderings the API offers (a member's by number: order_number_unique).
            models.Index(fields=["supplier", "number"], name="order_supplier_number"),
            models.Index(fields=["number"], name="order_by_number"),
            models.Index(fields=["member", "total_excl_vat"], name="order_member_total"),
            models.Index(fields=["supplier", "total_excl_vat"], name="order_supplier_total"),
            models.Index(fields=["total_excl_vat"], name="order_by_total"),
            # A member's orders under one budget article, newest first.
            models.Index(fields=["member", "budget_article", "-created_at", "-id"], name="order_member_budget"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One line of an order, frozen at checkout: what was bought, at which price and VAT rate."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    # The catalogue line bought; none for a line of a mini-competition's quote.
    item = models.ForeignKey("catalog.CatalogItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    supplier_reference = models.CharField(_("supplier reference"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices)
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY)
    unit_price = UnitPriceField(_("unit price excl. VAT"))
    list_price = UnitPriceField(_("public list price excl. VAT"), null=True, blank=True)
    vat_rate = VatRateField(_("VAT rate"))
    cpv_code = models.CharField(_("CPV"), max_length=10, blank=True)
    budget_article = models.CharField(_("budget article"), max_length=30)
    amount_excl_vat = AmountField(_("amount excl. VAT"))
    delivered_quantity = models.DecimalField(_("delivered"), default=Decimal(0), **QUANTITY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__gte=0) & Q(delivered_quantity__lte=models.F("quantity")),
                name="order_line_delivered_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.delivered_quantity


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class OrderApproval(models.Model):
    """One decision of the approval chain: who, when, under which reference."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="approvals")
    position = models.PositiveSmallIntegerField(_("step"))
    step_name = models.CharField(_("step"), max_length=120)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    decision_date = models.DateField(_("decision date"))
    decision_reference = models.CharField(_("decision reference"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["order_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="order_approval_step_unique")]

    def __str__(self) -> str:
        return f"{self.step_name}: {self.get_decision_display()}"


class Delivery(models.Model):
    """A delivery recorded by the supplier (or the member): quantities per line."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"))
    reference = models.CharField(_("delivery note"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["order_id", "delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.delivered_on:%d/%m/%Y}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="deliveries")
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY)

    class Meta:
        verbose_name = _("delivered line")
        verbose_name_plural = _("delivered lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.line.name}"


class CallOffSource(models.TextChoices):
    SUPPLIER = "supplier", _("reported by the supplier")
    MEMBER = "member", _("reported by the member")


class OffPlatformCallOff(models.Model):
    """An order a member placed with the supplier directly, recorded by IMIO: it consumes the ceiling."""

    agreement = models.ForeignKey(
        "tenders.FrameworkAgreement", on_delete=models.PROTECT, related_name="off_platform_call_offs"
    )
    member = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("order reference"), max_length=100)
    ordered_on = models.DateField(_("ordered on"))
    amount_excl_vat = AmountField(_("amount excl. VAT"), validators=[MinValueValidator(Decimal("0.01"))])
    source = models.CharField(_("reported by"), max_length=8, choices=CallOffSource.choices)
    note = models.TextField(_("note"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("off-platform call-off")
        verbose_name_plural = _("off-platform call-offs")
        ordering = ["-ordered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "member", "reference"], name="call_off_reference_unique_per_member"
            ),
            models.CheckConstraint(condition=Q(amount_excl_vat__gt=0), name="call_off_amount_positive"),
        ]
        indexes = [
            # The list's order (latest first) for a member, a supplier and IMIO, and without the cancelled.
            models.Index(fields=["member", "-ordered_on", "-id"], name="call_off_member_latest"),
            models.Index(fields=["supplier", "-ordered_on", "-id"], name="call_off_supplier_latest"),
            models.Index(fields=["-ordered_on", "-id"], name="call_off_latest"),
            models.Index(fields=["cancelled", "-ordered_on", "-id"], name="call_off_cancelled_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.member})"


class CompetitionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("open for quotes")
    CLOSED = "closed", _("quotes opened")
    AWARDED = "awarded", _("awarded")
    CANCELLED = "cancelled", _("cancelled")


class Competition(models.Model):
    """A reopening of competition among an agreement's suppliers, for one member's need.

    The suppliers quote until the deadline; their quotes stay sealed until then (as bids do),
    the best by the agreement's award criteria is awarded with its reason and becomes an order.
    """

    agreement = models.ForeignKey("tenders.FrameworkAgreement", on_delete=models.PROTECT, related_name="competitions")
    member = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="competitions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("need"))
    deadline = models.DateTimeField(_("quotes until"))
    status = models.CharField(
        _("status"), max_length=10, choices=CompetitionStatus.choices, default=CompetitionStatus.DRAFT
    )
    budget_article = models.CharField(_("budget article"), max_length=30)
    delivery_address = models.TextField(_("delivery address"))
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("quotes opened at"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    award_reason = models.TextField(_("reason for the award"), blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="competition", verbose_name=_("order")
    )

    class Meta:
        verbose_name = _("mini-competition")
        verbose_name_plural = _("mini-competitions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list's order (newest first) for a member and for IMIO, and by status.
            models.Index(fields=["member", "-created_at", "-id"], name="competition_member_newest"),
            models.Index(fields=["-created_at", "-id"], name="competition_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="competition_status_newest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def quotes_sealed(self) -> bool:
        """Quotes open when the organiser opens them after the deadline, and never otherwise (a
        competition cancelled before that keeps them sealed)."""
        return self.closed_at is None


class CompetitionLine(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.ONE)
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY)
    cpv_code = models.CharField(_("CPV"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("line of the need")
        verbose_name_plural = _("lines of the need")
        ordering = ["competition_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "position"], name="competition_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="competition_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class QuoteStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Quote(models.Model):
    """A supplier's quote: its prices exist only sealed (AES-GCM) until the deadline."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="quotes")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(editable=False)
    sealing_key_id = models.CharField(max_length=32, editable=False)
    receipt_digest = models.CharField(_("deposit receipt (SHA-256)"), max_length=64, editable=False)
    # Known once the quotes are opened at the deadline:
    total_excl_vat = AmountField(_("total excl. VAT"), null=True, blank=True)
    price_points = models.DecimalField(_("price points"), max_digits=7, decimal_places=2, null=True, blank=True)
    quality_points = models.DecimalField(_("quality points"), max_digits=7, decimal_places=2, null=True, blank=True)

    audit_secret_fields = ("sealed",)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["competition_id", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "supplier"],
                condition=Q(status="submitted"),
                name="quote_one_per_supplier",
                violation_error_message=_("This supplier has a quote in this competition already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.competition} — {self.supplier}"

    @property
    def associated_data(self) -> str:
        """What the ciphertext is bound to: a quote's content does not open on another row."""
        return f"quote|competition:{self.competition_id}|quote:{self.pk}"

    @property
    def total_points(self):
        if self.price_points is None:
            return None
        return self.price_points + (self.quality_points or 0)


class SpendRollup(models.Model):
    """What orders count for, summed per month (of approval), member, agreement and supplier.

    Maintained by the ordering services in the same transaction as each transition
    (``procurement.orders.rollups``), so that reports read a few thousand rows instead of
    millions of order lines. ``net``, ``vat`` and ``gross`` are the orders' counted amounts
    (see ``rollups.counted``); ``delivered`` what was delivered of them so far, at the orders'
    prices; ``off_platform`` the call-offs reported to IMIO.
    """

    month = models.DateField(_("month"))
    member = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey("tenders.FrameworkAgreement", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    orders = models.IntegerField(_("orders"), default=0)
    net = AmountField(_("excl. VAT"), default=ZERO)
    vat = AmountField(_("VAT"), default=ZERO)
    gross = AmountField(_("incl. VAT"), default=ZERO)
    off_platform = AmountField(_("off-platform call-offs excl. VAT"), default=ZERO)
    delivered = AmountField(_("delivered excl. VAT"), default=ZERO)
    # For savings against public list prices: the counted lines that have a list price, at list
    # prices and at contract prices, and how many lines had one or not.
    list_value = AmountField(_("at list prices"), default=ZERO)
    list_net = AmountField(_("at contract prices, lines with a list price"), default=ZERO)
    listed_lines = models.IntegerField(_("lines with a list price"), default=0)
    unlisted_lines = models.IntegerField(_("lines without a list price"), default=0)

    class Meta:
        verbose_name = _("spend rollup")
        verbose_name_plural = _("spend rollups")
        constraints = [
            models.UniqueConstraint(fields=["month", "member", "agreement", "supplier"], name="spend_rollup_key")
        ]
        indexes = [
            models.Index(fields=["agreement", "month"], name="spend_rollup_agreement"),
            models.Index(fields=["member", "month"], name="spend_rollup_member"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.member_id}/{self.agreement_id}/{self.supplier_id}"


class CpvSpendRollup(models.Model):
    """Order lines' counted amounts per month, member, agreement, supplier and CPV division.

    ``orders`` counts each order once per division it has lines in; ``vat`` is the lines' shares
    of their order's VAT, which is rounded per order and rate (EN 16931).
    """

    month = models.DateField(_("month"))
    member = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey("tenders.FrameworkAgreement", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    cpv_division = models.CharField(_("CPV division"), max_length=2, blank=True)
    orders = models.IntegerField(_("orders"), default=0)
    net = AmountField(_("excl. VAT"), default=ZERO)
    # The lines' shares of their orders' VAT (``rollups.vat_shares``): they add up to the orders' VAT.
    vat = AmountField(_("VAT"), default=ZERO)

    class Meta:
        verbose_name = _("spend rollup by CPV division")
        verbose_name_plural = _("spend rollups by CPV division")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "member", "agreement", "supplier", "cpv_division"], name="cpv_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["cpv_division", "month"], name="cpv_rollup_division")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.cpv_division}"
