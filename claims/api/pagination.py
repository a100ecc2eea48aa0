"""Pagination with a capped page size; cursor pagination for the lists that grow large."""

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


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


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    pass


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep, no COUNT(*) over the table."""

    ordering = "-id"
