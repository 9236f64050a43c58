"""The figures of the trade, read from data: thresholds, VAT rates, standstill.

They live in ``core/data/procurement_facts_be.yaml`` with a source for every figure, so a
change of threshold (every two years in the EU) is a change of data, not of code. The file
is read once per process.
"""

from __future__ import annotations

import functools
from decimal import Decimal
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
