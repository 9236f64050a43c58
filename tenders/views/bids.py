"""Bids: a supplier submits, replaces or withdraws its sealed bid per lot, and reads its receipt.

A bid's content (amounts, answers, attachments) is read only through ``readable_content``
(``tenders.sealed_bids``): its own supplier reads it at any time, IMIO only after the opening.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from procurement.core.permissions import Perm
from procurement.members.views.base import PAGE_SIZE
from tenders import sealed_bids, selectors, services
from tenders.forms import BidContentForm, BidReplaceForm, ScheduleFormSet, rows_of, schedule_of
from tenders.models import Bid, BidStatus, CriterionKind, Lot
from tenders.sealed_bids import BidSealed
from tenders.views.base import BidMixin, ButtonView, ServiceFormMixin, TenderMixin, readable_content


class BidListView(PermissionRequiredMixin, ListView):
    """A supplier's own bids (IMIO: every bid of a published tender). Never an amount here."""

    permission_required = Perm.BID_VIEW
    template_name = "tenders/bids/list.html"
    context_object_name = "bids"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        services.close_due_tenders()  # what time did, before the list is read
        return selectors.bids_for(self.request.user).order_by("-submitted_at", "-pk")


def answered_criteria(bid: Bid, content) -> list[tuple[str, str]]:
    """``(criterion, answer)`` in the tender's order."""
    if content is None or not content.answers:
        return []
    criteria = bid.tender.criteria.filter(kind=CriterionKind.QUALITY)
    return [(criterion.name, content.answers.get(str(criterion.pk), "")) for criterion in criteria]


class BidDetailView(PermissionRequiredMixin, BidMixin, TemplateView):
    """The deposit receipt (time, SHA-256) and, for whoever may read it now, the content."""

    permission_required = Perm.BID_VIEW
    template_name = "tenders/bids/detail.html"

    def get_context_data(self, **kwargs):
        user, bid = self.request.user, self.bid
        content = readable_content(user, bid)
        own = bid.supplier_id == user.acting.organization_id
        may_change = own and user.has_perm(Perm.BID_SUBMIT) and bid.tender.accepts_bids()
        return super().get_context_data(
            **kwargs,
            bid=bid,
            tender=bid.tender,
            content=content,
            answers=answered_criteria(bid, content),
            own=own,
            can_replace=may_change and bid.status == BidStatus.SUBMITTED,
            can_resubmit=may_change and bid.status == BidStatus.WITHDRAWN,
            # A bidder reads its points and rank with the award decision; IMIO as soon as they exist.
            show_evaluation=bid.rank is not None
            and (user.acting.platform_wide or bid.status in (BidStatus.AWARDED, BidStatus.NOT_AWARDED)),
        )


class BidAttachmentView(PermissionRequiredMixin, BidMixin, View):
    """An attachment, unsealed for whoever may read the bid now; a sealed one does not exist for others."""

    permission_required = Perm.BID_VIEW

    def get(self, request, pk, attachment_id):
        organization_id = request.user.acting.organization_id
        try:
            content = sealed_bids.open_content(self.bid, organization_id=organization_id)
            ref = next((ref for ref in content.attachments if ref.id == attachment_id), None)
            if ref is None:
                raise Http404
            data = sealed_bids.open_attachment(self.bid, ref, organization_id=organization_id)
        except BidSealed as sealed:
            raise Http404 from sealed
        response = HttpResponse(data, content_type=ref.content_type)
        response["Content-Disposition"] = f'attachment; filename="{ref.name.replace(chr(34), "")}"'
        return response


class BidFormMixin(ServiceFormMixin):
    """The bid's content: a total or a price schedule (formset), answers, attachments."""

    template_name = "tenders/bids/form.html"

    def quality_criteria(self):
        return self.tender.criteria.filter(kind=CriterionKind.QUALITY)

    def initial_schedule(self) -> list[dict]:
        return []

    @cached_property
    def schedule_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return ScheduleFormSet(data, prefix="schedule", initial=self.initial_schedule())

    def rows(self) -> dict:
        return {"schedule": rows_of(self.schedule_formset)}

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        valid = [form.is_valid(), self.schedule_formset.is_valid()]
        return self.form_valid(form) if all(valid) else self.form_invalid(form)

    def content(self, form) -> dict:
        return {
            "total_amount": form.cleaned_data["total_amount"],
            "schedule": schedule_of(self.schedule_formset) or None,
            "answers": form.answers(),
        }

    def get_success_url(self):
        return reverse("bid_detail", kwargs={"pk": self.result.pk})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, schedule_formset=self.schedule_formset)


class BidSubmitView(PermissionRequiredMixin, TenderMixin, BidFormMixin, FormView):
    """Submit the bid for a lot (again, after a withdrawal); a submitted one is replaced instead."""

    permission_required = Perm.BID_SUBMIT
    success_message = _("Your bid is sealed and deposited. Keep the receipt below.")

    @cached_property
    def lot(self) -> Lot:
        return get_object_or_404(self.tender.lots.all(), pk=self.kwargs["lot_pk"])

    @cached_property
    def existing(self) -> Bid | None:
        return selectors.bids_for(self.request.user).filter(lot=self.lot).first()

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if self.existing is not None and self.existing.status == BidStatus.SUBMITTED:
            messages.info(request, _("You already have a bid for this lot: you can replace it or withdraw it."))
            return HttpResponseRedirect(reverse("bid_detail", kwargs={"pk": self.existing.pk}))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return BidContentForm(**self.get_form_kwargs(), criteria=self.quality_criteria())

    def perform(self, form):
        return services.bid_submit(
            actor=self.request.user, lot=self.lot, **self.content(form), attachments=form.cleaned_data["attachments"]
        )

    def get_refusal_url(self):
        return self.tender_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, lot=self.lot, accepts_bids=self.tender.accepts_bids())


class BidReplaceView(PermissionRequiredMixin, BidMixin, BidFormMixin, FormView):
    """A new content for a submitted bid, until the deadline: a new receipt."""

    permission_required = Perm.BID_SUBMIT
    success_message = _("Your bid is replaced, sealed and deposited. Keep the new receipt below.")

    @property
    def tender(self):
        return self.bid.tender

    @cached_property
    def current(self):
        content = readable_content(self.request.user, self.bid)
        if content is None or self.bid.supplier_id != self.request.user.acting.organization_id:
            raise Http404
        return content

    def get_form(self, form_class=None):
        return BidReplaceForm(**self.get_form_kwargs(), criteria=self.quality_criteria())

    def get_initial(self):
        initial = {"total_amount": self.current.total_amount}
        for criterion in self.quality_criteria():
            initial[BidContentForm.answer_field(criterion)] = self.current.answers.get(str(criterion.pk), "")
        return initial

    def initial_schedule(self):
        return [
            {
                "description": line.description,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in self.current.schedule
        ]

    def perform(self, form):
        return services.bid_replace(
            actor=self.request.user, bid=self.bid, **self.content(form), attachments=form.attachments_to_send()
        )

    def get_refusal_url(self):
        return self.bid_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            bid=self.bid,
            tender=self.tender,
            lot=self.bid.lot,
            accepts_bids=self.tender.accepts_bids(),
            current_attachments=self.current.attachments,
        )


class BidWithdrawView(PermissionRequiredMixin, BidMixin, ButtonView):
    permission_required = Perm.BID_SUBMIT

    def perform(self):
        services.bid_withdraw(actor=self.request.user, bid=self.bid)

    def get_success_message(self):
        return _("Your bid is withdrawn. You can submit a new one until the deadline.")

    def get_success_url(self):
        return self.bid_url()
