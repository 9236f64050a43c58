"""List rows serialized from ``.values()``, exactly as their ModelSerializer would from instances.

A list page of fifty rows through a ModelSerializer builds fifty model instances (and those of
their ``select_related`` relations), then walks every field's source attribute by attribute.
``RowsListMixin`` asks the database for the serializer's columns only and gives each value to
the same serializer field's ``to_representation``: the same JSON, with a fraction of the work.

It applies to flat serializers: model fields, relations as primary keys, and read-only fields
whose ``source`` follows foreign keys (``member.name``). A field computed otherwise (a property,
a ``SerializerMethodField``) is read from columns by a :class:`Computed` given for it; anything
else is refused at start-up.

Two field types are presented by a shortcut that gives DRF's result at a fraction of its cost,
since a page holds thousands of their values: ISO 8601 date-times (the time zone resolved once
per page, not once per value) and decimals already at their field's places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rest_framework import ISO_8601, serializers
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings

from procurement.core.pagination import CappedPaginator, KeyedRows


@dataclass(frozen=True)
class Computed:
    """A serializer field read from other columns: ``value(row)`` is its JSON value."""

    lookups: tuple[str, ...]
    value: Callable[[dict], Any]


def _iso_datetimes(field: serializers.DateTimeField) -> Callable[[], Callable[[Any], Any]]:
    """DRF's ISO 8601 ``to_representation`` with the field's time zone looked up once per page."""

    def for_page():
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if zone is None:
            return field.to_representation

        def present(value):
            if isinstance(value, str) or value.tzinfo is None:
                return field.to_representation(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return present

    return for_page


def _decimals(field: serializers.DecimalField) -> Callable[[], Callable[[Any], Any]]:
    """DRF's string of a decimal, directly when the database gave it at the field's places."""
    places = -field.decimal_places

    def present(value):
        if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == places:
            return f"{value:f}"
        return field.to_representation(value)

    return lambda: present


def _as_is(field: serializers.Field) -> Callable[[], Callable[[Any], Any]]:
    return lambda: field.to_representation


def _presenter(field: serializers.Field) -> Callable[[], Callable[[Any], Any]]:
    if isinstance(field, serializers.DateTimeField):
        output = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if isinstance(output, str) and output.lower() == ISO_8601:
            return _iso_datetimes(field)
    if (
        isinstance(field, serializers.DecimalField)
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and field.decimal_places is not None
    ):
        return _decimals(field)
    return _as_is(field)


class Rows:
    """How to read a serializer's fields from ``.values()`` and present them."""

    def __init__(self, serializer_class: type[serializers.Serializer], computed: dict[str, Computed] | None = None):
        computed = computed or {}
        self.computed = computed
        # (name, lookup, presenter for a page or None for the value as it is)
        self.columns: list[tuple[str, str, Callable[[], Callable[[Any], Any]] | None]] = []
        fields = serializer_class().fields
        for name, field in fields.items():
            if name in computed:
                continue
            if (
                isinstance(field, serializers.BaseSerializer | serializers.SerializerMethodField)
                or field.source == "*"
                or ("." not in field.source and _is_property(serializer_class, field.source))
            ):
                raise TypeError(
                    f"{serializer_class.__name__}.{name}: only flat fields are read from .values(); "
                    "give a Computed for the others"
                )
            lookup = field.source.replace(".", "__")
            present = None if isinstance(field, PrimaryKeyRelatedField) else _presenter(field)
            self.columns.append((name, lookup, present))  # a related key: ``.values()`` gives the key itself
        self.order = list(fields)

    @property
    def lookups(self) -> list[str]:
        wanted = [lookup for _name, lookup, _present in self.columns]
        for extra in self.computed.values():
            wanted.extend(lookup for lookup in extra.lookups if lookup not in wanted)
        return wanted

    def present_all(self, rows: Iterable[dict]) -> list[dict]:
        columns = [(name, lookup, None if present is None else present()) for name, lookup, present in self.columns]
        presented = []
        for row in rows:
            data = {
                name: row[lookup] if present is None or row[lookup] is None else present(row[lookup])
                for name, lookup, present in columns
            }
            for name, extra in self.computed.items():
                data[name] = extra.value(row)
            presented.append({name: data[name] for name in self.order} if self.computed else data)
        return presented


def _is_property(serializer_class, source: str) -> bool:
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    return model is not None and isinstance(getattr(model, source, None), property)


class CountedRows:
    """The rows to page through, counted without the joins their columns need."""

    ordered = True

    def __init__(self, rows, counted):
        self.rows, self.counted = rows, counted

    def count(self) -> int:
        return self.counted.count()

    def count_up_to(self, limit: int) -> int:
        return self.counted.order_by()[:limit].count()

    def __getitem__(self, key):
        return self.rows[key]

    def __iter__(self):
        return iter(self.rows)


class RowsListMixin:
    """``list`` for a viewset whose list serializer is flat: filtered, ordered and paginated as
    usual, then read as rows (see the module's docstring)."""

    list_rows: Rows

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        rows = queryset.values(*self.list_rows.lookups)
        paginator = getattr(self.paginator, "django_paginator_class", None)
        if isinstance(paginator, type) and issubclass(paginator, CappedPaginator):
            page = self.paginate_queryset(KeyedRows(rows, queryset.select_related(None)))  # no count of them all
        else:
            page = self.paginate_queryset(CountedRows(rows, queryset.select_related(None)))
        if page is None:
            return Response(self.list_rows.present_all(rows))
        return self.get_paginated_response(self.list_rows.present_all(page))
