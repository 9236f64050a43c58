"""Needs surveys, tenders and their lots, criteria, documents, questions, sealed bids, and the
framework agreements they end with.

Models hold data and the invariants a database can check; the rules of the procedure
(who may do what, when, in which state) live in ``tenders.services``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.core.money import AmountField, UnitPriceField
from procurement.core.sealing import Sealed
from procurement.core.units import Unit

MAX_FRAMEWORK_MONTHS = 48
QUANTITY = {"max_digits": 14, "decimal_places": 3}
POINTS = {"max_digits": 7, "decimal_places": 2}


# --- Needs surveys -------------------------------------------------------------------------


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class NeedsSurvey(models.Model):
    """A recensement des besoins: members declare what they expect to buy under a future tender."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT, db_index=True
    )
    closes_at = models.DateTimeField(_("closes at"))
    participants = models.ManyToManyField(
        "members.Organization", blank=True, related_name="+", verbose_name=_("participating members")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The API's orderings (``status`` has its own index).
            models.Index(fields=["-created_at", "-id"], name="survey_newest"),
            models.Index(fields=["closes_at"], name="survey_closes_at"),
            models.Index(fields=["title"], name="survey_title"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyItem(models.Model):
    """One item (or a whole lot) members declare quantities for."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="items")
    lot_number = models.PositiveSmallIntegerField(_("lot"), default=1, validators=[MinValueValidator(1)])
    lot_title = models.CharField(_("lot title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.ONE)
    cpv_code = models.ForeignKey("core.CpvCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("CPV"))
    estimated_unit_price = UnitPriceField(_("estimated unit price excl. VAT"), validators=[MinValueValidator(0)])
    total_quantity = models.DecimalField(_("total declared quantity"), null=True, blank=True, **QUANTITY)

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["lot_number", "position", "id"]

    def __str__(self) -> str:
        return self.description


class SurveyDeclaration(models.Model):
    """A member's estimated quantity of one item."""

    item = models.ForeignKey(SurveyItem, on_delete=models.CASCADE, related_name="declarations")
    member = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["item__lot_number", "item__position", "item_id", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="declaration_once_per_item_and_member"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="declaration_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.item}"


# --- Tenders -------------------------------------------------------------------------------


class Procedure(models.TextChoices):
    OPEN = "open", _("open procedure")
    RESTRICTED = "restricted", _("restricted procedure")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("competitive procedure with negotiation")
    NEGOTIATED_WITH_PUBLICATION = "negotiated_with_publication", _("negotiated procedure with prior publication")
    NEGOTIATED_WITHOUT_PUBLICATION = (
        "negotiated_without_publication",
        _("negotiated procedure without prior publication"),
    )
    LOW_VALUE = "low_value", _("low-value contract")


class ContractType(models.TextChoices):
    SUPPLIES = "supplies", _("supplies")
    SERVICES = "services", _("services")
    WORKS = "works", _("works")


class PublicationLevel(models.TextChoices):
    BELGIAN = "belgian", _("Belgian publication")
    EUROPEAN = "eu", _("European publication")


class LegalGround(models.TextChoices):
    """Why a negotiated procedure without prior publication is allowed (law of 17 June 2016, art. 42)."""

    BELOW_THRESHOLD = "below_threshold", _("estimated value below the threshold of the procedure")
    URGENCY = "urgency", _("extreme urgency from unforeseeable events")
    SINGLE_SUPPLIER = "single_supplier", _("only one supplier can perform the contract")
    FAILED_PROCEDURE = "failed_procedure", _("no suitable bid in an earlier procedure")
    REPETITION = "repetition", _("repetition of similar works or services")
    ADDITIONAL_SUPPLIES = "additional_supplies", _("additional deliveries by the original supplier")


class BeneficiaryScope(models.TextChoices):
    NAMED = "named", _("the members named in the tender")
    ALL_MEMBERS = "all_members", _("all current and future members")


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    BIDS_CLOSED = "bids_closed", _("bids closed")
    OPENED = "opened", _("bids opened")
    EVALUATED = "evaluated", _("evaluated")
    AWARDED = "awarded", _("awarded")
    CONCLUDED = "concluded", _("concluded")
    CANCELLED = "cancelled", _("cancelled")
    UNSUCCESSFUL = "unsuccessful", _("unsuccessful")


# Where bids are sealed: nobody reads amounts in these states.
SEALED_STATUSES = frozenset({TenderStatus.DRAFT, TenderStatus.PUBLISHED, TenderStatus.BIDS_CLOSED})


class Tender(models.Model):
    """One public procurement procedure run by IMIO for its members."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    procedure = models.CharField(_("procedure"), max_length=40, choices=Procedure.choices, default=Procedure.OPEN)
    contract_type = models.CharField(_("contract type"), max_length=16, choices=ContractType.choices)
    cpv_code = models.ForeignKey(
        "core.CpvCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("main CPV code")
    )
    additional_cpv_codes = models.ManyToManyField(
        "core.CpvCode", blank=True, related_name="+", verbose_name=_("additional CPV codes")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TenderStatus.choices, default=TenderStatus.DRAFT, db_index=True
    )
    publication_level = models.CharField(
        _("publication level"), max_length=8, choices=PublicationLevel.choices, default=PublicationLevel.BELGIAN
    )
    legal_ground = models.CharField(_("legal ground"), max_length=32, choices=LegalGround.choices, blank=True)
    legal_ground_justification = models.TextField(_("justification of the legal ground"), blank=True)
    beneficiary_scope = models.CharField(
        _("who may use the agreements"),
        max_length=16,
        choices=BeneficiaryScope.choices,
        default=BeneficiaryScope.ALL_MEMBERS,
    )
    beneficiaries = models.ManyToManyField(
        "members.Organization", blank=True, related_name="+", verbose_name=_("named beneficiaries")
    )
    survey = models.OneToOneField(
        NeedsSurvey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tender",
        verbose_name=_("needs survey"),
    )
    standstill_required = models.BooleanField(
        _("standstill period"),
        default=False,
        help_text=_("Mandatory at European level; optional below."),
    )
    publication_at = models.DateTimeField(_("publication"), null=True, blank=True)
    questions_deadline = models.DateTimeField(_("questions deadline"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"), null=True, blank=True)
    opening_at = models.DateTimeField(_("opening time"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("award notified at"), null=True, blank=True)
    standstill_ends_at = models.DateTimeField(_("standstill ends at"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submission_deadline"], name="tender_status_deadline"),
            # The list's order (newest first), the other orderings and the choice filters with that order.
            models.Index(fields=["-created_at", "-id"], name="tender_newest"),
            models.Index(fields=["submission_deadline"], name="tender_deadline"),
            models.Index(fields=["procedure", "-created_at", "-id"], name="tender_procedure_newest"),
            models.Index(fields=["contract_type", "-created_at", "-id"], name="tender_contract_type_newest"),
            models.Index(fields=["publication_level", "-created_at", "-id"], name="tender_publication_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def bids_sealed(self) -> bool:
        """Whether bids' amounts and attachments are still unreadable (before the opening)."""
        return self.opened_at is None

    @property
    def estimated_value(self) -> Decimal:
        return sum((lot.estimated_value for lot in self.lots.all()), Decimal("0.00"))

    @property
    def maximum_value(self) -> Decimal:
        """What the Directive compares for a framework agreement: all lots' maxima over the whole term."""
        return sum((lot.maximum_value for lot in self.lots.all()), Decimal("0.00"))

    def accepts_questions(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == TenderStatus.PUBLISHED and (
            self.questions_deadline is None or now < self.questions_deadline
        )

    def accepts_bids(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == TenderStatus.PUBLISHED
            and self.submission_deadline is not None
            and now < self.submission_deadline
        )


class LotStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    AWARDED = "awarded", _("awarded")
    UNSUCCESSFUL = "unsuccessful", _("unsuccessful")
    CANCELLED = "cancelled", _("cancelled")


class SupplierMode(models.TextChoices):
    SINGLE = "single", _("one supplier")
    CASCADE = "cascade", _("several suppliers, in cascade")
    MINI_COMPETITION = "mini_competition", _("several suppliers, with mini-competition")


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    cpv_code = models.ForeignKey(
        "core.CpvCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("CPV code")
    )
    estimated_value = AmountField(_("estimated value excl. VAT"), validators=[MinValueValidator(Decimal("0.01"))])
    maximum_value = AmountField(_("maximum value excl. VAT"), validators=[MinValueValidator(Decimal("0.01"))])
    duration_months = models.PositiveSmallIntegerField(
        _("duration of the framework agreement (months)"),
        default=MAX_FRAMEWORK_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FRAMEWORK_MONTHS)],
    )
    supplier_mode = models.CharField(
        _("suppliers"), max_length=20, choices=SupplierMode.choices, default=SupplierMode.SINGLE
    )
    max_suppliers = models.PositiveSmallIntegerField(_("maximum number of suppliers"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=LotStatus.choices, default=LotStatus.ACTIVE)
    status_reason = models.TextField(_("reasons"), blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique_in_tender"),
            models.CheckConstraint(condition=Q(maximum_value__gte=models.F("estimated_value")), name="lot_max_ge_est"),
            models.CheckConstraint(
                condition=Q(duration_months__gte=1, duration_months__lte=MAX_FRAMEWORK_MONTHS),
                name="lot_duration_within_48_months",
            ),
            models.CheckConstraint(
                condition=(Q(supplier_mode="single") & Q(max_suppliers=1))
                | (~Q(supplier_mode="single") & Q(max_suppliers__gte=2)),
                name="lot_supplier_count_matches_mode",
            ),
        ]

    def __str__(self) -> str:
        return _("Lot %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class LotItem(models.Model):
    """An estimated quantity under a lot, usually carried from the needs survey."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.ONE)
    cpv_code = models.ForeignKey("core.CpvCode", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    estimated_quantity = models.DecimalField(_("estimated quantity"), **QUANTITY)
    estimated_unit_price = UnitPriceField(_("estimated unit price excl. VAT"))
    survey_item = models.ForeignKey(SurveyItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("estimated quantity")
        verbose_name_plural = _("estimated quantities")
        ordering = ["lot_id", "id"]

    def __str__(self) -> str:
        return self.description


class CriterionKind(models.TextChoices):
    PRICE = "price", _("price")
    QUALITY = "quality", _("quality")


class AwardCriterion(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CriterionKind.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("award criterion")
        verbose_name_plural = _("award criteria")
        ordering = ["tender_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class DocumentKind(models.TextChoices):
    SPECIFICATIONS = "specifications", _("specifications")
    ANNEX = "annex", _("annex")
    ADDENDUM = "addendum", _("addendum")
    OPENING_RECORD = "opening_record", _("opening record")
    AWARD_REPORT = "award_report", _("award report")


# Documents every candidate reads; the others (records, reports) stay with IMIO.
PUBLIC_DOCUMENT_KINDS = frozenset({DocumentKind.SPECIFICATIONS, DocumentKind.ANNEX, DocumentKind.ADDENDUM})


def tender_document_path(instance: TenderDocument, filename: str) -> str:
    return f"tenders/{instance.tender_id}/{filename}"


class TenderDocument(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.SPECIFICATIONS)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=tender_document_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")
        ordering = ["tender_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A candidate's question; its answer is read by all candidates, the asker's name by IMIO only."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="questions")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["tender_id", "asked_at", "id"]

    def __str__(self) -> str:
        return self.question[:80]


# --- Bids ----------------------------------------------------------------------------------


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    WITHDRAWN = "withdrawn", _("withdrawn")
    OPENED = "opened", _("opened")
    EXCLUDED = "excluded", _("excluded")
    AWARDED = "awarded", _("awarded")
    NOT_AWARDED = "not_awarded", _("not awarded")


class BidChannel(models.TextChoices):
    PLATFORM = "platform", _("this platform")
    E_TENDERING = "e_tendering", _("federal e-Tendering platform")


class Bid(models.Model):
    """One supplier's bid for one lot.

    Its content (total, price schedule, answers to the quality criteria, attachments) exists
    only sealed (``sealed``: AES-GCM ciphertext, see ``procurement.core.sealing``); there is no
    plaintext amount column. ``tenders.sealed_bids`` opens it, and only after the opening.
    """

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="bids")
    status = models.CharField(_("status"), max_length=16, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    channel = models.CharField(_("received through"), max_length=16, choices=BidChannel.choices)
    sealed = models.BinaryField(_("sealed content"), editable=False)
    sealing_key_id = models.CharField(max_length=32, editable=False)
    receipt_digest = models.CharField(_("receipt (SHA-256)"), max_length=64, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason"), blank=True)
    # Evaluation, written after the opening.
    price_points = models.DecimalField(_("price points"), null=True, blank=True, **POINTS)
    quality_points = models.DecimalField(_("quality points"), null=True, blank=True, **POINTS)
    total_points = models.DecimalField(_("total points"), null=True, blank=True, **POINTS)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    abnormally_low = models.BooleanField(_("abnormally low (to verify)"), default=False)
    award_rank = models.PositiveSmallIntegerField(_("rank in the agreement"), null=True, blank=True)

    # The ciphertext never enters the audit trail.
    audit_secret_fields = frozenset({"sealed"})

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["tender_id", "lot__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "supplier"], name="bid_once_per_lot_and_supplier"),
        ]
        indexes = [
            # By time of deposit, for a supplier and for IMIO; by status in the list's order (tender first).
            models.Index(fields=["supplier", "submitted_at"], name="bid_supplier_submitted"),
            models.Index(fields=["submitted_at"], name="bid_submitted"),
            models.Index(fields=["status", "tender"], name="bid_status_tender"),
        ]

    def __str__(self) -> str:
        return _("Bid of %(supplier)s for %(lot)s") % {"supplier": self.supplier, "lot": self.lot}

    @property
    def associated_data(self) -> str:
        """What the ciphertext is bound to: a bid's content does not open on another row."""
        return f"bid|tender:{self.tender_id}|lot:{self.lot_id}|bid:{self.pk}"

    @property
    def sealed_content(self) -> Sealed:
        return Sealed(key_id=self.sealing_key_id, ciphertext=bytes(self.sealed))


class QualityScore(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="quality_scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(_("points"), validators=[MinValueValidator(0)], **POINTS)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("quality score")
        verbose_name_plural = _("quality scores")
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="score_once_per_bid_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.points}"


# --- Framework agreements ------------------------------------------------------------------


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXHAUSTED = "exhausted", _("exhausted")
    EXPIRED = "expired", _("expired")
    TERMINATED = "terminated", _("terminated")


class FrameworkAgreement(models.Model):
    """An accord-cadre concluded for one lot: what members order under."""

    reference = models.CharField(_("reference"), max_length=50, unique=True)
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="agreements")
    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="agreement")
    title = models.CharField(_("title"), max_length=300)
    supplier_mode = models.CharField(_("suppliers"), max_length=20, choices=SupplierMode.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE, db_index=True
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    estimated_value = AmountField(_("estimated value excl. VAT"))
    maximum_value = AmountField(_("maximum value excl. VAT"))
    consumed_value = AmountField(_("consumed excl. VAT"), default=Decimal("0.00"))
    beneficiary_scope = models.CharField(_("who may use it"), max_length=16, choices=BeneficiaryScope.choices)
    beneficiaries = models.ManyToManyField(
        "members.Organization", blank=True, related_name="+", verbose_name=_("named beneficiaries")
    )
    concluded_at = models.DateTimeField(_("concluded at"), default=timezone.now)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason"), blank=True)
    expiry_alerted_days = models.PositiveSmallIntegerField(
        _("last expiry alert (days before)"), null=True, blank=True, editable=False
    )
    consumption_alerted_percent = models.PositiveSmallIntegerField(
        _("last consumption alert (percentage of the maximum)"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        ordering = ["-start_date", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="agreement_end_after_start"),
            models.CheckConstraint(
                condition=Q(maximum_value__gte=models.F("estimated_value")), name="agreement_max_ge_est"
            ),
            models.CheckConstraint(condition=Q(consumed_value__gte=0), name="agreement_consumed_not_negative"),
            # The ceiling guard's last line: whatever the code does, the database never overspends.
            models.CheckConstraint(
                condition=Q(consumed_value__lte=models.F("maximum_value")), name="agreement_consumed_within_maximum"
            ),
        ]
        indexes = [
            # The list's order (latest start first) and the end-date ordering (``status`` has its own index).
            models.Index(fields=["-start_date", "reference"], name="agreement_latest"),
            models.Index(fields=["end_date"], name="agreement_end_date"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def remaining_value(self) -> Decimal:
        return self.maximum_value - self.consumed_value

    @property
    def consumed_percent(self) -> Decimal:
        if not self.maximum_value:
            return Decimal("0")
        return (self.consumed_value * 100 / self.maximum_value).quantize(Decimal("0.1"))


class AgreementSupplier(models.Model):
    """A supplier of an agreement, ranked (cascade). A substituted supplier keeps its row, ended."""

    agreement = models.ForeignKey(FrameworkAgreement, on_delete=models.CASCADE, related_name="supplier_links")
    supplier = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="agreement_links")
    rank = models.PositiveSmallIntegerField(_("rank"))
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    active = models.BooleanField(_("current"), default=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement supplier")
        verbose_name_plural = _("agreement suppliers")
        ordering = ["agreement_id", "-active", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "rank"], condition=Q(active=True), name="agreement_rank_unique_when_current"
            ),
            models.UniqueConstraint(
                fields=["agreement", "supplier"], condition=Q(active=True), name="agreement_supplier_once_when_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.supplier}"


class AmendmentKind(models.TextChoices):
    MODIFICATION = "modification", _("modification")
    SUPPLIER_SUBSTITUTION = "supplier_substitution", _("supplier substitution")
    END_DATE = "end_date", _("end date moved")


class ModificationGround(models.TextChoices):
    """Grounds of modification during execution (royal decree of 14 January 2013, art. 38 and following)."""

    REVIEW_CLAUSE = "review_clause", _("review clause of the procurement documents")
    ADDITIONAL = "additional", _("additional works, supplies or services")
    UNFORESEEABLE = "unforeseeable", _("unforeseeable circumstances")
    REPLACEMENT = "replacement", _("replacement of the contractor")
    DE_MINIMIS = "de_minimis", _("modification of minor value")
    NON_SUBSTANTIAL = "non_substantial", _("non-substantial modification")


class AgreementAmendment(models.Model):
    """A recorded change to a concluded agreement: never a silent edit."""

    agreement = models.ForeignKey(FrameworkAgreement, on_delete=models.PROTECT, related_name="amendments")
    kind = models.CharField(_("kind"), max_length=24, choices=AmendmentKind.choices)
    legal_ground = models.CharField(_("legal ground"), max_length=20, choices=ModificationGround.choices)
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["agreement_id", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.agreement.reference}: {self.get_kind_display()}"
