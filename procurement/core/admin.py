"""Reference tables and the audit trail are read-only in the admin: data comes from files
and services, never from hand edits."""

from django.contrib import admin

from procurement.core.models import AuditEntry, CpvCode, Municipality


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CpvCode)
class CpvCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label_fr", "level", "social_services"]
    list_filter = ["level", "social_services"]
    search_fields = ["code", "label_fr", "label_nl", "label_de", "label_en"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["nis_code", "name_fr", "name_nl", "province", "postcode", "population"]
    list_filter = ["province"]
    search_fields = ["nis_code", "name_fr", "name_nl", "postcode"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_name", "action", "object_repr", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
