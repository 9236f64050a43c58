"""Real concurrency on PostgreSQL: two requests at the same instant, one wins, nothing doubles."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members.models import Membership, MembershipStatus
from procurement.members.services import membership_activate, membership_request
from tests.factories import MembershipFactory, OrganizationFactory, central_purchasing_body, person

pytestmark = pytest.mark.postgres


def race(*calls: Callable[[], object], threads_per_call: int = 1) -> list[object]:
    """Run the calls in parallel threads, released together; return each result or exception."""
    jobs = [call for call in calls for _ in range(threads_per_call)]
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the outcome is what the test inspects
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_membership_requests_create_exactly_one(reference_data):
    commune = OrganizationFactory()
    officer = person(commune, Role.MEMBER_OFFICER)

    results = race(lambda: membership_request(actor=officer, member=commune), threads_per_call=6)

    created = [r for r in results if isinstance(r, Membership)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1
    assert len(refused) == 5
    assert {error.code for error in refused} == {"membership_exists"}
    assert Membership.objects.filter(member=commune).count() == 1
    assert AuditEntry.objects.filter(action="membership.requested").count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_activation_applies_once(reference_data):
    buyer = person(central_purchasing_body(), Role.BUYER)
    membership = MembershipFactory(member=OrganizationFactory(), status=MembershipStatus.REQUESTED)

    results = race(lambda: membership_activate(actor=buyer, membership=membership), threads_per_call=4)

    assert sum(isinstance(r, Membership) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 3
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert AuditEntry.objects.filter(action="membership.activated").count() == 1
