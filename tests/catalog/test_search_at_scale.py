"""What keeps search fast on a million lines: capped counts, a search's order, the CPV filter, the walk.

The same results are expected on SQLite and on PostgreSQL (where the match is answered by the
generated search vector, or, in a walk, line by line).
"""

from decimal import Decimal

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import search, selectors, services
from catalog.models import CatalogItem
from procurement.core.pagination import CappedPaginator
from tests.api.conftest import client_for
from tests.catalog.conftest import xlsx

pytestmark = pytest.mark.django_db

PAPERS = [
    [f"P-{number:03}", f"Ramette papier A4 n° {number}", "C62", "3,25", "21", "", "30197630-1"]
    for number in range(1, 13)
]
OTHERS = [
    ["CL-LEV", "Classeur à levier dos 8 cm", "C62", "2,15", "21", "2,90", "30192000-1"],
    ["LAP-14", "Ordinateur portable 14 pouces", "C62", "890,00", "21", "", "30213100-6"],
]


@pytest.fixture
def catalogue(buyer, agreement):
    services.import_apply(
        actor=buyer, price_import=services.import_upload(actor=buyer, agreement=agreement, file=xlsx(PAPERS + OTHERS))
    )
    return agreement


def papers(user, order=search.NEWEST_FIRST):
    return selectors.search_items(user, "papier", language="fr").order_by(*order)


def test_counts_stop_at_the_cap_and_pages_stay_within_it(buyer, catalogue):
    newest_first = list(papers(buyer).values_list("supplier_reference", flat=True))
    assert newest_first == [f"P-{number:03}" for number in range(12, 0, -1)]

    exact = search.CatalogPaginator(papers(buyer), 5, cap=20)
    assert (exact.count, exact.exact, exact.num_pages) == (12, True, 3)
    assert [item.supplier_reference for item in exact.page(3)] == ["P-002", "P-001"]

    capped = search.CatalogPaginator(papers(buyer), 5, cap=10)
    assert (capped.count, capped.exact, capped.num_pages) == (10, False, 2)
    assert [item.supplier_reference for item in capped.page(1)] == newest_first[:5]
    assert [item.supplier_reference for item in capped.page(2)] == newest_first[5:10]  # not P-002, P-001
    with pytest.raises(EmptyPage):
        capped.page(3)


def test_few_rows_are_read_by_id_in_any_order(buyer, catalogue):
    by_price_then_name = papers(buyer, ("-unit_price", "name_fr", "id"))
    paginator = CappedPaginator(by_price_then_name, 3, cap=50)
    with CaptureQueriesContext(connection) as queries:
        names = [item.name_fr for item in paginator.page(1)]
    assert names == ["Ramette papier A4 n° 1", "Ramette papier A4 n° 10", "Ramette papier A4 n° 11"]
    head, page = (query["sql"] for query in queries.captured_queries)
    assert "LIMIT 51" in head  # the cap + 1…
    assert "ORDER BY" not in head  # … in the planner's order
    assert " IN (" in page  # the page reads the ids found, not every match again


def test_a_walk_finds_the_same_lines_as_the_index(buyer, catalogue):
    for query in ("papier", "ramette a4", "ordinateur portable", "P-007", "nothing-like-this"):
        items = selectors.search_items(buyer, query, language="fr").order_by(*search.NEWEST_FIRST)
        with CaptureQueriesContext(connection) as queries:
            walked = list(search.walk(items).values_list("pk", flat=True))
        assert walked == list(items.values_list("pk", flat=True)), query
        if connection.vendor == "postgresql" and query != "P-007":
            assert "ts_match_vq(" in queries.captured_queries[-1]["sql"]


def test_the_api_says_when_the_count_is_capped(buyer, catalogue, settings, monkeypatch):
    monkeypatch.setattr(search.CatalogPaginator, "cap", 10)
    client = client_for(buyer)
    body = client.get("/api/v1/catalog/items/?search=papier&page_size=4").json()
    assert (body["count"], body["count_exact"]) == (10, False)
    assert [row["supplier_reference"] for row in body["results"]] == ["P-012", "P-011", "P-010", "P-009"]
    assert (
        client.get("/api/v1/catalog/items/?search=papier&page_size=4&page=3").json()["results"][-1][
            "supplier_reference"
        ]
        == "P-003"
    )
    assert client.get("/api/v1/catalog/items/?search=papier&page_size=4&page=4").status_code == 404
    assert client.get("/api/v1/catalog/items/?search=classeur").json() | {"results": None} == {
        "count": 1,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": None,
    }


def test_a_search_comes_newest_first_unless_an_order_is_asked(buyer, catalogue):
    client = client_for(buyer)
    refs = lambda url: [row["supplier_reference"] for row in client.get(url).json()["results"]]  # noqa: E731
    assert refs("/api/v1/catalog/items/?search=ramette&page_size=3") == ["P-012", "P-011", "P-010"]
    assert refs("/api/v1/catalog/items/?search=ramette&page_size=3&ordering=name_fr") == ["P-001", "P-010", "P-011"]
    assert refs("/api/v1/catalog/items/?page_size=2") == ["CL-LEV", "LAP-14"]  # browsing: by name


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("30", 14),  # a division: paper, the binder and the laptop
        ("301", 13),  # a group: not the laptop (302…)
        ("3019", 13),
        ("30197", 12),
        ("30197630-1", 12),  # a whole code, check digit and all
        ("30192000", 1),  # a class written in full: the codes under it
        ("302", 1),
        ("3021", 1),
        ("39", 0),
    ],
)
def test_the_cpv_filter_takes_prefixes_and_whole_codes(buyer, catalogue, typed, expected):
    items = search.in_cpv(selectors.items_for(buyer), typed)
    assert items.count() == expected
    assert client_for(buyer).get(f"/api/v1/catalog/items/?cpv={typed}").json()["count"] == expected


def test_a_reader_finds_a_line_by_its_words_in_any_of_its_languages(buyer, agreement):
    headers = ["Référence", "Désignation", "Désignation NL", "Unité", "Prix unitaire HTVA", "Taux TVA"]
    rows = [["BUR-1", "Bureau réglable", "Verstelbaar bureau", "C62", "420", "21"]]
    services.import_apply(
        actor=buyer, price_import=services.import_upload(actor=buyer, agreement=agreement, file=xlsx(rows, headers))
    )
    # A Dutch reader finds the line by its Dutch name, and by its French one (the vector of every
    # language is searched, and "reglable" stems alike in both).
    for query, language in [("reglable", "fr"), ("verstelbaar", "nl"), ("reglable", "nl")]:
        found = selectors.search_items(buyer, query, language=language).values_list("supplier_reference", flat=True)
        assert list(found) == ["BUR-1"], (query, language)
    assert CatalogItem.objects.get().unit_price == Decimal("420")
