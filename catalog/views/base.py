"""What the catalogue pages share: the agreement of the URL, and who counts as IMIO's buyer."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from procurement.core.permissions import Perm
from tenders import selectors as tender_selectors
from tenders import services as tender_services
from tenders.models import AgreementStatus, FrameworkAgreement

OPEN_AGREEMENT = (AgreementStatus.ACTIVE, AgreementStatus.EXHAUSTED)


def is_buyer(user) -> bool:
    """IMIO's buyer: imports apply at once, proposals are theirs to decide (as the services see it)."""
    return user.acting.platform_wide and user.acting.has(Perm.CATALOG_MANAGE)


class AgreementMixin:
    """The agreement of the URL among those the person may see (another one is a 404), brought up to date."""

    @cached_property
    def agreement(self) -> FrameworkAgreement:
        agreement = get_object_or_404(tender_selectors.agreements_for(self.request.user), pk=self.kwargs["pk"])
        return tender_services.advance_agreement(agreement)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("agreement", self.agreement)
        kwargs.setdefault("catalogue_open", self.agreement.status in OPEN_AGREEMENT)
        return super().get_context_data(**kwargs)
