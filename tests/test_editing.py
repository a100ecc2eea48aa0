"""Changing a source's text re-anchors its claims; none is lost or silently moved."""

import pytest

from claims.editing import replace_body
from claims.models import AnchorState, Claim

from .factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

BODY = "Moscow and Tehran deepened their defence ties.\n\nThe corridor remains a red line for Iran."


@pytest.fixture
def source():
    return SourceFactory(body=BODY)


def claim_on(source, words: str) -> Claim:
    start = source.body.index(words)
    return ClaimFactory(source=source, span=(start, start + len(words)))


def test_untouched_claims_stay_anchored(source):
    claim = claim_on(source, "red line for Iran")
    change = replace_body(source=source, body=BODY + "\n\nA new closing paragraph.")
    claim.refresh_from_db()
    assert change.unchanged == [claim.pk] and not change.moved and not change.orphaned
    assert claim.anchor_state == AnchorState.ANCHORED


def test_text_inserted_before_a_claim_moves_it(source):
    claim = claim_on(source, "red line for Iran")
    change = replace_body(source=source, body="An opening line.\n\n" + BODY)
    claim.refresh_from_db()
    assert change.moved == [claim.pk]
    assert claim.anchor_state == AnchorState.REANCHORED
    assert claim.start == BODY.index("red line") + len("An opening line.\n\n")
    assert claim.source.body[claim.start : claim.end] == "red line for Iran"


def test_a_claim_whose_words_are_gone_is_orphaned_not_dropped(source):
    kept = claim_on(source, "deepened their defence ties")
    gone = claim_on(source, "The corridor remains a red line for Iran.")
    change = replace_body(source=source, body="Moscow and Tehran deepened their defence ties.")
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert change.orphaned == [gone.pk]
    assert gone.anchor_state == AnchorState.ORPHANED
    assert gone.quote == "The corridor remains a red line for Iran."
    assert kept.anchor_state == AnchorState.ANCHORED
    assert "orphaned" in change.summary


def test_crlf_text_does_not_orphan_claims(source):
    claim = claim_on(source, "red line for Iran")
    replace_body(source=source, body=BODY.replace("\n", "\r\n"))
    claim.refresh_from_db()
    source.refresh_from_db()
    assert "\r" not in source.body
    assert claim.anchor_state == AnchorState.ANCHORED


def test_every_change_is_recorded_in_history(source):
    claim = claim_on(source, "red line for Iran")
    replace_body(source=source, body="Preface.\n\n" + BODY)
    assert source.history.count() == 2
    assert claim.history.latest().anchor_state == AnchorState.REANCHORED
