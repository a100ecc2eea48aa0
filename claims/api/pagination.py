"""Pagination with a capped page size; cursor pagination for the lists that grow large.

Page-numbered lists count their rows only up to `COUNT_CAP`, and their pages cover those rows
only: past that, `count` stops at the cap and `count_capped` is true, and a page number beyond
the last one the cap allows is refused (400, naming `page`) instead of paying an OFFSET that
grows with the corpus. Filters, or the reverse `ordering`, reach the rest; claims and stances,
the lists that grow with the corpus, use cursors and go on however deep at a constant cost."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
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
        # Past the last page the cap allows there is no next page, though more rows follow.
        return self.more and self.number < self.paginator.num_pages


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
            return last_page(self.per_page)
        return super().num_pages

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return _Page(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


def last_page(page_size: int) -> int:
    """The last page number a list serves: the pages cover the first COUNT_CAP rows."""
    return max(1, math.ceil(COUNT_CAP / page_size))


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    django_paginator_class = CappedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # Checked before any query: a page past the cap is refused without reading a row.
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings:
            last = last_page(page_size)
            if not raw.isdigit() or not 1 <= int(raw) <= last:
                raise ValidationError(
                    {
                        self.page_query_param: [
                            f"must be a whole number from 1 to {last}: pages cover the first "
                            f"{COUNT_CAP} results ({page_size} a page); narrow the list with "
                            "filters, or reverse `ordering` to read it from the other end"
                        ]
                    }
                )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Page number, from 1 to the last page covering the first {COUNT_CAP} "
                    "results (a larger number is refused with 400)."
                )
        return parameters

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


CURSOR_MESSAGE = "not a cursor this list gave out: follow the `next` and `previous` links of a page"


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep, no COUNT(*) over the table."""

    ordering = "-id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [CURSOR_MESSAGE]}) from None

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, DjangoValidationError):
            # A well-formed cursor whose position does not fit the ordering (edited by hand).
            raise ValidationError({self.cursor_query_param: [CURSOR_MESSAGE]}) from None
