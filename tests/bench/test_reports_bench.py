"""The reports benchmark runs at the small scale and prints its table, with figures that agree.

The data are generated on the test database (a few seconds); one run of each figure, the
annual PDF measured in this process (tracemalloc: the test database is not visible to another).
"""

import re

import pytest

from bench import generate
from bench import reports as bench_reports

pytestmark = pytest.mark.django_db


def test_the_benchmark_runs_at_the_small_scale_and_prints_its_table(capsys):
    generate.generate("small")
    capsys.readouterr()

    status = bench_reports.main(["--scale", "small", "--runs", "1", "--warmups", "0", "--pdf-memory", "tracemalloc"])

    out = capsys.readouterr().out
    assert status == 0
    header = next(line for line in out.splitlines() if line.startswith("figure"))
    assert [cell.strip() for cell in header.split("|")] == [
        "figure",
        "this project",
        "baseline (same run)",
        "ratio",
        "target",
        "met?",
    ]
    for figure in (
        "Spend by member × agreement × month",
        "Consumption of every agreement",
        "One member's spend per month",
        "Spend per CPV division × month — spend report (",
        "CpvSpendRollup (ORM, as the annual report)",
        "Spend by budget article × quarter (ad hoc) — spend report (lines)",
        "Rows: SpendRollup",
        "Rows: CpvSpendRollup",
        "PDF: build + render, pages per second",
    ):
        assert figure in out, figure
    assert re.search(r"^manage\.py rollups --check +\| OK in ", out, re.MULTILINE)
    assert "rollups)" in out  # member × agreement × month is read from the rollups
    # The project's figures agree with the raw SQL's, group by group.
    assert "groups differ" not in out
    assert "≠" not in out
    assert out.count("✓") >= 6


def test_raw_sql_counts_a_closed_order_for_what_was_delivered():
    """The baseline's counting rule is the ordering app's: net of a closed order = its consumption."""
    from decimal import Decimal

    from django.db.models import Sum

    from procurement.orders.models import Order, OrderStatus

    generate.generate("small")
    raw = bench_reports.Raw()
    run = raw.plain({"agreement_id": "o.agreement_id"}, raw.where(year=None))
    baseline = {agreement: raw.euros(net) for agreement, net in run()}
    consumed = dict(
        Order.objects.filter(status__in=bench_reports.COUNTING)
        .values_list("agreement_id")
        .annotate(total=Sum("consumed"))
        .values_list("agreement_id", "total")
    )
    assert Order.objects.filter(status=OrderStatus.CLOSED).exists()
    assert baseline == {agreement: Decimal(total).quantize(Decimal("0.01")) for agreement, total in consumed.items()}
