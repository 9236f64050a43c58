"""Real concurrency on PostgreSQL: double submissions and double clicks do not double anything."""

from decimal import Decimal

import pytest

from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from tenders import services
from tenders.models import Bid, DocumentKind, TenderStatus
from tests.api.conftest import client_for
from tests.factories import SupplierFactory, central_purchasing_body, person
from tests.factories.tenders import after, published_tender
from tests.members.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(reference_data):
    buyer = person(central_purchasing_body(), Role.BUYER)
    supplier = person(SupplierFactory(), Role.SUPPLIER)
    return buyer, supplier, published_tender(buyer)


def test_concurrent_submissions_of_one_supplier_make_one_bid(world):
    _buyer, supplier, tender = world
    lot = tender.lots.get()

    results = race(
        lambda: services.bid_submit(actor=supplier, lot=lot, total_amount=Decimal("10.00")), threads_per_call=6
    )

    assert sum(isinstance(r, Bid) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"bid_exists"}
    assert Bid.objects.count() == 1
    assert AuditEntry.objects.filter(action="bid.submitted").count() == 1


def test_concurrent_requests_with_one_idempotency_key_answer_the_same_bid(world):
    _buyer, supplier, tender = world
    payload = {"lot": tender.lots.get().pk, "total_amount": "10.00"}

    def post():
        return client_for(supplier).post("/api/v1/bids/", payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

    responses = race(post, threads_per_call=4)

    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["id"] for r in responses}) == 1
    assert Bid.objects.count() == 1


def test_a_double_click_on_open_bids_opens_once(world):
    buyer, supplier, tender = world
    services.bid_submit(actor=supplier, lot=tender.lots.get(), total_amount=Decimal("10.00"))
    from tests.factories.tenders import clock

    moment = after(tender, "opening_at")

    def open_bids():
        with clock(moment):
            return services.tender_open_bids(actor=buyer, tender=tender)

    results = race(open_bids, threads_per_call=3)

    assert sum(not isinstance(r, Exception) for r in results) == 1
    tender.refresh_from_db()
    assert tender.status == TenderStatus.OPENED
    assert tender.documents.filter(kind=DocumentKind.OPENING_RECORD).count() == 1
    assert AuditEntry.objects.filter(action="tender.opened").count() == 1
