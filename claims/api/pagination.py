"""Pagination with a capped page size; cursor pagination for the lists that grow large.

Page-numbered lists count their rows only up to `COUNT_CAP`: past that, `count` stops at the
cap and `count_capped` is true, so that a request never pays for counting a whole table. Pages
are still served however deep (each page reads one row more than it shows to know whether
there is a next one)."""

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

COUNT_CAP = 1000


class StrictPageSizeMixin:
    """`page_size` must be a whole number of at least 1: a typo is refused (400), never
    silently replaced by the default. Sizes above the maximum are capped to it."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"must be a whole number from 1 to {self.max_page_size} "
                        "(larger values are capped)"
                    ]
                }
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Results per page, from 1 to {self.max_page_size} (larger values are capped)."
                )
        return parameters


class _Page(Page):
    """A page that knows from one extra row whether another follows."""

    def __init__(self, object_list, number, paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (… LIMIT n)`)."""

    @cached_property
    def _counted(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            # Unknown beyond the cap: any page may exist until one comes back empty.
            return 10**12
        return super().num_pages

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return _Page(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Number of results, counted up to {COUNT_CAP}."
        )
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_capped": {
                "type": "boolean",
                "description": f"True when there are more than {COUNT_CAP} results.",
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        response["required"] = ["count", "count_capped", "results"]
        return response


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep, no COUNT(*) over the table."""

    ordering = "-id"
