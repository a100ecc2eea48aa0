"""Admin for claims and stances.

A claim is entered as offsets into its source's text; the quote, prefix and suffix are taken
from the text itself, so they cannot disagree with it.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.urls import path
from django.utils.html import format_html

from claims import revisions
from claims.anchoring import AnchorError, make_anchor
from claims.models import AnchorState, Claim, Stance
from claims.models.base import PublishedReadOnly

from .base import HistoryAdmin, shorten
from .imports import AnnotationImportScreen
from .locking import VersionedForm


class ClaimForm(VersionedForm):
    class Meta:
        model = Claim
        fields = [
            "source",
            "start",
            "end",
            "quote",
            "kind",
            "attribution",
            "speaker",
            "actors",
            "note",
        ]
        widgets = {"quote": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "quote": "Leave empty to take the words between start and end; if you fill it in, "
            "it must match them exactly.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A view-only form (a published claim) has no fields to adjust.
        if "quote" in self.fields:
            self.fields["quote"].required = False
        # A form posted without it (an older page, a script) keeps the claim's attribution:
        # the source's own view for a new claim.
        if "attribution" in self.fields:
            self.fields["attribution"].required = False

    def clean(self):
        data = super().clean()
        source, start, end = data.get("source"), data.get("start"), data.get("end")
        if source is not None and source.is_published:
            raise forms.ValidationError({"source": PublishedReadOnly(source).message})
        if source is None or start is None or end is None:
            return data
        try:
            anchor = make_anchor(source.body, start, end)
        except AnchorError as error:
            raise forms.ValidationError({"end": str(error)}) from None
        quote = data.get("quote") or anchor.quote
        if quote.replace("\r\n", "\n") != anchor.quote:
            raise forms.ValidationError(
                {"quote": f"The text between {start} and {end} reads “{shorten(anchor.quote)}”."}
            )
        data["quote"] = anchor.quote
        self.instance.prefix, self.instance.suffix = anchor.prefix, anchor.suffix
        self.instance.anchor_state = Claim._meta.get_field("anchor_state").default
        return data


def _published(claim) -> bool:
    return claim is not None and claim.source.is_published


class StanceInline(admin.TabularInline):
    model = Stance
    autocomplete_fields = ["proposition", "annotator"]
    fields = ["proposition", "label", "annotator", "note", "needs_recheck"]
    readonly_fields = ["needs_recheck"]
    extra = 1

    # The stances of a published claim are part of the published revision: read-only.
    def has_add_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["annotator"].initial = request.user.pk
        return formset


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    form = ClaimForm
    list_display = [
        "short_quote",
        "source",
        "kind",
        "attribution",
        "speaker",
        "anchor_state",
        "stance_labels",
    ]
    list_select_related = ["source", "speaker"]
    list_filter = ["attribution", "kind", "anchor_state", "source__status", "source"]
    search_fields = ["quote", "note", "source__title"]
    autocomplete_fields = ["source", "speaker", "actors"]
    readonly_fields = ["prefix", "suffix", "anchor_state", "words_change", "created_by"]
    inlines = [StanceInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)

    @admin.display(description="Words before the edit")
    def words_change(self, obj: Claim):
        """For a claim whose words changed: the words the stances were given on."""
        if obj is None or obj.anchor_state != AnchorState.WORDS_CHANGED:
            return "—"
        before = obj.revision_of.quote if obj.revision_of_id else _previous_quote(obj)
        return format_html(
            "<del>“{}”</del><br>now <ins>“{}”</ins><br>Its stances count nowhere until an "
            "editor confirms or changes each of them.",
            before or "(not recorded)",
            obj.quote,
        )

    def get_queryset(self, request):
        # A blind reader sees only their own claims and stances until every reader is done.
        stances = Stance.objects.visible_to(request.user).select_related("proposition")
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .prefetch_related(Prefetch("stances", queryset=stances))
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(AnnotationImportScreen(self)),
                name="claims_claim_import",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Quote", ordering="quote")
    def short_quote(self, obj: Claim) -> str:
        return shorten(obj.quote)

    @admin.display(description="Stances")
    def stance_labels(self, obj: Claim) -> str:
        return (
            "; ".join(f"{stance.label} {stance.proposition.slug}" for stance in obj.stances.all())
            or "—"
        )

    def save_model(self, request, obj: Claim, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


def _previous_quote(claim: Claim) -> str:
    record = (
        Claim.history.filter(id=claim.pk).exclude(quote=claim.quote).order_by("-history_date")
    ).first()
    return record.quote if record is not None else ""


class StanceForm(VersionedForm):
    class Meta:
        model = Stance
        fields = ["claim", "proposition", "label", "annotator", "note"]

    def clean(self):
        data = super().clean()
        claim = data.get("claim")
        if claim is not None and claim.source.is_published:
            raise forms.ValidationError({"claim": PublishedReadOnly(claim.source).message})
        return data


@admin.register(Stance)
class StanceAdmin(HistoryAdmin):
    form = StanceForm
    list_display = ["claim_quote", "source", "proposition", "label", "annotator", "needs_recheck"]
    list_select_related = ["claim__source", "proposition", "annotator"]
    list_filter = ["label", "needs_recheck", "proposition__topics", "claim__source", "annotator"]
    readonly_fields = ["needs_recheck"]
    actions = ["confirm_action"]

    def has_change_permission(self, request, obj=None) -> bool:
        return not _published(getattr(obj, "claim", None)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _published(getattr(obj, "claim", None)) and super().has_delete_permission(
            request, obj
        )

    def save_model(self, request, obj: Stance, form, change: bool) -> None:
        # Saving a stance marked for re-checking is an editor's word that it holds.
        if change and obj.needs_recheck:
            obj.needs_recheck = False
        super().save_model(request, obj, form, change)
        if change:
            revisions.settle_claim(obj.claim)

    @admin.action(description="Confirm selected stances (their claim's words changed)")
    def confirm_action(self, request, queryset) -> None:
        confirmed, refused = 0, []
        for stance in queryset.filter(needs_recheck=True).select_related("claim__source"):
            try:
                revisions.confirm_stance(stance=stance, by=request.user)
                confirmed += 1
            except PublishedReadOnly as error:
                refused.append(error.message)
        for message in sorted(set(refused)):
            self.message_user(request, message, messages.WARNING)
        self.message_user(request, f"{confirmed} stance(s) confirmed: they count again.")

    search_fields = ["claim__quote", "proposition__text", "note"]
    autocomplete_fields = ["claim", "proposition", "annotator"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="Claim", ordering="claim__quote")
    def claim_quote(self, obj: Stance) -> str:
        return shorten(obj.claim.quote, 70)

    @admin.display(description="Source", ordering="claim__source__title")
    def source(self, obj: Stance) -> str:
        return obj.claim.source.title
