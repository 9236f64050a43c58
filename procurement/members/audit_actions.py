"""The members app's actions in the audit trail, with their labels."""

from django.utils.translation import gettext_lazy as _

from procurement.core import audit_catalog

FAMILIES = {
    "organization.": (
        _("Organisations"),
        {
            "organization.created": _("Organisation registered"),
            "organization.updated": _("Organisation changed"),
        },
    ),
    "membership.": (
        _("Memberships"),
        {
            "membership.requested": _("Membership requested"),
            "membership.document_attached": _("Signed agreement attached"),
            "membership.activated": _("Membership activated"),
            "membership.reactivated": _("Membership reactivated"),
            "membership.suspended": _("Membership suspended"),
            "membership.terminated": _("Membership terminated"),
        },
    ),
    "user.": (
        _("People"),
        {
            "user.invited": _("Person invited"),
            "user.created": _("Account created"),
            "user.removed": _("Person removed from an organisation"),
            "user.reactivated": _("Account reactivated"),
        },
    ),
    "role.": (
        _("Roles"),
        {
            "role.granted": _("Role granted"),
            "role.revoked": _("Role revoked"),
        },
    ),
}


def register() -> None:
    from procurement.members.models import Membership, Organization, User

    models_by_key = {"organization": Organization, "membership": Membership, "user": User}
    for prefix, (family, actions) in FAMILIES.items():
        audit_catalog.register(prefix, family, actions, models_by_key=models_by_key)
