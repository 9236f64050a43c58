"""Forms of the tender pages. They read and check what a person typed; the services decide.

The services name the faulty row of a list (``lots[1]``, ``items[0]``, ``schedule[2]``);
:func:`add_service_errors` shows such an error on the row of the formset it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from procurement.core.models import CpvCode
from procurement.core.units import Unit
from procurement.members.forms import DateInput, WebForm
from procurement.members.models import MEMBER_KINDS, Organization, OrganizationKind
from tenders.models import (
    MAX_FRAMEWORK_MONTHS,
    AgreementStatus,
    BeneficiaryScope,
    ContractType,
    CriterionKind,
    DocumentKind,
    LegalGround,
    ModificationGround,
    Procedure,
    SupplierMode,
    TenderStatus,
)

ROW = re.compile(r"^(?P<name>\w+)\[(?P<index>\d+)\]$")
AMOUNT = {"max_digits": 14, "decimal_places": 2}
UNIT_PRICE = {"max_digits": 16, "decimal_places": 4}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
CPV_HELP = _("The code with its check digit, e.g. 30192000-1.")


def plain(number: Decimal) -> str:
    """``90`` for ``Decimal("90.00")``, ``3.25`` for ``3.2500`` (``normalize()`` alone gives ``9E+1``)."""
    return format(number.normalize(), "f")


def add_service_errors(error: ValidationError, form: forms.Form, rows: Mapping[str, Sequence] | None = None) -> None:
    """Show a service's ``ValidationError``: on the form's field, or on the row ``name[index]`` it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    rows = rows or {}
    for key, errors in error.error_dict.items():
        match = ROW.match(key)
        row_forms = rows.get(match["name"], ()) if match else ()
        if match and int(match["index"]) < len(row_forms):
            row = row_forms[int(match["index"])]
            for inner in errors:
                if hasattr(inner, "error_dict"):
                    for field, messages in inner.error_dict.items():
                        row.add_error(field if field in row.fields else None, messages)
                else:
                    row.add_error(None, inner)
        else:
            form.add_error(key if key in form.fields else None, errors)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker; it sends ISO values whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def date_time_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=DateTimeInput(), **kwargs)


def amount_field(label, **kwargs) -> forms.DecimalField:
    kwargs.setdefault("min_value", Decimal("0.01"))
    return forms.DecimalField(label=label, **AMOUNT, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


# --- CPV codes -------------------------------------------------------------------------------


def find_cpv(text: str) -> CpvCode | None:
    """``30192000-1`` or ``30192000``: the code, or ``None`` when there is no such code."""
    digits = text.replace("-", "").replace(" ", "").replace(".", "")
    if len(digits) not in (8, 9) or not digits.isdigit():
        return None
    code = CpvCode.objects.filter(code__startswith=f"{digits[:8]}-").first()
    if code is None or (len(digits) == 9 and code.code != f"{digits[:8]}-{digits[8]}"):
        return None
    return code


class CpvCodeField(forms.CharField):
    """A CPV code typed as text, checked against the CPV 2008 table."""

    default_error_messages = {"unknown": _("%(code)s is not a CPV code. Type its 8 digits and check digit.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", CPV_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.update(autocomplete="off", size=12, maxlength=12)

    def prepare_value(self, value):
        return value.code if isinstance(value, CpvCode) else value

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        code = find_cpv(text)
        if code is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"code": text})
        return code


class CpvCodesField(forms.CharField):
    """Several CPV codes, separated by spaces, commas or new lines."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Separate the codes with spaces or commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple | QuerySet):
            return " ".join(code.code if isinstance(code, CpvCode) else str(code) for code in value)
        return value

    def to_python(self, value):
        codes, unknown = [], []
        for text in re.split(r"[\s,;]+", super().to_python(value).strip()):
            if not text:
                continue
            code = find_cpv(text)
            if code is None:
                unknown.append(text)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise ValidationError(_("Not CPV codes: %(codes)s."), code="unknown", params={"codes": ", ".join(unknown)})
        return codes


def describe_cpv(form: forms.Form, name: str) -> None:
    """Put the label of the code in the field (typed or stored) under it, in the person's language."""
    field = form.fields[name]
    value = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name, field.initial)
    if isinstance(value, CpvCode):
        code = value
    elif isinstance(value, str) and value.strip():
        code = find_cpv(value.strip())
    else:
        code = None
    if code is not None:
        field.help_text = f"{code.code} — {code.label}"


def describe_cpv_codes(form: forms.Form, name: str) -> None:
    field = form.fields[name]
    value = form.data.get(form.add_prefix(name), "") if form.is_bound else form.initial.get(name, "")
    if isinstance(value, str):
        codes = [code for code in (find_cpv(text) for text in re.split(r"[\s,;]+", value.strip()) if text) if code]
    else:
        codes = list(value or ())
    if codes:
        field.help_text = "; ".join(f"{code.code} — {code.label}" for code in codes)


# --- Filters ---------------------------------------------------------------------------------


class SearchFilterForm(WebForm):
    """Search on reference and title, and a status."""

    statuses: Sequence = ()

    q = forms.CharField(label=_("Search"), required=False, help_text=_("Reference or title."))
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *self.statuses]

    def filter(self, queryset: QuerySet) -> QuerySet:
        if not self.is_valid():
            return queryset
        if self.cleaned_data["status"]:
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if text := self.cleaned_data["q"].strip():
            queryset = queryset.filter(Q(reference__icontains=text) | Q(title__icontains=text))
        return queryset


class TenderFilterForm(SearchFilterForm):
    statuses = TenderStatus.choices


class AgreementFilterForm(SearchFilterForm):
    statuses = AgreementStatus.choices


# --- Needs surveys ---------------------------------------------------------------------------


class SurveyForm(WebForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    closes_at = date_time_field(_("Closes at"), help_text=_("Members declare their needs until then."))


class SurveyClosingForm(WebForm):
    """An open survey: only its closing date moves."""

    closes_at = date_time_field(_("Closes at"))


class SurveyItemForm(WebForm):
    lot_number = forms.IntegerField(label=_("Lot"), min_value=1, initial=1)
    lot_title = forms.CharField(label=_("Lot title"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=300)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.ONE)
    cpv_code = CpvCodeField(label=_("CPV code"))
    estimated_unit_price = forms.DecimalField(label=_("Estimated unit price excl. VAT (€)"), min_value=0, **UNIT_PRICE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_cpv(self, "cpv_code")


SurveyItemFormSet = forms.formset_factory(SurveyItemForm, extra=3, can_delete=True)


def rows_of(formset) -> list[forms.Form]:
    """The filled rows of a formset, in order, without those marked for deletion."""
    return [
        form
        for form in formset.forms
        if form.has_changed() and not (formset.can_delete and formset._should_delete_form(form))
    ]


class DeclarationForm(WebForm):
    """One quantity per item of the survey; empty or zero withdraws the declaration."""

    def __init__(self, *args, items, declared: Mapping[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[self.field_name(item)] = forms.DecimalField(
                label=item.description,
                required=False,
                min_value=0,
                initial=declared.get(item.pk),
                help_text=_("Unit: %(unit)s. Estimated unit price: %(price)s € excl. VAT.")
                % {"unit": item.get_unit_display(), "price": plain(item.estimated_unit_price)},
                **QUANTITY,
            )

    @staticmethod
    def field_name(item) -> str:
        return f"item_{item.pk}"

    def quantities(self) -> dict[int, Decimal | None]:
        return {item.pk: self.cleaned_data[self.field_name(item)] for item in self.items}

    def rows(self):
        """``(item, bound field)`` for the table of the page."""
        return [(item, self[self.field_name(item)]) for item in self.items]


# --- Tenders ---------------------------------------------------------------------------------


def member_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(kind__in=MEMBER_KINDS, is_active=True).order_by("name")


class TenderForm(WebForm):
    reference = forms.CharField(label=_("Reference"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices, initial=Procedure.OPEN)
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=ContractType.choices)
    cpv_code = CpvCodeField(label=_("Main CPV code"))
    additional_cpv_codes = CpvCodesField(label=_("Additional CPV codes"))
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"),
        required=False,
        choices=[("", _("None")), *LegalGround.choices],
        help_text=_("Required for a negotiated procedure without prior publication."),
    )
    legal_ground_justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    beneficiary_scope = forms.ChoiceField(
        label=_("Who may use the agreements"),
        choices=BeneficiaryScope.choices,
        initial=BeneficiaryScope.ALL_MEMBERS,
        widget=forms.RadioSelect,
    )
    beneficiaries = forms.ModelMultipleChoiceField(
        label=_("Named beneficiaries"),
        required=False,
        queryset=Organization.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("When the agreements are for named members only. Hold Ctrl to choose several."),
    )
    standstill_required = forms.BooleanField(
        label=_("Standstill period before conclusion"),
        required=False,
        help_text=_("Mandatory at European level (set by the platform); optional below."),
    )
    publication_at = date_time_field(_("Publication"), required=False, help_text=_("Empty: when you publish."))
    questions_deadline = date_time_field(_("Questions deadline"), required=False)
    submission_deadline = date_time_field(_("Submission deadline"), required=False)
    opening_at = date_time_field(_("Opening time"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiaries"].queryset = member_organizations()
        describe_cpv(self, "cpv_code")
        describe_cpv_codes(self, "additional_cpv_codes")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("beneficiaries")
        data.pop("additional_cpv_codes")
        return data

    def chosen_beneficiaries(self):
        """Named members when the scope says so; otherwise the list is left as it is."""
        if self.cleaned_data["beneficiary_scope"] == BeneficiaryScope.NAMED:
            return list(self.cleaned_data["beneficiaries"])
        return None


class TenderCreateForm(TenderForm):
    survey = forms.ModelChoiceField(
        label=_("Needs survey"),
        required=False,
        queryset=None,
        help_text=_("A closed survey fills the lots with its totals and names its participants as beneficiaries."),
    )

    def __init__(self, *args, surveys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys


class LotForm(WebForm):
    number = forms.IntegerField(label=_("Lot number"), min_value=1)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cpv_code = CpvCodeField(label=_("CPV code"), required=False)
    estimated_value = amount_field(_("Estimated value excl. VAT (€)"))
    maximum_value = amount_field(
        _("Maximum value excl. VAT (€)"), help_text=_("All call-offs over the whole term of the agreement.")
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), min_value=1, max_value=MAX_FRAMEWORK_MONTHS, initial=MAX_FRAMEWORK_MONTHS
    )
    supplier_mode = forms.ChoiceField(label=_("Suppliers"), choices=SupplierMode.choices, initial=SupplierMode.SINGLE)
    max_suppliers = forms.IntegerField(
        label=_("Maximum number of suppliers"), min_value=1, initial=1, help_text=_("1 for a single supplier.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe_cpv(self, "cpv_code")

    def clean(self):
        data = super().clean()
        estimated, maximum = data.get("estimated_value"), data.get("maximum_value")
        if estimated is not None and maximum is not None and maximum < estimated:
            self.add_error("maximum_value", _("The maximum value cannot be below the estimated value."))
        mode, count = data.get("supplier_mode"), data.get("max_suppliers")
        if mode == SupplierMode.SINGLE and count not in (None, 1):
            self.add_error("max_suppliers", _("A single-supplier lot has one supplier."))
        elif mode and mode != SupplierMode.SINGLE and count is not None and count < 2:
            self.add_error("max_suppliers", _("A multi-supplier lot needs a maximum of at least two suppliers."))
        return data


class BaseLotFormSet(forms.BaseFormSet):
    def clean(self):
        numbers = [form.cleaned_data.get("number") for form in rows_of(self) if hasattr(form, "cleaned_data")]
        if len(numbers) != len(set(numbers)):
            raise ValidationError(_("Two lots cannot have the same number."))


LotFormSet = forms.formset_factory(LotForm, formset=BaseLotFormSet, extra=1, can_delete=True)


class CriterionForm(WebForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *CriterionKind.choices])
    weight = forms.DecimalField(
        label=_("Weight (points)"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        rows = [form.cleaned_data for form in rows_of(self) if getattr(form, "cleaned_data", None)]
        if not rows:
            return
        total = sum((row.get("weight") or 0 for row in rows), Decimal("0"))
        if total != 100:
            raise ValidationError(
                _("The weights add up to %(total)s; they must add up to 100."), params={"total": plain(total)}
            )
        if sum(1 for row in rows if row.get("kind") == CriterionKind.PRICE) != 1:
            raise ValidationError(_("The criteria must include exactly one price criterion."))


CriterionFormSet = forms.formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True)


def row_data(form: forms.Form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}


class TenderDocumentForm(WebForm):
    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False, help_text=_("Empty: the file name."))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, published: bool, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [DocumentKind.ADDENDUM] if published else [DocumentKind.SPECIFICATIONS, DocumentKind.ANNEX]
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]


class ReasonForm(WebForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = help_text


class QuestionForm(WebForm):
    lot = forms.ModelChoiceField(label=_("Lot"), required=False, queryset=None, empty_label=_("The whole tender"))
    question = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = tender.lots.order_by("number")


class AnswerForm(WebForm):
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Every candidate reads it, without the name of who asked."),
    )


class ConcludeForm(WebForm):
    start_date = forms.DateField(
        label=_("Start of the agreements"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: today. Each agreement lasts the duration of its lot."),
    )


# --- Bids ------------------------------------------------------------------------------------


class BidContentForm(WebForm):
    """What a bid contains: its total (or a schedule), the answers to the quality criteria, attachments."""

    total_amount = forms.DecimalField(
        label=_("Total price excl. VAT (€)"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("Or fill in the price schedule below: its lines must add up to the total."),
        **AMOUNT,
    )
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("Several files at once are accepted.")
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.answer_field(criterion)] = forms.CharField(
                label=_("Answer to “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=criterion.description,
                max_length=20000,
            )
        self.order_fields(["total_amount", *(self.answer_field(c) for c in self.criteria), "attachments"])

    @staticmethod
    def answer_field(criterion) -> str:
        return f"answer_{criterion.pk}"

    def answers(self) -> dict[int, str]:
        return {
            criterion.pk: self.cleaned_data[self.answer_field(criterion)]
            for criterion in self.criteria
            if self.cleaned_data.get(self.answer_field(criterion))
        }


class BidReplaceForm(BidContentForm):
    remove_attachments = forms.BooleanField(
        label=_("Remove the attachments sent before"),
        required=False,
        help_text=_("New files replace the previous ones; without new files, the previous ones are kept."),
    )

    def attachments_to_send(self):
        if self.cleaned_data["attachments"]:
            return self.cleaned_data["attachments"]
        return [] if self.cleaned_data["remove_attachments"] else None


class ScheduleLineForm(WebForm):
    description = forms.CharField(label=_("Description"), max_length=300)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *Unit.choices], required=False)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.001"), **QUANTITY)
    unit_price = forms.DecimalField(label=_("Unit price excl. VAT (€)"), min_value=0, **UNIT_PRICE)


ScheduleFormSet = forms.formset_factory(ScheduleLineForm, extra=3, can_delete=True)


def schedule_of(formset) -> list[dict]:
    return [row_data(form) for form in rows_of(formset)]


class RecordBidForm(BidContentForm):
    """A bid opened on the federal e-Tendering platform, recorded by the buyer."""

    lot = forms.ModelChoiceField(label=_("Lot"), queryset=None)
    supplier = forms.ModelChoiceField(label=_("Bidder"), queryset=None)
    submitted_at = date_time_field(
        _("Deposited at"), required=False, help_text=_("As on the e-Tendering deposit receipt.")
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, criteria=tender.criteria.filter(kind=CriterionKind.QUALITY), **kwargs)
        self.fields["lot"].queryset = tender.lots.order_by("number")
        self.fields["supplier"].queryset = Organization.objects.filter(
            kind=OrganizationKind.SUPPLIER, is_active=True
        ).order_by("name")
        self.fields["total_amount"].required = True
        self.fields["total_amount"].help_text = ""
        self.order_fields(["lot", "supplier", "submitted_at", "total_amount"])


class ScoreForm(WebForm):
    """Quality points of one bid, per quality criterion (0 to the criterion's weight)."""

    def __init__(self, *args, criteria, scores: Mapping[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                min_value=0,
                max_value=criterion.weight,
                max_digits=7,
                decimal_places=2,
                initial=scores.get(criterion.pk),
                help_text=_("0 to %(weight)s points.") % {"weight": plain(criterion.weight)},
            )

    def points(self) -> dict[int, Decimal]:
        return {criterion.pk: self.cleaned_data[f"criterion_{criterion.pk}"] for criterion in self.criteria}


class AwardForm(WebForm):
    """The reasons of the award, per lot still to award."""

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = list(lots)
        for lot in self.lots:
            self.fields[self.field_name(lot)] = forms.CharField(
                label=_("Reasons of the award of lot %(number)s") % {"number": lot.number},
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
                help_text=_("The bidders read them in the award decision."),
            )

    @staticmethod
    def field_name(lot) -> str:
        return f"reasons_{lot.pk}"

    def reasons(self) -> dict[int, str]:
        return {lot.pk: self.cleaned_data[self.field_name(lot)] for lot in self.lots}

    def add_service_errors(self, error: ValidationError) -> None:
        """The service names the lots ``reasons[<lot id>]``."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.error_dict.items():
            match = ROW.match(key)
            field = f"reasons_{match['index']}" if match else key
            self.add_error(field if field in self.fields else None, messages)


# --- Agreements ------------------------------------------------------------------------------


class AgreementModifyForm(WebForm):
    legal_ground = forms.ChoiceField(label=_("Legal ground"), choices=ModificationGround.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    estimated_value = amount_field(_("Estimated value excl. VAT (€)"), required=False)
    maximum_value = amount_field(_("Maximum value excl. VAT (€)"), required=False)

    def __init__(self, *args, agreement, latest_end, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "end_date": agreement.end_date,
                "estimated_value": agreement.estimated_value,
                "maximum_value": agreement.maximum_value,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["end_date"].help_text = _("At most 48 months after the start: by %(date)s.") % {
            "date": latest_end.strftime("%d/%m/%Y")
        }


class SubstituteSupplierForm(WebForm):
    old_supplier = forms.ModelChoiceField(label=_("Supplier replaced"), queryset=None)
    new_supplier = forms.ModelChoiceField(label=_("New supplier"), queryset=None)
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"), choices=ModificationGround.choices, initial=ModificationGround.REPLACEMENT
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        current = [link.supplier_id for link in agreement.supplier_links.all() if link.active]
        self.fields["old_supplier"].queryset = Organization.objects.filter(pk__in=current).order_by("name")
        self.fields["new_supplier"].queryset = (
            Organization.objects.filter(kind=OrganizationKind.SUPPLIER, is_active=True)
            .exclude(pk__in=current)
            .order_by("name")
        )
