"""Filter backend that refuses parameters it does not know, and blank values where a blank
cannot mean anything."""

import re

from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

# Parameters that belong to ordering and content negotiation, not to a FilterSet.
GENERAL_PARAMETERS = {"ordering", "format"}
# Parameters outside FilterSets whose value is a number or a choice: never blank.
TYPED_PARAMETERS = ("format", "page", "page_size", "after")


def refuse_blank(request, names) -> None:
    """`?published_after=`, `?kind=` or `?page=` is a mistake, not a request for everything."""
    for name in names:
        if any(value.strip() == "" for value in request.query_params.getlist(name)):
            raise ValidationError({name: ["must not be empty; leave the parameter out"]})


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
        typed = [
            name
            for name, filter_ in (filterset_class.base_filters if filterset_class else {}).items()
            # A blank free-text filter simply filters nothing.
            if not isinstance(filter_, CharFilter)
        ]
        refuse_blank(request, [*typed, *TYPED_PARAMETERS])
        return super().filter_queryset(request, queryset, view)

    @staticmethod
    def pagination_parameters(view) -> set[str]:
        paginator = getattr(view, "paginator", None)
        names = ("page_query_param", "page_size_query_param", "cursor_query_param")
        return {getattr(paginator, name) for name in names if getattr(paginator, name, None)}


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` names fields of the list, each optionally reversed with `-`; a field the list
    cannot be ordered by is refused by name, not silently dropped."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params is not None:
            fields = self.get_valid_fields(queryset, view, {"request": request})
            allowed = [name for name, _ in fields]
            for term in (term.strip() for term in params.split(",")):
                if term.lstrip("-") not in allowed:
                    choices = ", ".join(allowed) or "none"
                    raise ValidationError(
                        {
                            self.ordering_param: [
                                f"cannot order by {term!r}; allowed: {choices} "
                                "(prefix “-” to reverse)"
                            ]
                        }
                    )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        """The parameter with the names it takes, as a pattern a client (or a fuzzer) can read."""
        parameters = super().get_schema_operation_parameters(view)
        names = [name for name in getattr(view, "ordering_fields", None) or [] if name != "__all__"]
        if not names:
            return parameters
        one = f"-?({'|'.join(re.escape(name) for name in names)})"
        for parameter in parameters:
            parameter["schema"] = {"type": "string", "pattern": f"^{one}(,{one})*$"}
            parameter["description"] = (
                f"Order by {', '.join(names)}; prefix “-” to reverse, join several with commas."
            )
        return parameters
