import pytest

from procurement.core.models import AuditEntry
from procurement.members.models import Organization, OrganizationKind
from tests.api.conftest import client_for
from tests.factories import OrganizationFactory, SupplierFactory


@pytest.mark.django_db
def test_imio_staff_list_and_filter_organisations(world):
    client = client_for(world.users["buyer"])
    everything = client.get("/api/v1/organizations/").json()
    assert everything["count"] == Organization.objects.count()
    communes = client.get("/api/v1/organizations/?kind=commune").json()["results"]
    assert {o["id"] for o in communes} == {world.member_a.pk, world.member_b.pk}
    members = client.get("/api/v1/organizations/?member=true").json()["results"]
    assert {o["kind"] for o in members} == {"commune"}
    requested = client.get("/api/v1/organizations/?membership_status=requested").json()["results"]
    assert [o["id"] for o in requested] == [world.member_a.pk]
    assert requested[0]["membership_status"] == "requested"
    by_number = client.get(f"/api/v1/organizations/?search={world.member_b.enterprise_number_display}").json()
    assert [o["id"] for o in by_number["results"]] == [world.member_b.pk]


@pytest.mark.django_db
def test_identifiers_are_shown_in_their_reading_form(world):
    supplier = client_for(world.users["supplier"]).get(f"/api/v1/organizations/{world.supplier.pk}/").json()
    assert supplier["enterprise_number"] == world.supplier.enterprise_number_display
    assert supplier["enterprise_number"].count(".") == 2


@pytest.mark.django_db
def test_a_member_sees_only_itself(world):
    results = client_for(world.users["member_officer"]).get("/api/v1/organizations/").json()["results"]
    assert [o["id"] for o in results] == [world.member_a.pk]


@pytest.mark.django_db
def test_invalid_identifiers_answer_400_with_field_reasons_and_write_nothing(world):
    before = Organization.objects.count()
    response = client_for(world.users["admin"]).post(
        "/api/v1/organizations/",
        {"kind": "commune", "name": "Faux", "enterprise_number": "0403.019.262", "nis_code": "12", "iban": "BE00"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"enterprise_number", "nis_code", "iban"}
    assert "chiffres de contrôle sont erronés" in body["enterprise_number"][0]  # French unless asked otherwise
    assert Organization.objects.count() == before
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_unknown_kind_is_a_400(world):
    response = client_for(world.users["admin"]).post(
        "/api/v1/organizations/", {"kind": "castle", "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.django_db
def test_admin_registers_a_supplier_with_iban(world):
    response = client_for(world.users["admin"]).post(
        "/api/v1/organizations/",
        {"kind": "supplier", "name": "Nouveau SA", "enterprise_number": "BE0403019261", "iban": "be71 0961 2345 6769"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["enterprise_number"] == "0403.019.261"
    assert body["iban"] == "BE71 0961 2345 6769"
    assert Organization.objects.get(pk=body["id"]).iban == "BE71096123456769"


@pytest.mark.django_db
def test_member_admin_trying_to_change_identity_gets_403_and_nothing_changes(world):
    response = client_for(world.users["member_admin"]).patch(
        f"/api/v1/organizations/{world.member_a.pk}/",
        {"phone": "1", "enterprise_number": "0403.019.261"},
        format="json",
    )
    assert response.status_code == 403
    assert "enterprise_number" in response.json()["detail"]
    world.member_a.refresh_from_db()
    assert world.member_a.phone == ""


@pytest.mark.django_db
def test_organisation_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    OrganizationFactory.create_batch(10, kind=OrganizationKind.CPAS)
    SupplierFactory.create_batch(10)
    client = client_for(world.users["buyer"])
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/organizations/?page_size=200")
    assert response.json()["count"] >= 25
