"""Demonstration catalogues, on top of the tenders' demo (``manage.py seed_demo``).

The price lists of the demo's framework agreements come from the committed spreadsheet
``catalog/data/demo_catalogue.xlsx`` (one sheet per supplier's catalogue, written by
``catalog/data/make_demo_catalogue.py``) and are imported as a buyer imports them: upload and
dry run, then application, through the services. An indexation of +2.5 % is then scheduled on
the office supplies for the first day of next month, so that the price history shows a price
to come. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from catalog import services
from catalog.models import CatalogItem, ImportStatus, PriceRevision, PriceRevisionKind
from procurement.members.models import Organization, User
from tenders.models import FrameworkAgreement

WORKBOOK = Path(__file__).resolve().parent / "data" / "demo_catalogue.xlsx"
# (agreement, supplier, sheet of the workbook)
CATALOGUES = (
    ("IMIO-2026-003-L1", "Bureau Meuse SA", "Fournitures de bureau"),
    ("IMIO-2026-003-L2", "Informatique Wallonne SRL", "Informatique - Wallonne"),
    ("IMIO-2026-003-L2", "Bureau Meuse SA", "Informatique - Bureau Meuse"),
)
INDEXED_AGREEMENT = "IMIO-2026-003-L1"
INDEXATION = Decimal("2.5")
INDEXATION_REASON = (
    "Révision annuelle des prix prévue à l'article 14 du cahier spécial des charges "
    "(indice des prix à la consommation) : +2,5 %."
)


def sheet_file(sheet: str) -> ContentFile:
    """One sheet of the workbook as a file of its own (a price list is read from its first sheet)."""
    frame = pd.read_excel(WORKBOOK, sheet_name=sheet, dtype=str, engine="calamine")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
    return ContentFile(buffer.getvalue(), name=f"{slugify(sheet)}.xlsx")


def import_catalogue(*, buyer: User, agreement: FrameworkAgreement, supplier: Organization, sheet: str) -> int:
    """Import one supplier's catalogue unless it has lines already; the number of lines added."""
    if CatalogItem.objects.filter(agreement=agreement, supplier=supplier).exists():
        return 0
    price_import = services.import_upload(
        actor=buyer,
        agreement=agreement,
        supplier=supplier,
        file=sheet_file(sheet),
        reason=f"Catalogue initial de {supplier.name}",
    )
    if price_import.status != ImportStatus.PREVIEWED or price_import.errors_count:
        raise RuntimeError(f"The demo catalogue “{sheet}” does not import cleanly: {price_import.errors[:3]}")
    price_import = services.import_apply(actor=buyer, price_import=price_import)
    if price_import.status != ImportStatus.APPLIED:
        raise RuntimeError(f"The demo catalogue “{sheet}” was not applied: {price_import.status}")
    return price_import.to_add


def schedule_indexation(*, buyer: User, agreement: FrameworkAgreement) -> PriceRevision | None:
    """+2.5 % from the first day of next month, once."""
    if PriceRevision.objects.filter(agreement=agreement, kind=PriceRevisionKind.PERCENTAGE).exists():
        return None
    first_of_next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return services.revision_create(
        actor=buyer,
        agreement=agreement,
        kind=PriceRevisionKind.PERCENTAGE,
        effective_date=first_of_next_month,
        reason=INDEXATION_REASON,
        percentage=INDEXATION,
    )


def load_demo_catalogues() -> dict[str, int]:
    buyer = User.objects.filter(username="imio-buyer").first()
    agreements = FrameworkAgreement.objects.in_bulk(
        {reference for reference, _supplier, _sheet in CATALOGUES}, field_name="reference"
    )
    if buyer is None or not agreements:
        return {}
    created = {"catalogue lines": 0, "price-list imports": 0, "price revisions": 0}
    for reference, supplier_name, sheet in CATALOGUES:
        agreement = agreements.get(reference)
        if agreement is None:
            continue
        link = agreement.supplier_links.select_related("supplier").get(supplier__name=supplier_name, active=True)
        added = import_catalogue(buyer=buyer, agreement=agreement, supplier=link.supplier, sheet=sheet)
        created["catalogue lines"] += added
        created["price-list imports"] += 1 if added else 0
    if INDEXED_AGREEMENT in agreements and schedule_indexation(buyer=buyer, agreement=agreements[INDEXED_AGREEMENT]):
        created["price revisions"] += 1
    return created
