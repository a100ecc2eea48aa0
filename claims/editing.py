"""Changing a source's text without losing its claims.

`replace_body` is the one place a body changes once claims point into it: the source importer
calls it directly, the admin's source form through `update_source_text`, which first checks the
version the editor's form was based on. Each claim is re-anchored by its quote and context; a
claim whose words are gone is marked orphaned (kept, listed for an editor), never moved
elsewhere or dropped. A claim found again only as similar text (its words changed) may now say
something else: it is marked so, and its stances are marked for re-checking; they count nowhere
until an editor confirms or changes them (claims.revisions.confirm_stance).

A published source's text is read-only; only its working copy's changes (claims.revisions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from claims.anchoring import Anchor, AnchorState, normalize_newlines, reanchor
from claims.annotating import check_version
from claims.layout import relayout
from claims.models import Claim, Source, Stance
from claims.models.base import PublishedReadOnly, published_writes_allowed


@dataclass
class BodyChange:
    """What re-anchoring did, for the editor who changed the text."""

    unchanged: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    words_changed: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)
    # Claim id -> its quote before the edit, for the claims whose words changed.
    old_quotes: dict[int, str] = field(default_factory=dict)
    # Stances marked for re-checking.
    rechecks: list[int] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.unchanged)} claim(s) unchanged, {len(self.moved)} moved, "
            f"{len(self.words_changed)} with changed words (stances to re-check), "
            f"{len(self.orphaned)} orphaned"
        )


@transaction.atomic
def replace_body(*, source: Source, body: str, blocks: list | None = None) -> BodyChange:
    """Give `source` a new body and re-anchor every claim on it, in one transaction.

    The database refuses a body that no longer matches an anchored claim (trigger
    claim_quote_matches_body), so claims that need to move are first parked as orphaned, the
    body is written, and then they are written back at their new offsets.
    """
    if source.pk is not None and not published_writes_allowed():
        stored = Source.objects.filter(pk=source.pk, status=Source.Status.PUBLISHED).first()
        if stored is not None:
            raise PublishedReadOnly(stored)
    body = normalize_newlines(body)
    change = BodyChange()
    claims = list(Claim.objects.select_for_update().filter(source=source).order_by("pk"))
    outcomes, refreshed = [], []
    for claim in claims:
        old = Anchor(claim.start, claim.end, claim.quote, claim.prefix, claim.suffix)
        result = reanchor(old, body)
        anchor = result.anchor
        in_place = anchor is not None and (anchor.start, anchor.end, anchor.quote) == (
            claim.start,
            claim.end,
            claim.quote,
        )
        if in_place and claim.anchor_state not in (
            AnchorState.ORPHANED,
            AnchorState.WORDS_CHANGED,
        ):
            # Same words at the same offsets: only the surrounding context may need refreshing.
            change.unchanged.append(claim.pk)
            if (anchor.prefix, anchor.suffix) != (claim.prefix, claim.suffix):
                claim.prefix, claim.suffix = anchor.prefix, anchor.suffix
                refreshed.append(claim)
            continue
        outcomes.append((claim, result))

    parked = [claim.pk for claim, _ in outcomes if claim.anchor_state != AnchorState.ORPHANED]
    if parked:
        Claim.objects.filter(pk__in=parked).update(anchor_state=AnchorState.ORPHANED)

    source.body = body
    if blocks is not None:
        source.blocks = blocks
    source.save()

    for claim in refreshed:
        claim.save(update_fields=["prefix", "suffix", "modified"])
    for claim, result in outcomes:
        if result.anchor is None:
            claim.anchor_state = AnchorState.ORPHANED
            change.orphaned.append(claim.pk)
        else:
            anchor = result.anchor
            words_changed = result.state == AnchorState.WORDS_CHANGED
            if words_changed:
                change.old_quotes[claim.pk] = claim.quote
            claim.start, claim.end, claim.quote = anchor.start, anchor.end, anchor.quote
            claim.prefix, claim.suffix = anchor.prefix, anchor.suffix
            if words_changed or claim.anchor_state == AnchorState.WORDS_CHANGED:
                # Words changed now, or earlier and not yet looked at: still to be checked.
                claim.anchor_state = AnchorState.WORDS_CHANGED
                change.words_changed.append(claim.pk)
            else:
                claim.anchor_state = AnchorState.REANCHORED
                change.moved.append(claim.pk)
        claim.save()
    if change.words_changed:
        stances = Stance.objects.filter(claim_id__in=change.words_changed, needs_recheck=False)
        for stance in stances.order_by("pk"):
            stance.needs_recheck = True
            stance.save(update_fields=["needs_recheck", "modified"])
            change.rechecks.append(stance.pk)
    return change


@transaction.atomic
def update_source_text(*, source: Source, body: str, version: int | None, by) -> BodyChange:
    """Save `source` (its other fields as they are on the instance) with a new `body`, based on
    `version`: refused with claims.annotating.VersionConflict when the row moved on since.
    The layout follows the text (claims.layout) and every claim is re-anchored."""
    check_version(source, version)
    before = Source.all_objects.only("body", "blocks").get(pk=source.pk)
    source._history_user = by
    return replace_body(
        source=source,
        body=body,
        blocks=relayout(normalize_newlines(body), before.body, before.blocks),
    )
