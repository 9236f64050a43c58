"""Pagination of API lists (API.md: page and page_size up to 200; cursors for very large lists)."""

from rest_framework import pagination


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
