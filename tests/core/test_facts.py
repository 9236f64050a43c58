from decimal import Decimal

from procurement.core import facts


def test_vat_rates_are_the_belgian_rates_from_the_data_file():
    assert facts.vat_rates() == (Decimal("21.00"), Decimal("12.00"), Decimal("6.00"), Decimal("0.00"))


def test_thresholds_and_standstill_come_from_the_data_file():
    thresholds = facts.eu_thresholds()
    assert thresholds["supplies_services_sub_central_authorities"] == Decimal("216000")
    assert thresholds["supplies_services_central_authorities"] == Decimal("140000")
    assert thresholds["works"] == Decimal("5404000")
    assert thresholds["social_and_other_specific_services_annex_xiv"] == Decimal("750000")
    assert facts.low_value_threshold() == Decimal("30000")
    assert facts.standstill_days() == 15


def test_abnormally_low_rule_comes_from_the_data_file():
    rule = facts.abnormally_low_rule()
    assert rule.percent_below_average == Decimal("15")
    assert rule.minimum_bids == 4
    assert rule.average_of == "offers_of_selected_tenderers"
    assert rule.contract_types == ("works", "services_in_fraud_sensitive_sector")
    assert rule.procedures == ("open", "restricted")
    assert rule.applies_above_eu_threshold_only is False


def test_which_offers_enter_the_average_depends_on_their_number():
    rule = facts.abnormally_low_rule()
    assert rule.excluded_from_average(3) == (0, 0)
    assert rule.excluded_from_average(4) == (1, 1)
    assert rule.excluded_from_average(6) == (1, 1)
    assert rule.excluded_from_average(7) == (1, 1)
    assert rule.excluded_from_average(8) == (2, 2)
    assert rule.excluded_from_average(12) == (3, 3)


def test_negotiated_procedure_without_publication_threshold_comes_from_the_data_file():
    assert facts.negotiated_without_publication_threshold() == Decimal("140000")
