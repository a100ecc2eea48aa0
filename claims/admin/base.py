"""Defaults every admin screen of the app shares: big tables must stay fast, and malformed
references in an address are dropped, not failed on."""

import json

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models, router, transaction
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from claims.references import check_id, check_slug


def well_formed_initial(model: type[models.Model], initial: dict) -> dict:
    """`initial` (from the add form's query string) without references that could not name a
    row: `?source=abc` for an id would otherwise fail inside the autocomplete widget (500);
    dropped, the field is simply empty."""
    cleaned = {}
    for name, value in initial.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            cleaned[name] = value
            continue
        if not field.is_relation or field.target_field is None:
            cleaned[name] = value
            continue
        check = (
            check_id
            if isinstance(field.target_field, (models.AutoField, models.IntegerField))
            else check_slug
        )
        values = value if isinstance(value, list) else [value]
        try:
            for item in values:
                check(item)
        except ValidationError:
            continue
        cleaned[name] = value
    return cleaned


# Up to this many rows a changelist counts exactly; beyond it (on PostgreSQL) it shows the
# planner's estimate, which costs one EXPLAIN instead of a scan of the whole table.
EXACT_COUNT_LIMIT = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts at most EXACT_COUNT_LIMIT + 1 rows (`SELECT COUNT(*) FROM (… LIMIT n)`); past
    that, the count is PostgreSQL's estimate for the query (never below the rows counted), so
    that a page of a million claims is not preceded by counting them all. Other databases
    count exactly."""

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: EXACT_COUNT_LIMIT + 1].count()
        if counted <= EXACT_COUNT_LIMIT:
            return counted
        estimate = estimated_rows(self.object_list)
        if estimate is None:
            return self.object_list.count()
        return max(counted, estimate)


def estimated_rows(queryset: models.QuerySet) -> int | None:
    """The planner's row estimate for `queryset` on PostgreSQL; None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class PageChangeList(ChangeList):
    """After the page of rows is read, the admin may add figures to those rows alone
    (`annotate_page`): one query for the rows shown, never a count over the whole table.
    Columns a list never shows (`list_defer`, e.g. a source's text) are left unread."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        deferred = getattr(self.model_admin, "list_defer", ())
        return queryset.defer(*deferred) if deferred else queryset

    def get_results(self, request) -> None:
        super().get_results(request)
        self.model_admin.annotate_page(self.result_list)


class FastChangeList:
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Counting every row of a large table on each page view is the slowest query of a
    # changelist; "Show all" still gives the total on demand.
    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def get_changelist(self, request, **kwargs):
        return PageChangeList

    def annotate_page(self, rows) -> None:
        """Add per-row figures to the rows of one changelist page (see PageChangeList)."""

    def get_changeform_initial_data(self, request):
        return well_formed_initial(self.model, super().get_changeform_initial_data(request))


class ModelAdmin(FastChangeList, admin.ModelAdmin):
    pass


class HistoryAdmin(FastChangeList, SimpleHistoryAdmin):
    """History list with the changes of each version, and one-click revert to any of them."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting_history = True
        # A revert saves the row, its many-to-many fields and the log entry: all or nothing,
        # as the admin's own change form does.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "reverting_history", False) and getattr(form, "check_version", False):
            form = type(form.__name__, (form,), {"check_version": False})
        return form


class ChosenOnlyFilter(admin.RelatedFieldListFilter):
    """A filter on a relation with too many rows to list (sources under claims): the sidebar
    shows only the one chosen, reached from a link elsewhere (the source's claim count)."""

    def field_choices(self, field, request, model_admin):
        if not self.lookup_val:
            return []
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": [v for v in self.lookup_val if str(v).isdigit()]},
        )

    def has_output(self) -> bool:
        return bool(self.lookup_val) or self.include_empty_choice


def shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
