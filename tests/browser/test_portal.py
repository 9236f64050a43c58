"""The transparency portal in a real browser, as an anonymous visitor: the home page, a search,
a tender, its framework agreement, the open-data page; axe-core checks each page.

axe-core comes from npm (``package.json``; ``make test`` runs ``npm ci`` when npm is there).
Without it the test is skipped, unless ``REQUIRE_BROWSER`` is set: then it fails.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from procurement.core.models import CpvCode
from procurement.core.permissions import Role
from tenders import services
from tests.factories import SupplierFactory, central_purchasing_body, person
from tests.factories.tenders import after, clock, criteria_data, lot_data, published_tender

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe():
    if not AXE.exists():
        message = "axe-core is not installed (npm ci)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def check_accessibility(page, axe_path: Path) -> None:
    """No serious or critical violation on the page (all of them listed in the message)."""
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("axe.run()")
    blocking = [
        f"{v['impact']} {v['id']}: {v['help']} — " + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert blocking == [], f"{page.url}:\n" + "\n".join(blocking)


@pytest.fixture
def procurement(reference_data):
    """A tender open for bids and a concluded one with its framework agreement, through the services."""
    if not CpvCode.objects.filter(pk="30192000-1").exists():
        from procurement.core.reference import load_cpv

        load_cpv(CpvCode)
    buyer = person(central_purchasing_body(), Role.BUYER, username="imio-buyer")
    supplier = SupplierFactory(name="Bureau Plus SA")
    bidder = person(supplier, Role.SUPPLIER, username="bureau-plus")
    published_tender(buyer, reference="IMIO-2026-OPEN", title="Mobilier de bureau")
    tender = published_tender(
        buyer,
        reference="IMIO-2026-PAPIER",
        title="Papier de bureau",
        lots=[lot_data(1, title="Papier recyclé", estimated="20000", maximum="25000")],
        criteria=criteria_data(100, 0),
    )
    services.bid_submit(actor=bidder, lot=tender.lots.get(), total_amount=Decimal("19000.00"))
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        services.tender_evaluate(actor=buyer, tender=tender)
        services.tender_award(actor=buyer, tender=tender, reasons={tender.lots.get().pk: "Seule offre"})
    with clock(after(tender, "awarded_at")):
        [agreement] = services.tender_conclude(actor=buyer, tender=tender)
    return tender, agreement


def test_an_anonymous_visitor_reads_the_portal(live_server, browser, axe, procurement):
    tender, agreement = procurement
    page = browser.new_page()
    page.set_default_timeout(10_000)

    # The home page, in French, with the search form.
    page.goto(f"{live_server.url}/public/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1
    check_accessibility(page, axe)

    # A search for "papier" lists the awarded tender only.
    page.fill("#portal-search-q", "papier")
    with page.expect_navigation():
        page.locator("search.portal-search button[type=submit]").click()
    assert "/public/tenders/?q=papier" in page.url
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "IMIO-2026-PAPIER" in rows.first.inner_text()
    check_accessibility(page, axe)

    # The tender: its winner and the amount of the awarded bid.
    with page.expect_navigation():
        page.get_by_role("link", name="Papier de bureau").click()
    assert page.url.endswith(f"/public/tenders/{tender.pk}/")
    main = page.locator("main").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert "Bureau Plus SA" in main
    assert "19 000,00 €" in main
    check_accessibility(page, axe)

    # Its framework agreement.
    with page.expect_navigation():
        page.get_by_role("link", name=f"{agreement.reference} {agreement.title}").click()
    assert page.url.endswith(f"/public/agreements/{agreement.pk}/")
    assert page.locator("progress").count() == 1
    check_accessibility(page, axe)

    # The list of agreements, then the open-data page from the portal's menu.
    with page.expect_navigation():
        page.locator("nav.portal-nav a[href='/public/agreements/']").click()
    assert agreement.reference in page.locator("main table").inner_text()
    check_accessibility(page, axe)
    with page.expect_navigation():
        page.locator("nav.portal-nav a[href='/public/open-data/']").click()
    assert "/api/v1/ocds/releases/" in page.locator("main").inner_text()
    check_accessibility(page, axe)

    # The language switcher works without an account.
    page.select_option("#language-choice", "nl")
    with page.expect_navigation():
        page.locator("header form button[type=submit]").click()
    assert page.url.endswith("/public/open-data/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.close()


def test_the_tender_list_keeps_its_filters_and_stays_accessible(live_server, browser, axe, procurement):
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/public/tenders/?state=open&cpv=3019")

    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "IMIO-2026-OPEN" in rows.first.inner_text()
    assert page.locator("select[name=state]").input_value() == "open"
    assert page.locator("input[name=cpv]").input_value() == "3019"
    check_accessibility(page, axe)
    page.close()
