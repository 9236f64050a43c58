"""The garbage collector's pauses in a web worker, before and after gunicorn.conf.py freezes it.

    DATABASE_URL=postgres://…/procurement_bench python bench/collector.py [--requests 3000]

Needs the generated data. One process plays a gunicorn worker: the order list
(``GET /api/v1/orders/``, the officer of the member with the most orders, through the whole
middleware stack) is asked ``--requests`` times as the worker is once loaded, then as many
times after ``post_worker_init`` of gunicorn.conf.py has run, as every web worker runs it. Each
time it prints the longest request, the 99.9th percentile, and the collector's full passes
(its oldest generation): how many, and the longest. A full pass walks every object the worker
holds, and the worker answers nobody meanwhile: under load the requests queued behind it wait
as long (bench/load.py's p99).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import runpy
import secrets
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/
# The production settings, as bench/load.py's server has them, for the test client's host.
os.environ.update({"ALLOWED_HOSTS": "testserver", "SECRET_KEY": secrets.token_urlsafe(50)})

import bench  # noqa: F401 — sets Django up

# isort: split
from django.test import Client

from bench.load import busiest_officer, token

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 200


@dataclass(frozen=True)
class Run:
    median_ms: float
    p999_ms: float
    longest_ms: float
    full_passes: int
    longest_pass_ms: float
    objects: int


class FullPasses:
    """The collector's passes over its oldest generation, timed (``gc.callbacks``)."""

    def __init__(self):
        self.durations: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.durations.append((time.perf_counter() - self._started) * 1000)


def measure(client: Client, url: str, requests: int) -> Run:
    passes = FullPasses()
    latencies = []
    gc.callbacks.append(passes)
    try:
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (response.status_code, response.get("Location"))
    finally:
        gc.callbacks.remove(passes)
    latencies.sort()
    return Run(
        median_ms=statistics.median(latencies),
        p999_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.999))],
        longest_ms=latencies[-1],
        full_passes=len(passes.durations),
        longest_pass_ms=max(passes.durations, default=0.0),
        objects=len(gc.get_objects()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    options = parser.parse_args()

    logging.getLogger("procurement.request").setLevel(logging.WARNING)  # not 6,000 lines above the table
    client = Client(  # as behind the TLS proxy
        HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Token {token(busiest_officer())}"
    )
    url = "/api/v1/orders/"
    for _ in range(WARM_UP):
        client.get(url)
    loaded = measure(client, url, options.requests)

    worker = type("Worker", (), {"log": logging.getLogger("gunicorn.error")})()
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"](worker)
    frozen_objects = gc.get_freeze_count()
    frozen = measure(client, url, options.requests)
    gc.unfreeze()

    print(
        f"The collector in a web worker — order list, {options.requests} requests in one process; "
        f"{frozen_objects:,} objects frozen, {frozen.objects:,} left to the collector\n"
    )
    print("| figure | this project | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    rows = (
        ("longest full pass of the collector", frozen.longest_pass_ms, loaded.longest_pass_ms),
        ("longest request", frozen.longest_ms, loaded.longest_ms),
        ("request p99.9", frozen.p999_ms, loaded.p999_ms),
        ("request p50", frozen.median_ms, loaded.median_ms),
    )
    for figure, mine, baseline in rows:
        ratio = f"{mine / baseline:.2f}" if baseline else "—"
        print(f"| {figure}, frozen / not frozen | {mine:.1f} ms | {baseline:.1f} ms | {ratio} | — |")
    print(f"| full passes, frozen / not frozen | {frozen.full_passes} | {loaded.full_passes} | | — |")


if __name__ == "__main__":
    main()
