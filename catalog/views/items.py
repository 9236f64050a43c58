"""Catalogue lines: the search, one line with its price history, an agreement's catalogue as a file."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import ListView, TemplateView

from catalog import exports, search, selectors, services
from catalog.forms import CatalogSearchForm
from catalog.models import CatalogItem
from catalog.views.base import AgreementMixin
from procurement.core.permissions import Perm
from procurement.members.models import Organization
from tenders import selectors as tender_selectors

SEARCH_PAGE_SIZE = 20
EXPORTS = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class CatalogSearchView(PermissionRequiredMixin, ListView):
    """The lines a member may order from, a supplier sells, or IMIO manages; searched and filtered."""

    permission_required = Perm.CATALOG_VIEW
    template_name = "catalog/search.html"
    context_object_name = "items"
    paginate_by = SEARCH_PAGE_SIZE
    paginator_class = search.CatalogPaginator

    @cached_property
    def search_form(self) -> CatalogSearchForm:
        user = self.request.user
        suppliers = Organization.objects.filter(pk__in=selectors.items_for(user).values("supplier_id"))
        return CatalogSearchForm(
            self.request.GET, agreements=tender_selectors.agreements_for(user), suppliers=suppliers.order_by("name")
        )

    def get_queryset(self):
        services.apply_due_prices()  # scheduled prices whose date has come, before the list is read
        query = self.search_form.value("q") or ""
        return self.search_form.filter(selectors.search_items(self.request.user, query))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, filter_form=self.search_form, chosen_agreement=self.search_form.value("agreement")
        )


class CatalogItemView(PermissionRequiredMixin, TemplateView):
    """One line: its fields, its CPV code, and every price it had, has and will have."""

    permission_required = Perm.CATALOG_VIEW
    template_name = "catalog/item_detail.html"

    @cached_property
    def item(self) -> CatalogItem:
        services.apply_due_prices()
        return get_object_or_404(selectors.items_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        item = self.item
        prices = list(item.prices.select_related("revision", "source_import").order_by("-effective_from", "-id"))
        import_ids = {price.source_import_id for price in prices if price.source_import_id}
        readable = set(selectors.imports_for(self.request.user).filter(pk__in=import_ids).values_list("pk", flat=True))
        return super().get_context_data(**kwargs, item=item, prices=prices, readable_imports=readable)


class CatalogExportView(PermissionRequiredMixin, AgreementMixin, View):
    """The agreement's catalogue, as far as the person sees it, in the import format (CSV or XLSX)."""

    permission_required = Perm.CATALOG_VIEW

    def get(self, request, pk, kind):
        if kind not in EXPORTS:
            raise Http404
        render, content_type = EXPORTS[kind]
        services.apply_due_prices()
        items = selectors.items_for(request.user).filter(agreement=self.agreement)
        response = HttpResponse(render(items), content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"catalogue-{self.agreement.reference}.{kind}"
        )
        return response
