"""Annotating a source: create, change, delete and restore claims with their stances.

The annotation screen, the admin and the API's editors call these functions; each runs in one
transaction and leaves history (who, when, what) for every row it touches.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from claims.anchoring import Anchor, make_anchor, reanchor
from claims.models import AnchorState, Claim, Proposition, Source, Stance, Topic
from claims.models.assignments import hidden_claims


class AnnotationError(ValueError):
    """The operation cannot be done; the message says why, for the editor."""


@dataclass(frozen=True)
class NewStance:
    """A stance to add: on an existing proposition, or on a new one written on the spot."""

    label: str
    proposition: Proposition | None = None
    new_text: str = ""
    new_topic: Topic | None = None


def _unique_slug(text: str) -> str:
    base = slugify(text)[:180].strip("-") or "proposition"
    slug, n = base, 2
    while Proposition.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _proposition_for(stance: NewStance, user) -> Proposition:
    if stance.proposition is not None:
        return stance.proposition
    text = " ".join(stance.new_text.split())
    existing = Proposition.objects.filter(text__iexact=text).first()
    if existing is not None:
        return existing
    proposition = Proposition.objects.create(text=text, slug=_unique_slug(text), created_by=user)
    if stance.new_topic is not None:
        proposition.topics.add(stance.new_topic)
    return proposition


@transaction.atomic
def add_stances(*, claim: Claim, stances: list[NewStance], user) -> list[Stance]:
    """Label `claim` against propositions (creating new ones); one stance per proposition."""
    created = []
    for spec in stances:
        proposition = _proposition_for(spec, user)
        if Stance.objects.filter(claim=claim, proposition=proposition, annotator=user).exists():
            raise AnnotationError(
                f"You already gave this claim a stance on “{proposition.text}”; change that one."
            )
        created.append(
            Stance.objects.create(
                claim=claim, proposition=proposition, label=spec.label, annotator=user
            )
        )
    return created


@transaction.atomic
def delete_claim(*, claim: Claim) -> int:
    """Delete a claim and its stances. History keeps both, so `restore_claim` can undo it."""
    pk = claim.pk
    claim.delete()
    return pk


def deleted_claims(source: Source, *, limit: int = 10, user=None):
    """The latest history record of each claim of `source` that no longer exists, newest first.
    A blind reader (`user`) is shown only their own."""
    existing = Claim.objects.filter(source=source).values("pk")
    records = Claim.history.filter(source_id=source.pk, history_type="-")
    if user is not None:
        # Same rule as the live claims, in the same query (no extra round trip).
        records = records.exclude(hidden_claims(user))
    records = (
        records.exclude(id__in=existing).select_related("history_user").order_by("-history_date")
    )
    seen, result = set(), []
    for record in records[: limit * 3]:
        if record.id not in seen:
            seen.add(record.id)
            result.append(record)
    return result[:limit]


@transaction.atomic
def restore_claim(*, claim_id: int) -> tuple[Claim, int]:
    """Bring back a deleted claim with its actors and the stances deleted with it.

    If the text changed since, the claim is re-anchored (or comes back orphaned). Returns the
    claim and how many stances were restored.
    """
    if Claim.objects.filter(pk=claim_id).exists():
        raise AnnotationError("This claim exists; there is nothing to restore.")
    record = Claim.history.filter(id=claim_id, history_type="-").order_by("-history_date").first()
    if record is None:
        raise AnnotationError("No deleted claim with that number is recorded.")
    claim = record.instance
    source = Source.objects.get(pk=record.source_id)
    if source.body[claim.start : claim.end] != claim.quote:
        result = reanchor(
            Anchor(claim.start, claim.end, claim.quote, claim.prefix, claim.suffix), source.body
        )
        if result.anchor is None:
            claim.anchor_state = AnchorState.ORPHANED
        else:
            anchor = result.anchor
            claim.start, claim.end, claim.quote = anchor.start, anchor.end, anchor.quote
            claim.prefix, claim.suffix = anchor.prefix, anchor.suffix
            claim.anchor_state = AnchorState.REANCHORED
    claim.save()
    claim.actors.set([row.actor_id for row in record.actors.all()])

    # Stances that went with the claim: the latest record of each is a deletion.
    restored = 0
    stance_ids = Stance.history.filter(claim_id=claim_id).values_list("id", flat=True).distinct()
    for stance_id in stance_ids:
        last = Stance.history.filter(id=stance_id).order_by("-history_date").first()
        if (
            last.history_type != "-"
            or not Proposition.objects.filter(pk=last.proposition_id).exists()
        ):
            continue
        duplicate = Stance.objects.filter(
            claim=claim, proposition_id=last.proposition_id, annotator_id=last.annotator_id
        ).exists()
        if not duplicate:
            last.instance.save()
            restored += 1
    return claim, restored


def span_anchor(source: Source, start: int, end: int) -> Anchor:
    """Validate a selection against the text; raises claims.anchoring.AnchorError."""
    return make_anchor(source.body, start, end)
