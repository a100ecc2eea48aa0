"""Admin for publishers, authors and sources."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from claims import revisions
from claims.editing import replace_body
from claims.layout import relayout
from claims.models import Author, Authorship, Claim, Publisher, Source
from claims.publishing import WorkflowError, publish_source, submit_for_review, unpublish_source

from .adjudicate import AdjudicationScreen
from .annotate import AnnotationScreen
from .assignments import source_agreement_view
from .base import HistoryAdmin, ModelAdmin, shorten
from .imports import SourceImportScreen
from .locking import VersionedForm
from .revising import revision_context, words_changed_message


@admin.register(Publisher)
class PublisherAdmin(ModelAdmin):
    list_display = ["name", "kind", "country", "language", "source_count"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_source_count=Count("sources"))

    @admin.display(description="Sources", ordering="_source_count")
    def source_count(self, obj: Publisher) -> int:
        return obj._source_count


@admin.register(Author)
class AuthorAdmin(ModelAdmin):
    list_display = ["name", "source_count", "modified"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_source_count=Count("authorships"))

    @admin.display(description="Sources", ordering="_source_count")
    def source_count(self, obj: Author) -> int:
        return obj._source_count


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    autocomplete_fields = ["author"]
    extra = 0
    fields = ["author", "role", "order"]

    # A published source's byline is part of its published revision: read-only.
    def has_add_permission(self, request, obj=None) -> bool:
        return not (obj is not None and obj.is_published) and super().has_add_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return not (obj is not None and obj.is_published) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return not (obj is not None and obj.is_published) and super().has_delete_permission(
            request, obj
        )


class SourceForm(VersionedForm):
    url = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=500,
        help_text=Source._meta.get_field("url").help_text,
    )

    class Meta:
        model = Source
        fields = [
            "title",
            "title_supplied",
            "slug",
            "publisher",
            "url",
            "published_on",
            "language",
            "translated_from",
            "body",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").replace("\r", "\n")
        if not body.strip():
            raise forms.ValidationError("The text cannot be empty.")
        return body


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    form = SourceForm
    list_display = [
        "title",
        "publisher",
        "byline",
        "published_on",
        "status",
        "claim_count",
        "annotate_link",
    ]
    list_filter = ["status", "publisher", "language"]
    list_select_related = ["publisher"]
    search_fields = ["title", "slug", "publisher__name", "authors__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["publisher"]
    date_hierarchy = "published_on"
    inlines = [AuthorshipInline]
    readonly_fields = ["status", "published_at", "published_by", "body_sha256", "removed_furniture"]
    actions = ["submit_for_review_action", "publish_action", "unpublish_action"]
    fieldsets = [
        (None, {"fields": ["title", "title_supplied", "slug", "publisher", "url", "seen_version"]}),
        ("Publication", {"fields": ["published_on", "language", "translated_from"]}),
        ("Text", {"fields": ["body"]}),
        ("Workflow", {"fields": ["status", "published_at", "published_by"]}),
        (
            "Provenance",
            {"fields": ["body_sha256", "removed_furniture"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_claim_count=Count("claims", distinct=True))
            .prefetch_related("authors")
        )

    @admin.display(description="Authors")
    def byline(self, obj: Source) -> str:
        return ", ".join(author.name for author in obj.authors.all()) or "—"

    @admin.display(description="Claims", ordering="_claim_count")
    def claim_count(self, obj: Source) -> int:
        return obj._claim_count

    @admin.display(description="")
    def annotate_link(self, obj: Source):
        url = reverse("admin:claims_source_annotate", args=[obj.pk])
        return format_html('<a href="{}">Annotate</a>', url)

    def get_urls(self):
        screen = AnnotationScreen(self)
        return [
            path(
                "import/",
                self.admin_site.admin_view(SourceImportScreen(self)),
                name="claims_source_import",
            ),
            path(
                "<path:object_id>/adjudicate/",
                self.admin_site.admin_view(AdjudicationScreen(self)),
                name="claims_source_adjudicate",
            ),
            path(
                "<path:object_id>/agreement/",
                self.admin_site.admin_view(source_agreement_view(self)),
                name="claims_source_agreement",
            ),
            path(
                "<path:object_id>/annotate/",
                self.admin_site.admin_view(screen),
                name="claims_source_annotate",
            ),
            path(
                "<path:object_id>/revision/",
                self.admin_site.admin_view(self.revision_view),
                name="claims_source_revision",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Removed on import")
    def removed_furniture(self, obj: Source):
        removed = (obj.provenance or {}).get("removed", [])
        if not removed:
            return "Nothing."
        return format_html(
            "<p>From {}:</p><ul>{}</ul>",
            obj.provenance.get("file", "the imported file"),
            format_html_join(
                "",
                "<li><strong>{}</strong>: {}</li>",
                ((item["reason"], item["text"][:200]) for item in removed),
            ),
        )

    # --- Revisions: a published source is read-only; editors edit its working copy. ----------

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if source is not None:
            extra.update(revision_context(request, source, changes=True))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def revision_view(self, request, object_id: str):
        """POST: make (or find) the working copy of a published source and open it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("claims.change_source"):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        had_copy = Source.objects.filter(revision_of=source).exists()
        try:
            copy = revisions.start_revision(source=source, by=request.user)
        except revisions.RevisionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:claims_source_change", args=[source.pk]))
        if copy.pk != source.pk:
            self.message_user(
                request,
                "This is the working copy of the published source: edit it here and on its "
                "annotation screen; the public sees your changes once a reviewer publishes it."
                if not had_copy
                else "Its working copy already exists: here it is.",
                messages.INFO,
            )
        target = request.POST.get("next") == "annotate"
        name = "admin:claims_source_annotate" if target else "admin:claims_source_change"
        return HttpResponseRedirect(reverse(name, args=[copy.pk]))

    def save_model(self, request, obj: Source, form, change: bool) -> None:
        if change and "body" in form.changed_data:
            # The text changed under existing claims: re-anchor them rather than let them drift.
            new_body = obj.body
            old = Source.objects.get(pk=obj.pk)
            obj.body = old.body
            super().save_model(request, obj, form, change)
            result = replace_body(
                source=obj, body=new_body, blocks=relayout(new_body, old.body, old.blocks)
            )
            if result.words_changed:
                self.message_user(request, words_changed_message(obj, result), messages.WARNING)
            if not result.orphaned:
                self.message_user(request, f"Text changed: {result.summary}.", messages.INFO)
                return
            orphans = Claim.objects.filter(pk__in=result.orphaned).order_by("pk")
            self.message_user(
                request,
                format_html(
                    "Text changed: {}. Orphaned, because their words are gone: {} "
                    '<a href="{}">Re-attach them on the annotation screen</a>.',
                    result.summary,
                    format_html_join(
                        "; ", "“{}”", ((shorten(claim.quote, 70),) for claim in orphans)
                    ),
                    reverse("admin:claims_source_annotate", args=[obj.pk]),
                ),
                messages.WARNING,
            )
            return
        if not change:
            obj.blocks = relayout(obj.body, "", [])
        super().save_model(request, obj, form, change)

    # --- Workflow actions. Each transition goes through claims.publishing. --------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("claims.publish_source"):
            actions.pop("publish_action", None)
            actions.pop("unpublish_action", None)
        return actions

    # A batch moves together: if anything fails half-way, none of the selected sources move.

    @staticmethod
    def locked(queryset):
        """The selected sources, locked until the batch commits (without the changelist's
        annotations, which PostgreSQL cannot lock)."""
        return Source.objects.select_for_update().filter(
            pk__in=list(queryset.values_list("pk", flat=True))
        )

    @admin.action(description="Submit selected sources for review", permissions=["change"])
    def submit_for_review_action(self, request, queryset) -> None:
        moved, skipped = 0, []
        with transaction.atomic():
            for source in self.locked(queryset):
                try:
                    submit_for_review(source=source)
                    moved += 1
                except WorkflowError as error:
                    skipped.append(f"{source}: {error}")
        for message in skipped:
            self.message_user(request, message, messages.WARNING)
        self.message_user(request, f"{moved} source(s) submitted for review.")

    @admin.action(description="Publish selected sources", permissions=["publish"])
    def publish_action(self, request, queryset) -> None:
        moved, skipped = 0, []
        with transaction.atomic():
            for source in self.locked(queryset):
                try:
                    publish_source(source=source, by=request.user)
                    moved += 1
                except WorkflowError as error:
                    skipped.append(f"{source}: {error}")
        for message in skipped:
            self.message_user(request, message, messages.WARNING)
        self.message_user(request, f"{moved} source(s) published.")

    @admin.action(description="Unpublish selected sources", permissions=["publish"])
    def unpublish_action(self, request, queryset) -> None:
        with transaction.atomic():
            sources = list(self.locked(queryset))
            for source in sources:
                unpublish_source(source=source)
        self.message_user(request, f"{len(sources)} source(s) back to draft.")

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("claims.publish_source")
