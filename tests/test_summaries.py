"""Proposition summaries stay equal to what `claims.positions` computes from the stances.

Each test edits the corpus as editors' tools do, lets a reader refresh the marked summaries,
and compares every row with the Python arithmetic over all published stances.
"""

import random

import pytest
from django.db.models import Exists, F, OuterRef

from claims import positions, revisions, selectors, summaries, visibility
from claims.models import Claim, Proposition, PropositionSummary, Source, Stance, Topic

from .corpus import grow, publish
from .factories import (
    ClaimFactory,
    PropositionFactory,
    SourceFactory,
    StanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def labels(held) -> list[str]:
    return [position.label for position in held if position.label is not None]


def addressed():
    """The definition of a published proposition, asked of the stances themselves (not of the
    summaries, which `Proposition.objects.published` reads and these tests check)."""
    return Proposition.objects.filter(
        Exists(Stance.objects.published().filter(proposition=OuterRef("pk")))
    )


def expected() -> dict[int, tuple]:
    """{proposition id: (sources, counts, divergence)} from the Python arithmetic."""
    ids = addressed().values_list("pk", flat=True)
    held = selectors.positions_for(ids)
    return {
        pk: (
            len(held[pk]),
            positions.distribution(labels(held[pk].values())),
            positions.divergence(labels(held[pk].values())),
        )
        for pk in ids
    }


def stored() -> dict[int, tuple]:
    summaries.refresh()
    return {
        row.proposition_id: (row.sources, row.counts(), row.divergence)
        for row in PropositionSummary.objects.filter(sources__gt=0)
    }


def test_the_seed_summaries_match_the_arithmetic_exactly():
    assert stored() == expected()
    assert len(stored()) == 30


def test_edits_are_reflected_after_a_refresh():
    grow(3)
    assert stored() == expected()
    stance = Stance.objects.published().order_by("pk").first()
    stance.label = "neutral"
    # Published rows change only when a working copy is published (claims.revisions), which
    # writes them in place like this.
    with revisions.published_writes():
        stance.save()
    Stance.objects.filter(pk=Stance.objects.order_by("-pk").first().pk).update(label="mixed")
    assert stored() == expected()
    Stance.objects.filter(claim__source__slug="does-russia-support-iran").delete()
    assert stored() == expected()
    source = Source.objects.get(slug="iran-russia-alliance-ejp")
    source.status = Source.Status.DRAFT
    source.save()
    assert stored() == expected()
    publish(source)
    assert stored() == expected()


def test_changing_a_claims_attribution_moves_the_summaries():
    grow(2)
    before = stored()
    claims = Claim.objects.published().filter(stances__isnull=False).distinct()
    Claim.objects.filter(pk__in=list(claims.values_list("pk", flat=True)[:10])).update(
        attribution="counterpoint"
    )
    after = stored()
    assert after == expected()
    assert after != before
    Claim.objects.filter(attribution="counterpoint").update(attribution="own")
    assert stored() == expected()


def random_corpus(rng: random.Random) -> None:
    """Published and draft sources whose claims carry every attribution, with one to three
    annotators' stances each on a few shared propositions: every branch of the SQL."""
    propositions = [PropositionFactory() for _ in range(4)]
    annotators = [UserFactory() for _ in range(3)]
    for _ in range(7):
        source = SourceFactory(body=" ".join(f"Word{n} sentence." for n in range(60)))
        # Content first, publication last: a published revision is read-only.
        published = rng.random() < 0.85
        for n in range(rng.randint(1, 7)):
            claim = ClaimFactory(
                source=source,
                span=(n * 15, n * 15 + 14),
                attribution=rng.choice(["own", "own", "own", "reported", "counterpoint"]),
            )
            for proposition in rng.sample(propositions, rng.randint(1, 2)):
                for annotator in rng.sample(annotators, rng.choice([1, 1, 2, 3])):
                    StanceFactory(
                        claim=claim,
                        proposition=proposition,
                        annotator=annotator,
                        label=rng.choice(
                            ["supports", "supports", "contradicts", "mixed", "neutral"]
                        ),
                    )
        if published:
            publish(source)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_the_sql_equals_the_python_on_random_corpora(seed):
    random_corpus(random.Random(seed))
    assert stored() == expected()
    summaries.rebuild_proposition_summaries()
    assert stored() == expected()
    # Not a trivial corpus: the sources split on something.
    assert any(divergence > 0 for _, _, divergence in stored().values())


def test_a_claim_moved_to_a_draft_leaves_the_summaries():
    draft = SourceFactory()
    before = stored()
    Claim.objects.filter(source__slug="iran-russia-alliance-ejp").update(
        source=draft, anchor_state="orphaned"
    )
    after = stored()
    assert after == expected()
    assert after != before


def test_a_new_proposition_gets_a_summary_and_rebuild_agrees():
    source = SourceFactory()
    StanceFactory(claim=ClaimFactory(source=source), label="contradicts")
    publish(source)
    assert stored() == expected()
    summaries.rebuild_proposition_summaries()
    assert stored() == expected()
    assert not PropositionSummary.objects.filter(marks__gt=0).exists()


def test_an_older_refresh_never_overwrites_a_newer_one():
    row = PropositionSummary.objects.filter(sources__gt=0).first()
    PropositionSummary.objects.filter(pk=row.pk).update(settled=row.marks + 5, sources=99)
    summaries.refresh()
    assert PropositionSummary.objects.get(pk=row.pk).sources == 99


def test_many_marked_summaries_are_settled_a_batch_at_a_time(monkeypatch):
    monkeypatch.setattr(summaries, "REFRESH_BATCH", 2)
    grow(2)
    summaries.refresh()
    # Five propositions marked at once (the seeds' stances relabelled in place).
    marked = list(PropositionSummary.objects.filter(sources__gt=0).values_list("pk", flat=True)[:5])
    Stance.objects.filter(proposition_id__in=marked).update(label="neutral")
    assert PropositionSummary.objects.filter(marks__gt=F("settled")).count() == 5
    assert stored() == expected()
    assert not PropositionSummary.objects.filter(marks__gt=F("settled")).exists()


def test_published_propositions_from_summaries_equal_the_definition_in_every_state():
    grow(2)
    summaries.refresh()
    assert set(Proposition.objects.published()) == set(addressed())
    # Marked and not yet settled: the stances are asked (a draft's proposition drops out).
    source = Source.objects.get(slug="iran-russia-alliance-ejp")
    source.status = Source.Status.DRAFT
    source.save()
    assert PropositionSummary.objects.filter(marks__gt=F("settled")).exists()
    assert set(Proposition.objects.published()) == set(addressed())
    # No summary at all (a proposition added since the last rebuild): the stances again.
    PropositionSummary.objects.filter(pk__in=addressed().values("pk")[:3]).delete()
    assert set(Proposition.objects.published()) == set(addressed())
    summaries.refresh()
    assert set(Proposition.objects.published()) == set(addressed())


def test_a_refresh_with_nothing_marked_is_one_cheap_probe(django_assert_num_queries):
    summaries.refresh()
    with django_assert_num_queries(1):
        summaries.refresh()
    stance = Stance.objects.published().exclude(label="neutral").first()
    Stance.objects.filter(pk=stance.pk).update(label="neutral")
    with django_assert_num_queries(2):  # the probe, then the refresh of the marked rows
        summaries.refresh()
    with django_assert_num_queries(1):
        summaries.refresh()


def naive_public_topics() -> set[int]:
    """The definition, asked of every stance: topics of published propositions and above."""
    parents = dict(Topic.objects.values_list("pk", "parent_id"))
    public = set()
    for pk in Proposition.topics.through.objects.filter(proposition__in=addressed()).values_list(
        "topic_id", flat=True
    ):
        while pk is not None:
            public.add(pk)
            pk = parents[pk]
    return public


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_public_topics_read_from_summaries_equal_the_definition(seed):
    """Settled summaries answer for their propositions; marked ones (a write not yet refreshed)
    and propositions without a summary are asked of their stances, so the answer never lags."""
    rng = random.Random(seed)
    topics = list(Topic.objects.all())
    random_corpus(rng)
    for proposition in Proposition.objects.filter(topics__isnull=True):
        proposition.topics.set(rng.sample(topics, 2))
    summaries.refresh()
    assert visibility.public_topic_ids() == naive_public_topics()
    # Unpublish every source on some propositions without refreshing the summaries: their
    # rows are marked, still saying "published sources: n".
    some = list(Proposition.objects.published().order_by("?")[:3])
    for source in Source.objects.published().filter(claims__stances__proposition__in=some):
        source.status = Source.Status.DRAFT
        source.save()
    assert PropositionSummary.objects.filter(marks__gt=F("settled")).exists()
    assert visibility.public_topic_ids() == naive_public_topics()
    # A proposition whose summary row is gone is asked of its stances too.
    PropositionSummary.objects.filter(proposition__in=Proposition.objects.published()[:2]).delete()
    assert visibility.public_topic_ids() == naive_public_topics()
    summaries.refresh()
    assert visibility.public_topic_ids() == naive_public_topics()
