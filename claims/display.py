"""How the public pages name and draw things: stance symbols, words and colours, short labels.

Pure Python shared by the templates (through `claims.templatetags.claims_tags`) and the SVG
charts (`claims.charts`), so that a stance looks the same in a matrix cell, a reading-view
highlight and a distribution bar. A stance is never told by colour alone: every place that shows
one also shows its symbol and its word.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language_info

from claims.positions import CONTRADICTS, LABELS, MIXED, NEUTRAL, SUPPORTS

# A claim whose stances on several propositions differ has no single label; the reading view
# shows it as "several" rather than pretending it is one of the four.
SEVERAL = "several"


@dataclass(frozen=True)
class StanceStyle:
    """The symbol, word and colours of one stance label.

    `colour` is the strong colour (text, bar segments) and meets WCAG AA (4.5:1) on white;
    `tint` is the light background of highlights, on which body text (#1f2328) stays above 12:1.
    """

    label: str
    symbol: str
    word: str
    colour: str
    tint: str


STANCES: dict[str, StanceStyle] = {
    SUPPORTS: StanceStyle(SUPPORTS, "✔", "supports", "#1a5fb4", "#dbe8fb"),
    CONTRADICTS: StanceStyle(CONTRADICTS, "✖", "contradicts", "#b3261e", "#fbe2df"),
    MIXED: StanceStyle(MIXED, "◐", "mixed", "#8a5300", "#fbedc8"),
    NEUTRAL: StanceStyle(NEUTRAL, "○", "neutral", "#5b6470", "#e9ecef"),
    SEVERAL: StanceStyle(SEVERAL, "◇", "several stances", "#6b3fa0", "#ece4f7"),
}

assert set(LABELS) < set(STANCES), "every stance label needs a style"


def stance(label: str | None) -> StanceStyle | None:
    """The style of a label, or None for no position (an empty cell)."""
    return STANCES.get(label) if label else None


def claim_label(labels: list[str] | set[str] | tuple[str, ...]) -> str | None:
    """One label for a claim in the reading view: its label when all its stances agree.

    Unlike `positions.combine`, which merges stances on *one* proposition, a claim may bear on
    several propositions in different ways; that is shown as "several", not as "mixed".
    """
    distinct = set(labels)
    if not distinct:
        return None
    if len(distinct) == 1:
        return distinct.pop()
    return SEVERAL


def divergence_word(value: float, sided: int) -> str:
    """Words for a divergence score, so that a reader need not interpret 0.58.

    `sided` is how many sources take a side (neutral excluded); with fewer than two there is
    nothing to disagree about.
    """
    if sided < 2:
        return "one source takes a side" if sided == 1 else "no source takes a side"
    if value == 0:
        return "sources agree"
    if value < 0.34:
        return "slight disagreement"
    if value < 0.67:
        return "divided"
    return "sharply divided"


def language_name(tag: str) -> str:
    """English name of a BCP 47 tag ("ar" → "Arabic"); the tag itself when it is unknown."""
    if not tag:
        return ""
    for candidate in (tag, tag.split("-")[0]):
        try:
            return get_language_info(candidate.lower())["name"]
        except KeyError:
            continue
    return tag


def short_label(title: str, publisher: str | None, *, limit: int = 26) -> str:
    """A short name for a source in tight places (chart axes): the outlet, else the title.

    Titles of one corpus tend to start alike ("Russia and Iran…"), so the outlet tells sources
    apart better; the full title always travels along in a tooltip or a table.
    """
    text = publisher or title
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
