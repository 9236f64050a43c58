"""Organisations, their people and roles, and the membership agreements."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from procurement.core.fields import HttpsURLField
from procurement.core.permissions import Role
from procurement.members import identifiers


class OrganizationKind(models.TextChoices):
    CENTRAL_PURCHASING_BODY = "central_purchasing_body", _("Central purchasing body")
    COMMUNE = "commune", _("Commune")
    CPAS = "cpas", _("Public social welfare centre (CPAS)")
    POLICE_ZONE = "police_zone", _("Police zone")
    EMERGENCY_ZONE = "emergency_zone", _("Emergency zone")
    PROVINCE = "province", _("Province")
    INTERCOMMUNALE = "intercommunale", _("Intercommunal company")
    OTHER_PUBLIC = "other_public", _("Other public body")
    SUPPLIER = "supplier", _("Supplier")
    OBSERVER = "observer", _("Observer")


# Organisations that can join the central purchasing body and order under its agreements.
MEMBER_KINDS = frozenset(
    {
        OrganizationKind.COMMUNE,
        OrganizationKind.CPAS,
        OrganizationKind.POLICE_ZONE,
        OrganizationKind.EMERGENCY_ZONE,
        OrganizationKind.PROVINCE,
        OrganizationKind.INTERCOMMUNALE,
        OrganizationKind.OTHER_PUBLIC,
    }
)
# Kinds identified by the NIS code of their commune.
NIS_KINDS = frozenset({OrganizationKind.COMMUNE, OrganizationKind.CPAS})

# Which roles make sense in which kind of organisation.
ROLE_KINDS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({OrganizationKind.CENTRAL_PURCHASING_BODY}),
    Role.BUYER: frozenset({OrganizationKind.CENTRAL_PURCHASING_BODY}),
    Role.FINANCE: frozenset({OrganizationKind.CENTRAL_PURCHASING_BODY} | MEMBER_KINDS),
    Role.MEMBER_ADMIN: MEMBER_KINDS,
    Role.MEMBER_OFFICER: MEMBER_KINDS,
    Role.MEMBER_APPROVER: MEMBER_KINDS,
    Role.SUPPLIER: frozenset({OrganizationKind.SUPPLIER}),
    Role.OBSERVER: frozenset({OrganizationKind.OBSERVER}),
}
# Roles whose holders manage their organisation's people.
USER_MANAGER_ROLES = {
    OrganizationKind.CENTRAL_PURCHASING_BODY: Role.ADMIN,
    **dict.fromkeys(MEMBER_KINDS, Role.MEMBER_ADMIN),
}


class Organization(models.Model):
    """IMIO, a member (commune, CPAS, police zone…), a supplier or an observer."""

    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=10,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Belgian enterprise number (BCE/KBO), e.g. 0123.456.789."),
    )
    foreign_vat_number = models.CharField(
        _("foreign VAT number"),
        max_length=20,
        blank=True,
        help_text=_("For a supplier established outside Belgium, its EU VAT number."),
    )
    nis_code = models.CharField(
        _("NIS code"), max_length=5, blank=True, help_text=_("For communes and CPAS: the commune's NIS (INS) code.")
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = HttpsURLField(_("website"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, help_text=_("Suppliers: the account to be paid."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind=OrganizationKind.CENTRAL_PURCHASING_BODY),
                name="single_central_purchasing_body",
            ),
            models.UniqueConstraint(
                fields=["kind", "nis_code"], condition=~Q(nis_code=""), name="organization_kind_nis_unique"
            ),
            models.CheckConstraint(
                condition=Q(iban="") | Q(kind=OrganizationKind.SUPPLIER), name="organization_iban_supplier_only"
            ),
        ]
        indexes = [
            # The API's orderings and filters (``kind`` has its own index).
            models.Index(fields=["name"], name="organization_name"),
            models.Index(fields=["is_active", "name"], name="organization_active_name"),
            models.Index(fields=["created_at"], name="organization_created"),
            models.Index(fields=["nis_code"], name="organization_nis_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central_purchasing_body(self) -> bool:
        return self.kind == OrganizationKind.CENTRAL_PURCHASING_BODY

    @property
    def is_member_kind(self) -> bool:
        return self.kind in MEMBER_KINDS

    @property
    def enterprise_number_display(self) -> str:
        return identifiers.format_enterprise_number(self.enterprise_number) if self.enterprise_number else ""

    @property
    def iban_display(self) -> str:
        return identifiers.format_iban(self.iban) if self.iban else ""


class User(AbstractUser):
    """A person. What they may do depends on their roles in the organisation they act for."""

    active_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("active organisation"),
    )

    audit_secret_fields = frozenset({"password"})

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"),
        ]
        indexes = [
            # The people list's order, for everyone and for the active (or inactive) only.
            models.Index(fields=["last_name", "first_name", "username"], name="user_name_order"),
            models.Index(fields=["is_active", "last_name", "first_name", "username"], name="user_active_name_order"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def acting(self):
        """Who this user is acting as now: organisation, roles and permissions (cached per request)."""
        from procurement.members.acting import Acting

        return Acting.for_user(self)

    @property
    def invitation_pending(self) -> bool:
        return self.last_login is None and not self.has_usable_password()


class RoleAssignment(models.Model):
    """A user holds a role in an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )

    class Meta:
        ordering = ["organization__name", "role"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="role_assignment_unique"),
        ]
        # People by role, across organisations (IMIO) or in one.
        indexes = [models.Index(fields=["role", "organization"], name="role_assignment_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organization})"


class MembershipStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


OPEN_MEMBERSHIP_STATUSES = (MembershipStatus.REQUESTED, MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)


def membership_document_path(membership: Membership, filename: str) -> str:
    return f"memberships/{membership.member_id}/{timezone.now():%Y%m%d-%H%M%S}-{filename}"


class Membership(models.Model):
    """A member's membership agreement (convention d'adhésion) with the central purchasing body.

    It is requested, then activated by IMIO once the member's council decision and the signed
    agreement are in hand; it can be suspended (no new orders) and reactivated, or terminated.
    A member has at most one open membership; a terminated one stays on record.
    """

    member = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("requested by")
    )
    decision_date = models.DateField(_("council decision date"), null=True, blank=True)
    decision_reference = models.CharField(_("council decision reference"), max_length=100, blank=True)
    document = models.FileField(_("signed agreement"), upload_to=membership_document_path, max_length=255, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("membership agreement")
        verbose_name_plural = _("membership agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=OPEN_MEMBERSHIP_STATUSES),
                name="membership_one_open_per_member",
                violation_error_message=_("This member already has a membership agreement in progress."),
            ),
            models.CheckConstraint(
                condition=Q(status=MembershipStatus.REQUESTED)
                | Q(status=MembershipStatus.TERMINATED)
                | (Q(decision_date__isnull=False) & ~Q(decision_reference="") & ~Q(document="")),
                name="membership_active_has_decision",
                violation_error_message=_(
                    "An active or suspended membership needs the council decision date, its reference "
                    "and the signed agreement."
                ),
            ),
        ]
        indexes = [
            # The list's order (newest request first), by status, and by last change.
            models.Index(fields=["-requested_at", "-id"], name="membership_newest"),
            models.Index(fields=["status", "-requested_at", "-id"], name="membership_status_newest"),
            models.Index(fields=["status_changed_at"], name="membership_status_changed"),
        ]

    def __str__(self) -> str:
        return _("Membership of %(member)s") % {"member": self.member}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEMBERSHIP_STATUSES
