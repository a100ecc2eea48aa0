"""Admin for claims and stances.

A claim is entered as offsets into its source's text; the quote, prefix and suffix are taken
from the text itself, so they cannot disagree with it.
"""

from django import forms
from django.contrib import admin

from claims.anchoring import AnchorError, make_anchor
from claims.models import Claim, Stance

from .base import HistoryAdmin, shorten
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
    readonly_fields = ["prefix", "suffix", "anchor_state", "created_by"]
    inlines = [StanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stances__proposition")

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


class StanceForm(VersionedForm):
    class Meta:
        model = Stance
        fields = ["claim", "proposition", "label", "annotator", "note"]


@admin.register(Stance)
class StanceAdmin(HistoryAdmin):
    form = StanceForm
    list_display = ["claim_quote", "source", "proposition", "label", "annotator"]
    list_select_related = ["claim__source", "proposition", "annotator"]
    list_filter = ["label", "proposition__topics", "claim__source", "annotator"]
    search_fields = ["claim__quote", "proposition__text", "note"]
    autocomplete_fields = ["claim", "proposition", "annotator"]

    @admin.display(description="Claim", ordering="claim__quote")
    def claim_quote(self, obj: Stance) -> str:
        return shorten(obj.claim.quote, 70)

    @admin.display(description="Source", ordering="claim__source__title")
    def source(self, obj: Stance) -> str:
        return obj.claim.source.title
