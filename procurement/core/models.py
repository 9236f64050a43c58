"""Shared kernel models: reference tables and the audit trail."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class CpvLevel(models.IntegerChoices):
    """Depth of a CPV code: the number of significant digits of its 8-digit code."""

    DIVISION = 2, _("Division")
    GROUP = 3, _("Group")
    CLASS = 4, _("Class")
    CATEGORY = 5, _("Category")
    SUBCATEGORY_1 = 6, _("Subcategory")
    SUBCATEGORY_2 = 7, _("Subcategory (level 2)")
    SUBCATEGORY_3 = 8, _("Subcategory (level 3)")


class CpvCode(models.Model):
    """A code of the Common Procurement Vocabulary (CPV 2008), e.g. ``30192000-1``."""

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=CpvLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    label_fr = models.CharField(_("label (French)"), max_length=300)
    label_nl = models.CharField(_("label (Dutch)"), max_length=300)
    label_de = models.CharField(_("label (German)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300)
    social_services = models.BooleanField(
        _("social and other specific services"),
        default=False,
        help_text=_("Falls under the light regime of Annex XIV of Directive 2014/24/EU."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")
        # The codes of one level (divisions, groups…) in code order, and the ordering by level.
        indexes = [models.Index(fields=["level", "code"], name="cpv_level_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def digits(self) -> str:
        """The significant digits: ``30192000-1`` → ``30192``; filters by prefix use these."""
        return self.code[: self.level]

    @property
    def label(self) -> str:
        """The label in the active language, French when there is none."""
        language = (translation.get_language() or "fr")[:2]
        return getattr(self, f"label_{language}", None) or self.label_fr


class Municipality(models.Model):
    """A Walloon commune (2025 boundaries), identified by its NIS (INS) code."""

    nis_code = models.CharField(_("NIS code"), max_length=5, primary_key=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_nl = models.CharField(_("name (Dutch)"), max_length=100)
    arrondissement = models.CharField(_("arrondissement"), max_length=100)
    province = models.CharField(_("province"), max_length=100)
    postcode = models.CharField(_("main postcode"), max_length=4)
    population = models.PositiveIntegerField(_("population (2020)"))

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name_fr} ({self.nis_code})"


class AuditEntry(models.Model):
    """One change of state: who did what to which object, when, from what to what.

    Entries are written only by :func:`procurement.core.audit.record` and never changed.
    Secret values (passwords, tokens, sealed amounts before opening) are redacted before
    they reach this table. ``AuditScope`` rows say which organisations may read the entry.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    # The organisation the actor was acting for (an id: the kernel does not depend on members).
    actor_organization_id = models.BigIntegerField(_("actor organisation"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx"),
            # One person's entries, newest first (the trail's cursor order).
            models.Index(fields=["actor_name", "-at", "-id"], name="audit_actor_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """``(field, before, after)`` for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        return [
            (field, before.get(field), after.get(field))
            for field in dict.fromkeys([*before, *after])
            if before.get(field) != after.get(field)
        ]


class AuditScope(models.Model):
    """An organisation that may read an audit entry (the owner of the object, a party to it)."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="scopes")
    organization_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "entry"], name="audit_scope_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.organization_id}"


class IdempotencyRecord(models.Model):
    """The first result of a creating POST sent with an ``Idempotency-Key`` header.

    Only the created object's reference is kept, never the response body (a bid's response
    must not sit in the database in clear); a replay serializes the object again, as its
    reader may see it now. The request fingerprint is a keyed hash (HMAC), so it cannot be
    matched against guessed amounts.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100, help_text="The endpoint: one key may serve once per endpoint.")
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", null=True)
    object_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_once_per_user_endpoint")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
