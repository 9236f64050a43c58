"""Ordering pages: subscriptions, adding from the catalogue, the cart and checkout, the orders list and
an order's page with the actions of each side (officer, approver, supplier), the approval chain and
the off-platform call-offs. Each action goes through its page and changes the order's state; a bad
input shows a field error and changes nothing; another member's order is a 404."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procurement.core.pagination import CountCappedPaginator
from procurement.core.permissions import Role
from procurement.orders import services
from procurement.orders.models import (
    ApprovalStep,
    CartLine,
    OffPlatformCallOff,
    Order,
    OrderStatus,
    Subscription,
    SubscriptionStatus,
)
from tenders.models import FrameworkAgreement, NeedsSurvey, SurveyDeclaration, SurveyItem
from tests.factories import SupplierFactory, person
from tests.factories.orders import DELIVERY, approved, catalogue_line, placed, sent, subscribe
from tests.factories.tenders import concluded_agreement, cpv
from tests.helpers import database_state
from tests.web.helpers import assert_redirects_to_login, messages_of

D = Decimal


@pytest.fixture
def agreement(supplier_org):
    return concluded_agreement(suppliers=[supplier_org], maximum="10000.00", estimated="8000.00")


@pytest.fixture
def items(agreement, supplier_org):
    """Paper at 21 % (a 4-decimal price), a book at 6 %, an hour of service at 21 %."""
    return {
        "paper": catalogue_line(
            agreement, supplier_org, "P-A4", "3.2549", name="Ramette papier A4 80 g", list_price="4.1000"
        ),
        "book": catalogue_line(agreement, supplier_org, "LIV-1", "24.9900", vat="6", name="Code des marchés publics"),
        "hour": catalogue_line(agreement, supplier_org, "H-INST", "65.0000", unit="HUR", name="Heure d'installation"),
    }


@pytest.fixture
def subscription(active_membership, commune, agreement):
    return subscribe(commune, agreement, estimated="6000.00")


@pytest.fixture
def draft(officer, items, subscription):
    return placed(officer, {items["paper"]: 7, items["book"]: 3})


@pytest.fixture
def submitted(officer, draft):
    return services.order_submit(actor=officer, order=draft)


@pytest.fixture
def sent_order(officer, approver, items, subscription):
    return sent(officer, approver, {items["paper"]: 10, items["hour"]: 2})


@pytest.fixture
def confirmed(supplier_user, sent_order):
    return services.order_confirm(actor=supplier_user, order=sent_order)


def fresh(instance):
    instance.refresh_from_db()
    return instance


def page(client, url_name, *args, **params):
    return client.get(reverse(url_name, args=args), params)


def content_of(response) -> str:
    return response.content.decode()


def post(client, url_name, pk, data=None):
    return client.post(reverse(url_name, args=[pk]), data or {})


# --- Who reaches which page ------------------------------------------------------------------


@pytest.fixture
def pages(sent_order) -> list[str]:
    return [
        reverse("orders"),
        reverse("order_detail", args=[sent_order.pk]),
        reverse("order_pdf", args=[sent_order.pk]),
        reverse("cart"),
        reverse("subscriptions"),
        reverse("approval_chain"),
        reverse("call_offs"),
    ]


def test_every_ordering_page_sends_anonymous_visitors_to_login(client, pages):
    for url in pages:
        assert_redirects_to_login(client.get(url))


@pytest.mark.parametrize(
    ("role_fixture", "statuses"),
    [
        ("officer", [200, 200, 200, 200, 200, 403, 200]),
        ("approver", [200, 200, 200, 403, 200, 403, 200]),
        ("member_admin", [200, 200, 200, 403, 200, 200, 200]),
        ("supplier_user", [200, 200, 200, 403, 200, 403, 200]),
        ("buyer", [200, 200, 200, 403, 200, 403, 200]),
        ("finance", [200, 200, 200, 403, 200, 403, 200]),
        ("other_officer", [200, 404, 404, 200, 200, 403, 200]),
        ("observer", [403] * 7),
        ("newcomer", [403] * 7),
    ],
)
def test_every_role_across_every_ordering_page(request, login, pages, role_fixture, statuses):
    client = login(request.getfixturevalue(role_fixture))

    assert [client.get(url).status_code for url in pages] == statuses


def test_a_supplier_does_not_see_an_order_before_it_is_sent(login, supplier_user, draft):
    client = login(supplier_user)

    assert page(client, "order_detail", draft.pk).status_code == 404
    assert draft.number not in content_of(page(client, "orders"))


@pytest.fixture
def order_actions(submitted) -> list[tuple[str, dict]]:
    return [
        ("order_submit", {}),
        ("order_approve", {"approve-decision_reference": "Collège du 12/03"}),
        ("order_reject", {"reject-reason": "Non"}),
        ("order_send", {}),
        ("order_confirm", {}),
        ("order_decline", {"decline-reason": "Rupture"}),
        ("order_readdress", {}),
        ("order_deliver", {}),
        ("order_close", {"close-reason": "Fin"}),
        ("order_cancel", {"cancel-reason": "Erreur"}),
    ]


@pytest.mark.parametrize(
    ("role_fixture", "refused"),
    [
        # (the other member's officer, IMIO's staff, a supplier not sent the order, observers, newcomers)
        ("other_officer", [404, 403, 403, 404, 403, 403, 404, 404, 404, 404]),
        ("buyer", [403] * 10),
        ("finance", [403] * 10),
        ("supplier_user", [403, 403, 403, 403, 404, 404, 403, 404, 403, 403]),
        ("observer", [403] * 10),
        ("newcomer", [403] * 10),
    ],
)
def test_refused_order_actions_change_nothing(request, login, submitted, order_actions, role_fixture, refused):
    client = login(request.getfixturevalue(role_fixture))
    before = database_state()

    statuses = [post(client, name, submitted.pk, data).status_code for name, data in order_actions]

    assert statuses == refused
    assert database_state() == before


def test_the_wrong_side_of_an_order_is_refused_and_nothing_changes(login, officer, approver, submitted):
    before = database_state()

    assert post(login(officer), "order_approve", submitted.pk).status_code == 403  # not an approver
    assert post(login(approver), "order_cancel", submitted.pk, {"cancel-reason": "x"}).status_code == 403
    assert database_state() == before


# --- Navigation ------------------------------------------------------------------------------


def test_the_navigation_shows_orders_the_cart_with_its_lines_and_approvals(login, officer, approver, items, submitted):
    services.cart_add(actor=officer, item=items["hour"], quantity=1)
    services.cart_add(actor=officer, item=items["book"], quantity=2)

    officer_page = content_of(page(login(officer), "dashboard"))
    assert f'href="{reverse("orders")}"' in officer_page
    assert f'href="{reverse("cart")}"' in officer_page
    assert 'Cart <span class="count">(2)</span>' in officer_page

    approver_page = content_of(page(login(approver), "dashboard"))
    assert f'href="{reverse("orders")}?status=submitted"' in approver_page
    assert 'Approvals <span class="count">(1)</span>' in approver_page
    assert f'href="{reverse("cart")}"' not in approver_page


def test_a_supplier_has_orders_but_no_cart(login, supplier_user):
    html = content_of(page(login(supplier_user), "dashboard"))

    assert f'href="{reverse("orders")}"' in html
    assert f'href="{reverse("cart")}"' not in html


# --- Adding from the catalogue ---------------------------------------------------------------


def test_the_catalogue_offers_add_to_cart_to_officers_only(login, officer, approver, items, subscription):
    search = reverse("catalog_search")
    officer_page = content_of(login(officer).get(search))
    approver_page = content_of(login(approver).get(search))

    assert f'action="{reverse("cart_add")}"' in officer_page
    assert f'name="item" value="{items["paper"].pk}"' in officer_page
    assert f'action="{reverse("cart_add")}"' not in approver_page


def test_the_item_page_offers_add_to_cart(login, officer, items, subscription):
    html = content_of(login(officer).get(reverse("catalog_item", args=[items["book"].pk])))

    assert f'action="{reverse("cart_add")}"' in html
    assert f'name="next" value="{reverse("catalog_item", args=[items["book"].pk])}"' in html


def test_adding_from_the_catalogue_fills_the_cart_and_goes_back(login, officer, items, subscription):
    client = login(officer)
    back = f"{reverse('catalog_search')}?q=papier"

    first = client.post(reverse("cart_add"), {"item": items["paper"].pk, "quantity": "5", "next": back})
    second = client.post(reverse("cart_add"), {"item": items["paper"].pk, "quantity": "2", "next": back})

    assert (first.status_code, first.url) == (302, back)
    assert second.url == back
    assert messages_of(second) == ["P-A4 is in the cart: 5 piece in all.", "P-A4 is in the cart: 7 piece in all."]
    assert list(CartLine.objects.values_list("item__supplier_reference", "quantity")) == [("P-A4", D("7.000"))]


def test_adding_goes_back_only_to_pages_of_the_platform(login, officer, items, subscription):
    response = login(officer).post(
        reverse("cart_add"), {"item": items["paper"].pk, "quantity": "1", "next": "https://evil.example/"}
    )

    assert response.url == reverse("cart")


def test_a_bad_quantity_from_the_catalogue_is_a_message_and_changes_nothing(login, officer, items, subscription):
    client = login(officer)
    before = database_state()

    response = client.post(reverse("cart_add"), {"item": items["paper"].pk, "quantity": "2.5"})

    assert response.url == reverse("cart")
    assert messages_of(response) == ["P-A4: This line is counted in whole units (piece): enter a whole number."]
    assert database_state() == before


def test_adding_without_a_subscription_says_to_subscribe(login, officer, items, active_membership):
    client = login(officer)
    before = database_state()

    response = client.post(reverse("cart_add"), {"item": items["paper"].pk, "quantity": "1"})

    [message] = messages_of(response)
    assert "subscribe first" in message
    assert database_state() == before


def test_a_line_the_member_cannot_see_is_a_404(login, officer, subscription):
    rival = SupplierFactory(name="Concurrent SA")
    other = concluded_agreement(suppliers=[rival], beneficiary_scope="named")
    hidden = catalogue_line(other, rival, "X-1", "1.00")

    assert login(officer).post(reverse("cart_add"), {"item": hidden.pk, "quantity": "1"}).status_code == 404
    assert not CartLine.objects.exists()


# --- The cart --------------------------------------------------------------------------------


def test_the_cart_groups_lines_by_future_order_with_vat_per_rate(login, officer, items, subscription, commune):
    rival = SupplierFactory(name="Informatique Wallonne SA")
    other = concluded_agreement(suppliers=[rival])
    subscribe(commune, other)
    laptop = catalogue_line(other, rival, "LAP-14", "890.00", name="Ordinateur portable 14 pouces")
    for item, quantity in ((items["paper"], 7), (items["book"], 3), (items["hour"], "2.5"), (laptop, 1)):
        services.cart_add(actor=officer, item=item, quantity=quantity)

    response = page(login(officer), "cart")

    html = content_of(response)
    groups = response.context["groups"]
    assert [(group.supplier.name, [row.line.item.supplier_reference for row in group.rows]) for group in groups] == [
        (items["paper"].supplier.name, ["P-A4", "LIV-1", "H-INST"]),
        ("Informatique Wallonne SA", ["LAP-14"]),
    ]
    assert [group.total for group in groups] == [D("260.25"), D("890.00")]
    # 21 % on 185.28 + 890.00 = 1,075.28 → 225.81; 6 % on 74.97 → 4.50
    assert "VAT 21 % on 1,075.28 €" in html
    assert "VAT 6 % on 74.97 €" in html
    assert "1,380.56 €" in html  # total incl. VAT: 1,150.25 + 230.31
    assert 'id="checkout-form"' in html
    assert "button.disabled = true" in html  # a second click does not submit again


def test_the_checkout_form_is_prefilled_from_the_member_and_the_officer(login, officer, items, subscription, commune):
    services.cart_add(actor=officer, item=items["paper"], quantity=1)

    form = page(login(officer), "cart").context["checkout_form"]

    assert form["delivery_address"].value().startswith(commune.name)
    assert form["contact_name"].value() == (officer.get_full_name() or officer.username)
    assert form["contact_email"].value() == officer.email


def test_the_cart_warns_when_the_estimate_would_be_passed(login, officer, items, subscription):
    subscription.estimated_value = D("100.00")
    subscription.save()
    services.cart_add(actor=officer, item=items["hour"], quantity=2)

    html = content_of(page(login(officer), "cart"))

    assert "reach 130.00 € excl. VAT, above your estimate of 100.00 €" in html


def test_an_empty_cart_says_so(login, officer):
    html = content_of(page(login(officer), "cart"))

    assert "Your cart is empty." in html
    assert 'id="checkout-form"' not in html


def test_a_cart_line_changes_quantity_and_budget_article(login, officer, items, subscription):
    line = services.cart_add(actor=officer, item=items["paper"], quantity=3)

    response = post(
        login(officer),
        "cart_line_update",
        line.pk,
        {f"line-{line.pk}-quantity": "12", f"line-{line.pk}-budget_article": "104/123-48"},
    )

    assert response.url == reverse("cart")
    assert (fresh(line).quantity, line.budget_article) == (D("12.000"), "104/123-48")


def test_a_bad_cart_line_shows_the_error_on_the_line_and_changes_nothing(login, officer, items, subscription):
    line = services.cart_add(actor=officer, item=items["paper"], quantity=3)
    client = login(officer)
    before = database_state()

    response = post(client, "cart_line_update", line.pk, {f"line-{line.pk}-quantity": "0"})

    assert response.status_code == 200
    assert response.context["groups"][0].rows[0].form.errors == {"quantity": ["Enter a quantity above zero."]}
    assert "Enter a quantity above zero." in content_of(response)
    assert database_state() == before


def test_a_cart_line_is_removed(login, officer, items, subscription):
    line = services.cart_add(actor=officer, item=items["paper"], quantity=3)

    response = post(login(officer), "cart_line_remove", line.pk)

    assert messages_of(response) == ["P-A4 is removed from the cart."]
    assert not CartLine.objects.exists()


def test_another_officers_cart_line_is_a_404(login, officer, items, subscription, commune):
    line = services.cart_add(actor=officer, item=items["paper"], quantity=3)
    colleague = person(commune, Role.MEMBER_OFFICER, username="colleague")
    client = login(colleague)
    before = database_state()

    assert post(client, "cart_line_update", line.pk, {f"line-{line.pk}-quantity": "1"}).status_code == 404
    assert post(client, "cart_line_remove", line.pk).status_code == 404
    assert database_state() == before


def checkout_data(**fields) -> dict:
    return {**DELIVERY, "requested_delivery_date": "", "note": "Livraison au service travaux", **fields}


def test_checkout_creates_one_draft_per_agreement_and_supplier(login, officer, items, subscription, commune):
    rival = SupplierFactory(name="Informatique Wallonne SA")
    other = concluded_agreement(suppliers=[rival])
    subscribe(commune, other)
    laptop = catalogue_line(other, rival, "LAP-14", "890.00")
    services.cart_add(actor=officer, item=items["paper"], quantity=7)
    services.cart_add(actor=officer, item=laptop, quantity=1)
    client = login(officer)

    response = client.post(reverse("cart_checkout"), checkout_data())

    orders = list(Order.objects.order_by("sequence"))
    numbers = [order.number for order in orders]
    assert response.url == reverse("orders")
    assert messages_of(response) == [
        f"Orders {numbers[0]}, {numbers[1]} are created as drafts: check each, then submit it for approval."
    ]
    assert [(order.status, order.total_excl_vat) for order in orders] == [
        (OrderStatus.DRAFT, D("22.78")),
        (OrderStatus.DRAFT, D("890.00")),
    ]
    assert orders[0].note == "Livraison au service travaux"
    assert not CartLine.objects.exists()
    listing = content_of(client.get(reverse("orders")))
    assert all(number in listing for number in numbers)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"budget_article": ""}, {"budget_article": ["This field is required."]}),
        (
            {"budget_article": "budget 2026"},
            {"budget_article": ["budget2026 is not a budget article such as 104/742-53 or 76301/124-02."]},
        ),
        (
            {"contact_name": "", "delivery_address": ""},
            {
                "contact_name": ["This field is required."],
                "delivery_address": ["This field is required."],
            },
        ),
        (
            {"requested_delivery_date": "2000-01-01"},
            {"requested_delivery_date": ["The requested delivery date is in the past."]},
        ),
    ],
)
def test_bad_checkout_input_shows_field_errors_and_changes_nothing(login, officer, items, subscription, fields, errors):
    services.cart_add(actor=officer, item=items["paper"], quantity=7)
    client = login(officer)
    before = database_state()

    response = client.post(reverse("cart_checkout"), checkout_data(**fields))

    assert response.status_code == 200
    assert response.context["checkout_form"].errors == errors
    assert database_state() == before


def test_checking_out_an_empty_cart_twice_makes_no_order(login, officer, items, subscription):
    services.cart_add(actor=officer, item=items["paper"], quantity=7)
    client = login(officer)
    client.post(reverse("cart_checkout"), checkout_data())
    before = database_state()

    response = client.post(reverse("cart_checkout"), checkout_data())

    assert response.status_code == 200
    assert "The cart is empty." in content_of(response)
    assert Order.objects.count() == 1
    assert database_state() == before


# --- The orders list -------------------------------------------------------------------------


def test_the_orders_list_filters_by_status_number_and_supplier(
    login, officer, approver, items, subscription, submitted
):
    other = placed(officer, {items["hour"]: 1})
    client = login(officer)

    def listed(**params):
        return [order.number for order in client.get(reverse("orders"), params).context["orders"]]

    assert listed() == [other.number, submitted.number]
    assert listed(status="submitted") == [submitted.number]
    assert listed(number=other.number[-3:]) == [other.number]
    assert listed(supplier=items["paper"].supplier_id) == [other.number, submitted.number]
    assert listed(agreement=subscription.agreement_id, status="draft") == [other.number]


def test_the_orders_list_shows_what_each_side_needs(login, officer, supplier_user, buyer, sent_order, commune):
    member_page = content_of(page(login(officer), "orders"))
    supplier_page = content_of(page(login(supplier_user), "orders"))
    imio_page = content_of(page(login(buyer), "orders"))

    assert sent_order.number in member_page
    assert sent_order.supplier.name in member_page
    assert sent_order.number in supplier_page
    assert commune.name in supplier_page
    assert commune.name in imio_page
    assert sent_order.supplier.name in imio_page
    assert "sent to the supplier" in member_page


def test_the_orders_list_queries_do_not_grow_with_orders(login, officer, items, subscription):
    client = login(officer)
    placed(officer, {items["paper"]: 1})
    client.get(reverse("orders"))  # warm the caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orders"))
    for quantity in range(2, 12):
        placed(officer, {items["book"]: quantity, items["paper"]: 1})

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("orders"))

    assert len(response.context["orders"]) == 11
    assert len(many) == len(few)


def test_imio_sees_every_members_orders(login, buyer, officer, other_officer, items, subscription, agreement):
    from tests.factories import MembershipFactory

    MembershipFactory(member=other_officer.acting.organization)
    subscribe(other_officer.acting.organization, agreement)
    mine = placed(officer, {items["paper"]: 1})
    theirs = placed(other_officer, {items["paper"]: 1})

    listed = [order.pk for order in page(login(buyer), "orders").context["orders"]]
    officer_listed = [order.pk for order in page(login(officer), "orders").context["orders"]]

    assert listed == [theirs.pk, mine.pk]
    assert officer_listed == [mine.pk]


# --- An order's page -------------------------------------------------------------------------


def actions_of(response) -> list[str]:
    return [action.name for action in response.context["actions"]]


def test_the_order_page_shows_header_lines_vat_and_documents(login, officer, draft):
    response = page(login(officer), "order_detail", draft.pk)

    html = content_of(response)
    assert draft.number in html
    assert "Ramette papier A4 80 g" in html
    assert "Code des marchés publics" in html
    assert "VAT 21 % on 22.78 €" in html
    assert "VAT 6 % on 74.97 €" in html
    assert "97.75 €" in html
    assert "107.03 €" in html
    assert f'href="{reverse("order_pdf", args=[draft.pk])}"' in html
    assert f'href="{reverse("order_ubl", args=[draft.pk])}"' in html
    assert actions_of(response) == ["submit", "cancel"]


@pytest.mark.parametrize(
    ("role_fixture", "expected"),
    [
        ("officer", ["cancel"]),
        ("approver", ["approve", "reject"]),
        ("member_admin", []),
        ("buyer", []),
    ],
)
def test_a_submitted_order_offers_each_person_their_actions(request, login, submitted, role_fixture, expected):
    response = page(login(request.getfixturevalue(role_fixture)), "order_detail", submitted.pk)

    assert actions_of(response) == expected


def test_a_sent_order_offers_the_supplier_confirm_and_decline(login, supplier_user, officer, sent_order):
    assert actions_of(page(login(supplier_user), "order_detail", sent_order.pk)) == ["confirm", "decline"]
    assert actions_of(page(login(officer), "order_detail", sent_order.pk)) == ["cancel"]


def test_the_order_page_shows_the_awaited_step_and_the_decisions(login, officer, approver, commune, draft):
    services.approval_chain_set(
        actor=person(commune, Role.MEMBER_ADMIN, username="admin-2"),
        steps=[{"name": "Visa du directeur financier", "kind": "visa"}, {"name": "Collège", "kind": "decision"}],
    )
    order = services.order_submit(actor=officer, order=draft)
    services.order_approve(actor=approver, order=order, decision_reference="Visa n° 14")

    html = content_of(page(login(officer), "order_detail", order.pk))

    assert "Awaiting the decision of the step “Collège” (decision)." in html
    assert "Visa n° 14" in html
    assert "Visa du directeur financier" in html


def test_the_purchase_order_pdf_and_ubl_are_served_with_the_same_tenancy(login, officer, other_officer, sent_order):
    client = login(officer)

    pdf = client.get(reverse("order_pdf", args=[sent_order.pk]))
    ubl = client.get(reverse("order_ubl", args=[sent_order.pk]))

    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert f'filename="{sent_order.number}.pdf"' in pdf["Content-Disposition"]
    assert ubl["Content-Type"] == "application/xml"
    assert sent_order.number.encode() in ubl.content
    assert login(other_officer).get(reverse("order_ubl", args=[sent_order.pk])).status_code == 404


def test_a_draft_pdf_is_produced_on_demand(login, officer, draft):
    response = login(officer).get(reverse("order_pdf", args=[draft.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# --- Actions through the page ----------------------------------------------------------------


def test_the_officer_submits_a_draft(login, officer, draft):
    response = post(login(officer), "order_submit", draft.pk)

    assert response.url == reverse("order_detail", args=[draft.pk])
    assert fresh(draft).status == OrderStatus.SUBMITTED
    assert messages_of(response) == [f"Order {draft.number} is submitted for approval; the approvers have been told."]


def test_the_approver_approves_with_the_decision_reference(login, approver, submitted, agreement):
    response = post(
        login(approver),
        "order_approve",
        submitted.pk,
        {"approve-decision_date": timezone.localdate().isoformat(), "approve-decision_reference": "Collège du 12/03"},
    )

    order = fresh(submitted)
    assert (order.status, order.consumed) == (OrderStatus.APPROVED, D("97.75"))
    assert order.approvals.get().decision_reference == "Collège du 12/03"
    assert fresh(agreement).consumed_value == D("97.75")
    assert messages_of(response) == [
        f"Order {order.number} is approved: 97.75 € excl. VAT are reserved on the agreement. "
        "It can be sent to the supplier."
    ]


def test_a_first_step_approval_leaves_the_order_awaiting_the_next(login, officer, approver, commune, draft):
    services.approval_chain_set(
        actor=person(commune, Role.MEMBER_ADMIN, username="admin-2"),
        steps=[{"name": "Visa", "kind": "visa"}, {"name": "Collège", "kind": "decision"}],
    )
    order = services.order_submit(actor=officer, order=draft)
    client = login(approver)

    response = post(client, "order_approve", order.pk, {"approve-decision_reference": "V-1"})

    assert fresh(order).status == OrderStatus.SUBMITTED
    assert messages_of(response) == ["Your approval is recorded; the next step is: Collège."]
    assert actions_of(page(client, "order_detail", order.pk)) == []  # the next step is someone else's


def test_a_decision_dated_in_the_future_is_a_field_error_and_changes_nothing(login, approver, submitted):
    client = login(approver)
    before = database_state()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = post(client, "order_approve", submitted.pk, {"approve-decision_date": tomorrow.isoformat()})

    assert response.status_code == 200
    [approve] = [action for action in response.context["actions"] if action.name == "approve"]
    assert approve.form.errors == {"decision_date": ["A decision cannot be dated in the future."]}
    assert "<details open>" in content_of(response)
    assert database_state() == before


def test_an_approval_beyond_the_ceiling_is_refused_with_a_message(
    login, approver, officer, items, subscription, agreement
):
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(consumed_value=D("9950.00"))
    order = services.order_submit(actor=officer, order=placed(officer, {items["hour"]: 1}))
    before = database_state()

    response = post(login(approver), "order_approve", order.pk)

    [message] = messages_of(response)
    assert "does not fit in what remains of the agreement" in message
    assert fresh(order).status == OrderStatus.SUBMITTED
    assert database_state() == before


def test_a_rejection_needs_a_reason(login, approver, submitted):
    client = login(approver)
    before = database_state()

    refused = post(client, "order_reject", submitted.pk, {"reject-reason": ""})
    assert refused.status_code == 200
    assert "This field is required." in content_of(refused)
    assert database_state() == before

    response = post(client, "order_reject", submitted.pk, {"reject-reason": "Budget épuisé"})
    assert (fresh(submitted).status, submitted.status_reason) == (OrderStatus.REJECTED, "Budget épuisé")
    assert messages_of(response) == [f"Order {submitted.number} is rejected; the officer has been told why."]


def test_the_officer_sends_an_approved_order(login, officer, approver, items, subscription):
    order = approved(officer, approver, {items["paper"]: 4})

    response = post(login(officer), "order_send", order.pk)

    order = fresh(order)
    assert order.status == OrderStatus.SENT
    assert order.number in order.document.name
    assert order.document_sha256
    assert messages_of(response) == [f"Order {order.number} is sent to {order.supplier.name} with its purchase order."]


def test_sending_twice_is_a_message_not_an_error(login, officer, sent_order):
    before = database_state()

    response = post(login(officer), "order_send", sent_order.pk)

    assert response.status_code == 302
    assert len(messages_of(response)) == 1
    assert database_state() == before


def test_the_supplier_confirms(login, supplier_user, sent_order):
    response = post(login(supplier_user), "order_confirm", sent_order.pk)

    assert fresh(sent_order).status == OrderStatus.CONFIRMED
    assert messages_of(response) == [f"You confirmed order {sent_order.number}; the member has been told."]


def test_the_supplier_declines_with_a_reason(login, supplier_user, sent_order):
    client = login(supplier_user)
    before = database_state()

    assert post(client, "order_decline", sent_order.pk, {"decline-reason": " "}).status_code == 200
    assert database_state() == before

    post(client, "order_decline", sent_order.pk, {"decline-reason": "Rupture de stock"})
    assert (fresh(sent_order).status, sent_order.status_reason) == (OrderStatus.DECLINED, "Rupture de stock")


@pytest.fixture
def cascade(active_membership, commune, supplier_org):
    """An agreement with two ranked suppliers; the second sells the paper under another reference."""
    second = SupplierFactory(name="Papeterie Deux SA")
    agreement = concluded_agreement(suppliers=[supplier_org, second], maximum="10000.00", estimated="8000.00")
    subscribe(commune, agreement)
    first_line = catalogue_line(agreement, supplier_org, "P-A4", "3.00", name="Ramette A4")
    second_line = catalogue_line(agreement, second, "RAM-80", "3.10", name="Ramette A4 blanche")
    return second, first_line, second_line


def test_a_declined_order_is_readdressed_to_the_next_supplier(login, officer, approver, supplier_user, cascade):
    second, first_line, _second_line = cascade
    order = sent(officer, approver, {first_line: 10})
    services.order_decline(actor=supplier_user, order=order, reason="Rupture")
    client = login(officer)

    detail = page(client, "order_detail", order.pk)
    assert actions_of(detail) == ["readdress", "cancel"]
    assert "The next supplier in the cascade is Papeterie Deux SA (rank 2)" in content_of(detail)

    line = order.lines.get()
    refused = post(client, "order_readdress", order.pk, {f"readdress-item_{line.pk}": "NOPE"})
    assert refused.status_code == 200
    assert "Papeterie Deux SA has no active line NOPE under this agreement." in content_of(refused)
    assert fresh(order).status == OrderStatus.DECLINED

    response = post(client, "order_readdress", order.pk, {f"readdress-item_{line.pk}": "RAM-80"})

    order = fresh(order)
    assert (order.status, order.supplier_id, order.total_excl_vat) == (OrderStatus.SENT, second.pk, D("31.00"))
    assert messages_of(response) == [
        f"Order {order.number} is re-addressed to Papeterie Deux SA, at its prices: 31.00 € excl. VAT."
    ]


def test_readdressing_without_a_match_shows_the_service_message(login, officer, approver, supplier_user, cascade):
    _second, first_line, second_line = cascade
    order = sent(officer, approver, {first_line: 10})
    services.order_decline(actor=supplier_user, order=order, reason="Rupture")
    second_line.name_fr = "Autre chose"
    second_line.save()
    before = database_state()

    response = post(login(officer), "order_readdress", order.pk)

    assert response.status_code == 200
    assert "Choose the next supplier&#x27;s catalogue line for: P-A4." in content_of(response)
    assert database_state() == before


def test_a_partial_delivery_then_closing_with_a_reason(login, supplier_user, officer, confirmed, agreement):
    paper, hour = confirmed.lines.order_by("position")
    client = login(supplier_user)

    detail = page(client, "order_detail", confirmed.pk)
    assert actions_of(detail) == ["deliver"]
    response = post(
        client,
        "order_deliver",
        confirmed.pk,
        {
            f"deliver-line_{paper.pk}": "6",
            f"deliver-line_{hour.pk}": "0",
            "deliver-delivered_on": timezone.localdate().isoformat(),
            "deliver-reference": "BL-2026-118",
        },
    )

    order = fresh(confirmed)
    assert order.status == OrderStatus.PARTIALLY_DELIVERED
    assert fresh(paper).delivered_quantity == D("6.000")
    assert messages_of(response) == [f"The delivery is recorded: order {order.number} is partly delivered."]
    assert "BL-2026-118" in content_of(page(client, "order_detail", order.pk))

    officer_client = login(officer)
    before = database_state()
    refused = post(officer_client, "order_close", order.pk, {"close-reason": ""})
    assert refused.status_code == 200
    assert "Say why the rest will not be delivered." in content_of(refused)
    assert database_state() == before

    post(officer_client, "order_close", order.pk, {"close-reason": "Le reste n'est plus nécessaire"})
    order = fresh(order)
    assert (order.status, order.consumed) == (OrderStatus.CLOSED, D("19.53"))  # 6 × 3.2549
    assert fresh(agreement).consumed_value == D("19.53")


def test_a_delivery_above_what_remains_is_refused_on_the_form(login, supplier_user, confirmed):
    paper, _hour = confirmed.lines.order_by("position")
    services.order_deliver(actor=supplier_user, order=confirmed, quantities={paper.pk: "4"})
    client = login(supplier_user)
    before = database_state()

    response = post(client, "order_deliver", confirmed.pk, {f"deliver-line_{paper.pk}": "7"})

    assert response.status_code == 200
    assert "P-A4: at most 6 remain to deliver." in content_of(response)
    assert database_state() == before


def test_a_full_delivery_by_the_member_marks_the_order_delivered(login, officer, confirmed):
    paper, hour = confirmed.lines.order_by("position")

    post(
        login(officer),
        "order_deliver",
        confirmed.pk,
        {f"deliver-line_{paper.pk}": "10", f"deliver-line_{hour.pk}": "2"},
    )

    assert fresh(confirmed).status == OrderStatus.DELIVERED


def test_the_officer_cancels_with_a_reason_and_the_ceiling_is_released(login, officer, sent_order, agreement):
    client = login(officer)
    before = database_state()
    assert post(client, "order_cancel", sent_order.pk, {"cancel-reason": ""}).status_code == 200
    assert database_state() == before

    response = post(client, "order_cancel", sent_order.pk, {"cancel-reason": "Commande en double"})

    order = fresh(sent_order)
    assert (order.status, order.consumed) == (OrderStatus.CANCELLED, D("0.00"))
    assert fresh(agreement).consumed_value == D("0.00")
    assert messages_of(response) == [f"Order {order.number} is cancelled."]


# --- Subscriptions ---------------------------------------------------------------------------


@pytest.fixture
def survey_declaration(agreement, commune):
    """The member declared 400 reams at 3.25 and 10 at 6.50 in the survey behind the agreement's lot."""
    survey = NeedsSurvey.objects.create(title="Papier 2027", closes_at=timezone.now(), status="closed")
    agreement.tender.survey = survey
    agreement.tender.save(update_fields=["survey"])
    for description, price, quantity in (("Ramette A4", "3.25", "400"), ("Ramette A3", "6.50", "10")):
        item = SurveyItem.objects.create(
            survey=survey, lot_number=1, description=description, cpv_code=cpv(), estimated_unit_price=D(price)
        )
        SurveyDeclaration.objects.create(item=item, member=commune, quantity=D(quantity))


def test_the_officer_sees_the_agreements_it_may_use_and_subscribes(
    login, officer, active_membership, agreement, survey_declaration, commune
):
    client = login(officer)
    response = page(client, "subscriptions")
    [row] = response.context["rows"]
    assert row.subscription is None
    assert row.subscribe_form["estimated_value"].value() == D("1365.00")  # 400 × 3.25 + 10 × 6.50

    result = post(client, "subscription_create", agreement.pk, {f"subscribe-{agreement.pk}-estimated_value": "1500"})

    subscription = Subscription.objects.get()
    assert (subscription.member, subscription.estimated_value) == (commune, D("1500.00"))
    assert messages_of(result) == [
        f"{commune.name} is subscribed to {agreement.reference}: its officers can order under it."
    ]


def test_subscribing_without_estimate_or_survey_is_a_field_error(login, officer, active_membership, agreement):
    client = login(officer)
    before = database_state()

    response = post(client, "subscription_create", agreement.pk, {f"subscribe-{agreement.pk}-estimated_value": ""})

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.subscribe_form.errors == {
        "estimated_value": ["Give the amount the member expects to spend (excl. VAT)."]
    }
    assert database_state() == before


def test_the_subscription_shows_consumption_and_the_estimate_changes_then_ends(
    login, officer, approver, items, subscription
):
    approved(officer, approver, {items["hour"]: 10})
    client = login(officer)

    [row] = page(client, "subscriptions").context["rows"]
    assert (row.subscription, row.consumed) == (subscription, D("650.00"))

    before = database_state()
    refused = post(
        client, "subscription_update", subscription.pk, {f"estimate-{subscription.pk}-estimated_value": "-5"}
    )
    assert refused.status_code == 200
    assert database_state() == before

    post(client, "subscription_update", subscription.pk, {f"estimate-{subscription.pk}-estimated_value": "9000"})
    assert fresh(subscription).estimated_value == D("9000.00")

    response = post(client, "subscription_end", subscription.pk)
    assert fresh(subscription).status == SubscriptionStatus.ENDED
    assert messages_of(response)[-1] == (
        f"The subscription to {subscription.agreement.reference} has ended; orders already placed go on."
    )


def test_imio_and_approvers_read_subscriptions_without_forms(login, buyer, approver, subscription, commune):
    imio = page(login(buyer), "subscriptions")
    member = page(login(approver), "subscriptions")

    assert list(imio.context["subscriptions"]) == [subscription]
    assert commune.name in content_of(imio)
    assert "<form" not in content_of(imio).split('<main id="content"')[1]
    assert member.context["rows"][0].subscribe_form is None
    assert member.context["rows"][0].estimate_form is None


def test_another_members_subscription_is_a_404(login, other_officer, subscription):
    client = login(other_officer)
    before = database_state()

    assert post(client, "subscription_end", subscription.pk).status_code == 404
    assert database_state() == before


# --- Approval chain --------------------------------------------------------------------------


def chain_data(*steps, total=5) -> dict:
    """What the browser sends: every row of the formset, the empty ones with their default kind."""
    data = {"steps-TOTAL_FORMS": str(total), "steps-INITIAL_FORMS": "0", "steps-MAX_NUM_FORMS": "5"}
    rows = list(steps) + [("", "decision", "")] * (total - len(steps))
    for index, (name, kind, threshold) in enumerate(rows):
        data.update({f"steps-{index}-name": name, f"steps-{index}-kind": kind, f"steps-{index}-threshold": threshold})
    return data


def test_the_member_administrator_sets_the_approval_chain(login, member_admin, commune):
    client = login(member_admin)
    assert "No step is configured" in content_of(page(client, "approval_chain"))

    response = client.post(
        reverse("approval_chain"),
        chain_data(("Visa du directeur financier", "visa", "22000"), ("Décision du collège", "decision", "")),
    )

    assert response.url == reverse("approval_chain")
    assert list(ApprovalStep.objects.values_list("position", "name", "kind", "threshold")) == [
        (1, "Visa du directeur financier", "visa", D("22000.00")),
        (2, "Décision du collège", "decision", None),
    ]
    form = page(client, "approval_chain").context["formset"].forms[0]
    assert form["name"].value() == "Visa du directeur financier"


def test_a_bad_chain_shows_field_errors_and_changes_nothing(login, member_admin):
    client = login(member_admin)
    before = database_state()

    response = client.post(reverse("approval_chain"), chain_data(("Visa", "visa", "-1")))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "threshold": ["Ensure this value is greater than or equal to 0."]
    }
    assert database_state() == before


def test_an_empty_chain_is_refused_by_the_service(login, member_admin):
    client = login(member_admin)
    before = database_state()

    response = client.post(reverse("approval_chain"), chain_data())

    assert response.status_code == 200
    assert "Give at least one step" in content_of(response)
    assert database_state() == before


# --- Off-platform call-offs ------------------------------------------------------------------


def call_off_data(agreement, member, supplier, **fields) -> dict:
    return {
        "record-agreement": agreement.pk,
        "record-member": member.pk,
        "record-supplier": supplier.pk,
        "record-reference": "BC-PAPIER-2026-14",
        "record-ordered_on": timezone.localdate().isoformat(),
        "record-amount_excl_vat": "1200.00",
        "record-source": "supplier",
        "record-note": "",
        **fields,
    }


def test_the_buyer_records_and_cancels_a_call_off(login, buyer, agreement, commune, supplier_org):
    client = login(buyer)
    assert page(client, "call_offs").context["record_form"] is not None

    response = client.post(reverse("call_off_record"), call_off_data(agreement, commune, supplier_org))

    call_off = OffPlatformCallOff.objects.get()
    assert response.url == reverse("call_offs")
    assert fresh(agreement).consumed_value == D("1200.00")

    before = database_state()
    assert post(client, "call_off_cancel", call_off.pk, {f"cancel-{call_off.pk}-reason": ""}).status_code == 200
    assert database_state() == before

    post(client, "call_off_cancel", call_off.pk, {f"cancel-{call_off.pk}-reason": "Encodé deux fois"})
    assert fresh(call_off).cancelled
    assert fresh(agreement).consumed_value == D("0.00")


def test_a_bad_call_off_shows_field_errors_and_changes_nothing(login, buyer, agreement, commune, supplier_org):
    client = login(buyer)
    other_supplier = SupplierFactory(name="Étranger SA")
    before = database_state()

    response = client.post(
        reverse("call_off_record"), call_off_data(agreement, commune, other_supplier, **{"record-reference": " "})
    )

    assert response.status_code == 200
    assert response.context["record_form"].errors == {
        "reference": ["This field is required."],
    }
    response = client.post(reverse("call_off_record"), call_off_data(agreement, commune, other_supplier))
    assert response.context["record_form"].errors == {"supplier": ["Étranger SA is not a supplier of this agreement."]}
    assert database_state() == before


def test_a_call_off_beyond_the_ceiling_is_refused_with_a_message(login, buyer, agreement, commune, supplier_org):
    before = database_state()

    response = login(buyer).post(
        reverse("call_off_record"),
        call_off_data(agreement, commune, supplier_org, **{"record-amount_excl_vat": "10000.01"}),
    )

    [message] = messages_of(response)
    assert "does not fit in what remains of the agreement" in message
    assert database_state() == before


def test_members_read_their_own_call_offs_only(login, buyer, officer, other_officer, agreement, commune, supplier_org):
    services.call_off_record(
        actor=buyer,
        agreement=agreement,
        member=commune,
        supplier=supplier_org,
        reference="BC-14",
        ordered_on=timezone.localdate(),
        amount_excl_vat=D("300"),
        source="member",
    )

    mine = page(login(officer), "call_offs")
    theirs = page(login(other_officer), "call_offs")

    assert [call_off.reference for call_off, _form in mine.context["rows"]] == ["BC-14"]
    assert mine.context["record_form"] is None
    assert mine.context["rows"][0][1] is None
    assert theirs.context["rows"] == []


def test_members_cannot_record_call_offs(login, officer, agreement, commune, supplier_org):
    before = database_state()

    response = login(officer).post(reverse("call_off_record"), call_off_data(agreement, commune, supplier_org))

    assert response.status_code == 403
    assert database_state() == before


# --- Language --------------------------------------------------------------------------------


def test_an_order_page_is_french_by_default(login, officer, draft):
    client = login(officer)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    html = content_of(page(client, "order_detail", draft.pk)).replace("\u202f", " ").replace("\xa0", " ")

    assert '<html lang="fr"' in html
    assert "Tableau de bord" in html
    assert "Fournisseur" in html
    assert "Quantité" in html
    assert "Prix unitaire HTVA" in html
    assert "97,75 €" in html  # French decimals
    assert "3,2549 €" in html  # the unit price keeps its four decimals


def test_the_orders_list_says_when_it_counts_no_further(login, officer, items, subscription, monkeypatch):
    for _ in range(3):
        placed(officer, {items["paper"]: 1})
    client = login(officer)
    assert "3 orders" in content_of(page(client, "orders"))

    monkeypatch.setattr(CountCappedPaginator, "cap", 2)  # IMIO's list stops at 10,000
    html = content_of(page(client, "orders"))

    assert "More than 2 orders: the first 2 are listed." in html
    assert "3 orders" not in html
    assert len(client.get(reverse("orders")).context["orders"]) == 2
