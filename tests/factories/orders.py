"""Raw material for ordering tests: catalogue lines and subscriptions written directly, and
orders placed through the services (cart → checkout → submit → approve…)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from catalog import search
from catalog.models import CatalogItem, ItemPrice
from procurement.orders import services
from procurement.orders.models import Order, Subscription

D = Decimal
DELIVERY = {
    "budget_article": "104/742-53",
    "delivery_address": "Hôtel de ville, Place de l'Ange 1, 5000 Namur",
    "contact_name": "Claire Dubois",
    "contact_email": "claire.dubois@example.org",
    "contact_phone": "+32 81 24 60 00",
}


def catalogue_line(agreement, supplier, reference, price, *, vat="21", unit="C62", name=None, **fields) -> CatalogItem:
    """One active line under ``agreement`` with its first price (as an applied import leaves it)."""
    item = CatalogItem(
        agreement=agreement,
        supplier=supplier,
        supplier_reference=reference,
        name_fr=name or f"Article {reference}",
        unit=unit,
        unit_price=D(price),
        vat_rate=D(vat),
        price_effective_from=agreement.start_date,
        cpv_code_id=fields.pop("cpv_code_id", "30192000-1"),
        **fields,
    )
    search.fill(item)
    item.save()
    ItemPrice.objects.create(
        item=item,
        unit_price=item.unit_price,
        list_price=item.list_price,
        effective_from=item.price_effective_from,
        applied=True,
    )
    return item


def subscribe(member, agreement, estimated="50000.00") -> Subscription:
    return Subscription.objects.create(member=member, agreement=agreement, estimated_value=D(estimated))


def checkout(officer, quantities: dict[CatalogItem, object], **fields) -> list[Order]:
    for item, quantity in quantities.items():
        services.cart_add(actor=officer, item=item, quantity=quantity)
    return services.cart_checkout(actor=officer, **(DELIVERY | fields))


def placed(officer, quantities: dict[CatalogItem, object], **fields) -> Order:
    """One draft order of ``quantities`` (all from one agreement and supplier)."""
    [order] = checkout(officer, quantities, **fields)
    return order


def approved(officer, approver, quantities: dict[CatalogItem, object], **fields) -> Order:
    order = placed(officer, quantities, **fields)
    services.order_submit(actor=officer, order=order)
    return services.order_approve(actor=approver, order=order, decision_reference="Collège du 12/03")


def sent(officer, approver, quantities, **fields) -> Order:
    return services.order_send(actor=officer, order=approved(officer, approver, quantities, **fields))


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)
