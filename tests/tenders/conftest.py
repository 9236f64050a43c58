import pytest

from procurement.core.permissions import Role
from tests.factories import MembershipFactory, SupplierFactory, person


@pytest.fixture
def suppliers(db):
    """Three supplier companies with one user each."""
    companies = [SupplierFactory(name=name) for name in ("Bureau Plus SA", "Papeterie Wallonne SRL", "OfficeCo SA")]
    return [(company, person(company, Role.SUPPLIER, username=f"supplier-{i}")) for i, company in enumerate(companies)]


@pytest.fixture
def member_officer(commune):
    MembershipFactory(member=commune)
    return person(commune, Role.MEMBER_OFFICER, username="member-officer")
