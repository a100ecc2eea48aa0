"""CSV export of positions: one row per proposition and published source that addresses it,
with the evidence (counts, lean, quotes, what was kept aside), as the pages and the API show.

Worked out a batch of propositions at a time (one query per batch, `selectors.positions_for`),
so memory stays flat however large the corpus."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from claims import positions, selectors
from claims.models import Proposition, Source

from .exports import _Echo, _safe
from .positions import VOICE_PARAMETER, voice_of

BATCH = 200
POSITION_COLUMNS = [
    "proposition",
    "proposition_text",
    "source",
    "source_title",
    "publisher",
    "voice",
    "position",
    "lean",
    *positions.LABELS,
    "quotes",
    "single_quote",
    *(kind for kind in positions.ATTRIBUTIONS if kind != positions.OWN),
]


def position_rows(voice: str) -> Iterator[list[str]]:
    """The rows of the export, propositions by slug and sources by slug within each."""
    ids = list(Proposition.objects.published().order_by("slug").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        held = selectors.positions_for(batch, voice=voice)
        sources = {
            s.pk: s
            for s in Source.objects.filter(pk__in={pk for by in held.values() for pk in by})
            .select_related("publisher")
            .only("slug", "title", "publisher__name")
        }
        named = {
            pk: (slug, text)
            for pk, slug, text in Proposition.objects.filter(pk__in=batch).values_list(
                "pk", "slug", "text"
            )
        }
        for pk in batch:
            for source in sorted((sources[s] for s in held.get(pk, {})), key=lambda s: s.slug):
                position = held[pk][source.pk]
                row = [
                    *named[pk],
                    source.slug,
                    source.title,
                    source.publisher.name if source.publisher else "",
                    voice,
                    position.label or "",
                    "" if position.lean is None else f"{float(position.lean):.4f}",
                    *(position.counts[label] for label in positions.LABELS),
                    position.quotes,
                    "yes" if position.single else "no",
                    *(position.aside.get(kind, 0) for kind in POSITION_COLUMNS[-3:]),
                ]
                yield [_safe(value) for value in row]


class PositionsCsvView(APIView):
    """Every published source's position on every proposition it addresses, streamed."""

    @extend_schema(
        summary="CSV export: each source's position on each proposition, with its evidence",
        parameters=[VOICE_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - {"format", "voice"})
        if unknown:
            raise ValidationError({unknown[0]: ["this export takes only voice"]})
        voice = voice_of(request)
        writer = csv.writer(_Echo())
        rows = position_rows(voice)
        # Read the first row before answering, so that a database error is a 503, not a
        # cut-off 200 (as the claims export does).
        first = next(rows, None)

        def stream() -> Iterator[str]:
            yield writer.writerow(POSITION_COLUMNS)
            if first is not None:
                yield writer.writerow(first)
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="positions.csv"'
        return response
