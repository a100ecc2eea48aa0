"""POST /api/v1/imports/annotations/: a whole file of annotations in one request.

The body is the file itself — W3C Web Annotation JSON-LD (`application/ld+json` or
`application/json`), the claims export's CSV (`text/csv`) or JSONL (`application/jsonl`) — or a
multipart form with one or more `file` parts (a brat `.ann` with its `.txt`, and a `mapping`
part). The report lists every annotation as exact, re-anchored or refused. `?dry_run=1` writes
nothing; a refused annotation writes nothing unless `?partial=1`. The requesting user is the
annotator of every stance, with the same permissions as for adding claims and stances.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.importing import formats
from claims.importing.bulk import import_annotations, read_documents
from claims.importing.documents import Document, ImportFailure
from claims.importing.formats import BratMapping

from .renderers import ORJSONRenderer

PARAMETERS = {"dry_run", "partial", "source"}
_FLAGS = {"1": True, "true": True, "0": False, "false": False}
PERMISSIONS = ("claims.add_claim", "claims.add_stance")


class _RawParser(parsers.BaseParser):
    """Hands the body over as bytes: the importer reads the file as it was sent."""

    fmt = ""

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(formats.MAX_ANNOTATION_BYTES + 1) if stream is not None else b""
        return {"document": Document(f"upload.{self.fmt}", data)}


class WebAnnotationParser(_RawParser):
    media_type = "application/ld+json"
    fmt = "jsonld"


class JSONBodyParser(_RawParser):
    media_type = "application/json"
    fmt = "jsonld"


class CSVParser(_RawParser):
    media_type = "text/csv"
    fmt = "csv"


class JSONLParser(_RawParser):
    media_type = "application/jsonl"
    fmt = "jsonl"


class NDJSONParser(_RawParser):
    media_type = "application/x-ndjson"
    fmt = "jsonl"


def _flag(request, name: str) -> bool:
    raw = request.query_params.get(name, "0").lower()
    if raw not in _FLAGS:
        raise ValidationError({name: ["must be 1 or 0 (true or false)"]})
    return _FLAGS[raw]


def _documents(request) -> tuple[list[Document], BratMapping | None]:
    data = request.data
    if "document" in data and isinstance(data["document"], Document):
        return [data["document"]], None
    files = request.FILES.getlist("file")
    if not files:
        raise ValidationError({"file": ["send the file as the body, or as multipart 'file' parts"]})
    documents = [Document(f.name or "upload", f.read()) for f in files]
    mapping = request.FILES.get("mapping")
    if mapping is None:
        return documents, None
    try:
        text = mapping.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError({"mapping": ["not UTF-8 text"]}) from None
    return documents, BratMapping.parse(text, "mapping")


class AnnotationImportView(APIView):
    """Import a file of annotations; answers with the report of every annotation."""

    parser_classes = [
        WebAnnotationParser,
        JSONBodyParser,
        CSVParser,
        JSONLParser,
        NDJSONParser,
        parsers.MultiPartParser,
    ]
    renderer_classes = [ORJSONRenderer]

    def check_permissions(self, request) -> None:
        super().check_permissions(request)
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        if not request.user.has_perms(PERMISSIONS):
            raise PermissionDenied("You may not add claims and stances.")

    @extend_schema(
        summary="Import annotations in bulk (W3C Web Annotations, brat, CSV, JSONL)",
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Report only."),
            OpenApiParameter("partial", OpenApiTypes.BOOL, description="Write what can be placed."),
            OpenApiParameter("source", OpenApiTypes.STR, description="Source of a brat file."),
        ],
        request={
            # An annotation, a page or a collection (objects), or a list of annotations.
            "application/ld+json": {"oneOf": [{"type": "object"}, {"type": "array"}]},
            "text/csv": OpenApiTypes.STR,
            "application/jsonl": OpenApiTypes.STR,
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "mapping": {"type": "string", "format": "binary"},
                },
            },
        },
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        unknown = sorted(set(request.query_params) - PARAMETERS)
        if unknown:
            raise ValidationError({unknown[0]: ["unknown query parameter"]})
        dry_run, partial = _flag(request, "dry_run"), _flag(request, "partial")
        source = request.query_params.get("source", "")
        try:
            documents, mapping = _documents(request)
            records = read_documents(documents, mapping=mapping, source=source)
        except ImportFailure as error:
            raise ValidationError({"file": [str(error)]}) from None
        report = import_annotations(
            records=records, user=request.user, dry_run=dry_run, partial=partial
        )
        if report.refused and not (dry_run or partial):
            fields = {
                f"annotations[{report.outcomes.index(o)}]": [o.detail] for o in report.refused
            }
            message = f"{len(report.refused)} annotation(s) refused; nothing was written"
            error = {"status": 400, "code": "invalid", "message": message, "fields": fields}
            return Response({"error": error, "report": report.as_dict()}, status=400)
        return Response(report.as_dict())
