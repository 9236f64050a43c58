"""Which background exports a user sees: those it asked for, in the organisation it acts for."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from procurement.members.acting import acting_of
from reports.models import ExportStatus, ReportExport


def exports_for(user) -> QuerySet[ReportExport]:
    acting = acting_of(user)
    if acting.organization is None:
        return ReportExport.objects.none()
    return ReportExport.objects.filter(requested_by=user, organization=acting.organization)


def export_of(user, pk, *, ready: bool = False) -> ReportExport:
    """One of the user's exports (404 otherwise); ``ready``: built and not expired."""
    try:
        export = exports_for(user).get(pk=pk)
    except (ReportExport.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if ready and (
        export.status != ExportStatus.DONE
        or not export.file
        or (export.expires_at and export.expires_at < timezone.now())
    ):
        raise Http404
    return export
