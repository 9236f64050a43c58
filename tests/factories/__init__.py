"""factory_boy factories. Objects that must obey rules are built by calling the services
(see ``members.py``); the factories only make their raw material."""

from tests.factories.members import (
    MembershipFactory,
    OrganizationFactory,
    SupplierFactory,
    UserFactory,
    central_purchasing_body,
    enterprise_number,
    person,
)

__all__ = [
    "MembershipFactory",
    "OrganizationFactory",
    "SupplierFactory",
    "UserFactory",
    "central_purchasing_body",
    "enterprise_number",
    "person",
]
