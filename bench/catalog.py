"""Catalogue benchmarks on PostgreSQL: importing a 100,000-line price list, and searching.

    DATABASE_URL=postgres://… python bench/generate.py --scale medium
    DATABASE_URL=postgres://… python bench/catalog.py --scale medium [--part search|import] [--runs 30]

Prints one table — figure | this project | baseline (same run) | ratio | target — and, when
a target is missed (or with ``--explain``), the plans of the slowest search.

- Import: ``services.import_upload`` (dry run) then ``services.import_apply`` into a fresh
  agreement, inline, by an IMIO buyer; baseline: pandas/calamine reading the same file and a
  plain ``bulk_create`` of the same rows into another fresh agreement. Both are removed after.
- Search: fixed queries through ``selectors.search_items`` and the API's paginator (the count,
  capped at 1,000, and the first page of 20 in a search's order, newest first) as an IMIO
  buyer and as a member's purchasing officer; baseline: the same full-text match, first page
  and capped count in bare SQL, without tenancy.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/: this is not the app

import pandas as pd
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

import bench
from bench import generate
from catalog import search, selectors, services
from catalog.models import CatalogItem, ImportStatus, ItemPrice, PriceListImport, PriceRevision
from catalog.price_lists import normalise
from tenders.models import AgreementSupplier, FrameworkAgreement, Lot, Tender

IMPORT_ROWS = 100_000
IMPORT_RATIO_TARGET = 2.0
SEARCH_P95_TARGET_MS = 50.0
PAGE = 20
CAP = search.CatalogPaginator.cap
HEADERS = ["Référence", "Désignation", "Unité", "Prix unitaire HTVA", "Taux TVA", "Prix catalogue", "Code CPV"]


@dataclass(frozen=True)
class Query:
    key: str
    label: str
    text: str  # "" for (a): a reference of the data is chosen at run time
    cpv_prefix: str = ""


QUERIES = (
    Query("a", "supplier reference (exact)", ""),
    Query("b", "two specific words", "toner magenta"),
    Query("c", "one broad word", "papier"),
    Query("d", "CPV prefix 3019 + a word", "stylo", cpv_prefix="3019"),
)


@dataclass
class Figure:
    label: str
    project: str
    baseline: str = "—"
    ratio: float | None = None
    target: str = "—"
    met: bool | None = None


# --- Import ------------------------------------------------------------------------------------


def price_list_file(rows: int) -> Path:
    """A supplier's XLSX price list of ``rows`` lines, made once in bench/out/."""
    path = bench.OUT / f"price-list-{rows}.xlsx"
    if not path.exists():
        bench.OUT.mkdir(parents=True, exist_ok=True)
        rng = random.Random(rows)
        lines = (generate.catalogue_line(rng, 5_000_000 + number) for number in range(rows))
        frame = pd.DataFrame(
            [
                [
                    line["supplier_reference"],
                    line["name_fr"],
                    line["unit"],
                    str(line["unit_price"]),
                    f"{line['vat_rate']:.0f}",
                    "" if line["list_price"] is None else str(line["list_price"]),
                    line["cpv_code_id"],
                ]
                for line in lines
            ],
            columns=HEADERS,
        )
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="Tarif", index=False)
    return path


def fresh_agreement(label: str) -> FrameworkAgreement:
    supplier = generate.suppliers(1)[0][0]
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return generate.create_agreement(
        f"{generate.PREFIX}IMP-{stamp}-{label}", generate.THEMES[0], [supplier], start=timezone.localdate()
    )


def remove_agreement(agreement: FrameworkAgreement) -> None:
    """Everything the import benchmark wrote under ``agreement``."""
    with transaction.atomic(), connection.cursor() as cursor:
        items, prices = CatalogItem._meta.db_table, ItemPrice._meta.db_table
        cursor.execute(
            f"DELETE FROM {prices} WHERE item_id IN (SELECT id FROM {items} WHERE agreement_id = %s)",  # noqa: S608
            [agreement.pk],
        )
        cursor.execute(f"DELETE FROM {items} WHERE agreement_id = %s", [agreement.pk])  # noqa: S608
        PriceListImport.objects.filter(agreement=agreement).delete()
        PriceRevision.objects.filter(agreement=agreement).delete()
        AgreementSupplier.objects.filter(agreement=agreement).delete()
        FrameworkAgreement.objects.filter(pk=agreement.pk).delete()
        Lot.objects.filter(pk=agreement.lot_id).delete()
        Tender.objects.filter(pk=agreement.tender_id).delete()


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {CatalogItem._meta.db_table}, {ItemPrice._meta.db_table}")


def import_project(data: bytes, name: str, buyer) -> tuple[float, float, int]:
    agreement = fresh_agreement("P")
    try:
        started = time.perf_counter()
        price_import = services.import_upload(actor=buyer, agreement=agreement, file=ContentFile(data, name=name))
        dry_run = time.perf_counter() - started
        if price_import.status != ImportStatus.PREVIEWED or price_import.errors_count:
            raise SystemExit(f"The dry run did not pass: {price_import.status} {price_import.errors[:3]}")
        started = time.perf_counter()
        price_import = services.import_apply(actor=buyer, price_import=price_import)
        applied = time.perf_counter() - started
        if price_import.status != ImportStatus.APPLIED:
            raise SystemExit(f"The import was not applied inline: {price_import.status}")
        return dry_run, applied, CatalogItem.objects.filter(agreement=agreement).count()
    finally:
        remove_agreement(agreement)


def import_baseline(data: bytes) -> tuple[float, int]:
    agreement = fresh_agreement("B")
    supplier_id = agreement.supplier_links.get().supplier_id
    today = timezone.localdate()
    try:
        started = time.perf_counter()
        frame = pd.read_excel(io.BytesIO(data), engine="calamine", dtype=str)
        with transaction.atomic():
            CatalogItem.objects.bulk_create(
                [
                    CatalogItem(
                        agreement=agreement,
                        supplier_id=supplier_id,
                        supplier_reference=reference,
                        name_fr=name,
                        unit=unit,
                        unit_price=Decimal(price),
                        vat_rate=Decimal(vat),
                        list_price=Decimal(list_price) if isinstance(list_price, str) and list_price else None,
                        cpv_code_id=cpv,
                        price_effective_from=today,
                    )
                    for reference, name, unit, price, vat, list_price, cpv in frame.itertuples(index=False, name=None)
                ],
                batch_size=services.BATCH,
            )
        elapsed = time.perf_counter() - started
        return elapsed, CatalogItem.objects.filter(agreement=agreement).count()
    finally:
        remove_agreement(agreement)


def import_figures(rows: int, buyer) -> list[Figure]:
    path = price_list_file(rows)
    data = path.read_bytes()
    media = bench.OUT / "media"
    huge = 1 << 60
    with override_settings(
        CATALOG_BACKGROUND_BYTES=huge, CATALOG_BACKGROUND_ROWS=huge, CATALOG_IMPORT_MAX_BYTES=huge, MEDIA_ROOT=media
    ):
        dry_run, applied, project_lines = import_project(data, path.name, buyer)
    baseline, baseline_lines = import_baseline(data)
    shutil.rmtree(media, ignore_errors=True)
    vacuum()
    if project_lines != rows or baseline_lines != rows:
        raise SystemExit(f"Lines written: project {project_lines}, baseline {baseline_lines}; expected {rows}.")
    total = dry_run + applied
    ratio = total / baseline
    size = f"{len(data) / 1024 / 1024:.1f} MB"
    return [
        Figure(
            f"Import of a {rows:,}-line XLSX ({size}): dry run + apply, s",
            f"{total:.1f}",
            f"{baseline:.1f}",
            ratio,
            f"ratio ≤ {IMPORT_RATIO_TARGET:.1f}",
            ratio <= IMPORT_RATIO_TARGET,
        ),
        Figure("    of which dry run (import_upload), s", f"{dry_run:.1f}"),
        Figure("    of which apply (import_apply), s", f"{applied:.1f}"),
    ]


# --- Search ------------------------------------------------------------------------------------


def sample(run: Callable[[], object], runs: int, warmups: int) -> list[float]:
    for _ in range(warmups):
        run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p50_p95(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=100, method="inclusive")[94]


def project_page(user, query: Query) -> tuple[list[CatalogItem], int]:
    """What the paginated API runs: the capped count and the first page, newest first (a search's order)."""
    items = selectors.search_items(user, query.text, language="fr")
    if query.cpv_prefix:
        items = search.in_cpv(items, query.cpv_prefix)
    paginator = search.CatalogPaginator(items.order_by(*search.NEWEST_FIRST), PAGE)
    return list(paginator.page(1).object_list), paginator.count


def baseline_page(query: Query) -> tuple[list[tuple], int]:
    """The same match, first page and capped count in bare SQL: no ORM, no tenancy, no joins."""
    where = "search_vector @@ websearch_to_tsquery('french'::regconfig, %s)"
    params: list[str] = [normalise(query.text)]
    if query.cpv_prefix:
        where += " AND search_vector @@ %s::tsquery"
        params.append(f"cpv{query.cpv_prefix}")
    table = CatalogItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, supplier_reference, name_fr, unit_price FROM {table} WHERE {where} ORDER BY id DESC LIMIT {PAGE}",  # noqa: S608
            params,
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT {CAP + 1}) AS head", params)  # noqa: S608
        return rows, cursor.fetchone()[0]


def a_reference() -> str:
    """A reference in the middle of the data, on a line every member may see."""
    visible = CatalogItem.objects.filter(
        agreement__reference__regex=generate.AGREEMENT_REFERENCE,
        agreement__status="active",
        agreement__beneficiary_scope="all_members",
        active=True,
    ).order_by("pk")
    first, last = visible.first().pk, visible.last().pk
    return visible.filter(pk__gte=(first + last) // 2).values_list("supplier_reference", flat=True).first()


def search_figures(runs: int, warmups: int, users: dict[str, object]) -> tuple[list[Figure], dict, list[str]]:
    figures: list[Figure] = []
    slowest: tuple[float, object, Query] | None = None
    notes = []
    reference = a_reference()
    for query in QUERIES:
        query = query if query.text else Query(query.key, query.label, reference)
        baseline_rows, baseline_count = baseline_page(query)
        base50, base95 = p50_p95(sample(lambda query=query: baseline_page(query), runs, warmups))
        counts = []
        for role, user in users.items():
            _page, count = project_page(user, query)
            counts.append(f"{'more than ' if count >= CAP else ''}{count:,} for the {role}")
            p50, p95 = p50_p95(sample(lambda user=user, query=query: project_page(user, query), runs, warmups))
            figures.append(
                Figure(
                    f"Search ({query.key}) {query.label}, {role}: p50 / p95 ms",
                    f"{p50:.1f} / {p95:.1f}",
                    f"{base50:.1f} / {base95:.1f}",
                    p95 / base95,
                    f"p95 ≤ {SEARCH_P95_TARGET_MS:.0f} ms",
                    p95 <= SEARCH_P95_TARGET_MS,
                )
            )
            if slowest is None or p95 > slowest[0]:
                slowest = (p95, user, query)
        notes.append(
            f"({query.key}) “{query.text}”{' in CPV ' + query.cpv_prefix + '…' if query.cpv_prefix else ''}: "
            f"{', '.join(counts)}, {'more than ' + format(CAP, ',') if baseline_count > CAP else format(baseline_count, ',')} in bare SQL; first page {len(baseline_rows)} rows"
        )
    return figures, {"p95": slowest[0], "user": slowest[1], "query": slowest[2]}, notes


def explain(user, query: Query) -> str:
    with CaptureQueriesContext(connection) as captured:
        project_page(user, query)
    plans = []
    with connection.cursor() as cursor:
        for executed in captured.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {executed['sql']}")
            plans.append(executed["sql"] + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


# --- The script --------------------------------------------------------------------------------


def table(figures: list[Figure]) -> str:
    header = ("figure", "this project", "baseline (same run)", "ratio", "target")
    rows = [
        (
            figure.label,
            figure.project,
            figure.baseline,
            "—" if figure.ratio is None else f"{figure.ratio:.2f}",
            figure.target + ("" if figure.met is None else " ✓" if figure.met else " ✗"),
        )
        for figure in figures
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=generate.SCALES, default="medium")
    parser.add_argument("--part", choices=("all", "search", "import"), default="all")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest search anyway")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit(
            "The catalogue benchmarks measure PostgreSQL (full-text search with GIN indexes): "
            "set DATABASE_URL=postgres://… and run bench/generate.py first."
        )
    lines = CatalogItem.objects.filter(agreement__reference__regex=generate.AGREEMENT_REFERENCE).count()
    expected = generate.SCALES[options.scale]["catalog_lines"]
    if lines < expected:
        raise SystemExit(
            f"The database holds {lines:,} bench lines; the {options.scale} scale has {expected:,}: "
            f"run python bench/generate.py --scale {options.scale} first."
        )
    body, _created = generate.central_purchasing_body()
    buyer, officer = generate.bench_people(body)
    started = time.perf_counter()
    print(
        f"Catalogue benchmark, scale {options.scale}: {lines:,} catalogue lines in "
        f"{connection.settings_dict['NAME']}, {datetime.datetime.now():%Y-%m-%d %H:%M}; "  # noqa: DTZ005
        f"searches: {options.runs} runs after {options.warmups} warm-ups."
    )
    figures: list[Figure] = []
    slowest, notes = None, []
    if options.part in ("all", "search"):
        vacuum()  # dead rows of earlier runs (or of a rolled-back import) would be read by every search
        search, slowest, notes = search_figures(
            options.runs, options.warmups, {"IMIO buyer": buyer, "member officer": officer}
        )
        figures += search
    if options.part in ("all", "import"):
        figures = import_figures(options.import_rows, buyer) + figures
    print()
    print(table(figures))
    print()
    for note in notes:
        print(note)
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    missed = any(figure.met is False for figure in figures if figure.label.startswith("Search"))
    if slowest is not None and (missed or options.explain):
        print(f"\nPlans of the slowest search (p95 {slowest['p95']:.1f} ms), query ({slowest['query'].key}):\n")
        print(explain(slowest["user"], slowest["query"]))


if __name__ == "__main__":
    main()
