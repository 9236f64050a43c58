"""Needs surveys: prepare, open, declare, close — and carry the totals into the tender."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.mail import send_after_commit
from procurement.core.money import quantize
from procurement.core.permissions import Perm, Role
from procurement.core.transitions import StateMachine
from procurement.members.models import Membership, MembershipStatus, Organization
from tenders.models import (
    Lot,
    LotItem,
    NeedsSurvey,
    SupplierMode,
    SurveyDeclaration,
    SurveyItem,
    SurveyStatus,
    Tender,
    TenderStatus,
)
from tenders.services._common import check_acting_for, check_central_body, emails_of

SURVEY_STATES = StateMachine(
    transitions={
        SurveyStatus.DRAFT: {SurveyStatus.OPEN},
        SurveyStatus.OPEN: {SurveyStatus.CLOSED},
        SurveyStatus.CLOSED: set(),
    },
    action_prefix="survey",
    labels=dict(SurveyStatus.choices),
)
SURVEY_FIELDS = ("title", "description", "closes_at")
ITEM_FIELDS = ("lot_number", "lot_title", "description", "unit", "cpv_code", "estimated_unit_price")


def _locked(survey: NeedsSurvey) -> NeedsSurvey:
    return NeedsSurvey.objects.select_for_update().get(pk=survey.pk)


def _replace_items(survey: NeedsSurvey, items: Iterable[Mapping]) -> None:
    survey.items.all().delete()
    errors = {}
    for position, data in enumerate(items):
        item = SurveyItem(survey=survey, position=position, **{k: v for k, v in data.items() if k in ITEM_FIELDS})
        try:
            item.full_clean(exclude=["survey"])
        except ValidationError as error:
            errors[f"items[{position}]"] = error.messages
            continue
        item.save()
    if errors:
        raise ValidationError(errors)


def _items_snapshot(survey: NeedsSurvey) -> list[dict]:
    return [
        {
            "lot_number": item.lot_number,
            "description": item.description,
            "unit": item.unit,
            "cpv_code": item.cpv_code_id,
            "estimated_unit_price": str(item.estimated_unit_price),
        }
        for item in survey.items.all()
    ]


@transaction.atomic
def survey_create(*, actor, title: str, closes_at, description: str = "", items: Iterable[Mapping] = ()) -> NeedsSurvey:
    """A buyer prepares a survey (draft): the items or lots members will declare quantities for."""
    check_central_body(actor, Perm.SURVEY_MANAGE)
    survey = NeedsSurvey(title=title.strip(), description=description, closes_at=closes_at, created_by=actor)
    survey.full_clean()
    survey.save()
    _replace_items(survey, items)
    audit.record(
        actor=actor,
        action="survey.created",
        target=survey,
        after={**audit.snapshot(survey, ["status", *SURVEY_FIELDS]), "items": _items_snapshot(survey)},
    )
    return survey


@transaction.atomic
def survey_update(*, actor, survey: NeedsSurvey, items: Iterable[Mapping] | None = None, **fields) -> NeedsSurvey:
    """Change a draft survey; ``items`` (when given) replace the items. An open survey may only move its closing date."""
    check_central_body(actor, Perm.SURVEY_MANAGE)
    survey = _locked(survey)
    editable = SURVEY_FIELDS if survey.status == SurveyStatus.DRAFT else ("closes_at",)
    if survey.status == SurveyStatus.CLOSED or (items is not None and survey.status != SurveyStatus.DRAFT):
        raise DomainError(_("Only a draft survey can be changed."), code="survey_locked")
    refused = set(fields) - set(editable)
    if refused:
        raise DomainError(_("Only the closing date of an open survey can be changed."), code="survey_locked")
    if survey.status == SurveyStatus.OPEN and fields.get("closes_at") and fields["closes_at"] <= timezone.now():
        raise ValidationError({"closes_at": _("The closing date must be in the future.")})
    before = {**audit.snapshot(survey, SURVEY_FIELDS), "items": _items_snapshot(survey)}
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean()
    survey.save()
    if items is not None:
        _replace_items(survey, items)
    audit.record(
        actor=actor,
        action="survey.updated",
        target=survey,
        before=before,
        after={**audit.snapshot(survey, SURVEY_FIELDS), "items": _items_snapshot(survey)},
    )
    return survey


@transaction.atomic
def survey_open(*, actor, survey: NeedsSurvey) -> NeedsSurvey:
    """Open the survey to the members: their officers are told by e-mail."""
    check_central_body(actor, Perm.SURVEY_MANAGE)
    survey = _locked(survey)
    SURVEY_STATES.check(survey, SurveyStatus.OPEN)
    if not survey.items.exists():
        raise ValidationError({"items": _("Add at least one item before opening the survey.")})
    if survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing date must be in the future.")})
    SURVEY_STATES.apply(survey, to=SurveyStatus.OPEN, actor=actor, verb="opened", changes={"opened_at": timezone.now()})
    members = Membership.objects.filter(status=MembershipStatus.ACTIVE).values_list("member_id", flat=True)
    send_after_commit(
        template="tenders/email/survey_opened",
        context={"survey": survey},
        recipients=emails_of(members, [Role.MEMBER_OFFICER, Role.MEMBER_ADMIN]),
    )
    return survey


def survey_declare(
    *, actor, survey: NeedsSurvey, quantities: Mapping[int, Decimal | None], member: Organization | None = None
) -> list[SurveyDeclaration]:
    """A member declares (or corrects) its estimated quantities: ``{item id: quantity}``; 0 or None withdraws.

    Returns the member's declarations after the change.
    """
    member = member or actor.acting.organization
    check_acting_for(actor, Perm.SURVEY_DECLARE, member.pk)
    close_due_surveys(survey_ids=[survey.pk])
    with transaction.atomic():
        return _declare(actor=actor, survey=_locked(survey), member=member, quantities=quantities)


def _declare(*, actor, survey: NeedsSurvey, member: Organization, quantities) -> list[SurveyDeclaration]:
    if survey.status != SurveyStatus.OPEN:
        raise DomainError(_("This survey is not open for declarations."), code="survey_not_open")
    if not Membership.objects.filter(member=member, status=MembershipStatus.ACTIVE).exists():
        raise DomainError(
            _("Only active members declare their needs; %(member)s has no active membership.") % {"member": member},
            code="membership_inactive",
        )
    items = {item.pk: item for item in survey.items.all()}
    errors = {}
    for item_id, quantity in quantities.items():
        if item_id not in items:
            errors[str(item_id)] = [_("This item is not in the survey.")]
        elif quantity is not None and quantity < 0:
            errors[str(item_id)] = [_("A quantity cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    existing = {d.item_id: d for d in SurveyDeclaration.objects.filter(item__survey=survey, member=member)}
    before = {str(item_id): str(d.quantity) for item_id, d in existing.items()}
    now = timezone.now()
    for item_id, quantity in quantities.items():
        declaration = existing.get(item_id)
        if not quantity:
            if declaration is not None:
                declaration.delete()
            continue
        if declaration is None:
            SurveyDeclaration.objects.create(
                item_id=item_id, member=member, quantity=quantity, declared_by=actor, declared_at=now
            )
        elif declaration.quantity != quantity:
            declaration.quantity, declaration.declared_by, declaration.declared_at = quantity, actor, now
            declaration.save(update_fields=["quantity", "declared_by", "declared_at"])
    declarations = list(SurveyDeclaration.objects.filter(item__survey=survey, member=member).select_related("item"))
    after = {str(d.item_id): str(d.quantity) for d in declarations}
    if after != before:
        audit.record(
            actor=actor,
            action="survey.declared",
            target=survey,
            before={"member": member.pk, "quantities": before},
            after={"member": member.pk, "quantities": after},
            organizations=[member.pk],
        )
    return declarations


def _close(survey: NeedsSurvey, *, actor) -> NeedsSurvey:
    totals = dict(
        SurveyDeclaration.objects.filter(item__survey=survey)
        .values("item")
        .annotate(total=Sum("quantity"))
        .values_list("item", "total")
    )
    for item in survey.items.all():
        item.total_quantity = totals.get(item.pk, Decimal("0"))
        item.save(update_fields=["total_quantity"])
    participants = set(
        SurveyDeclaration.objects.filter(item__survey=survey).values_list("member_id", flat=True).distinct()
    )
    survey.participants.set(participants)
    SURVEY_STATES.apply(
        survey,
        to=SurveyStatus.CLOSED,
        actor=actor,
        verb="closed",
        changes={"closed_at": timezone.now()},
        data={"participants": sorted(participants), "totals": {str(k): str(v) for k, v in totals.items()}},
    )
    tender = Tender.objects.select_for_update().filter(survey=survey).first()
    if tender is not None and tender.status == TenderStatus.DRAFT:
        carry_into_tender(survey, tender, actor=actor)
    return survey


@transaction.atomic
def survey_close(*, actor, survey: NeedsSurvey) -> NeedsSurvey:
    """Close the survey: totals per item, the participating members recorded, the linked draft tender fed."""
    check_central_body(actor, Perm.SURVEY_MANAGE)
    survey = _locked(survey)
    SURVEY_STATES.check(survey, SurveyStatus.CLOSED)
    return _close(survey, actor=actor)


def close_due_surveys(now=None, survey_ids=None) -> int:
    """Close (as the system) the open surveys past their closing date; each in its own transaction."""
    now = now or timezone.now()
    due = NeedsSurvey.objects.filter(status=SurveyStatus.OPEN, closes_at__lte=now)
    if survey_ids is not None:
        due = due.filter(pk__in=survey_ids)
    closed = 0
    for survey_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            survey = NeedsSurvey.objects.select_for_update().get(pk=survey_id)
            if survey.status == SurveyStatus.OPEN and survey.closes_at <= now:
                _close(survey, actor=None)
                closed += 1
    return closed


def carry_into_tender(survey: NeedsSurvey, tender: Tender, *, actor) -> None:
    """The survey's totals become the draft tender's lots (estimated quantities and values);
    its participants become the tender's named beneficiaries.

    A lot's maximum value is raised to its new estimate when below it (the buyer then sets
    the real maximum); existing lots keep their other terms.
    """
    by_lot: dict[int, list[SurveyItem]] = defaultdict(list)
    for item in survey.items.select_related("cpv_code"):
        by_lot[item.lot_number].append(item)
    lots_before = {lot.number: (str(lot.estimated_value), str(lot.maximum_value)) for lot in tender.lots.all()}
    for number, items in sorted(by_lot.items()):
        estimated = quantize(sum((item.total_quantity or 0) * item.estimated_unit_price for item in items))
        estimated = max(estimated, Decimal("0.01"))
        lot = tender.lots.filter(number=number).first()
        if lot is None:
            title = next((item.lot_title for item in items if item.lot_title), "") or items[0].description
            lot = Lot(
                tender=tender,
                number=number,
                title=title,
                cpv_code=items[0].cpv_code,
                estimated_value=estimated,
                maximum_value=estimated,
                supplier_mode=SupplierMode.SINGLE,
            )
        else:
            lot.estimated_value = estimated
            lot.maximum_value = max(lot.maximum_value, estimated)
        lot.full_clean()
        lot.save()
        lot.items.filter(survey_item__survey=survey).delete()
        LotItem.objects.bulk_create(
            LotItem(
                lot=lot,
                description=item.description,
                unit=item.unit,
                cpv_code=item.cpv_code,
                estimated_quantity=item.total_quantity or 0,
                estimated_unit_price=item.estimated_unit_price,
                survey_item=item,
            )
            for item in items
        )
    tender.beneficiaries.set(survey.participants.all())
    from tenders.services.tenders import refresh_publication_level

    refresh_publication_level(tender)
    audit.record(
        actor=actor,
        action="tender.survey_carried",
        target=tender,
        before={"lots": lots_before},
        after={
            "lots": {lot.number: (str(lot.estimated_value), str(lot.maximum_value)) for lot in tender.lots.all()},
            "beneficiaries": sorted(survey.participants.values_list("pk", flat=True)),
        },
        data={"survey": survey.pk},
    )
