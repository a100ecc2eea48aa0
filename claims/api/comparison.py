"""Comparison endpoints: the same numbers the public pages show, computed by claims.selectors
and claims.positions over published sources only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import freshness, selectors
from claims.models import Proposition, Source
from claims.silences import confirmed_silences

from .backends import TYPED_PARAMETERS, refuse_blank
from .caching import cached_answer
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
    size of the question however many sources the corpus holds. A topic gives the topic page's
    answer (`selectors.topic_answer`): its propositions a page at a time (`page`, `pages`;
    `truncated` says when there are more), most divided first or alphabetically (`rows`), and at
    most as many columns as the page shows (those with the most positions; `hidden_sources`
    counts the others), newest first or by outlet (`cols`)."""

    allowed = frozenset({"topic", "propositions", "voice", "rows", "cols", "page"})

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
            OpenApiParameter(
                "rows",
                OpenApiTypes.STR,
                enum=list(selectors.PROPOSITION_ORDERS),
                description="With topic: most divided first (default) or alphabetically.",
            ),
            OpenApiParameter(
                "cols",
                OpenApiTypes.STR,
                enum=list(selectors.SOURCE_ORDERS),
                description="With topic: newest first (default) or by outlet.",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="With topic: page number."),
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
                    help_text="True when the topic has more propositions than this page."
                ),
                "topic": serializers.CharField(required=False),
                "hidden_sources": serializers.IntegerField(
                    required=False,
                    help_text="Sources taking a position here that are not shown as columns.",
                ),
                "page": serializers.IntegerField(required=False),
                "pages": serializers.IntegerField(required=False),
                "cells": serializers.ListField(child=serializers.DictField()),
                "confirmed_silent": serializers.ListField(
                    child=serializers.DictField(),
                    help_text="Proposition and source pairs an editor confirmed the source is "
                    "silent on (published sources; absent pairs are simply not addressed).",
                ),
            },
        ),
    )
    def get(self, request):
        self.check_params(request)
        voice = voice_of(request)
        topic, wanted = request.query_params.get("topic"), request.query_params.get("propositions")
        if bool(topic) == bool(wanted):
            raise ValidationError({"topic": ["give either topic or propositions (not both)"]})
        if topic:
            orders = _orders(request)
            page = _page(request)
            tags = [freshness.tag("topic", topic)]
            return cached_answer(request, self.topic, tags, topic, orders, page, voice)
        slugs = [s.strip() for s in wanted.split(",") if s.strip()]
        if not slugs or len(slugs) > MAX_PROPOSITIONS:
            raise ValidationError(
                {"propositions": [f"give 1 to {MAX_PROPOSITIONS} comma-separated slugs"]}
            )
        tags = [freshness.tag("proposition", slug) for slug in slugs]
        return cached_answer(request, self.listed, tags, slugs, voice)

    def topic(self, request, slug: str, orders: dict[str, str], page: int, voice: str):
        """The topic page's answer (`selectors.topic_answer`), with the same bounds and order."""
        try:
            answer = selectors.topic_answer(slug, **orders, page=page, voice=voice)
        except selectors.NotPublic:
            raise NotFound("No published proposition is filed under this topic.") from None
        matrix = answer.matrix
        return Response(
            {
                "topic": answer.topic.slug,
                "propositions": [
                    {
                        "slug": s.proposition.slug,
                        "text": s.proposition.text,
                        "divergence": round(s.divergence, 4),
                    }
                    for s in answer.summaries
                ],
                "sources": [{"slug": s.slug, "title": s.title} for s in matrix.sources],
                "silent_sources": answer.silent,
                "hidden_sources": answer.hidden_columns,
                "page": answer.page.number,
                "pages": answer.page.paginator.num_pages,
                "truncated": answer.page.has_next(),
                "cells": [
                    {"proposition": s.proposition.slug, "source": source.slug, **_cell(cell)}
                    for s, row in answer.rows()
                    for source, cell, _ in row
                    if cell is not None
                ],
                "confirmed_silent": [
                    {"proposition": s.proposition.slug, "source": source.slug}
                    for s, row in answer.rows()
                    for source, cell, confirmed in row
                    if confirmed
                ],
            }
        )

    def listed(self, request, slugs: list[str], voice: str):
        """Named propositions: every published source taking a position on them."""
        # Only propositions the public sees: one known to drafts alone is as unknown as a
        # slug nobody ever used, so the answer reveals nothing about editorial work.
        propositions = list(
            Proposition.objects.published().filter(slug__in=slugs).values_list("pk", "slug")
        )
        missing = sorted(set(slugs) - {slug for _, slug in propositions})
        if missing:
            raise ValidationError({"propositions": [f"unknown proposition {missing[0]!r}"]})
        matrix = selectors.build_matrix(
            selectors.published_stance_rows(proposition__in=[pk for pk, _ in propositions]),
            voice=voice,
        )
        silent = selectors.corpus_tally().sources - len(matrix.sources)
        slugs = {p.pk: p.slug for p in matrix.propositions}
        confirmed = sorted(confirmed_silences(slugs))
        source_slugs = (
            dict(Source.objects.filter(pk__in={s for _, s in confirmed}).values_list("pk", "slug"))
            if confirmed
            else {}
        )
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
                "truncated": False,
                "cells": [
                    {"proposition": p.slug, "source": s.slug, **_cell(cell)}
                    for p in matrix.propositions
                    for s, cell in matrix.row(p)
                    if cell is not None
                ],
                "confirmed_silent": [
                    {"proposition": slugs[p], "source": source_slugs[s]} for p, s in confirmed
                ],
            }
        )


def _orders(request) -> dict[str, str]:
    """`rows` and `cols`, checked: a bad value is a 400 naming it."""
    orders = {}
    for name, choices in (
        ("rows", selectors.PROPOSITION_ORDERS),
        ("cols", selectors.SOURCE_ORDERS),
    ):
        value = request.query_params.get(name, choices[0])
        if value not in choices:
            raise ValidationError({name: [f"must be one of {', '.join(choices)}"]})
        orders[name] = value
    return orders


def _page(request) -> int:
    """`page`, checked: a positive whole number (past the last page gives the last)."""
    value = request.query_params.get("page", "1")
    if not value.isdigit() or not 0 < int(value) < 10**9:
        raise ValidationError({"page": ["must be a page number from 1"]})
    return int(value)


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
                    "the shared propositions (1 = same lean, 0 = supports against contradicts), "
                    "each proposition weighted by the quotes of the source that says less on it.",
                ),
                "agreement_unweighted": serializers.FloatField(
                    allow_null=True,
                    help_text="The same mean with every shared proposition counted once.",
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
        tags = [freshness.tag("source", slug) for slug in slugs.values()]
        return cached_answer(request, self.compared, tags, slugs, voice)

    def compared(self, request, slugs: dict[str, str], voice: str):
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
                    "weight": result.weights.get(p.pk),
                }
                for p, cell_a, cell_b, close in comparison.rows(propositions)
            ]

        return Response(
            {
                "a": a.slug,
                "b": b.slug,
                "voice": voice,
                "agreement": None if result.score is None else round(result.score, 4),
                "agreement_unweighted": (
                    None if result.unweighted is None else round(result.unweighted, 4)
                ),
                "shared": len(result.shared),
                "agreeing": rows(result.agreeing),
                "diverging": rows(result.diverging),
                "only_a": rows(result.only_a),
                "only_b": rows(result.only_b),
            }
        )
