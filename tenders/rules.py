"""The rules of the trade for tenders, as pure functions over figures read from data.

Nothing here touches the database: the services gather the facts (contract type, the lots'
maxima, the bids' totals) and these functions decide. Thresholds, the standstill and the
abnormally-low rule come from ``procurement/core/data/procurement_facts_be.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from procurement.core import facts
from tenders.models import ContractType, LegalGround, Procedure, PublicationLevel

CENT = Decimal("0.01")


def euros(amount: Decimal) -> str:
    return f"{number_format(amount, 2, force_grouping=True)} €"


# --- Publication level and procedure -------------------------------------------------------


def eu_threshold(contract_type: str, *, social_services: bool = False) -> Decimal:
    """The EU threshold that applies to IMIO (a sub-central contracting authority)."""
    thresholds = facts.eu_thresholds()
    if contract_type == ContractType.WORKS:
        return thresholds["works"]
    if contract_type == ContractType.SERVICES and social_services:
        return thresholds["social_and_other_specific_services_annex_xiv"]
    return thresholds["supplies_services_sub_central_authorities"]


def publication_level(contract_type: str, value: Decimal, *, social_services: bool = False) -> str:
    """Belgian or European publication, for ``value`` = the maximum of all lots over the whole term."""
    if value >= eu_threshold(contract_type, social_services=social_services):
        return PublicationLevel.EUROPEAN
    return PublicationLevel.BELGIAN


def procedure_refusal(
    *,
    procedure: str,
    contract_type: str,
    value: Decimal,
    legal_ground: str = "",
    justification: str = "",
    social_services: bool = False,
) -> str | None:
    """Why the procedure is not allowed for this contract, or ``None`` when it is.

    ``value`` is the maximum value of all lots over the whole term, excl. VAT.
    """
    level = publication_level(contract_type, value, social_services=social_services)
    threshold = eu_threshold(contract_type, social_services=social_services)
    if procedure == Procedure.LOW_VALUE:
        limit = facts.low_value_threshold()
        if value >= limit:
            return _(
                "A low-value contract must stay below %(limit)s excl. VAT; the lots' maximum values add up to "
                "%(value)s."
            ) % {"limit": euros(limit), "value": euros(value)}
    elif procedure == Procedure.NEGOTIATED_WITH_PUBLICATION:
        limit = negotiated_with_publication_limit(contract_type, threshold)
        if value >= limit:
            return _(
                "A negotiated procedure with prior publication is only allowed below %(limit)s excl. VAT for this "
                "contract type; the lots' maximum values add up to %(value)s. Choose an open or restricted procedure."
            ) % {"limit": euros(limit), "value": euros(value)}
    elif procedure == Procedure.NEGOTIATED_WITHOUT_PUBLICATION:
        if not legal_ground:
            return _(
                "A negotiated procedure without prior publication needs a legal ground: a value below its "
                "threshold, urgency, a single possible supplier, a failed earlier procedure…"
            )
        if legal_ground == LegalGround.BELOW_THRESHOLD:
            limit = facts.negotiated_without_publication_threshold()
            if value >= limit:
                return _(
                    "The ground “value below the threshold” only applies below %(limit)s excl. VAT; the lots' "
                    "maximum values add up to %(value)s."
                ) % {"limit": euros(limit), "value": euros(value)}
        elif not justification.strip():
            return _("Explain how the legal ground “%(ground)s” applies to this contract.") % {
                "ground": LegalGround(legal_ground).label
            }
    elif (
        procedure == Procedure.COMPETITIVE_NEGOTIATION
        and level == PublicationLevel.EUROPEAN
        and not justification.strip()
    ):
        return _(
            "Above the European threshold, a competitive procedure with negotiation must be justified "
            "(the needs cannot be met without adapting available solutions, design or innovation…)."
        )
    return None


def negotiated_with_publication_limit(contract_type: str, eu_limit: Decimal) -> Decimal:
    rule = facts.procurement_facts()["belgian_national"]["procedure_negociee_directe_avec_publication_prealable"]
    if contract_type == ContractType.WORKS:
        return Decimal(str(rule["works_amount_below"]))
    return eu_limit


# --- Evaluation -----------------------------------------------------------------------------


def price_points(lowest: Decimal, price: Decimal, weight: Decimal) -> Decimal:
    """The usual formula: lowest price ÷ bid price × weight, rounded half-up to the cent."""
    if price <= 0:
        raise ValueError("a bid price must be positive")
    return (lowest / price * weight).quantize(CENT, rounding=ROUND_HALF_UP)


def abnormally_low(totals: Sequence[Decimal]) -> list[bool]:
    """Which totals are presumed abnormally low (royal decree of 18 April 2017, art. 36).

    A total is flagged when it is more than the rule's percentage below the average of the
    bids that enter the average, and only when there are at least the rule's minimum
    number of bids. The flag calls for verification; it does not exclude the bid.
    """
    rule = facts.abnormally_low_rule()
    if len(totals) < rule.minimum_bids:
        return [False] * len(totals)
    lowest, highest = rule.excluded_from_average(len(totals))
    entering = sorted(totals)[lowest : len(totals) - highest]
    average = sum(entering, Decimal("0")) / len(entering)
    limit = average * (100 - rule.percent_below_average) / 100
    return [total < limit for total in totals]


@dataclass(frozen=True)
class Scored:
    key: object
    total_amount: Decimal
    quality_points: Decimal
    price_points: Decimal
    total_points: Decimal
    rank: int


def rank_bids(bids: Sequence[tuple[object, Decimal, Decimal]], price_weight: Decimal) -> list[Scored]:
    """Price points, totals and ranks of ``(key, total_amount, quality_points)`` acceptable bids.

    Ties on points go to the lower price; equal prices share the better rank's order of
    submission (the order given).
    """
    if not bids:
        return []
    lowest = min(total for _key, total, _quality in bids)
    scored = [(key, total, quality, price_points(lowest, total, price_weight)) for key, total, quality in bids]
    order = sorted(range(len(scored)), key=lambda i: (-(scored[i][2] + scored[i][3]), scored[i][1], i))
    ranks = {index: position + 1 for position, index in enumerate(order)}
    return [
        Scored(
            key=key,
            total_amount=total,
            quality_points=quality,
            price_points=points,
            total_points=quality + points,
            rank=ranks[index],
        )
        for index, (key, total, quality, points) in enumerate(scored)
    ]
