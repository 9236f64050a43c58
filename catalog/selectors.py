"""Who sees which catalogue lines and imports.

IMIO's staff see every catalogue; a member sees the lines of the agreements it may order
under (active, and it is a beneficiary); a supplier sees its own lines and imports.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation

from catalog import search
from catalog.models import CatalogItem, PriceListImport, PriceRevision
from procurement.core.permissions import Perm
from procurement.members.acting import acting_of
from procurement.members.models import MEMBER_KINDS, OrganizationKind
from tenders import selectors as tender_selectors


def items_for(user) -> QuerySet[CatalogItem]:
    acting = acting_of(user)
    items = CatalogItem.objects.select_related("supplier", "agreement", "cpv_code")
    if not acting.has(Perm.CATALOG_VIEW) or acting.organization is None:
        return items.none()
    if acting.platform_wide:
        return items
    organization = acting.organization
    if organization.kind == OrganizationKind.SUPPLIER:
        return items.filter(supplier=organization)
    if organization.kind in MEMBER_KINDS:
        # Members see what they can order: active lines of active agreements they may use. The
        # agreements are resolved first (a few hundred at most): a list of ids is a condition the
        # planner estimates well on a million lines, where a join to the agreements is not.
        usable = list(tender_selectors.usable_agreements_for(organization).values_list("pk", flat=True))
        return items.filter(active=True, agreement_id__in=usable)
    return items.none()


def search_items(user, query: str = "", *, language: str | None = None) -> QuerySet[CatalogItem]:
    items = items_for(user)
    if query and query.strip():
        items = search.matching(items, query, (language or translation.get_language() or "fr")[:2])
    return items


def imports_for(user) -> QuerySet[PriceListImport]:
    acting = acting_of(user)
    imports = PriceListImport.objects.select_related("agreement", "supplier", "uploaded_by")
    if acting.platform_wide and acting.has(Perm.CATALOG_MANAGE):
        return imports
    if acting.has(Perm.CATALOG_PROPOSE) and acting.organization is not None:
        return imports.filter(supplier=acting.organization)
    return imports.none()


def revisions_for(user) -> QuerySet[PriceRevision]:
    acting = acting_of(user)
    revisions = PriceRevision.objects.select_related("agreement")
    if acting.platform_wide:
        return revisions
    if acting.organization is not None and acting.organization.kind == OrganizationKind.SUPPLIER:
        return revisions.filter(agreement__supplier_links__supplier=acting.organization).distinct()
    return revisions.none()
