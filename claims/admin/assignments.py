"""Admin for assignments (each reader's queue), adjudication decisions and agreement figures."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from claims import agreement_reports as reports
from claims.assigning import AssignmentError, check_assignable, finish_reading
from claims.models import Adjudication, Assignment, AssignmentStatus, Source

from .base import HistoryAdmin


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["source", "annotator", "blind", "status"]

    def clean(self):
        data = super().clean()
        annotator = data.get("annotator")
        if annotator is not None and self.instance.pk is None:
            try:
                check_assignable(source=data.get("source"), annotator=annotator)
            except AssignmentError as error:
                raise forms.ValidationError({"annotator": str(error)}) from None
        return data


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    """Reviewers see every assignment; an editor sees their own queue."""

    form = AssignmentForm
    list_display = ["source", "annotator", "blind", "status", "assigned_by", "done_at"]
    list_select_related = ["source", "annotator", "assigned_by"]
    list_filter = ["status", "blind", "annotator"]
    search_fields = ["source__title", "annotator__username"]
    autocomplete_fields = ["source", "annotator"]
    readonly_fields = ["assigned_by", "started_at", "done_at"]
    actions = ["finish_action"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("source__body", "source__blocks")
        if request.user.has_perm("claims.change_assignment"):
            return queryset
        return queryset.filter(annotator=request.user)

    def save_model(self, request, obj: Assignment, form, change: bool) -> None:
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark my selected readings done")
    def finish_action(self, request, queryset) -> None:
        done = 0
        for assignment in queryset.filter(annotator=request.user).exclude(
            status=AssignmentStatus.DONE
        ):
            finish_reading(assignment=assignment)
            done += 1
        self.message_user(request, f"{done} reading(s) marked done.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "agreement/",
                self.admin_site.admin_view(self.agreement_view),
                name="claims_assignment_agreement",
            ),
            *super().get_urls(),
        ]

    def agreement_view(self, request):
        """Agreement per source, reader pair, proposition and topic, over handed-in readings."""
        if not request.user.has_perm("claims.view_assignment"):
            raise PermissionDenied
        items = reports.handed_in()
        sources = [
            (item, reports.source_report(item, samples=reports.OVERVIEW_SAMPLES))
            for item in items.values()
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": Assignment._meta,
            "title": "Agreement between readers",
            "sources": [
                (item, figures, len(reports.disagreements(item))) for item, figures in sources
            ],
            "pairs": reports.pair_reports(items),
            "propositions": reports.proposition_reports(items),
            "topics": reports.topic_reports(items),
        }
        return TemplateResponse(request, "admin/claims/agreement/overview.html", context)


def source_agreement_view(model_admin):
    """The agreement page of one source: every figure and the list of disagreements."""

    def view(request, object_id: str):
        if not request.user.has_perm("claims.view_assignment"):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        item = reports.handed_in(sources=[source.pk]).get(source.pk)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Source._meta,
            "title": f"Agreement on “{source.title}”",
            "source": source,
            "item": item,
            "figures": reports.source_report(item) if item else None,
            "disagreements": reports.disagreements(item, source.body) if item else [],
        }
        return TemplateResponse(request, "admin/claims/agreement/source.html", context)

    return view


@admin.register(Adjudication)
class AdjudicationAdmin(HistoryAdmin):
    """Decisions are made on the adjudication screen; here they are listed, read-only."""

    list_display = ["source", "start", "end", "decision", "accepted_annotator", "decided_by"]
    list_select_related = ["source", "accepted_annotator", "decided_by"]
    list_filter = ["decision", "decided_by"]
    readonly_fields = [
        "source",
        "start",
        "end",
        "decision",
        "kept",
        "accepted_annotator",
        "decided_by",
        "decided_at",
        "readings",
        "note",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("source__body", "source__blocks")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
