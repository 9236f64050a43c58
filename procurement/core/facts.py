"""The figures of the trade, read from data: thresholds, VAT rates, standstill, abnormally low bids.

They live in ``core/data/procurement_facts_be.yaml`` with a source for every figure, so a
change of threshold (every two years in the EU) is a change of data, not of code. The file
is read once per process.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
FACTS_FILE = DATA_DIR / "procurement_facts_be.yaml"


@functools.cache
def procurement_facts() -> dict[str, Any]:
    with FACTS_FILE.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def _amount(value: Any) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"amounts in the facts file must be integers or strings, not {value!r}")
    return Decimal(str(value))


@functools.cache
def vat_rates() -> tuple[Decimal, ...]:
    """Belgian VAT rates in percent, highest first: (21, 12, 6, 0)."""
    rates = procurement_facts()["vat_belgium"]["rates"]
    return tuple(sorted((_amount(rate["rate_percent"]).quantize(Decimal("0.01")) for rate in rates), reverse=True))


def standstill_days() -> int:
    """Days between notification of the award decision and conclusion (EU-level procedures)."""
    return int(procurement_facts()["belgian_national"]["standstill"]["days"])


def low_value_threshold() -> Decimal:
    """Belgian low-value contracts (marché de faible montant) are below this, excl. VAT."""
    return _amount(procurement_facts()["belgian_national"]["marche_de_faible_montant"]["amount_below"])


def eu_thresholds() -> dict[str, Decimal]:
    """EU thresholds of the classic sectors for the current period, excl. VAT, by key."""
    classic = procurement_facts()["eu_thresholds"]["classic_sectors"]
    return {key: _amount(entry["amount"]) for key, entry in classic.items()}


@dataclass(frozen=True)
class AverageExclusion:
    """For ``bids_from`` ≤ n < ``bids_below`` offers, how many of the lowest and highest leave the average."""

    bids_from: int
    bids_below: int | None
    lowest: int | None = None
    highest: int | None = None
    lowest_fraction: Fraction | None = None
    highest_fraction: Fraction | None = None
    confirmed: bool = False

    def applies(self, count: int) -> bool:
        return count >= self.bids_from and (self.bids_below is None or count < self.bids_below)

    def excluded(self, count: int) -> tuple[int, int]:
        def number(fixed: int | None, fraction: Fraction | None) -> int:
            return fixed if fixed is not None else math.floor(count * (fraction or 0))

        return number(self.lowest, self.lowest_fraction), number(self.highest, self.highest_fraction)


@dataclass(frozen=True)
class AbnormallyLowRule:
    """When the total amount of an offer is presumed abnormally low (art. 36 § 4 AR 18/04/2017).

    The scope fields say where the law makes the price examination compulsory (works and
    fraud-sensitive services, open or restricted procedure, price-led award); elsewhere the
    flag still invites the buyer to verify.
    """

    percent_below_average: Decimal
    minimum_bids: int
    average_of: str
    average_excludes: tuple[AverageExclusion, ...]
    contract_types: tuple[str, ...]
    procedures: tuple[str, ...]
    applies_above_eu_threshold_only: bool

    def excluded_from_average(self, count: int) -> tuple[int, int]:
        """How many of the lowest and of the highest of ``count`` offers leave the average."""
        for band in self.average_excludes:
            if band.applies(count):
                return band.excluded(count)
        return 0, 0


@functools.cache
def abnormally_low_rule() -> AbnormallyLowRule:
    """The Belgian presumption of an abnormally low offer, classic sectors.

    With at least four offers considered, any offer at least 15 % below the average of the
    selected tenderers' offers (the extremes left out as ``average_excludes`` says) must have
    its prices examined (justifications asked) before it is kept or rejected.
    """
    entry = procurement_facts()["belgian_national"]["abnormally_low_bids"]
    bands = tuple(
        AverageExclusion(
            bids_from=int(band["bids_from"]),
            bids_below=None if band.get("bids_below") is None else int(band["bids_below"]),
            lowest=band.get("lowest"),
            highest=band.get("highest"),
            lowest_fraction=Fraction(band["lowest_fraction"]) if band.get("lowest_fraction") else None,
            highest_fraction=Fraction(band["highest_fraction"]) if band.get("highest_fraction") else None,
            confirmed=band.get("status") == "confirmed",
        )
        for band in entry.get("average_excludes") or ()
    )
    return AbnormallyLowRule(
        percent_below_average=_amount(entry["percent_below_average"]),
        minimum_bids=int(entry["minimum_bids"]),
        average_of=str(entry["average_of"]),
        average_excludes=bands,
        contract_types=tuple(entry["contract_types"]),
        procedures=tuple(entry["procedures"]),
        applies_above_eu_threshold_only=bool(entry["applies_above_eu_threshold_only"]),
    )


def negotiated_without_publication_threshold() -> Decimal:
    """Below this (excl. VAT) a negotiated procedure without prior publication needs no other ground."""
    entry = procurement_facts()["belgian_national"]["procedure_negociee_sans_publication_prealable"]
    return _amount(entry["amount_below_2026_2027"])
