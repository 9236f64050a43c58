"""OCDS through the API, for anyone (no sign-in): ``ocds/releases/`` and ``ocds/records/``.

Both page with a cursor (``links.next`` in the package), never with counts: a page is a
number of contracting processes (``page_size``, 100 by default, 200 at most), with all their
releases (or their records).
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from reports import public
from reports.ocds import packages, processes
from tenders.models import Tender

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200


def parse_since(raw: str | None) -> datetime.datetime | None:
    """``?since=2026-01-31`` (the start of that day in Brussels) or a date-time with its offset."""
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"since": [_("Enter a date (2026-01-31) or a date and time (2026-01-31T12:00:00Z).")]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def find_tender(raw: str | None) -> Tender | None:
    """``?tender=`` by reference (``IMIO-2026-001``) or id; only a published tender is found."""
    if not raw:
        return None
    tenders = public.tenders()
    tender = tenders.filter(reference=raw).first()
    if tender is None and raw.isdigit() and len(raw) < 19:
        tender = tenders.filter(pk=int(raw)).first()
    if tender is None:
        raise Http404(_("No published tender has this reference or id."))
    return tender


def page_size(raw: str | None) -> int:
    if not raw:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [_("Enter a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}]})
    return int(raw)


def cursor(raw: str | None) -> tuple[int, int]:
    parsed = processes.parse_cursor(raw)
    if parsed is None:
        raise ValidationError({"cursor": [_("This cursor is not one this service gave.")]})
    return parsed


def json_response(data: dict, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(packages.dumps(data), content_type="application/json")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class OcdsView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def next_url(self, request, next_cursor: str | None) -> str | None:
        if next_cursor is None:
            return None
        query = {key: value for key, value in request.query_params.items() if key != "cursor"}
        query["cursor"] = next_cursor
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    def page(self, request, since: datetime.datetime | None = None) -> processes.Page:
        params = request.query_params
        return processes.page(
            size=page_size(params.get("page_size")),
            cursor=cursor(params.get("cursor")),
            since=since,
            tender=find_tender(params.get("tender")),
        )


COMMON_PARAMETERS = [
    OpenApiParameter("since", str, description="Releases dated from this date or date-time (ISO 8601)."),
    OpenApiParameter("tender", str, description="One tender's process and its call-offs: reference or id."),
    OpenApiParameter("page_size", int, description="Contracting processes per page (1–200, 100 by default)."),
    OpenApiParameter("cursor", str, description="Where the next page starts: follow the package's links.next."),
]


class ReleasePackageView(OcdsView):
    """OCDS 1.1 release package: each stage of each published contracting process."""

    @extend_schema(operation_id="ocds_releases", parameters=COMMON_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        since = parse_since(request.query_params.get("since"))
        page = self.page(request, since)
        package = packages.release_package(
            processes.page_releases(page.processes, since),
            uri=request.build_absolute_uri(),
            next_url=self.next_url(request, page.next_cursor),
        )
        return json_response(package)


class RecordPackageView(OcdsView):
    """OCDS 1.1 record package: per contracting process, its releases and the compiled release."""

    @extend_schema(
        operation_id="ocds_records",
        parameters=[OpenApiParameter("ocid", str, description="One contracting process."), *COMMON_PARAMETERS],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        ocid = request.query_params.get("ocid")
        if ocid:
            found = processes.find(ocid)
            if found is None:
                raise Http404(_("No published contracting process has this ocid."))
            chosen, next_url = [found], None
        else:
            page = self.page(request, parse_since(request.query_params.get("since")))
            chosen, next_url = page.processes, self.next_url(request, page.next_cursor)
        return json_response(processes.record_package(chosen, uri=request.build_absolute_uri(), next_url=next_url))
