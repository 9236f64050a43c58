import pytest
from django.utils import translation

from procurement.core.permissions import Role
from procurement.members.models import OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, central_purchasing_body, person


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Outside a request, messages read in English (the message ids); pages are tested in their own language."""
    with translation.override("en"):
        yield


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


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (real concurrency) skip, with the reason, on SQLite."""
    import os

    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL does not point to PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks under real concurrency); set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests start from a flushed database: put the communes and CPV codes back."""
    from procurement.core.models import CpvCode, Municipality
    from procurement.core.reference import load_cpv, load_municipalities

    if not Municipality.objects.exists():
        load_municipalities(Municipality)
    if not CpvCode.objects.exists():
        load_cpv(CpvCode)
