"""How the API describes itself in OpenAPI: every status an operation can answer, once.

drf-spectacular documents the success response of each operation from its serializer. The error
responses come from the shared machinery (claims.api.errors, conditional requests, throttling,
the database-outage middleware), so they are added here for every operation rather than repeated
on each view: a client generated from the schema, or a fuzzer checking the server against it,
then knows that a write without If-Match answers 428, a stale one 412, and so on.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from .conditional import ConditionalReadMixin, ConditionalWriteMixin
from .permissions import ReadPublishedWriteWithModelPerms


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated for convenience.")
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`.")
    message = serializers.CharField(help_text="A sentence a client can show.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For validation errors: the messages of each field (dotted path).",
    )


class ErrorSerializer(serializers.Serializer):
    """The one shape of every API error."""

    error = ErrorDetailSerializer()


# Why each status can happen; operations list the ones that apply to them.
ERRORS = {
    400: "Unknown query parameter, bad value or bad body; `fields` names the culprit.",
    401: "The credentials sent are not valid.",
    403: "Authenticated, but without the permission this change needs.",
    404: "No such resource visible to you (or no such page of results).",
    406: "None of the representations in Accept can be produced.",
    409: "The change conflicts with other data (e.g. a proposition still used by stances).",
    412: "If-Match does not match the current ETag: someone changed it since you read it.",
    413: "The request body is larger than the server accepts.",
    414: "The address is longer than the server reads (MAX_URL_LENGTH); shorten the query.",
    415: "The request body's media type is not supported.",
    428: "If-Match is required: send the ETag you read, so that no edit is overwritten.",
    429: "Too many requests; wait the number of seconds in Retry-After.",
    503: "The database is briefly unreachable; retry after the seconds in Retry-After.",
}

_ALWAYS = (401, 406, 414, 429, 503)
_BY_METHOD = {
    "GET": (400, 404),
    "HEAD": (400, 404),
    "OPTIONS": (),
    "POST": (400, 403, 409, 413, 415),
    "PUT": (400, 403, 404, 409, 412, 413, 415, 428),
    "PATCH": (400, 403, 404, 409, 412, 413, 415, 428),
    "DELETE": (400, 403, 404, 409, 412, 428),
}

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the error responses and the anonymous read access."""

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        anonymous_reads = any(isinstance(p, ReadPublishedWriteWithModelPerms) for p in permissions)
        if self.method in SAFE_METHODS and anonymous_reads and {} not in auths:
            # Reading needs no credentials; a token only widens what is visible (drafts).
            auths.append({})
        return auths

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        writes = {"PUT", "PATCH", "DELETE"}
        if isinstance(self.view, ConditionalWriteMixin) and self.method in writes:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the representation you read (412 if stale, 428 if "
                    "missing), or `*` to overwrite knowingly.",
                )
            )
        if isinstance(self.view, ConditionalReadMixin) and not self._is_list_view():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200, 201],
                    description="Version of this representation; send it back in If-Match.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # Errors are rendered like the successes: JSON, or JSON-LD where the view offers it.
        media_types = [m for m in self.map_renderers("media_type") if "json" in m] or [
            "application/json"
        ]
        statuses = [*_BY_METHOD.get(self.method, ()), *_ALWAYS]
        if self.method == "POST" and "{" in self.path:
            statuses.append(404)  # a move on one resource (publish, return…) names it
        for status in statuses:
            code = str(status)
            if code in responses:
                continue
            response = OpenApiResponse(response=ErrorSerializer, description=ERRORS[status])
            responses[code] = self._get_response_for_code(response, code, media_types, direction)
            if status in (429, 503):
                responses[code]["headers"] = RETRY_AFTER
        return responses
