"""The editorial workflow: draft → in review → published, and back."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from claims import revisions
from claims.adjudicating import AdjudicationError, check_settled
from claims.models import Source


class WorkflowError(ValueError):
    """The requested move is not allowed from the source's current state."""


@transaction.atomic
def publish_source(*, source: Source, by=None) -> Source:
    """Make a source and its claims public. Idempotent: publishing twice keeps the first date.
    A double-read source must be adjudicated first (claims.adjudicating.check_settled).
    Publishing a working copy publishes it as the new revision of its source
    (claims.revisions.apply_working_copy) and returns that source."""
    if source.revision_of_id is not None:
        return revisions.apply_working_copy(working_copy=source, by=by)
    if source.status != Source.Status.PUBLISHED:
        _require_settled(source)
        source.status = Source.Status.PUBLISHED
        source.published_at = timezone.now()
        source.published_by = by
        source.save(update_fields=["status", "published_at", "published_by", "modified"])
    return source


@transaction.atomic
def unpublish_source(*, source: Source) -> Source:
    """Take a source back to draft: it disappears from every public page, list and export."""
    if source.status == Source.Status.PUBLISHED:
        source.status = Source.Status.DRAFT
        source.published_at = None
        source.published_by = None
        source.save(update_fields=["status", "published_at", "published_by", "modified"])
    return source


@transaction.atomic
def submit_for_review(*, source: Source) -> Source:
    """A draft goes to the reviewers, once its readings (if several) are adjudicated."""
    if source.status == Source.Status.PUBLISHED:
        raise WorkflowError("A published source is already reviewed; unpublish it first.")
    if source.status != Source.Status.IN_REVIEW:
        _require_settled(source)
        source.status = Source.Status.IN_REVIEW
        source.save(update_fields=["status", "modified"])
    return source


def _require_settled(source: Source) -> None:
    try:
        check_settled(source)
    except AdjudicationError as error:
        raise WorkflowError(str(error)) from None
