"""Organisations: the list (IMIO staff), one organisation's page, registering and editing."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from procurement.core.permissions import Perm
from procurement.core.selectors import audit_entries_for
from procurement.members import selectors, services
from procurement.members.forms import OrganizationFilterForm, OrganizationForm
from procurement.members.services.organizations import ORGANIZATION_FIELDS
from procurement.members.views.base import PAGE_SIZE, RECENT_ENTRIES, ServiceFormMixin

PEOPLE_SHOWN = 50


class OrganizationListView(PermissionRequiredMixin, ListView):
    permission_required = Perm.ORGANIZATION_VIEW
    template_name = "members/organizations/list.html"
    context_object_name = "organizations"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self):
        return OrganizationFilterForm(self.request.GET)

    def get_queryset(self):
        return self.filter_form.filter(selectors.organizations_with_membership_for(self.request.user))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


class OrganizationDetailView(PermissionRequiredMixin, DetailView):
    permission_required = Perm.ORGANIZATION_VIEW
    template_name = "members/organizations/detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return selectors.organizations_with_membership_for(self.request.user)

    def get_context_data(self, **kwargs):
        user, organization = self.request.user, self.object
        context = {
            "can_edit": bool(services.editable_fields(actor=user, organization=organization)),
            "can_manage_people": services.can_manage_people(user, organization),
        }
        if user.has_perm(Perm.MEMBERSHIP_VIEW):
            context["memberships"] = selectors.memberships_for(user).filter(member=organization)
        if user.has_perm(Perm.USER_VIEW):
            people = selectors.people_for(user).filter(role_assignments__organization=organization).distinct()
            context["people"] = people[:PEOPLE_SHOWN]
        if user.has_perm(Perm.AUDIT_VIEW):
            context["recent_entries"] = audit_entries_for(user, organization_id=organization.pk)[:RECENT_ENTRIES]
        return super().get_context_data(**kwargs, **context)


class OrganizationCreateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    permission_required = Perm.ORGANIZATION_MANAGE
    template_name = "members/organizations/form.html"
    success_message = _("The organisation is registered.")

    def get_form(self, form_class=None):
        return OrganizationForm(**self.get_form_kwargs(), fields=ORGANIZATION_FIELDS)

    def perform(self, form):
        return services.organization_create(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("organization_detail", kwargs={"pk": self.result.pk})


class OrganizationUpdateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """Only the fields the person may change are on the form (the service says which)."""

    permission_required = Perm.ORGANIZATION_VIEW
    template_name = "members/organizations/form.html"
    success_message = _("The changes are saved.")

    @cached_property
    def organization(self):
        return get_object_or_404(selectors.organizations_for(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, form_class=None):
        fields = services.editable_fields(actor=self.request.user, organization=self.organization)
        if not fields:
            raise PermissionDenied
        return OrganizationForm(**self.get_form_kwargs(), fields=fields)

    def get_initial(self):
        return OrganizationForm.initial_for(self.organization)

    def perform(self, form):
        return services.organization_update(
            actor=self.request.user, organization=self.organization, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("organization_detail", kwargs={"pk": self.organization.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, organization=self.organization)
