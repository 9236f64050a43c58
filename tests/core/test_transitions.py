import pytest

from procurement.core.errors import TransitionNotAllowed
from procurement.core.models import AuditEntry
from procurement.members.models import MembershipStatus
from procurement.members.services import MEMBERSHIP_STATES


@pytest.mark.django_db
def test_apply_checks_the_table_saves_and_audits(active_membership, imio_admin):
    MEMBERSHIP_STATES.apply(
        active_membership,
        to=MembershipStatus.SUSPENDED,
        actor=imio_admin,
        verb="suspended",
        changes={"status_reason": "test"},
        organizations=[active_membership.member_id],
    )
    active_membership.refresh_from_db()
    assert active_membership.status == MembershipStatus.SUSPENDED
    entry = AuditEntry.objects.get()
    assert entry.action == "membership.suspended"
    assert entry.before == {"status": "active", "status_reason": ""}
    assert entry.after == {"status": "suspended", "status_reason": "test"}


@pytest.mark.django_db
def test_apply_refuses_a_transition_outside_the_table(active_membership, imio_admin):
    active_membership.status = MembershipStatus.TERMINATED
    active_membership.save()
    with pytest.raises(TransitionNotAllowed, match="from “Terminated” to “Active”"):
        MEMBERSHIP_STATES.apply(active_membership, to=MembershipStatus.ACTIVE, actor=imio_admin, verb="activated")
    assert AuditEntry.objects.count() == 0


def test_allowed_lists_the_next_states():
    assert MEMBERSHIP_STATES.allowed(MembershipStatus.REQUESTED) == {
        MembershipStatus.ACTIVE,
        MembershipStatus.TERMINATED,
    }
    assert MEMBERSHIP_STATES.allowed(MembershipStatus.TERMINATED) == frozenset()
