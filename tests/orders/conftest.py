import pytest

from procurement.core.permissions import Role
from tests.factories import MembershipFactory, SupplierFactory, person
from tests.factories.orders import catalogue_line, subscribe
from tests.factories.tenders import concluded_agreement


@pytest.fixture
def member(commune):
    MembershipFactory(member=commune)
    return commune


@pytest.fixture
def approver(member):
    return person(member, Role.MEMBER_APPROVER, username="commune-approver")


@pytest.fixture
def second_approver(member):
    return person(member, Role.MEMBER_APPROVER, username="commune-director")


@pytest.fixture
def company(db):
    return SupplierFactory(name="Bureau Meuse SA")


@pytest.fixture
def supplier_user(company):
    return person(company, Role.SUPPLIER, username="meuse")


@pytest.fixture
def agreement(company):
    return concluded_agreement(suppliers=[company], maximum="10000.00", estimated="8000.00")


@pytest.fixture
def items(agreement, company):
    """Three lines: paper at 21 % (4-decimal price), a book at 6 %, an hour of service at 21 %."""
    return {
        "paper": catalogue_line(
            agreement, company, "P-A4", "3.2549", name="Ramette papier A4 80 g", list_price="4.1000"
        ),
        "book": catalogue_line(agreement, company, "LIV-1", "24.9900", vat="6", name="Code des marchés publics"),
        "hour": catalogue_line(agreement, company, "H-INST", "65.0000", unit="HUR", name="Heure d'installation"),
    }


@pytest.fixture
def subscription(member, agreement):
    return subscribe(member, agreement, estimated="6000.00")
