"""Every role across every endpoint of the foundation: the status it gets, and that a refused
request changes nothing.

Roles: IMIO staff (admin, buyer, imio_finance) act for IMIO; member roles act for member A,
which has a requested membership; member B (active membership) is another organisation.
"""

import pytest

from tests.api.conftest import client_for
from tests.factories.members import pdf_file
from tests.helpers import database_state

ROLES = [
    "admin",
    "buyer",
    "imio_finance",
    "member_admin",
    "member_officer",
    "member_approver",
    "member_finance",
    "supplier",
    "observer",
]
IMIO = ("admin", "buyer", "imio_finance")
MEMBER_A = ("member_admin", "member_officer", "member_approver", "member_finance")


def expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


def for_roles(roles, status):
    return dict.fromkeys(roles, status)


CASES = {
    "me": (lambda w: ("get", "/api/v1/me/", None), expect(200)),
    "switch to another's organisation": (
        lambda w: ("post", "/api/v1/me/switch/", {"organization": w.member_b.pk}),
        expect(400),
    ),
    "organisation list": (lambda w: ("get", "/api/v1/organizations/", None), expect(200)),
    "own member organisation": (
        lambda w: ("get", f"/api/v1/organizations/{w.member_a.pk}/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "another member organisation": (
        lambda w: ("get", f"/api/v1/organizations/{w.member_b.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "register an organisation": (
        lambda w: (
            "post",
            "/api/v1/organizations/",
            {"kind": "supplier", "name": "Nouveau SA", "enterprise_number": "0403.019.261"},
        ),
        expect(403, admin=201),
    ),
    "edit own contact details": (
        lambda w: ("patch", f"/api/v1/organizations/{w.member_a.pk}/", {"phone": "+32 81 00 00 00"}),
        expect(403, admin=200, member_admin=200, supplier=404, observer=404),
    ),
    "rename own organisation": (
        lambda w: ("patch", f"/api/v1/organizations/{w.member_a.pk}/", {"name": "Renamed"}),
        expect(403, admin=200, supplier=404, observer=404),
    ),
    "edit another member": (
        lambda w: ("patch", f"/api/v1/organizations/{w.member_b.pk}/", {"phone": "+32 81 00 00 00"}),
        expect(404, admin=200, buyer=403, imio_finance=403),
    ),
    "membership list": (
        lambda w: ("get", "/api/v1/memberships/", None),
        expect(403, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "own membership": (
        lambda w: ("get", f"/api/v1/memberships/{w.membership_a.pk}/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "another member's membership": (
        lambda w: ("get", f"/api/v1/memberships/{w.membership_b.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "download the signed agreement": (
        lambda w: ("get", f"/api/v1/memberships/{w.membership_a.pk}/document/", None),
        expect(404, **for_roles(IMIO + MEMBER_A, 200)),
    ),
    "activate own membership": (
        lambda w: ("post", f"/api/v1/memberships/{w.membership_a.pk}/activate/", {}),
        expect(404, admin=200, buyer=200, **for_roles(("imio_finance", *MEMBER_A), 403)),
    ),
    "suspend another's membership": (
        lambda w: ("post", f"/api/v1/memberships/{w.membership_b.pk}/suspend/", {"reason": "Test"}),
        expect(404, admin=200, buyer=200, imio_finance=403),
    ),
    "terminate another's membership": (
        lambda w: ("post", f"/api/v1/memberships/{w.membership_b.pk}/terminate/", {"reason": "Test"}),
        expect(404, admin=200, buyer=200, imio_finance=403),
    ),
    "request membership for oneself": (
        lambda w: ("post", "/api/v1/memberships/", {}),
        expect(403, admin=400, buyer=400, member_admin=409, member_officer=409),
    ),
    "request membership for another member": (
        lambda w: ("post", "/api/v1/memberships/", {"member": w.member_b.pk}),
        expect(403, admin=409, buyer=409, member_admin=400, member_officer=400),
    ),
    "attach the signed agreement": (
        lambda w: ("multipart", f"/api/v1/memberships/{w.membership_a.pk}/document/", {"document": pdf_file()}),
        expect(
            404,
            admin=200,
            buyer=200,
            member_admin=200,
            member_officer=200,
            **for_roles(("imio_finance", "member_approver", "member_finance"), 403),
        ),
    ),
    "people list": (lambda w: ("get", "/api/v1/users/", None), expect(200, observer=403)),
    "another member's person": (
        lambda w: ("get", f"/api/v1/users/{w.officer_b.pk}/", None),
        expect(404, **for_roles(IMIO, 200)),
    ),
    "invite into member A": (
        lambda w: (
            "post",
            "/api/v1/users/invite/",
            {"email": "new@example.org", "roles": ["member_officer"], "organization": w.member_a.pk},
        ),
        expect(403, admin=201, member_admin=201),
    ),
    "grant a role in member B": (
        lambda w: (
            "post",
            f"/api/v1/users/{w.officer_b.pk}/grant/",
            {"role": "finance", "organization": w.member_b.pk},
        ),
        expect(404, admin=200, buyer=403, imio_finance=403),
    ),
    "revoke a role in member A": (
        lambda w: (
            "post",
            f"/api/v1/users/{w.users['member_officer'].pk}/revoke/",
            {"role": "member_officer", "organization": w.member_a.pk},
        ),
        expect(403, admin=200, member_admin=200, supplier=404, observer=404),
    ),
    "CPV list": (lambda w: ("get", "/api/v1/cpv/?search=effaceurs", None), expect(200)),
    "audit trail": (lambda w: ("get", "/api/v1/audit/", None), expect(200, observer=403)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_role_gets_the_expected_status_and_a_refusal_changes_nothing(world, case, role):
    build, expected = CASES[case]
    method, path, data = build(world)
    client = client_for(world.users[role])
    before = database_state()
    if method == "multipart":
        response = client.post(path, data, format="multipart")
    else:
        response = (
            getattr(client, method)(path, data, format="json") if data is not None else getattr(client, method)(path)
        )
    assert response.status_code == expected[role], (case, role, getattr(response, "data", response))
    if response.status_code >= 400:
        assert database_state() == before
        if response.status_code == 409:
            assert set(response.json()) == {"code", "detail"}
