"""The editorial workflow: draft → in review → published, and back."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from claims import freshness, summaries
from claims.adjudicating import AdjudicationError, check_settled
from claims.models import Source


class WorkflowError(ValueError):
    """The requested move is not allowed from the source's current state."""


@transaction.atomic
def publish_source(*, source: Source, by=None) -> Source:
    """Make a source and its claims public. Idempotent: publishing twice keeps the first date.
    A double-read source must be adjudicated first (claims.adjudicating.check_settled)."""
    if source.status != Source.Status.PUBLISHED:
        _require_settled(source)
        source.status = Source.Status.PUBLISHED
        source.published_at = timezone.now()
        source.published_by = by
        _save_publication(source)
    return source


@transaction.atomic
def unpublish_source(*, source: Source) -> Source:
    """Take a source back to draft: it disappears from every public page, list and export."""
    if source.status == Source.Status.PUBLISHED:
        source.status = Source.Status.DRAFT
        source.published_at = None
        source.published_by = None
        _save_publication(source)
    return source


def _save_publication(source: Source) -> None:
    """Save the status change, making stale only the public answers it changes
    (`claims.freshness`), and bring the proposition summaries up to date once it commits."""
    freshness.scope_publication(source)
    source.save(update_fields=["status", "published_at", "published_by", "modified"])
    freshness.end_publication(source)
    # Last in the transaction: a transaction holding these rows takes no other lock after.
    freshness.bump(freshness.publication_tags(source))
    summaries.refresh_after_commit()


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
