"""A whole tender in a real browser (Debian's Chromium through Playwright, against the live server):
a buyer drafts and publishes, a supplier bids, the buyer opens, evaluates, awards, concludes and
reads the framework agreement.

Time is not mocked in the live server: between the steps, the tender's dates are moved into the
past in the database, as if the deadlines had passed.
"""

import datetime

import pytest
from django.utils import timezone

from procurement.core.models import CpvCode
from procurement.core.permissions import Role
from tenders.models import Bid, BidStatus, FrameworkAgreement, Tender, TenderStatus
from tests.factories import SupplierFactory, central_purchasing_body, person
from tests.factories.members import PDF_BYTES

PASSWORD = "demo-password"
REFERENCE = "IMIO-2026-BR1"

pytestmark = pytest.mark.browser


@pytest.fixture
def people(reference_data):
    """A buyer of IMIO and a supplier's user, with passwords; the CPV table back after earlier flushes."""
    if not CpvCode.objects.filter(pk="30192000-1").exists():
        from procurement.core.reference import load_cpv

        load_cpv(CpvCode)
    buyer = person(central_purchasing_body(), Role.BUYER, username="imio-buyer")
    supplier = person(SupplierFactory(name="Bureau Plus SA"), Role.SUPPLIER, username="bureau-plus")
    for user in (buyer, supplier):
        user.set_password(PASSWORD)
        user.save()
    return buyer, supplier


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def readable(text: str) -> str:
    """French pages group thousands with (narrow) no-break spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


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


def test_a_tender_from_draft_to_framework_agreement(live_server, browser, people, tmp_path):
    buyer_user, supplier_user = people
    base = live_server.url
    now = timezone.now()

    # The buyer drafts a tender: one lot, 100 % price, then attaches the specifications.
    buyer = sign_in(browser, base, buyer_user.username)
    buyer.goto(f"{base}/tenders/new/")
    buyer.fill("input[name=reference]", REFERENCE)
    buyer.fill("input[name=title]", "Fournitures de bureau")
    buyer.select_option("select[name=procedure]", "open")
    buyer.select_option("select[name=contract_type]", "supplies")
    buyer.fill("input[name=cpv_code]", "30192000-1")
    buyer.fill("input[name=questions_deadline]", local(now + datetime.timedelta(days=5)))
    buyer.fill("input[name=submission_deadline]", local(now + datetime.timedelta(days=10)))
    buyer.fill("input[name=opening_at]", local(now + datetime.timedelta(days=10, hours=1)))
    buyer.fill("input[name=lots-0-number]", "1")
    buyer.fill("input[name=lots-0-title]", "Papier")
    buyer.fill("input[name=lots-0-estimated_value]", "20000.00")
    buyer.fill("input[name=lots-0-maximum_value]", "25000.00")
    buyer.fill("input[name=criteria-0-name]", "Prix")
    buyer.select_option("select[name=criteria-0-kind]", "price")
    buyer.fill("input[name=criteria-0-weight]", "100")
    submit(buyer)
    tender = Tender.objects.get(reference=REFERENCE)
    assert buyer.url == f"{base}/tenders/{tender.pk}/"

    specifications = tmp_path / "cahier-special-des-charges.pdf"
    specifications.write_bytes(PDF_BYTES)
    buyer.goto(f"{base}/tenders/{tender.pk}/documents/add/")
    buyer.set_input_files("input[name=file]", str(specifications))
    submit(buyer)

    # The checklist is complete: the buyer publishes.
    submit(buyer, "form[action$='/publish/'] button")
    tender.refresh_from_db()
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.publication_level == "belgian"

    # A supplier reads the tender and deposits a sealed bid: it gets its receipt.
    supplier = sign_in(browser, base, supplier_user.username)
    supplier.goto(f"{base}/tenders/{tender.pk}/")
    submit(supplier, "main a[href*='/lots/']")
    supplier.fill("input[name=total_amount]", "19500.00")
    submit(supplier)
    bid = Bid.objects.get()
    assert supplier.url == f"{base}/bids/{bid.pk}/"
    assert bid.receipt_digest in supplier.locator("main").inner_text()

    # Before the opening, the buyer sees that a bid arrived, not its amount.
    buyer.goto(f"{base}/tenders/{tender.pk}/bids/")
    sealed_page = readable(buyer.locator("main").inner_text())
    assert "Bureau Plus SA" in sealed_page
    assert "19 500" not in sealed_page

    # The deadlines pass.
    past = timezone.now() - datetime.timedelta(minutes=5)
    Tender.objects.filter(pk=tender.pk).update(
        publication_at=past - datetime.timedelta(days=3),
        questions_deadline=past - datetime.timedelta(days=2),
        submission_deadline=past - datetime.timedelta(minutes=2),
        opening_at=past,
    )

    # The buyer opens the bids and now reads the amount.
    buyer.goto(f"{base}/tenders/{tender.pk}/bids/")
    submit(buyer, "form[action$='/open/'] button")
    assert "19 500,00 €" in readable(buyer.locator("main").inner_text())
    bid.refresh_from_db()
    assert bid.status == BidStatus.OPENED

    # Evaluation, award with a reason, conclusion (below the EU level: no standstill).
    buyer.goto(f"{base}/tenders/{tender.pk}/evaluation/")
    submit(buyer, "form[action$='/evaluate/'] button")
    buyer.goto(f"{base}/tenders/{tender.pk}/award/")
    buyer.fill("main textarea[name^=reasons_]", "Seule offre régulière, au prix du marché")
    submit(buyer)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.AWARDED

    buyer.goto(f"{base}/tenders/{tender.pk}/conclude/")
    submit(buyer)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.CONCLUDED

    # The tender's page leads to the framework agreement.
    agreement = FrameworkAgreement.objects.get()
    submit(buyer, f"main a[href='/agreements/{agreement.pk}/']")
    main = buyer.locator("main").inner_text()
    assert agreement.reference in main
    assert "Bureau Plus SA" in main
    buyer.close()
    supplier.close()
