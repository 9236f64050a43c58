"""Assertions shared by the web tests."""

from django.conf import settings
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url

from procurement.core.models import AuditEntry

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def assert_redirects_to_login(response) -> None:
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def fields_of(instance, *names: str) -> dict:
    """The stored values of ``names``, read again from the database."""
    instance.refresh_from_db()
    return {name: getattr(instance, name) for name in names}


def audit_total() -> int:
    return AuditEntry.objects.count()


def messages_of(response) -> list[str]:
    """The messages the request left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]
