"""The API's filter backend builds a FilterSet only when a parameter names one of its filters."""

import pytest

from procurement.core.api.filters import FilterBackend, _names_a_filter
from procurement.orders.api.views import OrderFilter, SubscriptionViewSet
from procurement.orders.models import Subscription
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_filterset_is_built_only_when_a_parameter_names_a_filter(buyer, monkeypatch):
    built = []
    original = OrderFilter.__init__

    def counting(self, *args, **kwargs):
        built.append(kwargs.get("data") or args[0])
        original(self, *args, **kwargs)

    monkeypatch.setattr(OrderFilter, "__init__", counting)
    client = client_for(buyer)

    assert client.get("/api/v1/orders/?page_size=10&ordering=number").status_code == 200
    assert built == []
    assert client.get("/api/v1/orders/?status=draft").status_code == 200
    assert [dict(data) for data in built] == [{"status": ["draft"]}]
    assert client.get("/api/v1/orders/?status=nonsense").status_code == 400  # validated as before


def test_a_view_s_filterset_fields_make_one_class_for_all_requests():
    backend, view = FilterBackend(), SubscriptionViewSet()

    first = backend.get_filterset_class(view, Subscription.objects.all())
    again = FilterBackend().get_filterset_class(view, Subscription.objects.all())

    assert first is again
    assert set(first.base_filters) == {"agreement", "member", "status"}


def test_a_parameter_names_a_filter_by_its_name_or_its_name_and_a_suffix():
    filters = {"price", "created"}
    assert _names_a_filter({"price": "1"}, filters)
    assert _names_a_filter({"created_after": "2026-01-01"}, filters)  # a range widget's half
    assert not _names_a_filter({"page": "2", "ordering": "-id", "prices": "1"}, filters)
