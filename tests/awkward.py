"""A published source whose text is hard to print faithfully, with claims on its hard parts.

Used by the reading-view tests and the browser test with a W3C client: the page must hold this
body exactly, and every claim must be found again at its offsets. The body has leading and
trailing whitespace, runs of blank lines, a carriage return (which an HTML parser turns into a
line feed unless it is written as a reference), markup characters, an emoji outside the Basic
Multilingual Plane (two UTF-16 units, one code point), a combining accent, a no-break space, a
zero-width space, right-to-left script and a tab. Its stored layout has a heading, two list
items and a block that overlaps another one.
"""

from __future__ import annotations

from claims.models import Source

from .corpus import publish
from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory

BODY = (
    "\n  Opening words 😀 with <b>markup</b> & an ampersand;\ttab.\n\n"
    "A heading\n\n\n"
    "First item: Iran’s café\n\n"
    "Second item, line one\r\nline two\n\n"
    "Para with  two spaces, a no-break\u00a0space, e\u0301 combining, \u200bzero and עברית.\n\n \n"
    "Last words. There is one.\n"
)


def _at(text: str) -> tuple[int, int]:
    start = BODY.index(text)
    return start, start + len(text)


def _block(kind: str, text: str, level: int = 0) -> dict:
    start, end = _at(text)
    return {"kind": kind, "level": level, "start": start, "end": end}


BLOCKS = [
    _block("paragraph", "Opening words 😀 with <b>markup</b> & an ampersand;\ttab."),
    _block("heading", "A heading", 2),
    _block("item", "First item: Iran’s café"),
    _block("item", "Second item, line one\r\nline two"),
    _block("paragraph", "Para with  two spaces, a no-break\u00a0space, e\u0301 combining"),
    # Overlaps the paragraph before it (a layout edited by hand): printed once all the same.
    _block("paragraph", "e\u0301 combining, \u200bzero and עברית."),
    _block("paragraph", "Last words. There is one."),
]

# Nested, overlapping, across two list items, across a carriage return, at the very end.
QUOTES = (
    "Opening words 😀 with",
    "😀 with <b>markup</b> & an",
    "café\n\nSecond item",
    "line one\r\nline two",
    "e\u0301 combining, \u200bzero",
    "עברית",
    "There is one.",
)


def awkward_source() -> Source:
    """The source, published, with one claim per quote above (each with a stance)."""
    # Content first, publication last: a published revision is read-only.
    source = SourceFactory(body=BODY, blocks=BLOCKS, title="Awkward text")
    proposition = PropositionFactory()
    for quote in QUOTES:
        claim = ClaimFactory(source=source, span=_at(quote))
        StanceFactory(claim=claim, proposition=proposition)
    return publish(source)
