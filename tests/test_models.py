"""The database itself keeps the rules: named constraints and the quote trigger."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import AnchorState, Claim, Proposition, Source, Stance

from .factories import (
    ClaimFactory,
    PropositionFactory,
    SourceFactory,
    StanceFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused(action) -> str:
    """Run `action`, expect the database to refuse it, and return its message."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    return str(caught.value)


def test_claim_factory_builds_a_matching_span():
    claim = ClaimFactory(span=(0, 6))
    assert claim.quote == "Moscow" == claim.source.body[claim.start : claim.end]
    assert claim.prefix == ""
    assert claim.suffix.startswith(" and Tehran")


def test_database_refuses_a_quote_that_is_not_the_text_at_the_span():
    source = SourceFactory()
    message = refused(lambda: Claim.objects.create(source=source, start=0, end=6, quote="Tehran"))
    assert "claim_quote_matches_body" in message


def test_database_refuses_moving_offsets_away_from_the_quote():
    claim = ClaimFactory(span=(0, 6))
    assert "claim_quote_matches_body" in refused(
        lambda: Claim.objects.filter(pk=claim.pk).update(start=1, end=7)
    )


def test_database_refuses_a_span_past_the_end_of_the_text():
    source = SourceFactory(body="Short text.")
    assert "claim_quote_matches_body" in refused(
        lambda: Claim.objects.create(source=source, start=6, end=12, quote="text.!")
    )


# The quote trigger fires first on anchored claims; orphaned claims are exempt from it, which
# lets these two tests show that the CHECK constraints hold on their own.
def test_database_refuses_an_empty_span():
    source = SourceFactory()
    assert "claim_start_before_end" in refused(
        lambda: Claim.objects.create(
            source=source, start=6, end=6, quote="", anchor_state=AnchorState.ORPHANED
        )
    )


def test_database_refuses_a_quote_whose_length_differs_from_the_span():
    source = SourceFactory()
    assert "claim_quote_length_matches_span" in refused(
        lambda: Claim.objects.create(
            source=source, start=0, end=6, quote="Moscow and", anchor_state=AnchorState.ORPHANED
        )
    )


def test_database_refuses_a_body_edit_that_strands_anchored_claims():
    claim = ClaimFactory(span=(0, 6))
    assert "claim_quote_matches_body" in refused(
        lambda: Source.objects.filter(pk=claim.source_id).update(body="Rewritten entirely.")
    )


def test_orphaned_claims_are_exempt_from_the_quote_rule():
    claim = ClaimFactory(span=(0, 6))
    Claim.objects.filter(pk=claim.pk).update(anchor_state=AnchorState.ORPHANED)
    Source.objects.filter(pk=claim.source_id).update(body="Rewritten entirely.")
    claim.refresh_from_db()
    assert claim.quote == "Moscow"


def test_code_points_not_utf16_units_count_in_the_database():
    # "😀" is one code point but two UTF-16 units: the span of "Iran" starts at 2, not 3.
    source = SourceFactory(body="😀 Iran and Russia")
    claim = Claim.objects.create(source=source, start=2, end=6, quote="Iran")
    assert claim.pk is not None
    assert "claim_quote_matches_body" in refused(
        lambda: Claim.objects.create(source=source, start=3, end=7, quote="Iran")
    )


def test_one_stance_per_claim_proposition_and_annotator():
    stance = StanceFactory()
    message = refused(
        lambda: Stance.objects.create(
            claim=stance.claim,
            proposition=stance.proposition,
            annotator=stance.annotator,
            label="contradicts",
        )
    )
    # PostgreSQL names the constraint; SQLite names its columns.
    assert "stance_unique_per_annotator" in message or "annotator_id" in message


def test_a_second_annotator_may_label_the_same_claim():
    stance = StanceFactory()
    other = Stance.objects.create(
        claim=stance.claim,
        proposition=stance.proposition,
        annotator=UserFactory(),
        label="mixed",
    )
    assert other.pk != stance.pk


@pytest.mark.parametrize(
    ("model_factory", "field", "constraint"),
    [
        (StanceFactory, "label", "stance_label_valid"),
        (ClaimFactory, "kind", "claim_kind_valid"),
        (SourceFactory, "status", "source_status_valid"),
    ],
)
def test_choices_are_enforced_by_named_checks(model_factory, field, constraint):
    obj = model_factory()
    manager = type(obj).objects
    assert constraint in refused(lambda: manager.filter(pk=obj.pk).update(**{field: "bogus"}))


def test_published_source_needs_a_publication_time():
    source = SourceFactory()
    assert "source_published_has_timestamp" in refused(
        lambda: Source.objects.filter(pk=source.pk).update(status="published")
    )
    Source.objects.filter(pk=source.pk).update(status="published", published_at=timezone.now())


def test_empty_body_is_refused():
    assert "source_body_not_empty" in refused(lambda: SourceFactory(body=""))


def test_body_checksum_follows_the_body():
    source = SourceFactory(body="One.")
    first = source.body_sha256
    source.body = "Two."
    source.save()
    assert len(first) == 64
    assert source.body_sha256 != first


def test_published_querysets_hide_drafts():
    draft = SourceFactory()
    claim = ClaimFactory(source=draft, span=(0, 6))
    stance = StanceFactory(claim=claim)
    assert draft not in Source.objects.published()
    assert claim not in Claim.objects.published()
    assert stance not in Stance.objects.published()
    assert stance.proposition not in Proposition.objects.published()
    # The seed corpus is published as a whole.
    assert Source.objects.published().count() == 5


def test_claim_clean_names_the_problem():
    source = SourceFactory()
    claim = Claim(source=source, start=0, end=6, quote="Tehran")
    with pytest.raises(ValidationError) as caught:
        claim.full_clean()
    assert "quote" in caught.value.message_dict

    outside = Claim(source=source, start=0, end=10_000, quote="x")
    with pytest.raises(ValidationError) as caught:
        outside.full_clean()
    assert "beyond" in str(caught.value) or "end" in str(caught.value)


def test_topic_cannot_become_its_own_ancestor():
    parent = TopicFactory()
    child = TopicFactory(parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError) as caught:
        parent.full_clean()
    assert "parent" in caught.value.message_dict


def test_history_is_kept_for_sources_claims_stances_and_propositions():
    stance = StanceFactory()
    stance.label = "contradicts"
    stance.save()
    assert stance.history.count() == 2
    assert stance.history.earliest().label == "supports"
    assert stance.claim.history.count() == 1
    assert stance.claim.source.history.count() == 1
    assert PropositionFactory().history.count() == 1
