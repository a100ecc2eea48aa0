"""Word-level differences between two texts, for an editor comparing versions.

Pure Python: the texts are cut into words and the whitespace between them, compared with
difflib, and long unchanged stretches are shortened to their ends so that a change in a long
article shows as the few words around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A stretch of text: "same", "removed" or "added"; "gap" stands for unchanged words left
    out (`text` then says how many)."""

    kind: str
    text: str


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def word_diff(old: str, new: str, *, context: int = 12) -> list[Piece]:
    """The changes from `old` to `new`, word by word, keeping `context` words either side of
    each change. Joining the "same", "removed" and "gap"-free pieces gives back the texts."""
    a, b = tokens(old), tokens(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[Piece] = []
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            pieces.extend(
                _shortened(a[i1:i2], context, first=index == 0, last=index == len(opcodes) - 1)
            )
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces


def _shortened(words: list[str], context: int, *, first: bool, last: bool) -> list[Piece]:
    """An unchanged stretch: whole if short, else its ends around a gap (only the end that
    touches a change is kept at the start or end of the text)."""
    keep = context * 2  # tokens: words and the spaces between them
    head = 0 if first else keep
    tail = 0 if last else keep
    if len(words) <= head + tail + 2:
        return [Piece("same", "".join(words))]
    pieces = []
    if head:
        pieces.append(Piece("same", "".join(words[:head])))
    left_out = sum(1 for w in words[head : len(words) - tail] if not w.isspace())
    pieces.append(Piece("gap", f"{left_out} unchanged words"))
    if tail:
        pieces.append(Piece("same", "".join(words[len(words) - tail :])))
    return pieces


def has_changes(pieces: list[Piece]) -> bool:
    return any(piece.kind in {"removed", "added"} for piece in pieces)
