"""Place an imported annotation in a source's text: by its quote and context, with its position
as a hint. Pure Python.

The words decide, never the offsets alone: an annotation lands where its quote is, and is
refused rather than stored on other words. The outcome says how it was placed:

- ``exact``: the quote sits at the given offsets (or, with no offsets, occurs once);
- ``reanchored``: the quote was found elsewhere (the detail says where it moved from), chosen
  among several occurrences by its context or by the nearest to the given position, or found
  with different spacing or line breaks (a cleaned text);
- ``refused``: no quote, not found, or found several times with nothing to choose between them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from claims.anchoring import Anchor, AnchorError, find_all, make_anchor

EXACT, REANCHORED, REFUSED = "exact", "reanchored", "refused"


@dataclass(frozen=True)
class Placement:
    outcome: str
    anchor: Anchor | None
    detail: str = ""


def _refused(detail: str) -> Placement:
    return Placement(REFUSED, None, detail)


def _context_score(body: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many code points of the given context surround ``body[start:end]``."""
    before = body[max(0, start - len(prefix)) : start]
    after = body[end : end + len(suffix)]
    score = 0
    for a, b in zip(reversed(prefix), reversed(before), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(suffix, after, strict=False):
        if a != b:
            break
        score += 1
    return score


def _choose(
    body: str, spans: list[tuple[int, int]], prefix: str, suffix: str, hint: int | None
) -> tuple[tuple[int, int] | None, str]:
    """One of several spans: the best context, else the nearest to the hint, else none."""
    if len(spans) == 1:
        return spans[0], ""
    scores = [_context_score(body, s, e, prefix, suffix) for s, e in spans]
    best = max(scores)
    leaders = [span for span, score in zip(spans, scores, strict=True) if score == best]
    if len(leaders) == 1 and best > 0:
        return leaders[0], "chosen by its context"
    if hint is not None:
        return min(leaders, key=lambda span: abs(span[0] - hint)), "the nearest to its position"
    shown = ", ".join(str(s) for s, _ in spans[:5])
    return None, f"the quote occurs {len(spans)} times (at {shown}) and nothing tells them apart"


def _loose_pattern(quote: str) -> re.Pattern[str] | None:
    words = unicodedata.normalize("NFC", quote).split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def place(
    body: str,
    *,
    quote: str | None,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Placement:
    """Find the annotation's quote in ``body``; see the module's docstring for the outcomes."""
    if not quote or not quote.strip():
        return _refused("no quote (TextQuoteSelector): the words are what place a claim")
    given = f"{start}–{end}" if start is not None and end is not None else None
    try:
        if given and body[start:end] == quote:
            # The words are at their offsets; the context decides only if it points elsewhere.
            whole = len(prefix) + len(suffix)
            if _context_score(body, start, end, prefix, suffix) == whole:
                return Placement(EXACT, make_anchor(body, start, end))
        spans = [(s, s + len(quote)) for s in find_all(body, quote)]
        how = ""
        if not spans:
            # A cleaned text may differ in spacing, line breaks or Unicode composition only.
            pattern = _loose_pattern(quote)
            spans = [m.span() for m in pattern.finditer(body)] if pattern else []
            how = "with different spacing or line breaks"
        if not spans:
            return _refused("the quote is not in the text")
        span, chosen = _choose(body, spans, prefix, suffix, start)
        if span is None:
            return _refused(chosen)
        anchor = make_anchor(body, *span)
    except AnchorError as error:
        return _refused(str(error))
    if given is None and not how and not chosen:
        return Placement(EXACT, anchor, "placed by its quote")
    if (anchor.start, anchor.end) == (start, end):
        return Placement(EXACT, anchor, "at its offsets; its context differs")
    moved = (
        f"moved from {given} to {anchor.start}–{anchor.end}"
        if given
        else (f"placed at {anchor.start}–{anchor.end}")
    )
    detail = ", ".join(part for part in (moved, how, chosen) if part)
    return Placement(REANCHORED, anchor, detail)
