"""The rules of the trade on worked examples and boundary values (figures from the data file)."""

from decimal import Decimal

import pytest

from tenders import rules

D = Decimal


@pytest.mark.parametrize(
    ("contract_type", "value", "social", "level"),
    [
        ("supplies", D("215999.99"), False, "belgian"),
        ("supplies", D("216000.00"), False, "eu"),
        ("services", D("215999.99"), False, "belgian"),
        ("services", D("216000.00"), False, "eu"),
        ("services", D("749999.99"), True, "belgian"),  # social and other specific services (annex XIV)
        ("services", D("750000.00"), True, "eu"),
        ("works", D("5403999.99"), False, "belgian"),
        ("works", D("5404000.00"), False, "eu"),
    ],
)
def test_publication_level_at_the_thresholds(contract_type, value, social, level):
    assert rules.publication_level(contract_type, value, social_services=social) == level


@pytest.mark.parametrize(
    ("value", "allowed"),
    [(D("29999.99"), True), (D("30000.00"), False)],
)
def test_low_value_contract_stays_below_30000(value, allowed):
    refusal = rules.procedure_refusal(procedure="low_value", contract_type="supplies", value=value)
    assert (refusal is None) is allowed
    if not allowed:
        assert "30" in refusal
        assert "000" in refusal


def test_negotiated_without_publication_needs_a_ground():
    refusal = rules.procedure_refusal(
        procedure="negotiated_without_publication", contract_type="services", value=D("1000")
    )
    assert "legal ground" in refusal


@pytest.mark.parametrize(("value", "allowed"), [(D("139999.99"), True), (D("140000.00"), False)])
def test_ground_below_threshold_applies_below_140000(value, allowed):
    refusal = rules.procedure_refusal(
        procedure="negotiated_without_publication",
        contract_type="supplies",
        value=value,
        legal_ground="below_threshold",
    )
    assert (refusal is None) is allowed


def test_other_grounds_need_a_justification_and_then_allow_any_value():
    kwargs = {"procedure": "negotiated_without_publication", "contract_type": "supplies", "value": D("9000000")}
    assert "Explain" in rules.procedure_refusal(**kwargs, legal_ground="urgency")
    assert rules.procedure_refusal(**kwargs, legal_ground="urgency", justification="Inondations de juillet") is None


@pytest.mark.parametrize(
    ("contract_type", "value", "allowed"),
    [
        ("supplies", D("215999.99"), True),
        ("supplies", D("216000.00"), False),
        ("works", D("749999.99"), True),
        ("works", D("750000.00"), False),
    ],
)
def test_negotiated_with_publication_only_below_its_limit(contract_type, value, allowed):
    refusal = rules.procedure_refusal(procedure="negotiated_with_publication", contract_type=contract_type, value=value)
    assert (refusal is None) is allowed


def test_open_and_restricted_procedures_are_always_allowed():
    for procedure in ("open", "restricted"):
        assert rules.procedure_refusal(procedure=procedure, contract_type="works", value=D("99999999")) is None


def test_competitive_negotiation_above_eu_level_must_be_justified():
    kwargs = {"procedure": "competitive_negotiation", "contract_type": "services", "value": D("300000")}
    assert rules.procedure_refusal(**kwargs) is not None
    assert rules.procedure_refusal(**kwargs, justification="Solution à adapter") is None
    assert rules.procedure_refusal(**{**kwargs, "value": D("100000")}) is None


@pytest.mark.parametrize(
    ("lowest", "price", "weight", "points"),
    [
        (D("80000"), D("80000"), D("60"), D("60.00")),
        (D("80000"), D("100000"), D("60"), D("48.00")),
        (D("9000"), D("9500"), D("60"), D("56.84")),  # 56.8421… rounds half-up to the cent
        (D("1000"), D("3000"), D("100"), D("33.33")),
        (D("1"), D("8"), D("1"), D("0.13")),  # 0.125 → 0.13 (half-up)
    ],
)
def test_price_points_formula(lowest, price, weight, points):
    assert rules.price_points(lowest, price, weight) == points


def test_ranking_by_total_points_then_lower_price():
    ranked = rules.rank_bids(
        [("a", D("100"), D("30")), ("b", D("80"), D("20")), ("c", D("120"), D("40"))], price_weight=D("60")
    )
    by_key = {r.key: r for r in ranked}
    # a: 48 + 30 = 78; b: 60 + 20 = 80; c: 40 + 40 = 80 → b before c (lower price)
    assert [(k, by_key[k].total_points, by_key[k].rank) for k in "abc"] == [
        ("a", D("78.00"), 3),
        ("b", D("80.00"), 1),
        ("c", D("80.00"), 2),
    ]


def test_abnormally_low_needs_four_bids():
    assert rules.abnormally_low([D("10"), D("100"), D("100")]) == [False, False, False]


def test_abnormally_low_with_four_bids_leaves_the_extremes_out_of_the_average():
    # Average of the two middle bids (100, 100) = 100; 15 % below is 85: 84.99 is flagged, 85 not.
    assert rules.abnormally_low([D("84.99"), D("100"), D("100"), D("500")]) == [True, False, False, False]
    assert rules.abnormally_low([D("85.00"), D("100"), D("100"), D("500")]) == [False, False, False, False]


def test_abnormally_low_with_eight_bids_leaves_a_quarter_out_on_each_side():
    totals = [D(v) for v in ("10", "20", "100", "100", "100", "100", "900", "1000")]
    # Two lowest and two highest out: average 100, limit 85.
    assert rules.abnormally_low(totals) == [True, True, False, False, False, False, False, False]
