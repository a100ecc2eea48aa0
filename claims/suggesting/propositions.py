"""The propositions index: one per process, kept in step with the database.

Every process (each gunicorn worker) holds its own `Ranker` over the propositions. Before a
suggestion it reads one marker, the number of propositions and their latest `modified` time
(one aggregate query). When the marker moved, only the propositions modified since the last
sync (with a margin for transactions that committed late) are re-indexed, and deleted ones are
found by comparing ids only when the counts disagree. Nothing is rebuilt for one change, and
no process has to be told: the database is the one source of truth.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Max

from claims.models import Proposition

from .ranking import Ranker, similarity
from .text import proposition_document as document

logger = logging.getLogger(__name__)

# Rows modified this long before the last marker are read again at each sync: a transaction
# that began earlier may commit after the marker was read, with an older `modified`.
LATE_COMMIT_MARGIN = timedelta(minutes=2)
# Wordings at least this similar (cosine of character 4-grams) are near-duplicates.
DUPLICATE_SIMILARITY = 0.6
MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class Suggestion:
    """One proposition ranked for a text."""

    proposition: Proposition
    score: float  # fused ranker score, 1.0 for the best match of this query
    similarity: float  # how close the wordings are, in [0, 1], comparable across queries


class PropositionIndex:
    """A ranker over every proposition, synced lazily from the database."""

    def __init__(self) -> None:
        self.ranker = Ranker()
        self._fingerprints: dict[int, int] = {}
        self._marker: tuple[int, datetime | None] | None = None
        self._lock = threading.Lock()

    def sync(self) -> None:
        """Bring the index up to date (one query when nothing changed)."""
        marker_row = Proposition.objects.aggregate(count=Count("pk"), latest=Max("modified"))
        marker = (marker_row["count"], marker_row["latest"])
        if marker == self._marker:
            return
        with self._lock:
            if marker == self._marker:
                return
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
                unseen = existing - set(self._fingerprints)
                if unseen:
                    self._index_rows(
                        Proposition.objects.filter(pk__in=unseen).values_list("pk", "text", "notes")
                    )
            self._marker = marker

    def _index_rows(self, rows) -> None:
        for pk, text, notes in rows.iterator(chunk_size=2000):
            doc = document(text, notes)
            fingerprint = hash(doc)
            if self._fingerprints.get(pk) != fingerprint:
                self.ranker.add(pk, doc)
                self._fingerprints[pk] = fingerprint

    def ranked(self, text: str, k: int) -> list[tuple[int, float]]:
        """Ids and scores of the `k` propositions most likely to match `text`."""
        self.sync()
        return [(hit.doc, hit.score) for hit in self.ranker.search(text, k)]


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


def warm_in_background() -> threading.Thread:
    """Sync this process's index in a daemon thread (called when a gunicorn worker starts).
    A failure is logged and left for the first suggestion to retry."""

    def warm() -> None:
        try:
            proposition_index().sync()
        except Exception:
            logger.exception("The proposition index could not be built in the background.")
        finally:
            connection.close()

    thread = threading.Thread(target=warm, name="proposition-index", daemon=True)
    thread.start()
    return thread
