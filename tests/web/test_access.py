"""Every page, walked by someone signed out and by someone who acts for no organisation."""

import pytest
from django.urls import reverse

from tests.web.helpers import assert_redirects_to_login


@pytest.fixture
def pages(commune, officer, active_membership) -> list[str]:
    return [
        reverse("organizations"),
        reverse("organization_create"),
        reverse("organization_detail", args=[commune.pk]),
        reverse("organization_update", args=[commune.pk]),
        reverse("organization_membership_request", args=[commune.pk]),
        reverse("organization_invite", args=[commune.pk]),
        reverse("memberships"),
        reverse("membership_request"),
        reverse("membership_detail", args=[active_membership.pk]),
        reverse("membership_document", args=[active_membership.pk]),
        reverse("people"),
        reverse("person_invite"),
        reverse("person_detail", args=[officer.pk]),
        reverse("audit"),
        reverse("cpv"),
        reverse("cpv_detail", args=["30192000-1"]),
    ]


def test_every_page_sends_anonymous_visitors_to_login(client, pages):
    for url in [reverse("dashboard"), *pages]:
        assert_redirects_to_login(client.get(url))


def test_every_page_is_forbidden_to_someone_without_an_organisation(login, newcomer, pages):
    client = login(newcomer)

    assert client.get(reverse("dashboard")).status_code == 200
    for url in pages:
        assert client.get(url).status_code == 403, url
