"""Errors to HTTP: a domain refusal is a 409 with ``{"code", "detail"}``, a Django
``ValidationError`` a 400 with field errors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from procurement.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=django_error_detail(exc))
    return drf_exception_handler(exc, context)


def django_error_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """Django's field errors in DRF's shape: ``{"field": ["message"], "non_field_errors": [...]}``."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}
