"""Release and record packages: their metadata, records compiled from releases, and JSON.

Amounts stay ``Decimal`` to the last character: ``simplejson`` writes them as JSON numbers
(``12345.67``) without a detour through floating point.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import simplejson
from django.conf import settings
from django.utils import timezone

from reports.ocds import schema
from reports.ocds.releases import BCE_SCHEME, ocds_datetime
from reports.public import central_purchasing_body


def dumps(data, *, indent: int | None = None) -> str:
    return simplejson.dumps(data, use_decimal=True, ensure_ascii=False, indent=indent)


def metadata(uri: str, dates: Iterable[str] = ()) -> dict:
    """What every package says about itself. Generated on demand, its ``publishedDate`` is the
    date of its newest release (the last change to its contents), or now when it is empty."""
    imio = central_purchasing_body()
    publisher = {"name": imio.name if imio else settings.OCDS_PUBLISHER_NAME}
    if imio and imio.enterprise_number:
        publisher |= {"scheme": BCE_SCHEME, "uid": imio.enterprise_number}
    return {
        "uri": uri,
        "version": schema.VERSION,
        "extensions": list(schema.EXTENSION_URLS),
        "publishedDate": max(dates, default=None) or ocds_datetime(timezone.now()),
        "publisher": publisher,
        "license": settings.OCDS_LICENSE,
        "publicationPolicy": settings.OCDS_PUBLICATION_POLICY,
    }


def release_package(releases: list[dict], *, uri: str, next_url: str | None = None) -> dict:
    package = metadata(uri, (release["date"] for release in releases)) | {"releases": releases}
    if next_url:
        package["links"] = {"next": next_url}
    return package


def compiled(releases: list[dict]) -> dict:
    """The current state of a process: its releases merged by the OCDS merge rules."""
    return schema.merger().create_compiled_release(releases)


def record(ocid: str, releases: list[dict]) -> dict:
    ordered = sorted(releases, key=lambda release: release["date"])
    return {"ocid": ocid, "releases": ordered, "compiledRelease": compiled(ordered)}


def record_package(records: list[dict], *, uri: str, next_url: str | None = None) -> dict:
    dates = (release["date"] for record_ in records for release in record_["releases"])
    package = metadata(uri, dates) | {"records": records}
    if next_url:
        package["links"] = {"next": next_url}
    return package


def write_release_package(out: IO[str], releases: Iterable[dict], *, uri: str) -> int:
    """Stream a release package to ``out``, one release at a time; returns how many were written.

    The package's ``publishedDate`` is the export's time: it is written before the releases
    are known."""
    head = metadata(uri)
    head["publishedDate"] = ocds_datetime(timezone.now())
    opening = dumps(head, indent=None)
    out.write(opening[:-1] + ', "releases": [\n')
    count = 0
    for release in releases:
        if count:
            out.write(",\n")
        out.write(dumps(release))
        count += 1
    out.write("\n]}\n")
    return count
