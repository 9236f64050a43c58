"""Mini-competition pages: the list, preparing a need, its page with the organiser's actions
(publish, cancel, open the quotes, award) and the supplier's quote. Quotes stay sealed until the
deadline: the organiser's page shows neither a quote nor how many there are; each action goes
through its page; a bad input shows a field error and changes nothing; another member's
competition, or one under an agreement a supplier is not party to, is a 404."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procurement.core.permissions import Role
from procurement.members.models import Organization, User
from procurement.orders import services
from procurement.orders.models import (
    Competition,
    CompetitionStatus,
    Order,
    OrderStatus,
    Quote,
    QuoteStatus,
)
from tenders.models import AwardCriterion
from tests.factories import SupplierFactory, person
from tests.factories.orders import DELIVERY, subscribe
from tests.factories.tenders import clock, concluded_agreement
from tests.helpers import database_state
from tests.web.helpers import assert_redirects_to_login, messages_of

D = Decimal
SUPPLIER_NAMES = ("Mobilier Hainaut SA", "Bureaux de Liège SRL", "Ergo SA")


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def suppliers(db):
    """The agreement's three suppliers, each with one person who quotes."""
    companies = [SupplierFactory(name=name) for name in SUPPLIER_NAMES]
    return [(company, person(company, Role.SUPPLIER)) for company in companies]


@pytest.fixture
def quoting(suppliers):
    return suppliers[0][1]


@pytest.fixture
def reopening(active_membership, commune, suppliers):
    """An agreement with three suppliers in mini-competition mode: price 60, ergonomics 40; the commune subscribed."""
    agreement = concluded_agreement(
        suppliers=[company for company, _user in suppliers], maximum="50000.00", estimated="40000.00"
    )
    agreement.supplier_mode = "mini_competition"
    agreement.save(update_fields=["supplier_mode"])
    AwardCriterion.objects.create(tender=agreement.tender, position=1, name="Prix", kind="price", weight=D("60"))
    AwardCriterion.objects.create(tender=agreement.tender, position=2, name="Ergonomie", kind="quality", weight=D("40"))
    subscribe(commune, agreement, estimated="20000.00")
    return agreement


@pytest.fixture
def draft(officer, commune, reopening):
    return services.competition_create(
        actor=officer,
        agreement=reopening,
        member=commune,
        title="Mobilier de la salle du conseil",
        description="Tables modulables et chaises empilables pour 40 personnes.",
        deadline=timezone.now() + datetime.timedelta(days=10),
        lines=[
            {"description": "Table modulable 160 × 80", "unit": "C62", "quantity": "20"},
            {"description": "Chaise empilable", "unit": "C62", "quantity": "40"},
        ],
        **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
    )


@pytest.fixture
def competition(officer, draft):
    return services.competition_publish(actor=officer, competition=draft)


def client_of(user) -> Client:
    """A client of its own, signed in as ``user``, reading the pages in English."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def url(name, *args) -> str:
    return reverse(name, args=args)


def content_of(response) -> str:
    return response.content.decode()


def after_deadline(competition):
    return clock(competition.deadline + datetime.timedelta(minutes=1))


def quote_data(competition, table, chair, vat="21.00", note="") -> dict:
    first, second = competition.lines.order_by("position")
    return {
        f"quote-price_{first.pk}": table,
        f"quote-vat_{first.pk}": vat,
        f"quote-price_{second.pk}": chair,
        f"quote-vat_{second.pk}": vat,
        "quote-note": note,
    }


def line_rows(rows, total=5) -> dict:
    """The lines formset as the page posts it: ``rows`` filled, the rest left empty."""
    data = {
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index in range(total):
        row = rows[index] if index < len(rows) else {}
        data[f"lines-{index}-description"] = row.get("description", "")
        data[f"lines-{index}-unit"] = row.get("unit", "C62")
        data[f"lines-{index}-quantity"] = row.get("quantity", "")
        data[f"lines-{index}-cpv_code"] = row.get("cpv_code", "")
    return data


def need_data(deadline, rows, **fields) -> dict:
    local = timezone.localtime(deadline)
    return {
        "title": "Chaises de bureau",
        "description": "Chaises ergonomiques pour le service population.",
        "deadline": local.strftime("%Y-%m-%dT%H:%M"),
        **{key: DELIVERY[key] for key in DELIVERY},
        **line_rows(rows),
        **fields,
    }


# --- Who reaches which page ------------------------------------------------------------------


@pytest.fixture
def pages(competition, reopening) -> list[str]:
    return [
        url("competitions"),
        f"{url('competition_create')}?agreement={reopening.pk}",
        url("competition_detail", competition.pk),
    ]


def test_every_competition_page_sends_anonymous_visitors_to_login(client, pages):
    for page in pages:
        assert_redirects_to_login(client.get(page))


@pytest.mark.parametrize(
    ("role_fixture", "statuses"),
    [
        ("officer", [200, 200, 200]),
        ("approver", [200, 403, 200]),
        ("member_admin", [200, 403, 200]),
        ("buyer", [200, 200, 200]),
        ("finance", [200, 403, 200]),
        ("quoting", [200, 403, 200]),
        # a supplier not party to the agreement, another member (not subscribed: sent to subscribe)
        ("supplier_user", [200, 403, 404]),
        ("other_officer", [200, 302, 404]),
        ("observer", [403] * 3),
        ("newcomer", [403] * 3),
    ],
)
def test_every_role_across_every_competition_page(request, login, pages, role_fixture, statuses):
    client = login(request.getfixturevalue(role_fixture))

    assert [client.get(page).status_code for page in pages] == statuses


def test_the_list_shows_each_side_its_competitions(login, officer, other_officer, buyer, quoting, competition):
    officer_page = content_of(login(officer).get(url("competitions")))
    assert competition.title in officer_page
    assert f'href="{url("competition_detail", competition.pk)}"' in officer_page
    assert "Open for quotes" in officer_page or "open for quotes" in officer_page
    assert competition.agreement.reference in officer_page
    assert competition.title in content_of(login(buyer).get(url("competitions")))
    assert competition.title in content_of(login(quoting).get(url("competitions")))
    assert competition.title not in content_of(login(other_officer).get(url("competitions")))


def test_the_list_filters_by_status(login, officer, competition, draft):
    client = login(officer)

    published = client.get(url("competitions"), {"status": "published"})
    drafts = client.get(url("competitions"), {"status": "draft"})

    assert list(published.context["competitions"]) == [competition]
    assert list(drafts.context["competitions"]) == []


def test_a_draft_is_invisible_to_the_suppliers(login, quoting, draft):
    client = login(quoting)

    assert client.get(url("competition_detail", draft.pk)).status_code == 404
    assert draft.title not in content_of(client.get(url("competitions")))


def test_the_ordering_navigation_and_the_subscriptions_lead_to_competitions(login, officer, buyer, reopening):
    subscriptions = content_of(login(officer).get(url("subscriptions")))
    create = f"{url('competition_create')}?agreement={reopening.pk}"

    assert f'href="{url("competitions")}"' in subscriptions
    assert "Mini-competitions" in subscriptions
    assert f'href="{create}"' in subscriptions
    overview = content_of(login(buyer).get(url("subscriptions")))
    assert f"{create}&amp;member={reopening.subscriptions.get().member_id}" in overview


def test_an_agreement_in_catalogue_mode_offers_no_competition(login, officer, commune, supplier_org, reopening):
    catalogue = concluded_agreement(suppliers=[supplier_org])
    subscribe(commune, catalogue)
    client = login(officer)

    assert client.get(url("competition_create"), {"agreement": catalogue.pk}).status_code == 404
    choices = client.get(url("competition_create"))
    assert list(choices.context["candidates"]) == [reopening]


# --- The organiser's and the supplier's actions, refused -------------------------------------


@pytest.fixture
def actions(competition, quoting) -> list[tuple[str, dict]]:
    services.quote_submit(
        actor=quoting,
        competition=competition,
        prices={line.pk: {"unit_price": "300", "vat_rate": "21"} for line in competition.lines.all()},
    )
    return [
        ("competition_publish", {}),
        ("competition_close", {}),
        ("competition_award", {"award-reason": "x"}),
        ("competition_cancel", {"cancel-reason": "Plus nécessaire"}),
        ("competition_quote", quote_data(competition, "1", "1")),
        ("competition_quote_withdraw", {}),
    ]


@pytest.mark.parametrize(
    ("role_fixture", "refused"),
    [
        ("other_officer", [404, 404, 404, 404, 403, 403]),
        ("approver", [403] * 6),
        ("member_admin", [403] * 6),
        ("finance", [403] * 6),
        ("officer", [302, 302, 302, None, 403, 403]),  # only cancel would pass: not posted here
        ("quoting", [403, 403, 403, 403, None, None]),
        ("supplier_user", [403, 403, 403, 403, 404, 404]),
        ("observer", [403] * 6),
        ("newcomer", [403] * 6),
    ],
)
def test_refused_competition_actions_change_nothing(request, competition, actions, role_fixture, refused):
    client = client_of(request.getfixturevalue(role_fixture))
    before = database_state()

    statuses = [
        client.post(url(name, competition.pk), data).status_code if expected is not None else None
        for (name, data), expected in zip(actions, refused, strict=True)
    ]

    assert statuses == refused
    assert database_state() == before


def test_an_organiser_cannot_open_the_quotes_before_the_deadline(login, officer, competition):
    before = database_state()

    response = login(officer).post(url("competition_close", competition.pk))

    assert response.url == url("competition_detail", competition.pk)
    assert messages_of(response)[-1].startswith("Quotes stay sealed until the deadline")
    assert database_state() == before


# --- The whole flow through the pages --------------------------------------------------------


def test_the_competition_from_the_need_to_the_order(officer, reopening, suppliers):
    organiser = client_of(officer)
    (first, first_user), (second, second_user), (_third, third_user) = suppliers

    # The officer describes the need (prefilled like the checkout) and prepares it.
    form_page = organiser.get(url("competition_create"), {"agreement": reopening.pk})
    assert form_page.context["form"].initial["contact_name"]
    assert form_page.context["form"].initial["delivery_address"].startswith(officer.acting.organization.name)
    deadline = timezone.now() + datetime.timedelta(days=5)
    created = organiser.post(
        f"{url('competition_create')}?agreement={reopening.pk}",
        need_data(
            deadline,
            [
                {"description": "Table modulable 160 × 80", "unit": "C62", "quantity": "20"},
                {"description": "Chaise empilable", "unit": "C62", "quantity": "40", "cpv_code": "39112000"},
            ],
        ),
    )
    competition = Competition.objects.get()
    assert created.url == url("competition_detail", competition.pk)
    assert (competition.status, competition.member_id) == (CompetitionStatus.DRAFT, officer.acting.organization.pk)
    assert list(competition.lines.values_list("description", "quantity", "cpv_code")) == [
        ("Table modulable 160 × 80", D("20.000"), ""),
        ("Chaise empilable", D("40.000"), "39112000-0"),
    ]

    # Published: the suppliers are invited.
    published = organiser.post(url("competition_publish", competition.pk))
    assert messages_of(published)[-1].startswith("The mini-competition is published")
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.PUBLISHED

    # Two suppliers quote through the page; the third quotes, then withdraws.
    for user, table, chair in ((first_user, "310", "45.50"), (second_user, "280", "52"), (third_user, "250", "40")):
        supplier_page = client_of(user).get(url("competition_detail", competition.pk))
        assert supplier_page.context["quote_form"] is not None
        response = client_of(user).post(url("competition_quote", competition.pk), quote_data(competition, table, chair))
        assert response.url == url("competition_detail", competition.pk)
        assert "deposit receipt (SHA-256)" in messages_of(response)[-1]
    own = content_of(client_of(first_user).get(url("competition_detail", competition.pk)))
    receipt = Quote.objects.get(supplier=first, status=QuoteStatus.SUBMITTED).receipt_digest
    assert receipt in own
    assert "8,020.00 €" in own  # 20 × 310 + 40 × 45.50: its own quote
    assert "7,680.00" not in own  # not the others'
    withdrawn = client_of(third_user).post(url("competition_quote_withdraw", competition.pk))
    assert messages_of(withdrawn)[-1].startswith("Your quote is withdrawn")

    # Before the deadline the officer sees no quote, nor how many.
    sealed = organiser.get(url("competition_detail", competition.pk))
    assert sealed.context["quote_rows"] == []
    assert "Quotes stay sealed until" in content_of(sealed)
    assert "close" not in sealed.context["actions"]

    with after_deadline(competition):
        page = organiser.get(url("competition_detail", competition.pk))
        assert "close" in page.context["actions"]
        closed = organiser.post(url("competition_close", competition.pk))
        assert messages_of(closed)[-1] == "The quotes are opened: 2 quotes, with their price points."
        opened = organiser.get(url("competition_detail", competition.pk))
        quotes = {q.supplier_id: q for q in Quote.objects.filter(competition=competition, status="submitted")}
        awarded = organiser.post(
            url("competition_award", competition.pk),
            {
                f"award-quality_{quotes[first.pk].pk}": "38",
                f"award-quality_{quotes[second.pk].pk}": "30",
                "award-quote": quotes[first.pk].pk,
                "award-reason": "Meilleur rapport qualité-prix : ergonomie des chaises nettement supérieure.",
            },
        )

    html = content_of(opened)
    for text in ("Mobilier Hainaut SA", "Bureaux de Liège SRL", "8,020.00 €", "7,680.00 €", "57.46", "60.00"):
        assert text in html
    assert "Ergo SA" not in html  # withdrawn
    assert "Prix" in html
    assert "Ergonomie" in html
    assert "0 to 40 points." in html
    order = Order.objects.get()
    assert awarded.url == url("order_detail", order.pk)
    assert messages_of(awarded)[-1].startswith(
        f"The mini-competition is awarded to Mobilier Hainaut SA: order {order.number}"
    )
    assert (order.status, order.supplier, order.total_excl_vat) == (OrderStatus.DRAFT, first, D("8020.00"))
    assert list(order.lines.values_list("name", "quantity", "unit_price", "vat_rate")) == [
        ("Table modulable 160 × 80", D("20.000"), D("310.0000"), D("21.00")),
        ("Chaise empilable", D("40.000"), D("45.5000"), D("21.00")),
    ]
    competition.refresh_from_db()
    assert (competition.status, competition.order) == (CompetitionStatus.AWARDED, order)
    final = content_of(organiser.get(url("competition_detail", competition.pk)))
    assert f'href="{url("order_detail", order.pk)}"' in final
    assert "95.46" in final  # 57.46 + 38


def test_an_imio_buyer_prepares_a_competition_for_a_member(buyer, commune, reopening):
    client = client_of(buyer)
    deadline = timezone.now() + datetime.timedelta(days=3)

    page = client.get(url("competition_create"), {"agreement": reopening.pk, "member": commune.pk})
    response = client.post(
        f"{url('competition_create')}?agreement={reopening.pk}",
        need_data(deadline, [{"description": "Chaise", "quantity": "12"}], member=commune.pk),
    )

    assert list(page.context["form"].fields["member"].queryset) == [commune]
    assert page.context["form"].initial["member"] == commune.pk
    competition = Competition.objects.get()
    assert response.url == url("competition_detail", competition.pk)
    assert (competition.member, competition.created_by) == (commune, buyer)


def test_awarding_a_quote_that_is_not_the_best_keeps_the_points_on_the_form(officer, competition, suppliers):
    (first, first_user), (second, second_user), _third = suppliers
    client = client_of(officer)
    for user, table, chair in ((first_user, "310", "45.50"), (second_user, "280", "52")):
        services.quote_submit(
            actor=user,
            competition=competition,
            prices={
                line.pk: {"unit_price": price, "vat_rate": "21"}
                for line, price in zip(competition.lines.order_by("position"), (table, chair), strict=True)
            },
        )
    with after_deadline(competition):
        services.competition_close(actor=officer, competition=competition)
        quotes = {q.supplier_id: q for q in Quote.objects.filter(competition=competition)}
        before = database_state()
        response = client.post(
            url("competition_award", competition.pk),
            {
                f"award-quality_{quotes[first.pk].pk}": "38",
                f"award-quality_{quotes[second.pk].pk}": "30",
                "award-quote": quotes[second.pk].pk,
                "award-reason": "Moins cher",
            },
        )
        too_many = client.post(
            url("competition_award", competition.pk),
            {
                f"award-quality_{quotes[first.pk].pk}": "41",
                f"award-quality_{quotes[second.pk].pk}": "",
                "award-quote": quotes[first.pk].pk,
                "award-reason": "",
            },
        )

    assert response.status_code == 200
    form = response.context["award_form"]
    assert form.errors["quote"][0].startswith("The quote of Mobilier Hainaut SA scores best (95.46 points)")
    assert form[f"quality_{quotes[first.pk].pk}"].value() == "38"
    errors = too_many.context["award_form"].errors
    assert set(errors) == {f"quality_{quotes[first.pk].pk}", f"quality_{quotes[second.pk].pk}", "reason"}
    assert database_state() == before


def test_a_supplier_replaces_then_withdraws_its_quote_until_the_deadline(competition, quoting):
    client = client_of(quoting)
    client.post(url("competition_quote", competition.pk), quote_data(competition, "310", "45.50", note="Modèle A"))
    first = Quote.objects.get()

    replaced = client.post(url("competition_quote", competition.pk), quote_data(competition, "300", "44", vat="6.00"))
    page = client.get(url("competition_detail", competition.pk))

    assert replaced.status_code == 302
    first.refresh_from_db()
    current = Quote.objects.get(status=QuoteStatus.SUBMITTED)
    assert first.status == QuoteStatus.WITHDRAWN
    assert current.receipt_digest in content_of(page)
    assert page.context["quote_form"][f"price_{competition.lines.order_by('position').first().pk}"].value() == "300"
    assert "7,760.00 €" in content_of(page)  # 20 × 300 + 40 × 44
    client.post(url("competition_quote_withdraw", competition.pk))
    assert not Quote.objects.filter(status=QuoteStatus.SUBMITTED).exists()
    with after_deadline(competition):
        late = client.post(url("competition_quote", competition.pk), quote_data(competition, "1", "1"))
        final = client.get(url("competition_detail", competition.pk))
    assert messages_of(late)[-1] == "This competition is not open for quotes."
    assert final.context["quote_form"] is None
    assert Quote.objects.filter(status=QuoteStatus.SUBMITTED).count() == 0


def test_the_organiser_cancels_with_a_reason(login, officer, competition):
    client = login(officer)

    missing = client.post(url("competition_cancel", competition.pk), {"cancel-reason": ""})
    response = client.post(url("competition_cancel", competition.pk), {"cancel-reason": "Le besoin a disparu."})

    assert missing.status_code == 200
    assert missing.context["cancel_form"].errors["reason"]
    assert response.url == url("competition_detail", competition.pk)
    competition.refresh_from_db()
    assert (competition.status, competition.status_reason) == (CompetitionStatus.CANCELLED, "Le besoin a disparu.")


# --- Bad input -------------------------------------------------------------------------------


def test_a_quote_without_a_line_price_is_refused_on_the_field(competition, quoting):
    first, second = competition.lines.order_by("position")
    before = database_state()

    response = client_of(quoting).post(
        url("competition_quote", competition.pk),
        {**quote_data(competition, "310", ""), f"quote-vat_{first.pk}": "19"},
    )

    assert response.status_code == 200
    errors = response.context["quote_form"].errors
    assert set(errors) == {f"price_{second.pk}", f"vat_{first.pk}"}
    assert database_state() == before


def test_a_need_with_a_deadline_too_close_or_bad_lines_is_refused_on_the_fields(officer, reopening):
    client = client_of(officer)
    target = f"{url('competition_create')}?agreement={reopening.pk}"
    before = database_state()

    too_close = client.post(
        target, need_data(timezone.now() + datetime.timedelta(hours=3), [{"description": "Chaise", "quantity": "2"}])
    )
    no_line = client.post(target, need_data(timezone.now() + datetime.timedelta(days=3), []))
    bad_line = client.post(
        target,
        need_data(
            timezone.now() + datetime.timedelta(days=3),
            [{"description": "Chaise", "quantity": "2.5"}, {"description": "", "quantity": "3"}],
            budget_article="n'importe quoi",
        ),
    )

    assert too_close.status_code == 200
    assert too_close.context["form"].errors == {"deadline": ["Give the suppliers at least 24 hours to quote."]}
    assert no_line.context["line_formset"].non_form_errors() == ["Describe at least one line of the need."]
    rows = bad_line.context["line_formset"].forms
    assert "whole number" in rows[0].errors["quantity"][0]
    assert rows[1].errors["description"] == ["This field is required."]
    assert database_state() == before


def test_a_bad_budget_article_comes_back_from_the_service_on_its_field(officer, reopening):
    before = database_state()

    response = client_of(officer).post(
        f"{url('competition_create')}?agreement={reopening.pk}",
        need_data(
            timezone.now() + datetime.timedelta(days=3),
            [{"description": "Chaise", "quantity": "2"}],
            budget_article="n'importe quoi",
        ),
    )

    assert response.status_code == 200
    assert "is not a budget article" in response.context["form"].errors["budget_article"][0]
    assert database_state() == before


def test_publishing_a_draft_whose_deadline_came_too_close_says_why(officer, draft):
    with clock(draft.deadline - datetime.timedelta(hours=2)):
        response = client_of(officer).post(url("competition_publish", draft.pk))

    assert messages_of(response) == ["Give the suppliers at least 24 hours to quote."]
    draft.refresh_from_db()
    assert draft.status == CompetitionStatus.DRAFT


# --- Sealed until the deadline ---------------------------------------------------------------


def unnumbered(text: str) -> str:
    """``text`` without people's names and enterprise numbers, which come from factory sequences
    ("Nom5432") and would pass for a quote's amount."""
    numbered = {
        value for row in User.objects.values_list("username", "last_name", "email") for value in row if value
    } | set(Organization.objects.exclude(enterprise_number="").values_list("enterprise_number", flat=True))
    for value in sorted(numbered, key=len, reverse=True):
        text = text.replace(value, "")
    return text


def test_a_quotes_amounts_never_appear_in_the_organisers_page_before_the_deadline(
    officer, buyer, approver, competition, suppliers
):
    (_first, first_user), (_second, second_user), _third = suppliers
    client_of(first_user).post(
        url("competition_quote", competition.pk), quote_data(competition, "4321.9876", "87.6543")
    )
    client_of(second_user).post(
        url("competition_quote", competition.pk), quote_data(competition, "5432.1987", "98.7654", note="Livraison J+3")
    )
    assert Quote.objects.count() == 2
    secrets = [
        "4321",
        "4,321",
        "9876",
        "87.65",
        "5432",
        "5,432",
        "98.76",
        "Livraison J+3",
        "Mobilier Hainaut",
        "Bureaux de Li",
        *Quote.objects.values_list("receipt_digest", flat=True),
    ]

    for user in (officer, buyer, approver):
        for moment in (timezone.now(), competition.deadline - datetime.timedelta(minutes=1)):
            with clock(moment):
                html = unnumbered(content_of(client_of(user).get(url("competition_detail", competition.pk))))
                listing = unnumbered(content_of(client_of(user).get(url("competitions"))))
            assert "Quotes stay sealed until" in html
            assert [secret for secret in secrets if secret in html or secret in listing] == []
    own = content_of(client_of(first_user).get(url("competition_detail", competition.pk)))
    assert "4,321.9876 €" in own
    assert "5,432.1987" not in own


def test_cancelling_before_the_deadline_does_not_open_the_quotes_on_the_page(officer, buyer, competition, quoting):
    client_of(quoting).post(url("competition_quote", competition.pk), quote_data(competition, "4321.9876", "87.6543"))
    client_of(officer).post(url("competition_cancel", competition.pk), {"cancel-reason": "Le besoin a disparu."})
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.CANCELLED

    for user in (officer, buyer):
        page = client_of(user).get(url("competition_detail", competition.pk))
        html = unnumbered(content_of(page))
        assert page.context["quote_rows"] == []
        assert [secret for secret in ("4321", "4,321", "87.65", "Mobilier Hainaut") if secret in html] == []
