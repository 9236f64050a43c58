"""Off-platform call-offs: orders members placed with a supplier directly, recorded by IMIO's buyer
(they consume the agreement's ceiling); members and suppliers read their own."""

from __future__ import annotations

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
from procurement.orders.forms import CallOffForm, ReasonForm
from procurement.orders.models import OffPlatformCallOff
from tenders import selectors as tender_selectors
from tenders.models import AgreementStatus


def may_record(user) -> bool:
    """IMIO's buyer, acting for the central purchasing body (as the services require)."""
    return user.acting.platform_wide and user.acting.has(Perm.ORDER_MANAGE)


class CallOffsMixin:
    template_name = "orders/call_offs.html"

    def record_form(self, data=None) -> CallOffForm:
        agreements = tender_selectors.agreements_for(self.request.user).filter(status=AgreementStatus.ACTIVE)
        return CallOffForm(data, agreements=agreements.order_by("reference"), prefix="record")

    @staticmethod
    def cancel_form(call_off, data=None) -> ReasonForm:
        return ReasonForm(data, prefix=f"cancel-{call_off.pk}", help_text=_("Its amount goes back to the agreement."))

    def call_offs_context(self, *, record=None, cancel: tuple[int, ReasonForm] | None = None) -> dict:
        user = self.request.user
        page = Paginator(selectors.call_offs_for(user), PAGE_SIZE).get_page(self.request.GET.get("page"))
        recording = may_record(user)
        rows = []
        for call_off in page.object_list:
            form = None
            if recording and not call_off.cancelled:
                form = cancel[1] if cancel and cancel[0] == call_off.pk else self.cancel_form(call_off)
            rows.append((call_off, form))
        return {
            "rows": rows,
            "page_obj": page,
            "record_form": (record or self.record_form()) if recording else None,
        }

    def get_success_url(self) -> str:
        return reverse("call_offs")


class CallOffListView(PermissionRequiredMixin, CallOffsMixin, TemplateView):
    permission_required = Perm.ORDER_VIEW

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.call_offs_context())


class CallOffRecordView(PermissionRequiredMixin, CallOffsMixin, ServiceFormMixin, FormView):
    """The call-off consumes the agreement's ceiling, or is refused when it does not fit."""

    permission_required = Perm.ORDER_MANAGE
    http_method_names = ["post"]

    def get_form(self, form_class=None):
        return self.record_form(self.request.POST)

    def get_context_data(self, **kwargs):
        return self.call_offs_context(record=kwargs["form"])

    def perform(self, form):
        return services.call_off_record(actor=self.request.user, **form.cleaned_data)

    def get_success_message(self):
        call_off = self.result
        return _("The call-off %(reference)s of %(member)s is recorded against %(agreement)s.") % {
            "reference": call_off.reference,
            "member": call_off.member.name,
            "agreement": call_off.agreement.reference,
        }


class CallOffCancelView(PermissionRequiredMixin, CallOffsMixin, ServiceFormMixin, FormView):
    permission_required = Perm.ORDER_MANAGE
    http_method_names = ["post"]

    @cached_property
    def call_off(self) -> OffPlatformCallOff:
        return get_object_or_404(selectors.call_offs_for(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, form_class=None):
        return self.cancel_form(self.call_off, self.request.POST)

    def get_context_data(self, **kwargs):
        return self.call_offs_context(cancel=(self.call_off.pk, kwargs["form"]))

    def perform(self, form):
        return services.call_off_cancel(
            actor=self.request.user, call_off=self.call_off, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self):
        return _("The call-off %(reference)s is cancelled; its amount went back to the agreement.") % {
            "reference": self.call_off.reference
        }
