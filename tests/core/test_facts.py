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
