"""Tests for claims.agreement: α, κ, span agreement, intervals, aligning readings.

Expected values are Krippendorff's published figures or worked out by hand next to each test.
"""

import pytest

from claims.agreement import (
    NO_CLAIM,
    Figure,
    Reading,
    Unit,
    align,
    alpha,
    alpha_figure,
    bootstrap,
    code_point_units,
    cohen_kappa,
    kind_units,
    report,
    span_f1,
    stance,
    stance_units,
    unitizing_alpha,
)

_ = None
# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): 4 observers × 12 units,
# values 1..5, blanks missing. Unit 12 has one value and cannot be paired.
KRIPPENDORFF = list(
    zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
        [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
        strict=True,
    )
)


@pytest.mark.parametrize(
    ("distance", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_published_example(distance, published) -> None:
    assert round(alpha(KRIPPENDORFF, distance), 3) == published


def test_nominal_alpha_by_hand() -> None:
    # Coincidences: (a,a) 2, (a,b) 1, (b,a) 1, (b,b) 2; n_a = n_b = 3, n = 6.
    # α = 1 − (n−1)·Σoδ / Σn_c·n_k·δ = 1 − 5·2 / (3·3·2) = 4/9.
    assert alpha([("a", "a"), ("a", "b"), ("b", "b")]) == pytest.approx(4 / 9)


def test_interval_and_ordinal_alpha_by_hand() -> None:
    data = [(1, 2), (3, 3)]
    # n_1 = n_2 = 1, n_3 = 2, n = 4; observed Σoδ² = 2·1.
    # Interval: expected = 2·(1·1·1 + 1·2·4 + 1·2·1) = 22 → α = 1 − 3·2/22.
    assert alpha(data, "interval") == pytest.approx(1 - 6 / 22)
    # Ordinal δ²: (1,2) = (2 − 1)² = 1, (1,3) = (4 − 1.5)² = 6.25, (2,3) = (3 − 1.5)² = 2.25;
    # expected = 2·(1 + 2·6.25 + 2·2.25) = 36 → α = 1 − 3·2/36.
    assert alpha(data, "ordinal") == pytest.approx(1 - 6 / 36)


def test_stance_distance_gives_partial_credit() -> None:
    data = [("supports", "mixed"), ("contradicts", "contradicts")]
    # n_s = n_m = 1, n_c = 2, n = 4. Observed: 2·0.5 = 1. Expected: s–m 2·0.5 + s–c 2·2·1 +
    # m–c 2·2·0.5 = 7 → α = 1 − 3/7. Nominal: expected 2 + 4 + 4 = 10, observed 2 → 0.4.
    assert alpha(data, "stance") == pytest.approx(4 / 7)
    assert alpha(data, "nominal") == pytest.approx(0.4)


def test_stance_distance_table() -> None:
    assert stance("supports", "contradicts", {}) == 1.0
    assert stance("supports", "mixed", {}) == 0.5
    assert stance("neutral", "contradicts", {}) == 0.5
    assert stance("mixed", "neutral", {}) == 0.25
    assert stance(NO_CLAIM, "neutral", {}) == 1.0
    assert stance("mixed", "mixed", {}) == 0.0
    with pytest.raises(ValueError, match="not a stance label"):
        stance("supports", "maybe", {})


def test_alpha_undefined_without_variation_or_pairs() -> None:
    assert alpha([("a", "a"), ("a", "a")]) is None
    assert alpha([("a", None), (None, "b")]) is None
    assert alpha([]) is None


def test_cohen_kappa_by_hand() -> None:
    # p_o = 3/4; first 1:2, 2:2; second 1:1, 2:3; p_e = (2·1 + 2·3)/16 = 1/2 → κ = 1/2.
    assert cohen_kappa([(1, 1), (1, 2), (2, 2), (2, 2)]) == pytest.approx(0.5)
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None
    assert cohen_kappa([]) is None


def test_span_f1_matches_one_to_one() -> None:
    # (3,8) overlaps (0,5) only: one match of three spans → 2·1/3.
    assert span_f1([(0, 5), (10, 20)], [(3, 8)]) == pytest.approx(2 / 3)
    # One long span cannot match two short ones at once.
    assert span_f1([(0, 20)], [(0, 5), (10, 15)]) == pytest.approx(2 / 3)
    # Touching is not overlapping.
    assert span_f1([(0, 5)], [(5, 9)]) == 0.0
    assert span_f1([], []) is None


def test_unitizing_alpha_by_hand() -> None:
    assert unitizing_alpha(10, [[(0, 5)], [(0, 5)]]) == pytest.approx(1.0)
    # Runs: [0,4) both in (weight 4), [4,5) one in (1), [5,10) both out (5).
    # (1,1) 8, (1,0) = (0,1) = 1, (0,0) 10; n_1 = 9, n_0 = 11, n = 20.
    # α = 1 − 19·2 / (9·11·2) = 1 − 38/198.
    assert unitizing_alpha(10, [[(0, 5)], [(0, 4)]]) == pytest.approx(1 - 38 / 198)
    # A claim only one reader marked is disagreement, not missing data.
    assert unitizing_alpha(10, [[(0, 5)], []]) < 0.5


def test_code_point_units_merge_runs_and_refuse_bad_spans() -> None:
    units = code_point_units(10, [[(2, 4)], [(3, 6)]])
    assert [(u.values, u.weight) for u in units] == [
        ((0, 0), 2.0),
        ((1, 0), 1.0),
        ((1, 1), 1.0),
        ((0, 1), 2.0),
        ((0, 0), 4.0),
    ]
    with pytest.raises(ValueError, match="not inside"):
        code_point_units(5, [[(2, 9)]])


def test_weighted_unit_equals_repeated_units() -> None:
    repeated = [("a", "a")] * 3 + [("a", "b")]
    weighted = [Unit(("a", "a"), weight=3.0), Unit(("a", "b"))]
    assert alpha(weighted) == pytest.approx(alpha(repeated))


def test_bootstrap_is_seeded_and_brackets_the_value() -> None:
    first = alpha_figure(KRIPPENDORFF, "nominal", samples=300, seed=7)
    again = alpha_figure(KRIPPENDORFF, "nominal", samples=300, seed=7)
    other = alpha_figure(KRIPPENDORFF, "nominal", samples=300, seed=8)
    assert first == again
    assert first.low <= first.value <= first.high
    assert (other.low, other.high) != (first.low, first.high)
    assert first.units == 12


def test_bootstrap_of_undefined_statistic() -> None:
    figure = bootstrap([Unit(("a", "a"))], lambda units: alpha(units))
    assert figure == Figure(value=None, units=1)
    assert figure.verdict == "undefined"


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        (0.95, "reliable"),
        (0.8, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.5, "unreliable"),
    ],
)
def test_verdict_thresholds(value, verdict) -> None:
    assert Figure(value=value).verdict == verdict


def test_align_groups_overlapping_readings() -> None:
    readings = [
        Reading("a", 0, 10, stances={"p": "supports"}),
        Reading("b", 5, 12, stances={"p": "mixed"}),
        Reading("b", 11, 20, stances={"q": "neutral"}),
        Reading("a", 30, 40, stances={"p": "contradicts"}),
    ]
    units = align(readings)
    # 0–10 and 5–12 overlap, and 11–20 overlaps 5–12: one unit; 30–40 stands alone.
    assert [(u.start, u.end, len(u.readings)) for u in units] == [(0, 20, 3), (30, 40, 1)]
    assert stance_units(units, ["a", "b"]) == [
        Unit(("supports", "mixed")),
        Unit((NO_CLAIM, "neutral")),
        Unit(("contradicts", NO_CLAIM)),
    ]


def test_report_counts_one_sided_claims_as_disagreement() -> None:
    readings = [
        Reading("a", 0, 10, kind="factual", stances={"p": "supports"}),
        Reading("b", 0, 10, kind="factual", stances={"p": "supports"}),
        Reading("a", 20, 30, kind="opinion", stances={"p": "contradicts"}),
        Reading("b", 20, 30, kind="opinion", stances={"p": "contradicts"}),
        Reading("a", 40, 50, kind="analysis", stances={"q": "neutral"}),
    ]
    result = report(readings, lengths={"s": 60}, source_of=lambda r: "s", samples=50)
    assert result.units == 3
    assert kind_units(align(readings), ["a", "b"])[2] == Unit(("analysis", NO_CLAIM))
    # Stance units: (s,s), (c,c), (n, none). n=6: n_s 2, n_c 2, n_n 1, n_x 1; observed 2·1.
    # Expected: s–c 2·2·1·2=8, s–n 2·1·.5·2=2, c–n 2, s–x 4, c–x 4, n–x 2 → 22; α = 1 − 5·2/22.
    assert result.stance.value == pytest.approx(1 - 10 / 22)
    assert result.span_f1 == pytest.approx(4 / 5)
    assert result.kappa is not None and result.kappa < 1
    assert result.unitizing.value < 1
