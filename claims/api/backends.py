"""Filter backend that refuses parameters it does not know."""

from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Parameters that belong to ordering and content negotiation, not to a FilterSet.
GENERAL_PARAMETERS = {"ordering", "format"}


class StrictFilterBackend(DjangoFilterBackend):
    """A misspelt filter silently returning everything is a trap: name it and refuse."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        known |= GENERAL_PARAMETERS | self.pagination_parameters(view)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            allowed = ", ".join(sorted(known - {"format"})) or "none"
            raise ValidationError({unknown[0]: [f"unknown query parameter; allowed: {allowed}"]})
        if filterset_class is not None:
            self.refuse_blank_values(request, filterset_class)
        return super().filter_queryset(request, queryset, view)

    @staticmethod
    def pagination_parameters(view) -> set[str]:
        paginator = getattr(view, "paginator", None)
        names = ("page_query_param", "page_size_query_param", "cursor_query_param")
        return {getattr(paginator, name) for name in names if getattr(paginator, name, None)}

    @staticmethod
    def refuse_blank_values(request, filterset_class) -> None:
        """`?published_after=` or `?kind=` is a mistake, not a request for everything: a blank
        value is only meaningful for free-text filters (where it filters nothing)."""
        for name, filter_ in filterset_class.base_filters.items():
            if isinstance(filter_, CharFilter):
                continue
            if any(value.strip() == "" for value in request.query_params.getlist(name)):
                raise ValidationError({name: ["must not be empty; leave the parameter out"]})
