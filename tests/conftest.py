import pytest

from procurement.core.permissions import Role
from procurement.members.models import OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, central_purchasing_body, person


@pytest.fixture
def imio(db):
    return central_purchasing_body()


@pytest.fixture
def commune(db):
    return OrganizationFactory(kind=OrganizationKind.COMMUNE)


@pytest.fixture
def other_commune(db):
    return OrganizationFactory(kind=OrganizationKind.COMMUNE)


@pytest.fixture
def supplier_org(db):
    return SupplierFactory()


@pytest.fixture
def imio_admin(imio):
    return person(imio, Role.ADMIN, username="imio-admin")


@pytest.fixture
def buyer(imio):
    return person(imio, Role.BUYER, username="imio-buyer")


@pytest.fixture
def officer(commune):
    return person(commune, Role.MEMBER_OFFICER, username="commune-officer")


@pytest.fixture
def member_admin(commune):
    return person(commune, Role.MEMBER_ADMIN, username="commune-admin")


@pytest.fixture
def other_officer(other_commune):
    return person(other_commune, Role.MEMBER_OFFICER, username="other-officer")


@pytest.fixture
def active_membership(commune):
    return MembershipFactory(member=commune)
