"""Membership agreements: list, page with history and decisions, request, signed agreement."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.permissions import Perm
from procurement.members import selectors, services
from procurement.members.forms import (
    DocumentForm,
    MembershipActivateForm,
    MembershipFilterForm,
    MembershipRequestForm,
    ReasonForm,
)
from procurement.members.models import Membership, MembershipStatus
from procurement.members.views.base import (
    PAGE_SIZE,
    AnyPermissionRequiredMixin,
    ServiceFormMixin,
    history_of,
)

HISTORY_SHOWN = 50
# The decision that leads to each status (the state machine says which are allowed when).
ACTION_BY_STATUS = {
    MembershipStatus.ACTIVE: "activate",
    MembershipStatus.SUSPENDED: "suspend",
    MembershipStatus.TERMINATED: "terminate",
}


class MembershipListView(PermissionRequiredMixin, ListView):
    permission_required = Perm.MEMBERSHIP_VIEW
    template_name = "members/memberships/list.html"
    context_object_name = "memberships"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self):
        return MembershipFilterForm(self.request.GET)

    def get_queryset(self):
        return self.filter_form.filter(selectors.memberships_for(self.request.user))

    def can_request(self) -> bool:
        """A member without a membership in progress may ask for one (IMIO does it from the member's page)."""
        user = self.request.user
        organization = user.acting.organization
        return (
            user.has_perm(Perm.MEMBERSHIP_REQUEST)
            and not user.acting.platform_wide
            and organization is not None
            and selectors.open_membership(organization) is None
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form, can_request=self.can_request())


@dataclass(frozen=True)
class Decision:
    """A decision IMIO can take on a membership in its current status, with its form."""

    action: str
    title: str
    form: object
    url: str


def decision_title(action: str, membership: Membership) -> str:
    if action == "activate" and membership.status == MembershipStatus.SUSPENDED:
        return _("Reactivate")
    if action == "terminate" and membership.status == MembershipStatus.REQUESTED:
        return _("Refuse the request")
    return {"activate": _("Activate"), "suspend": _("Suspend"), "terminate": _("Terminate")}[action]


def decision_form(action: str, membership: Membership, data=None, files=None):
    if action == "activate":
        return MembershipActivateForm(data, files, membership=membership, prefix=action)
    return ReasonForm(data, prefix=action)


class MembershipMixin:
    """The membership of the URL, among those the person may see (another one is a 404)."""

    @cached_property
    def membership(self) -> Membership:
        return get_object_or_404(selectors.memberships_for(self.request.user), pk=self.kwargs["pk"])

    def decisions(self, bound: dict) -> list[Decision]:
        membership = self.membership
        if not self.request.user.has_perm(Perm.MEMBERSHIP_DECIDE):
            return []
        allowed = services.MEMBERSHIP_STATES.allowed(membership.status)
        actions = [action for status, action in ACTION_BY_STATUS.items() if status in allowed]
        return [
            Decision(
                action=action,
                title=decision_title(action, membership),
                form=bound[action] if action in bound else decision_form(action, membership),
                url=reverse(f"membership_{action}", kwargs={"pk": membership.pk}),
            )
            for action in actions
        ]

    def can_attach(self) -> bool:
        user = self.request.user
        may = user.has_perm(Perm.MEMBERSHIP_REQUEST) or user.has_perm(Perm.MEMBERSHIP_DECIDE)
        return may and self.membership.status == MembershipStatus.REQUESTED

    @staticmethod
    def document_form(bound: dict) -> DocumentForm:
        return bound["document"] if "document" in bound else DocumentForm(prefix="document")

    def detail_context(self, **bound) -> dict:
        user = self.request.user
        return {
            "membership": self.membership,
            "decisions": self.decisions(bound),
            "document_form": self.document_form(bound) if self.can_attach() else None,
            "history": history_of(user, self.membership, limit=HISTORY_SHOWN)
            if user.has_perm(Perm.AUDIT_VIEW)
            else None,
        }


class MembershipDetailView(PermissionRequiredMixin, MembershipMixin, TemplateView):
    permission_required = Perm.MEMBERSHIP_VIEW
    template_name = "members/memberships/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.detail_context())


class MembershipDocumentView(PermissionRequiredMixin, MembershipMixin, View):
    """The signed agreement, streamed only to those who may see the membership."""

    permission_required = Perm.MEMBERSHIP_VIEW

    def get(self, request, pk):
        document = self.membership.document
        if not document:
            raise Http404
        filename = document.name.rsplit("/", 1)[-1]
        return FileResponse(document.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")


class MembershipActionView(MembershipMixin, ServiceFormMixin, FormView):
    """A form posted from the membership page; with a field error, the page comes back with it."""

    http_method_names = ["post"]
    template_name = "members/memberships/detail.html"
    action = ""

    def get_form(self, form_class=None):
        return decision_form(self.action, self.membership, self.request.POST, self.request.FILES)

    def get_context_data(self, **kwargs):
        return self.detail_context(**{self.action: kwargs["form"]})

    def get_success_url(self):
        return reverse("membership_detail", kwargs={"pk": self.membership.pk})


class MembershipActivateView(PermissionRequiredMixin, MembershipActionView):
    permission_required = Perm.MEMBERSHIP_DECIDE
    action = "activate"
    success_message = _("The membership is active.")

    def perform(self, form):
        data = form.cleaned_data
        return services.membership_activate(
            actor=self.request.user,
            membership=self.membership,
            decision_date=data["decision_date"],
            decision_reference=data["decision_reference"],
            document=data["document"] or None,
        )


class MembershipSuspendView(PermissionRequiredMixin, MembershipActionView):
    permission_required = Perm.MEMBERSHIP_DECIDE
    action = "suspend"
    success_message = _("The membership is suspended.")

    def perform(self, form):
        return services.membership_suspend(
            actor=self.request.user, membership=self.membership, reason=form.cleaned_data["reason"]
        )


class MembershipTerminateView(PermissionRequiredMixin, MembershipActionView):
    permission_required = Perm.MEMBERSHIP_DECIDE
    action = "terminate"
    success_message = _("The membership is terminated.")

    def perform(self, form):
        return services.membership_terminate(
            actor=self.request.user, membership=self.membership, reason=form.cleaned_data["reason"]
        )


class MembershipAttachDocumentView(AnyPermissionRequiredMixin, MembershipActionView):
    permission_required = (Perm.MEMBERSHIP_REQUEST, Perm.MEMBERSHIP_DECIDE)
    action = "document"
    success_message = _("The signed agreement is attached.")

    def get_form(self, form_class=None):
        return DocumentForm(self.request.POST, self.request.FILES, prefix=self.action)

    def perform(self, form):
        return services.membership_attach_document(
            actor=self.request.user, membership=self.membership, document=form.cleaned_data["document"]
        )


class MembershipRequestView(AnyPermissionRequiredMixin, ServiceFormMixin, FormView):
    """A member asks to join (IMIO can record the request for a member)."""

    permission_required = (Perm.MEMBERSHIP_REQUEST, Perm.MEMBERSHIP_DECIDE)
    template_name = "members/memberships/request.html"
    form_class = MembershipRequestForm
    success_message = _("The membership request is recorded.")

    @cached_property
    def member(self):
        if "pk" in self.kwargs:
            return get_object_or_404(selectors.organizations_for(self.request.user), pk=self.kwargs["pk"])
        if self.request.user.acting.organization is None:
            raise Http404
        return self.request.user.acting.organization

    def perform(self, form):
        return services.membership_request(
            actor=self.request.user,
            member=self.member,
            decision_date=form.cleaned_data["decision_date"],
            decision_reference=form.cleaned_data["decision_reference"],
            document=form.cleaned_data["document"] or None,
        )

    def get_success_url(self):
        return reverse("membership_detail", kwargs={"pk": self.result.pk})

    def get_refusal_url(self):
        return reverse("organization_detail", kwargs={"pk": self.member.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, member=self.member)
