"""Catalogue lines under framework agreements, their price history, imports and revisions.

A line's price is never overwritten: every price is an ``ItemPrice`` with the date it takes
effect; ``CatalogItem.unit_price`` is the price in effect today (kept by the services, so that
search can filter and sort on it), and scheduled prices wait for their date.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from procurement.core.money import UnitPriceField, VatRateField
from procurement.core.units import Unit

QUANTITY = {"max_digits": 14, "decimal_places": 3}
SEARCH_LANGUAGES = ("fr", "nl", "de", "en")


class CatalogItem(models.Model):
    agreement = models.ForeignKey("tenders.FrameworkAgreement", on_delete=models.PROTECT, related_name="catalog_items")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="catalog_items")
    supplier_reference = models.CharField(_("supplier reference"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=300)
    name_nl = models.CharField(_("name (Dutch)"), max_length=300, blank=True)
    name_de = models.CharField(_("name (German)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.ONE)
    unit_price = UnitPriceField(_("unit price excl. VAT"))
    price_effective_from = models.DateField(_("price in effect since"))
    vat_rate = VatRateField(_("VAT rate"))
    list_price = UnitPriceField(_("public list price excl. VAT"), null=True, blank=True)
    cpv_code = models.ForeignKey(
        "core.CpvCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("CPV")
    )
    min_quantity = models.DecimalField(
        _("minimum order quantity"),
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
        **QUANTITY,
    )
    lead_time_days = models.PositiveSmallIntegerField(_("delivery lead time (days)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Normalised text per language (lower case, no accents): what search matches.
    search_fr = models.TextField(editable=False, default="")
    search_nl = models.TextField(editable=False, default="")
    search_de = models.TextField(editable=False, default="")
    search_en = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("catalogue line")
        verbose_name_plural = _("catalogue lines")
        ordering = ["agreement_id", "supplier_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "supplier", "supplier_reference"], name="catalog_reference_unique"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="catalog_price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gt=0), name="catalog_min_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["agreement", "active", "unit_price"], name="catalog_agreement_price"),
            models.Index(fields=["active", "unit_price"], name="catalog_active_price"),
            models.Index(fields=["supplier_reference"], name="catalog_reference"),
            models.Index(fields=["cpv_code", "active"], name="catalog_cpv"),
            models.Index(fields=["name_fr", "id"], name="catalog_name"),
            # A supplier's own lines in each order the API offers.
            models.Index(fields=["supplier", "name_fr", "id"], name="catalog_supplier_name"),
            models.Index(fields=["supplier", "unit_price"], name="catalog_supplier_price"),
            models.Index(fields=["supplier", "supplier_reference"], name="catalog_supplier_reference"),
            # IMIO's view by price (or a price range) across every agreement, active or not.
            models.Index(fields=["unit_price"], name="catalog_price"),
            # Few values each: the common ones are read along catalog_name, the rare ones here.
            models.Index(fields=["vat_rate"], name="catalog_vat_rate"),
            models.Index(fields=["unit"], name="catalog_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_reference} {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language, French when there is none."""
        return getattr(self, f"name_{(get_language() or 'fr')[:2]}", "") or self.name_fr

    @property
    def description(self) -> str:
        return getattr(self, f"description_{(get_language() or 'fr')[:2]}", "") or self.description_fr

    @property
    def savings_per_unit(self) -> Decimal | None:
        return None if self.list_price is None else self.list_price - self.unit_price


class PriceRevisionKind(models.TextChoices):
    PRICE_LIST = "price_list", _("new price list")
    PERCENTAGE = "percentage", _("indexation by a percentage")
    FORMULA = "formula", _("revision formula on reference indices")


class PriceRevision(models.Model):
    """A revision of an agreement's prices under the revision clause, effective on a date."""

    agreement = models.ForeignKey("tenders.FrameworkAgreement", on_delete=models.PROTECT, related_name="revisions")
    kind = models.CharField(_("kind"), max_length=16, choices=PriceRevisionKind.choices)
    effective_date = models.DateField(_("effective date"))
    reason = models.TextField(_("reason"))
    percentage = models.DecimalField(_("percentage"), max_digits=7, decimal_places=3, null=True, blank=True)
    formula = models.JSONField(
        _("formula"),
        null=True,
        blank=True,
        help_text=_("Fixed part and weighted indices: p = p0 × (a + Σ weight × index ÷ base index)."),
    )
    items_count = models.PositiveIntegerField(_("lines revised"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("price revision")
        verbose_name_plural = _("price revisions")
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["-effective_date", "-id"], name="revision_latest"),
            models.Index(fields=["kind", "-effective_date", "-id"], name="revision_kind_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date:%d/%m/%Y}"


class ItemPrice(models.Model):
    """One price of a line, from a date; ``applied`` once it is the line's current price."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="prices")
    unit_price = UnitPriceField(_("unit price excl. VAT"))
    list_price = UnitPriceField(_("public list price excl. VAT"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    applied = models.BooleanField(default=False)
    revision = models.ForeignKey(PriceRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_import = models.ForeignKey(
        "catalog.PriceListImport", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("price history")
        ordering = ["item_id", "effective_from", "id"]
        indexes = [
            # ``apply_due_prices`` asks on every catalogue request whether a scheduled price is due:
            # an index of the pending prices only (a few rows) answers it, however long the history.
            models.Index(fields=["effective_from"], condition=Q(applied=False), name="catalog_price_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_price} ({self.effective_from:%d/%m/%Y})"


class ImportMode(models.TextChoices):
    REPLACE = "replace", _("replaces the list (lines absent from the file are withdrawn)")
    DELTA = "delta", _("delta (only the lines in the file change)")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("being read")
    PREVIEWED = "previewed", _("ready to apply")
    FAILED = "failed", _("unreadable")
    APPLYING = "applying", _("being applied")
    PROPOSED = "proposed", _("proposal awaiting approval")
    APPLIED = "applied", _("applied")
    REJECTED = "rejected", _("rejected")


def import_file_path(instance: PriceListImport, filename: str) -> str:
    return f"catalog/imports/{instance.agreement_id}/{filename}"


class PriceListImport(models.Model):
    """A price list uploaded for an agreement: its dry run, then (all or nothing) its application."""

    agreement = models.ForeignKey("tenders.FrameworkAgreement", on_delete=models.PROTECT, related_name="imports")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=8, choices=ImportMode.choices, default=ImportMode.DELTA)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    effective_date = models.DateField(_("prices effective from"))
    reason = models.TextField(_("reason"), blank=True)
    valid_rows_only = models.BooleanField(_("valid rows only"), default=False)
    proposal = models.BooleanField(
        _("supplier's proposal"), default=False, help_text=_("Prices change only when a buyer approves it.")
    )
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_ok = models.PositiveIntegerField(_("valid rows"), default=0)
    to_add = models.PositiveIntegerField(_("lines to add"), default=0)
    to_change = models.PositiveIntegerField(_("lines to change"), default=0)
    to_withdraw = models.PositiveIntegerField(_("lines to withdraw"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged lines"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    errors_count = models.PositiveIntegerField(_("errors"), default=0)
    changes = models.JSONField(_("changes (sample)"), default=list, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    revision = models.OneToOneField(
        PriceRevision, on_delete=models.SET_NULL, null=True, blank=True, related_name="source_import"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    status_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        verbose_name = _("price-list import")
        verbose_name_plural = _("price-list imports")
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            # The list's order (newest first) for a supplier and for IMIO, and by status and mode.
            models.Index(fields=["supplier", "-uploaded_at", "-id"], name="import_supplier_newest"),
            models.Index(fields=["-uploaded_at", "-id"], name="import_newest"),
            models.Index(fields=["status", "-uploaded_at", "-id"], name="import_status_newest"),
            models.Index(fields=["mode", "-uploaded_at", "-id"], name="import_mode_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%d/%m/%Y})"
