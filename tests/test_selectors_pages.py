"""The reads behind the public pages (claims.selectors), on the seed corpus."""

import datetime as dt

import pytest

from claims import positions, selectors
from claims.models import Proposition, Source, Topic

from .corpus import grow
from .factories import ClaimFactory, PublisherFactory, SourceFactory, StanceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_topic_tree_walks_parents_before_children():
    tree = selectors.topic_tree()
    order = [(topic.slug, depth) for topic, depth in tree.walk()]
    assert order.index(("south-caucasus", 0)) < order.index(("zangezur-corridor", 1))
    south = Topic.objects.get(slug="south-caucasus")
    zangezur = Topic.objects.get(slug="zangezur-corridor")
    assert tree.descendants(south.pk) >= {south.pk, zangezur.pk}
    assert [t.slug for t in tree.ancestors(zangezur.pk)] == ["south-caucasus"]


def test_topic_tree_survives_a_loop_in_bad_data():
    a = TopicFactory()
    b = TopicFactory(parent=a)
    Topic.objects.filter(pk=a.pk).update(parent=b)  # a ⇄ b, which clean() would refuse
    tree = selectors.topic_tree()
    assert tree.descendants(a.pk) == {a.pk, b.pk}
    assert [t.pk for t in tree.ancestors(a.pk)] == [b.pk]


def test_topic_propositions_include_those_of_sub_topics():
    south = Topic.objects.get(slug="south-caucasus")
    slugs = set(selectors.topic_propositions(south).values_list("slug", flat=True))
    assert {"russia-backs-zangezur-corridor", "russia-tilts-toward-azerbaijan"} <= slugs


def test_sources_by_date_put_undated_last_and_by_outlet_put_unknown_last():
    sources = list(Source.objects.published().select_related("publisher"))
    by_date = selectors.order_sources(sources, "date")
    assert [s.published_on for s in by_date[:2]] == [dt.date(2024, 9, 12), dt.date(2023, 6, 15)]
    assert all(s.published_on is None for s in by_date[2:])
    by_outlet = selectors.order_sources(sources, "publisher")
    assert by_outlet[0].publisher.name == "Central Asia-Caucasus Analyst"
    assert by_outlet[-1].publisher is None
    with pytest.raises(ValueError):
        selectors.order_sources(sources, "title; DROP TABLE")


def test_topic_rows_by_divergence_then_text():
    answer = selectors.topic_answer("south-caucasus")
    ranked = [summary.proposition for summary in answer.summaries]
    assert ranked[0].slug == "russia-tilts-toward-azerbaijan"
    scores = [summary.divergence for summary in answer.summaries]
    assert scores == sorted(scores, reverse=True)
    alphabetical = selectors.topic_answer("south-caucasus", rows="text").summaries
    assert [s.proposition.text for s in alphabetical] == sorted(
        (p.text for p in ranked), key=str.casefold
    )
    with pytest.raises(ValueError):
        selectors.topic_answer("south-caucasus", rows="text; DROP TABLE")


def test_a_topic_nothing_published_is_filed_under_is_not_public():
    TopicFactory(slug="only-drafts")
    for slug in ("only-drafts", "no-such-topic"):
        with pytest.raises(selectors.NotPublic):
            selectors.topic_answer(slug)


def test_summary_of_russias_tilt_toward_azerbaijan():
    answer = selectors.topic_answer("south-caucasus")
    summary = next(
        s for s in answer.summaries if s.proposition.slug == "russia-tilts-toward-azerbaijan"
    )
    # Three sources say in their own words that Moscow has tilted toward Baku, two say it has
    # not (the officials' words two of them also report are no position of their own).
    assert summary.counts == {
        "supports": 3,
        "leans_supports": 0,
        "mixed": 0,
        "leans_contradicts": 0,
        "contradicts": 2,
        "neutral": 0,
    }
    assert summary.addressed_by == 5 and summary.sided == 5
    # Balance: 3×2 opposed pairs, 4 steps apart, over 5² = 24/25; times (5 - 1) / 5 = 0.768.
    assert summary.divergence == 96 / 125
    # The stored summary and the arithmetic over the matrix's rows agree.
    assert selectors.summarise(answer.matrix, summary.proposition) == summary


def test_most_contested_leaves_out_agreed_propositions():
    contested = selectors.contested_summaries(100)
    assert contested and all(s.divergence > 0 for s in contested)
    assert len(selectors.contested_summaries(3)) == 3


def test_tally_counts_only_published_material_and_files_topics():
    tally = selectors.corpus_tally()
    assert tally.sources == 5
    assert tally.claims == 163
    topics = {t.slug: t.pk for t in Topic.objects.all()}
    assert tally.per_topic[topics["zangezur-corridor"]][0] == 2
    # The parent counts its own propositions and those of the topics below it.
    assert tally.per_topic[topics["south-caucasus"]][0] == 11


def test_group_positions_combine_each_sources_position_first():
    outlet = PublisherFactory()
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    sources = []
    for labels in (["supports", "supports", "supports"], ["contradicts"]):
        source = SourceFactory(
            publisher=outlet, status="published", published_at=dt.datetime.now(dt.UTC)
        )
        for label in labels:
            StanceFactory(claim=ClaimFactory(source=source), proposition=proposition, label=label)
        sources.append(source)
    group = selectors.group_positions(sources)
    # One source supports (three times), the other contradicts: one source, one vote, the
    # outlet's lean is (1 - 1) / 2 = 0, mixed, though three of four quotes support.
    assert group.combined[proposition.pk].label == positions.MIXED
    assert group.combined[proposition.pk].counts["supports"] == 3
    [(row_proposition, position, held)] = group.rows()
    assert row_proposition == proposition and position.label == "mixed"
    assert {source.pk for source, _ in held} == {s.pk for s in sources}


def test_related_propositions_share_a_topic_and_skip_the_proposition_itself():
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    related = selectors.related_summaries(proposition, list(proposition.topics.all()), 100)
    slugs = {summary.proposition.slug for summary in related}
    assert "iran-opposes-zangezur-corridor" in slugs
    assert proposition.slug not in slugs
    opposes = next(s for s in related if s.proposition.slug == "iran-opposes-zangezur-corridor")
    assert opposes.counts["supports"] == 3


def test_source_claims_are_in_text_order_with_their_stances():
    source = Source.objects.get(slug="corridor-dividing-russia-and-iran")
    claims = selectors.source_claims(source)
    assert len(claims) == 29
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    assert all(c.stances.all() for c in claims)


def test_source_claims_of_a_draft_are_empty():
    draft = SourceFactory()
    ClaimFactory(source=draft)
    assert selectors.source_claims(draft) == []


def test_grown_sources_appear_in_the_topic_matrix():
    added = grow(2)
    answer = selectors.topic_answer("zangezur-corridor")
    assert {s.pk for s in added} <= {s.pk for s in answer.matrix.sources}
    assert len(answer.summaries) == 4  # two seed propositions and one new per source
