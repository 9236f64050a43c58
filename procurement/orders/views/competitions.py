"""Mini-competitions: the member (or an IMIO buyer for it) describes a need under an agreement that
reopens competition, publishes it with a deadline, opens the quotes after it and awards the best
by the agreement's criteria; the award becomes a draft order. The agreement's suppliers quote on
the same page, until the deadline.

Quotes are sealed until the deadline: before it, the organiser's page shows neither a quote nor
how many there are (the selector returns none); a supplier sees its own quote only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.errors import DomainError
from procurement.core.money import line_amount
from procurement.core.permissions import Perm
from procurement.members.models import MEMBER_KINDS, Organization, OrganizationKind
from procurement.members.views.base import PAGE_SIZE, AnyPermissionRequiredMixin
from procurement.orders import selectors, services
from procurement.orders.competition_forms import (
    AwardForm,
    CompetitionFilterForm,
    CompetitionForm,
    CompetitionLineFormSet,
    QuoteForm,
    lines_of,
)
from procurement.orders.forms import CheckoutForm, ReasonForm
from procurement.orders.models import (
    Competition,
    CompetitionLine,
    CompetitionStatus,
    Quote,
    QuoteStatus,
    SubscriptionStatus,
)
from procurement.orders.services._common import check_subscribed
from tenders import selectors as tender_selectors
from tenders.models import AgreementStatus, CriterionKind, FrameworkAgreement, SupplierMode
from tenders.views.base import ButtonView, ServiceFormMixin, history

C = CompetitionStatus
HISTORY_SHOWN = 30
ORGANISER_PERMISSIONS = (Perm.ORDER_PLACE, Perm.ORDER_MANAGE)
NEED_FIELDS = ("member", "title", "description", "deadline")
DELIVERY_FIELDS = ("budget_article", "delivery_address", "contact_name", "contact_email", "contact_phone")


# --- Who -------------------------------------------------------------------------------------


def is_imio_buyer(user) -> bool:
    """An IMIO buyer acting for the central purchasing body organises for any member."""
    return user.acting.platform_wide and user.acting.has(Perm.ORDER_MANAGE)


def is_member_officer(user) -> bool:
    organization = user.acting.organization
    return organization is not None and organization.kind in MEMBER_KINDS and user.acting.has(Perm.ORDER_PLACE)


def may_organise(user, competition: Competition) -> bool:
    """As the services say: the member's officer, or an IMIO buyer."""
    if is_imio_buyer(user):
        return True
    return user.acting.organization_id == competition.member_id and user.acting.has(Perm.ORDER_PLACE)


def is_supplier(user) -> bool:
    organization = user.acting.organization
    return (
        organization is not None
        and organization.kind == OrganizationKind.SUPPLIER
        and user.acting.has(Perm.ORDER_FULFIL)
    )


@dataclass(frozen=True)
class Weights:
    """The agreement's tender criteria, as the award weighs them (services/competitions.py ``_weights``)."""

    criteria: list
    price: Decimal
    quality: Decimal


def weights_of(competition: Competition) -> Weights:
    criteria = list(competition.agreement.tender.criteria.order_by("position", "id"))
    if not criteria:
        return Weights(criteria, Decimal(100), Decimal(0))
    price = sum((c.weight for c in criteria if c.kind == CriterionKind.PRICE), Decimal(0))
    quality = sum((c.weight for c in criteria if c.kind != CriterionKind.PRICE), Decimal(0))
    return Weights(criteria, price, quality)


# --- The list --------------------------------------------------------------------------------


class CompetitionListView(PermissionRequiredMixin, ListView):
    """A member's competitions, those published under a supplier's agreements, or all of them for IMIO."""

    permission_required = Perm.ORDER_VIEW
    template_name = "orders/competition_list.html"
    context_object_name = "competitions"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self) -> CompetitionFilterForm:
        return CompetitionFilterForm(self.request.GET)

    def get_queryset(self):
        user = self.request.user
        competitions = selectors.competitions_for(user).select_related("order__supplier")
        if is_supplier(user):
            competitions = competitions.annotate(
                quoted=Exists(
                    Quote.objects.filter(
                        competition=OuterRef("pk"),
                        supplier=user.acting.organization,
                        status=QuoteStatus.SUBMITTED,
                    )
                )
            )
        return self.filter_form.filter(competitions)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **kwargs,
            filter_form=self.filter_form,
            may_create=is_imio_buyer(user) or is_member_officer(user),
            supplier_view=is_supplier(user),
            member_view=user.acting.organization is not None and user.acting.organization.is_member_kind,
        )


# --- Preparing one ---------------------------------------------------------------------------


class CompetitionCreateView(AnyPermissionRequiredMixin, ServiceFormMixin, FormView):
    """``?agreement=<id>``: the need under that agreement; without it, the agreements to choose from."""

    permission_required = ORGANISER_PERMISSIONS
    template_name = "orders/competition_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if not (is_imio_buyer(request.user) or is_member_officer(request.user)):
            raise PermissionDenied
        if self.agreement is not None and not is_imio_buyer(request.user):
            try:
                check_subscribed(request.user.acting.organization, self.agreement)
            except DomainError as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(reverse("subscriptions"))
        return super().dispatch(request, *args, **kwargs)

    def candidates(self):
        """Active agreements in mini-competition mode; for a member, those it is subscribed to."""
        user = self.request.user
        agreements = tender_selectors.agreements_for(user).filter(
            supplier_mode=SupplierMode.MINI_COMPETITION, status=AgreementStatus.ACTIVE
        )
        if not is_imio_buyer(user):
            agreements = agreements.filter(
                subscriptions__member=user.acting.organization, subscriptions__status=SubscriptionStatus.ACTIVE
            ).distinct()
        return agreements.order_by("reference")

    @cached_property
    def agreement(self) -> FrameworkAgreement | None:
        wanted = self.request.GET.get("agreement")
        if not wanted:
            return None
        if not wanted.isdigit():
            raise Http404
        agreements = tender_selectors.agreements_for(self.request.user).filter(
            supplier_mode=SupplierMode.MINI_COMPETITION
        )
        return get_object_or_404(agreements, pk=int(wanted))

    def members(self):
        """For an IMIO buyer: the members subscribed to the agreement."""
        if not is_imio_buyer(self.request.user):
            return None
        return (
            Organization.objects.filter(
                kind__in=MEMBER_KINDS,
                subscriptions__agreement=self.agreement,
                subscriptions__status=SubscriptionStatus.ACTIVE,
            )
            .distinct()
            .order_by("name")
        )

    def chosen_member(self) -> Organization | None:
        user = self.request.user
        if not is_imio_buyer(user):
            return user.acting.organization
        wanted = self.request.GET.get("member", "")
        return self.members().filter(pk=wanted).first() if wanted.isdigit() else None

    def get_initial(self):
        user = self.request.user
        member = self.chosen_member()
        if member is not None:
            initial = CheckoutForm.initial_for(user, member)
        else:
            initial = {"contact_name": user.get_full_name() or user.username, "contact_email": user.email}
        if is_imio_buyer(user) and member is not None:
            initial["member"] = member.pk
        day = timezone.localtime() + datetime.timedelta(days=7)
        initial["deadline"] = day.replace(hour=10, minute=0, second=0, microsecond=0)
        return initial

    def get_form(self, form_class=None):
        if self.agreement is None:
            return None
        return CompetitionForm(**self.get_form_kwargs(), members=self.members())

    @cached_property
    def line_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return CompetitionLineFormSet(data, prefix="lines")

    def post(self, request, *args, **kwargs):
        if self.agreement is None:
            raise Http404
        form = self.get_form()
        valid = [form.is_valid(), self.line_formset.is_valid()]
        return self.form_valid(form) if all(valid) else self.form_invalid(form)

    def perform(self, form):
        data = dict(form.cleaned_data)
        member = data.pop("member", None) if is_imio_buyer(self.request.user) else self.request.user.acting.organization
        return services.competition_create(
            actor=self.request.user,
            agreement=self.agreement,
            member=member,
            lines=lines_of(self.line_formset),
            **data,
        )

    def get_success_message(self):
        return _("The mini-competition is prepared as a draft: check it, then publish it to invite the suppliers.")

    def get_success_url(self):
        return reverse("competition_detail", kwargs={"pk": self.result.pk})

    def get_refusal_url(self):
        return reverse("competitions")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.agreement
        if self.agreement is None:
            context["candidates"] = list(self.candidates())
        else:
            form = context["form"]
            context["line_formset"] = self.line_formset
            context["need_fields"] = [form[name] for name in NEED_FIELDS if name in form.fields]
            context["delivery_fields"] = [form[name] for name in DELIVERY_FIELDS]
        return context


# --- One competition -------------------------------------------------------------------------


class CompetitionMixin:
    """The competition of the URL among those the person may see (another member's is a 404)."""

    @cached_property
    def competition(self) -> Competition:
        competitions = selectors.competitions_for(self.request.user).select_related(
            "order__supplier", "agreement__tender"
        )
        return get_object_or_404(competitions, pk=self.kwargs["pk"])

    def competition_url(self) -> str:
        return reverse("competition_detail", kwargs={"pk": self.competition.pk})

    def get_success_url(self) -> str:
        return self.competition_url()


@dataclass(frozen=True)
class PricedLine:
    line: CompetitionLine
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class QuoteRow:
    """A quote as its reader may see it: the content only when it is open to them."""

    quote: Quote
    lines: list[PricedLine] | None
    note: str
    points_field: object = None

    @property
    def total(self) -> Decimal:
        return sum((priced.amount for priced in self.lines or ()), Decimal("0.00"))


def priced_lines(lines: list[CompetitionLine], content: dict) -> list[PricedLine]:
    prices = {entry["line"]: entry for entry in content.get("lines", [])}
    rows = []
    for line in lines:
        entry = prices.get(line.pk)
        if entry is None:
            continue
        unit_price = Decimal(entry["unit_price"])
        rows.append(PricedLine(line, unit_price, Decimal(entry["vat_rate"]), line_amount(line.quantity, unit_price)))
    return rows


class CompetitionDetailMixin(CompetitionMixin):
    """What the competition's page shows, and what its reader may do now."""

    @cached_property
    def lines(self) -> list[CompetitionLine]:
        return list(self.competition.lines.order_by("position"))

    @cached_property
    def organiser(self) -> bool:
        return may_organise(self.request.user, self.competition)

    @cached_property
    def supplier(self) -> bool:
        return is_supplier(self.request.user)

    @property
    def open_for_quotes(self) -> bool:
        competition = self.competition
        return competition.status == C.PUBLISHED and timezone.now() < competition.deadline

    @cached_property
    def weights(self) -> Weights:
        return weights_of(self.competition)

    @cached_property
    def visible_quotes(self) -> list[Quote]:
        return list(selectors.quotes_for(self.request.user, self.competition))

    @cached_property
    def own_quote(self) -> Quote | None:
        """A supplier's quote in force (its last one not withdrawn)."""
        if not self.supplier:
            return None
        submitted = [quote for quote in self.visible_quotes if quote.status == QuoteStatus.SUBMITTED]
        return submitted[-1] if submitted else None

    def content_of(self, quote: Quote) -> dict | None:
        try:
            return services.open_quote(quote, organization_id=self.request.user.acting.organization_id)
        except services.QuoteSealed:
            return None

    @cached_property
    def own_content(self) -> dict | None:
        return self.content_of(self.own_quote) if self.own_quote is not None else None

    @cached_property
    def opened_quotes(self) -> list[Quote]:
        """The quotes opened at the deadline, best first (for the organiser and IMIO, once closed)."""
        if self.supplier or self.competition.closed_at is None:
            return []
        quotes = [q for q in self.visible_quotes if q.status == QuoteStatus.SUBMITTED]
        return sorted(
            quotes,
            key=lambda q: (-(q.total_points or 0), q.total_excl_vat or 0, q.submitted_at),
        )

    def available_actions(self) -> list[str]:
        competition, names = self.competition, []
        if self.organiser:
            if competition.status == C.DRAFT:
                names.append("publish")
            if competition.status == C.PUBLISHED and timezone.now() >= competition.deadline:
                names.append("close")
            if competition.status == C.CLOSED and self.opened_quotes:
                names.append("award")
            if competition.status in (C.DRAFT, C.PUBLISHED, C.CLOSED):
                names.append("cancel")
        if self.supplier and self.open_for_quotes:
            names.append("quote")
            if self.own_quote is not None:
                names.append("withdraw")
        return names

    def action_form(self, name: str, data=None):
        if name == "cancel":
            return ReasonForm(
                data, prefix=name, help_text=_("The suppliers invited read it; a draft is simply set aside.")
            )
        if name == "award":
            best = self.opened_quotes[0] if self.opened_quotes else None
            return AwardForm(
                data,
                prefix=name,
                quotes=self.opened_quotes,
                quality_weight=self.weights.quality,
                initial={"quote": best.pk if best else None},
            )
        if name == "quote":
            return QuoteForm(data, prefix=name, lines=self.lines, content=self.own_content)
        return None

    def detail_context(self, **bound) -> dict:
        user, competition = self.request.user, self.competition
        names = self.available_actions()
        forms_ = {
            name: bound.get(name) or self.action_form(name) for name in ("cancel", "award", "quote") if name in names
        }
        forms_.update(bound)
        award_form = forms_.get("award")
        quote_rows = []
        for quote in self.opened_quotes:
            content = self.content_of(quote)
            quote_rows.append(
                QuoteRow(
                    quote=quote,
                    lines=priced_lines(self.lines, content) if content else None,
                    note=(content or {}).get("note", ""),
                    points_field=award_form.points_of(quote) if award_form is not None else None,
                )
            )
        own = None
        if self.own_quote is not None and self.own_content is not None:
            own = QuoteRow(self.own_quote, priced_lines(self.lines, self.own_content), self.own_content.get("note", ""))
        return {
            "competition": competition,
            "lines": self.lines,
            "organiser": self.organiser,
            "supplier_view": self.supplier,
            "sealed": competition.quotes_sealed,
            "deadline_passed": timezone.now() >= competition.deadline,
            "open_for_quotes": self.open_for_quotes,
            "weights": self.weights,
            "actions": names,
            "cancel_form": forms_.get("cancel"),
            "award_form": award_form,
            "quote_form": forms_.get("quote"),
            "quote_rows": quote_rows,
            "own_quote": own,
            "withdrawn_count": sum(1 for q in self.visible_quotes if q.status == QuoteStatus.WITHDRAWN)
            if self.supplier
            else 0,
            "order_visible": competition.order_id is not None
            and selectors.orders_for(user).filter(pk=competition.order_id).exists(),
            "history": history(user, competition, limit=HISTORY_SHOWN),
        }


class CompetitionDetailView(PermissionRequiredMixin, CompetitionDetailMixin, TemplateView):
    permission_required = Perm.ORDER_VIEW
    template_name = "orders/competition_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.detail_context())


# --- The organiser's actions -----------------------------------------------------------------


class CompetitionButtonView(AnyPermissionRequiredMixin, CompetitionMixin, ButtonView):
    permission_required = ORGANISER_PERMISSIONS


class CompetitionPublishView(CompetitionButtonView):
    def perform(self):
        self.result = services.competition_publish(actor=self.request.user, competition=self.competition)

    def get_success_message(self):
        return _(
            "The mini-competition is published: the agreement's suppliers are invited to quote until %(deadline)s."
        ) % {"deadline": f"{timezone.localtime(self.result.deadline):%d/%m/%Y %H:%M}"}


class CompetitionCloseView(CompetitionButtonView):
    def perform(self):
        self.result = services.competition_close(actor=self.request.user, competition=self.competition)

    def get_success_message(self):
        count = Quote.objects.filter(competition=self.result, status=QuoteStatus.SUBMITTED).count()
        if not count:
            return _("The quotes are opened: no supplier quoted. Cancel the competition, or order otherwise.")
        return ngettext(
            "The quotes are opened: %(count)s quote, with its price points.",
            "The quotes are opened: %(count)s quotes, with their price points.",
            count,
        ) % {"count": count}


class CompetitionFormView(AnyPermissionRequiredMixin, CompetitionDetailMixin, ServiceFormMixin, FormView):
    """An action's form posted from the competition's page; with an error, the page comes back with it."""

    http_method_names = ["post"]
    template_name = "orders/competition_detail.html"
    action = ""

    def allowed(self) -> bool:
        """Whether the person is on the side the action belongs to (the service checks it again)."""
        return self.organiser

    def unavailable(self) -> str:
        """Why the action cannot be taken now, when the page can tell before the service."""
        return ""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if not self.allowed():
            raise PermissionDenied
        if reason := self.unavailable():
            messages.error(request, reason)
            return HttpResponseRedirect(self.competition_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return self.action_form(self.action, self.request.POST)

    def get_context_data(self, **kwargs):
        return self.detail_context(**{self.action: kwargs["form"]})


class CompetitionCancelView(CompetitionFormView):
    permission_required = ORGANISER_PERMISSIONS
    action = "cancel"

    def perform(self, form):
        return services.competition_cancel(
            actor=self.request.user, competition=self.competition, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self):
        return _("The mini-competition is cancelled.")


class CompetitionAwardView(CompetitionFormView):
    permission_required = ORGANISER_PERMISSIONS
    action = "award"

    def unavailable(self) -> str:
        if self.competition.status != C.CLOSED:
            return _("Quotes are awarded once they are opened.")
        if not self.opened_quotes:
            return _("No supplier quoted: there is nothing to award. Cancel the competition.")
        return ""

    def perform(self, form):
        try:
            return services.competition_award(
                actor=self.request.user,
                competition=self.competition,
                quote=form.cleaned_data["quote"],
                reason=form.cleaned_data["reason"],
                quality_points=form.quality_points(),
            )
        except DomainError as error:
            if error.code == "not_the_best_quote":  # the points typed stay on the form
                raise ValidationError({"quote": str(error)}) from None
            raise

    def get_success_message(self):
        order = self.result
        return _(
            "The mini-competition is awarded to %(supplier)s: order %(number)s is created as a draft with the "
            "quoted prices. Check it, then submit it for approval."
        ) % {"supplier": order.supplier.name, "number": order.number}

    def get_success_url(self):
        return reverse("order_detail", kwargs={"pk": self.result.pk})

    def get_refusal_url(self):
        return self.competition_url()


# --- The supplier's quote --------------------------------------------------------------------


class QuoteSubmitView(CompetitionFormView):
    permission_required = (Perm.ORDER_FULFIL,)
    action = "quote"

    def allowed(self) -> bool:
        return self.supplier

    def unavailable(self) -> str:
        return "" if self.open_for_quotes else _("This competition is not open for quotes.")

    def perform(self, form):
        return services.quote_submit(
            actor=self.request.user,
            competition=self.competition,
            prices=form.prices(),
            note=form.cleaned_data["note"],
        )

    def get_success_message(self):
        return _(
            "Your quote is received and sealed until the deadline. Its deposit receipt (SHA-256) is %(digest)s."
        ) % {"digest": self.result.receipt_digest}


class QuoteWithdrawView(AnyPermissionRequiredMixin, CompetitionDetailMixin, ButtonView):
    permission_required = (Perm.ORDER_FULFIL,)

    def perform(self):
        if not self.supplier:
            raise PermissionDenied
        if self.own_quote is None:
            raise DomainError(_("You have no quote to withdraw."), code="no_quote")
        services.quote_withdraw(actor=self.request.user, quote=self.own_quote)

    def get_success_message(self):
        return _("Your quote is withdrawn. You may quote again until the deadline.")
