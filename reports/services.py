"""Running reports: parameters checked, results rendered, large exports handed to a worker.

Reading a report changes nothing; asking for a background export creates a
:class:`ReportExport` (audited), which a Celery worker builds with progress and keeps for
``REPORT_EXPORT_KEPT_HOURS``.
"""

from __future__ import annotations

import datetime
import logging
import os
import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.members.acting import Acting
from reports import formats
from reports.base import Report, Result
from reports.models import ExportStatus, ReportExport
from reports.scope import Viewer, viewer_of

logger = logging.getLogger(__name__)
FILE_FORMATS = ("csv", "xlsx", "pdf")
OPTION_NAMES = frozenset({"format", "dialect", "table", "page", "csrfmiddlewaretoken"})


def parameters(report: Report, viewer: Viewer, data) -> dict:
    """The report's parameters from query data, checked: a ValidationError names each bad one."""
    form = report.form(viewer, data)
    if not form.is_valid():
        raise ValidationError(
            {field: [error["message"] for error in errors] for field, errors in form.errors.get_json_data().items()}
        )
    params = dict(form.cleaned_data)
    params["_described"] = form.described()
    return params


def check_format(report: Report, fmt: str, dialect: str = "be", table: str | None = None) -> None:
    if fmt not in report.formats:
        raise ValidationError({"format": _("This report is not available as %(format)s.") % {"format": fmt}})
    if dialect not in formats.DIALECTS:
        raise ValidationError({"dialect": _("Choose the CSV dialect “be” or “rfc4180”.")})
    if table and table not in report.tables:
        raise ValidationError({"table": _("This report has no table “%(table)s”.") % {"table": table}})


def in_background(report: Report, viewer: Viewer, params: dict, fmt: str) -> bool:
    """Large exports go to a worker: many rows, or a PDF of many pages. JSON is answered at once,
    so a JSON of too many rows is refused (the files hold them)."""
    size = report.estimate(viewer, params)
    if fmt not in FILE_FORMATS:
        if size.rows > settings.REPORT_INLINE_ROWS:
            raise DomainError(
                _(
                    "This report has about %(rows)s rows, more than %(limit)s in JSON: narrow the period or the "
                    "filters, or export it as CSV or XLSX."
                )
                % {"rows": size.rows, "limit": settings.REPORT_INLINE_ROWS},
                code="report_too_long",
            )
        return False
    if fmt == "pdf":
        if size.pages > settings.REPORT_PDF_MAX_PAGES:
            raise DomainError(
                _(
                    "This PDF would have about %(pages)s pages, more than %(limit)s: narrow the period or the "
                    "filters, or export it as CSV or XLSX."
                )
                % {"pages": size.pages, "limit": settings.REPORT_PDF_MAX_PAGES},
                code="report_too_long",
            )
        return size.pages > settings.REPORT_INLINE_PDF_PAGES
    return size.rows > settings.REPORT_INLINE_ROWS


def render(report: Report, result: Result, fmt: str, *, dialect: str = "be", table: str | None = None) -> bytes:
    if fmt == "csv":
        return formats.to_csv(result, table=table, dialect=dialect)
    if fmt == "xlsx":
        return formats.to_xlsx(result)
    if fmt == "pdf":
        return formats.to_pdf(result, report.pdf_template)
    raise ValueError(fmt)


def check_table(result: Result, table: str | None) -> None:
    if table and table not in {t.key for t in result.tables}:
        raise ValidationError({"table": _("This report has no table “%(table)s”.") % {"table": table}})


# --- Background exports ------------------------------------------------------------------------


def raw_parameters(data) -> dict[str, list[str]]:
    """Query data without the format options, as lists of strings (stored with an export)."""
    lists = (
        data.lists() if hasattr(data, "lists") else ((k, v if isinstance(v, list) else [v]) for k, v in data.items())
    )
    return {name: [str(value) for value in values] for name, values in lists if name not in OPTION_NAMES}


def query_string(data) -> str:
    """The report's parameters as a query string, without the format options."""
    return urlencode([(name, value) for name, values in raw_parameters(data).items() for value in values])


@transaction.atomic
def export_request(
    *, actor, viewer: Viewer, report: Report, data, fmt: str, dialect: str = "be", table: str = ""
) -> ReportExport:
    """Queue ``report`` in ``fmt`` for a worker; the parameters were checked by the caller."""
    export = ReportExport.objects.create(
        report=report.identifier,
        format=fmt,
        parameters={
            "query": raw_parameters(data),
            "dialect": dialect,
            "table": table,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
        requested_by=actor,
        organization=viewer.organization,
    )
    audit.record(
        actor=actor,
        action="report.export_requested",
        target=export,
        data={"report": report.identifier, "format": fmt, "parameters": export.parameters["query"]},
        organizations=[viewer.organization.pk],
    )
    from reports.tasks import build_export

    transaction.on_commit(lambda: build_export.delay(str(export.pk)))
    return export


def _progress(export: ReportExport):
    last = {"at": 0.0}

    def report_progress(done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if now - last["at"] < 0.5 and done < total:
            return
        last["at"] = now
        ReportExport.objects.filter(pk=export.pk).update(progress_done=done, progress_total=max(total, 1))

    return report_progress


def export_build(export_id: str) -> ReportExport:
    """Build a queued export (in a worker): its viewer is the requester in the organisation it acted for."""
    from reports.registry import get

    export = ReportExport.objects.select_related("requested_by", "organization").get(pk=export_id)
    if export.status != ExportStatus.QUEUED:
        return export
    ReportExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    options = export.parameters
    with translation.override(options.get("language") or settings.LANGUAGE_CODE):
        try:
            path, rows = _build_file(export, get(export.report), options)
        except (ValidationError, DomainError, PermissionError) as error:
            return _failed(export, error)
        except Exception as error:  # a worker must record the failure for the person waiting
            logger.exception("Report export %s failed", export.pk)
            return _failed(export, error)
    try:
        with open(path, "rb") as handle:
            export.file.save(export.filename, File(handle), save=False)
    finally:
        os.unlink(path)
    export.status = ExportStatus.DONE
    export.rows = rows
    export.size = export.file.size
    export.finished_at = timezone.now()
    export.expires_at = export.finished_at + datetime.timedelta(hours=settings.REPORT_EXPORT_KEPT_HOURS)
    reported = ReportExport.objects.filter(pk=export.pk).values_list("progress_total", flat=True).first()
    export.progress_done = export.progress_total = max(reported or 0, 1)
    export.save()
    return export


def _build_file(export: ReportExport, report: Report | None, options: dict) -> tuple[str, int]:
    user = export.requested_by
    user.active_organization_id = export.organization_id
    user.acting = Acting.for_user(user)
    viewer = viewer_of(user)
    if (
        report is None
        or viewer is None
        or viewer.organization.pk != export.organization_id
        or not report.allows(viewer)
    ):
        raise PermissionError(_("You may no longer run this report for this organisation."))
    params = parameters(report, viewer, MultiValueDict(options.get("query") or {}))
    progress, steps = _progress(export), {"total": 0}

    def building(done: int, total: int) -> None:
        steps["total"] = total
        progress(done, total + 1)  # writing the file is the last step (a PDF: most of the time)

    result = report.build(viewer, params, progress=building)
    ReportExport.objects.filter(pk=export.pk).update(progress_done=steps["total"], progress_total=steps["total"] + 1)
    check_table(result, options.get("table"))
    export.filename = report.filename(params, formats.EXTENSIONS[export.format])
    handle = tempfile.NamedTemporaryFile(suffix=f".{export.format}", delete=False)  # noqa: SIM115 — saved, then removed
    with handle:
        if export.format == "csv":
            table = result.table(options["table"]) if options.get("table") else result.tables[0]
            rows = formats.write_csv(table, handle, dialect=options.get("dialect") or "be")
        elif export.format == "xlsx":
            formats.write_xlsx(result, handle)
            rows = sum(table.size or 0 for table in result.tables)
        else:
            handle.write(formats.to_pdf(result, report.pdf_template))
            rows = sum(table.size or 0 for table in result.tables)
    return handle.name, rows


def _failed(export: ReportExport, error: Exception) -> ReportExport:
    if isinstance(error, ValidationError):
        message = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    elif isinstance(error, DomainError | PermissionError):
        message = str(error)
    else:
        message = _("The export could not be built. The platform's team has been told.")
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def export_file(export: ReportExport) -> FileResponse:
    """The built file of an export, as a download."""
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=formats.CONTENT_TYPES[export.format],
    )


def exports_purge(now: datetime.datetime | None = None) -> int:
    """Delete expired exports and their files."""
    expired = list(ReportExport.objects.filter(expires_at__lt=now or timezone.now()))
    for export in expired:
        if export.file:
            export.file.delete(save=False)
    return ReportExport.objects.filter(pk__in=[export.pk for export in expired]).delete()[0]
