"""Cut a source's body into what the reading view prints: blocks, and inside them segments.

Claims are spans of the body that may nest or overlap. HTML elements cannot overlap, so the text
of every block is split at each claim boundary: a *segment* is a run of text covered by one
unchanging set of claims. Each segment lists those claims (outermost first), which lets the page
colour it by the innermost claim and draw its depth, and lets a deep link mark every segment of
one claim. Offsets are Unicode code points, which is exactly how Python indexes a `str`.

The reading view prints the body in one element whose text is the body, code point for code
point: the text between blocks (the blank lines, or whatever separates them) is kept too, in each
block's `before` and in `tail`, so that W3C selectors resolve on the page itself.

Pure Python: no database, no HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from claims.layout import PARAGRAPH, split_blocks

HEADING = "heading"
ITEM = "item"


@dataclass(frozen=True)
class Span:
    """A claim's place in the body: `claim` is any identifier, usually its primary key."""

    claim: int
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """Text covered by the same claims from `start` to `end`.

    `claims` lists the covering claims from the outermost (earliest start, longest) to the
    innermost; `begins` lists those whose first segment this is, in the same order.
    """

    start: int
    end: int
    text: str
    claims: tuple[int, ...] = ()
    begins: tuple[int, ...] = ()

    @property
    def depth(self) -> int:
        return len(self.claims)

    @property
    def innermost(self) -> int | None:
        return self.claims[-1] if self.claims else None


@dataclass
class Block:
    """A heading, paragraph or list item and its segments.

    `before` is the text of the body between the previous block (or the start) and this one.
    """

    kind: str
    level: int
    start: int
    end: int
    segments: list[Segment] = field(default_factory=list)
    before: str = ""

    @property
    def tag(self) -> str:
        """The HTML element: h2/h3 for headings (h1 is the page title), p, or li."""
        if self.kind == HEADING:
            return f"h{min(max(self.level, 2), 4)}"
        return "li" if self.kind == ITEM else "p"


@dataclass
class Part:
    """What the template prints at top level: one block, or a run of list items as one list."""

    kind: str  # "list" or the block's kind
    blocks: list[Block]

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    @property
    def block(self) -> Block:
        return self.blocks[0]


def layout_of(body: str, blocks: Sequence[dict] | None) -> list[Block]:
    """The body's blocks in text order, clipped to the text and to each other; without a stored
    layout, blank lines separate paragraphs. Each block's `before` holds the text since the
    previous one, so the blocks and what lies between them give back the body exactly once."""
    if not blocks:
        found = [Block(PARAGRAPH, 0, start, end) for start, end in split_blocks(body)]
    else:
        found = []
        # A stored layout may overlap itself (edited by hand, or older than the text): a block
        # starts where the previous one ended at the earliest, so no code point is printed twice.
        reached = 0
        for raw in sorted(blocks, key=lambda b: (b.get("start", 0), b.get("end", 0))):
            start = max(reached, int(raw.get("start", 0)))
            end = min(len(body), int(raw.get("end", 0)))
            if start < end:
                kind, level = raw.get("kind", PARAGRAPH), int(raw.get("level") or 0)
                found.append(Block(kind, level, start, end))
                reached = end
    previous = 0
    for block in found:
        block.before = body[previous : block.start]
        previous = block.end
    return found


def tail(body: str, blocks: Sequence[Block]) -> str:
    """The text of the body after its last block (all of it when there is no block)."""
    return body[blocks[-1].end :] if blocks else body


def _order(spans: Iterable[Span]) -> list[Span]:
    # Outermost first: earlier start, then the longer span, then the identifier for stability.
    return sorted(spans, key=lambda s: (s.start, -s.end, s.claim))


def segment(body: str, start: int, end: int, spans: Sequence[Span]) -> list[Segment]:
    """Split body[start:end] at every boundary of the spans that touch it."""
    ordered = _order(s for s in spans if s.start < end and s.end > start)
    cuts = {start, end}
    for span in ordered:
        cuts.update(point for point in (span.start, span.end) if start < point < end)
    points = sorted(cuts)
    segments = []
    for left, right in pairwise(points):
        covering = tuple(s.claim for s in ordered if s.start <= left and s.end >= right)
        begins = tuple(s.claim for s in ordered if s.start == left)
        segments.append(Segment(left, right, body[left:right], covering, begins))
    return segments


def render_blocks(body: str, blocks: Sequence[dict] | None, spans: Iterable[Span]) -> list[Block]:
    """Every block with its segments. Spans outside the body are ignored.

    A claim that crosses a block boundary is cut there too: its pieces appear in each block,
    and only the piece in the first block `begins` it.
    """
    valid = [s for s in spans if 0 <= s.start < s.end <= len(body)]
    laid_out = layout_of(body, blocks)
    started: set[int] = set()
    for block in laid_out:
        for piece in segment(body, block.start, block.end, valid):
            # A claim that starts in the gap between blocks begins at its first visible piece.
            begins = tuple(c for c in piece.claims if c not in started)
            started.update(begins)
            block.segments.append(Segment(piece.start, piece.end, piece.text, piece.claims, begins))
    return laid_out


def group_parts(blocks: Iterable[Block]) -> list[Part]:
    """Gather consecutive list items into one list; every other block stands alone."""
    parts: list[Part] = []
    for block in blocks:
        if block.kind == ITEM and parts and parts[-1].is_list:
            parts[-1].blocks.append(block)
        elif block.kind == ITEM:
            parts.append(Part("list", [block]))
        else:
            parts.append(Part(block.kind, [block]))
    return parts


def placed(blocks: Iterable[Block]) -> set[int]:
    """Claims that show up in at least one segment (the others cannot be highlighted)."""
    return {claim for block in blocks for seg in block.segments for claim in seg.begins}
