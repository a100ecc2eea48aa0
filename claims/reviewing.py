"""What reviewers read: the queue of sources waiting for review, a source's trail, and what
changed in a source's text, claims and stances since it was last published.

The changes are read from the history kept for sources, claims and stances (simple_history):
every record made after the last `published` event of the source's trail, each compared with
the record before it, so a reviewer sees what changed, who changed it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery

from claims.models import Claim, Proposition, ReviewAction, ReviewEvent, Source, Stance

# Columns that change on every save or belong to the workflow: never reported as edits.
NOT_EDITS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "id",
    "version",
    "created",
    "modified",
    "status",
    "published_at",
    "published_by",
    "published_by_id",
    "deleted_at",
    "body_sha256",
    "blocks",
}
# A review screen lists at most this many changed claims and stances (the newest first).
MAX_CHANGES = 200


@dataclass(frozen=True)
class QueueEntry:
    source: Source
    since: datetime | None
    submitted_by: object
    note: str


def review_queue() -> list[QueueEntry]:
    """Sources in review, the longest-waiting first, each with its latest submission.

    Two queries: the sources with their latest submission's id, then those events."""
    latest = ReviewEvent.objects.filter(
        source=OuterRef("pk"), action=ReviewAction.SUBMITTED
    ).order_by("-at", "-pk")
    sources = list(
        Source.objects.in_review()
        .select_related("publisher")
        .defer("body", "blocks", "provenance")
        .annotate(submission_id=Subquery(latest.values("pk")[:1]))
    )
    events = ReviewEvent.objects.select_related("by").in_bulk(
        [s.submission_id for s in sources if s.submission_id]
    )
    entries = []
    for source in sources:
        event = events.get(source.submission_id)
        entries.append(
            QueueEntry(
                source=source,
                since=event.at if event else None,
                submitted_by=event.by if event else None,
                note=event.note if event else "",
            )
        )
    entries.sort(key=lambda e: (e.since or e.source.modified, e.source.pk))
    return entries


def trail(source: Source) -> list[ReviewEvent]:
    """Every move of the source, oldest first."""
    return list(source.review_events.select_related("by").order_by("at", "pk"))


def returned_comment(events: list[ReviewEvent]) -> ReviewEvent | None:
    """The reviewer's comment an editor still has to act on: the last event, if it returned the
    source to draft."""
    return events[-1] if events and events[-1].action == ReviewAction.RETURNED else None


@dataclass
class Change:
    """One edit of a claim, a stance or the source itself since the last publication."""

    what: str  # "source", "claim", "stance"
    kind: str  # "added", "changed", "deleted"
    label: str
    fields: list[str] = field(default_factory=list)
    by: object = None
    at: datetime | None = None


@dataclass
class Changes:
    since: datetime | None
    items: list[Change]
    truncated: bool = False


def _edited_fields(record, previous) -> list[str]:
    names = [
        f.attname
        for f in record._meta.concrete_fields
        if f.attname not in NOT_EDITS and f.name not in NOT_EDITS
    ]
    return [
        name.removesuffix("_id")
        for name in names
        if previous is None or getattr(record, name) != getattr(previous, name)
    ]


def _walk(records, since, what: str, label) -> list[Change]:
    """Records ordered by object and date: one Change per record made after `since`."""
    changes, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if since is not None and record.history_date <= since:
            continue
        if record.history_type == "+":
            kind, fields = "added", []
        elif record.history_type == "-":
            kind, fields = "deleted", []
        else:
            kind, fields = "changed", _edited_fields(record, before)
            if not fields:
                continue
        changes.append(
            Change(
                what=what,
                kind=kind,
                label=label(record),
                fields=fields,
                by=record.history_user,
                at=record.history_date,
            )
        )
    return changes


def changes_since_published(source: Source) -> Changes:
    """The edits made to the source, its claims and their stances since it was last published
    (all of them, for a source never published). Five queries."""
    event = (
        source.review_events.filter(action=ReviewAction.PUBLISHED).order_by("-at", "-pk").first()
    )
    since = event.at if event else None

    def short(text: str) -> str:
        return text if len(text) <= 80 else text[:79] + "…"

    source_records = (
        Source.history.filter(id=source.pk).select_related("history_user").order_by("history_date")
    )
    items = _walk(source_records, since, "source", lambda r: "Text and details")
    claim_records = list(
        Claim.history.filter(source_id=source.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    quotes = {record.id: record.quote for record in claim_records}
    items += _walk(claim_records, since, "claim", lambda r: f"“{short(r.quote)}”")
    stance_records = list(
        Stance.history.filter(claim_id__in=list(quotes))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    # Read by id: a stance's history may name a proposition deleted since.
    texts = dict(
        Proposition.objects.filter(pk__in={r.proposition_id for r in stance_records}).values_list(
            "pk", "text"
        )
    )
    items += _walk(
        stance_records,
        since,
        "stance",
        lambda r: (
            f"{r.label} on “{short(texts.get(r.proposition_id, 'a deleted proposition'))}” "
            f"for “{short(quotes.get(r.claim_id, ''))}”"
        ),
    )
    items.sort(key=lambda c: c.at, reverse=True)
    return Changes(since=since, items=items[:MAX_CHANGES], truncated=len(items) > MAX_CHANGES)
