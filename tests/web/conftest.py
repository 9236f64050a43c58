import pytest

from procurement.core.permissions import Role
from procurement.members.models import MembershipStatus, OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, person


@pytest.fixture
def finance(imio):
    return person(imio, Role.FINANCE, username="imio-finance")


@pytest.fixture
def approver(commune):
    return person(commune, Role.MEMBER_APPROVER, username="commune-approver")


@pytest.fixture
def supplier_user(supplier_org):
    return person(supplier_org, Role.SUPPLIER, username="supplier-1")


@pytest.fixture
def observer(db):
    organization = OrganizationFactory(kind=OrganizationKind.OBSERVER, nis_code="", name="UVCW")
    return person(organization, Role.OBSERVER, username="observer")


@pytest.fixture
def newcomer(db):
    """Someone with an account but no role anywhere."""
    return UserFactory(username="newcomer")


@pytest.fixture
def requested_membership(commune):
    return MembershipFactory(
        member=commune,
        status=MembershipStatus.REQUESTED,
        decision_date=None,
        decision_reference="",
        document="",
        document_sha256="",
        activated_at=None,
    )


@pytest.fixture
def other_membership(other_commune):
    return MembershipFactory(member=other_commune)


@pytest.fixture
def login(client, db):
    """Sign ``user`` in on the test client and return the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def english(client, settings):
    """The pages in English, so that assertions read the message ids whatever the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
