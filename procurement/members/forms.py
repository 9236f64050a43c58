"""Forms of the web interface. They read and check what a person typed; services decide.

Filter forms narrow a queryset that a selector returned (``filter(queryset)``); action forms
hand their cleaned data to a service, whose field errors come back through
:func:`add_service_errors`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from procurement.core import audit_catalog
from procurement.core.tasks import send_email
from procurement.members import selectors
from procurement.members.models import (
    OPEN_MEMBERSHIP_STATUSES,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    User,
)
from procurement.members.services import roles_for_kind
from procurement.members.services.organizations import ORGANIZATION_FIELDS

NO_MEMBERSHIP = "none"

# Actions of the audit trail, by family, are declared in the apps' ready() (core/audit_catalog).
AUDIT_ACTIONS = audit_catalog.ACTION_FAMILIES
AUDITED_MODELS = audit_catalog.AUDITED_MODELS


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field when the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ManyOptionsSelect(forms.Select):
    """A select among many options — IMIO's filters offer 2,000 members and 500 agreements at
    ten years — written in Python.

    ``forms.Select`` writes each option through a template of its own (and builds a dictionary
    per option first): about 0.1 ms an option, most of the orders page's time for IMIO. This
    writes the same HTML, escaped the same way, straight from the choices; it has no optgroups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]  # not Select's per-option dicts
        selected = set(widget["value"])
        # as django/forms/widgets/attrs.html writes them: in their order, True alone, False left out
        attributes = "".join(
            f" {conditional_escape(key)}"
            if value is True
            else f' {conditional_escape(key)}="{conditional_escape(value)}"'
            for key, value in widget["attrs"].items()
            if value is not False
        )
        options = "\n  ".join(
            f'<option value="{conditional_escape(key)}"{" selected" if key in selected else ""}>{conditional_escape(label)}</option>'
            for key, label in ((str(key), label) for key, label in self.choices)  # values as text, as the template
        )
        return mark_safe(f'<select name="{conditional_escape(name)}"{attributes}>\n  {options}\n</select>')  # noqa: S308 — escaped above


class DateInput(forms.DateInput):
    """The browser's date picker; it sends ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class WebForm(forms.Form):
    required_css_class = "required"


# --- Filters ---------------------------------------------------------------------------------


class OrganizationFilterForm(WebForm):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Name, city, enterprise number or NIS code."))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganizationKind.choices])
    membership_status = forms.ChoiceField(
        label=_("Membership"),
        required=False,
        choices=[
            ("", _("Any")),
            *((status.value, status.label) for status in OPEN_MEMBERSHIP_STATUSES),
            (NO_MEMBERSHIP, _("No open membership")),
        ],
    )

    def filter(self, queryset: QuerySet[Organization]) -> QuerySet[Organization]:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["membership_status"] == NO_MEMBERSHIP:
            queryset = queryset.filter(membership_status__isnull=True)
        elif data["membership_status"]:
            queryset = queryset.filter(membership_status=data["membership_status"])
        return selectors.search_organizations(queryset, data["q"])


class MembershipFilterForm(WebForm):
    q = forms.CharField(label=_("Member"), required=False, help_text=_("Part of the member's name."))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *MembershipStatus.choices])

    def filter(self, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
        if not self.is_valid():
            return queryset
        if self.cleaned_data["status"]:
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["q"]:
            queryset = queryset.filter(member__name__icontains=self.cleaned_data["q"])
        return queryset


class PeopleFilterForm(WebForm):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Name, username or e-mail."))
    organization = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organization.objects.none(), empty_label=_("All")
    )

    def __init__(self, *args, organizations: QuerySet[Organization] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations

    def filter(self, queryset: QuerySet[User]) -> QuerySet[User]:

        if not self.is_valid():
            return queryset
        organization = self.cleaned_data.get("organization")
        if organization is not None:
            queryset = queryset.filter(role_assignments__organization=organization).distinct()
        if self.cleaned_data["q"]:
            queryset = selectors.search_people(queryset, self.cleaned_data["q"])
        return queryset


def _audit_action_choices() -> list:
    choices: list = [("", _("All actions"))]
    for prefix, (family, actions) in AUDIT_ACTIONS.items():
        choices.append((family, [(prefix, _("All of them")), *actions.items()]))
    return choices


class AuditFilterForm(WebForm):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_audit_action_choices)
    object_type = forms.ChoiceField(label=_("Object"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput(), help_text=_("This day included."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [
            ("", _("All objects")),
            *((key, model._meta.verbose_name.capitalize()) for key, model in AUDITED_MODELS.items()),
        ]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        action = data["action"]
        if action.endswith("."):
            queryset = queryset.filter(action__startswith=action)
        elif action:
            queryset = queryset.filter(action=action)
        if data["object_type"]:
            queryset = queryset.filter(
                content_type=ContentType.objects.get_for_model(AUDITED_MODELS[data["object_type"]])
            )
        if data["since"]:
            queryset = queryset.filter(at__gte=start_of_day(data["since"]))
        if data["until"]:
            queryset = queryset.filter(at__lt=start_of_day(data["until"] + datetime.timedelta(days=1)))
        return queryset


class CpvSearchForm(WebForm):
    q = forms.CharField(
        label=_("Search the CPV codes"),
        required=False,
        max_length=100,
        help_text=_("Words of the label, or the start of a code (e.g. 30192)."),
    )


# --- Organisations ---------------------------------------------------------------------------

# Identifiers are typed in their display form (0123.456.789, BE71 0961 …); the service normalises.
FIELD_OVERRIDES = {
    "enterprise_number": {"max_length": 20},
    "iban": {"max_length": 42},
    "website": {"assume_scheme": "https"},
}


class OrganizationForm(WebForm):
    """The organisation's fields that the person may change, in the usual order."""

    def __init__(self, *args, fields: frozenset[str] | tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ORGANIZATION_FIELDS:
            if name in fields:
                self.fields[name] = self._field(name)

    @staticmethod
    def _field(name: str) -> forms.Field:
        return Organization._meta.get_field(name).formfield(**FIELD_OVERRIDES.get(name, {}))

    @classmethod
    def initial_for(cls, organization: Organization) -> dict:
        initial = {name: getattr(organization, name) for name in ORGANIZATION_FIELDS}
        initial.update(enterprise_number=organization.enterprise_number_display, iban=organization.iban_display)
        return initial


# --- Memberships -----------------------------------------------------------------------------


class SignedAgreementField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Signed membership agreement (PDF)"))
        super().__init__(widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}), **kwargs)


class MembershipRequestForm(WebForm):
    decision_date = forms.DateField(
        label=_("Council decision date"),
        required=False,
        widget=DateInput(),
        help_text=_("The date the council decided to join."),
    )
    decision_reference = forms.CharField(label=_("Council decision reference"), required=False, max_length=100)
    document = SignedAgreementField(
        required=False, help_text=_("You can also attach it later, until the membership is activated.")
    )


class MembershipActivateForm(WebForm):
    """What activation needs; what the member already sent is prefilled or may be left out."""

    decision_date = forms.DateField(label=_("Council decision date"), widget=DateInput())
    decision_reference = forms.CharField(label=_("Council decision reference"), max_length=100)
    document = SignedAgreementField()

    def __init__(self, *args, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial", {"decision_date": membership.decision_date, "decision_reference": membership.decision_reference}
        )
        super().__init__(*args, **kwargs)
        if membership.document:
            self.fields["document"].required = False
            self.fields["document"].help_text = _("Leave empty to keep the agreement on record.")


class ReasonForm(WebForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member will read it."),
        max_length=2000,
    )


class DocumentForm(WebForm):
    document = SignedAgreementField()


# --- People ----------------------------------------------------------------------------------


def role_choices(kind: str) -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in roles_for_kind(kind)]


class RolesForm(WebForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role. To withdraw every role, remove the person.")},
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(organization.kind)
        self.fields["roles"].label = _("Roles in %(organization)s") % {"organization": organization}


class InvitationForm(RolesForm):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)

    field_order = ["email", "first_name", "last_name", "roles"]


class SwitchOrganizationForm(WebForm):
    organization = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args, organizations: tuple[Organization, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {organization.pk: organization for organization in organizations}
        self.fields["organization"].choices = [(pk, str(org)) for pk, org in self.organizations.items()]

    def chosen(self) -> Organization:
        return self.organizations[self.cleaned_data["organization"]]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form; the e-mail leaves through the background queue, like every other one."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        subject = " ".join(render_to_string(subject_template_name, context).split())
        body = render_to_string(email_template_name, context)
        send_email.delay(subject=subject, body=body, recipients=[to_email])
