"""Reports in every format, read back: XLSX (openpyxl), CSV (pandas and csv), PDF (pypdf), JSON; and the
same totals, to the cent, whichever way a result is read.

The world is the one of ``conftest.py``; its figures are computed by hand in ``test_figures.py``.
"""

import codecs
import csv
import datetime
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from reports import formats, services
from reports.base import DATES, Kind
from reports.registry import REPORTS
from tests.reports.conftest import CPAS_NAME, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
D = Decimal
BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class Case:
    identifier: str
    query: str  # ``{cpas}`` stands for the CPAS's id
    money: str  # a money column of the first table, with a total
    total: str  # its total, computed by hand in test_figures.py
    total_text: str  # that total as a reader sees it, with plain spaces
    date: str  # a date column of the first table
    first_date: datetime.date  # its value in the first row
    shown: str  # a filter, as the header of the PDF shows it
    title: str

    def __str__(self) -> str:
        return self.identifier


CASES = [
    Case(
        "spend",
        "date_from=2026-01-01&date_to=2026-04-30&group_by=member,agreement,month",
        money="net",
        total="1302.14",
        total_text="1 302,14 €",
        date="month",
        first_date=datetime.date(2026, 1, 1),
        shown="To: 30/04/2026",
        title="Spend",
    ),
    Case(
        "consumption",
        "member={cpas}",
        money="consumed",
        total="1602.14",  # A 1353.30 + B 248.84
        total_text="1 602,14 €",
        date="end_date",
        first_date=datetime.date(2029, 12, 31),
        shown=f"Member: {CPAS_NAME}",
        title="Agreement consumption",
    ),
    Case(
        "savings",
        "date_from=2026-01-01&date_to=2026-04-30",
        money="savings",
        total="382.51",
        total_text="382,51 €",
        date="year",
        first_date=datetime.date(2026, 1, 1),
        shown="Group by: Member, Framework agreement, Year",
        title="Savings",
    ),
    Case(
        "register",
        "date_from=2026-01-01&date_to=2026-04-30&status=approved,closed",
        money="net",
        total="1659.17",  # as ordered
        total_text="1 659,17 €",
        date="approved_on",
        first_date=datetime.date(2026, 1, 12),
        shown="Order status: approved, closed",
        title="Order register",
    ),
]
BY_NAME = {case.identifier: case for case in CASES}
every_report = pytest.mark.parametrize("case", CASES, ids=str)


def result_of(world, case: Case):
    """A fresh result: the register's rows are read once, as a stream."""
    return run(case.identifier, world.people.central, case.query.format(cpas=world.cpas.pk))


def rendered(world, case: Case, fmt: str, dialect: str = "be") -> bytes:
    return services.render(REPORTS[case.identifier], result_of(world, case), fmt, dialect=dialect)


def first_table(world, case: Case):
    """The first table's columns, and its JSON (rows and totals)."""
    result = result_of(world, case)
    table = result.tables[0]
    return table.columns, formats.to_json(result, {})["tables"][0]


def label_of(columns, key: str) -> str:
    return next(column.label for column in columns if column.key == key)


def pdf_text(content: bytes) -> tuple[str, int]:
    """The PDF's text with its spaces made plain (U+00A0, U+202F) and collapsed; and its number of pages."""
    assert content.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(content)).pages
    text = " ".join(page.extract_text() for page in pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split()), len(pages)


def cents(value) -> Decimal:
    """A number read back from a spreadsheet (float or int) to the cent, without binary noise."""
    return D(repr(value)).quantize(D("0.01"))


# --- XLSX ------------------------------------------------------------------------------------


@every_report
def test_xlsx_is_typed_frozen_and_totalled(world, case):
    columns, table = first_table(world, case)

    workbook = openpyxl.load_workbook(io.BytesIO(rendered(world, case, "xlsx")))

    sheet = workbook.worksheets[0]
    header, *body, totals = list(sheet.iter_rows())
    assert [cell.value for cell in header] == [column.label for column in columns]
    assert all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2"
    assert len(body) == len(table["rows"]) > 1
    for index, column in enumerate(columns):
        cells = [row[index] for row in body]
        dimension = sheet.column_dimensions[get_column_letter(index + 1)]
        assert dimension.customWidth, column.label
        assert dimension.width >= len(column.label) + 2, column.label
        if column.kind == Kind.MONEY:
            assert all(cell.data_type == "n" and "€" in cell.number_format for cell in cells), column.label
            assert [cents(cell.value) for cell in cells] == [D(row[column.key]) for row in table["rows"]]
        if column.kind in DATES:
            assert all(cell.is_date and isinstance(cell.value, datetime.datetime) for cell in cells if cell.value)
    assert body[0][[c.key for c in columns].index(case.date)].value == datetime.datetime.combine(
        case.first_date, datetime.time()
    )
    # the totals row: bold, equal to the JSON totals to the cent
    assert all(cell.font.b for cell in totals)
    for index, column in enumerate(columns):
        if column.kind == Kind.MONEY and table["totals"].get(column.key) is not None:
            assert totals[index].data_type == "n"
            assert "€" in totals[index].number_format
            assert cents(totals[index].value) == D(table["totals"][column.key]), column.label
    assert cents(totals[[c.key for c in columns].index(case.money)].value) == D(case.total)


def test_xlsx_has_one_sheet_per_table(world):
    workbook = openpyxl.load_workbook(io.BytesIO(rendered(world, BY_NAME["spend"], "xlsx")))

    assert workbook.sheetnames == ["Spend", "Excl. VAT per period"]
    pivot = workbook["Excl. VAT per period"]
    # Jan 472.78, Feb 580.52, Mar 148.97, Apr 99.87, total 1302.14
    assert [cell.value for cell in next(pivot.iter_rows(min_row=1, max_row=1))][-5:] == [
        "January 2026",
        "February 2026",
        "March 2026",
        "April 2026",
        "Total",
    ]
    *_rows, totals = pivot.iter_rows()
    assert [cents(cell.value) for cell in totals[-5:]] == [
        D("472.78"),
        D("580.52"),
        D("148.97"),
        D("99.87"),
        D("1302.14"),
    ]


# --- CSV -------------------------------------------------------------------------------------


@every_report
def test_belgian_csv(world, case):
    columns, table = first_table(world, case)

    data = rendered(world, case, "csv")

    assert data.startswith(BOM)
    assert data[len(BOM) :].decode("utf-8").split("\r\n", 1)[0] == ";".join(column.label for column in columns)
    frame = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == [column.label for column in columns]
    assert len(frame) == len(table["rows"])  # no totals row: a spreadsheet's sum must not count it twice
    for column in columns:
        values = list(frame[column.label])
        if column.kind == Kind.MONEY:
            assert all(re.fullmatch(r"-?\d+,\d\d", value) for value in values), values
        if column.kind in DATES:
            assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", value) for value in values if value), values
    money = [D(value.replace(",", ".")) for value in frame[label_of(columns, case.money)]]
    assert sum(money) == D(table["totals"][case.money]) == D(case.total)
    assert frame[label_of(columns, case.date)][0] == case.first_date.strftime("%d/%m/%Y")


@every_report
def test_rfc4180_csv(world, case):
    columns, table = first_table(world, case)

    data = rendered(world, case, "csv", dialect="rfc4180")

    assert not data.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert header == [column.label for column in columns]
    assert len(rows) == len(table["rows"])
    for index, column in enumerate(columns):
        values = [row[index] for row in rows]
        if column.kind == Kind.MONEY:
            assert all(re.fullmatch(r"-?\d+\.\d\d", value) for value in values), values
        if column.kind in DATES:
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", value) for value in values if value), values
    keys = [column.key for column in columns]
    assert sum(D(row[keys.index(case.money)]) for row in rows) == D(case.total)
    assert rows[0][keys.index(case.date)] == case.first_date.isoformat()


@pytest.mark.parametrize("dialect", ["rfc4180", "be"])
@pytest.mark.parametrize("case", [BY_NAME["spend"], BY_NAME["register"]], ids=str)
def test_csv_quotes_a_name_holding_a_comma_and_quotes(world, case, dialect):
    columns = result_of(world, case).tables[0].columns

    text = rendered(world, case, "csv", dialect=dialect).decode("utf-8-sig")

    # quoted (a comma, quotes), the quotes inside doubled
    assert '"CPAS de Namur, ""Les Tilleuls"""' in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="," if dialect == "rfc4180" else ";"))
    member = [column.key for column in columns].index("member")
    assert {row[member] for row in rows[1:]} == {CPAS_NAME, world.commune.name}
    assert all(len(row) == len(columns) for row in rows)


# --- PDF -------------------------------------------------------------------------------------


@every_report
def test_pdf(world, case):
    text, pages = pdf_text(rendered(world, case, "pdf"))

    assert text.startswith(f"{case.title} ")
    assert "IMIO — central purchasing body" in text
    assert case.shown in text
    assert case.total_text in text
    assert [f"Page {page} / {pages}" in text for page in range(1, pages + 1)] == [True] * pages


def test_annual_pdf_has_several_numbered_pages(world):
    result = run("annual", world.people.central, "year=2026")

    text, pages = pdf_text(services.render(REPORTS["annual"], result, "pdf"))

    assert pages >= 3
    assert text.startswith("Annual activity report 2026 ")
    assert "Year: 2026" in text
    assert "1 302,14 €" in text  # spend excl. VAT of the year
    assert [f"Page {page} / {pages}" in text for page in range(1, pages + 1)] == [True] * pages


def test_an_empty_register_pdf_says_there_is_nothing_to_show(world):
    result = run("register", world.people.central, "date_from=2025-01-01&date_to=2025-03-31")

    text, _pages = pdf_text(services.render(REPORTS["register"], result, "pdf"))

    assert "Nothing to show for these filters." in text


# --- JSON ------------------------------------------------------------------------------------

PATTERNS = {
    "money": r"-?\d+\.\d{2}",
    "price": r"\d+\.\d{4}",
    "quantity": r"\d+\.\d{3}",
    "percent": r"-?\d+\.\d",
    "rate": r"\d+\.\d{2}",
    "date": r"\d{4}-\d{2}-\d{2}",
    "month": r"\d{4}-\d{2}-01",
    "quarter": r"\d{4}-(01|04|07|10)-01",
    "year": r"\d{4}-01-01",
}


@every_report
def test_json_types(world, case):
    data = formats.to_json(result_of(world, case), {})

    assert json.loads(json.dumps(data)) == data  # plain JSON: no Decimal, no date
    checked = set()
    for table in data["tables"]:
        kinds = {column["key"]: column["kind"] for column in table["columns"]}
        for row in table["rows"]:
            for key, value in row.items():
                if value is None:
                    continue
                if kinds[key] == "integer":
                    assert type(value) is int, (key, value)
                elif kinds[key] in PATTERNS:
                    assert isinstance(value, str), (key, value)
                    assert re.fullmatch(PATTERNS[kinds[key]], value), (key, value)
                checked.add(kinds[key])
    for figure in data["figures"]:
        if figure["kind"] == "integer":
            assert type(figure["value"]) is int, figure
        else:
            assert re.fullmatch(PATTERNS[figure["kind"]], figure["value"]), figure
        checked.add(figure["kind"])
    assert {"money", "integer"} <= checked
    assert checked & {"date", "month", "year"}
    assert data["tables"][0]["totals"][case.money] == case.total
    assert data["tables"][0]["rows"][0][case.date] == case.first_date.isoformat()


def test_json_of_the_register_rows(world):
    data = formats.to_json(result_of(world, BY_NAME["register"]), {})

    first = data["tables"][0]["rows"][0]  # o1, 10 000 pages at 0.0450
    assert {key: first[key] for key in ("position", "quantity", "unit_price", "vat_rate", "net", "vat", "gross")} == {
        "position": 1,
        "quantity": "10000.000",
        "unit_price": "0.0450",
        "vat_rate": "21.00",
        "net": "450.00",
        "vat": "94.50",
        "gross": "544.50",
    }
    assert (first["approved_on"], first["sent_on"]) == ("2026-01-12", None)


# --- Totals across formats -------------------------------------------------------------------


@every_report
def test_totals_agree_to_the_cent_across_formats(world, case):
    _columns, table = first_table(world, case)
    in_json = D(table["totals"][case.money])

    belgian = pd.read_csv(
        io.BytesIO(rendered(world, case, "csv")), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    in_csv = sum(D(value.replace(",", ".")) for value in belgian[label_of(_columns, case.money)])
    machine = pd.read_csv(io.BytesIO(rendered(world, case, "csv", dialect="rfc4180")), dtype=str)
    in_rfc = sum(D(value) for value in machine[label_of(_columns, case.money)])
    sheet = openpyxl.load_workbook(io.BytesIO(rendered(world, case, "xlsx"))).worksheets[0]
    *_rows, totals = sheet.iter_rows()
    in_xlsx = cents(totals[[c.key for c in _columns].index(case.money)].value)
    in_pdf, _pages = pdf_text(rendered(world, case, "pdf"))

    assert in_json == in_csv == in_rfc == in_xlsx == D(case.total)
    assert case.total_text in in_pdf
