import functools
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from procurement.core.permissions import Role
from procurement.members.models import Membership, MembershipStatus, Organization, OrganizationKind, User
from tenders.models import Bid, FrameworkAgreement, NeedsSurvey, Tender
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, central_purchasing_body, person


@dataclass
class TenderWorld:
    """IMIO's procedures, seen by every role: a draft and an open survey, a draft tender, a
    tender open for bids with two lots (the supplier role has bid on lot 1, another supplier
    too), and two agreements (one with the supplier role's company, one with another)."""

    draft_survey: NeedsSurvey
    open_survey: NeedsSurvey
    draft: Tender
    tender: Tender
    own_bid: Bid
    other_bid: Bid
    own_agreement: FrameworkAgreement
    other_agreement: FrameworkAgreement


@dataclass
class OrderWorld:
    """Member B (active) subscribed to the supplier role's agreement: a draft order and one sent to the supplier."""

    draft: object
    sent: object
    approver_b: User


@dataclass
class CatalogWorld:
    own_line: object
    other_line: object
    other_import: object


@dataclass
class World:
    """IMIO; member A (with a requested membership) and member B (active); a supplier and an observer;
    one user per role. Member roles are held in A."""

    imio: Organization
    member_a: Organization
    member_b: Organization
    supplier: Organization
    observer: Organization
    membership_a: Membership
    membership_b: Membership
    users: dict[str, User]
    officer_b: User

    @functools.cached_property
    def catalog(self) -> CatalogWorld:
        """The two agreements' catalogues, and a previewed import of the other supplier's list."""
        from catalog import services
        from tests.catalog.conftest import xlsx

        buyer, tenders = self.users["buyer"], self.tenders
        rows = [["R-1", "Ramette A4", "C62", "3,25", "21", "4,10", "30197630-1"]]
        for agreement in (tenders.own_agreement, tenders.other_agreement):
            preview = services.import_upload(actor=buyer, agreement=agreement, file=xlsx(rows))
            services.import_apply(actor=buyer, price_import=preview)
        pending = services.import_upload(
            actor=buyer, agreement=tenders.other_agreement, file=xlsx([["R-2", "Classeur", "C62", "2", "21", "", ""]])
        )
        return CatalogWorld(
            own_line=tenders.own_agreement.catalog_items.get(),
            other_line=tenders.other_agreement.catalog_items.get(),
            other_import=pending,
        )

    @functools.cached_property
    def orders(self) -> OrderWorld:
        from procurement.orders import services
        from tests.factories.orders import placed, subscribe

        line = self.catalog.own_line
        subscribe(self.member_b, self.tenders.own_agreement)
        approver_b = person(self.member_b, Role.MEMBER_APPROVER, username="approver_b")
        sent = placed(self.officer_b, {line: 10})
        services.order_submit(actor=self.officer_b, order=sent)
        services.order_approve(actor=approver_b, order=sent)
        services.order_send(actor=self.officer_b, order=sent)
        return OrderWorld(draft=placed(self.officer_b, {line: 2}), sent=sent, approver_b=approver_b)

    @functools.cached_property
    def tenders(self) -> TenderWorld:
        """Built on first use: the foundation's tests count audit entries without it."""
        return tender_world(self.users["buyer"], self.users["supplier"])


@pytest.fixture
def world(db) -> World:
    imio = central_purchasing_body()
    member_a = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    member_b = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    supplier = SupplierFactory()
    observer = OrganizationFactory(kind=OrganizationKind.OBSERVER, nis_code="", name="UVCW")
    users = {
        "admin": person(imio, Role.ADMIN, username="admin"),
        "buyer": person(imio, Role.BUYER, username="buyer"),
        "imio_finance": person(imio, Role.FINANCE, username="imio_finance"),
        "member_admin": person(member_a, Role.MEMBER_ADMIN, username="member_admin"),
        "member_officer": person(member_a, Role.MEMBER_OFFICER, username="member_officer"),
        "member_approver": person(member_a, Role.MEMBER_APPROVER, username="member_approver"),
        "member_finance": person(member_a, Role.FINANCE, username="member_finance"),
        "supplier": person(supplier, Role.SUPPLIER, username="supplier"),
        "observer": person(observer, Role.OBSERVER, username="observer"),
    }
    return World(
        imio=imio,
        member_a=member_a,
        member_b=member_b,
        supplier=supplier,
        observer=observer,
        membership_a=MembershipFactory(member=member_a, status=MembershipStatus.REQUESTED),
        membership_b=MembershipFactory(member=member_b, status=MembershipStatus.ACTIVE),
        users=users,
        officer_b=person(member_b, Role.MEMBER_OFFICER, username="officer_b"),
    )


def tender_world(buyer: User, supplier_user: User) -> TenderWorld:
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from tenders import services
    from tests.factories.tenders import concluded_agreement, cpv, draft_tender, lot_data, published_tender

    item = {"description": "Ramette A4", "unit": "C62", "cpv_code": cpv(), "estimated_unit_price": Decimal("3.25")}
    closes_at = timezone.now() + datetime.timedelta(days=10)
    draft_survey = services.survey_create(actor=buyer, title="Brouillon", closes_at=closes_at, items=[item])
    open_survey = services.survey_create(actor=buyer, title="Papier 2027", closes_at=closes_at, items=[item])
    services.survey_open(actor=buyer, survey=open_survey)
    tender = published_tender(buyer, lots=[lot_data(1), lot_data(2)])
    lot1 = tender.lots.get(number=1)
    other_company = SupplierFactory(name="Concurrent SA")
    other_user = person(other_company, Role.SUPPLIER, username="other_supplier")
    return TenderWorld(
        draft_survey=draft_survey,
        open_survey=open_survey,
        draft=draft_tender(buyer),
        tender=tender,
        own_bid=services.bid_submit(actor=supplier_user, lot=lot1, total_amount=Decimal("123456.78")),
        other_bid=services.bid_submit(actor=other_user, lot=lot1, total_amount=Decimal("98765.43")),
        own_agreement=concluded_agreement(suppliers=[supplier_user.acting.organization]),
        other_agreement=concluded_agreement(suppliers=[other_company]),
    )


@pytest.fixture
def api():
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
