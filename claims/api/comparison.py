"""Comparison endpoints: the same numbers the public pages show, computed by claims.selectors
and claims.positions over published sources only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import selectors
from claims.models import Proposition, Source, Topic

from .backends import TYPED_PARAMETERS, refuse_blank
from .positions import VOICE_PARAMETER, position_data, voice_of

MAX_PROPOSITIONS = 100


def _cell(cell: selectors.Cell | None) -> dict | None:
    if cell is None:
        return None
    return {
        "position": cell.position,
        "evidence": position_data(cell.evidence),
        "claims": [claim.pk for claim in cell.claims],
    }


class StrictQueryMixin:
    """Refuse parameters this endpoint does not take, naming them."""

    allowed: frozenset[str] = frozenset()

    def check_params(self, request) -> None:
        refuse_blank(request, TYPED_PARAMETERS)
        unknown = sorted(set(request.query_params) - self.allowed - {"format"})
        if unknown:
            raise ValidationError(
                {
                    unknown[0]: [
                        f"unknown query parameter; allowed: {', '.join(sorted(self.allowed))}"
                    ]
                }
            )


class MatrixView(StrictQueryMixin, APIView):
    """Proposition × source matrix for a topic (with its sub-topics) or a list of propositions.

    Columns are the published sources that take a position on at least one of the
    propositions; the others are only counted (`silent_sources`), so that the answer stays the
    size of the question however many sources the corpus holds. A topic gives its
    MAX_PROPOSITIONS most divided propositions (`truncated` says when there are more)."""

    allowed = frozenset({"topic", "propositions", "voice"})

    @extend_schema(
        summary="Proposition × source matrix",
        parameters=[
            OpenApiParameter("topic", OpenApiTypes.STR, description="Topic slug."),
            OpenApiParameter(
                "propositions",
                OpenApiTypes.STR,
                description=f"Comma-separated proposition slugs (at most {MAX_PROPOSITIONS}).",
            ),
            VOICE_PARAMETER,
        ],
        responses=inline_serializer(
            "Matrix",
            {
                "propositions": serializers.ListField(child=serializers.DictField()),
                "sources": serializers.ListField(child=serializers.DictField()),
                "silent_sources": serializers.IntegerField(
                    help_text="Published sources that take no position on these propositions."
                ),
                "truncated": serializers.BooleanField(
                    help_text=f"True when the topic has more than {MAX_PROPOSITIONS} "
                    "propositions: the most divided are given."
                ),
                "cells": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        self.check_params(request)
        voice = voice_of(request)
        topic, wanted = request.query_params.get("topic"), request.query_params.get("propositions")
        if bool(topic) == bool(wanted):
            raise ValidationError({"topic": ["give either topic or propositions (not both)"]})
        truncated = False
        if topic:
            # The topic's most divided propositions first, at most MAX_PROPOSITIONS of them.
            ranked = (
                selectors.published_summaries()
                .filter(
                    proposition__in=selectors.topic_propositions(
                        get_object_or_404(Topic, slug=topic)
                    )
                )
                .order_by(*selectors.CONTESTED_ORDER)
                .values_list("proposition_id", flat=True)[: MAX_PROPOSITIONS + 1]
            )
            ids = list(ranked)
            truncated = len(ids) > MAX_PROPOSITIONS
            propositions = ids[:MAX_PROPOSITIONS]
        else:
            slugs = [s.strip() for s in wanted.split(",") if s.strip()]
            if not slugs or len(slugs) > MAX_PROPOSITIONS:
                raise ValidationError(
                    {"propositions": [f"give 1 to {MAX_PROPOSITIONS} comma-separated slugs"]}
                )
            propositions = Proposition.objects.filter(slug__in=slugs)
            missing = sorted(set(slugs) - set(propositions.values_list("slug", flat=True)))
            if missing:
                raise ValidationError({"propositions": [f"unknown proposition {missing[0]!r}"]})
        # Columns: the sources taking a position on these propositions; the others are counted.
        matrix = selectors.build_matrix(
            selectors.published_stances().filter(proposition__in=propositions), voice=voice
        )
        silent = selectors.corpus_tally().sources - len(matrix.sources)
        return Response(
            {
                "propositions": [
                    {
                        "slug": p.slug,
                        "text": p.text,
                        "divergence": round(matrix.divergence[p.pk], 4),
                    }
                    for p in matrix.propositions
                ],
                "sources": [{"slug": s.slug, "title": s.title} for s in matrix.sources],
                "silent_sources": silent,
                "truncated": truncated,
                "cells": [
                    {"proposition": p.slug, "source": s.slug, **_cell(cell)}
                    for p in matrix.propositions
                    for s, cell in matrix.row(p)
                    if cell is not None
                ],
            }
        )


class SourcesView(StrictQueryMixin, APIView):
    """Two sources: agreement, where they agree and diverge, what only one covers."""

    allowed = frozenset({"a", "b", "voice"})

    @extend_schema(
        summary="Compare two sources",
        parameters=[
            OpenApiParameter("a", OpenApiTypes.STR, required=True, description="Source slug."),
            OpenApiParameter("b", OpenApiTypes.STR, required=True, description="Source slug."),
            VOICE_PARAMETER,
        ],
        responses=inline_serializer(
            "SourceComparison",
            {
                "a": serializers.CharField(),
                "b": serializers.CharField(),
                "voice": serializers.CharField(),
                "agreement": serializers.FloatField(
                    allow_null=True,
                    help_text="Graded agreement: the mean closeness of the two positions over "
                    "the shared propositions (1 = same lean, 0 = supports against contradicts).",
                ),
                "shared": serializers.IntegerField(),
                "agreeing": serializers.ListField(child=serializers.DictField()),
                "diverging": serializers.ListField(child=serializers.DictField()),
                "only_a": serializers.ListField(child=serializers.DictField()),
                "only_b": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        self.check_params(request)
        voice = voice_of(request)
        slugs = {}
        for key in ("a", "b"):
            value = request.query_params.get(key, "").strip()
            if not value:
                raise ValidationError({key: ["this parameter is required (a source slug)"]})
            slugs[key] = value
        if slugs["a"] == slugs["b"]:
            raise ValidationError({"b": ["choose a different source from a"]})
        published = Source.objects.published()
        a = get_object_or_404(published, slug=slugs["a"])
        b = get_object_or_404(published, slug=slugs["b"])
        comparison = selectors.compare_sources(a, b, voice=voice)
        result = comparison.agreement

        def rows(propositions):
            return [
                {
                    "proposition": p.slug,
                    "text": p.text,
                    "a": _cell(cell_a),
                    "b": _cell(cell_b),
                    "closeness": None if close is None else round(close, 4),
                }
                for p, cell_a, cell_b, close in comparison.rows(propositions)
            ]

        return Response(
            {
                "a": a.slug,
                "b": b.slug,
                "voice": voice,
                "agreement": None if result.score is None else round(result.score, 4),
                "shared": len(result.shared),
                "agreeing": rows(result.agreeing),
                "diverging": rows(result.diverging),
                "only_a": rows(result.only_a),
                "only_b": rows(result.only_b),
            }
        )
