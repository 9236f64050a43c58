"""Report parameters: one form per report, built from these fields, for the page and the API alike.

A bad parameter is a form error naming the field and the reason; the API answers it with 400.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.members.forms import ManyOptionsSelect
from procurement.members.models import MEMBER_KINDS, OrganizationKind
from procurement.orders.models import OrderStatus
from procurement.orders.rollups import COUNTING
from reports import scope
from reports.scope import Viewer

MAX_YEARS = 10
MEMBER_KIND_CHOICES = [(kind.value, kind.label) for kind in OrganizationKind if kind in MEMBER_KINDS]
COUNTING_CHOICES = [(status.value, status.label) for status in OrderStatus if status in COUNTING]
ORDER_STATUS_CHOICES = [(status.value, status.label) for status in OrderStatus]


def start_of_year(day: datetime.date | None = None) -> datetime.date:
    return (day or timezone.localdate()).replace(month=1, day=1)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class OrganizationChoiceField(forms.ModelChoiceField):
    widget = ManyOptionsSelect  # IMIO chooses among 2,000 members at ten years

    def label_from_instance(self, obj) -> str:
        return obj.name


class AgreementChoiceField(forms.ModelChoiceField):
    widget = ManyOptionsSelect

    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} — {obj.title}"


class ReportForm(forms.Form):
    """Base of every report's parameters: knows the viewer, restricts choices to what it may see."""

    def __init__(self, *args, viewer: Viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        if "member" in self.fields:
            self.fields["member"].queryset = scope.members(viewer).order_by("name")
        if "supplier" in self.fields:
            self.fields["supplier"].queryset = scope.suppliers(viewer).order_by("name")
        if "agreement" in self.fields:
            self.fields["agreement"].queryset = scope.agreements(viewer).order_by("reference")

    def described(self) -> list[tuple[str, str]]:
        """The parameters as shown in a report's header: (label, value), the empty ones left out."""
        shown = []
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], ()) or value is False or name.startswith("_"):
                continue
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                text = field.label_from_instance(value)
            elif isinstance(field, forms.MultipleChoiceField):
                choices = dict(field.choices)
                text = ", ".join(str(choices.get(v, v)) for v in value)
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices).get(value, value))
            elif isinstance(value, datetime.date):
                text = value.strftime("%d/%m/%Y")
            else:
                text = str(value)
            shown.append((str(field.label), text))
        return shown


class PeriodMixin(forms.Form):
    """A period of at most ten years, in order; by default the current year up to today."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        date_from = cleaned.get("date_from") or start_of_year(today)
        date_to = cleaned.get("date_to") or max(today, date_from)
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        if date_from > date_to:
            self.add_error("date_to", _("The end of the period comes before its start."))
        elif date_to >= add_years(date_from, MAX_YEARS):
            self.add_error("date_to", _("A report covers at most ten years."))
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned


class OrderFiltersMixin(forms.Form):
    member = OrganizationChoiceField(label=_("Member"), queryset=None, required=False)
    member_kind = forms.ChoiceField(label=_("Kind of member"), choices=[("", ""), *MEMBER_KIND_CHOICES], required=False)
    supplier = OrganizationChoiceField(label=_("Supplier"), queryset=None, required=False)
    agreement = AgreementChoiceField(label=_("Framework agreement"), queryset=None, required=False)
