"""Full-text search over published claims, propositions and sources.

On PostgreSQL it matches the stored `search_vector` columns (migration 0005, GIN-indexed) with
`websearch_to_tsquery`, ranked by `ts_rank`. On SQLite, which has no stored vectors, every word of
the query must occur in the text (case-insensitive substring match): slower on a large corpus, the
same results on a small one for plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, Proposition, Source

MAX_QUERY_LENGTH = 200
RANK_WINDOW = 1000
_TSQUERY = "websearch_to_tsquery('english', %s)"
_WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)

# Columns each model's fallback searches, and its table for the stored vector.
_FIELDS = {
    Claim: ("claims_claim", ["quote", "note"]),
    Proposition: ("claims_proposition", ["text", "notes"]),
    Source: ("claims_source", ["title", "body"]),
}


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, without operators or punctuation."""
    return [word.lower() for word in _WORD.findall(query[:MAX_QUERY_LENGTH])]


def uses_stored_vectors() -> bool:
    return connection.vendor == "postgresql"


def matches(queryset: QuerySet, query: str) -> QuerySet:
    """Filter `queryset` to the rows matching `query`, in no particular order (for callers that
    order and paginate themselves). An empty query matches nothing."""
    words = terms(query)
    if not words:
        return queryset.none()
    table, fields = _FIELDS[queryset.model]
    if uses_stored_vectors():
        return queryset.filter(
            RawSQL(
                f"{table}.search_vector @@ {_TSQUERY}",
                [" ".join(words)],
                output_field=BooleanField(),
            )
        )
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


def matching(queryset: QuerySet, query: str) -> QuerySet:
    """The rows matching `query`, best first.

    On PostgreSQL the ranking (`ts_rank`) runs over the RANK_WINDOW most recent matches: a
    word found in a quarter of a million claims would otherwise be ranked a quarter of a million
    times for a page of 25. Up to RANK_WINDOW matches this is the full ranking (the window is
    counted over the whole table, so a draft among the most recent matches takes a place in it).
    On SQLite matches come in id order.
    """
    found = matches(queryset, query)
    words = terms(query)
    if not words:
        return found
    if not uses_stored_vectors():
        return found.order_by("pk")
    table, _ = _FIELDS[queryset.model]
    # The window is read from the table alone (a GIN lookup for a rare word, a short walk down
    # the primary key for a common one); `queryset` then applies its own conditions to it.
    window = RawSQL(
        f"SELECT id FROM {table} WHERE search_vector @@ {_TSQUERY} ORDER BY id DESC LIMIT %s",
        [" ".join(words), RANK_WINDOW],
    )
    return (
        queryset.filter(pk__in=window)
        .annotate(
            rank=RawSQL(
                f"ts_rank({table}.search_vector, {_TSQUERY})",
                [" ".join(words)],
                output_field=FloatField(),
            )
        )
        .order_by("-rank", "pk")
    )


def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap the words that match the query (or share its stem) in <mark>."""
    words = terms(query)
    if not words:
        return escape(text)
    # A word matches when it starts like a query term: "sanction" marks "sanctions".
    stems = sorted({w[: max(3, len(w) - 2)] if len(w) > 4 else w for w in words}, key=len)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(s) for s in reversed(stems)) + r")[\w'’-]*", re.IGNORECASE
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


@dataclass
class Results:
    query: str
    claims: list[Claim]
    propositions: list[Proposition]
    sources: list[Source]

    @property
    def total(self) -> int:
        return len(self.claims) + len(self.propositions) + len(self.sources)


def search(query: str, *, limit: int = 25) -> Results:
    """Published claims, propositions and sources matching `query` (at most `limit` of each)."""
    claims = matching(Claim.objects.published().with_source("source__publisher", "speaker"), query)
    propositions = matching(Proposition.objects.published(), query)
    sources = matching(Source.objects.published().select_related("publisher"), query)
    return Results(
        query=query,
        claims=list(claims[:limit]),
        propositions=list(propositions[:limit]),
        sources=list(sources.defer("body", "blocks", "provenance")[:limit]),
    )
