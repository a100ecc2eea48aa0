"""Anchor claims to spans of a source body, and find them again after the body is edited.

A claim points into a source's plain-text body in two redundant ways, following the W3C Web
Annotation selectors:

* a TextPositionSelector: ``start`` and ``end`` offsets, counted in Unicode code points
  (Python ``str`` indices, never UTF-16 code units), with ``0 <= start < end <= len(body)``;
* a TextQuoteSelector: the ``quote`` itself (``body[start:end]``) with up to
  ``CONTEXT_LENGTH`` code points of ``prefix`` before it and ``suffix`` after it.

The offsets are exact but fragile; the quote and its context survive edits. ``reanchor`` uses
the second to repair the first when a body changes, and reports a claim it cannot find as
orphaned instead of moving it somewhere arbitrary or dropping it.

Line endings: ``reanchor`` matches against ``normalize_newlines(new_body)``, so a body that
switched between CRLF and LF does not orphan its claims. The offsets it returns therefore refer
to the normalised body, which is why bodies should be stored normalised in the first place.
``check_span``, ``make_anchor`` and ``locate_quote`` take the body exactly as given.
"""

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from itertools import chain

CONTEXT_LENGTH = 32

# Longer quotes are cut short in error messages, which end up in logs and form errors.
_MESSAGE_QUOTE_LENGTH = 60
# Ambiguity errors list this many offsets at most.
_MESSAGE_OFFSETS = 5

# Fuzzy search tuning. A quote is cut into chunks; each place a chunk occurs in the new body
# votes for where the quote would start, and the best-supported starts are examined closely.
_CHUNK_LENGTH = 8
_MIN_CHUNK_LENGTH = 3
_MAX_CHUNKS = 64
# A chunk found more often than this says nothing about where the quote went.
_MAX_CHUNK_HITS = 200
_SEEDS = 5
# Share of the quote's informative chunks a place needs before it is examined closely.
_MIN_SUPPORT = 0.25
# Code points at each end of the quote aligned to place the edges of a window.
_EDGE = 48
# Bracketing by context: pairs of prefix/suffix hits examined at most.
_MAX_BRACKETS = 20
# Shorter prefix/suffix pieces tried when the whole context is no longer found.
_CONTEXT_PIECES = (16, 8)
# How far a window boundary may move to avoid cutting a word in two.
_SNAP_LIMIT = 24


class AnchorError(ValueError):
    """A span or quote cannot be anchored in a body; the message says why."""


@dataclass(frozen=True)
class Anchor:
    """Where a claim sits in a body: code-point offsets plus the quote and its context.

    ``quote == body[start:end]``; ``prefix`` and ``suffix`` are the (at most
    ``CONTEXT_LENGTH``) code points immediately before ``start`` and after ``end``.
    """

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


class AnchorState(StrEnum):
    """Outcome of re-anchoring a claim in an edited body."""

    ANCHORED = "anchored"
    REANCHORED = "reanchored"
    WORDS_CHANGED = "words_changed"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Reanchoring:
    """Result of ``reanchor``.

    ``anchor`` is the claim's anchor in the new (newline-normalised) body, or ``None`` when
    the claim is orphaned. ``method`` says how it was found: ``"unchanged"`` (same offsets),
    ``"exact"`` (the only exact occurrence), ``"context"`` (the occurrence whose surroundings
    match best), ``"nearest"`` (equally good occurrences, the one closest to the old start),
    ``"fuzzy"`` (similar text) or ``"none"``. ``state`` is ``REANCHORED`` when the same
    words were found (the span moved, or only its context changed) and ``WORDS_CHANGED`` when
    only similar text was: what the claim says may have changed, and a human must look.
    ``score`` is 1.0 for exact matches, the similarity ratio for fuzzy ones and 0.0 for orphans.
    """

    anchor: Anchor | None
    state: AnchorState
    method: str
    score: float


_ORPHANED = Reanchoring(anchor=None, state=AnchorState.ORPHANED, method="none", score=0.0)


def normalize_newlines(text: str) -> str:
    """Return ``text`` with every CRLF and lone CR line ending replaced by LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_span(body: str, start: int, end: int, quote: str | None = None) -> None:
    """Raise ``AnchorError`` unless ``body[start:end]`` is a valid claim span.

    Valid means integer offsets with ``0 <= start < end <= len(body)``, a span that is not
    only whitespace and, when ``quote`` is given, ``quote == body[start:end]``.
    """
    for name, value in (("start", start), ("end", end)):
        # bool is an int subclass, but an offset of True is always a bug upstream.
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnchorError(f"{name} must be an integer, not {type(value).__name__}")
    for name, value in (("start", start), ("end", end)):
        if value < 0:
            raise AnchorError(f"{name} must not be negative (got {value})")
    if start >= end:
        raise AnchorError(f"start must be less than end (got start={start}, end={end})")
    if end > len(body):
        raise AnchorError(f"end must not exceed the body length {len(body)} (got {end})")
    span = body[start:end]
    if quote is not None and quote != span:
        raise AnchorError(
            f"quote does not match body[{start}:{end}]: "
            f"expected {_shorten(span)}, got {_shorten(quote)}"
        )
    if not span.strip():
        raise AnchorError("span must not be only whitespace")


def make_anchor(body: str, start: int, end: int) -> Anchor:
    """Validate the span ``body[start:end]`` and return its anchor, context included."""
    check_span(body, start, end)
    return Anchor(
        start=start,
        end=end,
        quote=body[start:end],
        prefix=body[max(0, start - CONTEXT_LENGTH) : start],
        suffix=body[end : end + CONTEXT_LENGTH],
    )


def find_all(body: str, quote: str) -> list[int]:
    """Return the start offset of every occurrence of ``quote`` in ``body``, in order.

    Overlapping occurrences count: ``"aa"`` occurs twice in ``"aaa"``. An empty quote would
    occur everywhere, so it raises ``AnchorError``.
    """
    if not quote:
        raise AnchorError("quote must not be empty")
    return list(_occurrences(body, quote))


def locate_quote(body: str, quote: str) -> Anchor:
    """Return the anchor of ``quote`` in ``body``; it must occur there exactly once.

    Meant for loaders that know a claim by its words only. Raises ``AnchorError`` when the
    quote is missing, ambiguous or not a valid span (only whitespace, for instance).
    """
    starts = find_all(body, quote)
    if not starts:
        raise AnchorError(f"quote not found: {_shorten(quote)}")
    if len(starts) > 1:
        shown = ", ".join(str(start) for start in starts[:_MESSAGE_OFFSETS])
        more = ", …" if len(starts) > _MESSAGE_OFFSETS else ""
        raise AnchorError(
            f"quote is ambiguous: found {len(starts)} times (at {shown}{more}): {_shorten(quote)}"
        )
    return make_anchor(body, starts[0], starts[0] + len(quote))


def reanchor(old: Anchor, new_body: str, *, min_similarity: float = 0.75) -> Reanchoring:
    """Find the claim anchored by ``old`` in ``new_body``, an edited version of its body.

    In order of preference:

    1. the quote still sits at the old offsets with the same prefix and suffix, so the anchor
       is exactly the old one: ``ANCHORED``, method ``"unchanged"``;
    2. the quote occurs exactly: the only occurrence (``"exact"``), else the occurrence whose
       surroundings best match the old prefix and suffix (``"context"``), else, among equally
       good ones, the occurrence nearest the old start (``"nearest"``). This may be the old
       place itself when only its context changed; the result is then ``REANCHORED`` with the
       same offsets, because the anchor's prefix or suffix is new;
    3. the quote was edited: the most similar window, looked for first between the surviving
       prefix and suffix and then wherever pieces of the quote still occur, accepted when its
       ``difflib`` similarity ratio is at least ``min_similarity`` (``"fuzzy"``);
    4. otherwise the claim is ``ORPHANED``.

    A fuzzy match is ``WORDS_CHANGED`` unless it differs from the old quote only in whitespace
    (the same words, re-wrapped), which is a move like any other: ``REANCHORED``.

    The returned anchor carries fresh prefix and suffix taken from the new body. Matching
    ignores the difference between CRLF, CR and LF line endings, and all returned offsets refer
    to ``normalize_newlines(new_body)``.
    """
    if not 0.0 < min_similarity <= 1.0:
        raise ValueError(f"min_similarity must be in (0, 1], got {min_similarity}")
    body = normalize_newlines(new_body)
    quote = normalize_newlines(old.quote)
    if not quote.strip():
        # make_anchor never produces such an anchor; one built by hand has nothing to find.
        return _ORPHANED
    # The old offsets may have been counted in a CRLF body, so the end is recomputed from the
    # normalised quote rather than trusted.
    wanted = Anchor(
        start=old.start,
        end=old.start + len(quote),
        quote=quote,
        prefix=normalize_newlines(old.prefix),
        suffix=normalize_newlines(old.suffix),
    )

    if body[wanted.start : wanted.end] == quote:
        here = make_anchor(body, wanted.start, wanted.end)
        if here == wanted:
            return Reanchoring(here, AnchorState.ANCHORED, "unchanged", 1.0)

    starts = find_all(body, quote)
    if starts:
        start, method = _choose_occurrence(body, wanted, starts)
        anchor = make_anchor(body, start, start + len(quote))
        return Reanchoring(anchor, AnchorState.REANCHORED, method, 1.0)

    match = _fuzzy_match(body, wanted, min_similarity)
    if match is None:
        return _ORPHANED
    start, end, ratio = match
    anchor = make_anchor(body, start, end)
    state = AnchorState.REANCHORED if same_words(anchor.quote, quote) else AnchorState.WORDS_CHANGED
    return Reanchoring(anchor, state, "fuzzy", ratio)


def same_words(a: str, b: str) -> bool:
    """Tell whether two texts have the same words in the same order, whatever the spacing."""
    return a.split() == b.split()


def _shorten(text: str, limit: int = _MESSAGE_QUOTE_LENGTH) -> str:
    """Return ``text`` quoted for a message, cut to ``limit`` code points."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def _occurrences(body: str, needle: str, limit: int | None = None) -> Iterator[int]:
    """Yield every (overlapping) start of ``needle`` in ``body``; stop quietly after ``limit``."""
    at = body.find(needle)
    found = 0
    while at != -1 and (limit is None or found < limit):
        yield at
        found += 1
        # Advance by one rather than len(needle) so overlapping occurrences are kept.
        at = body.find(needle, at + 1)


def _common_prefix_length(a: str, b: str) -> int:
    """Return how many leading code points ``a`` and ``b`` share."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _common_suffix_length(a: str, b: str) -> int:
    """Return how many trailing code points ``a`` and ``b`` share."""
    return _common_prefix_length(a[::-1], b[::-1])


def _context_score(body: str, wanted: Anchor, start: int, end: int) -> int:
    """Count the code points of the old context that still surround ``body[start:end]``.

    The prefix is compared from its end and the suffix from its start, because the text next
    to the quote is the best evidence that this is the same place.
    """
    before = body[max(0, start - len(wanted.prefix)) : start]
    after = body[end : end + len(wanted.suffix)]
    return _common_suffix_length(wanted.prefix, before) + _common_prefix_length(
        wanted.suffix, after
    )


def _choose_occurrence(body: str, wanted: Anchor, starts: list[int]) -> tuple[int, str]:
    """Pick one of the exact occurrences ``starts`` of the quote and name how it was picked."""
    if len(starts) == 1:
        return starts[0], "exact"
    length = len(wanted.quote)
    scores = [_context_score(body, wanted, start, start + length) for start in starts]
    best = max(scores)
    leaders = [start for start, score in zip(starts, scores, strict=True) if score == best]
    if len(leaders) == 1:
        return leaders[0], "context"
    # starts are ascending and min() keeps the first minimum, so of two occurrences equally
    # far from the old start the earlier wins; that keeps the choice deterministic.
    return min(leaders, key=lambda start: abs(start - wanted.start)), "nearest"


def _fuzzy_match(body: str, wanted: Anchor, min_similarity: float) -> tuple[int, int, float] | None:
    """Return ``(start, end, ratio)`` of the window most similar to the quote, or ``None``.

    When the whole old prefix and suffix survive, the text between them is what became of the
    quote, so that window wins whenever it is similar enough, even if a trimmed window
    elsewhere scores a little higher. Windows bracketed only by short pieces of the context
    are weaker evidence (short pieces recur) and compete on similarity with windows found by
    searching the whole body.
    """
    similarity = _Similarity(body, wanted.quote)
    bracketed, whole_context = _bracketed_windows(body, wanted, min_similarity)
    if whole_context:
        best = _best_window(similarity, wanted, bracketed, min_similarity)
        if best is not None:
            return best
        bracketed = []
    candidates = chain(bracketed, _searched_windows(similarity))
    return _best_window(similarity, wanted, candidates, min_similarity)


class _Similarity:
    """Similarity of windows of a body to one quote, with whitespace trimmed and results cached.

    Refining a window's edges asks about the same windows again and again, and each answer
    costs a ``difflib`` comparison that grows with the square of the quote's length.
    """

    def __init__(self, body: str, quote: str) -> None:
        """Prepare to compare windows of ``body`` with ``quote``."""
        self.body = body
        self.quote = quote
        self._matcher = SequenceMatcher(None, autojunk=False)
        # difflib caches what it learns about the second sequence, so the quote goes there.
        self._matcher.set_seq2(quote)
        self._cache: dict[tuple[int, int], float] = {}

    def __call__(self, start: int, end: int) -> tuple[int, int, float]:
        """Return the window ``(start, end)``, clipped to the body and trimmed, and its ratio."""
        # Edges projected from alignments can overshoot either end of the body.
        start, end = _trimmed(self.body, max(0, start), min(len(self.body), end))
        if start >= end:
            return start, end, 0.0
        if (start, end) not in self._cache:
            self._matcher.set_seq1(self.body[start:end])
            self._cache[start, end] = self._matcher.ratio()
        return start, end, self._cache[start, end]


def _plausible_lengths(quote_length: int, min_similarity: float) -> tuple[int, int]:
    """Return the shortest and longest window that could reach ``min_similarity``.

    The ratio is 2·M / (|quote| + |window|) with M matched code points, and M cannot exceed
    the shorter of the two, which bounds the window length from both sides.
    """
    shortest = int(quote_length * min_similarity / (2 - min_similarity))
    longest = int(quote_length * (2 - min_similarity) / min_similarity) + 1
    return max(1, shortest), longest


def _context_hits(body: str, context: str, *, from_end: bool) -> tuple[list[int], int, bool]:
    """Find the whole context, or failing that a shorter piece of it next to the quote.

    Returns the start offsets of the hits, the length of the piece that was found and
    whether that piece is the whole context.
    """
    pieces = [context] + [
        context[-size:] if from_end else context[:size]
        for size in _CONTEXT_PIECES
        if size < len(context)
    ]
    for piece in pieces:
        hits = list(_occurrences(body, piece))
        if hits:
            return hits, len(piece), piece == context
    return [], 0, False


def _bracketed_windows(
    body: str, wanted: Anchor, min_similarity: float
) -> tuple[list[tuple[int, int]], bool]:
    """Return windows lying between a hit of the old prefix and a later hit of the old suffix.

    Also tells whether both prefix and suffix were found whole rather than in pieces. A span
    at the very start or end of the body has no context on that side; the body edge is not
    used in its place, because text inserted there would then join the quote.
    """
    if not wanted.prefix.strip() or not wanted.suffix.strip():
        return [], False
    prefix_hits, prefix_length, whole_prefix = _context_hits(body, wanted.prefix, from_end=True)
    suffix_hits, _, whole_suffix = _context_hits(body, wanted.suffix, from_end=False)
    shortest, longest = _plausible_lengths(len(wanted.quote), min_similarity)
    windows: list[tuple[int, int]] = []
    for hit in prefix_hits:
        start = hit + prefix_length
        # suffix_hits is ascending, so the plausible ends form one slice of it.
        low = bisect_left(suffix_hits, start + shortest)
        high = bisect_right(suffix_hits, start + longest)
        windows.extend((start, end) for end in suffix_hits[low:high])
    # Repeated boilerplate can pair up many ways; the pairs near the old place are the ones
    # worth scoring.
    windows.sort(key=lambda window: abs(window[0] - wanted.start))
    return windows[:_MAX_BRACKETS], whole_prefix and whole_suffix


def _searched_windows(similarity: _Similarity) -> Iterator[tuple[int, int]]:
    """Yield one candidate window around each place where much of the quote still occurs.

    Each edge is placed by aligning the quote's head or tail with the body around the
    estimate, then moved to whichever neighbouring word boundary makes the head or tail more
    similar: this keeps a changed first word ("the" -> "these") without swallowing the word
    before a deleted one. Only the edge regions are compared while choosing edges, so the
    cost of that choice does not grow with the quote.
    """
    body, quote = similarity.body, similarity.quote
    head, tail = quote[:_EDGE], quote[-_EDGE:]
    head_similarity, tail_similarity = _Similarity(body, head), _Similarity(body, tail)
    for start_guess, end_guess in _estimates(body, quote):
        start, head_end = _aligned_head(body, head, start_guess)
        tail_start, end = _aligned_tail(body, tail, end_guess)
        if start >= end:
            continue
        # A projected edge may fall inside a word, and a piece of a word can score better than
        # none of it ("ted talks" for "the talks"), so only the word boundaries around it are
        # offered. They fall back to the edge itself where no boundary is near.
        start = max(
            (_boundary_before(body, start), _boundary_after(body, start)),
            key=lambda candidate: head_similarity(candidate, head_end)[2],
        )
        end = max(
            (_boundary_after(body, end), _boundary_before(body, end)),
            key=lambda candidate: tail_similarity(tail_start, candidate)[2],
        )
        yield start, end


def _estimates(body: str, quote: str) -> list[tuple[int, int]]:
    """Estimate where the quote may now start and end, from chunks of it that survive.

    The quote is cut into chunks; every occurrence of a chunk votes for the start the quote
    would have if that chunk were in place. Edits shift later chunks a little, so votes close
    together are pooled. A pool must hold a fair share of the chunks (a few stray hits of
    common words are not a lightly edited quote) and at least half as many votes as the best
    pool. Each pool gives a start (from its earliest chunk) and an end (from its latest).
    """
    size = max(_MIN_CHUNK_LENGTH, min(_CHUNK_LENGTH, len(quote) // 4))
    offsets = range(0, len(quote) - size + 1, size)
    if len(offsets) > _MAX_CHUNKS:
        # Evenly spread chunks bound the work for very long quotes without losing either end.
        step = len(offsets) / _MAX_CHUNKS
        offsets = [offsets[int(index * step)] for index in range(_MAX_CHUNKS)]
    votes: list[tuple[int, int]] = []
    informative = 0
    for offset in offsets:
        chunk = quote[offset : offset + size]
        if not chunk.strip():
            continue
        hits = list(_occurrences(body, chunk, limit=_MAX_CHUNK_HITS + 1))
        if len(hits) > _MAX_CHUNK_HITS:
            continue
        informative += 1
        votes.extend((hit - offset, offset) for hit in hits)

    votes.sort()
    width = max(_CHUNK_LENGTH, len(quote) // 4)
    needed = max(1, math.ceil(informative * _MIN_SUPPORT))
    estimates = []
    while votes and len(estimates) < _SEEDS:
        low, high = _densest_run(votes, width)
        if high - low < needed:
            break
        # Places with far less support than the best one rarely beat it, and each costs a
        # full comparison with the quote.
        needed = max(needed, (high - low + 1) // 2)
        pool = votes[low:high]
        del votes[low:high]
        # A chunk may occur more than once in a pool; the occurrence nearest the pool's middle
        # is the one that belongs to it.
        middle = pool[len(pool) // 2][0]
        first = min(pool, key=lambda vote: (vote[1], abs(vote[0] - middle)))
        last = min(pool, key=lambda vote: (-vote[1], abs(vote[0] - middle)))
        estimates.append((first[0], last[0] + len(quote)))
    return estimates


def _densest_run(votes: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """Return ``(low, high)`` delimiting the largest run of votes within ``width`` of each other.

    ``votes`` must be sorted; ``votes[low:high]`` is then the run.
    """
    best_low, best_high, high = 0, 0, 0
    for low, (start, _) in enumerate(votes):
        while high < len(votes) and votes[high][0] - start <= width:
            high += 1
        if high - low > best_high - best_low:
            best_low, best_high = low, high
    return best_low, best_high


def _matching_blocks(region: str, piece: str) -> list[tuple[int, int, int]]:
    """Return the blocks ``(a, b, size)`` where ``piece`` matches ``region``, in order.

    One- or two-letter matches are dropped: in the padding around a guess they are noise that
    would drag an edge away from the real one.
    """
    min_block = 1 if len(piece) < 2 * _MIN_CHUNK_LENGTH else _MIN_CHUNK_LENGTH
    blocks = SequenceMatcher(None, region, piece, autojunk=False).get_matching_blocks()
    return [(a, b, size) for a, b, size in blocks if size >= min_block]


def _aligned_head(body: str, head: str, guess: int) -> tuple[int, int]:
    """Align the quote's ``head`` with the body near ``guess``; return where it starts and ends."""
    # A narrow region: a phrase of the quote repeated just before it (a heading, say) would
    # otherwise win the alignment and drag the start back to it.
    pad = len(head) // 2
    low = max(0, guess - pad)
    blocks = _matching_blocks(body[low : guess + len(head) + pad], head)
    if not blocks:
        return guess, guess + len(head)
    first, last = blocks[0], blocks[-1]
    # A block (a, b, size) puts head[b] at low + a; the head's edges are projected from the
    # outermost blocks, so a changed first word of the same length still falls inside.
    start = low + first[0] - first[1]
    end = low + last[0] + len(head) - last[1]
    return max(low, start), end


def _aligned_tail(body: str, tail: str, guess: int) -> tuple[int, int]:
    """Align the quote's ``tail`` with the body near ``guess``; return where it starts and ends."""
    pad = len(tail) // 2
    low = max(0, guess - len(tail) - pad)
    high = min(len(body), guess + pad)
    blocks = _matching_blocks(body[low:high], tail)
    if not blocks:
        return guess - len(tail), guess
    first, last = blocks[0], blocks[-1]
    start = low + first[0] - first[1]
    end = low + last[0] + len(tail) - last[1]
    return start, min(high, end)


def _inside_word(body: str, at: int) -> bool:
    """Tell whether offset ``at`` falls between two letters or digits."""
    return 0 < at < len(body) and body[at - 1].isalnum() and body[at].isalnum()


def _boundary_before(body: str, at: int) -> int:
    """Return the nearest word boundary at or before ``at``, or ``at`` if none is close."""
    position = at
    while _inside_word(body, position) and at - position < _SNAP_LIMIT:
        position -= 1
    # Scripts written without spaces have no boundary nearby; leave the edge alone then.
    return at if _inside_word(body, position) else position


def _boundary_after(body: str, at: int) -> int:
    """Return the nearest word boundary at or after ``at``, or ``at`` if none is close."""
    position = at
    while _inside_word(body, position) and position - at < _SNAP_LIMIT:
        position += 1
    return at if _inside_word(body, position) else position


def _trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``body[start:end]`` until it neither starts nor ends with whitespace."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _best_window(
    similarity: _Similarity,
    wanted: Anchor,
    windows: Iterable[tuple[int, int]],
    min_similarity: float,
) -> tuple[int, int, float] | None:
    """Return the most similar of ``windows`` as ``(start, end, ratio)``, if similar enough.

    Ties on similarity go to the window whose surroundings match the old context better,
    then to the one nearest the old start.
    """
    best: tuple[tuple[float, int, int], int, int] | None = None
    for window in windows:
        start, end, ratio = similarity(*window)
        if ratio < min_similarity:
            continue
        context = _context_score(similarity.body, wanted, start, end)
        key = (ratio, context, -abs(start - wanted.start))
        if best is None or key > best[0]:
            best = (key, start, end)
    if best is None:
        return None
    return best[1], best[2], best[0][0]
