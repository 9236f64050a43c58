"""The member's approval chain (its administrator): the steps an order goes through before it is sent."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from procurement.core.permissions import Perm
from procurement.members.views.base import ServiceFormMixin
from procurement.orders import services
from procurement.orders.forms import ApprovalChainForm, approval_step_formset, steps_of
from procurement.orders.models import ApprovalStep
from procurement.orders.services.chains import MAX_STEPS


class ApprovalChainView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """Up to five steps, each a visa or a decision, from an amount or for every order; saved as a whole."""

    permission_required = Perm.APPROVAL_CONFIGURE
    template_name = "orders/approval_chain.html"
    form_class = ApprovalChainForm
    success_message = _("The approval chain is saved: it applies to orders submitted from now on.")

    @cached_property
    def steps(self) -> list[ApprovalStep]:
        return list(ApprovalStep.objects.filter(organization=self.request.user.acting.organization))

    @cached_property
    def formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return approval_step_formset(data, steps=self.steps, max_steps=MAX_STEPS)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid() and self.formset.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def perform(self, form):
        return services.approval_chain_set(actor=self.request.user, steps=steps_of(self.formset))

    def get_success_url(self):
        return reverse("approval_chain")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, formset=self.formset, configured=self.steps, max_steps=MAX_STEPS)
