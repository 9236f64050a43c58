"""Creating and changing organisations."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.models import Municipality
from procurement.core.permissions import Perm
from procurement.members import identifiers
from procurement.members.models import MEMBER_KINDS, NIS_KINDS, Organization, OrganizationKind

ORGANIZATION_FIELDS = (
    "kind",
    "name",
    "enterprise_number",
    "foreign_vat_number",
    "nis_code",
    "street",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "website",
    "iban",
    "is_active",
)
# What an organisation's own administrator may change; identity (kind, name, numbers) is IMIO's.
SELF_SERVICE_FIELDS = frozenset({"street", "postcode", "city", "email", "phone", "website", "iban"})


def _manages_all_organizations(actor) -> bool:
    return actor is None or (actor.acting.platform_wide and actor.acting.has(Perm.ORGANIZATION_MANAGE))


def editable_fields(*, actor, organization: Organization) -> frozenset[str]:
    """The fields ``actor`` may change on ``organization`` (empty when none)."""
    if _manages_all_organizations(actor):
        return frozenset(ORGANIZATION_FIELDS)
    acting = actor.acting
    if acting.has(Perm.ORGANIZATION_EDIT_OWN) and acting.organization_id == organization.pk:
        return SELF_SERVICE_FIELDS
    return frozenset()


def _clean_identifiers(organization: Organization) -> None:
    """Normalise the identifiers and check that they fit the kind of organisation."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, error: ValidationError | str) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [error]
        errors.setdefault(field, []).extend(messages)

    kind = organization.kind
    if organization.enterprise_number:
        try:
            organization.enterprise_number = identifiers.clean_enterprise_number(organization.enterprise_number)
        except ValidationError as error:
            fail("enterprise_number", error)
    else:
        organization.enterprise_number = None
        if kind in MEMBER_KINDS or kind == OrganizationKind.CENTRAL_PURCHASING_BODY:
            fail("enterprise_number", _("A Belgian public body needs its enterprise number."))
        elif kind == OrganizationKind.SUPPLIER and not organization.foreign_vat_number:
            fail("enterprise_number", _("A supplier needs a Belgian enterprise number or a foreign VAT number."))

    if organization.foreign_vat_number:
        if kind != OrganizationKind.SUPPLIER:
            fail("foreign_vat_number", _("Only a supplier can have a foreign VAT number."))
        else:
            try:
                organization.foreign_vat_number = identifiers.clean_foreign_vat_number(organization.foreign_vat_number)
            except ValidationError as error:
                fail("foreign_vat_number", error)

    if kind in NIS_KINDS:
        if not organization.nis_code:
            fail("nis_code", _("A commune or a CPAS needs the NIS code of its commune."))
        else:
            try:
                organization.nis_code = identifiers.clean_nis_code(organization.nis_code)
            except ValidationError as error:
                fail("nis_code", error)
            else:
                if not Municipality.objects.filter(nis_code=organization.nis_code).exists():
                    fail(
                        "nis_code",
                        _("%(code)s is not the NIS code of a Walloon commune.") % {"code": organization.nis_code},
                    )
    elif organization.nis_code:
        fail("nis_code", _("Only communes and CPAS have a NIS code."))

    if organization.iban:
        if kind != OrganizationKind.SUPPLIER:
            fail("iban", _("Only suppliers have an IBAN here."))
        else:
            try:
                organization.iban = identifiers.clean_iban(organization.iban)
            except ValidationError as error:
                fail("iban", error)

    organization.country = (organization.country or "BE").strip().upper()
    if errors:
        raise ValidationError(errors)


def organization_validate(organization: Organization) -> None:
    """Normalise and check an unsaved organisation as the services would; writes nothing.

    Identifier rules first, then the model's own field and constraint checks, all reported.
    Forms call it to show every error at once before they call a service.
    """
    errors: dict[str, list[str]] = {}
    try:
        _clean_identifiers(organization)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        organization.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_create(*, actor, **fields: Any) -> Organization:
    """Register an organisation (IMIO staff with the manage permission, or the system)."""
    if not _manages_all_organizations(actor):
        raise PermissionDenied(_("You cannot register organisations."))
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    organization = Organization(**fields)
    organization_validate(organization)
    organization.save()
    audit.record(
        actor=actor,
        action="organization.created",
        target=organization,
        after=audit.snapshot(organization, ORGANIZATION_FIELDS),
        organizations=[organization.pk],
    )
    return organization


@transaction.atomic
def organization_update(*, actor, organization: Organization, **changes: Any) -> Organization:
    """Change an organisation's details; only what ``actor`` may change, all or nothing."""
    allowed = editable_fields(actor=actor, organization=organization)
    if not allowed:
        raise PermissionDenied(_("You cannot change this organisation."))
    forbidden = set(changes) - allowed
    if forbidden:
        raise PermissionDenied(
            _("You cannot change these fields: %(fields)s.") % {"fields": ", ".join(sorted(forbidden))}
        )
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    before = audit.snapshot(organization, changes)
    for name, value in changes.items():
        setattr(organization, name, value)
    organization_validate(organization)
    after = audit.snapshot(organization, changes)
    changed = [name for name in changes if before[name] != after[name]]
    if not changed:
        return organization
    organization.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor=actor,
        action="organization.updated",
        target=organization,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        organizations=[organization.pk],
    )
    return organization
