"""Search over published claims, propositions and sources.

Which words find which is decided by `claims.wording` (folding, Snowball stemming, prefixes,
spelling variants of long words); each backend applies those rules in its own way:

- PostgreSQL matches each query word against the stored `search_vector` (configuration
  `claims_search`: English stems of unaccented words, migration 0014) as a prefix of a stem,
  or, for a long word, against the text itself by pg_trgm's strict word similarity (trigram
  GIN indexes, same migration), and ranks by `ts_rank`.
- SQLite calls `claims.wording` itself for each row (the function `claims_term_in`, registered
  by `claims.backends.sqlite3`): a full scan, fine for the corpus sizes SQLite serves.

Every word of the query must be found in a row. Editors' notes (a claim's note, a proposition's
notes: weight C in the vector) are searched only for editors; the public never finds a row by
words it cannot see. The highlighter marks words by the same rules, so a result always shows
what it was found by.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims import wording
from claims.models import Claim, Proposition, Source, Stance, Topic

MAX_QUERY_LENGTH = 200
RANK_WINDOW = 1000
TS_CONFIG = "claims_search"
EXCERPT_LENGTH = 240


@dataclass(frozen=True)
class _Searched:
    table: str
    public: tuple[str, ...]  # columns anyone may search
    notes: tuple[str, ...]  # editors' columns, searched for editors only
    public_weights: str  # the vector's weights of the public columns


_SEARCHED = {
    Claim: _Searched("claims_claim", ("quote",), ("note",), "A"),
    Proposition: _Searched("claims_proposition", ("text",), ("notes",), "A"),
    Source: _Searched("claims_source", ("title", "body"), (), "AB"),
}


def terms(query: str) -> list[wording.Term]:
    """The searchable words of a query (at most MAX_QUERY_LENGTH characters of it)."""
    return wording.terms(query[:MAX_QUERY_LENGTH])


def uses_stored_vectors() -> bool:
    return connection.vendor == "postgresql"


def _prefix_query(term: wording.Term, weights: str) -> str:
    # Folded words are made of word characters only: nothing to escape in a tsquery literal.
    return f"'{term.word}':*{weights}"


def _condition(
    searched: _Searched, query_terms: list[wording.Term], *, editor: bool, variants: bool = True
):
    """SQL that is true for a row of `searched.table` in which every term is found; with
    `variants=False` (PostgreSQL), found as a word or a word's prefix only, not by spelling."""
    columns = searched.public + (searched.notes if editor else ())
    weights = "" if editor else searched.public_weights
    table = searched.table
    parts, params = [], []
    for term in query_terms:
        if uses_stored_vectors():
            tsquery = _prefix_query(term, weights)
            either = [
                # A word PostgreSQL drops as a stop word asks for nothing.
                f"numnode(to_tsquery('{TS_CONFIG}', %s)) = 0",
                f"{table}.search_vector @@ to_tsquery('{TS_CONFIG}', %s)",
            ]
            params += [tsquery, tsquery]
            if term.fuzzy and variants:
                for column in columns:
                    either.append(f"%s <<%% {table}.{column}")
                    params.append(term.word)
        else:
            either = []
            for column in columns:
                either.append(f"claims_term_in({table}.{column}, %s)")
                params.append(term.word)
        parts.append("(" + " OR ".join(either) + ")")
    return " AND ".join(parts), params


def matches(queryset: QuerySet, query: str, *, editor: bool = False) -> QuerySet:
    """Filter `queryset` to the rows in which every word of `query` is found, in no particular
    order (for callers that order and paginate themselves). An empty query matches nothing.
    `editor` adds editors' notes to what is searched."""
    query_terms = terms(query)
    if not query_terms:
        return queryset.none()
    sql, params = _condition(_SEARCHED[queryset.model], query_terms, editor=editor)
    return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))


def matching(queryset: QuerySet, query: str, *, editor: bool = False) -> QuerySet:
    """The rows matching `query`, best first.

    On PostgreSQL the ranking (`ts_rank`) runs over the RANK_WINDOW most recent matches: a
    word found in a quarter of a million claims would otherwise be ranked a quarter of a million
    times for a page of 25. Up to RANK_WINDOW matches this is the full ranking (the window is
    counted over the whole table, so a draft among the most recent matches takes a place in it).
    When the words themselves are found in RANK_WINDOW rows or more, the window holds those
    rows and spelling variants are not looked for: a row found only by a variant ranks at the
    bottom (its words are not in the vector), and comparing every recent row's text letter by
    letter is what made a common word slow. On SQLite matches come in id order.
    """
    found = matches(queryset, query, editor=editor)
    query_terms = terms(query)
    if not query_terms or not uses_stored_vectors():
        return found.order_by("pk")
    searched = _SEARCHED[queryset.model]
    sql, params = _condition(searched, query_terms, editor=editor)
    exact, exact_params = _condition(searched, query_terms, editor=editor, variants=False)
    table = searched.table
    # The window is read from the table alone (index lookups for a rare word, a short walk
    # down the primary key for a common one); `queryset` then applies its own conditions. The
    # second half runs only when the words alone fill less than the window (PostgreSQL
    # evaluates the count once, before it, and skips it otherwise).
    recent_exact = f"SELECT id FROM {table} WHERE {exact} ORDER BY id DESC LIMIT %s"
    window = RawSQL(
        f"SELECT id FROM ({recent_exact}) exact_window "
        f"UNION SELECT id FROM (SELECT id FROM {table} WHERE {sql} ORDER BY id DESC LIMIT %s) "
        f"found_window WHERE (SELECT count(*) FROM ({recent_exact}) counted) < %s",
        [*exact_params, RANK_WINDOW, *params, RANK_WINDOW, *exact_params, RANK_WINDOW, RANK_WINDOW],
    )
    weights = "" if editor else searched.public_weights
    any_term = " | ".join(_prefix_query(term, weights) for term in query_terms)
    return (
        queryset.filter(pk__in=window)
        .annotate(
            rank=RawSQL(
                f"ts_rank({searched.table}.search_vector, to_tsquery('{TS_CONFIG}', %s))",
                [any_term],
                output_field=FloatField(),
            )
        )
        .order_by("-rank", "pk")
    )


def _marked(text: str, found: list[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in found:
        parts.append(escape(text[last:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    parts.append(escape(text[last:]))
    return "".join(parts)


def highlight_spans(text: str, query_terms: list[wording.Term]) -> str:
    return _marked(text, wording.found_spans(text, query_terms))


def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap the words the query finds in <mark>."""
    return mark_safe(highlight_spans(text, terms(query)))


def excerpt(text: str, query: str, length: int = EXCERPT_LENGTH) -> SafeString:
    """About `length` characters of `text` around the first word the query finds, cut at word
    boundaries, an ellipsis where text is left out, the found words marked. Empty if the query
    finds nothing in `text`.

    Only the words up to the first one found, and then the window around it, are read: a
    source's whole text is many thousand words, and the excerpt shows a few dozen."""
    query_terms = terms(query)
    first_found = next(wording.each_found_span(text, query_terms), None)
    if first_found is None:
        return mark_safe("")
    start, end = excerpt_window(text, *first_found, length)
    # The window is cut at spaces (or at the found word itself), so its words are the text's.
    body = highlight_spans(text[start:end], query_terms)
    return mark_safe(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))


def excerpt_window(text: str, first: int, first_end: int, length: int) -> tuple[int, int]:
    """(start, end) of about `length` characters of `text` around the found word at
    `first`:`first_end`, a third of them before it, cut at spaces."""
    start = max(0, first - length // 3)
    end = min(len(text), start + length)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else first
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space >= 0 else first_end
    return start, end


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to. Stance and attribution describe claims: with either set,
    only claims are listed."""

    topic: Topic | None = None
    source: Source | None = None
    stance: str = ""
    attribution: str = ""

    @property
    def claims_only(self) -> bool:
        return bool(self.stance or self.attribution)

    @property
    def any(self) -> bool:
        return bool(self.topic or self.source or self.stance or self.attribution)


def _filtered_claims(claims: QuerySet, filters: Filters) -> QuerySet:
    if filters.source is not None:
        claims = claims.filter(source=filters.source)
    if filters.attribution:
        claims = claims.filter(attribution=filters.attribution)
    if filters.topic is not None or filters.stance:
        # One stance must satisfy both: "supports a proposition of this topic".
        stances = Stance.objects.filter(claim=OuterRef("pk"))
        if filters.topic is not None:
            stances = stances.filter(proposition__topics=filters.topic)
        if filters.stance:
            stances = stances.filter(label=filters.stance)
        claims = claims.filter(Exists(stances))
    return claims


@dataclass
class Results:
    query: str
    claims: list[Claim]
    propositions: list[Proposition]
    sources: list[Source]
    filters: Filters = field(default_factory=Filters)

    @property
    def total(self) -> int:
        return len(self.claims) + len(self.propositions) + len(self.sources)


def search(
    query: str, *, limit: int = 25, editor: bool = False, filters: Filters | None = None
) -> Results:
    """Published claims, propositions and sources matching `query` (at most `limit` of each),
    narrowed by `filters`. `editor` also searches editors' notes."""
    filters = filters or Filters()
    claims = _filtered_claims(
        Claim.objects.published().with_source("source__publisher", "speaker"), filters
    )
    claims = list(matching(claims, query, editor=editor)[:limit])
    propositions: list[Proposition] = []
    sources: list[Source] = []
    if not filters.claims_only:
        props = Proposition.objects.published()
        if filters.topic is not None:
            props = props.filter(topics=filters.topic)
        if filters.source is not None:
            stances = Stance.objects.filter(
                proposition=OuterRef("pk"), claim__source=filters.source
            )
            props = props.filter(Exists(stances))
        propositions = list(matching(props, query, editor=editor)[:limit])
        found = Source.objects.published().select_related("publisher")
        if filters.source is not None:
            found = found.filter(pk=filters.source.pk)
        if filters.topic is not None:
            found = found.filter(
                Exists(
                    Stance.objects.filter(
                        claim__source=OuterRef("pk"), proposition__topics=filters.topic
                    )
                )
            )
        sources = list(matching(found, query, editor=editor).defer("blocks", "provenance")[:limit])
    return Results(
        query=query, claims=claims, propositions=propositions, sources=sources, filters=filters
    )
