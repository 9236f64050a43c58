"""Bid pages: submit, replace and withdraw a sealed bid, its receipt, the bids received, the
opening, the evaluation table, the award and the bids recorded from e-Tendering.

Sealed means sealed on the pages too: before the opening, nothing a bid contains (amount,
attachment name) reaches anyone but its own supplier.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.core.permissions import Role
from tenders import sealed_bids, services
from tenders.models import Bid, BidChannel, BidStatus, LotStatus, TenderStatus
from tests.factories import SupplierFactory, person
from tests.factories.tenders import after, clock, lot_data, published_tender
from tests.helpers import database_state
from tests.web.helpers import audit_total, messages_of

AMOUNT = Decimal("123456.78")
# Every way the amount could be written on a page, whatever the language.
AMOUNT_WRITINGS = ("123456", "123 456", "123.456", "123,456", "123\u202f456", "123\xa0456")
ATTACHMENT = "offre-technique-confidentielle.pdf"


def assert_sealed(content: str) -> None:
    assert [writing for writing in AMOUNT_WRITINGS if writing in content] == []
    assert ATTACHMENT not in content


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def attachment(name=ATTACHMENT, content=b"%PDF-1.4 technical offer"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def other_supplier(db):
    return person(SupplierFactory(name="Autre SA"), Role.SUPPLIER, username="supplier-other")


@pytest.fixture
def tender(buyer):
    """Below the EU thresholds, one lot, 60 % price and 40 % quality."""
    return published_tender(buyer, lots=[lot_data(1, estimated="150000", maximum="200000")])


@pytest.fixture
def lot(tender):
    return tender.lots.get()


@pytest.fixture
def quality(tender):
    return tender.criteria.get(kind="quality")


@pytest.fixture
def bid(supplier_user, lot, quality):
    return services.bid_submit(
        actor=supplier_user,
        lot=lot,
        total_amount=AMOUNT,
        answers={quality.pk: "Livraison en 48 heures"},
        attachments=[attachment()],
    )


def opened(buyer, tender):
    """Open the bids (the clock past the opening time) and return that moment."""
    moment = after(tender, "opening_at")
    with clock(moment):
        services.tender_open_bids(actor=buyer, tender=tender)
    return moment


# --- Submitting --------------------------------------------------------------------------------


def test_supplier_submits_a_sealed_bid_with_answers_and_attachments(login, supplier_user, tender, lot, quality):
    client = login(supplier_user)
    page = client.get(reverse("bid_submit", args=[tender.pk, lot.pk]))
    data = {
        "total_amount": "123456.78",
        f"answer_{quality.pk}": "Livraison en 48 heures",
        "attachments": [attachment(), attachment("annexe-prix.pdf")],
        **formset("schedule", []),
    }

    response = client.post(reverse("bid_submit", args=[tender.pk, lot.pk]), data)

    bid = Bid.objects.get()
    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("bid_detail", args=[bid.pk])
    assert (bid.supplier, bid.status, bid.channel) == (
        supplier_user.acting.organization,
        BidStatus.SUBMITTED,
        BidChannel.PLATFORM,
    )
    receipt = client.get(response.url).content.decode()
    assert bid.receipt_digest in receipt
    assert "123,456.78 €" in receipt
    assert ATTACHMENT in receipt
    assert "annexe-prix.pdf" in receipt
    assert "Livraison en 48 heures" in receipt


def test_a_price_schedule_gives_the_total(login, supplier_user, tender, lot):
    data = {
        "total_amount": "",
        **formset(
            "schedule",
            [
                {"description": "Ramette A4", "unit": "C62", "quantity": "1000", "unit_price": "3.2500"},
                {"description": "Livraison", "unit": "", "quantity": "1", "unit_price": "150"},
            ],
        ),
    }

    response = login(supplier_user).post(reverse("bid_submit", args=[tender.pk, lot.pk]), data)

    bid = Bid.objects.get()
    assert response.status_code == 302
    content = sealed_bids.open_content(bid, organization_id=bid.supplier_id)
    assert content.total_amount == Decimal("3400.00")
    assert [line.description for line in content.schedule] == ["Ramette A4", "Livraison"]


def test_a_schedule_not_adding_up_to_the_total_is_refused(login, supplier_user, tender, lot):
    data = {
        "total_amount": "5000.00",
        **formset("schedule", [{"description": "Ramette A4", "unit": "C62", "quantity": "1000", "unit_price": "3.25"}]),
    }

    response = login(supplier_user).post(reverse("bid_submit", args=[tender.pk, lot.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The schedule's lines add up to 3250.00, not to the total of 5000.00."
    ]
    assert not Bid.objects.exists()


def test_a_bid_needs_a_total_or_a_schedule(login, supplier_user, tender, lot):
    response = login(supplier_user).post(
        reverse("bid_submit", args=[tender.pk, lot.pk]), {"total_amount": "", **formset("schedule", [])}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["total_amount"] == ["Give the total price excl. VAT, or a price schedule."]
    assert not Bid.objects.exists()


def test_a_second_bid_on_the_same_lot_leads_to_the_existing_one(login, supplier_user, tender, lot, bid):
    response = login(supplier_user).get(reverse("bid_submit", args=[tender.pk, lot.pk]))

    assert response.status_code == 302
    assert response.url == reverse("bid_detail", args=[bid.pk])


def test_a_bid_after_the_deadline_is_refused_and_nothing_is_stored(login, supplier_user, tender, lot):
    with clock(after(tender, "submission_deadline")):
        client = login(supplier_user)
        response = client.post(
            reverse("bid_submit", args=[tender.pk, lot.pk]), {"total_amount": "1000.00", **formset("schedule", [])}
        )

    assert response.status_code == 302
    assert messages_of(response) == ["The submission deadline has passed: bids can no longer change."]
    assert not Bid.objects.exists()


@pytest.mark.parametrize("role_fixture", ["buyer", "officer"])
def test_only_suppliers_submit_bids(request, login, role_fixture, tender, lot):
    client = login(request.getfixturevalue(role_fixture))
    before = database_state()

    response = client.post(
        reverse("bid_submit", args=[tender.pk, lot.pk]), {"total_amount": "1000.00", **formset("schedule", [])}
    )

    assert response.status_code == 403
    assert database_state() == before
    assert not Bid.objects.exists()


def test_a_lot_of_another_tender_is_not_found(login, buyer, supplier_user, tender):
    other = published_tender(buyer)

    response = login(supplier_user).get(reverse("bid_submit", args=[tender.pk, other.lots.get().pk]))

    assert response.status_code == 404


# --- Replacing and withdrawing -----------------------------------------------------------------


def test_supplier_replaces_its_bid_keeping_its_attachments(login, supplier_user, bid, quality):
    client = login(supplier_user)
    form = client.get(reverse("bid_replace", args=[bid.pk]))
    old_receipt = bid.receipt_digest

    response = client.post(
        reverse("bid_replace", args=[bid.pk]),
        {"total_amount": "99000.00", f"answer_{quality.pk}": "Livraison en 24 heures", **formset("schedule", [])},
    )

    bid.refresh_from_db()
    assert form.context["form"].initial["total_amount"] == AMOUNT
    assert response.status_code == 302
    assert bid.receipt_digest != old_receipt
    content = sealed_bids.open_content(bid, organization_id=bid.supplier_id)
    assert content.total_amount == Decimal("99000.00")
    assert [ref.name for ref in content.attachments] == [ATTACHMENT]


def test_supplier_withdraws_and_submits_again(login, supplier_user, tender, lot, bid):
    client = login(supplier_user)

    withdrawn = client.post(reverse("bid_withdraw", args=[bid.pk]))
    bid.refresh_from_db()
    status_after_withdrawal = bid.status
    again = client.post(
        reverse("bid_submit", args=[tender.pk, lot.pk]), {"total_amount": "100000.00", **formset("schedule", [])}
    )

    bid.refresh_from_db()
    assert withdrawn.status_code == 302
    assert status_after_withdrawal == BidStatus.WITHDRAWN
    assert again.status_code == 302
    assert bid.status == BidStatus.SUBMITTED


def test_another_supplier_can_neither_replace_nor_withdraw(login, other_supplier, bid):
    client = login(other_supplier)
    before = (bid.status, bid.receipt_digest)

    replaced = client.post(reverse("bid_replace", args=[bid.pk]), {"total_amount": "1.00", **formset("schedule", [])})
    withdrawn = client.post(reverse("bid_withdraw", args=[bid.pk]))

    bid.refresh_from_db()
    assert (replaced.status_code, withdrawn.status_code) == (404, 404)
    assert (bid.status, bid.receipt_digest) == before


def test_the_buyer_cannot_withdraw_a_bid(login, buyer, bid):
    response = login(buyer).post(reverse("bid_withdraw", args=[bid.pk]))

    bid.refresh_from_db()
    assert response.status_code == 403
    assert bid.status == BidStatus.SUBMITTED


# --- Receipt and secrecy -----------------------------------------------------------------------


def test_the_supplier_reads_its_own_amount_on_its_receipt(login, supplier_user, bid):
    response = login(supplier_user).get(reverse("bid_detail", args=[bid.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "123,456.78 €" in content
    assert bid.receipt_digest in content
    assert response.context["can_replace"] is True


def test_another_supplier_does_not_find_the_receipt(login, other_supplier, bid):
    assert login(other_supplier).get(reverse("bid_detail", args=[bid.pk])).status_code == 404


def test_a_member_has_no_access_to_bids(login, officer, tender, bid):
    client = login(officer)

    assert client.get(reverse("bid_detail", args=[bid.pk])).status_code == 403
    assert client.get(reverse("tender_bids", args=[tender.pk])).status_code == 403
    assert client.get(reverse("bids")).status_code == 403


def test_before_the_opening_the_buyer_sees_who_and_when_but_never_what(login, buyer, tender, bid):
    client = login(buyer)

    bids_page = client.get(reverse("tender_bids", args=[tender.pk]))
    detail = client.get(reverse("bid_detail", args=[bid.pk]))
    tender_page = client.get(reverse("tender_detail", args=[tender.pk]))
    bid_list = client.get(reverse("bids"))

    for response in (bids_page, detail, tender_page, bid_list):
        assert response.status_code == 200
        assert_sealed(response.content.decode())
    assert bid.supplier.name in bids_page.content.decode()
    assert bid.receipt_digest in bids_page.content.decode()
    assert "Bids are sealed until the opening" in bids_page.content.decode()
    assert detail.context["content"] is None


def test_before_the_opening_the_evaluation_page_shows_nothing_of_the_bids(login, buyer, tender, bid):
    response = login(buyer).get(reverse("tender_evaluation", args=[tender.pk]))

    assert response.status_code == 200
    assert response.context["lots"] == []
    assert_sealed(response.content.decode())


def test_before_the_opening_an_attachment_cannot_be_downloaded_by_the_buyer(login, buyer, supplier_user, bid):
    ref = sealed_bids.open_content(bid, organization_id=bid.supplier_id).attachments[0]

    by_buyer = login(buyer).get(reverse("bid_attachment", args=[bid.pk, ref.id]))
    by_supplier = login(supplier_user).get(reverse("bid_attachment", args=[bid.pk, ref.id]))

    assert by_buyer.status_code == 404
    assert by_supplier.status_code == 200
    assert by_supplier.content == b"%PDF-1.4 technical offer"
    assert ATTACHMENT in by_supplier["Content-Disposition"]


def test_after_the_opening_the_buyer_reads_amounts_and_attachments(login, buyer, tender, bid):
    moment = opened(buyer, tender)
    ref = sealed_bids.open_content(Bid.objects.get(pk=bid.pk), organization_id=None).attachments[0]

    with clock(moment):
        client = login(buyer)
        bids_page = client.get(reverse("tender_bids", args=[tender.pk])).content.decode()
        detail = client.get(reverse("bid_detail", args=[bid.pk])).content.decode()
        download = client.get(reverse("bid_attachment", args=[bid.pk, ref.id]))

    for content in (bids_page, detail):
        assert "123,456.78 €" in content
        assert ATTACHMENT in content
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 technical offer"


# --- Opening -----------------------------------------------------------------------------------


def test_the_open_button_waits_for_the_opening_time(login, buyer, tender, bid):
    with clock(after(tender, "submission_deadline", minutes=1)):
        client = login(buyer)
        page = client.get(reverse("tender_bids", args=[tender.pk]))
        response = client.post(reverse("tender_open_bids", args=[tender.pk]))

    tender.refresh_from_db()
    assert page.context["opening_allowed"] is False
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("The bids can be opened from ")
    assert tender.status == TenderStatus.BIDS_CLOSED


def test_buyer_opens_the_bids_at_the_opening_time(login, buyer, tender, bid):
    with clock(after(tender, "opening_at")):
        client = login(buyer)
        page = client.get(reverse("tender_bids", args=[tender.pk]))
        response = client.post(reverse("tender_open_bids", args=[tender.pk]))

    tender.refresh_from_db()
    assert page.context["opening_allowed"] is True
    assert response.status_code == 302
    assert response.url == reverse("tender_bids", args=[tender.pk])
    assert tender.status == TenderStatus.OPENED
    assert tender.documents.filter(kind="opening_record").count() == 1


def test_a_supplier_cannot_open_the_bids(login, supplier_user, tender, bid):
    with clock(after(tender, "opening_at")):
        response = login(supplier_user).post(reverse("tender_open_bids", args=[tender.pk]))

    tender.refresh_from_db()
    assert response.status_code == 403
    assert tender.opened_at is None


# --- Evaluation and award ----------------------------------------------------------------------


@pytest.fixture
def three_bids(supplier_user, other_supplier, lot, quality):
    third = person(SupplierFactory(name="Troisième SRL"), Role.SUPPLIER, username="supplier-third")
    return [
        services.bid_submit(actor=actor, lot=lot, total_amount=Decimal(amount))
        for actor, amount in ((supplier_user, "100000.00"), (other_supplier, "80000.00"), (third, "40000.00"))
    ]


def test_the_evaluation_table_ranks_live_once_every_quality_score_is_in(login, buyer, tender, quality, three_bids):
    moment = opened(buyer, tender)
    first, _second, third = three_bids
    with clock(moment):
        client = login(buyer)
        before_scores = client.get(reverse("tender_evaluation", args=[tender.pk]))
        for bid in three_bids:
            response = client.post(
                reverse("bid_score", args=[bid.pk]), {f"score-{bid.pk}-criterion_{quality.pk}": "30"}
            )
            assert response.status_code == 302
        after_scores = client.get(reverse("tender_evaluation", args=[tender.pk]))

    (lot_before,) = before_scores.context["lots"]
    assert lot_before.ranking_problem.startswith("Score every quality criterion")
    (lot_after,) = after_scores.context["lots"]
    rows = {row.bid.pk: row for row in lot_after.rows}
    # 40,000 / 100,000 × 60 = 24 price points, + 30 quality
    assert (rows[first.pk].price_points, rows[first.pk].total_points, rows[first.pk].rank) == (
        Decimal("24.00"),
        Decimal("54.00"),
        3,
    )
    assert (rows[third.pk].price_points, rows[third.pk].rank) == (Decimal("60.00"), 1)
    assert [row.rank for row in lot_after.rows] == [1, 2, 3]
    assert "100,000.00 €" in after_scores.content.decode()


def test_quality_points_above_the_weight_are_refused_on_the_field(login, buyer, tender, quality, three_bids):
    moment = opened(buyer, tender)
    bid = three_bids[0]
    with clock(moment):
        response = login(buyer).post(
            reverse("bid_score", args=[bid.pk]), {f"score-{bid.pk}-criterion_{quality.pk}": "55"}
        )

    assert response.status_code == 200
    (entry,) = response.context["lots"]
    form = next(row.score_form for row in entry.rows if row.bid.pk == bid.pk)
    assert form.errors[f"criterion_{quality.pk}"] == ["Ensure this value is less than or equal to 40.00."]
    assert not bid.quality_scores.exists()


def test_buyer_excludes_with_a_reason_and_reinstates(login, buyer, tender, three_bids):
    moment = opened(buyer, tender)
    bid = three_bids[2]
    with clock(moment):
        client = login(buyer)
        missing = client.post(reverse("bid_exclude", args=[bid.pk]), {f"exclude-{bid.pk}-reason": ""})
        excluded = client.post(
            reverse("bid_exclude", args=[bid.pk]), {f"exclude-{bid.pk}-reason": "Prix anormalement bas non justifié"}
        )
        bid.refresh_from_db()
        status_after_exclusion = (bid.status, bid.status_reason)
        reinstated = client.post(reverse("bid_reinstate", args=[bid.pk]))

    bid.refresh_from_db()
    assert missing.status_code == 200
    assert status_after_exclusion == (BidStatus.EXCLUDED, "Prix anormalement bas non justifié")
    assert excluded.status_code == 302
    assert reinstated.status_code == 302
    assert bid.status == BidStatus.OPENED


def test_an_abnormally_low_bid_is_flagged_not_excluded(login, buyer, tender, lot, quality, three_bids):
    fourth = person(SupplierFactory(name="Quatrième SA"), Role.SUPPLIER, username="supplier-fourth")
    services.bid_submit(actor=fourth, lot=lot, total_amount=Decimal("90000.00"))
    # Four bids: the average of the two middle ones is 85,000; 40,000 is more than 15 % below it.
    moment = opened(buyer, tender)
    with clock(moment):
        for bid in Bid.objects.all():
            services.bid_score(actor=buyer, bid=bid, points={quality.pk: Decimal("20")})
        response = login(buyer).get(reverse("tender_evaluation", args=[tender.pk]))

    (entry,) = response.context["lots"]
    flags = {row.bid.pk: row.abnormally_low for row in entry.rows}
    assert [bid_pk for bid_pk, flag in flags.items() if flag] == [three_bids[2].pk]
    assert "Abnormally low price: to verify" in response.content.decode()
    assert {row.bid.status for row in entry.rows} == {BidStatus.OPENED}


def test_buyer_evaluates_and_awards_with_reasons(login, buyer, tender, lot, quality, three_bids):
    moment = opened(buyer, tender)
    with clock(moment):
        for bid in three_bids:
            services.bid_score(actor=buyer, bid=bid, points={quality.pk: Decimal("30")})
        client = login(buyer)
        evaluated = client.post(reverse("tender_evaluate", args=[tender.pk]))
        award_page = client.get(reverse("tender_award", args=[tender.pk]))
        refused = client.post(reverse("tender_award", args=[tender.pk]), {f"reasons_{lot.pk}": ""})
        awarded = client.post(reverse("tender_award", args=[tender.pk]), {f"reasons_{lot.pk}": "Meilleur rapport"})

    tender.refresh_from_db()
    lot.refresh_from_db()
    assert evaluated.status_code == 302
    assert award_page.status_code == 200
    ((ranked_lot, rows, _field),) = award_page.context["rankings"]
    assert ranked_lot == lot
    assert [row.bid.pk for row in rows] == [three_bids[2].pk, three_bids[1].pk, three_bids[0].pk]
    assert refused.status_code == 200
    assert refused.context["form"].errors[f"reasons_{lot.pk}"] == ["This field is required."]
    assert awarded.status_code == 302
    assert tender.status == TenderStatus.AWARDED
    assert (lot.status, lot.status_reason) == (LotStatus.AWARDED, "Meilleur rapport")
    assert Bid.objects.get(pk=three_bids[2].pk).status == BidStatus.AWARDED


def test_a_supplier_cannot_score_evaluate_or_award(login, buyer, supplier_user, tender, lot, quality, three_bids):
    moment = opened(buyer, tender)
    bid = three_bids[0]
    with clock(moment):
        client = login(supplier_user)
        entries = audit_total()
        responses = [
            client.get(reverse("tender_evaluation", args=[tender.pk])),
            client.post(reverse("bid_score", args=[bid.pk]), {f"score-{bid.pk}-criterion_{quality.pk}": "30"}),
            client.post(reverse("tender_evaluate", args=[tender.pk])),
            client.post(reverse("tender_award", args=[tender.pk]), {f"reasons_{lot.pk}": "x"}),
        ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert audit_total() == entries
    assert not bid.quality_scores.exists()


# --- e-Tendering -------------------------------------------------------------------------------


def test_buyer_records_a_bid_opened_on_e_tendering(login, buyer, tender, lot, bid):
    moment = opened(buyer, tender)
    company = SupplierFactory(name="Via e-Tendering SA")
    with clock(moment):
        client = login(buyer)
        form = client.get(reverse("tender_record_bid", args=[tender.pk]))
        response = client.post(
            reverse("tender_record_bid", args=[tender.pk]),
            {
                "lot": lot.pk,
                "supplier": company.pk,
                "submitted_at": (tender.submission_deadline - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "total_amount": "95000.00",
            },
        )

    recorded = Bid.objects.get(supplier=company)
    assert form.context["can_record"] is True
    assert response.status_code == 302
    assert (recorded.channel, recorded.status) == (BidChannel.E_TENDERING, BidStatus.OPENED)


def test_e_tendering_bids_are_recorded_only_after_the_opening(login, buyer, tender, lot):
    company = SupplierFactory(name="Trop tôt SA")
    client = login(buyer)

    response = client.post(
        reverse("tender_record_bid", args=[tender.pk]),
        {"lot": lot.pk, "supplier": company.pk, "total_amount": "95000.00"},
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "Bids received through e-Tendering are recorded after the opening, before the evaluation."
    ]
    assert not Bid.objects.exists()


# --- Lists -------------------------------------------------------------------------------------


def test_a_supplier_lists_only_its_own_bids(login, supplier_user, other_supplier, lot, bid):
    services.bid_submit(actor=other_supplier, lot=lot, total_amount=Decimal("1000.00"))

    response = login(supplier_user).get(reverse("bids"))

    assert response.status_code == 200
    assert list(response.context["bids"]) == [bid]
    assert_sealed(response.content.decode())


def test_bid_list_queries_do_not_grow_with_rows(login, buyer, supplier_user, django_assert_max_num_queries):
    for _ in range(4):
        tender = published_tender(buyer)
        services.bid_submit(actor=supplier_user, lot=tender.lots.get(), total_amount=Decimal("1000.00"))
    client = login(supplier_user)

    with django_assert_max_num_queries(10):
        client.get(reverse("bids"))
