"""Lists read as rows give the same JSON as their serializer reading instances."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from procurement.core.api.rows import Rows
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
