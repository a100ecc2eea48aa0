"""Admin for publishers, authors and sources."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal

from claims import publishing, revisions
from claims.editing import update_source_text
from claims.layout import relayout
from claims.models import Author, Authorship, Claim, Publisher, Source
from claims.publishing import (
    NotAllowed,
    WorkflowError,
    publish_source,
    submit_for_review,
    unpublish_source,
)
from claims.references import check_id
from claims.reviewing import changes_since_published, returned_comment, trail
from claims.selectors import count_per_row

from .adjudicate import AdjudicationScreen
from .annotate import AnnotationScreen
from .assignments import source_agreement_view
from .base import HistoryAdmin, ModelAdmin, shorten
from .imports import SourceImportScreen
from .locking import VersionedForm
from .review import ReviewQueueView, SourceMoveView
from .revising import revision_context, words_changed_message

# The changelist's switch between live sources (the default) and deleted ones.
DELETED_PARAM = "deleted"


class DeletedFilter(admin.SimpleListFilter):
    """Deleted sources are kept (restorable from their history) and listed only on request."""

    title = "deleted"
    parameter_name = DELETED_PARAM

    def lookups(self, request, model_admin):
        return [("1", "Deleted sources")]

    def queryset(self, request, queryset):
        return queryset  # SourceAdmin.get_queryset reads the switch: every view must see it


@admin.register(Publisher)
class PublisherAdmin(ModelAdmin):
    list_display = ["name", "kind", "country", "language", "source_count"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def annotate_page(self, rows) -> None:
        count_per_row(rows, Source.objects.all(), "publisher", "_source_count")

    @admin.display(description="Sources")
    def source_count(self, obj: Publisher) -> int:
        return obj._source_count


@admin.register(Author)
class AuthorAdmin(ModelAdmin):
    list_display = ["name", "source_count", "modified"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}

    def annotate_page(self, rows) -> None:
        count_per_row(rows, Authorship.objects.all(), "author", "_source_count")

    @admin.display(description="Sources")
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
    list_filter = ["status", DeletedFilter, "publisher", "language"]
    list_select_related = ["publisher"]
    # The list shows no text: the bodies (up to 12,000 characters each) stay in the table.
    list_defer = ["body", "blocks", "provenance"]
    search_fields = ["title", "slug", "publisher__name", "authors__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["publisher"]
    date_hierarchy = "published_on"
    inlines = [AuthorshipInline]

    def get_search_results(self, request, queryset, search_term):
        """Every word must match the title, slug, outlet or an author's name. Author names are
        asked through an EXISTS, not a join: the join makes each row once per author and
        needs a DISTINCT over the whole list (and its count and date drill-down)."""
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            if not word:
                continue
            by_author = Authorship.objects.filter(
                source=OuterRef("pk"), author__name__icontains=word
            )
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(slug__icontains=word)
                | Q(publisher__name__icontains=word)
                | Exists(by_author)
            )
        return queryset, False

    # Publication state is never a form field: it moves through claims.publishing only.
    readonly_fields = [
        "status",
        "published_at",
        "published_by",
        "body_sha256",
        "removed_furniture",
    ]
    actions = [
        "submit_for_review_action",
        "publish_action",
        "return_action",
        "unpublish_action",
    ]
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
        queryset = super().get_queryset(request)
        if request.GET.get(DELETED_PARAM) == "1":
            queryset = queryset.filter(deleted_at__isnull=False)
        else:
            queryset = queryset.filter(deleted_at__isnull=True)
        return queryset.prefetch_related("authors")

    def annotate_page(self, rows) -> None:
        # Claims are counted for the sources shown only: counting per source over the whole
        # claim table, to sort by it, is what made this list slow at a million claims.
        count_per_row(rows, Claim.objects.all(), "source", "_claim_count")

    @admin.display(description="Authors")
    def byline(self, obj: Source) -> str:
        return ", ".join(author.name for author in obj.authors.all()) or "—"

    @admin.display(description="Claims")
    def claim_count(self, obj: Source):
        url = reverse("admin:claims_claim_changelist") + f"?source__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, f"{obj._claim_count:,}")

    @admin.display(description="")
    def annotate_link(self, obj: Source):
        url = reverse("admin:claims_source_annotate", args=[obj.pk])
        return format_html('<a href="{}">Annotate</a>', url)

    def get_urls(self):
        screen = AnnotationScreen(self)
        return [
            path(
                "review-queue/",
                self.admin_site.admin_view(ReviewQueueView(self)),
                name="claims_source_review_queue",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(SourceMoveView(self)),
                name="claims_source_review",
            ),
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
        # A form (and a revert from the history) changes content only: publication state is
        # put back as stored, whatever the instance carried.
        publishing.keep_publication_state(source=obj)
        restoring = change and obj.is_deleted
        self._save_content(request, obj, form, change)
        if restoring:
            # Reverting a deleted source to one of its versions brings it back, as a draft.
            publishing.restore_source(source=obj, by=request.user, note="Restored from history.")
            self.message_user(request, "Restored as a draft, with its claims and stances.")

    def _save_content(self, request, obj: Source, form, change: bool) -> None:
        if change and "body" in form.changed_data:
            # The text changed under existing claims: re-anchor them rather than let them drift.
            result = update_source_text(
                source=obj, body=obj.body, version=form.checked_version, by=request.user
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

    # --- Workflow: buttons on the change page, actions on the list; all via claims.publishing.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None and not getattr(request, "reverting_history", 0):
            context["review"] = self.review_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_context(self, request, obj: Source) -> dict:
        """The trail, the reviewer's comment to act on, what changed since the last
        publication (for a source in review), and the moves this user may make."""
        events = trail(obj)
        in_review = obj.status == Source.Status.IN_REVIEW
        return {
            "events": events,
            "returned": returned_comment(events),
            "changes": changes_since_published(obj) if in_review else None,
            "may_publish": publishing.may_publish(request.user),
            # Moves are not content edits: a published (read-only) source can still be moved.
            "may_change": self.has_change_permission(request),
            "move_url": reverse("admin:claims_source_review", args=[obj.pk]),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            pk = check_id(object_id)
        except ValidationError:
            pk = None  # the admin's own view answers an id that names nothing
        source = Source.all_objects.filter(pk=pk).only("deleted_at").first() if pk else None
        if source is not None and source.is_deleted:
            self.message_user(
                request,
                "This source is deleted. Revert it to one of its versions below to restore it "
                "as a draft, with its claims and stances.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:claims_source_history", args=[source.pk]))
        extra = dict(extra_context or {})
        current = self.get_object(request, str(pk)) if pk else None
        if current is not None:
            # A published source is read-only: offer its working copy, and on a working copy
            # show what it changes since the published revision.
            extra.update(revision_context(request, current, changes=True))
        return super().change_view(request, object_id, form_url, extra)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not publishing.may_publish(request.user):
            actions.pop("publish_action", None)
            actions.pop("unpublish_action", None)
            actions.pop("return_action", None)
        return actions

    # --- Deletion: kept and restorable; a published or in-review source is a reviewer's. ------

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and obj.status != Source.Status.DRAFT:
            return publishing.may_publish(request.user)
        return True

    def get_deleted_objects(self, objs, request):
        """Only the sources themselves: their claims and stances stay with them, to come back
        when they are restored. Sources the user may not delete are named as refused."""
        sources = list(objs)
        refused = {
            f"{source.get_status_display().lower()} source “{source}”"
            for source in sources
            if source.status != Source.Status.DRAFT and not publishing.may_publish(request.user)
        }
        listed = [f"Source: {source}" for source in sources]
        return listed, {Source._meta.verbose_name_plural: len(sources)}, refused, []

    def delete_model(self, request, obj: Source) -> None:
        publishing.delete_source(source=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for source in self.locked(queryset):
                publishing.delete_source(source=source, by=request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request,
            "Deleted sources are kept with their claims and stances: list them with the "
            "“deleted” filter and revert one to a version in its history to restore it.",
            messages.INFO,
        )
        return super().response_delete(request, obj_display, obj_id)

    # A batch moves together: if anything fails half-way, none of the selected sources move.

    @staticmethod
    def locked(queryset):
        """The selected sources, locked until the batch commits (without the changelist's
        annotations, which PostgreSQL cannot lock)."""
        return Source.all_objects.select_for_update().filter(
            pk__in=list(queryset.values_list("pk", flat=True))
        )

    def _batch(self, request, queryset, move, done: str) -> None:
        moved, skipped = 0, []
        try:
            with transaction.atomic():
                for source in self.locked(queryset):
                    try:
                        move(source=source, by=request.user)
                        moved += 1
                    except WorkflowError as error:
                        skipped.append(f"{source}: {error}")
        except NotAllowed as error:
            self.message_user(request, f"Nothing was changed. {error}", messages.ERROR)
            return
        for message in skipped:
            self.message_user(request, message, messages.WARNING)
        self.message_user(request, f"{moved} source(s) {done}.")

    @admin.action(description="Submit selected sources for review", permissions=["change"])
    def submit_for_review_action(self, request, queryset) -> None:
        self._batch(request, queryset, submit_for_review, "submitted for review")

    @admin.action(description="Publish selected sources", permissions=["publish"])
    def publish_action(self, request, queryset) -> None:
        self._batch(request, queryset, publish_source, "published")

    @admin.action(description="Unpublish selected sources (back to draft)", permissions=["publish"])
    def unpublish_action(self, request, queryset) -> None:
        self._batch(request, queryset, unpublish_source, "unpublished, back to draft")

    @admin.action(description="Return selected sources to their editors", permissions=["publish"])
    def return_action(self, request, queryset):
        """Returning needs a comment: the batch goes to a page that asks for it."""
        comment = request.POST.get("comment", "").strip()
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/claims/source/return_comment.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": Source._meta,
                    "title": "Return to editor",
                    "sources": list(queryset),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "error": "",
                },
            )
        if not comment:
            return TemplateResponse(
                request,
                "admin/claims/source/return_comment.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": Source._meta,
                    "title": "Return to editor",
                    "sources": list(queryset),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "error": "comment: say what the editor should change.",
                },
            )

        def move(*, source, by):
            publishing.return_to_editor(source=source, by=by, comment=comment)

        self._batch(request, queryset, move, "returned to their editors")
        return None

    def has_publish_permission(self, request) -> bool:
        return publishing.may_publish(request.user)
