"""The sentences of a source most likely to bear on a proposition: the silence check.

The lexical part of the ranker for propositions (words and character n-gram BM25), with the
source's sentences as the documents; built per request (a source has a few hundred sentences
at most, indexed in milliseconds). Not the embeddings: a source's sentences would have to be
embedded at each request, a second or more of CPU for a long text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ranking import Ranker

# A sentence ends at . ! ? (with any closing quote or bracket) before white space, or at a
# line break; abbreviations cut a sentence short now and then, which only splits a candidate.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'’”)\]])\s+|\n+")


@dataclass(frozen=True)
class Sentence:
    """A sentence as a span of the text (code points, like claims)."""

    start: int
    end: int
    text: str


def split_sentences(body: str) -> list[Sentence]:
    """The sentences of `body`, trimmed of surrounding white space, with their offsets."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(body):
        _append(sentences, body, start, match.start())
        start = match.end()
    _append(sentences, body, start, len(body))
    return sentences


def _append(sentences: list[Sentence], body: str, start: int, end: int) -> None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end, body[start:end]))


@dataclass(frozen=True)
class RankedSentence:
    sentence: Sentence
    score: float


def likely_sentences(body: str, query: str, *, k: int = 5) -> list[RankedSentence]:
    """The `k` sentences of `body` most likely to bear on `query`, in the order of the text.

    Sentences sharing no term with the query are never returned, so a short list is itself a
    hint that the source is silent.
    """
    sentences = split_sentences(body)
    ranker = Ranker(embed_weight=0.0)
    ranker.add_many(enumerate(s.text for s in sentences))
    hits = ranker.search(query, k)
    return sorted(
        (RankedSentence(sentences[hit.doc], hit.score) for hit in hits if hit.score > 0),
        key=lambda ranked: ranked.sentence.start,
    )
