"""Admin for claims and stances.

A claim is entered as offsets into its source's text; the quote, prefix and suffix are taken
from the text itself, so they cannot disagree with it.
"""

from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.urls import path

from claims.anchoring import AnchorError, make_anchor
from claims.models import Claim, Stance

from .base import ChosenOnlyFilter, HistoryAdmin, shorten
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
        self.fields["quote"].required = False
        # A form posted without it (an older page, a script) keeps the claim's attribution:
        # the source's own view for a new claim.
        self.fields["attribution"].required = False

    def clean(self):
        data = super().clean()
        source, start, end = data.get("source"), data.get("start"), data.get("end")
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


class StanceInline(admin.TabularInline):
    model = Stance
    autocomplete_fields = ["proposition", "annotator"]
    fields = ["proposition", "label", "annotator", "note"]
    extra = 1

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
    list_defer = ["source__body", "source__blocks", "source__provenance"]
    # A million claims come from tens of thousands of sources: the source filter shows the
    # one chosen (from a source's claim count), not a list of them all.
    list_filter = [
        "attribution",
        "kind",
        "anchor_state",
        "source__status",
        ("source", ChosenOnlyFilter),
    ]
    search_fields = ["quote", "note", "source__title"]
    # Newest first, along the primary key: the model's order (by source, whose own order is
    # by date and title) sorts a million claims joined with their sources for every page.
    # For the same reason no column sorts the list; filters and search narrow it instead.
    ordering = ["-pk"]
    sortable_by = []
    autocomplete_fields = ["source", "speaker", "actors"]
    readonly_fields = ["prefix", "suffix", "anchor_state", "created_by"]
    inlines = [StanceInline]

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

    @admin.display(description="Quote")
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


class StanceForm(VersionedForm):
    class Meta:
        model = Stance
        fields = ["claim", "proposition", "label", "annotator", "note"]


@admin.register(Stance)
class StanceAdmin(HistoryAdmin):
    form = StanceForm
    list_display = ["claim_quote", "source", "proposition", "label", "annotator"]
    list_select_related = ["claim__source", "proposition", "annotator"]
    list_defer = ["claim__source__body", "claim__source__blocks", "claim__source__provenance"]
    list_filter = [
        "label",
        "proposition__topics",
        ("claim__source", ChosenOnlyFilter),
        "annotator",
    ]
    search_fields = ["claim__quote", "proposition__text", "note"]
    ordering = ["-pk"]  # as for claims: the model's order joins every stance to its source
    sortable_by = []
    autocomplete_fields = ["claim", "proposition", "annotator"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="Claim")
    def claim_quote(self, obj: Stance) -> str:
        return shorten(obj.claim.quote, 70)

    @admin.display(description="Source")
    def source(self, obj: Stance) -> str:
        return obj.claim.source.title
