"""Sealed bids: before the opening nobody but the bidder reads an amount or an attachment —
not the buyer, not the platform administrator, not through the API, the admin site, the audit
trail, the logs, the e-mails (task arguments), the stored idempotent results, the list ordering
or a database dump. After the opening, the buyer reads them."""

import json
import logging
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client

from procurement.core.models import AuditEntry, IdempotencyRecord
from procurement.core.permissions import Role
from procurement.core.sealing import SealingError
from tenders import sealed_bids, services
from tenders.models import Bid, TenderStatus
from tests.api.conftest import client_for
from tests.factories import SupplierFactory, person
from tests.factories.tenders import after, clock, lot_data, published_tender

pytestmark = pytest.mark.django_db

AMOUNT = "123456.78"
SPELLINGS = ("123456", "123 456", "123.456", "123,456", "123 456")
SCHEDULE_PRICE = "98765.4321"
ATTACHMENT_NAME = "offre-confidentielle.pdf"
ATTACHMENT_BYTES = b"%PDF-1.4 secret price list 123456.78"


def leaks(text: str) -> list[str]:
    return [spelling for spelling in (*SPELLINGS, "98765", ATTACHMENT_NAME, "secret price list") if spelling in text]


def without_stamps(text: str) -> str:
    """Receipts' digests and times removed: their random or clock digits may spell an amount by chance."""
    return re.sub(r"[0-9a-f]{64}|\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:\d\d|Z)?", "…", text)


@pytest.fixture
def sealed(buyer, imio, supplier_org, django_capture_on_commit_callbacks, mailoutbox):
    """A published tender; the supplier submits a bid with a schedule and an attachment."""
    supplier_user = person(supplier_org, Role.SUPPLIER, username="bidder", email="bidder@example.org")
    tender = published_tender(buyer, lots=[lot_data(1), lot_data(2)])
    lot = tender.lots.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        bid = services.bid_submit(
            actor=supplier_user,
            lot=lot,
            schedule=[
                {"description": "Ramettes", "quantity": "1", "unit_price": SCHEDULE_PRICE},
                {"description": "Livraison", "quantity": "1", "unit_price": "24691.3479"},
            ],
            attachments=[ContentFile(ATTACHMENT_BYTES, name=ATTACHMENT_NAME)],
        )
    return tender, bid, supplier_user


def test_the_schedule_adds_up_to_the_sealed_total(sealed):
    _tender, bid, supplier_user = sealed
    content = sealed_bids.open_content(bid, organization_id=supplier_user.acting.organization_id)
    assert content.total_amount == Decimal(AMOUNT)  # 98,765.43 + 24,691.35


def test_api_shows_the_buyer_and_the_admin_only_the_receipt_before_opening(sealed, buyer, imio):
    _tender, bid, _supplier_user = sealed
    platform_admin = person(imio, Role.ADMIN, username="platform-admin")
    for user in (buyer, platform_admin):
        if user is platform_admin:
            # the platform administrator holds no bid permission: the bid is not even listed
            assert client_for(user).get("/api/v1/bids/").status_code == 403
            continue
        listing = client_for(user).get("/api/v1/bids/")
        detail = client_for(user).get(f"/api/v1/bids/{bid.pk}/")
        assert listing.status_code == detail.status_code == 200
        body = detail.json()
        assert body["sealed"] is True
        assert (body["total_amount"], body["schedule"], body["attachments"], body["answers"]) == (None,) * 4
        assert body["receipt"] == {"submitted_at": bid.submitted_at.isoformat(), "sha256": bid.receipt_digest}
        assert leaks(listing.content.decode()) == leaks(detail.content.decode()) == []


def test_the_bidder_reads_its_own_bid_and_attachment(sealed):
    _tender, bid, supplier_user = sealed
    client = client_for(supplier_user)
    body = client.get(f"/api/v1/bids/{bid.pk}/").json()
    assert body["sealed"] is False
    assert body["total_amount"] == AMOUNT
    [attachment] = body["attachments"]
    assert attachment["name"] == ATTACHMENT_NAME
    download = client.get(f"/api/v1/bids/{bid.pk}/attachments/{attachment['id']}/")
    assert download.status_code == 200
    assert download.content == ATTACHMENT_BYTES


def test_the_attachment_cannot_be_downloaded_by_the_buyer_before_opening(sealed, buyer):
    _tender, bid, _supplier_user = sealed
    attachment_id = sealed_bids.open_content(bid, organization_id=bid.supplier_id).attachments[0].id
    response = client_for(buyer).get(f"/api/v1/bids/{bid.pk}/attachments/{attachment_id}/")
    assert response.status_code == 404


def test_ordering_by_amount_is_not_possible(buyer, suppliers):
    tender = published_tender(buyer)
    lot = tender.lots.get()
    for (_company, user), amount in zip(suppliers, ("300.00", "100.00", "200.00"), strict=True):
        services.bid_submit(actor=user, lot=lot, total_amount=Decimal(amount))
    client = client_for(buyer)
    orders = [
        [row["id"] for row in client.get(f"/api/v1/bids/?ordering={ordering}").json()["results"]]
        for ordering in ("total_amount", "-total_amount", "sealed", "receipt_digest", "")
    ]
    assert orders[0] == orders[1] == orders[2] == orders[4]
    assert orders[0] == sorted(orders[0])  # by lot and time of deposit


def test_audit_trail_and_its_api_hold_no_amount(sealed, buyer):
    _tender, _bid, supplier_user = sealed
    entries = AuditEntry.objects.filter(action__startswith="bid.")
    assert entries.exists()
    stored = json.dumps(list(entries.values("before", "after", "data")))
    assert leaks(without_stamps(stored)) == []
    assert leaks(without_stamps(client_for(buyer).get("/api/v1/audit/").content.decode())) == []
    assert leaks(without_stamps(client_for(supplier_user).get("/api/v1/audit/").content.decode())) == []


def test_mail_and_its_task_arguments_hold_no_amount(sealed, mailoutbox):
    assert len(mailoutbox) == 1
    [receipt] = mailoutbox
    assert sealed[1].receipt_digest in receipt.body
    assert leaks(receipt.subject + receipt.body) == []


def test_logs_hold_no_amount(buyer, supplier_org, caplog):
    supplier_user = person(supplier_org, Role.SUPPLIER)
    tender = published_tender(buyer)
    with caplog.at_level(logging.DEBUG):
        response = client_for(supplier_user).post(
            "/api/v1/bids/", {"lot": tender.lots.get().pk, "total_amount": AMOUNT}, format="json"
        )
    assert response.status_code == 201
    assert leaks(caplog.text) == []


def test_stored_idempotent_result_holds_no_amount(buyer, supplier_org):
    supplier_user = person(supplier_org, Role.SUPPLIER)
    tender = published_tender(buyer)
    client = client_for(supplier_user)
    payload = {"lot": tender.lots.get().pk, "total_amount": AMOUNT}
    first = client.post("/api/v1/bids/", payload, format="json", HTTP_IDEMPOTENCY_KEY="deposit-1")
    again = client.post("/api/v1/bids/", payload, format="json", HTTP_IDEMPOTENCY_KEY="deposit-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Bid.objects.count() == 1
    [record] = IdempotencyRecord.objects.values()
    assert leaks(json.dumps(record, default=str)) == []
    # The fingerprint is keyed: the plain SHA-256 of a guessed request does not match it.
    import hashlib

    assert record["fingerprint"] != hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def test_a_key_reused_for_another_request_is_refused(buyer, supplier_org):
    supplier_user = person(supplier_org, Role.SUPPLIER)
    tender = published_tender(buyer, lots=[lot_data(1), lot_data(2)])
    lot1, lot2 = tender.lots.order_by("number")
    client = client_for(supplier_user)
    client.post("/api/v1/bids/", {"lot": lot1.pk, "total_amount": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    reused = client.post(
        "/api/v1/bids/", {"lot": lot2.pk, "total_amount": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Bid.objects.count() == 1


def test_admin_site_shows_no_amount(sealed, imio):
    tender, bid, _supplier_user = sealed
    superuser = person(imio, Role.ADMIN, username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)
    for path in (
        "/admin/tenders/bid/",
        f"/admin/tenders/bid/{bid.pk}/change/",
        f"/admin/tenders/tender/{tender.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert leaks(response.content.decode()) == [], path
        assert bid.receipt_digest in response.content.decode() or "tender/" in path


def test_database_dump_reveals_nothing(sealed, settings):
    _tender, bid, _supplier_user = sealed
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenders_bid WHERE id = %s", [bid.pk])
        row = cursor.fetchone()
    dumped = repr(row) + bytes(Bid.objects.get(pk=bid.pk).sealed).hex()
    assert leaks(dumped) == []
    assert AMOUNT.encode() not in bytes(Bid.objects.get(pk=bid.pk).sealed)
    from django.core.files.storage import default_storage

    ref = sealed_bids.open_content(bid, organization_id=bid.supplier_id).attachments[0]
    with default_storage.open(ref.path, "rb") as stream:
        stored_file = stream.read()
    assert b"secret price list" not in stored_file
    assert ATTACHMENT_NAME not in ref.path


def test_ciphertexts_do_not_tell_the_number_of_digits(buyer, suppliers):
    tender = published_tender(buyer)
    lot = tender.lots.get()
    small = services.bid_submit(actor=suppliers[0][1], lot=lot, total_amount=Decimal("1.00"))
    large = services.bid_submit(actor=suppliers[1][1], lot=lot, total_amount=Decimal("987654321.99"))
    assert len(bytes(small.sealed)) == len(bytes(large.sealed))


def test_a_sealed_content_copied_onto_another_bid_does_not_open(buyer, suppliers):
    tender = published_tender(buyer)
    lot = tender.lots.get()
    first = services.bid_submit(actor=suppliers[0][1], lot=lot, total_amount=Decimal("1.00"))
    second = services.bid_submit(actor=suppliers[1][1], lot=lot, total_amount=Decimal("2.00"))
    Bid.objects.filter(pk=second.pk).update(sealed=first.sealed, sealing_key_id=first.sealing_key_id)
    second.refresh_from_db()
    with pytest.raises(SealingError):
        sealed_bids.open_content(second, organization_id=second.supplier_id)


def test_bids_are_sealed_with_the_key_ring_not_the_secret_key(sealed, settings):
    _tender, bid, _supplier_user = sealed
    settings.SECRET_KEY = "another secret key entirely"
    assert sealed_bids.open_content(bid, organization_id=bid.supplier_id).total_amount == Decimal(AMOUNT)
    settings.SEALING_KEYS = {"other": bytes(32)}
    with pytest.raises(SealingError):
        sealed_bids.open_content(bid, organization_id=bid.supplier_id)


def test_an_older_key_of_the_ring_still_opens_after_rotation(sealed, settings):
    _tender, bid, _supplier_user = sealed
    settings.SEALING_KEYS = {"new": bytes(range(100, 132)), **settings.SEALING_KEYS}
    assert sealed_bids.open_content(bid, organization_id=bid.supplier_id).total_amount == Decimal(AMOUNT)


def test_the_receipt_is_the_hash_of_what_was_deposited(sealed):
    _tender, bid, _supplier_user = sealed
    content = sealed_bids.open_content(bid, organization_id=bid.supplier_id)
    assert sealed_bids.receipt_digest(bid, content) == bid.receipt_digest
    assert len(bid.receipt_digest) == 64


def test_another_supplier_cannot_read_the_bid_even_after_opening(sealed, buyer):
    tender, bid, _supplier_user = sealed
    rival = person(SupplierFactory(), Role.SUPPLIER)
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
    assert client_for(rival).get(f"/api/v1/bids/{bid.pk}/").status_code == 404


def test_after_opening_the_buyer_reads_amounts_and_attachments(sealed, buyer):
    tender, bid, _supplier_user = sealed
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.OPENED
    body = client_for(buyer).get(f"/api/v1/bids/{bid.pk}/").json()
    assert body["sealed"] is False
    assert body["total_amount"] == AMOUNT
    [attachment] = body["attachments"]
    download = client_for(buyer).get(f"/api/v1/bids/{bid.pk}/attachments/{attachment['id']}/")
    assert download.content == ATTACHMENT_BYTES


def test_idempotency_results_are_forgotten_after_a_day(buyer, supplier_org):
    import datetime

    from django.utils import timezone

    from procurement.core.tasks import purge_idempotency_records

    supplier_user = person(supplier_org, Role.SUPPLIER)
    tender = published_tender(buyer)
    client_for(supplier_user).post(
        "/api/v1/bids/", {"lot": tender.lots.get().pk, "total_amount": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY="a"
    )
    assert purge_idempotency_records.delay().get() == 0
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert purge_idempotency_records.delay().get() == 1
