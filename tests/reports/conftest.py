"""A small purchasing world for the reports, built once per test module through the ordering services.

Two members (a commune and a CPAS whose name holds a comma and quotes), two suppliers, two
agreements, six orders and one off-platform call-off, on the Brussels calendar of 2026:

============  =========  ======  ================================================  ==========================
order         member     agr.    lines (quantity × unit price [list price], VAT)    status
============  =========  ======  ================================================  ==========================
o1 12/01      commune    A (S1)  10 000 × 0.0450 [0.0600] 21 %; 7 × 3.2549 [4.1000]  approved
o2 10/02      commune    A (S1)  3 × 0.8333 21 % on 104/123-01; 3 × 0.8333 21 %    approved
                                 on 104/123-02 (no list prices)
o4 15/02      CPAS       A (S1)  20 000 × 0.0450 [0.0600]; 10 × 3.2549 [4.1000];     closed after 12 500 and 4
                                 21 %                                                delivered
o5 10/03      CPAS       B (S2)  2 × 24.9900 [29.9500] 6 %                          cancelled on 11/03
o6 20/03      CPAS       B (S2)  1 × 99.1700 [120.0000] 21 % (CPV 22212000);        approved
                                 4 × 12.4500 6 % (no list price)
o3 01/04      commune    B (S2)  3 × 24.9900 [29.9500] 6 %; 2 × 12.4500 6 %         approved on 31/03 22:30
                                                                                     UTC: 1 April in Brussels
call-off      commune    A (S1)  300.00 excl. VAT, ordered on 05/03                  off-platform
============  =========  ======  ================================================  ==========================

The reports are read on ``TODAY`` (20 April 2026, 10:00 in Brussels): use the ``frozen_today``
fixture. The world lives in a transaction opened for the module and rolled back after it;
each test runs in a savepoint inside it (pytest-django's ``db``), so what a test adds is gone
after it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.http import QueryDict
from django.utils import translation

from procurement.core.permissions import Role
from procurement.members.models import Organization, OrganizationKind
from procurement.orders import services
from procurement.orders.models import OffPlatformCallOff, Order
from reports import services as report_services
from reports.registry import REPORTS
from reports.scope import Viewer, viewer_of
from tenders.models import FrameworkAgreement
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, central_purchasing_body, person
from tests.factories.orders import DELIVERY, approved, catalogue_line, placed, subscribe
from tests.factories.tenders import clock, concluded_agreement

D = Decimal
UTC = datetime.UTC
TODAY = datetime.date(2026, 4, 20)
NOW = datetime.datetime(2026, 4, 20, 8, 0, tzinfo=UTC)  # 10:00 in Brussels (summer time)
CPAS_NAME = 'CPAS de Namur, "Les Tilleuls"'
S1_NUMBER = "0123456749"  # a valid Belgian enterprise number


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@dataclass
class World:
    commune: Organization
    cpas: Organization
    s1: Organization
    s2: Organization
    a: FrameworkAgreement
    b: FrameworkAgreement
    orders: SimpleNamespace  # o1 … o6
    call_off: OffPlatformCallOff
    people: SimpleNamespace  # central, commune_admin, cpas_admin, officers, approvers, supplier

    def order(self, name: str) -> Order:
        order = getattr(self.orders, name)
        order.refresh_from_db()
        return order

    def counted(self) -> list[Order]:
        """The orders that count: all but the cancelled o5."""
        return [self.order(name) for name in ("o1", "o2", "o3", "o4", "o6")]


def _approve(officer, approver, order: Order, moment: datetime.datetime) -> Order:
    with clock(moment):
        services.order_submit(actor=officer, order=order)
        return services.order_approve(actor=approver, order=order, decision_reference="Collège")


def build_world() -> World:
    with clock(at(2026, 1, 5, 9, 0)):
        central_purchasing_body()
        imio = Organization.objects.get(kind=OrganizationKind.CENTRAL_PURCHASING_BODY)
        buyer = person(imio, Role.BUYER, username="reports-buyer")
        commune = OrganizationFactory(kind=OrganizationKind.COMMUNE)
        cpas = OrganizationFactory(kind=OrganizationKind.CPAS, name=CPAS_NAME)
        for member in (commune, cpas):
            MembershipFactory(member=member, activated_at=at(2025, 6, 1, 10, 0))
        s1 = SupplierFactory(name="Bureau Meuse SA", enterprise_number=S1_NUMBER)
        s2 = SupplierFactory(name="Librairie Mosane SRL")
        start, end = datetime.date(2026, 1, 1), datetime.date(2029, 12, 31)
        a = concluded_agreement(
            suppliers=[s1],
            maximum="10000.00",
            estimated="8000.00",
            reference="IMIO-2025-101",
            start_date=start,
            end_date=end,
        )
        b = concluded_agreement(
            suppliers=[s2],
            maximum="5000.00",
            estimated="4000.00",
            reference="IMIO-2025-102",
            start_date=start,
            end_date=end,
        )
        items = SimpleNamespace(
            page=catalogue_line(
                a, s1, "COPIE", "0.0450", name="Copie A4 noir", list_price=D("0.0600"), cpv_code_id="30197630-1"
            ),
            paper=catalogue_line(
                a, s1, "P-A4", "3.2549", name="Ramette papier A4 80 g", list_price=D("4.1000"), cpv_code_id="30197630-1"
            ),
            blue=catalogue_line(a, s1, "STY-B", "0.8333", name="Stylo bleu"),
            red=catalogue_line(a, s1, "STY-R", "0.8333", name="Stylo rouge"),
            code=catalogue_line(
                b,
                s2,
                "LIV-1",
                "24.9900",
                vat="6",
                name="Code des marchés publics",
                list_price=D("29.9500"),
                cpv_code_id="22113000-5",
            ),
            guide=catalogue_line(b, s2, "LIV-2", "12.4500", vat="6", name="Guide des achats", cpv_code_id="22113000-5"),
            review=catalogue_line(
                b, s2, "ABO", "99.1700", name="Abonnement revue", list_price=D("120.0000"), cpv_code_id="22212000-9"
            ),
        )
        subscribe(commune, a, estimated="6000.00")
        subscribe(commune, b, estimated="1000.00")
        subscribe(cpas, a, estimated="1500.00")
        subscribe(cpas, b, estimated="2500.00")
        people = SimpleNamespace(
            central=buyer,
            commune_admin=person(commune, Role.MEMBER_ADMIN, username="reports-commune-admin"),
            cpas_admin=person(cpas, Role.MEMBER_ADMIN, username="reports-cpas-admin"),
            commune_officer=person(commune, Role.MEMBER_OFFICER, username="reports-commune-officer"),
            commune_approver=person(commune, Role.MEMBER_APPROVER, username="reports-commune-approver"),
            cpas_officer=person(cpas, Role.MEMBER_OFFICER, username="reports-cpas-officer"),
            cpas_approver=person(cpas, Role.MEMBER_APPROVER, username="reports-cpas-approver"),
            supplier=person(s1, Role.SUPPLIER, username="reports-meuse"),
        )
    commune_officer, commune_approver = people.commune_officer, people.commune_approver
    cpas_officer, cpas_approver = people.cpas_officer, people.cpas_approver
    cpas_article = {"budget_article": "844/124-02"}

    with clock(at(2026, 1, 12, 10, 0)):
        o1 = approved(commune_officer, commune_approver, {items.page: 10000, items.paper: 7})
    with clock(at(2026, 2, 10, 10, 0)):
        services.cart_add(actor=commune_officer, item=items.blue, quantity=3, budget_article="104/123-01")
        services.cart_add(actor=commune_officer, item=items.red, quantity=3, budget_article="104/123-02")
        [o2] = services.cart_checkout(actor=commune_officer, **DELIVERY)
    o2 = _approve(commune_officer, commune_approver, o2, at(2026, 2, 10, 10, 30))
    with clock(at(2026, 2, 15, 9, 0)):
        o4 = approved(cpas_officer, cpas_approver, {items.page: 20000, items.paper: 10}, **cpas_article)
    with clock(at(2026, 2, 16, 9, 0)):
        o4 = services.order_send(actor=cpas_officer, order=o4)
    with clock(at(2026, 2, 17, 9, 0)):
        o4 = services.order_confirm(actor=people.supplier, order=o4)
    page_line, paper_line = o4.lines.order_by("position")
    with clock(at(2026, 3, 2, 9, 0)):
        services.order_deliver(actor=people.supplier, order=o4, quantities={page_line.pk: 12500, paper_line.pk: 4})
    with clock(at(2026, 3, 5, 9, 0)):
        o4 = services.order_close(actor=cpas_officer, order=o4, reason="Le reste n'est plus nécessaire")
    with clock(at(2026, 3, 6, 9, 0)):
        call_off = services.call_off_record(
            actor=buyer,
            agreement=a,
            member=commune,
            supplier=s1,
            reference="CMD-2026-17",
            ordered_on=datetime.date(2026, 3, 5),
            amount_excl_vat="300.00",
            source="member",
        )
    with clock(at(2026, 3, 10, 9, 0)):
        o5 = approved(cpas_officer, cpas_approver, {items.code: 2}, **cpas_article)
    with clock(at(2026, 3, 11, 9, 0)):
        o5 = services.order_cancel(actor=cpas_officer, order=o5, reason="Commandé en double")
    with clock(at(2026, 3, 20, 10, 0)):
        o6 = approved(cpas_officer, cpas_approver, {items.review: 1, items.guide: 4}, **cpas_article)
    with clock(at(2026, 3, 31, 20, 0)):
        o3 = placed(commune_officer, {items.code: 3, items.guide: 2})
    o3 = _approve(commune_officer, commune_approver, o3, at(2026, 3, 31, 22, 30))
    return World(
        commune=commune,
        cpas=cpas,
        s1=s1,
        s2=s2,
        a=a,
        b=b,
        orders=SimpleNamespace(o1=o1, o2=o2, o3=o3, o4=o4, o5=o5, o6=o6),
        call_off=call_off,
        people=people,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, committed to nothing: its module's transaction is rolled back after the module."""
    with django_db_blocker.unblock(), translation.override("en"), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def frozen_today(db):
    """Reports read on TODAY: 20 April 2026, 10:00 in Brussels."""
    with clock(NOW):
        yield TODAY


def viewer(user) -> Viewer:
    user.__dict__.pop("acting", None)  # the acting organisation is cached on the user object
    found = viewer_of(user)
    assert found is not None
    return found


def run(identifier: str, user, query: str = ""):
    """Build report ``identifier`` for ``user`` with ``query`` through the real parameters."""
    report = REPORTS[identifier]
    reader = viewer(user)
    params = report_services.parameters(report, reader, QueryDict(query))
    return report.build(reader, params)
