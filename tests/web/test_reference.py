import pytest
from django.urls import reverse

from tests.web.helpers import assert_redirects_to_login


@pytest.mark.parametrize("role_fixture", ["imio_admin", "officer", "supplier_user", "observer"])
def test_cpv_divisions_open_for_every_role(request, login, role_fixture):
    response = login(request.getfixturevalue(role_fixture)).get(reverse("cpv"))

    assert response.status_code == 200
    assert len(response.context["codes"]) == 45
    assert all(code.level == 2 for code in response.context["codes"])


def test_cpv_is_forbidden_without_an_organisation(login, newcomer):
    assert login(newcomer).get(reverse("cpv")).status_code == 403


def test_cpv_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("cpv")))


def test_cpv_search_by_words_of_the_label(login, officer):
    codes = login(officer).get(reverse("cpv"), {"q": "office furniture"}).context["codes"]

    assert codes
    assert all("office" in code.label_en.lower() and "furniture" in code.label_en.lower() for code in codes)


def test_cpv_search_reads_the_labels_in_the_active_language(login, officer, settings):
    client = login(officer)

    english = client.get(reverse("cpv"), {"q": "mobilier"}).context["codes"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(reverse("cpv"), {"q": "mobilier"}).context["codes"]

    assert not english
    assert french
    assert all("mobilier" in code.label_fr.lower() for code in french)


def test_cpv_search_by_code_prefix(login, officer):
    codes = login(officer).get(reverse("cpv"), {"q": "30192"}).context["codes"]

    assert codes
    assert all(code.code.startswith("30192") for code in codes)


def test_cpv_code_page_shows_its_path_and_children(login, officer):
    response = login(officer).get(reverse("cpv_detail", args=["30192000-1"]))

    assert response.status_code == 200
    assert [code.code for code in response.context["ancestors"]] == ["30000000-9", "30100000-0", "30190000-7"]
    assert all(child.parent_id == "30192000-1" for child in response.context["children"])
    assert response.context["children"]


def test_unknown_cpv_code_is_not_found(login, officer):
    assert login(officer).get(reverse("cpv_detail", args=["99999999-9"])).status_code == 404


def test_cpv_list_queries_do_not_grow(login, officer, django_assert_max_num_queries):
    client = login(officer)

    with django_assert_max_num_queries(6):
        client.get(reverse("cpv"), {"q": "services"})
