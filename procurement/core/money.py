"""Money: Decimal amounts in euros, one rounding rule, VAT as EN 16931 computes it.

- Unit prices keep up to 4 decimals (a price per page or per kWh); amounts have 2.
- Rounding is half-up, always through :func:`quantize`.
- A line amount excl. VAT is ``quantity × unit price`` rounded to the cent.
- VAT is computed per rate on the *sum* of the line amounts of that rate, then rounded
  (EN 16931 BR-CO-17), so that an order and its invoice agree to the cent.
- :class:`TaxedAmount` keeps net + VAT = gross; it refuses to exist otherwise.

Floats never enter: :func:`to_decimal` refuses them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.core import facts

AMOUNT_PLACES = 2
UNIT_PRICE_PLACES = 4
RATE_PLACES = 2
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert an exact value to Decimal; floats are refused because they are not exact."""
    if isinstance(value, bool | float):
        raise TypeError(f"money must not be a {type(value).__name__}: use Decimal or str")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
    else:
        raise TypeError(f"cannot make money from {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def quantize(value: Decimal | int | str, places: int = AMOUNT_PLACES) -> Decimal:
    """Round half-up to ``places`` decimals: the one rounding rule of the project."""
    return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal | int | str, unit_price: Decimal | int | str) -> Decimal:
    """Amount excl. VAT of one line: quantity × unit price, rounded to the cent."""
    return quantize(to_decimal(quantity) * to_decimal(unit_price))


def vat_amount(taxable_amount: Decimal, rate: Decimal) -> Decimal:
    """VAT on a taxable amount at ``rate`` percent, rounded to the cent."""
    return quantize(to_decimal(taxable_amount) * to_decimal(rate) / HUNDRED)


def _has_places(value: Decimal, places: int) -> bool:
    return value == value.quantize(Decimal(1).scaleb(-places))


@dataclass(frozen=True, slots=True)
class TaxedAmount:
    """An amount in euros with its VAT: net + vat = gross, each to the cent."""

    net: Decimal
    vat: Decimal
    gross: Decimal

    def __post_init__(self) -> None:
        for name in ("net", "vat", "gross"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise TypeError(f"{name} must be a finite Decimal, not {value!r}")
            if not _has_places(value, AMOUNT_PLACES):
                raise ValueError(f"{name} must have at most {AMOUNT_PLACES} decimals: {value}")
        if self.net + self.vat != self.gross:
            raise ValueError(f"net {self.net} + VAT {self.vat} != gross {self.gross}")

    @classmethod
    def zero(cls) -> TaxedAmount:
        return cls(ZERO, ZERO, ZERO)

    @classmethod
    def from_net(cls, net: Decimal, rate: Decimal) -> TaxedAmount:
        """Net amount and VAT rate (percent) → net, VAT and gross."""
        net = quantize(net)
        vat = vat_amount(net, rate)
        return cls(net, vat, net + vat)

    def __add__(self, other: TaxedAmount) -> TaxedAmount:
        if not isinstance(other, TaxedAmount):
            return NotImplemented
        return TaxedAmount(self.net + other.net, self.vat + other.vat, self.gross + other.gross)


@dataclass(frozen=True, slots=True)
class VatSubtotal:
    """One VAT rate's share of a document: the taxable amount and its VAT."""

    rate: Decimal
    taxable_amount: Decimal
    vat_amount: Decimal

    @property
    def amounts(self) -> TaxedAmount:
        return TaxedAmount(self.taxable_amount, self.vat_amount, self.taxable_amount + self.vat_amount)


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    """The VAT of a whole document, per rate (highest rate first), and its totals."""

    subtotals: tuple[VatSubtotal, ...]
    total: TaxedAmount


def vat_breakdown(lines: Iterable[tuple[Decimal, Decimal]]) -> VatBreakdown:
    """VAT of a document from its lines ``(amount excl. VAT, VAT rate %)``.

    Amounts are summed per rate first and the VAT of each rate is rounded once, as
    EN 16931 requires; rounding each line's VAT instead can miss by a few cents.
    Rates must be Belgian VAT rates from the reference data.
    """
    taxable_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for amount, rate in lines:
        rate = normalize_rate(rate)
        validate_vat_rate(rate)
        amount = to_decimal(amount)
        if not _has_places(amount, AMOUNT_PLACES):
            raise ValueError(f"line amounts must be rounded to the cent first: {amount}")
        taxable_by_rate[rate] += amount
    subtotals = tuple(
        VatSubtotal(rate, taxable, vat_amount(taxable, rate))
        for rate, taxable in sorted(taxable_by_rate.items(), reverse=True)
    )
    total = sum((subtotal.amounts for subtotal in subtotals), TaxedAmount.zero())
    return VatBreakdown(subtotals, total)


def normalize_rate(rate: Decimal | int | str) -> Decimal:
    return quantize(rate, RATE_PLACES)


def validate_vat_rate(rate: Decimal | int | str) -> None:
    """Refuse a VAT rate that is not one of the Belgian rates in the reference data."""
    try:
        value = normalize_rate(rate)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Enter a VAT rate."), code="invalid") from exc
    allowed = facts.vat_rates()
    if value not in allowed:
        raise ValidationError(
            _("%(rate)s %% is not a Belgian VAT rate (allowed: %(allowed)s)."),
            code="invalid_vat_rate",
            params={"rate": value.normalize(), "allowed": ", ".join(f"{r.normalize()} %" for r in allowed)},
        )


def validate_unit_price_places(value: Decimal) -> None:
    if not _has_places(value, UNIT_PRICE_PLACES):
        raise ValidationError(
            _("A unit price has at most %(places)s decimals."),
            code="too_many_decimals",
            params={"places": UNIT_PRICE_PLACES},
        )


class AmountField(models.DecimalField):
    """An amount in euros, to the cent (up to 10^14 €)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", AMOUNT_PLACES)
        super().__init__(*args, **kwargs)


class UnitPriceField(models.DecimalField):
    """A unit price in euros with up to 4 decimals (per page, per kWh…)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", UNIT_PRICE_PLACES)
        kwargs.setdefault("validators", [MinValueValidator(Decimal(0))])
        super().__init__(*args, **kwargs)


class VatRateField(models.DecimalField):
    """A VAT rate in percent, one of the Belgian rates of the reference data."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", RATE_PLACES)
        kwargs.setdefault("validators", [validate_vat_rate])
        super().__init__(*args, **kwargs)
