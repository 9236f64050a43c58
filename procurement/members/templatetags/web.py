"""Small presentation helpers of the web interface: Belgian dates, labels, audit details."""

from __future__ import annotations

import datetime
import re

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import yesno
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from procurement.core import audit_catalog
from procurement.core.permissions import Role
from procurement.members.models import MembershipStatus

register = template.Library()
ROLE_LABELS = dict(Role.choices)

BELGIAN_DATE = "d/m/Y"
BELGIAN_DATETIME = "d/m/Y H:i"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")
# The page of an audited object, by model.
OBJECT_URL_NAMES = {
    "members.organization": "organization_detail",
    "members.membership": "membership_detail",
    "members.user": "person_detail",
}


@register.filter(expects_localtime=True)
def be_date(value) -> str:
    """``31/12/2026``: the way dates are written in Belgium, whatever the language."""
    return dateformat.format(value, BELGIAN_DATE) if value else ""


@register.filter(expects_localtime=True)
def be_datetime(value) -> str:
    return dateformat.format(value, BELGIAN_DATETIME) if value else ""


@register.filter
def membership_status_label(status: str | None) -> str:
    return MembershipStatus(status).label if status else _("No membership")


@register.filter
def roles_in(person, organization) -> list[str]:
    """The labels of the roles ``person`` holds in ``organization`` (from prefetched assignments)."""
    return [a.get_role_display() for a in person.role_assignments.all() if a.organization_id == organization.pk]


@register.filter
def action_label(action: str) -> str:
    return audit_catalog.action_label(action)


def _model_field(model, name: str):
    try:
        field = model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None
    # Reverse relations (a tender's lots) have no label of their own: shown by their key.
    return field if hasattr(field, "verbose_name") else None


def _readable(value, field=None):
    """An audited value as people read it: choices by label, dates (stored ISO) in Belgian form."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return value
    moment = datetime.datetime.fromisoformat(value)
    if "T" not in value:
        return dateformat.format(moment.date(), BELGIAN_DATE)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return dateformat.format(moment, BELGIAN_DATETIME)


@register.filter
def audit_changes(entry) -> list[tuple[str, object, object]]:
    """``(field label, before, after)`` for each changed field of an audit entry, readable."""
    model = entry.content_type.model_class()
    rows = []
    for name, before, after in entry.changes:
        if entry.before is None and after in (None, ""):
            continue  # a creation: only the values given
        field = _model_field(model, name)
        label = capfirst(field.verbose_name) if field is not None else name
        rows.append((label, _readable(before, field), _readable(after, field)))
    return rows


def _role_labels(value):
    roles = value if isinstance(value, list) else [value]
    return ", ".join(str(ROLE_LABELS.get(role, role)) for role in roles)


@register.filter
def audit_details(entry) -> list[tuple[str, object]]:
    """The details of an entry (organisation, roles…) with readable names; ids are left out."""
    labels = {
        "organization_name": _("Organisation"),
        "role": _("Role"),
        "roles": _("Roles"),
        "account_disabled": _("Account disabled"),
    }
    readers = {"role": _role_labels, "roles": _role_labels, "account_disabled": yesno}
    data = entry.data or {}
    return [
        (labels.get(key, key), readers.get(key, _readable)(value))
        for key, value in data.items()
        if not (key == "organization" and "organization_name" in data)
    ]


@register.filter
def audit_object_url(entry) -> str:
    url_name = OBJECT_URL_NAMES.get(f"{entry.content_type.app_label}.{entry.content_type.model}")
    if url_name is None:
        return ""
    try:
        return reverse(url_name, kwargs={"pk": entry.object_id})
    except NoReverseMatch:
        return ""


@register.filter
def starts_with(value: str, prefix: str) -> bool:
    return bool(prefix) and str(value).startswith(prefix)
