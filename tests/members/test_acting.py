import pytest

from procurement.core.permissions import Perm, Role
from procurement.members.models import OrganizationKind
from tests.factories import OrganizationFactory, UserFactory, person


@pytest.mark.django_db
def test_imio_finance_reaches_every_organisation_but_a_communes_finance_only_its_own(imio, commune):
    imio_finance = person(imio, Role.FINANCE)
    commune_finance = person(commune, Role.FINANCE)
    assert imio_finance.acting.platform_wide
    assert imio_finance.has_perm(Perm.STATISTICS_VIEW)
    assert not commune_finance.acting.platform_wide
    assert not commune_finance.has_perm(Perm.PLATFORM_WIDE)
    assert not commune_finance.has_perm(Perm.STATISTICS_VIEW)
    assert commune_finance.has_perm(Perm.AUDIT_VIEW)


@pytest.mark.django_db
def test_observer_sees_figures_not_details(db):
    observer = person(OrganizationFactory(kind=OrganizationKind.OBSERVER, nis_code=""), Role.OBSERVER)
    assert observer.has_perm(Perm.STATISTICS_VIEW)
    assert not observer.acting.platform_wide
    assert not observer.has_perm(Perm.MEMBERSHIP_VIEW)


@pytest.mark.django_db
def test_a_user_without_roles_acts_for_nobody_and_may_do_nothing(db):
    user = UserFactory()
    assert user.acting.organization is None
    assert user.acting.permissions == frozenset()
    assert not user.has_perm(Perm.ORGANIZATION_VIEW)


@pytest.mark.django_db
def test_roles_of_a_deactivated_organisation_no_longer_count(commune):
    officer = person(commune, Role.MEMBER_OFFICER)
    commune.is_active = False
    commune.save()
    officer.refresh_from_db()
    assert officer.acting.organization is None
    assert not officer.has_perm(Perm.MEMBERSHIP_REQUEST)


@pytest.mark.django_db
def test_platform_admins_hold_django_model_permissions_but_member_admins_do_not(imio_admin, member_admin):
    assert imio_admin.has_perm("members.change_organization")
    assert imio_admin.has_module_perms("members")
    assert not member_admin.has_perm("members.change_organization")
    assert not member_admin.has_module_perms("members")
