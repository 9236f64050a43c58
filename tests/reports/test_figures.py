"""Each report's figures on a small world built through the ordering services, to the cent.

The world (``conftest.py``) has five orders that count — o1, o2, o3, o6 as ordered and o4 closed
after a partial delivery — a cancelled order (o5) and an off-platform call-off. Figures below are
computed by hand from its quantities and prices; VAT is rounded per order and rate (EN 16931).

    o1  10 000 × 0.0450 = 450.00 ; 7 × 3.2549 = 22.7843 → 22.78 ; net 472.78, VAT 21 % 99.2838 → 99.28, gross 572.06
    o2  3 × 0.8333 = 2.4999 → 2.50 twice ; net 5.00, VAT 21 % of 5.00 = 1.05 (per line 0.525 → 0.53: 1.06), 6.05
    o3  3 × 24.99 = 74.97 ; 2 × 12.45 = 24.90 ; net 99.87, VAT 6 % 5.9922 → 5.99, gross 105.86
    o4  as ordered 20 000 × 0.0450 = 900.00 ; 10 × 3.2549 = 32.55 ; net 932.55, VAT 195.8355 → 195.84
        delivered 12 500 × 0.0450 = 562.50 ; 4 × 3.2549 = 13.0196 → 13.02 ; counts 575.52, VAT 120.8592 → 120.86, 696.38
    o6  1 × 99.17 at 21 % ; 4 × 12.45 = 49.80 at 6 % ; net 148.97, VAT 20.8257 → 20.83 + 2.988 → 2.99 = 23.82, 172.79
    o5  2 × 24.99 = 49.98, cancelled: counts nothing
    counted: net 472.78 + 5.00 + 99.87 + 575.52 + 148.97 = 1302.14 ; VAT 99.28 + 1.05 + 5.99 + 120.86 + 23.82 = 251.00 ;
             gross 1553.14
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from procurement.core.money import line_amount, vat_amount, vat_breakdown
from procurement.core.permissions import Role
from procurement.members.models import OrganizationKind
from procurement.orders import services
from procurement.orders.rollups import COUNTING
from tests.factories import MembershipFactory, OrganizationFactory, person
from tests.factories.orders import approved, catalogue_line, subscribe
from tests.factories.tenders import clock
from tests.reports.conftest import S1_NUMBER, at, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
D = Decimal
JAN, FEB, MAR, APR = (datetime.date(2026, month, 1) for month in (1, 2, 3, 4))
ALL_COUNTING = ",".join(sorted(COUNTING))  # naming every status that counts: read from the order lines
FROM_ROLLUPS = "Figures read from the monthly rollups."
FROM_LINES = "Figures summed from the order lines."
MEASURES = ("orders", "net", "vat", "gross")


def table_rows(result, table: str, keys: tuple[str, ...], measures: tuple[str, ...] = MEASURES) -> list[tuple]:
    return [tuple(row[key] for key in keys + measures) for row in result.table(table).rows]


def totals(result, table: str, measures: tuple[str, ...] = MEASURES) -> tuple:
    found = result.table(table).totals
    return tuple(found[key] for key in measures)


def figures(result) -> dict:
    return {figure.label: figure.value for figure in result.figures}


# --- 1. Spend: the rollups and the order lines agree -----------------------------------------


def test_spend_by_member_agreement_and_month_from_the_rollups_equals_the_order_lines(world):
    commune, cpas, a, b = world.commune.pk, world.cpas.pk, world.a.pk, world.b.pk
    query = "date_from=2026-01-01&date_to=2026-04-30&group_by=member,agreement,month"

    # when: whole months read from the rollups; every counting status named, or a period cut on
    # 19 April, read from the order lines
    from_rollups = run("spend", world.people.central, query)
    from_lines = run("spend", world.people.central, f"{query}&status={ALL_COUNTING}")
    cut = run("spend", world.people.central, query.replace("2026-04-30", "2026-04-19"))

    # then: each way says where it read from, and the rows are the same to the cent
    assert from_rollups.notes[-1] == FROM_ROLLUPS
    assert from_lines.notes[-1] == cut.notes[-1] == FROM_LINES
    keys = ("member_id", "agreement_id", "month")
    expected = [
        (commune, a, JAN, 1, D("472.78"), D("99.28"), D("572.06")),  # o1
        (commune, a, FEB, 1, D("5.00"), D("1.05"), D("6.05")),  # o2
        (cpas, a, FEB, 1, D("575.52"), D("120.86"), D("696.38")),  # o4, closed: what was delivered
        (cpas, b, MAR, 1, D("148.97"), D("23.82"), D("172.79")),  # o6 (o5 cancelled: nothing)
        (commune, b, APR, 1, D("99.87"), D("5.99"), D("105.86")),  # o3: 31/03 22:30 UTC is 1 April in Brussels
    ]
    assert sorted(table_rows(from_rollups, "spend", keys), key=str) == sorted(expected, key=str)
    assert table_rows(from_lines, "spend", keys) == table_rows(from_rollups, "spend", keys)
    assert table_rows(cut, "spend", keys) == table_rows(from_rollups, "spend", keys)
    assert [row["month"] for row in from_rollups.table("spend").rows] == [JAN, FEB, FEB, MAR, APR]


@pytest.mark.parametrize(
    ("group_by", "keys"),
    [
        ("member,agreement,quarter", ("member_id", "agreement_id", "quarter")),
        ("supplier,year", ("supplier_id", "year")),
        ("lot,month", ("lot_id", "month")),
        ("member", ("member_id",)),
    ],
)
def test_spend_from_the_rollups_equals_the_order_lines_for_other_groupings(world, group_by, keys):
    query = f"date_from=2026-01-01&date_to=2026-04-30&group_by={group_by}"

    from_rollups = run("spend", world.people.central, query)
    from_lines = run("spend", world.people.central, f"{query}&status={ALL_COUNTING}")

    assert (from_rollups.notes[-1], from_lines.notes[-1]) == (FROM_ROLLUPS, FROM_LINES)
    assert table_rows(from_lines, "spend", keys) == table_rows(from_rollups, "spend", keys)
    assert totals(from_lines, "spend") == totals(from_rollups, "spend") == (5, D("1302.14"), D("251.00"), D("1553.14"))


def test_spend_grand_totals_are_the_counted_orders_totals(world):
    # given: the orders that count; o4 is closed, so it counts what was delivered
    o1, o2, o3, o4, o6 = world.counted()
    as_ordered = [o1, o2, o3, o6]
    delivered = vat_breakdown(
        (line_amount(line.delivered_quantity, line.unit_price), line.vat_rate) for line in o4.lines.all()
    ).total
    assert (delivered.net, delivered.vat, delivered.gross) == (D("575.52"), D("120.86"), D("696.38"))
    assert o4.consumed == delivered.net  # the ceiling kept what was delivered

    result = run("spend", world.people.central, "date_from=2026-01-01&group_by=member,agreement,month")

    assert totals(result, "spend") == (
        5,
        sum((o.total_excl_vat for o in as_ordered), delivered.net),
        sum((o.total_vat for o in as_ordered), delivered.vat),
        sum((o.total_incl_vat for o in as_ordered), delivered.gross),
    )
    assert totals(result, "spend") == (5, D("1302.14"), D("251.00"), D("1553.14"))
    assert figures(result) == {
        "Orders": 5,
        "Spend excl. VAT": D("1302.14"),
        "VAT": D("251.00"),
        "Spend incl. VAT": D("1553.14"),
    }
    # The pivot (months across) says the same: Jan 472.78, Feb 5.00 + 575.52, Mar 148.97, Apr 99.87
    pivot = result.table("pivot").totals
    assert [pivot[f"p{index}"] for index in range(4)] == [D("472.78"), D("580.52"), D("148.97"), D("99.87")]
    assert pivot["total"] == D("1302.14")


# --- 2. VAT shares by budget article and CPV division ----------------------------------------


def test_vat_shares_by_budget_article_add_up_to_the_orders_vat(world):
    # given: o2's two 21 % lines of 2.50 are charged to two budget articles; rounded line by line
    # their VAT would be 0.53 + 0.53 = 1.06, but the order's is 21 % of 5.00 = 1.05
    o1, o2 = world.order("o1"), world.order("o2")
    assert o2.total_vat == D("1.05")
    assert sum(vat_amount(line.amount_excl_vat, line.vat_rate) for line in o2.lines.all()) == D("1.06")
    query = f"date_from=2026-01-01&group_by=budget_article&member={world.commune.pk}&agreement={world.a.pk}"

    result = run("spend", world.people.central, query)

    # then: the first line takes round(2.50 × 21 %) = 0.53, the second round(5.00 × 21 %) − 0.53 = 0.52
    assert result.notes[-1] == FROM_LINES
    assert table_rows(result, "spend", ("budget_article",)) == [
        ("104/742-53", 1, D("472.78"), D("99.28"), D("572.06")),  # o1, the order's article
        ("104/123-01", 1, D("2.50"), D("0.53"), D("3.03")),
        ("104/123-02", 1, D("2.50"), D("0.52"), D("3.02")),
    ]
    assert totals(result, "spend", ("net", "vat", "gross")) == (
        o1.total_excl_vat + o2.total_excl_vat,
        o1.total_vat + o2.total_vat,
        o1.total_incl_vat + o2.total_incl_vat,
    )


def test_spend_by_cpv_division(world):
    query = "date_from=2026-01-01&group_by=cpv_division"
    result = run("spend", world.people.central, query)
    from_lines = run("spend", world.people.central, f"{query}&status={ALL_COUNTING}")

    # 30: o1 472.78 + o2 5.00 + o4 575.52 = 1053.30, VAT 99.28 + 1.05 + 120.86 = 221.19
    # 22: o3 99.87 + o6 148.97 = 248.84, VAT 5.99 + 23.82 = 29.81
    # The rollups by CPV division hold the lines' VAT shares: the same to the cent as the lines.
    assert result.notes[-1] == FROM_ROLLUPS
    assert from_lines.notes[-1] == FROM_LINES
    assert table_rows(result, "spend", ("cpv_division_id",)) == table_rows(from_lines, "spend", ("cpv_division_id",))
    assert table_rows(result, "spend", ("cpv_division_id",)) == [
        ("30", 3, D("1053.30"), D("221.19"), D("1274.49")),
        ("22", 2, D("248.84"), D("29.81"), D("278.65")),
    ]
    labels = [row["cpv_division"] for row in result.table("spend").rows]
    assert labels == [
        "30 — Office and computing machinery, equipment and supplies except furniture and software packages",
        "22 — Printed matter and related products",
    ]
    assert totals(result, "spend") == (5, D("1302.14"), D("251.00"), D("1553.14"))


# --- 3. Filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "source", "months", "total"),
    [
        pytest.param(
            "date_from=2026-02-11&date_to=2026-03-31",
            FROM_LINES,
            [(FEB, 1, "575.52", "120.86", "696.38"), (MAR, 1, "148.97", "23.82", "172.79")],  # o4, o6
            (2, "724.49", "144.68", "869.17"),
            id="period cut inside February",
        ),
        pytest.param(
            "date_from=2026-03-01&date_to=2026-03-31",
            FROM_ROLLUPS,
            [(MAR, 1, "148.97", "23.82", "172.79")],  # o3 was approved on 31 March UTC, 1 April in Brussels
            (1, "148.97", "23.82", "172.79"),
            id="March",
        ),
        pytest.param(
            "date_from=2026-01-01&status=closed",
            FROM_LINES,
            [(FEB, 1, "575.52", "120.86", "696.38")],
            (1, "575.52", "120.86", "696.38"),
            id="closed orders",
        ),
        pytest.param(
            "date_from=2026-01-01&status=approved",
            FROM_LINES,
            [
                (JAN, 1, "472.78", "99.28", "572.06"),
                (FEB, 1, "5.00", "1.05", "6.05"),
                (MAR, 1, "148.97", "23.82", "172.79"),
                (APR, 1, "99.87", "5.99", "105.86"),
            ],
            (4, "726.62", "130.14", "856.76"),
            id="approved orders",
        ),
        pytest.param(
            "date_from=2026-01-01&member_kind=cpas",
            FROM_ROLLUPS,
            [(FEB, 1, "575.52", "120.86", "696.38"), (MAR, 1, "148.97", "23.82", "172.79")],
            (2, "724.49", "144.68", "869.17"),
            id="CPAS",
        ),
        pytest.param(
            "date_from=2026-01-01&member_kind=cpas&status=approved,closed",
            FROM_LINES,
            [(FEB, 1, "575.52", "120.86", "696.38"), (MAR, 1, "148.97", "23.82", "172.79")],
            (2, "724.49", "144.68", "869.17"),
            id="CPAS from the lines",
        ),
        pytest.param(
            "date_from=2026-01-01&supplier={s2}",
            FROM_ROLLUPS,
            [(MAR, 1, "148.97", "23.82", "172.79"), (APR, 1, "99.87", "5.99", "105.86")],  # o6, o3
            (2, "248.84", "29.81", "278.65"),
            id="supplier",
        ),
        pytest.param(
            "date_from=2026-01-01&date_to=2026-04-19&supplier={s2}",
            FROM_LINES,
            [(MAR, 1, "148.97", "23.82", "172.79"), (APR, 1, "99.87", "5.99", "105.86")],
            (2, "248.84", "29.81", "278.65"),
            id="supplier from the lines",
        ),
        pytest.param(
            "date_from=2026-01-01&agreement={a}",
            FROM_ROLLUPS,
            [(JAN, 1, "472.78", "99.28", "572.06"), (FEB, 2, "580.52", "121.91", "702.43")],  # o1; o2 + o4
            (3, "1053.30", "221.19", "1274.49"),
            id="agreement",
        ),
        pytest.param(
            "date_from=2026-01-02&agreement={a}",
            FROM_LINES,
            [(JAN, 1, "472.78", "99.28", "572.06"), (FEB, 2, "580.52", "121.91", "702.43")],
            (3, "1053.30", "221.19", "1274.49"),
            id="agreement from the lines",
        ),
        pytest.param(
            "date_from=2026-01-01&member={commune}&agreement={b}",
            FROM_ROLLUPS,
            [(APR, 1, "99.87", "5.99", "105.86")],
            (1, "99.87", "5.99", "105.86"),
            id="member and agreement",
        ),
    ],
)
def test_filters_narrow_the_spend(world, query, source, months, total):
    ids = {"s2": world.s2.pk, "a": world.a.pk, "b": world.b.pk, "commune": world.commune.pk}

    result = run("spend", world.people.central, query.format(**ids) + "&group_by=month")

    assert result.notes[-1] == source
    assert table_rows(result, "spend", ("month",)) == [
        (month, orders, D(net), D(vat), D(gross)) for month, orders, net, vat, gross in months
    ]
    orders, net, vat, gross = total
    assert totals(result, "spend") == (orders, D(net), D(vat), D(gross))


def test_a_member_sees_its_own_spend_only(world):
    result = run("spend", world.people.commune_admin, "date_from=2026-01-01&group_by=member,month")

    # o1 472.78 + o2 5.00 + o3 99.87 = 577.65 ; VAT 99.28 + 1.05 + 5.99 = 106.32
    assert {row["member_id"] for row in result.table("spend").rows} == {world.commune.pk}
    assert totals(result, "spend") == (3, D("577.65"), D("106.32"), D("683.97"))


def test_a_supplier_sees_the_spend_of_the_orders_sent_to_it(world):
    # S1 received o4 only: o1 and o2 were approved but never sent
    result = run("spend", world.people.supplier, "date_from=2026-01-01&group_by=member,month")

    assert result.notes[-1] == FROM_LINES  # the rollups do not know when an order was sent
    assert table_rows(result, "spend", ("member_id", "month")) == [
        (world.cpas.pk, FEB, 1, D("575.52"), D("120.86"), D("696.38")),
    ]
    register = run("register", world.people.supplier, "date_from=2026-01-01")
    assert [(row["number"], row["member"]) for row in register.table("lines").rows] == [
        (world.order("o4").number, world.cpas.name)
    ] * 2


# --- 4. Savings ------------------------------------------------------------------------------

SAVINGS_KEYS = ("member_id", "agreement_id", "year")
SAVINGS_MEASURES = ("list_value", "contract", "savings", "rate", "lines_with", "without_list", "lines_without")


def test_savings_per_member_agreement_and_year(world):
    commune, cpas, a, b = world.commune.pk, world.cpas.pk, world.a.pk, world.b.pk
    year = datetime.date(2026, 1, 1)

    result = run("savings", world.people.central, "date_from=2026-01-01")

    # sorted by year, then by the members' and agreements' names (CPAS… before Commune…)
    assert table_rows(result, "savings", SAVINGS_KEYS, SAVINGS_MEASURES) == [
        # o4 closed, delivered: list 12 500 × 0.0600 = 750.00 + 4 × 4.1000 = 16.40 → 766.40;
        # contract 562.50 + 13.02 = 575.52; saved 190.88 = 24.906 % → 24.9
        (cpas, a, year, D("766.40"), D("575.52"), D("190.88"), D("24.9"), 2, D("0.00"), 0),
        # o6: list 120.00, contract 99.17, saved 20.83 = 17.358 % → 17.4; 4 × 12.45 = 49.80 without a list price
        (cpas, b, year, D("120.00"), D("99.17"), D("20.83"), D("17.4"), 1, D("49.80"), 1),
        # o1: (0.0600 − 0.0450) × 10 000 = 150.00 and 28.70 − 22.78 = 5.92 → 628.70 − 472.78 = 155.92,
        # 24.800 % → 24.8; o2's two pens (2.50 each) have no list price
        (commune, a, year, D("628.70"), D("472.78"), D("155.92"), D("24.8"), 2, D("5.00"), 2),
        # o3: 3 × 29.95 = 89.85 − 74.97 = 14.88, 16.561 % → 16.6; 2 × 12.45 = 24.90 without
        (commune, b, year, D("89.85"), D("74.97"), D("14.88"), D("16.6"), 1, D("24.90"), 1),
    ]
    # total: saved 382.51 of 1604.95 = 23.833 % → 23.8; contract + without a list price = the spend
    assert totals(result, "savings", SAVINGS_MEASURES) == (
        D("1604.95"),
        D("1222.44"),
        D("382.51"),
        D("23.8"),
        6,
        D("79.70"),
        4,
    )
    spend = run("spend", world.people.central, "date_from=2026-01-01&group_by=member")
    assert (
        totals(result, "savings", ("contract",))[0] + totals(result, "savings", ("without_list",))[0]
        == (totals(spend, "spend", ("net",))[0])
    )
    assert figures(result) == {
        "Savings": D("382.51"),
        "Rate of savings": D("23.8"),
        "At list prices": D("1604.95"),
        "Spend without a list price": D("79.70"),
    }


def test_savings_from_the_rollups_equal_the_order_lines(world):
    query = "date_from=2026-01-01&date_to=2026-04-30&group_by=member,agreement,year"

    # when: whole months (the rollups), or a period cut at either end (the order lines)
    whole_months = run("savings", world.people.central, query)
    from_lines = run("savings", world.people.central, query.replace("2026-04-30", "2026-04-19"))
    cut = run("savings", world.people.central, query.replace("2026-01-01", "2026-01-02"))

    expected = table_rows(whole_months, "savings", SAVINGS_KEYS, SAVINGS_MEASURES)
    assert len(expected) == 4
    assert table_rows(from_lines, "savings", SAVINGS_KEYS, SAVINGS_MEASURES) == expected
    assert table_rows(cut, "savings", SAVINGS_KEYS, SAVINGS_MEASURES) == expected


def test_savings_of_the_closed_order_count_what_was_delivered(world):
    query = f"date_from=2026-01-01&member={world.cpas.pk}&agreement={world.a.pk}&group_by=member"

    [row] = run("savings", world.people.central, query).table("savings").rows
    # (0.0600 − 0.0450) × 12 500 = 187.50 ; 16.40 − 13.02 = 3.38 ; 190.88 (not (0.06 − 0.045) × 20 000 …)
    assert (row["list_value"], row["contract"], row["savings"]) == (D("766.40"), D("575.52"), D("190.88"))


# --- 5. Consumption --------------------------------------------------------------------------

AGREEMENT_MEASURES = (
    "subscribed",
    "consumed",
    "off_platform",
    "delivered",
    "remaining",
    "percent",
    "pace",
    "exhaustion",
)


def test_consumption_per_agreement(world):
    a, b = world.a, world.b
    a.refresh_from_db()
    b.refresh_from_db()

    result = run("consumption", world.people.central)

    # A: o1 472.78 + o2 5.00 + o4 575.52 (closed, the rest given back) + call-off 300.00 = 1353.30 of 10 000.00
    #    → 13.533 % → 13.5, remaining 8646.70; delivered: o4's 575.52.
    #    The 90 days up to 20/04 start on 21/01: o2 + o4 + the call-off = 880.52 (not o1, 12/01);
    #    8646.70 / (880.52 / 90) = 883.8 days → 883 days after 20/04/2026 = 19/09/2028
    # B: o3 99.87 + o6 148.97 = 248.84 of 5000.00 → 4.977 % → 5.0, remaining 4751.16, all in the 90 days;
    #    4751.16 / (248.84 / 90) = 1718.4 days → 02/01/2031
    # members' estimates: A 6000.00 + 1500.00, B 1000.00 + 2500.00
    assert (a.consumed_value, b.consumed_value) == (D("1353.30"), D("248.84"))
    assert table_rows(result, "agreements", ("reference",), AGREEMENT_MEASURES) == [
        (
            a.reference,
            D("7500.00"),
            a.consumed_value,
            D("300.00"),
            D("575.52"),
            D("8646.70"),
            D("13.5"),
            D("880.52"),
            datetime.date(2028, 9, 19),
        ),
        (
            b.reference,
            D("3500.00"),
            b.consumed_value,
            D("0.00"),
            D("0.00"),
            D("4751.16"),
            D("5.0"),
            D("248.84"),
            datetime.date(2031, 1, 2),
        ),
    ]
    # 20/04/2026 + 883 days: + 731 → 20/04/2028, + 152 → 19/09/2028; + 1718: + 1461 → 20/04/2030, + 257 → 02/01/2031
    assert totals(result, "agreements", ("maximum", "consumed", "remaining", "percent")) == (
        D("15000.00"),
        D("1602.14"),
        D("13397.86"),
        D("10.7"),  # 1602.14 / 15 000 = 10.68 %
    )


def test_consumption_per_member_against_its_estimate(world):
    a, b = world.a.reference, world.b.reference

    result = run("consumption", world.people.central, "by_member=on")

    keys, measures = ("agreement", "member"), ("estimate", "consumed", "percent")
    assert table_rows(result, "members", keys, measures) == [
        (a, world.cpas.name, D("1500.00"), D("575.52"), D("38.4")),  # o4 delivered: 38.368 %
        (a, world.commune.name, D("6000.00"), D("777.78"), D("13.0")),  # o1 + o2 + call-off 300.00: 12.963 %
        (b, world.cpas.name, D("2500.00"), D("148.97"), D("6.0")),  # o6: 5.959 % (o5 cancelled)
        (b, world.commune.name, D("1000.00"), D("99.87"), D("10.0")),  # o3: 9.987 %
    ]
    assert totals(result, "members", ("estimate", "consumed", "percent")) == (D("11000.00"), D("1602.14"), D("14.6"))


def test_consumption_per_member_is_a_drill_down_for_the_whole_platform(world):
    # given no agreement nor member chosen, and the table not asked for: its rows are left out, and said so
    whole = run("consumption", world.people.central)
    assert whole.table("members").rows == []
    assert "Choose an agreement or a member" in whole.table("members").note

    # when an agreement is chosen, its members are shown
    one = run("consumption", world.people.central, f"agreement={world.a.pk}")
    assert [row["member"] for row in one.table("members").rows] == [world.cpas.name, world.commune.name]


def test_a_member_sees_the_agreements_and_its_own_consumption(world):
    result = run("consumption", world.people.commune_admin)

    assert [row["consumed"] for row in result.table("agreements").rows] == [D("1353.30"), D("248.84")]
    assert table_rows(result, "members", ("agreement", "member"), ("estimate", "consumed", "percent")) == [
        (world.a.reference, world.commune.name, D("6000.00"), D("777.78"), D("13.0")),
        (world.b.reference, world.commune.name, D("1000.00"), D("99.87"), D("10.0")),
    ]


def test_a_supplier_sees_the_off_platform_call_offs_in_the_members_consumption(world):
    result = run("consumption", world.people.supplier, "by_member=on")

    # S1 sees A only; of the commune's, o1 and o2 were never sent to it, but the call-off of 300.00 was placed with it
    assert table_rows(result, "members", ("agreement", "member"), ("estimate", "consumed")) == [
        (world.a.reference, world.cpas.name, D("1500.00"), D("575.52")),
        (world.a.reference, world.commune.name, D("6000.00"), D("300.00")),
    ]


# --- 6. Register -----------------------------------------------------------------------------


def test_register_lists_every_line_and_adds_up_to_the_orders(world):
    orders = world.counted()

    result = run("register", world.people.central, "date_from=2026-01-01")

    rows = list(result.table("lines").rows)
    assert [(row["number"], row["position"], row["member"]) for row in rows] == [
        (world.order(name).number, position, member.name)
        for name, member in (
            ("o1", world.commune),
            ("o2", world.commune),
            ("o4", world.cpas),  # the register follows the orders' creation: o5 (cancelled) is left out
            ("o6", world.cpas),
            ("o3", world.commune),
        )
        for position in (1, 2)
    ]
    # lines as ordered; o2's VAT 0.53 + 0.52 = its 1.05 (not 0.53 + 0.53)
    assert [(row["net"], row["vat"], row["gross"]) for row in rows[2:4]] == [
        (D("2.50"), D("0.53"), D("3.03")),
        (D("2.50"), D("0.52"), D("3.02")),
    ]
    for order in orders:
        mine = [row for row in rows if row["number"] == order.number and row["member"] == order.member.name]
        assert (sum(r["net"] for r in mine), sum(r["vat"] for r in mine), sum(r["gross"] for r in mine)) == (
            order.total_excl_vat,
            order.total_vat,
            order.total_incl_vat,
        )
    expected = (
        sum(o.total_excl_vat for o in orders),
        sum(o.total_vat for o in orders),
        sum(o.total_incl_vat for o in orders),
    )
    # as ordered: 472.78 + 5.00 + 99.87 + 932.55 + 148.97 = 1659.17 ; VAT 99.28 + 1.05 + 5.99 + 195.84 + 23.82
    assert expected == (D("1659.17"), D("325.98"), D("1985.15"))
    assert (sum(r["net"] for r in rows), sum(r["vat"] for r in rows), sum(r["gross"] for r in rows)) == expected
    assert totals(result, "lines", ("net", "vat", "gross")) == expected
    assert figures(result)["Order lines"] == 10


def test_register_row_fields(world):
    o4 = world.order("o4")

    result = run(
        "register", world.people.central, f"date_from=2026-01-01&member={world.cpas.pk}&agreement={world.a.pk}"
    )

    first, second = result.table("lines").rows
    assert {key: first[key] for key in ("number", "status", "created_on", "approved_on", "sent_on")} == {
        "number": o4.number,
        "status": "closed",
        "created_on": datetime.date(2026, 2, 15),
        "approved_on": datetime.date(2026, 2, 15),
        "sent_on": datetime.date(2026, 2, 16),
    }
    assert first["supplier_number"] == f"{S1_NUMBER[:4]}.{S1_NUMBER[4:7]}.{S1_NUMBER[7:]}" == "0123.456.749"
    assert first["budget_article"] == "844/124-02"
    assert (second["quantity"], second["delivered_quantity"], second["unit_price"], second["vat_rate"]) == (
        D("10"),
        D("4"),
        D("3.2549"),
        D("21"),
    )
    # 10 × 3.2549 = 32.549 → 32.55; VAT: round(932.55 × 21 %) − round(900.00 × 21 %) = 195.84 − 189.00
    assert (second["net"], second["vat"], second["gross"]) == (D("32.55"), D("6.84"), D("39.39"))


def test_register_of_cancelled_orders(world):
    o5 = world.order("o5")

    result = run("register", world.people.central, "date_from=2026-01-01&status=cancelled")

    [row] = result.table("lines").rows
    # 2 × 24.99 = 49.98, VAT 6 % 2.9988 → 3.00
    assert (row["number"], row["member"], row["net"], row["vat"], row["gross"]) == (
        o5.number,
        world.cpas.name,
        D("49.98"),
        D("3.00"),
        D("52.98"),
    )
    assert totals(result, "lines", ("net", "vat", "gross")) == (o5.total_excl_vat, o5.total_vat, o5.total_incl_vat)


# --- 7. Statement ----------------------------------------------------------------------------


def test_statement_equals_the_spend_and_savings_of_its_member(world):
    period = "date_from=2026-01-01&date_to=2026-04-30"
    cpas = world.cpas.pk

    statement = run("statement", world.people.central, f"{period}&member={cpas}")
    spend = run("spend", world.people.central, f"{period}&member={cpas}&group_by=agreement")
    articles = run("spend", world.people.central, f"{period}&member={cpas}&group_by=budget_article")
    savings = run("savings", world.people.central, f"{period}&member={cpas}&group_by=agreement")

    keys = ("agreement_id",)
    assert table_rows(statement, "agreements", keys) == table_rows(spend, "spend", keys)
    assert totals(statement, "agreements") == totals(spend, "spend") == (2, D("724.49"), D("144.68"), D("869.17"))
    assert table_rows(statement, "budget_articles", ("budget_article",)) == table_rows(
        articles, "spend", ("budget_article",)
    )
    measures = ("list_value", "contract", "savings", "rate", "without_list")
    assert table_rows(statement, "savings", keys, measures) == table_rows(savings, "savings", keys, measures)
    assert figures(statement)["Savings"] == figures(savings)["Savings"] == D("211.71")  # 190.88 + 20.83
    assert figures(statement)["Spend excl. VAT"] == D("724.49")
    # its counted orders only: o4 and o6, not o5 (cancelled) nor the commune's
    assert [row["number"] for row in statement.table("orders").rows] == [
        world.order("o4").number,
        world.order("o6").number,
    ]
    assert [(row["agreement"], row["estimate"], row["consumed"]) for row in statement.table("estimates").rows] == [
        (f"{world.a.reference} — {world.a.title}", D("1500.00"), D("575.52")),
        (f"{world.b.reference} — {world.b.title}", D("2500.00"), D("148.97")),
    ]


def test_a_members_statement_is_its_own(world):
    statement = run("statement", world.people.commune_admin, "date_from=2026-01-01")

    assert statement.title == f"Member statement — {world.commune.name}"
    assert [row["number"] for row in statement.table("orders").rows] == [
        world.order(name).number for name in ("o1", "o2", "o3")
    ]
    assert totals(statement, "agreements") == (3, D("577.65"), D("106.32"), D("683.97"))
    with pytest.raises(ValidationError) as refused:
        run("statement", world.people.commune_admin, f"date_from=2026-01-01&member={world.cpas.pk}")
    assert list(refused.value.message_dict) == ["member"]


def test_statement_orders_table_counts_what_its_spend_counts(world):
    statement = run("statement", world.people.central, f"date_from=2026-01-01&member={world.cpas.pk}")

    # The orders are listed as ordered (o4, closed, 932.55 €), and their counted column — o4 for what
    # was delivered — adds up to the statement's spend.
    assert totals(statement, "orders", ("counted",)) == totals(statement, "agreements", ("net",))
    assert statement.table("orders").totals["net"] == D("1081.52")


# --- 8. Annual -------------------------------------------------------------------------------


def test_annual_spend_per_month_suppliers_cpv_and_savings(world):
    annual = run("annual", world.people.central, "year=2026")
    spend = run("spend", world.people.central, "date_from=2026-01-01&date_to=2026-12-31&group_by=month")
    savings = run("savings", world.people.central, "date_from=2026-01-01&date_to=2026-12-31&group_by=agreement")

    assert table_rows(annual, "months", ("month",)) == table_rows(spend, "spend", ("month",))
    assert totals(annual, "months") == totals(spend, "spend") == (5, D("1302.14"), D("251.00"), D("1553.14"))
    # S1: o1 + o2 + o4 = 1053.30 (VAT 221.19); S2: o3 + o6 = 248.84 (VAT 29.81)
    assert table_rows(annual, "suppliers", ("supplier",)) == [
        (world.s1.name, 3, D("1053.30"), D("221.19"), D("1274.49")),
        (world.s2.name, 2, D("248.84"), D("29.81"), D("278.65")),
    ]
    # CPV 30: 1053.30 / 1302.14 = 80.89 % → 80.9; 22: 19.11 % → 19.1
    cpv = annual.table("cpv").rows
    assert [(row["division"][:2], row["net"], row["share"]) for row in cpv] == [
        ("30", D("1053.30"), D("80.9")),
        ("22", D("248.84"), D("19.1")),
    ]
    assert abs(sum(row["share"] for row in cpv) - 100) <= D("0.1")
    assert annual.table("cpv").totals["net"] == D("1302.14")
    measures = ("list_value", "contract", "savings", "rate")
    assert table_rows(annual, "savings", ("agreement_id",), measures) == table_rows(
        savings, "savings", ("agreement_id",), measures
    )
    assert figures(annual) == {
        "Active members": 2,
        "New members": 0,
        "Framework agreements in force": 2,
        "Orders": 5,
        "Spend excl. VAT": D("1302.14"),
        "Off-platform call-offs excl. VAT": D("300.00"),
        "Savings": D("382.51"),
        "Rate of savings": D("23.8"),
    }


def test_annual_members_who_ordered_leave_out_a_member_whose_only_order_was_cancelled(world):
    # given: another commune whose only order was approved, then cancelled
    other = OrganizationFactory(kind=OrganizationKind.COMMUNE)
    MembershipFactory(member=other, activated_at=at(2025, 6, 1, 10, 0))
    subscribe(other, world.a, estimated="1000.00")
    officer = person(other, Role.MEMBER_OFFICER, username="other-officer")
    approver = person(other, Role.MEMBER_APPROVER, username="other-approver")
    paper = world.order("o1").lines.get(position=2).item
    with clock(at(2026, 3, 12, 9, 0)):
        order = approved(officer, approver, {paper: 1})
        services.order_cancel(actor=officer, order=order, reason="Erreur")

    annual = run("annual", world.people.central, "year=2026")

    [communes] = [row for row in annual.table("members").rows if row["kind"] == "Commune"]
    assert (communes["members"], communes["buying"], communes["net"]) == (2, 1, D("577.65"))


# --- Rounding of rates -----------------------------------------------------------------------


def test_a_rate_of_savings_rounds_half_up(world):
    # given: a line at 35.10 € listed 40.00 €: 4.90 saved of 40.00 = 12.25 % exactly
    item = catalogue_line(world.a, world.s1, "AGR", "35.1000", name="Agrafeuse", list_price=D("40.0000"))
    with clock(at(2026, 4, 15, 9, 0)):
        approved(world.people.commune_officer, world.people.commune_approver, {item: 1})

    result = run("savings", world.people.central, "date_from=2026-04-15&date_to=2026-04-15&group_by=member")

    [row] = result.table("savings").rows
    assert (row["list_value"], row["savings"], row["rate"]) == (D("40.00"), D("4.90"), D("12.3"))
