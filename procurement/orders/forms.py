"""Forms of the ordering pages. They read and check what a person typed; the services decide.

The filter form narrows the orders a selector returned (``filter(orders)``); the others hand
their cleaned data to a service, whose field errors come back on the form.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.members.forms import DateInput, ManyOptionsSelect, WebForm
from procurement.members.models import Organization, OrganizationKind
from procurement.orders.models import CallOffSource, OrderStatus, StepKind
from tenders.forms import amount_field, member_organizations, plain

QUANTITY = {"max_digits": 14, "decimal_places": 3}
AMOUNT = {"max_digits": 14, "decimal_places": 2}
BUDGET_ARTICLE_HELP = _("For example 104/742-53: function / economic code - subdivision.")


def quantity_input(**attrs) -> forms.NumberInput:
    """A number the browser lets through with decimals; the server says what is wrong with it."""
    return forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal", **attrs})


# --- Subscriptions ---------------------------------------------------------------------------


class SubscribeForm(WebForm):
    estimated_value = forms.DecimalField(
        label=_("Estimated spend excl. VAT (€)"),
        required=False,
        min_value=0,
        help_text=_("What the member expects to order under this agreement over its whole term."),
        **AMOUNT,
    )

    def __init__(self, *args, survey_estimate: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if survey_estimate is not None:
            self.fields["estimated_value"].initial = survey_estimate
            self.fields["estimated_value"].help_text = _(
                "Prefilled from your needs-survey declaration; change it if your needs changed."
            )


class EstimateForm(WebForm):
    estimated_value = forms.DecimalField(label=_("Estimated spend excl. VAT (€)"), min_value=0, **AMOUNT)


# --- Cart ------------------------------------------------------------------------------------


class CartAddForm(WebForm):
    """A catalogue line and a quantity, posted from the catalogue."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("Quantity"), widget=quantity_input(), **QUANTITY)


class CartLineForm(WebForm):
    """A line of the cart: its quantity and, optionally, its own budget article."""

    quantity = forms.DecimalField(label=_("Quantity"), widget=quantity_input(size=6), **QUANTITY)
    budget_article = forms.CharField(
        label=_("Budget article"),
        required=False,
        max_length=30,
        help_text=_("Empty: the order's budget article."),
    )

    def __init__(self, *args, line=None, **kwargs):
        if line is not None:
            kwargs.setdefault("initial", {"quantity": plain(line.quantity), "budget_article": line.budget_article})
        super().__init__(*args, **kwargs)


class CheckoutForm(WebForm):
    budget_article = forms.CharField(label=_("Budget article"), max_length=30, help_text=BUDGET_ARTICLE_HELP)
    delivery_address = forms.CharField(
        label=_("Delivery address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("End with the postcode and the municipality, e.g. 5000 Namur."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    requested_delivery_date = forms.DateField(label=_("Requested delivery date"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note to the supplier"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    @staticmethod
    def initial_for(user, organization: Organization) -> dict:
        """The member's address and the officer's name and e-mail, as the order is most often placed."""
        city = " ".join(part for part in (organization.postcode, organization.city) if part)
        address = "\n".join(part for part in (organization.name, organization.street, city) if part)
        return {
            "delivery_address": address,
            "contact_name": user.get_full_name() or user.username,
            "contact_email": user.email,
            "contact_phone": organization.phone,
        }


# --- Orders ----------------------------------------------------------------------------------


class OrderFilterForm(WebForm):
    number = forms.CharField(label=_("Order number"), required=False, help_text=_("All or part of it."))
    status = forms.ChoiceField(label=_("Status"), required=False)
    agreement = forms.ModelChoiceField(
        label=_("Framework agreement"), queryset=None, required=False, widget=ManyOptionsSelect
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None, required=False, widget=ManyOptionsSelect)
    member = forms.ModelChoiceField(label=_("Member"), queryset=None, required=False, widget=ManyOptionsSelect)

    def __init__(self, *args, agreements: QuerySet, suppliers: QuerySet | None, members: QuerySet | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *OrderStatus.choices]
        self.fields["agreement"].queryset = agreements
        self.fields["agreement"].empty_label = _("All agreements")
        for name, queryset, empty in (("supplier", suppliers, _("All suppliers")), ("member", members, _("All"))):
            if queryset is None:
                del self.fields[name]
            else:
                self.fields[name].queryset = queryset
                self.fields[name].empty_label = empty

    def filter(self, orders: QuerySet) -> QuerySet:
        if not self.is_valid():
            return orders
        data = self.cleaned_data
        if data["status"]:
            orders = orders.filter(status=data["status"])
        for name in ("agreement", "supplier", "member"):
            if data.get(name):
                orders = orders.filter(**{name: data[name]})
        if number := data["number"].strip():
            orders = orders.filter(number__icontains=number)
        return orders


class ApproveForm(WebForm):
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=DateInput())
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        required=False,
        max_length=150,
        help_text=_("For example the college's decision of 12/03/2026, point 14."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].initial = timezone.localdate


class RejectForm(WebForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("The officer reads it."),
    )
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=DateInput())
    decision_reference = forms.CharField(label=_("Decision reference"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].initial = timezone.localdate


class ReasonForm(WebForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, help_text="", required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = help_text
        self.fields["reason"].required = required


class DeliveryForm(WebForm):
    """The quantity delivered of each line still to deliver (prefilled with what remains), the date, the note."""

    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=DateInput())
    reference = forms.CharField(label=_("Delivery note reference"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.remaining_quantity > 0]
        self.fields["delivered_on"].initial = timezone.localdate
        quantities = {}
        for line in self.lines:
            quantities[self.field_name(line)] = forms.DecimalField(
                label=f"{line.supplier_reference} — {line.name}",
                required=False,
                min_value=0,
                initial=plain(line.remaining_quantity),
                widget=quantity_input(),
                help_text=_("%(remaining)s %(unit)s remain to deliver.")
                % {"remaining": plain(line.remaining_quantity), "unit": line.get_unit_display()},
                **QUANTITY,
            )
        self.fields = {**quantities, **self.fields}

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def quantities(self) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line))
        }


class ReaddressForm(WebForm):
    """Which of the next supplier's catalogue lines replaces each line (empty: found by reference or name)."""

    def __init__(self, *args, lines, supplier_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[self.field_name(line.pk)] = forms.CharField(
                label=f"{line.supplier_reference} — {line.name}",
                required=False,
                max_length=100,
                help_text=_(
                    "The reference of this line in %(supplier)s's catalogue; empty: the line with the same "
                    "reference, or the same name and unit."
                )
                % {"supplier": supplier_name},
            )

    @staticmethod
    def field_name(line_id: int) -> str:
        return f"item_{line_id}"

    def references(self) -> dict[int, str]:
        return {
            line.pk: self.cleaned_data[self.field_name(line.pk)].strip()
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line.pk), "").strip()
        }


# --- Approval chain --------------------------------------------------------------------------


class ApprovalStepForm(WebForm):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example: visa of the financial director."))
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices, initial=StepKind.DECISION)
    threshold = forms.DecimalField(
        label=_("From (excl. VAT, €)"),
        required=False,
        min_value=0,
        help_text=_("The step applies to orders of this amount or more; empty: to every order."),
        **AMOUNT,
    )


class ApprovalChainForm(WebForm):
    """No field of its own: the steps are a formset; the service's refusals show here."""


def approval_step_formset(data=None, *, steps, max_steps: int):
    initial = [{"name": step.name, "kind": step.kind, "threshold": step.threshold} for step in steps]
    formset_class = forms.formset_factory(
        ApprovalStepForm,
        extra=max(max_steps - len(initial), 0) or 1,
        can_delete=True,
        max_num=max_steps,
        validate_max=True,
    )
    return formset_class(data, initial=initial, prefix="steps")


def steps_of(formset) -> list[dict]:
    """The filled steps, in order, without those marked for deletion."""
    return [
        {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


# --- Off-platform call-offs ------------------------------------------------------------------


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, agreement) -> str:
        return f"{agreement.reference} — {agreement.title}"


class CallOffForm(WebForm):
    agreement = AgreementChoiceField(label=_("Framework agreement"), queryset=None)
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None)
    reference = forms.CharField(
        label=_("Order reference"), max_length=100, help_text=_("The member's or the supplier's number.")
    )
    ordered_on = forms.DateField(label=_("Ordered on"), widget=DateInput())
    amount_excl_vat = amount_field(_("Amount excl. VAT (€)"))
    source = forms.ChoiceField(label=_("Reported by"), choices=CallOffSource.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)

    def __init__(self, *args, agreements: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements
        self.fields["member"].queryset = member_organizations()
        self.fields["supplier"].queryset = Organization.objects.filter(
            kind=OrganizationKind.SUPPLIER, is_active=True
        ).order_by("name")
