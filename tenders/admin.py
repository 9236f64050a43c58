"""Read-only admin pages: the procedure runs through the application's pages and services.

A platform administrator can look up a tender, a bid's receipt or an agreement here, never a
bid's content: the admin shows no sealed field and no amount of a bid.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tenders.models import (
    AgreementAmendment,
    AgreementSupplier,
    Bid,
    FrameworkAgreement,
    Lot,
    NeedsSurvey,
    Question,
    Tender,
    TenderDocument,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NeedsSurvey)
class NeedsSurveyAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "closes_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    exclude = ["participants"]


class LotInline(ReadOnlyInline):
    model = Lot
    fields = ["number", "title", "estimated_value", "maximum_value", "duration_months", "supplier_mode", "status"]


class DocumentInline(ReadOnlyInline):
    model = TenderDocument
    fields = ["kind", "title", "sha256", "uploaded_at"]


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "procedure", "publication_level", "status", "submission_deadline"]
    list_filter = ["status", "procedure", "contract_type", "publication_level"]
    search_fields = ["reference", "title"]
    exclude = ["additional_cpv_codes", "beneficiaries"]
    inlines = [LotInline, DocumentInline]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    """A bid's receipt and status only: its content is sealed, and stays out of the admin."""

    list_display = ["tender", "lot", "supplier", "status", "channel", "submitted_at", "receipt_digest"]
    list_filter = ["status", "channel"]
    search_fields = ["tender__reference", "supplier__name"]
    fields = ["tender", "lot", "supplier", "status", "channel", "submitted_at", "receipt_digest", "status_reason"]
    ordering = ["tender", "lot__number", "submitted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("sealed").select_related("tender", "lot", "supplier")


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["tender", "asked_at", "answered_at"]
    search_fields = ["tender__reference", "question"]


class AgreementSupplierInline(ReadOnlyInline):
    model = AgreementSupplier
    fields = ["rank", "supplier", "active", "since", "until"]
    verbose_name_plural = _("suppliers")


class AmendmentInline(ReadOnlyInline):
    model = AgreementAmendment
    fields = ["kind", "legal_ground", "reason", "decided_at"]


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "start_date", "end_date", "maximum_value", "consumed_value"]
    list_filter = ["status", "supplier_mode"]
    search_fields = ["reference", "title"]
    exclude = ["beneficiaries"]
    inlines = [AgreementSupplierInline, AmendmentInline]
