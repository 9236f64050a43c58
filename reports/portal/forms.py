"""The portal's search forms: what a visitor may filter the public tenders and agreements by.

Each form filters a queryset that :mod:`reports.public` already limited to what is public.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from procurement.core.models import CpvCode
from procurement.members.forms import WebForm
from tenders.models import AgreementStatus, ContractType, Lot, Procedure, Tender, TenderStatus

CPV_TYPED = re.compile(r"^\d{1,8}(-\d)?$")


class PublicState(models.TextChoices):
    """Where a tender stands, as the public reads it (the filter of the list and its badge)."""

    OPEN = "open", _("open for bids")
    EVALUATION = "evaluation", _("under evaluation")
    AWARDED = "awarded", _("awarded")
    CLOSED = "closed", _("closed without award")


EVALUATION_STATUSES = (TenderStatus.BIDS_CLOSED, TenderStatus.OPENED, TenderStatus.EVALUATED)
AWARDED_STATUSES = (TenderStatus.AWARDED, TenderStatus.CONCLUDED)
CLOSED_STATUSES = (TenderStatus.CANCELLED, TenderStatus.UNSUCCESSFUL)


def state_filter(state: str, now: datetime.datetime) -> Q:
    published = Q(status=TenderStatus.PUBLISHED)
    return {
        PublicState.OPEN: published & Q(submission_deadline__gt=now),
        PublicState.EVALUATION: Q(status__in=EVALUATION_STATUSES) | (published & Q(submission_deadline__lte=now)),
        PublicState.AWARDED: Q(status__in=AWARDED_STATUSES),
        PublicState.CLOSED: Q(status__in=CLOSED_STATUSES),
    }[state]


def state_of(tender: Tender, now: datetime.datetime) -> PublicState:
    if tender.status == TenderStatus.PUBLISHED:
        return PublicState.OPEN if tender.accepts_bids(now) else PublicState.EVALUATION
    if tender.status in AWARDED_STATUSES:
        return PublicState.AWARDED
    if tender.status in CLOSED_STATUSES:
        return PublicState.CLOSED
    return PublicState.EVALUATION


def cpv_prefix(text: str) -> str:
    """The digits a CPV code of the tender must start with.

    A whole code (``30190000-7``) stands for itself and the codes under it (``30192000-1``),
    like a group of the vocabulary; a few digits (``3019``) are a prefix as typed.
    """
    digits = text.split("-")[0]
    if len(digits) == 8:
        code = CpvCode.objects.filter(code__startswith=f"{digits}-").only("code", "level").first()
        if code is not None:
            return code.digits
    return digits


class CpvPrefixField(forms.CharField):
    default_error_messages = {"invalid": _("Type a CPV code (30192000-1) or its first digits (3019).")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("A code (30192000-1) or its first digits (3019)."))
        super().__init__(**kwargs)
        self.widget.attrs.update(autocomplete="off", size=12)

    def to_python(self, value):
        text = super().to_python(value).replace(" ", "").replace(".", "")
        if text and not CPV_TYPED.match(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return text


def _choices(blank_label, choices) -> list[tuple[str, str]]:
    return [("", blank_label), *choices]


class TenderFilterForm(WebForm):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Reference, title, description or title of a lot.")
    )
    state = forms.ChoiceField(label=_("Status"), required=False, choices=_choices(_("Any"), PublicState.choices))
    cpv = CpvPrefixField(label=_("CPV code"))
    procedure = forms.ChoiceField(label=_("Procedure"), required=False, choices=_choices(_("Any"), Procedure.choices))
    contract_type = forms.ChoiceField(
        label=_("Contract type"), required=False, choices=_choices(_("Any"), ContractType.choices)
    )

    def filter(self, queryset: QuerySet[Tender], *, now: datetime.datetime) -> QuerySet[Tender]:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state_filter(data["state"], now))
        if data["procedure"]:
            queryset = queryset.filter(procedure=data["procedure"])
        if data["contract_type"]:
            queryset = queryset.filter(contract_type=data["contract_type"])
        if data["cpv"]:
            prefix = cpv_prefix(data["cpv"])
            lots = Lot.objects.filter(tender=OuterRef("pk"), cpv_code__code__startswith=prefix)
            queryset = queryset.filter(Q(cpv_code__code__startswith=prefix) | Exists(lots))
        if text := data["q"].strip():
            lots = Lot.objects.filter(tender=OuterRef("pk"), title__icontains=text)
            queryset = queryset.filter(
                Q(reference__icontains=text) | Q(title__icontains=text) | Q(description__icontains=text) | Exists(lots)
            )
        return queryset


class AgreementFilterForm(WebForm):
    """Active agreements unless another status (or any) is chosen."""

    q = forms.CharField(label=_("Search"), required=False, help_text=_("Reference or title."))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_choices(_("Any"), AgreementStatus.choices))
    cpv = CpvPrefixField(label=_("CPV code"))

    def __init__(self, data=None, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = AgreementStatus.ACTIVE
        super().__init__(data, **kwargs)

    def filter(self, queryset: QuerySet) -> QuerySet:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["cpv"]:
            prefix = cpv_prefix(data["cpv"])
            queryset = queryset.filter(
                Q(lot__cpv_code__code__startswith=prefix) | Q(tender__cpv_code__code__startswith=prefix)
            )
        if text := data["q"].strip():
            queryset = queryset.filter(Q(reference__icontains=text) | Q(title__icontains=text))
        return queryset
