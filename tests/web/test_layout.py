from django.urls import reverse

from tests.web.helpers import assert_redirects_to_login


def test_page_declares_its_language_and_landmarks(login, officer, settings):
    client = login(officer)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]

    html = client.get(reverse("dashboard")).content.decode()

    assert '<html lang="fr"' in html
    assert 'href="#content"' in html
    for landmark in ("<header", "<nav", '<main id="content"', "<footer"):
        assert landmark in html


def test_language_switcher_changes_the_page_language(login, officer, settings):
    client = login(officer)

    response = client.post(reverse("set_language"), {"language": "nl", "next": reverse("dashboard")})

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert '<html lang="nl"' in client.get(reverse("dashboard")).content.decode()


def test_navigation_of_imio_staff_lists_all_organisations(login, imio_admin):
    html = login(imio_admin).get(reverse("dashboard")).content.decode()

    assert f'href="{reverse("organizations")}"' in html
    assert f'href="{reverse("admin:index")}"' in html
    assert f'href="{reverse("audit")}"' in html


def test_navigation_of_a_member_shows_its_own_organisation(login, officer, commune):
    html = login(officer).get(reverse("dashboard")).content.decode()

    assert f'href="{reverse("organization_detail", args=[commune.pk])}"' in html
    assert f'href="{reverse("organizations")}"' not in html
    assert f'href="{reverse("admin:index")}"' not in html
    assert f'href="{reverse("memberships")}"' in html


def test_navigation_of_an_observer_has_no_memberships_people_or_audit(login, observer):
    html = login(observer).get(reverse("dashboard")).content.decode()

    for name in ("memberships", "people", "audit"):
        assert f'href="{reverse(name)}"' not in html
    assert f'href="{reverse("cpv")}"' in html


def test_header_has_the_person_and_a_logout_form(login, officer):
    html = login(officer).get(reverse("dashboard")).content.decode()

    assert officer.get_full_name() in html
    assert f'action="{reverse("logout")}" method="post"' in html


def test_organisation_switcher_is_hidden_with_a_single_organisation(login, officer):
    html = login(officer).get(reverse("dashboard")).content.decode()

    assert reverse("switch_organization") not in html


def test_footer_links_to_the_api_docs_and_names_the_licence(login, officer):
    html = login(officer).get(reverse("dashboard")).content.decode()

    assert 'href="/api/v1/docs/"' in html
    assert "EUPL-1.2" in html


def test_anonymous_is_sent_to_login(client, db):
    assert_redirects_to_login(client.get(reverse("dashboard")))


def test_a_forbidden_page_explains_itself_in_the_layout(login, buyer):
    response = login(buyer).get(reverse("organization_create"))
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()
    assert 'class="site-nav"' in response.content.decode()


def test_another_organisations_page_is_a_friendly_404(login, officer, other_commune):
    response = login(officer).get(reverse("organization_detail", args=[other_commune.pk]))
    assert response.status_code == 404
    assert "another organisation" in response.content.decode()
