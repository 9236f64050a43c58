"""How the catalogue pages write prices: unit prices keep the decimals they need (2 to 4)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()
PERCENT = Decimal("0.1")


@register.filter
def unit_price(value: Decimal | None) -> str:
    """``3.25`` for 3.2500, ``0.1234`` for 0.1234, ``12.00`` for 12: cents always, more when the price has them."""
    if value is None:
        return "—"
    exponent = value.normalize().as_tuple().exponent
    decimals = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
    return floatformat(value, f"{decimals}g")


@register.filter
def savings_percent(item) -> str:
    """What the contract price saves on the public list price, in percent (``—`` without a list price)."""
    if not item.list_price:
        return "—"
    percent = (item.list_price - item.unit_price) * 100 / item.list_price
    return floatformat(percent.quantize(PERCENT), "1")


@register.filter
def quantity(value: Decimal | None) -> str:
    """``1`` for 1.000, ``2.5`` for 2.500."""
    if value is None:
        return "—"
    exponent = value.normalize().as_tuple().exponent
    return floatformat(value, f"{max(0, -exponent) if isinstance(exponent, int) else 0}g")
