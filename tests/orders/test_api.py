"""The ordering API end to end: cart, checkout (idempotent), the approval chain, the supplier, deliveries;
tenancy (another member's order is 404); lists whose query count does not grow with their rows."""

import datetime
from decimal import Decimal

import pytest

from procurement.core.pagination import CountCappedPaginator
from procurement.core.permissions import Role
from procurement.orders.models import Order, OrderStatus
from tests.api.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.orders import DELIVERY, approved, catalogue_line, placed
from tests.factories.tenders import concluded_agreement

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_an_officer_orders_an_approver_approves_the_supplier_delivers(
    officer, approver, supplier_user, items, subscription, agreement
):
    client = client_for(officer)
    ok(client.post("/api/v1/cart/lines/", {"item": items["paper"].pk, "quantity": "7"}), 201)
    cart = ok(client.post("/api/v1/cart/lines/", {"item": items["book"].pk, "quantity": "3"}), 201)
    assert (cart["total_excl_vat"], cart["total_vat"], cart["total_incl_vat"]) == ("97.75", "9.28", "107.03")
    assert cart["vat"] == [
        {"rate": "21.00", "taxable_amount": "22.78", "vat_amount": "4.78"},
        {"rate": "6.00", "taxable_amount": "74.97", "vat_amount": "4.50"},
    ]
    line = cart["lines"][0]["id"]
    assert ok(client.patch(f"/api/v1/cart/lines/{line}/", {"quantity": "10"}))["lines"][0]["amount_excl_vat"] == "32.55"

    [order] = ok(client.post("/api/v1/cart/checkout/", DELIVERY, HTTP_IDEMPOTENCY_KEY="c-1"), 201)
    assert (order["status"], order["total_excl_vat"]) == ("draft", "107.52")
    assert ok(client.get("/api/v1/cart/"))["lines"] == []
    replay = client.post("/api/v1/cart/checkout/", DELIVERY, HTTP_IDEMPOTENCY_KEY="c-1")
    assert (replay.status_code, replay["Idempotent-Replayed"], replay.json()[0]["id"]) == (201, "true", order["id"])

    url = f"/api/v1/orders/{order['id']}"
    # the default step is named in the platform's language, whoever submits
    assert ok(client.post(f"{url}/submit/"))["next_step"] == {"position": 1, "name": "Décision", "kind": "decision"}
    approved = ok(
        client_for(approver).post(
            f"{url}/approve/", {"decision_reference": "Collège du 12/03, point 14", "decision_date": "2026-03-12"}
        )
    )
    assert (approved["status"], approved["consumed"], approved["approvals"][0]["decision_reference"]) == (
        "approved",
        "107.52",
        "Collège du 12/03, point 14",
    )
    assert ok(client.post(f"{url}/send/"))["status"] == "sent"
    supplier = client_for(supplier_user)
    assert [o["number"] for o in ok(supplier.get("/api/v1/orders/"))["results"]] == [order["number"]]
    detail = ok(supplier.post(f"{url}/confirm/"))
    paper_line = detail["lines"][0]["id"]
    partly = ok(supplier.post(f"{url}/deliver/", {"quantities": {str(paper_line): "4"}, "reference": "BL-77"}))
    assert (partly["status"], partly["deliveries"][0]["reference"]) == ("partially_delivered", "BL-77")
    closed = ok(client.post(f"{url}/close/", {"reason": "Le solde n'est plus nécessaire"}))
    # delivered: 4 × 3.2549 = 13.02; the rest (94.50) goes back to the agreement
    assert (closed["status"], closed["consumed"]) == ("closed", "13.02")
    agreement.refresh_from_db()
    assert agreement.consumed_value == Decimal("13.02")
    pdf = client.get(f"{url}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:4]) == (200, "application/pdf", b"%PDF")
    ubl = client.get(f"{url}/ubl/")
    assert (ubl.status_code, ubl["Content-Type"]) == (200, "application/xml")


def test_refusals_come_back_as_the_api_says(officer, approver, items, subscription, agreement):
    client = client_for(officer)
    bad = client.post("/api/v1/cart/lines/", {"item": items["paper"].pk, "quantity": "2,5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (bad.status_code, bad.json()) == (
        400,
        {"quantity": ["This line is counted in whole units (piece): enter a whole number."]},
    )
    approved(officer, approver, {items["hour"]: 100})  # 6,500.00 € of 10,000.00 €
    big = placed(officer, {items["hour"]: 60})  # 3,900.00 €: 3,500.00 € remain
    ok(client.post(f"/api/v1/orders/{big.pk}/submit/"))
    refused = client_for(approver).post(f"/api/v1/orders/{big.pk}/approve/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.json()["code"]) == (409, "ceiling_exceeded")
    assert refused.json()["detail"].endswith(f"{agreement.reference}: 3500.00 € excl. VAT.")
    assert Order.objects.get(pk=big.pk).status == OrderStatus.SUBMITTED


def test_another_members_people_and_another_supplier_get_404(officer, approver, items, subscription, agreement):
    order = placed(officer, {items["paper"]: 1})
    neighbour = OrganizationFactory()
    MembershipFactory(member=neighbour)
    strangers = [
        person(neighbour, Role.MEMBER_OFFICER),
        person(neighbour, Role.MEMBER_APPROVER),
        person(SupplierFactory(), Role.SUPPLIER),
    ]
    for stranger in strangers:
        client = client_for(stranger)
        assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 404
        for verb in ("submit", "approve", "cancel", "confirm", "deliver"):
            assert client.post(f"/api/v1/orders/{order.pk}/{verb}/", {"reason": "x"}).status_code == 404, verb
        assert client.get("/api/v1/orders/").json()["count"] == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT


def test_the_order_list_costs_the_same_queries_for_many_orders(
    officer, items, subscription, django_assert_max_num_queries
):
    client = client_for(officer)
    placed(officer, {items["paper"]: 1})
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/orders/")
    for _ in range(6):
        placed(officer, {items["paper"]: 1, items["book"]: 1})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/orders/").json()["count"] == 7


def test_the_order_detail_costs_the_same_queries_for_many_lines(officer, items, subscription, agreement, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = placed(officer, {items["paper"]: 1})
    extra = [catalogue_line(agreement, company, f"X-{n}", "1.00") for n in range(8)]
    large = placed(officer, dict.fromkeys(extra, 1))
    client = client_for(officer)
    counts = []
    for order in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_a_subscription_through_the_api(officer, member, agreement):
    client = client_for(officer)
    created = ok(client.post("/api/v1/subscriptions/", {"agreement": agreement.pk, "estimated_value": "4500"}), 201)
    assert (created["member"], created["estimated_value"], created["status"]) == (member.pk, "4500.00", "active")
    changed = ok(client.patch(f"/api/v1/subscriptions/{created['id']}/", {"estimated_value": "5000"}))
    assert changed["estimated_value"] == "5000.00"
    assert ok(client.post(f"/api/v1/subscriptions/{created['id']}/end/"))["status"] == "ended"
    named = concluded_agreement(suppliers=[SupplierFactory()], beneficiary_scope="named")
    refused = client.post("/api/v1/subscriptions/", {"agreement": named.pk, "estimated_value": "1"})
    assert (refused.status_code, refused.json()["code"]) == (409, "agreement_not_usable")


def test_the_cart_warns_when_the_estimate_would_be_passed(officer, items, subscription):
    client = client_for(officer)
    cart = ok(client.post("/api/v1/cart/lines/", {"item": items["hour"].pk, "quantity": "100"}), 201)
    assert cart["estimate_warnings"] == [
        {
            "agreement": subscription.agreement_id,
            "agreement_reference": subscription.agreement.reference,
            "estimated_value": "6000.00",
            "with_this_cart": "6500.00",
        }
    ]


def test_the_subscription_estimate_comes_from_the_survey_declaration(officer, member, company):
    from django.utils import timezone

    from tenders.models import NeedsSurvey, SurveyDeclaration, SurveyItem
    from tests.factories.tenders import cpv

    agreement = concluded_agreement(suppliers=[company])
    survey = NeedsSurvey.objects.create(title="Papier 2027", closes_at=timezone.now(), status="closed")
    agreement.tender.survey = survey
    agreement.tender.save(update_fields=["survey"])
    for description, price, quantity in (("Ramette A4", "3.25", "400"), ("Ramette A3", "6.50", "10")):
        item = SurveyItem.objects.create(
            survey=survey, lot_number=1, description=description, cpv_code=cpv(), estimated_unit_price=Decimal(price)
        )
        SurveyDeclaration.objects.create(item=item, member=member, quantity=Decimal(quantity))

    created = ok(client_for(officer).post("/api/v1/subscriptions/", {"agreement": agreement.pk}), 201)
    assert created["estimated_value"] == "1365.00"  # 400 × 3.25 + 10 × 6.50


def test_orders_are_filtered_by_the_day_they_were_created_in_brussels(officer, items, subscription):
    late, early, next_day = (placed(officer, {items["paper"]: 1}) for _ in range(3))
    brussels = datetime.timezone(datetime.timedelta(hours=1))  # winter: UTC+1
    for order, moment in (
        (late, datetime.datetime(2026, 1, 14, 23, 30, tzinfo=datetime.UTC)),  # 15 January at 00:30 in Brussels
        (early, datetime.datetime(2026, 1, 15, 0, 0, tzinfo=brussels)),
        (next_day, datetime.datetime(2026, 1, 16, 0, 0, tzinfo=brussels)),
    ):
        Order.objects.filter(pk=order.pk).update(created_at=moment)
    client = client_for(officer)

    def numbers(query):
        return {row["number"] for row in ok(client.get(f"/api/v1/orders/?{query}"))["results"]}

    assert numbers("created_from=2026-01-15&created_to=2026-01-15") == {late.number, early.number}
    assert numbers("created_from=2026-01-16") == {next_day.number}
    assert numbers("created_to=2026-01-14") == set()
    assert ok(client.get("/api/v1/orders/?created_from=15-01-2026"), 400) == {
        "created_from": ["Saisissez une date valide."]
    }


def test_the_order_count_stops_at_its_cap_and_says_so(officer, items, subscription, monkeypatch):
    for _ in range(4):
        placed(officer, {items["paper"]: 1})
    client = client_for(officer)
    assert ok(client.get("/api/v1/orders/"))["count_exact"] is True
    monkeypatch.setattr(CountCappedPaginator, "cap", 3)

    first = ok(client.get("/api/v1/orders/?page_size=2"))
    last = ok(client.get("/api/v1/orders/?page_size=2&page=2"))

    assert (first["count"], first["count_exact"], len(first["results"])) == (3, False, 2)
    assert (len(last["results"]), last["next"]) == (1, None)  # the first 3 only: narrow the list to see more
    assert ok(client.get("/api/v1/orders/?page_size=2&page=3"), 404)
    narrowed = ok(client.get(f"/api/v1/orders/?number={first['results'][0]['number']}"))
    assert (narrowed["count"], narrowed["count_exact"]) == (1, True)
