import datetime

import pytest

from procurement.core.models import AuditEntry
from procurement.members.models import Membership, MembershipStatus
from tests.api.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory
from tests.factories.members import PDF_BYTES, pdf_file


@pytest.mark.django_db
def test_member_requests_with_multipart_and_imio_activates(world):
    world.membership_a.status = MembershipStatus.TERMINATED
    world.membership_a.save()
    officer = client_for(world.users["member_officer"])
    response = officer.post(
        "/api/v1/memberships/",
        {"decision_date": "2026-10-26", "decision_reference": "CC/2026/112", "document": pdf_file()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["member"] == world.member_a.pk
    assert created["status"] == "requested"
    assert created["allowed_transitions"] == ["active", "terminated"]
    assert created["document_url"].endswith(f"/api/v1/memberships/{created['id']}/document/")
    download = officer.get(created["document_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"

    activated = client_for(world.users["buyer"]).post(
        f"/api/v1/memberships/{created['id']}/activate/", {}, format="json"
    )
    assert activated.status_code == 200
    assert activated.json()["status"] == "active"
    assert activated.json()["decision_date"] == "2026-10-26"


@pytest.mark.django_db
def test_activation_without_decision_is_400_with_the_missing_fields(world):
    membership = MembershipFactory(
        member=OrganizationFactory(),
        status=MembershipStatus.REQUESTED,
        decision_date=None,
        decision_reference="",
        document="",
    )
    response = client_for(world.users["buyer"]).post(
        f"/api/v1/memberships/{membership.pk}/activate/", {}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"decision_date", "decision_reference", "document"}
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REQUESTED


@pytest.mark.django_db
def test_refused_transition_is_a_409_with_code_and_detail(world):
    response = client_for(world.users["buyer"]).post(
        f"/api/v1/memberships/{world.membership_a.pk}/suspend/",
        {"reason": "x"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "transition_not_allowed",
        "detail": f"Membership of {world.member_a.name} cannot go from “Requested” to “Suspended”.",
    }
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_future_decision_date_is_refused(world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client_for(world.users["buyer"]).post(
        f"/api/v1/memberships/{world.membership_a.pk}/activate/", {"decision_date": tomorrow}, format="json"
    )
    assert response.status_code == 400
    assert "decision_date" in response.json()


@pytest.mark.django_db
def test_a_non_pdf_agreement_is_refused(world):
    response = client_for(world.users["member_officer"]).post(
        f"/api/v1/memberships/{world.membership_a.pk}/document/",
        {"document": pdf_file("x.pdf").__class__(b"MZ\x90\x00", name="x.pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "document" in response.json()


@pytest.mark.django_db
def test_filters_and_query_count(world, django_assert_max_num_queries):
    for _ in range(10):
        MembershipFactory(member=OrganizationFactory())
    client = client_for(world.users["buyer"])
    with django_assert_max_num_queries(5):
        active = client.get("/api/v1/memberships/?status=active&page_size=200").json()
    assert active["count"] == 11
    requested = client.get("/api/v1/memberships/?status=requested").json()
    assert [m["id"] for m in requested["results"]] == [world.membership_a.pk]
    assert Membership.objects.count() == 12
