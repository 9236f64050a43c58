"""Forms of the mini-competition pages. They read and check what a person typed; the services decide.

- the need (``CompetitionForm``) and its lines (a formset), prefilled like the cart's checkout;
- a supplier's quote: a unit price and a VAT rate for every line of the need, and a note;
- the award: quality points per quote (0 to the agreement's quality weight), the quote, the reason.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.core.facts import vat_rates
from procurement.core.units import Unit
from procurement.members.forms import WebForm
from procurement.orders.forms import BUDGET_ARTICLE_HELP, QUANTITY, quantity_input
from procurement.orders.models import CompetitionStatus, Quote
from procurement.orders.services._common import clean_quantity_of
from procurement.orders.services.competitions import MIN_OPEN
from tenders.forms import CpvCodeField, date_time_field, plain, rows_of

UNIT_PRICE = {"max_digits": 16, "decimal_places": 4}
POINTS = {"max_digits": 7, "decimal_places": 2}


# --- The list --------------------------------------------------------------------------------


class CompetitionFilterForm(WebForm):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *CompetitionStatus.choices]

    def filter(self, competitions: QuerySet) -> QuerySet:
        if self.is_valid() and self.cleaned_data["status"]:
            return competitions.filter(status=self.cleaned_data["status"])
        return competitions


# --- The need --------------------------------------------------------------------------------


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organization) -> str:
        return organization.name


class CompetitionForm(WebForm):
    """The need the suppliers quote on; the member is chosen by an IMIO buyer only."""

    member = MemberChoiceField(
        label=_("Member"),
        queryset=None,
        help_text=_("The member the need is for, among those subscribed to the agreement."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Need"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("What the suppliers quote on: the use, the requirements, the delivery."),
    )
    deadline = date_time_field(
        _("Quotes until"),
        help_text=_("At least 24 hours after the publication. Quotes stay sealed until then."),
    )
    budget_article = forms.CharField(label=_("Budget article"), max_length=30, help_text=BUDGET_ARTICLE_HELP)
    delivery_address = forms.CharField(
        label=_("Delivery address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("End with the postcode and the municipality, e.g. 5000 Namur."),
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=150, help_text=_("The person the suppliers can contact.")
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    def __init__(self, *args, members: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.now() + MIN_OPEN:
            raise ValidationError(_("Give the suppliers at least 24 hours to quote."), code="too_close")
        return deadline


class CompetitionLineForm(WebForm):
    description = forms.CharField(label=_("Description"), max_length=300)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.ONE)
    quantity = forms.DecimalField(label=_("Quantity"), widget=quantity_input(), **QUANTITY)
    cpv_code = CpvCodeField(label=_("CPV code"), required=False)

    def clean(self):
        data = super().clean()
        quantity, unit = data.get("quantity"), data.get("unit")
        if quantity is not None and unit:
            try:
                clean_quantity_of(quantity, unit=unit)
            except ValidationError as error:
                self.add_error("quantity", error.message_dict["quantity"])
        return data


class BaseCompetitionLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not rows_of(self):
            raise ValidationError(_("Describe at least one line of the need."))


CompetitionLineFormSet = forms.formset_factory(CompetitionLineForm, formset=BaseCompetitionLineFormSet, extra=5)


def lines_of(formset) -> list[dict]:
    """The filled lines, in order, as the service takes them (the CPV code as its text)."""
    lines = []
    for form in rows_of(formset):
        data = form.cleaned_data
        cpv = data.get("cpv_code")
        lines.append(
            {
                "description": data["description"],
                "unit": data["unit"],
                "quantity": data["quantity"],
                "cpv_code": cpv.code if cpv is not None else "",
            }
        )
    return lines


# --- A supplier's quote ----------------------------------------------------------------------


def vat_choices() -> list[tuple[str, str]]:
    return [(str(rate), f"{plain(rate)} %") for rate in vat_rates()]


class QuoteForm(WebForm):
    """A unit price excl. VAT and a VAT rate for every line of the need; prefilled with one's quote."""

    note = forms.CharField(
        label=_("Note to the member"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text=_("Brands, models, delivery time: what the member should know about your quote."),
    )

    def __init__(self, *args, lines, content: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        given = {entry["line"]: entry for entry in (content or {}).get("lines", [])}
        choices = vat_choices()
        default_rate = choices[0][0] if choices else ""
        fields = {}
        for line in self.lines:
            previous = given.get(line.pk, {})
            label = f"{line.position}. {line.description}"
            fields[self.price_field(line)] = forms.DecimalField(
                label=_("Unit price excl. VAT (€) — %(line)s") % {"line": label},
                min_value=Decimal("0.0001"),
                initial=plain(Decimal(previous["unit_price"])) if previous else None,
                widget=quantity_input(size=10),
                **UNIT_PRICE,
            )
            fields[self.vat_field(line)] = forms.ChoiceField(
                label=_("VAT rate — %(line)s") % {"line": label},
                choices=choices,
                initial=previous.get("vat_rate", default_rate),
            )
        self.fields = {**fields, **self.fields}
        if content:
            self.fields["note"].initial = content.get("note", "")

    @staticmethod
    def price_field(line) -> str:
        return f"price_{line.pk}"

    @staticmethod
    def vat_field(line) -> str:
        return f"vat_{line.pk}"

    def rows(self):
        """``(line, price field, VAT field)`` for the table of the page."""
        return [(line, self[self.price_field(line)], self[self.vat_field(line)]) for line in self.lines]

    def prices(self) -> dict[int, dict[str, str]]:
        return {
            line.pk: {
                "unit_price": str(self.cleaned_data[self.price_field(line)]),
                "vat_rate": self.cleaned_data[self.vat_field(line)],
            }
            for line in self.lines
        }


# --- The award -------------------------------------------------------------------------------


class QuoteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, quote) -> str:
        return quote.supplier.name


class AwardForm(WebForm):
    """Quality points per quote (when the agreement has quality criteria), the quote awarded, the reason."""

    quote = QuoteChoiceField(
        label=_("Quote awarded"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("The best by the agreement's criteria: price points plus quality points."),
    )
    reason = forms.CharField(
        label=_("Reason for the award"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text=_("Every supplier that quoted receives it."),
    )

    def __init__(self, *args, quotes, quality_weight: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.quotes = list(quotes)
        self.quality_weight = quality_weight
        self.fields["quote"].queryset = Quote.objects.filter(pk__in=[quote.pk for quote in self.quotes]).select_related(
            "supplier"
        )
        points = {}
        if quality_weight > 0:
            for quote in self.quotes:
                points[self.points_field(quote)] = forms.DecimalField(
                    label=_("Quality points of %(supplier)s") % {"supplier": quote.supplier.name},
                    min_value=0,
                    max_value=quality_weight,
                    initial=quote.quality_points,
                    help_text=_("0 to %(weight)s points.") % {"weight": plain(quality_weight)},
                    **POINTS,
                )
        self.fields = {**points, **self.fields}

    @staticmethod
    def points_field(quote) -> str:
        return f"quality_{quote.pk}"

    def points_of(self, quote) -> forms.BoundField | None:
        name = self.points_field(quote)
        return self[name] if name in self.fields else None

    def quality_points(self) -> dict[int, Decimal]:
        return {
            quote.pk: self.cleaned_data[self.points_field(quote)]
            for quote in self.quotes
            if self.cleaned_data.get(self.points_field(quote)) is not None
        }
