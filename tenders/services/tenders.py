"""Tenders: draft, publish, documents, questions, cancel — and the deadlines that pass by themselves."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.files import MAX_DOCUMENT_SIZE, sha256_of
from procurement.core.mail import send_after_commit
from procurement.core.permissions import Perm, Role
from procurement.core.transitions import StateMachine
from procurement.members.models import MEMBER_KINDS, Organization
from tenders import rules
from tenders.models import (
    AwardCriterion,
    BeneficiaryScope,
    CriterionKind,
    DocumentKind,
    Lot,
    LotStatus,
    NeedsSurvey,
    PublicationLevel,
    Question,
    SurveyStatus,
    Tender,
    TenderDocument,
    TenderStatus,
)
from tenders.services._common import buyer_emails, check_acting_for, check_central_body, emails_of

TENDER_STATES = StateMachine(
    transitions={
        TenderStatus.DRAFT: {TenderStatus.PUBLISHED, TenderStatus.CANCELLED},
        TenderStatus.PUBLISHED: {TenderStatus.BIDS_CLOSED, TenderStatus.CANCELLED},
        TenderStatus.BIDS_CLOSED: {TenderStatus.OPENED, TenderStatus.CANCELLED},
        TenderStatus.OPENED: {TenderStatus.EVALUATED, TenderStatus.UNSUCCESSFUL, TenderStatus.CANCELLED},
        TenderStatus.EVALUATED: {TenderStatus.AWARDED, TenderStatus.UNSUCCESSFUL, TenderStatus.CANCELLED},
        TenderStatus.AWARDED: {TenderStatus.CONCLUDED, TenderStatus.CANCELLED},
        TenderStatus.CONCLUDED: set(),
        TenderStatus.CANCELLED: set(),
        TenderStatus.UNSUCCESSFUL: set(),
    },
    action_prefix="tender",
    labels=dict(TenderStatus.choices),
)

LOT_STATES = StateMachine(
    transitions={
        LotStatus.ACTIVE: {LotStatus.AWARDED, LotStatus.UNSUCCESSFUL, LotStatus.CANCELLED},
        LotStatus.UNSUCCESSFUL: {LotStatus.ACTIVE, LotStatus.CANCELLED},
        LotStatus.AWARDED: {LotStatus.CANCELLED},
        LotStatus.CANCELLED: set(),
    },
    action_prefix="lot",
    labels=dict(LotStatus.choices),
)

TENDER_FIELDS = (
    "reference",
    "title",
    "description",
    "procedure",
    "contract_type",
    "cpv_code",
    "legal_ground",
    "legal_ground_justification",
    "beneficiary_scope",
    "standstill_required",
    "publication_at",
    "questions_deadline",
    "submission_deadline",
    "opening_at",
)
LOT_FIELDS = (
    "number",
    "title",
    "description",
    "cpv_code",
    "estimated_value",
    "maximum_value",
    "duration_months",
    "supplier_mode",
    "max_suppliers",
)
CRITERION_FIELDS = ("name", "description", "kind", "weight")
DATE_ORDER = ("publication_at", "questions_deadline", "submission_deadline", "opening_at")


def locked(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


def tender_snapshot(tender: Tender) -> dict:
    values = audit.snapshot(tender, [*TENDER_FIELDS, "status", "publication_level"])
    values["additional_cpv_codes"] = sorted(tender.additional_cpv_codes.values_list("pk", flat=True))
    values["beneficiaries"] = sorted(tender.beneficiaries.values_list("pk", flat=True))
    values["lots"] = [audit.snapshot(lot, LOT_FIELDS) for lot in tender.lots.all()]
    values["criteria"] = [audit.snapshot(c, CRITERION_FIELDS) for c in tender.criteria.all()]
    return values


def refresh_publication_level(tender: Tender) -> str:
    """Belgian or EU: from the thresholds data, the contract type and all lots' maxima over the term."""
    level = rules.publication_level(
        tender.contract_type, tender.maximum_value, social_services=tender.cpv_code.social_services
    )
    changes = {"publication_level": level}
    if level == PublicationLevel.EUROPEAN:
        changes["standstill_required"] = True
    Tender.objects.filter(pk=tender.pk).update(**changes)
    for name, value in changes.items():
        setattr(tender, name, value)
    return level


def check_procedure(tender: Tender) -> None:
    refusal = rules.procedure_refusal(
        procedure=tender.procedure,
        contract_type=tender.contract_type,
        value=tender.maximum_value,
        legal_ground=tender.legal_ground,
        justification=tender.legal_ground_justification,
        social_services=tender.cpv_code.social_services,
    )
    if refusal:
        raise ValidationError({"procedure": refusal})


def _check_dates(tender: Tender) -> None:
    dates = [(name, getattr(tender, name)) for name in DATE_ORDER if getattr(tender, name) is not None]
    for (earlier_name, earlier), (later_name, later) in itertools.pairwise(dates):
        if later < earlier:
            label = Tender._meta.get_field(later_name).verbose_name
            other = Tender._meta.get_field(earlier_name).verbose_name
            raise ValidationError(
                {later_name: _("The %(date)s cannot be before the %(other)s.") % {"date": label, "other": other}}
            )


def _set_lots(tender: Tender, lots: Iterable[Mapping]) -> None:
    lots = list(lots)
    numbers = [data.get("number") for data in lots]
    if len(set(numbers)) != len(numbers):
        raise ValidationError({"lots": _("Two lots cannot have the same number.")})
    existing = {lot.number: lot for lot in tender.lots.all()}
    errors = {}
    kept = set()
    for index, data in enumerate(lots):
        lot = existing.get(data.get("number")) or Lot(tender=tender)
        for name in LOT_FIELDS:
            if name in data:
                setattr(lot, name, data[name])
        if "max_suppliers" not in data and lot.supplier_mode == "single":
            lot.max_suppliers = 1
        try:
            lot.full_clean(exclude=["tender"])
            _check_lot(lot)
        except ValidationError as error:
            errors[f"lots[{index}]"] = error
            continue
        lot.save()
        kept.add(lot.number)
    if errors:
        raise ValidationError(errors)
    tender.lots.exclude(number__in=kept).delete()


def _check_lot(lot: Lot) -> None:
    errors = {}
    if lot.maximum_value is not None and lot.estimated_value is not None and lot.maximum_value < lot.estimated_value:
        errors["maximum_value"] = _("The maximum value cannot be below the estimated value.")
    if lot.supplier_mode == "single" and lot.max_suppliers != 1:
        errors["max_suppliers"] = _("A single-supplier lot has one supplier.")
    if lot.supplier_mode != "single" and (lot.max_suppliers or 0) < 2:
        errors["max_suppliers"] = _("A multi-supplier lot needs a maximum of at least two suppliers.")
    if errors:
        raise ValidationError(errors)


def _set_criteria(tender: Tender, criteria: Iterable[Mapping]) -> None:
    tender.criteria.all().delete()
    errors = {}
    for position, data in enumerate(criteria):
        criterion = AwardCriterion(
            tender=tender, position=position, **{k: v for k, v in data.items() if k in CRITERION_FIELDS}
        )
        try:
            criterion.full_clean(exclude=["tender"])
        except ValidationError as error:
            errors[f"criteria[{position}]"] = error.messages
            continue
        criterion.save()
    if errors:
        raise ValidationError(errors)


def _check_beneficiaries(beneficiaries: Iterable[Organization]) -> None:
    wrong = [o for o in beneficiaries if o.kind not in MEMBER_KINDS]
    if wrong:
        raise ValidationError(
            {"beneficiaries": _("%(organization)s is not a member organisation.") % {"organization": wrong[0]}}
        )


def _save(tender: Tender, *, lots, criteria, additional_cpv_codes, beneficiaries) -> None:
    _check_dates(tender)
    tender.full_clean(exclude=["survey"])
    try:
        with transaction.atomic():
            tender.save()
    except IntegrityError as error:
        raise ValidationError({"reference": _("A tender with this reference already exists.")}) from error
    if lots is not None:
        _set_lots(tender, lots)
    if criteria is not None:
        _set_criteria(tender, criteria)
    if additional_cpv_codes is not None:
        tender.additional_cpv_codes.set(additional_cpv_codes)
    if beneficiaries is not None:
        _check_beneficiaries(beneficiaries)
        tender.beneficiaries.set(beneficiaries)
    refresh_publication_level(tender)
    if tender.lots.exists():
        check_procedure(tender)


@transaction.atomic
def tender_create(
    *,
    actor,
    lots: Iterable[Mapping] | None = None,
    criteria: Iterable[Mapping] | None = None,
    additional_cpv_codes=None,
    beneficiaries=None,
    survey: NeedsSurvey | None = None,
    **fields,
) -> Tender:
    """A buyer drafts a tender. From a closed survey, the survey's totals become its lots."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = Tender(created_by=actor, **{k: v for k, v in fields.items() if k in TENDER_FIELDS})
    if survey is not None:
        if Tender.objects.filter(survey=survey).exists():
            raise ValidationError({"survey": _("This survey already feeds another tender.")})
        tender.survey = survey
        if survey.status == SurveyStatus.CLOSED and beneficiaries is None:
            beneficiaries = list(survey.participants.all())
    _save(tender, lots=lots, criteria=criteria, additional_cpv_codes=additional_cpv_codes, beneficiaries=beneficiaries)
    if survey is not None and survey.status == SurveyStatus.CLOSED and lots is None:
        from tenders.services.surveys import carry_into_tender

        carry_into_tender(survey, tender, actor=actor)
        check_procedure(tender)
    audit.record(actor=actor, action="tender.created", target=tender, after=tender_snapshot(tender))
    return tender


@transaction.atomic
def tender_update(
    *,
    actor,
    tender: Tender,
    lots: Iterable[Mapping] | None = None,
    criteria: Iterable[Mapping] | None = None,
    additional_cpv_codes=None,
    beneficiaries=None,
    **fields,
) -> Tender:
    """Change a draft tender. Lots are matched by number; ``criteria`` replace the criteria."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    if tender.status != TenderStatus.DRAFT:
        raise DomainError(
            _("A published tender cannot be changed; publish an addendum or cancel it."), code="tender_locked"
        )
    before = tender_snapshot(tender)
    for name, value in fields.items():
        if name in TENDER_FIELDS:
            setattr(tender, name, value)
    _save(tender, lots=lots, criteria=criteria, additional_cpv_codes=additional_cpv_codes, beneficiaries=beneficiaries)
    audit.record(actor=actor, action="tender.updated", target=tender, before=before, after=tender_snapshot(tender))
    return tender


def publication_problems(tender: Tender, now=None) -> dict[str, str]:
    """What keeps a draft from being published, by field (empty when it can be)."""
    now = now or timezone.now()
    problems: dict[str, str] = {}
    lots = list(tender.lots.all())
    if not lots:
        problems["lots"] = _("Add at least one lot.")
    criteria = list(tender.criteria.all())
    if not criteria:
        problems["criteria"] = _("Add the award criteria.")
    else:
        total = sum((c.weight for c in criteria), Decimal("0"))
        if total != 100:
            problems["criteria"] = _("The criteria's weights add up to %(total)s; they must add up to 100.") % {
                "total": f"{total.normalize():f}"
            }
        elif sum(1 for c in criteria if c.kind == CriterionKind.PRICE) != 1:
            problems["criteria"] = _("The criteria must include exactly one price criterion.")
    if not tender.documents.filter(kind=DocumentKind.SPECIFICATIONS).exists():
        problems["documents"] = _("Attach the specifications.")
    for name in ("questions_deadline", "submission_deadline", "opening_at"):
        if getattr(tender, name) is None:
            problems[name] = _("Set this date.")
    if tender.submission_deadline is not None and tender.submission_deadline <= now:
        problems["submission_deadline"] = _("The submission deadline must be in the future.")
    if tender.opening_at is not None and tender.submission_deadline and tender.opening_at < tender.submission_deadline:
        problems["opening_at"] = _("The opening cannot come before the submission deadline.")
    if tender.beneficiary_scope == BeneficiaryScope.NAMED and not tender.beneficiaries.exists():
        problems["beneficiaries"] = _("Name the members who may use the agreements, or open them to all members.")
    if lots:
        try:
            check_procedure(tender)
        except ValidationError as error:
            problems.update({key: " ".join(messages) for key, messages in error.message_dict.items()})
    return problems


@transaction.atomic
def tender_publish(*, actor, tender: Tender) -> Tender:
    """Publish: suppliers see it and may ask questions and bid; the public sees its title and dates."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    TENDER_STATES.check(tender, TenderStatus.PUBLISHED)
    refresh_publication_level(tender)
    problems = publication_problems(tender)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    publication_at = tender.publication_at if tender.publication_at and tender.publication_at <= now else now
    TENDER_STATES.apply(
        tender,
        to=TenderStatus.PUBLISHED,
        actor=actor,
        verb="published",
        changes={"published_at": now, "publication_at": publication_at, "status_changed_at": now},
        data={"publication_level": tender.publication_level, "maximum_value": str(tender.maximum_value)},
    )
    return tender


@transaction.atomic
def tender_cancel(*, actor, tender: Tender, reason: str) -> Tender:
    """Cancel the procedure, with a reason, at any point before conclusion. Bidders are told."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    TENDER_STATES.check(tender, TenderStatus.CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    for lot in tender.lots.exclude(status=LotStatus.CANCELLED):
        LOT_STATES.apply(lot, to=LotStatus.CANCELLED, actor=actor, verb="cancelled", changes={"status_reason": reason})
    TENDER_STATES.apply(
        tender,
        to=TenderStatus.CANCELLED,
        actor=actor,
        verb="cancelled",
        changes={"status_reason": reason, "status_changed_at": timezone.now()},
    )
    bidders = tender.bids.values_list("supplier_id", flat=True).distinct()
    send_after_commit(
        template="tenders/email/tender_cancelled",
        context={"tender": tender},
        recipients=emails_of(bidders, [Role.SUPPLIER]),
    )
    return tender


@transaction.atomic
def tender_add_document(
    *, actor, tender: Tender, file: File, title: str = "", kind: str = DocumentKind.SPECIFICATIONS
) -> TenderDocument:
    """Attach the specifications or an annex to a draft; after publication, only addenda (audited)."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    tender = locked(tender)
    if kind not in (DocumentKind.SPECIFICATIONS, DocumentKind.ANNEX, DocumentKind.ADDENDUM):
        raise ValidationError({"kind": _("This kind of document is produced by the platform.")})
    if tender.status not in (TenderStatus.DRAFT, TenderStatus.PUBLISHED):
        raise DomainError(_("Documents can no longer be added to this tender."), code="tender_locked")
    if tender.status == TenderStatus.PUBLISHED and kind != DocumentKind.ADDENDUM:
        raise ValidationError({"kind": _("After publication, documents are added as addenda.")})
    if file.size is not None and file.size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            {"file": _("The document is too large (at most %(max)s MB).") % {"max": MAX_DOCUMENT_SIZE // 1024 // 1024}}
        )
    name = (getattr(file, "name", None) or "document").rsplit("/", 1)[-1]
    document = TenderDocument(
        tender=tender,
        kind=kind,
        title=(title or name).strip()[:200],
        sha256=sha256_of(file),
        size=file.size or 0,
        uploaded_by=actor,
    )
    document.file.save(name, file, save=False)
    document.save()
    audit.record(
        actor=actor,
        action="tender.document_added",
        target=tender,
        after={"document": document.pk, "kind": kind, "title": document.title, "sha256": document.sha256},
    )
    return document


def store_generated_document(tender: Tender, *, kind: str, title: str, filename: str, content: bytes, actor):
    """Keep a document the platform produced (opening record, award report) with its checksum."""
    from django.core.files.base import ContentFile

    upload = ContentFile(content, name=filename)
    document = TenderDocument(
        tender=tender, kind=kind, title=title, sha256=sha256_of(upload), size=len(content), uploaded_by=actor
    )
    document.file.save(filename, upload, save=False)
    document.save()
    return document


# --- Questions -----------------------------------------------------------------------------


@transaction.atomic
def question_ask(*, actor, tender: Tender, question: str, lot: Lot | None = None) -> Question:
    """A supplier asks a question until the questions deadline. IMIO's buyers are told."""
    supplier = actor.acting.organization
    check_acting_for(actor, Perm.QUESTION_ASK, supplier.pk if supplier else None)
    advance_tender(tender)
    tender = locked(tender)
    if not tender.accepts_questions():
        raise DomainError(_("The questions deadline has passed."), code="questions_closed")
    if lot is not None and lot.tender_id != tender.pk:
        raise ValidationError({"lot": _("This lot belongs to another tender.")})
    text = (question or "").strip()
    if not text:
        raise ValidationError({"question": _("Write the question.")})
    asked = Question.objects.create(tender=tender, lot=lot, supplier=supplier, asked_by=actor, question=text)
    audit.record(
        actor=actor,
        action="question.asked",
        target=asked,
        after={"tender": tender.pk, "lot": lot.pk if lot else None},
        organizations=[supplier.pk],
    )
    send_after_commit(template="tenders/email/question_asked", context={"tender": tender}, recipients=buyer_emails())
    return asked


@transaction.atomic
def question_answer(*, actor, question: Question, answer: str) -> Question:
    """The buyer answers; every candidate reads the answer (without the asker's identity)."""
    check_central_body(actor, Perm.QUESTION_ANSWER)
    question = Question.objects.select_for_update().select_related("tender").get(pk=question.pk)
    if question.tender.status not in (TenderStatus.PUBLISHED, TenderStatus.BIDS_CLOSED):
        raise DomainError(_("Questions can no longer be answered for this tender."), code="tender_locked")
    text = (answer or "").strip()
    if not text:
        raise ValidationError({"answer": _("Write the answer.")})
    before = audit.snapshot(question, ["answer", "answered_at"])
    question.answer, question.answered_by, question.answered_at = text, actor, timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.record(
        actor=actor,
        action="question.answered",
        target=question,
        before=before,
        after=audit.snapshot(question, ["answer", "answered_at"]),
    )
    candidates = set(question.tender.questions.values_list("supplier_id", flat=True)) | set(
        question.tender.bids.values_list("supplier_id", flat=True)
    )
    send_after_commit(
        template="tenders/email/question_answered",
        context={"tender": question.tender},
        recipients=emails_of(candidates, [Role.SUPPLIER]),
    )
    return question


# --- Time ----------------------------------------------------------------------------------


def advance_tender(tender: Tender, now=None) -> Tender:
    """Apply what time has done to ``tender`` (the submission deadline passed), as the system.

    Runs in its own transaction, before the action that reads or changes the tender.
    """
    now = now or timezone.now()
    due = Tender.objects.filter(pk=tender.pk, status=TenderStatus.PUBLISHED, submission_deadline__lte=now)
    if due.exists():
        with transaction.atomic():
            current = locked(tender)
            if current.status == TenderStatus.PUBLISHED and current.submission_deadline <= now:
                TENDER_STATES.apply(
                    current,
                    to=TenderStatus.BIDS_CLOSED,
                    actor=None,
                    verb="bids_closed",
                    changes={"status_changed_at": now},
                )
            tender.status = current.status
    return tender


def close_due_tenders(now=None) -> int:
    now = now or timezone.now()
    due = Tender.objects.filter(status=TenderStatus.PUBLISHED, submission_deadline__lte=now)
    count = 0
    for tender in due:
        advance_tender(tender, now)
        count += 1
    return count
