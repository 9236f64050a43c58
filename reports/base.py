"""What a report is and what it produces, whatever the format it is read in.

A report (one exporter class per report, under ``reports/exporters/``) declares its
parameters (a form: the same validation for the page and the API), who may run it, and
builds a :class:`Result`: headline figures, tables of typed columns, charts (SVG). The
formats (``reports.formats``) and the pages only lay a result out; they compute nothing,
so totals agree to the cent whichever way a result is read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django import forms
from django.utils import timezone

from procurement.core.money import quantize
from reports.scope import Audience, Viewer


class Kind(StrEnum):
    """How a column's values are typed in every format."""

    TEXT = "text"
    DATE = "date"
    MONTH = "month"  # a date: the first day of the month
    QUARTER = "quarter"  # a date: the first day of the quarter
    YEAR = "year"  # a date: 1 January
    INTEGER = "integer"
    QUANTITY = "quantity"  # up to 3 decimals
    PRICE = "price"  # a unit price: up to 4 decimals
    MONEY = "money"  # euros, 2 decimals
    PERCENT = "percent"  # a percentage, 1 decimal (83.4 means 83.4 %)
    RATE = "rate"  # a VAT rate in percent


NUMERIC = frozenset({Kind.INTEGER, Kind.QUANTITY, Kind.PRICE, Kind.MONEY, Kind.PERCENT, Kind.RATE})
DATES = frozenset({Kind.DATE, Kind.MONTH, Kind.QUARTER, Kind.YEAR})


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    total: bool = False  # summed in the totals row

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] | Iterable[dict]
    totals: dict | None = None
    note: str = ""
    # Rows may be a generator for long registers: formats that stream read it once.
    size: int | None = None

    def __post_init__(self):
        if isinstance(self.rows, list) and self.size is None:
            self.size = len(self.rows)


@dataclass(frozen=True)
class Figure:
    """A headline figure: "Spend excl. VAT: 1 234 567,89 €"."""

    label: str
    value: Decimal | int | str | datetime.date | None
    kind: Kind = Kind.MONEY


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str


@dataclass
class Result:
    identifier: str
    title: str
    subtitle: str = ""
    filters: list[tuple[str, str]] = field(default_factory=list)  # (label, value) as shown
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated_at: datetime.datetime = field(default_factory=timezone.now)
    orientation: str = "portrait"  # of the PDF page

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def totals_of(columns: list[Column], rows: list[dict], **labels) -> dict:
    """The totals row: the sum of every column marked ``total``; ``labels`` fill text columns."""
    totals = dict(labels)
    for column in columns:
        if column.total:
            totals[column.key] = sum(
                (row[column.key] or 0 for row in rows), Decimal(0) if column.kind != Kind.INTEGER else 0
            )
    return totals


def percent(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to 0.1 and half up like every rounding here; None for a whole of zero."""
    return quantize(Decimal(part) * 100 / Decimal(whole), 1) if whole else None


Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Size:
    """How big a result will be, estimated cheaply before building it."""

    rows: int
    pages: int


class Report:
    """One report. Subclasses set the class attributes and implement :meth:`build`."""

    identifier: str
    title: str
    description: str
    audiences: frozenset[Audience] = frozenset(Audience)
    formats: tuple[str, ...] = ("json", "csv", "xlsx", "pdf")  # besides the page
    tables: tuple[str, ...] = ()  # the keys of the tables it may produce (a CSV holds one of them)
    parameters: type[forms.Form]
    pdf_template = "reports/pdf/generic.html"
    rows_per_page = 38  # of a PDF table, to estimate its length

    def allows(self, viewer: Viewer | None) -> bool:
        return viewer is not None and viewer.audience in self.audiences

    def form(self, viewer: Viewer, data=None) -> forms.Form:
        return self.parameters(data, viewer=viewer)

    def build(self, viewer: Viewer, params: dict, progress: Progress = no_progress) -> Result:
        raise NotImplementedError

    def estimate(self, viewer: Viewer, params: dict) -> Size:
        """Cheap estimate of the result's size: large exports go to the background."""
        return Size(rows=0, pages=1)

    def filename(self, params: dict, extension: str) -> str:
        stamp = timezone.localdate().isoformat()
        return f"{self.identifier}-{stamp}.{extension}"
