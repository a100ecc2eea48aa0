"""How the API writes a position and reads the `voice` parameter, shared by the proposition
and comparison endpoints so that both describe positions alike."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from claims import positions

VOICE_PARAMETER = OpenApiParameter(
    "voice",
    OpenApiTypes.STR,
    enum=list(positions.VOICES),
    description=(
        "Whose claims make a position: `own` (default) counts only the sources' own views; "
        "`all` also counts the views they report, their counterpoints and background."
    ),
)


def voice_of(request) -> str:
    """The `voice` query parameter, checked: a bad value is a 400 naming it."""
    value = request.query_params.get("voice", positions.VOICES[0])
    if value not in positions.VOICES:
        raise ValidationError({"voice": [f"must be one of {', '.join(positions.VOICES)}"]})
    return value


class PositionSerializer(serializers.Serializer):
    """The schema of `position_data`: a position with the evidence it rests on."""

    label = serializers.ChoiceField(
        choices=list(positions.POSITION_LABELS),
        allow_null=True,
        help_text="Graded position; null when the source only reports others' views on it.",
    )
    lean = serializers.FloatField(
        allow_null=True,
        help_text="Mean side of the counted quotes, from -1 (contradicts) to 1 (supports); "
        "null when none takes a side.",
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Counted quotes per stance label."
    )
    quotes = serializers.IntegerField(help_text="How many quotes the position rests on.")
    single_quote = serializers.BooleanField(help_text="True when it rests on one quote only.")
    aside = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Quotes kept beside the position, by attribution (reported, counterpoint, "
        "background).",
    )


def position_data(held: positions.Position | None) -> dict | None:
    """A position as JSON: label, lean (rounded to 4 places), counts, quotes, aside."""
    if held is None:
        return None
    return {
        "label": held.label,
        "lean": None if held.lean is None else round(float(held.lean), 4),
        "counts": dict(held.counts),
        "quotes": held.quotes,
        "single_quote": held.single,
        "aside": dict(held.aside),
    }
