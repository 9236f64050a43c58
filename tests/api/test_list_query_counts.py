"""Every list of the API costs the same number of queries for one row as for five (issue 8: no N+1).

Each case builds one row, reads the list once (what the first request of a user computes once:
who it acts for, the content types…), counts the queries of a second read, adds four more rows of
the same shape (with their suppliers, lines, lots…), and counts again: the two counts are equal.
The reports and OCDS lists have their own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import client_for
from tests.factories import rows as r
from tests.factories.rows import Scene, make_scene

pytestmark = pytest.mark.django_db
MORE = 4


@pytest.fixture
def scene(buyer, commune, officer) -> Scene:
    return make_scene(buyer, commune, officer)


@dataclass(frozen=True)
class Case:
    path: str | Callable[[Scene], str]
    add: Callable[[Scene], None]
    viewer: str = "buyer"

    def url(self, scene):
        return self.path(scene) if callable(self.path) else self.path


CASES = {
    "organizations": Case("/api/v1/organizations/", r.add_organization),
    "memberships": Case("/api/v1/memberships/", r.add_membership),
    "users": Case("/api/v1/users/", r.add_user),
    "surveys": Case("/api/v1/surveys/", r.add_survey),
    "surveys (member)": Case("/api/v1/surveys/", r.add_survey, viewer="officer"),
    "survey declarations": Case(r.open_survey, r.add_declaration),
    "tenders": Case("/api/v1/tenders/", r.add_tender),
    "tender questions": Case(r.a_tender("questions"), r.add_question),
    "tender documents": Case(r.a_tender("documents"), r.add_document),
    "bids": Case("/api/v1/bids/", r.add_bid),
    "bids (supplier)": Case("/api/v1/bids/", r.add_bid, viewer="supplier"),
    "bids (opened)": Case("/api/v1/bids/", r.add_opened_bid),
    "bids (opened, supplier)": Case("/api/v1/bids/", r.add_opened_bid, viewer="supplier"),
    "agreements": Case("/api/v1/agreements/", r.add_agreement),
    "agreements (member)": Case("/api/v1/agreements/", r.add_agreement, viewer="officer"),
    "catalog items": Case("/api/v1/catalog/items/", r.add_catalog_item),
    "catalog items (member)": Case("/api/v1/catalog/items/", r.add_catalog_item, viewer="officer"),
    "catalog items (supplier)": Case("/api/v1/catalog/items/", r.add_catalog_item, viewer="supplier"),
    "catalog imports": Case("/api/v1/catalog/imports/", r.add_catalog_import),
    "catalog revisions": Case("/api/v1/catalog/revisions/", r.add_catalog_revision),
    "subscriptions": Case("/api/v1/subscriptions/", r.add_subscription),
    "subscriptions (member)": Case("/api/v1/subscriptions/", r.add_subscription, viewer="officer"),
    "cart": Case("/api/v1/cart/", r.add_cart_line, viewer="officer"),
    "orders": Case("/api/v1/orders/", r.add_order),
    "orders (member)": Case("/api/v1/orders/", r.add_order, viewer="officer"),
    "call-offs": Case("/api/v1/call-offs/", r.add_call_off),
    "competitions": Case("/api/v1/competitions/", r.add_competition),
    "competitions (member)": Case("/api/v1/competitions/", r.add_competition, viewer="officer"),
    "cpv": Case("/api/v1/cpv/?code=99", r.add_cpv_code),
    "audit": Case("/api/v1/audit/", r.add_audit_entry),
}


def rows_of(body) -> int:
    if isinstance(body, list):
        return len(body)
    if "results" in body:
        return len(body["results"])
    return len(body["lines"])


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_list_costs_the_same_queries_for_one_row_as_for_five(scene, case):
    # given one row, and a first read (who the user acts for, content types: computed once)
    client = client_for(getattr(scene, case.viewer))
    url = case.url(scene)
    case.add(scene)
    first = client.get(url)
    assert first.status_code == 200, first.content
    with CaptureQueriesContext(connection) as one:
        rows = rows_of(client.get(url).json())

    # when four more rows of the same shape are added
    for _ in range(MORE):
        case.add(scene)
    with CaptureQueriesContext(connection) as five:
        more_rows = rows_of(client.get(url).json())

    # then the list shows them, for the same number of queries
    assert more_rows >= rows + MORE
    assert len(five) == len(one), "\n".join(query["sql"] for query in five.captured_queries)
