"""OCDS export benchmark: ``export_ocds`` streams every release in constant memory.

    DATABASE_URL=postgres://…/procurement_bench_ocds python bench/ocds.py --scale medium [--generate]

Medium scale holds ~97,600 orders, most of them sent: well over 100,000 releases. Prints one
table — figure | this project | baseline (same run) | ratio | target | met? — where:

- the export writes the whole release package to a file through the project's code path
  (``reports.ocds.processes.stream`` into ``packages.write_release_package``), in a process of
  its own, and its peak resident memory (``VmHWM``) is compared with the same export stopped
  after the first 10,000 releases: constant memory means the ratio stays near 1 however many
  releases follow;
- the baseline is the naive way, also in a process of its own: build the first 10,000 releases
  into one list, then dump it; its memory grows with the releases.
- the throughput (releases per second) is printed for the record, not judged.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project before bench/

import bench  # noqa: F401 — sets Django up
from bench import OUT, generate
from reports.ocds import packages, processes

FIRST = 10_000
MEMORY_TARGET = 1.5  # peak memory of the whole export ÷ that of its first 10,000 releases


def peak_memory() -> int:
    """This process's peak resident memory, in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def export(limit: int | None) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    releases = processes.stream()
    if limit is not None:
        releases = itertools.islice(releases, limit)
    with open(OUT / "ocds-releases.json", "w", encoding="utf-8") as out:
        return packages.write_release_package(out, releases, uri="https://bench.example/api/v1/ocds/releases/")


def naive(limit: int) -> int:
    releases = list(itertools.islice(processes.stream(), limit))
    with open(OUT / "ocds-naive.json", "w", encoding="utf-8") as out:
        out.write(packages.dumps(packages.release_package(releases, uri="https://bench.example/")))
    return len(releases)


def child(what: str) -> None:
    """Run one measurement in this process and print it as JSON."""
    started = time.perf_counter()
    count = {"first": lambda: export(FIRST), "whole": lambda: export(None), "naive": lambda: naive(FIRST)}[what]()
    print(json.dumps({"count": count, "seconds": time.perf_counter() - started, "peak": peak_memory()}))


def measured(what: str) -> tuple[int, float, int]:
    output = subprocess.run(  # noqa: S603 — this very script, with a fixed argument
        [sys.executable, __file__, "--child", what], check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return result["count"], result["seconds"], result["peak"]


def mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "medium"), default="medium")
    parser.add_argument("--generate", action="store_true", help="top the data up to the scale first")
    parser.add_argument("--child", choices=("first", "whole", "naive"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child(options.child)
    if options.generate:
        generate.generate(options.scale)

    first, first_seconds, first_peak = measured("first")
    naive_count, _naive_seconds, naive_peak = measured("naive")
    whole, whole_seconds, whole_peak = measured("whole")
    ratio = whole_peak / first_peak

    rows = [
        ("releases written (whole export)", f"{whole:,}", "", "", "≥ 100,000 at medium", whole >= 100_000),
        ("time, whole export", f"{whole_seconds:,.1f} s ({whole / whole_seconds:,.0f} releases/s)", "", "", "", None),
        (
            f"peak memory, first {first:,} releases",
            mib(first_peak),
            f"{mib(naive_peak)} (a list of {naive_count:,}, dumped)",
            f"{first_peak / naive_peak:.2f}",
            "",
            None,
        ),
        (
            "peak memory, whole export",
            mib(whole_peak),
            f"{mib(first_peak)} (first {first:,})",
            f"{ratio:.2f}",
            f"≤ {MEMORY_TARGET}",
            ratio <= MEMORY_TARGET,
        ),
    ]
    print(f"OCDS export — {whole:,} releases; first {first:,} in {first_seconds:.1f} s\n")
    print("| figure | this project | baseline (same run) | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    for figure, project, baseline, value, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "NO")
        print(f"| {figure} | {project} | {baseline} | {value} | {target} | {verdict} |")


if __name__ == "__main__":
    main()
