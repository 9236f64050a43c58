"""Serializers of the catalogue API."""

from __future__ import annotations

from rest_framework import serializers

from catalog.models import CatalogItem, ImportMode, ItemPrice, PriceListImport, PriceRevision, PriceRevisionKind
from catalog.services import progress
from procurement.members.models import Organization, OrganizationKind
from tenders.models import FrameworkAgreement


class CatalogItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the request's language (French when missing).")
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    cpv_label = serializers.SerializerMethodField()
    min_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)

    class Meta:
        model = CatalogItem
        fields = [
            "id",
            "agreement",
            "agreement_reference",
            "supplier",
            "supplier_name",
            "supplier_reference",
            "name",
            "name_fr",
            "name_nl",
            "name_de",
            "name_en",
            "description_fr",
            "unit",
            "unit_price",
            "price_effective_from",
            "vat_rate",
            "list_price",
            "cpv_code",
            "cpv_label",
            "min_quantity",
            "lead_time_days",
            "active",
        ]

    def get_cpv_label(self, item) -> str | None:
        return item.cpv_code.label if item.cpv_code_id else None


class ItemPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemPrice
        fields = ["unit_price", "list_price", "effective_from", "applied", "revision", "source_import"]


class CatalogItemDetailSerializer(CatalogItemSerializer):
    prices = ItemPriceSerializer(many=True, read_only=True, help_text="The whole price history, scheduled included.")
    description = serializers.CharField(read_only=True)

    class Meta(CatalogItemSerializer.Meta):
        fields = [
            *CatalogItemSerializer.Meta.fields,
            "description",
            "description_nl",
            "description_de",
            "description_en",
            "prices",
        ]


class PriceListImportSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    dry_run = serializers.SerializerMethodField(help_text="True until the import has been applied.")
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)

    class Meta:
        model = PriceListImport
        fields = [
            "id",
            "agreement",
            "supplier",
            "file_name",
            "sha256",
            "size",
            "mode",
            "status",
            "proposal",
            "dry_run",
            "effective_date",
            "reason",
            "sheet",
            "rows_total",
            "rows_ok",
            "to_add",
            "to_change",
            "to_withdraw",
            "unchanged",
            "errors_count",
            "errors",
            "changes",
            "valid_rows_only",
            "progress",
            "uploaded_by",
            "uploaded_at",
            "applied_at",
            "status_reason",
        ]

    def get_dry_run(self, price_import) -> bool:
        return price_import.applied_at is None

    def get_progress(self, price_import) -> dict:
        done, total = progress(price_import)
        return {"done": done, "total": total}


class ImportInputSerializer(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(queryset=FrameworkAgreement.objects.all())
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.SUPPLIER), required=False, allow_null=True
    )
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.DELTA)
    effective_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ApplyInputSerializer(serializers.Serializer):
    valid_rows_only = serializers.BooleanField(default=False)


class PriceRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceRevision
        fields = [
            "id",
            "agreement",
            "kind",
            "effective_date",
            "reason",
            "percentage",
            "formula",
            "items_count",
            "created_at",
        ]
        read_only_fields = ["items_count", "created_at"]


class RevisionInputSerializer(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(queryset=FrameworkAgreement.objects.all())
    kind = serializers.ChoiceField(choices=[PriceRevisionKind.PERCENTAGE, PriceRevisionKind.FORMULA])
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=5000)
    percentage = serializers.DecimalField(max_digits=7, decimal_places=3, required=False, allow_null=True)
    formula = serializers.JSONField(required=False, allow_null=True)
