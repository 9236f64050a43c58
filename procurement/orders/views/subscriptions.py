"""Subscriptions: the agreements a member may order under, which it subscribed to with what estimate,
and what it has consumed so far. The officer subscribes, changes the estimate, ends; IMIO reads."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from procurement.core.permissions import Perm
from procurement.members.views.base import PAGE_SIZE, ServiceFormMixin
from procurement.orders import selectors, services
from procurement.orders.forms import EstimateForm, SubscribeForm
from procurement.orders.models import Subscription, SubscriptionStatus
from tenders import selectors as tender_selectors
from tenders.models import FrameworkAgreement
from tenders.views.base import ButtonView


@dataclass(frozen=True)
class AgreementRow:
    """One agreement the member may use: its subscription (if any), consumption, and the officer's forms."""

    agreement: FrameworkAgreement
    subscription: Subscription | None
    consumed: Decimal
    subscribe_form: SubscribeForm | None
    estimate_form: EstimateForm | None

    @property
    def over_estimate(self) -> bool:
        return self.subscription is not None and self.consumed > self.subscription.estimated_value


class SubscriptionsMixin:
    template_name = "orders/subscriptions.html"

    def is_member(self) -> bool:
        organization = self.request.user.acting.organization
        return organization is not None and organization.is_member_kind

    def subscribe_form(self, agreement, data=None) -> SubscribeForm:
        member = self.request.user.acting.organization
        return SubscribeForm(
            data, prefix=f"subscribe-{agreement.pk}", survey_estimate=services.estimate_from_survey(member, agreement)
        )

    @staticmethod
    def estimate_form(subscription, data=None) -> EstimateForm:
        return EstimateForm(
            data, prefix=f"estimate-{subscription.pk}", initial={"estimated_value": subscription.estimated_value}
        )

    def member_context(self, bound: dict) -> dict:
        """The member's view: every agreement it may use, subscribed or not, and its past subscriptions."""
        user = self.request.user
        member = user.acting.organization
        can_place = user.acting.has(Perm.ORDER_PLACE)
        agreements = list(
            tender_selectors.usable_agreements_for(member).select_related("tender", "lot").order_by("reference")
        )
        subscriptions = list(selectors.subscriptions_for(user))
        active = {s.agreement_id: s for s in subscriptions if s.status == SubscriptionStatus.ACTIVE}
        consumed = selectors.member_consumption(
            member.pk, {a.pk for a in agreements} | {s.agreement_id for s in subscriptions}
        )
        usable_ids = {agreement.pk for agreement in agreements}
        rows = []
        for agreement in agreements:
            subscription = active.get(agreement.pk)
            subscribe_form = estimate_form = None
            if can_place and subscription is None:
                subscribe_form = bound.get(("subscribe", agreement.pk)) or self.subscribe_form(agreement)
            if can_place and subscription is not None:
                estimate_form = bound.get(("estimate", subscription.pk)) or self.estimate_form(subscription)
            rows.append(
                AgreementRow(
                    agreement, subscription, consumed.get(agreement.pk, Decimal("0.00")), subscribe_form, estimate_form
                )
            )
        others = [
            (s, consumed.get(s.agreement_id, Decimal("0.00")))
            for s in subscriptions
            if s.status != SubscriptionStatus.ACTIVE or s.agreement_id not in usable_ids
        ]
        return {"rows": rows, "other_subscriptions": others, "can_place": can_place}

    def overview_context(self) -> dict:
        """IMIO (every member's) or a supplier (under its agreements): the subscriptions, read only."""
        subscriptions = selectors.subscriptions_for(self.request.user).order_by("agreement__reference", "member__name")
        page = Paginator(subscriptions, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return {"subscriptions": page.object_list, "page_obj": page}

    def subscriptions_context(self, bound: dict | None = None) -> dict:
        """``bound``: the form posted with an error, by ``("subscribe", agreement id)`` or ``("estimate", subscription id)``."""
        if self.is_member():
            return {"member_view": True, **self.member_context(bound or {})}
        return {"member_view": False, **self.overview_context()}

    def get_success_url(self) -> str:
        return reverse("subscriptions")


class SubscriptionsView(PermissionRequiredMixin, SubscriptionsMixin, TemplateView):
    permission_required = Perm.ORDER_VIEW

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.subscriptions_context())


class SubscribeView(PermissionRequiredMixin, SubscriptionsMixin, ServiceFormMixin, FormView):
    """Subscribe to the agreement of the URL; an empty estimate takes the needs-survey declaration."""

    permission_required = Perm.ORDER_PLACE
    http_method_names = ["post"]

    @cached_property
    def agreement(self) -> FrameworkAgreement:
        return get_object_or_404(tender_selectors.agreements_for(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, form_class=None):
        return self.subscribe_form(self.agreement, self.request.POST)

    def get_context_data(self, **kwargs):
        return self.subscriptions_context({("subscribe", self.agreement.pk): kwargs["form"]})

    def perform(self, form):
        return services.subscription_create(
            actor=self.request.user, agreement=self.agreement, estimated_value=form.cleaned_data["estimated_value"]
        )

    def get_success_message(self):
        return _("%(member)s is subscribed to %(agreement)s: its officers can order under it.") % {
            "member": self.result.member.name,
            "agreement": self.agreement.reference,
        }


class SubscriptionMixin(SubscriptionsMixin):
    """The subscription of the URL among those the person may see (another member's is a 404)."""

    @cached_property
    def subscription(self) -> Subscription:
        return get_object_or_404(selectors.subscriptions_for(self.request.user), pk=self.kwargs["pk"])


class SubscriptionUpdateView(PermissionRequiredMixin, SubscriptionMixin, ServiceFormMixin, FormView):
    permission_required = Perm.ORDER_PLACE
    http_method_names = ["post"]

    def get_form(self, form_class=None):
        return self.estimate_form(self.subscription, self.request.POST)

    def get_context_data(self, **kwargs):
        return self.subscriptions_context({("estimate", self.subscription.pk): kwargs["form"]})

    def perform(self, form):
        return services.subscription_update(
            actor=self.request.user,
            subscription=self.subscription,
            estimated_value=form.cleaned_data["estimated_value"],
        )

    def get_success_message(self):
        return _("The estimate for %(agreement)s is changed.") % {"agreement": self.subscription.agreement.reference}


class SubscriptionEndView(PermissionRequiredMixin, SubscriptionMixin, ButtonView):
    """The member stops ordering under the agreement; orders already placed go on."""

    permission_required = Perm.ORDER_PLACE

    def perform(self):
        services.subscription_end(actor=self.request.user, subscription=self.subscription)

    def get_success_message(self):
        return _("The subscription to %(agreement)s has ended; orders already placed go on.") % {
            "agreement": self.subscription.agreement.reference
        }
