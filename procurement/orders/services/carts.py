"""The officer's cart: catalogue lines and quantities, checked as they are added."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import selectors as catalog_selectors
from procurement.core import audit
from procurement.core.money import line_amount
from procurement.core.permissions import Perm
from procurement.orders.models import Cart, CartLine
from procurement.orders.services._common import (
    check_membership_active,
    check_subscribed,
    clean_budget_article,
    clean_quantity,
    member_acted_for,
)


def _cart(actor, member) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=actor, organization=member)
    return Cart.objects.select_for_update().get(pk=cart.pk)


def check_orderable(actor, member, item, quantity):
    """The line may be ordered by ``member`` now, in ``quantity``: returns the clean quantity."""
    if not catalog_selectors.items_for(actor).filter(pk=item.pk).exists():
        raise ValidationError(
            {"item": _("This catalogue line cannot be ordered: it is withdrawn or not yours to order.")}
        )
    check_subscribed(member, item.agreement)
    quantity = clean_quantity(item, quantity)
    if line_amount(quantity, item.unit_price) > item.agreement.maximum_value:
        raise ValidationError({"quantity": _("This quantity exceeds the agreement's whole maximum value: check it.")})
    return quantity


def _audit(actor, line: CartLine, verb: str, **data) -> None:
    audit.record(
        actor=actor,
        action=f"cart.{verb}",
        target=line.cart,
        data={"item": line.item_id, "reference": line.item.supplier_reference, **data},
        organizations=[line.cart.organization_id],
    )


@transaction.atomic
def cart_add(*, actor, item, quantity, budget_article: str = "") -> CartLine:
    """Add ``quantity`` of ``item`` (to what the cart already holds of it)."""
    member = member_acted_for(actor, Perm.ORDER_PLACE)
    check_membership_active(member)
    cart = _cart(actor, member)
    line = CartLine.objects.filter(cart=cart, item=item).first()
    total = clean_quantity(item, quantity) + (line.quantity if line else 0)
    total = check_orderable(actor, member, item, total)
    article = clean_budget_article(budget_article, required=False)
    if line is None:
        line = CartLine.objects.create(cart=cart, item=item, quantity=total, budget_article=article)
    else:
        line.quantity = total
        line.budget_article = article or line.budget_article
        line.save(update_fields=["quantity", "budget_article"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    _audit(actor, line, "line_added", quantity=total)
    return line


@transaction.atomic
def cart_update_line(*, actor, line: CartLine, quantity=None, budget_article: str | None = None) -> CartLine:
    member = member_acted_for(actor, Perm.ORDER_PLACE)
    line = CartLine.objects.select_for_update().select_related("cart", "item__agreement").get(pk=line.pk)
    if line.cart.user_id != actor.pk or line.cart.organization_id != member.pk:
        raise ValidationError({"line": _("This line is not in your cart.")})
    if quantity is not None:
        line.quantity = check_orderable(actor, member, line.item, quantity)
    if budget_article is not None:
        line.budget_article = clean_budget_article(budget_article, required=False)
    line.save(update_fields=["quantity", "budget_article"])
    Cart.objects.filter(pk=line.cart_id).update(updated_at=timezone.now())
    _audit(actor, line, "line_changed", quantity=line.quantity, budget_article=line.budget_article)
    return line


@transaction.atomic
def cart_remove_line(*, actor, line: CartLine) -> None:
    member = member_acted_for(actor, Perm.ORDER_PLACE)
    line = CartLine.objects.select_for_update().select_related("cart", "item").get(pk=line.pk)
    if line.cart.user_id != actor.pk or line.cart.organization_id != member.pk:
        raise ValidationError({"line": _("This line is not in your cart.")})
    _audit(actor, line, "line_removed")
    line.delete()
