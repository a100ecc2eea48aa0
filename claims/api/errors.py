"""One shape for every API error: {"error": {"status", "code", "message", "fields"}}.

Clients get a message they can show and, for validation errors, the field each problem belongs
to. Database errors that reach the API (a protected row still referenced, a uniqueness rule hit
by two concurrent writes) become 409, never 500; an unreachable database is answered 503 by
claims.middleware for the whole site.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.models.base import PublishedReadOnly


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource is still referenced by others."
    default_code = "conflict"


class NearDuplicate(Conflict):
    """A new wording close to existing propositions: 409 with the candidates, closest first."""

    default_detail = "Close to existing propositions."
    default_code = "near_duplicate"

    def __init__(self, detail: str, candidates: list[dict]) -> None:
        super().__init__(detail)
        self.extra = {"candidates": candidates}


class PublishedConflict(Conflict):
    """A write to a published source's revision: 409, naming where its working copy is made."""

    default_detail = "A published source is read-only; edit its working copy."
    default_code = "published_read_only"

    def __init__(self, error: PublishedReadOnly) -> None:
        if error.source_slug:
            endpoint = reverse("api:source-revision", kwargs={"slug": error.source_slug})
            super().__init__(
                f"{error.message} POST {endpoint} makes (or finds) its working copy; "
                "change that, and a reviewer publishes it."
            )
            self.extra = {"working_copy": endpoint}
        else:
            super().__init__(error.message)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it; fetch it again."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag you read, so that no edit is overwritten."
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def as_api_error(error) -> exceptions.APIException:
    """A refusal of claims.annotating as an API error: 403 for another annotator's stance, 412
    for an edit based on an older version (with what changed), 404 for a deleted row, 400
    naming the field otherwise."""
    from claims import annotating

    if isinstance(error, annotating.NotOwner):
        return exceptions.PermissionDenied(error.message)
    if isinstance(error, annotating.VersionConflict):
        failed = PreconditionFailed(error.message)
        failed.extra = {
            "changes": [
                {"field": c.name, "then": _plain(c.then), "now": _plain(c.now)}
                for c in error.changes
            ]
        }
        return failed
    if isinstance(error, annotating.Deleted):
        return exceptions.NotFound(error.message)
    return exceptions.ValidationError({error.field or "non_field_errors": [error.message]})


def _plain(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub[0]": ["message", …]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return flat
    if (
        isinstance(detail, list)
        and detail
        and all(isinstance(item, (dict, list)) for item in detail)
    ):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}[{index}]"))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def exception_handler(exc, context):
    if isinstance(exc, PublishedReadOnly):
        exc = PublishedConflict(exc)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        names = sorted({str(type(obj)._meta.verbose_name_plural) for obj in exc.protected_objects})
        exc = Conflict(f"Still referenced by {', '.join(names)}; remove those first.")
    elif isinstance(exc, IntegrityError):
        # A uniqueness or reference rule the validators could not see coming (two editors
        # creating the same slug at once): the database refused it and nothing was written.
        exc = Conflict("The change conflicts with existing data; reload and try again.")
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # Keep the reason a service gave (claims.publishing.NotAllowed says who may do it).
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body: dict = {"status": response.status_code, "code": getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(detail)
        body["code"] = "invalid"
        first_field, first_messages = next(iter(fields.items()))
        body["message"] = (
            f"{first_field}: {first_messages[0]}"
            if first_field != "non_field_errors"
            else first_messages[0]
        )
        body["fields"] = fields
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(codes, str):
            body["code"] = codes
        body["message"] = str(detail.get("detail", detail) if isinstance(detail, dict) else detail)
    body.update(getattr(exc, "extra", {}))
    headers = {
        k: v
        for k, v in response.headers.items()
        if k in {"Retry-After", "WWW-Authenticate", "Allow"}
    }
    return Response({"error": body}, status=response.status_code, headers=headers)


@csrf_exempt  # like every API view: a write to a wrong address is a 404, not a CSRF failure
def not_found(request, *args, **kwargs):
    """Any /api/ address that matches no endpoint: the API's 404 shape, never an HTML page."""
    message = "No API endpoint at this address."
    return JsonResponse(
        {"error": {"status": 404, "code": "not_found", "message": message}}, status=404
    )
