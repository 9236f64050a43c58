"""A paginator for lists that may hold a million rows: it counts up to a cap, never further.

``count(*)`` over every match of a broad search costs as much as reading them all. People do
not page through more than a thousand rows — they refine — so the count stops at ``cap``: up
to it the count is exact, beyond it the list says "more than ``cap``" (``exact`` is false)
and offers the first ``cap`` rows only.

The same first query also serves the page: when the rows are few, their ids are known and the
page is read by primary key, in any order, at the cost of sorting at most ``cap`` rows. When
they are many, :meth:`many` may rewrite the query (see ``catalog.search.walk``).
"""

from __future__ import annotations

from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_CAP = 1000


class KeyedRows(NamedTuple):
    """Rows to page through (``.values()`` with the joins their columns need), and the same rows
    without those joins, where their keys are found and counted."""

    rows: QuerySet
    keys: QuerySet


class CappedPaginator(Paginator):
    cap = DEFAULT_CAP

    def __init__(
        self, object_list: QuerySet | KeyedRows, per_page, orphans=0, allow_empty_first_page=True, *, cap=None
    ):
        self.keys = object_list.keys if isinstance(object_list, KeyedRows) else object_list
        rows = object_list.rows if isinstance(object_list, KeyedRows) else object_list
        super().__init__(rows, per_page, orphans, allow_empty_first_page)
        if cap is not None:
            self.cap = cap

    @cached_property
    def _head(self) -> list:
        """The ids of the first ``cap + 1`` rows found, in no particular order (the planner's choice)."""
        return list(self.keys.order_by().values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def exact(self) -> bool:
        return len(self._head) <= self.cap

    @cached_property
    def count(self) -> int:
        return min(len(self._head), self.cap)

    def many(self, queryset: QuerySet) -> QuerySet:
        """The query that reads a page when rows are more than ``cap``; as it is by default."""
        return queryset

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list.filter(pk__in=self._head) if self.exact else self.many(self.object_list)
        return self._get_page(rows[bottom:top], number, self)


class CountCappedPaginator(Paginator):
    """Pages in the list's own order, counted up to ``cap`` rows and no further.

    For lists read in an order that an index serves (the orders, newest first): the page is a
    slice of it, and the count is ``SELECT count(*) FROM (… LIMIT cap + 1)``, which stops at
    ``cap + 1`` rows — IMIO's whole list of a million orders costs what ten thousand do.
    """

    cap = 10_000

    @cached_property
    def _found(self) -> int:
        count_up_to = getattr(self.object_list, "count_up_to", None)
        if count_up_to is not None:
            return count_up_to(self.cap + 1)
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def exact(self) -> bool:
        return self._found <= self.cap

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)
