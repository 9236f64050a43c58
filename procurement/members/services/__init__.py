"""Writes: every change of state of organisations, people and memberships goes through here.

Each service checks who acts and the rule, runs in one transaction, and writes the audit
trail. ``actor=None`` means the system itself (data loading, scheduled work).
"""

from procurement.members.services.memberships import (
    MEMBERSHIP_STATES,
    membership_activate,
    membership_attach_document,
    membership_request,
    membership_suspend,
    membership_terminate,
)
from procurement.members.services.organizations import (
    editable_fields,
    organization_create,
    organization_update,
    organization_validate,
)
from procurement.members.services.people import (
    can_manage_people,
    role_grant,
    role_revoke,
    roles_for_kind,
    user_create,
    user_invite,
    user_remove_from_organization,
    user_resend_invitation,
    user_set_roles,
    user_switch_organization,
)

__all__ = [
    "MEMBERSHIP_STATES",
    "can_manage_people",
    "editable_fields",
    "membership_activate",
    "membership_attach_document",
    "membership_request",
    "membership_suspend",
    "membership_terminate",
    "organization_create",
    "organization_update",
    "organization_validate",
    "role_grant",
    "role_revoke",
    "roles_for_kind",
    "user_create",
    "user_invite",
    "user_remove_from_organization",
    "user_resend_invitation",
    "user_set_roles",
    "user_switch_organization",
]
