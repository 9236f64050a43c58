"""Read-only admin pages: catalogues change through imports and revisions, which keep the history."""

from django.contrib import admin

from catalog.models import CatalogItem, ItemPrice, PriceListImport, PriceRevision
from tenders.admin import ReadOnlyAdmin, ReadOnlyInline


class ItemPriceInline(ReadOnlyInline):
    model = ItemPrice
    fields = ["effective_from", "unit_price", "list_price", "applied", "revision", "source_import"]


@admin.register(CatalogItem)
class CatalogItemAdmin(ReadOnlyAdmin):
    list_display = ["supplier_reference", "name_fr", "supplier", "agreement", "unit_price", "vat_rate", "active"]
    list_filter = ["active", "vat_rate", "unit"]
    search_fields = ["supplier_reference", "name_fr"]
    list_select_related = ["supplier", "agreement"]
    exclude = ["search_fr", "search_nl", "search_de", "search_en"]
    inlines = [ItemPriceInline]


@admin.register(PriceListImport)
class PriceListImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "agreement", "supplier", "mode", "status", "rows_total", "errors_count", "uploaded_at"]
    list_filter = ["status", "mode"]
    list_select_related = ["agreement", "supplier"]


@admin.register(PriceRevision)
class PriceRevisionAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "kind", "effective_date", "items_count", "created_at"]
    list_filter = ["kind"]
