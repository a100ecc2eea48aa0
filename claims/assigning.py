"""Giving sources to readers and taking their readings in: assign, start, finish.

A reader's reading is handed in when they mark it done; it is kept as it stood then
(`Assignment.reading`) so that agreement can be measured on what each reader actually decided,
before adjudication deletes the readings that lost.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.models import Assignment, AssignmentStatus, Claim, PublicVersion, Source


class AssignmentError(ValueError):
    """The assignment cannot be made or moved; the message says why."""


def check_assignable(*, source: Source | None, annotator) -> None:
    """Refuse (AssignmentError) a reader who cannot log in or annotate, or is already assigned,
    and a published source: a new reader's claims on it would be public before adjudication."""
    if source is not None and source.status == Source.Status.PUBLISHED:
        raise AssignmentError(f"“{source}” is published; unpublish it before assigning readers.")
    if not annotator.is_active:
        raise AssignmentError(f"{annotator} cannot log in, so cannot read.")
    if not annotator.has_perm("claims.add_claim"):
        raise AssignmentError(f"{annotator} may not mark claims (not an editor or reviewer).")
    if (
        source is not None
        and Assignment.objects.filter(source=source, annotator=annotator).exists()
    ):
        raise AssignmentError(f"{annotator} is already assigned to “{source}”.")


@transaction.atomic
def assign_source(*, source: Source, annotator, blind: bool = True, by=None) -> Assignment:
    """Give `source` to `annotator` to read (see `check_assignable` for what is refused)."""
    check_assignable(source=source, annotator=annotator)
    assignment = Assignment(source=source, annotator=annotator, blind=blind, assigned_by=by)
    assignment.save()
    return assignment


@transaction.atomic
def start_reading(*, assignment: Assignment) -> Assignment:
    """Move an assigned reading to "in progress" (a no-op once started)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == AssignmentStatus.ASSIGNED:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = timezone.now()
        assignment.save(update_fields=["status", "started_at", "modified"])
    return assignment


def reading_of(source: Source, annotator) -> list[dict]:
    """The annotator's claims on `source` with their stances, as plain data in text order."""
    claims = (
        Claim.objects.filter(source=source, created_by=annotator)
        .prefetch_related("stances__proposition")
        .order_by("start", "end", "pk")
    )
    return [
        {
            "claim": claim.pk,
            "start": claim.start,
            "end": claim.end,
            "quote": claim.quote,
            "kind": claim.kind,
            "attribution": getattr(claim, "attribution", ""),
            "stances": {
                stance.proposition.slug: stance.label
                for stance in claim.stances.all()
                if stance.annotator_id == annotator.pk
            },
        }
        for claim in claims
    ]


@transaction.atomic
def finish_reading(*, assignment: Assignment) -> Assignment:
    """Mark a reading done and keep it as handed in. Once every reader of the source is done,
    blind readers see each other's claims."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == AssignmentStatus.DONE:
        raise AssignmentError("This reading is already marked done.")
    now = timezone.now()
    assignment.status = AssignmentStatus.DONE
    assignment.started_at = assignment.started_at or now
    assignment.done_at = now
    assignment.reading = reading_of(assignment.source, assignment.annotator)
    assignment.save()
    if assignment.source.status == Source.Status.PUBLISHED:
        # The reading view shows the agreement figure, which has just changed: retire the
        # cached public pages (the triggers of migration 0007 do not watch assignments).
        PublicVersion.objects.filter(pk=1).update(
            counter=F("counter") + 1, stamp=secrets.randbits(62)
        )
    return assignment


def readers_done(source: Source) -> bool:
    """Whether every reader assigned to `source` has handed in (true when none is assigned)."""
    return not source.assignments.exclude(status=AssignmentStatus.DONE).exists()
