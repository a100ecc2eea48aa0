"""Inline Markdown markup removed in time linear in the text, hostile or not.

The rules are those of a small set of regular expressions applied line by line (kept in the
tests as the reference this must agree with): images dropped, links, emphasis and code spans
reduced to their words. Written as regular expressions with lazy or bracketed bodies, they rescan
the rest of the line from every opening mark that has no partner — an unclosed ``**`` in a long
line made a 64 KB file take minutes. Here each kind of markup is one pass over the text: marks
are found by patterns that look at most one character either side, and a mark's partner is
looked up with a cursor that only moves forward (`_Cursor`), so no pass reads a character twice.

Markup never spans lines, so many lines can go through in one call, joined by ``\\n``: the
result is the lines' results joined the same way, without a Python loop per line.

Whitespace and word characters are what Python's ``re`` calls ``\\s`` and ``\\w``.
"""

from __future__ import annotations

import re

_ANY_MARK = re.compile(r"[\[*_`]")
_IMAGE_OPEN = re.compile(r"!\[")
_LINK_OPEN = re.compile(r"\[(?=[^\]])")  # a link's words are never empty
_CODE_OPEN = re.compile(r"`(?=[^`])")  # nor are a code span's
_STRONG_OPEN = {
    frozenset({"**", "__"}): re.compile(r"(?:\*\*|__)(?=\S)"),
    frozenset({"**"}): re.compile(r"\*\*(?=\S)"),
    frozenset({"__"}): re.compile(r"__(?=\S)"),
}
_STRONG_CLOSE = {"**": re.compile(r"(?<=\S)\*\*"), "__": re.compile(r"(?<=\S)__")}
_SINGLE_OPEN = {"*": re.compile(r"(?<![\w*])\*(?=\S)"), "_": re.compile(r"(?<!\w)_(?=\S)")}
_SINGLE_CLOSE = {"*": re.compile(r"(?<=\S)\*(?![\w*])"), "_": re.compile(r"(?<=\S)_(?!\w)")}
_NEWLINE = re.compile("\n")


class _Cursor:
    """The first position at or after a given one where `pattern` matches (-1: none).

    Queries come in non-decreasing order of position (each pass reads left to right); an answer
    is reused until a query passes it, so one cursor searches any stretch of the text once.
    """

    def __init__(self, text: str, pattern: re.Pattern[str]):
        self.text, self.pattern = text, pattern
        self.found = -2  # nothing searched yet

    def at_or_after(self, position: int) -> int:
        if self.found == -1 or position <= self.found:
            return self.found
        match = self.pattern.search(self.text, position)
        self.found = match.start() if match else -1
        return self.found


class _LineEnds(_Cursor):
    def __init__(self, text: str):
        super().__init__(text, _NEWLINE)

    def of(self, position: int) -> int:
        """Where the line holding `position` ends: its newline, or the end of the text."""
        end = self.at_or_after(position)
        return len(self.text) if end == -1 else end


class _Output:
    """The text with some spans replaced, built from slices in one go."""

    def __init__(self, text: str):
        self.text, self.parts, self.done = text, [], 0

    def replace(self, start: int, end: int, words: str) -> None:
        self.parts += (self.text[self.done : start], words)
        self.done = end

    def result(self) -> str:
        if not self.parts:
            return self.text
        self.parts.append(self.text[self.done :])
        return "".join(self.parts)


def _bracketed(text: str, *, image: bool) -> str:
    """``![alt](url)`` → nothing (image=True); ``[words](url)`` → ``words`` (image=False)."""
    opening = _IMAGE_OPEN if image else _LINK_OPEN
    opener = opening.search(text)
    if opener is None:
        return text
    brackets, parens = _Cursor(text, re.compile(r"\]")), _Cursor(text, re.compile(r"\)"))
    ends, out = _LineEnds(text), _Output(text)
    while opener is not None:
        start, inner = opener.start(), opener.end()
        line_end = ends.of(start)
        bracket = brackets.at_or_after(inner)
        if bracket == -1:
            break  # no "]" further on: nothing more can match
        if bracket > line_end:
            # Every later opener on this line would look past the line's end too.
            opener = opening.search(text, line_end + 1)
            continue
        if not text.startswith("(", bracket + 1):
            # Every opener before this "]" would stop at it too, and fail the same way.
            opener = opening.search(text, bracket + 1)
            continue
        paren = parens.at_or_after(bracket + 2)
        if paren == -1:
            break
        if paren > line_end:
            opener = opening.search(text, line_end + 1)
            continue
        out.replace(start, paren + 1, "" if image else text[inner:bracket])
        opener = opening.search(text, paren + 1)
    return out.result()


def _strong(text: str) -> str:
    """``**words**`` and ``__words__`` → ``words``: the words start and end with a non-space,
    and end at the first closing mark of the same kind that follows a non-space."""
    alive = frozenset(_STRONG_CLOSE)  # the kinds that may still find a closing mark
    if _STRONG_OPEN[alive].search(text) is None:
        return text
    closers = {mark: _Cursor(text, pattern) for mark, pattern in _STRONG_CLOSE.items()}
    ends, out = _LineEnds(text), _Output(text)
    # Kinds whose next closing mark lies beyond the end of the current line (`blocked_until`):
    # until that line ends, only the other kind is looked for.
    blocked: frozenset[str] = frozenset()
    blocked_until = -1
    position, length = 0, len(text)
    while alive:
        if blocked and position > blocked_until:
            blocked = frozenset()
        kinds = alive - blocked
        if not kinds:
            position, blocked = blocked_until + 1, frozenset()
            continue
        opener = _STRONG_OPEN[kinds].search(text, position, blocked_until if blocked else length)
        if opener is None:
            if not blocked:
                break
            position, blocked = blocked_until + 1, frozenset()
            continue
        start = opener.start()
        mark = text[start : start + 2]
        close = closers[mark].at_or_after(start + 3)
        if close == -1:
            alive -= {mark}
            position = start + 1
        elif close > (line_end := ends.of(start)):
            blocked, blocked_until = blocked | {mark}, line_end
            position = start + 1
        else:
            out.replace(start, close + 2, text[start + 2 : close])
            position = close + 2
    return out.result()


def _single(text: str, mark: str) -> str:
    """``*words*`` or ``_words_`` → ``words``, when neither mark touches a word character or
    another mark on its outer side (so ``snake_case`` and ``**`` are left alone)."""
    opening = _SINGLE_OPEN[mark]
    opener = opening.search(text)
    if opener is None:
        return text
    closer, ends, out = _Cursor(text, _SINGLE_CLOSE[mark]), _LineEnds(text), _Output(text)
    while opener is not None:
        start = opener.start()
        close = closer.at_or_after(start + 2)
        if close == -1:
            break  # no closing mark further on: no later opener can match either
        line_end = ends.of(start)
        if close > line_end:
            opener = opening.search(text, line_end + 1)
            continue
        out.replace(start, close + 1, text[start + 1 : close])
        opener = opening.search(text, close + 1)
    return out.result()


def _code(text: str) -> str:
    """```code``` → ``code``: a backtick, at least one other character, the next backtick."""
    opener = _CODE_OPEN.search(text)
    if opener is None:
        return text
    ends, out = _LineEnds(text), _Output(text)
    while opener is not None:
        start = opener.start()
        close = text.find("`", start + 2)
        if close == -1:
            break
        line_end = ends.of(start)
        if close > line_end:
            # The next backtick is on a later line, and is the next opener to try.
            opener = _CODE_OPEN.search(text, line_end + 1)
            continue
        out.replace(start, close + 1, text[start + 1 : close])
        opener = _CODE_OPEN.search(text, close + 1)
    return out.result()


def strip_inline_markdown(text: str) -> str:
    """Remove emphasis, code and link markup from a line (or lines joined by ``\\n``), keeping
    the words a reader sees.

    Images go first, then links, strong emphasis, single ``*`` and ``_`` emphasis, and code
    spans last; each pass reads the output of the one before.
    """
    if _ANY_MARK.search(text) is None:
        return text
    text = _bracketed(text, image=True)
    text = _bracketed(text, image=False)
    text = _strong(text)
    text = _single(text, "*")
    text = _single(text, "_")
    return _code(text)
