"""Published revisions and working copies.

The public sees a source as a reviewer published it. The published rows (the source, its
authorships, claims, stances and confirmed silences) are that revision, and they are read-only
(`PublishedReadOnly`, raised by the models' save and delete). Editors change a published source
through its *working copy*: a draft clone made by `start_revision`, whose rows point at the rows
they copy (`revision_of`). Until a reviewer publishes it, nothing public changes; publishing
(`claims.publishing.publish_source` → `apply_working_copy`) writes the copy into the published
rows in one transaction, keeping the public ids of the claims and stances it changed, and
deletes the copy. `diff` tells a reviewer what the copy changes.

Why a clone rather than a separate table of published snapshots: every public read already starts
from the `.published()` querysets and reads the same tables; keeping the published rows as the
public revision leaves those reads, their indexes and query counts as they are, and the public
ids stay the ids of the live rows.

Assignments (blind double readings) stay with the published source: they record how the first
revision was read, not what an editor changes afterwards. Confirmed silences are copied and
published like claims.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import (
    AnchorState,
    Authorship,
    Claim,
    ConfirmedSilence,
    Source,
    Stance,
)
from claims.models.base import PublishedReadOnly, published_writes, published_writes_allowed
from claims.models.sources import CONTENT_FIELDS

__all__ = [
    "PublishedReadOnly",
    "RevisionError",
    "apply_working_copy",
    "confirm_stance",
    "diff",
    "published_writes",
    "published_writes_allowed",
    "settle_claim",
    "start_revision",
    "unpublishable",
]

REVISION_SUFFIX = "-revision"
# Words of unchanged text shown on each side of a change in the text diff.
CONTEXT_WORDS = 6
# Claim and stance fields a reviewer is shown when they change.
CLAIM_FIELDS = ("quote", "kind", "attribution", "speaker", "note")
STANCE_FIELDS = ("label", "note")
# Source fields copied to the working copy and back (the slug is the working copy's own).
COPIED_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "slug")
# A claim's own content: copied into a working copy, and compared and written back when the
# copy is published (the source, the creator and the link to the original aside).
CLAIM_CONTENT = (
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "kind",
    "attribution",
    "speaker_id",
    "note",
    "anchor_state",
)


class RevisionError(ValueError):
    """The revision operation is not possible; the message says why, for the editor."""


# --- Starting a revision ---------------------------------------------------------------------


def _revision_slug(source: Source) -> str:
    base = source.slug[: 200 - len(REVISION_SUFFIX) - 4] + REVISION_SUFFIX
    slug, n = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def start_revision(*, source: Source, by) -> Source:
    """Return the working copy of the published `source`, making it if there is none.

    A working copy passed in is returned as it is. The copy is a draft with the same text,
    metadata, authors, claims (with their actors), stances and confirmed silences; each copied
    claim and stance points at the one it copies and keeps its annotator. Who may start one is
    checked by the callers (admin, API: editors; importers: whoever may import).
    """
    if source.revision_of_id is not None:
        return source
    published = Source.objects.select_for_update().get(pk=source.pk)
    if not published.is_published:
        raise RevisionError(
            f"“{published.title}” is not published: edit it directly; revisions are for "
            "published sources."
        )
    existing = Source.objects.filter(revision_of=published).first()
    if existing is not None:
        return existing

    copy = Source(
        revision_of=published,
        slug=_revision_slug(published),
        status=Source.Status.DRAFT,
        **{name: getattr(published, name) for name in COPIED_FIELDS},
    )
    copy._history_user = by
    copy.save()
    Authorship.objects.bulk_create(
        Authorship(source=copy, author_id=row.author_id, role=row.role, order=row.order)
        for row in published.authorships.all()
    )
    claims = {}
    for claim in published.claims.prefetch_related("actors").order_by("pk"):
        twin = Claim(
            source=copy,
            revision_of=claim,
            created_by_id=claim.created_by_id,
            **{name: getattr(claim, name) for name in CLAIM_CONTENT},
        )
        twin._history_user = by
        twin.save()
        twin.actors.set([actor.pk for actor in claim.actors.all()])
        claims[claim.pk] = twin
    for stance in Stance.objects.filter(claim__source=published).order_by("pk"):
        twin = Stance(
            claim=claims[stance.claim_id],
            revision_of=stance,
            proposition_id=stance.proposition_id,
            label=stance.label,
            annotator_id=stance.annotator_id,
            note=stance.note,
            needs_recheck=stance.needs_recheck,
        )
        twin._history_user = by
        twin.save()
    for silence in published.silences.all():
        ConfirmedSilence.objects.create(
            source=copy,
            proposition_id=silence.proposition_id,
            confirmed_by_id=silence.confirmed_by_id,
            note=silence.note,
        )
    return copy


# --- Publishing a working copy ---------------------------------------------------------------


def unpublishable(working_copy: Source) -> tuple[list[Claim], list[Stance]]:
    """What stops a working copy from being published: orphaned claims, and stances awaiting
    re-checking because the words of their claim changed."""
    orphans = list(
        Claim.objects.filter(source=working_copy, anchor_state=AnchorState.ORPHANED).order_by(
            "start", "pk"
        )
    )
    rechecks = list(
        Stance.objects.filter(claim__source=working_copy, needs_recheck=True)
        .select_related("claim", "proposition")
        .order_by("claim__start", "pk")
    )
    return orphans, rechecks


def _refusal(orphans: list[Claim], rechecks: list[Stance]) -> str:
    parts = []
    if orphans:
        quotes = "; ".join(f"“{_short(claim.quote)}”" for claim in orphans)
        parts.append(
            f"{len(orphans)} orphaned claim(s), whose words are gone from the text: {quotes}. "
            "Re-attach or delete them."
        )
    if rechecks:
        listed = "; ".join(
            f"{stance.get_label_display().lower()} “{_short(stance.proposition.text)}” on "
            f"“{_short(stance.claim.quote)}”"
            for stance in rechecks
        )
        parts.append(
            f"{len(rechecks)} stance(s) to re-check, because the words of their claim changed: "
            f"{listed}. Confirm, change or remove them."
        )
    return "Not published. " + " ".join(parts)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Plan:
    """Which published rows the working copy keeps (by id), and which copies are new."""

    kept_claims: dict[int, Claim] = field(default_factory=dict)  # published id -> copy
    new_claims: list[Claim] = field(default_factory=list)


def apply_working_copy(*, working_copy: Source, by=None) -> Source:
    """Publish `working_copy`: write it into the published source it revises and delete it.

    One transaction. The published source keeps its id and slug; claims and stances the copy
    changed are updated in place (their public ids, permalinks and export ids stay), new ones
    are created, and those the copy dropped are deleted. Refused (claims.publishing.WorkflowError)
    while the copy has orphaned claims or stances awaiting re-checking.
    """
    from claims.publishing import WorkflowError

    with transaction.atomic():
        copy = Source.objects.select_for_update().get(pk=working_copy.pk)
        if copy.revision_of_id is None:
            raise WorkflowError(f"“{copy.title}” is not a working copy.")
        published = Source.objects.select_for_update().get(pk=copy.revision_of_id)
        orphans, rechecks = unpublishable(copy)
        if orphans or rechecks:
            raise WorkflowError(_refusal(orphans, rechecks))
        with published_writes():
            _write_into(published, copy)
            published.status = Source.Status.PUBLISHED
            published.published_at = timezone.now()
            published.published_by = by
            published.save(update_fields=["status", "published_at", "published_by", "modified"])
            copy.delete()
    return published


def _write_into(published: Source, copy: Source) -> None:
    copies = list(
        Claim.objects.filter(source=copy).prefetch_related("actors").order_by("start", "pk")
    )
    current = {
        claim.pk: claim
        for claim in Claim.objects.filter(source=published).prefetch_related("actors")
    }
    plan = _Plan()
    for twin in copies:
        if twin.revision_of_id in current and twin.revision_of_id not in plan.kept_claims:
            plan.kept_claims[twin.revision_of_id] = twin
        else:
            plan.new_claims.append(twin)

    # 1. What the copy dropped goes (its stances with it).
    for pk, claim in current.items():
        if pk not in plan.kept_claims:
            claim.delete()
    # 2. Claims whose span changes are parked while the text changes (the quote trigger holds
    #    at every statement), then written back at their new place.
    moving = [
        pk
        for pk, twin in plan.kept_claims.items()
        if (current[pk].start, current[pk].end, current[pk].quote)
        != (twin.start, twin.end, twin.quote)
    ]
    if moving:
        Claim.objects.filter(pk__in=moving).update(anchor_state=AnchorState.ORPHANED)
        for pk in moving:
            current[pk].anchor_state = AnchorState.ORPHANED
    changed = [name for name in COPIED_FIELDS if getattr(published, name) != getattr(copy, name)]
    for name in changed:
        setattr(published, name, getattr(copy, name))
    if changed:
        published.save()
    _sync_authorships(published, copy)

    targets: dict[int, Claim] = {}  # copy id -> published claim
    for pk, twin in plan.kept_claims.items():
        claim = current[pk]
        differs = [name for name in CLAIM_CONTENT if getattr(claim, name) != getattr(twin, name)]
        for name in differs:
            setattr(claim, name, getattr(twin, name))
        if differs:
            claim.save()
        wanted = {actor.pk for actor in twin.actors.all()}
        if {actor.pk for actor in claim.actors.all()} != wanted:
            claim.actors.set(wanted)
        targets[twin.pk] = claim
    for twin in plan.new_claims:
        claim = Claim(
            source=published,
            created_by_id=twin.created_by_id,
            **{name: getattr(twin, name) for name in CLAIM_CONTENT},
        )
        claim.save()
        claim.actors.set([actor.pk for actor in twin.actors.all()])
        targets[twin.pk] = claim
    _sync_stances(published, targets)
    _sync_silences(published, copy)


def _sync_authorships(published: Source, copy: Source) -> None:
    def rows(source):
        return [
            (row.author_id, row.role, row.order) for row in source.authorships.order_by("order")
        ]

    wanted = rows(copy)
    if rows(published) != wanted:
        published.authorships.all().delete()
        Authorship.objects.bulk_create(
            Authorship(source=published, author_id=author, role=role, order=order)
            for author, role, order in wanted
        )


def _sync_stances(published: Source, targets: dict[int, Claim]) -> None:
    current = {stance.pk: stance for stance in Stance.objects.filter(claim__source=published)}
    copies = list(Stance.objects.filter(claim_id__in=targets).order_by("pk"))
    kept = {}
    for twin in copies:
        if twin.revision_of_id in current and twin.revision_of_id not in kept:
            kept[twin.revision_of_id] = twin
    for pk, stance in current.items():
        if pk not in kept:
            stance.delete()
    fields = ("proposition_id", "label", "annotator_id", "note", "needs_recheck")
    for pk, twin in kept.items():
        stance = current[pk]
        values = {name: getattr(twin, name) for name in fields}
        values["claim_id"] = targets[twin.claim_id].pk
        differs = [name for name, value in values.items() if getattr(stance, name) != value]
        for name in differs:
            setattr(stance, name, values[name])
        if differs:
            stance.save()
    for twin in copies:
        if kept.get(twin.revision_of_id) is twin:
            continue
        Stance.objects.create(
            claim=targets[twin.claim_id],
            **{name: getattr(twin, name) for name in fields},
        )


def _sync_silences(published: Source, copy: Source) -> None:
    have = {silence.proposition_id: silence for silence in published.silences.all()}
    wanted = {silence.proposition_id: silence for silence in copy.silences.all()}
    for proposition, silence in have.items():
        if proposition not in wanted:
            silence.delete()
    for proposition, silence in wanted.items():
        if proposition not in have:
            ConfirmedSilence.objects.create(
                source=published,
                proposition_id=proposition,
                confirmed_by_id=silence.confirmed_by_id,
                note=silence.note,
            )
        elif (have[proposition].note, have[proposition].confirmed_by_id) != (
            silence.note,
            silence.confirmed_by_id,
        ):
            have[proposition].note = silence.note
            have[proposition].confirmed_by_id = silence.confirmed_by_id
            have[proposition].save()


# --- Re-checking stances ---------------------------------------------------------------------


@transaction.atomic
def confirm_stance(*, stance: Stance, by, label: str | None = None, note: str | None = None):
    """An editor's word that `stance` (marked for re-checking because the words of its claim
    changed) still holds, or holds with a new `label`/`note`: it counts again once published.

    When no stance of the claim awaits re-checking any more, the claim is back to re-anchored.
    """
    if by is None or not by.has_perm("claims.change_stance"):
        raise PermissionDenied
    stance = Stance.objects.select_for_update().select_related("claim").get(pk=stance.pk)
    from claims.annotating import check_owner

    check_owner(stance=stance, user=by)
    if label is not None:
        if label not in Stance.Label.values:
            raise RevisionError(f"label: {label!r} is not one of {', '.join(Stance.Label.values)}")
        stance.label = label
    if note is not None:
        stance.note = note
    stance.needs_recheck = False
    stance._history_user = by
    try:
        stance.save()
    except IntegrityError:
        raise RevisionError(
            "The stance conflicts with another one; reload and try again."
        ) from None
    settle_claim(stance.claim)
    return stance


def settle_claim(claim: Claim) -> None:
    """A claim whose words changed is back to re-anchored once none of its stances awaits
    re-checking."""
    if (
        claim.anchor_state == AnchorState.WORDS_CHANGED
        and not claim.stances.filter(needs_recheck=True).exists()
    ):
        claim.anchor_state = AnchorState.REANCHORED
        claim.save(update_fields=["anchor_state", "modified"])


# --- What a working copy changes -------------------------------------------------------------

_TOKENS = re.compile(r"\S+")


def text_diff(old: str, new: str, *, context: int = CONTEXT_WORDS) -> list[list[dict]]:
    """A word-level diff of two texts: the changed regions only, each with up to `context`
    unchanged words on either side. Each hunk is a list of parts {"op", "text"}, where op is
    "equal", "delete" or "insert"; the words of a part are joined by single spaces."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        parts = []
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                parts.append({"op": "equal", "text": " ".join(a[i1:i2])})
                continue
            if op in ("delete", "replace"):
                parts.append({"op": "delete", "text": " ".join(a[i1:i2])})
            if op in ("insert", "replace"):
                parts.append({"op": "insert", "text": " ".join(b[j1:j2])})
        hunks.append(parts)
    return hunks


def _value(instance, name: str):
    value = getattr(instance, name)
    if name in ("publisher", "speaker"):
        return str(value) if value is not None else ""
    if name == "published_on":
        return value.isoformat() if value else ""
    return value


def _claim_row(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "quote": claim.quote,
        "kind": claim.kind,
        "attribution": claim.attribution,
        "speaker": str(claim.speaker) if claim.speaker_id else "",
        "note": claim.note,
        "anchor_state": claim.anchor_state,
    }


def _stance_row(stance: Stance) -> dict:
    return {
        "id": stance.pk,
        "claim_quote": stance.claim.quote,
        "proposition": stance.proposition.text,
        "annotator": stance.annotator.get_username(),
        "label": stance.label,
        "note": stance.note,
        "needs_recheck": stance.needs_recheck,
    }


def diff(working_copy: Source) -> dict:
    """What publishing `working_copy` would change in the published source it revises: the
    text (word-level), metadata fields, claims and stances added, removed and changed."""
    published = working_copy.revision_of
    if published is None:
        raise RevisionError(f"“{working_copy.title}” is not a working copy.")
    metadata = [
        {"field": name, "before": _value(published, name), "after": _value(working_copy, name)}
        for name in COPIED_FIELDS
        if name not in ("body", "blocks", "provenance")
        and _value(published, name) != _value(working_copy, name)
    ]
    authors = [
        [row.author.name, row.role]
        for row in working_copy.authorships.select_related("author").order_by("order")
    ]
    before_authors = [
        [row.author.name, row.role]
        for row in published.authorships.select_related("author").order_by("order")
    ]
    if authors != before_authors:
        metadata.append({"field": "authors", "before": before_authors, "after": authors})

    old_claims = {
        claim.pk: claim for claim in published.claims.select_related("speaker").order_by("start")
    }
    new_claims = list(working_copy.claims.select_related("speaker").order_by("start", "pk"))
    claims = {"added": [], "removed": [], "changed": []}
    kept = set()
    for claim in new_claims:
        before = old_claims.get(claim.revision_of_id)
        if before is None or claim.revision_of_id in kept:
            claims["added"].append(_claim_row(claim))
            continue
        kept.add(before.pk)
        fields = {
            name: {"before": _value(before, name), "after": _value(claim, name)}
            for name in CLAIM_FIELDS
            if _value(before, name) != _value(claim, name)
        }
        moved = (before.start, before.end) != (claim.start, claim.end)
        if fields or moved or claim.anchor_state != before.anchor_state:
            row = {**_claim_row(claim), "published_id": before.pk, "fields": fields}
            row["moved"] = moved
            claims["changed"].append(row)
    claims["removed"] = [_claim_row(claim) for pk, claim in old_claims.items() if pk not in kept]

    related = ("claim", "proposition", "annotator")
    old_stances = {
        stance.pk: stance
        for stance in Stance.objects.filter(claim__source=published).select_related(*related)
    }
    stances = {"added": [], "removed": [], "changed": []}
    kept = set()
    for stance in (
        Stance.objects.filter(claim__source=working_copy)
        .select_related(*related)
        .order_by("claim__start", "pk")
    ):
        before = old_stances.get(stance.revision_of_id)
        if before is None or before.pk in kept:
            stances["added"].append(_stance_row(stance))
            continue
        kept.add(before.pk)
        fields = {
            name: {"before": getattr(before, name), "after": getattr(stance, name)}
            for name in STANCE_FIELDS
            if getattr(before, name) != getattr(stance, name)
        }
        if before.proposition_id != stance.proposition_id:
            fields["proposition"] = {
                "before": before.proposition.text,
                "after": stance.proposition.text,
            }
        if fields or stance.needs_recheck:
            stances["changed"].append(
                {**_stance_row(stance), "published_id": before.pk, "fields": fields}
            )
    stances["removed"] = [
        _stance_row(stance) for pk, stance in old_stances.items() if pk not in kept
    ]
    return {
        "source": working_copy.slug,
        "revision_of": published.slug,
        "text": text_diff(published.body, working_copy.body),
        "metadata": metadata,
        "claims": claims,
        "stances": stances,
    }
