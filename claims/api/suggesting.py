"""`GET /api/v1/propositions/suggest/`: the propositions a text most likely bears on.

For editors (a token, or a session, of a user who sees drafts): the ranking covers every
proposition, drafts included, the same index the annotation screen uses.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Source, Stance
from claims.suggesting.propositions import MAX_SUGGESTIONS, suggest

from .comparison import StrictQueryMixin
from .permissions import sees_drafts

# Long enough for any claim worth matching, short enough that the address stays under
# MAX_URL_LENGTH once encoded (the screen sends at most its first 600 characters).
MAX_TEXT = 2000


class IsEditor(BasePermission):
    """Editors and reviewers only."""

    def has_permission(self, request, view) -> bool:
        return sees_drafts(request.user)


class SuggestQuery(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_TEXT, help_text="The span (or any wording) to find propositions for."
    )
    source = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Source.objects.only("pk", "slug"),
        required=False,
        help_text="Slug of the source the span comes from: marks the propositions it already "
        "takes a stance on.",
    )
    k = serializers.IntegerField(
        min_value=1, max_value=MAX_SUGGESTIONS, default=5, help_text="How many to return."
    )


class SuggestionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    text = serializers.CharField()
    score = serializers.FloatField(
        help_text="Fused ranker score: 1.0 for the best match of this text (relative)."
    )
    similarity = serializers.FloatField(
        help_text="Closeness of the wordings, 0 to 1 (absolute; 0.6 and above is a near-duplicate)."
    )
    addressed_by_source = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the given source already takes a stance on it (null: no source).",
    )


class SuggestView(StrictQueryMixin, APIView):
    """Rank the existing propositions for a text: words BM25, character n-gram BM25 and the
    cosine of sentence embeddings, fused."""

    permission_classes = [IsEditor]
    allowed = frozenset({"text", "source", "k"})

    @extend_schema(
        summary="Suggest propositions for a text (editors)",
        parameters=[SuggestQuery],
        responses=inline_serializer("Suggestions", {"results": SuggestionSerializer(many=True)}),
    )
    def get(self, request):
        self.check_params(request)
        query = SuggestQuery(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        if request.query_params.get("source") == "":
            # A form-style query string drops an empty optional field silently; a blank slug
            # names no source and is refused like any other unknown one.
            raise ValidationError({"source": ["A source slug may not be blank."]})
        data = query.validated_data
        found = suggest(data["text"], k=data["k"])
        addressed: set[int] | None = None
        if "source" in data:
            addressed = set(
                Stance.objects.filter(
                    claim__source=data["source"],
                    proposition__in=[s.proposition.pk for s in found],
                ).values_list("proposition_id", flat=True)
            )
        results = [
            {
                "slug": s.proposition.slug,
                "text": s.proposition.text,
                "score": s.score,
                "similarity": s.similarity,
                "addressed_by_source": None if addressed is None else s.proposition.pk in addressed,
            }
            for s in found
        ]
        return Response({"results": SuggestionSerializer(results, many=True).data})
