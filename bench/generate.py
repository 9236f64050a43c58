"""Data at scale for the benchmarks, tagged "BENCH-" and created idempotently.

    DATABASE_URL=postgres://… python bench/generate.py --scale small|medium|large

One function per kind of data; each tops up what exists to the scale and says what it added,
so running the same scale twice adds nothing and a larger scale extends a smaller one. This
issue needs the catalogue only: the central purchasing body, suppliers, concluded framework
agreements (written directly, as ``tests.factories.tenders.concluded_agreement`` does) and
catalogue lines with their first price. Members and orders will follow with their issues.

On PostgreSQL the lines and prices are loaded with ``COPY`` (the full-text indexes are
rebuilt after a big load) and the tables analysed; on SQLite only the small scale is
possible, with ``bulk_create``.
"""

from __future__ import annotations

import argparse
import datetime
import random
import string
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/

from django.db import connection, transaction
from django.utils import timezone

import bench  # noqa: F401 — sets Django up
from catalog import search
from catalog.models import CatalogItem, ItemPrice
from procurement.core.models import CpvCode
from procurement.core.permissions import Role
from procurement.members.demo import demo_enterprise_number
from procurement.members.models import Organization, OrganizationKind, User
from procurement.members.services import organizations, people
from tenders.models import AgreementSupplier, FrameworkAgreement, Lot, Tender

# "members" and "order_lines" are for the issues that add them (orders, reports).
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


# --- The script --------------------------------------------------------------------------------


def generate(scale: str) -> None:
    sizes = SCALES[scale]
    if connection.vendor != "postgresql" and scale != "small":
        raise SystemExit(f"The {scale} scale needs PostgreSQL (set DATABASE_URL); SQLite only holds the small one.")
    started = time.perf_counter()
    timings: dict[str, float] = {}
    body, bodies_created = central_purchasing_body()
    supplier_pool, suppliers_created = suppliers(sizes["agreements"] // 3 + 3)
    bench_people(body)
    agreement_list, agreements_created = agreements(sizes["agreements"], supplier_pool)
    timings["organisations and agreements"] = time.perf_counter() - started
    lines_created = catalog_lines(sizes["catalog_lines"], agreement_list, timings)
    if connection.vendor == "postgresql":
        # Small tables never reach autovacuum's threshold (50 changed rows): without statistics the
        # planner takes 50 agreements for one and nests loops around the full-text scan.
        analysed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timings["ANALYZE (whole database)"] = time.perf_counter() - analysed
    total = CatalogItem.objects.filter(agreement__in=agreement_list).count()
    print(f"Scale {scale} on {connection.vendor} ({connection.settings_dict['NAME']}):")
    print(f"  central purchasing body: {body.name} ({'created' if bodies_created else 'existing'})")
    print(f"  suppliers: {len(supplier_pool)} (+{suppliers_created})")
    print(f"  framework agreements: {len(agreement_list)} (+{agreements_created})")
    print(f"  catalogue lines: {total:,} (+{lines_created:,}, each with its first price)")
    for step, seconds in timings.items():
        print(f"  {step}: {seconds:.1f} s")
    print(f"Done in {time.perf_counter() - started:.1f} s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    generate(parser.parse_args().scale)


if __name__ == "__main__":
    main()
