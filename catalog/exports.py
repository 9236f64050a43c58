"""A catalogue as a file in the import format: what is exported imports back unchanged."""

from __future__ import annotations

import io

import pandas as pd
from django.db.models import QuerySet

from catalog.models import CatalogItem

COLUMNS = [
    ("supplier_reference", "Référence"),
    ("name_fr", "Désignation"),
    ("name_nl", "Désignation NL"),
    ("name_de", "Désignation DE"),
    ("name_en", "Désignation EN"),
    ("description_fr", "Description"),
    ("unit", "Unité"),
    ("unit_price", "Prix unitaire HTVA"),
    ("vat_rate", "Taux TVA"),
    ("list_price", "Prix catalogue"),
    ("cpv_code_id", "Code CPV"),
    ("min_quantity", "Quantité minimale"),
    ("lead_time_days", "Délai de livraison (jours)"),
    ("active", "Actif"),
]


def _frame(items: QuerySet[CatalogItem]) -> pd.DataFrame:
    rows = items.order_by("supplier_reference").values_list(*(name for name, _header in COLUMNS))
    frame = pd.DataFrame.from_records(list(rows), columns=[header for _name, header in COLUMNS])
    for header in ("Prix unitaire HTVA", "Prix catalogue", "Quantité minimale", "Taux TVA"):
        frame[header] = frame[header].map(lambda value: "" if value is None else f"{value.normalize():f}")
    frame["Délai de livraison (jours)"] = frame["Délai de livraison (jours)"].map(
        lambda value: "" if value is None or pd.isna(value) else str(int(value))
    )
    frame["Actif"] = frame["Actif"].map({True: "oui", False: "non"})
    return frame.fillna("")


def to_csv(items: QuerySet[CatalogItem]) -> bytes:
    """UTF-8 with BOM and ``;`` separators, as Belgian spreadsheet users open it."""
    return _frame(items).to_csv(sep=";", index=False).encode("utf-8-sig")


def to_xlsx(items: QuerySet[CatalogItem]) -> bytes:
    buffer = io.BytesIO()
    frame = _frame(items)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Catalogue", index=False)
        sheet = writer.sheets["Catalogue"]
        sheet.freeze_panes = "A2"
        for column, header in zip(sheet.columns, frame.columns, strict=True):
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(12, len(header) + 2))
    return buffer.getvalue()
