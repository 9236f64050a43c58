"""The finance report charts: hand-written SVG, well-formed, exact figures, and drawn by WeasyPrint."""

import io
import itertools
import re
import time
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from reports import charts
from reports.charts import (
    bar_chart,
    column_chart,
    donut_chart,
    format_amount,
    format_compact,
    format_percent,
    gauge_list,
    nice_scale,
)

D = Decimal
NBSP = "\xa0"
SVG = "{http://www.w3.org/2000/svg}"
NASTY = "R&D <urgent> \"quotes\" & 'apostrophes'"
BLUE, AMBER, RED = "#2f6f9f", "#c98a00", "#b42318"


def parse(svg: str) -> ElementTree.Element:
    """The chart as an element tree: parsing fails if it is not well-formed XML."""
    root = ElementTree.fromstring(svg)  # noqa: S314 - the charts' own output, not untrusted data
    assert root.tag == f"{SVG}svg"
    return root


def items_of(root: ElementTree.Element) -> list[ElementTree.Element]:
    """One group per bar, column, gauge or slice: the children of the chart's data group."""
    [data] = [group for group in root.iter(f"{SVG}g") if group.get("id", "").endswith("-data")]
    return list(data)


def texts(element: ElementTree.Element) -> list[str]:
    return ["".join(text.itertext()) for text in element.iter(f"{SVG}text")]


def tooltip(element: ElementTree.Element) -> str:
    return element.find(f"{SVG}title").text


def rects(element: ElementTree.Element) -> list[ElementTree.Element]:
    return list(element.iter(f"{SVG}rect"))


def money(text: str) -> str:
    """Write figures in tests with plain spaces: those after a digit (groups, before the unit) are no-break."""
    return re.sub(r"(?<=\d) (?=\d|[^\s\d:;·/(),.–-])", NBSP, text)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").split())


# --- Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (D("1234.5"), "€", "1 234,50 €"),
        (D("1234567.891"), "€", "1 234 567,89 €"),
        (D("0.125"), "€", "0,13 €"),  # half-up, like procurement.core.money.quantize
        (D("999.995"), "€", "1 000,00 €"),
        (D("-2500"), "€", "-2 500,00 €"),
        (D("-0.001"), "€", "0,00 €"),  # no "-0,00"
        (D("12"), "", "12,00"),
        (7, "pcs", "7,00 pcs"),
    ],
)
def test_amounts_are_written_the_belgian_way_with_no_break_spaces(value, unit, expected):
    assert format_amount(value, unit) == money(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("83.44"), "83,4 %"), (D("79.95"), "80,0 %"), (D("0"), "0,0 %"), (D("1234.56"), "1 234,6 %")],
)
def test_percentages_have_one_decimal_and_a_no_break_space_before_the_sign(value, expected):
    assert format_percent(value) == money(expected)


def test_floats_are_refused_because_money_is_decimal():
    with pytest.raises(TypeError):
        format_amount(12.5)
    with pytest.raises(ValueError, match="finite"):
        format_amount(D("NaN"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(0), "0 €"),
        (D(250), "250 €"),
        (D("2.5"), "2,5 €"),
        (D(2500), "2,5 k€"),
        (D(12000), "12 k€"),
        (D(1200000), "1,2 M€"),
        (D(1250000), "1,25 M€"),
        (D(1500000000), "1 500 M€"),
    ],
)
def test_axis_labels_are_compact(value, expected):
    assert format_compact(value) == money(expected)


@pytest.mark.parametrize(
    ("maximum", "step", "intervals"),
    [
        (D(9870), D(2000), 5),  # 0 – 10 000 by 2 000 (2 500 would do too; the rounder step wins)
        (D(100), D(20), 5),
        (D(101), D(25), 5),  # 0 – 125 rather than 0 – 150
        (D(60), D(20), 3),
        (D("1234567.89"), D(250000), 5),
        (D(1), D("0.2"), 5),
        (D(0), D(1), 4),
        (D(-50), D(1), 4),
    ],
)
def test_the_y_axis_has_nice_steps(maximum, step, intervals):
    assert nice_scale(maximum) == (step, intervals)


@given(st.decimals(min_value=D("0.01"), max_value=D("1e9"), places=2))
def test_any_maximum_gets_3_to_5_gridlines_of_a_nice_step_that_reach_it(maximum):
    step, intervals = nice_scale(maximum)
    assert 3 <= intervals <= 5
    assert step * intervals >= maximum
    assert step * (intervals - 1) < maximum  # no empty gridline at the top
    assert step.scaleb(-step.adjusted()).normalize() in {D(1), D(2), D("2.5"), D(5)}


# --- Every chart ------------------------------------------------------------------------------

ALL_CHARTS = [
    pytest.param(lambda: bar_chart([("A", D(1)), (NASTY, D(2))], title=NASTY), id="bar"),
    pytest.param(lambda: column_chart([("2026-01", D(1)), (NASTY, D(2))], title=NASTY), id="column"),
    pytest.param(lambda: gauge_list([("A", D(1), D(2), None), (NASTY, D(2), D(3), D(3))], title=NASTY), id="gauge"),
    pytest.param(lambda: donut_chart([("A", D(1)), (NASTY, D(2))], title=NASTY), id="donut"),
]


@pytest.mark.parametrize("build", ALL_CHARTS)
def test_a_chart_is_one_accessible_svg_with_its_title_and_a_description(build):
    svg = build()
    root = parse(svg)

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')
    width, height = root.get("width"), root.get("height")
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title.get("id") == root.get("aria-labelledby")
    assert title.text == NASTY
    assert root.find(f"{SVG}desc").get("id") == root.get("aria-describedby")
    assert NASTY in root.find(f"{SVG}desc").text
    assert texts(root)[0] == NASTY  # the title is also drawn, for print
    assert root.get("font-family") == "Helvetica, Arial, sans-serif"


@pytest.mark.parametrize("build", ALL_CHARTS)
def test_a_chart_uses_only_plain_svg_that_weasyprint_draws(build):
    svg = build()
    root = parse(svg)

    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "rect", "line", "text", "path"}
    assert not [element for element in root.iter() if "class" in element.attrib or "style" in element.attrib]
    assert "<script" not in svg
    assert "foreignObject" not in svg
    font_sizes = {int(element.get("font-size")) for element in root.iter(f"{SVG}text")}
    assert font_sizes <= {11, 12, 13}


@pytest.mark.parametrize("build", ALL_CHARTS)
def test_a_label_with_markup_characters_is_escaped_and_reads_back_the_same(build):
    svg = build()

    assert "<urgent>" not in svg
    assert "R&amp;D &lt;urgent&gt;" in svg
    assert NASTY in texts(parse(svg))


@pytest.mark.parametrize("build", ALL_CHARTS)
def test_the_same_input_gives_the_same_string(build):
    assert build() == build()


def test_different_inputs_get_different_ids():
    first = parse(bar_chart([("A", D(1))], title="Spend"))
    second = parse(bar_chart([("A", D(2))], title="Spend"))

    assert first.get("aria-labelledby") != second.get("aria-labelledby")


@pytest.mark.parametrize("chart", [bar_chart, column_chart, gauge_list, donut_chart])
def test_empty_input_shows_the_title_and_no_data(chart):
    root = parse(chart([], title="Spend 2026"))

    assert texts(root) == ["Spend 2026", "No data"]
    assert root.find(f"{SVG}title").text == "Spend 2026"
    assert root.find(f"{SVG}desc").text == "No data"


def test_the_palette_has_eight_distinct_colours_readable_on_white():
    def luminance(colour: str) -> float:
        channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert len(set(charts.PALETTE)) == 8
    for colour in [*charts.PALETTE, charts.OTHERS_COLOUR, BLUE, RED]:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour  # WCAG 1.4.11 for graphics


def test_charts_build_in_a_few_milliseconds():
    series = [(f"2016-{index:03d}", D(index * 997 % 10000)) for index in range(120)]
    start = time.perf_counter()
    for _round in range(20):
        column_chart(series, title="Ten years")
        bar_chart(series[:30], title="Bars", max_items=10)
        donut_chart(series[:12], title="Donut")
        gauge_list([(label, value, D(10000), None) for label, value in series[:20]], title="Gauges")
    assert (time.perf_counter() - start) / 20 < 0.025  # matplotlib would take ~50 ms per chart


# --- Bar chart ------------------------------------------------------------------------------


def test_bars_keep_the_given_order_and_print_each_value_at_the_bar_end():
    items = [("Office supplies", D("1234.5")), ("IT services", D("98765.43")), ("Cleaning", D("0.99"))]  # 1 px

    bars = items_of(parse(bar_chart(items, title="Spend")))

    assert [texts(bar) for bar in bars] == [
        ["Office supplies", money("1 234,50 €")],
        ["IT services", money("98 765,43 €")],
        ["Cleaning", money("0,99 €")],
    ]
    widths = [float(rects(bar)[0].get("width")) for bar in bars]
    assert widths[1] > widths[0] > widths[2] == 1  # a tiny amount still shows a bar
    assert widths[0] / widths[1] == pytest.approx(1234.5 / 98765.43, abs=0.002)
    for bar in bars:  # the value starts just after its bar
        rect, value = rects(bar)[0], bar.findall(f"{SVG}text")[1]
        assert float(value.get("x")) == pytest.approx(float(rect.get("x")) + float(rect.get("width")) + 5, abs=0.2)


def test_labels_are_right_aligned_on_one_edge_and_bars_start_on_one_axis():
    bars = items_of(parse(bar_chart([("A", D(1)), ("A longer label", D(2))], title="Spend")))

    labels = [bar.find(f"{SVG}text") for bar in bars]
    assert {label.get("text-anchor") for label in labels} == {"end"}
    assert len({label.get("x") for label in labels}) == 1
    assert len({rects(bar)[0].get("x") for bar in bars}) == 1


def test_the_chart_grows_22_px_per_bar():
    def height(count: int) -> int:
        return int(parse(bar_chart([(f"Item {n}", D(n)) for n in range(count)], title="Spend")).get("height"))

    assert height(11) - height(1) == 10 * 22


def test_a_long_label_is_cut_at_38_characters_and_kept_whole_in_the_tooltip():
    label = "Services informatiques et maintenance des logiciels de gestion communale"

    [bar] = items_of(parse(bar_chart([(label, D(10))], title="Spend")))

    shown = texts(bar)[0]
    assert len(shown) == 38
    assert shown == label[:37] + "…"
    assert tooltip(bar) == f"{label}: {money('10,00 €')}"


def test_a_negative_value_draws_no_bar_but_is_printed():
    bars = items_of(parse(bar_chart([("Spend", D(100)), ("Savings", D("-2500"))], title="Balance")))

    assert rects(bars[1])[0].get("width") == "0"
    assert texts(bars[1]) == ["Savings", money("-2 500,00 €")]


def test_max_items_folds_the_rest_into_others_with_the_exact_sum():
    items = [(f"Supplier {n}", D(f"{100 - n}.{n:02d}")) for n in range(10)]

    bars = items_of(parse(bar_chart(items, title="Spend by supplier", max_items=4)))

    assert len(bars) == 5
    assert [texts(bar)[0] for bar in bars] == ["Supplier 0", "Supplier 1", "Supplier 2", "Supplier 3", "Others"]
    rest = sum((value for _label, value in items[4:]), D(0))
    assert rest == D("561.39")
    assert texts(bars[-1])[1] == format_amount(rest) == money("561,39 €")
    assert rects(bars[-1])[0].get("fill") == charts.OTHERS_COLOUR


def test_max_items_above_the_count_folds_nothing():
    bars = items_of(parse(bar_chart([("A", D(2)), ("B", D(1))], title="Spend", max_items=5)))

    assert [texts(bar)[0] for bar in bars] == ["A", "B"]


def test_another_unit_is_printed_after_the_value():
    [bar] = items_of(parse(bar_chart([("Paper", D(1500))], title="Reams", unit="rames")))

    assert texts(bar)[1] == money("1 500,00 rames")


# --- Column chart ---------------------------------------------------------------------------


def y_labels(root: ElementTree.Element) -> list[str]:
    return [
        "".join(text.itertext())
        for text in root.findall(f"{SVG}text")
        if text.get("text-anchor") == "end"  # the y axis labels are right-aligned on the axis
    ]


def x_labels(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [text for text in root.findall(f"{SVG}text") if text.get("text-anchor") == "middle"]


def test_one_column_per_point_on_a_nice_axis():
    series = [("2026-01", D("9870")), ("2026-02", D("4000")), ("2026-03", D("-150"))]

    root = parse(column_chart(series, title="Monthly spend"))

    columns = items_of(root)
    assert len(columns) == 3
    assert y_labels(root) == [money(label) for label in ["0 €", "2 k€", "4 k€", "6 k€", "8 k€", "10 k€"]]
    heights = [float(rects(column)[0].get("height")) for column in columns]
    assert heights[1] / heights[0] == pytest.approx(4000 / 9870, abs=0.002)
    assert heights[2] == 0  # a negative month draws nothing
    assert [tooltip(column) for column in columns] == [
        money("2026-01: 9 870,00 €"),
        money("2026-02: 4 000,00 €"),
        money("2026-03: -150,00 €"),
    ]


def test_columns_reach_the_gridline_of_their_value():
    root = parse(column_chart([("A", D(10000)), ("B", D(5000))], title="Spend"))

    gridlines = sorted(float(line.get("y1")) for line in root.findall(f"{SVG}line") if line.get("x1") != line.get("x2"))
    columns = [rects(column)[0] for column in items_of(root)]
    top_gridline, baseline = gridlines[0], gridlines[-1]
    assert float(columns[0].get("y")) == pytest.approx(top_gridline, abs=0.1)
    assert float(columns[0].get("y")) + float(columns[0].get("height")) == pytest.approx(baseline, abs=0.1)


def test_few_columns_show_every_label():
    series = [(f"2026-{month:02d}", D(month)) for month in range(1, 13)]

    root = parse(column_chart(series, title="Monthly spend"))

    assert [text.text for text in x_labels(root)] == [label for label, _value in series]


MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


@pytest.mark.parametrize("count", [36, 120])
@pytest.mark.parametrize("named", [False, True], ids=["iso", "named"])
def test_many_columns_show_every_kth_label_without_overlap(count, named):
    def label(n: int) -> str:
        return f"{MONTHS[n % 12]} {2016 + n // 12}" if named else f"{2016 + n // 12}-{n % 12 + 1:02d}"

    series = [(label(n), D(n * 37 % 1000)) for n in range(count)]

    root = parse(column_chart(series, title="Monthly spend", width=640))

    assert len(items_of(root)) == count
    shown = x_labels(root)
    assert 3 <= len(shown) <= 640 / 40
    extents = sorted(
        (
            float(text.get("x")) - charts.text_width(text.text, 11) / 2,
            float(text.get("x")) + charts.text_width(text.text, 11) / 2,
        )
        for text in shown
    )
    assert extents[0][0] >= 0
    assert extents[-1][1] <= 640
    assert all(left[1] + 4 <= right[0] for left, right in itertools.pairwise(extents))
    labels = [label for label, _value in series]
    positions = [labels.index(text.text) for text in shown]
    assert positions[0] == 0
    assert len({b - a for a, b in itertools.pairwise(positions)}) == 1  # every k-th


def test_a_long_x_label_is_cut_and_kept_whole_in_the_tooltip():
    label = "Exercice budgétaire 2026 (provisoire)"

    root = parse(column_chart([(label, D(10)), ("2027", D(20))], title="Spend"))

    assert [text.text for text in x_labels(root)] == ["Exercice budgétaire…", "2027"]
    assert tooltip(items_of(root)[0]) == money(f"{label}: 10,00 €")


def test_the_column_description_gives_the_period_total_and_highest_point():
    root = parse(column_chart([("2026-01", D(10)), ("2026-02", D(30)), ("2026-03", D(20))], title="Spend"))

    assert root.find(f"{SVG}desc").text == money("2026-01 – 2026-03. Total: 60,00 €. Highest: 2026-02 (30,00 €).")


# --- Gauges ---------------------------------------------------------------------------------


def fill_of(gauge: ElementTree.Element) -> ElementTree.Element:
    return rects(gauge)[1]  # the track, then the filled part


@pytest.mark.parametrize(
    ("consumed", "percent", "colour"),
    [
        (D("79.9"), "79,9 %", BLUE),
        (D("79.94"), "79,9 %", BLUE),
        (D("79.96"), "80,0 %", AMBER),  # the colour follows the printed figure
        (D("80"), "80,0 %", AMBER),
        (D("89.9"), "89,9 %", AMBER),
        (D("90"), "90,0 %", RED),
        (D("100"), "100,0 %", RED),
    ],
)
def test_gauge_colour_switches_at_80_and_90_percent(consumed, percent, colour):
    [gauge] = items_of(parse(gauge_list([("Paper", consumed, D(100), None)], title="Framework agreements")))

    assert fill_of(gauge).get("fill") == colour
    assert texts(gauge) == ["Paper", money(percent)]


def test_gauge_length_is_consumed_over_maximum_capped_at_100_percent():
    root = parse(
        gauge_list(
            [("Quarter", D(2500), D(10000), None), ("Over", D(13000), D(10000), None), ("Refund", D(-5), D(10), None)],
            title="Use",
        )
    )

    quarter, over, refund = items_of(root)
    track = float(rects(quarter)[0].get("width"))
    assert float(fill_of(quarter).get("width")) == pytest.approx(track / 4, abs=0.1)
    assert fill_of(over).get("width") == rects(over)[0].get("width")
    assert texts(over)[1] == money("130,0 %")
    assert fill_of(refund).get("width") == "0"
    assert texts(refund)[1] == money("-50,0 %")


def test_a_maximum_of_zero_reads_zero_percent_without_error():
    [gauge] = items_of(parse(gauge_list([("No ceiling", D(5000), D(0), D(6000))], title="Use")))

    assert texts(gauge) == ["No ceiling", money("0,0 %")]
    assert fill_of(gauge).get("width") == "0"
    assert gauge.find(f"{SVG}line") is None  # no estimate tick without a maximum


def test_the_estimate_is_a_thin_tick_at_its_place():
    root = parse(gauge_list([("With", D(10), D(100), D(60)), ("Without", D(10), D(100), None)], title="Use"))

    with_estimate, without = items_of(root)
    track = rects(with_estimate)[0]
    [tick] = with_estimate.findall(f"{SVG}line")
    expected = float(track.get("x")) + float(track.get("width")) * 0.6
    assert float(tick.get("x1")) == float(tick.get("x2")) == pytest.approx(expected, abs=0.1)
    assert without.find(f"{SVG}line") is None
    assert "Estimate" in texts(root)  # the legend explains the tick
    assert tooltip(with_estimate) == money("With: 10,00 € / 100,00 € (10,0 %)")


# --- Donut ------------------------------------------------------------------------------------


def test_a_donut_has_one_slice_per_item_and_a_legend_with_amount_and_share():
    root = parse(donut_chart([("Supplies", D("300")), ("Services", D("100.50")), ("Works", D("99.5"))], title="CPV"))

    slices = items_of(root)
    assert len(slices) == 3
    assert [texts(piece) for piece in slices] == [
        ["Supplies", money("300,00 € · 60,0 %")],
        ["Services", money("100,50 € · 20,1 %")],
        ["Works", money("99,50 € · 19,9 %")],
    ]
    paths = [piece.find(f"{SVG}path").get("d") for piece in slices]
    assert all(re.fullmatch(r"M[\d., ]+A[\d., ]+L[\d., ]+A[\d., ]+Z", d) for d in paths)
    assert " 0 1 1 " in paths[0]  # 60 %: the large arc
    assert " 0 0 1 " in paths[1]
    assert money("500,00 €") in texts(root)  # the total in the middle


def test_more_than_eight_items_fold_into_others_with_the_exact_sum():
    items = [(f"Division {n}", D(f"{1000 - n}.{n:02d}")) for n in range(12)]

    slices = items_of(parse(donut_chart(items, title="CPV")))

    assert len(slices) == 9
    assert [texts(piece)[0] for piece in slices][-2:] == ["Division 7", "Others"]
    rest = sum((value for _label, value in items[8:]), D(0))
    assert texts(slices[-1])[1].startswith(format_amount(rest) + " · ")
    assert format_amount(rest) == money("3 962,38 €")
    colours = [piece.find(f"{SVG}path").get("fill") for piece in slices]
    assert colours == [*charts.PALETTE, charts.OTHERS_COLOUR]


def test_a_single_item_draws_a_full_ring_of_two_arcs():
    [piece] = items_of(parse(donut_chart([("Everything", D(42))], title="CPV")))

    path = piece.find(f"{SVG}path")
    assert path.get("d").count("A") == 4  # two half arcs outside, two inside
    assert path.get("fill-rule") == "evenodd"
    assert texts(piece) == ["Everything", money("42,00 € · 100,0 %")]


def test_a_zero_total_draws_an_empty_ring_saying_no_data():
    root = parse(donut_chart([("Nothing", D(0)), ("Still nothing", D("0.00"))], title="CPV"))

    assert items_of(root) == []
    assert root.find(f"{SVG}path").get("fill") == charts.TRACK_COLOUR
    assert texts(root) == ["CPV", "No data"]


def test_a_negative_share_draws_no_slice_but_is_listed():
    slices = items_of(parse(donut_chart([("Spend", D(100)), ("Credit note", D(-20))], title="CPV")))

    assert slices[1].find(f"{SVG}path") is None
    assert texts(slices[1]) == ["Credit note", money("-20,00 € · 0,0 %")]
    assert slices[0].find(f"{SVG}path").get("d").count("A") == 4  # the only positive share is the whole ring


# --- In a PDF ---------------------------------------------------------------------------------


def report_page() -> str:
    """An HTML page with the four charts, as a finance report shows them."""
    categories = [
        ("Office supplies & paper <A4>", D("123456.78")),
        ("IT services and maintenance of the municipal management software", D("98765.43")),
        ("Electricity", D("45000")),
        ("Cleaning", D("12345.6")),
        ("Negotiated savings", D("-2500")),
        ("Furniture", D("9000")),
        ("Vehicles", D("8000")),
        ("Catering", D("100")),
    ]
    months = [(f"{2024 + n // 12}-{n % 12 + 1:02d}", D(20000 + n * 7919 % 30000) + D("0.45")) for n in range(36)]
    agreements = [
        ("Paper 2024-2027", D("41000"), D("100000"), D("55000")),
        ("Electricity supply", D("83440"), D("100000"), D("95000")),
        ("Lift maintenance", D("93500"), D("100000"), None),
        ("Fuel (over the ceiling)", D("130000"), D("100000"), D("140000")),
        ("No ceiling", D("5000"), D("0"), None),
    ]
    divisions = [(f"{30 + n}000000 – CPV division {n}", D(100000 // (n + 1))) for n in range(11)]
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Annual report</title>
    <style>@page {{ size: A4; margin: 15mm }} body {{ font-family: Helvetica, Arial, sans-serif }}</style></head><body>
    {bar_chart(categories, title="Spend by category", max_items=6)}
    {column_chart(months, title="Monthly spend")}
    {gauge_list(agreements, title="Framework agreements")}
    {donut_chart(divisions, title="Spend by CPV division")}
    </body></html>"""


def test_weasyprint_draws_the_four_charts_with_their_text():
    from weasyprint import HTML  # heavy import: only here

    pdf = HTML(string=report_page()).write_pdf()

    text = pdf_text(pdf)
    for expected in [
        "Spend by category",
        "Office supplies & paper <A4>",
        "123 456,78 €",
        "-2 500,00 €",
        "Others",
        "Monthly spend",
        "50 k€",
        "2024-01",
        "Framework agreements",
        "83,4 %",
        "Spend by CPV division",
        "100 000,00 € · 33,1 %",
    ]:
        assert expected in text, expected
