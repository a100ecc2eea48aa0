"""The reader's part of the annotation screen: their assignment, start and finish.

Kept apart from claims/admin/annotate.py so that the screen itself stays about claims; the
template part is admin/claims/source/_reading.html.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from claims.assigning import AssignmentError, finish_reading, start_reading
from claims.models import Assignment, AssignmentStatus, Source


def reading_context(request, source: Source) -> dict:
    """The user's assignment on `source` (if any) and every reader's status, in one query."""
    assignments = list(
        Assignment.objects.filter(source=source).select_related("annotator").order_by("pk")
    )
    mine = next((a for a in assignments if a.annotator_id == request.user.pk), None)
    pending = any(a.status != AssignmentStatus.DONE for a in assignments)
    return {
        "assignment": mine,
        "readers": assignments,
        "blind_pending": bool(mine and mine.blind and pending),
        "all_done": bool(assignments) and not pending,
        "can_adjudicate": len(assignments) > 1
        and request.user.has_perm("claims.adjudicate_source"),
    }


def _back(source: Source) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:claims_source_annotate", args=[source.pk]))


def _mine(request, source: Source) -> Assignment | None:
    assignment = Assignment.objects.filter(source=source, annotator=request.user).first()
    if assignment is None:
        messages.error(request, "You are not assigned to read this source.")
    return assignment


def start_reading_action(request, source: Source):
    """POST action "start-reading": the reader begins."""
    assignment = _mine(request, source)
    if assignment is not None:
        start_reading(assignment=assignment)
        messages.success(request, "Reading started.")
    return _back(source)


def finish_reading_action(request, source: Source):
    """POST action "finish-reading": the reader hands their reading in."""
    assignment = _mine(request, source)
    if assignment is not None:
        try:
            finish_reading(assignment=assignment)
        except AssignmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your reading is marked done.")
    return _back(source)
