"""Lexical rankers that update in place, and their fusion.

`Bm25` scores documents with Okapi BM25 over any kind of term (words or character n-grams);
`Ranker` keeps one of each and fuses their rankings. Adding, replacing or removing one document
touches only that document's terms, so a changed proposition never rebuilds the index.
Pure Python on purpose: no model weights, no network, nothing beyond the standard library.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from .text import char_ngram_counts, word_counts

DocId = Hashable


class Bm25:
    """Okapi BM25 over the terms a counting function finds in each document.

    `max_df` leaves out, at query time, terms found in more than that share of the documents:
    such terms weigh almost nothing, yet reading their long posting lists is most of the cost.
    """

    def __init__(
        self,
        count: Callable[[str], Counter[str]],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        max_df: float = 1.0,
    ) -> None:
        self.count = count
        self.k1, self.b, self.max_df = k1, b, max_df
        self.postings: dict[str, dict[DocId, int]] = {}
        self.lengths: dict[DocId, int] = {}
        self.total_length = 0

    def __len__(self) -> int:
        return len(self.lengths)

    def __contains__(self, doc: DocId) -> bool:
        return doc in self.lengths

    def add(self, doc: DocId, text: str) -> None:
        """Index `text` as document `doc`, replacing what was indexed under that id."""
        self.remove(doc)
        counts = self.count(text)
        for term, tf in counts.items():
            self.postings.setdefault(term, {})[doc] = tf
        length = sum(counts.values())
        self.lengths[doc] = length
        self.total_length += length

    def remove(self, doc: DocId) -> None:
        """Forget document `doc` (nothing happens if it is not indexed)."""
        length = self.lengths.pop(doc, None)
        if length is None:
            return
        self.total_length -= length
        # Terms are not stored per document (that would double the memory); the postings
        # that mention the document are found by scanning. Removals are rare (a deleted or
        # reworded proposition), and a scan of the term dictionary is a few milliseconds.
        empty = []
        for term, posting in self.postings.items():
            if posting.pop(doc, None) is not None and not posting:
                empty.append(term)
        for term in empty:
            del self.postings[term]

    def scores(self, text: str) -> dict[DocId, float]:
        """BM25 score of every document sharing a term with `text` (others score 0)."""
        n = len(self.lengths)
        if not n:
            return {}
        average = self.total_length / n or 1.0
        k1, b = self.k1, self.b
        # A floor keeps small collections (a few dozen propositions) from losing every term.
        limit = max(self.max_df * n, 200)
        scores: dict[DocId, float] = {}
        lengths = self.lengths
        for term, query_tf in self.count(text).items():
            posting = self.postings.get(term)
            if not posting:
                continue
            df = len(posting)
            if df > limit:
                continue
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5)) * query_tf
            norm = k1 * (1.0 - b)
            slope = k1 * b / average
            get = scores.get
            for doc, tf in posting.items():
                scores[doc] = get(doc, 0.0) + idf * tf * (k1 + 1.0) / (
                    tf + norm + slope * lengths[doc]
                )
        return scores

    def top(self, text: str, k: int) -> list[tuple[DocId, float]]:
        """The `k` best documents for `text`, best first, with their scores."""
        scores = self.scores(text)
        return heapq.nlargest(k, scores.items(), key=lambda item: item[1])


@dataclass(frozen=True)
class Hit:
    """One ranked document: its id and its fused score (1.0 for the best possible match)."""

    doc: DocId
    score: float


class Ranker:
    """Words BM25 and character n-gram BM25, fused by a weighted sum of their scores, each
    divided by its best score for the query (so both lie in [0, 1]).

    The weight and the depth of each list were tuned on the CheckThat! 2020 train tweets
    (bench/suggest.py --tune); the dev split measures them.
    """

    def __init__(
        self,
        *,
        char_weight: float = 0.4,
        depth: int = 100,
        char_sizes: tuple[int, ...] = (4,),
        char_max_df: float = 0.05,
    ) -> None:
        self.words = Bm25(word_counts)
        self.chars = Bm25(lambda text: char_ngram_counts(text, char_sizes), max_df=char_max_df)
        self.char_weight = char_weight
        self.depth = depth

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, doc: DocId) -> bool:
        return doc in self.words

    def add(self, doc: DocId, text: str) -> None:
        """Index or re-index one document."""
        self.words.add(doc, text)
        self.chars.add(doc, text)

    def add_many(self, documents: Iterable[tuple[DocId, str]]) -> None:
        """Index many documents (a first load)."""
        for doc, text in documents:
            self.add(doc, text)

    def remove(self, doc: DocId) -> None:
        """Forget one document."""
        self.words.remove(doc)
        self.chars.remove(doc)

    def search(self, text: str, k: int = 5, *, fused: bool = True) -> list[Hit]:
        """The `k` documents most likely to match `text`, best first. `fused=False` ranks
        by words BM25 alone (the baseline the benchmark compares against)."""
        word_top = self.words.top(text, self.depth if fused else k)
        if not fused:
            best = word_top[0][1] if word_top else 1.0
            return [Hit(doc, score / best) for doc, score in word_top]
        char_top = self.chars.top(text, self.depth)
        combined: dict[DocId, float] = {}
        for ranked, weight in ((word_top, 1.0 - self.char_weight), (char_top, self.char_weight)):
            if not ranked:
                continue
            best = ranked[0][1] or 1.0
            for doc, score in ranked:
                combined[doc] = combined.get(doc, 0.0) + weight * score / best
        top = heapq.nlargest(k, combined.items(), key=lambda item: item[1])
        return [Hit(doc, round(score, 4)) for doc, score in top]


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' character 4-gram counts, in [0, 1]: an absolute
    measure of how close two wordings are, used to call a proposition a near-duplicate."""
    x, y = char_ngram_counts(a), char_ngram_counts(b)
    if not x or not y:
        return 0.0
    dot = sum(count * y.get(gram, 0) for gram, count in x.items())
    norm = math.sqrt(sum(v * v for v in x.values()) * sum(v * v for v in y.values()))
    return dot / norm
