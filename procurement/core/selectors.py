"""Reads of the kernel's tables."""

from django.db.models import Exists, OuterRef, QuerySet

from procurement.core.models import AuditEntry, AuditScope


def audit_entries_for(user) -> QuerySet[AuditEntry]:
    """IMIO staff read the whole trail; others the entries about their organisation's objects.

    ``user.acting`` (the organisation the user acts for, and whether their reach is
    platform-wide) is provided by the user model of ``procurement.members``.
    """
    acting = getattr(user, "acting", None)
    queryset = AuditEntry.objects.select_related("content_type")
    if acting is None:
        return queryset.none()
    if acting.platform_wide:
        return queryset
    if acting.organization_id is None:
        return queryset.none()
    return queryset.filter(
        Exists(AuditScope.objects.filter(entry=OuterRef("pk"), organization_id=acting.organization_id))
    )
