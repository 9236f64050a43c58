"""Search (same results on SQLite and PostgreSQL for these data), filters, tenancy; revisions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog import services
from catalog.models import CatalogItem, ItemPrice
from procurement.core.models import AuditEntry
from procurement.core.permissions import Role
from tests.api.conftest import client_for
from tests.catalog.conftest import xlsx
from tests.factories import MembershipFactory, person
from tests.factories.tenders import concluded_agreement

pytestmark = pytest.mark.django_db
D = Decimal

CATALOGUE = [
    ["HP-CF259A", "Toner noir HP 59A", "C62", "89,90", "21", "119,00", "30125100-2"],
    ["P-A4-80", "Ramette papier A4 80 g recyclé", "C62", "3,25", "21", "4,10", "30197630-1"],
    ["P-A3-80", "Ramette papier A3 80 g", "C62", "6,50", "21", "", "30197630-1"],
    ["CL-LEV", "Classeur à levier dos 8 cm", "C62", "2,15", "21", "2,90", "30192000-1"],
    ["LAP-14", "Ordinateur portable 14 pouces", "C62", "890,00", "21", "1.099,00", "30213100-6"],
    ["NET-5L", "Nettoyant sol écologique 5 l", "C62", "14,50", "6", "", "39831000-6"],
]


@pytest.fixture
def catalogue(buyer, agreement):
    services.import_apply(
        actor=buyer, price_import=services.import_upload(actor=buyer, agreement=agreement, file=xlsx(CATALOGUE))
    )
    return agreement


def refs(response):
    assert response.status_code == 200, response.content
    return [row["supplier_reference"] for row in response.json()["results"]]


def test_search_by_words_reference_and_cpv_label(buyer, catalogue):
    client = client_for(buyer)
    assert refs(client.get("/api/v1/catalog/items/?search=ramette A4")) == ["P-A4-80"]
    assert refs(client.get("/api/v1/catalog/items/?search=papier&ordering=unit_price")) == ["P-A4-80", "P-A3-80"]
    assert refs(client.get("/api/v1/catalog/items/?search=HP-CF259A")) == ["HP-CF259A"]
    assert refs(client.get("/api/v1/catalog/items/?search=ecologique")) == ["NET-5L"]  # accents do not matter
    # "Ordinateurs portables" is the CPV label of 30213100-6: found by its CPV label
    assert refs(client.get("/api/v1/catalog/items/?search=ordinateur")) == ["LAP-14"]


def test_filters_cpv_prefix_price_range_vat_and_ordering(buyer, catalogue):
    client = client_for(buyer)
    assert refs(client.get("/api/v1/catalog/items/?cpv=3019&ordering=-unit_price")) == ["P-A3-80", "P-A4-80", "CL-LEV"]
    assert refs(client.get("/api/v1/catalog/items/?price_min=3&price_max=20&ordering=unit_price")) == [
        "P-A4-80",
        "P-A3-80",
        "NET-5L",
    ]
    assert refs(client.get("/api/v1/catalog/items/?vat_rate=6")) == ["NET-5L"]
    assert refs(client.get("/api/v1/catalog/items/?cpv=3019&search=papier&ordering=unit_price")) == [
        "P-A4-80",
        "P-A3-80",
    ]


def test_member_sees_the_lines_of_agreements_it_may_use(buyer, catalogue, commune, company):
    MembershipFactory(member=commune)
    officer = person(commune, Role.MEMBER_OFFICER)
    named = concluded_agreement(suppliers=[company], beneficiary_scope="named")
    services.import_apply(
        actor=buyer, price_import=services.import_upload(actor=buyer, agreement=named, file=xlsx([CATALOGUE[0]]))
    )
    listed = client_for(officer).get("/api/v1/catalog/items/?search=toner").json()["results"]
    assert [row["agreement"] for row in listed] == [catalogue.pk]
    hidden = CatalogItem.objects.get(agreement=named)
    assert client_for(officer).get(f"/api/v1/catalog/items/{hidden.pk}/").status_code == 404


def test_a_supplier_sees_only_its_own_lines_and_imports(buyer, catalogue, rival):
    _company, user = rival
    client = client_for(user)
    assert client.get("/api/v1/catalog/items/").json()["count"] == 0
    assert client.get("/api/v1/catalog/imports/").json()["count"] == 0
    line = CatalogItem.objects.first()
    assert client.get(f"/api/v1/catalog/items/{line.pk}/").status_code == 404


def test_list_query_count_does_not_grow_with_lines(buyer, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client_for(buyer).get("/api/v1/catalog/items/").json()["count"] == 6


def test_indexation_by_percentage_keeps_the_history(buyer, catalogue):
    services.revision_create(
        actor=buyer,
        agreement=catalogue,
        kind="percentage",
        percentage=D("2.5"),
        effective_date=timezone.localdate(),
        reason="Clause de révision art. 15 du CSC",
    )
    item = CatalogItem.objects.get(supplier_reference="P-A4-80")
    assert item.unit_price == D("3.3313")  # 3.25 × 1.025 = 3.33125 → 3.3313 (half up, 4 places)
    assert list(item.prices.order_by("pk").values_list("unit_price", flat=True)) == [D("3.2500"), D("3.3313")]
    [entry] = AuditEntry.objects.filter(action="catalog.revised")
    assert entry.data["lines"] == 6


def test_formula_revision_scheduled_for_next_month(buyer, catalogue):
    later = timezone.localdate() + datetime.timedelta(days=31)
    formula = {
        "fixed": "0.2",
        "indices": [
            {"name": "salaires", "weight": "0.5", "base": "100", "current": "110"},
            {"name": "matières", "weight": "0.3", "base": "200", "current": "190"},
        ],
    }
    services.revision_create(
        actor=buyer,
        agreement=catalogue,
        kind="formula",
        formula=formula,
        effective_date=later,
        reason="Formule de révision du CSC",
    )
    item = CatalogItem.objects.get(supplier_reference="LAP-14")
    assert item.unit_price == D("890.0000")  # until the date
    scheduled = item.prices.get(applied=False)
    # factor = 0.2 + 0.5 × 1.1 + 0.3 × 0.95 = 1.035
    assert (scheduled.unit_price, scheduled.effective_from) == (D("921.1500"), later)
    services.apply_due_prices(later)
    item.refresh_from_db()
    assert item.unit_price == D("921.1500")


def test_a_formula_whose_weights_do_not_add_up_is_refused(buyer, catalogue):
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            actor=buyer,
            agreement=catalogue,
            kind="formula",
            effective_date=timezone.localdate(),
            reason="x",
            formula={"fixed": "0.2", "indices": [{"weight": "0.5", "base": "100", "current": "110"}]},
        )
    assert error.value.message_dict == {"formula": ["The fixed part and the weights must add up to 1."]}
    assert ItemPrice.objects.count() == 6


def test_an_import_with_an_idempotency_key_is_created_once(buyer, agreement):
    from django.core.files.base import ContentFile

    client = client_for(buyer)
    content = xlsx(CATALOGUE).read()  # the same bytes twice (an XLSX written again carries a new timestamp)
    for _ in range(2):
        response = client.post(
            "/api/v1/catalog/imports/",
            {"agreement": agreement.pk, "file": ContentFile(content, name="tarif.xlsx"), "mode": "delta"},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="tarif-2026",
        )
        assert response.status_code == 201
    assert agreement.imports.count() == 1


def test_a_big_file_is_read_in_the_background_with_progress(
    buyer, agreement, settings, django_capture_on_commit_callbacks
):
    settings.CATALOG_BACKGROUND_BYTES = 10  # every file is "big": read by the (eager) worker
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(buyer).post(
            "/api/v1/catalog/imports/",
            {"agreement": agreement.pk, "file": xlsx(CATALOGUE), "mode": "delta"},
            format="multipart",
        )
    assert response.status_code == 201
    detail = client_for(buyer).get(f"/api/v1/catalog/imports/{response.json()['id']}/").json()
    assert detail["status"] == "previewed"
    assert detail["progress"] == {"done": 6, "total": 6}
