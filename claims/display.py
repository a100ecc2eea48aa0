"""How the public pages name and draw things: stance symbols, words and colours, short labels.

Pure Python shared by the templates (through `claims.templatetags.claims_tags`) and the SVG
charts (`claims.charts`), so that a stance looks the same in a matrix cell, a reading-view
highlight and a distribution bar. A stance is never told by colour alone: every place that shows
one also shows its symbol and its word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import get_language_info

from claims.positions import (
    CONTRADICTS,
    LEANS_CONTRADICTS,
    LEANS_SUPPORTS,
    MIXED,
    NEUTRAL,
    POSITION_LABELS,
    SUPPORTS,
    Position,
)

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
    LEANS_SUPPORTS: StanceStyle(LEANS_SUPPORTS, "↗", "leans supports", "#3b6ea0", "#e8f0f8"),
    CONTRADICTS: StanceStyle(CONTRADICTS, "✖", "contradicts", "#b3261e", "#fbe2df"),
    LEANS_CONTRADICTS: StanceStyle(
        LEANS_CONTRADICTS, "↘", "leans contradicts", "#a34a3b", "#f8ebe8"
    ),
    MIXED: StanceStyle(MIXED, "◐", "mixed", "#8a5300", "#fbedc8"),
    NEUTRAL: StanceStyle(NEUTRAL, "○", "neutral", "#5b6470", "#e9ecef"),
    SEVERAL: StanceStyle(SEVERAL, "◇", "several stances", "#6b3fa0", "#ece4f7"),
}

assert set(POSITION_LABELS) < set(STANCES), "every stance and position label needs a style"


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
    nothing to disagree about. One source against one scores 1/2 ("divided"): "sharply
    divided" takes an even split among at least three sources (2 against 1 is 0.59, 2 against
    2 is 0.75).
    """
    if sided < 2:
        return "one source takes a side" if sided == 1 else "no source takes a side"
    if value == 0:
        return "sources agree"
    if value < 0.3:
        return "slight disagreement"
    if value < 0.7:
        return "divided"
    return "sharply divided"


def counts_text(position: Position | None) -> str:
    """A position's quotes per label, compactly: "✔4 ✖1" (neutral as ○, mixed as ◐)."""
    if position is None:
        return ""
    return " ".join(
        f"{STANCES[label].symbol}{count}" for label, count in position.counts.items() if count
    )


def lean_text(position: Position | None) -> str:
    """The lean as a signed number with two decimals, "+0.60"; empty when it has none."""
    if position is None or position.lean is None:
        return ""
    return f"{float(position.lean):+.2f}"


def evidence_text(position: Position | None) -> str:
    """One line of evidence for a cell: "✔4 ✖1 · lean +0.60 · 5 quotes" (or "1 quote only")."""
    if position is None:
        return ""
    parts = [counts_text(position)]
    if position.lean is not None:
        parts.append(f"lean {lean_text(position)}")
    parts.append("1 quote only" if position.single else f"{position.quotes} quotes")
    return " · ".join(part for part in parts if part)


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
    if len(text) <= limit:
        return text
    # Cut at a word boundary: half a word reads as another word.
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else text[: limit - 1]).rstrip(" ,;:–—-") + "…"


# --- Quotations ---------------------------------------------------------------------------------

# Marks that open and close a quotation in the languages of the corpus. A straight mark is
# either; its neighbours tell which.
OPENING_MARKS = "“„«‹\"'‘"
CLOSING_MARKS = "”“»›\"'’"
DOUBLE_MARKS = '"“”„«»'
ELISION = "[…]"


@dataclass(frozen=True)
class Quotation:
    """A quote ready to print: `opening` + `text` (+ the elision) + `closing`.

    `elided` is true only when words were left out at the end; `opening` and `closing` are the
    typographic marks around it, which come from the quote itself when it is already enclosed in
    its own marks, so that a quote is never wrapped twice.
    """

    opening: str
    text: str
    closing: str
    elided: bool

    def __str__(self) -> str:
        return f"{self.opening}{self.text}{' ' + ELISION if self.elided else ''}{self.closing}"


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to at most `limit` characters at a word boundary, and whether anything was cut.

    A text within the limit comes back whole. Otherwise the cut falls on the last space before
    the limit; a text with no space there (Chinese, Japanese, Thai, a very long word) is cut at
    the limit itself, never inside a combining sequence. Trailing spaces and the punctuation that
    would dangle before the elision (commas, colons, dashes) are dropped.
    """
    if limit <= 0 or len(text) <= limit:
        return text, False
    cut = limit
    # A space right after the limit means the limit itself is a word boundary.
    if not text[limit].isspace():
        space = max(text.rfind(c, 0, limit + 1) for c in (" ", "\n", "\t", "\u00a0", "\u3000"))
        if space > 0:
            cut = space
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    head = text[:cut].rstrip()
    head = head.rstrip(",;:–—-([{ \u00a0").rstrip()
    if not head:  # nothing but punctuation before the limit: keep the characters themselves
        head = text[:limit]
    return head, True


def _enclosed(text: str) -> bool:
    """Whether the whole text is one quotation in its own marks: “…” or "…" or «…»."""
    if len(text) < 2 or text[0] not in OPENING_MARKS or text[-1] not in CLOSING_MARKS:
        return False
    if text[0] in "'‘" or text[-1] in "'’":
        return False  # an apostrophe is too often just an apostrophe
    inner = text[1:-1]
    return not any(mark in inner for mark in DOUBLE_MARKS)


_DOUBLE_MARK = re.compile('["“„”]')


def _nest(text: str) -> str:
    """Double marks inside a quotation turned into single ones, so that the quotation's own
    marks are not doubled ( “He said ‘no.’” rather than “He said "no."” )."""

    def single(found: re.Match) -> str:
        char = found.group()
        if char == '"':
            index = found.start()
            before = text[index - 1] if index else " "
            return "‘" if before.isspace() or before in "([{—–-/" else "’"
        return "’" if char == "”" else "‘"

    return _DOUBLE_MARK.sub(single, text)


def quotation(text: str, limit: int = 0) -> Quotation:
    """A claim's words as shown on the pages: in typographic quotation marks, shortened to
    `limit` characters (0: never) only at a word boundary and with a marked elision."""
    text = text.strip()
    if _enclosed(text):
        opening = "“" if text[0] == '"' else text[0]
        closing = "”" if text[-1] == '"' else text[-1]
        inner, elided = shorten(text[1:-1], limit - 2 if limit else 0)
        return Quotation(opening, inner, closing, elided)
    inner, elided = shorten(text, limit)
    return Quotation("“", _nest(inner), "”", elided)
