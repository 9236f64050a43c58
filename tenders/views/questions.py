"""Questions of the candidates and IMIO's answers: the answers are public to every candidate,
the name of who asked stays with IMIO."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from procurement.core.permissions import Perm
from tenders import selectors, services
from tenders.forms import AnswerForm, QuestionForm
from tenders.models import Question, TenderStatus
from tenders.views.base import ServiceFormMixin, TenderMixin

ANSWERABLE = (TenderStatus.PUBLISHED, TenderStatus.BIDS_CLOSED)


class QuestionsMixin(TenderMixin):
    def questions_url(self) -> str:
        return reverse("tender_questions", kwargs={"pk": self.tender.pk})

    def page_context(self, *, ask_form=None, answer_forms=None) -> dict:
        user, tender = self.request.user, self.tender
        questions = list(selectors.questions_for(user, tender))
        can_answer = user.has_perm(Perm.QUESTION_ANSWER) and tender.status in ANSWERABLE
        answer_forms = answer_forms or {}
        rows = []
        for question in questions:
            if question.pk in answer_forms:
                form = answer_forms[question.pk]
            elif can_answer:
                form = AnswerForm(prefix=f"q{question.pk}", initial={"answer": question.answer})
            else:
                form = None
            rows.append((question, form))
        can_ask = user.has_perm(Perm.QUESTION_ASK) and tender.accepts_questions()
        return {
            "rows": rows,
            "own_organization_id": user.acting.organization_id,
            "ask_form": ask_form
            if ask_form is not None
            else (QuestionForm(tender=tender, prefix="ask") if can_ask else None),
        }


class TenderQuestionsView(PermissionRequiredMixin, QuestionsMixin, TemplateView):
    permission_required = Perm.TENDER_VIEW
    template_name = "tenders/questions/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.page_context())


class QuestionAskView(PermissionRequiredMixin, QuestionsMixin, ServiceFormMixin, FormView):
    permission_required = Perm.QUESTION_ASK
    http_method_names = ["post"]
    template_name = "tenders/questions/list.html"
    success_message = _("Your question is sent to IMIO. The answer will be published to every candidate.")
    prefix = "ask"

    def get_form(self, form_class=None):
        return QuestionForm(**self.get_form_kwargs(), tender=self.tender)

    def perform(self, form):
        return services.question_ask(
            actor=self.request.user,
            tender=self.tender,
            question=form.cleaned_data["question"],
            lot=form.cleaned_data["lot"],
        )

    def get_success_url(self):
        return self.questions_url()

    def get_context_data(self, **kwargs):
        return {"tender": self.tender, **self.page_context(ask_form=kwargs["form"])}


class QuestionAnswerView(PermissionRequiredMixin, QuestionsMixin, ServiceFormMixin, FormView):
    permission_required = Perm.QUESTION_ANSWER
    http_method_names = ["post"]
    template_name = "tenders/questions/list.html"
    success_message = _("The answer is published to every candidate.")

    @cached_property
    def question(self) -> Question:
        return get_object_or_404(selectors.questions_for(self.request.user, self.tender), pk=self.kwargs["question_pk"])

    def get_prefix(self):
        return f"q{self.question.pk}"

    def get_form(self, form_class=None):
        return AnswerForm(**self.get_form_kwargs())

    def perform(self, form):
        return services.question_answer(
            actor=self.request.user, question=self.question, answer=form.cleaned_data["answer"]
        )

    def get_success_url(self):
        return self.questions_url()

    def get_context_data(self, **kwargs):
        return {"tender": self.tender, **self.page_context(answer_forms={self.question.pk: kwargs["form"]})}
