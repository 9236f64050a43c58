"""Background exports: a large register or a long PDF is handed to a worker (Celery runs eagerly
in the tests, once the request's transaction commits), followed with its progress, downloaded by
the person who asked for it only, forgotten once expired; a PDF too long is refused."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement.core.models import AuditEntry
from procurement.members.models import RoleAssignment, User
from reports import services
from reports.models import ExportStatus, ReportExport
from tests.api.conftest import client_for
from tests.reports.fixtures_api import COUNTED, OF_A, build_world

pytestmark = pytest.mark.django_db
LINES = 8  # order lines of the counted orders of the report world


@pytest.fixture
def report_world(db):
    return build_world()


@pytest.fixture
def small_inline(settings):
    """More than five rows go to the background."""
    settings.REPORT_INLINE_ROWS = 5
    return settings


def content_of(response) -> bytes:
    """A file response's bytes (reading them to the end closes the file, as the test client wraps it)."""
    return b"".join(response.streaming_content)


def ask(client, identifier, on_commit, **params):
    """GET a report through the API; the export (if any) is built when the request's transaction commits."""
    with on_commit(execute=True) as callbacks:
        response = client.get(f"/api/v1/reports/{identifier}/", params, HTTP_ACCEPT_LANGUAGE="en")
    return response, callbacks


def test_the_progress_stays_short_of_100_until_the_file_is_written(
    report_world, small_inline, django_capture_on_commit_callbacks, monkeypatch
):
    # given an export whose file is being written (a PDF's rendering: most of a long build)
    seen = []
    write_csv = services.formats.write_csv

    def writing(*args, **kwargs):
        export = ReportExport.objects.get()
        seen.append((export.status, export.progress_done, export.progress_total))
        return write_csv(*args, **kwargs)

    monkeypatch.setattr(services.formats, "write_csv", writing)
    client = client_for(report_world.users["imio_finance"])

    # when the worker builds it
    response, _callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="csv")

    # then while the file was written, the report's steps were counted done (the register has
    # none) but not the file: short of 100 %
    assert seen == [(ExportStatus.RUNNING, 0, 1)]
    # and once written, 100 %
    assert client.get(response.json()["url"]).json()["progress"] == 100


def test_a_large_register_goes_to_the_background_and_is_downloaded_when_done(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    # given IMIO's finance and a register of 8 lines, more than the 5 rows built at once
    client = client_for(report_world.users["imio_finance"])

    # when it asks for the register as CSV
    response, callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="csv", dialect="rfc4180")

    # then the API accepts the work and says where to follow it
    assert response.status_code == 202
    accepted = response.json()
    export = ReportExport.objects.get()
    url = f"http://testserver/api/v1/reports/exports/{export.pk}/"
    assert accepted == {
        "id": str(export.pk),
        "report": "register",
        "format": "csv",
        "status": "queued",
        "progress": 0,
        "rows": 0,
        "error": "",
        "created_at": export.created_at.isoformat(),
        "expires_at": None,
        "url": url,
        "download": None,
    }
    assert response["Location"] == url
    assert len(callbacks) == 1
    # and once the worker ran, the export is done with every line
    done = client.get(url).json()
    assert (done["status"], done["progress"], done["rows"]) == ("done", 100, LINES)
    assert done["download"] == f"{url}download/"
    export.refresh_from_db()
    assert export.expires_at == export.finished_at + datetime.timedelta(hours=72)
    assert export.parameters == {"query": {}, "dialect": "rfc4180", "table": "", "language": "en"}
    download = client.get(done["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    stamp = timezone.localdate().isoformat()
    assert download["Content-Disposition"] == f'attachment; filename="register-{stamp}.csv"'
    lines = content_of(download).decode("utf-8").splitlines()
    assert lines[0].startswith("Order number,Status,Created on,Approved on,Sent on,Member,")
    assert len(lines) == 1 + LINES
    numbers = {report_world.orders[key].number for key in COUNTED}
    assert {line.split(",")[0] for line in lines[1:]} == numbers


def test_a_background_xlsx_holds_every_line_and_the_totals(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    client = client_for(report_world.users["imio_finance"])

    response, _callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="xlsx")

    assert response.status_code == 202
    done = client.get(response["Location"]).json()
    assert (done["status"], done["rows"]) == ("done", LINES)
    download = client.get(done["download"])
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(content_of(download))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + LINES + 1  # header, lines, totals
    assert rows[-1][0] == "Total"
    totals = report_world.totals(report_world.counted(*COUNTED))
    assert [f"{value:.2f}" for value in rows[-1][-3:]] == [totals["net"], totals["vat"], totals["gross"]]


def test_a_register_within_the_limit_is_answered_at_once(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    # A's register has 4 lines, fewer than 5
    client = client_for(report_world.users["finance_a"])

    response, callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="csv")

    assert response.status_code == 200
    assert len(response.content.decode("utf-8-sig").splitlines()) == 1 + report_world.lines_of(*OF_A)
    assert callbacks == []
    assert not ReportExport.objects.exists()


def test_asking_for_an_export_is_audited(report_world, small_inline, django_capture_on_commit_callbacks):
    w = report_world
    client = client_for(w.users["imio_finance"])

    response, _callbacks = ask(
        client, "register", django_capture_on_commit_callbacks, format="csv", status="sent", member_kind="commune"
    )

    export = ReportExport.objects.get(pk=response.json()["id"])
    [entry] = AuditEntry.objects.filter(action="report.export_requested")
    assert (entry.actor, entry.object_id) == (w.users["imio_finance"], str(export.pk))
    assert entry.data == {
        "report": "register",
        "format": "csv",
        "parameters": {"status": ["sent"], "member_kind": ["commune"]},
    }
    # the export keeps the filters: the lines of the orders sent, B's approved one left out
    done = client.get(response["Location"]).json()
    assert done["rows"] == w.lines_of("a1_sent", "a2_sent", "b1_sent", "b2_sent") == LINES - 1


def test_nobody_else_reads_an_export_not_even_a_colleague(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    w = report_world
    response, _callbacks = ask(
        client_for(w.users["imio_finance"]), "register", django_capture_on_commit_callbacks, format="csv"
    )
    export_id = response.json()["id"]
    api_paths = [f"/api/v1/reports/exports/{export_id}/", f"/api/v1/reports/exports/{export_id}/download/"]
    web_paths = [reverse("report_export", args=[export_id]), reverse("report_export_download", args=[export_id])]

    # a colleague of IMIO, a member's finance, a supplier and an observer: 404
    for role in ("imio_buyer", "imio_admin", "finance_a", "supplier_1", "observer"):
        client = client_for(w.users[role])
        for path in api_paths:
            assert client.get(path).status_code == 404, (role, path)
    # on the pages too
    from django.test import Client

    for role in ("imio_buyer", "finance_a"):
        browser = Client()
        browser.force_login(w.users[role])
        for path in web_paths:
            assert browser.get(path).status_code == 404, (role, path)
    # an officer holds no report permission: 403
    assert client_for(w.users["officer_a"]).get(api_paths[0]).status_code == 403
    # an unknown id: 404
    assert client_for(w.users["imio_finance"]).get("/api/v1/reports/exports/not-a-uuid/").status_code == 404


def test_an_export_is_not_read_for_another_organisation_of_its_requester(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    # given a finance officer of IMIO who is also finance in commune A, and an export asked for IMIO
    w = report_world
    user = w.users["imio_finance"]
    RoleAssignment.objects.create(user=user, organization=w.commune_a, role="finance")
    response, _callbacks = ask(client_for(user), "register", django_capture_on_commit_callbacks, format="csv")
    export_id = response.json()["id"]

    # when it acts for the commune
    user.active_organization = w.commune_a
    user.save(update_fields=["active_organization"])
    in_commune = client_for(User.objects.get(pk=user.pk))

    # then IMIO's export is not its to read there
    assert in_commune.get(f"/api/v1/reports/exports/{export_id}/").status_code == 404
    assert in_commune.get(f"/api/v1/reports/exports/{export_id}/download/").status_code == 404


def test_an_expired_export_is_no_longer_downloaded_and_is_purged(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    w = report_world
    client = client_for(w.users["imio_finance"])
    response, _callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="csv")
    export = ReportExport.objects.get(pk=response.json()["id"])
    name = export.file.name
    assert default_storage.exists(name)
    kept = ReportExport.objects.create(
        report="spend",
        format="csv",
        requested_by=w.users["imio_finance"],
        organization=w.imio,
        status=ExportStatus.DONE,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    kept.file.save("spend.csv", ContentFile(b"Member\r\n"))

    # when its time is over
    export.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    export.save(update_fields=["expires_at"])

    # then its download answers 404, through the API and the page alike
    assert client.get(f"/api/v1/reports/exports/{export.pk}/download/").status_code == 404
    from django.test import Client

    browser = Client()
    browser.force_login(w.users["imio_finance"])
    assert browser.get(reverse("report_export_download", args=[export.pk])).status_code == 404
    # and the purge deletes it with its file, leaving the export still kept
    assert services.exports_purge() == 1
    assert list(ReportExport.objects.all()) == [kept]
    assert not default_storage.exists(name)
    assert default_storage.exists(kept.file.name)


def test_a_pdf_too_long_is_refused_with_409(report_world, settings, django_capture_on_commit_callbacks):
    # a statement is estimated at three pages at least
    settings.REPORT_PDF_MAX_PAGES = 2
    w = report_world
    client = client_for(w.users["imio_finance"])

    response, callbacks = ask(
        client, "statement", django_capture_on_commit_callbacks, member=w.commune_b.pk, format="pdf"
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "report_too_long"
    assert body["detail"] == (
        "This PDF would have about 3 pages, more than 2: narrow the period or the filters, or export it as CSV or XLSX."
    )
    assert callbacks == []
    assert not ReportExport.objects.exists()
    assert not AuditEntry.objects.filter(action="report.export_requested").exists()
    # the same statement as XLSX is answered at once
    assert (
        ask(client, "statement", django_capture_on_commit_callbacks, member=w.commune_b.pk, format="xlsx")[
            0
        ].status_code
        == 200
    )


def test_a_pdf_longer_than_the_inline_pages_is_built_in_the_background(
    report_world, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_INLINE_PDF_PAGES = 0
    client = client_for(report_world.users["imio_finance"])

    response, _callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="pdf")

    assert response.status_code == 202
    done = client.get(response["Location"]).json()
    assert (done["status"], done["format"], done["rows"]) == ("done", "pdf", LINES)
    download = client.get(done["download"])
    assert download["Content-Type"] == "application/pdf"
    assert content_of(download).startswith(b"%PDF")


def test_an_export_whose_requester_lost_the_right_fails_with_the_reason(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    # given an export queued by IMIO's finance, whose role is withdrawn before the worker runs
    w = report_world
    user = w.users["imio_finance"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(user).get("/api/v1/reports/register/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    RoleAssignment.objects.filter(user=user).delete()

    # when the worker runs
    for callback in callbacks:
        callback()

    # then the export failed, with the reason, and has no file
    export = ReportExport.objects.get(pk=response.json()["id"])
    assert (export.status, export.error) == (
        ExportStatus.FAILED,
        "You may no longer run this report for this organisation.",
    )
    assert not export.file


def test_an_unknown_table_answers_400_even_when_the_export_would_go_to_the_background(
    report_world, small_inline, django_capture_on_commit_callbacks
):
    client = client_for(report_world.users["imio_finance"])

    response, _callbacks = ask(client, "register", django_capture_on_commit_callbacks, format="csv", table="nonsense")

    assert (response.status_code, response.json()) == (400, {"table": ["This report has no table “nonsense”."]})


# --- The pages ------------------------------------------------------------------------------


def test_the_download_page_hands_a_large_register_to_a_worker_and_shows_its_progress(
    report_world, small_inline, django_capture_on_commit_callbacks, client, settings
):
    # given IMIO's finance signed in, the pages in English
    client.force_login(report_world.users["imio_finance"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # when it downloads the register as XLSX
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("report_download", args=["register"]), {"format": "xlsx"})

    # then it is sent to the export's page, which shows the progress and refreshes itself
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response.url == f"/reports/exports/{export.pk}/"
    waiting = client.get(response.url)
    assert waiting.status_code == 200
    assert waiting["Refresh"] == "2"
    html = waiting.content.decode()
    assert '<progress id="export-progress" value="0" max="100">' in html
    assert reverse("report_export_download", args=[export.pk]) not in html
    # and once the worker ran, the page offers the file and no longer refreshes
    for callback in callbacks:
        callback()
    ready = client.get(response.url)
    assert not ready.has_header("Refresh")
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    html = ready.content.decode()
    assert f'href="{reverse("report_export_download", args=[export.pk])}"' in html
    assert f"Download {export.filename}" in html
    download = client.get(reverse("report_export_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    rows = list(load_workbook(io.BytesIO(content_of(download))).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + LINES + 1
    # the reports' page lists it among the recent exports
    index = client.get(reverse("reports")).content.decode()
    assert f'href="{reverse("report_export", args=[export.pk])}"' in index


def test_a_pdf_too_long_sends_back_to_the_report_with_the_reason(report_world, settings, client):
    settings.REPORT_PDF_MAX_PAGES = 2
    w = report_world
    client.force_login(w.users["imio_finance"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("report_download", args=["statement"]), {"member": w.commune_b.pk, "format": "pdf"})

    assert response.status_code == 302
    assert response.url == f"{reverse('report', args=['statement'])}?member={w.commune_b.pk}"
    page = client.get(response.url)
    assert "This PDF would have about 3 pages, more than 2" in page.content.decode()
    assert not ReportExport.objects.exists()


def test_a_json_of_too_many_rows_is_refused_with_409(report_world, small_inline):
    # given a register of 8 lines, more than the 5 rows answered at once
    client = client_for(report_world.users["imio_finance"])

    # when it is asked as JSON
    response = client.get("/api/v1/reports/register/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")

    # then JSON, answered at once, refuses it and points to the files
    assert response.status_code == 409
    assert response.json()["code"] == "report_too_long"
    assert "CSV or XLSX" in response.json()["detail"]
