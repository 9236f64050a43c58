from django import template

from reports.base import NUMERIC
from reports.formats import display

register = template.Library()


@register.simple_tag
def cell(row: dict, column) -> str:
    """A row's value in a column, as readers expect it (« 1 234,50 € », « mars 2026 »)."""
    return display(row.get(column.key), column.kind) if row is not None else ""


@register.filter
def numeric(column) -> bool:
    return column.kind in NUMERIC


@register.simple_tag
def figure_value(figure) -> str:
    return display(figure.value, figure.kind)


@register.simple_tag(takes_context=True)
def with_format(context, fmt: str, **extra) -> str:
    """The current query string with ``format`` (and other options) set."""
    query = context["request"].GET.copy()
    query["format"] = fmt
    for key, value in extra.items():
        query[key] = value
    return query.urlencode()
