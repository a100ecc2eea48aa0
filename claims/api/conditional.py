"""Conditional requests: ETag on detail responses, If-Match required on writes.

The ETag is a hash of the representation itself, so it changes whenever anything the client sees
changes (including embedded stances), and two editors cannot overwrite each other silently: the
second write, sent with the ETag it read, gets 412.
"""

from __future__ import annotations

import hashlib
import json

from django.utils.http import parse_etags, quote_etag
from rest_framework import status
from rest_framework.response import Response

from claims.concurrency import lock_row, retry_on_conflict

from .errors import PreconditionFailed, PreconditionRequired


def etag_of(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return quote_etag(hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32])


class ConditionalReadMixin:
    """ETag on detail responses, and 304 when the client's If-None-Match still matches."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        etag = etag_of(data)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})


class ConditionalWriteMixin(ConditionalReadMixin):
    """For writable resources: If-Match is required to change or delete, ETag on every write.

    Kept apart from the read half so that read-only resources expose no write methods.
    """

    def current_etag(self, instance) -> str:
        return etag_of(self.get_serializer(instance).data)

    def check_if_match(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        wanted = parse_etags(header)
        if "*" not in wanted and self.current_etag(instance) not in wanted:
            raise PreconditionFailed()

    def lock(self, instance) -> None:
        """Hold the row until the write commits, so that two writes sent with the same ETag
        cannot both pass the check (SELECT … FOR UPDATE; SQLite serialises writers anyway)."""
        lock_row(instance)

    # Each write runs in one transaction: the row, its many-to-many links and its history
    # record are written together or not at all. A transaction the database stops for a
    # deadlock is run again (claims.concurrency).

    @retry_on_conflict
    def update(self, request, *args, **kwargs):
        self.lock(self.get_object())
        self.check_if_match(self.get_object())
        response = super().update(request, *args, **kwargs)
        response["ETag"] = etag_of(response.data)
        return response

    @retry_on_conflict
    def destroy(self, request, *args, **kwargs):
        self.lock(self.get_object())
        self.check_if_match(self.get_object())
        return super().destroy(request, *args, **kwargs)

    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response["ETag"] = etag_of(response.data)
        return response
