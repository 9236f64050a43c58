import pytest
from django.urls import reverse

from procurement.core import audit
from procurement.core.permissions import Role
from procurement.members.models import MembershipStatus
from tests.factories import MembershipFactory, OrganizationFactory, person
from tests.web.helpers import assert_redirects_to_login


def test_imio_staff_see_figures_pending_requests_and_recent_changes(
    login, buyer, requested_membership, other_membership, supplier_org
):
    audit.record(actor=None, action="membership.requested", target=requested_membership, organizations=[])

    response = login(buyer).get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/dashboard/staff.html"
    statistics = response.context["statistics"]
    assert statistics["pending_requests"] == 1
    assert statistics["active_members"] == 1
    assert statistics["suppliers"] == 1
    assert list(response.context["pending_requests"]) == [requested_membership]
    assert len(response.context["recent_entries"]) == 1
    assert reverse("membership_detail", args=[requested_membership.pk]) in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["imio_admin", "buyer", "finance"])
def test_every_imio_role_gets_the_staff_dashboard(request, login, role_fixture):
    user = request.getfixturevalue(role_fixture)

    response = login(user).get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/dashboard/staff.html"


def test_member_sees_its_organisation_membership_and_people(login, officer, member_admin, commune, active_membership):
    response = login(officer).get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/dashboard/member.html"
    assert response.context["organization"] == commune
    assert response.context["membership"] == active_membership
    assert set(response.context["people"]) == {officer, member_admin}
    html = response.content.decode()
    assert commune.enterprise_number_display in html
    assert commune.nis_code in html


def test_member_sees_only_changes_about_its_own_organisation(
    login, officer, commune, other_commune, active_membership, other_membership
):
    audit.record(actor=None, action="membership.activated", target=active_membership, organizations=[commune.pk])
    audit.record(actor=None, action="membership.activated", target=other_membership, organizations=[other_commune.pk])

    entries = login(officer).get(reverse("dashboard")).context["recent_entries"]

    assert [entry.object_id for entry in entries] == [str(active_membership.pk)]


def test_member_without_membership_is_invited_to_request_one(login, officer):
    response = login(officer).get(reverse("dashboard"))

    assert response.context["membership"] is None
    assert reverse("membership_request") in response.content.decode()


def test_approver_without_the_request_permission_gets_no_request_button(login, approver):
    response = login(approver).get(reverse("dashboard"))

    assert response.status_code == 200
    assert reverse("membership_request") not in response.content.decode()


def test_terminated_membership_counts_as_none(login, officer, commune):
    MembershipFactory(member=commune, status=MembershipStatus.TERMINATED, status_reason="End")

    assert login(officer).get(reverse("dashboard")).context["membership"] is None


def test_supplier_sees_its_company_and_people(login, supplier_user, supplier_org):
    response = login(supplier_user).get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/dashboard/supplier.html"
    assert response.context["organization"] == supplier_org
    assert list(response.context["people"]) == [supplier_user]


def test_observer_sees_aggregate_figures_only(login, observer, active_membership):
    response = login(observer).get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/dashboard/observer.html"
    assert response.context["statistics"]["active_members"] == 1
    assert active_membership.member.name not in response.content.decode()


def test_person_without_organisation_gets_an_explanation(login, newcomer):
    response = login(newcomer).get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.templates[0].name == "members/dashboard/no_organization.html"


def test_person_of_an_inactive_organisation_gets_the_explanation(login, officer, commune):
    commune.is_active = False
    commune.save(update_fields=["is_active"])

    assert login(officer).get(reverse("dashboard")).templates[0].name == "members/dashboard/no_organization.html"


def test_dashboard_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("dashboard")))


def test_staff_dashboard_queries_do_not_grow_with_requests(login, buyer, django_assert_max_num_queries):
    for _ in range(15):
        MembershipFactory(member=OrganizationFactory(), status=MembershipStatus.REQUESTED, document="")
    client = login(buyer)

    with django_assert_max_num_queries(10):
        client.get(reverse("dashboard"))


def test_member_dashboard_queries_do_not_grow_with_people(
    login, officer, commune, active_membership, django_assert_max_num_queries
):
    for _ in range(15):
        person(commune, Role.MEMBER_OFFICER)
    client = login(officer)

    with django_assert_max_num_queries(10):
        client.get(reverse("dashboard"))
