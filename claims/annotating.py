"""Annotating a source: create, change, delete and restore claims with their stances.

The annotation screen, the admin and the API's editors call these functions; each runs in one
transaction and leaves history (who, when, what) for every row it touches.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from claims.anchoring import Anchor, make_anchor, reanchor
from claims.models import AnchorState, Claim, ConfirmedSilence, Proposition, Source, Stance, Topic
from claims.models.assignments import blind_sources_for, hidden_claims
from claims.propositions import create_proposition


class AnnotationError(ValueError):
    """The operation cannot be done; the message says why, for the editor."""


@dataclass(frozen=True)
class NewStance:
    """A stance to add: on an existing proposition, or on a new one written on the spot.

    A new wording close to an existing proposition raises
    `claims.propositions.NearDuplicateError` unless `confirmed_distinct` is set.
    """

    label: str
    proposition: Proposition | None = None
    new_text: str = ""
    new_topic: Topic | None = None
    confirmed_distinct: bool = False


def _proposition_for(stance: NewStance, user) -> Proposition:
    if stance.proposition is not None:
        return stance.proposition
    text = " ".join(stance.new_text.split())
    existing = Proposition.objects.filter(text__iexact=text).first()
    if existing is not None:
        return existing
    return create_proposition(
        text=text,
        by=user,
        topics=[stance.new_topic] if stance.new_topic is not None else [],
        confirmed_distinct=stance.confirmed_distinct,
    )


@transaction.atomic
def add_stances(*, claim: Claim, stances: list[NewStance], user) -> list[Stance]:
    """Label `claim` against propositions (creating new ones); one stance per proposition.

    A confirmed silence of the claim's source on one of those propositions no longer holds,
    and is removed (its history keeps it).
    """
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
        for silence in ConfirmedSilence.objects.filter(
            source_id=claim.source_id, proposition=proposition
        ):
            silence.delete()
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
def _hidden_from(user, record) -> bool:
    return (
        record.created_by_id != user.pk
        and blind_sources_for(user).filter(source=record.source_id).exists()
    )


def restore_claim(*, claim_id: int, source: Source | None = None, user=None) -> tuple[Claim, int]:
    """Bring back a deleted claim with its actors and the stances deleted with it.

    With `source` (the screen the request came from), a claim that was deleted from another
    source is refused before anything is written. If the text changed since, the claim is
    re-anchored (or comes back orphaned). With `user`, a claim that user may not see yet (another
    reader's, on a source they read blind) is refused as unknown. Returns the claim and how many
    stances were restored.
    """
    if Claim.objects.filter(pk=claim_id).exists():
        raise AnnotationError("This claim exists; there is nothing to restore.")
    record = Claim.history.filter(id=claim_id, history_type="-").order_by("-history_date").first()
    if record is None or (user is not None and _hidden_from(user, record)):
        # Another reader's claim on a source the user reads blind is answered as if it had
        # never been: restoring it would show it.
        raise AnnotationError("No deleted claim with that number is recorded.")
    if source is not None and record.source_id != source.pk:
        owner = Source.objects.filter(pk=record.source_id).values_list("title", flat=True).first()
        raise AnnotationError(
            f"That claim was deleted from another source ({owner or 'no longer present'}); "
            "restore it from that source's screen. Nothing was changed."
        )
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
            # Found as other words: its stances come back marked for re-checking.
            claim.anchor_state = result.state
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
            stance = last.instance
            if claim.anchor_state == AnchorState.WORDS_CHANGED:
                stance.needs_recheck = True
            stance.save()
            restored += 1
    return claim, restored


def span_anchor(source: Source, start: int, end: int) -> Anchor:
    """Validate a selection against the text; raises claims.anchoring.AnchorError."""
    return make_anchor(source.body, start, end)
