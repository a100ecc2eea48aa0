"""Forms for the public pages' query parameters.

Query strings are read only through these forms, so every value a page acts on has been checked
against a fixed list (sort orders, published source slugs) or capped (search length).
"""

from __future__ import annotations

from django import forms

from claims.search import MAX_QUERY_LENGTH
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
        choices=[("date", "Newest first"), ("publisher", "By outlet")],
        required=False,
    )

    DEFAULTS = {"rows": PROPOSITION_ORDERS[0], "cols": SOURCE_ORDERS[0]}

    def orders(self) -> dict[str, str]:
        """The validated orders, each field's default standing in for a missing or bad value."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) or default for name, default in self.DEFAULTS.items()}


class CompareForm(forms.Form):
    """Two different published sources, named by slug."""

    a = forms.ChoiceField(label="First source")
    b = forms.ChoiceField(label="Second source")

    def __init__(self, *args, sources=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.slug, s.title) for s in sources]
        self.fields["a"].choices = [("", "Choose a source…"), *choices]
        self.fields["b"].choices = [("", "Choose a source…"), *choices]
        self.fields["a"].error_messages["invalid_choice"] = (
            "No published source is called “%(value)s”."
        )
        self.fields["b"].error_messages["invalid_choice"] = (
            "No published source is called “%(value)s”."
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("a") and cleaned.get("a") == cleaned.get("b"):
            raise forms.ValidationError("Pick two different sources to compare.", code="same")
        return cleaned


class SearchForm(forms.Form):
    """The search box. A query longer than the cap is shortened rather than refused."""

    q = forms.CharField(
        label="Search claims, propositions and sources",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )

    shortened = False

    def clean_q(self) -> str:
        query = self.cleaned_data["q"]
        if len(query) > MAX_QUERY_LENGTH:
            self.shortened = True
            query = query[:MAX_QUERY_LENGTH].strip()
        return query
