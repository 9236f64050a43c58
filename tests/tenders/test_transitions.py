"""Every transition of every machine: refused ones answer 409 and change nothing; allowed ones
are walked through the services here or in test_journey.py."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.core.models import AuditEntry
from tenders import services
from tenders.models import (
    AgreementStatus,
    Bid,
    BidStatus,
    FrameworkAgreement,
    SurveyStatus,
    Tender,
    TenderStatus,
)
from tests.api.conftest import client_for
from tests.factories.tenders import concluded_agreement, cpv, lot_data, published_tender
from tests.helpers import database_state

pytestmark = pytest.mark.django_db

TENDER_ACTIONS = {
    "publish": TenderStatus.PUBLISHED,
    "open_bids": TenderStatus.OPENED,
    "award": TenderStatus.AWARDED,
    "conclude": TenderStatus.CONCLUDED,
    "cancel": TenderStatus.CANCELLED,
}
PAYLOADS = {"cancel": {"reason": "Besoin disparu"}, "award": {"reasons": {}}}


def test_the_tender_table_is_what_the_issue_describes():
    table = services.TENDER_STATES.transitions
    assert set(table) == set(TenderStatus.values)
    assert table[TenderStatus.CONCLUDED] == table[TenderStatus.CANCELLED] == table[TenderStatus.UNSUCCESSFUL] == set()
    # A tender can be cancelled at any point before conclusion.
    for status in set(TenderStatus.values) - {
        TenderStatus.CONCLUDED,
        TenderStatus.CANCELLED,
        TenderStatus.UNSUCCESSFUL,
    }:
        assert TenderStatus.CANCELLED in table[status], status


REFUSED_TENDER = [
    (status, action)
    for status in TenderStatus.values
    for action, target in TENDER_ACTIONS.items()
    if target not in services.TENDER_STATES.allowed(status)
]


@pytest.mark.parametrize(("status", "action"), REFUSED_TENDER)
def test_refused_tender_transition_answers_409_and_changes_nothing(buyer, status, action):
    tender = published_tender(buyer)
    Tender.objects.filter(pk=tender.pk).update(status=status)
    before = database_state()
    response = client_for(buyer).post(f"/api/v1/tenders/{tender.pk}/{action}/", PAYLOADS.get(action, {}), format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "transition_not_allowed"
    assert database_state() == before


@pytest.mark.parametrize(
    "status", [s for s in TenderStatus.values if s not in (TenderStatus.OPENED, TenderStatus.EVALUATED)]
)
def test_evaluation_outside_opened_or_evaluated_answers_409(buyer, status):
    tender = published_tender(buyer)
    Tender.objects.filter(pk=tender.pk).update(status=status)
    response = client_for(buyer).post(f"/api/v1/tenders/{tender.pk}/evaluate/")
    assert response.status_code == 409


def test_cancelling_a_published_tender_cancels_its_lots_and_tells_bidders(
    buyer, suppliers, mailoutbox, django_capture_on_commit_callbacks
):
    tender = published_tender(buyer)
    services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=Decimal("10.00"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(buyer).post(f"/api/v1/tenders/{tender.pk}/cancel/", {"reason": "Budget"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert set(tender.lots.values_list("status", flat=True)) == {"cancelled"}
    assert [m.to for m in mailoutbox] == [[suppliers[0][1].email]]


def test_deadline_passing_closes_the_tender_when_it_is_read(buyer, suppliers):
    tender = published_tender(buyer)
    Tender.objects.filter(pk=tender.pk).update(
        submission_deadline=timezone.now() - datetime.timedelta(minutes=1),
        questions_deadline=timezone.now() - datetime.timedelta(days=1),
        publication_at=timezone.now() - datetime.timedelta(days=2),
    )
    response = client_for(suppliers[0][1]).get(f"/api/v1/tenders/{tender.pk}/")
    assert response.json()["status"] == "bids_closed"
    assert AuditEntry.objects.filter(action="tender.bids_closed", actor__isnull=True).count() == 1


def test_deadline_passing_refuses_a_late_bid_with_409(buyer, suppliers):
    tender = published_tender(buyer)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - datetime.timedelta(seconds=1))
    response = client_for(suppliers[0][1]).post(
        "/api/v1/bids/", {"lot": tender.lots.get().pk, "total_amount": "10.00"}, format="json"
    )
    assert response.status_code == 409
    tender.refresh_from_db()
    assert tender.status == TenderStatus.BIDS_CLOSED  # the system closed it before refusing


def test_the_periodic_task_applies_what_time_did(buyer, commune):
    tender = published_tender(buyer)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - datetime.timedelta(seconds=1))
    today = timezone.localdate()
    agreement = concluded_agreement(
        suppliers=[], start_date=today - datetime.timedelta(days=400), end_date=today - datetime.timedelta(days=1)
    )
    survey = services.survey_create(
        actor=buyer,
        title="S",
        closes_at=timezone.now() + datetime.timedelta(days=1),
        items=[{"description": "x", "cpv_code": cpv(), "estimated_unit_price": Decimal("1")}],
    )
    services.survey_open(actor=buyer, survey=survey)
    survey.__class__.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    from tenders.tasks import apply_due_transitions

    assert apply_due_transitions.delay().get() == {"surveys_closed": 1, "tenders_closed": 1, "agreements_expired": 1}
    tender.refresh_from_db()
    agreement.refresh_from_db()
    survey.refresh_from_db()
    assert (tender.status, agreement.status, survey.status) == ("bids_closed", "expired", "closed")
    assert apply_due_transitions.delay().get() == {"surveys_closed": 0, "tenders_closed": 0, "agreements_expired": 0}


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (status, action)
        for status in BidStatus.values
        for action, target in {"withdraw": BidStatus.WITHDRAWN}.items()
        if target not in services.BID_STATES.allowed(status)
    ],
)
def test_refused_bid_withdrawal_answers_409(buyer, suppliers, status, action):
    tender = published_tender(buyer)
    bid = services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=Decimal("10.00"))
    bid.__class__.objects.filter(pk=bid.pk).update(status=status)
    before = database_state()
    response = client_for(suppliers[0][1]).post(f"/api/v1/bids/{bid.pk}/{action}/")
    assert response.status_code == 409
    assert database_state() == before


@pytest.mark.parametrize("status", [s for s in BidStatus.values if s != BidStatus.EXCLUDED])
def test_reinstating_a_bid_that_is_not_excluded_answers_409(buyer, suppliers, status):
    tender = published_tender(buyer)
    bid = services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=Decimal("10.00"))
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.OPENED, opened_at=timezone.now())
    bid.__class__.objects.filter(pk=bid.pk).update(status=status)
    response = client_for(buyer).post(f"/api/v1/bids/{bid.pk}/reinstate/")
    assert response.status_code == 409


@pytest.mark.parametrize("status", [AgreementStatus.EXPIRED, AgreementStatus.TERMINATED])
def test_an_ended_agreement_cannot_be_terminated_or_amended(buyer, supplier_org, status):
    agreement = concluded_agreement(suppliers=[supplier_org])
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(status=status)
    client = client_for(buyer)
    before = database_state()
    assert (
        client.post(f"/api/v1/agreements/{agreement.pk}/terminate/", {"reason": "x"}, format="json").status_code == 409
    )
    response = client.post(
        f"/api/v1/agreements/{agreement.pk}/modify/",
        {"legal_ground": "review_clause", "reason": "x", "estimated_value": "1.00"},
        format="json",
    )
    assert response.status_code == 409
    assert database_state() == before


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (SurveyStatus.OPEN, "open"),
        (SurveyStatus.CLOSED, "open"),
        (SurveyStatus.DRAFT, "close"),
        (SurveyStatus.CLOSED, "close"),
    ],
)
def test_refused_survey_transition_answers_409(buyer, status, action):
    survey = services.survey_create(
        actor=buyer,
        title="S",
        closes_at=timezone.now() + datetime.timedelta(days=1),
        items=[{"description": "x", "cpv_code": cpv(), "estimated_unit_price": Decimal("1")}],
    )
    survey.__class__.objects.filter(pk=survey.pk).update(status=status)
    response = client_for(buyer).post(f"/api/v1/surveys/{survey.pk}/{action}/")
    assert response.status_code == 409


def test_a_lot_without_acceptable_bid_becomes_unsuccessful_and_so_does_a_tender_without_any(buyer, suppliers):
    tender = published_tender(
        buyer, lots=[lot_data(1)], criteria=[{"name": "Prix", "kind": "price", "weight": Decimal(100)}]
    )
    bid = services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=Decimal("10.00"))
    Tender.objects.filter(pk=tender.pk).update(
        status=TenderStatus.OPENED, opened_at=timezone.now(), submission_deadline=timezone.now()
    )
    bid.__class__.objects.filter(pk=bid.pk).update(status=BidStatus.OPENED)
    services.bid_exclude(actor=buyer, bid=bid, reason="Offre irrégulière")
    services.tender_evaluate(actor=buyer, tender=tender)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.UNSUCCESSFUL
    assert tender.lots.get().status == "unsuccessful"


CANCELLABLE = [s for s in TenderStatus.values if TenderStatus.CANCELLED in services.TENDER_STATES.allowed(s)]


@pytest.mark.parametrize("status", CANCELLABLE)
def test_a_tender_is_cancelled_from_any_status_before_conclusion(buyer, status):
    tender = published_tender(buyer, lots=[lot_data(1), lot_data(2)])
    Tender.objects.filter(pk=tender.pk).update(status=status)
    tender.lots.filter(number=2).update(status="unsuccessful")
    response = client_for(buyer).post(f"/api/v1/tenders/{tender.pk}/cancel/", {"reason": "Budget"}, format="json")
    assert response.status_code == 200
    assert set(tender.lots.values_list("status", flat=True)) == {"cancelled"}
    assert AuditEntry.objects.filter(action="lot.cancelled").count() == 2
    assert AuditEntry.objects.filter(action="tender.cancelled").count() == 1


def test_a_reinstated_bid_is_ranked_again(buyer, suppliers):
    price_only = [{"name": "Prix", "kind": "price", "weight": Decimal(100)}]
    tender = published_tender(buyer, criteria=price_only)
    lot = tender.lots.get()
    bids = [
        services.bid_submit(actor=user, lot=lot, total_amount=Decimal(a))
        for (_c, user), a in zip(suppliers, ("10.00", "20.00"), strict=False)
    ]
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.OPENED, opened_at=timezone.now())
    Bid.objects.filter(pk__in=[b.pk for b in bids]).update(status=BidStatus.OPENED)
    services.tender_evaluate(actor=buyer, tender=tender)
    services.bid_exclude(actor=buyer, bid=bids[0], reason="Irrégulière")
    assert Bid.objects.get(pk=bids[1].pk).rank == 1
    services.bid_reinstate(actor=buyer, bid=bids[0])
    assert [Bid.objects.get(pk=b.pk).rank for b in bids] == [1, 2]


def test_excluding_the_last_acceptable_bid_after_evaluation_makes_the_tender_unsuccessful(buyer, suppliers):
    price_only = [{"name": "Prix", "kind": "price", "weight": Decimal(100)}]
    tender = published_tender(buyer, criteria=price_only)
    bid = services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=Decimal("10.00"))
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.OPENED, opened_at=timezone.now())
    Bid.objects.filter(pk=bid.pk).update(status=BidStatus.OPENED)
    services.tender_evaluate(actor=buyer, tender=tender)
    services.bid_exclude(actor=buyer, bid=bid, reason="Irrégulière")
    tender.refresh_from_db()
    assert (tender.status, tender.lots.get().status) == (TenderStatus.UNSUCCESSFUL, "unsuccessful")


def test_an_agreement_reaching_its_maximum_is_exhausted_and_reopens_when_the_maximum_is_raised(buyer, supplier_org):
    agreement = concluded_agreement(suppliers=[supplier_org], estimated="100.00", maximum="200.00")
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(consumed_value=Decimal("150.00"))
    services.agreement_modify(
        actor=buyer,
        agreement=agreement,
        legal_ground="review_clause",
        reason="Révision",
        maximum_value=Decimal("150.00"),
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXHAUSTED
    services.agreement_modify(
        actor=buyer,
        agreement=agreement,
        legal_ground="review_clause",
        reason="Révision",
        maximum_value=Decimal("180.00"),
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert list(
        AuditEntry.objects.filter(action__in=["agreement.exhausted", "agreement.reopened"])
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["agreement.exhausted", "agreement.reopened"]


@pytest.mark.parametrize("status", [AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED])
def test_an_open_agreement_expires_or_is_terminated(buyer, supplier_org, status):
    today = timezone.localdate()
    agreement = concluded_agreement(
        suppliers=[supplier_org],
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=1),
    )
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(status=status)
    assert services.expire_due_agreements() == 1
    other = concluded_agreement(suppliers=[supplier_org])
    FrameworkAgreement.objects.filter(pk=other.pk).update(status=status)
    services.agreement_terminate(actor=buyer, agreement=other, reason="Faillite")
    assert FrameworkAgreement.objects.get(pk=agreement.pk).status == AgreementStatus.EXPIRED
    assert FrameworkAgreement.objects.get(pk=other.pk).status == AgreementStatus.TERMINATED


def test_lists_show_what_time_did_without_the_periodic_task(buyer, supplier_org):
    tender = published_tender(buyer)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - datetime.timedelta(seconds=1))
    today = timezone.localdate()
    agreement = concluded_agreement(
        suppliers=[supplier_org],
        start_date=today - datetime.timedelta(days=9),
        end_date=today - datetime.timedelta(days=1),
    )
    client = client_for(buyer)
    tenders = {row["id"]: row["status"] for row in client.get("/api/v1/tenders/").json()["results"]}
    agreements = {row["id"]: row["status"] for row in client.get("/api/v1/agreements/").json()["results"]}
    assert tenders[tender.pk] == "bids_closed"
    assert agreements[agreement.pk] == "expired"
