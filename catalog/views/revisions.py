"""Price revisions of an agreement (IMIO's buyer): the list, indexation by a percentage or by the
revision formula of the specifications, effective from a date."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from catalog import selectors, services
from catalog.forms import FormulaRevisionForm, PercentageRevisionForm, RevisionForm
from catalog.models import PriceRevisionKind
from catalog.views.base import AgreementMixin
from procurement.core.permissions import Perm
from tenders.views.base import ServiceFormMixin

REVISION_FORMS = {
    PriceRevisionKind.PERCENTAGE: (PercentageRevisionForm, gettext_lazy("Index by a percentage")),
    PriceRevisionKind.FORMULA: (FormulaRevisionForm, gettext_lazy("Apply the revision formula")),
}


@dataclass(frozen=True)
class RevisionChoice:
    kind: str
    title: str
    form: RevisionForm
    url: str


class RevisionsMixin(AgreementMixin):
    def revision_form(self, kind: str, data=None) -> RevisionForm:
        form_class, _title = REVISION_FORMS[kind]
        return form_class(data, prefix=kind)

    def revisions_context(self, **bound) -> dict:
        agreement = self.agreement
        revisions = (
            selectors.revisions_for(self.request.user)
            .filter(agreement=agreement)
            .select_related("created_by", "source_import")
        )
        choices = [
            RevisionChoice(
                kind=kind,
                title=title,
                form=bound.get(kind) or self.revision_form(kind),
                url=reverse(f"catalog_revision_{kind}", kwargs={"pk": agreement.pk}),
            )
            for kind, (_form_class, title) in REVISION_FORMS.items()
        ]
        return {"revisions": revisions, "choices": choices}


class RevisionsView(PermissionRequiredMixin, RevisionsMixin, TemplateView):
    permission_required = Perm.CATALOG_MANAGE
    template_name = "catalog/revisions.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.revisions_context())


class RevisionCreateView(PermissionRequiredMixin, RevisionsMixin, ServiceFormMixin, FormView):
    """A revision posted from the revisions page; with an error, the page comes back with it."""

    permission_required = Perm.CATALOG_MANAGE
    http_method_names = ["post"]
    template_name = "catalog/revisions.html"
    kind = ""

    def get_form(self, form_class=None):
        return self.revision_form(self.kind, self.request.POST)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.revisions_context(**{self.kind: kwargs["form"]}))

    def perform(self, form):
        return services.revision_create(actor=self.request.user, agreement=self.agreement, **form.service_fields())

    def get_success_message(self):
        revision = self.result
        return _("The revision is recorded: %(count)s lines get a new price from %(date)s.") % {
            "count": revision.items_count,
            "date": revision.effective_date.strftime("%d/%m/%Y"),
        }

    def get_success_url(self):
        return reverse("catalog_revisions", kwargs={"pk": self.agreement.pk})


class PercentageRevisionView(RevisionCreateView):
    kind = PriceRevisionKind.PERCENTAGE


class FormulaRevisionView(RevisionCreateView):
    kind = PriceRevisionKind.FORMULA
