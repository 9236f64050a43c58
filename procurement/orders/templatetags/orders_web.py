"""What the navigation says about ordering: the lines in the officer's cart, the orders awaiting approval."""

from __future__ import annotations

from django import template

from procurement.orders import selectors
from procurement.orders.models import OrderStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_line_count(context) -> int:
    """One count query, for officers only (the navigation asks when the person may order)."""
    return selectors.cart_lines_of(context["request"].user).count()


@register.simple_tag(takes_context=True)
def awaiting_approval_count(context) -> int:
    return selectors.orders_for(context["request"].user).filter(status=OrderStatus.SUBMITTED).count()
