import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement.core import audit
from procurement.core.models import AuditEntry
from procurement.members.models import Membership, MembershipStatus
from tests.factories import MembershipFactory, OrganizationFactory
from tests.web.helpers import PDF_BYTES, assert_redirects_to_login, audit_total, fields_of, messages_of

LAST_MONTH = timezone.localdate() - datetime.timedelta(days=30)
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def signed_pdf(name="convention.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def state_of(membership) -> dict:
    return fields_of(membership, "status", "decision_date", "decision_reference", "document", "status_reason")


# --- List --------------------------------------------------------------------------------------


def test_imio_lists_every_membership(login, buyer, active_membership, other_membership):
    response = login(buyer).get(reverse("memberships"))

    assert response.status_code == 200
    assert set(response.context["memberships"]) == {active_membership, other_membership}


def test_member_lists_only_its_memberships(login, officer, active_membership, other_membership):
    response = login(officer).get(reverse("memberships"))

    assert response.status_code == 200
    assert list(response.context["memberships"]) == [active_membership]


def test_member_is_offered_to_request_only_without_a_membership_in_progress(login, officer, commune):
    client = login(officer)
    assert client.get(reverse("memberships")).context["can_request"] is True
    MembershipFactory(member=commune, status=MembershipStatus.ACTIVE)
    response = client.get(reverse("memberships"))
    assert response.context["can_request"] is False
    assert reverse("membership_request") not in response.content.decode()


def test_membership_list_filters_by_status(login, buyer, requested_membership, other_membership):
    response = login(buyer).get(reverse("memberships"), {"status": MembershipStatus.REQUESTED})

    assert list(response.context["memberships"]) == [requested_membership]


@pytest.mark.parametrize("role_fixture", ["observer", "supplier_user", "newcomer"])
def test_membership_list_is_forbidden_without_the_view_permission(request, login, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(reverse("memberships")).status_code == 403


def test_membership_list_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("memberships")))


def test_membership_list_queries_do_not_grow_with_rows(login, buyer, django_assert_max_num_queries):
    for _ in range(20):
        MembershipFactory(member=OrganizationFactory())
    client = login(buyer)

    with django_assert_max_num_queries(8):
        client.get(reverse("memberships"))


# --- Detail ------------------------------------------------------------------------------------


def test_member_sees_its_membership_without_decisions(login, officer, active_membership):
    response = login(officer).get(reverse("membership_detail", args=[active_membership.pk]))

    assert response.status_code == 200
    assert response.context["decisions"] == []
    assert active_membership.decision_reference in response.content.decode()


def test_another_members_membership_is_not_found(login, officer, other_membership):
    assert login(officer).get(reverse("membership_detail", args=[other_membership.pk])).status_code == 404


def test_membership_detail_is_forbidden_to_an_observer(login, observer, active_membership):
    assert login(observer).get(reverse("membership_detail", args=[active_membership.pk])).status_code == 403


def test_membership_detail_needs_a_signed_in_person(client, active_membership):
    assert_redirects_to_login(client.get(reverse("membership_detail", args=[active_membership.pk])))


def test_decider_gets_the_decisions_the_status_allows(login, buyer, other_membership, requested_membership):
    client = login(buyer)

    active = client.get(reverse("membership_detail", args=[other_membership.pk])).context["decisions"]
    requested = client.get(reverse("membership_detail", args=[requested_membership.pk])).context["decisions"]

    assert [decision.action for decision in active] == ["suspend", "terminate"]
    assert [(d.action, d.title) for d in requested] == [("activate", "Activate"), ("terminate", "Refuse the request")]


def test_membership_history_lists_only_this_membership(login, officer, commune, active_membership):
    audit.record(actor=None, action="membership.activated", target=active_membership, organizations=[commune.pk])
    audit.record(actor=None, action="organization.updated", target=commune, organizations=[commune.pk])

    history = login(officer).get(reverse("membership_detail", args=[active_membership.pk])).context["history"]

    assert [entry.action for entry in history] == ["membership.activated"]


# --- Signed agreement --------------------------------------------------------------------------


def test_member_downloads_its_signed_agreement(login, officer, active_membership):
    response = login(officer).get(reverse("membership_document", args=[active_membership.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_another_members_agreement_is_not_found(login, officer, other_membership):
    assert login(officer).get(reverse("membership_document", args=[other_membership.pk])).status_code == 404


def test_agreement_download_is_forbidden_to_an_observer(login, observer, active_membership):
    assert login(observer).get(reverse("membership_document", args=[active_membership.pk])).status_code == 403


def test_agreement_download_needs_a_signed_in_person(client, active_membership):
    assert_redirects_to_login(client.get(reverse("membership_document", args=[active_membership.pk])))


def test_missing_agreement_is_not_found(login, officer, requested_membership):
    assert login(officer).get(reverse("membership_document", args=[requested_membership.pk])).status_code == 404


# --- Request -----------------------------------------------------------------------------------


def request_data(**overrides) -> dict:
    return {
        "decision_date": LAST_MONTH.isoformat(),
        "decision_reference": "CC-2026-001",
        "document": signed_pdf(),
    } | overrides


def test_officer_requests_membership_for_its_organisation(login, officer, commune):
    before = audit_total()

    response = login(officer).post(reverse("membership_request"), request_data())

    membership = Membership.objects.get(member=commune)
    assert response.status_code == 302
    assert response.url == reverse("membership_detail", args=[membership.pk])
    assert membership.status == MembershipStatus.REQUESTED
    assert membership.decision_reference == "CC-2026-001"
    assert membership.document
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "membership.requested"


def test_request_form_renders(login, officer, commune):
    response = login(officer).get(reverse("membership_request"))

    assert response.status_code == 200
    assert response.context["member"] == commune


def test_request_with_a_future_decision_date_shows_the_error(login, officer, commune):
    before = audit_total()

    response = login(officer).post(reverse("membership_request"), request_data(decision_date=TOMORROW.isoformat()))

    assert response.status_code == 200
    assert "decision_date" in response.context["form"].errors
    assert not Membership.objects.filter(member=commune).exists()
    assert audit_total() == before


def test_request_with_a_document_that_is_not_a_pdf_shows_the_error(login, officer, commune):
    response = login(officer).post(
        reverse("membership_request"), request_data(document=signed_pdf("x.pdf", b"not a pdf"))
    )

    assert response.context["form"].errors["document"] == ["The document must be a PDF file."]
    assert not Membership.objects.filter(member=commune).exists()


def test_second_request_is_refused_with_a_message(login, officer, commune, requested_membership):
    before = audit_total()

    response = login(officer).post(reverse("membership_request"), request_data())

    assert response.status_code == 302
    assert response.url == reverse("organization_detail", args=[commune.pk])
    assert "already has a membership agreement in progress" in messages_of(response)[0]
    assert Membership.objects.filter(member=commune).count() == 1
    assert audit_total() == before


@pytest.mark.parametrize("role_fixture", ["approver", "observer", "supplier_user"])
def test_request_is_forbidden_without_the_request_permission(request, login, role_fixture, commune):
    client = login(request.getfixturevalue(role_fixture))
    before = audit_total()

    assert client.get(reverse("membership_request")).status_code == 403
    assert client.post(reverse("membership_request"), request_data()).status_code == 403
    assert not Membership.objects.exists()
    assert audit_total() == before


def test_officer_cannot_request_for_another_member(login, officer, other_commune):
    response = login(officer).post(reverse("organization_membership_request", args=[other_commune.pk]), request_data())

    assert response.status_code == 404
    assert not Membership.objects.filter(member=other_commune).exists()


def test_imio_records_a_request_for_a_member(login, buyer, other_commune):
    response = login(buyer).post(reverse("organization_membership_request", args=[other_commune.pk]), request_data())

    assert response.status_code == 302
    assert Membership.objects.get(member=other_commune).status == MembershipStatus.REQUESTED


def test_request_needs_a_signed_in_person(client, commune):
    assert_redirects_to_login(client.post(reverse("membership_request"), request_data()))
    assert not Membership.objects.exists()


# --- Decisions ---------------------------------------------------------------------------------


def activation_data(**overrides) -> dict:
    return {
        "activate-decision_date": LAST_MONTH.isoformat(),
        "activate-decision_reference": "CC-2026-002",
        "activate-document": signed_pdf(),
    } | overrides


def test_buyer_activates_a_requested_membership(login, buyer, requested_membership):
    before = audit_total()

    response = login(buyer).post(reverse("membership_activate", args=[requested_membership.pk]), activation_data())

    assert response.status_code == 302
    assert response.url == reverse("membership_detail", args=[requested_membership.pk])
    state = state_of(requested_membership)
    assert state["status"] == MembershipStatus.ACTIVE
    assert state["decision_date"] == LAST_MONTH
    assert state["decision_reference"] == "CC-2026-002"
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "membership.activated"


def test_activation_keeps_what_the_member_already_sent(login, buyer, commune):
    membership = MembershipFactory(member=commune, status=MembershipStatus.REQUESTED, activated_at=None)
    form = login(buyer).get(reverse("membership_detail", args=[membership.pk])).context["decisions"][0].form

    assert form.fields["document"].required is False
    response = login(buyer).post(
        reverse("membership_activate", args=[membership.pk]),
        {
            "activate-decision_date": membership.decision_date.isoformat(),
            "activate-decision_reference": membership.decision_reference,
        },
    )

    assert response.status_code == 302
    assert state_of(membership)["status"] == MembershipStatus.ACTIVE


def test_activation_without_the_agreement_shows_the_error_and_changes_nothing(login, buyer, requested_membership):
    before_state, before = state_of(requested_membership), audit_total()

    response = login(buyer).post(
        reverse("membership_activate", args=[requested_membership.pk]),
        activation_data(**{"activate-document": ""}),
    )

    assert response.status_code == 200
    decision = next(d for d in response.context["decisions"] if d.action == "activate")
    assert "document" in decision.form.errors
    assert state_of(requested_membership) == before_state
    assert audit_total() == before


def test_activation_with_a_future_decision_date_shows_the_services_error(login, buyer, requested_membership):
    response = login(buyer).post(
        reverse("membership_activate", args=[requested_membership.pk]),
        activation_data(**{"activate-decision_date": TOMORROW.isoformat()}),
    )

    decision = next(d for d in response.context["decisions"] if d.action == "activate")
    assert decision.form.errors["decision_date"] == ["The council decision date cannot be in the future."]
    assert state_of(requested_membership)["status"] == MembershipStatus.REQUESTED


def test_activating_an_active_membership_is_refused_with_a_message(login, buyer, active_membership):
    before = audit_total()

    response = login(buyer).post(reverse("membership_activate", args=[active_membership.pk]), activation_data())

    assert response.status_code == 302
    assert messages_of(response)
    assert state_of(active_membership)["status"] == MembershipStatus.ACTIVE
    assert audit_total() == before


@pytest.mark.parametrize("action", ["membership_activate", "membership_suspend", "membership_terminate"])
@pytest.mark.parametrize("role_fixture", ["officer", "member_admin", "finance"])
def test_decisions_are_forbidden_without_the_decide_permission(request, login, role_fixture, action, commune):
    membership = MembershipFactory(member=commune, status=MembershipStatus.REQUESTED, activated_at=None)
    before_state, before = state_of(membership), audit_total()
    data = activation_data() | {"suspend-reason": "x", "terminate-reason": "x"}

    response = login(request.getfixturevalue(role_fixture)).post(reverse(action, args=[membership.pk]), data)

    assert response.status_code == 403
    assert state_of(membership) == before_state
    assert audit_total() == before


def test_decisions_need_a_signed_in_person(client, requested_membership):
    assert_redirects_to_login(client.post(reverse("membership_activate", args=[requested_membership.pk]), {}))
    assert state_of(requested_membership)["status"] == MembershipStatus.REQUESTED


def test_decisions_answer_only_to_post(login, buyer, active_membership):
    assert login(buyer).get(reverse("membership_suspend", args=[active_membership.pk])).status_code == 405


def test_buyer_suspends_an_active_membership_with_a_reason(login, buyer, active_membership):
    before = audit_total()

    response = login(buyer).post(
        reverse("membership_suspend", args=[active_membership.pk]), {"suspend-reason": "Unpaid contribution"}
    )

    assert response.status_code == 302
    state = state_of(active_membership)
    assert state["status"] == MembershipStatus.SUSPENDED
    assert state["status_reason"] == "Unpaid contribution"
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "membership.suspended"


def test_suspension_without_a_reason_shows_the_error(login, buyer, active_membership):
    before = audit_total()

    response = login(buyer).post(reverse("membership_suspend", args=[active_membership.pk]), {"suspend-reason": ""})

    assert response.status_code == 200
    decision = next(d for d in response.context["decisions"] if d.action == "suspend")
    assert "reason" in decision.form.errors
    assert 'id="id_suspend-reason_error"' in response.content.decode()
    assert state_of(active_membership)["status"] == MembershipStatus.ACTIVE
    assert audit_total() == before


def test_buyer_refuses_a_request(login, buyer, requested_membership):
    response = login(buyer).post(
        reverse("membership_terminate", args=[requested_membership.pk]), {"terminate-reason": "No council decision"}
    )

    assert response.status_code == 302
    assert state_of(requested_membership)["status"] == MembershipStatus.TERMINATED
    assert AuditEntry.objects.latest("id").action == "membership.terminated"


def test_buyer_reactivates_a_suspended_membership(login, buyer, commune):
    membership = MembershipFactory(member=commune, status=MembershipStatus.SUSPENDED, status_reason="Unpaid")

    response = login(buyer).post(
        reverse("membership_activate", args=[membership.pk]),
        {"activate-decision_date": membership.decision_date.isoformat(), "activate-decision_reference": "CC-1"},
    )

    assert response.status_code == 302
    assert state_of(membership)["status"] == MembershipStatus.ACTIVE
    assert AuditEntry.objects.latest("id").action == "membership.reactivated"


# --- Attaching the signed agreement ------------------------------------------------------------


def test_officer_attaches_the_agreement_while_requested(login, officer, requested_membership):
    before = audit_total()

    response = login(officer).post(
        reverse("membership_document_attach", args=[requested_membership.pk]), {"document-document": signed_pdf()}
    )

    assert response.status_code == 302
    assert state_of(requested_membership)["document"]
    assert audit_total() == before + 1
    assert AuditEntry.objects.latest("id").action == "membership.document_attached"


def test_attaching_to_an_active_membership_is_refused(login, officer, active_membership):
    document = state_of(active_membership)["document"].name
    before = audit_total()

    response = login(officer).post(
        reverse("membership_document_attach", args=[active_membership.pk]), {"document-document": signed_pdf()}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["The signed agreement can only be replaced while the membership is requested."]
    assert state_of(active_membership)["document"].name == document
    assert audit_total() == before


def test_attaching_a_file_that_is_not_a_pdf_shows_the_error(login, officer, requested_membership):
    response = login(officer).post(
        reverse("membership_document_attach", args=[requested_membership.pk]),
        {"document-document": signed_pdf("x.pdf", b"GIF89a")},
    )

    assert response.status_code == 200
    assert response.context["document_form"].errors["document"] == ["The document must be a PDF file."]
    assert not state_of(requested_membership)["document"]


def test_attaching_to_another_members_membership_is_not_found(login, officer, other_commune):
    membership = MembershipFactory(member=other_commune, status=MembershipStatus.REQUESTED, document="")

    response = login(officer).post(
        reverse("membership_document_attach", args=[membership.pk]), {"document-document": signed_pdf()}
    )

    assert response.status_code == 404
    assert not state_of(membership)["document"]


def test_attaching_is_forbidden_to_an_approver(login, approver, requested_membership):
    before = audit_total()

    response = login(approver).post(
        reverse("membership_document_attach", args=[requested_membership.pk]), {"document-document": signed_pdf()}
    )

    assert response.status_code == 403
    assert not state_of(requested_membership)["document"]
    assert audit_total() == before
