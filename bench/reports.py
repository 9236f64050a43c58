"""Reports benchmarks: spend from the rollups and from the order lines, the dashboards, the annual PDF.

    DATABASE_URL=postgres://…/procurement_bench_reports python bench/reports.py --scale medium [--generate]
    python bench/reports.py --database-url sqlite:///bench/out/procurement_bench_reports.sqlite3 [--runs 5]

Prints one table — figure | this project | baseline (same run) | ratio | target | met? — then
whether the project's figures equal the baselines' to the cent, group by group.

- Each figure is measured through the project's code path as the API runs it for IMIO's
  finance staff: ``reports.services.parameters`` then ``REPORTS[…].build`` (a viewer of the
  central purchasing body); baseline: raw SQL over the order lines joined to their orders,
  with the same counting rule (statuses in ``COUNTING``, ``approved_on`` in the year, a
  closed order's lines for what was delivered), in the same run, the runs interleaved.
- Two raw baselines where the report shows VAT: the same figures (net, each line's VAT share
  of its order's VAT at its rate — a window over the order's lines — and gross) and the
  plain ``SUM(net) … GROUP BY``. Targets are judged against the first.
- The annual report's PDF: build + render through the project, then WeasyPrint alone on the
  same HTML, each in a process of its own (peak resident memory: ``VmHWM``), renders alternating.
- ``manage.py rollups --check`` last.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/: this is not the app


def _option(argv: list[str], name: str) -> str | None:
    for index, argument in enumerate(argv):
        if argument == name and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith(name + "="):
            return argument.split("=", 1)[1]
    return None


if __name__ == "__main__" and _option(sys.argv, "--database-url"):
    os.environ["DATABASE_URL"] = _option(sys.argv, "--database-url")  # read by the settings at setup

from django.conf import settings  # noqa: E402
from django.core.management import CommandError, call_command  # noqa: E402
from django.db import DatabaseError, connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.utils import timezone  # noqa: E402

import bench  # noqa: E402 — sets Django up
from bench import generate  # noqa: E402
from procurement.members.models import Organization  # noqa: E402
from procurement.orders.models import CpvSpendRollup, OffPlatformCallOff, Order, OrderLine, SpendRollup  # noqa: E402
from procurement.orders.rollups import COUNTING  # noqa: E402
from reports import formats, services  # noqa: E402
from reports.figures import SpendFilters, spend  # noqa: E402
from reports.registry import REPORTS  # noqa: E402
from reports.scope import Audience, Viewer  # noqa: E402
from tenders.models import FrameworkAgreement  # noqa: E402

SCALES = ("small", "medium")
DASHBOARD_TARGET = 0.2  # × the raw SQL: views the rollups answer
AD_HOC_TARGET = 1.5  # × the raw SQL: a grouping they do not cover
PDF_RATE_TARGET = 0.9  # of WeasyPrint's pages per second on the same HTML
CLOSED = "closed"


# --- Timing --------------------------------------------------------------------------------------


@dataclass
class Timing:
    seconds: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0]
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[94]

    def cell(self) -> str:
        return f"{_ms(self.p50)} / {_ms(self.p95)}"


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:,.2f}" if ms < 10 else f"{ms:,.1f}" if ms < 1000 else f"{ms:,.0f}"


def interleaved(callables: dict[str, Callable[[], object]], runs: int, warmups: int):
    """Run each callable ``warmups`` times, then ``runs`` times in turn (A B C A B C…): on a shared
    machine a slow patch falls on all of them. Returns their timings and last results."""
    results: dict[str, object] = {}
    for name, run in callables.items():
        for _ in range(warmups):
            results[name] = run()
    seconds: dict[str, list[float]] = {name: [] for name in callables}
    for _ in range(runs):
        for name, run in callables.items():
            started = time.perf_counter()
            results[name] = run()
            seconds[name].append(time.perf_counter() - started)
    return {name: Timing(values) for name, values in seconds.items()}, results


# --- The table -------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    project: str
    baseline: str = "—"
    ratio: float | None = None
    target: str = "—"
    met: bool | None = None


def table(rows: list[Row]) -> str:
    header = ("figure", "this project", "baseline (same run)", "ratio", "target", "met?")
    cells = [
        (
            row.label,
            row.project,
            row.baseline,
            "—" if row.ratio is None else f"{row.ratio:.2f}",
            row.target,
            "" if row.met is None else "✓" if row.met else "✗",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in [header, *cells]) for column in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in [header, *cells]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def compared(
    label: str,
    project: Timing,
    baseline: Timing,
    baseline_label: str,
    target: float | None = None,
) -> Row:
    ratio = project.p50 / baseline.p50
    return Row(
        label,
        project.cell(),
        f"{baseline.cell()} {baseline_label}",
        ratio,
        f"≤ {target:.1f}×" if target is not None else "(for information)",
        ratio <= target if target is not None else None,
    )


# --- Raw SQL over the order lines ------------------------------------------------------------------


class Raw:
    """The baselines: SQL written by hand over the order lines and their orders, no ORM.

    PostgreSQL sums exact ``numeric`` amounts; SQLite stores decimals as floating-point numbers,
    so there the amounts are summed as integer cents (as anyone writing it by hand must).
    """

    def __init__(self):
        self.postgresql = connection.vendor == "postgresql"
        self.lines = OrderLine._meta.db_table
        self.orders = Order._meta.db_table

    def period(self, column: str, grain: str) -> str:
        if self.postgresql:
            return f"CAST(date_trunc('{grain}', {column}) AS date)"
        if grain == "month":
            return f"(substr({column}, 1, 8) || '01')"
        if grain == "year":
            return f"(substr({column}, 1, 5) || '01-01')"
        # %% : the statement goes through Django's cursor with parameters, which reads %s as one.
        return f"printf('%%s-%%02d-01', substr({column}, 1, 4), ((CAST(substr({column}, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)"

    def net(self) -> str:
        """What a line counts for: as ordered, or as delivered once its order is closed."""
        if self.postgresql:
            return f"CASE WHEN o.status = '{CLOSED}' THEN ROUND(l.delivered_quantity * l.unit_price, 2) ELSE l.amount_excl_vat END"
        return (
            f"CASE WHEN o.status = '{CLOSED}' THEN (CAST(ROUND(l.delivered_quantity * 1000) AS INTEGER) "
            "* CAST(ROUND(l.unit_price * 10000) AS INTEGER) + 50000) / 100000 "
            "ELSE CAST(ROUND(l.amount_excl_vat * 100) AS INTEGER) END"
        )

    def where(self, *, year: int | None, member_id: int | None = None) -> tuple[str, list]:
        statuses = sorted(str(status) for status in COUNTING)
        sql = f"o.status IN ({', '.join(['%s'] * len(statuses))})"
        params: list = list(statuses)
        if year is not None:
            sql += " AND o.approved_on >= %s AND o.approved_on <= %s"
            params += [datetime.date(year, 1, 1), datetime.date(year, 12, 31)]
        if member_id is not None:
            sql += " AND o.member_id = %s"
            params.append(member_id)
        return sql, params

    def plain(self, keys: dict[str, str], where: tuple[str, list]) -> Callable[[], list[tuple]]:
        """``SELECT keys, SUM(net) … GROUP BY keys``: the least a grouping over the lines costs."""
        selected = ", ".join(f"{expression} AS k_{name}" for name, expression in keys.items())
        sql = f"""
            SELECT {selected}, SUM({self.net()})
            FROM {self.lines} l JOIN {self.orders} o ON o.id = l.order_id
            WHERE {where[0]}
            GROUP BY {", ".join(f"k_{name}" for name in keys)}
        """  # noqa: S608 — identifiers only
        return self._runner(sql, where[1], len(keys), vat=False)

    def with_vat(self, keys: dict[str, str], where: tuple[str, list]) -> Callable[[], list[tuple]]:
        """The report's figures: orders, net, each line's share of its order's VAT at its rate (the
        running sum's rounded VAT minus that before it), summed per group."""
        selected = ", ".join(f"{expression} AS k_{name}" for name, expression in keys.items())
        group = ", ".join(f"k_{name}" for name in keys)
        if self.postgresql:
            vat = "ROUND(s.upto * s.vat_rate / 100, 2) - ROUND((s.upto - s.net) * s.vat_rate / 100, 2)"
        else:
            rate = "CAST(ROUND(s.vat_rate * 100) AS INTEGER)"
            vat = f"((s.upto * {rate} + 5000) / 10000) - (((s.upto - s.net) * {rate} + 5000) / 10000)"
        sql = f"""
            SELECT {group}, COUNT(DISTINCT order_id), SUM(net), SUM(vat)
            FROM (
                SELECT s.*, {vat} AS vat
                FROM (
                    SELECT c.*, SUM(c.net) OVER (
                        PARTITION BY c.order_id, c.vat_rate ORDER BY c.position ROWS UNBOUNDED PRECEDING
                    ) AS upto
                    FROM (
                        SELECT {selected}, l.order_id, l.vat_rate, l.position, {self.net()} AS net
                        FROM {self.lines} l JOIN {self.orders} o ON o.id = l.order_id
                        WHERE {where[0]}
                    ) c
                ) s
            ) v
            GROUP BY {group}
        """  # noqa: S608 — identifiers only
        return self._runner(sql, where[1], len(keys), vat=True)

    def _runner(self, sql: str, params: list, width: int, *, vat: bool) -> Callable[[], list[tuple]]:
        def run() -> list[tuple]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        run.sql, run.params, run.width, run.vat = sql, params, width, vat  # type: ignore[attr-defined]
        return run

    def euros(self, value) -> Decimal:
        if value is None:
            return Decimal("0.00")
        if self.postgresql:
            return Decimal(value).quantize(Decimal("0.01"))
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


# --- Comparing the figures -------------------------------------------------------------------------


def _key(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else "" if value is None else str(value)


def project_groups(rows: list[dict], group_by: list[str]) -> dict[tuple, tuple]:
    """(keys) → (orders, net, vat) of a spend table, keyed by the raw values (ids, prefixes, ISO dates)."""
    return {
        tuple(_key(row.get(f"{key}_id", row[key])) for key in group_by): (row["orders"], row["net"], row["vat"])
        for row in rows
    }


def raw_groups(raw: Raw, run, rows: list[tuple]) -> dict[tuple, tuple]:
    groups = {}
    for row in rows:
        keys = tuple(_key(value) for value in row[: run.width])
        if run.vat:
            orders, net, vat = row[run.width :]
            groups[keys] = (orders, raw.euros(net), raw.euros(vat))
        else:
            groups[keys] = (None, raw.euros(row[run.width]), None)
    return groups


def agreement(project: dict[tuple, tuple], baseline: dict[tuple, tuple], *, vat: bool) -> str:
    """Whether two groupings hold the same figures, group by group (groups of nothing left out)."""

    def kept(groups):
        return {key: value for key, value in groups.items() if value[0] or value[1]}

    project, baseline = kept(project), kept(baseline)
    differing = [
        key
        for key in sorted(set(project) | set(baseline))
        if key not in project
        or key not in baseline
        or (project[key] if vat else project[key][1:2]) != (baseline[key] if vat else baseline[key][1:2])
    ]
    net = sum((value[1] for value in project.values()), Decimal("0.00"))
    summary = f"{len(project):,} groups, {net:,.2f} € excl. VAT"
    if vat:
        summary += f", {sum(value[2] for value in project.values()):,.2f} € VAT"
    if not differing:
        return f"{summary}: the same {'to the cent (orders, net, VAT)' if vat else 'net to the cent'} ✓"
    key = differing[0]
    return (
        f"{summary}: {len(differing):,} groups differ ✗ — e.g. {key}: project {project.get(key)}, "
        f"raw SQL {baseline.get(key)}"
    )


# --- The figures -----------------------------------------------------------------------------------


class Bench:
    def __init__(self, year: int, runs: int, warmups: int):
        self.year = year
        self.runs = runs
        self.warmups = warmups
        self.raw = Raw()
        body, _created = generate.central_purchasing_body()
        self.viewer = Viewer(Audience.CENTRAL, body)
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.explain: list[tuple[str, str, list]] = []  # (what, sql, params) of targets missed

    def period(self) -> str:
        return f"date_from={self.year}-01-01&date_to={self.year}-12-31"

    def report(self, identifier: str, query: str) -> Callable[[], object]:
        """What the API runs for one request: the parameters checked, then the report built."""
        report = REPORTS[identifier]

        def run():
            params = services.parameters(report, self.viewer, QueryDict(query))
            return report.build(self.viewer, params)

        return run

    def spend_figure(
        self,
        label: str,
        group_by: list[str],
        raw_keys: dict[str, str],
        target: float,
        *,
        member_id: int | None = None,
        extra: str = "",
    ) -> None:
        query = f"{self.period()}&group_by={','.join(group_by)}{extra}"
        project = self.report("spend", query)
        filters = SpendFilters(
            date_from=datetime.date(self.year, 1, 1),
            date_to=datetime.date(self.year, 12, 31),
            member=None if member_id is None else Organization.objects.get(pk=member_id),
        )

        def figures_only():
            return spend(self.viewer, group_by, filters)

        where = self.raw.where(year=self.year, member_id=member_id)
        with_vat = self.raw.with_vat(raw_keys, where)
        plain = self.raw.plain(raw_keys, where)
        timings, results = interleaved(
            {"project": project, "figures": figures_only, "vat": with_vat, "plain": plain}, self.runs, self.warmups
        )
        source = results["figures"][1]
        rows = compared(
            f"{label} — spend report ({source})", timings["project"], timings["vat"], "raw SQL net + VAT", target
        )
        self.rows += [
            rows,
            compared(
                "    the same, against the plain raw SUM(net)", timings["project"], timings["plain"], "raw SQL net"
            ),
            Row(f"    of which reports.figures.spend() ({source})", timings["figures"].cell()),
        ]
        result = results["project"]
        groups = project_groups(result.table("spend").rows, group_by)
        self.notes.append(
            f"{label}: {agreement(groups, raw_groups(self.raw, with_vat, results['vat']), vat=True)} "
            f"(plain SUM: {agreement(groups, raw_groups(self.raw, plain, results['plain']), vat=False).split(': ', 1)[1]})"
        )
        if rows.met is False:
            self.explain.append((label, *self._project_sql(project)))

    def _project_sql(self, run) -> tuple[str, list]:
        """The slowest statement the project's path runs (to explain it)."""
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            run()
        slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
        return slowest["sql"], []

    def consumption(self) -> None:
        project = self.report("consumption", "include_ended=on")
        raw = self.raw.plain({"agreement_id": "o.agreement_id"}, self.raw.where(year=None))
        timings, results = interleaved({"project": project, "raw": raw}, self.runs, self.warmups)
        row = compared(
            "Consumption of every agreement (all time) — consumption report",
            timings["project"],
            timings["raw"],
            "raw SQL net per agreement",
            DASHBOARD_TARGET,
        )
        self.rows.append(row)
        ids = dict(FrameworkAgreement.objects.values_list("reference", "pk"))
        raw_net = {agreement_id: self.raw.euros(net) for agreement_id, net in results["raw"]}
        rows = results["project"].table("agreements").rows
        differing = [
            r["reference"] for r in rows if r["consumed"] - r["off_platform"] != raw_net.get(ids[r["reference"]], 0)
        ]
        consumed = sum((r["consumed"] for r in rows), Decimal("0.00"))
        self.notes.append(
            f"Consumption: {len(rows)} agreements, {consumed:,.2f} € consumed; consumed − off-platform "
            + (
                "= the raw SQL's net per agreement ✓"
                if not differing
                else f"≠ the raw SQL's net for {len(differing)} agreements ✗ (e.g. {differing[0]})"
            )
        )
        if row.met is False:
            self.explain.append(("consumption", *self._project_sql(project)))

    def cpv_rollup(self) -> None:
        start, end = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)

        def project():
            return list(
                CpvSpendRollup.objects.filter(month__gte=start, month__lte=end)
                .values("cpv_division", "month")
                .annotate(net=Sum("net"))
            )

        keys = {"cpv_division": "substr(l.cpv_code, 1, 2)", "month": self.raw.period("o.approved_on", "month")}
        raw = self.raw.plain(keys, self.raw.where(year=self.year))
        timings, results = interleaved({"project": project, "raw": raw}, self.runs, self.warmups)
        row = compared(
            "Spend per CPV division × month — CpvSpendRollup (ORM, as the annual report)",
            timings["project"],
            timings["raw"],
            "raw SQL net",
            DASHBOARD_TARGET,
        )
        self.rows.append(row)
        groups = {
            (_key(r["cpv_division"]), _key(r["month"])): (None, Decimal(r["net"] or 0).quantize(Decimal("0.01")), None)
            for r in results["project"]
        }
        self.notes.append(
            f"CPV division × month (CpvSpendRollup): {agreement(groups, raw_groups(self.raw, raw, results['raw']), vat=False)}"
        )

    def ad_hoc(self) -> None:
        self.spend_figure(
            "Spend by budget article × quarter (ad hoc)",
            ["budget_article", "quarter"],
            {"budget_article": "l.budget_article", "quarter": self.raw.period("o.approved_on", "quarter")},
            AD_HOC_TARGET,
        )

    def row_counts(self) -> None:
        lines = OrderLine.objects.count()
        orders = Order.objects.count()
        start, end = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        year_lines = OrderLine.objects.filter(
            order__status__in=COUNTING, order__approved_on__gte=start, order__approved_on__lte=end
        ).count()
        self.rows.append(Row("Rows: order lines (orders)", f"{lines:,} ({orders:,})"))
        self.rows.append(Row(f"    of which counted in {self.year}", f"{year_lines:,}"))
        for model in (SpendRollup, CpvSpendRollup):
            total = model.objects.count()
            in_year = model.objects.filter(month__gte=start, month__lte=end).count()
            self.rows.append(
                Row(
                    f"Rows: {model.__name__} (in {self.year}) against the order lines",
                    f"{total:,} ({in_year:,})",
                    f"{lines:,} ({year_lines:,})",
                    total / lines if lines else None,
                )
            )

    def rollups_check(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        try:
            call_command("rollups", "--check", stdout=out, stderr=err)
            outcome, met = "OK", True
        except CommandError as error:
            outcome, met = str(error).split(" rollup rows")[0] + " rows differ", False
        elapsed = time.perf_counter() - started
        self.rows.append(
            Row("manage.py rollups --check", f"{outcome} in {elapsed:.1f} s", target="no row differs", met=met)
        )
        if not met:
            self.notes.append("rollups --check: " + " | ".join(err.getvalue().splitlines()[:5]))

    def explained(self) -> str:
        if not self.explain or connection.vendor != "postgresql":
            return ""
        parts = []
        with connection.cursor() as cursor:
            for what, sql, params in self.explain:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                parts.append(f"{what}:\n{sql}\n" + "\n".join(row[0] for row in cursor.fetchall()))
        return "\n\n".join(parts)


# --- The annual report's PDF -----------------------------------------------------------------------

# Each side runs in a process of its own, kept for the whole measure: the parent asks for one
# render at a time on stdin ("run"), alternating the two sides, and reads one line back; "stop"
# gives the process's resident memory before the first render and at its peak (VmHWM).
WEASYPRINT_ALONE = r"""
import json, sys, time
from pathlib import Path

def memory(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0

html_path, base_url = sys.argv[1], sys.argv[2]
import io, pypdf, weasyprint
html = Path(html_path).read_text(encoding="utf-8")
before = memory("VmRSS")
for command in sys.stdin:
    if command.strip() != "run":
        break
    started = time.perf_counter()
    pdf = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    seconds = time.perf_counter() - started
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print("BENCH " + json.dumps({"seconds": seconds, "pages": pages, "bytes": len(pdf)}), flush=True)
print("BENCH " + json.dumps({"before": before, "peak": memory("VmHWM")}), flush=True)
"""


def _memory(field: str) -> int:
    """VmRSS (resident now) or VmHWM (its peak) of this process, in bytes. Not getrusage's ru_maxrss:
    Linux carries it over an exec, so a child started from a 200 MiB parent reports 200 MiB at least."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _pages(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


class AnnualPdf:
    """The project's side: the parameters checked, ``AnnualReport.build``, ``formats.to_pdf``; the
    HTML of each run is written to ``html_path`` (after the timing) for WeasyPrint alone."""

    def __init__(self, year: int, html_path: Path):
        import pypdf  # noqa: F401 — imported before measuring, as the other side does
        import weasyprint  # noqa: F401

        body, _created = generate.central_purchasing_body()
        self.viewer = Viewer(Audience.CENTRAL, body)
        self.report = REPORTS["annual"]
        self.year = year
        self.html_path = html_path

    def run(self) -> dict:
        started = time.perf_counter()
        params = services.parameters(self.report, self.viewer, QueryDict(f"year={self.year}"))
        result = self.report.build(self.viewer, params)
        built = time.perf_counter()
        pdf = formats.to_pdf(result, self.report.pdf_template)
        seconds, build = time.perf_counter() - started, built - started
        again = time.perf_counter()  # the template alone, after the timing (to_pdf renders it first)
        html = formats.pdf_html(result, self.report.pdf_template)
        template = time.perf_counter() - again
        self.html_path.parent.mkdir(parents=True, exist_ok=True)
        self.html_path.write_text(html, encoding="utf-8")
        return {
            "seconds": seconds,
            "build": build,
            "template": template,
            "pages": _pages(pdf),
            "bytes": len(pdf),
        }


def pdf_child(year: int, html_path: Path) -> None:
    """``--pdf-child``: the project's side in a process of its own (the protocol above)."""
    side = AnnualPdf(year, html_path)
    before = _memory("VmRSS")
    for command in sys.stdin:
        if command.strip() != "run":
            break
        print("BENCH " + json.dumps(side.run()), flush=True)
    print("BENCH " + json.dumps({"before": before, "peak": _memory("VmHWM")}), flush=True)


class Child:
    def __init__(self, command: list[str]):
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 — read if the child fails
        self.process = subprocess.Popen(  # noqa: S603 — this interpreter, our own code
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True, cwd=bench.ROOT
        )

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        while line := self.process.stdout.readline():
            if line.startswith("BENCH "):
                return json.loads(line[len("BENCH ") :])
        self.process.wait()
        self.errors.seek(0)
        raise SystemExit(f"The PDF side {self.process.args[1:3]} failed:\n{self.errors.read()[-3000:]}")

    def end(self) -> None:
        """After a failure: the child must not outlive the measure."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> dict:
        found = self.ask("stop")
        self.process.wait()
        self.errors.close()
        return found


def pdf_in_processes(year: int, runs: int, warmups: int, html_path: Path) -> tuple[dict, dict]:
    project = Child(
        [sys.executable, str(Path(__file__).resolve()), "--pdf-child", "--year", str(year), "--html", str(html_path)]
    )
    try:
        for _ in range(max(warmups, 1)):  # the first run writes the HTML WeasyPrint alone renders
            project.ask("run")
        alone = Child([sys.executable, "-c", WEASYPRINT_ALONE, str(html_path), str(settings.BASE_DIR)])
        try:
            for _ in range(warmups):
                alone.ask("run")
            mine, theirs = [], []
            for _ in range(runs):
                mine.append(project.ask("run"))
                theirs.append(alone.ask("run"))
            alone_memory = alone.stop()
        finally:
            alone.end()
        project_memory = project.stop()
    finally:
        project.end()
    return _merged(mine, project_memory), _merged(theirs, alone_memory)


def _merged(runs: list[dict], memory: dict) -> dict:
    return {
        "seconds": [run["seconds"] for run in runs],
        "build": [run["build"] for run in runs if "build" in run],
        "template": [run["template"] for run in runs if "template" in run],
        "pages": runs[-1]["pages"],
        "bytes": runs[-1]["bytes"],
        **memory,
    }


def pdf_in_this_process(year: int, runs: int, warmups: int, html_path: Path) -> tuple[dict, dict]:
    """For the tests (whose database another process cannot see): both sides here, one after the
    other; then one more run of each under tracemalloc, for the Python heap's peak."""
    import weasyprint

    side = AnnualPdf(year, html_path)
    for _ in range(max(warmups, 1)):  # the first run writes the HTML
        side.run()
    mine = [side.run() for _ in range(runs)]
    html = html_path.read_text(encoding="utf-8")

    def alone() -> dict:
        started = time.perf_counter()
        pdf = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
        return {"seconds": time.perf_counter() - started, "pages": _pages(pdf), "bytes": len(pdf)}

    for _ in range(warmups):
        alone()
    theirs = [alone() for _ in range(runs)]
    traced = {}
    for name, run in (("project", side.run), ("alone", alone)):
        tracemalloc.start()
        run()
        traced[name] = {"traced": tracemalloc.get_traced_memory()[1]}
        tracemalloc.stop()
    return _merged(mine, traced["project"]), _merged(theirs, traced["alone"])


def pdf_rows(year: int, runs: int, warmups: int, memory: str) -> tuple[list[Row], list[str]]:
    name = f"annual-{year}-{connection.vendor}.html"
    if memory == "rss":
        html_path = bench.OUT / name
        project, alone = pdf_in_processes(year, runs, warmups, html_path)
        shown = str(html_path.relative_to(bench.ROOT))
    else:  # the tests: nothing left behind in bench/out/
        with tempfile.TemporaryDirectory() as folder:
            project, alone = pdf_in_this_process(year, runs, warmups, Path(folder) / name)
        shown = "a temporary file"
    mine, theirs = Timing(project["seconds"]), Timing(alone["seconds"])
    rate, base_rate = project["pages"] / mine.p50, alone["pages"] / theirs.p50
    ratio = rate / base_rate
    mib = 1024 * 1024
    rows = [
        Row(
            f"Annual report {year} PDF: build + render, pages per second",
            f"{rate:.2f} ({project['pages']} pages)",
            f"{base_rate:.2f} ({alone['pages']} pages) WeasyPrint alone",
            ratio,
            f"≥ {PDF_RATE_TARGET:.1f}× the rate",
            ratio >= PDF_RATE_TARGET,
        ),
        Row("    time p50 / p95, ms", mine.cell(), f"{theirs.cell()} WeasyPrint alone", mine.p50 / theirs.p50),
        Row("    of which build (parameters + AnnualReport.build), ms", Timing(project["build"]).cell()),
        Row("    of which the HTML template (formats.pdf_html, timed apart), ms", Timing(project["template"]).cell()),
    ]
    if memory == "rss":
        grown, base_grown = project["peak"] - project["before"], alone["peak"] - alone["before"]
        rows += [
            Row(
                "    peak resident memory of the process, MiB",
                f"{project['peak'] / mib:.0f}",
                f"{alone['peak'] / mib:.0f} WeasyPrint alone",
                project["peak"] / alone["peak"],
            ),
            Row(
                "    of which above the process before its first run, MiB (per page)",
                f"{grown / mib:.0f} ({grown / mib / project['pages']:.1f})",
                f"{base_grown / mib:.0f} ({base_grown / mib / alone['pages']:.1f}) WeasyPrint alone",
                grown / base_grown if base_grown else None,
            ),
        ]
    else:
        rows.append(
            Row(
                "    Python heap peak of one run (tracemalloc), MiB",
                f"{project['traced'] / mib:.1f}",
                f"{alone['traced'] / mib:.1f} WeasyPrint alone",
                project["traced"] / alone["traced"],
            )
        )
    notes = [
        f"Annual report {year}: {project['pages']} pages, {project['bytes'] / 1024:,.0f} KiB; the HTML WeasyPrint "
        f"alone rendered is {shown}."
    ]
    return rows, notes


# --- The script ------------------------------------------------------------------------------------


def bench_order_lines() -> int:
    return OrderLine.objects.filter(order__agreement__reference__regex=generate.AGREEMENT_REFERENCE).count()


def ensure_data(scale: str, regenerate: bool) -> None:
    expected = generate.SCALES[scale]["order_lines"]
    if regenerate:
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name:
            raise SystemExit(f"--generate writes to a database of its own only (its name holding “bench”), not {name}.")
        call_command("migrate", verbosity=0)
        if bench_order_lines() < expected:
            generate.generate(scale)
    try:
        lines = bench_order_lines()
    except DatabaseError as error:
        raise SystemExit(
            f"The database is not ready ({error}): migrate it, or run this script with --generate."
        ) from None
    if lines < expected:
        raise SystemExit(
            f"The database holds {lines:,} bench order lines; the {scale} scale has {expected:,}: run "
            f"python bench/generate.py --scale {scale} first, or this script with --generate."
        )


def busiest_year() -> int:
    """The calendar year with the most orders counted (the rollups know it at once)."""
    per_year: Counter[int] = Counter()
    for month, orders in SpendRollup.objects.values_list("month").annotate(n=Sum("orders")).values_list("month", "n"):
        per_year[month.year] += orders or 0
    return per_year.most_common(1)[0][0] if per_year else timezone.localdate().year


def vacuum() -> None:
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in (Order, OrderLine, SpendRollup, CpvSpendRollup))
    # VACUUM cannot run in a transaction (the tests run in one): there, statistics only.
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{statement} {tables}")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="medium")
    parser.add_argument("--database-url", help="instead of DATABASE_URL (set before Django starts)")
    parser.add_argument("--generate", action="store_true", help="migrate and generate the scale's data if missing")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmups", type=int, default=1)
    parser.add_argument("--year", type=int, help="default: the year with the most orders counted")
    parser.add_argument("--part", choices=("all", "figures", "pdf"), default="all")
    parser.add_argument(
        "--pdf-memory",
        choices=("rss", "tracemalloc"),
        default="rss",
        help="rss: each side in a process of its own (VmHWM); tracemalloc: in this process (the tests)",
    )
    parser.add_argument("--no-check", action="store_true", help="skip manage.py rollups --check")
    parser.add_argument("--pdf-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    if options.pdf_child:  # the project's side of the PDF, in a process of its own
        pdf_child(options.year, Path(options.html))
        return 0
    ensure_data(options.scale, options.generate)
    vacuum()
    options.year = options.year or busiest_year()
    started = time.perf_counter()
    print(
        f"Reports benchmark, scale {options.scale}: {bench_order_lines():,} bench order lines on {connection.vendor} "
        f"({connection.settings_dict['NAME']}), {datetime.datetime.now():%Y-%m-%d %H:%M}; year {options.year}; "  # noqa: DTZ005
        f"{options.runs} runs after {options.warmups} warm-up(s), p50 / p95 in ms; {os.cpu_count()} cores."
    )
    measured = Bench(options.year, options.runs, options.warmups)
    if options.part in ("all", "figures"):
        month = {"month": measured.raw.period("o.approved_on", "month")}
        measured.spend_figure(
            f"Spend by member × agreement × month, {options.year}",
            ["member", "agreement", "month"],
            {"member": "o.member_id", "agreement": "o.agreement_id", **month},
            DASHBOARD_TARGET,
        )
        measured.consumption()
        member_id = (
            SpendRollup.objects.filter(
                month__gte=datetime.date(options.year, 1, 1), month__lte=datetime.date(options.year, 12, 1)
            )
            .values("member_id")
            .annotate(net=Sum("net"))
            .order_by("-net")
            .values_list("member_id", flat=True)
            .first()
        )
        measured.spend_figure(
            f"One member's spend per month, {options.year} (the largest spender)",
            ["month"],
            month,
            DASHBOARD_TARGET,
            member_id=member_id,
            extra=f"&member={member_id}",
        )
        measured.spend_figure(
            "Spend per CPV division × month",
            ["cpv_division", "month"],
            {"cpv_division": "substr(l.cpv_code, 1, 2)", **month},
            DASHBOARD_TARGET,
        )
        measured.cpv_rollup()
        measured.ad_hoc()
        measured.row_counts()
    pdf_notes: list[str] = []
    if options.part in ("all", "pdf"):
        rows, pdf_notes = pdf_rows(options.year, options.runs, options.warmups, options.pdf_memory)
        measured.rows += rows
    if options.part == "all" and not options.no_check:
        measured.rollups_check()
    print()
    print(table(measured.rows))
    print()
    for note in measured.notes + pdf_notes:
        print(note)
    calls = Counter(OffPlatformCallOff.objects.values_list("cancelled", flat=True))
    print(f"Off-platform call-offs: {calls[False]:,} counted, {calls[True]:,} cancelled.")
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    plans = measured.explained()
    if plans:
        print("\nPlans of the project's slowest statement where a target is missed:\n")
        print(plans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
