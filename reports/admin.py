"""Read-only admin page of background exports (built by the workers, purged when they expire)."""

from django.contrib import admin

from reports.models import ReportExport
from tenders.admin import ReadOnlyAdmin


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "report", "format", "requested_by", "organization", "status", "rows", "expires_at"]
    list_filter = ["report", "format", "status"]
    search_fields = ["requested_by__username", "organization__name"]
    list_select_related = ["requested_by", "organization"]
