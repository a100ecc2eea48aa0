"""Tests for claims.positions: combining annotators' labels on one quote, and annotator
agreement (positions, agreement and divergence are in test_positions_evidence.py).

Every expected number is worked out by hand in the comments next to it.
"""

import pytest

from claims.positions import (
    CONTRADICTS,
    LABELS,
    MIXED,
    NEUTRAL,
    SUPPORTS,
    AnnotatorAgreement,
    StanceRow,
    annotator_agreement,
    combine,
)

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
