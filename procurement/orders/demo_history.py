"""The demo's history: the months of orders since IMIO-2026-003 started, so that reports have something to say.

``procurement.orders.demo`` plays thirteen orders that walk through every state of an order:
enough to try the screens, far too thin for the reports (spend month by month, top suppliers,
spend by CPV division, savings against the suppliers' list prices, members' statements, the
annual report's charts). Run right after it (``settings.DEMO_LOADERS``), this module plays the
months from the start of the two agreements of IMIO-2026-003 (1 May 2026) to yesterday:

- some 160 orders by the four members of the orders' demo (Ville de Namur, its CPAS,
  the Namur police zone, Ville de Liège, with their approval chains) and five other active
  members (Charleroi, Mons, Wavre, the NAGE emergency zone, the Province of Namur), each given
  an officer and an approver as the orders' demo gives its people (password "demo" when DEBUG
  is on), and subscribed to the agreements from the month they start ordering;
- more orders in September and October (the school year, budgets spent before the year
  closes), few in July and August; orders on weekdays, decisions a few days after submission;
- lines from both catalogues — each member has its usual products, plus a few others — with
  and without a public list price (savings have lines "without a list price"), in quantities
  that suit each product; several budget articles per member (Walloon format: 104/123-02,
  722/124-02, 104/742-53…), the delivery address naming the ordering service;
- most orders delivered or closed; the latest ones still awaiting a decision, approved, sent,
  confirmed or partly delivered; a few closed short (the rest given back to the agreement),
  cancelled or rejected; on the IT lot (a cascade), a few declined by the first supplier and
  re-addressed to the next, so that both suppliers have spend;
- five off-platform call-offs reported to IMIO's buyer over the months.

Everything goes through the services, with their clock set back (``demo._on``), as the orders'
demo replays its stories: approvals (``approved_at``, ``approved_on``), the consumption of the
agreements' ceilings and the spend rollups stay what the services make them. The history stops
at 60 % of each agreement's maximum (what the demo's orders already hold included), so that the
demo's people can still order.

Deterministic (``random.Random(2026)``, one stream per member drawn from it) and idempotent: a
member whose history was played (orders whose note starts with ``MARK``) is left alone, and so
are people, subscriptions and call-offs that exist already. Order numbers follow the dates within
the history, but come after the orders' demo's (which runs first).

Limits: what the models date themselves (an approval's or a delivery's "recorded at", a
subscription's creation, the audit trail) reads the loading time, as in the orders' demo: only
the services' ``timezone.now()`` is set back. Each order sent renders its PDF (WeasyPrint, some
0.15 s): most of the history's load time (some 45 s of CPU) goes there; fewer orders per member
(``BUYERS``) load faster.
"""

from __future__ import annotations

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import CatalogItem
from catalog.price_lists import normalise
from procurement.core.money import line_amount
from procurement.core.permissions import Role
from procurement.members import services as member_services
from procurement.members.demo import DEMO_PASSWORD, EMAIL_DOMAIN
from procurement.members.models import MembershipStatus, Organization, OrganizationKind, User
from procurement.orders import services
from procurement.orders.demo import L1, L2, OrderDemo, _on, _weekday
from procurement.orders.models import OffPlatformCallOff, Order, OrderStatus, Subscription, SubscriptionStatus
from tenders.models import FrameworkAgreement

D = Decimal
SEED = 2026
MARK = "Demande interne DI/"  # how the history's orders are known again (their note starts with it)
CEILING_SHARE = D("0.60")  # the history stops there: a quarter of each maximum and more stays free
# The share of each buyer's orders played: every order is sent, so it builds its PDF (~0.15 s); this
# keeps ``seed_demo`` within half a minute while giving the reports some hundred orders over months.
SCALE = 0.6
VISA_THRESHOLD = D("22000.00")  # Namur's financial director's visa (procurement.orders.demo)

# Orders placed per weekday, relative, by month: the school year and the end of the budget year
# weigh, the summer holidays do not.
MONTH_WEIGHTS = {1: 0.8, 2: 0.9, 3: 1.1, 4: 1.0, 5: 0.9, 6: 1.0, 7: 0.55, 8: 0.35, 9: 1.5, 10: 1.45, 11: 1.15, 12: 0.7}
# What becomes of an order (unless the clock reaches today first): rejected, cancelled (before or
# after it was sent), closed partly delivered ("short"), partly delivered with the rest still awaited
# ("backorder"), delivered and left open, or delivered then closed.
FATES = ["rejected", "cancelled", "short", "backorder", "open", "closed"]
FATE_WEIGHTS = [2.5, 2.5, 3, 3, 34, 55]


@dataclass(frozen=True)
class Service:
    name: str  # the line of the delivery address naming the service
    supplies: str  # budget article of office supplies
    function: str  # the function code its IT spend is charged to (…/742-53, …/123-13)


@dataclass(frozen=True)
class Buyer:
    officer: str
    deciders: dict[str, str]  # kind of approval step → username
    phone: str
    orders: int
    it_share: float  # share of the orders under the IT lot (0: office supplies only)
    scale: float  # how much a typical order of the member weighs
    services: tuple[Service, ...]
    decision: str  # reference of a decision: {date} the day's, {point} a point of the agenda
    since: int = 0  # months after the agreements' start when the member starts ordering


BUYERS = {
    "namur": Buyer(
        "namur-officer",
        {"visa": "namur-finance-director", "decision": "namur-approver"},
        "+32 81 24 87 30",
        34,
        0.3,
        1.0,
        (
            Service("Service Population — État civil", "104/123-02", "104"),
            Service("Département de l'Éducation — écoles communales", "722/124-02", "722"),
            Service("Service des Travaux — dépôt", "421/124-02", "421"),
            Service("Service informatique (SIPN)", "104/123-02", "104"),
            Service("Bibliothèque communale", "767/124-02", "767"),
        ),
        "Collège communal du {date}, point {point}",
    ),
    "namur-cpas": Buyer(
        "namur-officer",
        {"decision": "namur-cpas-approver"},
        "+32 81 33 70 42",
        18,
        0.0,
        0.6,
        (
            Service("Service social — archives", "121/123-02", "121"),
            Service("Maison de repos — secrétariat", "834/124-02", "834"),
            Service("Service d'aide aux familles", "844/124-02", "844"),
        ),
        "Bureau permanent du {date}, point {point}",
    ),
    "liege": Buyer(
        "liege-officer",
        {"decision": "liege-approver"},
        "+32 4 221 84 12",
        32,
        0.3,
        1.2,
        (
            Service("Département des Finances — économat", "104/123-02", "104"),
            Service("Service des Fêtes et Cérémonies", "76301/124-02", "76301"),
            Service("Département de l'Instruction publique", "722/124-02", "722"),
            Service("Département de la Culture — musées", "771/124-02", "771"),
        ),
        "Collège communal du {date}, point {point}",
    ),
    "police-namur": Buyer(
        "police-namur-officer",
        {"decision": "police-namur-approver"},
        "+32 81 24 68 95",
        17,
        0.35,
        0.6,
        (
            Service("Service logistique", "330/123-48", "330"),
            Service("Antenne de Jambes", "330/124-02", "330"),
            Service("Service d'intervention", "330/124-02", "330"),
        ),
        "Collège de police du {date}, point {point}",
    ),
    "charleroi": Buyer(
        "charleroi-officer",
        {"decision": "charleroi-approver"},
        "+32 71 86 10 00",
        20,
        0.3,
        1.2,
        (
            Service("Service des Achats — magasin central", "104/123-02", "104"),
            Service("Direction de l'Enseignement", "722/124-02", "722"),
            Service("Service de la Population", "104/123-02", "104"),
        ),
        "Collège communal du {date}, point {point}",
        since=1,
    ),
    "mons": Buyer(
        "mons-officer",
        {"decision": "mons-approver"},
        "+32 65 40 56 11",
        14,
        0.25,
        0.9,
        (
            Service("Service des Marchés publics", "104/123-02", "104"),
            Service("Bibliothèque Saint-Georges", "767/124-02", "767"),
            Service("Écoles communales — direction", "722/124-02", "722"),
        ),
        "Collège communal du {date}, point {point}",
        since=1,
    ),
    "wavre": Buyer(
        "wavre-officer",
        {"decision": "wavre-approver"},
        "+32 10 23 03 11",
        9,
        0.25,
        0.7,
        (
            Service("Secrétariat communal", "104/123-02", "104"),
            Service("Service Jeunesse", "761/124-02", "761"),
        ),
        "Collège communal du {date}, point {point}",
        since=2,
    ),
    "nage": Buyer(
        "nage-officer",
        {"decision": "nage-approver"},
        "+32 81 25 62 00",
        8,
        0.4,
        0.6,
        (
            Service("Logistique — caserne de Namur", "351/124-02", "351"),
            Service("Service prévention", "351/123-02", "351"),
        ),
        "Collège de zone du {date}, point {point}",
        since=2,
    ),
    "province-namur": Buyer(
        "province-namur-officer",
        {"decision": "province-namur-approver"},
        "+32 81 77 67 11",
        12,
        0.35,
        1.0,
        (
            Service("Direction des Affaires générales", "104/123-02", "104"),
            Service("Enseignement provincial — Haute École", "735/124-02", "735"),
            Service("Service provincial de la Culture", "762/124-02", "762"),
        ),
        "Collège provincial du {date}, point {point}",
        since=1,
    ),
}

# The people of the members the orders' demo does not cover: (username, member, role, first name, last name).
PEOPLE = [
    ("charleroi-officer", "charleroi", Role.MEMBER_OFFICER, "Sophie", "Dethier"),
    ("charleroi-approver", "charleroi", Role.MEMBER_APPROVER, "Thierry", "Lambotte"),
    ("mons-officer", "mons", Role.MEMBER_OFFICER, "Valérie", "Dufrasne"),
    ("mons-approver", "mons", Role.MEMBER_APPROVER, "Xavier", "Hennuy"),
    ("wavre-officer", "wavre", Role.MEMBER_OFFICER, "Yasmine", "Vandamme"),
    ("wavre-approver", "wavre", Role.MEMBER_APPROVER, "Benoît", "Dierickx"),
    ("nage-officer", "nage", Role.MEMBER_OFFICER, "Cédric", "Mottet"),
    ("nage-approver", "nage", Role.MEMBER_APPROVER, "Delphine", "Gaspard"),
    ("province-namur-officer", "province-namur", Role.MEMBER_OFFICER, "Étienne", "Rousseau"),
    ("province-namur-approver", "province-namur", Role.MEMBER_APPROVER, "Fabienne", "Noël"),
]
# Their subscriptions: member → {agreement: estimated spend excl. VAT}.
SUBSCRIPTIONS = {
    "charleroi": {L1: D("60000.00"), L2: D("75000.00")},
    "mons": {L1: D("35000.00"), L2: D("40000.00")},
    "wavre": {L1: D("15000.00"), L2: D("20000.00")},
    "nage": {L1: D("12000.00"), L2: D("30000.00")},
    "province-namur": {L1: D("30000.00"), L2: D("45000.00")},
}

# (agreement, member, supplier rank, reference, months after the start, day, amount excl. VAT, source, note)
CALL_OFFS = [
    (
        L1,
        "charleroi",
        1,
        "Ville de Charleroi BC {year}/04112",
        1,
        16,
        D("1842.60"),
        "member",
        "Fournitures pour les bureaux de vote, commandées par téléphone et déclarées ensuite par le service des achats.",
    ),
    (
        L2,
        "liege",
        2,
        "Informatique Wallonne FA {year}-2291",
        2,
        8,
        D("3276.00"),
        "supplier",
        "Douze stations d'accueil livrées en urgence au Département des Finances, déclarées par le fournisseur.",
    ),
    (
        L1,
        "namur-cpas",
        1,
        "CPAS de Namur BC {year}/0371",
        4,
        9,
        D("684.35"),
        "member",
        "Commande passée directement au fournisseur par la maison de repos pendant la panne de la plateforme.",
    ),
    (
        L2,
        "police-namur",
        1,
        "Bureau Meuse FA {year}-18806",
        5,
        14,
        D("2150.00"),
        "supplier",
        "Écrans commandés par courriel pour la salle de crise, déclarés par le fournisseur lors du rapport trimestriel.",
    ),
    (
        L1,
        "province-namur",
        1,
        "Province de Namur BC {year}/1187",
        6,
        5,
        D("1215.90"),
        "member",
        "Matériel pour la rentrée de la Haute École, commandé hors plateforme et déclaré par le service des achats.",
    ),
]

EXTRA_NOTES = [
    "",
    "",
    "",
    "Livraison à l'accueil, du lundi au vendredi de 8 h à 16 h.",
    "Merci de livrer en une seule fois et de prévenir la veille par téléphone.",
    "Réassort du stock du service.",
    "Accès par l'entrée arrière (quai de déchargement).",
    "Merci de mentionner le numéro de commande sur le bon de livraison.",
]
REJECTIONS = [
    "Crédit insuffisant à l'article budgétaire : à réintroduire après la modification budgétaire.",
    "Les quantités dépassent les besoins du service : à revoir avec le chef de service.",
    "Doublon d'une commande déjà approuvée pour le même service.",
]
CANCELLATIONS = [
    "Le besoin est couvert par le stock d'un autre service.",
    "Le projet est reporté à l'exercice prochain.",
    "Commande encodée sur le mauvais article budgétaire : elle sera réintroduite.",
]
SHORT_CLOSINGS = [
    "Le solde n'est plus nécessaire : le service a été réorganisé.",
    "Le fournisseur ne livrera pas le solde avant plusieurs mois : nous y renonçons.",
    "Le solde a été couvert par un transfert de stock interne.",
]
DECLINES = [
    "Rupture de stock chez le fabricant : nous ne pouvons pas respecter le délai demandé.",
    "Modèle en fin de série, plus livrable par le fabricant : adressez-vous au fournisseur suivant.",
]


def _stream(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 — demo data, not a secret


@dataclass
class Plan:
    """One order of the history: placed on ``placed`` by ``key``, with its lines and what becomes of it."""

    key: str
    placed: datetime.date
    agreement: str
    lines: list[tuple[CatalogItem, int]]
    service: Service
    article: str
    note: str
    fate: str  # one of FATES, or "readdressed" (declined by the first supplier, sent to the next)
    partial: bool = False  # delivered in two deliveries

    @property
    def amount(self) -> Decimal:
        return sum((line_amount(D(quantity), item.unit_price) for item, quantity in self.lines), D("0.00"))


class Clock:
    """The replayed days of one order: each step some working days after the previous one, never today or later."""

    def __init__(self, day: datetime.date, today: datetime.date):
        self.day, self.today, self.position = _weekday(day, step=1), today, 0

    def later(self, rng: random.Random, low: int, high: int) -> bool:
        """Move on ``low``–``high`` working days (0: the same day, later on); False once that is not past."""
        for _day in range(rng.randint(low, high)):
            self.day = _weekday(self.day + datetime.timedelta(days=1), step=1)
        return self.day < self.today

    @contextmanager
    def now(self):
        """The services' clock at this step: from 8:30, 35 minutes apart."""
        self.position += 1
        start = datetime.datetime.combine(self.day, datetime.time(8, 30), tzinfo=timezone.get_current_timezone())
        with _on(start + datetime.timedelta(minutes=35 * self.position)):
            yield


class HistoryDemo(OrderDemo):
    """Plays the history on top of the orders' demo (whose helpers it reuses: people, acting, suppliers)."""

    def __init__(self, *, with_passwords: bool):
        super().__init__(with_passwords=with_passwords)
        organizations = Organization.objects.filter(is_active=True)
        self.members.update(
            {
                "charleroi": organizations.filter(kind=OrganizationKind.COMMUNE, nis_code="52011").first(),
                "mons": organizations.filter(kind=OrganizationKind.COMMUNE, nis_code="53053").first(),
                "wavre": organizations.filter(kind=OrganizationKind.COMMUNE, nis_code="25112").first(),
                "nage": organizations.filter(kind=OrganizationKind.EMERGENCY_ZONE, name="Zone de secours NAGE").first(),
                "province-namur": organizations.filter(
                    kind=OrganizationKind.PROVINCE, name="Province de Namur"
                ).first(),
            }
        )
        self.created = {
            "history ordering users": 0,
            "history subscriptions": 0,
            "history orders": 0,
            "history off-platform call-offs": 0,
        }
        master = _stream(SEED)
        self.seeds = {key: master.getrandbits(32) for key in BUYERS}
        self.start = max(agreement.start_date for agreement in self.agreements.values())
        self.supplier_people: dict[int, User] = {}

    def ready(self) -> bool:
        """The orders' demo ran: its members are subscribed and its people exist."""
        return (
            super().ready()
            and Subscription.objects.filter(member=self.members["namur"], status=SubscriptionStatus.ACTIVE).exists()
            and User.objects.filter(username="police-namur-approver").exists()
        )

    def run(self) -> dict[str, int]:
        self._catalogue()
        self.budget = {
            reference: agreement.maximum_value * CEILING_SHARE - agreement.consumed_value - self._pending(agreement)
            for reference, agreement in self.agreements.items()
        }
        for key, buyer in BUYERS.items():
            member = self.members[key]
            if member is None or Order.objects.filter(member=member, note__startswith=MARK).exists():
                continue
            with transaction.atomic():
                if not self._join(key, member):
                    continue
                plans = self._plans(key, buyer, _stream(self.seeds[key]))
                with self._acting_for(self._user(buyer.officer), member):
                    for number, plan in enumerate(plans, start=1):
                        self._play(plan, number, _stream(self.seeds[key] + number))
        with transaction.atomic():
            self._call_offs()
        return self.created

    # --- what there is to order ------------------------------------------------------------------
    def _catalogue(self) -> None:
        """The lines members order from: the first supplier's (a cascade starts there)."""
        self.items: dict[str, list[CatalogItem]] = {}
        for reference, agreement in self.agreements.items():
            first = agreement.supplier_links.filter(active=True).order_by("rank").first()
            self.items[reference] = list(
                CatalogItem.objects.filter(agreement=agreement, supplier_id=first.supplier_id, active=True).order_by(
                    "supplier_reference"
                )
            )
        # IT lines the next supplier of the cascade sells too (same name and unit): what a declined
        # order can be re-addressed with.
        agreement = self.agreements[L2]
        links = list(agreement.supplier_links.filter(active=True).order_by("rank"))
        others = CatalogItem.objects.filter(
            agreement=agreement, active=True, supplier_id__in=[link.supplier_id for link in links[1:2]]
        )
        names: dict[tuple[str, str], list[CatalogItem]] = {}
        for item in others:
            names.setdefault((normalise(item.name_fr), item.unit), []).append(item)
        self.readdressable = {
            item.pk for item in self.items[L2] if len(names.get((normalise(item.name_fr), item.unit), [])) == 1
        }

    def _pending(self, agreement: FrameworkAgreement) -> Decimal:
        """Orders awaiting approval will consume their total: the history leaves room for them."""
        pending = Order.objects.filter(agreement=agreement, status__in=[OrderStatus.DRAFT, OrderStatus.SUBMITTED])
        return sum((order.total_excl_vat for order in pending), D("0.00"))

    # --- members the orders' demo does not cover --------------------------------------------------
    def _join(self, key: str, member: Organization) -> bool:
        """The member's officer and approver exist and it is subscribed to the agreements (from when it starts)."""
        if not member.memberships.filter(status=MembershipStatus.ACTIVE).exists():
            return False
        people = [person for person in PEOPLE if person[1] == key]
        # A week before the member's first order (never later than now).
        with _on(min(self._first_day(BUYERS[key]) - datetime.timedelta(days=7), timezone.now())):
            for username, _key, role, first_name, last_name in people:
                if User.objects.filter(username=username).exists():
                    continue
                member_services.user_create(
                    actor=None,
                    organization=member,
                    username=username,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    roles=[role],
                    first_name=first_name,
                    last_name=last_name,
                    password=DEMO_PASSWORD if self.with_passwords else None,
                )
                self.created["history ordering users"] += 1
            estimates = SUBSCRIPTIONS.get(key, {})
            subscribed = set(
                Subscription.objects.filter(member=member, status=SubscriptionStatus.ACTIVE).values_list(
                    "agreement__reference", flat=True
                )
            )
            missing = [reference for reference in estimates if reference not in subscribed]
            if missing:
                officer = self._user(BUYERS[key].officer)
                with self._acting_for(officer, member):
                    for reference in missing:
                        services.subscription_create(
                            actor=officer, agreement=self.agreements[reference], estimated_value=estimates[reference]
                        )
                        self.created["history subscriptions"] += 1
        return True

    def _first_day(self, buyer: Buyer) -> datetime.datetime:
        month = self._month(buyer.since)
        day = _weekday(max(month, self.start), step=1)
        return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=timezone.get_current_timezone())

    def _month(self, months: int) -> datetime.date:
        """The first day of the month ``months`` after the agreements' start."""
        index = self.start.year * 12 + self.start.month - 1 + months
        return datetime.date(index // 12, index % 12 + 1, 1)

    # --- plans -----------------------------------------------------------------------------------
    def _plans(self, key: str, buyer: Buyer, rng: random.Random) -> list[Plan]:
        """The member's orders, oldest first (their numbers follow their dates)."""
        first = self._first_day(buyer).date()
        days = []
        day = first
        while day < self.today:
            if day.weekday() < 5:
                days.append(day)
            day += datetime.timedelta(days=1)
        if not days:
            return []
        placed = sorted(
            rng.choices(days, weights=[MONTH_WEIGHTS[day.month] for day in days], k=max(1, round(buyer.orders * SCALE)))
        )
        usual = {reference: rng.sample(items, min(len(items), 24)) for reference, items in self.items.items()}
        plans = []
        for number, day in enumerate(placed, start=1):
            agreement = L2 if buyer.it_share and rng.random() < buyer.it_share else L1
            plan = self._plan(key, buyer, rng, day, agreement, usual[agreement], number, plans)
            if plan is None:
                continue
            self.budget[agreement] -= plan.amount
            plans.append(plan)
        return plans

    def _plan(
        self,
        key: str,
        buyer: Buyer,
        rng: random.Random,
        day: datetime.date,
        agreement: str,
        usual: list[CatalogItem],
        number: int,
        plans: list[Plan],
    ) -> Plan | None:
        """One order placed on ``day`` (None: it would not fit in what the history may consume)."""
        service = rng.choice(buyer.services)
        readdress = agreement == L2 and rng.random() < 0.25
        if agreement == L1:
            # The schools stock up for the school year.
            school = service.supplies.startswith("722/") and day.month in (8, 9)
            lines, article = self._supplies(buyer, rng, usual, buyer.scale * (3 if school else 1)), service.supplies
        else:
            renewed = any(
                quantity * item.unit_price >= VISA_THRESHOLD for plan in plans for item, quantity in plan.lines
            )
            lines, equipment = self._equipment(buyer, rng, usual, readdress, renewed)
            article = f"{service.function}/742-53" if equipment else f"{service.function}/123-13"
        plan = Plan(
            key=key,
            placed=day,
            agreement=agreement,
            lines=lines,
            service=service,
            article=article,
            note=" ".join(part for part in (f"{MARK}{day.year}/{number:03d}.", rng.choice(EXTRA_NOTES)) if part),
            fate=self._fate(rng, readdress),
            partial=len(lines) > 1 and rng.random() < 0.2,
        )
        # What fits in the history's share of the ceiling: fewer of each, else no order.
        while plan.amount > self.budget[agreement]:
            fewer = [(item, max(int(item.min_quantity), quantity // 2, 1)) for item, quantity in plan.lines]
            if fewer == plan.lines:
                break
            plan.lines = fewer
        return plan if plan.amount <= self.budget[agreement] else None

    @staticmethod
    def _fate(rng: random.Random, readdress: bool) -> str:
        if readdress:
            return "readdressed"
        return rng.choices(FATES, weights=FATE_WEIGHTS)[0]

    @staticmethod
    def _quantity(item: CatalogItem, rng: random.Random, scale: float) -> int:
        price = item.unit_price
        if price < 3:
            choices = [10, 12, 20, 24, 25, 30, 50, 100, 150]
        elif price < 15:
            choices = [2, 3, 5, 6, 10, 12, 15, 20, 25, 40]
        elif price < 60:
            choices = [1, 2, 2, 3, 4, 5, 6, 10]
        else:
            choices = [1, 1, 1, 2, 2, 3]
        if "papier pour copieur" in item.name_fr.lower():
            choices = [25, 40, 50, 60, 75, 100, 150, 200]
        quantity = max(1, round(rng.choice(choices) * scale))
        return max(quantity, int(item.min_quantity))

    def _supplies(
        self, buyer: Buyer, rng: random.Random, usual: list[CatalogItem], scale: float
    ) -> list[tuple[CatalogItem, int]]:
        count = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8])
        chosen: list[CatalogItem] = []
        while len(chosen) < count:
            item = rng.choice(usual) if rng.random() < 0.8 else rng.choice(self.items[L1])
            if item not in chosen:
                chosen.append(item)
        return [(item, self._quantity(item, rng, scale)) for item in chosen]

    def _equipment(
        self, buyer: Buyer, rng: random.Random, usual: list[CatalogItem], readdress: bool, renewed: bool
    ) -> tuple[list[tuple[CatalogItem, int]], bool]:
        """IT lines: laptops or screens for a service (equipment, …/742-53), or accessories (…/123-13)."""
        pool = [item for item in self.items[L2] if item.pk in self.readdressable] if readdress else self.items[L2]
        laptops = [item for item in pool if (item.cpv_code_id or "").startswith("302131")]
        screens = [item for item in pool if (item.cpv_code_id or "").startswith("302313")]
        others = [item for item in pool if item not in laptops and item not in screens]
        kind = rng.choices(["laptops", "screens", "accessories"], weights=[3, 2, 5])[0]
        if kind == "laptops" and laptops:
            laptop = rng.choice([item for item in usual if item in laptops] or laptops)
            quantity = max(1, round(rng.choice([1, 2, 2, 3, 4, 5, 6]) * buyer.scale))
            if "visa" in buyer.deciders and not renewed:
                # Once, a renewal plan above the financial director's visa threshold.
                quantity = int(VISA_THRESHOLD // laptop.unit_price) + 2
            lines = [(laptop, quantity)]
            for extra in rng.sample(others, min(len(others), rng.choice([0, 1, 1, 2]))):
                lines.append((extra, quantity))
            return lines, True
        if kind == "screens" and screens:
            screen = rng.choice(screens)
            return [(screen, max(2, round(rng.choice([2, 3, 4, 6, 8]) * buyer.scale)))], True
        count = rng.choice([1, 2, 3, 4, 5])
        chosen = rng.sample(others, min(len(others), count))
        return [(item, self._quantity(item, rng, buyer.scale)) for item in chosen], False

    # --- playing an order ------------------------------------------------------------------------
    def _supplier_person(self, order: Order) -> User:
        if order.supplier_id not in self.supplier_people:
            self.supplier_people[order.supplier_id] = super()._supplier_person(order)
        return self.supplier_people[order.supplier_id]

    def _play(self, plan: Plan, number: int, rng: random.Random) -> None:
        buyer = BUYERS[plan.key]
        member = self.members[plan.key]
        officer = self._user(buyer.officer)
        clock = Clock(plan.placed, self.today)
        if clock.day >= self.today:
            return
        with clock.now():
            for item, quantity in plan.lines:
                services.cart_add(actor=officer, item=item, quantity=quantity)
            [order] = services.cart_checkout(
                actor=officer,
                budget_article=plan.article,
                delivery_address="\n".join(
                    [member.name, plan.service.name, member.street, f"{member.postcode} {member.city}"]
                ),
                contact_name=officer.get_full_name(),
                contact_email=officer.email,
                contact_phone=buyer.phone,
                requested_delivery_date=_weekday(timezone.localdate() + datetime.timedelta(days=21), step=1),
                note=plan.note,
            )
        self.created["history orders"] += 1
        with clock.now():
            order = services.order_submit(actor=officer, order=order)
        # The chain's steps, a few days apart.
        while order.status == OrderStatus.SUBMITTED:
            if not clock.later(rng, 1, 3):
                return
            step = services.next_step(order)
            decider = self._user(buyer.deciders.get(step["kind"], buyer.deciders["decision"]))
            with clock.now():
                reference = self._decision(buyer, step, rng)
                if plan.fate == "rejected" and step["kind"] == "decision":
                    services.order_reject(
                        actor=decider, order=order, reason=rng.choice(REJECTIONS), decision_reference=reference
                    )
                    return
                order = services.order_approve(actor=decider, order=order, decision_reference=reference)
        if plan.fate == "cancelled" and rng.random() < 0.5:
            if clock.later(rng, 1, 4):
                with clock.now():
                    services.order_cancel(actor=officer, order=order, reason=rng.choice(CANCELLATIONS))
            return
        if not clock.later(rng, 0, 1):
            return
        with clock.now():
            order = services.order_send(actor=officer, order=order)
        if plan.fate == "readdressed":
            if not clock.later(rng, 1, 2):
                return
            with clock.now():
                order = services.order_decline(
                    actor=self._supplier_person(order), order=order, reason=rng.choice(DECLINES)
                )
            if not clock.later(rng, 1, 2):
                return
            with clock.now():
                order = services.order_readdress(actor=officer, order=order)
        if not clock.later(rng, 1, 3):
            return
        with clock.now():
            order = services.order_confirm(actor=self._supplier_person(order), order=order)
        if plan.fate == "cancelled":
            if clock.later(rng, 1, 5):
                with clock.now():
                    services.order_cancel(actor=officer, order=order, reason=rng.choice(CANCELLATIONS))
            return
        it = plan.agreement == L2
        if not clock.later(rng, 6 if it else 3, 15 if it else 10):
            return
        lines = list(order.lines.order_by("position"))
        # A first delivery may leave part of the order for later: half of the last line.
        first = {line.pk: line.quantity for line in lines[:-1]}
        if int(lines[-1].quantity) // 2:
            first[lines[-1].pk] = int(lines[-1].quantity) // 2
        if (plan.partial or plan.fate in ("short", "backorder")) and first:
            self._deliver(order, first, clock, rng)
            if plan.fate in ("short", "backorder"):
                if plan.fate == "short" and clock.later(rng, 8, 20):
                    with clock.now():
                        services.order_close(actor=officer, order=order, reason=rng.choice(SHORT_CLOSINGS))
                return
            if not clock.later(rng, 4, 12):
                return
        self._deliver(
            order, {line.pk: line.remaining_quantity for line in lines if line.remaining_quantity}, clock, rng
        )
        if plan.fate == "closed" and clock.later(rng, 5, 25):
            with clock.now():
                services.order_close(actor=officer, order=order)

    def _deliver(self, order: Order, quantities: dict, clock: Clock, rng: random.Random) -> None:
        quantities = {pk: quantity for pk, quantity in quantities.items() if quantity}
        for line in order.lines.all():
            if line.pk in quantities:
                quantities[line.pk] = min(quantities[line.pk], line.remaining_quantity)
        quantities = {pk: quantity for pk, quantity in quantities.items() if quantity}
        if not quantities:
            return
        day = clock.day
        with clock.now():
            services.order_deliver(
                actor=self._supplier_person(order),
                order=order,
                quantities=quantities,
                reference=f"BL {day.year}-{day.timetuple().tm_yday * 60 + rng.randrange(60):05d}",
            )

    @staticmethod
    def _decision(buyer: Buyer, step: dict, rng: random.Random) -> str:
        day = timezone.localdate()  # the replayed day
        if step["kind"] == "visa":
            return f"Visa favorable n° {day.year}/{day.timetuple().tm_yday * 3 + rng.randrange(3):04d}"
        return buyer.decision.format(date=f"{day:%d/%m/%Y}", point=rng.randint(3, 48))

    # --- off the platform ------------------------------------------------------------------------
    def _call_offs(self) -> None:
        buyer = self._user("imio-buyer")
        for reference, key, rank, number, months, day, amount, source, note in CALL_OFFS:
            agreement, member = self.agreements[reference], self.members[key]
            if member is None:
                continue
            ordered_on = _weekday(self._month(months).replace(day=day), step=-1)
            if ordered_on >= self.today or ordered_on < agreement.start_date:
                continue
            number = number.format(year=ordered_on.year)
            if OffPlatformCallOff.objects.filter(member=member, reference=number).exists():
                continue
            supplier = agreement.supplier_links.select_related("supplier").get(rank=rank, active=True).supplier
            moment = datetime.datetime.combine(
                _weekday(ordered_on + datetime.timedelta(days=12), step=1),
                datetime.time(10, 15),
                tzinfo=timezone.get_current_timezone(),
            )
            with _on(min(moment, timezone.now() - datetime.timedelta(hours=1))):
                services.call_off_record(
                    actor=buyer,
                    agreement=agreement,
                    member=member,
                    supplier=supplier,
                    reference=number,
                    ordered_on=ordered_on,
                    amount_excl_vat=amount,
                    source=source,
                    note=note,
                )
            self.created["history off-platform call-offs"] += 1


def load_demo_history() -> dict[str, int]:
    """Load the demo's history of orders; demo passwords only when DEBUG is on (as the members' demo)."""
    demo = HistoryDemo(with_passwords=settings.DEBUG)
    if not demo.ready():
        return {}
    return demo.run()
