"""The layout of a source body: which ranges are headings, paragraphs or list items.

Blocks are separated by a blank line in the body. The importer knows each block's kind from the
markup; after an editor changes the text, `relayout` keeps the kind of every block whose words
are unchanged and treats new blocks as paragraphs.
"""

from __future__ import annotations

import re

PARAGRAPH = "paragraph"
_SEPARATOR = re.compile(r"\n[ \t]*\n\s*")


def split_blocks(body: str) -> list[tuple[int, int]]:
    """Code-point ranges of the blocks of `body`, skipping the blank lines between them."""
    ranges, position = [], 0
    for separator in _SEPARATOR.finditer(body):
        if separator.start() > position:
            ranges.append((position, separator.start()))
        position = separator.end()
    if position < len(body):
        ranges.append((position, len(body)))
    # Leading or trailing whitespace of a block is not part of it.
    trimmed = []
    for start, end in ranges:
        text = body[start:end]
        left = len(text) - len(text.lstrip())
        right = len(text.rstrip())
        if right > left:
            trimmed.append((start + left, start + right))
    return trimmed


def relayout(body: str, old_body: str, old_blocks: list[dict]) -> list[dict]:
    """Blocks for a new `body`, keeping the kind and level of blocks whose text is unchanged."""
    kinds = {
        old_body[block["start"] : block["end"]]: (block["kind"], block.get("level", 0))
        for block in old_blocks
    }
    blocks = []
    for start, end in split_blocks(body):
        kind, level = kinds.get(body[start:end], (PARAGRAPH, 0))
        blocks.append({"kind": kind, "level": level, "start": start, "end": end})
    return blocks
