"""Every benchmark at one scale, and one table of all their figures (``make bench``).

    DATABASE_URL=postgres://…/procurement_bench python bench/all.py --scale medium [--generate]

Runs, each in a process of its own against the same database, the catalogue (search and
import), reports, OCDS export, approval-race, HTTP-under-load, background-report and
collector benchmarks, shows their own output as they go,
then prints one table: area | figure | this project | baseline (same run) | ratio | target |
met? — and exits with status 1 when a target is missed or a benchmark fails. At the large
scale (PostgreSQL only), the benchmarks that have a large scale run at it; the others say so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RACE_CLIENTS = 64  # approvers racing for the last euros of one agreement


@dataclass(frozen=True)
class Benchmark:
    area: str
    script: str
    arguments: tuple[str, ...]
    scales: tuple[str, ...]


BENCHMARKS = (
    Benchmark("catalogue", "catalog.py", ("--scale", "{scale}"), ("small", "medium", "large")),
    Benchmark("reports", "reports.py", ("--scale", "{scale}"), ("small", "medium")),
    Benchmark("OCDS export", "ocds.py", ("--scale", "{scale}"), ("small", "medium")),
    Benchmark("ceiling race", "orders.py", ("--clients", str(RACE_CLIENTS)), ("small", "medium", "large")),
    Benchmark("HTTP under load", "load.py", (), ("small", "medium", "large")),
    Benchmark("background report", "background.py", (), ("small", "medium", "large")),
    Benchmark("web worker's collector", "collector.py", (), ("small", "medium", "large")),
)


@dataclass(frozen=True)
class Row:
    area: str
    figure: str
    project: str
    baseline: str
    ratio: str
    target: str
    met: str


def rows_of(area: str, output: str) -> list[Row]:
    """The figures of a benchmark's table(s): ``figure | this project | baseline | ratio | target [| met?]``,
    as plain text (a ``-+-`` rule under the header) or Markdown."""
    rows = []
    header = False
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and cells[0] == "figure" and len(cells) >= 5:
            header = True
            continue
        if not header or len(cells) < 5:
            header = header and bool(line.strip())
            continue
        if set(line.replace("|", "").replace("+", "").strip()) <= {"-", " "}:
            continue
        figure, project, baseline, ratio, target, *rest = cells
        met = rest[0] if rest else ""
        if not rest and target.endswith(("✓", "✗")):  # the target carries the verdict
            target, met = target[:-1].strip(), target[-1]
        met = {"yes": "✓", "NO": "✗"}.get(met, met)
        rows.append(Row(area, figure, project, baseline, ratio, target, met))
    return rows


def table(rows: list[Row]) -> str:
    header = ("area", "figure", "this project", "baseline (same run)", "ratio", "target", "met?")
    cells = [(r.area, r.figure, r.project, r.baseline, r.ratio, r.target, r.met) for r in rows]
    widths = [max(len(line[column]) for line in [header, *cells]) for column in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in [header, *cells]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def run(benchmark: Benchmark, scale: str) -> tuple[list[Row], str | None]:
    arguments = [argument.format(scale=scale) for argument in benchmark.arguments]
    command = [sys.executable, str(BENCH / benchmark.script), *arguments]
    print(f"\n=== {benchmark.area}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())  # noqa: S603 — our scripts
    sys.stderr.write(result.stdout + result.stderr)
    print(f"=== {benchmark.area}: {time.monotonic() - started:.0f} s, status {result.returncode}", file=sys.stderr)
    rows = rows_of(benchmark.area, result.stdout)
    failure = None if result.returncode == 0 else f"exited with status {result.returncode}"
    if not rows and failure is None:
        failure = "printed no table"
    return rows, failure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="medium")
    parser.add_argument("--generate", action="store_true", help="top the data up to the scale first")
    parser.add_argument(
        "--only", action="append", help="an area to run (repeatable): " + ", ".join(b.area for b in BENCHMARKS)
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL (the approval race needs real row locks).")
    if options.generate:
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale", options.scale], check=True)  # noqa: S603

    rows: list[Row] = []
    failures: list[str] = []
    for benchmark in BENCHMARKS:
        if options.only and benchmark.area not in options.only:
            continue
        if options.scale not in benchmark.scales:
            rows.append(Row(benchmark.area, f"(no {options.scale} scale: run at medium)", "", "", "", "", ""))
            continue
        found, failure = run(benchmark, options.scale)
        rows.extend(found)
        if failure:
            failures.append(f"{benchmark.area}: {failure}")

    print(f"\nBenchmarks at the {options.scale} scale ({os.cpu_count()} cores)\n")
    print(table(rows))
    missed = [f"{row.area}: {row.figure}" for row in rows if row.met == "✗"]
    for line in failures + [f"target missed — {name}" for name in missed]:
        print(line)
    sys.exit(1 if failures or missed else 0)


if __name__ == "__main__":
    main()
