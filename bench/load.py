"""HTTP under load: gunicorn on 127.0.0.1, wrk against the API and against two floors.

    DATABASE_URL=postgres://…/procurement_bench python bench/load.py [--seconds 10] [--connections 16]

Needs the generated data (``generate.py --scale medium``) and ``wrk`` (Debian: ``apt-get
install wrk``). One gunicorn (``--workers 2``, the ``Procfile``'s ``gunicorn.conf.py``,
persistent database connections, production settings but plain HTTP) serves the project's URLs and, beside them, the floors of
``bench/floors_app.py``; wrk runs each endpoint in turn (a warm-up, then ``--seconds`` at
``--connections``), signed in with an API token, and reads requests per second and the 50th
and 99th percentiles of the latency.

- order list: ``GET /api/v1/orders/`` (DRF, django-filter, paginated with its count) for the
  purchasing officer of the member with the most orders; its fair floor runs the same
  tenant-filtered queries (``orders_for``: the count and the first page) and returns the count
  and the page's ``.values()``;
- catalogue search: ``GET /api/v1/catalog/items/?search=…`` for the same officer, against the
  same search by hand (the count up to 1,000 as the API counts, and the first page);
- both floors once more without their count, for the record: what the count costs;
- order submission: ``POST /api/v1/orders/<id>/submit/`` by the same officer, each request on a
  draft of its own (copies of one draft made through the services, removed afterwards with
  what their submission wrote), against the plain floor;
- report JSON: ``GET /api/v1/reports/consumption/`` for IMIO's buyer, for the record;
- the plain floor: a Django view returning a small JSON document.

The server has the production settings (``DEBUG=0``, JSON request logs, a Redis broker and
cache: the e-mails a submission sends are queued for a worker that is not running, then
dropped), but plain HTTP.

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
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/

import bench  # noqa: F401 — sets Django up

# isort: split
import redis
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Max
from rest_framework.authtoken.models import Token

from bench import OUT, generate
from catalog.models import CatalogItem
from procurement.core.models import AuditEntry
from procurement.members.models import User
from procurement.orders import services
from procurement.orders.models import Order, OrderApproval, OrderCounter, OrderLine, OrderStatus

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "papier"
RATIO_TARGET = 0.70
P99_TARGET_MS = 60.0
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
BROKER = "redis://127.0.0.1:6379/8"  # the server's broker and cache, unless REDIS_URL says otherwise
DELIVERY = {
    "budget_article": "104/123-02",
    "delivery_address": "BENCH-Service Économat\nRue de Fer 1\n5000 Namur",
    "contact_name": "Bench Officer",
}
SUBMIT_SCRIPT = """
ids = {%(ids)s}
per_thread = %(per_thread)d
local threads = 0
function setup(thread)
  thread:set("first", threads * per_thread)
  threads = threads + 1
end
sent = 0
request = function()
  sent = sent + 1
  local id = ids[first + sent]
  if id == nil then id = 0 end -- out of drafts: a 404 that the run reports as an error
  return wrk.format("POST", "/api/v1/orders/" .. id .. "/submit/")
end
"""


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


def wrk(url: str, key: str | None, *, seconds: int, connections: int, script: str | None = None) -> Load:
    """``seconds`` of ``connections`` on ``url``, after a warm-up of 2 s (none with a script: it spends drafts)."""
    headers = ["-H", f"Authorization: Token {key}"] if key else []
    base = ["wrk", "-t2", f"-c{connections}", "--timeout", "30s", "--latency", *headers]
    if script is None:
        subprocess.run([*base, "-d2s", url], check=True, capture_output=True)  # noqa: S603 — warm-up
    else:
        base += ["-s", script]
    result = subprocess.run([*base, f"-d{seconds}s", url], check=True, capture_output=True, text=True)  # noqa: S603
    return parse(result.stdout)


# --- Order submission --------------------------------------------------------------------------


def drafts(officer: User, count: int) -> list[int]:
    """``count`` drafts of the officer's member: one through the services (cart, checkout), the
    others its copies, numbered after it as the services number them."""
    member_id = officer.active_organization_id
    agreement_id = Order.objects.filter(member_id=member_id).latest("created_at").agreement_id  # subscribed
    item = CatalogItem.objects.filter(agreement_id=agreement_id, active=True).order_by("id").first()
    services.cart_add(actor=officer, item=item, quantity=item.min_quantity or 1)
    [model] = services.cart_checkout(actor=officer, **DELIVERY)
    lines = list(model.lines.all())
    with transaction.atomic():
        counter = OrderCounter.objects.select_for_update().get(member_id=member_id, year=model.year)
        fields = _fields_of(model)
        copies = [
            Order(**{**fields, "id": None, "sequence": sequence, "number": f"BC-{model.year}-{sequence:05d}"})
            for sequence in range(counter.last + 1, counter.last + count)
        ]
        Order.objects.bulk_create(copies)
        OrderLine.objects.bulk_create(
            OrderLine(**{**_fields_of(line), "id": None, "order_id": copy.pk}) for copy in copies for line in lines
        )
        counter.last += len(copies)
        counter.save(update_fields=["last"])
    return [model.pk, *(copy.pk for copy in copies)]


def _fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def remove_drafts(order_ids: list[int], member_id: int) -> int:
    """The drafts and what their submission wrote (approvals, audit entries); the member's
    counter back where it was, the tables vacuumed as autovacuum would. Returns how many were submitted."""
    if not order_ids:
        return 0
    year = Order.objects.get(pk=order_ids[0]).year
    submitted = Order.objects.filter(pk__in=order_ids).exclude(status=OrderStatus.DRAFT).count()
    with transaction.atomic():
        content_type = ContentType.objects.get_for_model(Order)
        AuditEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in order_ids]).delete()
        OrderApproval.objects.filter(order_id__in=order_ids).delete()
        OrderLine.objects.filter(order_id__in=order_ids).delete()
        Order.objects.filter(pk__in=order_ids).delete()
        last = Order.objects.filter(member_id=member_id, year=year).aggregate(last=Max("sequence"))["last"]
        OrderCounter.objects.filter(member_id=member_id, year=year).update(last=last or 0)
    with connection.cursor() as cursor:  # counts by index read the rows again until the next vacuum
        tables = (Order, OrderLine, OrderApproval, AuditEntry)
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(model._meta.db_table for model in tables)}")
    return submitted


def submit_script(order_ids: list[int], directory: Path) -> str:
    path = directory / "submit.lua"
    half = (len(order_ids) + 1) // 2  # wrk -t2: each thread its half
    path.write_text(SUBMIT_SCRIPT % {"ids": ", ".join(map(str, order_ids)), "per_thread": half})
    return str(path)


def serve(port: int, *, workers: int = 2, threads: int = 1, log_name: str = "load-server.log") -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": os.environ.get("REDIS_URL", BROKER),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--pythonpath",
        str(ROOT / "bench"),
        "floors_app:application",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    # The server's logs (a JSON line per request) go to a file: a pipe nobody reads would fill and block it.
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / log_name, "w")  # noqa: SIM115 — open while the server runs
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {OUT / log_name}") from None
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

    officer = User.objects.get(username=busiest_officer())
    keys = {"officer": token(officer.username), "buyer": token(generate.BUYER)}
    base = f"http://127.0.0.1:{options.port}"
    targets = {
        "order list": (f"{base}/api/v1/orders/", "officer"),
        "order list floor": (f"{base}/bench/floor/orders/", "officer"),
        "order list floor, no count": (f"{base}/bench/floor/orders/?count=0", "officer"),
        "catalogue search": (f"{base}/api/v1/catalog/items/?search={SEARCH}", "officer"),
        "catalogue search floor": (f"{base}/bench/floor/search/?search={SEARCH}", "officer"),
        "catalogue search floor, no count": (f"{base}/bench/floor/search/?search={SEARCH}&count=0", "officer"),
        "report JSON": (f"{base}/api/v1/reports/consumption/", "buyer"),
        "plain floor": (f"{base}/bench/floor/plain/", None),
    }
    server = serve(options.port)
    order_ids: list[int] = []
    try:
        loads = {
            name: wrk(url, keys[who] if who else None, seconds=options.seconds, connections=options.connections)
            for name, (url, who) in targets.items()
        }
        # Made now, not to be in the lists above: drafts enough for 300 submissions a second.
        order_ids = drafts(officer, max(1000, 300 * options.seconds))
        with tempfile.TemporaryDirectory() as directory:
            loads["order submission"] = wrk(
                base,
                keys["officer"],
                seconds=options.seconds,
                connections=options.connections,
                script=submit_script(order_ids, Path(directory)),
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # workers still holding keep-alive connections
            server.kill()
            server.wait()
        submitted = remove_drafts(order_ids, officer.active_organization_id)
        if "REDIS_URL" not in os.environ:
            redis.Redis.from_url(BROKER).flushdb()  # the e-mails queued for nobody

    print(
        f"HTTP under load — gunicorn 2 workers, wrk {options.connections} connections × {options.seconds} s, "
        f"{os.cpu_count()} cores; officer {officer.username}\n"
    )
    print("| figure | this project | baseline (same run) | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    errors = {name: load.errors for name, load in loads.items() if load.errors or not load.requests_per_second}
    submission = loads["order submission"]
    expected = round(submission.requests_per_second * options.seconds)
    if not 0.9 * expected <= submitted <= 1.1 * expected + options.connections:
        errors["order submission: drafts submitted against requests answered"] = f"{submitted} / {expected}"
    if errors:
        print(f"Errors, non-2xx answers or no answer at all: {errors}")
        sys.exit(1)
    plain = loads["plain floor"]
    for name in ("order list", "catalogue search"):
        mine, floor, bare = loads[name], loads[f"{name} floor"], loads[f"{name} floor, no count"]
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
            f"| {name}, of the floor without its count | {mine.requests_per_second:,.0f} | "
            f"{bare.requests_per_second:,.0f} (p99 {bare.p99_ms:.1f} ms) | "
            f"{mine.requests_per_second / bare.requests_per_second:.2f} | | |"
        )
        print(
            f"| {name}, of the plain floor | {mine.requests_per_second:,.0f} | {plain.requests_per_second:,.0f} "
            f"(plain JSON view) | {mine.requests_per_second / plain.requests_per_second:.2f} | | |"
        )
    print(
        f"| order submission, requests/s | {submission.requests_per_second:,.0f} | "
        f"{plain.requests_per_second:,.0f} (plain JSON view) | "
        f"{submission.requests_per_second / plain.requests_per_second:.3f} | | |"
    )
    print(f"| order submission, p50 / p99 | {submission.p50_ms:.1f} / {submission.p99_ms:.1f} ms | | | | |")
    report = loads["report JSON"]
    print(
        f"| report JSON (consumption), requests/s | {report.requests_per_second:,.1f} | "
        f"{plain.requests_per_second:,.0f} (plain JSON view) | {report.requests_per_second / plain.requests_per_second:.3f} | | |"
    )
    print(f"| report JSON, p50 / p99 | {report.p50_ms:.1f} / {report.p99_ms:.1f} ms | | | | |")


if __name__ == "__main__":
    main()
