import pytest
from rest_framework.authtoken.models import Token

from procurement.core.permissions import Role
from procurement.members.models import OrganizationKind, RoleAssignment, User
from tests.api.conftest import client_for
from tests.factories import OrganizationFactory


@pytest.mark.django_db
def test_a_token_is_obtained_with_username_and_password_and_then_used(api, world):
    response = api.post("/api/v1/auth/token/", {"username": "member_officer", "password": "secret-password"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user.username == "member_officer"
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "member_officer"
    assert me["organization"] == {"id": world.member_a.pk, "name": world.member_a.name, "kind": "commune"}
    assert me["roles"] == ["member_officer"]
    assert "membership.request" in me["permissions"]


@pytest.mark.django_db
def test_wrong_password_gets_no_token(api, world):
    response = api.post("/api/v1/auth/token/", {"username": "member_officer", "password": "nope"})
    assert response.status_code == 400
    assert not Token.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/",
        "/api/v1/organizations/",
        "/api/v1/organizations/1/",
        "/api/v1/memberships/",
        "/api/v1/users/",
        "/api/v1/cpv/",
        "/api/v1/cpv/30192100-2/",
        "/api/v1/audit/",
        "/api/v1/",
    ],
)
def test_anonymous_requests_are_refused_with_401(api, world, path):
    response = api.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_anonymous_writes_are_refused_and_change_nothing(api, world):
    assert api.post(f"/api/v1/memberships/{world.membership_a.pk}/activate/", {}).status_code == 401
    assert api.post("/api/v1/me/switch/", {"organization": world.member_b.pk}).status_code == 401
    world.membership_a.refresh_from_db()
    assert world.membership_a.status == "requested"


@pytest.mark.django_db
def test_me_lists_every_organisation_and_switch_moves_tenancy(world):
    officer = world.users["member_officer"]
    cpas = OrganizationFactory(kind=OrganizationKind.CPAS, nis_code=world.member_a.nis_code)
    RoleAssignment.objects.create(user=officer, organization=cpas, role=Role.MEMBER_OFFICER)
    client = client_for(officer)
    me = client.get("/api/v1/me/").json()
    assert [(o["id"], o["roles"]) for o in me["organizations"]] == sorted(
        [(world.member_a.pk, ["member_officer"]), (cpas.pk, ["member_officer"])],
        key=lambda pair: next(o["name"] for o in me["organizations"] if o["id"] == pair[0]),
    )
    response = client.post("/api/v1/me/switch/", {"organization": cpas.pk})
    assert response.status_code == 200
    assert response.json()["organization"]["id"] == cpas.pk
    assert User.objects.get(pk=officer.pk).active_organization == cpas
    client = client_for(User.objects.get(pk=officer.pk))
    assert [o["id"] for o in client.get("/api/v1/organizations/").json()["results"]] == [cpas.pk]


@pytest.mark.django_db
def test_switching_to_someone_elses_organisation_is_a_400_and_changes_nothing(world):
    officer = world.users["member_officer"]
    response = client_for(officer).post(
        "/api/v1/me/switch/", {"organization": world.member_b.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"organization": ["You hold no role in this organisation."]}
    officer.refresh_from_db()
    assert officer.active_organization == world.member_a


@pytest.mark.django_db
def test_the_api_speaks_the_language_asked(world):
    client = client_for(world.users["member_officer"])
    assert client.get("/api/v1/cpv/30192100-2/", HTTP_ACCEPT_LANGUAGE="nl").json()["label"] == "Vlakgommen"
    assert client.get("/api/v1/cpv/30192100-2/", HTTP_ACCEPT_LANGUAGE="de").json()["label"] == "Radiergummis"
    assert client.get("/api/v1/cpv/30192100-2/").json()["label"] == "Effaceurs"


@pytest.mark.django_db
def test_schema_and_docs_are_served(api):
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    for path in ("/api/v1/memberships/{id}/activate/", "/api/v1/me/switch/", "/api/v1/cpv/{code}/", "/api/v1/audit/"):
        assert path in body
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content  # assets are served locally (sidecar), not from a CDN
