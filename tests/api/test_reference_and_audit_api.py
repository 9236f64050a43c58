import pytest

from procurement.members.services import membership_activate, organization_update
from tests.api.conftest import client_for


@pytest.mark.django_db
def test_cpv_search_by_words_in_the_request_language_and_by_code_prefix(world):
    client = client_for(world.users["member_officer"])
    by_words = client.get("/api/v1/cpv/?search=fournitures bureau").json()["results"]
    assert "30192000-1" in {c["code"] for c in by_words}
    by_prefix = client.get("/api/v1/cpv/?code=301921").json()["results"]
    assert {c["code"][:6] for c in by_prefix} == {"301921"}
    by_search_digits = client.get("/api/v1/cpv/?search=30192").json()["results"]
    assert all(c["code"].startswith("30192") for c in by_search_digits)
    in_dutch = client.get("/api/v1/cpv/?search=vlakgommen", HTTP_ACCEPT_LANGUAGE="nl").json()["results"]
    assert [c["code"] for c in in_dutch] == ["30192100-2"]


@pytest.mark.django_db
def test_cpv_tree_navigation(world):
    client = client_for(world.users["member_officer"])
    divisions = client.get("/api/v1/cpv/?level=2&page_size=200").json()
    assert divisions["count"] == 45
    children = client.get("/api/v1/cpv/?parent=30190000-7&page_size=200").json()["results"]
    assert "30192000-1" in {c["code"] for c in children}
    erasers = client.get("/api/v1/cpv/30192100-2/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert erasers == {
        "code": "30192100-2",
        "label": "Erasers",
        "parent": "30192000-1",
        "level": 6,
        "level_label": "Subcategory",
        "social_services": False,
    }
    assert client.get("/api/v1/cpv/99999999-9/").status_code == 404


@pytest.mark.django_db
def test_audit_is_scoped_to_the_members_own_objects(world):
    membership_activate(actor=world.users["buyer"], membership=world.membership_a)
    organization_update(actor=world.users["admin"], organization=world.member_b, phone="+32 4 000 00 00")
    member_view = client_for(world.users["member_officer"]).get("/api/v1/audit/").json()
    assert [e["action"] for e in member_view["results"]] == ["membership.activated"]
    entry = member_view["results"][0]
    assert entry["actor"] == "buyer"
    assert entry["object"] == {
        "type": "members.membership",
        "id": str(world.membership_a.pk),
        "repr": f"Adhésion de {world.member_a.name}",  # named in the platform's language, French
    }
    assert entry["before"]["status"] == "requested"
    assert entry["after"]["status"] == "active"
    imio_view = client_for(world.users["imio_finance"]).get("/api/v1/audit/").json()
    assert [e["action"] for e in imio_view["results"]] == ["organization.updated", "membership.activated"]
    other = client_for(world.users["supplier"]).get("/api/v1/audit/").json()
    assert other["results"] == []


@pytest.mark.django_db
def test_audit_filters_and_cursor_pagination(world):
    for number in range(5):
        organization_update(actor=world.users["admin"], organization=world.member_b, phone=f"+32 4 000 00 0{number}")
    membership_activate(actor=world.users["buyer"], membership=world.membership_a)
    client = client_for(world.users["admin"])
    page = client.get("/api/v1/audit/?action=organization.&page_size=2").json()
    assert "count" not in page
    assert [e["after"]["phone"] for e in page["results"]] == ["+32 4 000 00 04", "+32 4 000 00 03"]
    following = client.get(page["next"]).json()
    assert [e["after"]["phone"] for e in following["results"]] == ["+32 4 000 00 02", "+32 4 000 00 01"]
    by_object = client.get(f"/api/v1/audit/?object_type=members.membership&object_id={world.membership_a.pk}").json()
    assert [e["action"] for e in by_object["results"]] == ["membership.activated"]
    by_actor = client.get("/api/v1/audit/?actor=buyer").json()
    assert len(by_actor["results"]) == 1


@pytest.mark.django_db
def test_audit_list_query_count(world, django_assert_max_num_queries):
    for number in range(20):
        organization_update(actor=world.users["admin"], organization=world.member_b, phone=f"+32 4 000 00 {number:02d}")
    with django_assert_max_num_queries(4):
        response = client_for(world.users["admin"]).get("/api/v1/audit/?page_size=50")
    assert len(response.json()["results"]) == 20
