"""Forms of the catalogue pages. They read and check what a person typed; the services decide.

The search form narrows the lines a selector returned (``filter(items)``); the upload and
revision forms hand their cleaned data to a service.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog import search
from catalog.models import CatalogItem, ImportMode, PriceRevisionKind
from procurement.core import facts
from procurement.members.forms import DateInput, ManyOptionsSelect, WebForm

UNIT_PRICE = {"max_digits": 16, "decimal_places": 4}
INDICES = 3  # reference indices a revision formula may weigh
ACTIVE_ONLY, WITHDRAWN, ALL_LINES = "active", "withdrawn", "all"
NEWEST, BY_NAME, CHEAPEST, DEAREST = "newest", "name", "price", "-price"


def by_name(items: QuerySet[CatalogItem]) -> QuerySet[CatalogItem]:
    """Alphabetical in the reader's language (French where a line has no name in it)."""
    language = (get_language() or "fr")[:2]
    field = f"name_{language}" if language in ("fr", "nl", "de", "en") else "name_fr"
    name = Lower(Coalesce(NullIf(F(field), Value("")), F("name_fr")))
    return items.annotate(sort_name=name).order_by("sort_name", "pk")


class CatalogSearchForm(WebForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Words of the name, description, reference or CPV label."),
    )
    agreement = forms.ModelChoiceField(
        label=_("Framework agreement"), queryset=None, required=False, widget=ManyOptionsSelect
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None, required=False, widget=ManyOptionsSelect)
    cpv = forms.CharField(
        label=_("CPV code"),
        required=False,
        max_length=12,
        help_text=_("A division, group or class: 30, 301, 3019 or 30190000-4."),
    )
    price_min = forms.DecimalField(label=_("Unit price from (€)"), required=False, min_value=0, **UNIT_PRICE)
    price_max = forms.DecimalField(label=_("Unit price up to (€)"), required=False, min_value=0, **UNIT_PRICE)
    vat_rate = forms.TypedChoiceField(label=_("VAT rate"), required=False, coerce=Decimal, empty_value=None)
    active = forms.ChoiceField(
        label=_("Lines"),
        required=False,
        choices=[(ACTIVE_ONLY, _("Active lines")), (WITHDRAWN, _("Withdrawn lines")), (ALL_LINES, _("All lines"))],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("Default (by name; newest first for a search)")),
            (BY_NAME, _("Name")),
            (NEWEST, _("Newest first")),
            (CHEAPEST, _("Price, lowest first")),
            (DEAREST, _("Price, highest first")),
        ],
    )

    def __init__(self, *args, agreements: QuerySet, suppliers: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements
        self.fields["agreement"].empty_label = _("All agreements")
        self.fields["supplier"].queryset = suppliers
        self.fields["supplier"].empty_label = _("All suppliers")
        self.fields["vat_rate"].choices = [
            ("", _("Any")),
            *((str(rate), f"{rate:.0f} %") for rate in facts.vat_rates()),
        ]
        self.fields["cpv"].widget.attrs.update(autocomplete="off", size=12)

    def value(self, name: str):
        """The field's cleaned value, or its default when it is missing or wrong (the rest still filters)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    def filter(self, items: QuerySet[CatalogItem]) -> QuerySet[CatalogItem]:
        if agreement := self.value("agreement"):
            items = items.filter(agreement=agreement)
        if supplier := self.value("supplier"):
            items = items.filter(supplier=supplier)
        items = search.in_cpv(items, self.value("cpv") or "")
        if (price_min := self.value("price_min")) is not None:
            items = items.filter(unit_price__gte=price_min)
        if (price_max := self.value("price_max")) is not None:
            items = items.filter(unit_price__lte=price_max)
        if (vat_rate := self.value("vat_rate")) is not None:
            items = items.filter(vat_rate=vat_rate)
        lines = self.value("active") or ACTIVE_ONLY
        if lines != ALL_LINES:
            items = items.filter(active=lines == ACTIVE_ONLY)
        # Sorting every match of a broad word by name reads them all: a search's results come
        # newest first unless the reader asks for another order.
        order = self.value("order") or (NEWEST if self.value("q") else BY_NAME)
        if order == NEWEST:
            return items.order_by(*search.NEWEST_FIRST)
        if order == BY_NAME:
            return by_name(items)
        return items.order_by(order.replace("price", "unit_price"), "pk")


# --- Imports ---------------------------------------------------------------------------------


class ImportUploadForm(WebForm):
    file = forms.FileField(
        label=_("Price list"),
        help_text=_("An XLSX spreadsheet or a CSV file, with a header row: reference, name, unit, unit price, VAT."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("What the file does"), choices=ImportMode.choices, initial=ImportMode.DELTA, widget=forms.RadioSelect
    )
    effective_date = forms.DateField(
        label=_("Prices effective from"),
        required=False,
        widget=DateInput(),
        help_text=_("Today, or a later date: the new prices wait for it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the revision clause applied, or the supplier's yearly price list."),
    )

    def __init__(self, *args, suppliers: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate
        if suppliers is not None:
            self.fields["supplier"] = forms.ModelChoiceField(
                label=_("Supplier"), queryset=suppliers, help_text=_("Whose price list this is.")
            )
            self.order_fields(["supplier", "file"])

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "file": data["file"],
            "mode": data["mode"],
            "effective_date": data["effective_date"],
            "reason": data["reason"],
        }
        if "supplier" in self.fields:
            fields["supplier"] = data["supplier"]
        return fields


# --- Revisions -------------------------------------------------------------------------------


class RevisionForm(WebForm):
    kind = ""

    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The revision clause applied; the suppliers read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate

    def service_fields(self) -> dict:
        return {
            "kind": self.kind,
            "effective_date": self.cleaned_data["effective_date"],
            "reason": self.cleaned_data["reason"],
        }


class PercentageRevisionForm(RevisionForm):
    kind = PriceRevisionKind.PERCENTAGE

    percentage = forms.DecimalField(
        label=_("Percentage"),
        max_digits=7,
        decimal_places=3,
        help_text=_("For example 2.5 for an increase of 2.5 %, or -1 for a decrease."),
    )
    field_order = ["percentage", "effective_date", "reason"]

    def service_fields(self) -> dict:
        return {**super().service_fields(), "percentage": self.cleaned_data["percentage"]}


def index_field_names(number: int) -> tuple[str, str, str, str]:
    return (f"index_{number}_name", f"index_{number}_weight", f"index_{number}_base", f"index_{number}_current")


class FormulaRevisionForm(RevisionForm):
    """p = p0 × (a + Σ weight × index ÷ base index): the fixed part a, then up to three indices."""

    kind = PriceRevisionKind.FORMULA

    fixed = forms.DecimalField(
        label=_("Fixed part"),
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        help_text=_("The part of the price that is not revised, e.g. 0.2; with the weights it adds up to 1."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, INDICES + 1):
            name, weight, base, current = index_field_names(number)
            self.fields[name] = forms.CharField(
                label=_("Index %(number)s: name") % {"number": number}, max_length=100, required=False
            )
            self.fields[weight] = forms.DecimalField(
                label=_("Index %(number)s: weight") % {"number": number},
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=4,
            )
            self.fields[base] = forms.DecimalField(
                label=_("Index %(number)s: base value") % {"number": number},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=4,
            )
            self.fields[current] = forms.DecimalField(
                label=_("Index %(number)s: current value") % {"number": number},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=4,
            )
        self.order_fields(["fixed", *(self.index_names()), "effective_date", "reason"])

    @staticmethod
    def index_names() -> list[str]:
        return [name for number in range(1, INDICES + 1) for name in index_field_names(number)]

    def indices(self) -> list[dict]:
        """The indices typed in, complete ones only (``clean`` refused the incomplete ones)."""
        result = []
        for number in range(1, INDICES + 1):
            values = [self.cleaned_data.get(name) for name in index_field_names(number)]
            if all(value not in (None, "") for value in values):
                name, weight, base, current = values
                result.append({"name": name, "weight": str(weight), "base": str(base), "current": str(current)})
        return result

    def clean(self):
        cleaned = super().clean()
        for number in range(1, INDICES + 1):
            names = index_field_names(number)
            if any(name in self.errors for name in names):
                continue
            filled = [name for name in names if cleaned.get(name) not in (None, "")]
            if filled and len(filled) < len(names):
                for name in names:
                    if name not in filled:
                        self.add_error(name, _("Complete this index, or leave all its fields empty."))
        if not self.errors and not self.indices():
            raise forms.ValidationError(_("Give at least one index with its weight, base value and current value."))
        return cleaned

    def service_fields(self) -> dict:
        formula = {"fixed": str(self.cleaned_data["fixed"]), "indices": self.indices()}
        return {**super().service_fields(), "formula": formula}
