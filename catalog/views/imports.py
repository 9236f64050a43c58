"""Price-list imports of an agreement: the history, the upload (a dry run), the preview with its
errors and changes, then applying it — or, for a supplier, proposing it to IMIO's buyer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from catalog import exports, selectors, services
from catalog.forms import ImportUploadForm
from catalog.models import ImportStatus, PriceListImport
from catalog.views.base import AgreementMixin, is_buyer
from procurement.core.permissions import Perm
from procurement.members.models import Organization
from procurement.members.views.base import PAGE_SIZE, AnyPermissionRequiredMixin
from tenders.forms import ReasonForm
from tenders.views.base import ButtonView, ServiceFormMixin

IMPORT_PERMISSIONS = (Perm.CATALOG_MANAGE, Perm.CATALOG_PROPOSE)
IN_PROGRESS = (ImportStatus.PENDING, ImportStatus.APPLYING)
REFRESH_SECONDS = 2
# A file's columns as the import format heads them (the errors name the fields).
COLUMN_HEADERS = {**dict(exports.COLUMNS), "cpv_code": dict(exports.COLUMNS)["cpv_code_id"]}


def column_label(column: str | None) -> str:
    if not column:
        return "—"
    return COLUMN_HEADERS.get(column, column)


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    reason: str


@dataclass(frozen=True)
class Change:
    reference: str
    old_price: Decimal
    new_price: Decimal
    price_changed: bool


def changes_of(price_import: PriceListImport) -> list[Change]:
    return [
        Change(change["reference"], Decimal(change["old_price"]), Decimal(change["new_price"]), change["price_changed"])
        for change in price_import.changes
    ]


class ImportsView(AnyPermissionRequiredMixin, AgreementMixin, ServiceFormMixin, FormView):
    """The imports of the agreement (a supplier: its own), and the form that uploads a new one."""

    permission_required = IMPORT_PERMISSIONS
    template_name = "catalog/imports/list.html"

    def suppliers(self):
        """The agreement's current suppliers, for IMIO's buyer to choose from; a supplier uploads its own."""
        links = [link for link in self.agreement.supplier_links.all() if link.active]
        if not is_buyer(self.request.user) or len(links) < 2:
            return None
        return Organization.objects.filter(pk__in=[link.supplier_id for link in links]).order_by("name")

    def get_form(self, form_class=None):
        return ImportUploadForm(**self.get_form_kwargs(), suppliers=self.suppliers())

    def perform(self, form):
        return services.import_upload(actor=self.request.user, agreement=self.agreement, **form.service_fields())

    def get_success_message(self):
        if self.result.status == ImportStatus.PENDING:
            return _("The file is being read; this page shows how far it has gone.")
        if self.result.status == ImportStatus.FAILED:
            return _("The file cannot be read: see why below.")
        return _("The file is read: check the preview, then apply it.")

    def get_success_url(self):
        return reverse("catalog_import", kwargs={"pk": self.result.pk})

    def get_refusal_url(self):
        return reverse("catalog_imports", kwargs={"pk": self.agreement.pk})

    def get_context_data(self, **kwargs):
        imports = selectors.imports_for(self.request.user).filter(agreement=self.agreement)
        page = Paginator(imports, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            **kwargs, imports=page.object_list, page_obj=page, applies_as_proposal=not is_buyer(self.request.user)
        )


class ImportMixin:
    """The import of the URL among those the person may see (a supplier's own; all for IMIO)."""

    @cached_property
    def price_import(self) -> PriceListImport:
        return get_object_or_404(selectors.imports_for(self.request.user), pk=self.kwargs["pk"])

    def import_url(self) -> str:
        return reverse("catalog_import", kwargs={"pk": self.price_import.pk})

    def actions(self) -> dict:
        price_import, buyer = self.price_import, is_buyer(self.request.user)
        previewed = price_import.status == ImportStatus.PREVIEWED
        return {
            "can_apply": previewed,
            "can_apply_valid_rows": previewed and buyer and price_import.errors_count > 0 and price_import.rows_ok > 0,
            "can_decide": price_import.status == ImportStatus.PROPOSED and buyer,
            "applies_as_proposal": not buyer,
        }

    def detail_context(self, reject=None) -> dict:
        price_import = self.price_import
        context = {
            "price_import": price_import,
            "agreement": price_import.agreement,
            "row_errors": [
                RowError(error.get("row"), column_label(error.get("column")), error.get("reason", ""))
                for error in price_import.errors
            ],
            "changes": changes_of(price_import),
            "in_progress": price_import.status in IN_PROGRESS,
            **self.actions(),
        }
        if context["in_progress"]:
            context["progress_done"], context["progress_total"] = services.progress(price_import)
        if context["can_decide"]:
            context["reject_form"] = reject or reject_form()
        return context


class ImportDetailView(AnyPermissionRequiredMixin, ImportMixin, TemplateView):
    """The dry run: counts, errors by row and column, the price changes; and what may be done next."""

    permission_required = IMPORT_PERMISSIONS
    template_name = "catalog/imports/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **self.detail_context())

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["in_progress"]:
            response["Refresh"] = str(REFRESH_SECONDS)  # the page reloads itself until the work is done
        return response


def reject_form(data=None) -> ReasonForm:
    return ReasonForm(data, prefix="reject", help_text=gettext_lazy("The supplier reads it."))


class ImportProgressView(AnyPermissionRequiredMixin, ImportMixin, View):
    """How far the reading or the application of a big file has gone, for a script or a page."""

    permission_required = IMPORT_PERMISSIONS

    def get(self, request, pk):
        price_import = self.price_import
        done, total = services.progress(price_import)
        return JsonResponse(
            {
                "status": price_import.status,
                "status_label": price_import.get_status_display(),
                "done": done,
                "total": total,
            }
        )


class ImportApplyView(AnyPermissionRequiredMixin, ImportMixin, ButtonView):
    """All or nothing. IMIO's buyer applies; the supplier's own list becomes a proposal."""

    permission_required = IMPORT_PERMISSIONS
    valid_rows_only = False

    def perform(self):
        self.result = services.import_apply(
            actor=self.request.user, price_import=self.price_import, valid_rows_only=self.valid_rows_only
        )

    def get_success_message(self):
        return applied_message(self.result)

    def get_success_url(self):
        return self.import_url()


class ImportApplyValidRowsView(ImportApplyView):
    """IMIO's buyer applies the rows without errors of a file that has some."""

    permission_required = (Perm.CATALOG_MANAGE,)
    valid_rows_only = True


class ImportApproveView(AnyPermissionRequiredMixin, ImportMixin, ButtonView):
    permission_required = (Perm.CATALOG_MANAGE,)

    def perform(self):
        self.result = services.import_approve(actor=self.request.user, price_import=self.price_import)

    def get_success_message(self):
        return applied_message(self.result)

    def get_success_url(self):
        return self.import_url()


class ImportRejectView(AnyPermissionRequiredMixin, ImportMixin, ServiceFormMixin, FormView):
    """The reason is required; without it, the import's page comes back with the error on the field."""

    permission_required = (Perm.CATALOG_MANAGE,)
    http_method_names = ["post"]
    template_name = "catalog/imports/detail.html"
    success_message = gettext_lazy("The proposal is rejected; the supplier can read why.")

    def get_form(self, form_class=None):
        return reject_form(self.request.POST)

    def get_context_data(self, **kwargs):
        return self.detail_context(reject=kwargs["form"])

    def perform(self, form):
        return services.import_reject(
            actor=self.request.user, price_import=self.price_import, reason=form.cleaned_data["reason"]
        )

    def get_success_url(self):
        return self.import_url()


def applied_message(price_import: PriceListImport) -> str:
    if price_import.status == ImportStatus.PROPOSED:
        return _("Your price list is proposed to the central purchasing body; prices change when a buyer approves it.")
    if price_import.status == ImportStatus.APPLYING:
        return _("The price list is being applied; this page shows how far it has gone.")
    return _("The price list is applied: %(added)s lines added, %(changed)s changed, %(withdrawn)s withdrawn.") % {
        "added": price_import.to_add,
        "changed": price_import.to_change,
        "withdrawn": price_import.to_withdraw,
    }
