"""Framework agreement pages: the list, one agreement with its suppliers, consumption gauge and
amendments, and IMIO's decisions (modification, supplier substitution, termination)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.core.permissions import Role
from tenders.models import AgreementAmendment, AgreementStatus, AmendmentKind, FrameworkAgreement
from tests.factories import SupplierFactory, person
from tests.factories.tenders import concluded_agreement
from tests.web.helpers import assert_redirects_to_login, audit_total, fields_of


@pytest.fixture
def company(supplier_user):
    return supplier_user.acting.organization


@pytest.fixture
def agreement(company):
    agreement = concluded_agreement(suppliers=[company], maximum="200000.00", estimated="150000.00")
    agreement.consumed_value = Decimal("50000.00")
    agreement.save(update_fields=["consumed_value"])
    return agreement


@pytest.fixture
def other_supplier(db):
    return person(SupplierFactory(name="Autre SA"), Role.SUPPLIER, username="supplier-other")


@pytest.fixture
def newcomer_company(db):
    return SupplierFactory(name="Repreneur SA")


def state_of(agreement) -> dict:
    return fields_of(agreement, "status", "end_date", "estimated_value", "maximum_value", "status_reason")


# --- List --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["buyer", "officer", "supplier_user"])
def test_buyer_members_and_its_supplier_list_the_agreement(request, login, role_fixture, agreement):
    response = login(request.getfixturevalue(role_fixture)).get(reverse("agreements"))

    assert response.status_code == 200
    assert list(response.context["agreements"]) == [agreement]


def test_a_supplier_does_not_list_agreements_it_is_not_party_to(login, other_supplier, agreement):
    response = login(other_supplier).get(reverse("agreements"))

    assert list(response.context["agreements"]) == []


def test_agreement_list_filters_by_status_and_reference(login, buyer, agreement, company):
    ended = concluded_agreement(suppliers=[company], status=AgreementStatus.TERMINATED)
    client = login(buyer)

    assert list(client.get(reverse("agreements"), {"status": "terminated"}).context["agreements"]) == [ended]
    assert list(client.get(reverse("agreements"), {"q": agreement.reference}).context["agreements"]) == [agreement]


def test_agreement_list_is_forbidden_without_a_role(login, newcomer):
    assert login(newcomer).get(reverse("agreements")).status_code == 403


def test_agreement_list_needs_a_signed_in_person(client, db):
    assert_redirects_to_login(client.get(reverse("agreements")))


def test_agreement_list_queries_do_not_grow_with_rows(login, buyer, company, django_assert_max_num_queries):
    for _ in range(5):
        concluded_agreement(suppliers=[company])
    client = login(buyer)

    with django_assert_max_num_queries(10):
        client.get(reverse("agreements"))


# --- Detail ------------------------------------------------------------------------------------


def test_the_agreement_page_shows_the_gauge_and_what_remains(login, officer, agreement, company):
    response = login(officer).get(reverse("agreement_detail", args=[agreement.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="consumption-gauge" value="50000.00" max="200000.00">' in content
    assert "50,000.00 € consumed of a maximum of 200,000.00 € (25.0 %)" in content
    assert "Remaining: 150,000.00 € excl. VAT." in content
    assert [link.supplier for link in response.context["current_suppliers"]] == [company]
    assert response.context["decisions"] == []


def test_the_buyer_gets_the_decisions(login, buyer, agreement):
    response = login(buyer).get(reverse("agreement_detail", args=[agreement.pk]))

    assert [decision.action for decision in response.context["decisions"]] == ["modify", "substitute", "terminate"]


def test_another_supplier_does_not_find_the_agreement(login, other_supplier, agreement):
    assert login(other_supplier).get(reverse("agreement_detail", args=[agreement.pk])).status_code == 404


def test_agreement_page_is_forbidden_without_a_role(login, newcomer, agreement):
    assert login(newcomer).get(reverse("agreement_detail", args=[agreement.pk])).status_code == 403


def test_an_agreement_past_its_end_expires_when_read(login, buyer, company):
    today = timezone.localdate()
    agreement = concluded_agreement(suppliers=[company])
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(
        start_date=today - datetime.timedelta(days=400), end_date=today - datetime.timedelta(days=1)
    )

    response = login(buyer).get(reverse("agreement_detail", args=[agreement.pk]))

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED
    assert response.context["decisions"] == []


# --- Decisions ---------------------------------------------------------------------------------


def test_buyer_modifies_the_values_with_a_legal_ground(login, buyer, agreement):
    response = login(buyer).post(
        reverse("agreement_modify", args=[agreement.pk]),
        {
            "modify-legal_ground": "review_clause",
            "modify-reason": "Clause de réexamen, article 12 du CSC",
            "modify-end_date": agreement.end_date.isoformat(),
            "modify-estimated_value": "150000.00",
            "modify-maximum_value": "240000.00",
        },
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.maximum_value == Decimal("240000.00")
    amendment = AgreementAmendment.objects.get()
    assert (amendment.kind, amendment.legal_ground) == (AmendmentKind.MODIFICATION, "review_clause")
    page = login(buyer).get(reverse("agreement_detail", args=[agreement.pk]))
    (entry,) = page.context["amendments"]
    assert entry.changes == [("Maximum value excl. VAT", "200,000.00 €", "240,000.00 €")]


def test_an_end_date_beyond_48_months_is_refused_on_its_field(login, buyer, agreement):
    before = state_of(agreement)
    too_late = agreement.start_date.replace(year=agreement.start_date.year + 5)

    response = login(buyer).post(
        reverse("agreement_modify", args=[agreement.pk]),
        {
            "modify-legal_ground": "review_clause",
            "modify-reason": "Prolongation",
            "modify-end_date": too_late.isoformat(),
        },
    )

    assert response.status_code == 200
    modify = next(d for d in response.context["decisions"] if d.action == "modify")
    assert modify.form.errors["end_date"][0].startswith("A framework agreement lasts at most 48 months")
    assert state_of(agreement) == before
    assert not AgreementAmendment.objects.exists()


def test_an_amendment_that_changes_nothing_is_refused(login, buyer, agreement):
    response = login(buyer).post(
        reverse("agreement_modify", args=[agreement.pk]),
        {
            "modify-legal_ground": "non_substantial",
            "modify-reason": "Rien",
            "modify-end_date": agreement.end_date.isoformat(),
            "modify-estimated_value": "150000.00",
            "modify-maximum_value": "200000.00",
        },
    )

    modify = next(d for d in response.context["decisions"] if d.action == "modify")
    assert modify.form.non_field_errors() == ["The amendment changes nothing."]
    assert not AgreementAmendment.objects.exists()


def test_buyer_substitutes_a_supplier(login, buyer, agreement, company, newcomer_company):
    response = login(buyer).post(
        reverse("agreement_substitute", args=[agreement.pk]),
        {
            "substitute-old_supplier": company.pk,
            "substitute-new_supplier": newcomer_company.pk,
            "substitute-legal_ground": "replacement",
            "substitute-reason": "Reprise de l'entreprise",
        },
    )

    assert response.status_code == 302
    page = login(buyer).get(reverse("agreement_detail", args=[agreement.pk]))
    assert [link.supplier for link in page.context["current_suppliers"]] == [newcomer_company]
    assert [link.supplier for link in page.context["former_suppliers"]] == [company]
    (entry,) = page.context["amendments"]
    assert entry.changes == [("Supplier", company.name, newcomer_company.name)]


def test_buyer_terminates_with_a_reason(login, buyer, agreement):
    response = login(buyer).post(
        reverse("agreement_terminate", args=[agreement.pk]), {"terminate-reason": "Faillite du fournisseur"}
    )

    agreement.refresh_from_db()
    assert response.status_code == 302
    assert (agreement.status, agreement.status_reason) == (AgreementStatus.TERMINATED, "Faillite du fournisseur")


@pytest.mark.parametrize("role_fixture", ["officer", "supplier_user"])
def test_members_and_suppliers_cannot_decide(request, login, role_fixture, agreement, newcomer_company, company):
    client = login(request.getfixturevalue(role_fixture))
    before, entries = state_of(agreement), audit_total()

    responses = [
        client.post(
            reverse("agreement_modify", args=[agreement.pk]),
            {"modify-legal_ground": "review_clause", "modify-reason": "x", "modify-maximum_value": "999999.00"},
        ),
        client.post(
            reverse("agreement_substitute", args=[agreement.pk]),
            {
                "substitute-old_supplier": company.pk,
                "substitute-new_supplier": newcomer_company.pk,
                "substitute-legal_ground": "replacement",
                "substitute-reason": "x",
            },
        ),
        client.post(reverse("agreement_terminate", args=[agreement.pk]), {"terminate-reason": "x"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert state_of(agreement) == before
    assert audit_total() == entries
    assert not AgreementAmendment.objects.exists()
