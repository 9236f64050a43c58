"""API of the catalogue: search, item detail with price history, imports, revisions, export."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from catalog import exports, search, selectors, services
from catalog.api import serializers as s
from catalog.models import CatalogItem
from procurement.core.api.idempotency import IdempotentCreateMixin
from procurement.core.api.pagination import CappedPagination
from procurement.core.api.rows import Computed, Rows, RowsListMixin
from procurement.core.permissions import Perm
from procurement.core.units import Unit
from tenders import selectors as tender_selectors
from tenders.api.serializers import ReasonInputSerializer


class CatalogItemFilter(django_filters.FilterSet):
    cpv = django_filters.CharFilter(method="filter_cpv", label="CPV code prefix: division, group, class (e.g. 3019)")
    price_min = django_filters.NumberFilter(field_name="unit_price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="unit_price", lookup_expr="lte")
    vat_rate = django_filters.NumberFilter(field_name="vat_rate")
    unit = django_filters.ChoiceFilter(choices=Unit.choices)
    search = django_filters.CharFilter(
        method="filter_search", label="Words of the name, description, reference or CPV label"
    )

    class Meta:
        model = CatalogItem
        fields = ["agreement", "supplier", "cpv", "price_min", "price_max", "vat_rate", "unit", "active", "search"]

    def filter_cpv(self, queryset, name, value):
        return search.in_cpv(queryset, value)

    def filter_search(self, queryset, name, value):
        return search.matching(queryset, value, (translation.get_language() or "fr")[:2])


class CatalogItemPagination(CappedPagination):
    django_paginator_class = search.CatalogPaginator


LANGUAGES = ("fr", "nl", "de", "en")


def _in_language(row: dict, prefix: str) -> str:
    """``prefix`` in the request's language, French when there is none (as the models' properties)."""
    return row.get(f"{prefix}_{(translation.get_language() or 'fr')[:2]}") or row[f"{prefix}_fr"]


ITEM_ROWS = Rows(
    s.CatalogItemSerializer,
    computed={
        "name": Computed(tuple(f"name_{language}" for language in LANGUAGES), lambda row: _in_language(row, "name")),
        "cpv_label": Computed(
            ("cpv_code", *(f"cpv_code__label_{language}" for language in LANGUAGES)),
            lambda row: None if row["cpv_code"] is None else _in_language(row, "cpv_code__label"),
        ),
    },
)


class CatalogItemViewSet(RowsListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Catalogue lines a user may order (members), sells (suppliers) or manages (IMIO).

    Lists count up to 1,000 lines (``count_exact`` says when more match). Without ``ordering``,
    lines come by name, and the results of a ``search`` newest first: sorting every match of a
    broad word by name would read them all.
    """

    list_rows = ITEM_ROWS
    filterset_class = CatalogItemFilter
    pagination_class = CatalogItemPagination
    ordering_fields = ["unit_price", "name_fr", "supplier_reference", "id"]

    @property
    def ordering(self):
        request = getattr(self, "request", None)
        if request is not None and (request.query_params.get("search") or "").strip():
            return list(search.NEWEST_FIRST)
        return ["name_fr", "id"]

    permission_map = {"list": Perm.CATALOG_VIEW, "retrieve": Perm.CATALOG_VIEW, "export": Perm.CATALOG_VIEW}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        services.apply_due_prices()  # scheduled prices whose date has come, before anything is read

    def get_queryset(self):
        items = selectors.items_for(self.request.user)
        if self.action == "retrieve":
            items = items.prefetch_related("prices")
        return items

    def get_serializer_class(self):
        return s.CatalogItemDetailSerializer if self.action == "retrieve" else s.CatalogItemSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("agreement", int, required=True),
            OpenApiParameter("as", str, enum=["csv", "xlsx"], default="xlsx"),
        ],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The catalogue, import format.")},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """One agreement's catalogue (the lines this user may see) as CSV or XLSX, in the import format."""
        agreement = get_object_or_404(
            tender_selectors.agreements_for(request.user), pk=request.query_params.get("agreement") or 0
        )
        items = self.get_queryset().filter(agreement=agreement)
        kind = request.query_params.get("as", "xlsx")
        if kind == "csv":
            content, content_type = exports.to_csv(items), "text/csv; charset=utf-8"
        elif kind == "xlsx":
            content = exports.to_xlsx(items)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise serializers.ValidationError({"as": "csv or xlsx"})
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"catalogue-{agreement.reference}.{kind}"
        )
        return response


class PriceListImportViewSet(
    IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Price-list imports: upload (the dry run), then apply; a supplier's upload is a proposal for IMIO."""

    serializer_class = s.PriceListImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["agreement", "supplier", "status", "mode"]
    ordering_fields = ["uploaded_at"]
    permission_map = {
        "list": (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE),
        "retrieve": (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE),
        "create": (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE),
        "apply": (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE),
        "approve": Perm.CATALOG_MANAGE,
        "reject": Perm.CATALOG_MANAGE,
    }

    def get_queryset(self):
        return selectors.imports_for(self.request.user)

    @extend_schema(
        request={"multipart/form-data": s.ImportInputSerializer}, responses={201: s.PriceListImportSerializer}
    )
    def create(self, request):
        """Upload a price list (XLSX or CSV): answers with its dry run. ``Idempotency-Key`` supported."""
        payload = s.ImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        agreement = data.pop("agreement")
        if not tender_selectors.agreements_for(request.user).filter(pk=agreement.pk).exists():
            raise serializers.ValidationError({"agreement": "Unknown agreement."})
        return self.idempotent(request, lambda: services.import_upload(actor=request.user, agreement=agreement, **data))

    def _respond(self, price_import):
        return Response(self.get_serializer(price_import).data)

    @extend_schema(request=s.ApplyInputSerializer, responses=s.PriceListImportSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """All or nothing; ``valid_rows_only`` (IMIO) applies the valid rows of a file with errors."""
        payload = s.ApplyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        price_import = services.import_apply(
            actor=request.user, price_import=self.get_object(), **payload.validated_data
        )
        return self._respond(price_import)

    @extend_schema(request=None, responses=s.PriceListImportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """IMIO approves a supplier's proposal (under the revision clause): its prices are applied."""
        return self._respond(services.import_approve(actor=request.user, price_import=self.get_object()))

    @extend_schema(request=ReasonInputSerializer, responses=s.PriceListImportSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        payload = ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.import_reject(actor=request.user, price_import=self.get_object(), **payload.validated_data)
        )


class PriceRevisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Price revisions of agreements: indexation by a percentage or a formula, from a date."""

    serializer_class = s.PriceRevisionSerializer
    filterset_fields = ["agreement", "kind"]
    ordering_fields = ["effective_date"]
    permission_map = {
        "list": (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE),
        "retrieve": (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE),
        "create": Perm.CATALOG_MANAGE,
    }

    def get_queryset(self):
        return selectors.revisions_for(self.request.user)

    @extend_schema(request=s.RevisionInputSerializer, responses={201: s.PriceRevisionSerializer})
    def create(self, request):
        payload = s.RevisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        revision = services.revision_create(actor=request.user, **payload.validated_data)
        return Response(self.get_serializer(revision).data, status=status.HTTP_201_CREATED)
