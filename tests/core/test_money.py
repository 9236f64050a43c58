from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from procurement.core.money import (
    TaxedAmount,
    line_amount,
    quantize,
    to_decimal,
    validate_unit_price_places,
    validate_vat_rate,
    vat_breakdown,
)

D = Decimal
amounts = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([D("21"), D("12"), D("6"), D("0")])


def test_quantize_rounds_half_up_not_to_even():
    assert quantize(D("0.125")) == D("0.13")
    assert quantize(D("0.135")) == D("0.14")
    assert quantize(D("-0.125")) == D("-0.13")
    assert quantize(D("2.00005"), 4) == D("2.0001")


def test_to_decimal_refuses_float_and_nonsense():
    with pytest.raises(TypeError):
        to_decimal(0.1)
    with pytest.raises(TypeError):
        to_decimal(True)
    with pytest.raises(ValueError, match="not a decimal"):
        to_decimal("12,5")
    with pytest.raises(ValueError, match="finite"):
        to_decimal("NaN")
    assert to_decimal(" 12.50 ") == D("12.50")


def test_line_amount_multiplies_then_rounds_once():
    # 3 pages at 0.0333 €: 0.0999 → 0.10, not 3 × 0.03
    assert line_amount(3, "0.0333") == D("0.10")
    assert line_amount(D("2.5"), D("19.9900")) == D("49.98")  # 49.975 half-up


def test_vat_is_computed_on_the_sum_per_rate_not_per_line():
    # Three lines of 0.05 € at 21 %: per line VAT would be 3 × 0.01 = 0.03; on the sum 0.15 × 21 % = 0.03.
    # Ten lines of 0.07 € at 21 %: per line 10 × 0.01 = 0.10; on the sum 0.70 × 21 % = 0.147 → 0.15.
    breakdown = vat_breakdown([(D("0.07"), D("21"))] * 10)
    assert breakdown.total == TaxedAmount(D("0.70"), D("0.15"), D("0.85"))
    assert [(s.rate, s.taxable_amount, s.vat_amount) for s in breakdown.subtotals] == [
        (D("21.00"), D("0.70"), D("0.15"))
    ]


def test_vat_breakdown_orders_rates_and_totals():
    breakdown = vat_breakdown(
        [(D("100.00"), D("6")), (D("250.00"), D("21")), (D("10.00"), D("0")), (D("49.99"), D("21"))]
    )
    assert [(s.rate, s.taxable_amount, s.vat_amount) for s in breakdown.subtotals] == [
        (D("21.00"), D("299.99"), D("63.00")),
        (D("6.00"), D("100.00"), D("6.00")),
        (D("0.00"), D("10.00"), D("0.00")),
    ]
    assert breakdown.total == TaxedAmount(D("409.99"), D("69.00"), D("478.99"))


def test_vat_breakdown_refuses_unknown_rate_and_unrounded_amounts():
    with pytest.raises(ValidationError, match="not a Belgian VAT rate"):
        vat_breakdown([(D("10.00"), D("20"))])
    with pytest.raises(ValueError, match="rounded to the cent"):
        vat_breakdown([(D("10.001"), D("21"))])


def test_taxed_amount_refuses_inconsistent_parts():
    with pytest.raises(ValueError, match="!= gross"):
        TaxedAmount(D("10.00"), D("2.10"), D("12.11"))
    with pytest.raises(ValueError, match="decimals"):
        TaxedAmount(D("10.001"), D("0.00"), D("10.001"))
    with pytest.raises(TypeError):
        TaxedAmount(10.0, D("0"), D("10"))


def test_vat_rate_validation_comes_from_data():
    for rate in ("21", "12", "6", "0", "21.00"):
        validate_vat_rate(rate)
    with pytest.raises(ValidationError) as error:
        validate_vat_rate("19.6")
    assert "21 %, 12 %, 6 %, 0 %" in error.value.messages[0]


def test_unit_price_keeps_four_decimals_at_most():
    validate_unit_price_places(D("0.0123"))
    with pytest.raises(ValidationError):
        validate_unit_price_places(D("0.01234"))


@given(st.lists(st.tuples(amounts, rates), max_size=30))
def test_breakdown_total_is_the_sum_of_its_subtotals_and_net_plus_vat_is_gross(lines):
    breakdown = vat_breakdown(lines)
    assert breakdown.total.net == sum((amount for amount, _ in lines), D("0.00"))
    assert breakdown.total.vat == sum((s.vat_amount for s in breakdown.subtotals), D("0.00"))
    assert breakdown.total.net + breakdown.total.vat == breakdown.total.gross
    assert len({s.rate for s in breakdown.subtotals}) == len(breakdown.subtotals)


@given(amounts, rates)
def test_vat_of_a_single_rate_is_within_half_a_cent_of_exact(amount, rate):
    taxed = TaxedAmount.from_net(amount, rate)
    assert abs(taxed.vat - amount * rate / 100) <= D("0.005")


@given(
    st.decimals(min_value=D("0"), max_value=D("10000"), places=3),
    st.decimals(min_value=D("0"), max_value=D("1000"), places=4),
)
def test_line_amount_is_always_to_the_cent(quantity, unit_price):
    amount = line_amount(quantity, unit_price)
    assert amount == amount.quantize(D("0.01"))
    assert abs(amount - quantity * unit_price) <= D("0.005")
