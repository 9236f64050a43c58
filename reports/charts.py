"""Finance report charts as small, hand-written SVG strings.

Why hand-written
    The reports show these charts inline in HTML pages and in the PDFs that WeasyPrint renders.
    matplotlib would cost ~0.4 s to import and ~50 ms per chart, enough to break the benchmark
    target of the annual report PDF (its rate must stay at ≥ 90 % of WeasyPrint rendering alone).
    Building one of these charts is plain string work and takes well under a millisecond
    to a few milliseconds, with no dependency at all.

What WeasyPrint (70) draws, and so what these charts use
    WeasyPrint has its own SVG renderer: it draws ``svg``, ``g``, ``rect``, ``line``, ``path``
    (arcs included), ``text`` (with ``text-anchor`` start/middle/end, ``font-weight``) and reads
    presentation attributes (``fill="…"``, ``stroke="…"``, ``font-size="…"``, ``fill-rule``).
    It ignores ``title`` and ``desc``, which only serve browsers (tooltips) and screen readers.
    So: SVG 1.1 elements with presentation attributes only; no CSS class, no ``<style>``,
    no script, no ``foreignObject``, no ``dominant-baseline`` (baselines are computed here).

Conventions
    * Amounts are :class:`~decimal.Decimal` and are formatted from Decimal, the Belgian way
      (``1 234 567,89 €`` with U+00A0 no-break spaces, rounded half-up like
      :func:`procurement.core.money.quantize`); floats are used only for pixel geometry.
    * Negative values draw nothing (a bar starts and ends at 0) but their value is still printed.
    * All text is XML-escaped; ids are a short hash of the inputs, so the same input gives the
      same string (deterministic output, easy to test and to cache).
    * The functions return :class:`~django.utils.safestring.SafeString` (a ``str``) so that a
      template can write ``{{ chart }}`` directly: every piece of text in it is escaped here.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = [
    "PALETTE",
    "bar_chart",
    "column_chart",
    "donut_chart",
    "format_amount",
    "format_compact",
    "format_percent",
    "gauge_level_colour",
    "gauge_list",
    "nice_scale",
]

# Eight colours with at least 3:1 contrast on white (WCAG 1.4.11, graphical objects),
# distinguishable from each other with the common colour-vision deficiencies as far as 8 can be.
PALETTE = (
    "#2f6f9f",  # blue
    "#c4560c",  # orange
    "#1b7f5b",  # green
    "#8e44ad",  # purple
    "#0e7c86",  # teal
    "#b8336a",  # raspberry
    "#8a6d1a",  # ochre
    "#4b5d99",  # indigo
)
OTHERS_COLOUR = "#7b8794"  # the grey of the folded "Others" bar or slice
GAUGE_CALM, GAUGE_WARNING, GAUGE_ALERT = "#2f6f9f", "#c98a00", "#b42318"
WARNING_FROM, ALERT_FROM = Decimal(80), Decimal(90)  # percent of the maximum

FONT_FAMILY = "Helvetica, Arial, sans-serif"
TEXT_COLOUR = "#1f2933"
MUTED_COLOUR = "#52606d"
GRID_COLOUR = "#d9dee4"
AXIS_COLOUR = "#7b8794"
TRACK_COLOUR = "#e4e7eb"

TITLE_SIZE, LABEL_SIZE, SMALL_SIZE = 13, 12, 11
LABEL_CHARS = 38  # longer labels are cut with "…" (the full label is in the tooltip)
X_LABEL_CHARS = 20  # the same under the columns of a column chart
DONUT_SLICES = 8  # more items than this: the first 8, then "Others"

NBSP = "\xa0"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
SVG_NS = "http://www.w3.org/2000/svg"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Numbers ------------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    if isinstance(value, bool | float):
        raise TypeError(f"chart values must be Decimal, not {type(value).__name__}")
    result = value if isinstance(value, Decimal) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _group(digits: str) -> str:
    """'1234567' → '1 234 567' with no-break spaces."""
    head = len(digits) % 3 or 3
    return NBSP.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def _format_number(value: Decimal, exponent: Decimal) -> str:
    rounded = value.quantize(exponent, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""  # -0,00 reads 0,00
    integer, _point, fraction = f"{abs(rounded):f}".partition(".")
    return f"{sign}{_group(integer)},{fraction}" if fraction else f"{sign}{_group(integer)}"


def format_amount(value: Decimal, unit: str = "€") -> str:
    """``Decimal("1234567.891")`` → ``"1 234 567,89 €"``: two decimals, U+00A0 groups and before the unit."""
    text = _format_number(_decimal(value), CENT)
    return f"{text}{NBSP}{unit}" if unit else text


def format_percent(value: Decimal) -> str:
    """A value in percent, ``Decimal("83.44")`` → ``"83,4 %"``: one decimal, U+00A0 before %."""
    return f"{_format_number(_decimal(value), TENTH)}{NBSP}%"


def format_compact(value: Decimal, unit: str = "€") -> str:
    """Short axis label: ``12 k€``, ``2,5 k€``, ``1,2 M€``, ``250 €`` (at most two decimals, none trailing)."""
    value = _decimal(value)
    prefix = ""
    for divisor, letter in ((Decimal(1_000_000), "M"), (Decimal(1000), "k")):
        if abs(value) >= divisor:
            value, prefix = value / divisor, letter
            break
    text = _format_number(value, CENT)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    suffix = f"{prefix}{unit}"
    return f"{text}{NBSP}{suffix}" if suffix else text


def _percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` in percent of ``whole``, rounded to one decimal; 0 when the whole is 0 (or less)."""
    if whole <= 0:
        return Decimal("0.0")
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


_NICE_MULTIPLIERS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


def nice_scale(maximum: Decimal) -> tuple[Decimal, int]:
    """The y axis for values up to ``maximum``: ``(step, intervals)`` with step in {1, 2, 2.5, 5} × 10ⁿ.

    The axis goes from 0 to ``step × intervals`` ≥ maximum with 3 to 5 gridlines above the baseline:
    the tightest such axis wins, then a step without 2.5 (rounder labels), then the finer one.
    ``nice_scale(Decimal(9870)) == (Decimal(2000), 5)``; a maximum ≤ 0 gives ``(1, 4)``.
    """
    maximum = _decimal(maximum)
    if maximum <= 0:
        return Decimal(1), 4
    magnitude = maximum.adjusted()
    candidates = []
    for exponent in range(magnitude - 2, magnitude + 2):
        for multiplier in _NICE_MULTIPLIERS:
            step = multiplier.scaleb(exponent)
            intervals = int((maximum / step).to_integral_value(rounding=ROUND_CEILING))
            if 3 <= intervals <= 5:
                candidates.append((step * intervals, multiplier == _NICE_MULTIPLIERS[2], -intervals, step))
    _top, _quarter, negative_intervals, step = min(candidates)
    step = step.quantize(Decimal(1)) if step == step.to_integral_value() else step.normalize()  # 2000, not 2E+3
    return step, -negative_intervals


# --- Text and SVG pieces --------------------------------------------------------------------

# Helvetica advance widths in 1/1000 em (Liberation Sans has the same): enough to lay out labels.
_WIDTHS = {
    **dict.fromkeys("ijl|", 222),
    **dict.fromkeys("ft/ I!.,:;'[]", 278),
    **dict.fromkeys('r-()"`', 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("abdeghnopqu0123456789€$_#?", 556),
    **dict.fromkeys("<>=+~^", 584),
    **dict.fromkeys("FTZL", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("wCDHNRU", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("W@…—", 1000),
    "\xa0": 278,
    "\u202f": 200,
    "–": 556,
}


def _char_width(char: str) -> int:
    width = _WIDTHS.get(char)
    if width is None:
        base = unicodedata.normalize("NFD", char)[:1]
        width = _WIDTHS.get(base, 1000 if unicodedata.east_asian_width(char) in "WF" else 600)
    return width


def text_width(text: str, size: float) -> float:
    """Estimated width in px of ``text`` at ``size`` px (Helvetica metrics, 3 % margin)."""
    return sum(_char_width(char) for char in text) * size * 1.03 / 1000


def _clean(text) -> str:
    """A label as a string, without the control characters that XML cannot hold."""
    return _XML_INVALID.sub("", str(text))


def _fit(text: str, max_width: float, size: float, max_chars: int = LABEL_CHARS) -> str:
    """Cut ``text`` with "…" at ``max_chars`` characters and so that it fits ``max_width`` px."""
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    while len(text) > 1 and text_width(text, size) > max_width:
        text = text[:-2].rstrip() + "…" if text.endswith("…") else text[:-1].rstrip() + "…"
    return text


def _px(value: float) -> str:
    """A coordinate with at most one decimal: 12, 12.5."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: str, *, size: int = LABEL_SIZE, anchor: str = "start", **attributes) -> str:
    attributes = {"fill": TEXT_COLOUR, **attributes}
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    anchor_attribute = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{_px(x)}" y="{_px(y)}" font-size="{size}"{anchor_attribute}{extra}>{escape(content)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{_px(x)}" y="{_px(y)}" width="{_px(max(width, 0))}" height="{_px(max(height, 0))}" fill="{fill}"/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, stroke_width: float = 1) -> str:
    return (
        f'<line x1="{_px(x1)}" y1="{_px(y1)}" x2="{_px(x2)}" y2="{_px(y2)}" '
        f'stroke="{stroke}" stroke-width="{_px(stroke_width)}"/>'
    )


def _chart_id(kind: str, *inputs) -> str:
    digest = hashlib.blake2s(repr((kind, *inputs)).encode(), digest_size=5).hexdigest()
    return f"chart-{kind}-{digest}"


def _svg(uid: str, width: int, height: float, title: str, desc: str, body: Iterable[str]) -> SafeString:
    height = math.ceil(height)
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{uid}-title" aria-describedby="{uid}-desc" font-family="{FONT_FAMILY}">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
        + _text(0, 16, _fit(title, width, TITLE_SIZE, max_chars=200), size=TITLE_SIZE, font_weight="bold")
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text above is escaped


def _empty(uid: str, width: int, title: str) -> SafeString:
    no_data = _("No data")
    body = [_text(width / 2, 54, no_data, anchor="middle", fill=MUTED_COLOUR)]
    return _svg(uid, width, 80, title, no_data, body)


def _summary(parts: Sequence[str], total: int) -> str:
    """The first three items for the screen readers, "…" when there are more."""
    return "; ".join(parts[:3]) + ("; …" if total > 3 else "")


def _items(items) -> list[tuple]:
    return [(_clean(item[0]), *(None if value is None else _decimal(value) for value in item[1:])) for item in items]


def _fold(items: list[tuple[str, Decimal]], keep: int) -> list[tuple[str, Decimal, bool]]:
    """The first ``keep`` items, then one "Others" item with the exact sum of the rest."""
    kept = [(label, value, False) for label, value in items[:keep]]
    rest = items[keep:]
    if rest:
        kept.append((_("Others"), sum((value for _label, value in rest), Decimal(0)), True))
    return kept


def _label_column(labels: Iterable[str], width: int) -> tuple[list[str], float]:
    """Labels cut to fit, and the width of their right-aligned column (at most 40 % of the chart)."""
    limit = width * 0.4
    fitted = [_fit(label, limit, LABEL_SIZE) for label in labels]
    return fitted, min(limit, max(text_width(label, LABEL_SIZE) for label in fitted)) + 2


# --- Charts -----------------------------------------------------------------------------------


def bar_chart(
    items: list[tuple[str, Decimal]],
    *,
    title: str,
    unit: str = "€",
    width: int = 640,
    max_items: int | None = None,
) -> SafeString:
    """Horizontal bars in the given order, label at the left, value at the bar's end.

    ``max_items``: the first N items, then one "Others" bar with the sum of the rest.
    """
    title = _clean(title)
    rows = _items(items)
    uid = _chart_id("bar", rows, title, unit, width, max_items)
    if not rows:
        return _empty(uid, width, title)
    bars = _fold(rows, max_items) if max_items is not None and max_items >= 0 else [(*row, False) for row in rows]
    values = [format_amount(value, unit) for _label, value, _others in bars]
    labels, label_width = _label_column((label for label, _value, _others in bars), width)
    value_width = max(text_width(value, SMALL_SIZE) for value in values) + 6
    bar_x = label_width + 6
    span = max(width - bar_x - value_width - 2, 10)
    largest = max(max(value for _label, value, _others in bars), Decimal(0))
    top, pitch, bar_height = 28, 22, 14
    body = [f'<g id="{uid}-data">']
    for index, ((label, value, others), shown, text) in enumerate(zip(bars, labels, values, strict=True)):
        y = top + index * pitch
        length = max(float(value / largest) * span, 1) if largest > 0 and value > 0 else 0  # ≥ 1 px: not zero
        body.append(
            f"<g><title>{escape(f'{label}: {text}')}</title>"
            + _text(label_width, y + 11 + 4.3, shown, anchor="end")
            + _rect(bar_x, y + 4, length, bar_height, OTHERS_COLOUR if others else PALETTE[0])
            + _text(bar_x + length + 5, y + 11 + 3.9, text, size=SMALL_SIZE)
            + "</g>"
        )
    body.append("</g>")
    bottom = top + len(bars) * pitch
    body.append(_line(bar_x, top + 2, bar_x, bottom + 2, AXIS_COLOUR))
    desc = _summary([f"{label}: {text}" for (label, _v, _o), text in zip(bars, values, strict=True)], len(bars))
    return _svg(uid, width, bottom + 8, title, desc, body)


_LABEL_STRIDES = (1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120)


def column_chart(
    series: list[tuple[str, Decimal]],
    *,
    title: str,
    unit: str = "€",
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Vertical columns over time on a y axis of 3 to 5 "nice" gridlines; every k-th x label when crowded."""
    title = _clean(title)
    points = _items(series)
    uid = _chart_id("column", points, title, unit, width, height)
    if not points:
        return _empty(uid, width, title)
    largest = max(value for _label, value in points)
    step, intervals = nice_scale(largest)
    axis_top = step * intervals
    ticks = [format_compact(step * index, unit) for index in range(intervals + 1)]
    left = max(text_width(tick, SMALL_SIZE) for tick in ticks) + 10
    right, plot_top, plot_bottom = width - 8, 30, height - 24
    plot_width, plot_height = right - left, plot_bottom - plot_top
    body = []
    for index, tick in enumerate(ticks):
        y = plot_bottom - plot_height * index / intervals
        if index:
            body.append(_line(left, y, right, y, GRID_COLOUR))
        body.append(_text(left - 6, y + 3.9, tick, size=SMALL_SIZE, anchor="end", fill=MUTED_COLOUR))
    count = len(points)
    slot = plot_width / count
    column_width = min(max(slot * 0.7, 1), 48)
    body.append(f'<g id="{uid}-data">')
    for index, (label, value) in enumerate(points):
        column_height = max(float(value / axis_top) * plot_height, 1) if value > 0 else 0  # ≥ 1 px: not zero
        x = left + slot * index + (slot - column_width) / 2
        body.append(
            f"<g><title>{escape(f'{label}: {format_amount(value, unit)}')}</title>"
            + _rect(x, plot_bottom - column_height, column_width, column_height, PALETTE[0])
            + "</g>"
        )
    body.append("</g>")
    body.append(_line(left, plot_bottom, right, plot_bottom, AXIS_COLOUR))
    # Every k-th label, k such that the shown labels never touch (and at most one per 40 px).
    x_labels = [_fit(label, plot_width / 2, SMALL_SIZE, max_chars=X_LABEL_CHARS) for label, _value in points]
    label_width = max(text_width(label, SMALL_SIZE) for label in x_labels) + 6
    room = max(1, min(int(plot_width // label_width), width // 40))
    needed = math.ceil(count / room)
    stride = next((stride for stride in _LABEL_STRIDES if stride >= needed), needed)
    for index in range(0, count, stride):
        label = x_labels[index]
        centre = left + slot * (index + 0.5)
        half = text_width(label, SMALL_SIZE) / 2
        x = min(max(centre, half), width - half)
        body.append(_line(centre, plot_bottom, centre, plot_bottom + 3, AXIS_COLOUR))
        body.append(_text(x, plot_bottom + 15, label, size=SMALL_SIZE, anchor="middle", fill=MUTED_COLOUR))
    total = sum((value for _label, value in points), Decimal(0))
    peak_label, peak = next((label, value) for label, value in points if value == largest)
    desc = (
        f"{points[0][0]} – {points[-1][0]}. {_('Total')}: {format_amount(total, unit)}. "
        f"{_('Highest')}: {peak_label} ({format_amount(peak, unit)})."
    )
    return _svg(uid, width, height, title, desc, body)


def gauge_level_colour(percent: Decimal) -> str:
    """Calm blue below 80 %, amber from 80 %, red from 90 % (of the percentage as printed)."""
    if percent >= ALERT_FROM:
        return GAUGE_ALERT
    if percent >= WARNING_FROM:
        return GAUGE_WARNING
    return GAUGE_CALM


def gauge_list(
    items: list[tuple[str, Decimal, Decimal, Decimal | None]],
    *,
    title: str,
    width: int = 640,
) -> SafeString:
    """One gauge per (label, consumed, maximum, estimated or None): consumed / maximum, coloured by level.

    The fill is capped at 100 %; a thin tick marks the estimate; the percentage is printed at the right.
    The colour follows the printed percentage (so "80,0 %" is never blue); a maximum of 0 reads 0 %.
    """
    title = _clean(title)
    gauges = _items(items)
    uid = _chart_id("gauge", gauges, title, width)
    if not gauges:
        return _empty(uid, width, title)
    percents = [_percent_of(consumed, maximum) for _label, consumed, maximum, _estimate in gauges]
    texts = [format_percent(percent) for percent in percents]
    labels, label_width = _label_column((label for label, *_rest in gauges), width)
    percent_width = max(text_width(text, LABEL_SIZE) for text in [*texts, format_percent(Decimal("100.0"))])
    track_x = label_width + 8
    track_width = max(width - track_x - percent_width - 10, 10)
    top, pitch, bar_height = 28, 24, 12
    body = [f'<g id="{uid}-data">']
    for index, ((label, consumed, maximum, estimate), shown, percent, text) in enumerate(
        zip(gauges, labels, percents, texts, strict=True)
    ):
        y = top + index * pitch
        bar_y = y + 5
        ratio = min(float(consumed / maximum), 1.0) if maximum > 0 and consumed > 0 else 0
        tooltip = f"{label}: {format_amount(consumed)} / {format_amount(maximum)} ({text})"
        parts = [
            f"<g><title>{escape(tooltip)}</title>",
            _text(label_width, bar_y + 6 + 4.3, shown, anchor="end"),
            _rect(track_x, bar_y, track_width, bar_height, TRACK_COLOUR),
            _rect(track_x, bar_y, track_width * ratio, bar_height, gauge_level_colour(percent)),
        ]
        if estimate is not None and maximum > 0:
            mark = track_x + track_width * min(max(float(estimate / maximum), 0.0), 1.0)
            parts.append(_line(mark, bar_y - 3, mark, bar_y + bar_height + 3, TEXT_COLOUR, 2))
        parts.append(_text(width - 2, bar_y + 6 + 4.3, text, anchor="end"))
        body.append("".join(parts) + "</g>")
    body.append("</g>")
    # Legend: the three levels, and the estimate's tick when one is drawn.
    y = top + len(gauges) * pitch + 10
    x = track_x
    legend = [("< 80 %", GAUGE_CALM), ("80–90 %", GAUGE_WARNING), ("≥ 90 %", GAUGE_ALERT)]
    for text, colour in legend:
        text = text.replace(" ", NBSP)
        body.append(_rect(x, y - 8, 10, 10, colour))
        body.append(_text(x + 14, y + 1, text, size=SMALL_SIZE, fill=MUTED_COLOUR))
        x += 14 + text_width(text, SMALL_SIZE) + 16
    if any(estimate is not None for *_rest, estimate in gauges):
        body.append(_line(x + 4, y - 10, x + 4, y + 4, TEXT_COLOUR, 2))
        body.append(_text(x + 12, y + 1, _("Estimate"), size=SMALL_SIZE, fill=MUTED_COLOUR))
    desc = _summary([f"{label}: {text}" for (label, *_rest), text in zip(gauges, texts, strict=True)], len(gauges))
    return _svg(uid, width, y + 10, title, desc, body)


def _point(cx: float, cy: float, radius: float, angle: float) -> str:
    """The point at ``angle`` radians clockwise from 12 o'clock."""
    return f"{_px(cx + radius * math.sin(angle))},{_px(cy - radius * math.cos(angle))}"


def _ring_path(cx: float, cy: float, outer: float, inner: float) -> str:
    """A full ring: two half arcs outside (clockwise), two inside (counter-clockwise), even-odd filled."""
    return (
        f"M{_point(cx, cy, outer, 0)} A{_px(outer)},{_px(outer)} 0 1 1 {_point(cx, cy, outer, math.pi)} "
        f"A{_px(outer)},{_px(outer)} 0 1 1 {_point(cx, cy, outer, 0)} Z "
        f"M{_point(cx, cy, inner, 0)} A{_px(inner)},{_px(inner)} 0 1 0 {_point(cx, cy, inner, math.pi)} "
        f"A{_px(inner)},{_px(inner)} 0 1 0 {_point(cx, cy, inner, 0)} Z"
    )


def _sector_path(cx: float, cy: float, outer: float, inner: float, start: float, end: float) -> str:
    large = 1 if end - start > math.pi else 0
    return (
        f"M{_point(cx, cy, outer, start)} A{_px(outer)},{_px(outer)} 0 {large} 1 {_point(cx, cy, outer, end)} "
        f"L{_point(cx, cy, inner, end)} A{_px(inner)},{_px(inner)} 0 {large} 0 {_point(cx, cy, inner, start)} Z"
    )


def donut_chart(items: list[tuple[str, Decimal]], *, title: str, width: int = 420) -> SafeString:
    """Shares of a whole: up to 8 slices then "Others", legend at the right with amount and percentage."""
    title = _clean(title)
    rows = _items(items)
    uid = _chart_id("donut", rows, title, width)
    if not rows:
        return _empty(uid, width, title)
    slices = _fold(rows, DONUT_SLICES)
    shares = [max(value, Decimal(0)) for _label, value, _others in slices]
    total = sum(shares, Decimal(0))
    outer, inner, top = 80, 50, 30
    legend_pitch = 32
    legend_height = len(slices) * legend_pitch if total > 0 else 0
    cx, cy = 8 + outer, top + max(outer + 4, legend_height / 2)
    body = [f'<g id="{uid}-data">']
    if total <= 0:
        body.append("</g>")
        body.append(f'<path d="{_ring_path(cx, cy, outer, inner)}" fill="{TRACK_COLOUR}" fill-rule="evenodd"/>')
        body.append(_text(cx, cy + 4.3, _("No data"), anchor="middle", fill=MUTED_COLOUR))
        return _svg(uid, width, cy + outer + 8, title, _("No data"), body)
    percents = [_percent_of(share, total) for share in shares]
    legend_x = cx + outer + 24
    legend_room = width - legend_x - 16 - 4
    angle, cumulative = 0.0, Decimal(0)
    summaries = []
    for index, ((label, value, others), share, percent) in enumerate(zip(slices, shares, percents, strict=True)):
        colour = OTHERS_COLOUR if others else PALETTE[index % len(PALETTE)]
        amount = format_amount(value)
        figures = _fit(f"{amount} · {format_percent(percent)}", legend_room, SMALL_SIZE, max_chars=80)
        summaries.append(f"{label}: {amount} ({format_percent(percent)})")
        # Geometry from the cumulative sum, so that the last slice closes the ring exactly.
        cumulative += share
        end = float(cumulative / total) * 2 * math.pi
        if share == total:
            path = f'<path d="{_ring_path(cx, cy, outer, inner)}" fill="{colour}" fill-rule="evenodd"/>'
        elif share > 0:
            path = f'<path d="{_sector_path(cx, cy, outer, inner, angle, end)}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
        else:
            path = ""  # nothing to draw (zero or negative), still listed in the legend
        angle = end
        row_y = top + index * legend_pitch
        body.append(
            f"<g><title>{escape(summaries[-1])}</title>{path}"
            + _rect(legend_x, row_y + 2, 10, 10, colour)
            + _text(legend_x + 16, row_y + 11, _fit(label, legend_room, LABEL_SIZE), size=LABEL_SIZE)
            + _text(legend_x + 16, row_y + 25, figures, size=SMALL_SIZE, fill=MUTED_COLOUR)
            + "</g>"
        )
    body.append("</g>")
    grand_total = sum((value for _label, value, _others in slices), Decimal(0))
    centre = format_amount(grand_total)
    if text_width(centre, LABEL_SIZE) > 2 * inner - 8:
        centre = format_compact(grand_total)
    body.append(_text(cx, cy - 4, _("Total"), size=SMALL_SIZE, anchor="middle", fill=MUTED_COLOUR))
    body.append(_text(cx, cy + 12, centre, anchor="middle", font_weight="bold"))
    desc = f"{_('Total')}: {format_amount(grand_total)}. " + _summary(summaries, len(summaries))
    return _svg(uid, width, max(cy + outer + 8, top + legend_height + 4), title, desc, body)
