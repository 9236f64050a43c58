"""Reads. Every query that returns organisations' data starts here, from the user's
active organisation: IMIO staff see across members; everybody else sees their own.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from procurement.members.acting import acting_of
from procurement.members.models import (
    MEMBER_KINDS,
    OPEN_MEMBERSHIP_STATUSES,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    RoleAssignment,
    User,
)


def organizations_for(user) -> QuerySet[Organization]:
    acting = acting_of(user)
    if acting.platform_wide:
        return Organization.objects.all()
    if acting.organization is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=acting.organization.pk)


def organizations_with_membership_for(user) -> QuerySet[Organization]:
    """Organisations with the status of their open membership (``membership_status``)."""
    open_membership = Membership.objects.filter(member=OuterRef("pk"), status__in=OPEN_MEMBERSHIP_STATUSES)
    return organizations_for(user).annotate(
        membership_status=open_membership.values("status")[:1],
    )


def memberships_for(user) -> QuerySet[Membership]:
    acting = acting_of(user)
    queryset = Membership.objects.select_related("member", "requested_by")
    if acting.platform_wide:
        return queryset
    if acting.organization is None:
        return queryset.none()
    return queryset.filter(member=acting.organization)


def open_membership(organization: Organization) -> Membership | None:
    return Membership.objects.filter(member=organization, status__in=OPEN_MEMBERSHIP_STATUSES).first()


def people_for(user) -> QuerySet[User]:
    """The people of the active organisation (all people for IMIO staff), with their roles."""
    acting = acting_of(user)
    assignments = RoleAssignment.objects.select_related("organization").order_by("organization__name", "role")
    if acting.platform_wide:
        queryset = User.objects.all()
    elif acting.organization is None:
        return User.objects.none()
    else:
        queryset = User.objects.filter(
            Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), organization=acting.organization))
        )
        assignments = assignments.filter(organization=acting.organization)
    return queryset.prefetch_related(Prefetch("role_assignments", queryset=assignments)).order_by(
        "last_name", "first_name", "username"
    )


def member_statistics() -> dict:
    """Aggregate figures of the central purchasing body: members by kind and membership status."""
    members = Organization.objects.filter(kind__in=MEMBER_KINDS, is_active=True)
    by_kind = dict(members.values_list("kind").annotate(count=Count("pk")).values_list("kind", "count"))
    by_status = dict(
        Membership.objects.filter(status__in=OPEN_MEMBERSHIP_STATUSES)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {
        "members_by_kind": [
            (OrganizationKind(kind).label, by_kind.get(kind, 0)) for kind in OrganizationKind if kind in MEMBER_KINDS
        ],
        "members": sum(by_kind.values()),
        "memberships_by_status": [
            (status.label, by_status.get(status, 0))
            for status in MembershipStatus
            if status in OPEN_MEMBERSHIP_STATUSES
        ],
        "active_members": by_status.get(MembershipStatus.ACTIVE, 0),
        "suppliers": Organization.objects.filter(kind=OrganizationKind.SUPPLIER, is_active=True).count(),
        "pending_requests": by_status.get(MembershipStatus.REQUESTED, 0),
    }


def search_organizations(queryset: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    text = text.strip()
    if not text:
        return queryset
    digits = "".join(ch for ch in text if ch.isdigit())
    condition = Q(name__icontains=text) | Q(city__icontains=text)
    if len(digits) >= 4:
        condition |= Q(enterprise_number__contains=digits) | Q(nis_code=digits)
    return queryset.filter(condition)


def search_people(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    """People whose username, name or e-mail contains the text."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(username__icontains=text)
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(email__icontains=text)
    )
