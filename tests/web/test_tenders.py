"""Tender pages: list, page of a tender, drafting with lots and criteria, documents, publication,
questions, cancellation, conclusion, and the public list."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement.core.permissions import Role
from tenders import services
from tenders.models import DocumentKind, FrameworkAgreement, Question, Tender, TenderStatus
from tests.factories import SupplierFactory, person
from tests.factories.tenders import after, clock, criteria_data, draft_tender, lot_data, published_tender
from tests.helpers import database_state
from tests.web.helpers import PDF_BYTES, assert_redirects_to_login, audit_total, messages_of

IN_TEN_DAYS = timezone.localtime() + datetime.timedelta(days=10)


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


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


def tender_post(**overrides) -> dict:
    now = timezone.now()
    data = {
        "reference": "IMIO-2026-777",
        "title": "Mobilier scolaire",
        "description": "",
        "procedure": "open",
        "contract_type": "supplies",
        "cpv_code": "30192000-1",
        "additional_cpv_codes": "30213000-5",
        "beneficiary_scope": "all_members",
        "questions_deadline": local(now + datetime.timedelta(days=10)),
        "submission_deadline": local(now + datetime.timedelta(days=20)),
        "opening_at": local(now + datetime.timedelta(days=20, hours=1)),
        **formset(
            "lots",
            [
                {
                    "number": "1",
                    "title": "Chaises",
                    "cpv_code": "30192000",
                    "estimated_value": "40000.00",
                    "maximum_value": "60000.00",
                    "duration_months": "48",
                    "supplier_mode": "single",
                    "max_suppliers": "1",
                }
            ],
        ),
        **formset(
            "criteria",
            [
                {"name": "Prix", "kind": "price", "weight": "70"},
                {"name": "Qualité", "kind": "quality", "weight": "30"},
            ],
        ),
    }
    data.update(overrides)
    return data


@pytest.fixture
def other_supplier(db):
    return person(SupplierFactory(name="Autre SA"), Role.SUPPLIER, username="supplier-other")


@pytest.fixture
def draft(buyer):
    return draft_tender(buyer)


@pytest.fixture
def published(buyer):
    return published_tender(buyer)


# --- List --------------------------------------------------------------------------------------


def test_buyer_lists_every_tender_with_drafts(login, buyer, draft, published):
    response = login(buyer).get(reverse("tenders"))

    assert response.status_code == 200
    assert set(response.context["tenders"]) == {draft, published}


@pytest.mark.parametrize("role_fixture", ["officer", "supplier_user"])
def test_members_and_suppliers_list_only_published_tenders(request, login, role_fixture, draft, published):
    response = login(request.getfixturevalue(role_fixture)).get(reverse("tenders"))

    assert response.status_code == 200
    assert list(response.context["tenders"]) == [published]


def test_tender_list_filters_by_status_and_searches_reference(login, buyer, draft, published):
    client = login(buyer)

    by_status = client.get(reverse("tenders"), {"status": TenderStatus.DRAFT})
    by_text = client.get(reverse("tenders"), {"q": published.reference})

    assert list(by_status.context["tenders"]) == [draft]
    assert list(by_text.context["tenders"]) == [published]


def test_tender_list_is_forbidden_without_a_role(login, newcomer):
    assert login(newcomer).get(reverse("tenders")).status_code == 403


def test_tender_list_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("tenders")))


def test_tender_list_queries_do_not_grow_with_rows(login, buyer, django_assert_max_num_queries):
    for _ in range(5):
        published_tender(buyer)
    client = login(buyer)

    with django_assert_max_num_queries(12):
        client.get(reverse("tenders"))


# --- Detail ------------------------------------------------------------------------------------


def test_buyer_sees_the_publication_checklist_of_a_draft(login, buyer):
    tender = draft_tender(buyer, criteria=criteria_data(price=60, quality=30))

    response = login(buyer).get(reverse("tender_detail", args=[tender.pk]))

    assert response.status_code == 200
    problems = [check.problem for check in response.context["checklist"] if check.problem]
    assert problems == ["The criteria's weights add up to 90; they must add up to 100."]
    assert response.context["ready"] is False
    assert "disabled" in response.content.decode().split("Publish the tender")[0].rsplit("<button", 1)[1]


def test_a_draft_is_not_found_for_members_and_suppliers(login, officer, supplier_user, draft):
    assert login(officer).get(reverse("tender_detail", args=[draft.pk])).status_code == 404
    assert login(supplier_user).get(reverse("tender_detail", args=[draft.pk])).status_code == 404


def test_member_reads_a_published_tender_without_bidding(login, officer, published):
    response = login(officer).get(reverse("tender_detail", args=[published.pk]))

    assert response.status_code == 200
    assert "checklist" not in response.context
    assert "lot_bids" not in response.context
    assert published.title in response.content.decode()


def test_supplier_is_offered_to_bid_on_each_lot(login, supplier_user, published):
    response = login(supplier_user).get(reverse("tender_detail", args=[published.pk]))

    lot = published.lots.get()
    assert response.context["lot_bids"] == [(lot, None)]
    assert reverse("bid_submit", args=[published.pk, lot.pk]) in response.content.decode()


def test_tender_detail_is_forbidden_without_a_role(login, newcomer, published):
    assert login(newcomer).get(reverse("tender_detail", args=[published.pk])).status_code == 403


def test_a_passed_deadline_closes_the_tender_when_its_page_is_read(login, buyer, published):
    with clock(after(published, "submission_deadline")):
        response = login(buyer).get(reverse("tender_detail", args=[published.pk]))

    published.refresh_from_db()
    assert published.status == TenderStatus.BIDS_CLOSED
    assert response.context["tender"].status == TenderStatus.BIDS_CLOSED


# --- Drafting ----------------------------------------------------------------------------------


def test_buyer_drafts_a_tender_with_lots_criteria_and_cpv_codes(login, buyer):
    response = login(buyer).post(reverse("tender_create"), tender_post())

    tender = Tender.objects.get(reference="IMIO-2026-777")
    assert response.status_code == 302
    assert response.url == reverse("tender_detail", args=[tender.pk])
    assert tender.status == TenderStatus.DRAFT
    assert tender.cpv_code_id == "30192000-1"
    assert list(tender.additional_cpv_codes.values_list("code", flat=True)) == ["30213000-5"]
    lot = tender.lots.get()
    assert (lot.title, lot.cpv_code_id, lot.estimated_value, lot.maximum_value) == (
        "Chaises",
        "30192000-1",
        Decimal("40000.00"),
        Decimal("60000.00"),
    )
    assert [(c.name, c.kind, c.weight) for c in tender.criteria.all()] == [
        ("Prix", "price", Decimal("70.00")),
        ("Qualité", "quality", Decimal("30.00")),
    ]
    assert tender.publication_level == "belgian"


def test_the_draft_form_shows_the_label_of_a_cpv_code(login, buyer):
    response = login(buyer).post(reverse("tender_create"), tender_post(title=""))

    assert response.status_code == 200
    assert "30192000-1 — " in response.content.decode()
    assert response.context["form"].fields["cpv_code"].help_text.startswith("30192000-1 — ")


def test_an_unknown_cpv_code_is_refused_on_its_field(login, buyer):
    response = login(buyer).post(reverse("tender_create"), tender_post(cpv_code="12345678-9"))

    assert response.status_code == 200
    assert response.context["form"].errors["cpv_code"] == [
        "12345678-9 is not a CPV code. Type its 8 digits and check digit."
    ]
    assert not Tender.objects.exists()


def test_criteria_not_adding_up_to_100_are_refused(login, buyer):
    data = tender_post(**{"criteria-1-weight": "20"})

    response = login(buyer).post(reverse("tender_create"), data)

    assert response.status_code == 200
    assert response.context["criterion_formset"].non_form_errors() == [
        "The weights add up to 90; they must add up to 100."
    ]
    assert not Tender.objects.exists()


def test_a_lot_maximum_below_its_estimate_is_refused_on_the_lot(login, buyer):
    response = login(buyer).post(reverse("tender_create"), tender_post(**{"lots-0-maximum_value": "100.00"}))

    assert response.status_code == 200
    assert response.context["lot_formset"].forms[0].errors["maximum_value"] == [
        "The maximum value cannot be below the estimated value."
    ]
    assert not Tender.objects.exists()


def test_a_disallowed_procedure_is_refused_with_the_reason(login, buyer):
    response = login(buyer).post(reverse("tender_create"), tender_post(procedure="low_value"))

    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["procedure"][0]
        .startswith("A low-value contract must stay below 30,000.00 € excl. VAT")
    )
    assert not Tender.objects.exists()


def test_members_cannot_draft_a_tender(login, officer):
    client = login(officer)
    before = database_state()

    assert client.get(reverse("tender_create")).status_code == 403
    assert client.post(reverse("tender_create"), tender_post()).status_code == 403
    assert database_state() == before
    assert not Tender.objects.exists()


def test_buyer_edits_a_draft(login, buyer, draft):
    client = login(buyer)
    form = client.get(reverse("tender_update", args=[draft.pk]))
    lot = draft.lots.get()
    data = tender_post(
        reference=draft.reference,
        title="Fournitures de bureau 2027",
        **formset(
            "lots",
            [
                {
                    "number": "1",
                    "title": lot.title,
                    "estimated_value": "100000.00",
                    "maximum_value": "120000.00",
                    "duration_months": "36",
                    "supplier_mode": "single",
                    "max_suppliers": "1",
                }
            ],
            initial=1,
        ),
    )

    response = client.post(reverse("tender_update", args=[draft.pk]), data)

    assert form.status_code == 200
    assert form.context["lot_formset"].initial_form_count() == 1
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Fournitures de bureau 2027"
    assert draft.lots.get().maximum_value == Decimal("120000.00")
    assert draft.lots.get().duration_months == 36


def test_a_published_tender_is_not_edited(login, buyer, published):
    response = login(buyer).get(reverse("tender_update", args=[published.pk]))

    assert response.status_code == 302
    assert response.url == reverse("tender_detail", args=[published.pk])
    assert messages_of(response) == ["A published tender cannot be changed; publish an addendum or cancel it."]


def test_a_draft_from_a_closed_survey_takes_its_totals_as_lots(login, buyer, officer, active_membership):
    from tests.factories.tenders import cpv

    survey = services.survey_create(
        actor=buyer,
        title="Recensement papier",
        closes_at=IN_TEN_DAYS,
        items=[
            {
                "lot_number": 1,
                "lot_title": "Papier",
                "description": "Ramette A4",
                "unit": "C62",
                "cpv_code": cpv(),
                "estimated_unit_price": Decimal("3.25"),
            }
        ],
    )
    services.survey_open(actor=buyer, survey=survey)
    services.survey_declare(actor=officer, survey=survey, quantities={survey.items.get().pk: Decimal("1000")})
    services.survey_close(actor=buyer, survey=survey)
    client = login(buyer)
    form = client.get(reverse("tender_create"), {"survey": survey.pk})

    response = client.post(reverse("tender_create"), tender_post(survey=str(survey.pk), **formset("lots", [])))

    assert form.context["form"].initial["survey"] == survey
    assert response.status_code == 302
    tender = Tender.objects.get(survey=survey)
    assert [(lot.title, lot.estimated_value) for lot in tender.lots.all()] == [("Papier", Decimal("3250.00"))]
    assert list(tender.beneficiaries.all()) == [officer.acting.organization]


# --- Documents ---------------------------------------------------------------------------------


def test_buyer_attaches_an_annex_to_a_draft(login, buyer, draft):
    upload = SimpleUploadedFile("annexe.pdf", PDF_BYTES, content_type="application/pdf")

    response = login(buyer).post(
        reverse("tender_document_add", args=[draft.pk]), {"kind": "annex", "title": "Annexe 1", "file": upload}
    )

    assert response.status_code == 302
    document = draft.documents.get(kind=DocumentKind.ANNEX)
    assert (document.title, document.size) == ("Annexe 1", len(PDF_BYTES))


def test_after_publication_only_addenda_are_offered(login, buyer, published):
    response = login(buyer).get(reverse("tender_document_add", args=[published.pk]))

    assert [value for value, _label in response.context["form"].fields["kind"].choices] == ["addendum"]


def test_supplier_downloads_the_specifications(login, supplier_user, published):
    document = published.documents.get()

    response = login(supplier_user).get(reverse("tender_document", args=[published.pk, document.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_opening_record_is_not_for_suppliers(login, buyer, supplier_user, published):
    with clock(after(published, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=published)
    record = published.documents.get(kind=DocumentKind.OPENING_RECORD)

    assert login(supplier_user).get(reverse("tender_document", args=[published.pk, record.pk])).status_code == 404
    assert login(buyer).get(reverse("tender_document", args=[published.pk, record.pk])).status_code == 200


def test_a_supplier_cannot_attach_documents(login, supplier_user, published):
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES, content_type="application/pdf")
    before = published.documents.count()

    response = login(supplier_user).post(
        reverse("tender_document_add", args=[published.pk]), {"kind": "addendum", "file": upload}
    )

    assert response.status_code == 403
    assert published.documents.count() == before


# --- Publication and cancellation --------------------------------------------------------------


def test_buyer_publishes_a_complete_draft(login, buyer, draft):
    response = login(buyer).post(reverse("tender_publish", args=[draft.pk]))

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == TenderStatus.PUBLISHED
    assert messages_of(response) == ["The tender is published: suppliers can read it, ask questions and bid."]


def test_an_incomplete_draft_is_not_published_and_says_why(login, buyer):
    tender = draft_tender(buyer, criteria=[])
    entries = audit_total()

    response = login(buyer).post(reverse("tender_publish", args=[tender.pk]))

    tender.refresh_from_db()
    assert tender.status == TenderStatus.DRAFT
    assert messages_of(response) == ["Add the award criteria."]
    assert audit_total() == entries


def test_a_member_cannot_publish(login, officer, draft):
    before = database_state()

    assert login(officer).post(reverse("tender_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == TenderStatus.DRAFT
    assert database_state() == before


def test_buyer_cancels_with_a_reason(login, buyer, published):
    client = login(buyer)
    assert client.get(reverse("tender_cancel", args=[published.pk])).status_code == 200

    response = client.post(reverse("tender_cancel", args=[published.pk]), {"reason": "Besoins revus"})

    published.refresh_from_db()
    assert response.status_code == 302
    assert (published.status, published.status_reason) == (TenderStatus.CANCELLED, "Besoins revus")


def test_cancelling_needs_a_reason(login, buyer, published):
    response = login(buyer).post(reverse("tender_cancel", args=[published.pk]), {"reason": ""})

    published.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert published.status == TenderStatus.PUBLISHED


def test_a_supplier_cannot_cancel(login, supplier_user, published):
    response = login(supplier_user).post(reverse("tender_cancel", args=[published.pk]), {"reason": "x"})

    published.refresh_from_db()
    assert response.status_code == 403
    assert published.status == TenderStatus.PUBLISHED


# --- Questions ---------------------------------------------------------------------------------


def test_supplier_asks_a_question_and_sees_it_as_its_own(login, supplier_user, published):
    client = login(supplier_user)

    response = client.post(
        reverse("tender_question_ask", args=[published.pk]), {"ask-question": "Le papier recyclé est-il accepté ?"}
    )
    page = client.get(reverse("tender_questions", args=[published.pk]))

    assert response.status_code == 302
    question = Question.objects.get()
    assert question.supplier == supplier_user.acting.organization
    assert [q for q, _form in page.context["rows"]] == [question]
    assert "your question" in page.content.decode()


def test_answers_are_public_and_the_askers_name_stays_with_imio(login, buyer, supplier_user, other_supplier, published):
    question = services.question_ask(actor=supplier_user, tender=published, question="Délai de livraison ?")
    company = supplier_user.acting.organization.name

    buyer_page = login(buyer).get(reverse("tender_questions", args=[published.pk]))
    answered = login(buyer).post(
        reverse("tender_question_answer", args=[published.pk, question.pk]), {f"q{question.pk}-answer": "Dix jours."}
    )
    other_page = login(other_supplier).get(reverse("tender_questions", args=[published.pk]))

    assert company in buyer_page.content.decode()
    assert answered.status_code == 302
    question.refresh_from_db()
    assert question.answer == "Dix jours."
    assert "Dix jours." in other_page.content.decode()
    assert company not in other_page.content.decode()


def test_an_unanswered_question_of_another_supplier_is_not_shown(login, supplier_user, other_supplier, published):
    services.question_ask(actor=supplier_user, tender=published, question="Question confidentielle ?")

    page = login(other_supplier).get(reverse("tender_questions", args=[published.pk]))

    assert page.context["rows"] == []
    assert "Question confidentielle" not in page.content.decode()


def test_questions_after_the_deadline_are_refused(login, supplier_user, published):
    client = login(supplier_user)
    with clock(after(published, "questions_deadline")):
        page = client.get(reverse("tender_questions", args=[published.pk]))
        response = client.post(reverse("tender_question_ask", args=[published.pk]), {"ask-question": "Trop tard ?"})

    assert page.context["ask_form"] is None
    assert response.status_code == 302
    assert messages_of(response) == ["The questions deadline has passed."]
    assert not Question.objects.exists()


def test_members_can_neither_ask_nor_answer(login, officer, supplier_user, published):
    question = services.question_ask(actor=supplier_user, tender=published, question="Q ?")
    client = login(officer)

    asked = client.post(reverse("tender_question_ask", args=[published.pk]), {"ask-question": "Q ?"})
    answered = client.post(
        reverse("tender_question_answer", args=[published.pk, question.pk]), {f"q{question.pk}-answer": "R."}
    )

    assert (asked.status_code, answered.status_code) == (403, 403)
    question.refresh_from_db()
    assert question.answer == ""
    assert Question.objects.count() == 1


# --- Conclusion --------------------------------------------------------------------------------


def awarded_tender(buyer, supplier_user, **fields):
    tender = published_tender(
        buyer, lots=[lot_data(1, estimated="20000", maximum="25000")], criteria=criteria_data(100, 0), **fields
    )
    services.bid_submit(actor=supplier_user, lot=tender.lots.get(), total_amount=Decimal("19000.00"))
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        services.tender_evaluate(actor=buyer, tender=tender)
        services.tender_award(actor=buyer, tender=tender, reasons={tender.lots.get().pk: "Seule offre"})
    return tender


def test_buyer_concludes_and_the_tender_page_lists_the_agreement(login, buyer, supplier_user):
    tender = awarded_tender(buyer, supplier_user)
    with clock(after(tender, "standstill_ends_at")):
        client = login(buyer)
        page = client.get(reverse("tender_conclude", args=[tender.pk]))
        response = client.post(reverse("tender_conclude", args=[tender.pk]), {"start_date": ""})

        detail = client.get(reverse("tender_detail", args=[tender.pk]))

    agreement = FrameworkAgreement.objects.get()
    assert page.context["standstill_over"] is True
    assert response.status_code == 302
    assert messages_of(response) == [f"The framework agreements are concluded: {agreement.reference}."]
    assert list(detail.context["agreements"]) == [agreement]


def test_conclusion_waits_for_the_standstill(login, buyer, supplier_user):
    tender = awarded_tender(buyer, supplier_user, standstill_required=True)

    with clock(after(tender, "standstill_ends_at", days=-1)):
        client = login(buyer)
        page = client.get(reverse("tender_conclude", args=[tender.pk]))
        response = client.post(reverse("tender_conclude", args=[tender.pk]), {"start_date": ""})

    assert page.context["standstill_over"] is False
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("The standstill period ends on ")
    assert not FrameworkAgreement.objects.exists()


def test_a_supplier_cannot_conclude(login, buyer, supplier_user):
    tender = awarded_tender(buyer, supplier_user)

    with clock(after(tender, "standstill_ends_at")):
        response = login(supplier_user).post(reverse("tender_conclude", args=[tender.pk]), {"start_date": ""})

    assert response.status_code == 403
    assert not FrameworkAgreement.objects.exists()


# --- Navigation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role_fixture", "expected", "absent"),
    [
        ("buyer", ["surveys", "tenders", "agreements"], ["bids"]),
        ("officer", ["surveys", "tenders", "agreements"], ["bids"]),
        ("supplier_user", ["tenders", "bids", "agreements"], ["surveys"]),
    ],
)
def test_navigation_offers_the_tender_pages_by_permission(request, login, role_fixture, expected, absent):
    content = login(request.getfixturevalue(role_fixture)).get(reverse("dashboard")).content.decode()
    nav = content.split('class="site-nav"')[1].split("</nav>")[0]

    for name in expected:
        assert f'href="{reverse(name)}"' in nav, name
    for name in absent:
        assert f'href="{reverse(name)}"' not in nav, name


# --- Every page --------------------------------------------------------------------------------


@pytest.fixture
def tender_pages(buyer, supplier_user, published) -> list[str]:
    from tests.factories.tenders import concluded_agreement

    lot = published.lots.get()
    bid = services.bid_submit(actor=supplier_user, lot=lot, total_amount=Decimal("1000.00"))
    question = services.question_ask(actor=supplier_user, tender=published, question="Q ?")
    survey = services.survey_create(actor=buyer, title="Recensement", closes_at=IN_TEN_DAYS)
    agreement = concluded_agreement(suppliers=[supplier_user.acting.organization])
    document = published.documents.get()
    return [
        reverse("surveys"),
        reverse("survey_create"),
        reverse("survey_detail", args=[survey.pk]),
        reverse("survey_update", args=[survey.pk]),
        reverse("survey_declare", args=[survey.pk]),
        reverse("tenders"),
        reverse("tender_create"),
        reverse("tender_detail", args=[published.pk]),
        reverse("tender_update", args=[published.pk]),
        reverse("tender_document_add", args=[published.pk]),
        reverse("tender_document", args=[published.pk, document.pk]),
        reverse("tender_cancel", args=[published.pk]),
        reverse("tender_questions", args=[published.pk]),
        reverse("bid_submit", args=[published.pk, lot.pk]),
        reverse("tender_bids", args=[published.pk]),
        reverse("tender_record_bid", args=[published.pk]),
        reverse("tender_evaluation", args=[published.pk]),
        reverse("tender_award", args=[published.pk]),
        reverse("tender_conclude", args=[published.pk]),
        reverse("bids"),
        reverse("bid_detail", args=[bid.pk]),
        reverse("bid_replace", args=[bid.pk]),
        reverse("bid_attachment", args=[bid.pk, "0" * 32]),
        reverse("agreements"),
        reverse("agreement_detail", args=[agreement.pk]),
    ], [
        reverse("survey_open", args=[survey.pk]),
        reverse("survey_close", args=[survey.pk]),
        reverse("tender_publish", args=[published.pk]),
        reverse("tender_question_ask", args=[published.pk]),
        reverse("tender_question_answer", args=[published.pk, question.pk]),
        reverse("tender_open_bids", args=[published.pk]),
        reverse("tender_evaluate", args=[published.pk]),
        reverse("bid_withdraw", args=[bid.pk]),
        reverse("bid_score", args=[bid.pk]),
        reverse("bid_exclude", args=[bid.pk]),
        reverse("bid_reinstate", args=[bid.pk]),
        reverse("agreement_modify", args=[agreement.pk]),
        reverse("agreement_substitute", args=[agreement.pk]),
        reverse("agreement_terminate", args=[agreement.pk]),
    ]


def test_every_tender_page_sends_anonymous_visitors_to_login(client, tender_pages):
    pages, actions = tender_pages
    for url in pages:
        assert_redirects_to_login(client.get(url))
    for url in actions:
        assert_redirects_to_login(client.post(url))


def test_every_tender_page_is_forbidden_to_someone_without_an_organisation(login, newcomer, tender_pages):
    pages, actions = tender_pages
    client = login(newcomer)
    before = database_state()

    for url in pages:
        assert client.get(url).status_code == 403, url
    for url in actions:
        assert client.post(url).status_code == 403, url
    assert database_state() == before


def test_a_member_reads_the_questions_of_a_published_tender_not_of_a_draft(login, officer, published, draft):
    client = login(officer)

    assert client.get(reverse("tender_questions", args=[published.pk])).status_code == 200
    assert client.get(reverse("tender_questions", args=[draft.pk])).status_code == 404


def test_the_edit_form_is_forbidden_to_members(login, officer, published):
    response = login(officer).get(reverse("tender_update", args=[published.pk]))

    assert response.status_code == 403


def test_a_supplier_cannot_record_e_tendering_bids(login, supplier_user, published):
    response = login(supplier_user).get(reverse("tender_record_bid", args=[published.pk]))

    assert response.status_code == 403
