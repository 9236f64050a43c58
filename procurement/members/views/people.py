"""People of an organisation: the list, a person's page with their roles, invitations."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.permissions import Perm
from procurement.members import selectors, services
from procurement.members.forms import InvitationForm, PeopleFilterForm, RolesForm
from procurement.members.models import Organization, User
from procurement.members.views.base import PAGE_SIZE, ServiceButtonView, ServiceFormMixin


class PeopleListView(PermissionRequiredMixin, ListView):
    permission_required = Perm.USER_VIEW
    template_name = "members/people/list.html"
    context_object_name = "people"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self):
        user = self.request.user
        organizations = selectors.organizations_for(user) if user.acting.platform_wide else None
        return PeopleFilterForm(self.request.GET, organizations=organizations)

    def get_queryset(self):
        return self.filter_form.filter(selectors.people_for(self.request.user))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


def roles_prefix(organization: Organization) -> str:
    """Each organisation's roles form on the person's page has its own field names."""
    return f"organization-{organization.pk}"


@dataclass(frozen=True)
class Affiliation:
    """A person's roles in one organisation, and the form to change them when allowed."""

    organization: Organization
    roles: list
    form: RolesForm | None


class PersonMixin:
    """The person of the URL, among the people the user may see (another one is a 404)."""

    @cached_property
    def person(self) -> User:
        return get_object_or_404(selectors.people_for(self.request.user), pk=self.kwargs["pk"])

    def affiliations(self, bound: dict) -> list[Affiliation]:
        by_organization: dict[int, Affiliation] = {}
        for assignment in self.person.role_assignments.all():
            organization = assignment.organization
            if organization.pk not in by_organization:
                by_organization[organization.pk] = Affiliation(organization, [], self.roles_form(organization, bound))
            by_organization[organization.pk].roles.append(assignment)
        return list(by_organization.values())

    def roles_form(self, organization: Organization, bound: dict) -> RolesForm | None:
        if not services.can_manage_people(self.request.user, organization):
            return None
        if organization.pk in bound:
            return bound[organization.pk]
        initial = {"roles": sorted(self.current_roles(organization))}
        return RolesForm(organization=organization, initial=initial, prefix=roles_prefix(organization))

    def current_roles(self, organization: Organization) -> set[str]:
        return {a.role for a in self.person.role_assignments.all() if a.organization_id == organization.pk}

    def person_context(self, bound: dict | None = None) -> dict:
        return {"person": self.person, "affiliations": self.affiliations(bound or {})}

    def person_url(self) -> str:
        return reverse("person_detail", kwargs={"pk": self.person.pk})


class PersonDetailView(PermissionRequiredMixin, PersonMixin, TemplateView):
    permission_required = Perm.USER_VIEW
    template_name = "members/people/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.person_context())


class PersonOrganizationMixin(PersonMixin):
    """A change to a person's place in one organisation, which the user must reach (else 404)."""

    @cached_property
    def organization(self) -> Organization:
        return get_object_or_404(selectors.organizations_for(self.request.user), pk=self.kwargs["organization_pk"])


class PersonRolesView(PermissionRequiredMixin, PersonOrganizationMixin, ServiceFormMixin, FormView):
    """The roles ticked on the person's page: grant what was added, revoke what was removed."""

    permission_required = Perm.USER_MANAGE
    http_method_names = ["post"]
    template_name = "members/people/detail.html"

    def get_form(self, form_class=None):
        return RolesForm(self.request.POST, organization=self.organization, prefix=roles_prefix(self.organization))

    def perform(self, form):
        services.user_set_roles(
            actor=self.request.user, user=self.person, organization=self.organization, roles=form.cleaned_data["roles"]
        )

    def get_context_data(self, **kwargs):
        return self.person_context(bound={self.organization.pk: kwargs["form"]})

    def get_success_url(self):
        return self.person_url()

    def get_success_message(self):
        return _("The roles of %(person)s are saved.") % {"person": self.person}


class PersonRemoveView(PermissionRequiredMixin, PersonOrganizationMixin, ServiceButtonView):
    permission_required = Perm.USER_MANAGE

    def perform(self):
        services.user_remove_from_organization(
            actor=self.request.user, user=self.person, organization=self.organization
        )

    def get_success_message(self):
        return _("%(person)s no longer acts for %(organization)s.") % {
            "person": self.person,
            "organization": self.organization,
        }

    def get_success_url(self):
        return reverse("people")

    def get_refusal_url(self):
        return self.person_url()


class PersonResendInvitationView(PermissionRequiredMixin, PersonOrganizationMixin, ServiceButtonView):
    permission_required = Perm.USER_MANAGE

    def perform(self):
        services.user_resend_invitation(actor=self.request.user, user=self.person, organization=self.organization)

    def get_success_message(self):
        return _("The invitation is sent again to %(email)s.") % {"email": self.person.email}

    def get_success_url(self):
        return self.person_url()


class InvitationView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """Invite a person into the active organisation (or, for IMIO, the organisation of the URL)."""

    permission_required = Perm.USER_MANAGE
    template_name = "members/people/invite.html"

    @cached_property
    def organization(self) -> Organization:
        user = self.request.user
        if "pk" in self.kwargs:
            organization = get_object_or_404(selectors.organizations_for(user), pk=self.kwargs["pk"])
        elif user.acting.organization is not None:
            organization = user.acting.organization
        else:
            raise Http404
        if not services.can_manage_people(user, organization):
            raise PermissionDenied
        return organization

    def get_form(self, form_class=None):
        return InvitationForm(**self.get_form_kwargs(), organization=self.organization)

    def perform(self, form):
        return services.user_invite(actor=self.request.user, organization=self.organization, **form.cleaned_data)

    def get_success_url(self):
        return reverse("person_detail", kwargs={"pk": self.result.pk})

    def get_success_message(self):
        return _("%(email)s is invited.") % {"email": self.result.email}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, organization=self.organization)
