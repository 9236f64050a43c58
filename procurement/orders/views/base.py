"""What the ordering pages share: the order of the URL, where to go back to, which side one acts for."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme

from procurement.orders import selectors
from procurement.orders.models import Order


def safe_next(request, default: str) -> str:
    """The ``next`` page the form came from, when it is one of ours; ``default`` otherwise."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def acts_for_member(user, order: Order) -> bool:
    return user.acting.organization_id == order.member_id


def acts_for_supplier(user, order: Order) -> bool:
    return user.acting.organization_id == order.supplier_id


class OrderMixin:
    """The order of the URL among those the person may see (another organisation's is a 404)."""

    @cached_property
    def order(self) -> Order:
        orders = selectors.with_details(selectors.orders_for(self.request.user))
        return get_object_or_404(orders, pk=self.kwargs["pk"])

    def order_url(self) -> str:
        return reverse("order_detail", kwargs={"pk": self.order.pk})

    def get_success_url(self) -> str:
        return self.order_url()
