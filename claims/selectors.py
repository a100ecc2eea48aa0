"""Reads for the public pages and the API: what sources say, compared.

Everything here starts from published sources only, fetches stances in one query per question,
and hands plain rows to `claims.positions` for the arithmetic, so that the pages and the API show
the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Q, QuerySet

from claims import positions
from claims.models import Claim, Proposition, Source, Stance, Topic


def published_stances() -> QuerySet[Stance]:
    """Stances on published sources, with what a comparison shows already joined."""
    return Stance.objects.published().select_related(
        "claim__source__publisher", "claim__speaker", "proposition"
    )


def rows_of(stances: Iterable[Stance]) -> list[positions.StanceRow]:
    return [
        positions.StanceRow(
            source=stance.claim.source_id,
            proposition=stance.proposition_id,
            label=stance.label,
            publisher=stance.claim.source.publisher_id,
            annotator=stance.annotator_id,
            claim=stance.claim_id,
        )
        for stance in stances
    ]


@dataclass
class Cell:
    """What one source says on one proposition: its position and the claims it rests on."""

    position: str
    claims: list[Claim] = field(default_factory=list)
    labels: dict[int, list[str]] = field(default_factory=dict)  # claim id -> its stance labels


@dataclass
class Matrix:
    """Propositions down, sources across; a cell wherever a source takes a position."""

    propositions: list[Proposition]
    sources: list[Source]
    cells: dict[tuple[int, int], Cell]
    divergence: dict[int, float]

    def cell(self, proposition_id: int, source_id: int) -> Cell | None:
        return self.cells.get((proposition_id, source_id))

    def row(self, proposition: Proposition) -> list[tuple[Source, Cell | None]]:
        return [(source, self.cell(proposition.pk, source.pk)) for source in self.sources]

    def positions_of(self, source_id: int) -> dict[int, str]:
        return {p: cell.position for (p, s), cell in self.cells.items() if s == source_id}


def build_matrix(stances: Iterable[Stance], sources: list[Source] | None = None) -> Matrix:
    """Group stances into a matrix; `sources` fixes the columns (default: those that appear)."""
    stances = list(stances)
    rows = rows_of(stances)
    by_source = positions.source_positions(rows)
    cells: dict[tuple[int, int], Cell] = {}
    propositions: dict[int, Proposition] = {}
    seen_sources: dict[int, Source] = {}
    for stance in stances:
        claim, source = stance.claim, stance.claim.source
        propositions[stance.proposition_id] = stance.proposition
        seen_sources[source.pk] = source
        key = (stance.proposition_id, source.pk)
        cell = cells.setdefault(key, Cell(position=by_source[source.pk][stance.proposition_id]))
        if claim.pk not in cell.labels:
            cell.claims.append(claim)
            cell.labels[claim.pk] = []
        cell.labels[claim.pk].append(stance.label)
    for cell in cells.values():
        cell.claims.sort(key=lambda c: c.start)
    divergence = {
        pk: positions.divergence(cell.position for (p, _), cell in cells.items() if p == pk)
        for pk in propositions
    }
    columns = (
        sources
        if sources is not None
        else sorted(
            seen_sources.values(), key=lambda s: (s.published_on is None, s.published_on, s.title)
        )
    )
    ordered = sorted(propositions.values(), key=lambda p: (-divergence[p.pk], p.text))
    return Matrix(ordered, columns, cells, divergence)


def topic_propositions(topic: Topic) -> QuerySet[Proposition]:
    """Propositions filed under the topic or any topic below it."""
    topic_ids = {topic.pk}
    frontier = {topic.pk}
    while frontier:
        frontier = set(Topic.objects.filter(parent__in=frontier).values_list("pk", flat=True))
        frontier -= topic_ids
        topic_ids |= frontier
    return Proposition.objects.filter(topics__in=topic_ids).distinct()


def topic_matrix(topic: Topic) -> Matrix:
    """The proposition × source matrix of a topic, over every published source."""
    stances = published_stances().filter(proposition__in=topic_propositions(topic))
    return build_matrix(
        stances, sources=list(Source.objects.published().select_related("publisher"))
    )


def proposition_matrix(proposition: Proposition) -> Matrix:
    """One row: every published source that takes a position on the proposition."""
    return build_matrix(published_stances().filter(proposition=proposition))


def corpus_matrix() -> Matrix:
    """Every published stance; used for the corpus overview and the agreement map."""
    return build_matrix(
        published_stances(), sources=list(Source.objects.published().select_related("publisher"))
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
    ) -> list[tuple[Proposition, Cell | None, Cell | None]]:
        by_pk = {p.pk: p for p in self.matrix.propositions}
        return [
            (by_pk[pk], self.matrix.cell(pk, self.a.pk), self.matrix.cell(pk, self.b.pk))
            for pk in propositions
        ]


def compare_sources(a: Source, b: Source) -> Comparison:
    """Where two published sources agree, diverge, and what only one of them covers."""
    stances = published_stances().filter(Q(claim__source=a) | Q(claim__source=b))
    matrix = build_matrix(stances, sources=[a, b])
    result = positions.agreement(matrix.positions_of(a.pk), matrix.positions_of(b.pk))
    return Comparison(a, b, result, matrix)


def agreement_map(matrix: Matrix) -> dict[tuple[int, int], positions.Agreement]:
    """Agreement for every pair of the matrix's sources (both orders)."""
    by_source = {source.pk: matrix.positions_of(source.pk) for source in matrix.sources}
    result = {}
    for a, b in combinations(by_source, 2):
        result[(a, b)] = positions.agreement(by_source[a], by_source[b])
        result[(b, a)] = positions.agreement(by_source[b], by_source[a])
    return result


def positions_for(proposition_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """{proposition id: {source id: position}} for a page of propositions, in one query."""
    stances = Stance.objects.published().filter(proposition__in=list(proposition_ids))
    rows = [
        positions.StanceRow(source=s, proposition=p, label=label)
        for s, p, label in stances.values_list("claim__source_id", "proposition_id", "label")
    ]
    by_proposition: dict[int, dict[int, str]] = defaultdict(dict)
    for source, props in positions.source_positions(rows).items():
        for proposition, position in props.items():
            by_proposition[proposition][source] = position
    return by_proposition
