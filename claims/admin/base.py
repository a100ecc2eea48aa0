"""Defaults every admin screen of the app shares: big tables must stay fast, and malformed
references in an address are dropped, not failed on."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
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


class FastChangeList:
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Counting every row of a large table on each page view is the slowest query of a
    # changelist; "Show all" still gives the total on demand.
    show_full_result_count = False
    list_per_page = 50

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


def shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
