"""Report pages: the list of reports, one report with its filters and charts, its exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from procurement.core.errors import DomainError
from reports import formats, selectors, services
from reports.models import ExportStatus
from reports.registry import get, reports_for
from reports.scope import viewer_of

HTML_ROWS = 500  # rows of one table shown on a page; the exports hold them all
REFRESH_SECONDS = 2
RECENT_EXPORTS = 10


class ViewerMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.viewer = viewer_of(request.user)
        if self.viewer is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def report_or_404(self, identifier: str):
        report = get(identifier)
        if report is None:
            raise Http404
        if not report.allows(self.viewer):
            raise PermissionDenied
        return report


class ReportIndexView(ViewerMixin, TemplateView):
    template_name = "reports/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            reports=reports_for(self.viewer),
            exports=selectors.exports_for(self.request.user)[:RECENT_EXPORTS],
        )


class ReportPageView(ViewerMixin, View):
    """The report on screen: filters, headline figures, charts, tables (the first rows of long ones)."""

    def get(self, request, identifier: str):
        report = self.report_or_404(identifier)
        form = report.form(self.viewer, request.GET)
        result = None
        if form.is_valid():
            params = dict(form.cleaned_data, _described=form.described(), _limit=HTML_ROWS)
            result = report.build(self.viewer, params)
            for table in result.tables:  # long tables: their first rows (totals stay those of all)
                rows = table.rows if isinstance(table.rows, list) else list(table.rows)
                table.size = max(table.size or 0, len(rows))
                table.rows = rows[:HTML_ROWS]
        return render(
            request,
            "reports/page.html",
            {
                "report": report,
                "form": form,
                "result": result,
                "formats": [fmt for fmt in report.formats if fmt in services.FILE_FORMATS],
            },
        )


class ReportDownloadView(ViewerMixin, View):
    """A report as a file: at once when small, through a background export when large."""

    def get(self, request, identifier: str):
        report = self.report_or_404(identifier)
        fmt = request.GET.get("format", "xlsx")
        dialect = request.GET.get("dialect", "be")
        table = request.GET.get("table") or None
        query = services.query_string(request.GET)
        page = redirect(f"{reverse('report', args=[identifier])}{'?' + query if query else ''}")
        try:
            if fmt not in services.FILE_FORMATS:
                raise ValidationError({"format": _("Choose CSV, XLSX or PDF.")})
            services.check_format(report, fmt, dialect, table)
            params = services.parameters(report, self.viewer, request.GET)
            if services.in_background(report, self.viewer, params, fmt):
                export = services.export_request(
                    actor=request.user,
                    viewer=self.viewer,
                    report=report,
                    data=request.GET,
                    fmt=fmt,
                    dialect=dialect,
                    table=table or "",
                )
                return redirect("report_export", pk=export.pk)
            result = report.build(self.viewer, params)
            services.check_table(result, table)
            content = services.render(report, result, fmt, dialect=dialect, table=table)
        except ValidationError as error:
            for messages_of_field in error.message_dict.values():
                for message in messages_of_field:
                    messages.error(request, message)
            return page
        except DomainError as error:
            messages.error(request, str(error.message))
            return page
        response = HttpResponse(content, content_type=formats.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{report.filename(params, fmt)}"'
        return response


class ExportDetailView(ViewerMixin, View):
    def get(self, request, pk):
        export = selectors.export_of(request.user, pk)
        report = get(export.report)
        response = render(request, "reports/export.html", {"export": export, "report": report})
        if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            response["Refresh"] = str(REFRESH_SECONDS)  # the page reloads itself until the file is ready
        return response


class ExportDownloadView(ViewerMixin, View):
    def get(self, request, pk):
        export = selectors.export_of(request.user, pk, ready=True)
        return services.export_file(export)
