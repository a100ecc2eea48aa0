"""Words as search compares them: folded, stemmed and, for long words, matched by spelling.

Pure Python, shared by every backend so that what a search finds and what the results mark are
decided by the same rules:

- **folding**: case and accents are ignored ("Nakhçıvan" is read "nakhcivan");
- **stemming**: the Snowball English stemmer, the one PostgreSQL's `english` configuration
  uses, so "drone", "drones" and "droned" are one word, on SQLite as on PostgreSQL;
- **prefix**: a query word also finds the words that begin with its stem ("sanction" finds
  "sanctions", "sanctioned");
- **spelling variants**: a query word of at least FUZZY_MIN_LENGTH letters also finds a word
  whose trigram similarity with it (pg_trgm's measure, computed the same way here) is at least
  FUZZY_THRESHOLD: "Nakhichevan" and "Nakhchivan" find each other. Short words are left out:
  "Iran" and "Iraq" share too many trigrams to be told apart that way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

FUZZY_MIN_LENGTH = 7
FUZZY_THRESHOLD = 0.35
# The highlighter marks a word slightly below the threshold the database matches with: the
# database compares the query word with stretches of text, which can score a little higher
# than the single best word, and every result must show what it matched on.
HIGHLIGHT_THRESHOLD = FUZZY_THRESHOLD - 0.03

_WORD = re.compile(r"\w+", re.UNICODE)
# Letters that do not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})

# Function words a query may contain but that say nothing about what is sought.
STOPWORDS = frozenset(
    """a an and are as at be been but by did do does for from had has have he her his i if in
    into is it its me my no nor not of on or our s she so t than that the their them then there
    these they this those to too us was we were what when where which while who whom why will
    with would you your""".split()  # noqa: SIM905 (a list literal would take 20 lines)
)

_stemmer = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """`text` lower-cased, accents removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a folded word."""
    return _stemmer.stemWord(word)


@lru_cache(maxsize=65536)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one folded word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity` of two folded words: shared trigrams over all trigrams."""
    left, right = trigrams(a), trigrams(b)
    union = len(left | right)
    return len(left & right) / union if union else 0.0


@dataclass(frozen=True)
class Term:
    """One word of a query, ready to compare."""

    word: str  # folded
    stem: str

    @property
    def fuzzy(self) -> bool:
        return len(self.word) >= FUZZY_MIN_LENGTH

    def finds(self, word: str, threshold: float = FUZZY_THRESHOLD) -> bool:
        """Whether this term finds the folded text word `word`."""
        return _finds(self, word, threshold)


@lru_cache(maxsize=65536)
def _finds(term: Term, word: str, threshold: float) -> bool:
    if word.startswith(term.stem) or stem(word).startswith(term.stem):
        return True
    return term.fuzzy and similarity(term.word, word) >= threshold


def terms(query: str) -> list[Term]:
    """The searchable words of a query, folded, in order, without repeats or function words."""
    seen: dict[str, Term] = {}
    for raw in _WORD.findall(query):
        word = fold(raw)
        if len(word) < 2 or word in STOPWORDS or word in seen:
            continue
        seen[word] = Term(word=word, stem=stem(word))
    return list(seen.values())


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) for every word of `text`, offsets into `text`."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), fold(match.group(0))


def contains(text: str | None, term: Term) -> bool:
    """Whether some word of `text` is found by `term`."""
    if not text:
        return False
    return any(term.finds(word) for _, _, word in spans(text))


def each_found_span(text: str, query_terms: list[Term]) -> Iterator[tuple[int, int]]:
    """The (start, end) of each word of `text` that one of the terms finds, in text order, as
    the scan reaches it (a caller that needs only the first stops there)."""
    for start, end, word in spans(text):
        if any(term.finds(word, HIGHLIGHT_THRESHOLD) for term in query_terms):
            yield start, end


def found_spans(text: str, query_terms: list[Term]) -> list[tuple[int, int]]:
    """The (start, end) of every word of `text` that one of the terms finds, for marking."""
    return list(each_found_span(text, query_terms))
