"""A report's result in each format: JSON, CSV (Belgian and RFC 4180), XLSX, PDF, and text for pages.

Formats lay out what :class:`reports.base.Result` holds; none computes a figure, so a total
reads the same to the cent in every format.
"""

from __future__ import annotations

import csv
import datetime
import gc
import io
from decimal import Decimal
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.base import DATES, Column, Kind, Result, Table
from reports.charts import format_amount, format_percent

NBSP = "\u00a0"
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
EXTENSIONS = {"json": "json", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}
PLACES = {Kind.MONEY: 2, Kind.PRICE: 4, Kind.QUANTITY: 3, Kind.PERCENT: 1, Kind.RATE: 2}


# --- Text, as people read it (pages and PDF) ---------------------------------------------------


def _grouped(value: Decimal, places: int, *, trim: bool = False) -> str:
    text = f"{value:,.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", NBSP).replace(".", ",")


def display(value, kind: Kind) -> str:
    """A value as a French-speaking reader expects it: « 1 234,50 € », « 83,4 % », « 03/2026 »."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):  # a label in a totals row
        return value
    if kind == Kind.MONEY:
        return format_amount(value)
    if kind == Kind.PERCENT:
        return format_percent(value)
    if kind == Kind.PRICE:
        places = 4 if Decimal(value) != Decimal(value).quantize(Decimal("0.01")) else 2
        return f"{_grouped(Decimal(value), places)}{NBSP}€"
    if kind == Kind.RATE:
        return f"{_grouped(Decimal(value), 2, trim=True)}{NBSP}%"
    if kind == Kind.QUANTITY:
        return _grouped(Decimal(value), 3, trim=True)
    if kind == Kind.INTEGER:
        return _grouped(Decimal(value), 0)
    if kind == Kind.DATE:
        return value.strftime("%d/%m/%Y")
    if kind == Kind.MONTH:
        return date_format(value, "F Y")
    if kind == Kind.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"quarter": (value.month - 1) // 3 + 1, "year": value.year}
    if kind == Kind.YEAR:
        return str(value.year)
    return str(value)


# --- JSON --------------------------------------------------------------------------------------


def json_value(value, kind: Kind):
    """Amounts as decimal strings with their places ("1234.50"), dates ISO 8601, counts as numbers."""
    if value is None or isinstance(value, str):
        return value
    if kind in PLACES:
        return f"{Decimal(value):.{PLACES[kind]}f}"
    if kind == Kind.INTEGER:
        return int(value)
    if kind in DATES:
        return value.isoformat()
    return value


def _json_row(columns: list[Column], row: dict) -> dict:
    return {column.key: json_value(row.get(column.key), column.kind) for column in columns}


def to_json(result: Result, parameters: dict) -> dict:
    return {
        "report": result.identifier,
        "title": result.title,
        "subtitle": result.subtitle,
        "parameters": parameters,
        "generated_at": result.generated_at.isoformat(),
        "figures": [
            {"label": figure.label, "value": json_value(figure.value, figure.kind), "kind": figure.kind.value}
            for figure in result.figures
        ],
        "tables": [
            {
                "key": table.key,
                "title": table.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value} for c in table.columns],
                "rows": [_json_row(table.columns, row) for row in table.rows],
                "totals": _json_row(table.columns, table.totals) if table.totals is not None else None,
                "note": table.note,
            }
            for table in result.tables
        ],
        "notes": result.notes,
    }


# --- CSV ---------------------------------------------------------------------------------------

DIALECTS = ("be", "rfc4180")


def csv_value(value, kind: Kind, dialect: str) -> str:
    """Belgian spreadsheets: decimal comma, dates dd/mm/yyyy; RFC 4180 for machines: point, ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind in PLACES:
        text = f"{Decimal(value):.{PLACES[kind]}f}"
        return text.replace(".", ",") if dialect == "be" else text
    if kind in DATES:
        return value.strftime("%d/%m/%Y") if dialect == "be" else value.isoformat()
    return str(value)


def write_csv(table: Table, out: BinaryIO, *, dialect: str = "be") -> int:
    """The table's rows (no totals row: a sum in a spreadsheet must not count it twice); rows written."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if dialect == "be" else "utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";" if dialect == "be" else ",", lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    count = 0
    for row in table.rows:
        writer.writerow([csv_value(row.get(column.key), column.kind, dialect) for column in table.columns])
        count += 1
    text.flush()
    text.detach()
    return count


def to_csv(result: Result, *, table: str | None = None, dialect: str = "be") -> bytes:
    out = io.BytesIO()
    write_csv(result.table(table) if table else result.tables[0], out, dialect=dialect)
    return out.getvalue()


# --- XLSX --------------------------------------------------------------------------------------

XLSX_FORMATS = {
    Kind.MONEY: '#,##0.00\\ "€"',
    Kind.PRICE: '#,##0.00##\\ "€"',
    Kind.QUANTITY: "#,##0.###",
    Kind.PERCENT: '0.0\\ "%"',
    Kind.RATE: '0.##\\ "%"',
    Kind.INTEGER: "#,##0",
    Kind.DATE: "dd/mm/yyyy",
    Kind.MONTH: "mmm yyyy",
    Kind.QUARTER: "dd/mm/yyyy",
    Kind.YEAR: "yyyy",
}
SHEET_TITLE_LENGTH = 31


def _width(column: Column) -> int:
    typical = {Kind.MONEY: 16, Kind.PRICE: 13, Kind.DATE: 11, Kind.MONTH: 10, Kind.YEAR: 7, Kind.PERCENT: 9}
    return max(len(column.label) + 2, typical.get(column.kind, 12))


def write_xlsx(result: Result, out: BinaryIO, *, progress=None) -> None:
    """One sheet per table: typed cells (numbers with the euro format, dates), a frozen header,
    a bold totals row, column widths. Written in openpyxl's streaming mode (constant memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE6F0")
    for table in result.tables:
        sheet = workbook.create_sheet(title=_sheet_title(table.title, workbook))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _width(column)
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.label)
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        sheet.append(header)
        formats = [XLSX_FORMATS.get(column.kind) for column in table.columns]
        for count, row in enumerate(table.rows, start=1):
            cells = []
            for column, number_format in zip(table.columns, formats, strict=True):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(row.get(column.key), column.kind))
                if number_format:
                    cell.number_format = number_format
                cells.append(cell)
            sheet.append(cells)
            if progress and count % 5000 == 0:
                progress(count)
        if table.totals is not None:
            cells = []
            for column, number_format in zip(table.columns, formats, strict=True):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(table.totals.get(column.key), column.kind))
                cell.font = bold
                if number_format and column.numeric:
                    cell.number_format = number_format
                cells.append(cell)
            sheet.append(cells)
    workbook.save(out)


def _xlsx_value(value, kind: Kind):
    if value is None or value == "":
        return None
    if kind in DATES and isinstance(value, datetime.date):
        return value
    if kind in PLACES or kind == Kind.INTEGER:
        return Decimal(value)
    return str(value)


def _sheet_title(title: str, workbook) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:SHEET_TITLE_LENGTH].strip() or "Sheet"
    taken = set(workbook.sheetnames)
    candidate, number = cleaned, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate = cleaned[: SHEET_TITLE_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def to_xlsx(result: Result) -> bytes:
    out = io.BytesIO()
    write_xlsx(result, out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def pdf_html(result: Result, template: str) -> str:
    return render_to_string(template, {"result": result})


def to_pdf(result: Result, template: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when producing a document

    html = pdf_html(result, template)
    # WeasyPrint allocates millions of short-lived objects; in a Django process the garbage
    # collector would walk the hundreds of thousands of long-lived ones (models, templates,
    # translations) at each of its passes, about a quarter of the rendering time. Frozen, they
    # are left out of those passes while the document is rendered; the document's own garbage
    # is collected before they are unfrozen, so that the next document does not freeze it.
    gc.freeze()
    try:
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    finally:
        gc.collect()  # the document's own garbage, while the rest is still left out
        gc.unfreeze()
