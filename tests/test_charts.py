"""Tests for claims.charts and claims.display: the SVG pictures and the stance vocabulary."""

import re

import pytest

from claims import charts, display
from claims.positions import POSITION_LABELS, evidence

HOSTILE = '<script>alert(1)</script>"&'


def test_every_stance_has_a_symbol_a_word_and_readable_colours():
    symbols = {display.STANCES[label].symbol for label in POSITION_LABELS}
    assert len(symbols) == len(POSITION_LABELS)
    for style in display.STANCES.values():
        assert style.word
        # Strong colour as text on white, and body text on the tint: WCAG AA or better.
        assert charts.contrast(style.colour, "#ffffff") >= 4.5
        assert charts.contrast(style.tint, charts.INK) >= 4.5
        # The symbol is drawn in white on the strong colour inside the bars.
        assert charts.contrast(style.colour, "#ffffff") >= 4.5


@pytest.mark.parametrize("score", [0, 0.2, 0.5, 0.8, 1])
def test_heatmap_text_stays_readable_on_every_fill(score):
    fill = charts.agreement_fill(score)
    assert charts.contrast(fill, charts.text_on(fill)) >= 4.5


def test_heatmap_scale_runs_from_red_to_blue():
    assert charts.agreement_fill(0) == "#b3261e"
    assert charts.agreement_fill(1) == "#1a5fb4"
    assert charts.agreement_fill(-3) == charts.agreement_fill(0)


def test_claim_label_is_several_only_when_stances_differ():
    assert display.claim_label(["supports", "supports"]) == "supports"
    assert display.claim_label(["supports", "contradicts"]) == display.SEVERAL
    assert display.claim_label([]) is None


@pytest.mark.parametrize(
    ("value", "sided", "words"),
    [
        (0.0, 0, "no source takes a side"),
        (0.0, 1, "one source takes a side"),
        (0.0, 3, "sources agree"),
        (0.25, 4, "slight disagreement"),
        (0.6, 5, "divided"),
        (0.5, 2, "divided"),  # one source against one
        (0.75, 4, "sharply divided"),  # two against two
    ],
)
def test_divergence_in_words(value, sided, words):
    assert display.divergence_word(value, sided) == words


def test_language_names():
    assert display.language_name("ar") == "Arabic"
    assert display.language_name("pt-br") == "Brazilian Portuguese"
    assert display.language_name("xx-unknown") == "xx-unknown"
    assert display.language_name("") == ""


def test_short_label_prefers_the_outlet_and_shortens():
    assert display.short_label("A title", "Outlet") == "Outlet"
    assert display.short_label("A very long title that goes on and on", None, limit=12) == (
        "A very long…"
    )


def heatmap(names, cells):
    axes = [charts.Axis(name[:10], name) for name in names]
    return charts.agreement_heatmap(axes, cells, title="Agreement", description="How far.")


def test_heatmap_has_title_desc_and_a_cell_per_pair():
    svg = heatmap(
        ["One", "Two", "Three"],
        {
            (0, 1): charts.HeatCell(3, 4, "/compare/?a=one&b=two"),
            (1, 0): charts.HeatCell(3, 4, "/compare/?a=two&b=one"),
        },
    )
    assert svg.startswith("<svg")
    assert 'aria-labelledby="heatmap-title heatmap-desc"' in svg
    assert '<title id="heatmap-title">Agreement</title>' in svg
    assert '<desc id="heatmap-desc">How far.</desc>' in svg
    assert svg.count(">75%</text>") == 2
    assert svg.count(">3/4</text>") == 2
    assert 'href="/compare/?a=one&amp;b=two"' in svg
    assert (
        'aria-label="75% 3/4: One and Two, 75% agreement over 4 shared propositions, close on 3"'
    ) in svg
    # Pairs without a shared proposition, and the diagonal, say so rather than show 0%.
    assert svg.count(">n/a<") == 4
    assert svg.count(">—<") == 3


def test_heatmap_escapes_names_and_uses_no_style_attribute():
    svg = heatmap([HOSTILE, "Two"], {(0, 1): charts.HeatCell(1, 1, None)})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "style=" not in svg


def test_stance_bar_widths_follow_the_counts_and_name_them():
    svg = charts.stance_bar({"supports": 3, "contradicts": 1}, width=200, label="Positions")
    assert 'aria-label="Positions: 3 supports, 1 contradicts"' in svg
    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', svg)]
    assert widths == [150.0, 50.0]
    assert "✔" in svg and "✖" in svg
    assert "style=" not in svg


def test_empty_stance_bar_says_no_positions():
    svg = charts.stance_bar({}, label=HOSTILE)
    assert "no positions" in svg
    assert "<script>" not in svg


def test_narrow_segments_carry_no_symbol():
    svg = charts.stance_bar({"supports": 20, "mixed": 1}, width=100)
    assert "◐" not in svg  # 100 / 21 ≈ 4.8 px: too narrow for a symbol
    assert "✔" in svg


def test_a_graded_score_is_shown_instead_of_the_share_agreeing():
    svg = heatmap(["One", "Two"], {(0, 1): charts.HeatCell(3, 4, None, graded=0.9)})
    assert svg.count(">90%</text>") == 1
    assert "90% agreement over 4 shared propositions, close on 3" in svg


def test_a_positions_evidence_in_one_line():
    # CACI's case: four supporting quotes and one contradicting, lean 3/5.
    held = evidence([("supports", "own")] * 4 + [("contradicts", "own"), ("supports", "reported")])
    assert display.counts_text(held) == "✔4 ✖1"
    assert display.lean_text(held) == "+0.60"
    assert display.evidence_text(held) == "✔4 ✖1 · lean +0.60 · 5 quotes"
    one = evidence([("contradicts", "own")])
    assert display.evidence_text(one) == "✖1 · lean -1.00 · 1 quote only"
    assert display.evidence_text(evidence([("neutral", "own")])) == "○1 · 1 quote only"
    assert display.evidence_text(None) == ""
