"""``manage.py export_ocds [--since DATE] [--tender REF] [--output FILE]``: one OCDS release
package of every published contracting process, streamed (constant memory however many)."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.http import urlencode
from rest_framework.exceptions import ValidationError

from reports.api.ocds import find_tender, parse_since
from reports.ocds import packages, processes


class Command(BaseCommand):
    help = "Write an OCDS 1.1 release package of the published contracting processes."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only the releases dated from this date (2026-01-31) or date-time.")
        parser.add_argument("--tender", help="Only this tender's process and its call-offs (reference or id).")
        parser.add_argument("--output", "-o", default="-", help="The file to write (standard output by default).")

    def handle(self, *args, since=None, tender=None, output="-", **options):
        try:
            moment = parse_since(since)
            chosen = find_tender(tender)
        except ValidationError as error:
            raise CommandError(" ".join(str(message) for message in error.detail["since"])) from error
        except Http404 as error:
            raise CommandError(str(error)) from error
        query = {key: value for key, value in (("since", since), ("tender", tender)) if value}
        uri = f"{settings.SITE_URL}/api/v1/ocds/releases/" + (f"?{urlencode(query)}" if query else "")
        started = time.monotonic()
        target = nullcontext(sys.stdout) if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        with target as out:
            count = packages.write_release_package(out, processes.stream(since=moment, tender=chosen), uri=uri)
        self.stderr.write(f"{count} releases written in {time.monotonic() - started:.1f} s.")
