"""Demonstration data: IMIO, Walloon communes with their CPAS, a few other public bodies,
suppliers, and one user per role. Loaded by ``manage.py seed_demo``.

Communes and NIS codes are real (reference table); enterprise numbers, IBANs, people and
decisions are fictitious but valid (mod-97 checks hold). Everything goes through the
services, so the audit trail tells the story. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from stdnum import iban as stdnum_iban

from procurement.core.models import Municipality
from procurement.core.permissions import Role
from procurement.members import services
from procurement.members.models import Membership, MembershipStatus, Organization, OrganizationKind, User

DEMO_PASSWORD = "demo"  # noqa: S105 (documented demo password, set only when DEBUG is on)
EMAIL_DOMAIN = "demo.example"

# (NIS code, postcode of the town hall, membership status, council decision date)
COMMUNES = [
    ("92094", "5000", MembershipStatus.ACTIVE, datetime.date(2024, 1, 29)),  # Namur
    ("62063", "4000", MembershipStatus.ACTIVE, datetime.date(2024, 2, 26)),  # Liège
    ("52011", "6000", MembershipStatus.ACTIVE, datetime.date(2024, 3, 18)),  # Charleroi
    ("53053", "7000", MembershipStatus.ACTIVE, datetime.date(2024, 4, 22)),  # Mons
    ("57081", "7500", MembershipStatus.ACTIVE, datetime.date(2024, 5, 27)),  # Tournai
    ("63079", "4800", MembershipStatus.ACTIVE, datetime.date(2024, 6, 24)),  # Verviers
    ("25112", "1300", MembershipStatus.ACTIVE, datetime.date(2024, 9, 23)),  # Wavre
    ("81001", "6700", MembershipStatus.ACTIVE, datetime.date(2024, 10, 21)),  # Arlon
    ("92142", "5030", MembershipStatus.ACTIVE, datetime.date(2024, 11, 25)),  # Gembloux
    ("61031", "4500", MembershipStatus.ACTIVE, datetime.date(2025, 1, 27)),  # Huy
    ("25121", "1340", MembershipStatus.ACTIVE, datetime.date(2025, 2, 24)),  # Ottignies-Louvain-la-Neuve
    ("25072", "1400", MembershipStatus.ACTIVE, datetime.date(2025, 3, 24)),  # Nivelles
    ("92003", "5300", MembershipStatus.ACTIVE, datetime.date(2025, 4, 28)),  # Andenne
    ("91034", "5500", MembershipStatus.ACTIVE, datetime.date(2025, 5, 26)),  # Dinant
    ("83034", "6900", MembershipStatus.ACTIVE, datetime.date(2025, 6, 23)),  # Marche-en-Famenne
    ("82039", "6600", MembershipStatus.ACTIVE, datetime.date(2025, 9, 22)),  # Bastogne
    ("51004", "7800", MembershipStatus.ACTIVE, datetime.date(2025, 10, 27)),  # Ath
    ("62096", "4100", MembershipStatus.SUSPENDED, datetime.date(2025, 11, 24)),  # Seraing
    ("58001", "7100", MembershipStatus.ACTIVE, datetime.date(2026, 1, 26)),  # La Louvière
    ("25110", "1410", MembershipStatus.ACTIVE, datetime.date(2026, 2, 23)),  # Waterloo
    ("63023", "4700", MembershipStatus.REQUESTED, datetime.date(2026, 9, 28)),  # Eupen
    ("63049", "4960", MembershipStatus.REQUESTED, None),  # Malmedy
]


@contextmanager
def replaying(moment: datetime.datetime):
    """Replay a step of the past (the demos' procedures, orders, memberships): the services read
    this moment as "now"."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def replayed_day(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``day`` at ``hour`` in Brussels, never later than now."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())
    return min(moment, timezone.now())


@dataclass(frozen=True)
class OtherBody:
    key: int
    kind: str
    name: str
    street: str
    postcode: str
    city: str
    status: str | None
    decision_date: datetime.date | None = None


OTHER_BODIES = [
    OtherBody(
        1,
        OrganizationKind.POLICE_ZONE,
        "Zone de police de Namur",
        "Rue du Bailli 10",
        "5000",
        "Namur",
        MembershipStatus.ACTIVE,
        datetime.date(2024, 6, 13),
    ),
    OtherBody(
        2,
        OrganizationKind.POLICE_ZONE,
        "Zone de police de Liège",
        "Rue Natalis 60",
        "4020",
        "Liège",
        MembershipStatus.REQUESTED,
        datetime.date(2026, 10, 8),
    ),
    OtherBody(
        3,
        OrganizationKind.EMERGENCY_ZONE,
        "Zone de secours NAGE",
        "Chaussée de Liège 55",
        "5100",
        "Jambes",
        MembershipStatus.ACTIVE,
        datetime.date(2025, 3, 6),
    ),
    OtherBody(
        4,
        OrganizationKind.PROVINCE,
        "Province de Namur",
        "Place Saint-Aubain 2",
        "5000",
        "Namur",
        MembershipStatus.ACTIVE,
        datetime.date(2024, 12, 19),
    ),
    OtherBody(5, OrganizationKind.PROVINCE, "Province de Luxembourg", "Place Léopold 1", "6700", "Arlon", None),
    OtherBody(
        6,
        OrganizationKind.INTERCOMMUNALE,
        "Intercommunale de développement économique namuroise",
        "Avenue Sergent Vrithoff 2",
        "5000",
        "Namur",
        MembershipStatus.ACTIVE,
        datetime.date(2025, 6, 17),
    ),
    OtherBody(
        7,
        OrganizationKind.OBSERVER,
        "Union des Villes et Communes de Wallonie",
        "Rue de l'Étoile 14",
        "5000",
        "Namur",
        None,
    ),
    OtherBody(
        8,
        OrganizationKind.OBSERVER,
        "Service public de Wallonie — Intérieur",
        "Avenue Gouverneur Bovesse 100",
        "5100",
        "Jambes",
        None,
    ),
]

# (key, name, street, postcode, city, bank code)
SUPPLIERS = [
    (1, "Bureau Meuse SA", "Rue de Fer 12", "5000", "Namur", 1),
    (2, "Informatique Wallonne SRL", "Boulevard d'Avroy 38", "4000", "Liège", 68),
    (3, "Mobilier Public Hainaut SA", "Rue de Marcinelle 40", "6000", "Charleroi", 96),
    (4, "Ardenne Nettoyage SRL", "Avenue de la Gare 7", "6700", "Arlon", 363),
    (5, "Énergie Sambre SC", "Quai de Flandre 3", "5000", "Namur", 732),
]

# (username, organisation key, roles, first name, last name)
PEOPLE = [
    ("imio-admin", "imio", [Role.ADMIN], "Alice", "Lambert"),
    ("imio-buyer", "imio", [Role.BUYER], "Bruno", "Dumont"),
    ("imio-finance", "imio", [Role.FINANCE], "Chantal", "Renard"),
    ("namur-admin", "commune:92094", [Role.MEMBER_ADMIN], "Denis", "Collard"),
    ("namur-officer", "commune:92094", [Role.MEMBER_OFFICER], "Émilie", "Gérard"),
    ("namur-approver", "commune:92094", [Role.MEMBER_APPROVER], "François", "Lemaire"),
    ("namur-finance", "commune:92094", [Role.FINANCE], "Géraldine", "Martin"),
    ("liege-officer", "commune:62063", [Role.MEMBER_OFFICER], "Hugo", "Piron"),
    ("liege-approver", "commune:62063", [Role.MEMBER_APPROVER], "Isabelle", "Wathelet"),
    ("supplier-1", "supplier:1", [Role.SUPPLIER], "Jean", "Baudoin"),
    ("supplier-2", "supplier:2", [Role.SUPPLIER], "Karine", "Lejeune"),
    ("observer", "other:7", [Role.OBSERVER], "Luc", "Mathieu"),
]
# People who also act for a second organisation: the commune's officer works for its CPAS too.
EXTRA_ROLES = [
    ("namur-officer", "cpas:92094", [Role.MEMBER_OFFICER]),
    ("namur-admin", "cpas:92094", [Role.MEMBER_ADMIN]),
]


def of(name: str) -> str:
    """French "de" with elision: ``of("Arlon")`` → ``d'Arlon``, ``of("Namur")`` → ``de Namur``."""
    return f"d'{name}" if name[:1].upper() in "AEÉIOU" else f"de {name}"


def demo_enterprise_number(seed: int) -> str:
    """A valid Belgian enterprise number (mod-97) made from ``seed``; fictitious."""
    base = 2_000_000 + seed * 7919 % 17_999_999
    return f"{base:08d}{97 - base % 97:02d}"


def demo_iban(bank_code: int, account: int) -> str:
    """A valid Belgian IBAN at a real bank code; fictitious account."""
    bban = f"{bank_code:03d}{account:07d}"
    bban += f"{int(bban) % 97 or 97:02d}"
    return f"BE{stdnum_iban.calc_check_digits('BE00' + bban)}{bban}"


class DemoLoader:
    def __init__(self, *, with_passwords: bool):
        self.with_passwords = with_passwords
        self.organizations: dict[str, Organization] = {}
        self.created = {"organizations": 0, "memberships": 0, "users": 0}

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self._central_purchasing_body()
            self._communes()
            self._other_bodies()
            self._suppliers()
            self._people()
        with transaction.atomic():
            self._memberships()
        return self.created

    # --- organisations ----------------------------------------------------------------
    def _organization(self, key: str, **fields) -> Organization:
        existing = Organization.objects.filter(enterprise_number=fields["enterprise_number"]).first()
        if existing is None:
            existing = services.organization_create(actor=None, **fields)
            self.created["organizations"] += 1
        self.organizations[key] = existing
        return existing

    def _central_purchasing_body(self) -> None:
        self._organization(
            "imio",
            kind=OrganizationKind.CENTRAL_PURCHASING_BODY,
            name="IMIO — Intercommunale de Mutualisation Informatique et Organisationnelle",
            enterprise_number=demo_enterprise_number(1),
            street="Rue Léon Morel 1",
            postcode="5032",
            city="Isnes",
            email=f"centrale@{EMAIL_DOMAIN}",
            phone="+32 81 58 67 00",
            website="https://www.imio.be",
        )

    def _communes(self) -> None:
        municipalities = Municipality.objects.in_bulk([nis for nis, *_ in COMMUNES])
        for nis_code, postcode, _status, _date in COMMUNES:
            municipality = municipalities[nis_code]
            of_name = of(municipality.name_fr)
            slug = municipality.name_fr.lower().replace(" ", "-")
            for kind, prefix, street, offset in (
                (
                    OrganizationKind.COMMUNE,
                    "Ville" if municipality.population > 20000 else "Commune",
                    "Hôtel de ville",
                    100_000,
                ),
                (OrganizationKind.CPAS, "CPAS", "Rue du CPAS 1", 200_000),
            ):
                self._organization(
                    f"{kind}:{nis_code}",
                    kind=kind,
                    name=f"{prefix} {of_name}",
                    enterprise_number=demo_enterprise_number(offset + int(nis_code)),
                    nis_code=nis_code,
                    street=street,
                    postcode=postcode,
                    city=municipality.name_fr,
                    email=f"{'cpas' if kind == OrganizationKind.CPAS else 'commune'}@{slug}.{EMAIL_DOMAIN}",
                )

    def _other_bodies(self) -> None:
        for body in OTHER_BODIES:
            self._organization(
                f"other:{body.key}",
                kind=body.kind,
                name=body.name,
                enterprise_number=demo_enterprise_number(300_000 + body.key),
                street=body.street,
                postcode=body.postcode,
                city=body.city,
            )

    def _suppliers(self) -> None:
        for key, name, street, postcode, city, bank_code in SUPPLIERS:
            self._organization(
                f"supplier:{key}",
                kind=OrganizationKind.SUPPLIER,
                name=name,
                enterprise_number=demo_enterprise_number(400_000 + key),
                street=street,
                postcode=postcode,
                city=city,
                iban=demo_iban(bank_code, 1_000_000 + key),
                email=f"commandes@supplier-{key}.{EMAIL_DOMAIN}",
            )

    # --- people -------------------------------------------------------------------------
    def _people(self) -> None:
        for username, key, roles, first_name, last_name in PEOPLE:
            if User.objects.filter(username=username).exists():
                continue
            services.user_create(
                actor=None,
                organization=self.organizations[key],
                username=username,
                email=f"{username}@{EMAIL_DOMAIN}",
                roles=roles,
                first_name=first_name,
                last_name=last_name,
                password=DEMO_PASSWORD if self.with_passwords else None,
            )
            self.created["users"] += 1
        for username, key, roles in EXTRA_ROLES:
            user = User.objects.get(username=username)
            organization = self.organizations[key]
            held = set(user.role_assignments.filter(organization=organization).values_list("role", flat=True))
            for role in roles:
                if role not in held:
                    services.role_grant(actor=None, user=user, organization=organization, role=role)

    # --- memberships ----------------------------------------------------------------------
    def _memberships(self) -> None:
        decisions = [(f"commune:{nis}", status, date) for nis, _postcode, status, date in COMMUNES]
        decisions += [(f"cpas:{nis}", status, date) for nis, _postcode, status, date in COMMUNES]
        decisions += [(f"other:{b.key}", b.status, b.decision_date) for b in OTHER_BODIES if b.status]
        already = set(Membership.objects.values_list("member_id", flat=True))
        imio_admin = User.objects.get(username="imio-admin")
        for number, (key, status, decision_date) in enumerate(decisions, start=1):
            member = self.organizations[key]
            if member.pk in already:
                continue
            self._membership(member, status, decision_date, number, imio_admin)
            self.created["memberships"] += 1

    def _membership(self, member, status, decision_date, number, imio_admin) -> None:
        reference = (
            f"{'CAS' if member.kind == OrganizationKind.CPAS else 'CC'}/{decision_date:%Y}/{number:03d}"
            if decision_date
            else ""
        )
        # Replayed after the council's decision: requested a few days later, activated by IMIO two
        # weeks after that (suspended last spring), so that the members' growth reads like the years it took.
        requested = replayed_day(decision_date + datetime.timedelta(days=6)) if decision_date else timezone.now()
        with replaying(requested):
            membership = services.membership_request(
                actor=None,
                member=member,
                decision_date=decision_date,
                decision_reference=reference,
                document=self._agreement_pdf(member, decision_date, reference) if decision_date else None,
            )
        if status in (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED):
            with replaying(min(requested + datetime.timedelta(days=15), timezone.now())):
                services.membership_activate(actor=imio_admin, membership=membership)
        if status == MembershipStatus.SUSPENDED:
            with replaying(max(requested + datetime.timedelta(days=30), replayed_day(datetime.date(2026, 4, 14)))):
                services.membership_suspend(
                    actor=imio_admin,
                    membership=membership,
                    reason="Convention à renouveler après la fusion des services.",
                )

    def _agreement_pdf(self, member, decision_date, reference) -> ContentFile:
        from weasyprint import HTML  # heavy import: only when generating documents

        html = render_to_string(
            "members/demo/membership_agreement.html",
            {"member": member, "decision_date": decision_date, "reference": reference},
        )
        return ContentFile(HTML(string=html).write_pdf(), name=f"convention-{member.pk}.pdf")


def load_demo_data() -> dict[str, int]:
    """Load the demonstration data; demo passwords only when DEBUG is on."""
    return DemoLoader(with_passwords=settings.DEBUG).run()
