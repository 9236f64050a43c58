"""Assertions shared by the tests."""

from procurement.core.models import AuditEntry
from procurement.members.models import Membership, Organization, RoleAssignment, User


def database_state() -> dict:
    """Everything a denied request must leave untouched."""
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("user_id", "organization_id", "role")),
        "users": list(
            User.objects.order_by("pk").values(
                "pk", "username", "email", "password", "is_active", "is_staff", "active_organization_id"
            )
        ),
        "audit_entries": AuditEntry.objects.count(),
    }
