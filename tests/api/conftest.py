from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from procurement.core.permissions import Role
from procurement.members.models import Membership, MembershipStatus, Organization, OrganizationKind, User
from tests.factories import MembershipFactory, OrganizationFactory, SupplierFactory, central_purchasing_body, person


@dataclass
class World:
    """IMIO; member A (with a requested membership) and member B (active); a supplier and an observer;
    one user per role. Member roles are held in A."""

    imio: Organization
    member_a: Organization
    member_b: Organization
    supplier: Organization
    observer: Organization
    membership_a: Membership
    membership_b: Membership
    users: dict[str, User]
    officer_b: User


@pytest.fixture
def world(db) -> World:
    imio = central_purchasing_body()
    member_a = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    member_b = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    supplier = SupplierFactory()
    observer = OrganizationFactory(kind=OrganizationKind.OBSERVER, nis_code="", name="UVCW")
    users = {
        "admin": person(imio, Role.ADMIN, username="admin"),
        "buyer": person(imio, Role.BUYER, username="buyer"),
        "imio_finance": person(imio, Role.FINANCE, username="imio_finance"),
        "member_admin": person(member_a, Role.MEMBER_ADMIN, username="member_admin"),
        "member_officer": person(member_a, Role.MEMBER_OFFICER, username="member_officer"),
        "member_approver": person(member_a, Role.MEMBER_APPROVER, username="member_approver"),
        "member_finance": person(member_a, Role.FINANCE, username="member_finance"),
        "supplier": person(supplier, Role.SUPPLIER, username="supplier"),
        "observer": person(observer, Role.OBSERVER, username="observer"),
    }
    return World(
        imio=imio,
        member_a=member_a,
        member_b=member_b,
        supplier=supplier,
        observer=observer,
        membership_a=MembershipFactory(member=member_a, status=MembershipStatus.REQUESTED),
        membership_b=MembershipFactory(member=member_b, status=MembershipStatus.ACTIVE),
        users=users,
        officer_b=person(member_b, Role.MEMBER_OFFICER, username="officer_b"),
    )


@pytest.fixture
def api():
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
