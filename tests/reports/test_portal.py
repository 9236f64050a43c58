"""The transparency portal (``/public/``), read by an anonymous visitor: every page answers,
drafts stay hidden, the filters find what they say, the sealed rules hold (no bidder nor count
before the opening, no amount before the award), records never download, the Atom feed is
valid, the lists' queries do not grow with their rows, and no person is ever named."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from procurement.core.permissions import Role
from procurement.orders import services as order_services
from tenders import services
from tenders.models import AgreementStatus, DocumentKind, FrameworkAgreement, Lot, Tender, TenderDocument
from tests.factories import MembershipFactory, SupplierFactory, person
from tests.factories.members import PDF_BYTES
from tests.factories.orders import approved, catalogue_line, subscribe
from tests.factories.tenders import (
    COMPUTERS,
    after,
    clock,
    concluded_agreement,
    cpv,
    criteria_data,
    draft_tender,
    lot_data,
    published_tender,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BID_AMOUNT = Decimal("19000.00")
# How 19 000 may be written, in any language and grouping: none may appear before the award.
AMOUNT_SPELLINGS = ("19000", "19 000", "19,000", "19.000", "19\u202f000", "19\xa0000")


@pytest.fixture
def anonymous(client, settings):
    """A visitor who did not sign in, reading the pages in English (the message ids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def buyer(imio):
    """IMIO's buyer, with a name and an e-mail address that must never reach the portal."""
    return person(
        imio,
        Role.BUYER,
        username="imio-buyer",
        first_name="Maximilienne",
        last_name="Vandenbroucke",
        email="maximilienne.vandenbroucke@imio.example",
    )


@pytest.fixture
def bidder_org(db):
    return SupplierFactory(name="Bureau Plus SA")


@pytest.fixture
def bidder(bidder_org):
    return person(bidder_org, Role.SUPPLIER, username="bureau-plus", first_name="Corentin", last_name="Lemaire")


def one_lot_tender(buyer, **fields) -> Tender:
    return published_tender(
        buyer, lots=[lot_data(1, estimated="20000", maximum="25000")], criteria=criteria_data(100, 0), **fields
    )


def with_bid(buyer, bidder, **fields) -> Tender:
    tender = one_lot_tender(buyer, **fields)
    services.bid_submit(actor=bidder, lot=tender.lots.get(), total_amount=BID_AMOUNT)
    return tender


def opened(buyer, bidder, **fields) -> Tender:
    tender = with_bid(buyer, bidder, **fields)
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
    return tender


def awarded(buyer, bidder, **fields) -> Tender:
    tender = opened(buyer, bidder, **fields)
    with clock(after(tender, "opening_at", minutes=2)):
        services.tender_evaluate(actor=buyer, tender=tender)
        services.tender_award(actor=buyer, tender=tender, reasons={tender.lots.get().pk: "Seule offre"})
    tender.refresh_from_db()
    return tender


def concluded(buyer, bidder, **fields) -> tuple[Tender, FrameworkAgreement]:
    tender = awarded(buyer, bidder, **fields)
    with clock(after(tender, "awarded_at")):
        [agreement] = services.tender_conclude(actor=buyer, tender=tender)
    tender.refresh_from_db()
    return tender, agreement


def content_of(response) -> str:
    return response.content.decode()


def references(response, name: str = "tenders") -> list[str]:
    return [row.reference for row in response.context[name]]


def feed_entries(response) -> list[etree._Element]:
    return etree.fromstring(response.content).findall(f"{ATOM}entry")


# --- Every page, anonymously ------------------------------------------------------------------


def test_every_page_answers_an_anonymous_visitor(anonymous, buyer, bidder):
    tender, agreement = concluded(buyer, bidder)
    document = TenderDocument.objects.get(tender=tender, kind=DocumentKind.SPECIFICATIONS)
    urls = [
        reverse("portal:home"),
        reverse("portal:tenders"),
        reverse("portal:tender", args=[tender.pk]),
        reverse("portal:document", args=[tender.pk, document.pk]),
        reverse("portal:tender_ocds", args=[tender.pk]),
        reverse("portal:agreements"),
        reverse("portal:agreement", args=[agreement.pk]),
        reverse("portal:open_data"),
        reverse("portal:feed"),
    ]

    statuses = {url: anonymous.get(url).status_code for url in urls}

    assert statuses == dict.fromkeys(urls, 200)


def test_the_pages_speak_french_unless_told(client, buyer):
    tender = one_lot_tender(buyer)

    response = client.get(reverse("portal:tender", args=[tender.pk]))

    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in content_of(response)


def test_the_portal_link_is_in_the_header_for_everyone(anonymous):
    response = anonymous.get(reverse("portal:tenders"))

    header = content_of(response).split("<main", 1)[0]
    assert f'<a class="portal-link" href="{reverse("portal:home")}" aria-current="true">Transparency</a>' in header
    assert f'<link rel="alternate" type="application/atom+xml" href="{reverse("portal:feed")}"' in header
    # the site's name leads an anonymous visitor to the portal, not to the sign-in page
    assert f'<a class="site-name" href="{reverse("portal:home")}">' in header


def test_an_anonymous_visitor_switches_the_language_on_a_portal_page(anonymous, buyer):
    tender = one_lot_tender(buyer)
    page = reverse("portal:tender", args=[tender.pk])

    response = anonymous.post(reverse("set_language"), {"language": "nl", "next": page})
    read = anonymous.get(page)

    assert response.status_code == 302
    assert response["Location"] == page
    assert '<html lang="nl"' in content_of(read)


# --- Drafts -------------------------------------------------------------------------------------


def test_a_draft_is_not_found_nor_listed_nor_in_the_feed(anonymous, buyer):
    draft = draft_tender(buyer, title="Projet secret")
    published = one_lot_tender(buyer)

    detail = anonymous.get(reverse("portal:tender", args=[draft.pk]))
    listed = anonymous.get(reverse("portal:tenders"))
    feed = anonymous.get(reverse("portal:feed"))
    ocds = anonymous.get(reverse("portal:tender_ocds", args=[draft.pk]))

    assert detail.status_code == 404
    assert ocds.status_code == 404
    assert references(listed) == [published.reference]
    assert "Projet secret" not in content_of(listed)
    assert [entry.findtext(f"{ATOM}title") for entry in feed_entries(feed)] == [
        f"{published.reference} — {published.title}"
    ]


# --- Tender list and its filters ----------------------------------------------------------------


@pytest.fixture
def stages(buyer, bidder):
    """One tender at each public stage, read three days from now: open, under evaluation
    (deadline passed), awarded, closed (cancelled)."""
    now = timezone.now()
    soon = {
        "questions_deadline": now + datetime.timedelta(days=1),
        "submission_deadline": now + datetime.timedelta(days=2),
        "opening_at": now + datetime.timedelta(days=2, hours=1),
    }
    open_ = published_tender(
        buyer,
        reference="IMIO-OPEN",
        title="Mobilier scolaire",
        description="Bancs et pupitres pour les écoles communales",
        lots=[lot_data(1, title="Chaises empilables", cpv_code=cpv(COMPUTERS))],
    )
    evaluation = published_tender(buyer, reference="IMIO-EVAL", title="Papier recyclé", **soon)
    awarded_ = awarded(buyer, bidder, reference="IMIO-AWARD", title="Fournitures de bureau")
    closed = published_tender(buyer, reference="IMIO-CLOSED", title="Véhicules électriques", contract_type="supplies")
    services.tender_cancel(actor=buyer, tender=closed, reason="Besoin disparu")
    return {"open": open_, "evaluation": evaluation, "awarded": awarded_, "closed": closed}


def read_list(client, query: str = "", *, days: int = 3):
    with clock(timezone.now() + datetime.timedelta(days=days)):
        return client.get(f"{reverse('portal:tenders')}?{query}")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("open", ["IMIO-OPEN"]),
        ("evaluation", ["IMIO-EVAL"]),
        ("awarded", ["IMIO-AWARD"]),
        ("closed", ["IMIO-CLOSED"]),
    ],
)
def test_the_state_filter(anonymous, stages, state, expected):
    response = read_list(anonymous, f"state={state}")

    assert response.status_code == 200
    assert references(response) == expected


def test_the_list_shows_the_public_stage_of_each_tender_newest_first(anonymous, stages):
    response = read_list(anonymous)

    tenders = response.context["tenders"]
    assert [(t.reference, t.public_state, str(t.public_state_label)) for t in tenders] == [
        ("IMIO-CLOSED", "closed", "cancelled"),
        ("IMIO-AWARD", "awarded", "awarded"),
        ("IMIO-EVAL", "evaluation", "under evaluation"),
        ("IMIO-OPEN", "open", "open for bids"),
    ]
    assert Tender.objects.get(reference="IMIO-EVAL").status == "bids_closed"  # time applied before listing


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("imio-eval", ["IMIO-EVAL"]),  # reference, any case
        ("papier", ["IMIO-EVAL"]),  # title
        ("pupitres", ["IMIO-OPEN"]),  # description
        ("empilables", ["IMIO-OPEN"]),  # a lot's title
        ("introuvable", []),
    ],
)
def test_the_search(anonymous, stages, q, expected):
    assert references(read_list(anonymous, f"q={q}")) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("30213000-5", ["IMIO-OPEN"]),  # a lot's code, whole
        ("3021", ["IMIO-OPEN"]),  # its first digits
        ("30192", ["IMIO-CLOSED", "IMIO-AWARD", "IMIO-EVAL", "IMIO-OPEN"]),  # the main code of all four
        ("30190000-7", ["IMIO-CLOSED", "IMIO-AWARD", "IMIO-EVAL", "IMIO-OPEN"]),  # the group above it
        ("30", ["IMIO-CLOSED", "IMIO-AWARD", "IMIO-EVAL", "IMIO-OPEN"]),
        ("45", []),
    ],
)
def test_the_cpv_filter(anonymous, stages, code, expected):
    assert references(read_list(anonymous, f"cpv={code}")) == expected


def test_a_cpv_that_is_not_one_is_an_error_on_the_field(anonymous, stages):
    response = read_list(anonymous, "cpv=papier")

    assert references(response) == []
    assert response.context["filter_form"].errors == {
        "cpv": ["Type a CPV code (30192000-1) or its first digits (3019)."]
    }


def test_the_procedure_and_contract_type_filters(anonymous, buyer, stages):
    services_tender = published_tender(
        buyer,
        reference="IMIO-NEGO",
        contract_type="services",
        procedure="negotiated_with_publication",
        lots=[lot_data(1, estimated="20000", maximum="25000")],
    )

    by_procedure = read_list(anonymous, "procedure=negotiated_with_publication")
    by_type = read_list(anonymous, "contract_type=services")
    by_both = read_list(anonymous, "procedure=open&contract_type=services")

    assert references(by_procedure) == [services_tender.reference]
    assert references(by_type) == [services_tender.reference]
    assert references(by_both) == []


# --- Sealed rules -------------------------------------------------------------------------------


def test_before_the_opening_neither_the_bidder_nor_a_count_is_shown(anonymous, buyer, bidder, bidder_org):
    tender = with_bid(buyer, bidder)

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))
    home = anonymous.get(reverse("portal:home"))
    feed = anonymous.get(reverse("portal:feed"))

    for response in (page, home, feed):
        assert bidder_org.name not in content_of(response)
    assert page.context["bid_count"] is None
    assert page.context["results"] == ()
    assert "bid was received" not in content_of(page)
    assert "bids were received" not in content_of(page)
    assert "The bids stay sealed until their opening: the bidders are published after it." in content_of(page)
    assert "bid" not in feed.content.decode().lower()


def test_after_the_opening_the_bidder_is_shown_but_not_its_amount(anonymous, buyer, bidder, bidder_org):
    tender = opened(buyer, bidder)

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))
    french = anonymous.get(reverse("portal:tender", args=[tender.pk]), HTTP_COOKIE="language=fr")

    html = content_of(page)
    assert bidder_org.name in html
    assert "1 bid was received." in html
    assert [(r.lot.number, [o.name for o in r.bidders], r.winners) for r in page.context["results"]] == [
        (1, ["Bureau Plus SA"], [])
    ]
    for spelling in AMOUNT_SPELLINGS:
        assert spelling not in html
        assert spelling not in content_of(french)
    assert "The winners and the amounts of their bids are published once the tender is awarded." in html


def test_after_the_award_the_winner_and_its_amount_are_shown(anonymous, buyer, bidder, bidder_org):
    tender = awarded(buyer, bidder)

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))
    home = anonymous.get(reverse("portal:home"))

    [result] = page.context["results"]
    assert [(w.rank, w.supplier.name, w.amount) for w in result.winners] == [(1, "Bureau Plus SA", BID_AMOUNT)]
    html = content_of(page)
    assert "<td>Bureau Plus SA</td>" in html
    assert '<td class="number nowrap">19,000.00 €</td>' in html
    assert '<td class="number nowrap">25,000.00 €</td>' in html  # the lot's maximum
    assert [t.reference for t in home.context["awarded_tenders"]] == [tender.reference]
    assert [o.name for o in home.context["awarded_tenders"][0].winners] == ["Bureau Plus SA"]


def test_once_concluded_the_tender_links_its_agreements(anonymous, buyer, bidder):
    tender, agreement = concluded(buyer, bidder)

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))

    assert page.context["agreements"] == [agreement]
    assert reverse("portal:agreement", args=[agreement.pk]) in content_of(page)
    assert reverse("portal:tender_ocds", args=[tender.pk]) in content_of(page)
    assert f"{reverse('api:ocds-records')}?ocid=ocds-imiobe-tender-{tender.pk}" in content_of(page)


def test_answered_questions_are_shown_without_who_asked(anonymous, buyer, bidder, bidder_org):
    tender = one_lot_tender(buyer)
    question = services.question_ask(actor=bidder, tender=tender, question="Le papier doit-il être certifié FSC ?")
    services.question_ask(actor=bidder, tender=tender, question="Question sans réponse ?")
    services.question_answer(actor=buyer, question=question, answer="Oui, FSC ou PEFC.")

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))

    html = content_of(page)
    assert [q.question for q in page.context["questions"]] == ["Le papier doit-il être certifié FSC ?"]
    assert "Oui, FSC ou PEFC." in html
    assert "Question sans réponse ?" not in html
    assert bidder_org.name not in html


# --- Documents ----------------------------------------------------------------------------------


def test_a_public_document_downloads_anonymously(anonymous, buyer):
    tender = one_lot_tender(buyer)
    document = TenderDocument.objects.get(tender=tender)

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))
    response = anonymous.get(reverse("portal:document", args=[tender.pk, document.pk]))

    assert [d.pk for d in page.context["documents"]] == [document.pk]
    assert reverse("portal:document", args=[tender.pk, document.pk]) in content_of(page)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_opening_record_and_the_award_report_do_not_download(anonymous, buyer, bidder):
    tender = awarded(buyer, bidder)
    records = TenderDocument.objects.filter(
        tender=tender, kind__in=[DocumentKind.OPENING_RECORD, DocumentKind.AWARD_REPORT]
    ).order_by("kind")

    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))
    statuses = {d.kind: anonymous.get(reverse("portal:document", args=[tender.pk, d.pk])).status_code for d in records}

    assert statuses == {DocumentKind.AWARD_REPORT: 404, DocumentKind.OPENING_RECORD: 404}
    assert [d.kind for d in page.context["documents"]] == [DocumentKind.SPECIFICATIONS]


# --- Atom feed ----------------------------------------------------------------------------------


def test_the_feed_is_atom_listing_published_tenders_newest_first(anonymous, buyer):
    moment = timezone.now()
    with clock(moment - datetime.timedelta(days=2)):
        first = one_lot_tender(buyer, title="Papier", additional_cpv_codes=[cpv(COMPUTERS)])
    with clock(moment - datetime.timedelta(days=1)):
        second = one_lot_tender(buyer, title="Ordinateurs", procedure="open")
    draft_tender(buyer, title="Brouillon")

    response = anonymous.get(reverse("portal:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Tenders of the IMIO central purchasing body"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "IMIO"
    entries = feed_entries(response)
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"{second.reference} — Ordinateurs",
        f"{first.reference} — Papier",
    ]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"http://testserver{reverse('portal:tender', args=[second.pk])}",
        f"http://testserver{reverse('portal:tender', args=[first.pk])}",
    ]
    assert [c.get("term") for c in entries[1].findall(f"{ATOM}category")] == ["30192000-1", "30213000-5"]
    summary = entries[1].findtext(f"{ATOM}summary")
    assert summary.startswith("Procedure: open procedure. Submission deadline: ")
    assert summary.endswith(f"Main CPV code: 30192000-1 {cpv().label_en}.")
    first.refresh_from_db()
    published = datetime.datetime.fromisoformat(entries[1].findtext(f"{ATOM}published"))
    assert published == first.published_at


# --- Agreements ---------------------------------------------------------------------------------


@pytest.fixture
def agreements(db):
    supplier_a, supplier_b = SupplierFactory(name="Papeterie Wallonne SRL"), SupplierFactory(name="OfficeCo SA")
    active = concluded_agreement(suppliers=[supplier_a, supplier_b], reference="IMIO-2025-A1", maximum="200000.00")
    FrameworkAgreement.objects.filter(pk=active.pk).update(consumed_value=Decimal("50000.00"), title="Papier")
    expired = concluded_agreement(suppliers=[supplier_b], reference="IMIO-2025-E1", status=AgreementStatus.EXPIRED)
    computers = concluded_agreement(suppliers=[supplier_a], reference="IMIO-2025-C1")
    Lot.objects.filter(pk=computers.lot_id).update(cpv_code=cpv(COMPUTERS))
    FrameworkAgreement.objects.filter(pk=computers.pk).update(title="Ordinateurs portables")
    return {"active": active, "expired": expired, "computers": computers}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["IMIO-2025-A1-L1", "IMIO-2025-C1-L1"]),  # active by default
        ("status=", ["IMIO-2025-A1-L1", "IMIO-2025-C1-L1", "IMIO-2025-E1-L1"]),  # any
        ("status=expired", ["IMIO-2025-E1-L1"]),
        ("status=exhausted", []),
        ("q=portables", ["IMIO-2025-C1-L1"]),
        ("q=imio-2025-a1", ["IMIO-2025-A1-L1"]),
        ("cpv=3021", ["IMIO-2025-C1-L1"]),
        ("cpv=30192000-1&status=", ["IMIO-2025-A1-L1", "IMIO-2025-C1-L1", "IMIO-2025-E1-L1"]),
    ],
)
def test_the_agreement_filters(anonymous, agreements, query, expected):
    response = anonymous.get(f"{reverse('portal:agreements')}?{query}")

    assert sorted(references(response, "agreements")) == expected


def test_the_agreement_list_shows_suppliers_and_consumption(anonymous, agreements):
    response = anonymous.get(reverse("portal:agreements"))

    html = content_of(response)
    assert "<li>1. Papeterie Wallonne SRL</li><li>2. OfficeCo SA</li>" in html
    assert '<td class="number nowrap">200,000.00 €</td>' in html
    assert '<td class="number nowrap">50,000.00 €</td>' in html
    assert '<td class="number nowrap">150,000.00 €</td>' in html
    pk = agreements["active"].pk
    assert f'<progress id="consumption-{pk}" value="50000.00" max="200000.00"></progress>' in html
    assert '<span class="nowrap">25.0 %</span>' in html
    assert f'<label class="visually-hidden" for="consumption-{pk}">' in html


def test_the_agreement_page_counts_orders_and_competitions(anonymous, agreements, commune):
    agreement = agreements["active"]
    MembershipFactory(member=commune)
    subscribe(commune, agreement)
    item = catalogue_line(agreement, agreement.supplier_links.get(rank=1).supplier, "REF-1", "12.50")
    officer = person(commune, Role.MEMBER_OFFICER, username="officer", first_name="Claire", last_name="Dubois")
    approver = person(commune, Role.MEMBER_APPROVER, username="approver")
    order = approved(officer, approver, {item: 8})
    order_services.order_send(actor=officer, order=order)
    approved(officer, approver, {item: 2})  # approved, not sent: not public

    response = anonymous.get(reverse("portal:agreement", args=[agreement.pk]))

    html = content_of(response)
    assert (
        response.context["order_count"],
        response.context["order_total"],
        response.context["competition_count"],
    ) == (
        1,
        Decimal("100.00"),
        0,
    )
    assert "1 order, 100.00 € excl. VAT" in html
    assert "All current and future members of the central purchasing body" in html
    assert reverse("portal:tender", args=[agreement.tender_id]) in html
    assert "Claire" not in html
    assert "Dubois" not in html


def test_named_beneficiaries_are_listed_by_organisation(anonymous, agreements, commune, other_commune):
    agreement = agreements["active"]
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(beneficiary_scope="named")
    agreement.beneficiaries.set([commune, other_commune])

    response = anonymous.get(reverse("portal:agreement", args=[agreement.pk]))

    names = sorted([commune.name, other_commune.name])
    assert f"The members named in the tender: {names[0]}, {names[1]}" in content_of(response)


def test_an_unknown_agreement_is_not_found(anonymous):
    assert anonymous.get(reverse("portal:agreement", args=[999])).status_code == 404


# --- Home and open data -------------------------------------------------------------------------


def test_the_home_page_figures_and_nearest_deadlines(anonymous, buyer, bidder, agreements):
    now = timezone.now()
    later = one_lot_tender(buyer, reference="IMIO-LATER")
    sooner = one_lot_tender(
        buyer,
        reference="IMIO-SOONER",
        questions_deadline=now + datetime.timedelta(days=3),
        submission_deadline=now + datetime.timedelta(days=5),
        opening_at=now + datetime.timedelta(days=5, hours=1),
    )
    awarded(buyer, bidder, reference="IMIO-AWARDED")

    response = anonymous.get(reverse("portal:home"))

    context = response.context
    # The three agreements' tenders are concluded (awarded, without an award date in this raw material).
    assert (context["open_count"], context["awarded_count"], context["agreement_count"]) == (2, 4, 2)
    assert (context["agreements_maximum"], context["agreements_consumed"], context["agreements_percent"]) == (
        Decimal("400000.00"),
        Decimal("50000.00"),
        Decimal("12.5"),
    )
    assert [t.reference for t in context["open_tenders"]] == [sooner.reference, later.reference]
    assert [t.reference for t in context["awarded_tenders"]] == [  # the undated awards last
        "IMIO-AWARDED",
        "IMIO-2025-C1",
        "IMIO-2025-E1",
        "IMIO-2025-A1",
    ]
    html = content_of(response)
    assert '<form method="get" action="/public/tenders/">' in html
    for url in (reverse("portal:agreements"), reverse("portal:open_data"), reverse("portal:feed")):
        assert f'href="{url}"' in html


def test_the_open_data_page_explains_the_publication(anonymous, settings):
    response = anonymous.get(reverse("portal:open_data"))

    html = content_of(response)
    assert "<code>GET http://testserver/api/v1/ocds/releases/</code>" in html
    assert "<code>GET http://testserver/api/v1/ocds/records/?ocid=…</code>" in html
    assert "<code>?since=2026-01-31</code>" in html
    assert "<code>ocds-imiobe</code>" in html
    assert f'<a href="{settings.OCDS_LICENSE}">' in html
    assert "<code>links.next</code>" in html
    assert "<code>framework</code>" in html
    assert 'href="http://testserver/public/tenders.atom"' in html


# --- Queries ------------------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_tender_list_queries_do_not_grow_with_rows(anonymous, buyer):
    one_lot_tender(buyer)
    one = count_queries(anonymous, reverse("portal:tenders"))
    for _ in range(4):
        one_lot_tender(buyer, additional_cpv_codes=[cpv(COMPUTERS)])

    five = count_queries(anonymous, reverse("portal:tenders"))

    assert five == one


def test_the_agreement_list_queries_do_not_grow_with_rows(anonymous, db):
    supplier = SupplierFactory()
    concluded_agreement(suppliers=[supplier])
    one = count_queries(anonymous, reverse("portal:agreements"))
    for _ in range(4):
        concluded_agreement(suppliers=[supplier, SupplierFactory()])

    five = count_queries(anonymous, reverse("portal:agreements"))

    assert five == one


def test_the_home_page_queries_do_not_grow_with_rows(anonymous, buyer, bidder):
    awarded(buyer, bidder)
    one_lot_tender(buyer)
    one = count_queries(anonymous, reverse("portal:home"))
    for _ in range(4):
        one_lot_tender(buyer)

    five = count_queries(anonymous, reverse("portal:home"))

    assert five == one


def test_an_awarded_tender_page_costs_the_same_queries_for_one_winner_or_three(anonymous, buyer, bidder):
    single = awarded(buyer, bidder)
    lots = [lot_data(number, estimated="20000", maximum="25000") for number in (1, 2, 3)]
    tender = published_tender(buyer, lots=lots, criteria=criteria_data(100, 0))
    for number, lot in enumerate(tender.lots.order_by("number"), start=1):
        company = SupplierFactory(name=f"Lauréat {number} SA")
        services.bid_submit(actor=person(company, Role.SUPPLIER), lot=lot, total_amount=Decimal(f"{number}9000.00"))
    with clock(after(tender, "opening_at")):
        services.tender_open_bids(actor=buyer, tender=tender)
        services.tender_evaluate(actor=buyer, tender=tender)
        services.tender_award(actor=buyer, tender=tender, reasons={lot.pk: "Seule offre" for lot in tender.lots.all()})

    one = count_queries(anonymous, reverse("portal:tender", args=[single.pk]))
    three = count_queries(anonymous, reverse("portal:tender", args=[tender.pk]))
    page = anonymous.get(reverse("portal:tender", args=[tender.pk]))

    assert three == one
    assert [[(w.supplier.name, w.amount) for w in result.winners] for result in page.context["results"]] == [
        [("Lauréat 1 SA", Decimal("19000.00"))],
        [("Lauréat 2 SA", Decimal("29000.00"))],
        [("Lauréat 3 SA", Decimal("39000.00"))],
    ]


# --- No personal data ---------------------------------------------------------------------------


def test_no_person_is_named_on_any_portal_page(anonymous, buyer, bidder):
    tender, agreement = concluded(buyer, bidder)
    question_tender = one_lot_tender(buyer)
    question = services.question_ask(actor=bidder, tender=question_tender, question="Délai de livraison ?")
    services.question_answer(actor=buyer, question=question, answer="Dix jours ouvrables.")
    urls = [
        reverse("portal:home"),
        reverse("portal:tenders"),
        reverse("portal:tender", args=[tender.pk]),
        reverse("portal:tender", args=[question_tender.pk]),
        reverse("portal:agreements"),
        reverse("portal:agreement", args=[agreement.pk]),
        reverse("portal:open_data"),
        reverse("portal:feed"),
    ]

    pages = {url: anonymous.get(url).content.decode() for url in urls}

    for person_ in (buyer, bidder):
        for trace in (person_.first_name, person_.last_name, person_.email, person_.username):
            assert [url for url, html in pages.items() if trace in html] == []
