"""Every list page costs the same number of queries for one row as for five (issue 8: no N+1).

Each case builds one row, shows the page once (sessions, who the user acts for, content types:
computed once), counts the queries of a second showing, adds four more rows of the same shape
(with their suppliers, lines, lots…), and counts again: the two counts are equal. The public
portal pages have their own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import rows as r
from tests.factories.rows import Scene, make_scene
from tests.factories.tenders import lot_data, published_tender

pytestmark = pytest.mark.django_db
MORE = 4


@pytest.fixture
def scene(buyer, commune, officer) -> Scene:
    return make_scene(buyer, commune, officer)


def a_tender(name):
    def path(scene) -> str:
        if "tender" not in scene.parent:
            scene.parent["tender"] = published_tender(scene.buyer, lots=[lot_data(1), lot_data(2)])
        return reverse(name, kwargs={"pk": scene.parent["tender"].pk})

    return path


def of_the_agreement(name):
    def path(scene) -> str:
        return reverse(name, kwargs={"pk": scene.agreement.pk})

    return path


@dataclass(frozen=True)
class Case:
    path: str | Callable[[Scene], str]
    add: Callable[[Scene], None]
    viewer: str = "buyer"

    def url(self, scene):
        return self.path(scene) if callable(self.path) else reverse(self.path)


CASES = {
    "organisations": Case("organizations", r.add_organization),
    "memberships": Case("memberships", r.add_membership),
    "people": Case("people", r.add_user),
    "audit": Case("audit", r.add_audit_entry),
    "cpv": Case(lambda scene: reverse("cpv") + "?q=Essai", r.add_cpv_code),
    "surveys": Case("surveys", r.add_survey),
    "surveys (member)": Case("surveys", r.add_survey, viewer="officer"),
    "tenders": Case("tenders", r.add_tender),
    "tender questions": Case(a_tender("tender_questions"), r.add_question),
    "tender bids": Case(a_tender("tender_bids"), r.add_bid_to_tender),
    "bids": Case("bids", r.add_bid),
    "bids (supplier)": Case("bids", r.add_bid, viewer="supplier"),
    "bids (opened, supplier)": Case("bids", r.add_opened_bid, viewer="supplier"),
    "agreements": Case("agreements", r.add_agreement),
    "agreements (member)": Case("agreements", r.add_agreement, viewer="officer"),
    "catalogue": Case("catalog_search", r.add_catalog_item),
    "catalogue (member)": Case("catalog_search", r.add_catalog_item, viewer="officer"),
    "catalogue imports": Case(of_the_agreement("catalog_imports"), r.add_catalog_import),
    "catalogue revisions": Case(of_the_agreement("catalog_revisions"), r.add_revision),
    "subscriptions": Case("subscriptions", r.add_subscription),
    "subscriptions (member)": Case("subscriptions", r.add_subscription, viewer="officer"),
    "cart": Case("cart", r.add_cart_line, viewer="officer"),
    "orders": Case("orders", r.add_order),
    "orders (member)": Case("orders", r.add_order, viewer="officer"),
    "call-offs": Case("call_offs", r.add_call_off),
    "competitions": Case("competitions", r.add_competition),
    "competitions (member)": Case("competitions", r.add_competition, viewer="officer"),
    "reports": Case("reports", r.add_report_export),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_page_costs_the_same_queries_for_one_row_as_for_five(client, scene, case):
    # given one row, and a first showing (session, who the user acts for: computed once)
    client.force_login(getattr(scene, case.viewer))
    url = case.url(scene)
    case.add(scene)
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content

    # when four more rows of the same shape are added
    for _ in range(MORE):
        case.add(scene)
    with CaptureQueriesContext(connection) as five:
        more = client.get(url).content

    # then the page shows them, for the same number of queries
    assert len(more) > len(page)
    assert len(five) == len(one), "\n".join(query["sql"] for query in five.captured_queries)
