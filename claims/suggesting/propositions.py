"""The propositions index: one per process, kept in step with the database.

Every process (each gunicorn worker) holds its own `Ranker` over the propositions. Before a
suggestion it reads one marker, the number of propositions and their latest `modified` time
(one aggregate query). When the marker moved, only the propositions modified since the last
sync (with a margin for transactions that committed late) are re-indexed, and deleted ones are
found by comparing ids only when the counts disagree. Nothing is rebuilt for one change, and
no process has to be told: the database is the one source of truth.

Each proposition's sentence embeddings, its wording's and its notes' (embedded apart, see
ranking.PARTS), are stored in the database (PropositionVector, with the model's name and a hash
of the texts embedded): a process starting up reads the vectors instead of computing them, and
only a proposition without current vectors (new, reworded, with new notes, or embedded by
another model) is embedded, in batches, and its vectors stored for every other process. A
request embeds at most EMBED_PER_REQUEST of them; beyond that (a bulk import, the first start
after an upgrade) the rest wait for the background sync of a starting worker or for
`manage.py embed_propositions`, and are ranked by the BM25 rankers alone meanwhile. Only one
worker at a time embeds in the background (it holds EMBEDDING_TURN in the shared cache); the
others index the stored vectors and pick up the new ones as they are stored.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max

from claims.models import Proposition, PropositionVector

from .embedding import MODEL_NAME, ModelUnavailable, embed
from .ranking import Ranker, document_parts, similarity

logger = logging.getLogger(__name__)

# Rows modified this long before the last marker are read again at each sync: a transaction
# that began earlier may commit after the marker was read, with an older `modified`.
LATE_COMMIT_MARGIN = timedelta(minutes=2)
# Wordings at least this similar (cosine of character 4-grams) are near-duplicates.
DUPLICATE_SIMILARITY = 0.6
MAX_SUGGESTIONS = 20
# Propositions embedded within one request's sync at most; the others wait (see above).
EMBED_PER_REQUEST = 64
# The shared cache key a worker holds while it embeds every missing proposition, and for how
# long at most (a worker that dies leaves it to expire): 25,000 propositions take minutes of
# CPU, which one worker should spend, not every worker of every server at once.
EMBEDDING_TURN = "suggesting:embedding-turn"
EMBEDDING_TURN_SECONDS = 30 * 60
EMBED_BATCH = 256


@dataclass(frozen=True)
class Suggestion:
    """One proposition ranked for a text."""

    proposition: Proposition
    score: float  # fused ranker score, 1.0 for the best match of this query
    similarity: float  # how close the wordings are, in [0, 1], comparable across queries


def text_hash(parts: tuple[str, ...]) -> str:
    """What identifies the texts a proposition's vectors were computed from (its wording, and
    its notes if any). A wording alone hashes as itself."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4").astype(np.float32)


def vectors_from(wording: bytes | memoryview, notes: bytes | memoryview | None) -> np.ndarray:
    """A proposition's stored vectors as rows, the wording's first."""
    rows = [vector_from(wording)] + ([vector_from(notes)] if notes is not None else [])
    return np.stack(rows)


def store_vectors(items: list[tuple[int, tuple[str, ...], str]]) -> list[np.ndarray]:
    """Embed each (pk, texts, hash of the texts), the texts being the wording and the notes if
    any, and store the vectors; returns them, one array of rows per item. A proposition
    deleted meanwhile gets no row."""
    flat = embed([text for _, parts, _ in items for text in parts])
    vectors, start = [], 0
    for _, parts, _ in items:
        vectors.append(flat[start : start + len(parts)])
        start += len(parts)
    existing = set(
        Proposition.objects.filter(pk__in=[pk for pk, _, _ in items]).values_list("pk", flat=True)
    )
    PropositionVector.objects.bulk_create(
        [
            PropositionVector(
                proposition_id=pk,
                model=MODEL_NAME,
                text_hash=digest,
                vector=vector_bytes(rows[0]),
                notes_vector=vector_bytes(rows[1]) if len(rows) > 1 else None,
            )
            for (pk, _, digest), rows in zip(items, vectors, strict=True)
            if pk in existing
        ],
        update_conflicts=True,
        unique_fields=["proposition"],
        update_fields=["model", "text_hash", "vector", "notes_vector", "computed"],
    )
    return vectors


def embed_missing(*, batch: int = EMBED_BATCH) -> int:
    """Compute and store the vectors of every proposition that lacks current ones (new,
    reworded, with new notes, or embedded by another model); returns how many. Used by
    `manage.py embed_propositions`; the index does the same lazily."""
    current = dict(
        PropositionVector.objects.filter(model=MODEL_NAME).values_list(
            "proposition_id", "text_hash"
        )
    )
    missing = []
    for pk, text, notes in Proposition.objects.values_list("pk", "text", "notes").iterator(
        chunk_size=2000
    ):
        parts = document_parts(text, notes)
        digest = text_hash(parts)
        if current.get(pk) != digest:
            missing.append((pk, parts, digest))
    for start in range(0, len(missing), batch):
        store_vectors(missing[start : start + batch])
    return len(missing)


class PropositionIndex:
    """A ranker over every proposition, synced lazily from the database."""

    def __init__(self) -> None:
        self.ranker = Ranker()
        self._fingerprints: dict[int, int] = {}
        self._marker: tuple[int, datetime | None] | None = None
        # Propositions indexed without vectors yet: pk → (wording, notes).
        self._unembedded: dict[int, tuple[str, str]] = {}
        self._lock = threading.Lock()

    @property
    def unembedded(self) -> int:
        """How many indexed propositions have no vectors yet (ranked by BM25 alone)."""
        return len(self._unembedded)

    def sync(self, *, embed_limit: int | None = EMBED_PER_REQUEST) -> None:
        """Bring the index up to date (one query when nothing changed). At most
        `embed_limit` propositions are embedded (None: all that need it)."""
        marker_row = Proposition.objects.aggregate(count=Count("pk"), latest=Max("modified"))
        marker = (marker_row["count"], marker_row["latest"])
        if marker == self._marker and not self._unembedded:
            return
        with self._lock:
            if marker != self._marker:
                self._sync_rows(marker)
            if self._unembedded:
                try:
                    self._attach_vectors(embed_limit)
                except ModelUnavailable:
                    logger.exception("Propositions are ranked without embeddings.")
                    self._unembedded.clear()

    def _sync_rows(self, marker: tuple[int, datetime | None]) -> None:
        rows = Proposition.objects.values_list("pk", "text", "notes")
        previous = self._marker[1] if self._marker is not None else None
        # Incremental when time moved forward; a latest `modified` that went back (a
        # restore, a bulk load with historical timestamps) means rows were replaced
        # wholesale: read them all, re-indexing only those whose document changed.
        if previous is not None and marker[1] is not None and marker[1] >= previous:
            rows = rows.filter(modified__gte=previous - LATE_COMMIT_MARGIN)
        self._index_rows(rows)
        if len(self._fingerprints) != marker[0]:
            # Rows came or went without moving the marker forward (deleted, or written
            # with old timestamps): reconcile by id.
            existing = set(Proposition.objects.values_list("pk", flat=True))
            for pk in set(self._fingerprints) - existing:
                self.ranker.remove(pk)
                del self._fingerprints[pk]
                self._unembedded.pop(pk, None)
            unseen = existing - set(self._fingerprints)
            if unseen:
                self._index_rows(
                    Proposition.objects.filter(pk__in=unseen).values_list("pk", "text", "notes")
                )
        self._marker = marker

    def _index_rows(self, rows) -> None:
        """Re-index the rows whose wording or notes changed; their vectors are attached next."""
        for pk, text, notes in rows.iterator(chunk_size=2000):
            fingerprint = hash((text, notes))
            if self._fingerprints.get(pk) != fingerprint:
                # Indexed for words and characters now, without vectors until attached.
                self.ranker.add(pk, text, secondary=notes, embed=False)
                self._fingerprints[pk] = fingerprint
                self._unembedded[pk] = (text, notes)

    def _attach_vectors(self, embed_limit: int | None) -> None:
        """Stored vectors for the propositions that lack one in the index; the missing or
        stale ones embedded (at most `embed_limit`) and stored."""
        pending = list(self._unembedded.items())
        missing: list[tuple[int, tuple[str, ...], str]] = []
        for start in range(0, len(pending), 2000):
            chunk = dict(pending[start : start + 2000])
            stored = PropositionVector.objects.filter(
                proposition_id__in=list(chunk), model=MODEL_NAME
            ).values_list("proposition_id", "text_hash", "vector", "notes_vector")
            current = {pk: (digest, wording, notes) for pk, digest, wording, notes in stored}
            for pk, (text, notes) in chunk.items():
                parts = document_parts(text, notes)
                digest = text_hash(parts)
                found = current.get(pk)
                if found is not None and found[0] == digest:
                    self.ranker.vectors.add(pk, vectors_from(found[1], found[2]))
                    del self._unembedded[pk]
                else:
                    missing.append((pk, parts, digest))
        if embed_limit is not None:
            missing = missing[:embed_limit]
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            for (pk, _, _), vector in zip(batch, store_vectors(batch), strict=True):
                self.ranker.vectors.add(pk, vector)
                self._unembedded.pop(pk, None)

    def ranked(self, text: str, k: int) -> list[tuple[int, float]]:
        """Ids and scores of the `k` propositions most likely to match `text`."""
        self.sync()
        try:
            hits = self.ranker.search(text, k)
        except ModelUnavailable:
            hits = self.ranker.search(text, k, mode="lexical")
        return [(hit.doc, hit.score) for hit in hits]


_index = PropositionIndex()


def proposition_index() -> PropositionIndex:
    """This process's index of the propositions."""
    return _index


def suggest(text: str, *, k: int = 5) -> list[Suggestion]:
    """The `k` existing propositions `text` most likely bears on, best first (two queries
    when the index is current: the marker and the propositions themselves)."""
    text = text.strip()
    if not text:
        return []
    ranked = proposition_index().ranked(text, min(k, MAX_SUGGESTIONS))
    found = Proposition.objects.in_bulk([pk for pk, _ in ranked])
    return [
        Suggestion(found[pk], score, round(similarity(text, found[pk].text), 4))
        for pk, score in ranked
        if pk in found
    ]


def near_duplicates(text: str, *, exclude: int | None = None, k: int = 5) -> list[Suggestion]:
    """Existing propositions whose wording is close to `text` (most similar first)."""
    candidates = [s for s in suggest(text, k=10) if s.proposition.pk != exclude]
    close = [s for s in candidates if s.similarity >= DUPLICATE_SIMILARITY]
    return sorted(close, key=lambda s: -s.similarity)[:k]


def warm_index() -> None:
    """Sync this process's index: the stored vectors first, then, if no other worker is
    doing it (the turn is free), every missing vector embedded and stored."""
    index = proposition_index()
    index.sync(embed_limit=0)
    if index.unembedded and cache.add(EMBEDDING_TURN, True, EMBEDDING_TURN_SECONDS):
        try:
            index.sync(embed_limit=None)
        finally:
            cache.delete(EMBEDDING_TURN)


def warm_in_background() -> threading.Thread:
    """`warm_index` in a daemon thread (called when a gunicorn worker starts). A failure is
    logged and left for the first suggestion to retry."""

    def warm() -> None:
        try:
            warm_index()
        except Exception:
            logger.exception("The proposition index could not be built in the background.")
        finally:
            connection.close()

    thread = threading.Thread(target=warm, name="proposition-index", daemon=True)
    thread.start()
    return thread
