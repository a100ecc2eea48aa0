"""Turn stances into positions and compare them: plain arithmetic, no database.

A stance labels one claim of a source as supporting, contradicting, being mixed on or neutral
towards a proposition. Callers flatten their stances into ``StanceRow`` values; this module
combines them into per-source and per-publisher positions, compares two sets of positions,
measures how split a set of positions is and how well two annotators agree.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

SUPPORTS = "supports"
CONTRADICTS = "contradicts"
MIXED = "mixed"
NEUTRAL = "neutral"
LABELS = (SUPPORTS, CONTRADICTS, MIXED, NEUTRAL)

# Where each label sits between contradicting and supporting; neutral takes no side.
_SIDE = {SUPPORTS: 1, MIXED: 0, CONTRADICTS: -1}


def _check_label(label: object) -> str:
    """Return ``label`` if it is one of ``LABELS``, else raise ``ValueError`` naming it."""
    if not isinstance(label, str) or label not in LABELS:
        raise ValueError(f"unknown stance label: {label!r} (expected one of {', '.join(LABELS)})")
    return label


def combine(labels: Iterable[str]) -> str | None:
    """Combine stance labels into one position.

    No labels gives ``None``. Neutral counts only when nothing else is present, so
    ``{supports, neutral}`` is ``supports``. A single remaining label is the position; any two
    different ones among supports, contradicts and mixed make ``mixed``. An unknown label raises
    ``ValueError``.
    """
    present = {_check_label(label) for label in labels}
    if not present:
        return None
    sided = present - {NEUTRAL}
    if not sided:
        return NEUTRAL
    if len(sided) == 1:
        return next(iter(sided))
    return MIXED


@dataclass(frozen=True)
class StanceRow:
    """One stance, flattened to the identifiers the calculations need.

    ``source`` and ``proposition`` are required; ``publisher`` (of the source), ``annotator``
    (who labelled it) and ``claim`` (the quoted span) are used by the functions that need them.
    """

    source: Hashable
    proposition: Hashable
    label: str
    publisher: Hashable | None = None
    annotator: Hashable | None = None
    claim: Hashable | None = None


def source_positions(rows: Iterable[StanceRow]) -> dict[Hashable, dict[Hashable, str]]:
    """Return ``{source: {proposition: position}}``, combining each source's stances.

    Sources and propositions appear in the order they are first met in ``rows``.
    """
    labels: dict[Hashable, dict[Hashable, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        labels[row.source][row.proposition].append(row.label)
    return {
        source: {proposition: _position(found) for proposition, found in by_proposition.items()}
        for source, by_proposition in labels.items()
    }


def publisher_positions(rows: Iterable[StanceRow]) -> dict[Hashable, dict[Hashable, str]]:
    """Return ``{publisher: {proposition: position}}`` over each publisher's sources.

    Each source's position is worked out first and the publisher's position combines those,
    so one outlet's many stances weigh no more than one source. Rows without a publisher are
    skipped; a source that appears under two publishers raises ``ValueError``.
    """
    published = [row for row in rows if row.publisher is not None]
    publisher_of: dict[Hashable, Hashable] = {}
    for row in published:
        known = publisher_of.setdefault(row.source, row.publisher)
        if known != row.publisher:
            raise ValueError(
                f"source {row.source!r} has two publishers: {known!r} and {row.publisher!r}"
            )
    positions: dict[Hashable, dict[Hashable, list[str]]] = defaultdict(lambda: defaultdict(list))
    for source, by_proposition in source_positions(published).items():
        for proposition, position in by_proposition.items():
            positions[publisher_of[source]][proposition].append(position)
    return {
        publisher: {proposition: _position(found) for proposition, found in by_proposition.items()}
        for publisher, by_proposition in positions.items()
    }


def _position(labels: list[str]) -> str:
    """Combine a non-empty list of labels, which always yields a position."""
    position = combine(labels)
    if position is None:
        # Lists are only created by appending to them, so reaching this is a bug here.
        raise ValueError("a position needs at least one label")
    return position


def _sorted(keys: Iterable[Hashable]) -> tuple[Hashable, ...]:
    """Sort keys by their text; ``repr`` breaks ties such as ``1`` and ``"1"``."""
    return tuple(sorted(keys, key=lambda key: (str(key), repr(key))))


@dataclass(frozen=True)
class Agreement:
    """How two sets of positions compare, proposition by proposition.

    Every tuple is sorted by the propositions' text. ``score`` is the share of shared
    propositions with equal positions, or ``None`` when nothing is shared.
    """

    shared: tuple[Hashable, ...]
    agreeing: tuple[Hashable, ...]
    diverging: tuple[Hashable, ...]
    only_a: tuple[Hashable, ...]
    only_b: tuple[Hashable, ...]
    score: float | None


def agreement(a: Mapping[Hashable, str], b: Mapping[Hashable, str]) -> Agreement:
    """Compare two ``{proposition: position}`` mappings, e.g. two sources or publishers."""
    shared = _sorted(a.keys() & b.keys())
    agreeing = tuple(proposition for proposition in shared if a[proposition] == b[proposition])
    diverging = tuple(proposition for proposition in shared if a[proposition] != b[proposition])
    return Agreement(
        shared=shared,
        agreeing=agreeing,
        diverging=diverging,
        only_a=_sorted(a.keys() - b.keys()),
        only_b=_sorted(b.keys() - a.keys()),
        score=len(agreeing) / len(shared) if shared else None,
    )


def divergence(positions: Iterable[str]) -> float:
    """Return how split ``positions`` are, from 0.0 (all alike) to 1.0 (evenly opposed).

    Supports, mixed and contradicts sit at +1, 0 and -1; neutral takes no side and is left
    out. The result is the mean absolute difference over all pairs of sided positions,
    halved so that one supporter against one contradictor gives 1.0. Fewer than two sided
    positions give 0.0. Nothing is rounded.
    """
    counts = Counter(_SIDE[label] for label in map(_check_label, positions) if label != NEUTRAL)
    sided = sum(counts.values())
    if sided < 2:
        return 0.0
    # Pairs of equal positions add nothing, so only pairs across the three sides are counted,
    # which keeps the sum linear in the number of positions.
    total = sum(
        counts[x] * counts[y] * abs(x - y) for x, y in combinations(sorted(_SIDE.values()), 2)
    )
    pairs = sided * (sided - 1) // 2
    return total / pairs / 2


def distribution(positions: Iterable[str]) -> dict[str, int]:
    """Count positions per label; every label in ``LABELS`` is a key, in that order."""
    counts = Counter(map(_check_label, positions))
    return {label: counts[label] for label in LABELS}


@dataclass(frozen=True)
class AnnotatorAgreement:
    """Agreement between two annotators on the items both labelled.

    ``items`` counts claim-and-proposition pairs labelled by both; ``observed`` is the share of
    them with identical labels and ``kappa`` is Cohen's kappa. Both are ``None`` when there
    are no items; ``kappa`` is also ``None`` when chance agreement is already certain.
    """

    items: int
    observed: float | None
    kappa: float | None


def annotator_agreement(rows: Iterable[StanceRow], a: Hashable, b: Hashable) -> AnnotatorAgreement:
    """Measure agreement between annotators ``a`` and ``b``.

    Rows are paired by ``(claim, proposition)``; rows without a claim cannot be paired and are
    skipped. Should one annotator label the same item twice, the labels are combined with
    ``combine`` first.
    """
    if a == b:
        raise ValueError(f"annotator agreement needs two different annotators, got {a!r} twice")
    labels: dict[Hashable, dict[tuple[Hashable, Hashable], list[str]]] = {a: {}, b: {}}
    for row in rows:
        if row.claim is None or row.annotator not in labels:
            continue
        labels[row.annotator].setdefault((row.claim, row.proposition), []).append(row.label)
    items = labels[a].keys() & labels[b].keys()
    if not items:
        return AnnotatorAgreement(items=0, observed=None, kappa=None)

    pairs = [(_position(labels[a][item]), _position(labels[b][item])) for item in items]
    n = len(pairs)
    # Fractions keep the arithmetic exact, so "chance agreement is 1" is a real equality test.
    observed = Fraction(sum(x == y for x, y in pairs), n)
    marginal_a = Counter(x for x, _ in pairs)
    marginal_b = Counter(y for _, y in pairs)
    expected = sum(Fraction(marginal_a[label] * marginal_b[label], n * n) for label in LABELS)
    kappa = None if expected == 1 else float((observed - expected) / (1 - expected))
    return AnnotatorAgreement(items=n, observed=float(observed), kappa=kappa)
