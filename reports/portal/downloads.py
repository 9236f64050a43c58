"""Files of the portal: a tender's public documents and the OCDS record of one process."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views import View

from reports import public
from reports.api.ocds import json_response
from reports.ocds import processes
from reports.ocds.releases import Kind


class DocumentView(View):
    """Specifications, annexes and addenda of a published tender; never records or reports."""

    def get(self, request, pk, document_pk):
        tender = get_object_or_404(public.tenders(), pk=pk)
        document = get_object_or_404(public.documents(tender), pk=document_pk)
        filename = document.file.name.rsplit("/", 1)[-1]
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)


class TenderOcdsView(View):
    """The OCDS record package of a tender's process, as a file (``<ocid>.json``)."""

    def get(self, request, pk):
        source = processes.SOURCES[Kind.TENDER]
        tender = get_object_or_404(source.queryset(), pk=pk)
        ocid = source.ocid(tender)
        uri = request.build_absolute_uri()
        return json_response(processes.record_package([(source, tender)], uri=uri), filename=f"{ocid}.json")
