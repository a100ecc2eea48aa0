"""Tests for claims.positions: positions as evidence, groups, graded agreement, divergence.

Every expected number is worked out by hand in the comment next to it. The three cases the
seed corpus showed wrongly as "mixed" come first.
"""

from fractions import Fraction as F
from itertools import product

import pytest

from claims.positions import (
    CONTRADICTS,
    LEANS_CONTRADICTS,
    LEANS_SUPPORTS,
    MIXED,
    NEUTRAL,
    POSITION_LABELS,
    SUPPORTS,
    Position,
    StanceRow,
    agreement,
    closeness,
    combine,
    distribution,
    divergence,
    divergence_parts,
    evidence,
    grade,
    group,
    near,
    publisher_positions,
    source_positions,
    tally,
    weight,
)

S, C, M, N = SUPPORTS, CONTRADICTS, MIXED, NEUTRAL


def own(*labels: str) -> Position:
    return evidence((label, "own") for label in labels)


# --- the seed cases ---------------------------------------------------------------------------


def test_six_supports_and_one_mixed_leans_supports_not_mixed() -> None:
    # EJP on partnership-is-strategic-alliance, Geopolitical Futures on
    # relations-are-diverging: lean (6 - 0) / 7 = 6/7, in [1/4, 1): the argument with its
    # one hedge in view.
    held = own(*[S] * 6, M)
    assert held.lean == F(6, 7)
    assert held.label == LEANS_SUPPORTS
    assert held.counts == {S: 6, C: 0, M: 1, N: 0}
    assert held.quotes == 7 and not held.single
    assert held.dissent == (M,)


def test_four_supports_and_one_contradicts_leans_supports() -> None:
    # CACI on russia-disregards-iran-in-caucasus: lean (4 - 1) / 5 = 3/5, in [1/4, 3/4).
    held = own(S, S, C, S, S)
    assert held.lean == F(3, 5)
    assert held.label == LEANS_SUPPORTS
    assert held.dissent == (C,)


def test_two_sources_making_the_same_argument_agree_at_least_80_percent() -> None:
    # Geopolitical Futures (6 supports + 1 mixed, lean 6/7) and CACI (4 + 1 against, 3/5) on
    # one proposition, and both plainly supporting (lean 1) on another:
    # closeness 1 - |6/7 - 3/5| / 2 = 1 - (9/35) / 2 = 61/70; and 1; mean (61/70 + 1) / 2
    # = 131/140 ≈ 0.936.
    gf = {"p": own(*[S] * 6, M), "q": own(S)}
    caci = {"p": own(S, S, S, S, C), "q": own(S, S)}
    result = agreement(gf, caci)
    assert result.closeness == {"p": F(61, 70), "q": F(1)}
    # Weights: p min(7, 5) = 5, q min(1, 2) = 1: (5 × 61/70 + 1) / 6 = (61/14 + 1) / 6 = 75/84.
    assert result.weights == {"p": 5, "q": 1}
    assert result.score == pytest.approx(75 / 84)
    assert result.unweighted == pytest.approx(131 / 140)
    assert result.agreeing == ("p", "q") and result.diverging == ()


# --- evidence and the scale -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lean", "label"),
    [
        (F(1), S),  # only a lean of 1 (nothing against, no hedge) supports outright
        (F(99, 100), LEANS_SUPPORTS),
        (F(3, 4), LEANS_SUPPORTS),
        (F(74, 100), LEANS_SUPPORTS),
        (F(1, 4), LEANS_SUPPORTS),
        (F(24, 100), MIXED),
        (F(0), MIXED),
        (F(-24, 100), MIXED),
        (F(-1, 4), LEANS_CONTRADICTS),
        (F(-74, 100), LEANS_CONTRADICTS),
        (F(-3, 4), LEANS_CONTRADICTS),
        (F(-99, 100), LEANS_CONTRADICTS),
        (F(-1), CONTRADICTS),
        (None, NEUTRAL),
    ],
)
def test_grade_thresholds(lean, label) -> None:
    assert grade(lean) == label


def test_grade_refuses_a_lean_outside_the_scale() -> None:
    with pytest.raises(ValueError, match="lies in"):
        grade(F(5, 4))


@pytest.mark.parametrize(
    ("labels", "lean", "label"),
    [
        ([S], F(1), S),  # one quote: supports, and marked as resting on one quote
        ([S, C], F(0), MIXED),  # one each way cancels out
        ([S, S, S, C, C], F(1, 5), MIXED),  # three against two: (3 - 2) / 5
        ([S, S, C], F(1, 3), LEANS_SUPPORTS),  # two against one
        ([S, M], F(1, 2), LEANS_SUPPORTS),  # a claim and a hedge
        ([S, S, S, M], F(3, 4), LEANS_SUPPORTS),  # a hedge, however outnumbered, shows
        ([*[S] * 7, C], F(3, 4), LEANS_SUPPORTS),  # so does a contrary quote
        ([*[S] * 5, C], F(2, 3), LEANS_SUPPORTS),
        ([S, S, S, S], F(1), S),  # nothing against: supports
        ([C, C, N], F(-1), CONTRADICTS),
        ([C, C, C, C, S], F(-3, 5), LEANS_CONTRADICTS),  # the mirror of CACI
        ([M, M], F(0), MIXED),
        ([S, N, N], F(1), S),  # neutral quotes take no side
        ([N, N], None, NEUTRAL),
    ],
)
def test_evidence_by_hand(labels, lean, label) -> None:
    held = own(*labels)
    assert (held.lean, held.label, held.quotes) == (lean, label, len(labels))


def test_a_position_resting_on_one_quote_says_so() -> None:
    assert own(C).single and not own(C, C).single


def test_others_views_are_kept_beside_the_position_not_mixed_in() -> None:
    # The author's own two supporting claims; a counterpoint they rebut and a reported view.
    quotes = [(S, "own"), (S, "own"), (C, "counterpoint"), (C, "reported"), (C, "background")]
    held = evidence(quotes)
    assert (held.label, held.lean, held.quotes) == (S, F(1), 2)
    assert held.aside == {"reported": 1, "counterpoint": 1, "background": 1}
    # voice="all" mixes them in: (2 - 3) / 5 = -1/5, mixed.
    everything = evidence(quotes, voice="all")
    assert (everything.label, everything.lean, everything.quotes) == (MIXED, F(-1, 5), 5)
    assert everything.aside == {}


def test_only_others_views_give_no_position_of_its_own() -> None:
    held = evidence([(S, "reported"), (C, "reported")])
    assert held.label is None and held.lean is None and held.quotes == 0
    assert held.aside == {"reported": 2}
    assert evidence([(S, "reported")], voice="all").label == S


def test_evidence_refuses_unknown_labels_attributions_and_voices() -> None:
    with pytest.raises(ValueError, match="unknown stance label"):
        evidence([("leans_supports", "own")])
    with pytest.raises(ValueError, match="unknown attribution"):
        evidence([(S, "hearsay")])
    with pytest.raises(ValueError, match="unknown voice"):
        evidence([(S, "own")], voice="mine")


# --- sources and groups -----------------------------------------------------------------------

ROWS = [
    # Source a: three supporting claims on p1, one of them labelled by two annotators who
    # disagree (supports + contradicts on claim a2 combine to mixed), so p1 is S, S, M.
    StanceRow("a", "p1", S, publisher="outlet", annotator="x", claim="a1"),
    StanceRow("a", "p1", S, publisher="outlet", annotator="x", claim="a2"),
    StanceRow("a", "p1", C, publisher="outlet", annotator="y", claim="a2"),
    StanceRow("a", "p1", S, publisher="outlet", annotator="x", claim="a3"),
    # …and a counterpoint on p1 that it rebuts, kept aside.
    StanceRow("a", "p1", C, publisher="outlet", claim="a4", attribution="counterpoint"),
    StanceRow("a", "p2", C, publisher="outlet", claim="a5"),
    # Source b: p1 contradicts once; p2 only a reported view.
    StanceRow("b", "p1", C, publisher="outlet", claim="b1"),
    StanceRow("b", "p2", S, publisher="outlet", claim="b2", attribution="reported"),
    # Source c, another outlet: p1 neutral.
    StanceRow("c", "p1", N, publisher="other", claim="c1"),
]


def test_source_positions_count_each_quote_once_and_set_others_aside() -> None:
    held = source_positions(ROWS)
    # a on p1: S, M (a2: supports + contradicts), S -> lean 2/3, leans supports.
    assert held["a"]["p1"].counts == {S: 2, C: 0, M: 1, N: 0}
    assert held["a"]["p1"].lean == F(2, 3) and held["a"]["p1"].label == LEANS_SUPPORTS
    assert held["a"]["p1"].aside == {"counterpoint": 1}
    assert held["a"]["p2"].label == C and held["a"]["p2"].single
    assert held["b"]["p1"].label == C
    assert held["b"]["p2"].label is None and held["b"]["p2"].aside == {"reported": 1}
    assert held["c"]["p1"].label == N and held["c"]["p1"].lean is None


def test_rows_without_a_claim_are_a_quote_each() -> None:
    rows = [StanceRow("s", "p", S), StanceRow("s", "p", S), StanceRow("s", "p", C)]
    assert source_positions(rows)["s"]["p"].lean == F(1, 3)


def test_group_is_one_source_one_vote() -> None:
    # Ten supporting quotes in one source and one contradicting quote in another: the mean
    # of their leans (1 + -1) / 2 = 0 is mixed, not "supports" by weight of quotes.
    combined = group([own(*[S] * 10), own(C)])
    assert combined.lean == F(0) and combined.label == MIXED
    assert combined.counts == {S: 10, C: 1, M: 0, N: 0} and combined.sources == 2


def test_group_of_one_source_is_that_source() -> None:
    one = own(S, S, C, S, S)
    combined = group([one])
    assert (combined.lean, combined.label) == (one.lean, one.label)


def test_group_leaves_neutral_and_aside_only_sources_out_of_the_lean() -> None:
    # (1 + 1/2) / 2 = 3/4: leans supports; the neutral source and the reporting one take no
    # side.
    combined = group([own(S), own(S, M), own(N), evidence([(C, "reported")])])
    assert combined.lean == F(3, 4) and combined.label == LEANS_SUPPORTS
    assert group([own(S), own(S, S, N)]).label == S  # every source supports outright
    assert combined.aside == {"reported": 1} and combined.sources == 4
    assert group([evidence([(C, "reported")])]).label is None
    assert group([]) is None


def test_publisher_positions_combine_their_sources() -> None:
    held = publisher_positions(ROWS)
    # outlet on p1: a (2/3) and b (-1): mean (2/3 - 1) / 2 = -1/6, mixed.
    assert held["outlet"]["p1"].lean == F(-1, 6) and held["outlet"]["p1"].label == MIXED
    # outlet on p2: a contradicts (-1); b only reports, so it casts no vote.
    assert held["outlet"]["p2"].label == C and held["outlet"]["p2"].aside == {"reported": 1}
    assert held["other"]["p1"].label == N


def test_publisher_positions_reject_a_source_with_two_publishers() -> None:
    rows = [StanceRow("a", "p", S, publisher="x"), StanceRow("a", "p", S, publisher="y")]
    with pytest.raises(ValueError, match="two publishers"):
        publisher_positions(rows)


# --- agreement --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ([S], [S, S], F(1)),
        ([S], [S, M], F(3, 4)),  # supports against leans supports (1/2): near agreement
        ([S], [M], F(1, 2)),
        ([S], [C], F(0)),  # full disagreement
        ([N], [M], F(1)),  # neither leans either way
        ([N], [S], F(1, 2)),
    ],
)
def test_closeness_by_hand(a, b, close) -> None:
    assert closeness(own(*a), own(*b)) == close == closeness(own(*b), own(*a))


@pytest.mark.parametrize(
    ("a", "b", "together"),
    [
        ([S], [S, S, S, S, C, C], True),  # supports against leans supports (1/3): 2/3 close
        ([S], [S, M, M], True),  # against leans supports (1/3) with two hedges
        ([C], [C, C, C, C, S, S], True),  # the mirror image
        ([S, M], [M], True),  # leans supports (1/2) against mixed: 3/4 close, as before
        ([S], [M], False),  # supports against mixed: 1/2
        ([S], [S, C], False),  # supports against mixed (a tie): 1/2
        ([S, S, S, C, C], [C], False),  # mixed (lean 1/5) against contradicts
        ([S], [C], False),
    ],
)
def test_near_agreement_by_hand(a, b, together) -> None:
    assert near(own(*a), own(*b)) is together is near(own(*b), own(*a))


def test_a_leaning_position_on_the_same_side_counts_as_agreeing() -> None:
    # CACI's four findings and two early instances of joint policy (lean 1/3) against a plain
    # supports: close 2/3, below 3/4, yet the same side one step apart.
    result = agreement({"p": own(S, S)}, {"p": own(S, S, S, S, C, C)})
    assert result.closeness == {"p": F(2, 3)}
    assert result.agreeing == ("p",) and result.diverging == ()
    assert result.score == result.unweighted == pytest.approx(2 / 3)  # one proposition


def test_agreement_grades_and_orders_the_divergences() -> None:
    a = {"p": own(S), "q": own(S), "r": own(S), "s": own(S), "only-a": own(C)}
    b = {"p": own(S, M), "q": own(C), "r": own(M), "s": own(S), "only-b": own(S)}
    result = agreement(a, b)
    # p 3/4, q 0, r 1/2, s 1: mean 9/16.
    assert result.shared == ("p", "q", "r", "s")
    assert result.agreeing == ("p", "s")
    assert result.diverging == ("q", "r")  # the furthest apart first
    # a says one quote on each, so every proposition weighs 1 and the weighted mean is the
    # plain one.
    assert result.weights == {"p": 1, "q": 1, "r": 1, "s": 1}
    assert result.score == result.unweighted == 9 / 16
    assert (result.only_a, result.only_b) == (("only-a",), ("only-b",))


def test_agreement_weighs_each_proposition_by_the_thinner_evidence() -> None:
    # p: both argue it at length, 4 quotes against 5, and agree (closeness 1);
    # q: one passing sentence against 3 quotes, opposite (closeness 0);
    # r: one quote each, opposite (closeness 0).
    # Weights 4, 1, 1: (4 × 1 + 0 + 0) / 6 = 2/3; the plain mean is 1/3.
    a = {"p": own(S, S, S, S), "q": own(S), "r": own(C)}
    b = {"p": own(S, S, S, S, S), "q": own(C, C, C), "r": own(S)}
    result = agreement(a, b)
    assert result.weights == {"p": 4, "q": 1, "r": 1}
    assert result.score == pytest.approx(2 / 3)
    assert result.unweighted == pytest.approx(1 / 3)
    assert result.diverging == ("q", "r") and result.agreeing == ("p",)
    # Symmetric, and neutral quotes are evidence too: 2 neutral quotes against 1 weigh 1.
    assert agreement(b, a).score == result.score
    assert weight(own(N, N), own(N)) == 1
    # Quotes set aside (reported, counterpoint, background) do not add weight.
    reported = evidence([(S, "own"), (S, "reported"), (S, "counterpoint")])
    assert weight(reported, own(S, S, S)) == 1


def test_agreement_without_a_shared_position_has_no_score() -> None:
    # b only reports a view on p: that is no position to agree or disagree with.
    result = agreement({"p": own(S)}, {"p": evidence([(S, "reported")])})
    assert result.shared == () and result.score is None and result.only_a == ("p",)


# --- divergence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "value"),
    [
        # balance = sum over pairs of |step difference| / n², times (n - 1) / n.
        ([S, C], 0.5),  # 4 / 4 = 1, times 1/2
        ([S, C, N, N, N], 0.5),  # neutral sources take no side: still one against one
        ([S, S, C, C], 0.75),  # 4·4 / 16 = 1, times 3/4
        ([S, S, C], 16 / 27),  # 2·4 / 9, times 2/3
        ([S, S, S, C, C], 96 / 125),  # 6·4 / 25, times 4/5
        ([S, S, S, S, C], 64 / 125),  # 4·4 / 25, times 4/5
        ([S, M], 0.25),  # 2 / 4, times 1/2
        ([S, LEANS_SUPPORTS], 0.125),  # 1 / 4, times 1/2
        ([LEANS_SUPPORTS, LEANS_CONTRADICTS], 0.25),  # 2 / 4, times 1/2
        ([S, S, S], 0.0),
        ([S], 0.0),
        ([], 0.0),
    ],
)
def test_divergence_by_hand(labels, value) -> None:
    assert divergence(labels) == value


def test_one_against_one_is_not_the_sharpest_split() -> None:
    assert divergence([S, C]) < divergence([S, S, C]) < divergence([S, S, C, C])


def test_divergence_parts_are_whole_numbers() -> None:
    assert divergence_parts({S: 2, C: 1}) == (16, 27)
    assert divergence_parts({S: 1}) == (0, 1)


def test_divergence_and_distribution_refuse_unknown_labels() -> None:
    with pytest.raises(ValueError, match="unknown position label"):
        divergence(["supports", "Supports"])
    with pytest.raises(ValueError, match="unknown position label"):
        distribution([None])


def test_distribution_counts_every_position_label_in_order() -> None:
    found = distribution([S, LEANS_SUPPORTS, S, N])
    assert list(found) == list(POSITION_LABELS)
    assert found == {S: 2, LEANS_SUPPORTS: 1, MIXED: 0, LEANS_CONTRADICTS: 0, C: 0, N: 1}


@pytest.mark.parametrize("labels", list(product((S, C, M, N), repeat=3)))
def test_annotators_labels_are_combined_per_quote_as_combine_does(labels) -> None:
    # Three annotators on one claim: the quote counts once, with combine's label.
    rows = [StanceRow("s", "p", label, annotator=n, claim="c") for n, label in enumerate(labels)]
    assert source_positions(rows)["s"]["p"] == evidence([(combine(labels), "own")])


def test_tally_reads_plain_tuples_and_refuses_unknown_attributions() -> None:
    held = tally([("s", "p", 1, S, "own"), ("s", "p", 2, C, "reported"), ("s", "p", 1, N, "own")])
    assert held["s"]["p"] == evidence([(S, "own"), (C, "reported")])
    with pytest.raises(ValueError, match="unknown attribution"):
        tally([("s", "p", 1, S, "rumour")])
    with pytest.raises(ValueError, match="unknown stance label"):
        tally([("s", "p", 1, "leans_supports", "own")])
