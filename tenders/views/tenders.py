"""Tenders: the list, the page of a tender at each step, drafting, documents, publication, cancellation."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.permissions import Perm
from procurement.members.views.base import PAGE_SIZE
from tenders import selectors, services
from tenders.forms import (
    CriterionFormSet,
    LotFormSet,
    ReasonForm,
    TenderCreateForm,
    TenderDocumentForm,
    TenderFilterForm,
    TenderForm,
    row_data,
    rows_of,
)
from tenders.models import LotStatus, Tender, TenderStatus
from tenders.views.base import ButtonView, ServiceFormMixin, TenderMixin, history

HISTORY_SHOWN = 30
# The publication checklist: what is checked, in the order a buyer fills the tender in.
CHECKLIST = (
    ("lots", _("At least one lot, with its estimated and maximum values")),
    ("criteria", _("Award criteria weighing 100 points, exactly one of them the price")),
    ("documents", _("The specifications attached")),
    ("questions_deadline", _("The questions deadline")),
    ("submission_deadline", _("A submission deadline in the future")),
    ("opening_at", _("The opening time, not before the submission deadline")),
    ("beneficiaries", _("Who may use the agreements")),
    ("procedure", _("A procedure allowed for the contract's value")),
)


@dataclass(frozen=True)
class Check:
    label: str
    problem: str


def publication_checklist(tender: Tender) -> list[Check]:
    problems = dict(services.publication_problems(tender))
    checks = [Check(label, problems.pop(key, "")) for key, label in CHECKLIST]
    return checks + [Check(key, problem) for key, problem in problems.items()]


class TenderListView(PermissionRequiredMixin, ListView):
    permission_required = Perm.TENDER_VIEW
    template_name = "tenders/tenders/list.html"
    context_object_name = "tenders"
    paginate_by = PAGE_SIZE

    @cached_property
    def filter_form(self):
        return TenderFilterForm(self.request.GET)

    def get_queryset(self):
        services.close_due_tenders()  # what time did, before the list is read
        return self.filter_form.filter(selectors.tenders_for(self.request.user))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


class TenderDetailView(PermissionRequiredMixin, TenderMixin, TemplateView):
    """The tender as the person may see it, and the next steps they can take."""

    permission_required = Perm.TENDER_VIEW
    template_name = "tenders/tenders/detail.html"

    def buyer_context(self) -> dict:
        tender, now = self.tender, timezone.now()
        context = {
            "can_edit": tender.status == TenderStatus.DRAFT,
            "can_cancel": services.TENDER_STATES.can(tender, TenderStatus.CANCELLED),
            "can_add_documents": tender.status in (TenderStatus.DRAFT, TenderStatus.PUBLISHED),
            "bid_count": selectors.bids_for(self.request.user).filter(tender=tender).count(),
            "opening_allowed": tender.opening_at is None or tender.opening_at <= now,
            "agreements": tender.agreements.order_by("reference") if tender.status == TenderStatus.CONCLUDED else (),
        }
        if tender.status == TenderStatus.DRAFT:
            context["checklist"] = publication_checklist(tender)
            context["ready"] = not any(check.problem for check in context["checklist"])
        if tender.standstill_ends_at:
            context["standstill_over"] = tender.standstill_ends_at <= now
        context["history"] = history(self.request.user, tender, limit=HISTORY_SHOWN)
        return context

    def supplier_context(self) -> dict:
        tender = self.tender
        bids = {bid.lot_id: bid for bid in selectors.bids_for(self.request.user).filter(tender=tender)}
        return {
            "lot_bids": [(lot, bids.get(lot.pk)) for lot in tender.lots.all() if lot.status == LotStatus.ACTIVE],
            "accepts_bids": tender.accepts_bids(),
        }

    def get_context_data(self, **kwargs):
        user, tender = self.request.user, self.tender
        context = {
            "documents": selectors.documents_for(user, tender),
            "question_count": selectors.questions_for(user, tender).count(),
            "accepts_questions": tender.accepts_questions(),
        }
        if user.has_perm(Perm.TENDER_MANAGE):
            context.update(self.buyer_context())
        if user.has_perm(Perm.BID_SUBMIT):
            context.update(self.supplier_context())
        return super().get_context_data(**kwargs, **context)


class TenderFormMixin(ServiceFormMixin):
    """The tender's fields with its lots and award criteria (two formsets); blank rows are ignored."""

    template_name = "tenders/tenders/form.html"

    def initial_lots(self) -> list[dict]:
        return []

    def initial_criteria(self) -> list[dict]:
        return []

    @cached_property
    def lot_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return LotFormSet(data, prefix="lots", initial=self.initial_lots())

    @cached_property
    def criterion_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return CriterionFormSet(data, prefix="criteria", initial=self.initial_criteria())

    def rows(self) -> dict:
        return {"lots": rows_of(self.lot_formset), "criteria": rows_of(self.criterion_formset)}

    def lots(self) -> list[dict]:
        return [row_data(form) for form in rows_of(self.lot_formset)]

    def criteria(self) -> list[dict]:
        return [row_data(form) for form in rows_of(self.criterion_formset)]

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        valid = [form.is_valid(), self.lot_formset.is_valid(), self.criterion_formset.is_valid()]
        return self.form_valid(form) if all(valid) else self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, lot_formset=self.lot_formset, criterion_formset=self.criterion_formset
        )


class TenderCreateView(PermissionRequiredMixin, TenderFormMixin, FormView):
    permission_required = Perm.TENDER_MANAGE
    success_message = _("The draft tender is saved. Complete it, then publish it.")

    def surveys(self):
        return selectors.surveys_for(self.request.user).filter(tender__isnull=True)

    def get_form(self, form_class=None):
        return TenderCreateForm(**self.get_form_kwargs(), surveys=self.surveys())

    def get_initial(self):
        survey = self.surveys().filter(pk=self.request.GET.get("survey") or None).first()
        if survey is None:
            return {}
        return {"survey": survey, "title": survey.title, "description": survey.description}

    def perform(self, form):
        # Without lots typed in, a closed survey's totals become the lots.
        return services.tender_create(
            actor=self.request.user,
            **form.service_fields(),
            lots=self.lots() or None,
            criteria=self.criteria(),
            additional_cpv_codes=form.cleaned_data["additional_cpv_codes"],
            beneficiaries=form.chosen_beneficiaries(),
        )

    def get_success_url(self):
        return reverse("tender_detail", kwargs={"pk": self.result.pk})

    def get_refusal_url(self):
        return reverse("tenders")


class TenderUpdateView(PermissionRequiredMixin, TenderMixin, TenderFormMixin, FormView):
    """A draft only: once published, a tender changes through addenda, or is cancelled."""

    permission_required = Perm.TENDER_MANAGE
    form_class = TenderForm
    success_message = _("The changes are saved.")

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if self.tender.status != TenderStatus.DRAFT:
            messages.error(request, _("A published tender cannot be changed; publish an addendum or cancel it."))
            return HttpResponseRedirect(self.tender_url())
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        tender = self.tender
        initial = {name: getattr(tender, name) for name in TenderForm.base_fields if hasattr(tender, name)}
        initial["additional_cpv_codes"] = list(tender.additional_cpv_codes.all())
        initial["beneficiaries"] = list(tender.beneficiaries.all())
        return initial

    def initial_lots(self):
        return [
            {
                "number": lot.number,
                "title": lot.title,
                "description": lot.description,
                "cpv_code": lot.cpv_code,
                "estimated_value": lot.estimated_value,
                "maximum_value": lot.maximum_value,
                "duration_months": lot.duration_months,
                "supplier_mode": lot.supplier_mode,
                "max_suppliers": lot.max_suppliers,
            }
            for lot in self.tender.lots.all()
        ]

    def initial_criteria(self):
        return [
            {"name": c.name, "description": c.description, "kind": c.kind, "weight": c.weight}
            for c in self.tender.criteria.all()
        ]

    def perform(self, form):
        return services.tender_update(
            actor=self.request.user,
            tender=self.tender,
            **form.service_fields(),
            lots=self.lots(),
            criteria=self.criteria(),
            additional_cpv_codes=form.cleaned_data["additional_cpv_codes"],
            beneficiaries=form.chosen_beneficiaries(),
        )

    def get_success_url(self):
        return self.tender_url()


class TenderDocumentAddView(PermissionRequiredMixin, TenderMixin, ServiceFormMixin, FormView):
    """Specifications and annexes before publication; addenda after."""

    permission_required = Perm.TENDER_MANAGE
    template_name = "tenders/tenders/document_form.html"
    success_message = _("The document is attached.")

    def get_form(self, form_class=None):
        return TenderDocumentForm(**self.get_form_kwargs(), published=self.tender.status != TenderStatus.DRAFT)

    def perform(self, form):
        data = form.cleaned_data
        return services.tender_add_document(
            actor=self.request.user, tender=self.tender, file=data["file"], title=data["title"], kind=data["kind"]
        )

    def get_success_url(self):
        return self.tender_url()


class TenderDocumentView(PermissionRequiredMixin, TenderMixin, View):
    """A document of the tender, streamed to those who may read it (records and reports: IMIO only)."""

    permission_required = Perm.TENDER_VIEW

    def get(self, request, pk, document_pk):
        document = get_object_or_404(selectors.documents_for(request.user, self.tender), pk=document_pk)
        filename = document.file.name.rsplit("/", 1)[-1]
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)


class TenderPublishView(PermissionRequiredMixin, TenderMixin, ButtonView):
    permission_required = Perm.TENDER_MANAGE

    def perform(self):
        services.tender_publish(actor=self.request.user, tender=self.tender)

    def get_success_message(self):
        return _("The tender is published: suppliers can read it, ask questions and bid.")

    def get_success_url(self):
        return self.tender_url()


class TenderCancelView(PermissionRequiredMixin, TenderMixin, ServiceFormMixin, FormView):
    permission_required = Perm.TENDER_MANAGE
    template_name = "tenders/tenders/cancel.html"
    success_message = _("The tender is cancelled; the bidders have been told.")

    def get_form(self, form_class=None):
        return ReasonForm(**self.get_form_kwargs(), help_text=_("The bidders read it."))

    def perform(self, form):
        return services.tender_cancel(actor=self.request.user, tender=self.tender, reason=form.cleaned_data["reason"])

    def get_success_url(self):
        return self.tender_url()
