"""Export of every published claim as JSON Lines: one claim per line, with its stances.

The keys are the CSV export's (claim_id, source, start, end, quote, kind, speaker, …) plus what a
row per stance cannot hold: prefix, suffix, the actors, the claim's note and each stance's note.
`import_annotations` reads it back, so an export imported into an empty instance gives the
same claims.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from claims.models import Actor, Claim, Stance


def jsonl_claims() -> Iterator[dict]:
    """Every published claim as a plain dictionary, read in chunks (memory stays flat)."""
    # The stances that count publicly: not those awaiting re-checking (their claims are
    # published ones already; asking `published()` again would join every claim and source).
    stances = (
        Stance.objects.filter(needs_recheck=False)
        .select_related("proposition", "annotator")
        .order_by("pk")
    )
    claims = (
        Claim.objects.published()
        .with_source("speaker")
        .prefetch_related(
            Prefetch("stances", queryset=stances),
            Prefetch("actors", queryset=Actor.objects.order_by("slug").only("slug")),
        )
        .order_by("pk")
    )
    for claim in claims.iterator(chunk_size=1000):
        yield {
            "claim_id": claim.pk,
            "source": claim.source.slug,
            "start": claim.start,
            "end": claim.end,
            "quote": claim.quote,
            "prefix": claim.prefix,
            "suffix": claim.suffix,
            "kind": claim.kind,
            "attribution": claim.attribution,
            "speaker": claim.speaker.slug if claim.speaker else "",
            "actors": [actor.slug for actor in claim.actors.all()],
            "note": claim.note,
            "anchor_state": claim.anchor_state,
            "stances": [
                {
                    "stance_id": stance.pk,
                    "proposition": stance.proposition.slug,
                    "proposition_text": stance.proposition.text,
                    "label": stance.label,
                    "annotator": stance.annotator.username,
                    "note": stance.note,
                }
                for stance in claim.stances.all()
            ],
        }


class ClaimsJsonlView(APIView):
    """Every published claim with its stances, one JSON object per line, streamed."""

    @extend_schema(
        summary="JSON Lines export: every published claim with its stances, one per line",
        responses={(200, "application/jsonl"): OpenApiTypes.STR},
    )
    def get(self, request):
        if set(request.query_params) - {"format"}:
            raise ValidationError(
                {sorted(request.query_params)[0]: ["this export takes no parameters"]}
            )
        rows = jsonl_claims()
        # Read the first claims before answering: an unreachable database is then a 503.
        first = next(rows, None)

        def stream() -> Iterator[bytes]:
            if first is not None:
                yield orjson.dumps(first) + b"\n"
            for row in rows:
                yield orjson.dumps(row) + b"\n"

        response = StreamingHttpResponse(stream(), content_type="application/jsonl; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="claims.jsonl"'
        return response
