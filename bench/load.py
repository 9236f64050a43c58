"""HTTP under load: gunicorn on 127.0.0.1, wrk against the API and against two floors.

    DATABASE_URL=postgres://…/procurement_bench python bench/load.py [--seconds 10] [--connections 16]

Needs the generated data (``generate.py --scale medium``) and ``wrk`` (Debian: ``apt-get
install wrk``). One gunicorn (``--workers 2``, persistent database connections, production
settings but plain HTTP) serves the project's URLs and, beside them, the floors of
``bench/floors_app.py``; wrk runs each endpoint in turn (a warm-up, then ``--seconds`` at
``--connections``), signed in with an API token, and reads requests per second and the 50th
and 99th percentiles of the latency.

- order list: ``GET /api/v1/orders/`` (DRF, django-filter, paginated with its count) for the
  purchasing officer of the member with the most orders; its fair floor runs the same
  tenant-filtered query (``orders_for``) and returns the first page's ``.values()``;
- catalogue search: ``GET /api/v1/catalog/items/?search=…`` for the same officer, against the
  same search by hand;
- report JSON: ``GET /api/v1/reports/consumption/`` for IMIO's buyer, for the record;
- the plain floor: a Django view returning a small JSON document.

Targets (issue 8): the order list and the search at ≥ 70 % of their fair floor, through DRF,
with p99 ≤ 60 ms at 16 connections.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/

import bench  # noqa: F401 — sets Django up

# isort: split
from django.db.models import Count
from rest_framework.authtoken.models import Token

from bench import OUT, generate
from procurement.members.models import User
from procurement.orders.models import Order

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "papier"
RATIO_TARGET = 0.70
P99_TARGET_MS = 60.0
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def token(username: str) -> str:
    user = User.objects.get(username=username)
    return Token.objects.get_or_create(user=user)[0].key


def busiest_officer() -> str:
    """The purchasing officer of the generated member with the most orders."""
    officers = {
        user.active_organization_id: user.username
        for user in User.objects.filter(username__startswith="bench-officer-").only("username", "active_organization")
    }
    counts = (
        Order.objects.filter(member_id__in=officers).values("member_id").annotate(n=Count("id")).order_by("-n").first()
    )
    if counts is None:
        raise SystemExit("No generated orders: run bench/generate.py --scale medium first.")
    return officers[counts["member_id"]]


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def parse(output: str) -> Load:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(rate, p50, p99, errors + (int(non_2xx.group(1)) if non_2xx else 0))


def wrk(url: str, key: str | None, *, seconds: int, connections: int) -> Load:
    headers = ["-H", f"Authorization: Token {key}"] if key else []
    base = ["wrk", "-t2", f"-c{connections}", "--latency", *headers]
    subprocess.run([*base, "-d2s", url], check=True, capture_output=True)  # noqa: S603 — warm-up
    result = subprocess.run([*base, f"-d{seconds}s", url], check=True, capture_output=True, text=True)  # noqa: S603
    return parse(result.stdout)


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--pythonpath",
        str(ROOT / "bench"),
        "floors_app:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
    ]
    # The server's logs (a JSON line per request) go to a file: a pipe nobody reads would fill and block it.
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / "load-server.log", "w")  # noqa: SIM115 — open while the server runs
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {OUT / 'load-server.log'}") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer in 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--generate", choices=generate.SCALES, help="top the data up to this scale first")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    if options.generate:
        generate.generate(options.generate)

    officer = busiest_officer()
    keys = {"officer": token(officer), "buyer": token(generate.BUYER)}
    base = f"http://127.0.0.1:{options.port}"
    targets = {
        "order list": (f"{base}/api/v1/orders/", "officer"),
        "order list floor": (f"{base}/bench/floor/orders/", "officer"),
        "catalogue search": (f"{base}/api/v1/catalog/items/?search={SEARCH}", "officer"),
        "catalogue search floor": (f"{base}/bench/floor/search/?search={SEARCH}", "officer"),
        "report JSON": (f"{base}/api/v1/reports/consumption/", "buyer"),
        "plain floor": (f"{base}/bench/floor/plain/", None),
    }
    server = serve(options.port)
    try:
        loads = {
            name: wrk(url, keys[who] if who else None, seconds=options.seconds, connections=options.connections)
            for name, (url, who) in targets.items()
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # workers still holding keep-alive connections
            server.kill()
            server.wait()

    print(
        f"HTTP under load — gunicorn 2 workers, wrk {options.connections} connections × {options.seconds} s, "
        f"{os.cpu_count()} cores; officer {officer}\n"
    )
    print("| figure | this project | baseline (same run) | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    errors = {name: load.errors for name, load in loads.items() if load.errors or not load.requests_per_second}
    if errors:
        print(f"Errors, non-2xx answers or no answer at all: {errors}")
        sys.exit(1)
    plain = loads["plain floor"]
    for name in ("order list", "catalogue search"):
        mine, floor = loads[name], loads[f"{name} floor"]
        ratio = mine.requests_per_second / floor.requests_per_second
        met = "yes" if ratio >= RATIO_TARGET else "NO"
        print(
            f"| {name}, requests/s (DRF) | {mine.requests_per_second:,.0f} | {floor.requests_per_second:,.0f} "
            f"(fair floor) | {ratio:.2f} | ≥ {RATIO_TARGET:.2f} | {met} |"
        )
        print(
            f"| {name}, p50 / p99 | {mine.p50_ms:.1f} / {mine.p99_ms:.1f} ms | {floor.p50_ms:.1f} / "
            f"{floor.p99_ms:.1f} ms | | p99 ≤ {P99_TARGET_MS:.0f} ms | {'yes' if mine.p99_ms <= P99_TARGET_MS else 'NO'} |"
        )
        print(
            f"| {name}, of the plain floor | {mine.requests_per_second:,.0f} | {plain.requests_per_second:,.0f} "
            f"(plain JSON view) | {mine.requests_per_second / plain.requests_per_second:.2f} | | |"
        )
    report = loads["report JSON"]
    print(
        f"| report JSON (consumption), requests/s | {report.requests_per_second:,.1f} | "
        f"{plain.requests_per_second:,.0f} (plain JSON view) | {report.requests_per_second / plain.requests_per_second:.3f} | | |"
    )
    print(f"| report JSON, p50 / p99 | {report.p50_ms:.1f} / {report.p99_ms:.1f} ms | | | | |")


if __name__ == "__main__":
    main()
