"""People: invitations, roles in organisations, the active organisation."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.mail import send_after_commit
from procurement.core.permissions import Perm, Role
from procurement.members.models import ROLE_KINDS, USER_MANAGER_ROLES, Organization, RoleAssignment, User


def can_manage_people(actor, organization: Organization) -> bool:
    if actor is None:
        return True
    acting = actor.acting
    return acting.has(Perm.USER_MANAGE) and acting.reaches(organization)


def _check_manages_people(actor, organization: Organization) -> None:
    if not can_manage_people(actor, organization):
        raise PermissionDenied(_("You cannot manage the people of %(organization)s.") % {"organization": organization})


def roles_for_kind(kind: str) -> list[Role]:
    """The roles that can be held in an organisation of this kind."""
    return [role for role in Role if kind in ROLE_KINDS[role]]


def _check_role(organization: Organization, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("“%(role)s” is not a role.") % {"role": role}})
    if organization.kind not in ROLE_KINDS[role]:
        raise ValidationError(
            {
                "role": _("The role “%(role)s” cannot be held in %(organization)s.")
                % {"role": Role(role).label, "organization": organization}
            }
        )


def _forget_acting(user: User) -> None:
    user.__dict__.pop("acting", None)


def invitation_link(user: User) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def user_invite(
    *,
    actor,
    organization: Organization,
    email: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    username: str = "",
) -> User:
    """Give a person roles in ``organization``, creating their account if needed.

    A new person receives an e-mail with a link to choose their password; someone who already
    has an account (a commune's officer who also works for its CPAS) is told of the new access.
    """
    _check_manages_people(actor, organization)
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    for role in roles:
        _check_role(organization, role)
    email = User.objects.normalize_email(email).strip().lower()
    if not email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})

    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = _new_account(
            actor=actor,
            action="user.invited",
            organization=organization,
            roles=roles,
            username=username.strip() or email,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=None,
        )
    elif not user.is_active:
        _reactivate(actor=actor, user=user, organization=organization)
    for role in roles:
        if not RoleAssignment.objects.filter(user=user, organization=organization, role=role).exists():
            _grant(actor=actor, user=user, organization=organization, role=role)
    send_after_commit(
        template="members/email/invitation" if created or user.invitation_pending else "members/email/access_granted",
        context={
            "user": user,
            "organization": organization,
            "roles": [Role(role).label for role in roles],
            "link": invitation_link(user) if created or user.invitation_pending else settings.SITE_URL,
        },
        recipients=[user.email],
    )
    return user


@transaction.atomic
def user_create(
    *,
    actor,
    organization: Organization,
    username: str,
    email: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create an account with roles directly, without an invitation (platform administration, data loading).

    Without a password the account cannot sign in until a password reset.
    """
    _check_manages_people(actor, organization)
    roles = list(dict.fromkeys(roles))
    for role in roles:
        _check_role(organization, role)
    user = _new_account(
        actor=actor,
        action="user.created",
        organization=organization,
        roles=roles,
        username=username.strip(),
        email=User.objects.normalize_email(email).strip().lower(),
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    for role in roles:
        _grant(actor=actor, user=user, organization=organization, role=role)
    return user


def _new_account(
    *, actor, action: str, organization: Organization, roles: list[str], password: str | None, **identity: str
) -> User:
    """Create and audit an account acting for ``organization``; without a password it cannot sign in yet."""
    user = User(**{name: value.strip() for name, value in identity.items()}, active_organization=organization)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action=action,
        target=user,
        after=audit.snapshot(user, ["username", "email", "first_name", "last_name"]),
        data={"organization": organization.pk, "organization_name": organization.name, "roles": roles},
        organizations=[organization.pk],
    )
    return user


def _reactivate(*, actor, user: User, organization: Organization) -> None:
    """Someone who left every organisation comes back: their account works again."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user.reactivated",
        target=user,
        before={"is_active": False},
        after={"is_active": True},
        data={"organization": organization.pk, "organization_name": organization.name},
        organizations=[organization.pk],
    )


def _grant(*, actor, user: User, organization: Organization, role: str) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(
        user=user, organization=organization, role=role, granted_by=actor if actor is not None else None
    )
    updated = []
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        updated.append("is_staff")
    if user.active_organization_id is None:
        user.active_organization = organization
        updated.append("active_organization")
    if updated:
        user.save(update_fields=updated)
    audit.record(
        actor=actor,
        action="role.granted",
        target=user,
        data={"organization": organization.pk, "organization_name": organization.name, "role": role},
        organizations=[organization.pk],
    )
    _forget_acting(user)
    return assignment


@transaction.atomic
def role_grant(*, actor, user: User, organization: Organization, role: str) -> RoleAssignment:
    _check_manages_people(actor, organization)
    _check_role(organization, role)
    if RoleAssignment.objects.filter(user=user, organization=organization, role=role).exists():
        raise DomainError(
            _("%(user)s already holds the role “%(role)s” in %(organization)s.")
            % {"user": user, "role": Role(role).label, "organization": organization},
            code="already_granted",
        )
    return _grant(actor=actor, user=user, organization=organization, role=role)


def _check_keeps_a_manager(organization: Organization, removed: Iterable[RoleAssignment]) -> None:
    manager_role = USER_MANAGER_ROLES.get(organization.kind)
    if manager_role is None:
        return
    removed_ids = [assignment.pk for assignment in removed if assignment.role == manager_role]
    if not removed_ids:
        return
    remaining = (
        RoleAssignment.objects.select_for_update()
        .filter(organization=organization, role=manager_role, user__is_active=True)
        .exclude(pk__in=removed_ids)
    )
    if not remaining.exists():
        raise DomainError(
            _("%(organization)s must keep at least one person with the role “%(role)s”.")
            % {"organization": organization, "role": Role(manager_role).label},
            code="last_manager",
        )


def _after_removal(user: User, organization: Organization) -> None:
    """Keep the user's flags coherent with the roles they still hold."""
    remaining = RoleAssignment.objects.filter(user=user)
    updated = []
    if user.is_staff and not user.is_superuser and not remaining.filter(role=Role.ADMIN).exists():
        user.is_staff = False
        updated.append("is_staff")
    if user.active_organization_id == organization.pk and not remaining.filter(organization=organization).exists():
        other = remaining.order_by("organization__name").first()
        user.active_organization = other.organization if other else None
        updated.append("active_organization")
    if updated:
        user.save(update_fields=updated)
    _forget_acting(user)


@transaction.atomic
def role_revoke(*, actor, user: User, organization: Organization, role: str) -> None:
    _check_manages_people(actor, organization)
    assignment = RoleAssignment.objects.filter(user=user, organization=organization, role=role).first()
    if assignment is None:
        raise DomainError(
            _("%(user)s does not hold the role “%(role)s” in %(organization)s.")
            % {"user": user, "role": Role(role).label if role in Role.values else role, "organization": organization},
            code="not_granted",
        )
    if actor is not None:
        _check_keeps_a_manager(organization, [assignment])
    assignment.delete()
    _after_removal(user, organization)
    audit.record(
        actor=actor,
        action="role.revoked",
        target=user,
        data={"organization": organization.pk, "organization_name": organization.name, "role": role},
        organizations=[organization.pk],
    )


@transaction.atomic
def user_set_roles(*, actor, user: User, organization: Organization, roles: Iterable[str]) -> None:
    """Give ``user`` exactly ``roles`` in ``organization``: all the grants and revocations, or none."""
    _check_manages_people(actor, organization)
    wanted = set(roles)
    current = set(RoleAssignment.objects.filter(user=user, organization=organization).values_list("role", flat=True))
    for role in sorted(wanted - current):
        role_grant(actor=actor, user=user, organization=organization, role=role)
    for role in sorted(current - wanted):
        role_revoke(actor=actor, user=user, organization=organization, role=role)


@transaction.atomic
def user_remove_from_organization(*, actor, user: User, organization: Organization) -> None:
    """Withdraw every role ``user`` holds in ``organization``; an account left with none is disabled."""
    _check_manages_people(actor, organization)
    assignments = list(RoleAssignment.objects.filter(user=user, organization=organization))
    if not assignments:
        raise DomainError(_("%(user)s has no role in %(organization)s.") % {"user": user, "organization": organization})
    if actor is not None:
        _check_keeps_a_manager(organization, assignments)
    RoleAssignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    _after_removal(user, organization)
    disabled = not RoleAssignment.objects.filter(user=user).exists() and user.is_active
    if disabled:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user.removed",
        target=user,
        data={
            "organization": organization.pk,
            "organization_name": organization.name,
            "roles": [a.role for a in assignments],
            "account_disabled": disabled,
        },
        organizations=[organization.pk],
    )


@transaction.atomic
def user_switch_organization(*, user: User, organization: Organization) -> User:
    """Act for another of one's organisations; tenancy follows from then on."""
    if organization.pk not in {o.pk for o in user.acting.organizations}:
        raise ValidationError({"organization": _("You hold no role in this organisation.")})
    if user.active_organization_id != organization.pk:
        user.active_organization = organization
        user.save(update_fields=["active_organization"])
        _forget_acting(user)
    return user


def user_resend_invitation(*, actor, user: User, organization: Organization) -> None:
    _check_manages_people(actor, organization)
    if not RoleAssignment.objects.filter(user=user, organization=organization).exists():
        raise PermissionDenied(_("This person does not belong to %(organization)s.") % {"organization": organization})
    if not user.invitation_pending:
        raise DomainError(_("%(user)s has already accepted the invitation.") % {"user": user}, code="already_accepted")
    send_after_commit(
        template="members/email/invitation",
        context={"user": user, "organization": organization, "roles": [], "link": invitation_link(user)},
        recipients=[user.email],
    )
