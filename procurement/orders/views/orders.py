"""Orders: the list (filtered, paginated), one order with its lines, approvals, deliveries and the
actions the person may take now, and its documents (purchase order PDF, UBL)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView

from procurement.core.errors import DomainError
from procurement.core.money import vat_breakdown
from procurement.core.pagination import CountCappedPaginator
from procurement.core.permissions import Perm
from procurement.members.models import Organization, OrganizationKind
from procurement.members.views.base import PAGE_SIZE
from procurement.orders import documents, selectors, services
from procurement.orders.forms import (
    ApproveForm,
    DeliveryForm,
    OrderFilterForm,
    ReaddressForm,
    ReasonForm,
    RejectForm,
)
from procurement.orders.models import Delivery, Order, OrderApproval, OrderLine, OrderStatus, StepKind
from procurement.orders.services.orders import CANCELLABLE
from procurement.orders.views.base import OrderMixin, acts_for_member, acts_for_supplier
from tenders.models import FrameworkAgreement
from tenders.views.base import history

S = OrderStatus
HISTORY_SHOWN = 30
DELIVERABLE = (S.CONFIRMED, S.PARTIALLY_DELIVERED)
CLOSABLE = (S.DELIVERED, S.PARTIALLY_DELIVERED)


class OrderListView(PermissionRequiredMixin, ListView):
    """A member's orders, the orders sent to a supplier, or every order for IMIO; filtered."""

    permission_required = Perm.ORDER_VIEW
    template_name = "orders/order_list.html"
    context_object_name = "orders"
    paginate_by = PAGE_SIZE
    paginator_class = CountCappedPaginator  # IMIO's whole list: a million orders at ten years

    @cached_property
    def visible(self):
        return selectors.orders_for(self.request.user)

    @cached_property
    def filter_form(self) -> OrderFilterForm:
        """Choices among what the person's orders hold: a member picks a supplier, a supplier a member."""
        organization = self.request.user.acting.organization
        visible = self.visible.order_by()
        organizations = Organization.objects.only("name").order_by("name")  # IMIO's: 2,000 members
        is_member = organization is not None and organization.is_member_kind
        is_supplier = organization is not None and organization.kind == OrganizationKind.SUPPLIER
        return OrderFilterForm(
            self.request.GET,
            agreements=FrameworkAgreement.objects.filter(pk__in=visible.values("agreement_id"))
            .only("reference", "title")
            .order_by("reference"),
            suppliers=None if is_supplier else organizations.filter(pk__in=visible.values("supplier_id")),
            members=None if is_member else organizations.filter(pk__in=visible.values("member_id")),
        )

    def get_queryset(self):
        return self.filter_form.filter(self.visible)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


@dataclass(frozen=True)
class ChainStep:
    position: int
    name: str
    kind: str
    approval: OrderApproval | None
    awaited: bool


@dataclass(frozen=True)
class DeliveryRow:
    delivery: Delivery
    recorded_by: str
    lines: list[tuple[OrderLine | None, Decimal]]


@dataclass(frozen=True)
class Action:
    """Something the person may do to the order now: a button, or a form."""

    name: str
    title: str
    url: str
    form: object | None = None
    secondary: bool = False


ACTION_TITLES = {
    "submit": _("Submit for approval"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "send": _("Send to the supplier"),
    "confirm": _("Confirm the order"),
    "decline": _("Decline the order"),
    "readdress": _("Re-address to the next supplier"),
    "deliver": _("Record a delivery"),
    "close": _("Close the order"),
    "cancel": _("Cancel the order"),
}
SECONDARY = frozenset({"reject", "decline", "cancel"})


class OrderDetailMixin(OrderMixin):
    """What an order's page shows, and the actions its reader may take (with their forms)."""

    @cached_property
    def following(self):
        """The next supplier of the cascade, for a declined order the member may re-address."""
        return services.next_in_cascade(self.order) if self.order.status == S.DECLINED else None

    def decided_already(self) -> bool:
        """In a chain of several steps, one person decides one step only (as the service says)."""
        order, user = self.order, self.request.user
        return len(order.approval_chain) > 1 and any(a.decided_by_id == user.pk for a in order.approvals.all())

    def available_actions(self) -> list[str]:
        user, order = self.request.user, self.order
        acting = user.acting
        member_side, supplier_side = acts_for_member(user, order), acts_for_supplier(user, order)
        place = member_side and acting.has(Perm.ORDER_PLACE)
        approve = member_side and acting.has(Perm.ORDER_APPROVE)
        fulfil = supplier_side and acting.has(Perm.ORDER_FULFIL)
        status = order.status
        names = []
        if place and status == S.DRAFT:
            names.append("submit")
        if approve and status == S.SUBMITTED and not self.decided_already():
            names += ["approve", "reject"]
        if (place or approve) and status == S.APPROVED:
            names.append("send")
        if fulfil and status == S.SENT:
            names += ["confirm", "decline"]
        if place and status == S.DECLINED and self.following is not None:
            names.append("readdress")
        if (place or fulfil) and status in DELIVERABLE:
            names.append("deliver")
        if place and status in CLOSABLE:
            names.append("close")
        if place and status in CANCELLABLE:
            names.append("cancel")
        return names

    def action_form(self, name: str, data=None):
        order = self.order
        if name == "approve":
            return ApproveForm(data, prefix=name)
        if name == "reject":
            return RejectForm(data, prefix=name)
        if name == "decline":
            return ReasonForm(data, prefix=name, help_text=_("The member reads it."))
        if name == "cancel":
            return ReasonForm(data, prefix=name, help_text=_("The supplier reads it if the order was sent to it."))
        if name == "close":
            return ReasonForm(
                data,
                prefix=name,
                required=False,
                help_text=_("Required when the order is partly delivered: say why the rest will not be delivered."),
            )
        if name == "deliver":
            return DeliveryForm(data, prefix=name, lines=order.lines.all())
        if name == "readdress":
            supplier_name = self.following.supplier.name if self.following else ""
            return ReaddressForm(data, prefix=name, lines=order.lines.all(), supplier_name=supplier_name)
        return None

    def actions(self, bound: dict) -> list[Action]:
        return [
            Action(
                name=name,
                title=ACTION_TITLES[name],
                url=reverse(f"order_{name}", kwargs={"pk": self.order.pk}),
                form=bound[name] if name in bound else self.action_form(name),
                secondary=name in SECONDARY,
            )
            for name in self.available_actions()
        ]

    def chain(self) -> list[ChainStep]:
        order = self.order
        decided = {approval.position: approval for approval in order.approvals.all()}
        awaited = services.next_step(order)
        kinds = dict(StepKind.choices)
        return [
            ChainStep(
                position=step["position"],
                name=step["name"],
                kind=kinds.get(step.get("kind"), step.get("kind", "")),
                approval=decided.get(step["position"]),
                awaited=awaited is not None and awaited["position"] == step["position"],
            )
            for step in order.approval_chain
        ]

    def deliveries(self, lines: list[OrderLine]) -> list[DeliveryRow]:
        deliveries = list(self.order.deliveries.all())
        by_id = {line.pk: line for line in lines}
        people = get_user_model().objects.in_bulk({delivery.recorded_by_id for delivery in deliveries})
        return [
            DeliveryRow(
                delivery=delivery,
                recorded_by=str(people.get(delivery.recorded_by_id, "")),
                lines=[(by_id.get(line.line_id), line.quantity) for line in delivery.lines.all()],
            )
            for delivery in deliveries
        ]

    def detail_context(self, **bound) -> dict:
        user, order = self.request.user, self.order
        lines = list(order.lines.all())
        actions = self.actions(bound)
        return {
            "order": order,
            "lines": lines,
            "breakdown": vat_breakdown((line.amount_excl_vat, line.vat_rate) for line in lines),
            "per_line_budget": any(line.budget_article != order.budget_article for line in lines),
            "delivered_any": any(line.delivered_quantity for line in lines),
            "chain": self.chain(),
            "deliveries": self.deliveries(lines),
            "actions": actions,
            "buttons": [action for action in actions if action.form is None],
            "following": self.following,
            "history": history(user, order, limit=HISTORY_SHOWN),
        }


class OrderDetailView(PermissionRequiredMixin, OrderDetailMixin, TemplateView):
    permission_required = Perm.ORDER_VIEW
    template_name = "orders/order_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.detail_context())


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


class OrderPdfView(PermissionRequiredMixin, OrderMixin, View):
    """The purchase order as sent (stored), or as it would be printed now (a draft)."""

    permission_required = Perm.ORDER_VIEW

    def get(self, request, pk):
        order: Order = self.order
        filename = f"{order.number}.pdf"
        if order.document:
            return FileResponse(
                order.document.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
            )
        return attachment(documents.order_pdf(order), "application/pdf", filename)


class OrderUblView(PermissionRequiredMixin, OrderMixin, View):
    """The order as a Peppol BIS Order 3.0 document (UBL 2.1)."""

    permission_required = Perm.ORDER_VIEW

    def get(self, request, pk):
        order: Order = self.order
        try:
            content = documents.order_ubl(order)
        except DomainError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self.order_url())
        return attachment(content, "application/xml", f"{order.number}.xml")
