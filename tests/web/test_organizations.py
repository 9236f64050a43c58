import pytest
from django.urls import reverse

from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members.models import MembershipStatus, Organization, OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, enterprise_number, person
from tests.web.helpers import assert_redirects_to_login, audit_total, fields_of

# --- List --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["imio_admin", "buyer", "finance"])
def test_imio_staff_list_every_organisation(request, login, role_fixture, commune, other_commune, supplier_org):
    response = login(request.getfixturevalue(role_fixture)).get(reverse("organizations"))

    assert response.status_code == 200
    assert {commune, other_commune, supplier_org} <= set(response.context["organizations"])


def test_member_lists_only_its_own_organisation(login, officer, commune, other_commune):
    response = login(officer).get(reverse("organizations"))

    assert response.status_code == 200
    assert list(response.context["organizations"]) == [commune]


def test_organisation_list_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("organizations")))


def test_organisation_list_is_forbidden_without_an_organisation(login, newcomer):
    assert login(newcomer).get(reverse("organizations")).status_code == 403


def test_organisation_list_filters_by_kind(login, buyer, commune, supplier_org):
    response = login(buyer).get(reverse("organizations"), {"kind": OrganizationKind.SUPPLIER})

    assert list(response.context["organizations"]) == [supplier_org]


def test_organisation_list_filters_by_membership_status(login, buyer, commune, other_commune, active_membership):
    client = login(buyer)

    active = client.get(reverse("organizations"), {"membership_status": MembershipStatus.ACTIVE})
    without = client.get(reverse("organizations"), {"membership_status": "none", "kind": OrganizationKind.COMMUNE})

    assert list(active.context["organizations"]) == [commune]
    assert list(without.context["organizations"]) == [other_commune]


def test_organisation_list_searches_name_and_enterprise_number(login, buyer, commune, other_commune):
    client = login(buyer)

    by_name = client.get(reverse("organizations"), {"q": other_commune.name})
    by_number = client.get(reverse("organizations"), {"q": commune.enterprise_number_display})

    assert list(by_name.context["organizations"]) == [other_commune]
    assert list(by_number.context["organizations"]) == [commune]


def test_organisation_list_shows_display_forms_and_status_badges(login, buyer, commune, active_membership):
    html = login(buyer).get(reverse("organizations")).content.decode()

    assert commune.enterprise_number_display in html
    assert 'class="badge badge-active">Active<' in html


def test_organisation_list_pages_by_fifty(login, buyer, imio):
    SupplierFactory.create_batch(55)
    client = login(buyer)

    first = client.get(reverse("organizations"))
    second = client.get(reverse("organizations"), {"page": 2})

    assert len(first.context["organizations"]) == 50
    assert len(second.context["organizations"]) == 6  # 55 suppliers and IMIO
    assert "?page=2" in first.content.decode()


def test_organisation_list_queries_do_not_grow_with_rows(login, buyer, django_assert_max_num_queries):
    for _ in range(20):
        MembershipFactory(member=OrganizationFactory())
    client = login(buyer)

    with django_assert_max_num_queries(8):
        client.get(reverse("organizations"))


# --- Detail ------------------------------------------------------------------------------------


def test_member_sees_its_organisation_people_and_membership(login, officer, member_admin, commune, active_membership):
    response = login(officer).get(reverse("organization_detail", args=[commune.pk]))

    assert response.status_code == 200
    assert set(response.context["people"]) == {officer, member_admin}
    assert list(response.context["memberships"]) == [active_membership]
    assert response.context["can_edit"] is False


def test_another_members_organisation_is_not_found(login, officer, other_commune):
    assert login(officer).get(reverse("organization_detail", args=[other_commune.pk])).status_code == 404


def test_imio_sees_any_organisation_with_its_people_and_history(login, buyer, other_commune, other_officer):
    response = login(buyer).get(reverse("organization_detail", args=[other_commune.pk]))

    assert response.status_code == 200
    assert list(response.context["people"]) == [other_officer]
    assert list(response.context["recent_entries"]) == []


def test_supplier_page_shows_its_iban(login, supplier_user, supplier_org):
    supplier_org.iban = "BE71096123456769"
    supplier_org.save(update_fields=["iban"])

    html = login(supplier_user).get(reverse("organization_detail", args=[supplier_org.pk])).content.decode()

    assert "BE71 0961 2345 6769" in html


def test_organisation_detail_is_forbidden_without_an_organisation(login, newcomer, commune):
    assert login(newcomer).get(reverse("organization_detail", args=[commune.pk])).status_code == 403


def test_organisation_detail_needs_a_signed_in_person(client, commune):
    assert_redirects_to_login(client.get(reverse("organization_detail", args=[commune.pk])))


# --- Create ------------------------------------------------------------------------------------


def supplier_data(**overrides) -> dict:
    return {
        "kind": OrganizationKind.SUPPLIER,
        "name": "Papeterie Wallonne SA",
        "enterprise_number": "BE " + enterprise_number(4242),
        "country": "BE",
        "city": "Namur",
        "iban": "BE71 0961 2345 6769",
        "is_active": "on",
        **overrides,
    }


def test_create_form_is_for_platform_administrators(login, imio_admin):
    response = login(imio_admin).get(reverse("organization_create"))

    assert response.status_code == 200
    assert "enterprise_number" in response.context["form"].fields


@pytest.mark.parametrize("role_fixture", ["buyer", "officer", "member_admin"])
def test_create_is_forbidden_without_the_manage_permission(request, login, role_fixture):
    client = login(request.getfixturevalue(role_fixture))
    before = audit_total()

    assert client.get(reverse("organization_create")).status_code == 403
    assert client.post(reverse("organization_create"), supplier_data()).status_code == 403
    assert not Organization.objects.filter(name="Papeterie Wallonne SA").exists()
    assert audit_total() == before


def test_create_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.post(reverse("organization_create"), supplier_data()))
    assert not Organization.objects.filter(name="Papeterie Wallonne SA").exists()


def test_create_registers_the_organisation_through_the_service(login, imio_admin):
    before = audit_total()

    response = login(imio_admin).post(reverse("organization_create"), supplier_data())

    organization = Organization.objects.get(name="Papeterie Wallonne SA")
    assert response.status_code == 302
    assert response.url == reverse("organization_detail", args=[organization.pk])
    assert organization.enterprise_number == enterprise_number(4242)
    assert organization.iban == "BE71096123456769"
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "organization.created"


def test_create_shows_the_services_field_errors_and_changes_nothing(login, imio_admin):
    before = audit_total()

    response = login(imio_admin).post(reverse("organization_create"), supplier_data(enterprise_number="0123.456.788"))

    assert response.status_code == 200
    assert "enterprise_number" in response.context["form"].errors
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_enterprise_number_error"' in html
    assert not Organization.objects.filter(name="Papeterie Wallonne SA").exists()
    assert audit_total() == before


# --- Edit --------------------------------------------------------------------------------------


def test_member_admin_edits_only_the_self_service_fields(login, member_admin, commune):
    response = login(member_admin).get(reverse("organization_update", args=[commune.pk]))

    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert "city" in fields
    assert not fields & {"name", "kind", "enterprise_number", "nis_code"}


def test_member_admin_changes_its_address(login, member_admin, commune):
    before = audit_total()

    response = login(member_admin).post(
        reverse("organization_update", args=[commune.pk]),
        {"street": "Place d'Armes 1", "postcode": "5000", "city": "Namur"},
    )

    assert response.status_code == 302
    assert fields_of(commune, "street", "city") == {"street": "Place d'Armes 1", "city": "Namur"}
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "organization.updated"


def test_member_admin_cannot_change_the_name_by_posting_it(login, member_admin, commune):
    name = commune.name

    login(member_admin).post(reverse("organization_update", args=[commune.pk]), {"name": "Hacked", "city": "X"})

    assert fields_of(commune, "name")["name"] == name


def test_edit_shows_the_services_field_error(login, member_admin, commune):
    before = audit_total()

    response = login(member_admin).post(
        reverse("organization_update", args=[commune.pk]), {"city": "Namur", "iban": "BE71 0961 2345 6769"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["iban"] == ["Only suppliers have an IBAN here."]
    assert fields_of(commune, "iban")["iban"] == ""
    assert audit_total() == before


def test_officer_cannot_edit_its_organisation(login, officer, commune):
    client = login(officer)
    city = commune.city
    before = audit_total()

    assert client.get(reverse("organization_update", args=[commune.pk])).status_code == 403
    assert client.post(reverse("organization_update", args=[commune.pk]), {"city": "Elsewhere"}).status_code == 403
    assert fields_of(commune, "city")["city"] == city
    assert audit_total() == before


def test_member_admin_cannot_edit_another_member(login, member_admin, other_commune):
    city = other_commune.city

    response = login(member_admin).post(reverse("organization_update", args=[other_commune.pk]), {"city": "Elsewhere"})

    assert response.status_code == 404
    assert fields_of(other_commune, "city")["city"] == city


def test_platform_administrator_edits_identity(login, imio_admin, commune):
    client = login(imio_admin)
    form = client.get(reverse("organization_update", args=[commune.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "", False)}

    response = client.post(reverse("organization_update", args=[commune.pk]), {**data, "name": "Ville renamed"})

    assert response.status_code == 302
    assert fields_of(commune, "name")["name"] == "Ville renamed"


def test_edit_needs_a_signed_in_person(client, commune):
    assert_redirects_to_login(client.post(reverse("organization_update", args=[commune.pk]), {"city": "X"}))


def test_edit_of_an_unchanged_form_records_nothing(login, member_admin, commune):
    client = login(member_admin)
    initial = client.get(reverse("organization_update", args=[commune.pk])).context["form"].initial
    before = audit_total()

    client.post(reverse("organization_update", args=[commune.pk]), {k: v or "" for k, v in initial.items()})

    assert audit_total() == before


def test_observer_organisation_page(login, observer):
    organization = observer.active_organization

    response = login(observer).get(reverse("organization_detail", args=[organization.pk]))

    assert response.status_code == 200
    assert "people" not in response.context


def test_people_link_to_invite_is_shown_to_those_who_manage_people(login, member_admin, commune):
    html = login(member_admin).get(reverse("organization_detail", args=[commune.pk])).content.decode()

    assert reverse("organization_invite", args=[commune.pk]) in html


def test_organisation_page_lists_only_its_own_people(login, buyer, commune, officer, other_officer):
    person(commune, Role.MEMBER_APPROVER)

    response = login(buyer).get(reverse("organization_detail", args=[commune.pk]))

    assert other_officer not in response.context["people"]
    assert len(response.context["people"]) == 2
