"""Roles and what they allow: the one place where the mapping lives.

A user holds roles *in* organisations; what they may do is the union of the permissions of
their roles in the organisation they are acting for (the active one). Views and API
endpoints declare the permission they need; they never test roles.

Whether a permission reaches every organisation or only one's own is not decided here but
by the selectors, which start from the active organisation: IMIO staff (roles held in the
central purchasing body) see across members; everybody else sees their own organisation.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Platform administrator")
    BUYER = "buyer", _("Buyer")
    FINANCE = "finance", _("Finance")
    MEMBER_ADMIN = "member_admin", _("Member administrator")
    MEMBER_OFFICER = "member_officer", _("Purchasing officer")
    MEMBER_APPROVER = "member_approver", _("Approver")
    SUPPLIER = "supplier", _("Supplier")
    OBSERVER = "observer", _("Observer")


class Perm(StrEnum):
    """Permission names. Views declare one of these; roles grant them below."""

    # Organisations: view those the selectors let through; manage any (IMIO); edit one's own.
    ORGANIZATION_VIEW = "organization.view"
    ORGANIZATION_MANAGE = "organization.manage"
    ORGANIZATION_EDIT_OWN = "organization.edit_own"
    # Membership agreements: view; request one's own; decide (activate, suspend, terminate).
    MEMBERSHIP_VIEW = "membership.view"
    MEMBERSHIP_REQUEST = "membership.request"
    MEMBERSHIP_DECIDE = "membership.decide"
    # People of an organisation: see them; invite, grant and revoke roles.
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    # Audit trail (scoped by the selectors like everything else).
    AUDIT_VIEW = "audit.view"
    # Reference data (CPV codes, communes).
    REFERENCE_VIEW = "reference.view"
    # Aggregate figures of the central purchasing body (counts, no detail).
    STATISTICS_VIEW = "statistics.view"
    # Needs surveys: see the open ones; prepare, open and close them (IMIO); declare one's needs.
    SURVEY_VIEW = "survey.view"
    SURVEY_MANAGE = "survey.manage"
    SURVEY_DECLARE = "survey.declare"
    # Tenders: see the published ones (drafts: IMIO); draft, publish, open, evaluate, award, conclude.
    TENDER_VIEW = "tender.view"
    TENDER_MANAGE = "tender.manage"
    # Questions of candidates during a tender, and the buyer's answers.
    QUESTION_ASK = "question.ask"
    QUESTION_ANSWER = "question.answer"
    # Bids: see (one's own, or all for the buyer; amounts only after opening); submit one's own.
    BID_VIEW = "bid.view"
    BID_SUBMIT = "bid.submit"
    # Framework agreements: see them; amend, substitute a supplier, terminate.
    AGREEMENT_VIEW = "agreement.view"
    AGREEMENT_MANAGE = "agreement.manage"
    # Catalogues: search them; import and revise any (IMIO); propose one's own price list (supplier).
    CATALOG_VIEW = "catalog.view"
    CATALOG_MANAGE = "catalog.manage"
    CATALOG_PROPOSE = "catalog.propose"
    # Orders: see them (a member its own, a supplier those sent to it, IMIO all); subscribe to
    # agreements, fill a cart, check out, submit and cancel (officer); configure the approval
    # chain (member administrator); approve (approver); confirm, decline, deliver (supplier);
    # record off-platform call-offs (IMIO buyer).
    ORDER_VIEW = "order.view"
    ORDER_PLACE = "order.place"
    ORDER_APPROVE = "order.approve"
    ORDER_FULFIL = "order.fulfil"
    ORDER_MANAGE = "order.manage"
    APPROVAL_CONFIGURE = "approval.configure"
    # Reports (consumption, spend, savings, registers, statements): what each sees is decided by
    # the reports' scope (IMIO all, a member its own, a supplier what was addressed to it,
    # an observer aggregates only).
    REPORT_VIEW = "report.view"
    # Reach beyond one's own organisation (effective only in the central purchasing body).
    PLATFORM_WIDE = "platform.wide"


_EVERYONE = {Perm.ORGANIZATION_VIEW, Perm.REFERENCE_VIEW, Perm.TENDER_VIEW, Perm.AGREEMENT_VIEW}
_MEMBER_STAFF = _EVERYONE | {
    Perm.MEMBERSHIP_VIEW,
    Perm.USER_VIEW,
    Perm.AUDIT_VIEW,
    Perm.SURVEY_VIEW,
    Perm.CATALOG_VIEW,
    Perm.ORDER_VIEW,
}
_BUYING = {
    Perm.MEMBERSHIP_DECIDE,
    Perm.SURVEY_MANAGE,
    Perm.TENDER_MANAGE,
    Perm.QUESTION_ANSWER,
    Perm.BID_VIEW,
    Perm.AGREEMENT_MANAGE,
    Perm.CATALOG_MANAGE,
    Perm.ORDER_MANAGE,
}

# What each role allows wherever it is held.
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset(
        _MEMBER_STAFF
        | {
            Perm.ORGANIZATION_MANAGE,
            Perm.MEMBERSHIP_DECIDE,
            Perm.USER_MANAGE,
            Perm.ORGANIZATION_EDIT_OWN,
            Perm.REPORT_VIEW,
        }
    ),
    Role.BUYER: frozenset(_MEMBER_STAFF | _BUYING | {Perm.REPORT_VIEW}),
    Role.FINANCE: frozenset(_MEMBER_STAFF | {Perm.REPORT_VIEW}),
    Role.MEMBER_ADMIN: frozenset(
        _MEMBER_STAFF
        | {
            Perm.ORGANIZATION_EDIT_OWN,
            Perm.MEMBERSHIP_REQUEST,
            Perm.USER_MANAGE,
            Perm.SURVEY_DECLARE,
            Perm.APPROVAL_CONFIGURE,
            Perm.REPORT_VIEW,
        }
    ),
    Role.MEMBER_OFFICER: frozenset(_MEMBER_STAFF | {Perm.MEMBERSHIP_REQUEST, Perm.SURVEY_DECLARE, Perm.ORDER_PLACE}),
    Role.MEMBER_APPROVER: frozenset(_MEMBER_STAFF | {Perm.ORDER_APPROVE}),
    Role.SUPPLIER: frozenset(
        _EVERYONE
        | {
            Perm.USER_VIEW,
            Perm.AUDIT_VIEW,
            Perm.QUESTION_ASK,
            Perm.BID_VIEW,
            Perm.BID_SUBMIT,
            Perm.CATALOG_VIEW,
            Perm.CATALOG_PROPOSE,
            Perm.ORDER_VIEW,
            Perm.ORDER_FULFIL,
            Perm.REPORT_VIEW,
        }
    ),
    Role.OBSERVER: frozenset(_EVERYONE | {Perm.STATISTICS_VIEW, Perm.REPORT_VIEW}),
}

# What IMIO's own staff add when they act for the central purchasing body: the reach across
# every organisation and the platform's figures. (A commune's finance officer holds the same
# "finance" role as IMIO's, but only for the commune.)
CENTRAL_BODY_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.FINANCE})
CENTRAL_BODY_PERMISSIONS = frozenset({Perm.PLATFORM_WIDE, Perm.STATISTICS_VIEW})


def permissions_for(roles, *, central_purchasing_body: bool) -> frozenset[Perm]:
    """The union of the permissions of ``roles`` held in one organisation."""
    granted: set[Perm] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
        if central_purchasing_body and role in CENTRAL_BODY_ROLES:
            granted |= CENTRAL_BODY_PERMISSIONS
    return frozenset(granted)
