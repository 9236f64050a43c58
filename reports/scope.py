"""Who reads which figures. Every report starts from here; nothing else decides tenancy.

- IMIO's staff (finance, buyers, administrators acting for the central purchasing body) see
  every member, supplier and order;
- a member's people see their own organisation: its orders, its consumption, its savings;
- a supplier sees the spend addressed to it: orders once they were sent to it;
- an observer sees aggregates and per-member totals (public bodies' spending is public), but
  no order-level rows and no personal data: the reports that list orders refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet

from procurement.core.permissions import Perm
from procurement.members.acting import acting_of
from procurement.members.models import MEMBER_KINDS, Organization, OrganizationKind
from procurement.orders.models import CpvSpendRollup, OffPlatformCallOff, Order, OrderLine, SpendRollup, Subscription
from tenders.models import FrameworkAgreement


class Audience(StrEnum):
    CENTRAL = "central"
    MEMBER = "member"
    SUPPLIER = "supplier"
    OBSERVER = "observer"


@dataclass(frozen=True)
class Viewer:
    audience: Audience
    organization: Organization

    @property
    def sees_orders(self) -> bool:
        """Order-level rows (numbers, lines): everybody but observers."""
        return self.audience != Audience.OBSERVER

    @property
    def reads_rollups(self) -> bool:
        """Whether the rollups answer for this viewer: they know nothing of when an order was sent,
        so a supplier's figures come from its orders."""
        return self.audience != Audience.SUPPLIER

    @property
    def member(self) -> Organization | None:
        return self.organization if self.audience == Audience.MEMBER else None


def viewer_of(user) -> Viewer | None:
    """The viewer ``user`` is in the organisation it acts for; ``None`` when it may run no report."""
    acting = acting_of(user)
    organization = acting.organization
    if organization is None or not acting.has(Perm.REPORT_VIEW):
        return None
    if acting.platform_wide:
        return Viewer(Audience.CENTRAL, organization)
    if organization.kind in MEMBER_KINDS:
        return Viewer(Audience.MEMBER, organization)
    if organization.kind == OrganizationKind.SUPPLIER:
        return Viewer(Audience.SUPPLIER, organization)
    if organization.kind == OrganizationKind.OBSERVER:
        return Viewer(Audience.OBSERVER, organization)
    return None


def _order_filter(viewer: Viewer, prefix: str = "") -> Q:
    if viewer.audience == Audience.MEMBER:
        return Q(**{f"{prefix}member": viewer.organization})
    if viewer.audience == Audience.SUPPLIER:
        return Q(**{f"{prefix}supplier": viewer.organization, f"{prefix}sent_at__isnull": False})
    return Q()


def orders(viewer: Viewer) -> QuerySet[Order]:
    return Order.objects.filter(_order_filter(viewer))


def order_lines(viewer: Viewer) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(_order_filter(viewer, "order__"))


def spend_rollups(viewer: Viewer) -> QuerySet[SpendRollup]:
    if not viewer.reads_rollups:
        raise ValueError("A supplier's figures come from its orders, not from the rollups.")
    if viewer.audience == Audience.MEMBER:
        return SpendRollup.objects.filter(member=viewer.organization)
    return SpendRollup.objects.all()


def cpv_rollups(viewer: Viewer) -> QuerySet[CpvSpendRollup]:
    if not viewer.reads_rollups:
        raise ValueError("A supplier's figures come from its orders, not from the rollups.")
    if viewer.audience == Audience.MEMBER:
        return CpvSpendRollup.objects.filter(member=viewer.organization)
    return CpvSpendRollup.objects.all()


def call_offs(viewer: Viewer) -> QuerySet[OffPlatformCallOff]:
    call_offs = OffPlatformCallOff.objects.filter(cancelled=False)
    if viewer.audience == Audience.MEMBER:
        return call_offs.filter(member=viewer.organization)
    if viewer.audience == Audience.SUPPLIER:
        return call_offs.filter(supplier=viewer.organization)
    return call_offs


def subscriptions(viewer: Viewer) -> QuerySet[Subscription]:
    if viewer.audience == Audience.MEMBER:
        return Subscription.objects.filter(member=viewer.organization)
    if viewer.audience == Audience.SUPPLIER:
        return Subscription.objects.filter(agreement__supplier_links__supplier=viewer.organization).distinct()
    return Subscription.objects.all()


def agreements(viewer: Viewer) -> QuerySet[FrameworkAgreement]:
    """Agreements whose figures the viewer may read: all of them (their totals are public), but a
    supplier only those it is a party to."""
    if viewer.audience == Audience.SUPPLIER:
        return FrameworkAgreement.objects.filter(supplier_links__supplier=viewer.organization).distinct()
    return FrameworkAgreement.objects.all()


def members(viewer: Viewer) -> QuerySet[Organization]:
    """Members the viewer may pick in a filter."""
    members = Organization.objects.filter(kind__in=MEMBER_KINDS)
    if viewer.audience == Audience.MEMBER:
        return members.filter(pk=viewer.organization.pk)
    if viewer.audience == Audience.SUPPLIER:
        return members.filter(orders__supplier=viewer.organization, orders__sent_at__isnull=False).distinct()
    return members


def suppliers(viewer: Viewer) -> QuerySet[Organization]:
    suppliers = Organization.objects.filter(kind=OrganizationKind.SUPPLIER)
    if viewer.audience == Audience.SUPPLIER:
        return suppliers.filter(pk=viewer.organization.pk)
    return suppliers
