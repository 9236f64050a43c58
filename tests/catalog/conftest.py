import io

import pandas as pd
import pytest
from django.core.files.base import ContentFile

from procurement.core.permissions import Role
from tests.factories import SupplierFactory, person
from tests.factories.tenders import concluded_agreement

HEADERS = ["Référence", "Désignation", "Unité", "Prix unitaire HTVA", "Taux TVA", "Prix catalogue", "Code CPV"]


def xlsx(rows, headers=HEADERS, *, sheet="Catalogue", before=()) -> ContentFile:
    """An XLSX file: optional lines above the header, the header, the rows."""
    buffer = io.BytesIO()
    frame = pd.DataFrame([*before, headers, *rows])
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, header=False, index=False)
    return ContentFile(buffer.getvalue(), name="tarif.xlsx")


def csv_file(text: str, *, encoding="utf-8", name="tarif.csv") -> ContentFile:
    return ContentFile(text.encode(encoding), name=name)


@pytest.fixture
def company(db):
    return SupplierFactory(name="Bureau Meuse SA")


@pytest.fixture
def supplier_user(company):
    return person(company, Role.SUPPLIER, username="meuse")


@pytest.fixture
def agreement(company):
    return concluded_agreement(suppliers=[company])


@pytest.fixture
def rival(db):
    company = SupplierFactory(name="Concurrent SA")
    return company, person(company, Role.SUPPLIER, username="rival")
