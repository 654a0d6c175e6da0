"""Every list is paged: ?page=N&page_size=M (100 by default, 1,000 at most)."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
