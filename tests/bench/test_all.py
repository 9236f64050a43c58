"""``make bench`` gathers every benchmark's table into one, whatever table style each prints."""

from bench.all import Row, rows_of, table

PLAIN = """Reports — 2026
figure                 | this project | baseline (same run) | ratio | target | met?
-----------------------+--------------+---------------------+-------+--------+-----
spend by member, month | 12.0 ms      | 80.0 ms             | 0.15  | ≤ 0.2  | ✓
annual PDF             | 3.1 s        | 3.0 s               | 1.03  |        |

groups equal to the cent: yes
"""
CATALOGUE = """figure         | this project | baseline (same run) | ratio | target
---------------+--------------+---------------------+-------+---------
search p50     | 9.1 ms       | 8.0 ms              | 1.14  | ≤ 1.5 ✓
import 100,000 | 61 s         | 20 s                | 3.05  | ≤ 3 ✗
"""
MARKDOWN = """OCDS export — 168,549 releases
| figure | this project | baseline (same run) | ratio | target | met? |
|---|---|---|---|---|---|
| peak memory, whole export | 158.3 MiB | 157.9 MiB (first 10,000) | 1.00 | ≤ 1.5 | yes |
| time, whole export | 86.6 s |  |  |  |  |
"""


def test_the_three_table_styles_are_read_with_their_verdicts():
    assert rows_of("reports", PLAIN) == [
        Row("reports", "spend by member, month", "12.0 ms", "80.0 ms", "0.15", "≤ 0.2", "✓"),
        Row("reports", "annual PDF", "3.1 s", "3.0 s", "1.03", "", ""),
    ]
    assert rows_of("catalogue", CATALOGUE) == [
        Row("catalogue", "search p50", "9.1 ms", "8.0 ms", "1.14", "≤ 1.5", "✓"),
        Row("catalogue", "import 100,000", "61 s", "20 s", "3.05", "≤ 3", "✗"),
    ]
    assert rows_of("OCDS export", MARKDOWN) == [
        Row("OCDS export", "peak memory, whole export", "158.3 MiB", "157.9 MiB (first 10,000)", "1.00", "≤ 1.5", "✓"),
        Row("OCDS export", "time, whole export", "86.6 s", "", "", "", ""),
    ]


def test_one_table_names_the_area_of_each_figure():
    rows = rows_of("reports", PLAIN) + rows_of("catalogue", CATALOGUE)

    lines = table(rows).splitlines()

    assert [cell.strip() for cell in lines[0].split("|")] == [
        "area",
        "figure",
        "this project",
        "baseline (same run)",
        "ratio",
        "target",
        "met?",
    ]
    assert [line.split("|")[0].strip() for line in lines[2:]] == ["reports", "reports", "catalogue", "catalogue"]
    assert lines[-1].rstrip().endswith("✗")
