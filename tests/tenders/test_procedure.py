"""Surveys, drafting, questions, evaluation, award, conclusion and agreements: the rules each
step enforces, through the services and the API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from procurement.members.models import MembershipStatus
from tenders import sealed_bids, services
from tenders.models import AgreementStatus, BidStatus, DocumentKind, Tender, TenderStatus
from tests.api.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.tenders import (
    after,
    clock,
    concluded_agreement,
    cpv,
    criteria_data,
    draft_tender,
    lot_data,
    published_tender,
)
from tests.helpers import database_state

pytestmark = pytest.mark.django_db
D = Decimal


# --- Surveys -------------------------------------------------------------------------------


@pytest.fixture
def open_survey(buyer):
    survey = services.survey_create(
        actor=buyer,
        title="Papier 2027",
        closes_at=timezone.now() + datetime.timedelta(days=5),
        items=[
            {"description": "Ramette A4", "cpv_code": cpv(), "estimated_unit_price": D("3.25")},
            {"description": "Ramette A3", "cpv_code": cpv(), "estimated_unit_price": D("6.50")},
        ],
    )
    return services.survey_open(actor=buyer, survey=survey)


def test_members_see_only_their_own_declarations_and_the_buyer_all_with_totals(
    buyer, open_survey, member_officer, other_commune
):
    MembershipFactory(member=other_commune)
    other = person(other_commune, Role.MEMBER_OFFICER)
    a4, a3 = open_survey.items.all()
    services.survey_declare(actor=member_officer, survey=open_survey, quantities={a4.pk: D("100"), a3.pk: D("5")})
    services.survey_declare(actor=other, survey=open_survey, quantities={a4.pk: D("40")})
    mine = client_for(member_officer).get(f"/api/v1/surveys/{open_survey.pk}/declarations/").json()
    assert [(row["item"], row["quantity"]) for row in mine] == [(a4.pk, "100.000"), (a3.pk, "5.000")]
    assert len(client_for(buyer).get(f"/api/v1/surveys/{open_survey.pk}/declarations/").json()) == 3
    totals = client_for(buyer).get(f"/api/v1/surveys/{open_survey.pk}/totals/").json()
    assert [(row["quantity"], row["members"], row["value"]) for row in totals] == [
        ("140.000", 2, "455.00"),
        ("5.000", 1, "32.50"),
    ]
    assert client_for(member_officer).get(f"/api/v1/surveys/{open_survey.pk}/totals/").status_code == 403


def test_a_declaration_is_corrected_and_withdrawn_with_zero(open_survey, member_officer):
    a4, _a3 = open_survey.items.all()
    services.survey_declare(actor=member_officer, survey=open_survey, quantities={a4.pk: D("100")})
    services.survey_declare(actor=member_officer, survey=open_survey, quantities={a4.pk: D("120")})
    assert list(a4.declarations.values_list("quantity", flat=True)) == [D("120.000")]
    services.survey_declare(actor=member_officer, survey=open_survey, quantities={a4.pk: D("0")})
    assert not a4.declarations.exists()
    assert AuditEntry.objects.filter(action="survey.declared").count() == 3


def test_a_suspended_member_cannot_declare(open_survey, member_officer, commune):
    commune_membership = commune.memberships.get()
    commune_membership.status = MembershipStatus.SUSPENDED
    commune_membership.save()
    with pytest.raises(DomainError) as refused:
        services.survey_declare(actor=member_officer, survey=open_survey, quantities={})
    assert refused.value.code == "membership_inactive"


def test_a_survey_past_its_closing_date_closes_itself_and_refuses_declarations(open_survey, member_officer):
    a4, _a3 = open_survey.items.all()
    services.survey_declare(actor=member_officer, survey=open_survey, quantities={a4.pk: D("7")})
    with clock(open_survey.closes_at + datetime.timedelta(seconds=1)), pytest.raises(DomainError) as refused:
        services.survey_declare(actor=member_officer, survey=open_survey, quantities={a4.pk: D("8")})
    assert refused.value.code == "survey_not_open"
    open_survey.refresh_from_db()
    assert open_survey.status == "closed"
    assert a4.__class__.objects.get(pk=a4.pk).total_quantity == D("7.000")


def test_only_the_buyer_prepares_surveys(officer):
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=officer, title="x", closes_at=timezone.now())


# --- Drafting ------------------------------------------------------------------------------


def test_draft_validation_through_the_api_names_the_fields(buyer):
    client = client_for(buyer)
    response = client.post(
        "/api/v1/tenders/",
        {
            "reference": "IMIO-2026-500",
            "title": "Papier",
            "contract_type": "supplies",
            "cpv_code": "99999999-9",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["cpv_code"] == ["99999999-9 is not a CPV code."]
    response = client.post(
        "/api/v1/tenders/",
        {
            "reference": "IMIO-2026-500",
            "title": "Papier",
            "contract_type": "supplies",
            "cpv_code": "30192000-1",
            "lots": [
                {"number": 1, "title": "A", "estimated_value": "200.00", "maximum_value": "100.00"},
                {"number": 2, "title": "B", "estimated_value": "1.00", "maximum_value": "1.00", "duration_months": 49},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["lots"]) == {"0", "1"}
    assert list(response.json()["lots"]["0"]) == ["maximum_value"]
    assert list(response.json()["lots"]["1"]) == ["duration_months"]
    assert not Tender.objects.exists()


def test_reference_is_unique(buyer):
    draft_tender(buyer, reference="IMIO-2026-017")
    with pytest.raises(ValidationError) as error:
        draft_tender(buyer, reference="IMIO-2026-017")
    assert "reference" in error.value.message_dict


def test_publication_says_what_is_missing(buyer):
    tender = services.tender_create(
        actor=buyer,
        reference="IMIO-2026-600",
        title="Papier",
        contract_type="supplies",
        cpv_code=cpv(),
        criteria=[
            {"name": "Prix", "kind": "price", "weight": D("60")},
            {"name": "Q", "kind": "quality", "weight": D("30")},
        ],
    )
    response = client_for(buyer).post(f"/api/v1/tenders/{tender.pk}/publish/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"lots", "criteria", "documents", "submission_deadline", "opening_at"}
    assert errors["criteria"] == ["The criteria's weights add up to 90; they must add up to 100."]


def test_a_low_value_procedure_above_its_threshold_is_refused_saying_why(buyer):
    with pytest.raises(ValidationError) as error:
        draft_tender(buyer, procedure="low_value", lots=[lot_data(1, estimated="20000", maximum="30000")])
    [message] = error.value.message_dict["procedure"]
    assert "30,000.00 €" in message


def test_the_publication_level_adds_the_maxima_of_all_lots(buyer):
    below = draft_tender(
        buyer,
        lots=[lot_data(1, estimated="100000", maximum="107999.99"), lot_data(2, estimated="100000", maximum="108000")],
    )
    at = draft_tender(
        buyer,
        lots=[lot_data(1, estimated="100000", maximum="108000"), lot_data(2, estimated="100000", maximum="108000")],
    )
    assert (below.publication_level, below.standstill_required) == ("belgian", False)
    assert (at.publication_level, at.standstill_required) == ("eu", True)


def test_a_published_tender_is_not_edited(buyer):
    tender = published_tender(buyer)
    response = client_for(buyer).patch(f"/api/v1/tenders/{tender.pk}/", {"title": "Autre"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "tender_locked"


def test_after_publication_documents_are_addenda(buyer):
    from tests.factories.tenders import specifications

    tender = published_tender(buyer)
    with pytest.raises(ValidationError):
        services.tender_add_document(actor=buyer, tender=tender, file=specifications(), kind="annex")
    document = services.tender_add_document(actor=buyer, tender=tender, file=specifications(), kind="addendum")
    assert len(document.sha256) == 64


# --- Questions -----------------------------------------------------------------------------


def test_answers_are_read_by_all_candidates_without_the_askers_identity(buyer, suppliers, member_officer):
    tender = published_tender(buyer)
    (asker_company, asker), (_rival_company, rival), _ = suppliers
    question = services.question_ask(actor=asker, tender=tender, question="Livraison par palette ?")
    assert client_for(rival).get(f"/api/v1/tenders/{tender.pk}/questions/").json() == []
    own = client_for(asker).get(f"/api/v1/tenders/{tender.pk}/questions/").json()
    assert [(q["id"], q["mine"], q["supplier"]) for q in own] == [(question.pk, True, None)]
    response = client_for(buyer).post(
        f"/api/v1/tenders/{tender.pk}/questions/{question.pk}/answer/", {"answer": "Oui."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["supplier"] == asker_company.pk  # IMIO sees who asked
    for reader in (rival, member_officer):
        [seen] = client_for(reader).get(f"/api/v1/tenders/{tender.pk}/questions/").json()
        assert (seen["answer"], seen["supplier"], seen["mine"]) == ("Oui.", None, False)


def test_no_question_after_the_questions_deadline(buyer, suppliers):
    tender = published_tender(buyer)
    with clock(after(tender, "questions_deadline")), pytest.raises(DomainError) as refused:
        services.question_ask(actor=suppliers[0][1], tender=tender, question="Trop tard ?")
    assert refused.value.code == "questions_closed"


# --- Bids ----------------------------------------------------------------------------------


def test_a_schedule_that_does_not_add_up_is_refused(buyer, suppliers):
    tender = published_tender(buyer)
    with pytest.raises(ValidationError) as error:
        services.bid_submit(
            actor=suppliers[0][1],
            lot=tender.lots.get(),
            total_amount=D("100.00"),
            schedule=[{"quantity": "3", "unit_price": "33.33"}],
        )
    assert error.value.message_dict["schedule"] == ["The schedule's lines add up to 99.99, not to the total of 100.00."]
    assert not tender.bids.exists()


def test_after_the_deadline_no_bid_changes(buyer, suppliers):
    tender = published_tender(buyer)
    bid = services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=D("10.00"))
    with clock(after(tender, "submission_deadline")):
        for change in (
            lambda: services.bid_replace(actor=suppliers[0][1], bid=bid, total_amount=D("9.00")),
            lambda: services.bid_withdraw(actor=suppliers[0][1], bid=bid),
            lambda: services.bid_submit(actor=suppliers[1][1], lot=tender.lots.get(), total_amount=D("8.00")),
        ):
            with pytest.raises(DomainError) as refused:
                change()
            assert refused.value.code == "deadline_passed"
    assert sealed_bids.open_content(bid, organization_id=bid.supplier_id).total_amount == D("10.00")


def test_a_supplier_cannot_replace_another_suppliers_bid(buyer, suppliers):
    tender = published_tender(buyer)
    bid = services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=D("10.00"))
    with pytest.raises(PermissionDenied):
        services.bid_replace(actor=suppliers[1][1], bid=bid, total_amount=D("1.00"))


def test_buyer_records_e_tendering_bids_after_opening(buyer, supplier_org):
    tender = published_tender(buyer, lots=[lot_data(1, estimated="200000", maximum="250000")])
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        bid = services.bid_record(
            actor=buyer, lot=tender.lots.get(), supplier=supplier_org, total_amount=D("190000.00")
        )
    assert (bid.status, bid.channel) == (BidStatus.OPENED, "e_tendering")
    assert sealed_bids.open_for_evaluation(bid).total_amount == D("190000.00")
    entry = AuditEntry.objects.get(action="bid.recorded")
    assert entry.after["total_amount"] == "190000.00"  # recorded after the opening: nothing left to hide


def test_e_tendering_bids_cannot_be_recorded_before_opening(buyer, supplier_org):
    tender = published_tender(buyer)
    with pytest.raises(DomainError):
        services.bid_record(actor=buyer, lot=tender.lots.get(), supplier=supplier_org, total_amount=D("1.00"))


# --- Evaluation, award, conclusion ---------------------------------------------------------


def opened(buyer, suppliers, amounts, **tender_kwargs):
    tender = published_tender(buyer, **tender_kwargs)
    lot = tender.lots.get()
    bids = [
        services.bid_submit(actor=user, lot=lot, total_amount=D(amount))
        for (_company, user), amount in zip(suppliers, amounts, strict=False)
    ]
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
    tender.refresh_from_db()
    return tender, bids


def test_quality_points_stay_between_0_and_the_weight(buyer, suppliers):
    tender, [bid] = opened(buyer, suppliers, ["100.00"])
    quality = tender.criteria.get(kind="quality")
    before = database_state()
    response = client_for(buyer).post(f"/api/v1/bids/{bid.pk}/score/", {"points": {quality.pk: "40.01"}}, format="json")
    assert response.status_code == 400
    assert database_state() == before
    response = client_for(buyer).post(f"/api/v1/bids/{bid.pk}/score/", {"points": {quality.pk: "40"}}, format="json")
    assert response.status_code == 200


def test_evaluation_needs_every_quality_score(buyer, suppliers):
    tender, _bids = opened(buyer, suppliers, ["100.00"])
    response = client_for(buyer).post(f"/api/v1/tenders/{tender.pk}/evaluate/")
    assert response.status_code == 409
    assert response.json()["code"] == "scores_missing"


def test_abnormally_low_bid_is_flagged_not_excluded(buyer, suppliers):
    more = [(company, person(company, Role.SUPPLIER)) for company in (SupplierFactory(), SupplierFactory())]
    price_only = [{"name": "Prix", "kind": "price", "weight": D("100")}]
    tender, bids = opened(
        buyer, [*suppliers, *more], ["50.00", "100.00", "100.00", "100.00", "110.00"], criteria=price_only
    )
    services.tender_evaluate(actor=buyer, tender=tender)
    flags = [bid.__class__.objects.get(pk=bid.pk) for bid in bids]
    # Average without the lowest and highest: 100; 15 % below is 85.
    assert [(b.abnormally_low, b.status, b.rank) for b in flags] == [
        (True, "opened", 1),
        (False, "opened", 2),
        (False, "opened", 3),
        (False, "opened", 4),
        (False, "opened", 5),
    ]


def test_excluding_the_best_bid_after_evaluation_reranks_the_lot(buyer, suppliers):
    price_only = [{"name": "Prix", "kind": "price", "weight": D("100")}]
    tender, (cheap, middle, dear) = opened(buyer, suppliers, ["50.00", "80.00", "100.00"], criteria=price_only)
    services.tender_evaluate(actor=buyer, tender=tender)
    services.bid_exclude(actor=buyer, bid=cheap, reason="Prix anormalement bas non justifié")
    middle.refresh_from_db()
    dear.refresh_from_db()
    assert (middle.rank, middle.price_points, dear.rank, dear.price_points) == (1, D("100.00"), 2, D("80.00"))


def test_award_needs_reasons_and_below_eu_level_conclusion_needs_no_standstill(
    buyer, suppliers, mailoutbox, django_capture_on_commit_callbacks
):
    price_only = [{"name": "Prix", "kind": "price", "weight": D("100")}]
    tender, (winner, _loser) = opened(buyer, suppliers, ["90.00", "100.00"], criteria=price_only)
    services.tender_evaluate(actor=buyer, tender=tender)
    lot = tender.lots.get()
    client = client_for(buyer)
    assert client.post(f"/api/v1/tenders/{tender.pk}/award/", {"reasons": {}}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/tenders/{tender.pk}/award/", {"reasons": {lot.pk: "Prix le plus bas"}}, format="json"
        )
    assert response.status_code == 200
    tender.refresh_from_db()
    assert tender.standstill_required is False
    assert tender.standstill_ends_at == tender.awarded_at
    assert tender.documents.filter(kind=DocumentKind.AWARD_REPORT).count() == 1
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {suppliers[0][1].email, suppliers[1][1].email}
    response = client.post(f"/api/v1/tenders/{tender.pk}/conclude/", {}, format="json")
    assert response.status_code == 201
    [agreement] = response.json()
    assert agreement["suppliers"][0]["supplier"] == winner.supplier_id
    assert agreement["remaining_value"] == agreement["maximum_value"] == "150000.00"


def test_the_standstill_is_optional_below_eu_level(buyer, suppliers):
    price_only = [{"name": "Prix", "kind": "price", "weight": D("100")}]
    tender, _bids = opened(buyer, suppliers, ["90.00"], criteria=price_only, standstill_required=True)
    services.tender_evaluate(actor=buyer, tender=tender)
    services.tender_award(actor=buyer, tender=tender, reasons={tender.lots.get().pk: "Seule offre"})
    tender.refresh_from_db()
    assert tender.standstill_ends_at - tender.awarded_at == datetime.timedelta(days=15)


# --- Agreements ----------------------------------------------------------------------------


def test_end_date_moves_within_48_months_only(buyer, supplier_org):
    agreement = concluded_agreement(
        suppliers=[supplier_org], start_date=datetime.date(2026, 1, 15), end_date=datetime.date(2027, 1, 14)
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_modify(
            actor=buyer,
            agreement=agreement,
            legal_ground="review_clause",
            reason="Prolongation",
            end_date=datetime.date(2030, 1, 15),
        )
    assert "2030" in error.value.message_dict["end_date"][0] or "14/01/2030" in error.value.message_dict["end_date"][0]
    amendment = services.agreement_modify(
        actor=buyer,
        agreement=agreement,
        legal_ground="review_clause",
        reason="Prolongation",
        end_date=datetime.date(2030, 1, 14),
    )
    agreement.refresh_from_db()
    assert agreement.end_date == datetime.date(2030, 1, 14)
    assert (amendment.kind, amendment.changes) == (
        "end_date",
        {"before": {"end_date": "2027-01-14"}, "after": {"end_date": "2030-01-14"}},
    )


def test_supplier_substitution_keeps_the_history(buyer, supplier_org):
    agreement = concluded_agreement(suppliers=[supplier_org])
    successor = SupplierFactory(name="Repreneur SA")
    services.agreement_substitute_supplier(
        actor=buyer, agreement=agreement, old_supplier=supplier_org, new_supplier=successor, reason="Reprise"
    )
    links = list(agreement.supplier_links.order_by("pk").values_list("supplier_id", "rank", "active"))
    assert links == [(supplier_org.pk, 1, False), (successor.pk, 1, True)]


def test_expiry_alerts_at_90_and_30_days_once_each(buyer, supplier_org, mailoutbox, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    agreement = concluded_agreement(
        suppliers=[supplier_org],
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=89),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_alerts(today) == 1
        assert services.send_expiry_alerts(today) == 0
        assert services.send_expiry_alerts(today + datetime.timedelta(days=60)) == 1
        assert services.send_expiry_alerts(today + datetime.timedelta(days=61)) == 0
    assert [m.subject for m in mailoutbox] == [
        f"Framework agreement {agreement.reference} ends in 89 days",
        f"Framework agreement {agreement.reference} ends in 29 days",
    ]
    assert mailoutbox[0].to == [buyer.email]


def test_reading_an_agreement_past_its_end_date_expires_it(buyer, supplier_org, commune, active_membership):
    today = timezone.localdate()
    agreement = concluded_agreement(
        suppliers=[supplier_org],
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=1),
    )
    reader = person(commune, Role.MEMBER_OFFICER)
    assert client_for(reader).get(f"/api/v1/agreements/{agreement.pk}/").json()["status"] == AgreementStatus.EXPIRED


def test_members_do_not_see_drafts_or_bids(buyer, suppliers, officer):
    draft = draft_tender(buyer)
    tender = published_tender(buyer)
    services.bid_submit(actor=suppliers[0][1], lot=tender.lots.get(), total_amount=D("1.00"))
    client = client_for(officer)
    assert [t["id"] for t in client.get("/api/v1/tenders/").json()["results"]] == [tender.pk]
    assert client.get(f"/api/v1/tenders/{draft.pk}/").status_code == 404
    assert client.get("/api/v1/bids/").status_code == 403


def test_tender_list_query_count_does_not_grow_with_tenders(buyer, django_assert_max_num_queries):
    for _ in range(3):
        published_tender(buyer, lots=[lot_data(1), lot_data(2)], criteria=criteria_data())
    with django_assert_max_num_queries(12):
        response = client_for(buyer).get("/api/v1/tenders/")
    assert response.json()["count"] == 3


def test_bid_list_query_count_does_not_grow_with_bids(buyer, suppliers, django_assert_max_num_queries):
    tender = published_tender(buyer)
    for _company, user in suppliers:
        services.bid_submit(actor=user, lot=tender.lots.get(), total_amount=D("1.00"))
    with django_assert_max_num_queries(8):
        response = client_for(buyer).get("/api/v1/bids/")
    assert response.json()["count"] == 3


def test_tender_status_filter(buyer):
    draft = draft_tender(buyer)
    published = published_tender(buyer)
    client = client_for(buyer)
    assert [t["id"] for t in client.get("/api/v1/tenders/?status=draft").json()["results"]] == [draft.pk]
    assert [t["id"] for t in client.get("/api/v1/tenders/?open_for_bids=true").json()["results"]] == [published.pk]
    assert Tender.objects.get(pk=published.pk).status == TenderStatus.PUBLISHED


def test_only_member_organisations_can_be_named_beneficiaries(buyer):
    tender = draft_tender(buyer, beneficiary_scope="named")
    observer = OrganizationFactory(kind="observer", nis_code="", name="UVCW")
    with pytest.raises(ValidationError) as error:
        services.tender_update(actor=buyer, tender=tender, beneficiaries=[observer])
    assert error.value.message_dict["beneficiaries"] == ["UVCW is not a member organisation."]


def test_agreement_list_query_count_does_not_grow_with_agreements(buyer, supplier_org, commune):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(buyer)
    concluded_agreement(suppliers=[supplier_org]).beneficiaries.set([commune])

    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/agreements/")
    for _ in range(3):
        concluded_agreement(suppliers=[supplier_org]).beneficiaries.set([commune])
    with CaptureQueriesContext(connection) as more:
        response = client.get("/api/v1/agreements/")
    assert response.json()["count"] == 4
    assert len(more) <= len(first)  # (the first request also computes who the user acts for)
