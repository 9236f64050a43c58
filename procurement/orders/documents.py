"""The purchase order as documents: PDF (WeasyPrint) and UBL 2.1 Order (Peppol BIS Order 3.0).

Both are drawn from one snapshot of the order: the lines as frozen at checkout, the VAT per rate
on the sum of the lines (EN 16931, ``money.vat_breakdown``) and the order's totals, which must
agree with it to the cent. The PDF is written in the platform's language (French), whoever
produces it, like the procedure's documents in ``tenders/documents.py``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree
from stdnum.be import vat as be_enterprise_number

from procurement.core.errors import DomainError
from procurement.core.money import AMOUNT_PLACES, UNIT_PRICE_PLACES, VatBreakdown, quantize, vat_breakdown
from procurement.members.models import Organization, OrganizationKind
from procurement.orders.models import Order, OrderLine

CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:order:3"
PROFILE_ID = "urn:fdc:peppol.eu:poacc:bis:order_only:3"
# Peppol's electronic address scheme (and ISO 6523 ICD) of the Belgian enterprise number.
ENTERPRISE_NUMBER_SCHEME = "0208"
# UNCL 7143 code Peppol uses for the Common Procurement Vocabulary.
CPV_LIST_ID = "STI"
# UNCL 1001: an order (227 would be a consignment order).
ORDER_TYPE_CODE = "220"
CURRENCY = "EUR"

ORDER_NS = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: ORDER_NS, "cac": CAC, "cbc": CBC}

# A Belgian postcode and its city at the end of a free-text address ("…, 5000 Namur").
POSTCODE_AND_CITY = re.compile(r"^(?P<postcode>\d{4})\s+(?P<city>\S.*)$")


class OrderDocumentUnavailable(DomainError):
    """The order cannot be written in this form (a Peppol party needs its electronic address)."""

    code = "order_document_unavailable"


@dataclass(frozen=True)
class OrderSnapshot:
    """What both documents say, read once."""

    order: Order
    lines: list[OrderLine]
    breakdown: VatBreakdown
    issue_date: datetime.date
    central_purchasing_body: Organization | None
    budget_article_per_line: bool

    @property
    def approved(self) -> bool:
        return self.order.approved_at is not None


def snapshot(order: Order) -> OrderSnapshot:
    lines = list(order.lines.order_by("position"))
    breakdown = vat_breakdown((line.amount_excl_vat, line.vat_rate) for line in lines)
    stored = (order.total_excl_vat, order.total_vat, order.total_incl_vat)
    computed = (breakdown.total.net, breakdown.total.vat, breakdown.total.gross)
    # A purchase order whose VAT lines do not add up to its totals must never reach a supplier.
    if stored != computed:
        raise ValueError(f"order {order.number}: its lines give {computed}, the order holds {stored}")
    # The order is dated by its approval, the decision that commits the member; a draft by its creation.
    issued_at = order.approved_at or order.created_at
    return OrderSnapshot(
        order=order,
        lines=lines,
        breakdown=breakdown,
        issue_date=timezone.localdate(issued_at),
        central_purchasing_body=Organization.objects.filter(kind=OrganizationKind.CENTRAL_PURCHASING_BODY).first(),
        budget_article_per_line=any(line.budget_article != order.budget_article for line in lines),
    )


# --- PDF ----------------------------------------------------------------------------------------


def order_pdf_html(order: Order) -> str:
    """Bon de commande: the parties, the agreement, the lines, the VAT per rate and the totals."""
    document = snapshot(order)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "orders/pdf/purchase_order.html",
            {
                "document": document,
                "order": order,
                "lines": document.lines,
                "breakdown": document.breakdown,
                "imio": document.central_purchasing_body,
                "generated_at": timezone.localtime(),
            },
        )


def order_pdf(order: Order) -> bytes:
    from weasyprint import HTML  # heavy import: only when producing a document

    return HTML(string=order_pdf_html(order), base_url=str(settings.BASE_DIR)).write_pdf()


# --- UBL (Peppol BIS Order 3.0) -----------------------------------------------------------------
# Elements are written in the sequence of the UBL 2.1 Order schema, and only those of the Peppol
# data model: the schema refuses another order, Peppol's rules refuse other elements and empty ones.


def order_ubl(order: Order) -> bytes:
    """The order as a Peppol BIS Order 3.0 document (order only), UTF-8 XML."""
    document = snapshot(order)
    order = document.order
    root = etree.Element(f"{{{ORDER_NS}}}Order", nsmap=NSMAP)
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", order.number)
    _cbc(root, "IssueDate", document.issue_date.isoformat())
    _cbc(root, "OrderTypeCode", ORDER_TYPE_CODE)
    _cbc(root, "Note", order.note)
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    _cbc(root, "AccountingCost", order.budget_article)
    _cac(root, "Contract", ("ID", order.agreement.reference))
    _party(
        _cac(root, "BuyerCustomerParty"),
        order.member,
        contact=(order.contact_name, order.contact_phone, order.contact_email),
    )
    supplier = order.supplier
    _party(_cac(root, "SellerSupplierParty"), supplier, contact=("", supplier.phone, supplier.email))
    _delivery(root, order)
    _amount(_cac(root, "TaxTotal"), "TaxAmount", order.total_vat)
    totals = _cac(root, "AnticipatedMonetaryTotal")
    _amount(totals, "LineExtensionAmount", order.total_excl_vat)
    _amount(totals, "TaxExclusiveAmount", order.total_excl_vat)
    _amount(totals, "TaxInclusiveAmount", order.total_incl_vat)
    _amount(totals, "PayableAmount", order.total_incl_vat)
    for line in document.lines:
        _order_line(root, line, with_budget_article=document.budget_article_per_line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _cbc(parent, name: str, value, **attributes) -> None:
    text = "" if value is None else str(value).strip()
    if text:
        etree.SubElement(parent, f"{{{CBC}}}{name}", attributes).text = text


def _cac(parent, name: str, *children: tuple[str, object]):
    element = etree.SubElement(parent, f"{{{CAC}}}{name}")
    for child, value in children:
        _cbc(element, child, value)
    return element


def _amount(parent, name: str, value: Decimal) -> None:
    _cbc(parent, name, _decimal_text(quantize(value, AMOUNT_PLACES)), currencyID=CURRENCY)


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _unit_price_text(value: Decimal) -> str:
    """Cents always, up to 4 decimals when the price has them: 24.99, 3.2549, 65.00."""
    exact = value.normalize()
    exponent = exact.as_tuple().exponent
    places = min(UNIT_PRICE_PLACES, max(AMOUNT_PLACES, -exponent if isinstance(exponent, int) else 0))
    return _decimal_text(quantize(value, places))


def _quantity_text(value: Decimal) -> str:
    return _decimal_text(value.normalize())


def enterprise_number(organization: Organization) -> str:
    """The compact ten digits Peppol addresses a Belgian organisation by (scheme 0208)."""
    if not organization.enterprise_number:
        raise OrderDocumentUnavailable(
            _("%(organization)s has no Belgian enterprise number: the order cannot be sent as a Peppol document.")
            % {"organization": organization.name}
        )
    return be_enterprise_number.compact(organization.enterprise_number)


def _party(parent, organization: Organization, *, contact: tuple[str, str, str]) -> None:
    number = enterprise_number(organization)
    party = _cac(parent, "Party")
    _cbc(party, "EndpointID", number, schemeID=ENTERPRISE_NUMBER_SCHEME)
    identification = _cac(party, "PartyIdentification")
    _cbc(identification, "ID", number, schemeID=ENTERPRISE_NUMBER_SCHEME)
    _cac(party, "PartyName", ("Name", organization.name))
    address = _cac(
        party,
        "PostalAddress",
        ("StreetName", organization.street),
        ("CityName", organization.city),
        ("PostalZone", organization.postcode),
    )
    _cac(address, "Country", ("IdentificationCode", organization.country or "BE"))
    legal_entity = _cac(party, "PartyLegalEntity", ("RegistrationName", organization.name))
    _cbc(legal_entity, "CompanyID", number, schemeID=ENTERPRISE_NUMBER_SCHEME)
    name, phone, email = (value.strip() for value in contact)
    if name or phone or email:
        _cac(party, "Contact", ("Name", name), ("Telephone", phone), ("ElectronicMail", email))


def _delivery(root, order: Order) -> None:
    delivery = _cac(root, "Delivery")
    lines = [" ".join(line.split()) for line in order.delivery_address.splitlines()]
    lines = [line for line in lines if line]
    last_part = lines[-1].rsplit(",", 1)[-1].strip() if lines else ""
    postcode_and_city = POSTCODE_AND_CITY.match(last_part)
    address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
    if postcode_and_city:
        _cbc(address, "CityName", postcode_and_city["city"])
        _cbc(address, "PostalZone", postcode_and_city["postcode"])
    for line in lines:
        _cac(address, "AddressLine", ("Line", line))
    _cac(address, "Country", ("IdentificationCode", order.member.country or "BE"))
    if order.requested_delivery_date:
        # One requested day: the period starts and ends on it.
        day = order.requested_delivery_date.isoformat()
        _cac(delivery, "RequestedDeliveryPeriod", ("StartDate", day), ("EndDate", day))


def _order_line(root, line: OrderLine, *, with_budget_article: bool) -> None:
    item_line = _cac(_cac(root, "OrderLine"), "LineItem")
    _cbc(item_line, "ID", line.position)
    _cbc(item_line, "Quantity", _quantity_text(line.quantity), unitCode=line.unit)
    _amount(item_line, "LineExtensionAmount", line.amount_excl_vat)
    if with_budget_article:
        _cbc(item_line, "AccountingCost", line.budget_article)
    price = _cac(item_line, "Price")
    _cbc(price, "PriceAmount", _unit_price_text(line.unit_price), currencyID=CURRENCY)
    item = _cac(item_line, "Item", ("Name", line.name))
    _cac(item, "SellersItemIdentification", ("ID", line.supplier_reference))
    if line.cpv_code:
        classification = _cac(item, "CommodityClassification")
        _cbc(classification, "ItemClassificationCode", line.cpv_code, listID=CPV_LIST_ID)
    tax_category = _cac(
        item,
        "ClassifiedTaxCategory",
        # UNCL 5305: S standard rate (21, 12 and 6 % alike), Z zero-rated.
        ("ID", "S" if line.vat_rate > 0 else "Z"),
        ("Percent", _decimal_text(line.vat_rate.normalize())),
    )
    _cac(tax_category, "TaxScheme", ("ID", "VAT"))
