"""Mini-competitions: reopening competition among a framework agreement's suppliers.

The member's officer (or an IMIO buyer for a member) describes the need, line by line, and
publishes it with a deadline; the agreement's suppliers quote a unit price per line until
then. A quote exists only sealed (AES-GCM under the bid key ring, bound to the competition
and quote ids) and nobody but its supplier reads it before the deadline — not its amount,
not the number of quotes. At the deadline the quotes are opened and priced by the
agreement's award criteria (price points by the tender's formula, quality points given by
the member); the best is awarded with its reason and becomes a draft order in the normal
flow: approval, ceiling, supplier.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import audit, sealing
from procurement.core.errors import DomainError
from procurement.core.mail import send_after_commit
from procurement.core.money import line_amount, quantize, validate_vat_rate, vat_breakdown
from procurement.core.permissions import Perm
from procurement.core.units import Unit
from procurement.members.models import MEMBER_KINDS
from procurement.orders.models import (
    Competition,
    CompetitionLine,
    CompetitionStatus,
    Order,
    OrderLine,
    Quote,
    QuoteStatus,
)
from procurement.orders.services._common import (
    check_may_use,
    check_membership_active,
    check_subscribed,
    clean_budget_article,
    clean_quantity_of,
    supplier_people_of,
)
from procurement.orders.services.orders import _next_number
from tenders.models import AgreementStatus, AgreementSupplier, CriterionKind, SupplierMode
from tenders.rules import price_points

MIN_OPEN = datetime.timedelta(hours=24)  # suppliers need time to answer
C = CompetitionStatus


class QuoteSealed(Exception):
    """The quote is sealed for this reader (before the deadline)."""


# --- Who ----------------------------------------------------------------------------------------


def _check_organiser(actor, competition_or_member) -> None:
    """The member's officer, or an IMIO buyer acting for the central purchasing body."""
    member_id = getattr(competition_or_member, "member_id", None) or competition_or_member.pk
    acting = actor.acting
    if acting.platform_wide and acting.has(Perm.ORDER_MANAGE):
        return
    if acting.organization_id == member_id and acting.has(Perm.ORDER_PLACE):
        return
    raise PermissionDenied(_("Only the member's officers or IMIO's buyers can do this."))


def _check_supplier(actor, competition: Competition):
    acting = actor.acting
    if not acting.has(Perm.ORDER_FULFIL) or acting.organization is None:
        raise PermissionDenied(_("Only the agreement's suppliers can quote."))
    if not AgreementSupplier.objects.filter(
        agreement_id=competition.agreement_id, supplier=acting.organization, active=True
    ).exists():
        raise PermissionDenied(_("Only the agreement's suppliers can quote."))
    return acting.organization


def _locked(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


# --- The need -----------------------------------------------------------------------------------


def _clean_lines(lines: list[dict]) -> list[CompetitionLine]:
    if not lines:
        raise ValidationError({"lines": _("Describe at least one line of the need.")})
    cleaned, errors = [], []
    for position, line in enumerate(lines, start=1):
        description = " ".join(str(line.get("description") or "").split())
        unit = line.get("unit") or Unit.ONE
        if not description:
            errors.append(_("Line %(position)s: describe what is needed.") % {"position": position})
            continue
        if unit not in Unit.values:
            errors.append(_("Line %(position)s: unknown unit.") % {"position": position})
            continue
        try:
            quantity = clean_quantity_of(line.get("quantity"), unit=unit)
        except ValidationError as error:
            errors.append(
                _("Line %(position)s: %(error)s") % {"position": position, "error": error.message_dict["quantity"][0]}
            )
            continue
        cleaned.append(
            CompetitionLine(
                position=position,
                description=description[:300],
                unit=unit,
                quantity=quantity,
                cpv_code=str(line.get("cpv_code") or "")[:10],
            )
        )
    if errors:
        raise ValidationError({"lines": errors})
    return cleaned


@transaction.atomic
def competition_create(
    *,
    actor,
    agreement,
    member,
    title: str,
    description: str,
    deadline: datetime.datetime,
    lines: list[dict],
    budget_article: str,
    delivery_address: str,
    contact_name: str,
    contact_email: str = "",
    contact_phone: str = "",
) -> Competition:
    """A draft: the need, line by line, for a member subscribed to a mini-competition agreement."""
    _check_organiser(actor, member)
    if member.kind not in MEMBER_KINDS:
        raise ValidationError({"member": _("Choose a member.")})
    if agreement.supplier_mode != SupplierMode.MINI_COMPETITION:
        raise DomainError(
            _("%(agreement)s does not reopen competition: order from its catalogue.")
            % {"agreement": agreement.reference},
            code="not_mini_competition",
        )
    check_membership_active(member)
    check_may_use(member, agreement)
    check_subscribed(member, agreement)
    errors = {}
    if not " ".join((title or "").split()):
        errors["title"] = _("Give the competition a title.")
    if not (description or "").strip():
        errors["description"] = _("Describe the need: the suppliers quote on it.")
    if not (delivery_address or "").strip():
        errors["delivery_address"] = _("Give the delivery address.")
    if not " ".join((contact_name or "").split()):
        errors["contact_name"] = _("Give the person the suppliers can contact.")
    if errors:
        raise ValidationError(errors)
    if deadline < timezone.now() + MIN_OPEN:
        raise ValidationError({"deadline": _("Give the suppliers at least 24 hours to quote.")})
    article = clean_budget_article(budget_article)
    competition_lines = _clean_lines(lines)
    competition = Competition.objects.create(
        agreement=agreement,
        member=member,
        title=" ".join(title.split())[:200],
        description=description.strip(),
        deadline=deadline,
        budget_article=article,
        delivery_address=delivery_address.strip(),
        contact_name=" ".join(contact_name.split()),
        contact_email=(contact_email or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        created_by=actor,
    )
    for line in competition_lines:
        line.competition = competition
    CompetitionLine.objects.bulk_create(competition_lines)
    audit.record(
        actor=actor,
        action="competition.created",
        target=competition,
        after={"agreement": agreement.reference, "lines": len(competition_lines), "deadline": deadline},
        organizations=[member.pk],
    )
    return competition


@transaction.atomic
def competition_publish(*, actor, competition: Competition) -> Competition:
    _check_organiser(actor, competition)
    competition = _locked(competition)
    if competition.status != C.DRAFT:
        raise DomainError(_("Only a draft can be published."), code="not_draft")
    if competition.agreement.status != AgreementStatus.ACTIVE:
        raise DomainError(_("The agreement accepts no new orders."), code="agreement_not_active")
    if competition.deadline < timezone.now() + MIN_OPEN:
        raise ValidationError({"deadline": _("Give the suppliers at least 24 hours to quote.")})
    competition.status, competition.published_at = C.PUBLISHED, timezone.now()
    competition.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action="competition.published",
        target=competition,
        after={"status": C.PUBLISHED, "deadline": competition.deadline},
        organizations=[competition.member_id],
    )
    suppliers = AgreementSupplier.objects.filter(agreement=competition.agreement, active=True).values_list(
        "supplier_id", flat=True
    )
    recipients = sorted({email for supplier_id in suppliers for email in supplier_people_of(supplier_id)})
    send_after_commit(
        template="orders/email/competition_published", context={"competition": competition}, recipients=recipients
    )
    return competition


@transaction.atomic
def competition_cancel(*, actor, competition: Competition, reason: str) -> Competition:
    _check_organiser(actor, competition)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    competition = _locked(competition)
    if competition.status not in (C.DRAFT, C.PUBLISHED, C.CLOSED):
        raise DomainError(_("This competition can no longer be cancelled."), code="not_cancellable")
    before = competition.status
    competition.status, competition.status_reason = C.CANCELLED, reason
    competition.save(update_fields=["status", "status_reason"])
    audit.record(
        actor=actor,
        action="competition.cancelled",
        target=competition,
        before={"status": before},
        after={"status": C.CANCELLED},
        data={"reason": reason},
        organizations=[competition.member_id],
    )
    if before != C.DRAFT:  # the suppliers were invited: they hear of it
        suppliers = AgreementSupplier.objects.filter(agreement=competition.agreement, active=True).values_list(
            "supplier_id", flat=True
        )
        send_after_commit(
            template="orders/email/competition_cancelled",
            context={"competition": competition, "reason": reason},
            recipients=sorted({email for supplier_id in suppliers for email in supplier_people_of(supplier_id)}),
        )
    return competition


# --- Quotes (sealed) ----------------------------------------------------------------------------


def _content(competition: Competition, prices: dict, note: str) -> dict:
    """Every line priced: ``{line id: {"unit_price", "vat_rate"}}``; the content to seal."""
    lines = list(competition.lines.all())
    errors, priced = [], []
    for line in lines:
        given = prices.get(line.pk) or prices.get(str(line.pk))
        if not given:
            errors.append(_("%(line)s: give a unit price.") % {"line": line.description})
            continue
        try:
            unit_price = quantize(str(given.get("unit_price", "")).replace(",", "."), 4)
            vat_rate = quantize(str(given.get("vat_rate", "")).replace(",", "."), 2)
        except (TypeError, ValueError):
            errors.append(_("%(line)s: a price and a VAT rate are numbers.") % {"line": line.description})
            continue
        if unit_price <= 0:
            errors.append(_("%(line)s: the unit price must be above zero.") % {"line": line.description})
            continue
        try:
            validate_vat_rate(vat_rate)
        except ValidationError as error:
            errors.append(f"{line.description}: {error.messages[0]}")
            continue
        priced.append({"line": line.pk, "unit_price": str(unit_price), "vat_rate": str(vat_rate)})
    if errors:
        raise ValidationError({"prices": errors})
    total = sum(
        (line_amount(line.quantity, Decimal(p["unit_price"])) for line, p in zip(lines, priced, strict=True)),
        Decimal("0.00"),
    )
    return {"lines": priced, "total_excl_vat": str(total), "note": (note or "").strip(), "salt": secrets.token_hex(16)}


def _seal(quote: Quote, content: dict) -> None:
    sealed = sealing.seal_json(content, associated_data=quote.associated_data)
    quote.sealed, quote.sealing_key_id = sealed.ciphertext, sealed.key_id
    deposit = {
        "competition": quote.competition_id,
        "supplier": quote.supplier.enterprise_number or str(quote.supplier_id),
        "submitted_at": quote.submitted_at.isoformat(),
        "content": content,
    }
    quote.receipt_digest = hashlib.sha256(sealing.canonical_json(deposit)).hexdigest()


def open_quote(quote: Quote, *, organization_id: int | None) -> dict:
    """The quote's content for a reader acting for ``organization_id``; ``QuoteSealed`` before the deadline."""
    if organization_id != quote.supplier_id and quote.competition.quotes_sealed:
        raise QuoteSealed
    return sealing.unseal_json(
        sealing.Sealed(key_id=quote.sealing_key_id, ciphertext=bytes(quote.sealed)),
        associated_data=quote.associated_data,
    )


@transaction.atomic
def quote_submit(*, actor, competition: Competition, prices: dict, note: str = "") -> Quote:
    """Quote (or replace one's quote) until the deadline; a deposit receipt comes back."""
    supplier = _check_supplier(actor, competition)
    competition = _locked(competition)
    if competition.status != C.PUBLISHED or timezone.now() >= competition.deadline:
        raise DomainError(_("This competition is not open for quotes."), code="quotes_closed")
    content = _content(competition, prices, note)
    Quote.objects.filter(competition=competition, supplier=supplier, status=QuoteStatus.SUBMITTED).update(
        status=QuoteStatus.WITHDRAWN
    )
    quote = Quote(competition=competition, supplier=supplier, submitted_by=actor, sealed=b"", sealing_key_id="")
    try:
        with transaction.atomic():
            quote.save()
    except IntegrityError:
        raise DomainError(_("A quote was submitted at the same time: try again."), code="quote_exists") from None
    _seal(quote, content)
    quote.save(update_fields=["sealed", "sealing_key_id", "receipt_digest"])
    audit.record(
        actor=actor,
        action="quote.submitted",
        target=quote,
        data={"competition": competition.pk, "receipt": quote.receipt_digest},
        organizations=[supplier.pk],
    )
    send_after_commit(
        template="orders/email/quote_receipt",
        context={"quote": quote, "competition": competition},
        recipients=[actor.email] if actor.email else [],
    )
    return quote


@transaction.atomic
def quote_withdraw(*, actor, quote: Quote) -> Quote:
    supplier = _check_supplier(actor, quote.competition)
    quote = Quote.objects.select_for_update().select_related("competition").get(pk=quote.pk)
    if quote.supplier_id != supplier.pk:
        raise PermissionDenied(_("This is not your quote."))
    if quote.status != QuoteStatus.SUBMITTED or quote.competition.status != C.PUBLISHED:
        raise DomainError(_("This quote can no longer be withdrawn."), code="quote_final")
    if timezone.now() >= quote.competition.deadline:
        raise DomainError(_("The deadline has passed: quotes are final."), code="quotes_closed")
    quote.status = QuoteStatus.WITHDRAWN
    quote.save(update_fields=["status"])
    audit.record(actor=actor, action="quote.withdrawn", target=quote, organizations=[supplier.pk])
    return quote


# --- Opening, award -----------------------------------------------------------------------------


def _weights(competition: Competition) -> tuple[Decimal, Decimal]:
    """The agreement's tender criteria: the price weight and the sum of the quality weights."""
    criteria = list(competition.agreement.tender.criteria.all())
    price = sum((c.weight for c in criteria if c.kind == CriterionKind.PRICE), Decimal(0))
    quality = sum((c.weight for c in criteria if c.kind != CriterionKind.PRICE), Decimal(0))
    if not criteria:
        return Decimal(100), Decimal(0)
    return price, quality


@transaction.atomic
def competition_close(*, actor, competition: Competition) -> Competition:
    """At the deadline: the quotes are opened, totalled and given their price points."""
    _check_organiser(actor, competition)
    competition = _locked(competition)
    if competition.status != C.PUBLISHED:
        raise DomainError(_("Only a competition open for quotes can be closed."), code="not_published")
    if timezone.now() < competition.deadline:
        raise DomainError(
            _("Quotes stay sealed until the deadline (%(deadline)s).")
            % {"deadline": f"{timezone.localtime(competition.deadline):%d/%m/%Y %H:%M}"},
            code="quotes_sealed",
        )
    competition.status, competition.closed_at = C.CLOSED, timezone.now()
    competition.save(update_fields=["status", "closed_at"])
    quotes = list(competition.quotes.filter(status=QuoteStatus.SUBMITTED))
    for quote in quotes:
        quote.total_excl_vat = Decimal(open_quote(quote, organization_id=None)["total_excl_vat"])
    if quotes:
        price_weight, _quality = _weights(competition)
        lowest = min(quote.total_excl_vat for quote in quotes)
        for quote in quotes:
            quote.price_points = price_points(lowest, quote.total_excl_vat, price_weight)
        Quote.objects.bulk_update(quotes, ["total_excl_vat", "price_points"])
    audit.record(
        actor=actor,
        action="competition.closed",
        target=competition,
        after={"status": C.CLOSED},
        data={"quotes": len(quotes)},
        organizations=[competition.member_id, *(quote.supplier_id for quote in quotes)],
    )
    return competition


@transaction.atomic
def competition_award(
    *, actor, competition: Competition, quote: Quote, reason: str, quality_points: dict | None = None
) -> Order:
    """Award the best quote by the agreement's criteria, with the reason; it becomes a draft order."""
    _check_organiser(actor, competition)
    competition = _locked(competition)
    if competition.status != C.CLOSED:
        raise DomainError(_("Quotes are awarded once they are opened."), code="not_closed")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the award: it is sent to every supplier.")})
    quotes = list(competition.quotes.filter(status=QuoteStatus.SUBMITTED).select_related("supplier"))
    if quote.pk not in {q.pk for q in quotes}:
        raise ValidationError({"quote": _("Choose one of the competition's quotes.")})
    _price_weight, quality_weight = _weights(competition)
    quality_points = {int(key): value for key, value in (quality_points or {}).items()}
    errors = []
    for q in quotes:
        given = quality_points.get(q.pk, 0 if not quality_weight else None)
        if given is None:
            errors.append(_("Give the quality points of %(supplier)s.") % {"supplier": q.supplier})
            continue
        points = quantize(str(given))
        if not (0 <= points <= quality_weight):
            errors.append(
                _("%(supplier)s: quality points from 0 to %(weight)s.")
                % {"supplier": q.supplier, "weight": quality_weight}
            )
            continue
        q.quality_points = points
    if errors:
        raise ValidationError({"quality_points": errors})
    ranked = sorted(quotes, key=lambda q: (-q.total_points, q.total_excl_vat, q.submitted_at))
    chosen = next(q for q in quotes if q.pk == quote.pk)
    if chosen.total_points < ranked[0].total_points:
        raise DomainError(
            _("The quote of %(best)s scores best (%(points)s points): award it, or cancel the competition.")
            % {"best": ranked[0].supplier, "points": ranked[0].total_points},
            code="not_the_best_quote",
        )
    Quote.objects.bulk_update(quotes, ["quality_points"])
    order = _order_from_quote(competition, chosen, actor)
    competition.status, competition.awarded_at = C.AWARDED, timezone.now()
    competition.award_reason, competition.order = reason, order
    competition.save(update_fields=["status", "awarded_at", "award_reason", "order"])
    audit.record(
        actor=actor,
        action="competition.awarded",
        target=competition,
        after={"status": C.AWARDED, "supplier": chosen.supplier_id, "order": order.number},
        data={
            "reason": reason,
            "ranking": [
                {"supplier": q.supplier_id, "total": q.total_excl_vat, "points": q.total_points} for q in ranked
            ],
        },
        organizations=[competition.member_id, *(q.supplier_id for q in quotes)],
    )
    recipients = sorted({email for q in quotes for email in supplier_people_of(q.supplier_id)})
    send_after_commit(
        template="orders/email/competition_awarded",
        context={"competition": competition, "supplier": chosen.supplier, "reason": reason},
        recipients=recipients,
    )
    return order


def _order_from_quote(competition: Competition, quote: Quote, actor) -> Order:
    content = open_quote(quote, organization_id=None)
    prices = {entry["line"]: entry for entry in content["lines"]}
    year = timezone.localdate().year
    number, sequence = _next_number(competition.member_id, year)
    order = Order.objects.create(
        number=number,
        year=year,
        sequence=sequence,
        member_id=competition.member_id,
        agreement_id=competition.agreement_id,
        supplier_id=quote.supplier_id,
        budget_article=competition.budget_article,
        delivery_address=competition.delivery_address,
        contact_name=competition.contact_name,
        contact_email=competition.contact_email,
        contact_phone=competition.contact_phone,
        note=_("Mini-competition: %(title)s") % {"title": competition.title},
        created_by=actor,
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=line.position,
            item=None,
            name=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=Decimal(prices[line.pk]["unit_price"]),
            vat_rate=Decimal(prices[line.pk]["vat_rate"]),
            cpv_code=line.cpv_code,
            budget_article=competition.budget_article,
            amount_excl_vat=line_amount(line.quantity, Decimal(prices[line.pk]["unit_price"])),
        )
        for line in competition.lines.all()
    )
    breakdown = vat_breakdown((line.amount_excl_vat, line.vat_rate) for line in lines)
    order.total_excl_vat, order.total_vat, order.total_incl_vat = (
        breakdown.total.net,
        breakdown.total.vat,
        breakdown.total.gross,
    )
    order.save(update_fields=["total_excl_vat", "total_vat", "total_incl_vat"])
    audit.record(
        actor=actor,
        action="order.created",
        target=order,
        after={"number": order.number, "competition": competition.pk, "total_excl_vat": order.total_excl_vat},
        organizations=[competition.member_id],
    )
    return order
