"""Who a user is acting as: the active organisation, the roles held there, what they allow.

Computed once per request (``user.acting`` is cached on the user object) from the user's
role assignments. Tenancy follows the active organisation: ``platform_wide`` is true only
for IMIO staff acting for the central purchasing body.
"""

from __future__ import annotations

from dataclasses import dataclass

from procurement.core.permissions import Perm, Role, permissions_for
from procurement.members.models import Organization, OrganizationKind


@dataclass(frozen=True)
class Acting:
    organization: Organization | None
    organizations: tuple[Organization, ...]
    roles: frozenset[str]
    permissions: frozenset[str]

    @classmethod
    def nobody(cls) -> Acting:
        return cls(None, (), frozenset(), frozenset())

    @classmethod
    def for_user(cls, user) -> Acting:
        if not user.is_authenticated or not user.is_active:
            return cls.nobody()
        assignments = list(
            user.role_assignments.filter(organization__is_active=True)
            .select_related("organization")
            .order_by("organization__name", "organization_id")
        )
        organizations = tuple({a.organization_id: a.organization for a in assignments}.values())
        if not organizations:
            return cls.nobody()
        active = next((o for o in organizations if o.pk == user.active_organization_id), organizations[0])
        roles = frozenset(a.role for a in assignments if a.organization_id == active.pk)
        permissions = permissions_for(
            roles, central_purchasing_body=active.kind == OrganizationKind.CENTRAL_PURCHASING_BODY
        )
        return cls(active, organizations, roles, permissions)

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization else None

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def platform_wide(self) -> bool:
        """IMIO staff acting for the central purchasing body see across all organisations."""
        return self.has(Perm.PLATFORM_WIDE)

    @property
    def is_platform_admin(self) -> bool:
        return self.platform_wide and Role.ADMIN in self.roles

    def reaches(self, organization: Organization) -> bool:
        """Whether this user's tenancy covers ``organization`` (its own, or all for IMIO staff)."""
        return self.platform_wide or (self.organization is not None and organization.pk == self.organization.pk)


def acting_of(user) -> Acting:
    """``user.acting``, or nobody for an anonymous user."""
    return user.acting if user.is_authenticated else Acting.nobody()
