import pytest
from django.core.exceptions import ValidationError

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


@pytest.mark.django_db
def test_apply_validates_the_fields_it_changes_and_writes_nothing_when_one_is_invalid(active_membership, imio_admin):
    with pytest.raises(ValidationError) as refused:
        MEMBERSHIP_STATES.apply(
            active_membership,
            to=MembershipStatus.SUSPENDED,
            actor=imio_admin,
            verb="suspended",
            changes={"decision_reference": "x" * 101},  # max_length 100
        )
    assert list(refused.value.message_dict) == ["decision_reference"]
    active_membership.refresh_from_db()
    assert active_membership.status == MembershipStatus.ACTIVE
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_apply_does_not_check_again_the_fields_it_leaves(active_membership, imio_admin, django_assert_num_queries):
    # Each foreign key left as it is would cost a query to check that its row exists.
    with django_assert_num_queries(3):  # the update, the audit entry and its scope
        MEMBERSHIP_STATES.apply(
            active_membership,
            to=MembershipStatus.SUSPENDED,
            actor=imio_admin,
            verb="suspended",
            changes={"status_reason": "Cotisation impayée"},
            organizations=[active_membership.member_id],
        )
