"""Loading the reference tables (CPV codes, Walloon communes) from the shipped CSV files.

Used by the data migration that fills a new database and by ``manage.py
load_reference_data`` to update an existing one. Both take the model as an argument so
that the migration can pass its historical model. Loading is an upsert: running it twice
changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from procurement.core.facts import DATA_DIR

CPV_FILE = DATA_DIR / "cpv2008_fr_nl_de_en.csv"
CPV_SOCIAL_SERVICES_FILE = DATA_DIR / "cpv2008_social_services_subset.csv"
MUNICIPALITIES_FILE = DATA_DIR / "communes_wallonie_2025.csv"
BATCH_SIZE = 2000


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        yield from csv.DictReader(stream)


def cpv_level(code: str) -> int:
    """Number of significant digits of a CPV code (2 = division … 8)."""
    return max(2, len(code[:8].rstrip("0")))


def cpv_parent(code: str, known_digits: set[str]) -> str | None:
    """The nearest existing ancestor's 8 digits: ``30192100`` → ``30192000``."""
    digits = code[:8]
    for length in range(cpv_level(code) - 1, 1, -1):
        candidate = digits[:length].ljust(8, "0")
        if candidate in known_digits:
            return candidate
    return None


def load_cpv(model) -> int:
    """Upsert every CPV code with its labels, level, parent and regime; returns the count."""
    social = {row["code"] for row in _rows(CPV_SOCIAL_SERVICES_FILE)}
    rows = sorted(_rows(CPV_FILE), key=lambda row: row["code"])
    code_by_digits = {row["code"][:8]: row["code"] for row in rows}
    known = set(code_by_digits)
    objects = []
    for row in rows:
        parent_digits = cpv_parent(row["code"], known)
        objects.append(
            model(
                code=row["code"],
                level=cpv_level(row["code"]),
                parent_id=code_by_digits[parent_digits] if parent_digits else None,
                label_fr=row["fr"],
                label_nl=row["nl"],
                label_de=row["de"],
                label_en=row["en"],
                social_services=row["code"] in social,
            )
        )
    model.objects.bulk_create(
        objects,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["level", "parent", "label_fr", "label_nl", "label_de", "label_en", "social_services"],
    )
    return len(objects)


def load_municipalities(model) -> int:
    """Upsert the Walloon communes; returns the count."""
    objects = [
        model(
            nis_code=row["nis_code"],
            name_fr=row["name_fr"],
            name_nl=row["name_nl"],
            arrondissement=row["arrondissement_fr"],
            province=row["province_fr"],
            postcode=row["main_postcode"],
            population=int(row["population_2020"]),
        )
        for row in _rows(MUNICIPALITIES_FILE)
    ]
    model.objects.bulk_create(
        objects,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["nis_code"],
        update_fields=["name_fr", "name_nl", "arrondissement", "province", "postcode", "population"],
    )
    return len(objects)
