"""API of the kernel: CPV codes and the audit trail."""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from procurement.core.api.pagination import CursorPagination
from procurement.core.models import AuditEntry, CpvCode, CpvLevel
from procurement.core.permissions import Perm
from procurement.core.selectors import audit_entries_for, cpv_codes, search_cpv_codes


class CpvCodeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="The label in the request's language.")
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = CpvCode
        fields = ["code", "label", "parent", "level", "level_label", "social_services"]


class CpvCodeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(method="filter_code", label="Code prefix (e.g. 301 or 30192000)")
    level = django_filters.TypedChoiceFilter(choices=CpvLevel.choices, coerce=int)
    parent = django_filters.CharFilter(field_name="parent_id")
    search = django_filters.CharFilter(method="filter_search", label="Words of the label, or the start of the code")

    class Meta:
        model = CpvCode
        fields = ["code", "level", "parent", "social_services", "search"]

    def filter_code(self, queryset, name, value):
        return queryset.filter(code__startswith=value.strip().replace("-", "")[:8])

    def filter_search(self, queryset, name, value):
        return queryset & search_cpv_codes(value)


class CpvCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The CPV 2008 vocabulary with labels in the request's language (Accept-Language)."""

    queryset = cpv_codes()
    serializer_class = CpvCodeSerializer
    filterset_class = CpvCodeFilter
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{8}-[0-9]"
    search_fields: list[str] = []
    ordering_fields = ["code", "level"]
    permission_map = {"list": Perm.REFERENCE_VIEW, "retrieve": Perm.REFERENCE_VIEW}


class AuditObjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    repr = serializers.CharField()


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)
    object = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_organization_id", "action", "object", "before", "after", "data"]

    @extend_schema_field(AuditObjectSerializer)
    def get_object(self, entry: AuditEntry) -> dict:
        return {
            "type": f"{entry.content_type.app_label}.{entry.content_type.model}",
            "id": entry.object_id,
            "repr": entry.object_repr,
        }


class AuditEntryFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(method="filter_action", label="Action, or its prefix (membership.)")
    object_type = django_filters.CharFilter(
        method="filter_object_type", label="app_label.model, e.g. members.membership"
    )
    object_id = django_filters.CharFilter()
    actor = django_filters.CharFilter(field_name="actor_name")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor", "since", "until"]

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__startswith=value) if value.endswith(".") else queryset.filter(action=value)

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Who changed what, when, from what to what. Cursor-paginated, newest first."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    pagination_class = CursorPagination
    ordering_fields: list[str] = []
    permission_map = {"list": Perm.AUDIT_VIEW, "retrieve": Perm.AUDIT_VIEW}

    def get_queryset(self):
        return audit_entries_for(self.request.user)
