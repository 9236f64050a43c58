import pytest

from procurement.core.models import AuditEntry
from procurement.members.models import RoleAssignment, User
from tests.api.conftest import client_for


@pytest.mark.django_db
def test_member_admin_sees_its_people_with_their_roles_only(world):
    results = client_for(world.users["member_admin"]).get("/api/v1/users/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert {p["username"] for p in results} == {"member_admin", "member_officer", "member_approver", "member_finance"}
    officer = next(p for p in results if p["username"] == "member_officer")
    assert officer["roles"] == [
        {
            "organization": world.member_a.pk,
            "organization_name": world.member_a.name,
            "role": "member_officer",
            "role_label": "Purchasing officer",
        }
    ]
    assert "password" not in officer


@pytest.mark.django_db
def test_invite_defaults_to_the_active_organisation(world):
    response = client_for(world.users["member_admin"]).post(
        "/api/v1/users/invite/",
        {"email": "Nouvelle@Commune.example", "first_name": "Anne", "roles": ["member_approver"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    person = User.objects.get(email="nouvelle@commune.example")
    assert list(person.role_assignments.values_list("organization_id", "role")) == [
        (world.member_a.pk, "member_approver")
    ]
    assert response.json()["invitation_pending"] is True


@pytest.mark.django_db
def test_unknown_role_is_a_400_and_creates_nobody(world):
    response = client_for(world.users["member_admin"]).post(
        "/api/v1/users/invite/", {"email": "x@example.org", "roles": ["mayor"]}, format="json"
    )
    assert response.status_code == 400
    assert "role" in response.json()
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.django_db
def test_removing_the_last_member_admin_is_a_409(world):
    member_admin = world.users["member_admin"]
    response = client_for(member_admin).post(f"/api/v1/users/{member_admin.pk}/remove/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "last_manager"
    assert RoleAssignment.objects.filter(user=member_admin).exists()


@pytest.mark.django_db
def test_member_admin_removes_a_colleague(world):
    officer = world.users["member_officer"]
    response = client_for(world.users["member_admin"]).post(f"/api/v1/users/{officer.pk}/remove/", {}, format="json")
    assert response.status_code == 200
    officer.refresh_from_db()
    assert not officer.is_active
    assert AuditEntry.objects.filter(action="user.removed", object_id=str(officer.pk)).exists()


@pytest.mark.django_db
def test_people_list_query_count(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client_for(world.users["admin"]).get("/api/v1/users/?page_size=200")
    assert response.json()["count"] == User.objects.count()
