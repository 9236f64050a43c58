"""The audit trail: one entry per change of state, with secrets redacted.

Services call :func:`record` inside their transaction, so that a change and its entry are
written together or not at all. A model declares which of its fields are secret with an
``audit_secret_fields`` attribute (a set, or a property when the secrecy depends on the
object's state, such as a sealed bid's amount before opening); names that look like
credentials (password, token, secret, key) are always redacted.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import translation

from procurement.core.models import AuditEntry, AuditScope

REDACTED = "[redacted]"
_CREDENTIAL_WORDS = ("password", "token", "secret", "api_key", "apikey")


def is_credential(name: str) -> bool:
    lowered = name.lower()
    return lowered == "key" or any(word in lowered for word in _CREDENTIAL_WORDS)


def to_json(value: Any) -> Any:
    """A JSON-safe copy of a field value: amounts and dates as strings, files by name."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [to_json(item) for item in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by id), ready for the audit trail."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = to_json(getattr(instance, attname))
    return values


def redact(values: Mapping[str, Any] | None, secret_fields: Iterable[str] = ()) -> dict[str, Any] | None:
    if values is None:
        return None
    secret = set(secret_fields)
    return {
        name: REDACTED if (name in secret or is_credential(name)) and value not in (None, "") else value
        for name, value in values.items()
    }


def object_repr(target: models.Model) -> str:
    """How the object is named in the trail: in the platform's language, whoever was acting."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(target)[:200]


def record(
    *,
    actor,
    action: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    organizations: Iterable[int | None] = (),
) -> AuditEntry:
    """Write one audit entry about ``target``.

    ``actor`` is the user who acted (``None`` for the system: a scheduled transition).
    ``organizations`` are the ids of the organisations that may read the entry besides the
    central purchasing body, which reads everything.
    """
    secret_fields = getattr(target, "audit_secret_fields", ()) or ()
    acting_organization = getattr(actor, "active_organization_id", None) if actor is not None else None
    entry = AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None and actor.pk else "",
        actor_organization_id=acting_organization,
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        object_id=str(target.pk),
        object_repr=object_repr(target),
        before=redact(to_json(before), secret_fields),
        after=redact(to_json(after), secret_fields),
        data=redact(to_json(data or {}), secret_fields),
    )
    scope_ids = {organization_id for organization_id in organizations if organization_id is not None}
    AuditScope.objects.bulk_create(AuditScope(entry=entry, organization_id=org_id) for org_id in sorted(scope_ids))
    return entry
