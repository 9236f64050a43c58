"""Reads of the kernel's tables: the audit trail and the CPV vocabulary."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation

from procurement.core.models import AuditEntry, AuditScope, CpvCode, CpvLevel

CPV_LANGUAGES = ("fr", "nl", "de", "en")


def audit_entries_for(user, *, organization_id: int | None = None) -> QuerySet[AuditEntry]:
    """IMIO staff read the whole trail; others the entries about their organisation's objects.

    With ``organization_id``, only the entries about that organisation's objects (among
    those the user may read). ``user.acting`` (the organisation the user acts for, and
    whether their reach is platform-wide) is provided by the user model of
    ``procurement.members``.
    """
    acting = getattr(user, "acting", None)
    queryset = AuditEntry.objects.select_related("content_type")
    if acting is None or (not acting.platform_wide and acting.organization_id is None):
        return queryset.none()
    scopes = set() if acting.platform_wide else {acting.organization_id}
    if organization_id is not None:
        scopes.add(organization_id)
    for scope in scopes:
        queryset = queryset.filter(Exists(AuditScope.objects.filter(entry=OuterRef("pk"), organization_id=scope)))
    return queryset


def cpv_codes() -> QuerySet[CpvCode]:
    return CpvCode.objects.all()


def cpv_divisions() -> QuerySet[CpvCode]:
    return CpvCode.objects.filter(level=CpvLevel.DIVISION)


def cpv_children(code: str) -> QuerySet[CpvCode]:
    return CpvCode.objects.filter(parent_id=code)


def cpv_ancestors(cpv_code: CpvCode) -> list[CpvCode]:
    """From the division down to the code's parent, in one query."""
    prefixes = [cpv_code.code[:length].ljust(8, "0") for length in range(2, cpv_code.level)]
    if not prefixes:
        return []
    condition = Q()
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    return list(CpvCode.objects.filter(condition).exclude(pk=cpv_code.pk).order_by("level"))


def search_cpv_codes(text: str) -> QuerySet[CpvCode]:
    """Codes whose label (in the active language) has all the words, or whose code starts with the digits."""
    text = text.strip()
    digits = text.replace("-", "").replace(" ", "")
    if digits.isdigit():
        return CpvCode.objects.filter(code__startswith=digits[:8])
    language = (translation.get_language() or "fr")[:2]
    field = f"label_{language if language in CPV_LANGUAGES else 'fr'}"
    condition = Q()
    for word in text.split():
        condition &= Q(**{f"{field}__icontains": word})
    return CpvCode.objects.filter(condition)
