import re

import pytest
from django.urls import reverse

from procurement.core.permissions import Role
from procurement.members import services
from tests.factories import OrganizationFactory
from tests.web.helpers import assert_redirects_to_login, audit_total, messages_of


def test_login_page_renders_for_anonymous(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_login_signs_in_and_opens_the_dashboard(client, officer):
    response = client.post(reverse("login"), {"username": officer.username, "password": "secret-password"})

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_login_with_a_wrong_password_shows_the_error(client, officer):
    response = client.post(reverse("login"), {"username": officer.username, "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_signed_in_person_opening_login_goes_to_dashboard(login, officer):
    response = login(officer).get(reverse("login"))

    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_logout_needs_a_post(login, officer):
    client = login(officer)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link(client, officer, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": officer.email})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [officer.email]
    assert "/accounts/password-reset/" in mailoutbox[0].body


def test_password_reset_for_an_unknown_address_mails_nothing(client, officer, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert mailoutbox == []


def test_password_reset_link_sets_a_new_password(client, officer, mailoutbox):
    client.post(reverse("password_reset"), {"email": officer.email})
    link = re.search(r"/accounts/password-reset/\S+/\S+/", mailoutbox[0].body).group(0)

    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "A-new-long-password", "new_password2": "A-new-long-password"},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password("A-new-long-password")


def invite_newcomer(member_admin, commune, mailoutbox, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(
            actor=member_admin, organization=commune, email="newcomer@example.org", roles=[Role.MEMBER_OFFICER]
        )
    return re.search(r"/accounts/invitation/\S+/\S+/", mailoutbox[-1].body).group(0)


def test_invitation_link_lets_the_newcomer_choose_a_password(
    client, member_admin, commune, mailoutbox, django_capture_on_commit_callbacks
):
    link = invite_newcomer(member_admin, commune, mailoutbox, django_capture_on_commit_callbacks)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose your password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Tres-long-secret-9", "new_password2": "Tres-long-secret-9"}
    )

    assert response.status_code == 302
    assert response.url == reverse("login")
    newcomer = commune.role_assignments.get(role=Role.MEMBER_OFFICER).user
    assert newcomer.check_password("Tres-long-secret-9")
    assert client.post(reverse("login"), {"username": newcomer.username, "password": "Tres-long-secret-9"}).url == "/"


def test_invitation_link_works_only_once(client, member_admin, commune, mailoutbox, django_capture_on_commit_callbacks):
    link = invite_newcomer(member_admin, commune, mailoutbox, django_capture_on_commit_callbacks)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Tres-long-secret-9", "new_password2": "Tres-long-secret-9"})

    response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    assert "no longer valid" in response.content.decode()


@pytest.fixture
def commune_and_cpas_officer(commune):
    cpas = OrganizationFactory(kind="cpas", nis_code=commune.nis_code, name="CPAS test")
    officer = services.user_invite(
        actor=None, organization=commune, email="both@example.org", roles=[Role.MEMBER_OFFICER]
    )
    services.user_invite(actor=None, organization=cpas, email="both@example.org", roles=[Role.MEMBER_OFFICER])
    officer.refresh_from_db()
    return officer, cpas


def test_switch_organization_acts_for_the_chosen_one(login, commune_and_cpas_officer, commune):
    officer, cpas = commune_and_cpas_officer
    client = login(officer)
    dashboard = client.get(reverse("dashboard"))
    assert b'name="organization"' in dashboard.content

    response = client.post(reverse("switch_organization"), {"organization": cpas.pk})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.active_organization == cpas
    assert client.get(reverse("dashboard")).context["organization"] == cpas


def test_switch_to_an_organisation_without_a_role_changes_nothing(login, officer, commune, other_commune):
    response = login(officer).post(reverse("switch_organization"), {"organization": other_commune.pk})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.active_organization == commune
    assert messages_of(response) == ["You hold no role in this organisation."]


def test_switch_organization_needs_a_signed_in_person(client, commune):
    before = audit_total()

    assert_redirects_to_login(client.post(reverse("switch_organization"), {"organization": commune.pk}))
    assert audit_total() == before


def test_switch_organization_refuses_get(login, officer):
    assert login(officer).get(reverse("switch_organization")).status_code == 405


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done", "password_reset_complete"])
def test_password_reset_pages_render_for_anonymous(client, db, name):
    assert client.get(reverse(name)).status_code == 200


def test_password_reset_link_with_a_bad_token_says_so(client, officer):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))

    assert response.status_code == 200
    assert response.context["validlink"] is False
