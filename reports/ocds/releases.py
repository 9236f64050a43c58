"""OCDS releases derived from the state of each contracting process.

Four kinds of contracting process, each with its own ``ocid`` (``<prefix>-<kind>-<id>``):

- ``tender``: IMIO's procedure, the *first stage* of its framework agreements. The framework
  agreements are its awards (one per lot, to the lot's suppliers, valued at the lot's
  maximum); the first stage has no contracts.
- ``order``: a member's call-off order sent to a supplier without reopening competition;
- ``competition``: a mini-competition among an agreement's suppliers and the order it ends with;
- ``calloff``: a call-off placed outside the platform, recorded by IMIO.

The last three are *second stages*: each links to the tender's process by ``relatedProcesses``
with the relationship ``framework`` (OCDS guidance on framework agreements).

A process has a release for each stage it went through, dated by the stage's own time stamp
and identified ``<ocid>-<stage>``: exporting twice gives the same identifiers and dates. A
release tells what was known at its stage: the opening release names the bidders, the award
release the winners; nothing about bids comes before the opening. Organisations only: officers'
names, e-mails and phones, delivery addresses and notes are never read here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.core.models import CpvCode
from procurement.core.units import Unit
from procurement.members.models import Organization
from procurement.orders.models import Competition, OffPlatformCallOff, Order, OrderStatus
from tenders.models import (
    BidStatus,
    ContractType,
    CriterionKind,
    DocumentKind,
    FrameworkAgreement,
    LotStatus,
    Procedure,
    SupplierMode,
    Tender,
    TenderStatus,
)

CURRENCY = "EUR"
BCE_SCHEME = "BE-BCE_KBO"

METHODS = {
    Procedure.OPEN: "open",
    Procedure.RESTRICTED: "selective",
    Procedure.COMPETITIVE_NEGOTIATION: "selective",
    Procedure.NEGOTIATED_WITH_PUBLICATION: "selective",
    Procedure.NEGOTIATED_WITHOUT_PUBLICATION: "limited",
    Procedure.LOW_VALUE: "limited",
}
CATEGORIES = {ContractType.SUPPLIES: "goods", ContractType.SERVICES: "services", ContractType.WORKS: "works"}
FRAMEWORK_METHODS = {
    SupplierMode.SINGLE: "withoutReopeningCompetition",
    SupplierMode.CASCADE: "withoutReopeningCompetition",
    SupplierMode.MINI_COMPETITION: "withReopeningCompetition",
}
LOT_STATUSES = {
    LotStatus.ACTIVE: "active",
    LotStatus.AWARDED: "complete",
    LotStatus.UNSUCCESSFUL: "unsuccessful",
    LotStatus.CANCELLED: "cancelled",
}
UNIT_NAMES = dict(Unit.choices)  # lazy labels, read in the release's language
DOCUMENT_TYPES = {
    DocumentKind.SPECIFICATIONS: "biddingDocuments",
    DocumentKind.ANNEX: "biddingDocuments",
    DocumentKind.ADDENDUM: "clarifications",
}


# --- Identifiers -----------------------------------------------------------------------------


class Kind:
    TENDER = "tender"
    ORDER = "order"
    COMPETITION = "competition"
    CALL_OFF = "calloff"

    ALL = (TENDER, COMPETITION, ORDER, CALL_OFF)


def ocid(kind: str, pk: int) -> str:
    return f"{settings.OCDS_PREFIX}-{kind}-{pk}"


def parse_ocid(value: str) -> tuple[str, int] | None:
    """``(kind, id)`` of one of this platform's ocids, ``None`` for anything else."""
    prefix = f"{settings.OCDS_PREFIX}-"
    if not value.startswith(prefix):
        return None
    kind, _sep, pk = value[len(prefix) :].rpartition("-")
    if kind not in Kind.ALL or not pk.isdigit() or len(pk) > 18:
        return None
    return kind, int(pk)


def ocds_datetime(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def ocds_date(day: datetime.date) -> str:
    """A day as the start of that day in Brussels (OCDS dates are date-times)."""
    return ocds_datetime(datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)))


def value(amount: Decimal) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Stages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    name: str
    date: datetime.datetime
    tag: tuple[str, ...]


@dataclass
class Context:
    """What releases of a page of processes share: IMIO, the CPV labels (in French, the
    platform's language, read once: a few thousand short rows cost less than a query per code)."""

    imio: Organization | None
    cpv_labels: dict[str, str] | None = None

    def cpv(self, code: str) -> dict | None:
        if not code:
            return None
        if self.cpv_labels is None:
            self.cpv_labels = dict(CpvCode.objects.values_list("code", "label_fr"))
        classification = {"scheme": "CPV", "id": code}
        if label := self.cpv_labels.get(code):
            classification["description"] = label
        return classification


def release(ocid_: str, stage: Stage, body: dict) -> dict:
    return {
        "ocid": ocid_,
        "id": f"{ocid_}-{stage.name}",
        "date": ocds_datetime(stage.date),
        "tag": list(stage.tag),
        "initiationType": "tender",
        "language": settings.LANGUAGE_CODE[:2],
        **body,
    }


# --- Parties -----------------------------------------------------------------------------------


def party_id(organization: Organization) -> str:
    if organization.enterprise_number:
        return f"{BCE_SCHEME}-{organization.enterprise_number}"
    return f"{settings.OCDS_PREFIX}-organization-{organization.pk}"


def reference(organization: Organization) -> dict:
    return {"id": party_id(organization), "name": organization.name}


class Parties:
    """The organisations of a release and their roles, in the order they first appear."""

    def __init__(self):
        self._parties: dict[int, tuple[Organization, list[str]]] = {}

    def add(self, organization: Organization | None, *roles: str) -> dict | None:
        if organization is None:
            return None
        _organization, known = self._parties.setdefault(organization.pk, (organization, []))
        known.extend(role for role in roles if role not in known)
        return reference(organization)

    def as_list(self) -> list[dict]:
        return [party(organization, roles) for organization, roles in self._parties.values()]


def party(organization: Organization, roles: list[str]) -> dict:
    data = {"id": party_id(organization), "name": organization.name, "roles": roles}
    if organization.enterprise_number:
        data["identifier"] = {
            "scheme": BCE_SCHEME,
            "id": organization.enterprise_number,
            "legalName": organization.name,
        }
    address = {
        key: text
        for key, text in (
            ("streetAddress", organization.street),
            ("locality", organization.city),
            ("postalCode", organization.postcode),
            ("countryName", organization.country),
        )
        if text
    }
    if address:
        data["address"] = address
    return data


def unit(code: str, unit_price: Decimal | None = None) -> dict:
    data = {"scheme": "UNCEFACT", "id": code, "name": str(UNIT_NAMES.get(code, code))}
    if unit_price is not None:
        data["value"] = value(unit_price)
    return data


# --- Tenders: the first stage ------------------------------------------------------------------


def tender_stages(tender: Tender) -> list[Stage]:
    stages = [Stage("tender", tender.published_at or tender.created_at, ("tender",))]
    if tender.opened_at:
        stages.append(Stage("opening", tender.opened_at, ("tenderUpdate",)))
    if tender.awarded_at:
        stages.append(Stage("award", tender.awarded_at, ("award",)))
    if tender.concluded_at and tender.status == TenderStatus.CONCLUDED:
        stages.append(Stage("agreement", tender.concluded_at, ("awardUpdate",)))
    if tender.status == TenderStatus.CANCELLED:
        stages.append(Stage("cancellation", tender.status_changed_at, ("tenderCancellation",)))
    elif tender.status == TenderStatus.UNSUCCESSFUL:
        stages.append(Stage("unsuccessful", tender.status_changed_at, ("tenderUpdate",)))
    return stages


def _tender_status(tender: Tender, stage: Stage) -> str:
    if stage.name == "cancellation":
        return "cancelled"
    if stage.name == "unsuccessful":
        return "unsuccessful"
    if stage.name in ("award", "agreement"):
        return "complete"
    return "active"


def _lot_status(lot, stage: Stage) -> str:
    if stage.name in ("tender", "opening"):
        return "active"
    if stage.name == "cancellation":
        return "cancelled"
    return LOT_STATUSES[lot.status]


def _framework(tender: Tender, lots) -> dict:
    modes = {lot.supplier_mode for lot in lots}
    method = {FRAMEWORK_METHODS[mode] for mode in modes}
    data = {"value": value(sum((lot.maximum_value for lot in lots), Decimal("0.00")))}
    if len(method) == 1:
        data["method"] = method.pop()
    elif method:
        data["method"] = "withAndWithoutReopeningCompetition"
    if tender.beneficiary_scope == "all_members":
        data["buyerCategories"] = _("All current and future members of the central purchasing body")
    return data


def _lot_framework(lot, agreement: FrameworkAgreement | None) -> dict:
    data = {
        "method": FRAMEWORK_METHODS[lot.supplier_mode],
        "maximumParticipants": lot.max_suppliers,
        "value": value(lot.maximum_value),
    }
    if agreement is not None:
        data["period"] = {"startDate": ocds_date(agreement.start_date), "endDate": ocds_date(agreement.end_date)}
    else:
        data["description"] = _("Framework agreement of %(months)s months at most.") % {"months": lot.duration_months}
    return data


def _agreement_of(lot) -> FrameworkAgreement | None:
    try:
        return lot.agreement
    except FrameworkAgreement.DoesNotExist:
        return None


def tender_release(tender: Tender, stage: Stage, context: Context) -> dict:
    """One release of a tender's process; ``tender`` comes from ``processes.tender_queryset`` (prefetched)."""
    key = ocid(Kind.TENDER, tender.pk)
    parties = Parties()
    imio = parties.add(context.imio, "buyer", "procuringEntity")
    lots = list(tender.lots.all())
    opened = stage.name != "tender" and tender.opened_at is not None and tender.opened_at <= stage.date
    awarded = stage.name in ("award", "agreement") or (
        stage.name in ("cancellation", "unsuccessful") and tender.awarded_at is not None
    )
    concluded = stage.name == "agreement"

    items = []
    for lot in lots:
        code = lot.cpv_code_id or tender.cpv_code_id
        lot_items = list(lot.items.all())
        for item in lot_items:
            items.append(
                {
                    "id": f"{lot.number}-{item.pk}",
                    "description": item.description,
                    "classification": context.cpv(code),
                    "quantity": item.estimated_quantity,
                    "unit": unit(item.unit),
                    "relatedLot": str(lot.number),
                }
            )
        if not lot_items:
            items.append(
                {
                    "id": f"{lot.number}",
                    "description": lot.title,
                    "classification": context.cpv(code),
                    "relatedLot": str(lot.number),
                }
            )

    criteria = list(tender.criteria.all())
    body: dict = {
        "id": tender.reference,
        "title": tender.title,
        "status": _tender_status(tender, stage),
        "procuringEntity": imio,
        "items": items,
        "value": value(sum((lot.maximum_value for lot in lots), Decimal("0.00"))),
        "procurementMethod": METHODS[tender.procedure],
        "procurementMethodDetails": tender.get_procedure_display(),
        "mainProcurementCategory": CATEGORIES[tender.contract_type],
        "awardCriteria": "priceOnly"
        if all(criterion.kind == CriterionKind.PRICE for criterion in criteria)
        else "ratedCriteria",
        "awardCriteriaDetails": ", ".join(f"{criterion.name} {criterion.weight:g}" for criterion in criteria),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": _period(tender.published_at, tender.submission_deadline),
        "enquiryPeriod": _period(tender.published_at, tender.questions_deadline),
        "hasEnquiries": bool(getattr(tender, "answered_questions", 0)),
        "documents": [
            {
                "id": str(document.pk),
                "documentType": DOCUMENT_TYPES.get(document.kind, "biddingDocuments"),
                "title": document.title,
                "url": absolute(reverse("portal:document", args=[tender.pk, document.pk])),
                "datePublished": ocds_datetime(max(document.uploaded_at, tender.published_at or document.uploaded_at)),
                "language": settings.LANGUAGE_CODE[:2],
            }
            for document in tender.public_documents
        ],
        "techniques": {"hasFrameworkAgreement": True, "frameworkAgreement": _framework(tender, lots)},
        "lots": [
            {
                "id": str(lot.number),
                "title": lot.title,
                "status": _lot_status(lot, stage),
                "value": value(lot.maximum_value),
                "techniques": {
                    "hasFrameworkAgreement": True,
                    "frameworkAgreement": _lot_framework(lot, _agreement_of(lot) if concluded else None),
                },
            }
            for lot in lots
        ],
    }
    if tender.description:
        body["description"] = tender.description
    for lot_data, lot in zip(body["lots"], lots, strict=True):
        if lot.description:
            lot_data["description"] = lot.description
    if opened:
        bidders = {bid.supplier_id: bid.supplier for bid in tender.tendered_bids}
        body["numberOfTenderers"] = len(bidders)
        body["tenderers"] = [parties.add(supplier, "tenderer") for supplier in bidders.values()]

    data: dict = {"buyer": imio, "tender": body}
    if awarded:
        data["awards"] = _tender_awards(tender, lots, stage, parties, concluded)
    data["parties"] = parties.as_list()
    if context.imio is None:
        data.pop("buyer")
        body.pop("procuringEntity")
    return release(key, stage, data)


def _tender_awards(tender: Tender, lots, stage: Stage, parties: Parties, concluded: bool) -> list[dict]:
    winners: dict[int, list] = {}
    for bid in tender.tendered_bids:
        if bid.status == BidStatus.AWARDED:
            winners.setdefault(bid.lot_id, []).append(bid)
    awards = []
    for lot in lots:
        agreement = _agreement_of(lot) if concluded else None
        if agreement is not None:
            suppliers = [link.supplier for link in agreement.current_suppliers]
        else:
            suppliers = [bid.supplier for bid in sorted(winners.get(lot.pk, []), key=lambda bid: bid.award_rank or 0)]
        if not suppliers:
            continue
        status = "cancelled" if stage.name == "cancellation" else "active" if agreement is not None else "pending"
        award = {
            "id": f"lot-{lot.number}",
            "title": agreement.reference if agreement else lot.title,
            "status": status,
            "date": ocds_datetime(tender.awarded_at or tender.concluded_at or stage.date),
            "value": value(agreement.maximum_value if agreement else lot.maximum_value),
            "suppliers": [parties.add(supplier, "tenderer", "supplier") for supplier in suppliers],
            "relatedLots": [str(lot.number)],
        }
        if agreement is not None:
            award["contractPeriod"] = {
                "startDate": ocds_date(agreement.start_date),
                "endDate": ocds_date(agreement.end_date),
            }
            award["description"] = _("Framework agreement %(reference)s: %(title)s") % {
                "reference": agreement.reference,
                "title": agreement.title,
            }
        if lot.status_reason and stage.name != "cancellation":
            award.setdefault("description", lot.status_reason)
        awards.append(award)
    return awards


def _period(start: datetime.datetime | None, end: datetime.datetime | None) -> dict:
    period = {}
    if start:
        period["startDate"] = ocds_datetime(start)
    if end:
        period["endDate"] = ocds_datetime(end)
    return period


# --- Second stages: call-offs -------------------------------------------------------------------


def _framework_link(agreement: FrameworkAgreement) -> list[dict]:
    return [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": f"{agreement.reference} {agreement.title}",
            "scheme": "ocid",
            "identifier": ocid(Kind.TENDER, agreement.tender_id),
            "relatedLots": [str(agreement.lot.number)],
        }
    ]


def _call_off_tender(identifier: str, title: str, agreement: FrameworkAgreement, *, competitive: bool) -> dict:
    return {
        "id": identifier,
        "title": title,
        "mainProcurementCategory": CATEGORIES[agreement.tender.contract_type],
        "procurementMethod": "selective" if competitive else "limited",
        "procurementMethodDetails": _("Mini-competition under a framework agreement")
        if competitive
        else _("Call-off under a framework agreement, without reopening competition"),
        "competitive": competitive,
        "techniques": {"hasFrameworkAgreement": True},
    }


def order_stages(order: Order) -> list[Stage]:
    stages = [Stage("award", order.sent_at, ("award", "contract"))]
    if order.status in (OrderStatus.DELIVERED, OrderStatus.CLOSED):
        stages.append(
            Stage("delivery", order.closed_at or order.delivered_at or order.status_changed_at, ("contractUpdate",))
        )
    elif order.status == OrderStatus.CANCELLED:
        stages.append(Stage("cancellation", order.status_changed_at, ("awardUpdate", "contractUpdate")))
    return stages


def _contract_status(stage: Stage) -> str:
    """The contract as it stood at ``stage``."""
    return {"cancellation": "cancelled", "delivery": "terminated"}.get(stage.name, "active")


def _item(context: Context, position: int, description: str, quantity, unit_code: str, cpv: str, price=None) -> dict:
    item = {"id": str(position), "description": description, "quantity": quantity, "unit": unit(unit_code, price)}
    if classification := context.cpv(cpv):
        item["classification"] = classification
    return item


def _order_items(order: Order, context: Context) -> list[dict]:
    return [
        _item(context, line.position, line.name, line.quantity, line.unit, line.cpv_code, line.unit_price)
        for line in order.lines.all()
    ]


def _order_contract(order: Order, stage: Stage, items: list[dict]) -> dict:
    contract = {
        "id": order.number,
        "title": _("Order %(number)s") % {"number": order.number},
        "status": _contract_status(stage),
        "value": value(order.total_excl_vat),
        "dateSigned": ocds_datetime(order.sent_at),
        "items": items,
    }
    if stage.name == "delivery" and order.delivered_at:
        contract["period"] = {"startDate": ocds_datetime(order.sent_at), "endDate": ocds_datetime(order.delivered_at)}
    return contract


def _direct_call_off(key: str, stage: Stage, agreement: FrameworkAgreement, *, call_off, award: dict, contract: dict):
    """A call-off without reopening competition: the member buys from the supplier (``call_off``:
    an order or an off-platform call-off) under the agreement."""
    parties = Parties()
    buyer = parties.add(call_off.member, "buyer", "procuringEntity")
    tender = _call_off_tender(award["id"], award["title"], agreement, competitive=False)
    award |= {
        "status": "cancelled" if stage.name == "cancellation" else "active",
        "suppliers": [parties.add(call_off.supplier, "supplier")],
    }
    data = {
        "buyer": buyer,
        "tender": tender | {"status": "complete", "procuringEntity": buyer},
        "awards": [award],
        "contracts": [{"awardID": award["id"]} | contract],
        "relatedProcesses": _framework_link(agreement),
        "parties": parties.as_list(),
    }
    return release(key, stage, data)


def order_release(order: Order, stage: Stage, context: Context) -> dict:
    agreement = order.agreement
    title = _("Order %(number)s under %(agreement)s") % {"number": order.number, "agreement": agreement.reference}
    award = {
        "id": order.number,
        "title": title,
        "date": ocds_datetime(order.sent_at),
        "value": value(order.total_excl_vat),
    }
    contract = _order_contract(order, stage, _order_items(order, context))
    return _direct_call_off(
        ocid(Kind.ORDER, order.pk), stage, agreement, call_off=order, award=award, contract=contract
    )


def competition_stages(competition: Competition) -> list[Stage]:
    stages = [Stage("tender", competition.published_at, ("tender",))]
    if competition.closed_at:
        stages.append(Stage("opening", competition.closed_at, ("tenderUpdate",)))
    if competition.awarded_at:
        stages.append(Stage("award", competition.awarded_at, ("award",)))
    order = competition.order
    if order is not None and order.sent_at:
        stages.append(Stage("contract", order.sent_at, ("contract",)))
        if order.status in (OrderStatus.DELIVERED, OrderStatus.CLOSED):
            stages.append(
                Stage("delivery", order.closed_at or order.delivered_at or order.status_changed_at, ("contractUpdate",))
            )
        elif order.status == OrderStatus.CANCELLED:
            stages.append(Stage("cancellation", order.status_changed_at, ("contractUpdate",)))
    if competition.status == "cancelled" and getattr(competition, "cancelled_at", None):
        stages.append(Stage("cancellation", competition.cancelled_at, ("tenderCancellation",)))
    return stages


def competition_release(competition: Competition, stage: Stage, context: Context) -> dict:
    key = ocid(Kind.COMPETITION, competition.pk)
    agreement = competition.agreement
    parties = Parties()
    buyer = parties.add(competition.member, "buyer", "procuringEntity")
    items = [
        _item(context, line.position, line.description, line.quantity, line.unit, line.cpv_code)
        for line in competition.lines.all()
    ]
    names = [stage_.name for stage_ in competition_stages(competition)]
    position = names.index(stage.name)
    reached = set(names[: position + 1])
    cancelled = stage.name == "cancellation" and competition.status == "cancelled"
    tender = _call_off_tender(f"competition-{competition.pk}", competition.title, agreement, competitive=True)
    tender |= {
        "description": competition.description,
        "status": "cancelled" if cancelled else ("complete" if "award" in reached else "active"),
        "procuringEntity": buyer,
        "items": items,
        "tenderPeriod": _period(competition.published_at, competition.deadline),
        "submissionMethod": ["electronicSubmission"],
    }
    if "opening" in reached:
        tenderers = [parties.add(quote.supplier, "tenderer") for quote in competition.kept_quotes]
        tender["numberOfTenderers"] = len(tenderers)
        if tenderers:
            tender["tenderers"] = tenderers
    data: dict = {"buyer": buyer, "tender": tender}
    order = competition.order
    if "award" in reached and order is not None:
        award = {
            "id": f"competition-{competition.pk}",
            "title": competition.title,
            "status": "cancelled"
            if order.status == OrderStatus.CANCELLED and stage.name == "cancellation"
            else "active",
            "date": ocds_datetime(competition.awarded_at),
            "value": value(order.total_excl_vat),
            "suppliers": [parties.add(order.supplier, "tenderer", "supplier")],
        }
        if competition.award_reason:
            award["description"] = competition.award_reason
        data["awards"] = [award]
        if "contract" in reached:
            data["contracts"] = [{"awardID": award["id"]} | _order_contract(order, stage, _order_items(order, context))]
    data["relatedProcesses"] = _framework_link(agreement)
    data["parties"] = parties.as_list()
    return release(key, stage, data)


def call_off_stages(call_off: OffPlatformCallOff) -> list[Stage]:
    stages = [Stage("award", call_off.recorded_at, ("award", "contract"))]
    if call_off.cancelled and getattr(call_off, "cancelled_at", None):
        stages.append(Stage("cancellation", call_off.cancelled_at, ("awardUpdate", "contractUpdate")))
    return stages


def call_off_release(call_off: OffPlatformCallOff, stage: Stage, context: Context) -> dict:
    agreement = call_off.agreement
    title = _("Order %(number)s under %(agreement)s") % {"number": call_off.reference, "agreement": agreement.reference}
    award = {
        "id": f"calloff-{call_off.pk}",
        "title": title,
        "date": ocds_date(call_off.ordered_on),
        "value": value(call_off.amount_excl_vat),
    }
    contract = {
        "id": call_off.reference,
        "title": title,
        "status": _contract_status(stage),
        "value": value(call_off.amount_excl_vat),
        "dateSigned": ocds_date(call_off.ordered_on),
    }
    key = ocid(Kind.CALL_OFF, call_off.pk)
    return _direct_call_off(key, stage, agreement, call_off=call_off, award=award, contract=contract)
