"""OCDS publication: release and record packages for processes in every state, validated
against the official 1.1.5 schemas with the lots and techniques extensions; stable ocids;
sealed bids; no personal data."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procurement.core.permissions import Role
from procurement.orders import services as ordering
from reports.ocds import processes
from tenders import services
from tenders.models import FrameworkAgreement
from tests.factories import MembershipFactory, SupplierFactory, person
from tests.factories.orders import DELIVERY, catalogue_line, sent, subscribe
from tests.factories.tenders import after, clock, concluded_agreement, criteria_data, lot_data, published_tender
from tests.reports.ocds_validation import assert_valid

pytestmark = pytest.mark.django_db
D = Decimal
RELEASES = "/api/v1/ocds/releases/"
RECORDS = "/api/v1/ocds/records/"
BID = D("19000.00")


@pytest.fixture
def company(db):
    return SupplierFactory(name="Bureau Meuse SA", enterprise_number="0403170701")


@pytest.fixture
def supplier_user(company):
    return person(company, Role.SUPPLIER, username="meuse", first_name="Marc", last_name="Lejeune")


@pytest.fixture
def member(commune):
    MembershipFactory(member=commune)
    return commune


@pytest.fixture
def approver(member):
    return person(member, Role.MEMBER_APPROVER, username="commune-approver")


STEPS = ("published", "bid", "opened", "awarded", "concluded")


def tender_at(step: str, buyer, supplier_user, **fields):
    """A one-lot tender walked through the services up to ``step``."""
    tender = published_tender(
        buyer,
        title="Fournitures de bureau 2027",
        lots=[lot_data(1, title="Papier", estimated="20000", maximum="25000")],
        criteria=criteria_data(100, 0),
        **fields,
    )
    if step == "published":
        return tender
    services.bid_submit(actor=supplier_user, lot=tender.lots.get(), total_amount=BID)
    if step == "bid":
        return tender
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        if step == "opened":
            return tender
        services.tender_evaluate(actor=buyer, tender=tender)
        services.tender_award(actor=buyer, tender=tender, reasons={tender.lots.get().pk: "Seule offre"})
    if step == "awarded":
        return tender
    with clock(after(tender, "standstill_ends_at")):
        services.tender_conclude(actor=buyer, tender=tender)
    return tender


def fetch(client, url=RELEASES, **params) -> tuple[dict, str]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    text = response.content.decode()
    return json.loads(text), text


def releases_of(client, tender) -> tuple[list[dict], str]:
    package, text = fetch(client, tender=tender.reference)
    assert_valid(package)
    return package["releases"], text


def ocid(kind, pk) -> str:
    return f"ocds-imiobe-{kind}-{pk}"


# --- The first stage, in each state ------------------------------------------------------------


def test_a_published_tender_is_one_tender_release_with_its_lots_cpv_and_framework(client, buyer, supplier_user, imio):
    tender = tender_at("published", buyer, supplier_user)

    [release], text = releases_of(client, tender)

    key = ocid("tender", tender.pk)
    assert (release["ocid"], release["id"], release["tag"]) == (key, f"{key}-tender", ["tender"])
    assert release["buyer"] == {"id": f"BE-BCE_KBO-{imio.enterprise_number}", "name": imio.name}
    assert [(party["name"], party["roles"]) for party in release["parties"]] == [
        (imio.name, ["buyer", "procuringEntity"])
    ]
    body = release["tender"]
    assert (body["id"], body["title"], body["status"]) == (tender.reference, "Fournitures de bureau 2027", "active")
    assert (body["procurementMethod"], body["mainProcurementCategory"]) == ("open", "goods")
    assert body["procurementMethodDetails"] == "procédure ouverte"  # in the platform's language
    assert body["value"] == {"amount": 25000, "currency": "EUR"}
    assert body["lots"] == [
        {
            "id": "1",
            "title": "Papier",
            "status": "active",
            "value": {"amount": 25000, "currency": "EUR"},
            "techniques": {
                "hasFrameworkAgreement": True,
                "frameworkAgreement": {
                    "method": "withoutReopeningCompetition",
                    "maximumParticipants": 1,
                    "value": {"amount": 25000, "currency": "EUR"},
                    "description": "Accord-cadre d’une durée maximale de 48 mois.",  # in the platform’s language
                },
            },
        }
    ]
    assert body["techniques"]["hasFrameworkAgreement"] is True
    assert body["items"][0]["classification"]["scheme"] == "CPV"
    assert body["items"][0]["classification"]["id"] == "30192000-1"
    assert body["items"][0]["relatedLot"] == "1"
    [document] = body["documents"]
    assert document["url"] == f"http://testserver/public/tenders/{tender.pk}/documents/{document['id']}/".replace(
        "http://testserver", "http://127.0.0.1:8000"
    )
    assert "tenderers" not in body
    assert "numberOfTenderers" not in body
    assert "awards" not in release
    assert '"amount": 25000.00' in text  # amounts are JSON numbers written from Decimal


@pytest.mark.parametrize("step", ["published", "bid"])
def test_nothing_about_bids_before_the_opening(client, buyer, supplier_user, company, step):
    tender = tender_at(step, buyer, supplier_user)

    releases, text = releases_of(client, tender)
    _records, record_text = fetch(client, RECORDS, ocid=ocid("tender", tender.pk))

    assert [release["tag"] for release in releases] == [["tender"]]
    for output in (text, record_text):
        assert company.name not in output
        assert "tenderers" not in output
        assert "numberOfTenderers" not in output
        assert "19000" not in output


def test_the_opening_names_the_bidders_without_their_amounts(client, buyer, supplier_user, company):
    tender = tender_at("opened", buyer, supplier_user)

    releases, text = releases_of(client, tender)

    assert [release["tag"] for release in releases] == [["tender"], ["tenderUpdate"]]
    opening = releases[1]
    assert opening["tender"]["numberOfTenderers"] == 1
    assert opening["tender"]["tenderers"] == [{"id": "BE-BCE_KBO-0403170701", "name": "Bureau Meuse SA"}]
    assert ["tenderer"] in [party["roles"] for party in opening["parties"]]
    assert "19000" not in text
    assert "awards" not in opening


def test_the_award_is_the_framework_agreement_at_the_lot_maximum(client, buyer, supplier_user, company):
    tender = tender_at("awarded", buyer, supplier_user)

    releases, text = releases_of(client, tender)

    assert [release["id"].rsplit("-", 1)[1] for release in releases] == ["tender", "opening", "award"]
    award = releases[-1]
    assert award["tender"]["status"] == "complete"
    assert award["awards"] == [
        {
            "id": "lot-1",
            "title": "Papier",
            "status": "pending",
            "date": award["date"],
            "value": {"amount": 25000, "currency": "EUR"},
            "suppliers": [{"id": "BE-BCE_KBO-0403170701", "name": "Bureau Meuse SA"}],
            "relatedLots": ["1"],
            "description": "Seule offre",
        }
    ]
    assert "19000" not in text  # a bid's amount is never published here: the award is the agreement's maximum


def test_a_concluded_tender_with_call_offs_links_each_to_the_framework(
    client, buyer, supplier_user, company, member, officer, approver
):
    tender = tender_at("concluded", buyer, supplier_user)
    agreement = FrameworkAgreement.objects.get()
    subscribe(member, agreement)
    paper = catalogue_line(agreement, company, "P-A4", "3.2549", name="Ramette papier A4 80 g")
    delivered = sent(officer, approver, {paper: 100})
    ordering.order_confirm(actor=supplier_user, order=delivered)
    ordering.order_deliver(actor=supplier_user, order=delivered, quantities={delivered.lines.get().pk: "100"})
    cancelled = sent(officer, approver, {paper: 10})
    ordering.order_cancel(actor=officer, order=cancelled, reason="Doublon")
    with clock(after(tender, "standstill_ends_at", days=1)):  # the agreement's first day
        call_off = ordering.call_off_record(
            actor=buyer,
            agreement=agreement,
            member=member,
            supplier=company,
            reference="BC-PAPIER-7",
            ordered_on=agreement.start_date,
            amount_excl_vat=D("1200.00"),
            source="supplier",
        )
        ordering.call_off_cancel(actor=buyer, call_off=call_off, reason="Erreur d'encodage")

    package, text = fetch(client, tender=tender.reference)

    assert_valid(package)
    by_process: dict[str, list[str]] = {}
    for release in package["releases"]:
        by_process.setdefault(release["ocid"], []).append(release["id"].removeprefix(release["ocid"] + "-"))
    assert by_process == {
        ocid("tender", tender.pk): ["tender", "opening", "award", "agreement"],
        ocid("order", delivered.pk): ["award", "delivery"],
        ocid("order", cancelled.pk): ["award", "cancellation"],
        ocid("calloff", call_off.pk): ["award", "cancellation"],
    }
    agreement_release = package["releases"][3]
    [award] = agreement_release["awards"]
    assert award["status"] == "active"
    assert award["title"] == agreement.reference
    assert set(award["contractPeriod"]) == {"startDate", "endDate"}
    assert (
        agreement_release["tender"]["lots"][0]["techniques"]["frameworkAgreement"]["period"] == award["contractPeriod"]
    )
    order_release = package["releases"][4]
    assert order_release["buyer"] == {"id": order_release["buyer"]["id"], "name": member.name}
    assert order_release["relatedProcesses"] == [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": f"{agreement.reference} {agreement.title}",
            "scheme": "ocid",
            "identifier": ocid("tender", tender.pk),
            "relatedLots": ["1"],
        }
    ]
    assert order_release["tender"]["competitive"] is False
    assert order_release["tender"]["techniques"] == {"hasFrameworkAgreement": True}
    [contract] = order_release["contracts"]
    assert (contract["id"], contract["status"], contract["value"]) == (
        delivered.number,
        "active",
        {"amount": float(delivered.total_excl_vat), "currency": "EUR"},
    )
    assert contract["items"][0]["unit"] == {
        "scheme": "UNCEFACT",
        "id": "C62",
        "name": "pièce",
        "value": {"amount": 3.2549, "currency": "EUR"},
    }
    # the records compile each process's current state
    records, _text = fetch(client, RECORDS, ocid=ocid("order", delivered.pk))
    assert_valid(records, "record")
    [record] = records["records"]
    assert record["compiledRelease"]["contracts"][0]["status"] == "terminated"
    assert record["compiledRelease"]["tag"] == ["compiled"]
    cancelled_record, _text = fetch(client, RECORDS, ocid=ocid("calloff", call_off.pk))
    assert_valid(cancelled_record, "record")
    compiled = cancelled_record["records"][0]["compiledRelease"]
    assert (compiled["awards"][0]["status"], compiled["contracts"][0]["status"]) == ("cancelled", "cancelled")
    # no personal data: officers, contacts, addresses stay on the platform
    for private in (
        DELIVERY["contact_name"],
        DELIVERY["contact_email"],
        DELIVERY["contact_phone"],
        "Place de l",
        officer.email,
        officer.last_name,
        supplier_user.last_name,
        buyer.username,
        "Doublon",
    ):
        assert private not in text, private


def test_a_cancelled_tender_ends_with_a_cancellation(client, buyer, supplier_user):
    tender = tender_at("awarded", buyer, supplier_user)
    services.tender_cancel(actor=buyer, tender=tender, reason="Besoin disparu")

    releases, _text = releases_of(client, tender)

    last = releases[-1]
    assert (last["id"], last["tag"], last["tender"]["status"]) == (
        f"{ocid('tender', tender.pk)}-cancellation",
        ["tenderCancellation"],
        "cancelled",
    )
    assert [award["status"] for award in last["awards"]] == ["cancelled"]
    assert [lot["status"] for lot in last["tender"]["lots"]] == ["cancelled"]


def test_an_unsuccessful_tender_says_so(client, buyer, supplier_user):
    tender = tender_at("published", buyer, supplier_user)  # nobody bids
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        services.tender_evaluate(actor=buyer, tender=tender)
    tender.refresh_from_db()
    assert tender.status == "unsuccessful"

    releases, _text = releases_of(client, tender)

    assert [release["tag"] for release in releases] == [["tender"], ["tenderUpdate"], ["tenderUpdate"]]
    assert releases[1]["tender"]["numberOfTenderers"] == 0
    assert (releases[-1]["tender"]["status"], releases[-1]["tender"]["lots"][0]["status"]) == (
        "unsuccessful",
        "unsuccessful",
    )


# --- Mini-competitions -----------------------------------------------------------------------------


@pytest.fixture
def reopening(member):
    companies = [SupplierFactory(name=name) for name in ("Mobilier Hainaut SA", "Bureaux de Liège SRL")]
    agreement = concluded_agreement(suppliers=companies, maximum="50000.00", estimated="40000.00")
    agreement.supplier_mode = "mini_competition"
    agreement.save(update_fields=["supplier_mode"])
    agreement.tender.criteria.create(position=1, name="Prix", kind="price", weight=D("100"))
    subscribe(member, agreement, estimated="20000.00")
    return agreement, [(company, person(company, Role.SUPPLIER)) for company in companies]


def _competition(officer, member, agreement):
    competition = ordering.competition_create(
        actor=officer,
        agreement=agreement,
        member=member,
        title="Mobilier de la salle du conseil",
        description="Tables modulables pour 40 personnes.",
        deadline=timezone.now() + datetime.timedelta(days=10),
        lines=[{"description": "Table modulable 160 × 80", "unit": "C62", "quantity": "20"}],
        **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
    )
    return ordering.competition_publish(actor=officer, competition=competition)


def test_a_mini_competition_is_its_own_process_with_sealed_quotes(client, officer, member, reopening):
    agreement, ((first, first_user), (second, second_user)) = reopening
    competition = _competition(officer, member, agreement)
    line = competition.lines.get()
    ordering.quote_submit(
        actor=first_user, competition=competition, prices={line.pk: {"unit_price": "310", "vat_rate": "21"}}
    )
    ordering.quote_submit(
        actor=second_user, competition=competition, prices={line.pk: {"unit_price": "280", "vat_rate": "21"}}
    )
    key = ocid("competition", competition.pk)

    sealed, _text = fetch(client, tender=agreement.tender.reference)
    sealed_text = json.dumps([release for release in sealed["releases"] if release["ocid"] == key])
    with clock(competition.deadline + datetime.timedelta(minutes=1)):
        ordering.competition_close(actor=officer, competition=competition)
        best = competition.quotes.get(supplier=second)
        order = ordering.competition_award(
            actor=officer, competition=competition, quote=best, reason="Prix le plus bas"
        )
    package, _text = fetch(client, tender=agreement.tender.reference)

    assert_valid(sealed)
    assert [release["id"] for release in sealed["releases"] if release["ocid"] == key] == [f"{key}-tender"]
    for text in (first.name, second.name, '"amount": 5600', '"amount": 6200', "numberOfTenderers", "awards"):
        assert text not in sealed_text
    assert_valid(package)
    mine = [release for release in package["releases"] if release["ocid"] == key]
    assert [release["tag"] for release in mine] == [["tender"], ["tenderUpdate"], ["award"]]
    assert mine[0]["tender"]["competitive"] is True
    assert mine[0]["relatedProcesses"][0]["identifier"] == ocid("tender", agreement.tender_id)
    assert mine[1]["tender"]["numberOfTenderers"] == 2
    [award] = mine[2]["awards"]
    assert award["suppliers"][0]["name"] == "Bureaux de Liège SRL"
    assert (
        award["value"]
        == {"amount": float(order.total_excl_vat), "currency": "EUR"}
        == {"amount": 5600, "currency": "EUR"}
    )
    # the order it ends with belongs to the competition, not to a process of its own
    assert ocid("order", order.pk) not in {release["ocid"] for release in package["releases"]}


# --- Identifiers, paging, filters ----------------------------------------------------------------


def test_ocids_and_release_ids_are_stable_across_exports(client, buyer, supplier_user):
    first = tender_at("awarded", buyer, supplier_user)
    before = list(processes.stream())

    tender_at("opened", buyer, supplier_user)  # more data, later
    again = [release for release in processes.stream() if release["ocid"] == ocid("tender", first.pk)]

    assert again == before
    assert [release["id"] for release in before] == [
        f"ocds-imiobe-tender-{first.pk}-{stage}" for stage in ("tender", "opening", "award")
    ]


def test_ocid_prefix_is_configurable(client, buyer, supplier_user, settings):
    settings.OCDS_PREFIX = "ocds-a1b2c3"
    tender = tender_at("published", buyer, supplier_user)

    [release], _text = releases_of(client, tender)

    assert release["ocid"] == f"ocds-a1b2c3-tender-{tender.pk}"
    assert processes.find(f"ocds-imiobe-tender-{tender.pk}") is None


def test_since_keeps_the_releases_dated_from_it(client, buyer, supplier_user):
    tender = tender_at("opened", buyer, supplier_user)
    tender.refresh_from_db()
    since = (tender.opened_at - datetime.timedelta(seconds=1)).isoformat()

    package, _text = fetch(client, since=since)

    assert_valid(package)
    assert [release["tag"] for release in package["releases"]] == [["tenderUpdate"]]
    empty, _text = fetch(client, since=(timezone.localdate(tender.opened_at) + datetime.timedelta(days=1)).isoformat())
    assert empty["releases"] == []


def test_pages_follow_the_cursor_through_every_kind(client, buyer, supplier_user, member, officer, approver, company):
    tender_at("concluded", buyer, supplier_user)
    agreement = FrameworkAgreement.objects.get()
    subscribe(member, agreement)
    paper = catalogue_line(agreement, company, "P-A4", "3.2549")
    orders = [sent(officer, approver, {paper: quantity}) for quantity in (1, 2)]

    seen, url, pages = [], RELEASES + "?page_size=1", 0
    while url:
        package, _text = fetch(client, url.replace("http://testserver", ""))
        assert_valid(package)
        seen.extend(release["id"] for release in package["releases"])
        url = package.get("links", {}).get("next")
        pages += 1

    assert pages == 3
    assert seen == [release["id"] for release in processes.stream()]
    assert {ocid("order", order.pk) + "-award" for order in orders} <= set(seen)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "hier"}, "since"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"cursor": "elsewhere:12"}, "cursor"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(client, params, field):
    response = client.get(RELEASES, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_unknown_or_draft_processes_answer_404(client, buyer, supplier_user):
    draft = tender_at("published", buyer, supplier_user)
    draft.status = "draft"
    draft.save(update_fields=["status"])

    assert client.get(RELEASES, {"tender": draft.reference}).status_code == 404
    assert client.get(RECORDS, {"ocid": ocid("tender", draft.pk)}).status_code == 404
    assert client.get(RECORDS, {"ocid": "ocds-other-tender-1"}).status_code == 404
    assert client.get(RECORDS, {"ocid": ocid("order", 999999)}).status_code == 404


def test_a_page_costs_the_same_queries_for_one_or_many_processes(
    client, buyer, supplier_user, member, officer, approver, company
):
    tender_at("concluded", buyer, supplier_user)
    agreement = FrameworkAgreement.objects.get()
    subscribe(member, agreement)
    paper = catalogue_line(agreement, company, "P-A4", "3.2549")
    sent(officer, approver, {paper: 1})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            fetch(client)
        return len(captured)

    one = queries()
    for quantity in (2, 3, 4, 5):
        sent(officer, approver, {paper: quantity})
    assert queries() == one


def test_records_page_compiles_every_process(client, buyer, supplier_user):
    tender_at("awarded", buyer, supplier_user)
    tender_at("published", buyer, supplier_user)

    package, _text = fetch(client, RECORDS)

    assert_valid(package, "record")
    assert [record["compiledRelease"]["tender"]["status"] for record in package["records"]] == ["complete", "active"]


# --- Files: the buyer's download and the bulk export -----------------------------------------------


def test_the_buyer_downloads_the_ocds_of_a_tender_from_its_page(client, buyer, supplier_user):
    tender = tender_at("awarded", buyer, supplier_user)
    url = reverse("portal:tender_ocds", args=[tender.pk])
    staff = Client()
    staff.force_login(buyer)

    page = staff.get(reverse("tender_detail", args=[tender.pk]))
    response = client.get(url)

    assert url in page.content.decode()
    assert response["Content-Disposition"] == f'attachment; filename="{ocid("tender", tender.pk)}.json"'
    package = json.loads(response.content)
    assert_valid(package, "record")
    assert package["records"][0]["compiledRelease"]["awards"][0]["status"] == "pending"


def test_export_ocds_writes_one_valid_package(tmp_path, buyer, supplier_user):
    old = tender_at("awarded", buyer, supplier_user)
    old.refresh_from_db()
    output = tmp_path / "ocds.json"

    call_command("export_ocds", "--output", str(output))
    later = tmp_path / "later.json"
    since = old.published_at + datetime.timedelta(seconds=1)
    call_command("export_ocds", "--since", since.isoformat(), "--output", str(later))

    package = json.loads(output.read_text())
    assert_valid(package)
    assert [release["tag"] for release in package["releases"]] == [["tender"], ["tenderUpdate"], ["award"]]
    assert package["uri"] == "http://127.0.0.1:8000/api/v1/ocds/releases/"
    assert [release["tag"] for release in json.loads(later.read_text())["releases"]] == [["tenderUpdate"], ["award"]]


def test_a_cancelled_mini_competition_ends_with_its_cancellation(client, officer, member, reopening):
    agreement, _suppliers = reopening
    competition = _competition(officer, member, agreement)
    ordering.competition_cancel(actor=officer, competition=competition, reason="Besoin reporté")
    key = ocid("competition", competition.pk)

    records, _text = fetch(client, RECORDS, ocid=key)

    assert_valid(records, "record")
    [record] = records["records"]
    assert [release["id"] for release in record["releases"]] == [f"{key}-tender", f"{key}-cancellation"]
    assert record["compiledRelease"]["tender"]["status"] == "cancelled"
