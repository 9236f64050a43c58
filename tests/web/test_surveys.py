"""Needs survey pages: IMIO prepares (items formset), opens and closes a survey and reads the
totals; members declare their own quantities and see only those."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders import services
from tenders.models import NeedsSurvey, SurveyDeclaration, SurveyStatus
from tests.factories import MembershipFactory
from tests.factories.tenders import clock, cpv
from tests.helpers import database_state
from tests.web.helpers import assert_redirects_to_login, audit_total, messages_of


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def items_formset(rows: list[dict], initial: int = 0) -> dict:
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"items-{index}-{name}": value for name, value in row.items()})
    return data


def item(**overrides) -> dict:
    return {
        "lot_number": "1",
        "lot_title": "Papier",
        "description": "Ramette A4",
        "unit": "C62",
        "cpv_code": "30192000-1",
        "estimated_unit_price": "3.2500",
        **overrides,
    }


def empty_row() -> dict:
    """An untouched extra row: only its initial values."""
    return {"lot_number": "1", "unit": "C62"}


def make_survey(buyer, *, open_it=True, closes_at=None):
    survey = services.survey_create(
        actor=buyer,
        title="Recensement fournitures 2027",
        closes_at=closes_at or in_days(10),
        items=[
            {
                "lot_number": 1,
                "lot_title": "Papier",
                "description": "Ramette A4",
                "unit": "C62",
                "cpv_code": cpv(),
                "estimated_unit_price": Decimal("3.25"),
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
    if open_it:
        services.survey_open(actor=buyer, survey=survey)
    return survey


@pytest.fixture
def member(officer, active_membership):
    """An officer of a member with an active membership."""
    return officer


@pytest.fixture
def other_member(other_officer, other_commune):
    MembershipFactory(member=other_commune)
    return other_officer


@pytest.fixture
def survey(buyer):
    return make_survey(buyer)


# --- List and page -----------------------------------------------------------------------------


def test_buyer_lists_every_survey_and_members_the_open_ones(login, buyer, officer):
    draft = make_survey(buyer, open_it=False)
    opened = make_survey(buyer)

    by_buyer = login(buyer).get(reverse("surveys"))
    by_member = login(officer).get(reverse("surveys"))

    assert set(by_buyer.context["surveys"]) == {draft, opened}
    assert list(by_member.context["surveys"]) == [opened]


def test_survey_list_is_forbidden_to_suppliers(login, supplier_user):
    assert login(supplier_user).get(reverse("surveys")).status_code == 403


def test_survey_list_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("surveys")))


def test_a_draft_survey_is_not_found_for_members(login, buyer, officer):
    draft = make_survey(buyer, open_it=False)

    assert login(officer).get(reverse("survey_detail", args=[draft.pk])).status_code == 404


def test_a_survey_page_is_forbidden_to_suppliers(login, supplier_user, survey):
    assert login(supplier_user).get(reverse("survey_detail", args=[survey.pk])).status_code == 403


def test_buyer_sees_totals_members_and_every_declaration(login, buyer, member, other_member, survey):
    paper, laptop = survey.items.all()
    services.survey_declare(actor=member, survey=survey, quantities={paper.pk: Decimal("1000"), laptop.pk: 2})
    services.survey_declare(actor=other_member, survey=survey, quantities={paper.pk: Decimal("500")})

    response = login(buyer).get(reverse("survey_detail", args=[survey.pk]))

    assert response.status_code == 200
    totals = [(row["item"], row["quantity"], row["members"], row["value"]) for row in response.context["totals"]]
    assert totals == [
        (paper, Decimal("1500"), 2, Decimal("4875.00")),
        (laptop, Decimal("2"), 1, Decimal("1700.00")),
    ]
    assert response.context["total_value"] == Decimal("6575.00")
    assert response.context["member_count"] == 2
    assert len(response.context["declarations"]) == 3
    assert "6,575.00 €" in response.content.decode()


def test_a_member_sees_only_its_own_declarations(login, member, other_member, survey):
    paper, _laptop = survey.items.all()
    services.survey_declare(actor=member, survey=survey, quantities={paper.pk: Decimal("1000")})
    # A fraction: no name or number drawn by the factories' sequences can contain "777,5".
    services.survey_declare(actor=other_member, survey=survey, quantities={paper.pk: Decimal("777.5")})

    response = login(member).get(reverse("survey_detail", args=[survey.pk]))

    assert [d.quantity for d in response.context["declarations"]] == [Decimal("1000")]
    assert "totals" not in response.context
    assert "777,5" not in response.content.decode()
    assert "777.5" not in response.content.decode()
    assert other_member.acting.organization.name not in response.content.decode()


def test_a_survey_past_its_closing_date_is_closed_when_read(login, buyer, survey):
    with clock(survey.closes_at + datetime.timedelta(minutes=1)):
        response = login(buyer).get(reverse("survey_detail", args=[survey.pk]))

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    assert response.context["survey"].status == SurveyStatus.CLOSED


# --- Preparing ---------------------------------------------------------------------------------


def test_buyer_prepares_a_survey_with_items(login, buyer):
    data = {
        "title": "Recensement mobilier",
        "description": "Pour les écoles",
        "closes_at": local(in_days(15)),
        **items_formset(
            [item(), item(lot_number="2", lot_title="Chaises", description="Chaise", cpv_code="30192000"), empty_row()]
        ),
    }

    response = login(buyer).post(reverse("survey_create"), data)

    survey = NeedsSurvey.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("survey_detail", args=[survey.pk])
    assert survey.status == SurveyStatus.DRAFT
    assert [(i.lot_number, i.description, i.cpv_code_id) for i in survey.items.all()] == [
        (1, "Ramette A4", "30192000-1"),
        (2, "Chaise", "30192000-1"),
    ]


def test_an_item_with_an_unknown_cpv_code_is_refused_on_its_row(login, buyer):
    data = {"title": "Recensement", "closes_at": local(in_days(15)), **items_formset([item(cpv_code="99999999-9")])}

    response = login(buyer).post(reverse("survey_create"), data)

    assert response.status_code == 200
    assert response.context["item_formset"].forms[0].errors["cpv_code"] == [
        "99999999-9 is not a CPV code. Type its 8 digits and check digit."
    ]
    assert not NeedsSurvey.objects.exists()


def test_members_cannot_prepare_surveys(login, officer):
    before = database_state()
    data = {"title": "x", "closes_at": local(in_days(15)), **items_formset([item()])}

    assert login(officer).post(reverse("survey_create"), data).status_code == 403
    assert database_state() == before
    assert not NeedsSurvey.objects.exists()


def test_buyer_edits_the_items_of_a_draft(login, buyer):
    survey = make_survey(buyer, open_it=False)
    client = login(buyer)
    form = client.get(reverse("survey_update", args=[survey.pk]))
    data = {
        "title": "Recensement révisé",
        "description": "",
        "closes_at": local(in_days(20)),
        **items_formset([item(description="Ramette A3")], initial=0),
    }

    response = client.post(reverse("survey_update", args=[survey.pk]), data)

    survey.refresh_from_db()
    assert form.context["item_formset"].initial_form_count() == 2
    assert response.status_code == 302
    assert survey.title == "Recensement révisé"
    assert [i.description for i in survey.items.all()] == ["Ramette A3"]


def test_an_open_survey_only_moves_its_closing_date(login, buyer, survey):
    client = login(buyer)
    form = client.get(reverse("survey_update", args=[survey.pk]))
    later = in_days(30)

    response = client.post(reverse("survey_update", args=[survey.pk]), {"closes_at": local(later)})

    survey.refresh_from_db()
    assert list(form.context["form"].fields) == ["closes_at"]
    assert form.context["item_formset"] is None
    assert response.status_code == 302
    assert timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M") == local(later)


# --- Opening and closing -----------------------------------------------------------------------


def test_buyer_opens_a_draft(login, buyer):
    survey = make_survey(buyer, open_it=False)

    response = login(buyer).post(reverse("survey_open", args=[survey.pk]))

    survey.refresh_from_db()
    assert response.status_code == 302
    assert survey.status == SurveyStatus.OPEN


def test_a_survey_without_items_does_not_open_and_says_why(login, buyer):
    survey = services.survey_create(actor=buyer, title="Vide", closes_at=in_days(10))
    entries = audit_total()

    response = login(buyer).post(reverse("survey_open", args=[survey.pk]))

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    assert messages_of(response) == ["Add at least one item before opening the survey."]
    assert audit_total() == entries


def test_buyer_closes_a_survey(login, buyer, member, survey):
    paper, _laptop = survey.items.all()
    services.survey_declare(actor=member, survey=survey, quantities={paper.pk: Decimal("10")})

    response = login(buyer).post(reverse("survey_close", args=[survey.pk]))

    survey.refresh_from_db()
    assert response.status_code == 302
    assert survey.status == SurveyStatus.CLOSED
    assert list(survey.participants.all()) == [member.acting.organization]


def test_a_member_cannot_open_or_close(login, member, buyer, survey):
    draft = make_survey(buyer, open_it=False)
    client = login(member)

    assert client.post(reverse("survey_open", args=[draft.pk])).status_code == 403
    assert client.post(reverse("survey_close", args=[survey.pk])).status_code == 403
    draft.refresh_from_db()
    survey.refresh_from_db()
    assert (draft.status, survey.status) == (SurveyStatus.DRAFT, SurveyStatus.OPEN)


# --- Declaring ---------------------------------------------------------------------------------


def test_member_declares_its_needs_prefilled_with_what_it_declared(login, member, survey):
    paper, laptop = survey.items.all()
    services.survey_declare(actor=member, survey=survey, quantities={paper.pk: Decimal("100")})
    client = login(member)
    form = client.get(reverse("survey_declare", args=[survey.pk]))

    response = client.post(
        reverse("survey_declare", args=[survey.pk]), {f"item_{paper.pk}": "250", f"item_{laptop.pk}": "3"}
    )

    assert form.context["form"][f"item_{paper.pk}"].value() == Decimal("100")
    assert form.context["form"][f"item_{laptop.pk}"].value() is None
    assert response.status_code == 302
    assert messages_of(response) == ["Your needs are recorded."]
    declared = dict(SurveyDeclaration.objects.filter(member=member.acting.organization).values_list("item", "quantity"))
    assert declared == {paper.pk: Decimal("250.000"), laptop.pk: Decimal("3.000")}


def test_an_empty_quantity_withdraws_the_declaration(login, member, survey):
    paper, laptop = survey.items.all()
    services.survey_declare(actor=member, survey=survey, quantities={paper.pk: Decimal("100")})

    login(member).post(reverse("survey_declare", args=[survey.pk]), {f"item_{paper.pk}": "", f"item_{laptop.pk}": ""})

    assert not SurveyDeclaration.objects.exists()


def test_a_member_without_an_active_membership_is_refused(login, officer, survey):
    paper, _laptop = survey.items.all()

    response = login(officer).post(reverse("survey_declare", args=[survey.pk]), {f"item_{paper.pk}": "10"})

    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Only active members declare their needs;")
    assert not SurveyDeclaration.objects.exists()


def test_the_buyer_and_suppliers_cannot_declare(login, buyer, supplier_user, survey):
    paper, _laptop = survey.items.all()

    for person_ in (buyer, supplier_user):
        response = login(person_).post(reverse("survey_declare", args=[survey.pk]), {f"item_{paper.pk}": "10"})
        assert response.status_code == 403
    assert not SurveyDeclaration.objects.exists()


def test_a_draft_survey_cannot_be_declared_on(login, buyer, member):
    draft = make_survey(buyer, open_it=False)

    assert login(member).get(reverse("survey_declare", args=[draft.pk])).status_code == 404


def test_survey_list_queries_do_not_grow_with_rows(login, buyer, django_assert_max_num_queries):
    for _ in range(5):
        make_survey(buyer, open_it=False)
    client = login(buyer)

    with django_assert_max_num_queries(8):
        client.get(reverse("surveys"))


def test_a_member_cannot_edit_a_survey(login, member, survey):
    before = survey.closes_at

    assert login(member).get(reverse("survey_update", args=[survey.pk])).status_code == 403
    response = login(member).post(reverse("survey_update", args=[survey.pk]), {"closes_at": local(in_days(40))})

    survey.refresh_from_db()
    assert response.status_code == 403
    assert survey.closes_at == before
