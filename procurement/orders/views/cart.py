"""The officer's cart: adding from the catalogue, changing and removing lines, checking out.

The cart's lines are grouped as checkout will split them: one order per agreement and supplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from catalog import selectors as catalog_selectors
from procurement.core.errors import DomainError
from procurement.core.money import line_amount, vat_breakdown
from procurement.core.permissions import Perm
from procurement.members.views.base import ServiceFormMixin
from procurement.orders import selectors, services
from procurement.orders.forms import CartAddForm, CartLineForm, CheckoutForm
from procurement.orders.models import CartLine
from procurement.orders.views.base import safe_next
from tenders.forms import plain
from tenders.views.base import error_messages


@dataclass(frozen=True)
class CartRow:
    line: CartLine
    amount: Decimal
    form: CartLineForm


@dataclass
class CartGroup:
    """The lines that become one order: one agreement, one supplier."""

    agreement: object
    supplier: object
    rows: list[CartRow]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal("0.00"))


class CartMixin:
    """The cart's page: its lines by future order, the VAT per rate, the estimate warnings, checkout."""

    template_name = "orders/cart.html"

    @cached_property
    def lines(self) -> list[CartLine]:
        return list(selectors.cart_lines_of(self.request.user))

    def checkout_form(self, data=None) -> CheckoutForm:
        user = self.request.user
        return CheckoutForm(data, initial=CheckoutForm.initial_for(user, user.acting.organization))

    def cart_context(self, *, bound_line: tuple[int, CartLineForm] | None = None, checkout=None) -> dict:
        groups: dict[tuple[int, int], CartGroup] = {}
        additions: dict[int, Decimal] = {}
        for line in self.lines:
            item = line.item
            amount = line_amount(line.quantity, item.unit_price)
            if bound_line is not None and bound_line[0] == line.pk:
                form = bound_line[1]
            else:
                form = CartLineForm(line=line, prefix=f"line-{line.pk}")
            group = groups.setdefault(
                (item.agreement_id, item.supplier_id), CartGroup(item.agreement, item.supplier, [])
            )
            group.rows.append(CartRow(line, amount, form))
            additions[item.agreement_id] = additions.get(item.agreement_id, Decimal("0.00")) + amount
        breakdown = vat_breakdown(
            (row.amount, row.line.item.vat_rate) for group in groups.values() for row in group.rows
        )
        member = self.request.user.acting.organization
        return {
            "groups": list(groups.values()),
            "line_count": len(self.lines),
            "breakdown": breakdown,
            "warnings": selectors.estimate_warnings(member.pk, additions) if additions else [],
            "checkout_form": checkout or self.checkout_form(),
        }


class CartView(PermissionRequiredMixin, CartMixin, TemplateView):
    permission_required = Perm.ORDER_PLACE

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.cart_context())


class CartAddView(PermissionRequiredMixin, View):
    """A quantity of a catalogue line, posted from the catalogue; back to where it came from."""

    permission_required = Perm.ORDER_PLACE
    http_method_names = ["post"]

    def post(self, request):
        back = safe_next(request, reverse("cart"))
        form = CartAddForm(request.POST)
        if not form.is_valid():
            if "item" in form.errors:
                return HttpResponseRedirect(back)
            for message in form.errors.get("quantity", []):
                messages.error(request, message)
            return HttpResponseRedirect(back)
        item = get_object_or_404(catalog_selectors.items_for(request.user), pk=form.cleaned_data["item"])
        try:
            line = services.cart_add(actor=request.user, item=item, quantity=form.cleaned_data["quantity"])
        except ValidationError as error:
            for message in error_messages(error):
                messages.error(request, f"{item.supplier_reference}: {message}")
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(reference)s is in the cart: %(quantity)s %(unit)s in all.")
                % {
                    "reference": item.supplier_reference,
                    "quantity": plain(line.quantity),
                    "unit": item.get_unit_display(),
                },
            )
        return HttpResponseRedirect(back)


class CartLineMixin:
    """The cart line of the URL, among the acting officer's own (another's is a 404)."""

    @cached_property
    def line(self) -> CartLine:
        return get_object_or_404(selectors.cart_lines_of(self.request.user), pk=self.kwargs["pk"])

    def get_success_url(self) -> str:
        return reverse("cart")


class CartLineUpdateView(PermissionRequiredMixin, CartLineMixin, CartMixin, ServiceFormMixin, FormView):
    """A line's quantity and budget article; with an error, the cart comes back with it on the line."""

    permission_required = Perm.ORDER_PLACE
    http_method_names = ["post"]

    def get_form(self, form_class=None):
        return CartLineForm(self.request.POST, line=self.line, prefix=f"line-{self.line.pk}")

    def get_context_data(self, **kwargs):
        return self.cart_context(bound_line=(self.line.pk, kwargs["form"]))

    def perform(self, form):
        return services.cart_update_line(actor=self.request.user, line=self.line, **form.cleaned_data)

    def get_success_message(self):
        return _("The line %(reference)s is updated.") % {"reference": self.line.item.supplier_reference}


class CartLineRemoveView(PermissionRequiredMixin, CartLineMixin, View):
    permission_required = Perm.ORDER_PLACE
    http_method_names = ["post"]

    def post(self, request, pk):
        line = self.line
        reference = line.item.supplier_reference
        try:
            services.cart_remove_line(actor=request.user, line=line)
        except (ValidationError, DomainError) as error:
            for message in error_messages(error) if isinstance(error, ValidationError) else [str(error)]:
                messages.error(request, message)
        else:
            messages.success(request, _("%(reference)s is removed from the cart.") % {"reference": reference})
        return HttpResponseRedirect(self.get_success_url())


class CheckoutView(PermissionRequiredMixin, CartMixin, ServiceFormMixin, FormView):
    """The cart becomes one draft order per agreement and supplier; then each is submitted for approval."""

    permission_required = Perm.ORDER_PLACE
    http_method_names = ["post"]

    def get_form(self, form_class=None):
        return self.checkout_form(self.request.POST)

    def get_context_data(self, **kwargs):
        return self.cart_context(checkout=kwargs["form"])

    def perform(self, form):
        return services.cart_checkout(actor=self.request.user, **form.cleaned_data)

    def get_success_message(self):
        numbers = ", ".join(order.number for order in self.result)
        return ngettext(
            "Order %(numbers)s is created as a draft: check it, then submit it for approval.",
            "Orders %(numbers)s are created as drafts: check each, then submit it for approval.",
            len(self.result),
        ) % {"numbers": numbers}

    def get_success_url(self):
        return reverse("orders")

    def get_refusal_url(self):
        return reverse("cart")
