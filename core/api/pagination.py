from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Stable cursor paging for machine clients; `page_size` up to 500."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
