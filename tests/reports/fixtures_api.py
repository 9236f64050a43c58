"""A small world of reports, imported explicitly by the reports' API, page and export tests.

IMIO (finance, buyer); two communes (A and B, active members) subscribed to two agreements,
each with its own supplier; an observer. Orders, all approved today:

- A → supplier 1: paper and a book, sent;
- A → supplier 2: chairs and a desk, sent;
- B → supplier 1: paper and hours of service, sent;
- B → supplier 1: paper, approved but not sent (the supplier does not see it yet);
- B → supplier 2: chairs, sent;
- and a draft of A's (it counts for nothing).

People have names found nowhere else, so that a report leaking one is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.db.models import Sum

from procurement.core.permissions import Role
from procurement.members.models import Organization, OrganizationKind, User
from procurement.orders import services
from procurement.orders.models import Order, OrderLine
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, central_purchasing_body, person
from tests.factories.members import PDF_BYTES
from tests.factories.orders import approved, catalogue_line, placed, subscribe
from tests.factories.tenders import concluded_agreement

D = Decimal
ALL_REPORTS = ["consumption", "spend", "savings", "register", "statement", "annual"]
# Names and addresses of the people who ordered: an observer must read none of them.
PERSONAL = {
    "officer_a": {"first_name": "Gwendoline", "last_name": "Xhonneux", "email": "gwendoline.xhonneux@a.example"},
    "approver_a": {"first_name": "Barthélemy", "last_name": "Quertinmont", "email": "b.quertinmont@a.example"},
    "officer_b": {"first_name": "Ludivine", "last_name": "Zwaenepoel", "email": "ludivine.zwaenepoel@b.example"},
    "approver_b": {"first_name": "Evrard", "last_name": "Dujardin-Ykens", "email": "evrard.ykens@b.example"},
}
CONTACT = {"contact_name": "Séverine Wautelet", "contact_email": "severine.wautelet@a.example"}


@dataclass
class ReportWorld:
    imio: Organization
    commune_a: Organization
    commune_b: Organization
    supplier_1: Organization
    supplier_2: Organization
    observer_org: Organization
    agreement_1: object
    agreement_2: object
    users: dict[str, User]
    orders: dict[str, Order] = field(default_factory=dict)

    def personal_data(self) -> list[str]:
        """Every name and e-mail address of the people who placed or approved an order."""
        found = []
        for key in PERSONAL:
            user = self.users[key]
            found += [user.first_name, user.last_name, user.email]
        return [*found, *CONTACT.values()]

    def totals(self, orders) -> dict[str, str]:
        """The orders' own totals (net, vat, gross) as the API writes amounts."""
        sums = Order.objects.filter(pk__in=[order.pk for order in orders]).aggregate(
            net=Sum("total_excl_vat"), vat=Sum("total_vat"), gross=Sum("total_incl_vat")
        )
        return {key: f"{value or D(0):.2f}" for key, value in sums.items()}

    def counted(self, *keys: str) -> list[Order]:
        return [self.orders[key] for key in keys]

    def lines_of(self, *keys: str) -> int:
        return OrderLine.objects.filter(order__in=self.counted(*keys)).count()


COUNTED = ("a1_sent", "a2_sent", "b1_sent", "b1_approved", "b2_sent")
OF_A = ("a1_sent", "a2_sent")
OF_B = ("b1_sent", "b1_approved", "b2_sent")
SENT_TO_1 = ("a1_sent", "b1_sent")  # b1_approved is not sent yet


def build_world() -> ReportWorld:
    imio = central_purchasing_body()
    commune_a = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    commune_b = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    for commune in (commune_a, commune_b):
        MembershipFactory(member=commune)
    supplier_1 = SupplierFactory(name="Papeterie Mosane SA")
    supplier_2 = SupplierFactory(name="Mobilier Ardennais SPRL")
    observer_org = OrganizationFactory(kind=OrganizationKind.OBSERVER, nis_code="", name="UVCW")
    agreement_1 = concluded_agreement(suppliers=[supplier_1], maximum="100000.00", estimated="80000.00")
    agreement_2 = concluded_agreement(suppliers=[supplier_2], maximum="50000.00", estimated="40000.00")
    users = {
        "imio_finance": person(imio, Role.FINANCE, username="imio_finance"),
        "imio_buyer": person(imio, Role.BUYER, username="imio_buyer"),
        "imio_admin": person(imio, Role.ADMIN, username="imio_admin"),
        "finance_a": person(commune_a, Role.FINANCE, username="finance_a"),
        "admin_a": person(commune_a, Role.MEMBER_ADMIN, username="admin_a"),
        "officer_a": person(commune_a, Role.MEMBER_OFFICER, username="officer_a", **PERSONAL["officer_a"]),
        "approver_a": person(commune_a, Role.MEMBER_APPROVER, username="approver_a", **PERSONAL["approver_a"]),
        "finance_b": person(commune_b, Role.FINANCE, username="finance_b"),
        "officer_b": person(commune_b, Role.MEMBER_OFFICER, username="officer_b", **PERSONAL["officer_b"]),
        "approver_b": person(commune_b, Role.MEMBER_APPROVER, username="approver_b", **PERSONAL["approver_b"]),
        "supplier_1": person(supplier_1, Role.SUPPLIER, username="supplier_1"),
        "supplier_2": person(supplier_2, Role.SUPPLIER, username="supplier_2"),
        "observer": person(observer_org, Role.OBSERVER, username="observer"),
    }
    world = ReportWorld(
        imio=imio,
        commune_a=commune_a,
        commune_b=commune_b,
        supplier_1=supplier_1,
        supplier_2=supplier_2,
        observer_org=observer_org,
        agreement_1=agreement_1,
        agreement_2=agreement_2,
        users=users,
    )
    paper = catalogue_line(agreement_1, supplier_1, "P-A4", "3.2549", name="Ramette A4", list_price="4.1000")
    book = catalogue_line(agreement_1, supplier_1, "LIV-1", "24.9900", vat="6", name="Code des marchés")
    hour = catalogue_line(agreement_1, supplier_1, "H-1", "65.0000", unit="HUR", name="Heure d'installation")
    chair = catalogue_line(agreement_2, supplier_2, "CH-1", "89.5000", name="Chaise", list_price="120.0000")
    desk = catalogue_line(agreement_2, supplier_2, "BU-1", "310.0000", name="Bureau")
    for commune in (commune_a, commune_b):
        subscribe(commune, agreement_1, estimated="20000.00")
        subscribe(commune, agreement_2, estimated="10000.00")
    officer_a, approver_a = users["officer_a"], users["approver_a"]
    officer_b, approver_b = users["officer_b"], users["approver_b"]

    def send(order):
        # The purchase order's PDF is not what the reports read: a stand-in spares WeasyPrint.
        with mock.patch("procurement.orders.documents.order_pdf", return_value=PDF_BYTES):
            return services.order_send(actor=order.created_by, order=order)

    world.orders = {
        "a1_sent": send(approved(officer_a, approver_a, {paper: 10, book: 3}, **CONTACT)),
        "a2_sent": send(approved(officer_a, approver_a, {chair: 2, desk: 1}, **CONTACT)),
        "b1_sent": send(approved(officer_b, approver_b, {paper: 5, hour: 2}, budget_article="722/124-48")),
        "b1_approved": approved(officer_b, approver_b, {paper: 20}),
        "b2_sent": send(approved(officer_b, approver_b, {chair: 4})),
        "a_draft": placed(officer_a, {paper: 1000}),
    }
    return world
