"""Reports through the API: ``reports/`` lists what the user may run, ``reports/<identifier>/``
runs one (``?format=json|csv|xlsx|pdf``), ``reports/exports/<id>/`` follows a background export."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.core.permissions import Perm
from reports import formats, selectors, services
from reports.params import AgreementChoiceField, OrganizationChoiceField
from reports.registry import get, reports_for
from reports.scope import viewer_of


class FileRenderer(BaseRenderer):
    """Lets ``?format=csv|xlsx|pdf`` through content negotiation; the view answers with the file."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(FileRenderer):
    media_type = formats.CONTENT_TYPES["xlsx"]
    format = "xlsx"


class PDFRenderer(FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


def parameter_type(field) -> str:
    """What a parameter takes: an organisation's or an agreement's id, a list (repeated or comma-separated)…"""
    kinds = (
        (OrganizationChoiceField, "organization"),
        (AgreementChoiceField, "agreement"),
        (forms.MultipleChoiceField, "list"),
        (forms.ChoiceField, "choice"),
        (forms.DateField, "date"),
        (forms.BooleanField, "boolean"),
        (forms.IntegerField, "integer"),
    )
    return next((name for kind, name in kinds if isinstance(field, kind)), "text")


def describe(report, viewer) -> dict:
    form = report.form(viewer)
    parameters = []
    for name, field in form.fields.items():
        choices = getattr(field, "choices", None)
        described = {
            "name": name,
            "type": parameter_type(field),
            "label": str(field.label),
            "required": field.required,
        }
        if field.help_text:
            described["help"] = str(field.help_text)
        if choices is not None and not hasattr(field, "queryset"):
            described["choices"] = [{"value": value, "label": str(label)} for value, label in choices if value != ""]
        parameters.append(described)
    return {
        "identifier": report.identifier,
        "title": str(report.title),
        "description": str(report.description),
        "formats": list(report.formats),
        "parameters": parameters,
    }


def export_data(request, export) -> dict:
    data = {
        "id": str(export.pk),
        "report": export.report,
        "format": export.format,
        "status": export.status,
        "progress": export.percent,
        "rows": export.rows,
        "error": export.error,
        "created_at": export.created_at.isoformat(),
        "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        "url": request.build_absolute_uri(reverse("api:report-export", args=[export.pk])),
        "download": None,
    }
    if export.status == "done":
        data["download"] = request.build_absolute_uri(reverse("api:report-export-download", args=[export.pk]))
    return data


class ReportListView(APIView):
    permission_map = {"get": Perm.REPORT_VIEW}

    @extend_schema(operation_id="reports_list", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        viewer = viewer_of(request.user)
        return Response([describe(report, viewer) for report in reports_for(viewer)])


class ReportView(APIView):
    """One report, its parameters as query parameters."""

    permission_map = {"get": Perm.REPORT_VIEW}
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(
        operation_id="reports_run",
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx", "pdf"]),
            OpenApiParameter("dialect", str, enum=list(formats.DIALECTS), description="CSV: be (;) or rfc4180 (,)"),
            OpenApiParameter("table", str, description="CSV: which table of the report (the first by default)"),
        ],
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
    )
    def get(self, request, identifier: str):
        report = get(identifier)
        if report is None:
            raise Http404
        viewer = viewer_of(request.user)
        if not report.allows(viewer):
            raise PermissionDenied
        fmt = request.query_params.get("format", "json")
        dialect = request.query_params.get("dialect", "be")
        table = request.query_params.get("table") or None
        services.check_format(report, fmt, dialect, table)
        params = services.parameters(report, viewer, request.query_params)
        if services.in_background(report, viewer, params, fmt):
            export = services.export_request(
                actor=request.user,
                viewer=viewer,
                report=report,
                data=request.query_params,
                fmt=fmt,
                dialect=dialect,
                table=table or "",
            )
            export.refresh_from_db()
            data = export_data(request, export)
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
        result = report.build(viewer, params)
        services.check_table(result, table)
        if fmt == "json":
            return Response(formats.to_json(result, services.raw_parameters(request.query_params)))
        response = HttpResponse(
            services.render(report, result, fmt, dialect=dialect, table=table), content_type=formats.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{report.filename(params, fmt)}"'
        return response

    def perform_content_negotiation(self, request, force=False):
        # An unknown ?format= is answered by check_format (400 naming it), in JSON.
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            return JSONRenderer(), JSONRenderer.media_type

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever the format asked for.
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), FileRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class ReportExportView(APIView):
    permission_map = {"get": Perm.REPORT_VIEW}

    @extend_schema(operation_id="reports_exports_retrieve", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        return Response(export_data(request, selectors.export_of(request.user, pk)))


class ReportExportDownloadView(APIView):
    permission_map = {"get": Perm.REPORT_VIEW}
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(operation_id="reports_exports_download", responses={200: OpenApiTypes.BINARY})
    def get(self, request, pk):
        export = selectors.export_of(request.user, pk, ready=True)
        return services.export_file(export)
