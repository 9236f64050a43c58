"""Lists read as rows give the same JSON as their serializer reading instances."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework import serializers

from catalog.api.serializers import CatalogItemSerializer
from catalog.models import CatalogItem
from procurement.core.api.rows import Computed, Rows
from procurement.orders.api.serializers import OrderDetailSerializer, OrderSerializer
from procurement.orders.models import Order
from tests.api.conftest import client_for
from tests.factories import MembershipFactory, SupplierFactory, person
from tests.factories.orders import catalogue_line, placed, sent, subscribe
from tests.factories.tenders import concluded_agreement

pytestmark = pytest.mark.django_db


def test_the_order_list_is_the_serializer_s_json_row_for_row(commune, buyer):
    MembershipFactory(member=commune)
    officer = person(commune, "member_officer", username="rows-officer")
    approver = person(commune, "member_approver", username="rows-approver")
    company = SupplierFactory(name="Bureau Meuse SA")
    agreement = concluded_agreement(suppliers=[company], maximum="100000.00", estimated="80000.00")
    subscribe(commune, agreement)
    paper = catalogue_line(agreement, company, "P-A4", "3.2549")
    draft = placed(officer, {paper: 7})  # no submission or approval dates: nulls
    done = sent(officer, approver, {paper: 12})

    for user in (officer, buyer):
        response = client_for(user).get("/api/v1/orders/")

        expected = OrderSerializer(
            Order.objects.filter(pk__in=[done.pk, draft.pk])
            .select_related("member", "agreement", "supplier")
            .order_by("-created_at", "-id"),
            many=True,
        ).data
        assert response.status_code == 200
        assert response.json()["count"] == 2
        assert response.json()["results"] == [dict(row) for row in expected]
        assert response.json()["results"][0]["total_excl_vat"] == "39.06"  # 12 × 3.2549, a string as DRF writes it


@pytest.mark.parametrize("language", ["fr", "nl", "it"])
def test_the_catalogue_list_is_the_serializer_s_json_in_the_reader_s_language(commune, language):
    MembershipFactory(member=commune)
    officer = person(commune, "member_officer", username="rows-catalogue")
    company = SupplierFactory(name="Papeterie Sambre SA")
    agreement = concluded_agreement(suppliers=[company])
    subscribe(commune, agreement)
    catalogue_line(agreement, company, "P-A4", "3.2549", name="Papier A4", name_nl="A4-papier", list_price="4.1000")
    catalogue_line(agreement, company, "ENV-C5", "0.0712", name="Enveloppes C5", cpv_code_id=None, min_quantity="250")
    catalogue_line(agreement, company, "CL-1", "12.50", name="Classeur", unit="PK", vat="6")

    response = client_for(officer).get("/api/v1/catalog/items/?ordering=name_fr", HTTP_ACCEPT_LANGUAGE=language)

    with translation.override(language):
        expected = CatalogItemSerializer(
            CatalogItem.objects.filter(agreement=agreement).select_related("supplier", "agreement", "cpv_code"),
            many=True,
        ).data
    results = response.json()["results"]
    assert response.status_code == 200
    assert results == sorted((dict(row) for row in expected), key=lambda row: row["name_fr"])
    assert [row["name"] for row in results] == (
        ["Classeur", "Enveloppes C5", "A4-papier"] if language == "nl" else ["Classeur", "Enveloppes C5", "Papier A4"]
    )
    assert (results[1]["cpv_label"], results[1]["min_quantity"]) == (None, "250.000")


def test_only_flat_serializers_are_read_as_rows():
    with pytest.raises(TypeError, match="only flat fields"):
        Rows(OrderDetailSerializer)

    class WithMethod(serializers.ModelSerializer):
        label = serializers.SerializerMethodField()

        class Meta:
            model = Order
            fields = ["id", "label"]

    with pytest.raises(TypeError, match="label"):
        Rows(WithMethod)

    with pytest.raises(TypeError, match=r"CatalogItemSerializer\.name: .* give a Computed"):
        Rows(CatalogItemSerializer, computed={"cpv_label": Computed(("cpv_code",), lambda row: None)})
