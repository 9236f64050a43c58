import datetime
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from procurement.core.errors import DomainError, TransitionNotAllowed
from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members.models import Membership, MembershipStatus
from procurement.members.services import (
    membership_activate,
    membership_attach_document,
    membership_request,
    membership_suspend,
    membership_terminate,
)
from tests.factories import MembershipFactory, SupplierFactory, person
from tests.factories.members import PDF_BYTES, pdf_file

DECISION = datetime.date(2026, 9, 28)


@pytest.fixture
def requested(commune, officer):
    return membership_request(
        actor=officer, member=commune, decision_date=DECISION, decision_reference="CC/2026/045", document=pdf_file()
    )


@pytest.mark.django_db
def test_an_officer_requests_membership_with_the_signed_agreement(commune, officer, buyer):
    membership = membership_request(
        actor=officer,
        member=commune,
        decision_date=DECISION,
        decision_reference=" CC/2026/045 ",
        document=pdf_file("convention signée.pdf"),
    )
    assert membership.status == MembershipStatus.REQUESTED
    assert membership.requested_by == officer
    assert membership.decision_reference == "CC/2026/045"
    assert membership.document.read() == PDF_BYTES
    assert membership.document_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    entry = AuditEntry.objects.get()
    assert entry.action == "membership.requested"
    assert entry.after["status"] == "requested"
    assert list(entry.scopes.values_list("organization_id", flat=True)) == [commune.pk]


@pytest.mark.django_db
def test_the_request_notifies_imio_buyers(commune, officer, buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership_request(actor=officer, member=commune)
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    assert commune.name in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_second_open_membership_is_refused(requested, commune, officer):
    with pytest.raises(DomainError, match="already has a membership agreement in progress") as error:
        membership_request(actor=officer, member=commune)
    assert error.value.code == "membership_exists"
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_an_officer_cannot_request_for_another_member_nor_a_supplier_join(officer, other_commune, imio_admin):
    with pytest.raises(PermissionDenied):
        membership_request(actor=officer, member=other_commune)
    with pytest.raises(ValidationError, match="cannot join"):
        membership_request(actor=imio_admin, member=SupplierFactory())
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_bad_documents_and_future_decisions_are_refused(commune, officer):
    with pytest.raises(ValidationError) as error:
        membership_request(actor=officer, member=commune, document=ContentFile(b"<html>", name="x.pdf"))
    assert error.value.message_dict == {"document": ["The document must be a PDF file."]}
    with pytest.raises(ValidationError) as error:
        membership_request(
            actor=officer, member=commune, decision_date=timezone.localdate() + datetime.timedelta(days=1)
        )
    assert "decision_date" in error.value.message_dict
    assert not Membership.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_imio_activates_and_the_member_is_told(requested, buyer, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_activate(actor=buyer, membership=requested)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.activated_at is not None
    entry = AuditEntry.objects.filter(action="membership.activated").get()
    assert entry.actor == buyer
    assert entry.before["status"] == "requested"
    assert entry.after["status"] == "active"
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "Active" in mail.outbox[0].subject


@pytest.mark.django_db
def test_activation_needs_decision_and_agreement(commune, officer, buyer):
    membership = membership_request(actor=officer, member=commune)
    with pytest.raises(ValidationError) as error:
        membership_activate(actor=buyer, membership=membership)
    assert set(error.value.message_dict) == {"decision_date", "decision_reference", "document"}
    membership = membership_activate(
        actor=buyer, membership=membership, decision_date=DECISION, decision_reference="CC/1", document=pdf_file()
    )
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.decision_reference == "CC/1"


@pytest.mark.django_db
def test_a_member_cannot_decide_on_its_own_membership(requested, officer, commune):
    admin = person(commune, Role.MEMBER_ADMIN)
    for actor in (officer, admin):
        with pytest.raises(PermissionDenied):
            membership_activate(actor=actor, membership=requested)
        with pytest.raises(PermissionDenied):
            membership_suspend(actor=actor, membership=requested, reason="x")
    requested.refresh_from_db()
    assert requested.status == MembershipStatus.REQUESTED
    assert AuditEntry.objects.count() == 1  # the request only


@pytest.mark.django_db
def test_suspend_reactivate_terminate_then_ask_again(requested, buyer, officer, commune):
    membership_activate(actor=buyer, membership=requested)
    with pytest.raises(ValidationError, match="reason"):
        membership_suspend(actor=buyer, membership=requested, reason="  ")
    membership_suspend(actor=buyer, membership=requested, reason="Convention à revoir")
    requested.refresh_from_db()
    assert (requested.status, requested.status_reason) == (MembershipStatus.SUSPENDED, "Convention à revoir")
    first_activation = requested.activated_at
    membership_activate(actor=buyer, membership=requested)
    requested.refresh_from_db()
    assert requested.activated_at == first_activation
    membership_terminate(actor=buyer, membership=requested, reason="Sortie de la centrale")
    with pytest.raises(TransitionNotAllowed):
        membership_activate(actor=buyer, membership=requested)
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "membership.requested",
        "membership.activated",
        "membership.suspended",
        "membership.reactivated",
        "membership.terminated",
    ]
    again = membership_request(actor=officer, member=commune)
    assert again.pk != requested.pk


@pytest.mark.django_db
def test_the_agreement_can_be_replaced_only_while_requested(requested, officer, buyer):
    first_checksum = requested.document_sha256
    replaced = membership_attach_document(
        actor=officer, membership=requested, document=ContentFile(PDF_BYTES + b"%signed\n", name="v2.pdf")
    )
    assert replaced.document_sha256 != first_checksum
    membership_activate(actor=buyer, membership=requested)
    with pytest.raises(DomainError, match="only be replaced while"):
        membership_attach_document(actor=officer, membership=requested, document=pdf_file())


@pytest.mark.django_db
def test_another_officer_cannot_touch_a_membership(requested, other_officer):
    with pytest.raises(PermissionDenied):
        membership_attach_document(actor=other_officer, membership=requested, document=pdf_file())
    requested.refresh_from_db()
    assert requested.status == MembershipStatus.REQUESTED


@pytest.mark.django_db
def test_terminating_a_request_refuses_it(buyer, commune):
    membership = MembershipFactory(member=commune, status=MembershipStatus.REQUESTED)
    membership_terminate(actor=buyer, membership=membership, reason="Demande incomplète")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.TERMINATED


@pytest.mark.django_db
def test_activation_with_a_new_agreement_audits_the_old_and_the_new_one(requested, buyer):
    old = (requested.document.name, requested.document_sha256)
    signed = ContentFile(PDF_BYTES + b"%countersigned\n", name="signed.pdf")
    membership_activate(actor=buyer, membership=requested, document=signed)
    entry = AuditEntry.objects.get(action="membership.activated")
    assert (entry.before["document"], entry.before["document_sha256"]) == old
    assert entry.after["document_sha256"] == hashlib.sha256(PDF_BYTES + b"%countersigned\n").hexdigest()
    assert entry.after["document"] != old[0]
