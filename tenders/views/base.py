"""What the tender pages share: the objects of the URL (among those the person may see, with
what time has done to them applied), forms and buttons that hand over to a service, and the
one way a page reads a bid's content."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property

from procurement.core.audit_catalog import action_label
from procurement.core.permissions import Perm
from procurement.members.views import base as members_base
from procurement.members.views.base import ServiceButtonView, history_of
from tenders import sealed_bids, selectors, services
from tenders.forms import add_service_errors
from tenders.models import Bid, Tender
from tenders.sealed_bids import BidContent, BidSealed

# The steps of a tender or an agreement, as its history names them.


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    actor: str
    action: str


def history(user, instance, limit: int) -> list[HistoryEntry] | None:
    """Who did what when to ``instance``, for those who may read the audit trail (``None`` for the others)."""
    if not user.has_perm(Perm.AUDIT_VIEW):
        return None
    return [
        HistoryEntry(entry.at, entry.actor_name, action_label(entry.action))
        for entry in history_of(user, instance, limit=limit)
    ]


def error_messages(error: ValidationError) -> list[str]:
    """A service's field errors as sentences for a message (a button has no field to show them on)."""
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


class ServiceFormMixin(members_base.ServiceFormMixin):
    """The members' service form, with the service's field errors on the formset row they name (``rows()``)."""

    def rows(self) -> dict:
        return {}

    def show_service_errors(self, error: ValidationError, form) -> None:
        add_service_errors(error, form, self.rows())


class ButtonView(ServiceButtonView):
    """A button calling a service; what the service refuses, field errors included, becomes messages."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as error:
            for message in error_messages(error):
                messages.error(request, message)
            return HttpResponseRedirect(self.get_refusal_url())


class TenderMixin:
    """The tender of the URL among those the person may see (another one is a 404), brought up to date."""

    tender_kwarg = "pk"

    @cached_property
    def tender(self) -> Tender:
        tender = get_object_or_404(selectors.tenders_for(self.request.user), pk=self.kwargs[self.tender_kwarg])
        return services.advance_tender(tender)

    def tender_url(self) -> str:
        return reverse("tender_detail", kwargs={"pk": self.tender.pk})

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tender", self.tender)
        return super().get_context_data(**kwargs)


class BidMixin:
    """The bid of the URL among those the person may see: one's own, or all of them for IMIO."""

    @cached_property
    def bid(self) -> Bid:
        bid = get_object_or_404(selectors.bids_for(self.request.user), pk=self.kwargs["pk"])
        services.advance_tender(bid.tender)
        return bid

    def bid_url(self) -> str:
        return reverse("bid_detail", kwargs={"pk": self.bid.pk})


def readable_content(user, bid: Bid) -> BidContent | None:
    """The bid's content if ``user`` may read it now (its own supplier, or anyone after the opening)."""
    try:
        return sealed_bids.open_content(bid, organization_id=user.acting.organization_id)
    except BidSealed:
        return None
