"""Pages of the catalogue. Paths are in English; the pages speak the person's language."""

from django.urls import path

from catalog.views import imports, items, revisions

urlpatterns = [
    path("catalog/", items.CatalogSearchView.as_view(), name="catalog_search"),
    path("catalog/items/<int:pk>/", items.CatalogItemView.as_view(), name="catalog_item"),
    path("catalog/imports/<int:pk>/", imports.ImportDetailView.as_view(), name="catalog_import"),
    path("catalog/imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="catalog_import_progress"),
    path("catalog/imports/<int:pk>/apply/", imports.ImportApplyView.as_view(), name="catalog_import_apply"),
    path(
        "catalog/imports/<int:pk>/apply-valid-rows/",
        imports.ImportApplyValidRowsView.as_view(),
        name="catalog_import_apply_valid_rows",
    ),
    path("catalog/imports/<int:pk>/approve/", imports.ImportApproveView.as_view(), name="catalog_import_approve"),
    path("catalog/imports/<int:pk>/reject/", imports.ImportRejectView.as_view(), name="catalog_import_reject"),
    path("agreements/<int:pk>/catalog/imports/", imports.ImportsView.as_view(), name="catalog_imports"),
    path("agreements/<int:pk>/catalog/revisions/", revisions.RevisionsView.as_view(), name="catalog_revisions"),
    path(
        "agreements/<int:pk>/catalog/revisions/percentage/",
        revisions.PercentageRevisionView.as_view(),
        name="catalog_revision_percentage",
    ),
    path(
        "agreements/<int:pk>/catalog/revisions/formula/",
        revisions.FormulaRevisionView.as_view(),
        name="catalog_revision_formula",
    ),
    path("agreements/<int:pk>/catalog/export/<str:kind>/", items.CatalogExportView.as_view(), name="catalog_export"),
]
