"""Demonstration orders, on top of the catalogues' demo (``manage.py seed_demo``).

- approval chains: the Ville de Namur (the financial director's visa from 22,000 € excl. VAT,
  then the college's decision), its CPAS (the Bureau permanent), the Namur police zone (its
  police college); Liège keeps the default single decision;
- the approvers and officers the members' demo lacks (password "demo" when DEBUG is on);
- subscriptions of four members to the two agreements of IMIO-2026-003;
- thirteen orders that, between them, pass through every state of an order: a draft, one
  awaiting the visa, approved, rejected, sent, confirmed, declined, declined then re-addressed
  to the next supplier of the cascade, partly delivered, delivered, closed (once fully
  delivered, once partly, the remainder going back to the agreement), cancelled;
- one order the Ville de Liège placed with the supplier directly, recorded by IMIO's buyer.

Everything goes through the services. The orders are replayed with the services' clock set a
few days or weeks back (as ``tenders.demo`` replays its procedure), so that each order's
dates read like the weeks it took. Running it twice changes nothing: a member that has orders
already, a member with a chain, an existing subscription or person are left alone.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import CatalogItem
from procurement.core.permissions import Role
from procurement.members import services as member_services
from procurement.members.demo import DEMO_PASSWORD, EMAIL_DOMAIN, replaying
from procurement.members.models import Organization, OrganizationKind, User
from procurement.orders import services
from procurement.orders.models import ApprovalStep, OffPlatformCallOff, Order, Subscription, SubscriptionStatus
from tenders.models import FrameworkAgreement

D = Decimal
L1, L2 = "IMIO-2026-003-L1", "IMIO-2026-003-L2"  # office supplies (single supplier); IT (cascade)

# (username, member, roles, first name, last name): who the orders need beyond the members' demo.
PEOPLE = [
    ("namur-finance-director", "namur", [Role.MEMBER_APPROVER], "Marc", "Delvaux"),
    ("namur-cpas-approver", "namur-cpas", [Role.MEMBER_APPROVER], "Nadia", "Hubert"),
    # A small zone: its logistics officer also administers the zone's people and approval chain.
    ("police-namur-officer", "police-namur", [Role.MEMBER_OFFICER, Role.MEMBER_ADMIN], "Olivier", "Renson"),
    ("police-namur-approver", "police-namur", [Role.MEMBER_APPROVER], "Patricia", "Collignon"),
]


@dataclass(frozen=True)
class Member:
    officer: str
    admin: str  # configures the approval chain
    phone: str
    chain: tuple[dict, ...]  # empty: the default single decision
    estimates: dict[str, Decimal | None]  # agreement → estimated spend (None: the needs survey's)


MEMBERS = {
    "namur": Member(
        "namur-officer",
        "namur-admin",
        "+32 81 24 87 30",
        (
            {"name": "Visa du directeur financier", "kind": "visa", "threshold": D("22000.00")},
            {"name": "Décision du Collège communal", "kind": "decision"},
        ),
        {L1: None, L2: None},
    ),
    "namur-cpas": Member(
        "namur-officer",
        "namur-admin",
        "+32 81 33 70 42",
        ({"name": "Décision du Bureau permanent", "kind": "decision"},),
        {L1: D("18000.00")},
    ),
    "liege": Member("liege-officer", "", "+32 4 221 84 12", (), {L1: None, L2: None}),
    "police-namur": Member(
        "police-namur-officer",
        "police-namur-officer",
        "+32 81 24 68 95",
        ({"name": "Décision du Collège de police", "kind": "decision"},),
        {L1: D("9500.00"), L2: D("42000.00")},
    ),
}


@dataclass(frozen=True)
class Step:
    """Something that happens to an order ``days`` days ago; ``by`` decides (approvals)."""

    days: int
    action: str
    by: str = ""
    reference: str = ""  # of a decision ({date}, {year}: the day's) or of a delivery note
    text: str = ""  # the reason (rejecting, declining, closing, cancelling)
    quantities: dict[str, int] | None = None  # a delivery: supplier reference → quantity (None: the rest)


@dataclass(frozen=True)
class Story:
    member: str
    agreement: str
    placed: int  # days ago
    lines: tuple[tuple[str, int], ...]  # supplier reference, quantity
    budget_article: str
    service: str  # the line of the delivery address naming the service
    steps: tuple[Step, ...] = ()
    note: str = ""


STORIES = [
    # --- Ville de Namur: the visa applies from 22,000 € excl. VAT.
    # closed partly delivered: the rest of the envelopes goes back to the agreement
    Story(
        "namur",
        L1,
        60,
        (("BM-PAP-033", 150), ("BM-ENV-001", 30), ("BM-ENV-009", 20)),
        "104/123-02",
        "Service Population — État civil",
        (
            Step(60, "submit"),
            Step(57, "approve", "namur-approver", "Collège communal du {date}, point 17"),
            Step(56, "send"),
            Step(55, "confirm"),
            Step(
                48,
                "deliver",
                reference="BL {year}-10871",
                quantities={"BM-PAP-033": 150, "BM-ENV-001": 10, "BM-ENV-009": 20},
            ),
            Step(
                20,
                "close",
                text="Le solde des enveloppes C5 n'est plus nécessaire : les convocations partent "
                "désormais par voie électronique (décision du Collège communal).",
            ),
        ),
        note="Livraison au guichet arrière, rue de Fer, du lundi au vendredi de 8 h à 15 h 30.",
    ),
    # delivered in two deliveries
    Story(
        "namur",
        L1,
        30,
        (("BM-PAP-001", 300), ("BM-CLA-033", 120), ("BM-STY-001", 12), ("BM-SUR-001", 15)),
        "722/124-02",
        "Département de l'Éducation — écoles communales",
        (
            Step(30, "submit"),
            Step(28, "approve", "namur-approver", "Collège communal du {date}, point 9"),
            Step(27, "send"),
            Step(26, "confirm"),
            Step(19, "deliver", reference="BL {year}-11342", quantities={"BM-PAP-001": 200, "BM-CLA-033": 120}),
            Step(12, "deliver", reference="BL {year}-11590"),
        ),
    ),
    # approved after the visa and the college's decision, not sent yet
    Story(
        "namur",
        L2,
        9,
        (("BM-LN-21L1-U5-16-512-BE", 24), ("BM-ACC-001", 24)),
        "104/742-53",
        "Service informatique (SIPN)",
        (
            Step(9, "submit"),
            Step(6, "approve", "namur-finance-director", "Visa favorable n° {year}/0412"),
            Step(2, "approve", "namur-approver", "Collège communal du {date}, point 31"),
        ),
        note="Renouvellement des portables de l'administration (plan informatique communal).",
    ),
    # awaiting the financial director's visa
    Story(
        "namur",
        L2,
        1,
        (("BM-LN-21L1-U5-16-512-BE", 28),),
        "722/742-53",
        "Département de l'Éducation — cellule numérique",
        (Step(1, "submit"),),
        note="Plan de numérisation des écoles communales, phase 2.",
    ),
    # a draft
    Story("namur", L1, 1, (("BM-PAP-005", 20), ("BM-MAR-001", 40)), "421/124-02", "Service des Travaux — dépôt"),
    # --- CPAS de Namur: the Bureau permanent decides.
    # delivered and closed
    Story(
        "namur-cpas",
        L1,
        45,
        (("BM-PAP-025", 80), ("BM-FAR-001", 200), ("BM-NOT-001", 100)),
        "834/124-02",
        "Maison de repos — secrétariat",
        (
            Step(45, "submit"),
            Step(43, "approve", "namur-cpas-approver", "Bureau permanent du {date}, point 6"),
            Step(42, "send"),
            Step(41, "confirm"),
            Step(35, "deliver", reference="BL {year}-10512"),
            Step(30, "close"),
        ),
    ),
    # confirmed by the supplier
    Story(
        "namur-cpas",
        L1,
        8,
        (("BM-PAP-001", 60), ("BM-RAN-001", 150)),
        "121/123-02",
        "Service social — archives",
        (
            Step(8, "submit"),
            Step(6, "approve", "namur-cpas-approver", "Bureau permanent du {date}, point 11"),
            Step(5, "send"),
            Step(4, "confirm"),
        ),
    ),
    # --- Ville de Liège: no chain configured, one decision.
    # partly delivered
    Story(
        "liege",
        L1,
        25,
        (("BM-PAC-001", 40), ("BM-PAC-009", 40), ("BM-AVE-L7160", 12)),
        "76301/124-02",
        "Service des Fêtes et Cérémonies",
        (
            Step(25, "submit"),
            Step(23, "approve", "liege-approver", "Collège communal du {date}, point 44"),
            Step(22, "send"),
            Step(21, "confirm"),
            Step(10, "deliver", reference="BL {year}-11410", quantities={"BM-PAC-001": 40, "BM-PAC-009": 15}),
        ),
    ),
    # rejected
    Story(
        "liege",
        L1,
        20,
        (("BM-PAP-025", 1500),),
        "104/123-02",
        "Département des Finances — économat",
        (
            Step(20, "submit"),
            Step(
                17,
                "reject",
                "liege-approver",
                "Collège communal du {date}, point 38",
                text="Crédit insuffisant à l'article 104/123-02 de l'exercice en cours : "
                "à réintroduire en janvier sur le budget de l'an prochain.",
            ),
        ),
        note="Stock de papier pour le premier trimestre.",
    ),
    # declined by the first supplier of the cascade, awaiting the officer
    Story(
        "liege",
        L2,
        14,
        (("BM-HP-A37Z-U5-16-512-BE", 12),),
        "104/742-53",
        "Département des Finances",
        (
            Step(14, "submit"),
            Step(12, "approve", "liege-approver", "Collège communal du {date}, point 52"),
            Step(11, "send"),
            Step(
                9,
                "decline",
                text="Le HP EliteBook 840 G11 est en fin de série : le fabricant ne le livre plus "
                "avant février. Nous vous invitons à vous adresser au fournisseur suivant.",
            ),
        ),
    ),
    # --- Zone de police de Namur: the police college decides.
    # declined, re-addressed to the next supplier of the cascade, confirmed by it
    Story(
        "police-namur",
        L2,
        33,
        (("BM-LN-21L1-U5-16-512-BE", 8), ("BM-ACC-019", 8), ("BM-ACC-038", 8)),
        "330/742-53",
        "Service logistique",
        (
            Step(33, "submit"),
            Step(31, "approve", "police-namur-approver", "Collège de police du {date}, point 5"),
            Step(30, "send"),
            Step(
                28,
                "decline",
                text="Délai fabricant Lenovo de dix semaines : nous ne pouvons pas respecter "
                "la date de livraison demandée.",
            ),
            Step(27, "readdress"),
            Step(26, "confirm"),
        ),
        note="Postes des inspecteurs de quartier ; préparation avec l'image de la zone.",
    ),
    # cancelled after its approval
    Story(
        "police-namur",
        L1,
        12,
        (("BM-PAP-001", 100), ("BM-ANN-002", 50)),
        "330/123-48",
        "Antenne de Jambes",
        (
            Step(12, "submit"),
            Step(10, "approve", "police-namur-approver", "Collège de police du {date}, point 8"),
            Step(
                7,
                "cancel",
                text="Le déménagement de l'antenne de Jambes est reporté : la commande sera "
                "réintroduite après le déménagement.",
            ),
        ),
    ),
    # sent, awaiting the supplier
    Story(
        "police-namur",
        L1,
        5,
        (("BM-PAP-033", 60), ("BM-STY-001", 4), ("BM-INT-001", 30)),
        "330/123-48",
        "Service logistique",
        (
            Step(5, "submit"),
            Step(3, "approve", "police-namur-approver", "Collège de police du {date}, point 3"),
            Step(2, "send"),
        ),
    ),
]

CALL_OFF = {
    "agreement": L1,
    "member": "liege",
    "reference": "Ville de Liège BC {year}/08817",
    "days": 50,
    "amount_excl_vat": D("1268.40"),
    "source": "member",
    "note": "Commande urgente passée par téléphone pour la rentrée scolaire, déclarée ensuite par le "
    "service des achats de la Ville.",
}


_on = replaying  # the services read the replayed moment as "now"


def _weekday(day: datetime.date, *, step: int) -> datetime.date:
    """``day``, or the nearest weekday before it (``step=-1``) or after it (``step=1``)."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=step)
    return day


def _members() -> dict[str, Organization | None]:
    """The members of the story, as the members' demo made them."""
    organizations = Organization.objects.filter(is_active=True)
    return {
        "namur": organizations.filter(kind=OrganizationKind.COMMUNE, nis_code="92094").first(),
        "namur-cpas": organizations.filter(kind=OrganizationKind.CPAS, nis_code="92094").first(),
        "liege": organizations.filter(kind=OrganizationKind.COMMUNE, nis_code="62063").first(),
        "police-namur": organizations.filter(kind=OrganizationKind.POLICE_ZONE, name="Zone de police de Namur").first(),
    }


class OrderDemo:
    def __init__(self, *, with_passwords: bool):
        self.with_passwords = with_passwords
        self.today = timezone.localdate()  # read before any replay
        self.members = _members()
        self.agreements = FrameworkAgreement.objects.in_bulk([L1, L2], field_name="reference")
        self.users: dict[str, User] = {}
        self.created = {
            "ordering users": 0,
            "approval steps": 0,
            "subscriptions": 0,
            "orders": 0,
            "off-platform call-offs": 0,
        }

    def ready(self) -> bool:
        """The members', tenders' and catalogues' demos are loaded."""
        return (
            all(self.members.values())
            and len(self.agreements) == 2
            and User.objects.filter(username="imio-buyer").exists()
            and CatalogItem.objects.filter(agreement__in=self.agreements.values()).exists()
        )

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self._people()
            self._chains()
            self._subscriptions()
        for key, spec in MEMBERS.items():
            member = self.members[key]
            if Order.objects.filter(member=member).exists():
                continue
            stories = sorted((story for story in STORIES if story.member == key), key=lambda story: -story.placed)
            with transaction.atomic(), self._acting_for(self._user(spec.officer), member):
                for story in stories:  # oldest first: the numbers follow the dates
                    self._play(story)
        with transaction.atomic():
            self._call_off()
        return self.created

    # --- people, chains, subscriptions ----------------------------------------------------------
    def _user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = User.objects.get(username=username)
        return self.users[username]

    @contextmanager
    def _acting_for(self, user: User, organization: Organization):
        """The user acts for ``organization`` (the Namur officer works for its CPAS too), then as before."""
        previous = user.acting.organization
        if previous != organization:
            member_services.user_switch_organization(user=user, organization=organization)
        yield
        if previous is not None and previous != organization:
            member_services.user_switch_organization(user=user, organization=previous)

    def _people(self) -> None:
        for username, key, roles, first_name, last_name in PEOPLE:
            if User.objects.filter(username=username).exists():
                continue
            member_services.user_create(
                actor=None,
                organization=self.members[key],
                username=username,
                email=f"{username}@{EMAIL_DOMAIN}",
                roles=roles,
                first_name=first_name,
                last_name=last_name,
                password=DEMO_PASSWORD if self.with_passwords else None,
            )
            self.created["ordering users"] += 1

    def _chains(self) -> None:
        for key, spec in MEMBERS.items():
            member = self.members[key]
            if not spec.chain or ApprovalStep.objects.filter(organization=member).exists():
                continue
            admin = self._user(spec.admin)
            with self._acting_for(admin, member):
                steps = services.approval_chain_set(actor=admin, steps=[dict(step) for step in spec.chain])
            self.created["approval steps"] += len(steps)

    def _subscriptions(self) -> None:
        for key, spec in MEMBERS.items():
            member = self.members[key]
            subscribed = set(
                Subscription.objects.filter(member=member, status=SubscriptionStatus.ACTIVE).values_list(
                    "agreement__reference", flat=True
                )
            )
            missing = {
                reference: estimate for reference, estimate in spec.estimates.items() if reference not in subscribed
            }
            if not missing:
                continue
            officer = self._user(spec.officer)
            with self._acting_for(officer, member):
                for reference, estimate in missing.items():
                    # No estimate: the member's declaration in the needs survey behind the agreement.
                    services.subscription_create(
                        actor=officer, agreement=self.agreements[reference], estimated_value=estimate
                    )
                    self.created["subscriptions"] += 1

    # --- orders ---------------------------------------------------------------------------------
    def _moment(self, days: int, position: int) -> datetime.datetime:
        """``days`` ago, the steps of an order 40 minutes apart from 8:30 (always before today).

        Colleges and offices work on weekdays: a Saturday or a Sunday becomes the Friday before.
        """
        day = _weekday(self.today - datetime.timedelta(days=days), step=-1)
        start = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=timezone.get_current_timezone())
        return start + datetime.timedelta(minutes=40 * position)

    def _item(self, agreement: FrameworkAgreement, reference: str) -> CatalogItem:
        item = CatalogItem.objects.filter(agreement=agreement, supplier_reference=reference, active=True).first()
        if item is None:
            raise RuntimeError(f"The demo catalogue of {agreement.reference} has no active line {reference}.")
        return item

    def _play(self, story: Story) -> None:
        member, spec = self.members[story.member], MEMBERS[story.member]
        officer = self._user(spec.officer)
        agreement = self.agreements[story.agreement]
        with _on(self._moment(story.placed, 0)):
            for reference, quantity in story.lines:
                services.cart_add(actor=officer, item=self._item(agreement, reference), quantity=quantity)
            [order] = services.cart_checkout(
                actor=officer,
                budget_article=story.budget_article,
                delivery_address="\n".join(
                    [member.name, story.service, member.street, f"{member.postcode} {member.city}"]
                ),
                contact_name=officer.get_full_name(),
                contact_email=officer.email,
                contact_phone=spec.phone,
                requested_delivery_date=_weekday(timezone.localdate() + datetime.timedelta(days=21), step=1),
                note=story.note,
            )
        self.created["orders"] += 1
        for position, step in enumerate(story.steps, start=1):
            with _on(self._moment(step.days, position)):
                order = getattr(self, f"_{step.action}")(order, step, officer)

    def _supplier_person(self, order: Order) -> User:
        username = (
            User.objects.filter(
                role_assignments__organization_id=order.supplier_id,
                role_assignments__role=Role.SUPPLIER,
                is_active=True,
            )
            .order_by("pk")
            .values_list("username", flat=True)
            .first()
        )
        return self._user(username)

    def _submit(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_submit(actor=officer, order=order)

    @staticmethod
    def _reference(step: Step) -> str:
        day = timezone.localdate()  # the replayed day
        return step.reference.format(date=f"{day:%d/%m/%Y}", year=day.year)

    def _approve(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_approve(actor=self._user(step.by), order=order, decision_reference=self._reference(step))

    def _reject(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_reject(
            actor=self._user(step.by), order=order, reason=step.text, decision_reference=self._reference(step)
        )

    def _send(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_send(actor=officer, order=order)

    def _confirm(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_confirm(actor=self._supplier_person(order), order=order)

    def _decline(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_decline(actor=self._supplier_person(order), order=order, reason=step.text)

    def _readdress(self, order: Order, step: Step, officer: User) -> Order:
        # Each line finds the next supplier's line of the same name and unit.
        return services.order_readdress(actor=officer, order=order)

    def _deliver(self, order: Order, step: Step, officer: User) -> Order:
        lines = list(order.lines.all())
        if step.quantities is None:
            quantities = {line.pk: line.remaining_quantity for line in lines if line.remaining_quantity}
        else:
            by_reference = {line.supplier_reference: line.pk for line in lines}
            quantities = {by_reference[reference]: quantity for reference, quantity in step.quantities.items()}
        delivery = services.order_deliver(
            actor=self._supplier_person(order), order=order, quantities=quantities, reference=self._reference(step)
        )
        return delivery.order

    def _close(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_close(actor=officer, order=order, reason=step.text)

    def _cancel(self, order: Order, step: Step, officer: User) -> Order:
        return services.order_cancel(actor=officer, order=order, reason=step.text)

    # --- off the platform -----------------------------------------------------------------------
    def _call_off(self) -> None:
        agreement = self.agreements[CALL_OFF["agreement"]]
        member = self.members[CALL_OFF["member"]]
        if OffPlatformCallOff.objects.filter(agreement=agreement, member=member).exists():
            return
        supplier = agreement.supplier_links.select_related("supplier").get(rank=1, active=True).supplier
        ordered_on = max(
            _weekday(self.today - datetime.timedelta(days=CALL_OFF["days"]), step=-1), agreement.start_date
        )
        services.call_off_record(
            actor=self._user("imio-buyer"),
            agreement=agreement,
            member=member,
            supplier=supplier,
            reference=CALL_OFF["reference"].format(year=ordered_on.year),
            ordered_on=ordered_on,
            amount_excl_vat=CALL_OFF["amount_excl_vat"],
            source=CALL_OFF["source"],
            note=CALL_OFF["note"],
        )
        self.created["off-platform call-offs"] += 1


def load_demo_orders() -> dict[str, int]:
    """Load the demonstration orders; demo passwords only when DEBUG is on (as the members' demo)."""
    demo = OrderDemo(with_passwords=settings.DEBUG)
    if not demo.ready():
        return {}
    return demo.run()
