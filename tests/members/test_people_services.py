import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.core.errors import DomainError
from procurement.core.models import AuditEntry
from procurement.core.permissions import Perm, Role
from procurement.members.models import OrganizationKind, RoleAssignment, User
from procurement.members.services import (
    role_grant,
    role_revoke,
    roles_for_kind,
    user_invite,
    user_remove_from_organization,
    user_switch_organization,
)
from tests.factories import OrganizationFactory, person


@pytest.mark.django_db
def test_member_admin_invites_a_new_person_who_receives_a_link(
    member_admin, commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_invite(
            actor=member_admin,
            organization=commune,
            email=" Paul.Durant@Namur.example ",
            first_name="Paul",
            last_name="Durant",
            roles=[Role.MEMBER_OFFICER, Role.MEMBER_APPROVER],
        )
    assert user.username == "paul.durant@namur.example"
    assert not user.has_usable_password()
    assert user.invitation_pending
    assert user.active_organization == commune
    assert set(user.role_assignments.values_list("role", flat=True)) == {"member_officer", "member_approver"}
    assert [m.to for m in mail.outbox] == [["paul.durant@namur.example"]]
    assert "/accounts/invitation/" in mail.outbox[0].body
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["user.invited", "role.granted", "role.granted"]


@pytest.mark.django_db
def test_inviting_someone_known_adds_the_organisation_to_their_account(member_admin, commune, other_officer):
    user = user_invite(
        actor=member_admin, organization=commune, email=other_officer.email.upper(), roles=[Role.FINANCE]
    )
    assert user == other_officer
    assert User.objects.filter(email__iexact=other_officer.email).count() == 1
    assert {o.pk for o in User.objects.get(pk=user.pk).acting.organizations} == {
        commune.pk,
        other_officer.active_organization_id,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("roles", "field"), [([], "roles"), (["wizard"], "role"), ([Role.BUYER], "role")])
def test_invitation_with_unknown_or_misplaced_roles_is_refused(member_admin, commune, roles, field):
    with pytest.raises(ValidationError) as error:
        user_invite(actor=member_admin, organization=commune, email="x@example.org", roles=roles)
    assert field in error.value.message_dict
    assert not User.objects.filter(email="x@example.org").exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_member_admin_cannot_manage_another_members_people(member_admin, other_commune, other_officer):
    with pytest.raises(PermissionDenied):
        user_invite(actor=member_admin, organization=other_commune, email="x@example.org", roles=[Role.MEMBER_OFFICER])
    with pytest.raises(PermissionDenied):
        role_grant(actor=member_admin, user=other_officer, organization=other_commune, role=Role.FINANCE)
    assert other_officer.role_assignments.count() == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_officer_cannot_manage_people(officer, commune):
    with pytest.raises(PermissionDenied):
        role_grant(actor=officer, user=officer, organization=commune, role=Role.MEMBER_ADMIN)
    assert officer.role_assignments.count() == 1


@pytest.mark.django_db
def test_grant_and_revoke_are_audited_and_refused_when_meaningless(member_admin, officer, commune):
    role_grant(actor=member_admin, user=officer, organization=commune, role=Role.MEMBER_APPROVER)
    with pytest.raises(DomainError, match="already holds"):
        role_grant(actor=member_admin, user=officer, organization=commune, role=Role.MEMBER_APPROVER)
    role_revoke(actor=member_admin, user=officer, organization=commune, role=Role.MEMBER_APPROVER)
    with pytest.raises(DomainError, match="does not hold"):
        role_revoke(actor=member_admin, user=officer, organization=commune, role=Role.MEMBER_APPROVER)
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "data"))
    assert [action for action, _ in entries] == ["role.granted", "role.revoked"]
    assert entries[0][1]["role"] == "member_approver"


@pytest.mark.django_db
def test_the_last_member_admin_cannot_be_removed(member_admin, commune):
    with pytest.raises(DomainError, match="must keep at least one"):
        role_revoke(actor=member_admin, user=member_admin, organization=commune, role=Role.MEMBER_ADMIN)
    second = person(commune, Role.MEMBER_ADMIN)
    role_revoke(actor=member_admin, user=second, organization=commune, role=Role.MEMBER_ADMIN)
    assert not second.role_assignments.exists()


@pytest.mark.django_db
def test_removing_someone_from_their_only_organisation_disables_the_account(member_admin, officer, commune):
    user_remove_from_organization(actor=member_admin, user=officer, organization=commune)
    officer.refresh_from_db()
    assert not officer.is_active
    assert officer.active_organization is None
    entry = AuditEntry.objects.get(action="user.removed")
    assert entry.data["account_disabled"] is True
    assert entry.data["roles"] == ["member_officer"]


@pytest.mark.django_db
def test_platform_admin_role_makes_staff_and_revoking_it_unmakes(imio, imio_admin):
    colleague = person(imio, Role.BUYER)
    role_grant(actor=imio_admin, user=colleague, organization=imio, role=Role.ADMIN)
    colleague.refresh_from_db()
    assert colleague.is_staff
    role_revoke(actor=imio_admin, user=colleague, organization=imio, role=Role.ADMIN)
    colleague.refresh_from_db()
    assert not colleague.is_staff


@pytest.mark.django_db
def test_switching_organisation_moves_tenancy(commune):
    cpas = OrganizationFactory(kind=OrganizationKind.CPAS, nis_code=commune.nis_code)
    user = person(commune, Role.MEMBER_OFFICER)
    RoleAssignment.objects.create(user=user, organization=cpas, role=Role.FINANCE)
    assert user.acting.organization == commune
    assert user.acting.roles == {Role.MEMBER_OFFICER}
    user_switch_organization(user=user, organization=cpas)
    assert User.objects.get(pk=user.pk).active_organization == cpas
    assert user.acting.organization == cpas
    assert user.acting.roles == {Role.FINANCE}
    assert not user.has_perm(Perm.MEMBERSHIP_REQUEST)


@pytest.mark.django_db
def test_switching_to_an_organisation_without_a_role_is_refused(officer, other_commune, commune):
    with pytest.raises(ValidationError, match="no role"):
        user_switch_organization(user=officer, organization=other_commune)
    officer.refresh_from_db()
    assert officer.active_organization == commune


def test_roles_offered_follow_the_kind_of_organisation():
    assert roles_for_kind(OrganizationKind.CENTRAL_PURCHASING_BODY) == [Role.ADMIN, Role.BUYER, Role.FINANCE]
    assert roles_for_kind(OrganizationKind.CPAS) == [
        Role.FINANCE,
        Role.MEMBER_ADMIN,
        Role.MEMBER_OFFICER,
        Role.MEMBER_APPROVER,
    ]
    assert roles_for_kind(OrganizationKind.SUPPLIER) == [Role.SUPPLIER]


@pytest.mark.django_db
def test_inviting_someone_who_had_left_reactivates_their_account(member_admin, officer, commune, other_commune):
    user_remove_from_organization(actor=member_admin, user=officer, organization=commune)
    officer.refresh_from_db()
    assert not officer.is_active
    user_invite(actor=member_admin, organization=commune, email=officer.email, roles=[Role.MEMBER_APPROVER])
    officer.refresh_from_db()
    assert officer.is_active
    assert officer.active_organization == commune
    entry = AuditEntry.objects.get(action="user.reactivated")
    assert (entry.before, entry.after) == ({"is_active": False}, {"is_active": True})
