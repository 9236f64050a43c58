"""What every tender service shares: who may act, the locks, the people to tell."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from procurement.core.permissions import Perm, Role
from procurement.members.models import OrganizationKind, User


def check_central_body(actor, permission: Perm) -> None:
    """The step is IMIO's: the actor holds ``permission`` while acting for the central purchasing body."""
    if actor is None:  # the system (periodic tasks, data migrations)
        return
    if not (actor.acting.platform_wide and actor.acting.has(permission)):
        raise PermissionDenied(_("Only the central purchasing body's buyers can do this."))


def check_acting_for(actor, permission: Perm, organization_id: int) -> None:
    """The actor holds ``permission`` in ``organization_id`` and is acting for it."""
    acting = actor.acting
    if not (acting.has(permission) and acting.organization_id == organization_id):
        raise PermissionDenied(_("You cannot do this for this organisation."))


def emails_of(organization_ids, roles) -> list[str]:
    return list(
        User.objects.filter(
            role_assignments__organization_id__in=list(organization_ids),
            role_assignments__role__in=list(roles),
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def buyer_emails() -> list[str]:
    return list(
        User.objects.filter(
            role_assignments__organization__kind=OrganizationKind.CENTRAL_PURCHASING_BODY,
            role_assignments__role=Role.BUYER,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
