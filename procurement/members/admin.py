"""The admin site for platform administrators. Every change goes through the services, so
that the rules and the audit trail hold here too."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from procurement.core.errors import DomainError
from procurement.members import services
from procurement.members.models import Membership, Organization, RoleAssignment, User
from procurement.members.services.organizations import ORGANIZATION_FIELDS


class OrganizationAdminForm(forms.ModelForm):
    """Shows the services' own validation (identifiers normalised and checked) as form errors."""

    enterprise_number = forms.CharField(label=_("enterprise number"), max_length=20, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)

    class Meta:
        model = Organization
        fields = list(ORGANIZATION_FIELDS)

    def _post_clean(self):
        # The service's validation replaces the model form's: it normalises the identifiers
        # (a dotted enterprise number is longer than the stored one) before the model checks.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        try:
            services.organization_validate(self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enterprise_number_display", "nis_code", "city", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "enterprise_number", "nis_code", "city"]
    form = OrganizationAdminForm
    fields = list(ORGANIZATION_FIELDS)

    @admin.display(description=_("enterprise number"), ordering="enterprise_number")
    def enterprise_number_display(self, organization):
        return organization.enterprise_number_display

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in ORGANIZATION_FIELDS if name in form.cleaned_data}
        if change:
            changed = {name: values[name] for name in form.changed_data if name in values}
            saved = services.organization_update(actor=request.user, organization=obj, **changed)
        else:
            saved = services.organization_create(actor=request.user, **values)
        obj.pk = saved.pk
        obj.refresh_from_db()


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["organization", "role", "granted_at", "granted_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts; roles are granted from the people pages or the API so that they are audited."""

    inlines = [RoleAssignmentInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "active_organization", "last_login", "date_joined")}),
    )
    readonly_fields = ["is_staff", "active_organization", "last_login", "date_joined"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships change state through the actions (activate from the member pages)."""

    list_display = ["member", "status", "decision_date", "decision_reference", "requested_at", "status_changed_at"]
    list_filter = ["status", "member__kind"]
    search_fields = ["member__name", "decision_reference"]
    list_select_related = ["member"]
    readonly_fields = [field.name for field in Membership._meta.fields]
    actions = ["suspend", "terminate"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _apply(self, request, queryset, service):
        for membership in queryset:
            try:
                service(actor=request.user, membership=membership, reason=str(_("Decided in the administration site.")))
            except (DomainError, ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{membership}: {error}", messages.ERROR)

    @admin.action(description=_("Suspend the selected memberships"))
    def suspend(self, request, queryset):
        self._apply(request, queryset, services.membership_suspend)

    @admin.action(description=_("Terminate the selected memberships"))
    def terminate(self, request, queryset):
        self._apply(request, queryset, services.membership_terminate)
