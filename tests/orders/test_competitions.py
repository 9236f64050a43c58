"""Mini-competitions: the need, sealed quotes until the deadline, the award by the agreement's criteria, the order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from procurement.core.errors import DomainError
from procurement.core.permissions import Role
from procurement.orders import services
from procurement.orders.models import Competition, CompetitionStatus, Order, OrderStatus, Quote
from tenders.models import AwardCriterion
from tests.api.conftest import client_for
from tests.factories import SupplierFactory, person
from tests.factories.orders import DELIVERY, subscribe
from tests.factories.tenders import clock, concluded_agreement

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def suppliers(db):
    companies = [SupplierFactory(name=name) for name in ("Mobilier Hainaut SA", "Bureaux de Liège SRL", "Ergo SA")]
    return [(company, person(company, Role.SUPPLIER)) for company in companies]


@pytest.fixture
def reopening(member, suppliers):
    agreement = concluded_agreement(
        suppliers=[company for company, _user in suppliers], maximum="50000.00", estimated="40000.00"
    )
    agreement.supplier_mode = "mini_competition"
    agreement.save(update_fields=["supplier_mode"])
    AwardCriterion.objects.create(tender=agreement.tender, position=1, name="Prix", kind="price", weight=D("60"))
    AwardCriterion.objects.create(tender=agreement.tender, position=2, name="Ergonomie", kind="quality", weight=D("40"))
    subscribe(member, agreement, estimated="20000.00")
    return agreement


@pytest.fixture
def competition(officer, member, reopening):
    competition = services.competition_create(
        actor=officer,
        agreement=reopening,
        member=member,
        title="Mobilier de la salle du conseil",
        description="Tables modulables et chaises empilables pour 40 personnes.",
        deadline=timezone.now() + datetime.timedelta(days=10),
        lines=[
            {"description": "Table modulable 160 × 80", "unit": "C62", "quantity": "20"},
            {"description": "Chaise empilable", "unit": "C62", "quantity": "40"},
        ],
        **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
    )
    return services.competition_publish(actor=officer, competition=competition)


def prices(competition, table, chair, vat="21"):
    first, second = competition.lines.order_by("position")
    return {first.pk: {"unit_price": table, "vat_rate": vat}, second.pk: {"unit_price": chair, "vat_rate": vat}}


def after_deadline(competition):
    return clock(competition.deadline + datetime.timedelta(minutes=1))


def test_quotes_stay_sealed_until_the_deadline(officer, buyer, competition, suppliers):
    (_first, first_user), (_second, second_user), _third = suppliers
    mine = services.quote_submit(actor=first_user, competition=competition, prices=prices(competition, "310", "45.5"))

    assert b"310" not in bytes(mine.sealed)
    assert b"45.5" not in bytes(mine.sealed)
    assert len(mine.receipt_digest) == 64
    url = f"/api/v1/competitions/{competition.pk}/quotes/"
    assert client_for(officer).get(url).json() == []  # not even how many
    assert client_for(buyer).get(url).json() == []
    [own] = client_for(first_user).get(url).json()
    assert own["content"]["total_excl_vat"] == "8020.00"  # 20 × 310 + 40 × 45.50
    assert client_for(second_user).get(url).json() == []
    with pytest.raises(DomainError) as refused:
        services.competition_close(actor=officer, competition=competition)
    assert refused.value.code == "quotes_sealed"


def test_the_best_quote_by_the_agreement_criteria_is_awarded_and_becomes_an_order(
    officer, approver, competition, suppliers, reopening
):
    (first, first_user), (second, second_user), (_third, third_user) = suppliers
    services.quote_submit(actor=first_user, competition=competition, prices=prices(competition, "310", "45.50"))
    services.quote_submit(actor=second_user, competition=competition, prices=prices(competition, "280", "52"))
    withdrawn = services.quote_submit(
        actor=third_user, competition=competition, prices=prices(competition, "250", "40")
    )
    services.quote_withdraw(actor=third_user, quote=withdrawn)

    with after_deadline(competition):
        services.competition_close(actor=officer, competition=competition)
        with pytest.raises(DomainError):  # quotes are final
            services.quote_submit(actor=first_user, competition=competition, prices=prices(competition, "1", "1"))
    quotes = {q.supplier: q for q in Quote.objects.filter(competition=competition, status="submitted")}
    # totals: 8,020.00 and 7,680.00 (20 × 280 + 40 × 52); price points 60 × lowest ÷ total
    assert {s.name: (q.total_excl_vat, q.price_points) for s, q in quotes.items()} == {
        "Mobilier Hainaut SA": (D("8020.00"), D("57.46")),
        "Bureaux de Liège SRL": (D("7680.00"), D("60.00")),
    }
    quality = {quotes[first].pk: "38", quotes[second].pk: "30"}  # 95.46 against 90.00: the first wins
    with pytest.raises(DomainError) as refused:
        services.competition_award(
            actor=officer, competition=competition, quote=quotes[second], reason="Moins cher", quality_points=quality
        )
    assert refused.value.code == "not_the_best_quote"

    order = services.competition_award(
        actor=officer,
        competition=competition,
        quote=quotes[first],
        reason="Meilleur rapport qualité-prix : ergonomie des chaises nettement supérieure.",
        quality_points=quality,
    )

    competition.refresh_from_db()
    assert (competition.status, competition.order) == (CompetitionStatus.AWARDED, order)
    assert (order.status, order.supplier, order.total_excl_vat, order.total_vat) == (
        OrderStatus.DRAFT,
        first,
        D("8020.00"),
        D("1684.20"),
    )
    assert list(order.lines.values_list("name", "quantity", "unit_price", "item")) == [
        ("Table modulable 160 × 80", D("20.000"), D("310.0000"), None),
        ("Chaise empilable", D("40.000"), D("45.5000"), None),
    ]
    services.order_submit(actor=officer, order=order)
    services.order_approve(actor=approver, order=order)
    reopening.refresh_from_db()
    assert reopening.consumed_value == D("8020.00")  # the normal flow: the ceiling is consumed at approval


def test_quality_points_are_required_and_bounded(officer, competition, suppliers):
    (_first, first_user), *_rest = suppliers
    quote = services.quote_submit(actor=first_user, competition=competition, prices=prices(competition, "300", "45"))
    with after_deadline(competition):
        services.competition_close(actor=officer, competition=competition)
    for points, message in ((None, "Give the quality points of Mobilier Hainaut SA."), ("41", "0 to 40")):
        with pytest.raises(ValidationError) as refused:
            services.competition_award(
                actor=officer,
                competition=competition,
                quote=quote,
                reason="Seule offre",
                quality_points={} if points is None else {quote.pk: points},
            )
        assert message in str(refused.value)
    assert not Order.objects.exists()


def test_bad_quotes_and_outsiders_are_refused(officer, competition, suppliers, company, supplier_user):
    (_first, first_user), *_rest = suppliers
    first_line = competition.lines.order_by("position").first()
    with pytest.raises(ValidationError) as refused:
        services.quote_submit(
            actor=first_user, competition=competition, prices={first_line.pk: {"unit_price": "-3", "vat_rate": "21"}}
        )
    assert refused.value.message_dict == {
        "prices": [
            "Table modulable 160 × 80: the unit price must be above zero.",
            "Chaise empilable: give a unit price.",
        ]
    }
    with pytest.raises(ValidationError):
        services.quote_submit(
            actor=first_user, competition=competition, prices=prices(competition, "300", "45", vat="19")
        )
    with pytest.raises(PermissionDenied):  # a supplier of another agreement
        services.quote_submit(actor=supplier_user, competition=competition, prices=prices(competition, "1", "1"))
    assert not Quote.objects.exists()


def test_only_an_agreement_that_reopens_competition_takes_one(officer, member, agreement, subscription):
    with pytest.raises(DomainError) as refused:
        services.competition_create(
            actor=officer,
            agreement=agreement,
            member=member,
            title="Papier",
            description="Papier",
            deadline=timezone.now() + datetime.timedelta(days=5),
            lines=[{"description": "Ramette", "quantity": "10"}],
            **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
        )
    assert refused.value.code == "not_mini_competition"


def test_the_deadline_leaves_the_suppliers_a_day(officer, member, reopening):
    def draft(hours):
        return services.competition_create(
            actor=officer,
            agreement=reopening,
            member=member,
            title="Urgent",
            description="Chaises",
            deadline=timezone.now() + datetime.timedelta(hours=hours),
            lines=[{"description": "Chaise", "quantity": "2"}],
            **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
        )

    with pytest.raises(ValidationError) as refused:
        draft(3)
    assert refused.value.message_dict == {"deadline": ["Give the suppliers at least 24 hours to quote."]}
    prepared = draft(30)
    with clock(prepared.deadline - datetime.timedelta(hours=12)), pytest.raises(ValidationError) as refused:
        services.competition_publish(actor=officer, competition=prepared)  # published too late
    assert refused.value.message_dict == {"deadline": ["Give the suppliers at least 24 hours to quote."]}


def test_another_member_does_not_see_the_competition(competition, other_officer, suppliers):
    assert client_for(other_officer).get(f"/api/v1/competitions/{competition.pk}/").status_code == 404
    (_first, first_user), *_rest = suppliers
    assert client_for(first_user).get(f"/api/v1/competitions/{competition.pk}/").status_code == 200
    outsider = person(SupplierFactory(), Role.SUPPLIER)
    assert client_for(outsider).get(f"/api/v1/competitions/{competition.pk}/").status_code == 404


def test_the_competition_journey_through_the_api(officer, member, reopening, suppliers):
    client = client_for(officer)
    created = client.post(
        "/api/v1/competitions/",
        {
            "agreement": reopening.pk,
            "title": "Chaises",
            "description": "Chaises de bureau",
            "deadline": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
            "lines": [{"description": "Chaise de bureau", "quantity": "12"}],
            **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/competitions/{created.json()['id']}"
    assert client.post(f"{url}/publish/").json()["status"] == "published"
    line = created.json()["lines"][0]["id"]
    (_first, first_user), *_rest = suppliers
    quoted = client_for(first_user).post(
        f"{url}/quotes/", {"prices": {str(line): {"unit_price": "99.90", "vat_rate": "21"}}}, format="json"
    )
    assert (quoted.status_code, quoted.json()["content"]["total_excl_vat"]) == (201, "1198.80")
    competition = Competition.objects.get(pk=created.json()["id"])
    with after_deadline(competition):
        assert client.post(f"{url}/close/").json()["status"] == "closed"
        [quote] = client.get(f"{url}/quotes/").json()
        awarded = client.post(
            f"{url}/award/",
            {"quote": quote["id"], "reason": "Seule offre, conforme", "quality_points": {str(quote["id"]): "35"}},
            format="json",
        )
    assert (awarded.status_code, awarded.json()["total_excl_vat"], awarded.json()["status"]) == (
        201,
        "1198.80",
        "draft",
    )


def test_a_competition_cancelled_before_its_deadline_keeps_its_quotes_sealed(
    officer, buyer, competition, suppliers, django_capture_on_commit_callbacks
):
    from django.core import mail

    (_first, first_user), *_rest = suppliers
    services.quote_submit(actor=first_user, competition=competition, prices=prices(competition, "310", "45.5"))
    with django_capture_on_commit_callbacks(execute=True):
        services.competition_cancel(actor=officer, competition=competition, reason="Besoin abandonné")

    url = f"/api/v1/competitions/{competition.pk}/quotes/"
    assert client_for(officer).get(url).json() == []
    assert client_for(buyer).get(url).json() == []
    assert [m.subject for m in mail.outbox if first_user.email in m.to] == [
        "Mini-competition cancelled: Mobilier de la salle du conseil"
    ]
