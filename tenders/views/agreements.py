"""Framework agreements: the list, one agreement with its suppliers, consumption and amendments,
and IMIO's decisions on it (modification, supplier substitution, termination)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.permissions import Perm
from procurement.members.models import Organization
from procurement.members.views.base import PAGE_SIZE
from tenders import rules, selectors, services
from tenders.forms import AgreementFilterForm, AgreementModifyForm, ReasonForm, SubstituteSupplierForm
from tenders.models import AgreementAmendment, AgreementStatus, FrameworkAgreement
from tenders.views.base import ServiceFormMixin, history

HISTORY_SHOWN = 30
OPEN_STATUSES = (AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED)
CHANGE_LABELS = {
    "end_date": _("End date"),
    "estimated_value": _("Estimated value excl. VAT"),
    "maximum_value": _("Maximum value excl. VAT"),
    "supplier": _("Supplier"),
    "rank": _("Rank"),
}


class AgreementListView(PermissionRequiredMixin, ListView):
    permission_required = Perm.AGREEMENT_VIEW
    template_name = "tenders/agreements/list.html"
    context_object_name = "agreements"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self):
        return AgreementFilterForm(self.request.GET)

    def get_queryset(self):
        services.expire_due_agreements()  # what time did, before the list is read
        return self.filter_form.filter(selectors.agreements_for(self.request.user))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


def readable(key: str, value, names: dict) -> str:
    """A value recorded in an amendment, as people read it."""
    if value in (None, ""):
        return "—"
    if key == "supplier":
        return names.get(value, str(value))
    if key == "end_date":
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    if key.endswith("_value"):
        try:
            return rules.euros(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


@dataclass(frozen=True)
class Amendment:
    amendment: AgreementAmendment
    changes: list[tuple[str, str, str]]


def amendments_of(agreement: FrameworkAgreement) -> list[Amendment]:
    amendments = list(agreement.amendments.select_related("decided_by"))
    supplier_ids = {
        value
        for amendment in amendments
        for side in ("before", "after")
        for key, value in (amendment.changes.get(side) or {}).items()
        if key == "supplier"
    }
    names = dict(Organization.objects.filter(pk__in=supplier_ids).values_list("pk", "name"))
    result = []
    for amendment in amendments:
        before, after = amendment.changes.get("before") or {}, amendment.changes.get("after") or {}
        changes = [
            (str(CHANGE_LABELS.get(key, key)), readable(key, before.get(key), names), readable(key, value, names))
            for key, value in after.items()
            if before.get(key) != value
        ]
        result.append(Amendment(amendment, changes))
    return result


@dataclass(frozen=True)
class Decision:
    """A decision IMIO can take on the agreement, with its form."""

    action: str
    title: str
    form: object
    url: str


class AgreementMixin:
    """The agreement of the URL among those the person may see (another one is a 404), brought up to date."""

    @cached_property
    def agreement(self) -> FrameworkAgreement:
        agreement = get_object_or_404(selectors.agreements_for(self.request.user), pk=self.kwargs["pk"])
        return services.advance_agreement(agreement)

    def decision_form(self, action: str, data=None):
        agreement = self.agreement
        if action == "modify":
            latest = services.latest_end_date(agreement.start_date)
            return AgreementModifyForm(data, agreement=agreement, latest_end=latest, prefix=action)
        if action == "substitute":
            return SubstituteSupplierForm(data, agreement=agreement, prefix=action)
        return ReasonForm(data, prefix=action, help_text=_("The suppliers read it."))

    def decisions(self, bound: dict) -> list[Decision]:
        agreement = self.agreement
        if not self.request.user.has_perm(Perm.AGREEMENT_MANAGE):
            return []
        actions = []
        if agreement.status in OPEN_STATUSES:
            actions += [("modify", _("Modify")), ("substitute", _("Substitute a supplier"))]
        if services.AGREEMENT_STATES.can(agreement, AgreementStatus.TERMINATED):
            actions.append(("terminate", _("Terminate")))
        return [
            Decision(
                action=action,
                title=title,
                form=bound[action] if action in bound else self.decision_form(action),
                url=reverse(f"agreement_{action}", kwargs={"pk": agreement.pk}),
            )
            for action, title in actions
        ]

    def detail_context(self, **bound) -> dict:
        user, agreement = self.request.user, self.agreement
        links = list(agreement.supplier_links.all())
        return {
            "agreement": agreement,
            "current_suppliers": [link for link in links if link.active],
            "former_suppliers": [link for link in links if not link.active],
            "beneficiaries": agreement.beneficiaries.order_by("name"),
            "amendments": amendments_of(agreement),
            "decisions": self.decisions(bound),
            "history": history(user, agreement, limit=HISTORY_SHOWN),
        }


class AgreementDetailView(PermissionRequiredMixin, AgreementMixin, TemplateView):
    permission_required = Perm.AGREEMENT_VIEW
    template_name = "tenders/agreements/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.detail_context())


class AgreementActionView(PermissionRequiredMixin, AgreementMixin, ServiceFormMixin, FormView):
    """A decision posted from the agreement's page; with a field error, the page comes back with it."""

    permission_required = Perm.AGREEMENT_MANAGE
    http_method_names = ["post"]
    template_name = "tenders/agreements/detail.html"
    action = ""

    def get_form(self, form_class=None):
        return self.decision_form(self.action, self.request.POST)

    def get_context_data(self, **kwargs):
        return self.detail_context(**{self.action: kwargs["form"]})

    def get_success_url(self):
        return reverse("agreement_detail", kwargs={"pk": self.agreement.pk})


class AgreementModifyView(AgreementActionView):
    action = "modify"
    success_message = _("The amendment is recorded.")

    def perform(self, form):
        return services.agreement_modify(actor=self.request.user, agreement=self.agreement, **form.cleaned_data)


class AgreementSubstituteView(AgreementActionView):
    action = "substitute"
    success_message = _("The supplier is substituted; the amendment is recorded.")

    def perform(self, form):
        return services.agreement_substitute_supplier(
            actor=self.request.user, agreement=self.agreement, **form.cleaned_data
        )


class AgreementTerminateView(AgreementActionView):
    action = "terminate"
    success_message = _("The agreement is terminated; its suppliers have been told.")

    def perform(self, form):
        return services.agreement_terminate(
            actor=self.request.user, agreement=self.agreement, reason=form.cleaned_data["reason"]
        )
