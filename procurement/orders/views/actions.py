"""What people do to an order from its page: each action a POST that calls its service.

Buttons (submit, send, confirm) turn a refusal into a message; forms (approve, reject, decline,
re-address, deliver, close, cancel) come back on the order's page with the errors on their fields.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.generic import FormView

from catalog import selectors as catalog_selectors
from procurement.core.money import quantize
from procurement.core.permissions import Perm
from procurement.members.views.base import AnyPermissionRequiredMixin, ServiceFormMixin
from procurement.orders import services
from procurement.orders.models import OrderStatus
from procurement.orders.views.base import OrderMixin
from procurement.orders.views.orders import OrderDetailMixin
from tenders.views.base import ButtonView


def amount_text(value) -> str:
    """An amount as the reader's language writes it: 1 234,56 in French."""
    return number_format(quantize(value), decimal_pos=2, force_grouping=True)


# --- Buttons ---------------------------------------------------------------------------------


class OrderButtonView(AnyPermissionRequiredMixin, OrderMixin, ButtonView):
    pass


class OrderSubmitView(OrderButtonView):
    permission_required = (Perm.ORDER_PLACE,)

    def perform(self):
        self.result = services.order_submit(actor=self.request.user, order=self.order)

    def get_success_message(self):
        return _("Order %(number)s is submitted for approval; the approvers have been told.") % {
            "number": self.result.number
        }


class OrderSendView(OrderButtonView):
    permission_required = (Perm.ORDER_PLACE, Perm.ORDER_APPROVE)

    def perform(self):
        self.result = services.order_send(actor=self.request.user, order=self.order)

    def get_success_message(self):
        return _("Order %(number)s is sent to %(supplier)s with its purchase order.") % {
            "number": self.result.number,
            "supplier": self.result.supplier.name,
        }


class OrderConfirmView(OrderButtonView):
    permission_required = (Perm.ORDER_FULFIL,)

    def perform(self):
        self.result = services.order_confirm(actor=self.request.user, order=self.order)

    def get_success_message(self):
        return _("You confirmed order %(number)s; the member has been told.") % {"number": self.result.number}


# --- Forms -----------------------------------------------------------------------------------


class OrderFormView(AnyPermissionRequiredMixin, OrderDetailMixin, ServiceFormMixin, FormView):
    """An action's form posted from the order's page; with an error, the page comes back with it."""

    http_method_names = ["post"]
    template_name = "orders/order_detail.html"
    action = ""

    def get_form(self, form_class=None):
        return self.action_form(self.action, self.request.POST)

    def get_context_data(self, **kwargs):
        return self.detail_context(**{self.action: kwargs["form"]})


class OrderApproveView(OrderFormView):
    permission_required = (Perm.ORDER_APPROVE,)
    action = "approve"

    def perform(self, form):
        return services.order_approve(actor=self.request.user, order=self.order, **form.cleaned_data)

    def get_success_message(self):
        order = self.result
        if order.status == OrderStatus.APPROVED:
            return _(
                "Order %(number)s is approved: %(amount)s € excl. VAT are reserved on the agreement. "
                "It can be sent to the supplier."
            ) % {"number": order.number, "amount": amount_text(order.consumed)}
        step = services.next_step(order)
        return _("Your approval is recorded; the next step is: %(step)s.") % {"step": step["name"] if step else ""}


class OrderRejectView(OrderFormView):
    permission_required = (Perm.ORDER_APPROVE,)
    action = "reject"

    def perform(self, form):
        return services.order_reject(actor=self.request.user, order=self.order, **form.cleaned_data)

    def get_success_message(self):
        return _("Order %(number)s is rejected; the officer has been told why.") % {"number": self.result.number}


class OrderDeclineView(OrderFormView):
    permission_required = (Perm.ORDER_FULFIL,)
    action = "decline"

    def perform(self, form):
        return services.order_decline(actor=self.request.user, order=self.order, reason=form.cleaned_data["reason"])

    def get_success_message(self):
        return _("You declined order %(number)s; the member has been told why.") % {"number": self.result.number}


class OrderReaddressView(OrderFormView):
    """The declined order goes to the next supplier of the cascade; each line may name its replacement."""

    permission_required = (Perm.ORDER_PLACE,)
    action = "readdress"

    def replacements(self, form) -> dict:
        """The next supplier's catalogue lines named on the form, by order line; unknown references are errors."""
        references = form.references()
        if not references or self.following is None:
            return {}
        candidates = catalog_selectors.items_for(self.request.user).filter(
            agreement_id=self.order.agreement_id,
            supplier_id=self.following.supplier_id,
            active=True,
            supplier_reference__in=set(references.values()),
        )
        by_reference = {item.supplier_reference: item for item in candidates}
        errors = {
            form.field_name(line_id): _("%(supplier)s has no active line %(reference)s under this agreement.")
            % {"supplier": self.following.supplier.name, "reference": reference}
            for line_id, reference in references.items()
            if reference not in by_reference
        }
        if errors:
            raise ValidationError(errors)
        return {line_id: by_reference[reference] for line_id, reference in references.items()}

    def perform(self, form):
        return services.order_readdress(actor=self.request.user, order=self.order, items=self.replacements(form))

    def get_success_message(self):
        order = self.result
        return _("Order %(number)s is re-addressed to %(supplier)s, at its prices: %(amount)s € excl. VAT.") % {
            "number": order.number,
            "supplier": order.supplier.name,
            "amount": amount_text(order.total_excl_vat),
        }


class OrderDeliverView(OrderFormView):
    permission_required = (Perm.ORDER_FULFIL, Perm.ORDER_PLACE)
    action = "deliver"

    def perform(self, form):
        data = form.cleaned_data
        return services.order_deliver(
            actor=self.request.user,
            order=self.order,
            quantities=form.quantities(),
            delivered_on=data["delivered_on"],
            reference=data["reference"],
            note=data["note"],
        )

    def get_success_message(self):
        order = self.result.order
        if order.status == OrderStatus.DELIVERED:
            return _("The delivery is recorded: order %(number)s is delivered in full.") % {"number": order.number}
        return _("The delivery is recorded: order %(number)s is partly delivered.") % {"number": order.number}


class OrderCloseView(OrderFormView):
    permission_required = (Perm.ORDER_PLACE,)
    action = "close"

    def perform(self, form):
        return services.order_close(actor=self.request.user, order=self.order, reason=form.cleaned_data["reason"])

    def get_success_message(self):
        return _("Order %(number)s is closed.") % {"number": self.result.number}


class OrderCancelView(OrderFormView):
    permission_required = (Perm.ORDER_PLACE,)
    action = "cancel"

    def perform(self, form):
        return services.order_cancel(actor=self.request.user, order=self.order, reason=form.cleaned_data["reason"])

    def get_success_message(self):
        return _("Order %(number)s is cancelled.") % {"number": self.result.number}
