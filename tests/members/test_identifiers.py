import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from procurement.members import identifiers
from procurement.members.demo import demo_enterprise_number, demo_iban


@pytest.mark.parametrize("typed", ["0403.019.261", "BE 0403 019 261", "be0403019261", "403019261", "(0)403019261"])
def test_enterprise_number_is_normalised(typed):
    assert identifiers.clean_enterprise_number(typed) == "0403019261"


def test_enterprise_number_is_shown_with_dots():
    assert identifiers.format_enterprise_number("0403019261") == "0403.019.261"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0403.019.262", "check digits"),
        ("12345", "ten digits"),
        ("ABCDEFGHIJ", "ten digits"),
        ("2403019261", "ten digits"),
    ],
)
def test_invalid_enterprise_numbers_say_why(typed, reason):
    with pytest.raises(ValidationError) as error:
        identifiers.clean_enterprise_number(typed)
    assert reason in error.value.messages[0]
    assert typed in error.value.messages[0]


def test_iban_is_normalised_and_checked():
    assert identifiers.clean_iban("be71 0961 2345 6769") == "BE71096123456769"
    assert identifiers.format_iban("BE71096123456769") == "BE71 0961 2345 6769"
    with pytest.raises(ValidationError, match="not a valid IBAN"):
        identifiers.clean_iban("BE71 0961 2345 6760")


def test_foreign_vat_number_must_be_foreign_and_valid():
    assert identifiers.clean_foreign_vat_number("FR 40 303 265 045") == "FR40303265045"
    with pytest.raises(ValidationError, match="enterprise number"):
        identifiers.clean_foreign_vat_number("BE0403019261")
    with pytest.raises(ValidationError, match="not a valid EU VAT number"):
        identifiers.clean_foreign_vat_number("FR41303265045")


def test_nis_code_has_five_digits():
    assert identifiers.clean_nis_code(" 92094 ") == "92094"
    with pytest.raises(ValidationError):
        identifiers.clean_nis_code("9209")


@given(st.integers(min_value=0, max_value=10**9))
def test_demo_enterprise_numbers_are_always_valid(seed):
    assert identifiers.clean_enterprise_number(demo_enterprise_number(seed)) == demo_enterprise_number(seed)


@given(st.sampled_from([1, 68, 96, 363, 732]), st.integers(min_value=0, max_value=9_999_999))
def test_demo_ibans_are_always_valid(bank_code, account):
    assert identifiers.clean_iban(demo_iban(bank_code, account)) == demo_iban(bank_code, account)
