"""Rows of every list, one at a time (issue 8: query-count tests on every list endpoint and page).

A ``Scene`` holds IMIO's buyer, an active member commune with its officer, two supplier companies
with their users, and an agreement with both suppliers, subscribed by the commune, with a
catalogue line per supplier. Each ``add_*`` adds one row of a list with its related objects
(suppliers, lines, lots, declarations…); the query-count tests add one, then four more.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from procurement.core import audit
from procurement.core.models import CpvCode
from procurement.core.permissions import Role
from procurement.members.models import OrganizationKind, RoleAssignment, User
from tenders.models import AwardCriterion, FrameworkAgreement
from tests.factories.members import MembershipFactory, OrganizationFactory, SupplierFactory, person
from tests.factories.orders import DELIVERY, catalogue_line, placed, subscribe
from tests.factories.tenders import after, concluded_agreement, cpv, lot_data, published_tender, specifications

D = Decimal

_numbers = itertools.count(1)


@dataclass
class Scene:
    """IMIO's buyer, a member commune (active) with its officer, two supplier companies and
    their users, and an agreement with both suppliers that the commune subscribed to, with a
    catalogue line per supplier. What a case needs more, it builds in ``rows``."""

    buyer: User
    member: object
    officer: User
    companies: list
    supplier_users: list
    agreement: FrameworkAgreement
    lines: list
    parent: dict = field(default_factory=dict)  # what a nested list hangs on (a survey, a tender…)

    @property
    def supplier(self) -> User:
        return self.supplier_users[0]


def make_scene(buyer, commune, officer) -> Scene:
    MembershipFactory(member=commune)
    companies = [SupplierFactory(), SupplierFactory()]
    supplier_users = [person(company, Role.SUPPLIER) for company in companies]
    agreement = concluded_agreement(suppliers=companies)
    agreement.beneficiaries.set([commune])
    subscribe(commune, agreement)
    lines = [catalogue_line(agreement, company, f"S-{n}", "3.25") for n, company in enumerate(companies)]
    return Scene(buyer, commune, officer, companies, supplier_users, agreement, lines)


def a_member(scene: Scene):
    """A commune with an active membership and an officer (and so a membership, people, roles)."""
    commune = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    MembershipFactory(member=commune)
    return commune, person(commune, Role.MEMBER_OFFICER, Role.MEMBER_APPROVER)


def an_agreement(scene: Scene, **fields) -> FrameworkAgreement:
    agreement = concluded_agreement(suppliers=scene.companies, **fields)
    agreement.beneficiaries.set([scene.member])
    return agreement


# -- Builders: each adds one row of its list, with its related objects. ---------------------------


def add_organization(scene):
    a_member(scene)


def add_membership(scene):
    a_member(scene)


def add_user(scene):
    imio = scene.buyer.acting.organization
    user = person(imio, Role.BUYER, Role.FINANCE)
    RoleAssignment.objects.create(user=user, organization=scene.member, role=Role.MEMBER_OFFICER)


def add_survey(scene):
    from tenders import services

    item = {"description": "Ramette A4", "unit": "C62", "cpv_code": cpv(), "estimated_unit_price": D("3.25")}
    survey = services.survey_create(
        actor=scene.buyer,
        title=f"Papier {next(_numbers)}",
        closes_at=timezone.now() + datetime.timedelta(days=10),
        items=[item, item | {"description": "Ramette A3"}],
    )
    survey = services.survey_open(actor=scene.buyer, survey=survey)
    services.survey_declare(
        actor=scene.officer, survey=survey, quantities={pk: D("10") for pk in survey.items.values_list("pk", flat=True)}
    )


def add_tender(scene):
    published_tender(scene.buyer, lots=[lot_data(1), lot_data(2)])


def add_bid(scene):
    from tenders import services

    tender = published_tender(scene.buyer, lots=[lot_data(1), lot_data(2)])
    services.bid_submit(actor=scene.supplier_users[0], lot=tender.lots.get(number=1), total_amount=D("1000.00"))


def add_opened_bid(scene):
    """A bid whose tender is opened: its content is readable (amounts, schedule). The opening is
    written directly (raw material, as ``concluded_agreement``): its PDF record costs a second."""
    from tenders import services
    from tenders.models import Bid, BidStatus, Tender, TenderStatus

    tender = published_tender(scene.buyer, lots=[lot_data(1), lot_data(2)])
    bid = services.bid_submit(actor=scene.supplier, lot=tender.lots.get(number=1), total_amount=D("1000.00"))
    opened_at = after(tender, "opening_at")
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.OPENED, opened_at=opened_at, opened_by=scene.buyer)
    Bid.objects.filter(pk=bid.pk).update(status=BidStatus.OPENED)


def add_agreement(scene):
    an_agreement(scene)


def add_catalog_item(scene):
    catalogue_line(scene.agreement, scene.companies[0], f"R-{next(_numbers)}", "4.50")


def add_catalog_import(scene):
    from catalog import services
    from tests.catalog.conftest import xlsx

    rows = [[f"I-{next(_numbers)}", "Classeur", "C62", "2", "21", "", ""]]
    services.import_upload(actor=scene.buyer, agreement=scene.agreement, file=xlsx(rows), supplier=scene.companies[0])


def add_catalog_revision(scene):
    from catalog import services

    agreement = an_agreement(scene)
    for company in scene.companies:
        catalogue_line(agreement, company, f"V-{next(_numbers)}", "3.00")
    services.revision_create(
        actor=scene.buyer,
        agreement=agreement,
        kind="percentage",
        percentage=D("2"),
        effective_date=timezone.localdate(),
        reason="Clause de révision",
    )


def add_subscription(scene):
    subscribe(scene.member, an_agreement(scene))


def add_order(scene):
    extra = catalogue_line(scene.agreement, scene.companies[0], f"O-{next(_numbers)}", "12.00", vat="6")
    placed(scene.officer, {scene.lines[0]: 2, extra: 3})


def add_call_off(scene):
    from procurement.orders import services

    services.call_off_record(
        actor=scene.buyer,
        agreement=scene.agreement,
        member=scene.member,
        supplier=scene.companies[next(_numbers) % 2],
        reference=f"CMD-{next(_numbers)}",
        ordered_on=scene.agreement.start_date,
        amount_excl_vat=D("100"),
        source="supplier",
    )


def add_competition(scene):
    from procurement.orders import services

    agreement = scene.parent.get("reopening")
    if agreement is None:
        agreement = an_agreement(scene)
        agreement.supplier_mode = "mini_competition"
        agreement.save(update_fields=["supplier_mode"])
        AwardCriterion.objects.create(tender=agreement.tender, position=1, name="Prix", kind="price", weight=100)
        subscribe(scene.member, agreement)
        scene.parent["reopening"] = agreement
    competition = services.competition_create(
        actor=scene.officer,
        agreement=agreement,
        member=scene.member,
        title="Mobilier",
        description="Tables et chaises.",
        deadline=timezone.now() + datetime.timedelta(days=10),
        lines=[
            {"description": "Table", "unit": "C62", "quantity": "20"},
            {"description": "Chaise", "unit": "C62", "quantity": "40"},
        ],
        **{key: DELIVERY[key] for key in ("budget_article", "delivery_address", "contact_name")},
    )
    services.competition_publish(actor=scene.officer, competition=competition)


def add_cpv_code(scene):
    """A code of a test division (99…), labelled in every language."""
    number = next(_numbers)
    label = f"Essai {number}"
    CpvCode.objects.create(
        code=f"{99000000 + number:08d}-{number % 10}",
        label_fr=label,
        label_nl=label,
        label_de=label,
        label_en=label,
        level=5,
    )


def add_audit_entry(scene):
    commune, _officer = a_member(scene)
    audit.record(actor=scene.buyer, action="organization.updated", target=commune, organizations=[commune.pk])
    audit.record(actor=None, action="membership.activated", target=commune.memberships.get())


def add_declaration(scene):
    from tenders import services

    survey = scene.parent["survey"]
    _commune, officer = a_member(scene)
    services.survey_declare(
        actor=officer, survey=survey, quantities={pk: D("5") for pk in survey.items.values_list("pk", flat=True)}
    )


def add_question(scene):
    from tenders import services

    tender = scene.parent["tender"]
    company = SupplierFactory()
    asker = person(company, Role.SUPPLIER)
    question = services.question_ask(actor=asker, tender=tender, question="Quel grammage ?", lot=tender.lots.first())
    services.question_answer(actor=scene.buyer, question=question, answer="80 g.")


def add_document(scene):
    from tenders import services

    services.tender_add_document(
        actor=scene.buyer, tender=scene.parent["tender"], file=specifications(), title="Addendum", kind="addendum"
    )


def add_cart_line(scene):
    from procurement.orders import services

    item = catalogue_line(scene.agreement, scene.companies[0], f"C-{next(_numbers)}", "1.00")
    services.cart_add(actor=scene.officer, item=item, quantity=2)


# -- What nested lists hang on. -------------------------------------------------------------------


def open_survey(scene) -> str:
    from tenders import services

    if "survey" not in scene.parent:
        item = {"description": "Ramette A4", "unit": "C62", "cpv_code": cpv(), "estimated_unit_price": D("3.25")}
        survey = services.survey_create(
            actor=scene.buyer,
            title="Papier 2027",
            closes_at=timezone.now() + datetime.timedelta(days=10),
            items=[item, item | {"description": "Ramette A3"}],
        )
        scene.parent["survey"] = services.survey_open(actor=scene.buyer, survey=survey)
    return f"/api/v1/surveys/{scene.parent['survey'].pk}/declarations/"


def a_tender(suffix):
    def path(scene) -> str:
        if "tender" not in scene.parent:
            scene.parent["tender"] = published_tender(scene.buyer, lots=[lot_data(1), lot_data(2)])
        return f"/api/v1/tenders/{scene.parent['tender'].pk}/{suffix}/"

    return path


def add_bid_to_tender(scene):
    """A bid by another supplier on lot 1 of the scene's tender (``scene.parent["tender"]``)."""
    from tenders import services

    company = SupplierFactory()
    bidder = person(company, Role.SUPPLIER)
    lot = scene.parent["tender"].lots.get(number=1)
    services.bid_submit(actor=bidder, lot=lot, total_amount=D("1000.00"))


def add_revision(scene):
    """A percentage revision of the scene's agreement."""
    from catalog import services

    services.revision_create(
        actor=scene.buyer,
        agreement=scene.agreement,
        kind="percentage",
        percentage=D("1"),
        effective_date=timezone.localdate(),
        reason=f"Indexation {next(_numbers)}",
    )


def add_report_export(scene):
    """A finished export of the buyer's."""
    from reports.models import ReportExport

    ReportExport.objects.create(
        report="spend",
        format="xlsx",
        requested_by=scene.buyer,
        organization=scene.buyer.acting.organization,
        status="done",
        rows=10,
        filename=f"spend-{next(_numbers)}.xlsx",
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
