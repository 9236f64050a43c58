"""Data at scale for the benchmarks, tagged "BENCH-" and created idempotently.

    DATABASE_URL=postgres://… python bench/generate.py --scale small|medium|large

One function per kind of data; each tops up what exists to the scale and says what it added,
so running the same scale twice adds nothing and a larger scale extends a smaller one:

- the central purchasing body, suppliers, concluded framework agreements (written directly,
  as ``tests.factories.tenders.concluded_agreement`` does) and catalogue lines with their
  first price;
- members (communes and CPAS with real NIS codes, police zones, provinces…), each with an
  active membership, a purchasing officer and an approver for a few of them;
- their subscriptions to the agreements (named beneficiaries where the agreement names them);
- orders and their lines up to the scale's order lines, each with its life up to now (dates,
  status, deliveries, approvals), numbered without gaps, never past an agreement's maximum;
  a few off-platform call-offs; the agreements' consumption set to what they hold.

On PostgreSQL the lines, prices and orders are loaded with ``COPY`` (the full-text indexes are
rebuilt after a big catalogue load) and the database analysed; on SQLite (small and medium
scales) with ``bulk_create``. The reporting rollups are rebuilt at the end when the
``rollups`` command exists.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import itertools
import json
import random
import string
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command, get_commands
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

import bench  # noqa: F401 — sets Django up
from catalog import search
from catalog.models import CatalogItem, ItemPrice
from procurement.core.models import CpvCode, Municipality
from procurement.core.permissions import Role
from procurement.members.demo import demo_enterprise_number, of
from procurement.members.models import (
    OPEN_MEMBERSHIP_STATUSES,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    User,
)
from procurement.members.services import organizations, people
from procurement.orders.models import (
    Decision,
    Delivery,
    DeliveryLine,
    OffPlatformCallOff,
    Order,
    OrderApproval,
    OrderCounter,
    OrderLine,
    OrderStatus,
    SpendRollup,
    Subscription,
    SubscriptionStatus,
)
from procurement.orders.services import chains
from tenders.models import AgreementStatus, AgreementSupplier, FrameworkAgreement, Lot, Tender
from tenders.services.agreements import CONSUMPTION_ALERTS

SCALES: dict[str, dict[str, int]] = {
    "small": {"agreements": 3, "catalog_lines": 5_000, "members": 20, "order_lines": 10_000},
    "medium": {"agreements": 50, "catalog_lines": 100_000, "members": 600, "order_lines": 1_000_000},
    "large": {"agreements": 500, "catalog_lines": 1_000_000, "members": 2_000, "order_lines": 10_000_000},
}
PREFIX = "BENCH-"
AGREEMENT_REFERENCE = r"^BENCH-[0-9]{4}-L1$"  # the generator's agreements (not the import benchmark's)
ENTERPRISE_SEED = 700_000  # bench organisations' enterprise numbers, away from the demo's
CHUNK = 50_000
REBUILD_INDEXES_FROM = 50_000  # lines loaded at once above which the GIN indexes are dropped and rebuilt
BUYER, OFFICER = "bench-buyer", "bench-officer"

# --- What catalogues contain -------------------------------------------------------------------

Words = tuple[tuple[str, str], ...]  # (French, Dutch)

COLOURS: Words = (("bleu", "blauw"), ("noir", "zwart"), ("rouge", "rood"), ("vert", "groen"))
MORE_COLOURS: Words = (*COLOURS, ("jaune", "geel"), ("blanc", "wit"), ("gris", "grijs"), ("orange", "oranje"))
INKS: Words = (("noir", "zwart"), ("cyan", "cyaan"), ("magenta", "magenta"), ("jaune", "geel"))
FORMATS: Words = (("A4", "A4"), ("A3", "A3"), ("A5", "A5"))
WEIGHTS: Words = tuple((f"{grams} g", f"{grams} g") for grams in (70, 80, 90, 100, 120, 160))
PACKS: Words = (
    ("boîte de 10", "doos van 10"),
    ("boîte de 50", "doos van 50"),
    ("lot de 5", "set van 5"),
    ("paquet de 100", "pak van 100"),
)
PAPER: Words = (("blanc", "wit"), ("recyclé", "gerecycleerd"), ("FSC", "FSC"), ("extra blanc", "extra wit"))
RULING: Words = (("ligné", "gelijnd"), ("quadrillé", "geruit"), ("uni", "blanco"))
SPINES: Words = (("dos 50 mm", "rug 50 mm"), ("dos 80 mm", "rug 80 mm"))
POINTS: Words = (("pointe fine", "fijne punt"), ("pointe moyenne", "medium punt"))
SCREENS: Words = tuple((f"{inches} pouces", f"{inches} inch") for inches in (22, 24, 27, 32))
LAPTOPS: Words = (
    ("14 pouces Core i5 16 Go 512 Go SSD", "14 inch Core i5 16 GB 512 GB SSD"),
    ("15,6 pouces Core i7 32 Go 1 To SSD", "15,6 inch Core i7 32 GB 1 TB SSD"),
    ("13 pouces Ryzen 5 16 Go 512 Go SSD", "13 inch Ryzen 5 16 GB 512 GB SSD"),
)
CABLES: Words = (
    ("HDMI", "HDMI"),
    ("USB-C", "USB-C"),
    ("DisplayPort", "DisplayPort"),
    ("réseau RJ45 Cat 6", "netwerk RJ45 Cat 6"),
)
LENGTHS: Words = tuple((f"{metres} m", f"{metres} m") for metres in ("0,5", "1", "2", "3", "5", "10"))
CAPACITIES: Words = (("standard", "standaard"), ("haute capacité", "hoge capaciteit"))
PRINTERS: Words = (("couleur", "kleur"), ("monochrome", "zwart-wit"))
CHAIRS: Words = (
    ("ergonomique", "ergonomisch"),
    ("avec accoudoirs", "met armleuningen"),
    ("dossier résille", "netrug"),
    ("réglable en hauteur", "in hoogte verstelbaar"),
)
DESKS: Words = (("160 x 80 cm", "160 x 80 cm"), ("140 x 70 cm", "140 x 70 cm"), ("assis-debout", "zit-sta"))
FINISHES: Words = (("chêne", "eik"), ("blanc", "wit"), ("gris anthracite", "antracietgrijs"), ("hêtre", "beuk"))
CLEANERS: Words = (
    ("multi-surfaces", "allesreiniger"),
    ("vitres", "glas"),
    ("sols", "vloeren"),
    ("sanitaires", "sanitair"),
    ("dégraissant", "ontvetter"),
)
VOLUMES: Words = (("750 ml", "750 ml"), ("1 l", "1 l"), ("5 l", "5 l"))
GLOVES: Words = (("nitrile", "nitril"), ("latex", "latex"), ("vinyle", "vinyl"))
SIZES: Words = (("taille S", "maat S"), ("taille M", "maat M"), ("taille L", "maat L"), ("taille XL", "maat XL"))
BAGS: Words = (("30 l", "30 l"), ("50 l", "50 l"), ("100 l", "100 l"))
EDITIONS: Words = (("édition 2026", "editie 2026"), ("édition 2025", "editie 2025"))

OFFICE_BRANDS = ("Leitz", "Esselte", "Exacompta", "Maped", "Rapid", "Post-it", "Avery")
PEN_BRANDS = ("Bic", "Pilot", "Stabilo", "Pentel", "Staedtler", "Schneider")
PAPER_BRANDS = ("Navigator", "Clairefontaine", "Double A", "Rey", "Rhodia", "Papyrus")
PRINT_BRANDS = ("HP", "Canon", "Brother", "Lexmark", "Kyocera", "Ricoh")
IT_BRANDS = ("Dell", "Lenovo", "HP", "Samsung", "Iiyama", "Logitech", "Cherry", "Jabra", "StarTech", "Goobay")
FURNITURE_BRANDS = ("Steelcase", "Kinnarps", "Ahrend", "Gispen", "Sedus", "Vepa")
CLEANING_BRANDS = ("Tork", "Ecover", "Diversey", "Ansell", "Kimberly-Clark", "Greenspeed")
PUBLISHERS = ("Larcier", "Wolters Kluwer", "Vanden Broele", "die Keure")
BRAND_CODES = {
    "Avery": "AVE",
    "Double A": "DBA",
    "Kimberly-Clark": "KC",
    "Post-it": "3M",
    "StarTech": "STC",
    "Wolters Kluwer": "WK",
    "die Keure": "DK",
    "Vanden Broele": "VDB",
}
DESCRIPTIONS = (
    "Conforme au cahier spécial des charges, livraison franco sous 48 h.",
    "Produit porteur d'un écolabel européen ou équivalent.",
    "Garantie constructeur de 3 ans, reprise de l'ancien matériel.",
    "Emballage recyclable, conditionnement adapté aux services communaux.",
    "Fabriqué en Europe ; fiche technique disponible sur demande.",
)


@dataclass(frozen=True)
class Product:
    fr: str
    nl: str
    cpv: str
    prices: tuple[int, int]  # lowest and highest unit price, in euro cents
    brands: tuple[str, ...]
    attributes: tuple[Words, ...] = ()
    vat: str = "21"
    unit: str = "C62"


@dataclass(frozen=True)
class Theme:
    title: str
    cpv: str
    products: tuple[Product, ...]


OFFICE_SUPPLIES = (
    ("Classeur à levier", "Ordner met hefboom", "22851000-0", (120, 450), OFFICE_BRANDS, (SPINES, MORE_COLOURS)),
    ("Chemise cartonnée", "Kartonnen map", "22852000-7", (15, 90), OFFICE_BRANDS, (FORMATS, MORE_COLOURS)),
    ("Intercalaires", "Tabbladen", "30199600-6", (60, 350), OFFICE_BRANDS, (FORMATS, PACKS)),
    ("Boîte d'archives", "Archiefdoos", "30193700-5", (90, 400), OFFICE_BRANDS, (SPINES,)),
    ("Stylo bille", "Balpen", "30192121-5", (25, 300), PEN_BRANDS, (COLOURS, POINTS, PACKS)),
    ("Surligneur", "Markeerstift", "30192125-3", (40, 250), PEN_BRANDS, (MORE_COLOURS,)),
    ("Marqueur permanent", "Permanente marker", "30192125-3", (60, 300), PEN_BRANDS, (COLOURS, POINTS)),
    ("Crayon graphite HB", "Potlood HB", "30192130-1", (20, 150), PEN_BRANDS, (PACKS,)),
    ("Agrafeuse", "Nietmachine", "30197320-5", (350, 4500), OFFICE_BRANDS, (COLOURS,)),
    ("Agrafes 24/6", "Nietjes 24/6", "30197110-0", (80, 400), OFFICE_BRANDS, (PACKS,)),
    ("Perforateur 2 trous", "Perforator 2 gaten", "30197330-8", (400, 3500), OFFICE_BRANDS, (COLOURS,)),
    ("Ruban correcteur", "Correctieroller", "30192910-3", (150, 450), OFFICE_BRANDS, (PACKS,)),
    ("Étiquettes autocollantes", "Zelfklevende etiketten", "30192800-9", (500, 2500), OFFICE_BRANDS, (FORMATS,)),
)
PAPER_AND_ENVELOPES = (
    ("Ramette de papier", "Pak kopieerpapier", "30197630-1", (320, 790), PAPER_BRANDS, (FORMATS, WEIGHTS, PAPER)),
    ("Papier couleur", "Gekleurd papier", "30197630-1", (450, 1500), PAPER_BRANDS, (FORMATS, WEIGHTS, MORE_COLOURS)),
    ("Bloc-notes", "Notitieblok", "30199000-0", (90, 600), PAPER_BRANDS, (FORMATS, RULING)),
    ("Enveloppes C5 à fenêtre", "Enveloppen C5 met venster", "30199230-1", (900, 4000), PAPER_BRANDS, (PACKS,)),
    ("Enveloppes DL", "Enveloppen DL", "30199230-1", (700, 3500), PAPER_BRANDS, (PACKS, PAPER)),
)
COMPUTERS = (
    ("Ordinateur portable", "Laptop", "30213100-6", (59000, 189000), IT_BRANDS[:3], (LAPTOPS,)),
    ("Ordinateur de bureau", "Desktopcomputer", "30213300-8", (49000, 129000), IT_BRANDS[:3], (LAPTOPS[:1],)),
    ("Écran", "Beeldscherm", "30231300-0", (11900, 59000), IT_BRANDS[:5], (SCREENS,)),
    ("Câble", "Kabel", "30237000-9", (290, 4500), IT_BRANDS[8:], (CABLES, LENGTHS)),
    ("Clavier AZERTY belge", "Toetsenbord Belgisch AZERTY", "30237460-1", (1500, 9000), IT_BRANDS[5:7]),
    ("Souris sans fil", "Draadloze muis", "30237410-6", (900, 6500), IT_BRANDS[5:6], (COLOURS[1:2],)),
    ("Station d'accueil USB-C", "Dockingstation USB-C", "30237000-9", (8900, 28000), IT_BRANDS[:3]),
    ("Casque audio stéréo", "Stereo headset", "32342100-3", (2500, 19000), IT_BRANDS[7:8]),
)
PRINTING = (
    ("Cartouche de toner", "Tonercartridge", "30125100-2", (3500, 28000), PRINT_BRANDS, (INKS, CAPACITIES)),
    ("Cartouche d'encre", "Inktcartridge", "30192113-6", (1200, 6000), PRINT_BRANDS[:3], (INKS, CAPACITIES)),
    ("Tambour d'imagerie", "Drumeenheid", "30124300-7", (6000, 22000), PRINT_BRANDS),
    ("Imprimante laser", "Laserprinter", "30232110-8", (15000, 90000), PRINT_BRANDS, (PRINTERS, FORMATS[:2])),
)
FURNITURE = (
    ("Chaise de bureau", "Bureaustoel", "39113100-8", (12000, 65000), FURNITURE_BRANDS, (CHAIRS, COLOURS[1:2])),
    ("Bureau", "Bureau", "39121100-7", (18000, 90000), FURNITURE_BRANDS, (DESKS, FINISHES)),
    ("Armoire à portes battantes", "Kast met draaideuren", "39122100-4", (25000, 90000), FURNITURE_BRANDS, (FINISHES,)),
    ("Caisson mobile 3 tiroirs", "Ladeblok 3 laden", "39130000-2", (12000, 35000), FURNITURE_BRANDS, (FINISHES,)),
    ("Rayonnage d'archives", "Archiefrek", "39131100-0", (9000, 40000), FURNITURE_BRANDS),
)
CLEANING = (
    ("Nettoyant", "Reiniger", "39831000-6", (150, 2500), CLEANING_BRANDS, (CLEANERS, VOLUMES)),
    ("Gants jetables", "Wegwerphandschoenen", "18424300-0", (300, 1500), CLEANING_BRANDS, (GLOVES, SIZES)),
    ("Essuie-mains en papier", "Papieren handdoeken", "33763000-6", (1500, 6000), CLEANING_BRANDS, (PACKS,)),
    ("Papier hygiénique", "Toiletpapier", "33761000-2", (800, 4000), CLEANING_BRANDS, (PACKS,)),
    ("Sacs poubelle", "Vuilniszakken", "19640000-4", (300, 2500), CLEANING_BRANDS, (BAGS, PACKS)),
)
PUBLICATIONS = (  # books: 6 % VAT
    (
        "Code des marchés publics",
        "Wetboek overheidsopdrachten",
        "22110000-4",
        (3500, 12000),
        PUBLISHERS,
        (EDITIONS,),
        "6",
    ),
    ("Guide de la tutelle", "Gids voor het toezicht", "22110000-4", (2500, 9000), PUBLISHERS, (EDITIONS,), "6"),
)


def _theme(title: str, cpv: str, rows: tuple[tuple, ...]) -> Theme:
    return Theme(title, cpv, tuple(Product(*row) for row in rows))


THEMES = (
    _theme("Fournitures de bureau", "30192000-1", OFFICE_SUPPLIES),
    _theme("Papier et enveloppes", "30197630-1", PAPER_AND_ENVELOPES),
    _theme("Matériel informatique", "30213000-5", COMPUTERS),
    _theme("Consommables d'impression", "30125100-2", PRINTING),
    _theme("Mobilier de bureau", "39130000-2", FURNITURE),
    _theme("Produits d'entretien et d'hygiène", "39830000-9", CLEANING),
    _theme("Ouvrages et publications juridiques", "22110000-4", PUBLICATIONS),
)
THEME_BY_TITLE = {theme.title: theme for theme in THEMES}
ALL_PRODUCTS = tuple(product for theme in THEMES for product in theme.products)


def _brand_code(brand: str) -> str:
    return BRAND_CODES.get(brand, brand.upper().replace(" ", "")[:4])


def catalogue_line(rng: random.Random, number: int, product: Product | None = None) -> dict:
    """One line as a supplier lists it (no agreement): reference, names, prices, codes."""
    product = product or rng.choice(ALL_PRODUCTS)
    brand = rng.choice(product.brands)
    words = [rng.choice(group) for group in product.attributes]
    model = "".join(rng.choices(string.ascii_uppercase, k=2)) + f"{rng.randrange(1000):03d}" + rng.choice("ABXE")
    low, high = product.prices
    unit_price = Decimal(rng.randrange(low * 100, high * 100)).scaleb(-4)  # 4 decimals
    list_price = (unit_price * Decimal(rng.randrange(110, 131)) / 100).quantize(Decimal("0.0001"))
    return {
        "supplier_reference": f"{_brand_code(brand)}-{model}-{number:07d}",
        "name_fr": " ".join([product.fr, *(fr for fr, _nl in words), brand]),
        "name_nl": " ".join([product.nl, *(nl for _fr, nl in words), brand]) if rng.random() < 0.5 else "",
        "description_fr": rng.choice(DESCRIPTIONS) if rng.random() < 0.3 else "",
        "unit": product.unit,
        "unit_price": unit_price,
        "list_price": list_price if rng.random() < 0.85 else None,
        "vat_rate": Decimal(product.vat),
        "cpv_code_id": product.cpv,
        "min_quantity": Decimal(rng.choice((1, 1, 1, 5, 10))),
        "lead_time_days": rng.choice((1, 2, 3, 5, 10, None)),
        "active": rng.random() < 0.97,
    }


def search_texts(line: dict) -> dict[str, str]:
    """The search columns of a line, computed by ``catalog.search.fill`` itself."""
    texts = {f"{kind}_{language}": "" for kind in ("name", "description") for language in search.LANGUAGES}
    keys = ("supplier_reference", "cpv_code_id", "name_fr", "name_nl", "description_fr")
    item = SimpleNamespace(**(texts | {key: line[key] for key in keys}))
    search.fill(item)
    return {name: getattr(item, name) for name in search.FIELDS}


# --- Organisations and people ------------------------------------------------------------------


def central_purchasing_body() -> tuple[Organization, int]:
    existing = Organization.objects.filter(kind=OrganizationKind.CENTRAL_PURCHASING_BODY).first()
    if existing is not None:
        return existing, 0
    body = organizations.organization_create(
        actor=None,
        kind=OrganizationKind.CENTRAL_PURCHASING_BODY,
        name="IMIO — Intercommunale de Mutualisation Informatique et Organisationnelle",
        enterprise_number=demo_enterprise_number(1),  # the demo's: loading the demo later finds it
        street="Rue Léon Morel 1",
        postcode="5032",
        city="Isnes",
    )
    return body, 1


def suppliers(count: int) -> tuple[list[Organization], int]:
    numbers = {demo_enterprise_number(ENTERPRISE_SEED + n): n for n in range(1, count + 1)}
    existing = {o.enterprise_number: o for o in Organization.objects.filter(enterprise_number__in=numbers)}
    created = 0
    for number, n in numbers.items():
        if number not in existing:
            existing[number] = organizations.organization_create(
                actor=None,
                kind=OrganizationKind.SUPPLIER,
                name=f"{PREFIX}Fournisseur {n:03d} SRL",
                enterprise_number=number,
                city="Namur",
            )
            created += 1
    return [existing[number] for number in numbers], created


def bench_people(body: Organization) -> tuple[User, User]:
    """An IMIO buyer, and a purchasing officer of a member (the tenant-filtered reader)."""
    member_number = demo_enterprise_number(ENTERPRISE_SEED)
    member = Organization.objects.filter(enterprise_number=member_number).first()
    if member is None:
        member = organizations.organization_create(
            actor=None,
            kind=OrganizationKind.POLICE_ZONE,
            name=f"{PREFIX}Zone de police",
            enterprise_number=member_number,
        )
    users = []
    for username, organization, role in ((BUYER, body, Role.BUYER), (OFFICER, member, Role.MEMBER_OFFICER)):
        user = User.objects.filter(username=username).first() or people.user_create(
            actor=None, organization=organization, username=username, email=f"{username}@bench.example", roles=[role]
        )
        users.append(user)
    return users[0], users[1]


# --- Framework agreements ----------------------------------------------------------------------


def bench_agreements() -> list[FrameworkAgreement]:
    return list(FrameworkAgreement.objects.filter(reference__regex=AGREEMENT_REFERENCE).order_by("reference"))


def create_agreement(
    reference: str, theme: Theme, suppliers_ranked: list[Organization], *, start: datetime.date, **fields
) -> FrameworkAgreement:
    """A concluded tender of one lot and its agreement, written directly (no procedure replayed)."""
    now = timezone.now()
    mode = fields.pop("supplier_mode", "cascade")
    mode = mode if len(suppliers_ranked) > 1 else "single"
    tender = Tender.objects.create(
        reference=reference,
        title=theme.title,
        contract_type="supplies",
        cpv_code_id=theme.cpv,
        status="concluded",
        published_at=now,
        opened_at=now,
        concluded_at=now,
    )
    lot = Lot.objects.create(
        tender=tender,
        number=1,
        title=theme.title,
        cpv_code_id=theme.cpv,
        estimated_value=Decimal("400000.00"),
        maximum_value=Decimal("600000.00"),
        status="awarded",
        supplier_mode=mode,
        max_suppliers=len(suppliers_ranked),
    )
    agreement = FrameworkAgreement.objects.create(
        reference=f"{reference}-L1",
        tender=tender,
        lot=lot,
        title=theme.title,
        supplier_mode=mode,
        start_date=start,
        end_date=start.replace(year=start.year + 4) - datetime.timedelta(days=1),
        estimated_value=lot.estimated_value,
        maximum_value=lot.maximum_value,
        beneficiary_scope=fields.pop("beneficiary_scope", "all_members"),
        **fields,
    )
    AgreementSupplier.objects.bulk_create(
        AgreementSupplier(agreement=agreement, supplier=supplier, rank=rank, since=start)
        for rank, supplier in enumerate(suppliers_ranked, start=1)
    )
    return agreement


def agreements(count: int, supplier_pool: list[Organization]) -> tuple[list[FrameworkAgreement], int]:
    """Agreements of every theme: mostly single-supplier and open to all members; some in cascade
    or mini-competition, some for named members only, some expired."""
    existing = bench_agreements()
    today = timezone.localdate()
    with transaction.atomic():
        for n in range(len(existing) + 1, count + 1):
            theme = THEMES[(n - 1) % len(THEMES)]
            ranked = 3 if n % 12 == 7 else 2 if n % 4 == 2 else 1
            chosen = [supplier_pool[(n * 7 + k) % len(supplier_pool)] for k in range(ranked)]
            expired = n % 10 == 0
            start = today.replace(day=1) - datetime.timedelta(days=(5 * 365 if expired else 30 * (n % 24)))
            create_agreement(
                f"{PREFIX}{n:04d}",
                theme,
                chosen,
                start=start,
                supplier_mode="mini_competition" if ranked == 3 else "cascade",
                status="expired" if expired else "active",
                beneficiary_scope="named" if n % 8 == 3 else "all_members",
            )
    created = max(count - len(existing), 0)
    return (bench_agreements() if created else existing), created


# --- Catalogue lines ---------------------------------------------------------------------------


def _lines(start: int, stop: int, agreement_list: list[FrameworkAgreement]) -> Iterator[list[dict]]:
    """Lines ``start``…``stop - 1`` in chunks; the same numbers always give the same lines."""
    ranked: dict[int, list[int]] = {}
    for agreement_id, supplier_id in (
        AgreementSupplier.objects.filter(agreement__in=agreement_list, active=True)
        .order_by("agreement_id", "rank")
        .values_list("agreement_id", "supplier_id")
    ):
        ranked.setdefault(agreement_id, []).append(supplier_id)
    weights = [1 / (position % 17 + 1) for position in range(len(agreement_list))]  # a few big catalogues
    now = timezone.now()
    for chunk_start in range(start, stop, CHUNK):
        rng = random.Random(chunk_start)
        chunk_stop = min(stop, chunk_start + CHUNK)
        chosen = rng.choices(agreement_list, weights, k=chunk_stop - chunk_start)
        chunk = []
        for number, agreement in zip(range(chunk_start, chunk_stop), chosen, strict=True):
            line = catalogue_line(rng, number, rng.choice(THEME_BY_TITLE[agreement.title].products))
            suppliers_ranked = ranked[agreement.pk]
            first = len(suppliers_ranked) == 1 or rng.random() < 0.6
            line |= {
                "agreement_id": agreement.pk,
                "supplier_id": suppliers_ranked[0] if first else rng.choice(suppliers_ranked[1:]),
                "price_effective_from": agreement.start_date,
                "created_at": now,
                "updated_at": now,
            }
            line |= search_texts(line)
            chunk.append(line)
        yield chunk


def _copy_chunk(cursor, chunk: list[dict], columns: list[str]) -> None:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [CatalogItem._meta.db_table, len(chunk)],
    )
    ids = [row[0] for row in cursor.fetchall()]
    with cursor.copy(f"COPY {CatalogItem._meta.db_table} (id, {', '.join(columns)}) FROM STDIN") as copy:
        for item_id, line in zip(ids, chunk, strict=True):
            copy.write_row((item_id, *(line.get(column, "") for column in columns)))
    price_columns = "item_id, unit_price, list_price, effective_from, applied, created_at"
    with cursor.copy(f"COPY {ItemPrice._meta.db_table} ({price_columns}) FROM STDIN") as copy:
        for item_id, line in zip(ids, chunk, strict=True):
            copy.write_row(
                (
                    item_id,
                    line["unit_price"],
                    line["list_price"],
                    line["price_effective_from"],
                    True,
                    line["created_at"],
                )
            )


def _search_indexes(cursor) -> dict[str, str]:
    """The full-text (GIN) indexes of the catalogue, as PostgreSQL would recreate them."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
        [CatalogItem._meta.db_table, "%USING gin%"],
    )
    return dict(cursor.fetchall())


def _load_postgresql(chunks: Iterator[list[dict]], total: int, timings: dict[str, float]) -> None:
    columns = [field.column for field in CatalogItem._meta.concrete_fields if field.column != "id"]
    loaded = 0
    with transaction.atomic(), connection.cursor() as cursor:
        indexes = _search_indexes(cursor) if total >= REBUILD_INDEXES_FROM else {}
        for name in indexes:  # one build at the end is much faster than a million insertions
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        for chunk in chunks:
            _copy_chunk(cursor, chunk, columns)
            loaded += len(chunk)
            print(f"  {loaded:,} / {total:,} lines", end="\r", flush=True)
        print()
        timings["lines and prices (COPY)"] = time.perf_counter() - started
        started = time.perf_counter()
        if indexes:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, before building
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in indexes.values():
                cursor.execute(definition)
            timings[f"{len(indexes)} full-text indexes rebuilt"] = time.perf_counter() - started
    if connection.in_atomic_block:  # a test's transaction: VACUUM cannot run there
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {CatalogItem._meta.db_table}, {ItemPrice._meta.db_table}")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started


def _load_sqlite(chunks: Iterator[list[dict]], timings: dict[str, float]) -> None:
    started = time.perf_counter()
    with transaction.atomic():
        for chunk in chunks:
            items = CatalogItem.objects.bulk_create((CatalogItem(**line) for line in chunk), batch_size=2000)
            ItemPrice.objects.bulk_create(
                (
                    ItemPrice(
                        item=item,
                        unit_price=item.unit_price,
                        list_price=item.list_price,
                        effective_from=item.price_effective_from,
                        applied=True,
                        created_at=item.created_at,
                    )
                    for item in items
                ),
                batch_size=2000,
            )
    timings["lines and prices (bulk_create)"] = time.perf_counter() - started


def catalog_lines(count: int, agreement_list: list[FrameworkAgreement], timings: dict[str, float]) -> int:
    """Catalogue lines (with their first, applied price) up to ``count`` over the bench agreements."""
    existing = CatalogItem.objects.filter(agreement__in=agreement_list).count()
    missing = count - existing
    if missing <= 0:
        return 0
    known = set(CpvCode.objects.filter(pk__in={p.cpv for p in ALL_PRODUCTS}).values_list("pk", flat=True))
    unknown = {p.cpv for p in ALL_PRODUCTS} - known
    if unknown:
        raise SystemExit(f"CPV codes missing from the table (load the reference data?): {', '.join(sorted(unknown))}")
    chunks = _lines(existing, count, agreement_list)
    if connection.vendor == "postgresql":
        _load_postgresql(chunks, missing, timings)
    else:
        _load_sqlite(chunks, timings)
    return missing


# --- Members, their memberships and a few of their people --------------------------------------

MEMBER_SEED = ENTERPRISE_SEED + 10_000  # members' enterprise numbers (bench/orders.py uses + 50,000)
MEMBERSHIP_DOCUMENT = "bench/convention-adhesion.pdf"  # one signed agreement for all, written once
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
K = OrganizationKind
# One block of twenty members; a kind whose real count is reached gives way to other public bodies.
MEMBER_PATTERN = (
    K.COMMUNE, K.CPAS, K.COMMUNE, K.POLICE_ZONE, K.CPAS, K.COMMUNE, K.OTHER_PUBLIC, K.CPAS, K.COMMUNE,
    K.INTERCOMMUNALE, K.COMMUNE, K.CPAS, K.COMMUNE, K.PROVINCE, K.CPAS, K.COMMUNE, K.POLICE_ZONE, K.CPAS,
    K.EMERGENCY_ZONE, K.OTHER_PUBLIC,
)  # fmt: skip
POLICE_ZONES = 72  # in Wallonia
PROVINCES = (
    ("Province de Namur", "Place Saint-Aubain 2", "5000", "Namur"),
    ("Province de Liège", "Place Saint-Lambert 18A", "4000", "Liège"),
    ("Province de Hainaut", "Avenue Général de Gaulle 102", "7000", "Mons"),
    ("Province de Luxembourg", "Place Léopold 1", "6700", "Arlon"),
    ("Province du Brabant wallon", "Place du Brabant wallon 1", "1300", "Wavre"),
)
EMERGENCY_ZONES = (
    ("Zone de secours Wallonie picarde", "7500", "Tournai"),
    ("Zone de secours Hainaut-Centre", "7000", "Mons"),
    ("Zone de secours Hainaut-Est", "6000", "Charleroi"),
    ("Zone de secours du Brabant wallon", "1300", "Wavre"),
    ("Zone de secours DINAPHI", "5500", "Dinant"),
    ("Zone de secours Luxembourg", "6800", "Libramont-Chevigny"),
    ("Zone de secours Hesbaye", "4300", "Waremme"),
    ("Zone de secours Liège 2 IILE-SRI", "4000", "Liège"),
    ("Zone de secours Vesdre-Hoëgne & Plateau", "4800", "Verviers"),
    ("Zone de secours Warche-Amblève-Lienne", "4960", "Malmedy"),
)
INTERCOMMUNALES = (
    ("IDEA", "7000", "Mons"),
    ("IGRETEC", "6000", "Charleroi"),
    ("BEP — Bureau économique de la Province de Namur", "5000", "Namur"),
    ("IDELUX Développement", "6700", "Arlon"),
    ("SPI", "4000", "Liège"),
    ("INASEP", "5100", "Naninne"),
    ("IPALLE", "7503", "Froyennes"),
    ("HYGEA", "7000", "Mons"),
    ("ICDI", "6000", "Charleroi"),
    ("AIVE", "6700", "Arlon"),
    ("In BW", "1400", "Nivelles"),
    ("Intradel", "4040", "Herstal"),
    ("TIBI", "6000", "Charleroi"),
    ("IDETA", "7500", "Tournai"),
    ("IEG", "7780", "Comines-Warneton"),
    ("AIDE", "4020", "Liège"),
)
OTHER_PUBLIC = (
    "Régie communale autonome {of}",
    "Fabrique d'église Saint-{saint} {of}",
    "Société de logement de service public {of}",
    "Agence de développement local {of}",
    "Association chapitre XII {of}",
)
SAINTS = ("Martin", "Pierre", "Remacle", "Lambert", "Nicolas", "Georges", "Hubert", "Jean-Baptiste")
# Who orders how much: a commune by its population, the others by kind (relative order volume).
KIND_WEIGHT = {
    K.POLICE_ZONE: 1.5,
    K.EMERGENCY_ZONE: 1.2,
    K.PROVINCE: 3.0,
    K.INTERCOMMUNALE: 0.8,
    K.OTHER_PUBLIC: 0.25,
}
# Which share of the agreements of a theme a member of this kind subscribes to.
KIND_APPETITE = {
    K.COMMUNE: 0.6,
    K.CPAS: 0.4,
    K.POLICE_ZONE: 0.45,
    K.EMERGENCY_ZONE: 0.4,
    K.PROVINCE: 0.7,
    K.INTERCOMMUNALE: 0.3,
    K.OTHER_PUBLIC: 0.2,
}
# The budget function an order is charged to (Walloon municipal accounts), by kind.
BUDGET_FUNCTIONS = {
    K.COMMUNE: ("104", "104", "104", "722", "421", "762", "124"),
    K.CPAS: ("831", "831", "8441", "834"),
    K.POLICE_ZONE: ("330",),
    K.EMERGENCY_ZONE: ("351",),
}
USERS_EVERY = 100  # members 1 to 3 and every 100th have a purchasing officer and an approver
FIRST_NAMES = (
    "Claire", "Marc", "Sophie", "Luc", "Isabelle", "Philippe", "Nathalie", "Olivier", "Véronique", "Thierry",
    "Anne", "Pascal", "Catherine", "Michel", "Julie", "François", "Sarah", "Benoît", "Aurélie", "Didier",
)  # fmt: skip
LAST_NAMES = (
    "Dubois", "Lambert", "Martin", "Dupont", "Peeters", "Leclercq", "Renard", "Simon", "Laurent", "Lejeune",
    "Collignon", "Henrard", "Piron", "Wauters", "Gérard", "Lemaire", "Mathieu", "Denis", "Hubert", "Thiry",
)  # fmt: skip


@dataclass(frozen=True)
class MemberSpec:
    """What the n-th bench member is: the same n always gives the same member (on the same reference data)."""

    number: int
    kind: str
    name: str
    nis_code: str
    street: str
    postcode: str
    city: str
    weight: float  # relative order volume, not money

    @property
    def enterprise_number(self) -> str:
        return demo_enterprise_number(MEMBER_SEED + self.number)


@dataclass
class Member:
    spec: MemberSpec
    organization: Organization
    activated_at: datetime.datetime
    officer_id: int | None = None
    approver_id: int | None = None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in _ascii(text)).split())


def member_specs(count: int) -> list[MemberSpec]:
    """The first ``count`` bench members: communes and CPAS with the real NIS codes of the largest
    communes first (skipping those another organisation of the kind holds: the demo's), then
    police zones, provinces, emergency zones, intercommunales and other public bodies."""
    municipalities = list(Municipality.objects.order_by("-population", "nis_code"))
    bench_numbers = [demo_enterprise_number(MEMBER_SEED + n) for n in range(1, count + 1)]
    taken: dict[str, set[str]] = defaultdict(set)
    for kind, nis_code in (
        Organization.objects.filter(kind__in=[K.COMMUNE, K.CPAS])
        .exclude(nis_code="")
        .exclude(enterprise_number__in=bench_numbers)
        .values_list("kind", "nis_code")
    ):
        taken[kind].add(nis_code)
    free = {kind: [m for m in municipalities if m.nis_code not in taken[kind]] for kind in (K.COMMUNE, K.CPAS)}
    caps = {
        K.COMMUNE: len(free[K.COMMUNE]),
        K.CPAS: len(free[K.CPAS]),
        K.POLICE_ZONE: min(POLICE_ZONES, len(municipalities)),
        K.PROVINCE: len(PROVINCES),
        K.EMERGENCY_ZONE: len(EMERGENCY_ZONES),
        K.INTERCOMMUNALE: len(INTERCOMMUNALES),
    }
    used: Counter[str] = Counter()
    specs = []
    for n in range(1, count + 1):
        kind = MEMBER_PATTERN[(n - 1) % len(MEMBER_PATTERN)]
        if used[kind] >= caps.get(kind, n):
            kind = K.OTHER_PUBLIC
        index = used[kind]
        used[kind] += 1
        nis_code = ""
        weight = KIND_WEIGHT.get(kind, 1.0)
        if kind in (K.COMMUNE, K.CPAS):
            place = free[kind][index]
            nis_code = place.nis_code
            town = "Ville" if place.population > 20_000 else "Commune"
            name = f"{town if kind == K.COMMUNE else 'CPAS'} {of(place.name_fr)}"
            street = "Hôtel de ville" if kind == K.COMMUNE else "Rue du CPAS 1"
            weight = (place.population / 10_000) ** 0.6 * (1 if kind == K.COMMUNE else 0.5)
            postcode, city = place.postcode, place.name_fr
        elif kind == K.POLICE_ZONE:
            place = municipalities[index]
            name, street, postcode, city = (
                f"Zone de police {of(place.name_fr)}",
                "Rue de la Police 1",
                place.postcode,
                place.name_fr,
            )
        elif kind == K.PROVINCE:
            name, street, postcode, city = PROVINCES[index]
        elif kind == K.EMERGENCY_ZONE:
            name, postcode, city = EMERGENCY_ZONES[index]
            street = "Rue des Pompiers 1"
        elif kind == K.INTERCOMMUNALE:
            name, postcode, city = INTERCOMMUNALES[index]
            street = "Rue de l'Industrie 1"
        else:
            place = municipalities[index * 7 % len(municipalities)]
            template = OTHER_PUBLIC[index % len(OTHER_PUBLIC)]
            name = template.format(of=of(place.name_fr), saint=SAINTS[index % len(SAINTS)])
            street, postcode, city = "Grand-Place 1", place.postcode, place.name_fr
        specs.append(MemberSpec(n, kind, f"{PREFIX}{name}", nis_code, street, postcode, city, weight))
    return specs


def _joined(number: int) -> datetime.date:
    """The council decision joining the central purchasing body: most long ago, some in the last years."""
    rng = random.Random(f"member-{number}")
    today = timezone.localdate()
    if rng.random() < 0.85:
        return today - datetime.timedelta(days=rng.randrange(6 * 365, 8 * 365))
    return today - datetime.timedelta(days=rng.randrange(60, 3 * 365))


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _membership_document() -> tuple[str, str]:
    if not default_storage.exists(MEMBERSHIP_DOCUMENT):
        default_storage.save(MEMBERSHIP_DOCUMENT, ContentFile(PDF_BYTES))
    return MEMBERSHIP_DOCUMENT, hashlib.sha256(PDF_BYTES).hexdigest()


def members(count: int) -> tuple[list[Member], dict[str, int]]:
    """Members up to ``count``, each with an active membership; an officer and an approver for a few."""
    specs = member_specs(count)
    existing = {
        o.enterprise_number: o
        for o in Organization.objects.filter(enterprise_number__in=[spec.enterprise_number for spec in specs])
    }
    added = Counter()
    with transaction.atomic():
        for spec in specs:
            if spec.enterprise_number not in existing:
                existing[spec.enterprise_number] = organizations.organization_create(
                    actor=None,
                    kind=spec.kind,
                    name=spec.name,
                    enterprise_number=spec.enterprise_number,
                    nis_code=spec.nis_code,
                    street=spec.street,
                    postcode=spec.postcode,
                    city=spec.city,
                )
                added["members"] += 1
        result = [Member(spec, existing[spec.enterprise_number], _at(_joined(spec.number))) for spec in specs]
        by_id = {member.organization.pk: member for member in result}
        open_memberships = dict(
            Membership.objects.filter(member_id__in=by_id, status__in=OPEN_MEMBERSHIP_STATUSES).values_list(
                "member_id", "activated_at"
            )
        )
        document, sha256 = _membership_document()
        new_memberships = []
        for member in result:
            if member.organization.pk in open_memberships:
                member.activated_at = open_memberships[member.organization.pk] or member.activated_at
                continue
            decided = _joined(member.spec.number)
            member.activated_at = _at(decided + datetime.timedelta(days=14 + member.spec.number % 21))
            new_memberships.append(
                Membership(
                    member=member.organization,
                    status=MembershipStatus.ACTIVE,
                    requested_at=_at(decided - datetime.timedelta(days=30 + member.spec.number % 30)),
                    decision_date=decided,
                    decision_reference=f"{PREFIX}CC-{decided.year}-{member.spec.number:04d}",
                    document=document,
                    document_sha256=sha256,
                    activated_at=member.activated_at,
                    status_changed_at=member.activated_at,
                )
            )
        Membership.objects.bulk_create(new_memberships, batch_size=1000)
        added["memberships"] = len(new_memberships)
        added["users"] = _member_people(result)
    return result, added


def _member_people(member_list: list[Member]) -> int:
    """A purchasing officer and an approver for members 1 to 3 and every 100th (the others need none)."""
    wanted = {}
    for member in member_list:
        n = member.spec.number
        if n <= 3 or n % USERS_EVERY == 0:
            wanted[f"bench-officer-{n:04d}"] = (member, Role.MEMBER_OFFICER, "officer_id")
            wanted[f"bench-approver-{n:04d}"] = (member, Role.MEMBER_APPROVER, "approver_id")
    existing = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    created = 0
    for username, (member, role, slot) in wanted.items():
        if username not in existing:
            n = member.spec.number
            existing[username] = people.user_create(
                actor=None,
                organization=member.organization,
                username=username,
                email=f"{username}@bench.example",
                roles=[role],
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n + len(slot)) % len(LAST_NAMES)],
            ).pk
            created += 1
        setattr(member, slot, existing[username])
    return created


def supplier_people(supplier_pool: list[Organization]) -> tuple[dict[int, int], int]:
    """One user per bench supplier (``bench-supplier-001``…): who records its deliveries."""
    wanted = {f"bench-supplier-{n:03d}": supplier for n, supplier in enumerate(supplier_pool, start=1)}
    existing = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    created = 0
    for username, supplier in wanted.items():
        if username not in existing:
            existing[username] = people.user_create(
                actor=None,
                organization=supplier,
                username=username,
                email=f"{username}@bench.example",
                roles=[Role.SUPPLIER],
            ).pk
            created += 1
    return {supplier.pk: existing[username] for username, supplier in wanted.items()}, created


# --- Subscriptions -----------------------------------------------------------------------------

# Per theme: how readily members subscribe (times the kind's appetite), and how many order
# lines an agreement of the theme takes (cheap supplies are ordered often, furniture seldom).
THEME_ORDERING = {
    "Fournitures de bureau": (1.0, 10.0),
    "Papier et enveloppes": (1.0, 6.0),
    "Matériel informatique": (0.7, 2.0),
    "Consommables d'impression": (0.8, 4.0),
    "Mobilier de bureau": (0.5, 0.5),
    "Produits d'entretien et d'hygiène": (0.8, 6.0),
    "Ouvrages et publications juridiques": (0.5, 0.5),
}
ECONOMIC_CODES = {  # the economic code of the budget article, by theme
    "Fournitures de bureau": "123-02",
    "Papier et enveloppes": "123-02",
    "Matériel informatique": "742-53",
    "Consommables d'impression": "123-13",
    "Mobilier de bureau": "741-51",
    "Produits d'entretien et d'hygiène": "124-02",
    "Ouvrages et publications juridiques": "123-17",
}
NAMED_SHARE = 0.3  # of the members, named beneficiaries of an agreement for named members


def _term(agreement: FrameworkAgreement) -> tuple[datetime.datetime, datetime.datetime]:
    """When orders could be approved under the agreement: its term, up to now."""
    start = timezone.make_aware(datetime.datetime.combine(agreement.start_date, datetime.time(8)))
    end = timezone.make_aware(datetime.datetime.combine(agreement.end_date, datetime.time(23, 59)))
    return start, min(end, timezone.now())


def subscriptions(member_list: list[Member], agreement_list: list[FrameworkAgreement]) -> tuple[int, int, int]:
    """Each member subscribes to some of the agreements it may use (named beneficiaries for the
    agreements of named members), from its membership on; subscriptions to expired agreements
    are ended. The draws of one member and agreement do not depend on how many others exist."""
    Beneficiary = FrameworkAgreement.beneficiaries.through
    member_ids = [member.organization.pk for member in member_list]
    existing = set(
        Subscription.objects.filter(member_id__in=member_ids, agreement__in=agreement_list).values_list(
            "member_id", "agreement_id"
        )
    )
    named = set(
        Beneficiary.objects.filter(organization_id__in=member_ids, frameworkagreement__in=agreement_list).values_list(
            "organization_id", "frameworkagreement_id"
        )
    )
    new_subscriptions, new_named = [], []
    for member in member_list:
        rng = random.Random(f"subscriptions-{member.spec.number}")
        appetite = KIND_APPETITE[member.spec.kind]
        for agreement in agreement_list:  # in reference order: agreement k takes the member's k-th draws
            r_named, r_subscribe, r_estimate, r_delay = (rng.random() for _ in range(4))
            key = (member.organization.pk, agreement.pk)
            if agreement.beneficiary_scope == "named":
                if r_named >= NAMED_SHARE:
                    continue
                if key not in named:
                    new_named.append(
                        Beneficiary(organization_id=member.organization.pk, frameworkagreement_id=agreement.pk)
                    )
            theme_appetite, line_weight = THEME_ORDERING[agreement.title]
            # The large members subscribe more readily than the small ones.
            if r_subscribe >= appetite * theme_appetite * (0.6 + 0.2 * min(member.spec.weight, 4)) or key in existing:
                continue
            start, end = _term(agreement)
            since = max(start, member.activated_at)
            if since >= end - datetime.timedelta(days=1):
                continue  # joined too late for this agreement
            since += min(datetime.timedelta(days=45), (end - since) / 3) * r_delay  # subscribed within weeks
            estimate = max(5, round(member.spec.weight * line_weight * (0.5 + r_estimate) * 20)) * 100
            ended = agreement.end_date < timezone.localdate() or agreement.status == "expired"
            new_subscriptions.append(
                Subscription(
                    member_id=member.organization.pk,
                    agreement_id=agreement.pk,
                    estimated_value=Decimal(estimate).quantize(CENT),
                    status=SubscriptionStatus.ENDED if ended else SubscriptionStatus.ACTIVE,
                    created_at=since,
                    ended_at=end if ended else None,
                )
            )
    with transaction.atomic():
        Beneficiary.objects.bulk_create(new_named, batch_size=2000, ignore_conflicts=True)
        Subscription.objects.bulk_create(new_subscriptions, batch_size=2000)
    total = Subscription.objects.filter(member_id__in=member_ids, agreement__in=agreement_list).count()
    return total, len(new_subscriptions), len(new_named)


# --- Orders ------------------------------------------------------------------------------------

CENT = Decimal("0.01")
ITEMS_PER_SUPPLIER = 1_000  # catalogue lines of an agreement's supplier that members order from (the first ones)
CALL_OFF_EVERY = 2_000  # one off-platform call-off per so many order lines
# Lines come out dearer than aimed at (whole and minimum quantities, a dear line when no cheap
# one is drawn) and some orders never consume: budgets aim this much lower.
OVERSHOOT = 1.3
CHEAP_LINE = 2.5  # times the floor (30th percentile of price × minimum): what a line costs at least, on average
OVERSUBSCRIBED_EVERY = 8  # one agreement in eight is asked for more than its maximum: its last orders are refused
CEILING_REASON = "Le montant dépasse ce qui reste du maximum de l'accord-cadre."
REJECTIONS = (
    "Pas de crédit disponible sur l'article budgétaire.",
    "Quantités à revoir avec le service demandeur.",
    "Achat reporté à l'exercice suivant.",
)
CANCELLATIONS = ("Commande introduite deux fois.", "Le besoin a disparu.", "Erreur d'article budgétaire.")
NOTES = (
    "Livraison par l'entrée du personnel, à l'arrière du bâtiment.",
    "Merci de prévenir la veille de la livraison.",
    "Livrer au service technique, pas à l'accueil.",
)


class Item(NamedTuple):
    """A catalogue line as an order freezes it."""

    id: int
    supplier_reference: str
    name: str
    unit: str
    unit_price: Decimal
    list_price: Decimal | None
    vat_rate: Decimal
    cpv_code: str
    min_quantity: int
    price: int  # unit price in 1/10,000 € (for choosing quantities in whole numbers)


@dataclass
class Plan:
    """Where the orders go: subscriptions and their windows, suppliers, lines, what each agreement may still consume."""

    subscriptions: list[tuple[int, int, datetime.datetime, float]]  # member, agreement, since, window in seconds
    weights: list[float]
    suppliers: dict[int, list[int]]  # agreement → suppliers an order may go to
    items: dict[tuple[int, int], list[Item]]  # (agreement, supplier) → lines
    consumed: dict[int, Decimal]  # agreement → consumed now (orders + call-offs), kept up to date
    maximum: dict[int, Decimal]
    fill: dict[int, float]  # agreement → share of what remains its new orders aim at
    floor: dict[int, int]  # agreement → a cheap line (30th percentile of price × minimum), 1/10,000 €
    budget: dict[int, int] = field(default_factory=dict)  # agreement → target line amount, 1/10,000 €


def _sum_by(queryset, key: str, value: str) -> dict[int, Decimal]:
    """Exact sums of a money column per key (SQLite sums decimals as floating point: summed here)."""
    if connection.vendor == "postgresql":
        return dict(queryset.values(key).annotate(total=Sum(value)).values_list(key, "total"))
    sums: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for k, amount in queryset.values_list(key, value).iterator(chunk_size=20_000):
        sums[k] += amount
    return dict(sums)


def agreement_consumption(agreement_list: list[FrameworkAgreement]) -> dict[int, Decimal]:
    """What each agreement holds: its orders' ``consumed`` and its call-offs not cancelled."""
    orders = _sum_by(Order.objects.filter(agreement__in=agreement_list), "agreement_id", "consumed")
    call_offs = _sum_by(
        OffPlatformCallOff.objects.filter(agreement__in=agreement_list, cancelled=False),
        "agreement_id",
        "amount_excl_vat",
    )
    return {
        a.pk: (orders.get(a.pk) or Decimal("0.00")) + (call_offs.get(a.pk) or Decimal("0.00")) for a in agreement_list
    }


def _plan(member_list: list[Member], agreement_list: list[FrameworkAgreement]) -> Plan:
    members_by_id = {member.organization.pk: member for member in member_list}
    agreements = {agreement.pk: agreement for agreement in agreement_list}
    ranked: dict[int, list[int]] = defaultdict(list)
    for agreement_id, supplier_id in (
        AgreementSupplier.objects.filter(agreement__in=agreement_list, active=True)
        .order_by("agreement_id", "rank")
        .values_list("agreement_id", "supplier_id")
    ):
        ranked[agreement_id].append(supplier_id)
    items: dict[tuple[int, int], list[Item]] = {}
    suppliers: dict[int, list[int]] = {}
    for agreement in agreement_list:
        # Cascade and single supplier: orders go to the first-ranked; mini-competition: to any.
        candidates = ranked[agreement.pk] if agreement.supplier_mode == "mini_competition" else ranked[agreement.pk][:1]
        for supplier_id in candidates:
            rows = (
                CatalogItem.objects.filter(agreement=agreement, supplier_id=supplier_id, active=True)
                .order_by("id")
                .values_list(
                    "id",
                    "supplier_reference",
                    "name_fr",
                    "unit",
                    "unit_price",
                    "list_price",
                    "vat_rate",
                    "cpv_code_id",
                    "min_quantity",
                )[:ITEMS_PER_SUPPLIER]
            )
            lines = [
                Item(
                    *row[:7],
                    row[7] or "",
                    max(1, int(row[8].to_integral_value(ROUND_CEILING))),
                    max(1, int(row[4].scaleb(4))),
                )
                for row in rows
            ]
            if lines:
                items[(agreement.pk, supplier_id)] = lines
                suppliers.setdefault(agreement.pk, []).append(supplier_id)
    consumed = agreement_consumption(agreement_list)
    maximum = {agreement.pk: agreement.maximum_value for agreement in agreement_list}
    subs, weights = [], []
    for member_id, agreement_id, since in Subscription.objects.filter(
        member_id__in=members_by_id, agreement__in=agreement_list
    ).values_list("member_id", "agreement_id", "created_at"):
        agreement = agreements[agreement_id]
        if agreement_id not in suppliers or consumed[agreement_id] >= maximum[agreement_id]:
            continue
        _start, end = _term(agreement)
        window = (end - since).total_seconds()
        if window <= 0:
            continue
        factor = random.Random(f"agreement-{agreement.reference}").uniform(0.6, 1.4)
        weight = members_by_id[member_id].spec.weight * THEME_ORDERING[agreement.title][1] * factor * window
        subs.append((member_id, agreement_id, since, window))
        weights.append(weight)
    floor = {}
    for agreement_id, supplier_ids in suppliers.items():
        cheap = sorted(item.price * item.min_quantity for s in supplier_ids for item in items[(agreement_id, s)])
        floor[agreement_id] = cheap[len(cheap) * 3 // 10]
    fill = {agreement.pk: _fill(agreement) for agreement in agreement_list}
    return Plan(subs, weights, suppliers, items, consumed, maximum, fill, floor)


def _planned_orders(plan: Plan, lines: int, seed: str) -> list[tuple[datetime.datetime, int, int, int]]:
    """Orders of 1 to 20 lines (10 on average) adding up to ``lines``, in the order they were created:
    (created at, subscription, supplier, lines).

    Subscriptions are drawn by weight; an agreement stops being drawn once it has as many lines
    as its fill of what remains buys at the price of its cheaper catalogue lines (a ceiling of
    600,000 € does not pay for 20,000 lines of toner), and the next lines go to the others.
    """
    rng = random.Random(seed)
    weights = list(plan.weights)
    cumulative = list(itertools.accumulate(weights))
    by_agreement: dict[int, list[int]] = defaultdict(list)
    for index, (_member_id, agreement_id, _since, _window) in enumerate(plan.subscriptions):
        by_agreement[agreement_id].append(index)
    capacity = {
        agreement_id: int((plan.maximum[agreement_id] - plan.consumed[agreement_id]).scaleb(4))
        * plan.fill[agreement_id]
        / (plan.floor[agreement_id] * CHEAP_LINE)
        for agreement_id in by_agreement
    }
    taken: Counter[int] = Counter()
    capped = True  # until every agreement is full: then the ceilings refuse what comes
    indexes = range(len(plan.subscriptions))
    planned = []
    remaining = lines
    while remaining > 0:
        index = rng.choices(indexes, cum_weights=cumulative)[0]
        _member_id, agreement_id, since, window = plan.subscriptions[index]
        supplier_id = rng.choice(plan.suppliers[agreement_id])
        count = min(
            (rng.randint(1, 20) + rng.randint(1, 20)) // 2, remaining, len(plan.items[(agreement_id, supplier_id)])
        )
        created = since + datetime.timedelta(seconds=window * rng.random())
        planned.append((created, index, supplier_id, count))
        remaining -= count
        taken[agreement_id] += count
        if capped and taken[agreement_id] >= capacity[agreement_id]:
            for full in by_agreement[agreement_id]:
                weights[full] = 0.0
            if any(weights):
                cumulative = list(itertools.accumulate(weights))
            else:
                capped, cumulative = False, list(itertools.accumulate(plan.weights))
    planned.sort(key=lambda order: order[0])
    return planned


def _fill(agreement: FrameworkAgreement) -> float:
    """How much of what remains of its maximum an agreement's new orders aim at (one in eight: more)."""
    number = int(agreement.reference[len(PREFIX) : len(PREFIX) + 4])
    return (
        1.2 if number % OVERSUBSCRIBED_EVERY == 5 else random.Random(f"fill-{agreement.reference}").uniform(0.45, 0.9)
    )


def _budgets(plan: Plan, planned: list[tuple[datetime.datetime, int, int, int]], agreement_list) -> None:
    """The line amount each agreement aims at so that its planned orders fill their share of what remains."""
    lines: Counter[int] = Counter()
    for _created, index, _supplier, count in planned:
        lines[plan.subscriptions[index][1]] += count
    for agreement in agreement_list:
        if lines[agreement.pk]:
            remaining = int((plan.maximum[agreement.pk] - plan.consumed[agreement.pk]).scaleb(4))  # 1/10,000 €
            plan.budget[agreement.pk] = max(
                1, int(remaining * plan.fill[agreement.pk] / OVERSHOOT) // lines[agreement.pk]
            )


def _choose_lines(rng: random.Random, items: list[Item], count: int, budget: int) -> list[tuple[Item, int]]:
    """``count`` different lines, the first catalogue lines more often, quantities around the budget."""
    chosen: dict[int, tuple[Item, int]] = {}
    while len(chosen) < count:
        target = max(1, int(budget * rng.lognormvariate(-0.245, 0.7)))  # mean: the budget
        best = None
        for _try in range(4):
            item = items[int(len(items) * rng.random() ** 2)]
            if item.id in chosen:
                continue
            if best is None or item.price < best.price:
                best = item
            if item.price * item.min_quantity <= 2 * target:
                best = item
                break
        if best is None:
            best = next(item for item in items if item.id not in chosen)
        quantity = max(best.min_quantity, min(500, (2 * target + best.price) // (2 * best.price)))
        chosen[best.id] = (best, quantity)
    return list(chosen.values())


def _hours(rng: random.Random, low: float, high: float) -> datetime.timedelta:
    return datetime.timedelta(hours=rng.uniform(low, high))


def _totals(amounts: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal, Decimal]:
    """Totals as ``money.vat_breakdown`` gives them: VAT per rate on the sum of that rate, half-up."""
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for amount, rate in amounts:
        by_rate[rate] += amount
    net = sum(by_rate.values(), Decimal("0.00"))
    vat = sum(
        ((taxable * rate / 100).quantize(CENT, ROUND_HALF_UP) for rate, taxable in by_rate.items()), Decimal("0.00")
    )
    return net, vat, net + vat


@dataclass
class Chunk:
    """Rows of one chunk, linked by their position in the chunk until they have ids."""

    orders: list[dict] = field(default_factory=list)
    lines: list[tuple[int, dict]] = field(default_factory=list)  # (order, row)
    deliveries: list[tuple[int, dict]] = field(default_factory=list)  # (order, row)
    delivery_lines: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (delivery, line, quantity)
    approvals: list[tuple[int, dict]] = field(default_factory=list)  # (order, row)


class OrderMaker:
    """Turns planned orders into rows: lines, a life up to now, numbers, deliveries, approvals."""

    def __init__(self, plan: Plan, member_list: list[Member], agreement_list, supplier_users: dict[int, int]):
        self.plan = plan
        self.members = {member.organization.pk: member for member in member_list}
        self.agreements = {agreement.pk: agreement for agreement in agreement_list}
        self.supplier_users = supplier_users
        self.now = timezone.now()
        self.chain = json.loads(json.dumps(chains.default_chain()))  # plain strings
        self.step_name = self.chain[0]["name"]
        self.counters: dict[tuple[int, int], int] = {}
        self.statuses: Counter[str] = Counter()
        self.refused = 0
        self.contacts: dict[int, tuple[str, list[tuple[str, str, str]]]] = {}

    def load_counters(self) -> None:
        member_ids = list(self.members)
        for member_id, year, last in OrderCounter.objects.filter(member_id__in=member_ids).values_list(
            "member_id", "year", "last"
        ):
            self.counters[(member_id, year)] = last
        for member_id, year, last in (
            Order.objects.filter(member_id__in=member_ids)
            .values("member_id", "year")
            .annotate(last=Max("sequence"))
            .values_list("member_id", "year", "last")
        ):
            self.counters[(member_id, year)] = max(last, self.counters.get((member_id, year), 0))

    def save_counters(self, touched: set[tuple[int, int]]) -> None:
        OrderCounter.objects.bulk_create(
            [OrderCounter(member_id=m, year=y, last=self.counters[(m, y)]) for m, y in sorted(touched)],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["member", "year"],
            update_fields=["last"],
        )

    def _contact(self, member: Member, rng: random.Random) -> tuple[str, str, str, str]:
        if member.organization.pk not in self.contacts:
            spec = member.spec
            service = "Service Économat" if spec.kind in (K.COMMUNE, K.CPAS) else "Service Achats"
            address = f"{spec.name[len(PREFIX) :]}\n{service}\n{spec.street}\n{spec.postcode} {spec.city}"
            people_rng = random.Random(f"contacts-{spec.number}")
            contacts = []
            for _ in range(3):
                first, last = people_rng.choice(FIRST_NAMES), people_rng.choice(LAST_NAMES)
                email = f"{_slug(first)}.{_slug(last)}@{_slug(spec.city)}.bench.example"
                phone = f"+32 {people_rng.randrange(10, 90)} {people_rng.randrange(10, 99)} {people_rng.randrange(10, 99)} {people_rng.randrange(10, 99)}"
                contacts.append((f"{first} {last}", email, phone))
            self.contacts[member.organization.pk] = (address, contacts)
        address, contacts = self.contacts[member.organization.pk]
        return (address, *rng.choice(contacts))

    def add(
        self, chunk: Chunk, rng: random.Random, created: datetime.datetime, index: int, supplier_id: int, count: int
    ):
        plan = self.plan
        member_id, agreement_id, _since, _window = plan.subscriptions[index]
        member, agreement = self.members[member_id], self.agreements[agreement_id]
        chosen = _choose_lines(rng, plan.items[(agreement_id, supplier_id)], count, plan.budget[agreement_id])
        amounts = [(Decimal(quantity) * item.unit_price).quantize(CENT, ROUND_HALF_UP) for item, quantity in chosen]
        net, vat, gross = _totals([(amount, item.vat_rate) for amount, (item, _q) in zip(amounts, chosen, strict=True)])
        life = self._life(rng, created, agreement, net, [quantity for _item, quantity in chosen])
        delivered = life.pop("delivered")
        deliveries = life.pop("deliveries")
        decision = life.pop("decision")
        if life["status"] == OrderStatus.CLOSED:  # what was delivered, as order_close leaves it
            life["consumed"] = sum(
                (
                    (Decimal(d) * item.unit_price).quantize(CENT, ROUND_HALF_UP)
                    for d, (item, _q) in zip(delivered, chosen, strict=True)
                ),
                Decimal("0.00"),
            )
        self.plan.consumed[agreement_id] += life["consumed"]
        self.statuses[life["status"]] += 1
        year = timezone.localtime(created).year
        sequence = self.counters.get((member_id, year), 0) + 1
        self.counters[(member_id, year)] = sequence
        theme = agreement.title
        functions = BUDGET_FUNCTIONS.get(member.spec.kind, ("104",))
        article = f"{rng.choice(functions)}/{ECONOMIC_CODES[theme]}" + (f"/{year}" if rng.random() < 0.25 else "")
        address, contact_name, contact_email, contact_phone = self._contact(member, rng)
        user = member.officer_id
        position = len(chunk.orders)
        chunk.orders.append(
            {
                "number": f"BC-{year}-{sequence:05d}",
                "year": year,
                "sequence": sequence,
                "member_id": member_id,
                "agreement_id": agreement_id,
                "supplier_id": supplier_id,
                "budget_article": article,
                "delivery_address": address,
                "contact_name": contact_name,
                "contact_email": contact_email,
                "contact_phone": contact_phone,
                "requested_delivery_date": (
                    timezone.localdate(created) + datetime.timedelta(days=rng.randrange(7, 31))
                    if rng.random() < 0.3
                    else None
                ),
                "note": rng.choice(NOTES) if rng.random() < 0.1 else "",
                "total_excl_vat": net,
                "total_vat": vat,
                "total_incl_vat": gross,
                "approval_chain": self.chain if life.get("submitted_at") else [],
                "created_by_id": user,
                "created_at": created,
                "submitted_by_id": user if life.get("submitted_at") else None,
                **life,
            }
        )
        first_line = len(chunk.lines)
        for number, ((item, quantity), amount, done) in enumerate(zip(chosen, amounts, delivered, strict=True), 1):
            chunk.lines.append(
                (
                    position,
                    {
                        "position": number,
                        "item_id": item.id,
                        "supplier_reference": item.supplier_reference,
                        "name": item.name,
                        "unit": item.unit,
                        "quantity": Decimal(quantity),
                        "unit_price": item.unit_price,
                        "list_price": item.list_price,
                        "vat_rate": item.vat_rate,
                        "cpv_code": item.cpv_code,
                        "budget_article": article,
                        "amount_excl_vat": amount,
                        "delivered_quantity": Decimal(done),
                    },
                )
            )
        recorder = self.supplier_users.get(supplier_id)
        for moment, quantities in deliveries if recorder else ():
            chunk.deliveries.append(
                (
                    position,
                    {
                        "delivered_on": timezone.localdate(moment),
                        "reference": f"BL-{rng.randrange(10**6):06d}",
                        "recorded_by_id": recorder,
                        "recorded_at": moment,
                    },
                )
            )
            delivery = len(chunk.deliveries) - 1
            for line, quantity in enumerate(quantities):
                if quantity:
                    chunk.delivery_lines.append((delivery, first_line + line, Decimal(quantity)))
        if decision and member.approver_id:
            verdict, moment, note = decision
            chunk.approvals.append(
                (
                    position,
                    {
                        "position": 1,
                        "step_name": self.step_name,
                        "decision": verdict,
                        "decided_by_id": member.approver_id,
                        "decided_at": moment,
                        "decision_date": timezone.localdate(moment),
                        "decision_reference": f"Collège du {timezone.localdate(moment):%d/%m/%Y}",
                        "note": note,
                    },
                )
            )

    def _life(self, rng, created, agreement, total: Decimal, quantities: list[int]) -> dict:
        """The order's life from its creation up to now: status, dates, what it consumes, deliveries."""
        S = OrderStatus
        now, term_end = self.now, _term(agreement)[1]
        nothing = [0] * len(quantities)
        life = {"status": S.DRAFT, "status_changed_at": created, "consumed": Decimal("0.00"), "delivered": nothing}
        life |= {"deliveries": [], "decision": None, "status_reason": ""}

        def stop(status, at, **changes):
            life.update(status=status, status_changed_at=at, **changes)
            return life

        if rng.random() < 0.012:
            return life  # a draft never submitted
        t = created + (_hours(rng, 0.05, 1) if rng.random() < 0.7 else _hours(rng, 1, 72))
        if t > now:
            return life
        life.update(status=S.SUBMITTED, status_changed_at=t, submitted_at=t)
        if rng.random() < 0.008:
            cancelled = t + _hours(rng, 1, 48)
            return stop(S.CANCELLED, cancelled, status_reason=rng.choice(CANCELLATIONS)) if cancelled <= now else life
        t += _hours(rng, 2, 48) if rng.random() < 0.7 else _hours(rng, 48, 240)  # the decision (college, weekly)
        if t > now:
            return life
        if rng.random() < 0.025:
            reason = rng.choice(REJECTIONS)
            return stop(S.REJECTED, t, status_reason=reason, decision=(Decision.REJECTED, t, reason))
        if t > term_end:
            reason = "L'accord-cadre a pris fin avant l'approbation."
            return stop(S.REJECTED, t, status_reason=reason, decision=(Decision.REJECTED, t, reason))
        agreement_id = agreement.pk
        if self.plan.consumed[agreement_id] + total > self.plan.maximum[agreement_id]:
            self.refused += 1
            return stop(S.REJECTED, t, status_reason=CEILING_REASON, decision=(Decision.REJECTED, t, CEILING_REASON))
        stop(
            S.APPROVED,
            t,
            approved_at=t,
            approved_on=timezone.localdate(t),
            consumed=total,
            decision=(Decision.APPROVED, t, ""),
        )
        if rng.random() < 0.01:
            cancelled = t + _hours(rng, 1, 72)
            if cancelled <= now:
                return stop(S.CANCELLED, cancelled, consumed=Decimal("0.00"), status_reason=rng.choice(CANCELLATIONS))
        t += _hours(rng, 0.2, 48)
        if t > now:
            return life
        stop(S.SENT, t, sent_at=t)
        t += _hours(rng, 1, 96)  # the supplier's answer
        if t > now:
            return life
        if rng.random() < 0.012:
            stop(S.DECLINED, t, status_reason="Rupture de stock chez le fabricant.")
            cancelled = t + _hours(rng, 72, 480)
            if cancelled <= now:
                return stop(
                    S.CANCELLED, cancelled, consumed=Decimal("0.00"), status_reason="Refusée par le fournisseur."
                )
            return life
        stop(S.CONFIRMED, t, confirmed_at=t)
        t += _hours(rng, 24, 600)  # first delivery
        if t > now:
            return life
        partial = rng.random() < 0.12 and sum(quantities) > 1
        if partial:
            first = [rng.choice((q, q, rng.randint(0, q - 1) if q > 1 else 0, 0)) for q in quantities]
            if not any(first) or first == quantities:  # at least something, not everything
                first = [*quantities[:-1], 0] if len(quantities) > 1 else [quantities[0] - 1]
            stop(S.PARTIALLY_DELIVERED, t, delivered=first, deliveries=[(t, first)])
            later = t + _hours(rng, 72, 720)
            if later > now:
                return life
            if rng.random() < 0.4:  # the rest will not come
                return stop(S.CLOSED, later, closed_at=later, status_reason="Le solde n'est plus disponible.")
            rest = [q - d for q, d in zip(quantities, first, strict=True)]
            t = later
            stop(
                S.DELIVERED,
                t,
                delivered_at=t,
                delivered=list(quantities),
                deliveries=[(life["deliveries"][0][0], first), (t, rest)],
            )
        else:
            stop(S.DELIVERED, t, delivered_at=t, delivered=list(quantities), deliveries=[(t, list(quantities))])
        closed = t + _hours(rng, 24, 1080)
        if closed <= now and rng.random() >= 0.08:
            stop(S.CLOSED, closed, closed_at=closed)
        return life


class Writer:
    """Writes rows of a model: ``COPY`` on PostgreSQL (ids from the table's sequence), ``bulk_create`` elsewhere."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgresql = connection.vendor == "postgresql"
        self.next_ids: dict[type, int] = {}

    def ids(self, model, count: int) -> list[int]:
        if not count:
            return []
        if self.postgresql:
            self.cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in self.cursor.fetchall()]
        if model not in self.next_ids:  # SQLite: the write transaction holds the database
            self.next_ids[model] = (model.objects.aggregate(last=Max("id"))["last"] or 0) + 1
        first = self.next_ids[model]
        self.next_ids[model] += count
        return list(range(first, first + count))

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.postgresql:
            model.objects.bulk_create((model(**row) for row in rows), batch_size=5000)
            return
        fields = [f for f in model._meta.concrete_fields if f.column != "id" or "id" in rows[0]]
        defaults = {f.attname: f.get_default() for f in fields}
        names = [f.attname for f in fields]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with self.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for name in names:
                    value = row.get(name, defaults[name])
                    values.append(json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value)
                copy.write_row(values)


def _write_chunk(writer: Writer, chunk: Chunk) -> None:
    order_ids = writer.ids(Order, len(chunk.orders))
    for order_id, row in zip(order_ids, chunk.orders, strict=True):
        row["id"] = order_id
    writer.write(Order, chunk.orders)
    line_ids = writer.ids(OrderLine, len(chunk.lines))
    lines = [
        row | {"id": line_id, "order_id": order_ids[order]}
        for line_id, (order, row) in zip(line_ids, chunk.lines, strict=True)
    ]
    writer.write(OrderLine, lines)
    delivery_ids = writer.ids(Delivery, len(chunk.deliveries))
    writer.write(
        Delivery,
        [
            row | {"id": i, "order_id": order_ids[order]}
            for i, (order, row) in zip(delivery_ids, chunk.deliveries, strict=True)
        ],
    )
    writer.write(
        DeliveryLine,
        [
            {"delivery_id": delivery_ids[delivery], "line_id": line_ids[line], "quantity": quantity}
            for delivery, line, quantity in chunk.delivery_lines
        ],
    )
    writer.write(OrderApproval, [row | {"order_id": order_ids[order]} for order, row in chunk.approvals])


def call_offs(plan: Plan, count: int, buyer: User) -> int:
    """Off-platform call-offs (``BENCH-HP-00001``…) up to ``count``, refused (cancelled) when they do not fit."""
    existing = OffPlatformCallOff.objects.filter(reference__startswith=f"{PREFIX}HP-").count()
    if existing >= count or not plan.subscriptions:
        return 0
    cumulative = list(itertools.accumulate(plan.weights))
    indexes = range(len(plan.subscriptions))
    now = timezone.now()
    rows = []
    for number in range(existing + 1, count + 1):
        rng = random.Random(f"call-off-{number}")
        member_id, agreement_id, since, window = plan.subscriptions[rng.choices(indexes, cum_weights=cumulative)[0]]
        ordered = since + datetime.timedelta(seconds=window * rng.random())
        amount = (Decimal(plan.budget.get(agreement_id, 100_000) * rng.randint(5, 30)).scaleb(-4)).quantize(CENT)
        cancelled = rng.random() < 0.08 or plan.consumed[agreement_id] + amount > plan.maximum[agreement_id]
        if not cancelled:
            plan.consumed[agreement_id] += amount
        rows.append(
            OffPlatformCallOff(
                agreement_id=agreement_id,
                member_id=member_id,
                supplier_id=plan.suppliers[agreement_id][0],
                reference=f"{PREFIX}HP-{number:05d}",
                ordered_on=timezone.localdate(ordered),
                amount_excl_vat=max(amount, CENT),
                source=rng.choice(("supplier", "supplier", "member")),
                cancelled=cancelled,
                cancel_reason="Ne tient pas dans le maximum de l'accord-cadre." if cancelled else "",
                recorded_by=buyer,
                recorded_at=min(ordered + datetime.timedelta(days=rng.randrange(1, 20)), now),
            )
        )
    OffPlatformCallOff.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def orders(
    count: int,
    member_list: list[Member],
    agreement_list: list[FrameworkAgreement],
    supplier_users: dict[int, int],
    buyer: User,
    timings: dict[str, float],
) -> Counter[str]:
    """Orders of the members under their subscribed agreements, up to ``count`` order lines, with
    their life up to now; off-platform call-offs (one per 2,000 lines); the agreements' consumption."""
    started = time.perf_counter()
    added: Counter[str] = Counter()
    member_ids = [member.organization.pk for member in member_list]
    existing = OrderLine.objects.filter(order__member_id__in=member_ids, order__agreement__in=agreement_list).count()
    missing = count - existing
    wanted_call_offs = count // CALL_OFF_EVERY
    if (
        missing > 0
        or OffPlatformCallOff.objects.filter(reference__startswith=f"{PREFIX}HP-").count() < wanted_call_offs
    ):
        plan = _plan(member_list, agreement_list)
        if not plan.subscriptions:
            raise SystemExit("No subscription can take orders (no catalogue lines, or every agreement is exhausted).")
        planned = _planned_orders(plan, max(missing, 0), seed=f"orders-{existing}")
        _budgets(plan, planned, agreement_list)
        timings["orders planned"] = time.perf_counter() - started
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Foreign keys checked per COPY, not queued until the commit (millions of rows).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            added["call-offs"] = call_offs(plan, wanted_call_offs, buyer)
            maker = OrderMaker(plan, member_list, agreement_list, supplier_users)
            maker.load_counters()
            counters = dict(maker.counters)
            writer = Writer(cursor)
            loading = time.perf_counter()
            done = 0
            position = 0
            while position < len(planned):
                rng = random.Random(existing + done)  # one seed per chunk
                chunk = Chunk()
                while position < len(planned) and len(chunk.lines) < CHUNK:
                    maker.add(chunk, rng, *planned[position])
                    position += 1
                _write_chunk(writer, chunk)
                done += len(chunk.lines)
                added["orders"] += len(chunk.orders)
                added["deliveries"] += len(chunk.deliveries)
                added["delivered lines"] += len(chunk.delivery_lines)
                added["approvals"] += len(chunk.approvals)
                print(f"  {done:,} / {missing:,} order lines", end="\r", flush=True)
            if planned:
                print()
            maker.save_counters({key for key, last in maker.counters.items() if counters.get(key) != last})
            added["order lines"] = done
            added.update({f"status {status}": n for status, n in maker.statuses.items()})
            added["refused at the ceiling"] = maker.refused
            timings["orders, lines, deliveries ({})".format("COPY" if writer.postgresql else "bulk_create")] = (
                time.perf_counter() - loading
            )
            consumption_started = time.perf_counter()
            added["agreements updated"] = settle_agreements(agreement_list)
            timings["agreements' consumption"] = time.perf_counter() - consumption_started
    else:
        with transaction.atomic():
            added["agreements updated"] = settle_agreements(agreement_list)
    return added


def settle_agreements(agreement_list: list[FrameworkAgreement]) -> int:
    """Each agreement's consumption set to what its orders and call-offs hold; exhausted when it reaches the maximum."""
    consumption = agreement_consumption(agreement_list)
    changed = 0
    for agreement in FrameworkAgreement.objects.select_for_update().filter(pk__in=[a.pk for a in agreement_list]):
        value = consumption[agreement.pk]
        if value > agreement.maximum_value:  # the generator's own guard failed: never write it
            raise RuntimeError(f"{agreement.reference}: {value} consumed over a maximum of {agreement.maximum_value}")
        status = agreement.status
        if status == AgreementStatus.ACTIVE and value == agreement.maximum_value:
            status = AgreementStatus.EXHAUSTED
        elif status == AgreementStatus.EXHAUSTED and value < agreement.maximum_value:
            status = AgreementStatus.ACTIVE
        percent = value * 100 / agreement.maximum_value
        alerted = max((level for level in CONSUMPTION_ALERTS if percent >= level), default=None)
        if (value, status, alerted) != (
            agreement.consumed_value,
            agreement.status,
            agreement.consumption_alerted_percent,
        ):
            FrameworkAgreement.objects.filter(pk=agreement.pk).update(
                consumed_value=value,
                status=status,
                consumption_alerted_percent=alerted,
                **({"status_changed_at": timezone.now()} if status != agreement.status else {}),
            )
            changed += 1
    return changed


def rebuild_rollups(timings: dict[str, float], *, changed: bool) -> str:
    """The reporting rollups, rebuilt from the orders written here (the services keep them otherwise);
    after a run that wrote nothing, only if they are empty (data generated before they existed)."""
    if "rollups" not in get_commands():
        return "not rebuilt (no rollups command)"
    if not changed and SpendRollup.objects.exists():
        return "not rebuilt: nothing was written (manage.py rollups --check compares them with the orders)"
    started = time.perf_counter()
    call_command("rollups", "--rebuild")
    timings["rollups --rebuild"] = time.perf_counter() - started
    return "rebuilt"


# --- The script --------------------------------------------------------------------------------


def _analyse(timings: dict[str, float]) -> None:
    # Small tables never reach autovacuum's threshold (50 changed rows): without statistics the
    # planner takes 50 agreements for one and nests loops around the full-text scan. VACUUM too,
    # as autovacuum would soon after a load: until the visibility map is set, a count by index
    # still reads every row (a member's 2,500 orders: 3.8 ms instead of 0.25 ms).
    started = time.perf_counter()
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # not in a test
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
    timings["VACUUM ANALYZE (whole database)"] = time.perf_counter() - started


def generate(scale: str = "small", *, sizes: dict[str, int] | None = None, rollups: bool = True) -> dict:
    """Top the bench data up to ``scale`` (or to ``sizes``, for the tests); returns what was added."""
    sizes = sizes or SCALES[scale]
    if connection.vendor != "postgresql" and scale == "large":
        raise SystemExit("The large scale needs PostgreSQL (set DATABASE_URL); SQLite holds small and medium.")
    started = time.perf_counter()
    timings: dict[str, float] = {}
    body, bodies_created = central_purchasing_body()
    supplier_pool, suppliers_created = suppliers(sizes["agreements"] // 3 + 3)
    buyer, _officer = bench_people(body)
    agreement_list, agreements_created = agreements(sizes["agreements"], supplier_pool)
    timings["organisations and agreements"] = time.perf_counter() - started
    lines_created = catalog_lines(sizes["catalog_lines"], agreement_list, timings)
    step = time.perf_counter()
    member_list, members_added = members(sizes["members"])
    supplier_users, supplier_users_created = supplier_people(supplier_pool)
    subscription_total, subscriptions_created, named_created = subscriptions(member_list, agreement_list)
    timings["members and subscriptions"] = time.perf_counter() - step
    added = orders(sizes["order_lines"], member_list, agreement_list, supplier_users, buyer, timings)
    _analyse(timings)
    changed = any(n for key, n in added.items() if not key.startswith("status ") and key != "refused at the ceiling")
    rollup_state = rebuild_rollups(timings, changed=changed) if rollups else "not rebuilt (rollups=False)"

    member_ids = [member.organization.pk for member in member_list]
    bench_orders = Order.objects.filter(member_id__in=member_ids, agreement__in=agreement_list)
    total_lines = CatalogItem.objects.filter(agreement__in=agreement_list).count()
    total_orders = bench_orders.count()
    total_order_lines = OrderLine.objects.filter(order__in=bench_orders).count()
    kinds = Counter(member.spec.kind for member in member_list)
    agreements_now = FrameworkAgreement.objects.filter(pk__in=[a.pk for a in agreement_list])
    consumed = sum((a.consumed_value for a in agreements_now), Decimal("0.00"))
    maximum = sum((a.maximum_value for a in agreements_now), Decimal("0.00"))
    exhausted = sum(a.status == AgreementStatus.EXHAUSTED for a in agreements_now)
    full = sum(a.consumed_value * 100 >= a.maximum_value * 90 for a in agreements_now)
    print(
        f"Scale {scale if sizes is SCALES.get(scale) else sizes} on {connection.vendor} ({connection.settings_dict['NAME']}):"
    )
    print(f"  central purchasing body: {body.name} ({'created' if bodies_created else 'existing'})")
    print(f"  suppliers: {len(supplier_pool)} (+{suppliers_created}), their users +{supplier_users_created}")
    print(f"  framework agreements: {len(agreement_list)} (+{agreements_created})")
    print(f"  catalogue lines: {total_lines:,} (+{lines_created:,}, each with its first price)")
    print(
        f"  members: {len(member_list):,} (+{members_added['members']:,}; "
        + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        + f"), active memberships +{members_added['memberships']:,}, officers and approvers +{members_added['users']}"
    )
    print(
        f"  subscriptions: {subscription_total:,} (+{subscriptions_created:,}), named beneficiaries +{named_created:,}"
    )
    print(
        f"  orders: {total_orders:,} (+{added['orders']:,}), order lines: {total_order_lines:,} "
        f"(+{added['order lines']:,}), deliveries +{added['deliveries']:,} ({added['delivered lines']:,} lines), "
        f"approvals +{added['approvals']:,}, off-platform call-offs +{added['call-offs']}"
    )
    statuses = sorted(
        ((k[len("status ") :], n) for k, n in added.items() if k.startswith("status ")), key=lambda s: -s[1]
    )
    if statuses:
        print("  new orders by status: " + ", ".join(f"{status} {n:,}" for status, n in statuses))
        print(f"  refused at an agreement's ceiling: {added['refused at the ceiling']:,}")
    print(
        f"  consumption: {consumed:,} € of {maximum:,} € ({len(agreement_list)} agreements; "
        f"{full} at 90 % or more, {exhausted} exhausted; {added['agreements updated']} updated)"
    )
    print(f"  rollups: {rollup_state}")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.1f} s")
    print(f"Done in {time.perf_counter() - started:.1f} s.")
    return {
        "members": members_added["members"],
        "memberships": members_added["memberships"],
        "users": members_added["users"] + supplier_users_created,
        "subscriptions": subscriptions_created,
        "catalog_lines": lines_created,
        **{key.replace(" ", "_"): value for key, value in added.items() if not key.startswith("status ")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    generate(parser.parse_args().scale)


if __name__ == "__main__":
    main()
