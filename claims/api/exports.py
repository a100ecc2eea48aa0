"""Exports of every published claim: W3C Web Annotations (JSON-LD) and CSV.

Web Annotation shape, one annotation per claim:
- target: the source's public reading view. The page's `#source-text` element holds the text,
  exactly the stored body, so each selector is a CssSelector for that element refined (W3C
  §4.2.9) by a TextQuoteSelector (exact, prefix, suffix) or, as an equal alternative, by a
  TextPositionSelector (start, end in code points, as the model requires). The same text is
  served alone, as text/plain, at `/sources/<slug>/text.txt`;
- body: for each stance, a TextualBody (purpose "classifying", value = the label, its annotator as
  creator) immediately followed by a SpecificResource whose id is the stance in the API and whose
  source is the proposition's public page (purpose "linking"); a note becomes a "commenting" body;
  whose view the claim is comes last, as a TextualBody with purpose "tagging" and the value
  "attribution:" + own, reported, counterpoint or background (always present, so a client need
  not guess a default);
- motivation "classifying" (or "highlighting" for a claim no one has labelled yet);
- creator, created and modified from the claim; the platform as generator.
The collection is paged by claim id (keyset), so a page costs the same however deep it is.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator

import orjson
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Claim, Stance
from claims.selectors import corpus_tally

from .backends import TYPED_PARAMETERS, refuse_blank
from .links import link, site_url
from .renderers import OPTIONS, ORJSONRenderer

logger = logging.getLogger("claims.exports")

# The last line of a CSV export the database cut off half-way (the connection is then aborted
# as well): a client that reads the body anyway finds it marked as incomplete.
CSV_INTERRUPTED = "#ERROR: export interrupted before its end (the database stopped answering)"

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LD_CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
PAGE_SIZE = 100
# The tag that carries a claim's attribution in a Web Annotation ("attribution:reported").
ATTRIBUTION_TAG = "attribution:"

# The element of the reading view whose text content is the source's body (source.html).
TEXT_ELEMENT = "#source-text"


def interruptible(chunks: Iterator, name: str, marker=None) -> Iterator:
    """`chunks`, and if reading them fails half-way (the database drops while the export
    streams), the `marker` chunk and then the error again.

    The status line (200) is long sent by then, so the failure has to show in the body and in
    the connection: the server aborts a response whose iterator raises instead of ending it
    cleanly, so the client sees an incomplete transfer, never a complete-looking 200."""
    try:
        yield from chunks
    except Exception:
        logger.exception("The %s export was cut off half-way", name)
        if marker is not None:
            yield marker
        raise


class JSONLDRenderer(ORJSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


def published_claims():
    # The stances that count publicly: not those awaiting re-checking (their claims are
    # published ones already; asking `published()` again would join every claim and source).
    stances = (
        Stance.objects.filter(needs_recheck=False)
        .select_related("proposition", "annotator")
        .order_by("pk")
    )
    return (
        Claim.objects.published()
        .with_source("created_by")
        .prefetch_related(Prefetch("stances", queryset=stances))
        .order_by("pk")
    )


def _agent(user) -> dict:
    name = (user.get_full_name() or user.username) if user else "Unknown"
    return {"type": "Person", "name": name}


def annotation(claim: Claim, request) -> dict:
    """One claim as a W3C Web Annotation (without @context when embedded in a page)."""

    def absolute(path: str) -> str:
        return site_url(request, path)

    bodies: list[dict] = []
    for stance in claim.stances.all():
        stance_id = link(request, "api:stance-detail", stance.pk)
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "classifying",
                "value": stance.label,
                "format": "text/plain",
                "creator": _agent(stance.annotator),
            }
        )
        bodies.append(
            {
                "id": stance_id,
                "type": "SpecificResource",
                "purpose": "linking",
                "source": absolute(f"/propositions/{stance.proposition.slug}/"),
            }
        )
    if claim.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": claim.note,
                "format": "text/plain",
            }
        )
    labelled = bool(bodies)
    bodies.append(
        {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": f"{ATTRIBUTION_TAG}{claim.attribution}",
            "format": "text/plain",
        }
    )
    result = {
        "id": link(request, "api:annotation-detail", claim.pk),
        "type": "Annotation",
        "motivation": "classifying" if labelled else "highlighting",
        "created": claim.created.isoformat(),
        "modified": claim.modified.isoformat(),
        "creator": _agent(claim.created_by),
        "generator": {"id": absolute("/"), "type": "Software", "name": "Geopolitics claims"},
        "target": {
            "source": absolute(f"/sources/{claim.source.slug}/"),
            # Two selectors for the same words: a client may use either (W3C §4.2).
            "selector": [
                {
                    "type": "CssSelector",
                    "value": TEXT_ELEMENT,
                    "refinedBy": {
                        "type": "TextQuoteSelector",
                        "exact": claim.quote,
                        "prefix": claim.prefix,
                        "suffix": claim.suffix,
                    },
                },
                {
                    "type": "CssSelector",
                    "value": TEXT_ELEMENT,
                    "refinedBy": {
                        "type": "TextPositionSelector",
                        "start": claim.start,
                        "end": claim.end,
                    },
                },
            ],
        },
    }
    result["body"] = bodies
    return result


def _after(request) -> int | None:
    raw = request.query_params.get("after")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError({"after": ["must be a non-negative whole number (a claim id)"]})
    return int(raw)


class AnnotationCollectionView(APIView):
    """Every published claim as a W3C Web Annotation, in an AnnotationCollection of pages."""

    renderer_classes = [JSONLDRenderer, ORJSONRenderer]

    def page(self, request, after: int, collection_id: str) -> dict:
        claims = list(published_claims().filter(pk__gt=after)[: PAGE_SIZE + 1])
        more = len(claims) > PAGE_SIZE
        claims = claims[:PAGE_SIZE]
        page = {
            "id": f"{collection_id}?{urlencode({'after': after})}",
            "type": "AnnotationPage",
            "partOf": collection_id,
            "items": [annotation(claim, request) for claim in claims],
        }
        if more:
            page["next"] = f"{collection_id}?{urlencode({'after': claims[-1].pk})}"
        return page

    @extend_schema(
        summary="All published claims as W3C Web Annotations (JSON-LD)",
        operation_id="annotations_collection",
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
                description="Return the page of annotations after this claim id.",
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        refuse_blank(request, TYPED_PARAMETERS)
        unknown = sorted(set(request.query_params) - {"after", "format"})
        if unknown:
            raise ValidationError({unknown[0]: ["unknown query parameter; allowed: after"]})
        collection_id = request.build_absolute_uri(reverse("api:annotations"))
        after = _after(request)
        if after is not None:
            document = {"@context": ANNO_CONTEXT, **self.page(request, after, collection_id)}
        else:
            document = {
                "@context": ANNO_CONTEXT,
                "id": collection_id,
                "type": "AnnotationCollection",
                "label": "Claims of the published sources, with their stances",
                # Counted once per edit (claims.selectors.corpus_tally), not per request.
                "total": corpus_tally().claims,
                "first": self.page(request, 0, collection_id),
            }
        return Response(document, content_type=LD_CONTENT_TYPE)


def annotation_document(
    request, export_id: str, first: Claim | None, rest: Iterator[Claim], on_claim=None
) -> Iterator[bytes]:
    """The export document in pieces: an AnnotationCollection whose single page holds every
    annotation, written claim by claim (`first`, then `rest`); `total` comes last, counted on
    the way. `on_claim()` is called after each claim (progress of a background export)."""
    head = {
        "@context": ANNO_CONTEXT,
        "id": export_id,
        "type": "AnnotationCollection",
        "label": "Claims of the published sources, with their stances",
    }
    yield orjson.dumps(head)[:-1]
    page = {"id": f"{export_id}#all", "type": "AnnotationPage", "partOf": export_id}
    yield b',"first":' + orjson.dumps(page)[:-1] + b',"items":['
    total = 0
    if first is not None:
        yield orjson.dumps(annotation(first, request), option=OPTIONS)
        total = 1
        if on_claim:
            on_claim()
    for claim in rest:
        yield b"," + orjson.dumps(annotation(claim, request), option=OPTIONS)
        total += 1
        if on_claim:
            on_claim()
    yield b'],"startIndex":0},"total":' + str(total).encode() + b"}"


class AnnotationExportView(APIView):
    """Every published claim as a W3C Web Annotation, in one streamed JSON-LD document.

    The document is an AnnotationCollection whose single page holds every annotation; it is
    written claim by claim while the claims are read in chunks, so memory stays flat however
    large the corpus. `total` comes last, once the claims have been counted on the way.
    """

    renderer_classes = [JSONLDRenderer]

    @extend_schema(
        summary="Export: every published claim as W3C Web Annotations in one JSON-LD file",
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request):
        if set(request.query_params) - {"format"}:
            raise ValidationError(
                {sorted(request.query_params)[0]: ["this export takes no parameters"]}
            )
        export_id = request.build_absolute_uri(reverse("api:export-annotations"))
        claims = published_claims().iterator(chunk_size=1000)
        # Read the first claims before answering, so that a database outage is a 503.
        first = next(claims, None)
        stream = annotation_document(request, export_id, first, claims)
        # An interrupted document is left unclosed: invalid JSON, which no parser accepts.
        response = StreamingHttpResponse(
            interruptible(stream, "annotations"), content_type=LD_CONTENT_TYPE
        )
        response["Content-Disposition"] = 'attachment; filename="annotations.jsonld"'
        return response


class AnnotationView(APIView):
    """One published claim as a W3C Web Annotation."""

    renderer_classes = [JSONLDRenderer, ORJSONRenderer]

    @extend_schema(
        summary="One claim as a W3C Web Annotation", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request, pk: str):
        refuse_blank(request, TYPED_PARAMETERS)
        claim = get_object_or_404(published_claims(), pk=pk)
        return Response(
            {"@context": ANNO_CONTEXT, **annotation(claim, request)}, content_type=LD_CONTENT_TYPE
        )


CSV_COLUMNS = [
    "claim_id",
    "source",
    "source_title",
    "publisher",
    "published_on",
    "start",
    "end",
    "quote",
    "kind",
    "attribution",
    "speaker",
    "anchor_state",
    "stance_id",
    "proposition",
    "proposition_text",
    "label",
    "annotator",
]


def _safe(value) -> str:
    """Spreadsheet programs run cells that start like a formula: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(on_claim=None) -> Iterator[list[str]]:
    """One row per stance of every published claim (one row for a claim without stances);
    `on_claim()` is called after each claim's rows (progress of a background export)."""
    claims = published_claims().select_related("source__publisher", "speaker")
    # iterator() with a chunk size keeps memory flat; each chunk prefetches its own stances.
    for claim in claims.iterator(chunk_size=1000):
        common = [
            claim.pk,
            claim.source.slug,
            claim.source.title,
            claim.source.publisher.name if claim.source.publisher else "",
            claim.source.published_on or "",
            claim.start,
            claim.end,
            claim.quote,
            claim.kind,
            claim.attribution,
            claim.speaker.name if claim.speaker else "",
            claim.anchor_state,
        ]
        stances = list(claim.stances.all()) or [None]
        for stance in stances:
            tail = (
                [
                    stance.pk,
                    stance.proposition.slug,
                    stance.proposition.text,
                    stance.label,
                    stance.annotator.username,
                ]
                if stance
                else ["", "", "", "", ""]
            )
            yield [_safe(value) for value in common + tail]
        if on_claim:
            on_claim()


class ClaimsCsvView(APIView):
    """Every published claim with its stances, one row per stance, streamed."""

    @extend_schema(
        summary="CSV export: one row per stance of every published claim",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        if set(request.query_params) - {"format"}:
            raise ValidationError(
                {sorted(request.query_params)[0]: ["this export takes no parameters"]}
            )
        writer = csv.writer(_Echo())
        rows = csv_rows()
        # The first rows are read before the response starts: a database that cannot be
        # reached is then answered 503 like any other request, not with a cut-off 200.
        first = next(rows, None)

        def stream() -> Iterator[str]:
            yield writer.writerow(CSV_COLUMNS)
            if first is not None:
                yield writer.writerow(first)
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(
            interruptible(stream(), "CSV", CSV_INTERRUPTED + "\r\n"),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="claims.csv"'
        return response
