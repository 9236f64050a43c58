"""Membership agreements (conventions d'adhésion): request, activate, suspend, terminate."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.files import sha256_of, validate_pdf
from procurement.core.mail import send_after_commit
from procurement.core.permissions import Perm, Role
from procurement.core.transitions import StateMachine
from procurement.members.models import (
    OPEN_MEMBERSHIP_STATUSES,
    Membership,
    MembershipStatus,
    Organization,
    User,
)

MEMBERSHIP_STATES = StateMachine(
    transitions={
        MembershipStatus.REQUESTED: {MembershipStatus.ACTIVE, MembershipStatus.TERMINATED},
        MembershipStatus.ACTIVE: {MembershipStatus.SUSPENDED, MembershipStatus.TERMINATED},
        MembershipStatus.SUSPENDED: {MembershipStatus.ACTIVE, MembershipStatus.TERMINATED},
        MembershipStatus.TERMINATED: set(),
    },
    action_prefix="membership",
    labels=dict(MembershipStatus.choices),
)
DOCUMENT_FIELDS = ("document", "document_sha256")


def _check_decides(actor) -> None:
    if actor is not None and not (actor.acting.platform_wide and actor.acting.has(Perm.MEMBERSHIP_DECIDE)):
        raise PermissionDenied(_("Only the central purchasing body decides on memberships."))


def _check_may_request(actor, member: Organization) -> None:
    if actor is None:
        return
    acting = actor.acting
    if acting.platform_wide and acting.has(Perm.MEMBERSHIP_DECIDE):
        return
    if acting.has(Perm.MEMBERSHIP_REQUEST) and acting.organization_id == member.pk:
        return
    raise PermissionDenied(_("You cannot request a membership for %(member)s.") % {"member": member})


def _check_decision_date(decision_date: datetime.date | None) -> None:
    if decision_date is not None and decision_date > timezone.localdate():
        raise ValidationError({"decision_date": _("The council decision date cannot be in the future.")})


def _attach(membership: Membership, document: File) -> None:
    """Validate the signed agreement and store it with its checksum (the row is saved by the caller)."""
    try:
        validate_pdf(document)
    except ValidationError as error:
        raise ValidationError({"document": error.messages}) from error
    membership.document_sha256 = sha256_of(document)
    name = getattr(document, "name", None) or "convention.pdf"
    membership.document.save(name.rsplit("/", 1)[-1], document, save=False)


def _member_contacts(member: Organization) -> list[str]:
    return list(
        User.objects.filter(
            role_assignments__organization=member,
            role_assignments__role__in=[Role.MEMBER_ADMIN, Role.MEMBER_OFFICER],
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _central_body_contacts() -> list[str]:
    return list(
        User.objects.filter(
            role_assignments__organization__kind="central_purchasing_body",
            role_assignments__role__in=[Role.ADMIN, Role.BUYER],
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _notify(membership: Membership, recipients: list[str]) -> None:
    send_after_commit(
        template="members/email/membership_status", context={"membership": membership}, recipients=recipients
    )


@transaction.atomic
def membership_request(
    *,
    actor,
    member: Organization,
    decision_date: datetime.date | None = None,
    decision_reference: str = "",
    document: File | None = None,
) -> Membership:
    """A member asks to join, ideally with its council decision and the signed agreement."""
    _check_may_request(actor, member)
    if not member.is_member_kind:
        raise ValidationError(
            {"member": _("%(organization)s cannot join the central purchasing body.") % {"organization": member}}
        )
    _check_decision_date(decision_date)
    # Serialise concurrent requests of the same member on its row.
    Organization.objects.select_for_update().filter(pk=member.pk).first()
    if Membership.objects.filter(member=member, status__in=OPEN_MEMBERSHIP_STATUSES).exists():
        raise DomainError(
            _("%(member)s already has a membership agreement in progress.") % {"member": member},
            code="membership_exists",
        )
    now = timezone.now()
    membership = Membership(
        member=member,
        requested_by=actor,
        requested_at=now,
        status_changed_at=now,
        decision_date=decision_date,
        decision_reference=decision_reference.strip(),
    )
    if document is not None:
        _attach(membership, document)
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        raise DomainError(
            _("%(member)s already has a membership agreement in progress.") % {"member": member},
            code="membership_exists",
        ) from error
    audit.record(
        actor=actor,
        action="membership.requested",
        target=membership,
        after=audit.snapshot(membership, ["status", "decision_date", "decision_reference", *DOCUMENT_FIELDS]),
        organizations=[member.pk],
    )
    _notify(membership, _central_body_contacts())
    return membership


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("member").get(pk=membership.pk)


@transaction.atomic
def membership_attach_document(*, actor, membership: Membership, document: File) -> Membership:
    """Attach (or replace) the signed agreement of a membership that is not yet active."""
    membership = _locked(membership)
    _check_may_request(actor, membership.member)
    if membership.status != MembershipStatus.REQUESTED:
        raise DomainError(
            _("The signed agreement can only be replaced while the membership is requested."),
            code="document_locked",
        )
    before = audit.snapshot(membership, DOCUMENT_FIELDS)
    _attach(membership, document)
    membership.save(update_fields=list(DOCUMENT_FIELDS))
    audit.record(
        actor=actor,
        action="membership.document_attached",
        target=membership,
        before=before,
        after=audit.snapshot(membership, DOCUMENT_FIELDS),
        organizations=[membership.member_id],
    )
    return membership


@transaction.atomic
def membership_activate(
    *,
    actor,
    membership: Membership,
    decision_date: datetime.date | None = None,
    decision_reference: str | None = None,
    document: File | None = None,
) -> Membership:
    """IMIO activates a requested (or reactivates a suspended) membership.

    The council decision date and reference and the signed agreement must be on record;
    any of them given here completes or corrects what the member sent.
    """
    _check_decides(actor)
    membership = _locked(membership)
    MEMBERSHIP_STATES.check(membership, MembershipStatus.ACTIVE)
    _check_decision_date(decision_date)
    changes: dict = {"status_changed_at": timezone.now(), "status_reason": ""}
    if decision_date is not None:
        changes["decision_date"] = decision_date
    if decision_reference is not None and decision_reference.strip():
        changes["decision_reference"] = decision_reference.strip()
    previous_document = audit.snapshot(membership, DOCUMENT_FIELDS)
    if document is not None:
        _attach(membership, document)
        changes.update({field: getattr(membership, field) for field in DOCUMENT_FIELDS})
    missing = {}
    if changes.get("decision_date", membership.decision_date) is None:
        missing["decision_date"] = _("Enter the date of the council decision to activate the membership.")
    if not changes.get("decision_reference", membership.decision_reference):
        missing["decision_reference"] = _("Enter the reference of the council decision to activate the membership.")
    if not membership.document:
        missing["document"] = _("Attach the signed membership agreement to activate the membership.")
    if missing:
        raise ValidationError(missing)
    if membership.activated_at is None:
        changes["activated_at"] = changes["status_changed_at"]
    verb = "reactivated" if membership.status == MembershipStatus.SUSPENDED else "activated"
    MEMBERSHIP_STATES.apply(
        membership,
        to=MembershipStatus.ACTIVE,
        actor=actor,
        verb=verb,
        changes=changes,
        organizations=[membership.member_id],
        before=previous_document if document is not None else None,
    )
    _notify(membership, _member_contacts(membership.member))
    return membership


def _close(*, actor, membership: Membership, to: str, verb: str, reason: str) -> Membership:
    _check_decides(actor)
    membership = _locked(membership)
    MEMBERSHIP_STATES.check(membership, to)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason, the member will read it.")})
    MEMBERSHIP_STATES.apply(
        membership,
        to=to,
        actor=actor,
        verb=verb,
        changes={"status_changed_at": timezone.now(), "status_reason": reason},
        organizations=[membership.member_id],
    )
    _notify(membership, _member_contacts(membership.member))
    return membership


@transaction.atomic
def membership_suspend(*, actor, membership: Membership, reason: str) -> Membership:
    """Suspend an active membership: the member can no longer place orders until reactivated."""
    return _close(actor=actor, membership=membership, to=MembershipStatus.SUSPENDED, verb="suspended", reason=reason)


@transaction.atomic
def membership_terminate(*, actor, membership: Membership, reason: str) -> Membership:
    """End a membership (or refuse a request). It stays on record; the member may ask again."""
    return _close(actor=actor, membership=membership, to=MembershipStatus.TERMINATED, verb="terminated", reason=reason)
