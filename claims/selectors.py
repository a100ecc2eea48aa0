"""Reads for the public pages and the API: what sources say, compared.

Everything here starts from published sources only, fetches stances in one query per question,
and hands plain rows to `claims.positions` for the arithmetic, so that the pages and the API show
the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from claims import freshness, positions
from claims.models import (
    Authorship,
    Claim,
    Proposition,
    PropositionSummary,
    Source,
    Stance,
    Topic,
)
from claims.models.annotations import AnchorState, ClaimAttribution, ClaimKind

# A stance as the tuple `positions.tally` reads, straight from the database.
QUOTE_COLUMNS = ("claim__source_id", "proposition_id", "claim_id", "label", "claim__attribution")

# A stance with what a page prints of its claim, as one row (`stance_rows`).
STANCE_COLUMNS = (
    "proposition_id",
    "label",
    "claim_id",
    "claim__source_id",
    "claim__start",
    "claim__end",
    "claim__quote",
    "claim__kind",
    "claim__attribution",
    "claim__note",
    "claim__speaker__name",
    "claim__speaker__slug",
)
# Stances in the order of their sources (Source.Meta.ordering), then of their claims.
SOURCE_FIRST = (
    "-claim__source__published_on",
    "claim__source__title",
    "claim__source_id",
    "claim__start",
    "claim__end",
    "claim_id",
    "proposition_id",
)
# The columns of a source that no comparison prints.
SOURCE_TEXT = ("body", "blocks", "provenance")


class Speaker(NamedTuple):
    name: str
    slug: str


@dataclass(slots=True)
class Quote:
    """A quoted claim as the pages print it, read from a row: reading thousands of stances
    for a matrix builds no model instance per claim or stance."""

    pk: int
    start: int
    end: int
    quote: str
    kind: str
    attribution: str
    note: str
    speaker: Speaker | None

    def get_kind_display(self) -> str:
        return str(ClaimKind(self.kind).label)

    def get_attribution_display(self) -> str:
        return str(ClaimAttribution(self.attribution).label)


def stance_rows(stances: QuerySet[Stance]) -> list[tuple]:
    """The stances (already narrowed to published ones) as STANCE_COLUMNS rows, one query."""
    return list(stances.values_list(*STANCE_COLUMNS).order_by())


def published_stance_rows(**where) -> list[tuple]:
    """Rows of the published stances matching `where` (ORM lookups)."""
    return stance_rows(Stance.objects.published().filter(**where))


def quotes_of(rows: Iterable[tuple]) -> list[tuple[int, int, int, str, str]]:
    """STANCE_COLUMNS rows as the plain tuples `positions.tally` reads."""
    return [(row[3], row[0], row[2], row[1], row[8]) for row in rows]


@dataclass
class Cell:
    """What one source says on one proposition: its position and the claims it rests on.

    `position` is the position's label, or None when the source only reports others' views
    (or gives counterpoints, background) on it; `evidence` keeps the counts, lean and quotes.
    `claims` holds every quoted claim, those set aside included, in text order.
    """

    position: str | None
    claims: list[Claim] = field(default_factory=list)
    labels: dict[int, list[str]] = field(default_factory=dict)  # claim id -> its stance labels
    evidence: positions.Position | None = None
    voice: str = "own"

    def label_of(self, claim: Claim) -> str:
        """The claim's label on this proposition (several annotators combined)."""
        return positions.combine(self.labels[claim.pk]) or ""

    def counts_towards(self, claim: Claim) -> bool:
        """Whether the claim is part of the position (rather than kept beside it)."""
        return self.voice == "all" or claim.attribution == positions.OWN

    def quoted(self) -> list[tuple[Claim, str]]:
        """Each claim with its own label on this proposition (several annotators combined)."""
        return [(claim, self.label_of(claim)) for claim in self.claims]

    def counted(self) -> list[tuple[Claim, str]]:
        """The claims the position rests on, with their labels."""
        return [(c, label) for c, label in self.quoted() if self.counts_towards(c)]

    def beside(self) -> list[tuple[Claim, str]]:
        """The claims kept beside the position (others' views, counterpoints, background)."""
        return [(c, label) for c, label in self.quoted() if not self.counts_towards(c)]

    def dissenting(self) -> list[tuple[Claim, str]]:
        """The counted claims that pull against the position: the quotes that make it mixed
        or only leaning, named on the pages so a reader sees why."""
        pulling = set(self.evidence.dissent) if self.evidence else set()
        return [(c, label) for c, label in self.counted() if label in pulling]


@dataclass
class Matrix:
    """Propositions down, sources across; a cell wherever a source takes a position."""

    propositions: list[Proposition]
    sources: list[Source]
    cells: dict[tuple[int, int], Cell]
    divergence: dict[int, float]
    # (proposition id, source id) where an editor confirmed the source says nothing on it.
    silences: set[tuple[int, int]] = field(default_factory=set)

    def cell(self, proposition_id: int, source_id: int) -> Cell | None:
        return self.cells.get((proposition_id, source_id))

    def row(self, proposition: Proposition) -> list[tuple[Source, Cell | None]]:
        return [(source, self.cell(proposition.pk, source.pk)) for source in self.sources]

    def marked_row(self, proposition: Proposition) -> list[tuple[Source, Cell | None, bool]]:
        """Like `row`, with whether each empty cell is a confirmed silence."""
        return [
            (source, cell, cell is None and (proposition.pk, source.pk) in self.silences)
            for source, cell in self.row(proposition)
        ]

    def positions_of(self, source_id: int) -> dict[int, positions.Position]:
        """The source's positions, where it holds one (not only others' views)."""
        return {
            p: cell.evidence
            for (p, s), cell in self.cells.items()
            if s == source_id and cell.evidence is not None and cell.position is not None
        }

    def positions_on(self, proposition_id: int) -> list[str]:
        """The position labels of the matrix's sources on one proposition, in column order
        (sources holding no position of their own left out)."""
        return [
            cell.position
            for source in self.sources
            if (cell := self.cell(proposition_id, source.pk)) is not None
            and cell.position is not None
        ]


def build_matrix(
    rows: Iterable[tuple], sources: list[Source] | None = None, *, voice: str = "own"
) -> Matrix:
    """Group stance rows (STANCE_COLUMNS) into a matrix; `sources` fixes the columns (default:
    those that appear, read in one query). The propositions are read in one query.

    `voice` is "own" (positions from the sources' own claims) or "all" (every claim)."""
    rows = list(rows)
    by_source = positions.tally(quotes_of(rows), voice=voice)
    cells: dict[tuple[int, int], Cell] = {}
    quotes: dict[int, Quote] = {}
    for proposition_id, label, claim_id, source_id, *claim in rows:
        key = (proposition_id, source_id)
        if key not in cells:
            held = by_source[source_id][proposition_id]
            cells[key] = Cell(position=held.label, evidence=held, voice=voice)
        cell = cells[key]
        if claim_id not in cell.labels:
            if claim_id not in quotes:
                start, end, quote, kind, attribution, note, speaker, speaker_slug = claim
                quotes[claim_id] = Quote(
                    claim_id,
                    start,
                    end,
                    quote,
                    kind,
                    attribution,
                    note,
                    Speaker(speaker, speaker_slug) if speaker_slug is not None else None,
                )
            cell.claims.append(quotes[claim_id])
            cell.labels[claim_id] = []
        cell.labels[claim_id].append(label)
    for cell in cells.values():
        cell.claims.sort(key=lambda c: (c.start, c.pk))
    proposition_ids = {p for p, _ in cells}
    divergence = {
        pk: positions.divergence(
            cell.position for (p, _), cell in cells.items() if p == pk and cell.position
        )
        for pk in proposition_ids
    }
    if sources is None:
        sources = order_sources(
            Source.objects.filter(pk__in={s for _, s in cells})
            .select_related("publisher")
            .defer(*SOURCE_TEXT),
            "date",
        )
    found = Proposition.objects.filter(pk__in=proposition_ids).only("slug", "text", "notes")
    ordered = sorted(found, key=lambda p: (-divergence[p.pk], p.text))
    return Matrix(ordered, sources, cells, divergence)


@dataclass
class TopicTree:
    """Every topic with its parent and children, read in one query.

    Topics are a short vocabulary, so walking the tree in Python costs less than one query per
    level, and it cannot loop even if bad data made a topic its own ancestor.
    """

    topics: dict[int, Topic]
    children: dict[int | None, list[int]]

    def ancestors(self, pk: int) -> list[Topic]:
        """From the root down to the topic's parent."""
        chain: list[Topic] = []
        parent = self.topics[pk].parent_id if pk in self.topics else None
        while parent is not None and parent in self.topics and parent != pk:
            if any(t.pk == parent for t in chain):
                break
            chain.append(self.topics[parent])
            parent = self.topics[parent].parent_id
        return chain[::-1]

    def descendants(self, pk: int) -> set[int]:
        """The topic and every topic below it."""
        found, frontier = {pk}, [pk]
        while frontier:
            below = [child for p in frontier for child in self.children.get(p, [])]
            frontier = [child for child in below if child not in found]
            found.update(frontier)
        return found

    def walk(self) -> list[tuple[Topic, int]]:
        """Every topic reachable from the roots with its depth, parents before children."""
        order: list[tuple[Topic, int]] = []
        stack = [(pk, 0) for pk in reversed(self.children.get(None, []))]
        seen: set[int] = set()
        while stack:
            pk, depth = stack.pop()
            if pk in seen:
                continue
            seen.add(pk)
            order.append((self.topics[pk], depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(pk, [])))
        return order


def topic_tree() -> TopicTree:
    topics = {topic.pk: topic for topic in Topic.objects.order_by("name")}
    children: dict[int | None, list[int]] = defaultdict(list)
    for topic in topics.values():
        # A parent that is missing cannot happen with the foreign key; treat it as a root.
        parent = topic.parent_id if topic.parent_id in topics else None
        children[parent].append(topic.pk)
    return TopicTree(topics, dict(children))


def topic_propositions(topic: Topic, *, tree: TopicTree | None = None) -> QuerySet[Proposition]:
    """Propositions filed under the topic or any topic below it."""
    topic_ids = (tree or topic_tree()).descendants(topic.pk)
    return Proposition.objects.filter(topics__in=topic_ids).distinct()


def proposition_matrix(
    proposition: Proposition, *, sources: list[Source] | None = None, voice: str = "own"
) -> Matrix:
    """One row: every published source that takes a position on the proposition.

    With `sources`, those are the columns (a page that also names the silent ones passes all).
    """
    return build_matrix(
        published_stance_rows(proposition=proposition), sources=sources, voice=voice
    )


@dataclass
class Comparison:
    """Two sources side by side."""

    a: Source
    b: Source
    agreement: positions.Agreement
    matrix: Matrix

    def rows(
        self, propositions: Iterable[int]
    ) -> list[tuple[Proposition, Cell | None, Cell | None, float | None]]:
        """Each proposition with both sides' cells and how close they are (None unless both
        hold a position on it)."""
        by_pk = {p.pk: p for p in self.matrix.propositions}
        close = self.agreement.closeness
        return [
            (
                by_pk[pk],
                self.matrix.cell(pk, self.a.pk),
                self.matrix.cell(pk, self.b.pk),
                float(close[pk]) if pk in close else None,
            )
            for pk in propositions
        ]


def compare_sources(a: Source, b: Source, *, voice: str = "own") -> Comparison:
    """Where two published sources agree, diverge (and how far), and what only one covers."""
    rows = stance_rows(Stance.objects.published().filter(Q(claim__source=a) | Q(claim__source=b)))
    matrix = build_matrix(rows, sources=[a, b], voice=voice)
    result = positions.agreement(matrix.positions_of(a.pk), matrix.positions_of(b.pk))
    return Comparison(a, b, result, matrix)


def pairwise_agreement(
    by_source: dict[int, dict[int, positions.Position]],
) -> dict[tuple[int, int], positions.Agreement]:
    """Agreement for every pair of sources in `by_source` (both orders)."""
    result = {}
    for a, b in combinations(by_source, 2):
        result[(a, b)] = positions.agreement(by_source[a], by_source[b])
        result[(b, a)] = positions.agreement(by_source[b], by_source[a])
    return result


def held_by_sources(
    sources: list[Source], *, voice: str = "own"
) -> dict[int, dict[int, positions.Position]]:
    """{source id: {proposition id: position}} for every given source (empty when it holds
    none), from plain rows in one query: an agreement map needs positions, not quotes."""
    rows = (
        Stance.objects.published()
        .filter(claim__source__in=[s.pk for s in sources])
        .values_list(*QUOTE_COLUMNS)
        .order_by()
    )
    held = positions.tally(rows, voice=voice)
    return {
        source.pk: {
            proposition: position
            for proposition, position in held.get(source.pk, {}).items()
            if position.label is not None
        }
        for source in sources
    }


def positions_for(
    proposition_ids: Iterable[int], *, voice: str = "own"
) -> dict[int, dict[int, positions.Position]]:
    """{proposition id: {source id: position}} for a page of propositions, in one query.

    Sources addressing a proposition only in others' voices are included, with no label."""
    stances = Stance.objects.published().filter(proposition__in=list(proposition_ids))
    # The sources in their own order (newest first), as the stances' default ordering gives
    # them, without its last key, the proposition's slug: sorting by it joined every
    # proposition of the corpus.
    rows = stances.values_list(*QUOTE_COLUMNS).order_by(*SOURCE_FIRST)
    by_proposition: dict[int, dict[int, positions.Position]] = defaultdict(dict)
    for source, props in positions.tally(rows, voice=voice).items():
        for proposition, position in props.items():
            by_proposition[proposition][source] = position
    return by_proposition


def contested_sides(
    contested: list[Summary],
) -> list[tuple[Summary, list[tuple[str, list[Source]]]]]:
    """Who stands where on each contested proposition: each position label (in scale order)
    with the published sources holding it, newest first. Two queries: the positions as plain
    rows, and the sources' names."""
    held = positions_for(s.proposition.pk for s in contested)
    ids = {pk for by_source in held.values() for pk in by_source}
    sources = order_sources(
        Source.objects.filter(pk__in=ids)
        .select_related("publisher")
        .only("slug", "title", "published_on", "publisher__name"),
        "date",
    )
    result = []
    for summary in contested:
        by_source = held.get(summary.proposition.pk, {})
        sides: dict[str, list[Source]] = {}
        for source in sources:
            position = by_source.get(source.pk)
            if position is not None and position.label is not None:
                sides.setdefault(position.label, []).append(source)
        ordered = [(label, sides[label]) for label in positions.POSITION_LABELS if label in sides]
        result.append((summary, ordered))
    return result


# --- Reads for the public pages -------------------------------------------------------------
# The pages show the numbers above; these functions gather what else a page prints with them,
# each in a fixed number of queries however large the corpus grows.


def published_sources() -> list[Source]:
    """Published sources with their outlet and byline, newest first, undated last."""
    sources = (
        Source.objects.published()
        .select_related("publisher")
        .prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
        )
    )
    return order_sources(sources, "date")


SOURCE_ORDERS = ("date", "oldest", "publisher")
PROPOSITION_ORDERS = ("divergence", "text")


def order_sources(sources: Iterable[Source], by: str) -> list[Source]:
    """Sources by `date` (newest first, undated last), `oldest` (the dates in reading order,
    undated last) or by `publisher` name (unknown last).

    Sorted in Python with explicit rules, because databases disagree on where NULL dates go.
    """
    if by not in SOURCE_ORDERS:
        raise ValueError(f"unknown source order {by!r}")
    by_title = sorted(sources, key=lambda s: (s.title.casefold(), s.pk))
    if by == "publisher":
        return sorted(
            by_title,
            key=lambda s: (s.publisher is None, s.publisher.name.casefold() if s.publisher else ""),
        )
    dated = sorted(
        (s for s in by_title if s.published_on),
        key=lambda s: s.published_on,
        reverse=by == "date",
    )
    return dated + [s for s in by_title if not s.published_on]


def order_propositions(matrix: Matrix, by: str) -> list[Proposition]:
    """The matrix's rows by `divergence` (most divided first) or alphabetically by `text`."""
    if by not in PROPOSITION_ORDERS:
        raise ValueError(f"unknown proposition order {by!r}")
    if by == "text":
        return sorted(matrix.propositions, key=lambda p: (p.text.casefold(), p.pk))
    return sorted(
        matrix.propositions,
        key=lambda p: (-matrix.divergence[p.pk], -len(matrix.positions_on(p.pk)), p.text),
    )


@dataclass
class Summary:
    """How the sources of a matrix stand on one proposition, in numbers."""

    proposition: Proposition
    divergence: float
    counts: dict[str, int]

    @property
    def addressed_by(self) -> int:
        return sum(self.counts.values())

    @property
    def sided(self) -> int:
        """Sources that take a side (neutral takes none), as `positions.divergence` counts."""
        return self.addressed_by - self.counts[positions.NEUTRAL]


def summarise(matrix: Matrix, proposition: Proposition) -> Summary:
    return Summary(
        proposition,
        matrix.divergence.get(proposition.pk, 0.0),
        positions.distribution(matrix.positions_on(proposition.pk)),
    )


@dataclass
class TopicEntry:
    """A topic in the overview: its depth and the published propositions filed at or below it."""

    topic: Topic
    depth: int
    propositions: int
    contested: int


def source_claims(source: Source) -> list[Claim]:
    """A published source's claims in text order, each with its stances and their propositions."""
    return list(
        Claim.objects.published()
        .filter(source=source)
        .select_related("speaker")
        .prefetch_related(
            Prefetch(
                "stances",
                # The stances that count publicly: not those awaiting re-checking.
                queryset=Stance.objects.published()
                .select_related("proposition")
                .order_by("proposition__text", "pk"),
            )
        )
        .order_by("start", "-end", "pk")
    )


@dataclass
class GroupPositions:
    """Positions of a group of sources (one outlet's, one author's), proposition by proposition.

    `combined[proposition id]` is the group's position: each source's position first, then
    those combined (`positions.group`), so that a prolific source weighs no more than a terse
    one.
    """

    sources: list[Source]
    matrix: Matrix
    combined: dict[int, positions.Position]

    def rows(self) -> list[tuple[Proposition, positions.Position, list[tuple[Source, Cell]]]]:
        """Each proposition with the group's position and the cells of the sources holding one,
        in the sources' order. The cells are gathered once: an outlet's hundreds of sources
        times its hundreds of propositions, asked cell by cell, cost more than the page."""
        column = {source.pk: (n, source) for n, source in enumerate(self.sources)}
        held: dict[int, list[tuple[int, Source, Cell]]] = defaultdict(list)
        for (proposition_id, source_id), cell in self.matrix.cells.items():
            n, source = column[source_id]
            held[proposition_id].append((n, source, cell))
        result = []
        for proposition in order_propositions(self.matrix, "text"):
            cells = sorted(held.get(proposition.pk, ()), key=lambda entry: entry[0])
            result.append(
                (proposition, self.combined[proposition.pk], [(s, c) for _, s, c in cells])
            )
        return result


@dataclass(frozen=True)
class QuoteRef:
    """A quoted claim known by its id and where it starts: what a link to it needs, without
    building a model instance per claim."""

    pk: int
    start: int


@dataclass(frozen=True)
class PropositionRef:
    """A proposition's id, slug and wording: what a row of a group's positions shows."""

    pk: int
    slug: str
    text: str


def _group_stances(sources: list[Source]) -> QuerySet[Stance]:
    """The published stances of a group of sources, asked through its sources' claims only:
    the group's sources are published ones (the others are left out here), so the stances
    need not be joined with every source of the corpus to learn which are."""
    ids = [source.pk for source in sources if source.status == Source.Status.PUBLISHED]
    return Stance.objects.filter(claim__source__in=ids, needs_recheck=False).exclude(
        claim__anchor_state=AnchorState.ORPHANED
    )


def group_propositions(sources: list[Source]) -> list[int]:
    """Every proposition a group of published sources addresses, in the order of its positions
    table (alphabetical, as `order_propositions` by "text"), so that a page of the table is
    worked out alone (`group_positions(propositions=...)`). Two queries: the propositions'
    ids, then their wording (asked by key, not by joining every proposition)."""
    ids = set(_group_stances(sources).values_list("proposition_id", flat=True).order_by())
    found = Proposition.objects.filter(pk__in=ids).order_by().values_list("pk", "text")
    return [pk for pk, _ in sorted(found, key=lambda row: (row[1].casefold(), row[0]))]


def group_positions(
    sources: list[Source], *, voice: str = "own", propositions: list[int] | None = None
) -> GroupPositions:
    """What a group of published sources says, taken together, on every proposition it
    addresses or on `propositions` only (a page of them).

    Read as plain rows (one query for the stances, one for the propositions' text): an outlet
    with a hundred sources has thousands of stances, and the page shows per proposition only
    each source's position and a link to its first quoted claim.
    """
    stances = _group_stances(sources)
    if propositions is not None:
        stances = stances.filter(proposition__in=propositions)
    found = list(
        stances.values_list(
            "claim__source_id",
            "proposition_id",
            "claim_id",
            "label",
            "claim__attribution",
            "claim__start",
        ).order_by()
    )
    held = positions.tally((row[:5] for row in found), voice=voice)
    by_proposition_held: dict[int, list[positions.Position]] = defaultdict(list)
    for by_proposition in held.values():
        for proposition, position in by_proposition.items():
            by_proposition_held[proposition].append(position)
    # One source, one vote (`positions.group`), as `positions.publisher_positions` does.
    combined = {
        proposition: positions.group(found_positions)
        for proposition, found_positions in by_proposition_held.items()
    }
    # The link goes to the first quote the position rests on (else the first quote at all).
    first: dict[tuple[int, int], tuple[bool, int, int]] = {}
    for source, proposition, claim, _, attribution, start in found:
        rank = (voice != "all" and attribution != positions.OWN, start, claim)
        known = first.get((proposition, source))
        if known is None or rank < known:
            first[(proposition, source)] = rank
    cells = {
        (proposition, source): Cell(
            position=held[source][proposition].label,
            claims=[QuoteRef(claim, start)],
            evidence=held[source][proposition],
            voice=voice,
        )
        for (proposition, source), (_, start, claim) in first.items()
    }
    by_proposition: dict[int, list[str]] = defaultdict(list)
    for (proposition, _), cell in cells.items():
        if cell.position is not None:
            by_proposition[proposition].append(cell.position)
        else:
            by_proposition.setdefault(proposition, [])
    divergence = {pk: positions.divergence(held) for pk, held in by_proposition.items()}
    propositions = [
        PropositionRef(*row)
        for row in Proposition.objects.filter(pk__in=by_proposition)
        .order_by()
        .values_list("pk", "slug", "text")
    ]
    return GroupPositions(sources, Matrix(propositions, list(sources), cells, divergence), combined)


# --- Bounded reads: what a page shows costs the same however large the corpus grows --------
# Rankings and counts come from the proposition summaries (`claims.summaries`); corpus-wide
# totals are worked out once per public version and kept in the cache; lists are capped.


def summary_of(row: PropositionSummary) -> Summary:
    """A stored summary as the pages' `Summary` (the same numbers `summarise` gives)."""
    return Summary(row.proposition, row.divergence, row.counts())


def published_summaries() -> QuerySet[PropositionSummary]:
    """Summaries of the propositions some published source addresses (brought up to date by
    the writes that move them, once they commit: never here)."""
    return PropositionSummary.objects.filter(sources__gt=0).select_related("proposition")


CONTESTED_ORDER = ("-divergence", "-sources", "proposition__text", "proposition_id")


def contested_summaries(limit: int) -> list[Summary]:
    """The `limit` propositions the sources are most split on, read from the summaries."""
    rows = published_summaries().filter(divergence__gt=0).order_by(*CONTESTED_ORDER)[:limit]
    return [summary_of(row) for row in rows]


@dataclass
class Tally:
    """Corpus-wide counts for the home page and the "silent" counts of other pages."""

    sources: int
    publishers: int
    claims: int
    propositions: int
    contested: int
    per_topic: dict[int, tuple[int, int]]  # topic id -> (propositions, contested) at or below


def _count_tally(tree: TopicTree) -> Tally:
    published = Source.objects.published()
    filed: dict[int, dict[int, bool]] = defaultdict(dict)
    links = PropositionSummary.objects.filter(sources__gt=0).values_list(
        "proposition__topics", "proposition_id", "divergence"
    )
    propositions, contested = 0, 0
    seen: set[int] = set()
    for topic_id, proposition_id, divergence in links:
        if proposition_id not in seen:
            seen.add(proposition_id)
            propositions += 1
            contested += divergence > 0
        if topic_id is not None:
            filed[topic_id][proposition_id] = divergence > 0
    per_topic = {}
    for pk in tree.topics:
        found: dict[int, bool] = {}
        for below in tree.descendants(pk):
            found.update(filed.get(below, {}))
        if found:
            per_topic[pk] = (len(found), sum(found.values()))
    return Tally(
        sources=published.count(),
        publishers=published.exclude(publisher=None).values("publisher").distinct().count(),
        claims=Claim.objects.published().count(),
        propositions=propositions,
        contested=contested,
        per_topic=per_topic,
    )


TALLY_SECONDS = 24 * 60 * 60


def corpus_tally(tree: TopicTree | None = None) -> Tally:
    """The counts, worked out once per version of the overview (i.e. once after each
    publication or public edit) and then read from the cache: counting a million claims on
    every page view is what this avoids. One request counts; others meanwhile read the counts
    from before (`pagecache.single_flight`)."""
    from claims.pagecache import single_flight

    version = freshness.answer_version([freshness.OVERVIEW])
    if version is None:
        return _count_tally(tree or topic_tree())

    def count():
        found = _count_tally(tree or topic_tree())
        return found, found

    found, _, counted = single_flight(
        f"tally:{version}", "tally-latest", count, kept=version.kept, seconds=TALLY_SECONDS
    )
    return counted if counted is not None else found


def recent_sources(limit: int, *, after: int | None = None) -> list[Source]:
    """Published sources, the most recently added first, from `after` (a source id) on."""
    sources = Source.objects.published()
    if after is not None:
        sources = sources.filter(pk__lt=after)
    return list(
        sources.select_related("publisher")
        .prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
        )
        .defer("body", "blocks")
        .order_by("-pk")[:limit]
    )


def claims_per_source(sources: Iterable[Source]) -> dict[int, int]:
    return dict(
        Claim.objects.filter(source__in=[s.pk for s in sources])
        .values("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
        .order_by()
    )


def _sources_on(proposition_ids: Iterable[int]) -> list[int]:
    """Ids of the published sources taking a position on any of the propositions, in order.

    Deliberately without ORDER BY … LIMIT in SQL: with a limit, PostgreSQL prefers walking all
    claims in source order hoping to meet matches early, which at a million claims takes
    seconds; the set itself is small (a proposition has a handful of sources)."""
    found = (
        Stance.objects.published()
        .filter(proposition__in=list(proposition_ids))
        .values_list("claim__source_id", flat=True)
        .order_by()
        .distinct()
    )
    return sorted(found)


def agreement_sources(contested: list[Summary], limit: int) -> list[Source]:
    """Up to `limit` published sources for the agreement map: those taking a position on the
    most contested propositions (so that pairs share something), newest first; the most
    recently added when nothing is contested."""
    ids = _sources_on([s.proposition.pk for s in contested])[: limit * 4]
    chosen = list(
        Source.objects.filter(pk__in=ids).select_related("publisher").defer("body", "blocks")
    )
    if not chosen:
        return recent_sources(limit)
    return order_sources(chosen, "date")[:limit]


def sharing_sources(source: Source, limit: int) -> list[Source]:
    """Other published sources taking a position on some proposition this one addresses."""
    propositions = set(
        Stance.objects.filter(claim__source=source).values_list("proposition_id", flat=True)
    )
    others = [pk for pk in _sources_on(propositions) if pk != source.pk][: limit * 4]
    chosen = Source.objects.filter(pk__in=others).select_related("publisher")
    return order_sources(chosen.only("slug", "title", "published_on", "publisher__name"), "date")[
        :limit
    ]


def related_summaries(proposition: Proposition, topics: list[Topic], limit: int) -> list[Summary]:
    """Up to `limit` other published propositions filed under the same topics, the most
    divided first, with their distributions from the summaries."""
    rows = (
        published_summaries()
        .filter(proposition__topics__in=[t.pk for t in topics])
        .exclude(proposition=proposition)
        .distinct()
        .order_by(*CONTESTED_ORDER)[:limit]
    )
    return [summary_of(row) for row in rows]


# --- One selector per answer: the page and the API adapt the same function ----------------

PROPOSITIONS_PER_PAGE = 20
COLUMNS_ON_TOPIC = 12


@dataclass
class TopicAnswer:
    """A topic's matrix, a page of propositions at a time, as both the topic page and the API
    show it: rows and their figures in order, the shown columns in order, and the counts."""

    topic: Topic
    ancestors: list[Topic]
    children: list[Topic]
    summaries: list[Summary]
    matrix: Matrix
    page: Page
    speaking: int  # published sources taking a position on the rows of the page
    source_total: int
    voice: str

    @property
    def hidden_columns(self) -> int:
        return self.speaking - len(self.matrix.sources)

    @property
    def silent(self) -> int:
        return max(0, self.source_total - self.speaking)

    @property
    def contested(self) -> bool:
        return any(summary.divergence > 0 for summary in self.summaries)

    def rows(self) -> list[tuple[Summary, list[tuple[Source, Cell | None, bool]]]]:
        return [
            (summary, self.matrix.marked_row(summary.proposition)) for summary in self.summaries
        ]


class NotPublic(LookupError):
    """No published material answers the question (an unknown or draft-only name)."""


def topic_answer(
    slug: str,
    *,
    rows: str = PROPOSITION_ORDERS[0],
    cols: str = SOURCE_ORDERS[0],
    page: int | str | None = None,
    voice: str = "own",
) -> TopicAnswer:
    """The proposition × source matrix of a topic and of every topic below it, a page at a time.

    Rows are the topic's published propositions (most divided first, from the summaries, or
    alphabetically), PROPOSITIONS_PER_PAGE at a time; columns are the sources taking a position
    on the rows of the page, at most COLUMNS_ON_TOPIC of them (those with the most positions
    here), in `cols` order; so the answer costs the same however many sources the corpus holds.
    Raises NotPublic for a topic no published proposition is filed under.
    """
    from claims.silences import confirmed_silences

    if rows not in PROPOSITION_ORDERS:
        raise ValueError(f"unknown proposition order {rows!r}")
    tree = topic_tree()
    tally = corpus_tally(tree)
    topic = next((t for t in tree.topics.values() if t.slug == slug), None)
    if topic is None or topic.pk not in tally.per_topic:
        raise NotPublic(slug)
    filed = (
        published_summaries()
        .filter(proposition__topics__in=tree.descendants(topic.pk))
        .distinct()
        .order_by(
            *(CONTESTED_ORDER if rows == "divergence" else ("proposition__text", "proposition_id"))
        )
    )
    shown = Paginator(filed, PROPOSITIONS_PER_PAGE).get_page(page)
    found = [summary_of(row) for row in shown]
    matrix = build_matrix(
        published_stance_rows(proposition__in=[s.proposition.pk for s in found]), voice=voice
    )
    if voice != "own":
        # The stored summaries count own views only; the row figures follow the chosen voice
        # (the order of the rows stays that of the sources' own views).
        found = [summarise(matrix, s.proposition) for s in found]
    speaking = len(matrix.sources)
    matrix.sources = order_sources(_busiest(matrix, COLUMNS_ON_TOPIC), cols)
    matrix.silences = confirmed_silences(
        [s.proposition.pk for s in found], [s.pk for s in matrix.sources]
    )
    return TopicAnswer(
        topic=topic,
        ancestors=tree.ancestors(topic.pk),
        children=[
            tree.topics[pk] for pk in tree.children.get(topic.pk, []) if pk in tally.per_topic
        ],
        summaries=found,
        matrix=matrix,
        page=shown,
        speaking=speaking,
        source_total=tally.sources,
        voice=voice,
    )


def _busiest(matrix: Matrix, limit: int) -> list[Source]:
    """The `limit` sources with the most positions in the matrix (ties: newest first)."""
    held = Counter(source for (_, source) in matrix.cells)
    ranked = sorted(order_sources(matrix.sources, "date"), key=lambda s: -held[s.pk])
    return ranked[:limit]


def count_per_row(rows, queryset: QuerySet, field: str, attribute: str) -> None:
    """Set `attribute` on each of `rows` to the number of rows of `queryset` whose `field`
    points at it: one query bounded by the page, whatever the table holds.

    Each row's count is a subquery on its own key (`field = row`), so the database walks the
    index of `field` and joins what `queryset` filters on row by row. Grouping `queryset` by
    `field` over the page's keys instead lets the planner join every row of the other table
    (all the sources, to count the claims of fifty)."""
    rows = list(rows)
    if not rows:
        return
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    counts = dict(
        type(rows[0])
        ._base_manager.filter(pk__in=[row.pk for row in rows])
        .annotate(n=Subquery(counted))
        .values_list("pk", "n")
    )
    for row in rows:
        setattr(row, attribute, counts.get(row.pk) or 0)
