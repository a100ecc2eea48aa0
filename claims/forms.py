"""Forms for the public pages' query parameters.

Query strings are read only through these forms, so every value a page acts on has been checked
against a fixed list (sort orders, published source slugs) or capped (search length).
"""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef

from claims.models import ClaimAttribution, Proposition, Source, StanceLabel, Topic
from claims.positions import VOICES
from claims.search import MAX_QUERY_LENGTH, Filters
from claims.selectors import PROPOSITION_ORDERS, SOURCE_ORDERS


class MatrixOrderForm(forms.Form):
    """How the topic matrix is sorted. Unknown values fall back to the defaults."""

    rows = forms.ChoiceField(
        label="Rows",
        choices=[("divergence", "Most divided first"), ("text", "Alphabetical")],
        required=False,
    )
    cols = forms.ChoiceField(
        label="Columns",
        choices=[("date", "Newest first"), ("oldest", "Oldest first"), ("publisher", "By outlet")],
        required=False,
    )

    DEFAULTS = {"rows": PROPOSITION_ORDERS[0], "cols": SOURCE_ORDERS[0]}

    def orders(self) -> dict[str, str]:
        """The validated orders, each field's default standing in for a missing or bad value."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) or default for name, default in self.DEFAULTS.items()}


class VoiceForm(forms.Form):
    """Whose claims make a position: the sources' own (the default) or every claim they quote.
    An unknown value falls back to the default."""

    voice = forms.ChoiceField(
        label="Positions from",
        choices=[("own", "Their own views"), ("all", "Every claim, reported views included")],
        required=False,
    )

    def voice_value(self) -> str:
        """The validated voice, "own" standing in for a missing or bad value."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("voice") or VOICES[0]


class SourceSlugInput(forms.TextInput):
    """A slug typed or picked from the page's list of suggestions (`<datalist>`)."""

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "list": "compare-suggestions",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "Pick a source or type its slug",
            }
        )


class CompareForm(forms.Form):
    """Two different published sources, named by slug.

    The sources are looked up in `sources` (published ones), both in one query, so the form
    costs the same however large the corpus; the page offers a bounded list of suggestions.
    An unknown slug and a draft's slug get the same message.
    """

    a = forms.CharField(label="First source", max_length=200, widget=SourceSlugInput())
    b = forms.CharField(label="Second source", max_length=200, widget=SourceSlugInput())

    def __init__(self, *args, sources=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources
        self.found: dict[str, object] = {}

    def clean(self) -> dict:
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a and a == b:
            raise forms.ValidationError("Pick two different sources to compare.", code="same")
        wanted = [slug for slug in (a, b) if slug]
        if wanted and self.sources is not None:
            self.found = {s.slug: s for s in self.sources.filter(slug__in=wanted)}
        for name, slug in (("a", a), ("b", b)):
            if slug and slug not in self.found:
                self.add_error(
                    name,
                    forms.ValidationError(
                        "No published source is called “%(value)s”.",
                        code="unknown",
                        params={"value": slug},
                    ),
                )
        return cleaned


class SearchForm(forms.Form):
    """The search box. A query longer than the cap is shortened rather than refused."""

    q = forms.CharField(
        label="Search claims, propositions and sources",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )

    topic = forms.ModelChoiceField(
        label="Topic",
        required=False,
        empty_label="Any topic",
        to_field_name="slug",
        # Topics a published proposition is filed under: a draft-only topic stays unnamed.
        queryset=Topic.objects.filter(
            Exists(
                Proposition.topics.through.objects.filter(
                    topic=OuterRef("pk"), proposition__in=Proposition.objects.published()
                )
            )
        ),
    )
    stance = forms.ChoiceField(
        label="Stance", required=False, choices=[("", "Any stance"), *StanceLabel.choices]
    )
    attribution = forms.ChoiceField(
        label="Voice",
        required=False,
        choices=[("", "Any voice"), *ClaimAttribution.choices],
    )
    # A slug, not a list: there may be thousands of sources. Results link to it.
    source = forms.SlugField(label="Source", required=False, max_length=200)

    shortened = False

    def clean_q(self) -> str:
        query = self.cleaned_data["q"]
        if len(query) > MAX_QUERY_LENGTH:
            self.shortened = True
            query = query[:MAX_QUERY_LENGTH].strip()
        return query

    def clean_source(self) -> Source | None:
        slug = self.cleaned_data["source"]
        if not slug:
            return None
        source = Source.objects.published().filter(slug=slug).only("pk", "slug", "title").first()
        if source is None:
            raise forms.ValidationError(
                "No published source has the slug “%(value)s”.",
                code="unknown_source",
                params={"value": slug},
            )
        return source

    def filters(self) -> Filters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return Filters(
            topic=data.get("topic"),
            source=data.get("source"),
            stance=data.get("stance", ""),
            attribution=data.get("attribution", ""),
        )
