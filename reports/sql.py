"""Database expressions the reports aggregate with, the same on PostgreSQL and SQLite.

Amounts are summed as integer cents, so that SQLite (which stores decimals as floating-point
numbers) rounds exactly as PostgreSQL and :mod:`procurement.core.money` do: half up, to the cent.

What an order line counts for follows the ordering app's rule (``procurement.orders.rollups``):
its amount as ordered, or what was delivered once the order is closed. Its VAT is its share
of the VAT of its order's lines at the same rate, rounded the way the order rounds it: the
order's VAT at a rate is rounded once on the sum of its lines (EN 16931), and each line takes
the rounded VAT of the running sum up to it minus that of the running sum before it. Shares
therefore add up exactly to the order's VAT, whichever way lines are grouped.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, DateField, F, Func, QuerySet

from procurement.orders.models import OrderStatus

CENT = Decimal("0.01")


class Sql(Func):
    """A fragment of SQL with positional placeholders ``{0}``, ``{1}``… for compiled expressions."""

    def __init__(self, template: str, *expressions, output_field=None):
        self.sql_template = template
        super().__init__(*expressions, output_field=output_field)

    def as_sql(self, compiler, connection, **extra):
        compiled = [compiler.compile(expression) for expression in self.source_expressions]
        params = []
        for index in _placeholder_order(self.sql_template, len(compiled)):
            params.extend(compiled[index][1])
        return self.sql_template.format(*(sql for sql, _params in compiled)), params


def _placeholder_order(template: str, count: int) -> list[int]:
    positions = []
    for index in range(count):
        start = 0
        while (found := template.find(f"{{{index}}}", start)) >= 0:
            positions.append((found, index))
            start = found + 1
    return [index for _position, index in sorted(positions)]


class PeriodStart(Func):
    """The first day of the month, quarter or year of a date column.

    SQLite's ``TruncMonth`` calls a Python function for every row; dates are stored there as
    ``YYYY-MM-DD`` text, which plain string functions cut much faster.
    """

    output_field = DateField()
    GRAINS = ("month", "quarter", "year")

    def __init__(self, expression, grain: str):
        if grain not in self.GRAINS:
            raise ValueError(grain)
        self.grain = grain
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(date_trunc('{self.grain}', {sql}) AS date)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if self.grain == "month":
            return f"(substr({sql}, 1, 8) || '01')", params
        if self.grain == "year":
            return f"(substr({sql}, 1, 5) || '01-01')", params
        return (
            f"printf('%%s-%%02d-01', substr({sql}, 1, 4), ((CAST(substr({sql}, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)",
            params * 2,
        )

    def as_sql(self, compiler, connection, **extra):  # other databases: Django's own truncation
        from django.db.models.functions import Trunc

        return compiler.compile(Trunc(self.source_expressions[0], self.grain, output_field=DateField()))


def cents(expression) -> Sql:
    return Sql("CAST(ROUND({0} * 100) AS BIGINT)", expression, output_field=BigIntegerField())


def product_cents(quantity, price) -> Sql:
    """round_half_up(quantity × unit price) in cents; quantities keep 3 decimals, prices 4."""
    return Sql(
        "((CAST(ROUND({0} * 1000) AS BIGINT) * CAST(ROUND({1} * 10000) AS BIGINT) + 50000) / 100000)",
        quantity,
        price,
        output_field=BigIntegerField(),
    )


def counted_quantity(prefix: str = "") -> Sql:
    return Sql(
        f"CASE WHEN {{0}} = '{OrderStatus.CLOSED.value}' THEN {{1}} ELSE {{2}} END",
        F(f"{prefix}order__status"),
        F(f"{prefix}delivered_quantity"),
        F(f"{prefix}quantity"),
    )


def counted_cents() -> Sql:
    """What a line counts for, in cents: as ordered, or as delivered once its order is closed."""
    return Sql(
        f"CASE WHEN {{0}} = '{OrderStatus.CLOSED.value}' "
        "THEN ((CAST(ROUND({1} * 1000) AS BIGINT) * CAST(ROUND({2} * 10000) AS BIGINT) + 50000) / 100000) "
        "ELSE CAST(ROUND({3} * 100) AS BIGINT) END",
        F("order__status"),
        F("delivered_quantity"),
        F("unit_price"),
        F("amount_excl_vat"),
        output_field=BigIntegerField(),
    )


def money(value) -> Decimal:
    """A sum of amounts from the database, to the cent (SQLite sums decimals as floating point)."""
    return Decimal(value or 0).quantize(CENT)


def euros(value) -> Decimal:
    """Cents from the database (int, or Decimal on PostgreSQL) as euros."""
    return (Decimal(value or 0) / 100).quantize(CENT)


def grouped_with_vat(lines: QuerySet, keys: dict[str, object], *, extra: dict[str, object] | None = None):
    """Sum lines per group: orders, counted net, their VAT shares, plus ``extra`` cents columns.

    ``lines`` is an OrderLine queryset already narrowed to the viewer and the filters; ``keys``
    maps group names to expressions. One SQL statement: the lines are numbered per order and
    rate (a window), their VAT shares computed, then grouped. Yields dicts of keys and measures.
    """
    extra = extra or {}
    annotated = lines.annotate(
        rp_order=F("order_id"),
        rp_rate=F("vat_rate"),
        rp_position=F("position"),
        rp_net=counted_cents(),
        **{f"rk_{name}": expression for name, expression in keys.items()},
        **{f"rx_{name}": expression for name, expression in extra.items()},
    ).values(
        "rp_order",
        "rp_rate",
        "rp_position",
        "rp_net",
        *(f"rk_{name}" for name in keys),
        *(f"rx_{name}" for name in extra),
    )
    inner, params = annotated.query.sql_with_params()
    key_columns = [f"rk_{name}" for name in keys]
    group = ", ".join(key_columns)
    extra_sums = "".join(f", SUM(rx_{name})" for name in extra)
    # Identifiers only (the keys are the report's own names); values go as parameters.
    sql = f"""
        SELECT {group + ", " if group else ""}COUNT(DISTINCT rp_order), SUM(rp_net), SUM(rp_vat){extra_sums}
        FROM (
            SELECT w.*, ((w.rp_upto * w.rp_rc + 5000) / 10000) - (((w.rp_upto - w.rp_net) * w.rp_rc + 5000) / 10000)
                AS rp_vat
            FROM (
                SELECT l.*,
                    CAST(SUM(l.rp_net) OVER (
                        PARTITION BY l.rp_order, l.rp_rate ORDER BY l.rp_position ROWS UNBOUNDED PRECEDING
                    ) AS BIGINT) AS rp_upto,
                    CAST(ROUND(l.rp_rate * 100) AS BIGINT) AS rp_rc
                FROM ({inner}) l
            ) w
        ) v
        {"GROUP BY " + group if group else ""}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values = dict(zip(keys, row[: len(keys)], strict=True))
            orders, net, vat, *sums = row[len(keys) :]
            values.update(orders=orders or 0, net=euros(net), vat=euros(vat))
            values["gross"] = values["net"] + values["vat"]
            values.update({name: euros(total) for name, total in zip(extra, sums, strict=True)})
            yield values
