"""Pagination of API lists (API.md: page and page_size up to 200; cursors for very large lists)."""

from rest_framework import pagination
from rest_framework.response import Response

from procurement.core.pagination import CappedPaginator, CountCappedPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """For very large lists (audit entries): stable and cheap, without a count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-at", "-id")


class CappedPagination(PageNumberPagination):
    """Pages of a list that may hold a million rows: ``count`` stops at the paginator's cap.

    ``count_exact`` is false when more rows match than the cap: the list then offers the
    first ``count`` rows only, and the client should narrow its filters.
    """

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": self.page.paginator.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": "False when more rows match than the cap: only the first `count` are offered.",
            },
            **{name: value for name, value in response["properties"].items() if name != "count"},
        }
        response["required"] = [*response.get("required", []), "count_exact"]
        return response


class CountCappedPagination(CappedPagination):
    """Pages in the list's order, ``count`` up to 10,000 (``count_exact`` as above)."""

    django_paginator_class = CountCappedPaginator
