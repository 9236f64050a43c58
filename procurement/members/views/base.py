"""What the web views share: permission checks, handing forms to services, the history of an object."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.views import View

from procurement.core.errors import DomainError
from procurement.core.selectors import audit_entries_for
from procurement.members.forms import add_service_errors

PAGE_SIZE = 50
RECENT_ENTRIES = 10


class AnyPermissionRequiredMixin(PermissionRequiredMixin):
    """Like Django's mixin, but one of the declared permissions suffices."""

    def has_permission(self) -> bool:
        return any(self.request.user.has_perm(permission) for permission in self.get_permission_required())


class ServiceFormMixin:
    """A form view whose valid data goes to a service (``perform``).

    The service's field errors are shown on the form; its refusal (``DomainError``) becomes
    an error message and a redirect; ``PermissionDenied`` is left to Django (403).
    """

    success_message = ""

    def perform(self, form):
        raise NotImplementedError

    def show_service_errors(self, error: ValidationError, form) -> None:
        add_service_errors(form, error)

    def get_success_message(self) -> str:
        return self.success_message

    def get_success_url(self) -> str:
        raise NotImplementedError

    def get_refusal_url(self) -> str:
        return self.get_success_url()

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ValidationError as error:
            self.show_service_errors(error, form)
            return self.form_invalid(form)
        except DomainError as error:
            messages.error(self.request, str(error))
            return HttpResponseRedirect(self.get_refusal_url())
        if message := self.get_success_message():
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())


class ServiceButtonView(View):
    """A button (a form without fields) whose POST calls a service (``perform``)."""

    http_method_names = ["post"]

    def perform(self):
        raise NotImplementedError

    def get_success_message(self) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    def get_refusal_url(self) -> str:
        return self.get_success_url()

    def post(self, request, *args, **kwargs):
        try:
            self.perform()
        except DomainError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self.get_refusal_url())
        messages.success(request, self.get_success_message())
        return HttpResponseRedirect(self.get_success_url())


def history_of(user, instance: models.Model, limit: int = RECENT_ENTRIES):
    """The audit entries about ``instance`` that ``user`` may read, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return audit_entries_for(user).filter(content_type=content_type, object_id=str(instance.pk))[:limit]
