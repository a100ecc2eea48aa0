"""Rankers that update in place, and their fusion.

`Bm25` scores documents with Okapi BM25 over any kind of term (words or character n-grams);
`Vectors` scores them by the cosine of their sentence embeddings (claims.suggesting.embedding),
a document's main and secondary texts embedded apart; `Ranker` keeps one of each and fuses their
rankings. Adding, replacing or removing one document touches only that document's terms and
vectors, so a changed proposition never rebuilds the
index. The lexical rankers are pure Python; the embeddings need numpy and the model's weights,
read from an installed package, never from the network.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .text import char_ngram_counts, proposition_document, word_counts

DocId = Hashable

# The embeddings' share of the fused score, and the characters' share of what remains to the
# BM25 rankers, chosen together on the CheckThat! 2020 train tweets (bench/suggest.py --tune).
EMBED_WEIGHT = 0.5
FUSED_CHAR_WEIGHT = 0.3
# A document has a main text (a proposition's wording) and may have a secondary one (its
# notes): the BM25 rankers index the two together, the embeddings each apart, and a document's
# cosine is that of its closer part. One vector for both lets the longer notes drown the
# wording in a mean-pooled sentence embedding (bench/SUGGEST.md measures the difference).
PARTS = 2


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


class Vectors:
    """Unit-length vectors of each document's parts in one float32 array of shape (rows,
    PARTS, dimensions), scored by the best cosine (a dot product) of a document's parts. A
    part a document lacks stays zero, a cosine of 0, which never outranks a part pointing the
    query's way.

    Rows are reused: a removed document's row is freed and the next added one takes it; the
    array doubles when full. 25,000 documents of two 384-dimension parts take 74 MB.
    """

    def __init__(self, dimensions: int = 384, parts: int = PARTS) -> None:
        self.matrix = np.zeros((0, parts, dimensions), dtype=np.float32)
        self.rows: dict[DocId, int] = {}
        self.docs: list[DocId | None] = []
        self.free: list[int] = []

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, doc: DocId) -> bool:
        return doc in self.rows

    def add(self, doc: DocId, vector: np.ndarray) -> None:
        """Store the vectors of `doc`'s parts (one row per part, main first; a single vector
        is the main part alone), replacing what was stored under that id."""
        _, parts, dimensions = self.matrix.shape
        vector = np.asarray(vector, dtype=np.float32).reshape(-1, dimensions)
        if len(vector) > parts:
            raise ValueError(f"at most {parts} parts per document, not {len(vector)}")
        row = self.rows.get(doc)
        if row is None:
            if self.free:
                row = self.free.pop()
            else:
                row = len(self.docs)
                if row >= len(self.matrix):
                    grown = np.zeros((max(64, 2 * len(self.matrix)), parts, dimensions), np.float32)
                    grown[: len(self.matrix)] = self.matrix
                    self.matrix = grown
                self.docs.append(None)
            self.rows[doc] = row
            self.docs[row] = doc
        self.matrix[row] = 0.0
        self.matrix[row, : len(vector)] = vector

    def remove(self, doc: DocId) -> None:
        """Forget document `doc` (nothing happens if it has no vector)."""
        row = self.rows.pop(doc, None)
        if row is None:
            return
        self.matrix[row] = 0.0
        self.docs[row] = None
        self.free.append(row)

    def top(self, vector: np.ndarray, k: int) -> list[tuple[DocId, float]]:
        """The `k` documents closest to `vector` by their closest part, best first, with
        those cosines."""
        if not self.rows or k <= 0:
            return []
        used = len(self.docs)
        _, parts, dimensions = self.matrix.shape
        # One matrix-vector product over every part, then the best part of each document.
        scores = (
            (self.matrix[:used].reshape(used * parts, dimensions) @ vector)
            .reshape(used, parts)
            .max(axis=1)
        )
        if self.free:
            scores[self.free] = -np.inf
        k = min(k, len(self.rows))
        best = np.argpartition(-scores, k - 1)[:k] if k < used else np.arange(used)
        best = best[np.argsort(-scores[best], kind="stable")][:k]
        return [(self.docs[i], float(scores[i])) for i in best if self.docs[i] is not None]


@dataclass(frozen=True)
class Hit:
    """One ranked document: its id and its fused score (1.0 for the best possible match)."""

    doc: DocId
    score: float


# The modes of `Ranker.search`: words BM25 alone (the baseline), the two BM25 rankers fused
# (the ranker before embeddings), embeddings alone, and all three fused.
MODES = ("bm25", "lexical", "embedding", "fused")


class Ranker:
    """Words BM25, character n-gram BM25 and embedding cosine, fused by a weighted sum of their
    scores over each one's top `depth` documents, each divided by its best score for the query
    (so all lie in [0, 1]).

    `embed_weight` is the embeddings' share of the whole and `fused_char_weight` shares the
    rest between characters and words; `char_weight` does that when the BM25 rankers are fused
    alone (mode "lexical", or `embed_weight=0`: a purely lexical ranker that never loads the
    model). All were chosen on the CheckThat! 2020 train tweets (bench/suggest.py --tune); the
    dev split and the seeds measure them.

    A document is a main text and an optional secondary one (a proposition's wording and its
    notes; a verified claim and its article's title): words and characters are counted over
    both together, and each is embedded apart (see PARTS).
    """

    def __init__(
        self,
        *,
        char_weight: float = 0.4,
        fused_char_weight: float = FUSED_CHAR_WEIGHT,
        embed_weight: float = EMBED_WEIGHT,
        depth: int = 100,
        char_sizes: tuple[int, ...] = (4,),
        char_max_df: float = 0.05,
    ) -> None:
        self.words = Bm25(word_counts)
        self.chars = Bm25(lambda text: char_ngram_counts(text, char_sizes), max_df=char_max_df)
        self.vectors = Vectors()
        self.char_weight = char_weight
        self.fused_char_weight = fused_char_weight
        self.embed_weight = embed_weight
        self.depth = depth

    @property
    def embeds(self) -> bool:
        """Whether documents and queries are embedded."""
        return self.embed_weight > 0

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, doc: DocId) -> bool:
        return doc in self.words

    def add(
        self,
        doc: DocId,
        text: str,
        vector: np.ndarray | None = None,
        *,
        secondary: str = "",
        embed: bool = True,
    ) -> None:
        """Index or re-index one document, its main `text` and its `secondary` text if any.
        Its parts' embeddings (one row each, main first) are computed unless given, or unless
        `embed` is false (the document then has no vector until `vectors.add` gives one)."""
        if vector is None and embed and self.embeds:
            vector = _embed(list(document_parts(text, secondary)))
        joined = proposition_document(text, secondary)
        self.words.add(doc, joined)
        self.chars.add(doc, joined)
        if vector is not None:
            self.vectors.add(doc, vector)
        else:
            self.vectors.remove(doc)

    def add_many(
        self,
        documents: Iterable[tuple[DocId, str] | tuple[DocId, str, str]],
        vectors: Sequence[np.ndarray] | None = None,
    ) -> None:
        """Index many documents, each (id, text) or (id, text, secondary), for a first load:
        their parts are embedded in batches unless `vectors` gives them (one entry per
        document, in order: its parts' rows, or a single vector for a main text alone)."""
        documents = [(doc, text, rest[0] if rest else "") for doc, text, *rest in documents]
        if vectors is None and self.embeds:
            vectors = embed_documents([(text, secondary) for _, text, secondary in documents])
        for n, (doc, text, secondary) in enumerate(documents):
            self.add(doc, text, None if vectors is None else vectors[n], secondary=secondary)

    def remove(self, doc: DocId) -> None:
        """Forget one document."""
        self.words.remove(doc)
        self.chars.remove(doc)
        self.vectors.remove(doc)

    def search(
        self,
        text: str,
        k: int = 5,
        *,
        fused: bool = True,
        mode: str | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The `k` documents most likely to match `text`, best first. `mode` is one of MODES
        (default "fused", or "bm25" when `fused=False`); `vector` is the query's embedding when
        the caller has it already."""
        mode = mode or ("fused" if fused else "bm25")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if mode == "fused" and not self.embeds:
            mode = "lexical"
        if mode == "bm25":
            word_top = self.words.top(text, k)
            best = word_top[0][1] if word_top else 1.0
            return [Hit(doc, score / best) for doc, score in word_top]
        lists = self.candidates(text, mode, vector)
        char_weight = self.fused_char_weight if mode == "fused" else self.char_weight
        embed_weight = {"lexical": 0.0, "embedding": 1.0}.get(mode, self.embed_weight)
        return fuse(lists, k, char_weight=char_weight, embed_weight=embed_weight)

    def candidates(
        self, text: str, mode: str = "fused", vector: np.ndarray | None = None
    ) -> Candidates:
        """Each ranker's top `depth` documents for `text` (those `mode` uses; others empty)."""
        words = chars = near = []
        if mode in ("lexical", "fused"):
            words = self.words.top(text, self.depth)
            chars = self.chars.top(text, self.depth)
        if mode in ("embedding", "fused") and len(self.vectors):
            if vector is None:
                vector = _embed([text])[0]
            # Only documents pointing the same way as the query count (cosine above 0).
            near = [
                (doc, score) for doc, score in self.vectors.top(vector, self.depth) if score > 0
            ]
        return Candidates(words, chars, near)


@dataclass(frozen=True)
class Candidates:
    """The top documents of each ranker for one query, best first, with raw scores."""

    words: list[tuple[DocId, float]]
    chars: list[tuple[DocId, float]]
    embedding: list[tuple[DocId, float]]


def fuse(lists: Candidates, k: int, *, char_weight: float, embed_weight: float) -> list[Hit]:
    """The weighted sum of each ranker's scores divided by its best one: words weigh
    (1 - embed_weight)(1 - char_weight), characters (1 - embed_weight) char_weight, and the
    embedding cosine embed_weight. The `k` best, best first."""
    lexical = 1.0 - embed_weight
    combined: dict[DocId, float] = {}
    for ranked, weight in (
        (lists.words, lexical * (1.0 - char_weight)),
        (lists.chars, lexical * char_weight),
        (lists.embedding, embed_weight),
    ):
        if not ranked or not weight:
            continue
        best = ranked[0][1] or 1.0
        for doc, score in ranked:
            combined[doc] = combined.get(doc, 0.0) + weight * score / best
    top = heapq.nlargest(k, combined.items(), key=lambda item: item[1])
    return [Hit(doc, round(score, 4)) for doc, score in top]


def _embed(texts: list[str]) -> np.ndarray:
    from .embedding import embed  # loads the model on first use only

    return embed(texts)


def document_parts(text: str, secondary: str = "") -> tuple[str, ...]:
    """The texts embedded for a document, main first: a secondary text only if there is one."""
    return (text, secondary) if secondary else (text,)


def embed_documents(documents: Sequence[tuple[str, str]]) -> list[np.ndarray]:
    """The embeddings of many (text, secondary) documents' parts, computed in one batch: one
    array of rows per document, main part first."""
    parts = [document_parts(text, secondary) for text, secondary in documents]
    flat = _embed([part for each in parts for part in each]) if parts else None
    result, start = [], 0
    for each in parts:
        result.append(flat[start : start + len(each)])
        start += len(each)
    return result


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' character 4-gram counts, in [0, 1]: an absolute
    measure of how close two wordings are, used to call a proposition a near-duplicate."""
    x, y = char_ngram_counts(a), char_ngram_counts(b)
    if not x or not y:
        return 0.0
    dot = sum(count * y.get(gram, 0) for gram, count in x.items())
    norm = math.sqrt(sum(v * v for v in x.values()) * sum(v * v for v in y.values()))
    return dot / norm
