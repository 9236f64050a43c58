"""Sealed bids: submit, replace, withdraw until the deadline; open at the opening time.

Nothing a bid contains goes into the audit trail, the e-mails or the task queue before the
opening: only its receipt (time and hash).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit
from procurement.core.errors import DomainError
from procurement.core.files import MAX_DOCUMENT_SIZE
from procurement.core.mail import send_after_commit
from procurement.core.money import quantize
from procurement.core.permissions import Perm, Role
from procurement.core.transitions import StateMachine
from procurement.members.models import Organization, OrganizationKind
from tenders import documents, sealed_bids
from tenders.models import Bid, BidChannel, BidStatus, CriterionKind, DocumentKind, Lot, LotStatus, TenderStatus
from tenders.sealed_bids import BidContent, ScheduleLine
from tenders.services._common import check_acting_for, check_central_body, emails_of
from tenders.services.tenders import TENDER_STATES, advance_tender, locked, store_generated_document

BID_STATES = StateMachine(
    transitions={
        BidStatus.SUBMITTED: {BidStatus.WITHDRAWN, BidStatus.OPENED},
        BidStatus.WITHDRAWN: {BidStatus.SUBMITTED},
        BidStatus.OPENED: {BidStatus.EXCLUDED, BidStatus.AWARDED, BidStatus.NOT_AWARDED},
        BidStatus.EXCLUDED: {BidStatus.OPENED},
        BidStatus.AWARDED: set(),
        BidStatus.NOT_AWARDED: set(),
    },
    action_prefix="bid",
    labels=dict(BidStatus.choices),
)
RECEIPT_FIELDS = ("status", "receipt_digest", "submitted_at")
MAX_ATTACHMENTS = 20


def _content(
    *, tender, total_amount: Decimal | None, schedule: Iterable[Mapping] | None, answers: Mapping | None
) -> BidContent:
    """Check what the supplier sends and build the content to seal (nothing stored yet)."""
    errors: dict[str, object] = {}
    lines = []
    for index, line in enumerate(schedule or ()):
        try:
            quantity = Decimal(str(line["quantity"]))
            unit_price = Decimal(str(line["unit_price"]))
        except (KeyError, ArithmeticError, ValueError):
            errors[f"schedule[{index}]"] = [_("Each line needs a quantity and a unit price.")]
            continue
        if quantity <= 0 or unit_price < 0:
            errors[f"schedule[{index}]"] = [_("Quantities are positive and prices not negative.")]
            continue
        lines.append(
            ScheduleLine(
                description=str(line.get("description", ""))[:300],
                quantity=quantity,
                unit_price=quantize(unit_price, 4),
                unit=str(line.get("unit", ""))[:3],
            )
        )
    if errors:
        raise ValidationError(errors)
    schedule_total = quantize(sum((line.amount for line in lines), Decimal("0"))) if lines else None
    if total_amount is None:
        if schedule_total is None:
            raise ValidationError({"total_amount": _("Give the total price excl. VAT, or a price schedule.")})
        total_amount = schedule_total
    total_amount = Decimal(str(total_amount))
    if total_amount <= 0 or total_amount != quantize(total_amount):
        raise ValidationError({"total_amount": _("The total price is a positive amount in euros and cents.")})
    if schedule_total is not None and schedule_total != total_amount:
        raise ValidationError(
            {
                "schedule": _("The schedule's lines add up to %(sum)s, not to the total of %(total)s.")
                % {"sum": schedule_total, "total": total_amount}
            }
        )
    quality = {str(c.pk): c for c in tender.criteria.filter(kind=CriterionKind.QUALITY)}
    answers = {str(key): str(value).strip() for key, value in (answers or {}).items()}
    unknown = set(answers) - set(quality)
    if unknown:
        raise ValidationError({"answers": _("Answer the tender's quality criteria only.")})
    return BidContent(
        total_amount=total_amount,
        schedule=tuple(lines),
        answers=answers,
        salt=sealed_bids.new_salt(),
    )


def _check_attachments(attachments) -> list:
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(count)s attachments.") % {"count": MAX_ATTACHMENTS}})
    for upload in attachments:
        if upload.size is not None and upload.size > MAX_DOCUMENT_SIZE:
            raise ValidationError({"attachments": _("An attachment is too large.")})
    return attachments


def _seal_onto(bid: Bid, content: BidContent, attachments) -> BidContent:
    refs = tuple(sealed_bids.seal_attachment(bid, upload) for upload in attachments)
    if refs:
        content = BidContent(
            total_amount=content.total_amount,
            schedule=content.schedule,
            answers=content.answers,
            attachments=refs,
            salt=content.salt,
        )
    sealed_bids.seal(bid, content)
    return content


def _open_lot(lot: Lot) -> Lot:
    lot = Lot.objects.select_related("tender").get(pk=lot.pk)
    if lot.status != LotStatus.ACTIVE:
        raise DomainError(_("This lot no longer accepts bids."), code="lot_closed")
    return lot


def _check_deadline(tender) -> None:
    if not tender.accepts_bids():
        raise DomainError(_("The submission deadline has passed: bids can no longer change."), code="deadline_passed")


def _notify_receipt(bid: Bid, verb: str) -> None:
    """The receipt only: time and hash, never the amounts (e-mails travel through the task queue)."""
    send_after_commit(
        template="tenders/email/bid_receipt",
        context={"bid": bid, "verb": verb},
        recipients=emails_of([bid.supplier_id], [Role.SUPPLIER]),
    )


def bid_submit(
    *,
    actor,
    lot: Lot,
    total_amount: Decimal | None = None,
    schedule: Iterable[Mapping] | None = None,
    answers: Mapping | None = None,
    attachments=(),
) -> Bid:
    """A supplier submits its sealed bid for a lot (one per lot) before the deadline.

    A withdrawn bid may be submitted again; a submitted one is replaced with ``bid_replace``.
    """
    supplier = actor.acting.organization
    check_acting_for(actor, Perm.BID_SUBMIT, supplier.pk if supplier else None)
    advance_tender(lot.tender)
    attachments = _check_attachments(attachments)
    with transaction.atomic():
        tender = locked(lot.tender)
        lot = _open_lot(lot)
        _check_deadline(tender)
        content = _content(tender=tender, total_amount=total_amount, schedule=schedule, answers=answers)
        bid = Bid.objects.select_for_update().filter(lot=lot, supplier=supplier).first()
        now = timezone.now()
        if bid is not None and bid.status == BidStatus.SUBMITTED:
            raise DomainError(_("You already have a bid for this lot: replace it or withdraw it."), code="bid_exists")
        if bid is None:
            bid = Bid(
                tender=tender,
                lot=lot,
                supplier=supplier,
                channel=BidChannel.PLATFORM,
                submitted_by=actor,
                submitted_at=now,
                sealed=b"",
            )
            try:
                with transaction.atomic():
                    bid.save()
            except IntegrityError as error:
                raise DomainError(_("You already have a bid for this lot."), code="bid_exists") from error
            _seal_onto(bid, content, attachments)
            bid.save(update_fields=["sealed", "sealing_key_id", "receipt_digest"])
            audit.record(
                actor=actor,
                action="bid.submitted",
                target=bid,
                after=audit.snapshot(bid, RECEIPT_FIELDS),
                organizations=[supplier.pk],
            )
        else:
            previous = sealed_bids.open_content(bid, organization_id=supplier.pk).attachments
            bid.submitted_at, bid.submitted_by = now, actor
            _seal_onto(bid, content, attachments)
            BID_STATES.apply(
                bid,
                to=BidStatus.SUBMITTED,
                actor=actor,
                verb="resubmitted",
                changes={
                    "sealed": bid.sealed,
                    "sealing_key_id": bid.sealing_key_id,
                    "receipt_digest": bid.receipt_digest,
                    "submitted_at": now,
                    "submitted_by": actor,
                    "status_changed_at": now,
                    "status_reason": "",
                },
                organizations=[supplier.pk],
            )
            transaction.on_commit(lambda: sealed_bids.delete_attachments(previous))
    _notify_receipt(bid, "submitted")
    return bid


def bid_replace(
    *,
    actor,
    bid: Bid,
    total_amount: Decimal | None = None,
    schedule: Iterable[Mapping] | None = None,
    answers: Mapping | None = None,
    attachments=None,
) -> Bid:
    """Replace a submitted bid before the deadline: a new sealed content and a new receipt.

    ``attachments=None`` keeps the previous attachments; a list replaces them.
    """
    check_acting_for(actor, Perm.BID_SUBMIT, bid.supplier_id)
    advance_tender(bid.tender)
    attachments = None if attachments is None else _check_attachments(attachments)
    with transaction.atomic():
        tender = locked(bid.tender)
        bid = Bid.objects.select_for_update().select_related("lot", "supplier", "tender").get(pk=bid.pk)
        _check_deadline(tender)
        if bid.status != BidStatus.SUBMITTED:
            raise DomainError(_("Only a submitted bid can be replaced."), code="bid_not_submitted")
        previous = sealed_bids.open_content(bid, organization_id=bid.supplier_id)
        content = _content(tender=tender, total_amount=total_amount, schedule=schedule, answers=answers)
        before = audit.snapshot(bid, RECEIPT_FIELDS)
        bid.submitted_at, bid.submitted_by = timezone.now(), actor
        if attachments is None:
            content = BidContent(
                total_amount=content.total_amount,
                schedule=content.schedule,
                answers=content.answers,
                attachments=previous.attachments,
                salt=content.salt,
            )
            sealed_bids.seal(bid, content)
        else:
            _seal_onto(bid, content, attachments)
            transaction.on_commit(lambda: sealed_bids.delete_attachments(previous.attachments))
        bid.save(update_fields=["sealed", "sealing_key_id", "receipt_digest", "submitted_at", "submitted_by"])
        audit.record(
            actor=actor,
            action="bid.replaced",
            target=bid,
            before=before,
            after=audit.snapshot(bid, RECEIPT_FIELDS),
            organizations=[bid.supplier_id],
        )
    _notify_receipt(bid, "replaced")
    return bid


def bid_withdraw(*, actor, bid: Bid) -> Bid:
    """Withdraw a submitted bid before the deadline (it may be submitted again until then)."""
    check_acting_for(actor, Perm.BID_SUBMIT, bid.supplier_id)
    advance_tender(bid.tender)
    with transaction.atomic():
        tender = locked(bid.tender)
        bid = Bid.objects.select_for_update().select_related("lot", "supplier", "tender").get(pk=bid.pk)
        _check_deadline(tender)
        BID_STATES.apply(
            bid,
            to=BidStatus.WITHDRAWN,
            actor=actor,
            verb="withdrawn",
            changes={"status_changed_at": timezone.now()},
            organizations=[bid.supplier_id],
        )
    _notify_receipt(bid, "withdrawn")
    return bid


def tender_open_bids(*, actor, tender):
    """At or after the opening time, the buyer opens the bids: an opening record PDF is kept."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    advance_tender(tender)
    with transaction.atomic():
        tender = locked(tender)
        TENDER_STATES.check(tender, TenderStatus.OPENED)
        now = timezone.now()
        if tender.opening_at and now < tender.opening_at:
            raise DomainError(
                _("The bids can be opened from %(time)s.") % {"time": timezone.localtime(tender.opening_at)},
                code="too_early",
            )
        TENDER_STATES.apply(
            tender,
            to=TenderStatus.OPENED,
            actor=actor,
            verb="opened",
            changes={"opened_at": now, "opened_by": actor, "status_changed_at": now},
        )
        bids = list(
            Bid.objects.select_for_update()
            .filter(tender=tender, status=BidStatus.SUBMITTED)
            .select_related("lot", "supplier", "tender")
        )
        for bid in bids:
            BID_STATES.apply(
                bid,
                to=BidStatus.OPENED,
                actor=actor,
                verb="opened",
                changes={"status_changed_at": now},
                organizations=[bid.supplier_id],
            )
        record = documents.opening_record(tender)
        document = store_generated_document(
            tender,
            kind=DocumentKind.OPENING_RECORD,
            title=_("Opening record"),
            filename=f"pv-ouverture-{tender.reference}.pdf",
            content=record,
            actor=actor,
        )
        audit.record(
            actor=actor,
            action="tender.opening_record",
            target=tender,
            after={"document": document.pk, "sha256": document.sha256, "bids": len(bids)},
        )
    return tender


def bid_record(
    *,
    actor,
    lot: Lot,
    supplier: Organization,
    total_amount: Decimal | None = None,
    schedule: Iterable[Mapping] | None = None,
    answers: Mapping | None = None,
    attachments=(),
    submitted_at=None,
) -> Bid:
    """The buyer records a bid opened on the federal e-Tendering platform (after the opening here)."""
    check_central_body(actor, Perm.TENDER_MANAGE)
    attachments = _check_attachments(attachments)
    if supplier.kind != OrganizationKind.SUPPLIER:
        raise ValidationError({"supplier": _("Bids come from suppliers.")})
    with transaction.atomic():
        tender = locked(lot.tender)
        if tender.status != TenderStatus.OPENED:
            raise DomainError(
                _("Bids received through e-Tendering are recorded after the opening, before the evaluation."),
                code="not_opened",
            )
        lot = Lot.objects.select_related("tender").get(pk=lot.pk)
        content = _content(tender=tender, total_amount=total_amount, schedule=schedule, answers=answers)
        now = timezone.now()
        if submitted_at is not None and (
            submitted_at > now or (tender.submission_deadline and submitted_at > tender.submission_deadline)
        ):
            raise ValidationError(
                {"submitted_at": _("A bid received after the submission deadline cannot be recorded.")}
            )
        bid = Bid(
            tender=tender,
            lot=lot,
            supplier=supplier,
            channel=BidChannel.E_TENDERING,
            status=BidStatus.OPENED,
            submitted_by=actor,
            submitted_at=submitted_at or tender.submission_deadline or now,
            sealed=b"",
        )
        try:
            with transaction.atomic():
                bid.save()
        except IntegrityError as error:
            raise DomainError(_("This supplier already has a bid for this lot."), code="bid_exists") from error
        content = _seal_onto(bid, content, attachments)
        bid.save(update_fields=["sealed", "sealing_key_id", "receipt_digest"])
        audit.record(
            actor=actor,
            action="bid.recorded",
            target=bid,
            after={**audit.snapshot(bid, RECEIPT_FIELDS), "total_amount": str(content.total_amount)},
            organizations=[supplier.pk],
        )
    return bid
