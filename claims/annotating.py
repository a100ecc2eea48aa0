"""Annotating a source: create, change, delete and restore claims with their stances.

Every write to a claim or a stance goes through these functions: the admin (change forms,
inlines, the annotation screen), the API and the annotation importers all call them. Each is
keyword-only, runs in one transaction, leaves history (who, when, what) for every row it
touches, and checks in one place:

- anchoring: the span lies inside the text and the quote, when given, is the text there;
- the duplicate rule: one stance per claim, proposition and annotator;
- ownership: a stance belongs to its annotator; only a reviewer (who may publish) changes or
  removes another annotator's stance, and the history then names the reviewer;
- the version: a change names the `version` it was based on; when the row moved on since,
  nothing is written and `VersionConflict` says what the other editor changed.

Errors name the field they belong to (`ServiceError.field`), for a form or an API answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.anchoring import (
    Anchor,
    AnchorError,
    locate_quote,
    make_anchor,
    normalize_newlines,
    reanchor,
)
from claims.concurrency import lock_row
from claims.models import (
    Actor,
    AnchorState,
    Claim,
    ConfirmedSilence,
    Proposition,
    Source,
    Stance,
    StanceLabel,
    Topic,
)
from claims.models.assignments import blind_sources_for, hidden_claims
from claims.models.base import PublishedReadOnly
from claims.propositions import create_proposition


class AnnotationError(ValueError):
    """The operation cannot be done; the message says why, for the editor."""


class ServiceError(AnnotationError):
    """A write refused, with the field it concerns (None: the record as a whole)."""

    def __init__(self, *, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.field, self.message, self.code = field, message, code

    def as_dict(self) -> dict[str, list[str]]:
        """{field: [message]}, the shape of a Django ValidationError or a DRF error."""
        return {self.field or "__all__": [self.message]}


class NotOwner(ServiceError):
    """Another annotator's stance, and the user is not a reviewer."""

    def __init__(self, stance: Stance) -> None:
        name = stance.annotator.get_username() if stance.annotator_id else "someone else"
        super().__init__(
            field="annotator",
            code="not_owner",
            message=f"This stance is {name}'s: only they or a reviewer may change or remove it.",
        )


@dataclass(frozen=True)
class FieldChange:
    """One field another editor changed: its label, the value before and after (as stored)."""

    name: str
    label: str
    then: Any
    now: Any


class VersionConflict(ServiceError):
    """The row moved on since the version the edit was based on; nothing was written."""

    def __init__(self, *, instance, seen: int, current: int, changes: list[FieldChange]) -> None:
        noun = instance._meta.verbose_name
        super().__init__(
            code="stale",
            message=(
                f"Someone else saved this {noun} after you opened it (version {seen} → "
                f"{current}); nothing was saved."
            ),
        )
        self.instance, self.seen, self.current, self.changes = instance, seen, current, changes


class Deleted(ServiceError):
    """The claim was deleted since it was opened; `by` and `at` say by whom and when."""

    def __init__(self, *, claim_id: int, by: str | None, at) -> None:
        when = f" at {at:%Y-%m-%d %H:%M} UTC" if at is not None else ""
        super().__init__(
            code="deleted",
            message=f"This claim was deleted by {by or 'someone'}{when}.",
        )
        self.claim_id, self.by, self.at = claim_id, by, at


def shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Sent for a field a change leaves as it is.
KEEP: Any = object()


def may_change_any_stance(user) -> bool:
    """Reviewers (who may publish) change and remove any annotator's stance."""
    return user.has_perm("claims.publish_source")


def check_owner(*, stance: Stance, user) -> None:
    """Raise NotOwner unless `user` may change or remove `stance`."""
    if stance.annotator_id != user.pk and not may_change_any_stance(user):
        raise NotOwner(stance)


def changes_since(instance, version: int) -> list[FieldChange]:
    """Every field of `instance` changed since `version`, from its history (oldest value first)."""
    history = instance.history.all()
    then = history.filter(version=version).order_by("-history_date").first()
    now = history.order_by("-history_date").first()
    if then is None or now is None or then.pk == now.pk:
        return []
    delta = now.diff_against(then)
    return [
        FieldChange(
            name=change.field,
            label=str(instance._meta.get_field(change.field).verbose_name),
            then=change.old,
            now=change.new,
        )
        for change in delta.changes
        if change.field not in {"version", "modified"}
    ]


def deletion_of(model, pk: int, *, user=None) -> Deleted | None:
    """The error to give for a row of `model` that is gone: who deleted it and when. With
    `user`, a claim they may not see (another reader's, on a source they read blind) is
    answered None, as if it had never been."""
    record = (
        model.history.filter(id=pk, history_type="-")
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    if record is None or (user is not None and model is Claim and _hidden_from(user, record)):
        return None
    by = record.history_user
    return Deleted(claim_id=pk, by=by.get_username() if by else None, at=record.history_date)


def check_version(instance, version: int | None) -> int:
    """Lock `instance`'s row and compare its version with the one the edit was based on.

    `version` None is a write not based on anything read (an import placing annotations):
    the row is locked, nothing compared. Returns the current version.
    """
    current = lock_row(instance, "version")
    if current is None:
        gone = deletion_of(type(instance), instance.pk)
        raise gone or ServiceError(code="missing", message="This record no longer exists.")
    if version is not None and version != current:
        raise VersionConflict(
            instance=instance,
            seen=version,
            current=current,
            changes=changes_since(instance, version),
        )
    return current


def anchor_span(*, source: Source, start: int, end: int, quote: str | None = None) -> Anchor:
    """The anchor of `source.body[start:end]`, or a ServiceError naming `start`, `end` or `quote`.

    A quote, when given, must be the text there (line endings as a browser sends them are
    normalised first).
    """
    try:
        anchor = make_anchor(source.body, start, end)
    except AnchorError as error:
        text = str(error)
        field = "start" if text.startswith("start") and "less than end" not in text else "end"
        raise ServiceError(field=field, message=text, code="span") from None
    if quote is not None and normalize_newlines(quote) != anchor.quote:
        raise ServiceError(
            field="quote",
            code="quote_mismatch",
            message=(
                f"does not match the text between {start} and {end}, which reads "
                f"“{shorten(anchor.quote)}”."
            ),
        )
    return anchor


def locate_span(*, source: Source, quote: str) -> Anchor:
    """The anchor of `quote` where it occurs in `source.body`, for a client that knows a claim
    by its words only; a ServiceError naming `quote` when the words are not there or are there
    more than once (the client then sends `start` and `end` to say which)."""
    try:
        return locate_quote(source.body, normalize_newlines(quote))
    except AnchorError as error:
        hint = "; send start and end to say which" if "ambiguous" in str(error) else ""
        raise ServiceError(field="quote", message=f"{error}{hint}", code="span") from None


def check_no_duplicate(*, claim: Claim, proposition: Proposition, annotator, exclude=None):
    """One stance per claim, proposition and annotator."""
    duplicate = Stance.objects.filter(claim=claim, proposition=proposition, annotator=annotator)
    if exclude is not None:
        duplicate = duplicate.exclude(pk=exclude)
    if duplicate.exists():
        raise ServiceError(
            field="proposition",
            code="duplicate",
            message=(
                f"You already gave this claim a stance on “{proposition.text}”; change that one."
            ),
        )


def _save(instance, by, **kwargs) -> None:
    """Save with `by` named in the history; a ValidationError raised by the model is answered
    by field, except PublishedReadOnly (a published row), which is raised as it is."""
    instance._history_user = by
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save(**kwargs)
    except PublishedReadOnly:
        raise  # not a field's error: callers answer it (409, a message naming the working copy)
    except ValidationError as error:
        raise _by_field(error) from None


def _delete(instance, by) -> None:
    instance._history_user = by
    try:
        instance.delete()
    except PublishedReadOnly:
        raise
    except ValidationError as error:
        raise _by_field(error) from None


def _by_field(error: ValidationError) -> ServiceError:
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return ServiceError(
            field=None if field == "__all__" else field,
            message=" ".join(messages),
            code=getattr(error, "code", None) or "invalid",
        )
    return ServiceError(message=" ".join(error.messages), code=error.code or "invalid")


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
    note: str = ""


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


def _check_label(label: str) -> None:
    if label not in StanceLabel.values:
        raise ServiceError(
            field="label",
            code="invalid_choice",
            message=f"“{label}” is not one of {', '.join(StanceLabel.values)}.",
        )


# --- claims ---------------------------------------------------------------------------------


@transaction.atomic
def create_claim(
    *,
    source: Source,
    start: int,
    end: int,
    by,
    quote: str | None = None,
    kind: str = Claim.Kind.ANALYSIS,
    attribution: str = Claim.Attribution.OWN,
    speaker: Actor | None = None,
    actors: Iterable[Actor] = (),
    note: str = "",
    stances: Iterable[NewStance] = (),
) -> Claim:
    """A new claim over `source.body[start:end]`, made by `by`, with its first stances."""
    anchor = anchor_span(source=source, start=start, end=end, quote=quote)
    claim = Claim(
        source=source,
        start=anchor.start,
        end=anchor.end,
        quote=anchor.quote,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        kind=kind,
        attribution=attribution or Claim.Attribution.OWN,
        speaker=speaker,
        note=note,
        created_by=by,
    )
    _save(claim, by)
    actors = list(actors)
    if actors:
        claim.actors.set(actors)
    stances = list(stances)
    if stances:
        add_stances(claim=claim, stances=stances, user=by)
    return claim


@transaction.atomic
def update_claim(
    *,
    claim: Claim,
    version: int | None,
    by,
    start: int = KEEP,
    end: int = KEEP,
    quote: str | None = KEEP,
    kind: str = KEEP,
    attribution: str = KEEP,
    speaker: Actor | None = KEEP,
    actors: Iterable[Actor] = KEEP,
    note: str = KEEP,
) -> Claim:
    """Change `claim` as it stood at `version`; fields not given stay as they are.

    A new span (start, end or quote given) is validated against the text and re-derives the
    quote and its context; a claim whose span is not touched keeps its anchor state (an
    orphaned claim stays orphaned until someone gives it new offsets).
    """
    check_version(claim, version)
    if any(value is not KEEP for value in (start, end, quote)):
        span_start = claim.start if start is KEEP else start
        span_end = claim.end if end is KEEP else end
        anchor = anchor_span(
            source=claim.source,
            start=span_start,
            end=span_end,
            quote=None if quote is KEEP else quote,
        )
        claim.start, claim.end, claim.quote = anchor.start, anchor.end, anchor.quote
        claim.prefix, claim.suffix = anchor.prefix, anchor.suffix
        claim.anchor_state = AnchorState.ANCHORED
    for name, value in (
        ("kind", kind),
        ("attribution", attribution),
        ("speaker", speaker),
        ("note", note),
    ):
        if value is not KEEP:
            setattr(claim, name, value)
    _save(claim, by)
    if actors is not KEEP:
        claim.actors.set(list(actors))
    return claim


@transaction.atomic
def delete_claim(*, claim: Claim, by=None, version: int | None = None) -> int:
    """Delete a claim and its stances. History keeps both, so `restore_claim` can undo it."""
    check_version(claim, version)
    pk = claim.pk
    _delete(claim, by)
    return pk


# --- stances --------------------------------------------------------------------------------


@transaction.atomic
def add_stances(*, claim: Claim, stances: list[NewStance], user) -> list[Stance]:
    """Label `claim` against propositions (creating new ones); one stance per proposition.

    `user` is the annotator of each. A confirmed silence of the claim's source on one of those
    propositions no longer holds, and is removed (its history keeps it).
    """
    created = []
    for spec in stances:
        _check_label(spec.label)
        proposition = _proposition_for(spec, user)
        check_no_duplicate(claim=claim, proposition=proposition, annotator=user)
        stance = Stance(
            claim=claim,
            proposition=proposition,
            label=spec.label,
            annotator=user,
            note=spec.note,
        )
        _save(stance, user)
        created.append(stance)
        for silence in ConfirmedSilence.objects.filter(
            source_id=claim.source_id, proposition=proposition
        ):
            silence._history_user = user
            silence.delete()
    return created


def add_stance(*, claim: Claim, proposition: Proposition, label: str, by, note: str = "") -> Stance:
    """`by`'s stance on `proposition` for `claim`: the annotator is always the acting user."""
    spec = NewStance(label=label, proposition=proposition, note=note)
    return add_stances(claim=claim, stances=[spec], user=by)[0]


@transaction.atomic
def set_stance(
    *,
    stance: Stance,
    version: int | None,
    by,
    label: str = KEEP,
    proposition: Proposition = KEEP,
    note: str = KEEP,
) -> Stance:
    """Change `stance` as it stood at `version`. Its annotator's, or a reviewer's, act: the
    stance keeps its annotator, and the history names who changed it."""
    check_owner(stance=stance, user=by)
    check_version(stance, version)
    if label is not KEEP:
        _check_label(label)
        stance.label = label
    if proposition is not KEEP and proposition.pk != stance.proposition_id:
        check_no_duplicate(
            claim=stance.claim,
            proposition=proposition,
            annotator=stance.annotator,
            exclude=stance.pk,
        )
        stance.proposition = proposition
    if note is not KEEP:
        stance.note = note
    # Saved by its annotator (or a reviewer), a stance marked for re-checking after its claim's
    # words changed is checked: it counts again once published.
    rechecked = stance.needs_recheck
    stance.needs_recheck = False
    _save(stance, by)
    if rechecked:
        from claims.revisions import settle_claim

        settle_claim(stance.claim)
    return stance


@transaction.atomic
def remove_stance(*, stance: Stance, version: int | None, by) -> int:
    """Delete `stance` as it stood at `version` (its annotator's, or a reviewer's, act)."""
    check_owner(stance=stance, user=by)
    check_version(stance, version)
    pk = stance.pk
    _delete(stance, by)
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


def _hidden_from(user, record) -> bool:
    return (
        record.created_by_id != user.pk
        and blind_sources_for(user).filter(source=record.source_id).exists()
    )


@transaction.atomic
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
    _save(claim, user)
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
            stance._history_user = user
            if claim.anchor_state == AnchorState.WORDS_CHANGED:
                stance.needs_recheck = True
            stance.save()
            restored += 1
    return claim, restored


def span_anchor(source: Source, start: int, end: int) -> Anchor:
    """Validate a selection against the text; raises claims.anchoring.AnchorError."""
    return make_anchor(source.body, start, end)
