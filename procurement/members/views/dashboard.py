"""The home page: what matters to the person, according to whom they act for."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from procurement.core.permissions import Perm
from procurement.core.selectors import audit_entries_for
from procurement.members import selectors
from procurement.members.models import MembershipStatus, OrganizationKind
from procurement.members.views.base import RECENT_ENTRIES

PEOPLE_SHOWN = 20


def audience(acting) -> str:
    """Which dashboard: IMIO staff, a member, a supplier, an observer, or nobody yet."""
    if acting.organization is None:
        return "no_organization"
    if acting.platform_wide:
        return "staff"
    if acting.organization.is_member_kind:
        return "member"
    if acting.organization.kind == OrganizationKind.SUPPLIER:
        return "supplier"
    return "observer"


def recent_audit(user):
    return audit_entries_for(user)[:RECENT_ENTRIES] if user.has_perm(Perm.AUDIT_VIEW) else None


def people_of_organization(user):
    return selectors.people_for(user)[:PEOPLE_SHOWN] if user.has_perm(Perm.USER_VIEW) else None


def staff_context(user) -> dict:
    pending = selectors.memberships_for(user).filter(status=MembershipStatus.REQUESTED).order_by("requested_at")
    return {
        "statistics": selectors.member_statistics(),
        "pending_requests": pending[:RECENT_ENTRIES],
        "recent_entries": recent_audit(user),
    }


def member_context(user) -> dict:
    organization = user.acting.organization
    return {
        "organization": organization,
        "membership": selectors.open_membership(organization),
        "people": people_of_organization(user),
        "recent_entries": recent_audit(user),
    }


def supplier_context(user) -> dict:
    return {"organization": user.acting.organization, "people": people_of_organization(user)}


def observer_context(user) -> dict:
    statistics = selectors.member_statistics() if user.has_perm(Perm.STATISTICS_VIEW) else None
    return {"organization": user.acting.organization, "statistics": statistics}


CONTEXTS = {
    "staff": staff_context,
    "member": member_context,
    "supplier": supplier_context,
    "observer": observer_context,
    "no_organization": lambda user: {},
}


class DashboardView(LoginRequiredMixin, TemplateView):
    def get_template_names(self) -> list[str]:
        return [f"members/dashboard/{audience(self.request.user.acting)}.html"]

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs, **CONTEXTS[audience(user.acting)](user))
