"""In a real browser: Debian's Chromium driven by Playwright against the live server."""

import pytest

from procurement.core.permissions import Role
from procurement.members.models import MembershipStatus, OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory, central_purchasing_body, person

pytestmark = pytest.mark.browser


@pytest.fixture
def namur(reference_data):
    central_purchasing_body()
    commune = OrganizationFactory(kind=OrganizationKind.COMMUNE, nis_code="92094", name="Ville de Namur")
    MembershipFactory(member=commune, status=MembershipStatus.ACTIVE)
    officer = person(commune, Role.MEMBER_OFFICER, username="namur-officer", first_name="Émilie", last_name="Gérard")
    officer.set_password("demo")
    officer.save()
    return commune


def test_namur_officer_signs_in_and_sees_the_dashboard(live_server, browser, namur):
    page = browser.new_page(locale="en-GB")  # the interface is French whatever the browser's language
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "fr"

    page.fill("input[name=username]", "namur-officer")
    page.fill("input[name=password]", "demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url.rstrip("/") == live_server.url
    main = page.locator("main")
    assert "Ville de Namur" in main.inner_text()
    assert "Active" in main.inner_text()  # the membership status, same word in French
    assert page.locator("header").get_by_text("Ville de Namur").count() >= 1
    page.close()


def test_wrong_password_keeps_the_door_closed(live_server, browser, namur):
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "namur-officer")
    page.fill("input[name=password]", "wrong")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator("[role=alert], .errorlist, .error").count() >= 1
    page.close()
