"""Defaults every changelist of the app shares: big tables must stay fast."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin


class FastChangeList:
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Counting every row of a large table on each page view is the slowest query of a
    # changelist; "Show all" still gives the total on demand.
    show_full_result_count = False
    list_per_page = 50


class ModelAdmin(FastChangeList, admin.ModelAdmin):
    pass


class HistoryAdmin(FastChangeList, SimpleHistoryAdmin):
    pass


def shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
