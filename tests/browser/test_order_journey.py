"""An order in a real browser (Debian's Chromium through Playwright, against the live server): the
officer searches the catalogue, adds lines to the cart, checks out and submits; the approver
approves; the officer sends the purchase order; the supplier confirms it.

The pages are in French (no language chosen), so the steps find their way by URLs, field names and
order numbers, and check the state in the database.
"""

from decimal import Decimal

import pytest

from procurement.core.models import CpvCode
from procurement.core.permissions import Role
from procurement.orders.models import CartLine, Order, OrderStatus
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.orders import catalogue_line, subscribe
from tests.factories.tenders import concluded_agreement

PASSWORD = "demo-password"

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(reference_data):
    """A commune subscribed to an office-supplies agreement, its officer and approver, the supplier's user."""
    if not CpvCode.objects.filter(pk="30192000-1").exists():
        from procurement.core.reference import load_cpv

        load_cpv(CpvCode)
    commune = OrganizationFactory(
        name="Commune de Gembloux", street="Parc d'Épinoy 1", postcode="5030", city="Gembloux"
    )
    MembershipFactory(member=commune)
    supplier = SupplierFactory(name="Bureau Meuse SA")
    agreement = concluded_agreement(suppliers=[supplier], maximum="10000.00", estimated="8000.00")
    subscribe(commune, agreement, estimated="6000.00")
    items = {
        "paper": catalogue_line(agreement, supplier, "P-A4", "3.2549", name="Ramette papier A4 80 g"),
        "book": catalogue_line(agreement, supplier, "LIV-1", "24.9900", vat="6", name="Code des marchés publics"),
    }
    people = {
        "officer": person(commune, Role.MEMBER_OFFICER, username="gembloux-achats"),
        "approver": person(commune, Role.MEMBER_APPROVER, username="gembloux-college"),
        "supplier": person(supplier, Role.SUPPLIER, username="bureau-meuse"),
    }
    for user in people.values():
        user.set_password(PASSWORD)
        user.save()
    return people, items


def sign_in(browser, base_url: str, username: str):
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return page


def submit(page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def add_to_cart(page, item, quantity: str) -> None:
    form = page.locator(f"form.add-to-cart:has(input[name=item][value='{item.pk}'])")
    form.locator("input[name=quantity]").fill(quantity)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_an_order_from_the_catalogue_to_the_suppliers_confirmation(live_server, browser, shop):
    people, items = shop
    base = live_server.url

    # The officer searches the catalogue and adds paper from the results, a book from its page.
    officer = sign_in(browser, base, people["officer"].username)
    officer.goto(f"{base}/catalog/?q=ramette")
    assert "Ramette papier A4 80 g" in officer.locator("main").inner_text()
    add_to_cart(officer, items["paper"], "12")
    assert officer.url == f"{base}/catalog/?q=ramette"  # back to the results
    officer.goto(f"{base}/catalog/items/{items['book'].pk}/")
    add_to_cart(officer, items["book"], "2")
    assert list(CartLine.objects.order_by("pk").values_list("item__supplier_reference", "quantity")) == [
        ("P-A4", Decimal("12.000")),
        ("LIV-1", Decimal("2.000")),
    ]

    # The cart: one future order; the delivery address and the contact come prefilled. Checkout.
    submit(officer, "nav.site-nav a[href='/cart/']")
    assert "Commune de Gembloux" in officer.locator("textarea[name=delivery_address]").input_value()
    officer.fill("input[name=budget_article]", "104/742-53")
    submit(officer, "#checkout-form button[type=submit]")
    order = Order.objects.get()
    assert officer.url == f"{base}/orders/"
    assert order.number in officer.locator("main .messages").inner_text()
    assert (order.status, order.total_excl_vat) == (OrderStatus.DRAFT, Decimal("89.04"))  # 39.06 + 49.98

    # The officer opens the draft and submits it for approval.
    submit(officer, f"main a[href='/orders/{order.pk}/']")
    submit(officer, f"form[action='/orders/{order.pk}/submit/'] button")
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED

    # The approver finds it among the approvals and approves it with the college's decision.
    approver = sign_in(browser, base, people["approver"].username)
    submit(approver, "nav.site-nav a[href='/orders/?status=submitted']")
    submit(approver, f"main a[href='/orders/{order.pk}/']")
    approver.click("summary#action-approve")
    approver.fill("input[name=approve-decision_reference]", "Collège du 12/03, point 14")
    submit(approver, f"form[action='/orders/{order.pk}/approve/'] button")
    order.refresh_from_db()
    assert (order.status, order.consumed) == (OrderStatus.APPROVED, Decimal("89.04"))
    assert "Collège du 12/03, point 14" in approver.locator("main").inner_text()

    # The officer sends the purchase order to the supplier.
    officer.goto(f"{base}/orders/{order.pk}/")
    submit(officer, f"form[action='/orders/{order.pk}/send/'] button")
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert order.document

    # The supplier reads it, downloads the purchase order and confirms.
    supplier = sign_in(browser, base, people["supplier"].username)
    supplier.goto(f"{base}/orders/")
    submit(supplier, f"main a[href='/orders/{order.pk}/']")
    with supplier.expect_download() as download:
        supplier.click(f"main a[href='/orders/{order.pk}/pdf/']")
    assert download.value.suggested_filename == f"{order.number}.pdf"
    submit(supplier, f"form[action='/orders/{order.pk}/confirm/'] button")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    for page in (officer, approver, supplier):
        page.close()
