"""The whole procedure through the services: survey, tender, questions, bids, opening,
evaluation, award, standstill, conclusion."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from tenders import services
from tenders.models import (
    AgreementStatus,
    BidStatus,
    DocumentKind,
    FrameworkAgreement,
    LotStatus,
    TenderStatus,
)
from tests.factories.tenders import after, clock, cpv, criteria_data, lot_data, published_tender

pytestmark = pytest.mark.django_db


def test_a_survey_feeds_the_tender_and_names_its_beneficiaries(buyer, member_officer, commune):
    # Given an open survey with two items in two lots
    survey = services.survey_create(
        actor=buyer,
        title="Recensement fournitures 2027",
        closes_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
        items=[
            {
                "lot_number": 1,
                "lot_title": "Papier",
                "description": "Ramette A4",
                "unit": "C62",
                "cpv_code": cpv(),
                "estimated_unit_price": Decimal("3.2500"),
            },
            {
                "lot_number": 2,
                "lot_title": "PC",
                "description": "Ordinateur portable",
                "unit": "C62",
                "cpv_code": cpv("30213000-5"),
                "estimated_unit_price": Decimal("850"),
            },
        ],
    )
    services.survey_open(actor=buyer, survey=survey)
    paper, laptop = survey.items.all()
    # When the member declares and the buyer closes the survey linked to a draft tender
    services.survey_declare(actor=member_officer, survey=survey, quantities={paper.pk: Decimal("1000"), laptop.pk: 3})
    tender = services.tender_create(
        actor=buyer,
        reference="IMIO-2027-001",
        title="Fournitures",
        contract_type="supplies",
        cpv_code=cpv(),
        survey=survey,
        criteria=criteria_data(),
    )
    services.survey_close(actor=buyer, survey=survey)
    # Then the lots carry the totals, and the member is a named beneficiary
    tender.refresh_from_db()
    lots = list(tender.lots.order_by("number"))
    assert [(lot.number, lot.title, lot.estimated_value) for lot in lots] == [
        (1, "Papier", Decimal("3250.00")),
        (2, "PC", Decimal("2550.00")),
    ]
    assert lots[0].items.get().estimated_quantity == Decimal("1000")
    assert list(tender.beneficiaries.all()) == [commune]
    assert list(survey.participants.all()) == [commune]


def test_journey_from_publication_to_concluded_agreements(buyer, suppliers, django_capture_on_commit_callbacks):
    tender = published_tender(
        buyer,
        lots=[
            lot_data(1, estimated="100000", maximum="150000"),
            lot_data(2, estimated="50000", maximum="90000", mode="cascade", max_suppliers=2),
        ],
        criteria=criteria_data(price=60, quality=40),
    )
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.publication_level == "eu"  # 150,000 + 90,000 ≥ 216,000
    assert tender.standstill_required is True
    lot1, lot2 = tender.lots.order_by("number")
    quality = tender.criteria.get(kind="quality")

    # Suppliers bid; the third replaces its bid, the second withdraws one and submits again.
    (s1, u1), (s2, u2), (s3, u3) = suppliers
    with django_capture_on_commit_callbacks(execute=True):
        b1 = services.bid_submit(
            actor=u1, lot=lot1, total_amount=Decimal("100000.00"), answers={quality.pk: "ISO 9001"}
        )
        b2 = services.bid_submit(actor=u2, lot=lot1, total_amount=Decimal("80000.00"))
    b3 = services.bid_submit(actor=u3, lot=lot1, total_amount=Decimal("120000.00"))
    services.bid_replace(actor=u3, bid=b3, total_amount=Decimal("90000.00"))
    services.bid_submit(actor=u1, lot=lot2, schedule=[{"description": "PC", "quantity": "10", "unit_price": "950"}])
    c2 = services.bid_submit(actor=u2, lot=lot2, total_amount=Decimal("10000.00"))
    services.bid_withdraw(actor=u2, bid=c2)
    services.bid_submit(actor=u2, lot=lot2, total_amount=Decimal("9000.00"))
    services.bid_submit(actor=u3, lot=lot2, total_amount=Decimal("12000.00"))
    assert len(mail.outbox) == 2, "a deposit receipt is e-mailed"
    assert b1.receipt_digest in mail.outbox[0].body
    amounts = ("100000", "100 000", "100.000", "80000", "80 000", "80.000")
    assert not [m for m in mail.outbox for amount in amounts if amount in m.body + m.subject]

    # Before the opening time the bids cannot be opened.
    with pytest.raises(DomainError):
        services.tender_open_bids(actor=buyer, tender=tender)

    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        tender.refresh_from_db()
        assert tender.status == TenderStatus.OPENED
        assert tender.documents.filter(kind=DocumentKind.OPENING_RECORD).count() == 1
        for bid in tender.bids.all():
            services.bid_score(actor=buyer, bid=bid, points={quality.pk: Decimal("30")})
        services.tender_evaluate(actor=buyer, tender=tender)
        b1.refresh_from_db()
        b2.refresh_from_db()
        # 80,000 / 100,000 × 60 = 48.00 price points, + 30 quality
        assert (b1.price_points, b1.total_points, b1.rank) == (Decimal("48.00"), Decimal("78.00"), 3)
        assert (b2.price_points, b2.total_points, b2.rank) == (Decimal("60.00"), Decimal("90.00"), 1)
        services.tender_award(actor=buyer, tender=tender, reasons={lot1.pk: "Meilleur rapport", lot2.pk: "Cascade"})
        tender.refresh_from_db()
        assert tender.status == TenderStatus.AWARDED
        assert tender.standstill_ends_at == tender.awarded_at + datetime.timedelta(days=15)
        with pytest.raises(DomainError) as refused:
            services.tender_conclude(actor=buyer, tender=tender)
        assert refused.value.code == "standstill"

    with clock(after(tender, "standstill_ends_at")):
        agreements = services.tender_conclude(actor=buyer, tender=tender)

    tender.refresh_from_db()
    assert tender.status == TenderStatus.CONCLUDED
    assert [a.reference for a in agreements] == [f"{tender.reference}-L1", f"{tender.reference}-L2"]
    first, second = agreements
    assert [(link.rank, link.supplier) for link in first.supplier_links.all()] == [(1, s2)]
    # Lot 2: 9,000 (60 + 30), 9,500 (56.84 + 30), 12,000 (45 + 30): the best two, ranked, in cascade.
    assert [(link.rank, link.supplier) for link in second.supplier_links.all()] == [(1, s2), (2, s1)]
    assert first.status == AgreementStatus.ACTIVE
    assert (first.maximum_value, first.estimated_value) == (Decimal("150000.00"), Decimal("100000.00"))
    assert (second.end_date - second.start_date).days in range(1459, 1462)
    assert set(tender.lots.values_list("status", flat=True)) == {LotStatus.AWARDED}
    assert set(tender.bids.filter(supplier=s3).values_list("status", flat=True)) == {BidStatus.NOT_AWARDED}
    assert FrameworkAgreement.objects.count() == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "tender.published",
        "bid.submitted",
        "bid.replaced",
        "bid.withdrawn",
        "tender.opened",
        "tender.evaluated",
        "tender.awarded",
        "agreement.concluded",
        "tender.concluded",
    } <= actions


def test_opening_record_and_award_report_say_who_when_and_how_much(buyer, suppliers):
    from tenders import documents

    tender = published_tender(buyer, criteria=[{"name": "Prix", "kind": "price", "weight": Decimal("100")}])
    lot = tender.lots.get()
    services.bid_submit(actor=suppliers[0][1], lot=lot, total_amount=Decimal("12345.67"))
    services.bid_submit(actor=suppliers[1][1], lot=lot, total_amount=Decimal("23456.78"))
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        tender.refresh_from_db()
        record = documents.opening_record_html(tender)
        services.tender_evaluate(actor=buyer, tender=tender)
        services.tender_award(actor=buyer, tender=tender, reasons={lot.pk: "Prix le plus bas"})
        tender.refresh_from_db()
        report = documents.award_report_html(tender)
    record, report = (text.replace("\u202f", " ").replace("\xa0", " ") for text in (record, report))
    assert "<title>Procès-verbal d’ouverture" in record  # in French, whoever opens
    assert buyer.username in record or buyer.get_full_name() in record
    assert "12 345,67 €" in record
    assert "23 456,78 €" in record
    assert suppliers[0][0].name in record
    assert "Prix le plus bas" in report
    assert "100,00" in report  # the winner's price points
    stored = tender.documents.get(kind=DocumentKind.OPENING_RECORD)
    assert stored.file.read(5) == b"%PDF-"
