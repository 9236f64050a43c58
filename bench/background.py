"""Background report: the annual report PDF built by a Celery worker while gunicorn answers the order list.

    DATABASE_URL=postgres://…/procurement_bench python bench/background.py [--seconds 10] [--connections 16] [--nice 10]

Needs the generated data (``generate.py``), ``wrk`` and Redis (``--redis``, default
``redis://127.0.0.1:6379/7``: a database of its own, whose queue the worker purges). One
gunicorn as ``load.py`` starts it (``--workers 2``, production settings over plain HTTP) and
one Celery worker (``celery -A procurement worker --concurrency 1``, under ``nice -n
--nice`` when above 0), both with that ``REDIS_URL`` (the web server queues, the worker
builds), ``REPORT_INLINE_PDF_PAGES=0`` (the annual report goes to the worker at every scale:
its estimate, 6 pages + one per 30 agreements in force, passes the 20 pages of the default
only at the large scale) and ``MEDIA_ROOT`` in ``bench/out/background-media`` (removed at
the end, with the exports).

- without a build: wrk on ``GET /api/v1/orders/`` as the purchasing officer of the member
  with the most orders (``load.busiest_officer``), a warm-up then ``--seconds`` at
  ``--connections``, the worker idle;
- during the build: IMIO's buyer asks ``GET /api/v1/reports/annual/?format=pdf&year=…`` (the
  year with the most orders counted), which answers 202 with the export; wrk starts at once,
  on the same URL for the same time. When a build ends before the window does, the buyer
  asks again (``--once``: not), so that the whole window is measured with the worker
  building; each build's time is the export's ``finished_at - created_at`` (queue included).
- then each export is checked: done, through the API (status, progress, download), the file
  a PDF (pages counted); the worker's statistics say that it ran every build (not the web
  process), and its pool process's peak resident memory (``VmHWM``) is read.

Target (issue 8): the order list's p99 during the build ≤ 2× its p99 without it. What
dominates: the 2 cores. The build is one process of Python (WeasyPrint's layout, the rollups'
queries in PostgreSQL) that takes a core for its duration, beside two gunicorn workers, wrk
and PostgreSQL; ``nice`` gives the web server's processes the larger share of the CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/

import bench  # noqa: F401 — sets Django up

# isort: split
import pypdf
import redis as redis_client
from celery import Celery

from bench import OUT, generate, load
from bench.reports import busiest_year
from reports.models import ExportStatus, ReportExport

ROOT = Path(__file__).resolve().parent.parent
P99_RATIO_TARGET = 2.0
MEDIA = OUT / "background-media"
WORKER_LOG = OUT / "background-worker.log"
BUILD_TIMEOUT = 30 * 60  # seconds: the large scale's annual report
POLL = 0.2  # seconds between two looks at the exports (one primary-key SELECT)


@dataclass
class Build:
    """One export asked through the API and followed to its end."""

    id: str
    asked: float  # time.monotonic() when the 202 came back
    status: str = ExportStatus.QUEUED
    seconds: float | None = None  # finished_at - created_at
    progress: list[str] = field(default_factory=list)  # "running 33 %", as seen

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def api(url: str, key: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})  # noqa: S310 — our own server
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def ask(url: str, key: str) -> Build:
    """The buyer asks for the annual report PDF: a 202 and the queued export, or SystemExit."""
    status, body = api(url, key)
    asked = time.monotonic()
    if status != 202:
        raise SystemExit(f"The annual report was not sent to the worker: {status} {body[:500]!r}")
    export = json.loads(body)
    if export["status"] != ExportStatus.QUEUED:  # built in the request (eager Celery): not in the worker
        raise SystemExit(f"The export was {export['status']} when the 202 came back: no worker built it.")
    return Build(export["id"], asked)


def look(build: Build) -> None:
    """The export's status and progress from the database (the web server is left to wrk)."""
    row = ReportExport.objects.filter(pk=build.id).values(
        "status", "progress_done", "progress_total", "created_at", "finished_at"
    )[0]
    build.status = row["status"]
    seen = (
        f"{row['status']} {int(100 * row['progress_done'] / row['progress_total']) if row['progress_total'] else 0} %"
    )
    if not build.progress or build.progress[-1] != seen:
        build.progress.append(seen)
    if row["finished_at"]:
        build.seconds = (row["finished_at"] - row["created_at"]).total_seconds()


def environment(redis: str) -> None:
    """What the web server (``load.serve`` passes ``os.environ`` on) and the worker share."""
    os.environ.update({"REDIS_URL": redis, "REPORT_INLINE_PDF_PAGES": "0", "MEDIA_ROOT": str(MEDIA)})


def work(redis: str, nice: int) -> subprocess.Popen:
    """A Celery worker with the server's settings (production, ``REDIS_URL``), ready to take tasks."""
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "procurement",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
        "--hostname",
        f"bench-background-{os.getpid()}@%h",
        "--purge",  # what an earlier run left in the queue
    ]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(WORKER_LOG, "w")  # noqa: SIM115 — open while the worker runs
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    control = Celery(broker=redis).control
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"The Celery worker stopped: see {WORKER_LOG}")
        if control.ping(timeout=1.0):
            return worker
    stop(worker)
    raise SystemExit(f"The Celery worker did not answer in 60 s: see {WORKER_LOG}")


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def stop(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """Terminate, wait, then kill the process and its own children (a worker's pool process, still building)."""
    if process is None or process.poll() is not None:
        return
    pool = children(process.pid)
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        for pid in pool:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def worker_figures(redis: str, worker: subprocess.Popen) -> tuple[int, int]:
    """How many builds the worker ran (its statistics), and its pool process's peak resident memory in bytes."""
    stats = Celery(broker=redis).control.inspect(timeout=2.0).stats() or {}
    mine = next((s for name, s in stats.items() if name.startswith(f"bench-background-{os.getpid()}@")), {})
    builds = mine.get("total", {}).get("reports.tasks.build_export", 0)
    peak = 0
    for pid in mine.get("pool", {}).get("processes", []) or [worker.pid]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peak = max([peak, *(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:"))])
    return builds, peak


def covered(intervals: list[tuple[float, float]], window: tuple[float, float]) -> float:
    """The share of ``window`` (start, end) that the ``intervals`` (start, end; in order, not overlapping) cover."""
    start, end = window
    inside = sum(max(0.0, min(b, end) - max(a, start)) for a, b in intervals)
    return inside / (end - start) if end > start else 0.0


def during(
    url: str,
    key: str,
    ask_report: Callable[[], Build],
    builds: list[Build],
    *,
    seconds: int,
    connections: int,
    once: bool,
) -> tuple[load.Load, float]:
    """wrk on ``url`` while the worker builds: the report is asked, wrk starts, the builds are followed (and
    asked again when one ends inside the window, unless ``once``) until the window and the builds end.
    Returns wrk's figures and the share of its window during which a build was queued or running."""
    builds.append(ask_report())
    command = ["wrk", "-t2", f"-c{connections}", "--latency", "-H", f"Authorization: Token {key}", f"-d{seconds}s", url]
    client = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    window = (time.monotonic(), time.monotonic() + seconds)
    deadline = time.monotonic() + BUILD_TIMEOUT
    try:
        while True:
            look(builds[-1])
            if builds[-1].finished and not once and time.monotonic() < window[1] - 0.5:
                builds.append(ask_report())
                continue
            if builds[-1].finished and client.poll() is not None:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"The export {builds[-1].id} did not finish in {BUILD_TIMEOUT // 60} min.")
            time.sleep(POLL)
        output, errors = client.communicate()
    finally:
        stop(client)
    if client.returncode:
        raise SystemExit(f"wrk failed: {errors}")
    intervals = [(build.asked, build.asked + build.seconds) for build in builds]
    return load.parse(output), covered(intervals, window)


def check(builds: list[Build], base: str, key: str) -> tuple[int, int]:
    """Every build done, the API's view of the first, its file a PDF: (pages, bytes), or SystemExit."""
    failed = [build for build in builds if build.status != ExportStatus.DONE]
    if failed:
        errors = dict(ReportExport.objects.filter(pk__in=[b.id for b in failed]).values_list("id", "error"))
        raise SystemExit(f"Exports not built: {errors}")
    status, body = api(f"{base}/api/v1/reports/exports/{builds[0].id}/", key)
    export = json.loads(body) if status == 200 else {}
    if export.get("status") != ExportStatus.DONE or export.get("progress") != 100 or not export.get("download"):
        raise SystemExit(f"The API does not show the export done: {status} {body[:500]!r}")
    status, pdf = api(export["download"], key)
    if status != 200 or not pdf.startswith(b"%PDF"):
        raise SystemExit(f"The download is not a PDF: {status} {pdf[:100]!r}")
    return page_count(pdf), len(pdf)


def clean(builds: list[Build]) -> None:
    """The run's exports, and their files (``MEDIA_ROOT`` of the children)."""
    ReportExport.objects.filter(pk__in=[build.id for build in builds]).delete()
    shutil.rmtree(MEDIA, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8078)
    parser.add_argument("--year", type=int, help="default: the year with the most orders counted")
    parser.add_argument(
        "--nice", type=int, default=10, help="run the worker under nice -n NICE, as the Procfile does (0: not)"
    )
    parser.add_argument("--once", action="store_true", help="ask for the report once, even if it ends before wrk")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="a Redis database of the bench's own")
    parser.add_argument("--generate", choices=generate.SCALES, help="top the data up to this scale first")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    try:
        redis_client.Redis.from_url(options.redis, socket_timeout=2).ping()
    except redis_client.RedisError as error:
        raise SystemExit(f"Redis does not answer at {options.redis}: {error}") from None
    if options.generate:
        generate.generate(options.generate)

    officer = load.busiest_officer()
    keys = {"officer": load.token(officer), "buyer": load.token(generate.BUYER)}
    year = options.year or busiest_year()
    base = f"http://127.0.0.1:{options.port}"
    orders = f"{base}/api/v1/orders/"
    report = f"{base}/api/v1/reports/annual/?format=pdf&year={year}"
    environment(options.redis)
    server = worker = None
    builds: list[Build] = []

    try:
        server = load.serve(options.port, log_name="background-server.log")
        worker = work(options.redis, options.nice)
        alone = load.wrk(orders, keys["officer"], seconds=options.seconds, connections=options.connections)
        busy, share = during(
            orders,
            keys["officer"],
            lambda: ask(report, keys["buyer"]),
            builds,
            seconds=options.seconds,
            connections=options.connections,
            once=options.once,
        )
        pages, size = check(builds, base, keys["buyer"])
        ran, peak = worker_figures(options.redis, worker)
    finally:
        stop(server)
        stop(worker, timeout=30)  # a warm shutdown lets a running build end
        clean(builds)
    if ran != len(builds):
        raise SystemExit(f"The worker ran {ran} of the {len(builds)} builds: the others ran elsewhere.")

    print(
        f"Background report — annual report {year} (PDF) built by a Celery worker (concurrency 1"
        f"{f', nice {options.nice}' if options.nice else ''}) while gunicorn (2 workers) answers the order list; "
        f"wrk {options.connections} connections × {options.seconds} s, {os.cpu_count()} cores; officer {officer}\n"
    )
    times = [build.seconds for build in builds]
    print(
        f"Builds: {', '.join(f'{t:.1f} s' for t in times)}, all {ran} run by the worker (its statistics); "
        f"progress seen in the first: {', '.join(builds[0].progress)}"
    )
    if options.once and times[0] < options.seconds:
        print(f"The build ended before wrk did: {times[0]:.1f} s of the {options.seconds} s window.")
    print(f"Worker: {WORKER_LOG}; server: {OUT / 'background-server.log'}\n")
    print("| figure | this project | baseline (same run) | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    errors = {name: run.errors for name, run in (("alone", alone), ("busy", busy)) if run.errors}
    if errors or not alone.requests_per_second or not busy.requests_per_second:
        print(f"Errors, non-2xx answers or no answer at all: {errors}")
        sys.exit(1)
    ratio = busy.p99_ms / alone.p99_ms
    print(
        f"| order list p99 during the annual report build | {busy.p99_ms:.1f} ms | {alone.p99_ms:.1f} ms (no build) "
        f"| {ratio:.2f} | ≤ {P99_RATIO_TARGET:.2f} | {'yes' if ratio <= P99_RATIO_TARGET else 'NO'} |"
    )
    print(
        f"| order list p50 during the build | {busy.p50_ms:.1f} ms | {alone.p50_ms:.1f} ms (no build) "
        f"| {busy.p50_ms / alone.p50_ms:.2f} | | |"
    )
    print(
        f"| order list requests/s during the build | {busy.requests_per_second:,.0f} | "
        f"{alone.requests_per_second:,.0f} (no build) | {busy.requests_per_second / alone.requests_per_second:.2f} | | |"
    )
    shown = f"{times[0]:.1f} s" if len(times) == 1 else f"{min(times):.1f}–{max(times):.1f} s ({len(times)} builds)"
    print(f"| annual report build (asked → done) | {shown}, {share:.0%} of the window | | | | |")
    print(f"| annual report PDF | {pages} pages, {size / 1024:,.0f} KiB | | | | |")
    print(f"| worker's peak resident memory | {peak / 2**20:,.0f} MiB | | | | |")


if __name__ == "__main__":
    main()
