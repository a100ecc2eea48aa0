"""Tests for claims.positions: combining stances and comparing positions.

Every expected number is worked out by hand in the comments next to it.
"""

import pytest

from claims.positions import (
    CONTRADICTS,
    LABELS,
    MIXED,
    NEUTRAL,
    SUPPORTS,
    Agreement,
    AnnotatorAgreement,
    StanceRow,
    agreement,
    annotator_agreement,
    combine,
    distribution,
    divergence,
    publisher_positions,
    source_positions,
)

# Three sources on four propositions. Sources "a" and "b" belong to publisher "outlet";
# "c" to "other". Several sources have more than one stance on a proposition.
ROWS = [
    StanceRow("a", "p1", SUPPORTS, publisher="outlet"),
    StanceRow("a", "p1", NEUTRAL, publisher="outlet"),
    StanceRow("a", "p2", CONTRADICTS, publisher="outlet"),
    StanceRow("a", "p3", SUPPORTS, publisher="outlet"),
    StanceRow("a", "p3", CONTRADICTS, publisher="outlet"),
    StanceRow("a", "p4", SUPPORTS, publisher="outlet"),
    StanceRow("b", "p1", SUPPORTS, publisher="outlet"),
    StanceRow("b", "p2", SUPPORTS, publisher="outlet"),
    StanceRow("b", "p2", SUPPORTS, publisher="outlet"),
    StanceRow("b", "p3", MIXED, publisher="outlet"),
    StanceRow("c", "p1", CONTRADICTS, publisher="other"),
    StanceRow("c", "p2", CONTRADICTS, publisher="other"),
    StanceRow("c", "p4", MIXED, publisher="other"),
    StanceRow("c", "p4", NEUTRAL, publisher="other"),
]
# What source_positions(ROWS) must give:
#   a: p1 {supports, neutral} -> supports, p2 contradicts, p3 {supports, contradicts} -> mixed,
#      p4 supports
#   b: p1 supports, p2 supports, p3 mixed
#   c: p1 contradicts, p2 contradicts, p4 {mixed, neutral} -> mixed
A = {"p1": SUPPORTS, "p2": CONTRADICTS, "p3": MIXED, "p4": SUPPORTS}
B = {"p1": SUPPORTS, "p2": SUPPORTS, "p3": MIXED}
C = {"p1": CONTRADICTS, "p2": CONTRADICTS, "p4": MIXED}


# --- combine --------------------------------------------------------------------------------


def test_combine_nothing_is_none() -> None:
    assert combine([]) is None


@pytest.mark.parametrize("label", LABELS)
def test_combine_one_label_repeated_is_that_label(label: str) -> None:
    assert combine([label, label, label]) == label


def test_combine_neutral_yields_to_any_side() -> None:
    assert combine([SUPPORTS, NEUTRAL]) == SUPPORTS
    assert combine([NEUTRAL, CONTRADICTS, NEUTRAL]) == CONTRADICTS
    assert combine([MIXED, NEUTRAL]) == MIXED


def test_combine_supports_with_contradicts_is_mixed() -> None:
    assert combine([SUPPORTS, CONTRADICTS]) == MIXED
    assert combine([SUPPORTS, CONTRADICTS, NEUTRAL]) == MIXED


def test_combine_mixed_with_another_side_is_mixed() -> None:
    assert combine([MIXED, SUPPORTS]) == MIXED
    assert combine([CONTRADICTS, MIXED]) == MIXED
    assert combine([SUPPORTS, CONTRADICTS, MIXED, NEUTRAL]) == MIXED


def test_combine_accepts_any_iterable() -> None:
    assert combine(label for label in (NEUTRAL, SUPPORTS)) == SUPPORTS


def test_combine_rejects_an_unknown_label_by_name() -> None:
    with pytest.raises(ValueError, match="unknown stance label: 'agrees'"):
        combine([SUPPORTS, "agrees"])


# --- source and publisher positions ---------------------------------------------------------


def test_source_positions_combine_each_source_on_each_proposition() -> None:
    assert source_positions(ROWS) == {"a": A, "b": B, "c": C}


def test_publisher_positions_combine_the_positions_of_their_sources() -> None:
    # outlet = a + b: p1 {supports, supports} -> supports; p2 {contradicts, supports} -> mixed;
    # p3 {mixed, mixed} -> mixed; p4 only a -> supports. other = c alone.
    assert publisher_positions(ROWS) == {
        "outlet": {"p1": SUPPORTS, "p2": MIXED, "p3": MIXED, "p4": SUPPORTS},
        "other": C,
    }


def test_publisher_positions_skip_rows_without_a_publisher() -> None:
    rows = [
        StanceRow("a", "p1", SUPPORTS, publisher="outlet"),
        StanceRow("b", "p1", CONTRADICTS),
        StanceRow("b", "p2", CONTRADICTS),
    ]
    assert publisher_positions(rows) == {"outlet": {"p1": SUPPORTS}}


def test_publisher_positions_reject_a_source_with_two_publishers() -> None:
    rows = [
        StanceRow("a", "p1", SUPPORTS, publisher="outlet"),
        StanceRow("a", "p2", SUPPORTS, publisher="other"),
    ]
    with pytest.raises(ValueError, match="source 'a' has two publishers"):
        publisher_positions(rows)


# --- agreement ------------------------------------------------------------------------------


def test_agreement_a_and_b() -> None:
    # Shared p1, p2, p3; equal on p1 (supports) and p3 (mixed), not on p2: 2 / 3.
    assert agreement(A, B) == Agreement(
        shared=("p1", "p2", "p3"),
        agreeing=("p1", "p3"),
        diverging=("p2",),
        only_a=("p4",),
        only_b=(),
        score=2 / 3,
    )


def test_agreement_a_and_c() -> None:
    # Shared p1, p2, p4; equal only on p2 (contradicts): 1 / 3.
    result = agreement(A, C)
    assert result.shared == ("p1", "p2", "p4")
    assert result.agreeing == ("p2",)
    assert result.diverging == ("p1", "p4")
    assert result.only_a == ("p3",)
    assert result.score == pytest.approx(1 / 3)


def test_agreement_b_and_c() -> None:
    # Shared p1, p2; b supports both, c contradicts both: 0 / 2.
    result = agreement(B, C)
    assert result.agreeing == ()
    assert result.diverging == ("p1", "p2")
    assert (result.only_a, result.only_b) == (("p3",), ("p4",))
    assert result.score == 0.0


def test_agreement_is_symmetric_in_its_score() -> None:
    assert agreement(C, A).score == agreement(A, C).score


def test_agreement_with_nothing_shared_has_no_score() -> None:
    result = agreement({"p2": SUPPORTS, "p1": MIXED}, {"p3": SUPPORTS})
    assert result == Agreement(
        shared=(), agreeing=(), diverging=(), only_a=("p1", "p2"), only_b=("p3",), score=None
    )
    assert agreement({}, {}).score is None


def test_agreement_sorts_keys_by_their_text() -> None:
    # 10 sorts before 9 as text ("1" < "9"), and ids need not be strings.
    result = agreement({9: SUPPORTS, 10: SUPPORTS}, {9: SUPPORTS, 10: MIXED})
    assert result.shared == (10, 9)
    assert result.agreeing == (9,)


# --- divergence -----------------------------------------------------------------------------


def test_divergence_one_each_side_is_total() -> None:
    # +1 and -1: one pair, |2| / 1 / 2 = 1.0.
    assert divergence([SUPPORTS, CONTRADICTS]) == 1.0


def test_divergence_two_against_one() -> None:
    # Pairs: (s, s) 0, (s, c) 2, (s, c) 2 -> 4 / 3 pairs / 2 = 2/3.
    assert divergence([SUPPORTS, SUPPORTS, CONTRADICTS]) == pytest.approx(2 / 3)


def test_divergence_supports_and_mixed_is_half() -> None:
    # +1 and 0: |1| / 1 / 2 = 0.5.
    assert divergence([SUPPORTS, MIXED]) == 0.5


def test_divergence_all_equal_is_zero() -> None:
    assert divergence([CONTRADICTS] * 4) == 0.0
    assert divergence([MIXED, MIXED]) == 0.0


def test_divergence_ignores_neutral_and_needs_two_sided_positions() -> None:
    assert divergence([]) == 0.0
    assert divergence([NEUTRAL, NEUTRAL, NEUTRAL]) == 0.0
    assert divergence([SUPPORTS, NEUTRAL]) == 0.0
    # Neutral changes nothing once two sides are present.
    assert divergence([SUPPORTS, NEUTRAL, CONTRADICTS]) == 1.0


def test_divergence_five_sources() -> None:
    # Neutral drops out, leaving s, s, m, c: 4 positions, 6 pairs.
    # (s, s) 0; (s, m) 1 twice = 2; (s, c) 2 twice = 4; (m, c) 1. Sum 7 -> 7 / 6 / 2 = 7/12.
    assert divergence([SUPPORTS, SUPPORTS, MIXED, CONTRADICTS, NEUTRAL]) == pytest.approx(7 / 12)


def test_divergence_five_sided_sources() -> None:
    # s, s, s, c, c: 10 pairs, 3 x 2 = 6 of them (s, c) at distance 2 -> 12 / 10 / 2 = 0.6.
    assert divergence([SUPPORTS] * 3 + [CONTRADICTS] * 2) == pytest.approx(0.6)


def test_divergence_per_proposition_of_the_example() -> None:
    # p1: a s, b s, c c -> 2/3. p2: a c, b s, c c -> 2/3. p3: a m, b m -> 0. p4: a s, c m -> 0.5.
    by_source = source_positions(ROWS)
    expected = {"p1": 2 / 3, "p2": 2 / 3, "p3": 0.0, "p4": 0.5}
    for proposition, value in expected.items():
        positions = [p[proposition] for p in by_source.values() if proposition in p]
        assert divergence(positions) == pytest.approx(value)


def test_divergence_rejects_an_unknown_label() -> None:
    with pytest.raises(ValueError, match="unknown stance label: 'maybe'"):
        divergence([SUPPORTS, "maybe"])


# --- distribution ---------------------------------------------------------------------------


def test_distribution_counts_every_label() -> None:
    positions = [SUPPORTS, MIXED, SUPPORTS, NEUTRAL, SUPPORTS]
    assert distribution(positions) == {SUPPORTS: 3, CONTRADICTS: 0, MIXED: 1, NEUTRAL: 1}


def test_distribution_of_nothing_has_all_four_keys_in_order() -> None:
    result = distribution([])
    assert list(result) == list(LABELS)
    assert set(result.values()) == {0}


def test_distribution_rejects_an_unknown_label() -> None:
    with pytest.raises(ValueError, match="unknown stance label"):
        distribution(["supports", "Supports"])


# --- annotator agreement --------------------------------------------------------------------


def labelled(pairs: list[tuple[str, str]], proposition: str = "p") -> list[StanceRow]:
    """Rows for claims c0, c1, … labelled by annotator "x" (first) and "y" (second)."""
    rows = []
    for index, (x, y) in enumerate(pairs):
        rows.append(StanceRow("s", proposition, x, annotator="x", claim=f"c{index}"))
        rows.append(StanceRow("s", proposition, y, annotator="y", claim=f"c{index}"))
    return rows


def test_annotator_agreement_kappa_by_hand() -> None:
    # Ten items; rows are x's label, columns y's:
    #            y: S  C  M  N | x total
    #     x = S:    4  1  0  0 |  5
    #     x = C:    0  2  1  0 |  3
    #     x = M:    0  0  1  1 |  2
    #     y total:  4  3  2  1 | 10
    # observed = (4 + 2 + 1) / 10 = 0.7
    # expected = (5*4 + 3*3 + 2*2 + 0*1) / 100 = 33 / 100 = 0.33
    # kappa = (0.7 - 0.33) / (1 - 0.33) = 0.37 / 0.67 = 37/67 ≈ 0.5522
    s, c, m, n = SUPPORTS, CONTRADICTS, MIXED, NEUTRAL
    pairs = [(s, s)] * 4 + [(s, c), (c, c), (c, c), (c, m), (m, m), (m, n)]
    result = annotator_agreement(labelled(pairs), "x", "y")
    assert result.items == 10
    assert result.observed == pytest.approx(0.7)
    assert result.kappa == pytest.approx(37 / 67)


def test_annotator_agreement_perfect_and_opposite() -> None:
    # Perfect: observed 1, expected (1*1 + 1*1) / 4 = 0.5, kappa (1 - 0.5) / 0.5 = 1.
    perfect = annotator_agreement(labelled([(SUPPORTS, SUPPORTS), (MIXED, MIXED)]), "x", "y")
    assert perfect == AnnotatorAgreement(items=2, observed=1.0, kappa=1.0)
    # Swapped: observed 0, expected 0.5, kappa (0 - 0.5) / 0.5 = -1.
    swapped = [(SUPPORTS, CONTRADICTS), (CONTRADICTS, SUPPORTS)]
    assert annotator_agreement(labelled(swapped), "x", "y").kappa == -1.0


def test_annotator_agreement_without_shared_items_is_undefined() -> None:
    rows = [
        StanceRow("s", "p", SUPPORTS, annotator="x", claim="c1"),
        StanceRow("s", "p", SUPPORTS, annotator="y", claim="c2"),
        StanceRow("s", "q", SUPPORTS, annotator="y", claim="c1"),
    ]
    assert annotator_agreement(rows, "x", "y") == AnnotatorAgreement(0, None, None)


def test_annotator_agreement_kappa_undefined_when_chance_agreement_is_certain() -> None:
    # Both always say supports: observed 1, expected 1 * 1 = 1, kappa would be 0 / 0.
    rows = labelled([(SUPPORTS, SUPPORTS)] * 3)
    assert annotator_agreement(rows, "x", "y") == AnnotatorAgreement(3, 1.0, None)


def test_annotator_agreement_pairs_by_claim_and_proposition_only() -> None:
    rows = [
        *labelled([(SUPPORTS, SUPPORTS)], proposition="p"),
        *labelled([(SUPPORTS, CONTRADICTS)], proposition="q"),
        # Another annotator and a row with no claim are left out.
        StanceRow("s", "p", MIXED, annotator="z", claim="c0"),
        StanceRow("s", "p", MIXED, annotator="x"),
    ]
    # Items (c0, p) agree and (c0, q) do not: observed 1/2. Marginals x: S 2; y: S 1, C 1.
    # expected = (2*1) / 4 = 0.5, so kappa = (0.5 - 0.5) / 0.5 = 0.
    result = annotator_agreement(rows, "x", "y")
    assert result == AnnotatorAgreement(items=2, observed=0.5, kappa=0.0)


def test_annotator_agreement_combines_repeated_labels_of_one_annotator() -> None:
    rows = [
        StanceRow("s", "p", SUPPORTS, annotator="x", claim="c1"),
        StanceRow("s", "p", CONTRADICTS, annotator="x", claim="c1"),
        StanceRow("s", "p", MIXED, annotator="y", claim="c1"),
    ]
    # x's supports + contradicts combine to mixed, which matches y.
    assert annotator_agreement(rows, "x", "y").observed == 1.0


def test_annotator_agreement_needs_two_annotators() -> None:
    with pytest.raises(ValueError, match="two different annotators"):
        annotator_agreement(labelled([(SUPPORTS, SUPPORTS)]), "x", "x")
