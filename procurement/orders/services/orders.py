"""Purchase orders: checkout, the approval chain, the ceiling guard, the supplier's answer, deliveries.

Who acts:
- the member's purchasing officer checks out, submits, sends, re-addresses, closes and cancels;
- the member's approvers decide the steps of its approval chain — the last approval consumes
  the order's total excl. VAT from the agreement's ceiling, under the agreement's row lock;
- the supplier confirms or declines an order sent to it, and records deliveries (the member's
  officer may record a delivery too).

What releases consumption: rejecting or cancelling (all of it), closing a partly delivered
order (the undelivered remainder). A decline holds it until the order is re-addressed within
a cascade (kept) or cancelled (released).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import services as catalog_services
from catalog.models import CatalogItem
from catalog.price_lists import normalise
from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.mail import send_after_commit
from procurement.core.money import line_amount, vat_breakdown
from procurement.core.permissions import Perm
from procurement.core.transitions import StateMachine
from procurement.orders import rollups
from procurement.orders.models import (
    Cart,
    CartLine,
    Decision,
    Delivery,
    DeliveryLine,
    Order,
    OrderApproval,
    OrderCounter,
    OrderLine,
    OrderStatus,
)
from procurement.orders.services import chains
from procurement.orders.services._common import (
    approvers_of,
    check_acting_for,
    check_may_use,
    check_membership_active,
    check_subscribed,
    clean_budget_article,
    clean_quantity,
    member_acted_for,
    officers_of,
    plain,
    supplier_people_of,
)
from tenders.models import AgreementSupplier, SupplierMode
from tenders.services.agreements import agreement_consume, agreement_locked, agreement_release

S = OrderStatus
ORDER_STATES = StateMachine(
    transitions={
        S.DRAFT: {S.SUBMITTED, S.CANCELLED},
        S.SUBMITTED: {S.APPROVED, S.REJECTED, S.CANCELLED},
        S.APPROVED: {S.SENT, S.CANCELLED},
        S.SENT: {S.CONFIRMED, S.DECLINED, S.CANCELLED},
        S.DECLINED: {S.SENT, S.CANCELLED},
        S.CONFIRMED: {S.PARTIALLY_DELIVERED, S.DELIVERED, S.CANCELLED},
        S.PARTIALLY_DELIVERED: {S.PARTIALLY_DELIVERED, S.DELIVERED, S.CLOSED},
        S.DELIVERED: {S.CLOSED},
        S.REJECTED: set(),
        S.CLOSED: set(),
        S.CANCELLED: set(),
    },
    action_prefix="order",
    labels=dict(OrderStatus.choices),
)
EVENTS = {
    "submitted": gettext_lazy("is awaiting approval"),
    "step_approved": gettext_lazy("passed a step of its approval"),
    "approved": gettext_lazy("is approved"),
    "rejected": gettext_lazy("is rejected"),
    "sent": gettext_lazy("is sent to the supplier"),
    "confirmed": gettext_lazy("is confirmed by the supplier"),
    "declined": gettext_lazy("is declined by the supplier"),
    "readdressed": gettext_lazy("is re-addressed to the next supplier in the cascade"),
    "delivered": gettext_lazy("is delivered"),
    "partially_delivered": gettext_lazy("is partly delivered"),
    "closed": gettext_lazy("is closed"),
    "cancelled": gettext_lazy("is cancelled"),
}


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _tell(order: Order, event: str, recipients: list[str], reason: str = "") -> None:
    send_after_commit(
        template="orders/email/order_event",
        context={"order": order, "event": EVENTS[event], "reason": reason},
        recipients=recipients,
    )


def _creator_and_officers(order: Order) -> list[str]:
    emails = set(officers_of(order.member_id))
    if order.created_by and order.created_by.email:
        emails.add(order.created_by.email)
    return sorted(emails)


def _apply(order: Order, *, to: str, actor, verb: str, changes: dict | None = None, data: dict | None = None):
    ORDER_STATES.apply(
        order,
        to=to,
        actor=actor,
        verb=verb,
        changes={"status_changed_at": timezone.now(), **(changes or {})},
        data=data,
        organizations=[order.member_id, order.supplier_id],
    )


def _totals(lines) -> dict[str, Decimal]:
    breakdown = vat_breakdown((line.amount_excl_vat, line.vat_rate) for line in lines)
    return {
        "total_excl_vat": breakdown.total.net,
        "total_vat": breakdown.total.vat,
        "total_incl_vat": breakdown.total.gross,
    }


def _next_number(member_id: int, year: int) -> tuple[str, int]:
    """The member's next order number this year; the counter's row stays locked until commit (no gaps)."""
    OrderCounter.objects.bulk_create([OrderCounter(member_id=member_id, year=year)], ignore_conflicts=True)
    counter = OrderCounter.objects.select_for_update().get(member_id=member_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"BC-{year}-{counter.last:05d}", counter.last


def _first_ranked(agreement) -> int | None:
    return (
        AgreementSupplier.objects.filter(agreement=agreement, active=True)
        .order_by("rank")
        .values_list("supplier_id", flat=True)
        .first()
    )


# --- Checkout -----------------------------------------------------------------------------------


@transaction.atomic
def cart_checkout(
    *,
    actor,
    budget_article: str,
    delivery_address: str,
    contact_name: str,
    contact_email: str = "",
    contact_phone: str = "",
    requested_delivery_date: datetime.date | None = None,
    note: str = "",
) -> list[Order]:
    """The cart becomes one draft order per agreement and supplier; each line frozen as it is bought now."""
    member = member_acted_for(actor, Perm.ORDER_PLACE)
    check_membership_active(member)
    catalog_services.apply_due_prices()  # a price scheduled for today is the price lines freeze at
    cart = Cart.objects.select_for_update().filter(user=actor, organization=member).first()
    lines = (
        list(
            CartLine.objects.filter(cart=cart)
            .select_related("item__agreement", "item__supplier")
            .order_by("added_at", "id")
        )
        if cart
        else []
    )
    if not lines:
        raise ValidationError({"cart": _("The cart is empty.")})
    errors: dict[str, str] = {}
    article = clean_budget_article(budget_article)
    if not " ".join((delivery_address or "").split()):
        errors["delivery_address"] = _("Give the delivery address.")
    if not " ".join((contact_name or "").split()):
        errors["contact_name"] = _("Give the person the supplier can contact.")
    today = timezone.localdate()
    if requested_delivery_date and requested_delivery_date < today:
        errors["requested_delivery_date"] = _("The requested delivery date is in the past.")
    if errors:
        raise ValidationError(errors)
    groups: dict[tuple[int, int], list[CartLine]] = defaultdict(list)
    for line in lines:
        item = line.item
        check_may_use(member, item.agreement)
        check_subscribed(member, item.agreement)
        if not item.active:
            raise DomainError(
                _("%(reference)s is withdrawn from the catalogue: remove it from the cart.")
                % {"reference": item.supplier_reference},
                code="item_withdrawn",
            )
        clean_quantity(item, line.quantity)
        if item.agreement.supplier_mode == SupplierMode.CASCADE and item.supplier_id != _first_ranked(item.agreement):
            raise DomainError(
                _(
                    "%(reference)s comes from a supplier that is not first in the cascade of %(agreement)s: "
                    "an order goes to the first-ranked supplier, and to the next only if it declines."
                )
                % {"reference": item.supplier_reference, "agreement": item.agreement.reference},
                code="cascade_rank",
            )
        groups[(item.agreement_id, item.supplier_id)].append(line)
    now = timezone.now()
    year = timezone.localdate().year  # Belgian year: an order of 1 January 00:30 is of the new year
    orders = []
    for (agreement_id, supplier_id), group in groups.items():
        number, sequence = _next_number(member.pk, year)
        order = Order.objects.create(
            number=number,
            year=year,
            sequence=sequence,
            member=member,
            agreement_id=agreement_id,
            supplier_id=supplier_id,
            budget_article=article,
            delivery_address=delivery_address.strip(),
            contact_name=" ".join(contact_name.split()),
            contact_email=(contact_email or "").strip(),
            contact_phone=(contact_phone or "").strip(),
            requested_delivery_date=requested_delivery_date,
            note=(note or "").strip(),
            created_by=actor,
            created_at=now,
        )
        order_lines = OrderLine.objects.bulk_create(
            [
                _frozen_line(order, position, line.item, line.quantity, line.budget_article or article)
                for position, line in enumerate(group, start=1)
            ]
        )
        for name, value in _totals(order_lines).items():
            setattr(order, name, value)
        order.save(update_fields=["total_excl_vat", "total_vat", "total_incl_vat"])
        audit.record(
            actor=actor,
            action="order.created",
            target=order,
            after={
                "number": order.number,
                "agreement": group[0].item.agreement.reference,
                "supplier": supplier_id,
                "lines": len(order_lines),
                "total_excl_vat": order.total_excl_vat,
            },
            organizations=[member.pk],
        )
        orders.append(order)
    CartLine.objects.filter(cart=cart).delete()
    return orders


def _frozen_line(order: Order, position: int, item: CatalogItem, quantity: Decimal, article: str) -> OrderLine:
    return OrderLine(
        order=order,
        position=position,
        item=item,
        supplier_reference=item.supplier_reference,
        name=item.name_fr,
        unit=item.unit,
        quantity=quantity,
        unit_price=item.unit_price,
        list_price=item.list_price,
        vat_rate=item.vat_rate,
        cpv_code=item.cpv_code_id or "",
        budget_article=article,
        amount_excl_vat=line_amount(quantity, item.unit_price),
    )


# --- Approval -----------------------------------------------------------------------------------


@transaction.atomic
def order_submit(*, actor, order: Order) -> Order:
    """The officer submits a draft: the member's approval chain for its amount is fixed now."""
    check_acting_for(actor, Perm.ORDER_PLACE, order.member_id)
    order = _locked(order)
    ORDER_STATES.check(order, S.SUBMITTED)
    check_membership_active(order.member)
    check_may_use(order.member, order.agreement)
    check_subscribed(order.member, order.agreement)
    chain = chains.chain_for(order.member, order.total_excl_vat)
    _apply(
        order,
        to=S.SUBMITTED,
        actor=actor,
        verb="submitted",
        changes={"submitted_by": actor, "submitted_at": timezone.now(), "approval_chain": chain},
        data={"steps": [step["name"] for step in chain]},
    )
    _tell(order, "submitted", approvers_of(order.member_id))
    return order


def next_step(order: Order) -> dict | None:
    """The step of the chain waiting for a decision (None when the order is not awaiting approval)."""
    if order.status != S.SUBMITTED:
        return None
    decided = {approval.position for approval in order.approvals.all()}  # prefetched on an order's page
    return next((step for step in order.approval_chain if step["position"] not in decided), None)


def _decide(actor, order: Order, decision_date, decision_reference: str, note: str, decision: str) -> dict:
    check_acting_for(actor, Perm.ORDER_APPROVE, order.member_id)
    if order.status != S.SUBMITTED:
        raise DomainError(
            _("Order %(number)s is %(status)s: it is not awaiting approval.")
            % {"number": order.number, "status": order.get_status_display()},
            code="not_awaiting_approval",
        )
    step = next_step(order)
    if len(order.approval_chain) > 1 and order.approvals.filter(decided_by=actor).exists():
        raise PermissionDenied(_("You decided a step of this order already: the next step is someone else's."))
    decision_date = decision_date or timezone.localdate()
    if decision_date > timezone.localdate():
        raise ValidationError({"decision_date": _("A decision cannot be dated in the future.")})
    OrderApproval.objects.create(
        order=order,
        position=step["position"],
        step_name=step["name"],
        decision=decision,
        decided_by=actor,
        decision_date=decision_date,
        decision_reference=" ".join((decision_reference or "").split())[:150],
        note=(note or "").strip(),
    )
    return step


@transaction.atomic
def order_approve(
    *, actor, order: Order, decision_date: datetime.date | None = None, decision_reference: str = "", note: str = ""
) -> Order:
    """One step of the approval chain; the last one consumes the order's amount from the agreement's ceiling."""
    check_acting_for(actor, Perm.ORDER_APPROVE, order.member_id)
    order = _locked(order)
    check_membership_active(order.member)
    step = _decide(actor, order, decision_date, decision_reference, note, Decision.APPROVED)
    if next_step(order) is not None:
        audit.record(
            actor=actor,
            action="order.step_approved",
            target=order,
            data={"step": step["name"], "reference": decision_reference},
            organizations=[order.member_id],
        )
        _tell(order, "step_approved", approvers_of(order.member_id))
        return order
    approved_at = timezone.now()
    with rollups.tracking(order):
        _apply(
            order,
            to=S.APPROVED,
            actor=actor,
            verb="approved",
            changes={
                "approved_at": approved_at,
                "approved_on": timezone.localdate(approved_at),
                "consumed": order.total_excl_vat,
            },
            data={"step": step["name"], "reference": decision_reference, "consumed": order.total_excl_vat},
        )
        _tell(order, "approved", _creator_and_officers(order))
        # The agreement's row is locked last, just before the commit (the rollups after it):
        # approvals of other orders under the same agreement wait only for this consumption.
        agreement_consume(
            agreement=agreement_locked(order.agreement_id),
            amount=order.total_excl_vat,
            actor=actor,
            what=_("Order %(number)s") % {"number": order.number},
        )
    return order


@transaction.atomic
def order_reject(
    *, actor, order: Order, reason: str, decision_date: datetime.date | None = None, decision_reference: str = ""
) -> Order:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: the officer will read it.")})
    order = _locked(order)
    step = _decide(actor, order, decision_date, decision_reference, reason, Decision.REJECTED)
    _release_all(order, actor)
    _apply(
        order,
        to=S.REJECTED,
        actor=actor,
        verb="rejected",
        changes={"status_reason": reason, "consumed": Decimal("0.00")},
        data={"step": step["name"], "reason": reason},
    )
    _tell(order, "rejected", _creator_and_officers(order), reason)
    return order


def _release_all(order: Order, actor) -> None:
    if order.consumed > 0:
        agreement_release(agreement=agreement_locked(order.agreement_id), amount=order.consumed, actor=actor)
        order.consumed = Decimal("0.00")


# --- To the supplier and back -------------------------------------------------------------------


def _check_member_side(actor, order: Order, *permissions: Perm) -> None:
    acting = actor.acting
    if acting.organization_id != order.member_id or not any(acting.has(p) for p in permissions):
        raise PermissionDenied(_("Only the member's officers can do this."))


def _check_supplier_side(actor, order: Order) -> None:
    check_acting_for(actor, Perm.ORDER_FULFIL, order.supplier_id)


@transaction.atomic
def order_send(*, actor, order: Order) -> Order:
    """The approved order goes to the supplier, with its purchase order PDF."""
    from procurement.orders import documents

    _check_member_side(actor, order, Perm.ORDER_PLACE, Perm.ORDER_APPROVE)
    order = _locked(order)
    ORDER_STATES.check(order, S.SENT)
    _store_document(order, documents.order_pdf(order))
    _apply(order, to=S.SENT, actor=actor, verb="sent", changes={"sent_at": timezone.now()})
    _tell(order, "sent", supplier_people_of(order.supplier_id))
    return order


def _store_document(order: Order, content: bytes) -> None:
    order.document.save(f"{order.number}.pdf", ContentFile(content), save=False)
    order.document_sha256 = hashlib.sha256(content).hexdigest()
    order.save(update_fields=["document", "document_sha256"])


@transaction.atomic
def order_confirm(*, actor, order: Order) -> Order:
    _check_supplier_side(actor, order)
    order = _locked(order)
    _apply(order, to=S.CONFIRMED, actor=actor, verb="confirmed", changes={"confirmed_at": timezone.now()})
    _tell(order, "confirmed", _creator_and_officers(order))
    return order


@transaction.atomic
def order_decline(*, actor, order: Order, reason: str) -> Order:
    """The supplier declines; what the order consumes stays held until it is re-addressed or cancelled."""
    _check_supplier_side(actor, order)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: the member will read it.")})
    order = _locked(order)
    _apply(order, to=S.DECLINED, actor=actor, verb="declined", changes={"status_reason": reason})
    _tell(order, "declined", _creator_and_officers(order), reason)
    return order


def next_in_cascade(order: Order) -> AgreementSupplier | None:
    """The supplier ranked after the one that declined, among the agreement's current suppliers."""
    if order.agreement.supplier_mode != SupplierMode.CASCADE:
        return None
    links = list(AgreementSupplier.objects.filter(agreement_id=order.agreement_id, active=True).order_by("rank"))
    current = next((link.rank for link in links if link.supplier_id == order.supplier_id), None)
    return next((link for link in links if current is None or link.rank > current), None)


def _matching_item(line: OrderLine, supplier_id: int, agreement_id: int) -> CatalogItem | None:
    candidates = CatalogItem.objects.filter(agreement_id=agreement_id, supplier_id=supplier_id, active=True)
    by_reference = candidates.filter(supplier_reference=line.supplier_reference).first()
    if by_reference is not None:
        return by_reference
    same_name = [item for item in candidates.filter(unit=line.unit) if normalise(item.name_fr) == normalise(line.name)]
    return same_name[0] if len(same_name) == 1 else None


@transaction.atomic
def order_readdress(*, actor, order: Order, items: dict[int, CatalogItem] | None = None) -> Order:
    """Within a cascade, a declined order goes to the next-ranked supplier, at that supplier's prices.

    Each line takes the next supplier's catalogue line with the same reference, or the same
    name and unit; ``items`` ({order line id: catalogue line}) chooses where that is ambiguous.
    What the order consumes is kept, adjusted to the new total.
    """
    _check_member_side(actor, order, Perm.ORDER_PLACE)
    order = _locked(order)
    if order.status != S.DECLINED:
        raise DomainError(_("Only an order the supplier declined can be re-addressed."), code="not_declined")
    check_membership_active(order.member)
    check_may_use(order.member, order.agreement)
    following = next_in_cascade(order)
    if following is None:
        raise DomainError(
            _("No supplier comes next in this agreement's cascade: cancel the order instead."), code="cascade_end"
        )
    items = items or {}
    lines = list(order.lines.all())
    missing = []
    for line in lines:
        item = items.get(line.pk) or _matching_item(line, following.supplier_id, order.agreement_id)
        if item is None or item.supplier_id != following.supplier_id or item.agreement_id != order.agreement_id:
            missing.append(line.supplier_reference)
            continue
        if not item.active:
            missing.append(line.supplier_reference)
            continue
        clean_quantity(item, line.quantity)
        line.item, line.supplier_reference, line.name, line.unit = (
            item,
            item.supplier_reference,
            item.name_fr,
            item.unit,
        )
        line.unit_price, line.list_price, line.vat_rate = item.unit_price, item.list_price, item.vat_rate
        line.cpv_code = item.cpv_code_id or ""
        line.amount_excl_vat = line_amount(line.quantity, item.unit_price)
    if missing:
        raise ValidationError(
            {
                "items": _("Choose the next supplier's catalogue line for: %(references)s.")
                % {"references": ", ".join(missing)}
            }
        )
    with rollups.tracking(order):
        OrderLine.objects.bulk_update(
            lines,
            [
                "item",
                "supplier_reference",
                "name",
                "unit",
                "unit_price",
                "list_price",
                "vat_rate",
                "cpv_code",
                "amount_excl_vat",
            ],
        )
        totals = _totals(lines)
        agreement = agreement_locked(order.agreement_id)
        difference = totals["total_excl_vat"] - order.consumed
        if difference > 0:
            agreement_consume(
                agreement=agreement,
                amount=difference,
                actor=actor,
                what=_("The difference of order %(number)s at the next supplier's prices") % {"number": order.number},
            )
        elif difference < 0:
            agreement_release(agreement=agreement, amount=-difference, actor=actor)
        previous = order.supplier_id
        _apply(
            order,
            to=S.SENT,
            actor=actor,
            verb="readdressed",
            changes={
                "supplier_id": following.supplier_id,
                "consumed": totals["total_excl_vat"],
                "sent_at": timezone.now(),
                "status_reason": "",
                **totals,
            },
            data={"from_supplier": previous, "to_supplier": following.supplier_id, "rank": following.rank},
        )
    from procurement.orders import documents

    _store_document(order, documents.order_pdf(order))
    _tell(order, "readdressed", supplier_people_of(order.supplier_id))
    return order


# --- Deliveries, closing, cancelling ------------------------------------------------------------


def _delivered_amount(lines) -> Decimal:
    return sum((line_amount(line.delivered_quantity, line.unit_price) for line in lines), Decimal("0.00"))


@transaction.atomic
def order_deliver(
    *,
    actor,
    order: Order,
    quantities: dict[int, Decimal | str],
    delivered_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
) -> Delivery:
    """Record a delivery: quantities per order line (partial allowed), by the supplier or the member."""
    acting = actor.acting
    supplier_side = acting.organization_id == order.supplier_id and acting.has(Perm.ORDER_FULFIL)
    if not supplier_side:
        _check_member_side(actor, order, Perm.ORDER_PLACE)
    order = _locked(order)
    if order.status not in (S.CONFIRMED, S.PARTIALLY_DELIVERED):
        raise DomainError(
            _("Order %(number)s is %(status)s: deliveries are recorded once the supplier has confirmed it.")
            % {"number": order.number, "status": order.get_status_display()},
            code="not_deliverable",
        )
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("A delivery cannot be dated in the future.")})
    lines = {line.pk: line for line in order.lines.select_for_update()}
    errors = []
    delivered = []
    for line_id, quantity in quantities.items():
        line = lines.get(int(line_id))
        if line is None:
            errors.append(_("Line %(line)s is not part of the order.") % {"line": line_id})
            continue
        if quantity in (None, "", 0, "0"):
            continue
        try:
            value = Decimal(str(quantity).replace(",", "."))
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite() or value <= 0:
            errors.append(
                _("%(reference)s: enter a quantity above zero.") % {"reference": line.supplier_reference or line.name}
            )
        elif value > line.remaining_quantity:
            errors.append(
                _("%(reference)s: at most %(remaining)s remain to deliver.")
                % {"reference": line.supplier_reference or line.name, "remaining": plain(line.remaining_quantity)}
            )
        else:
            delivered.append((line, value))
    if errors:
        raise ValidationError({"quantities": errors})
    if not delivered:
        raise ValidationError({"quantities": _("Give the quantity delivered of at least one line.")})
    with rollups.tracking(order):  # what was delivered
        delivery = Delivery.objects.create(
            order=order,
            delivered_on=delivered_on,
            reference=" ".join((reference or "").split())[:100],
            note=(note or "").strip(),
            recorded_by=actor,
        )
        DeliveryLine.objects.bulk_create(
            DeliveryLine(delivery=delivery, line=line, quantity=value) for line, value in delivered
        )
        for line, value in delivered:
            line.delivered_quantity += value
        OrderLine.objects.bulk_update([line for line, _value in delivered], ["delivered_quantity"])
        complete = all(line.remaining_quantity == 0 for line in lines.values())
        to = S.DELIVERED if complete else S.PARTIALLY_DELIVERED
        _apply(
            order,
            to=to,
            actor=actor,
            verb="delivered" if complete else "partially_delivered",
            changes={"delivered_at": timezone.now()} if complete else {},
            data={
                "delivery": delivery.pk,
                "lines": {line.supplier_reference: str(value) for line, value in delivered},
                "reference": delivery.reference,
            },
        )
    _tell(order, "delivered" if complete else "partially_delivered", _creator_and_officers(order))
    return delivery


@transaction.atomic
def order_close(*, actor, order: Order, reason: str = "") -> Order:
    """Close a delivered order, or a partly delivered one: the undelivered remainder goes back to the agreement."""
    _check_member_side(actor, order, Perm.ORDER_PLACE)
    order = _locked(order)
    ORDER_STATES.check(order, S.CLOSED)
    reason = (reason or "").strip()
    with rollups.tracking(order):
        delivered = _delivered_amount(order.lines.all())
        released = Decimal("0.00")
        if order.status == S.PARTIALLY_DELIVERED:
            if not reason:
                raise ValidationError({"reason": _("Say why the rest will not be delivered.")})
            released = max(order.consumed - delivered, Decimal("0.00"))
            agreement_release(agreement=agreement_locked(order.agreement_id), amount=released, actor=actor)
        _apply(
            order,
            to=S.CLOSED,
            actor=actor,
            verb="closed",
            changes={"closed_at": timezone.now(), "consumed": order.consumed - released, "status_reason": reason},
            data={"delivered_excl_vat": delivered, "released": released},
        )
    _tell(order, "closed", supplier_people_of(order.supplier_id) if released else [], reason)
    return order


CANCELLABLE = frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.SENT, S.CONFIRMED, S.DECLINED})


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str) -> Order:
    """Cancel until delivery starts; what the order consumed goes back to the agreement."""
    _check_member_side(actor, order, Perm.ORDER_PLACE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    order = _locked(order)
    if order.status not in CANCELLABLE:
        raise DomainError(
            _("Order %(number)s is %(status)s: it can no longer be cancelled.")
            % {"number": order.number, "status": order.get_status_display()},
            code="not_cancellable",
        )
    with rollups.tracking(order):
        released = order.consumed
        was_with_supplier = order.status in (S.SENT, S.CONFIRMED, S.DECLINED)
        _release_all(order, actor)
        _apply(
            order,
            to=S.CANCELLED,
            actor=actor,
            verb="cancelled",
            changes={"consumed": Decimal("0.00"), "status_reason": reason},
            data={"released": released, "reason": reason},
        )
    recipients = set(_creator_and_officers(order))
    if was_with_supplier:
        recipients |= set(supplier_people_of(order.supplier_id))
    _tell(order, "cancelled", sorted(recipients), reason)
    return order
