"""Needs surveys: IMIO prepares, opens and closes them; members declare their estimated quantities."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.permissions import Perm
from procurement.members.views.base import PAGE_SIZE
from tenders import selectors, services
from tenders.forms import (
    DeclarationForm,
    SurveyClosingForm,
    SurveyForm,
    SurveyItemFormSet,
    row_data,
    rows_of,
)
from tenders.models import NeedsSurvey, SurveyStatus
from tenders.views.base import ButtonView, ServiceFormMixin


class SurveyMixin:
    """The survey of the URL among those the person may see; a survey past its closing date is closed first."""

    @cached_property
    def survey(self) -> NeedsSurvey:
        survey = get_object_or_404(selectors.surveys_for(self.request.user), pk=self.kwargs["pk"])
        if survey.status == SurveyStatus.OPEN and services.close_due_surveys(survey_ids=[survey.pk]):
            survey.refresh_from_db()
        return survey

    def survey_url(self) -> str:
        return reverse("survey_detail", kwargs={"pk": self.survey.pk})

    def get_success_url(self) -> str:
        return self.survey_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, survey=self.survey)


class SurveyListView(PermissionRequiredMixin, ListView):
    permission_required = Perm.SURVEY_VIEW
    template_name = "tenders/surveys/list.html"
    context_object_name = "surveys"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        services.close_due_surveys()  # what time did, before the list is read
        return selectors.surveys_for(self.request.user)


class SurveyDetailView(PermissionRequiredMixin, SurveyMixin, TemplateView):
    """IMIO sees the totals and every declaration; a member its own declarations."""

    permission_required = Perm.SURVEY_VIEW
    template_name = "tenders/surveys/detail.html"

    def get_context_data(self, **kwargs):
        user, survey = self.request.user, self.survey
        context = {
            "items": selectors.survey_items(survey),
            "declarations": selectors.declarations_for(user, survey),
            "can_declare": user.has_perm(Perm.SURVEY_DECLARE)
            and not user.acting.platform_wide
            and survey.status == SurveyStatus.OPEN,
        }
        if user.acting.platform_wide:
            totals = selectors.survey_totals(survey)
            context["totals"] = totals
            context["total_value"] = sum((row["value"] for row in totals), Decimal("0.00"))
            context["member_count"] = len({d.member_id for d in context["declarations"]})
        return super().get_context_data(**kwargs, **context)


class SurveyItemsMixin(ServiceFormMixin):
    """The survey's main fields and its items (a formset); blank rows are ignored."""

    template_name = "tenders/surveys/form.html"

    @cached_property
    def item_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return SurveyItemFormSet(data, prefix="items", initial=self.initial_items())

    def initial_items(self) -> list[dict]:
        return []

    def rows(self) -> dict:
        return {"items": rows_of(self.item_formset)}

    def items(self) -> list[dict]:
        return [row_data(form) for form in rows_of(self.item_formset)]

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid() and self.item_formset.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, item_formset=self.item_formset)


class SurveyCreateView(PermissionRequiredMixin, SurveyItemsMixin, FormView):
    permission_required = Perm.SURVEY_MANAGE
    form_class = SurveyForm
    success_message = _("The survey is prepared. Open it when its items are ready.")

    def perform(self, form):
        return services.survey_create(actor=self.request.user, **form.cleaned_data, items=self.items())

    def get_success_url(self):
        return reverse("survey_detail", kwargs={"pk": self.result.pk})

    def get_refusal_url(self):
        return reverse("surveys")


class SurveyUpdateView(PermissionRequiredMixin, SurveyMixin, SurveyItemsMixin, FormView):
    """A draft changes freely; an open survey only moves its closing date."""

    permission_required = Perm.SURVEY_MANAGE
    success_message = _("The changes are saved.")

    @property
    def is_draft(self) -> bool:
        return self.survey.status == SurveyStatus.DRAFT

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if self.survey.status == SurveyStatus.CLOSED:
            messages.error(request, _("A closed survey can no longer be changed."))
            return HttpResponseRedirect(self.survey_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return SurveyForm if self.is_draft else SurveyClosingForm

    def get_initial(self):
        survey = self.survey
        return {"title": survey.title, "description": survey.description, "closes_at": survey.closes_at}

    def initial_items(self):
        return [
            {
                "lot_number": item.lot_number,
                "lot_title": item.lot_title,
                "description": item.description,
                "unit": item.unit,
                "cpv_code": item.cpv_code,
                "estimated_unit_price": item.estimated_unit_price,
            }
            for item in selectors.survey_items(self.survey)
        ]

    def post(self, request, *args, **kwargs):
        if self.is_draft:
            return super().post(request, *args, **kwargs)
        form = self.get_form()
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def perform(self, form):
        if self.is_draft:
            return services.survey_update(
                actor=self.request.user, survey=self.survey, **form.cleaned_data, items=self.items()
            )
        return services.survey_update(actor=self.request.user, survey=self.survey, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_draft:
            context["item_formset"] = None
        return context


class SurveyOpenView(PermissionRequiredMixin, SurveyMixin, ButtonView):
    permission_required = Perm.SURVEY_MANAGE

    def perform(self):
        services.survey_open(actor=self.request.user, survey=self.survey)

    def get_success_message(self):
        return _("The survey is open: the members' officers have been told by e-mail.")


class SurveyCloseView(PermissionRequiredMixin, SurveyMixin, ButtonView):
    permission_required = Perm.SURVEY_MANAGE

    def perform(self):
        services.survey_close(actor=self.request.user, survey=self.survey)

    def get_success_message(self):
        if getattr(self.survey, "tender_pk", None):
            return _("The survey is closed; its totals are carried into the linked draft tender.")
        return _("The survey is closed.")


class SurveyDeclareView(PermissionRequiredMixin, SurveyMixin, ServiceFormMixin, FormView):
    """A member's estimated quantities, one per item, prefilled with what it declared before."""

    permission_required = Perm.SURVEY_DECLARE
    template_name = "tenders/surveys/declare.html"
    success_message = _("Your needs are recorded.")

    def get_form(self, form_class=None):
        declared = {d.item_id: d.quantity for d in selectors.declarations_for(self.request.user, self.survey)}
        return DeclarationForm(**self.get_form_kwargs(), items=selectors.survey_items(self.survey), declared=declared)

    def show_service_errors(self, error, form):
        """The service names the items by id; the form's fields are ``item_<id>``."""
        if hasattr(error, "error_dict"):
            error = ValidationError({f"item_{key}": messages for key, messages in error.error_dict.items()})
        super().show_service_errors(error, form)

    def perform(self, form):
        return services.survey_declare(actor=self.request.user, survey=self.survey, quantities=form.quantities())
