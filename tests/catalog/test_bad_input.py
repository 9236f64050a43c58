"""Real-life mess in price lists: each gets a clear message, none leaves data behind, none is a 500."""

import io

import openpyxl
import pytest
from django.core.files.base import ContentFile

from catalog import services
from catalog.models import CatalogItem, ImportStatus, ItemPrice
from tests.api.conftest import client_for
from tests.catalog.conftest import HEADERS, csv_file, xlsx

pytestmark = pytest.mark.django_db

GOOD = ["P-001", "Ramette A4", "C62", "3,25", "21", "4,10", "30197630-1"]


def preview(buyer, agreement, file):
    return services.import_upload(actor=buyer, agreement=agreement, file=file)


def api_upload(buyer, agreement, file):
    return client_for(buyer).post(
        "/api/v1/catalog/imports/",
        {"agreement": agreement.pk, "file": file, "mode": "delta"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_title_rows_merged_cells_and_blank_lines_above_a_two_row_header(buyer, agreement):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Bureau Meuse SA — tarif 2026"
    sheet.merge_cells("A1:G1")
    # row 2 blank; row 3 a merged "Prix" over two columns; row 4 the header
    sheet["D3"] = "Prix"
    sheet.merge_cells("D3:E3")
    for column, header in enumerate(["Référence", "Désignation", "Unité", "unitaire HTVA", "catalogue", "Taux TVA"], 1):
        sheet.cell(row=4, column=column, value=header)
    sheet.append(["P-001", "Ramette A4", "C62", "3,25", "4,10", "21%"])
    sheet.append([])
    sheet.append(["P-002", "Classeur", "C62", 2.5, 3, 0.21])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(buyer, agreement, ContentFile(buffer.getvalue(), name="tarif.xlsx"))
    assert (result.rows_total, result.rows_ok, result.errors_count) == (2, 2, 0)
    services.import_apply(actor=buyer, price_import=result)
    prices = dict(CatalogItem.objects.values_list("supplier_reference", "list_price"))
    assert {key: str(value) for key, value in prices.items()} == {"P-001": "4.1000", "P-002": "3.0000"}


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        (["P-9", "X", "C62", "abc", "21", "", ""], "unit_price", "“abc” is not an amount."),
        (["P-9", "X", "C62", "-1,00", "21", "", ""], "unit_price", "A price cannot be negative."),
        (["P-9", "X", "C62", "1,23456", "21", "", ""], "unit_price", "A unit price has at most 4 decimals."),
        (
            ["P-9", "X", "C62", "1", "19%", "", ""],
            "vat_rate",
            "“19%” is not a Belgian VAT rate (21 %, 12 %, 6 %, 0 %).",
        ),
        (["P-9", "X", "C62", "1", "21", "", "99999999-9"], "cpv_code", "“99999999-9” is not a CPV code."),
        (
            ["P-9", "X", "boîte", "1", "21", "", ""],
            "unit",
            "“boîte” is not a known unit (use a code such as C62, HUR, MON).",
        ),
        (["", "X", "C62", "1", "21", "", ""], "supplier_reference", "The supplier reference is missing."),
    ],
)
def test_a_bad_value_names_its_row_column_and_reason(buyer, agreement, cells, column, reason):
    result = preview(buyer, agreement, xlsx([GOOD, cells]))
    assert result.errors == [{"row": 3, "column": column, "reason": reason}]
    assert result.rows_ok == 1


def test_duplicate_references_point_to_the_first_row(buyer, agreement):
    result = preview(buyer, agreement, xlsx([GOOD, GOOD]))
    assert result.errors == [{"row": 3, "column": "supplier_reference", "reason": "Duplicate of row 2."}]


def test_several_sheets_the_one_with_the_price_list_is_read(buyer, agreement):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Conditions"
    workbook.active["A1"] = "Conditions générales de vente"
    prices = workbook.create_sheet("Tarif")
    prices.append(HEADERS)
    prices.append(GOOD)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(buyer, agreement, ContentFile(buffer.getvalue(), name="tarif.xlsx"))
    assert (result.sheet, result.rows_ok) == ("Tarif", 1)


def test_references_and_cpv_codes_keep_their_leading_zeros(buyer, agreement):
    text = "Référence;Désignation;Prix unitaire HTVA;Taux TVA;Code CPV\n00123;Vis;0,05;21;09310000-5\n"
    services.import_apply(actor=buyer, price_import=preview(buyer, agreement, csv_file(text)))
    item = CatalogItem.objects.get()
    assert (item.supplier_reference, item.cpv_code_id) == ("00123", "09310000-5")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (ContentFile(b"", name="vide.xlsx"), "The submitted file is empty."),
        (
            ContentFile(b"%PDF-1.4 not a spreadsheet\x00\x01", name="tarif.pdf"),
            "The file is neither an XLSX spreadsheet nor a CSV text file.",
        ),
        (ContentFile(b"PK\x03\x04garbage", name="tarif.xlsx"), "The file is not a readable XLSX spreadsheet."),
        (
            ContentFile(b"just one line of text", name="tarif.csv"),
            "The file is neither an XLSX spreadsheet nor a CSV file with columns.",
        ),
        (csv_file("Nom;Prénom\nDupont;Jean\n"), "No header row"),
    ],
)
def test_unreadable_files_are_refused_with_a_message_and_write_no_line(buyer, agreement, file, message):
    response = api_upload(buyer, agreement, file)
    assert response.status_code in (201, 400), response.content
    body = response.json()
    text = str(body)
    assert message in text
    assert not CatalogItem.objects.exists()
    assert not ItemPrice.objects.exists()
    if response.status_code == 201:
        assert body["status"] == ImportStatus.FAILED
        apply = client_for(buyer).post(f"/api/v1/catalog/imports/{body['id']}/apply/", {}, format="json")
        assert apply.status_code == 409


def test_a_50_mb_file_is_refused_before_it_is_read(buyer, agreement, settings):
    big = ContentFile(b"x" * (50 * 1024 * 1024), name="tarif.csv")
    response = api_upload(buyer, agreement, big)
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is too large (50.0 MB; at most 20 MB)."]}
