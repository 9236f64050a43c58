"""The purchase order as documents: the PDF the supplier reads, and the Peppol BIS Order 3.0 UBL."""

import datetime
import io
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.utils import timezone
from lxml import etree
from pypdf import PdfReader

from procurement.orders import documents, services
from tests.factories.orders import approved, catalogue_line, placed, sent

D = Decimal
UBL_SCHEMA = Path(__file__).resolve().parent.parent / "data" / "ubl" / "maindoc" / "UBL-Order-2.1.xsd"
NS = {
    "o": "urn:oasis:names:specification:ubl:schema:xsd:Order-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
REQUESTED = datetime.date(2099, 3, 16)


@cache
def order_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(UBL_SCHEMA)))


def pdf_text(content: bytes) -> str:
    """The PDF's words in reading order, spaces (no-break ones included) collapsed."""
    assert content.startswith(b"%PDF-")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def ubl(order) -> etree._Element:
    return etree.fromstring(documents.order_ubl(order))


def values(tree, path: str) -> list[str]:
    return [element.text for element in tree.xpath(path, namespaces=NS)]


@pytest.fixture
def addressed(member, company, imio):
    """The three parties with full addresses, as the demo data has them."""
    for organization, street, postcode in (
        (member, "Place de l'Ange 1", "5000"),
        (company, "Rue de Fer 12", "5000"),
        (imio, "Rue Léon Morel 1", "5032"),
    ):
        organization.street, organization.postcode = street, postcode
        organization.save(update_fields=["street", "postcode"])
    company.phone, company.email = "+32 81 22 33 44", "commandes@meuse.example"
    company.save(update_fields=["phone", "email"])
    return member, company, imio


@pytest.fixture
def worked_example(officer, approver, items, subscription, addressed):
    """Paper at a 4-decimal price and an hour at 21 %, a book at 6 %; approved.

    paper 7 × 3.2549 = 22.7843 → 22.78; hour 3 × 65.00 = 195.00; book 2 × 24.99 = 49.98.
    21 %: 217.78 → VAT 45.7338 → 45.73; 6 %: 49.98 → VAT 2.9988 → 3.00.
    Total 267.76 excl. VAT + 48.73 VAT = 316.49.
    """
    return approved(
        officer,
        approver,
        {items["paper"]: 7, items["hour"]: 3, items["book"]: 2},
        requested_delivery_date=REQUESTED,
        note="Livrer au service travaux, porte B.",
    )


# --- the worked example: both documents agree with the order to the cent ----------------------


def test_worked_example_totals_are_the_vat_per_rate_on_the_sum_of_the_lines(worked_example):
    order = worked_example

    assert (order.total_excl_vat, order.total_vat, order.total_incl_vat) == (D("267.76"), D("48.73"), D("316.49"))
    assert [(line.supplier_reference, line.amount_excl_vat) for line in order.lines.order_by("position")] == [
        ("P-A4", D("22.78")),
        ("H-INST", D("195.00")),
        ("LIV-1", D("49.98")),
    ]


def test_worked_example_pdf_shows_the_same_amounts_in_belgian_french(worked_example):
    text = pdf_text(documents.order_pdf(worked_example))

    assert "3,2549 € 21 % 22,78 €" in text
    assert "65,00 € 21 % 195,00 €" in text
    assert "24,99 € 6 % 49,98 €" in text
    assert "21 % 217,78 € 45,73 €" in text
    assert "6 % 49,98 € 3,00 €" in text
    assert "267,76 €" in text
    assert "48,73 €" in text
    assert "316,49 €" in text


def test_worked_example_ubl_shows_the_same_amounts(worked_example):
    tree = ubl(worked_example)

    assert values(tree, "//cac:LineItem/cbc:LineExtensionAmount") == ["22.78", "195.00", "49.98"]
    assert sum(D(amount) for amount in values(tree, "//cac:LineItem/cbc:LineExtensionAmount")) == D("267.76")
    assert values(tree, "//cac:LineItem/cac:Price/cbc:PriceAmount") == ["3.2549", "65.00", "24.99"]
    assert values(tree, "//cac:ClassifiedTaxCategory/cbc:Percent") == ["21", "21", "6"]
    assert values(tree, "/o:Order/cac:TaxTotal/cbc:TaxAmount") == ["48.73"]
    total = "/o:Order/cac:AnticipatedMonetaryTotal/cbc:"
    assert values(tree, total + "LineExtensionAmount") == ["267.76"]
    assert values(tree, total + "TaxExclusiveAmount") == ["267.76"]
    assert values(tree, total + "TaxInclusiveAmount") == ["316.49"]
    assert values(tree, total + "PayableAmount") == ["316.49"]
    assert set(tree.xpath("//@currencyID", namespaces=NS)) == {"EUR"}


# --- the PDF --------------------------------------------------------------------------------------


def test_pdf_names_the_parties_the_agreement_and_the_delivery(worked_example, addressed):
    member, company, imio = addressed
    order = worked_example
    text = pdf_text(documents.order_pdf(order))

    assert order.number in text
    for organization in (member, company, imio):
        # A long name may break at its hyphens across lines of its narrow column.
        assert organization.name.replace("-", "- ") in text.replace("- ", "-").replace("-", "- ")
        assert organization.enterprise_number_display in text
    assert "Place de l'Ange 1 5000" in text
    assert "Rue de Fer 12 5000 Namur" in text
    assert "Rue Léon Morel 1 5032" in text
    assert order.agreement.reference in text
    assert order.agreement.title in text
    assert f"{timezone.localdate(order.approved_at):%d/%m/%Y}" in text
    assert "104/742-53" in text
    assert "Hôtel de ville, Place de l'Ange 1, 5000 Namur" in text
    assert "Claire Dubois — claire.dubois@example.org — +32 81 24 60 00" in text
    assert "16/03/2099" in text
    assert "Livrer au service travaux, porte B." in text
    assert "Page 1 / 1" in text


def test_pdf_lists_each_line_with_its_reference_quantity_and_unit(worked_example):
    text = pdf_text(documents.order_pdf(worked_example))

    assert "P-A4 Ramette papier A4 80 g 7 pièce 3,2549 €" in text
    assert "H-INST Heure d'installation 3 heure 65,00 €" in text
    assert "LIV-1 Code des marchés publics 2 pièce 24,99 €" in text


def test_pdf_is_french_whatever_the_language_of_who_produces_it(worked_example):
    html = documents.order_pdf_html(worked_example)

    assert '<html lang="fr">' in html
    assert "centrale d’achat" in html
    assert "Prix unitaire HTVA" in html


def test_pdf_groups_thousands_and_keeps_four_decimals_only_where_the_price_has_them(
    officer, items, subscription, addressed
):
    order = placed(officer, {items["paper"]: 1500, items["hour"]: 2})  # 4,882.35 + 130.00
    text = pdf_text(documents.order_pdf(order))

    assert "1 500 pièce 3,2549 € 21 % 4 882,35 €" in text
    assert "2 heure 65,00 € 21 % 130,00 €" in text
    assert "21 % 5 012,35 € 1 052,59 €" in text
    assert "6 064,94 €" in text


def test_pdf_date_is_the_approval_and_a_draft_says_it_is_not_an_order_yet(
    officer, approver, items, subscription, addressed
):
    draft = placed(officer, {items["paper"]: 1})
    draft.created_at -= datetime.timedelta(days=10)
    draft.save(update_fields=["created_at"])
    draft_html = documents.order_pdf_html(draft)
    assert 'class="warning"' in draft_html
    assert f"{timezone.localdate(draft.created_at):%d/%m/%Y}" in draft_html

    services.order_submit(actor=officer, order=draft)
    order = services.order_approve(actor=approver, order=draft, decision_reference="Collège du 12/03")
    html = documents.order_pdf_html(order)
    assert 'class="warning"' not in html
    assert f"{timezone.localdate(order.approved_at):%d/%m/%Y}" in html
    assert f"{timezone.localdate(draft.created_at):%d/%m/%Y}" not in html
    assert values(ubl(order), "/o:Order/cbc:IssueDate") == [timezone.localdate(order.approved_at).isoformat()]


def test_pdf_shows_the_budget_article_per_line_when_lines_differ(officer, items, subscription, addressed):
    services.cart_add(actor=officer, item=items["book"], quantity=2, budget_article="767/123-01")
    order = placed(officer, {items["paper"]: 10})
    text = pdf_text(documents.order_pdf(order))

    assert "LIV-1 Code des marchés publics 2 pièce 24,99 € 6 % 49,98 € 767/123-01" in text
    assert "P-A4 Ramette papier A4 80 g 10 pièce 3,2549 € 21 % 32,55 € 104/742-53" in text


def test_pdf_for_the_supplier_is_stored_when_the_order_is_sent(officer, approver, items, subscription, addressed):
    order = sent(officer, approver, {items["paper"]: 7})
    order.refresh_from_db()

    with order.document.open("rb") as stored:
        text = pdf_text(stored.read())
    assert order.number in text
    assert "Page 1 / 1" in text


# --- the UBL (Peppol BIS Order 3.0) -----------------------------------------------------------------


def test_ubl_is_valid_against_the_ubl_2_1_order_schema(worked_example):
    schema = order_schema()
    tree = ubl(worked_example)

    assert schema.validate(tree), schema.error_log


def test_ubl_says_it_is_a_peppol_order_only_document(worked_example):
    order = worked_example
    tree = ubl(order)

    assert values(tree, "/o:Order/cbc:CustomizationID") == ["urn:fdc:peppol.eu:poacc:trns:order:3"]
    assert values(tree, "/o:Order/cbc:ProfileID") == ["urn:fdc:peppol.eu:poacc:bis:order_only:3"]
    assert values(tree, "/o:Order/cbc:ID") == [order.number]
    assert values(tree, "/o:Order/cbc:IssueDate") == [documents.snapshot(order).issue_date.isoformat()]
    assert values(tree, "/o:Order/cbc:DocumentCurrencyCode") == ["EUR"]
    assert values(tree, "/o:Order/cbc:AccountingCost") == ["104/742-53"]
    assert values(tree, "/o:Order/cbc:Note") == ["Livrer au service travaux, porte B."]
    assert values(tree, "/o:Order/cac:Contract/cbc:ID") == [order.agreement.reference]


def test_ubl_addresses_buyer_and_seller_by_enterprise_number(worked_example, addressed):
    member, company, _imio = addressed
    tree = ubl(worked_example)

    for party, organization in (("BuyerCustomerParty", member), ("SellerSupplierParty", company)):
        path = f"/o:Order/cac:{party}/cac:Party/"
        [endpoint] = tree.xpath(path + "cbc:EndpointID", namespaces=NS)
        assert (endpoint.get("schemeID"), endpoint.text) == ("0208", organization.enterprise_number)
        assert len(endpoint.text) == 10
        assert endpoint.text.isdigit()
        assert values(tree, path + "cac:PartyLegalEntity/cbc:RegistrationName") == [organization.name]
        assert values(tree, path + "cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0208']") == [
            organization.enterprise_number
        ]
        assert values(tree, path + "cac:PostalAddress/cbc:PostalZone") == ["5000"]
        assert values(tree, path + "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == ["BE"]
    buyer_contact = "/o:Order/cac:BuyerCustomerParty/cac:Party/cac:Contact/cbc:"
    assert values(tree, buyer_contact + "Name") == ["Claire Dubois"]
    assert values(tree, buyer_contact + "Telephone") == ["+32 81 24 60 00"]
    assert values(tree, buyer_contact + "ElectronicMail") == ["claire.dubois@example.org"]
    assert values(tree, "/o:Order/cac:SellerSupplierParty/cac:Party/cac:Contact/cbc:ElectronicMail") == [
        "commandes@meuse.example"
    ]


def test_ubl_delivery_has_the_address_and_the_requested_day(worked_example):
    tree = ubl(worked_example)
    address = "/o:Order/cac:Delivery/cac:DeliveryLocation/cac:Address/"

    assert values(tree, address + "cac:AddressLine/cbc:Line") == ["Hôtel de ville, Place de l'Ange 1, 5000 Namur"]
    assert values(tree, address + "cbc:PostalZone") == ["5000"]
    assert values(tree, address + "cbc:CityName") == ["Namur"]
    assert values(tree, address + "cac:Country/cbc:IdentificationCode") == ["BE"]
    assert values(tree, "/o:Order/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate") == ["2099-03-16"]
    assert values(tree, "/o:Order/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate") == ["2099-03-16"]


def test_ubl_lines_carry_unit_reference_cpv_and_vat_category(worked_example):
    tree = ubl(worked_example)

    assert len(tree.xpath("/o:Order/cac:OrderLine", namespaces=NS)) == 3
    assert values(tree, "//cac:LineItem/cbc:ID") == ["1", "2", "3"]
    assert [(q.get("unitCode"), q.text) for q in tree.xpath("//cac:LineItem/cbc:Quantity", namespaces=NS)] == [
        ("C62", "7"),
        ("HUR", "3"),
        ("C62", "2"),
    ]
    assert values(tree, "//cac:Item/cbc:Name") == [
        "Ramette papier A4 80 g",
        "Heure d'installation",
        "Code des marchés publics",
    ]
    assert values(tree, "//cac:Item/cac:SellersItemIdentification/cbc:ID") == ["P-A4", "H-INST", "LIV-1"]
    assert values(tree, "//cac:CommodityClassification/cbc:ItemClassificationCode[@listID='STI']") == ["30192000-1"] * 3
    assert values(tree, "//cac:ClassifiedTaxCategory/cbc:ID") == ["S", "S", "S"]
    assert values(tree, "//cac:ClassifiedTaxCategory/cac:TaxScheme/cbc:ID") == ["VAT"] * 3
    for price in values(tree, "//cac:Price/cbc:PriceAmount"):
        assert 2 <= len(price.partition(".")[2]) <= 4


def test_ubl_has_no_empty_element_as_peppol_requires(officer, items, subscription):
    order = placed(officer, {items["paper"]: 1}, contact_email="", contact_phone="")
    tree = ubl(order)

    assert order_schema().validate(tree), order_schema().error_log
    assert [element.tag for element in tree.iter() if len(element) == 0 and not (element.text or "").strip()] == []
    assert tree.xpath("//cac:RequestedDeliveryPeriod", namespaces=NS) == []
    assert values(tree, "/o:Order/cac:BuyerCustomerParty/cac:Party/cac:Contact/cbc:*") == ["Claire Dubois"]


def test_ubl_budget_article_per_line_only_when_lines_differ(officer, items, subscription):
    uniform = ubl(placed(officer, {items["paper"]: 1}))
    assert values(uniform, "//cac:LineItem/cbc:AccountingCost") == []

    services.cart_add(actor=officer, item=items["book"], quantity=2, budget_article="767/123-01")
    mixed = placed(officer, {items["paper"]: 10})
    tree = ubl(mixed)

    assert order_schema().validate(tree), order_schema().error_log
    assert values(tree, "/o:Order/cbc:AccountingCost") == ["104/742-53"]
    assert values(tree, "//cac:LineItem/cbc:AccountingCost") == ["767/123-01", "104/742-53"]


def test_ubl_is_refused_for_a_supplier_without_a_belgian_enterprise_number(officer, items, subscription, company):
    company.enterprise_number, company.foreign_vat_number = None, "FR40303265045"
    company.save(update_fields=["enterprise_number", "foreign_vat_number"])
    order = placed(officer, {items["paper"]: 1})

    with pytest.raises(documents.OrderDocumentUnavailable) as refused:
        documents.order_ubl(order)

    assert refused.value.code == "order_document_unavailable"
    assert "Bureau Meuse SA" in str(refused.value)
    assert "FR40303265045" in pdf_text(documents.order_pdf(order))


def test_documents_refuse_an_order_whose_totals_do_not_match_its_lines(officer, items, subscription):
    order = placed(officer, {items["paper"]: 1})
    order.total_vat += D("0.01")
    order.total_incl_vat += D("0.01")

    with pytest.raises(ValueError, match="its lines give"):
        documents.order_ubl(order)
    with pytest.raises(ValueError, match="its lines give"):
        documents.order_pdf_html(order)


def test_pdf_of_a_long_order_numbers_its_pages_and_repeats_the_table_header(
    officer, agreement, company, items, subscription
):
    extra = [catalogue_line(agreement, company, f"REF-{n:02d}", "1.5000") for n in range(60)]
    order = placed(officer, dict.fromkeys(extra, 1))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(documents.order_pdf(order))).pages]

    assert len(pages) >= 2
    assert [f"Page {number} / {len(pages)}" in text for number, text in enumerate(pages, start=1)] == [True] * len(
        pages
    )
    assert "Prix unitaire HTVA" in pages[1]
    assert all(f"REF-{n:02d}" in " ".join(pages) for n in range(60))
