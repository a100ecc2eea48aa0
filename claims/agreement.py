"""Agreement between annotators who read the same source: pure arithmetic, no database.

What is measured, and on what units:

* **Krippendorff's α** (`alpha`) over reliability data — units, each with the values the
  annotators gave it (``None`` where an annotator gave none). The distance between two values is
  pluggable: `nominal`, `ordinal`, `interval`, and `stance`, designed for our four labels plus
  "no claim here".
* **Cohen's κ** (`cohen_kappa`) for one pair of annotators on the units both labelled.
* **Span agreement**: `span_f1` matches two annotators' spans one to one by overlap;
  `unitizing_alpha` is α over code points, where every code point of the text is a unit whose
  value, for each annotator, is "inside a claim" or "no claim here".
* `bootstrap` gives a seeded 95 % interval by resampling units; `Figure` carries a value, its
  interval and the usual verdict (0.800 reliable, 0.667 tentative).

Units where only one annotator marked a claim are *disagreement*, not missing data: the other
annotator's value is `NO_CLAIM`, which is as far from every stance as supports is from
contradicts.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

RELIABLE = 0.800
TENTATIVE = 0.667

#: The value of an annotator who marked no claim where another did.
NO_CLAIM = "no-claim"

Value = Hashable
#: A distance takes two values and the pairable values' totals (value → n_c), returns δ².
Distance = Callable[[Value, Value, Mapping[Value, float]], float]


def nominal(a: Value, b: Value, totals: Mapping[Value, float]) -> float:
    """Nominal δ²: 0 for the same value, 1 for any two different values."""
    return 0.0 if a == b else 1.0


def interval(a: Value, b: Value, totals: Mapping[Value, float]) -> float:
    """Interval δ²: the squared difference of two numbers."""
    return float((a - b) ** 2)  # type: ignore[operator]


def ordinal(a: Value, b: Value, totals: Mapping[Value, float]) -> float:
    """Ordinal δ² (Krippendorff): the number of pairable values from rank a to rank b, less
    half of the two end ranks' own counts, squared. Values are ranked by their natural order."""
    if a == b:
        return 0.0
    low, high = (a, b) if a < b else (b, a)  # type: ignore[operator]
    between = sum(n for value, n in totals.items() if low <= value <= high)  # type: ignore[operator]
    return float((between - (totals[low] + totals[high]) / 2) ** 2)


# Stance distances, δ² on a 0..1 scale. Supports and contradicts are opposite readings: full
# distance. "Mixed" (the claim argues both ways) and "neutral" (the claim bears on the
# proposition without taking a side) each sit half-way from either pole: a reader who says
# "mixed" where another says "supports" has seen the same supporting content and more, so the two
# readings half-agree. Mixed and neutral are closer still to each other (0.25): both deny that the
# claim comes down on one side, and differ only on whether it argues at all. "No claim here"
# against any stance is full distance: one reader found a position where the other found none.
_STANCE_D2: dict[frozenset[str], float] = {
    frozenset({"supports", "contradicts"}): 1.0,
    frozenset({"supports", "mixed"}): 0.5,
    frozenset({"contradicts", "mixed"}): 0.5,
    frozenset({"supports", "neutral"}): 0.5,
    frozenset({"contradicts", "neutral"}): 0.5,
    frozenset({"mixed", "neutral"}): 0.25,
}


def stance(a: Value, b: Value, totals: Mapping[Value, float]) -> float:
    """Stance δ² (see the table above); `NO_CLAIM` is at full distance from every label."""
    if a == b:
        return 0.0
    if NO_CLAIM in (a, b):
        return 1.0
    try:
        return _STANCE_D2[frozenset({a, b})]
    except KeyError:
        raise ValueError(f"not a stance label pair: {a!r}, {b!r}") from None


DISTANCES: dict[str, Distance] = {
    "nominal": nominal,
    "ordinal": ordinal,
    "interval": interval,
    "stance": stance,
}


@dataclass(frozen=True)
class Unit:
    """One unit of reliability data: the values annotators gave it, and how much it weighs.

    `weight` lets a run of identical units count as one row (e.g. a stretch of code points on
    which every annotator says the same thing).
    """

    values: tuple[Value | None, ...]
    weight: float = 1.0


def _as_units(data: Iterable[Unit | Sequence[Value | None]]) -> list[Unit]:
    return [item if isinstance(item, Unit) else Unit(tuple(item)) for item in data]


def coincidences(units: Iterable[Unit]) -> dict[tuple[Value, Value], float]:
    """Krippendorff's coincidence matrix: every ordered pair of values from different annotators
    within a unit adds 1/(m−1), m being the unit's number of values. Units with fewer than two
    values cannot be paired and add nothing."""
    matrix: dict[tuple[Value, Value], float] = defaultdict(float)
    for unit in units:
        values = [value for value in unit.values if value is not None]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        share = unit.weight / (m - 1)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    matrix[(c, k)] += pairs * share
    return dict(matrix)


def alpha(
    data: Iterable[Unit | Sequence[Value | None]], distance: Distance | str = nominal
) -> float | None:
    """Krippendorff's α = 1 − D_o / D_e over the units' pairable values.

    ``None`` when it is undefined: fewer than two pairable values, or no expected disagreement
    (every value the same), where agreement cannot be told from chance.
    """
    metric = DISTANCES[distance] if isinstance(distance, str) else distance
    matrix = coincidences(_as_units(data))
    totals: dict[Value, float] = defaultdict(float)
    for (c, _k), o in matrix.items():
        totals[c] += o
    n = sum(totals.values())
    if n <= 1:
        return None
    ordered = dict(sorted(totals.items())) if metric in (ordinal, interval) else dict(totals)
    observed = sum(o * metric(c, k, ordered) for (c, k), o in matrix.items())
    expected = sum(
        n_c * n_k * metric(c, k, ordered) for c, n_c in totals.items() for k, n_k in totals.items()
    )
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def cohen_kappa(pairs: Iterable[tuple[Value, Value]]) -> float | None:
    """Cohen's κ for two annotators over the units both labelled (one pair per unit).

    ``None`` when there are no pairs, or when chance agreement is already certain (both
    annotators always gave the same single value).
    """
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[value] * second[value] for value in first) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


Span = tuple[int, int]


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def span_f1(first: Iterable[Span], second: Iterable[Span]) -> float | None:
    """Overlap F1 between two annotators' spans (start, end in code points).

    Spans are matched one to one, largest overlap first; a span matches when it shares at least
    one code point with its partner. Precision and recall are the matched shares of each side,
    so F1 = 2 · matched / (|first| + |second|). ``None`` when neither marked anything.
    """
    a, b = sorted(set(first)), sorted(set(second))
    if not a and not b:
        return None
    candidates = sorted(
        ((_overlap(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    for size, i, j in candidates:
        if size == 0:
            break
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return 2 * len(used_a) / (len(a) + len(b))


def code_point_units(length: int, readings: Sequence[Iterable[Span]]) -> list[Unit]:
    """The text as units of code points: each annotator's value is 1 inside one of their spans,
    0 ("no claim here") outside. Runs of code points where every value is the same are merged
    into one weighted unit, so a long text costs as many units as it has span boundaries."""
    covered = [sorted(spans) for spans in readings]
    cuts = {0, length}
    for spans in covered:
        for start, end in spans:
            if not 0 <= start < end <= length:
                raise ValueError(f"span {start}..{end} is not inside a text of {length}")
            cuts.update((start, end))
    bounds = sorted(cuts)
    units = []
    for left, right in itertools.pairwise(bounds):
        values = tuple(int(any(s <= left and right <= e for s, e in spans)) for spans in covered)
        units.append(Unit(values, weight=float(right - left)))
    return units


def unitizing_alpha(length: int, readings: Sequence[Iterable[Span]]) -> float | None:
    """Agreement on where the claims are: nominal α over the code points of a text of `length`,
    each valued "claim" or "no claim here" by every annotator (see `code_point_units`).

    Why this and not Krippendorff's segment-based uα: his uα compares the lengths of misaligned
    segment ends, squared, so one long disputed claim weighs far more than several short ones of
    the same total length; counting code points weighs every disputed character alike, which is
    what an editor reads as "how much of the text the two readers marked differently". It is
    also exactly α, so it shares α's thresholds, interval and chance correction. Both are 1 when
    the readings coincide and fall as they diverge; they differ in how they weigh partial misses.
    """
    return alpha(code_point_units(length, readings), nominal)


@dataclass(frozen=True)
class Figure:
    """One agreement figure with its 95 % bootstrap interval and how far it can be trusted."""

    value: float | None
    low: float | None = None
    high: float | None = None
    units: int = 0

    @property
    def verdict(self) -> str:
        """'reliable' from 0.800, 'tentative' from 0.667, otherwise 'unreliable' (or
        'undefined' when there is no figure)."""
        if self.value is None:
            return "undefined"
        if self.value >= RELIABLE:
            return "reliable"
        if self.value >= TENTATIVE:
            return "tentative"
        return "unreliable"


def bootstrap(
    units: Sequence[Unit],
    statistic: Callable[[Sequence[Unit]], float | None],
    *,
    samples: int = 1000,
    seed: int = 15,
    level: float = 0.95,
) -> Figure:
    """`statistic` over `units`, with a percentile interval from `samples` resamples of the
    units (drawn with replacement, seeded: the same data give the same interval). Resamples on
    which the statistic is undefined are left out of the interval."""
    value = statistic(units)
    if value is None or not units:
        return Figure(value=value, units=len(units))
    rng = random.Random(seed)
    draws = sorted(
        result
        for result in (
            statistic([units[rng.randrange(len(units))] for _ in units]) for _ in range(samples)
        )
        if result is not None
    )
    if not draws:
        return Figure(value=value, units=len(units))
    tail = (1 - level) / 2
    low = draws[math.floor(tail * (len(draws) - 1))]
    high = draws[math.ceil((1 - tail) * (len(draws) - 1))]
    return Figure(value=value, low=low, high=high, units=len(units))


def alpha_figure(
    data: Iterable[Unit | Sequence[Value | None]], distance: Distance | str = nominal, **kwargs
) -> Figure:
    """α with its bootstrap interval (resampling units)."""
    units = _as_units(data)
    return bootstrap(units, lambda sample: alpha(sample, distance), **kwargs)


# --- aligning readings into units ------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One annotator's claim as agreement sees it: its span and what they said about it."""

    annotator: Hashable
    start: int
    end: int
    kind: str = ""
    attribution: str = ""
    stances: Mapping[Hashable, str] = field(default_factory=dict)  # proposition → label
    key: Hashable = None  # the claim's id, so a unit can point back at it


@dataclass
class AlignedUnit:
    """Readings whose spans overlap (share words), grouped across annotators."""

    readings: list[Reading]

    @property
    def start(self) -> int:
        return min(reading.start for reading in self.readings)

    @property
    def end(self) -> int:
        return max(reading.end for reading in self.readings)

    def by_annotator(self) -> dict[Hashable, list[Reading]]:
        grouped: dict[Hashable, list[Reading]] = defaultdict(list)
        for reading in self.readings:
            grouped[reading.annotator].append(reading)
        return dict(grouped)


def align(readings: Iterable[Reading]) -> list[AlignedUnit]:
    """Group readings into units: overlapping spans (at least one shared code point) fall in the
    same unit, transitively. Units come in text order."""
    ordered = sorted(readings, key=lambda r: (r.start, r.end, str(r.annotator)))
    units: list[AlignedUnit] = []
    reach = -1
    for reading in ordered:
        if units and reading.start < reach:
            units[-1].readings.append(reading)
            reach = max(reach, reading.end)
        else:
            units.append(AlignedUnit([reading]))
            reach = reading.end
    return units


def stance_units(units: Sequence[AlignedUnit], annotators: Sequence[Hashable]) -> list[Unit]:
    """Reliability data for stances: one unit per (aligned unit, proposition) that anyone
    labelled, with each annotator's label, or `NO_CLAIM` when they gave that unit no stance on
    that proposition. Several labels from one annotator on one unit keep the first in text
    order (they are rare, and the adjudication screen shows them all)."""
    data = []
    for unit in units:
        labels: dict[Hashable, dict[Hashable, str]] = defaultdict(dict)
        for reading in unit.readings:
            for proposition, label in reading.stances.items():
                labels[proposition].setdefault(reading.annotator, label)
        for proposition in sorted(labels, key=str):
            given = labels[proposition]
            data.append(Unit(tuple(given.get(who, NO_CLAIM) for who in annotators)))
    return data


def kind_units(units: Sequence[AlignedUnit], annotators: Sequence[Hashable]) -> list[Unit]:
    """Reliability data for claim kinds: one unit per aligned unit, each annotator's kind (the
    first of theirs in the unit) or `NO_CLAIM`."""
    data = []
    for unit in units:
        grouped = unit.by_annotator()
        data.append(
            Unit(tuple(grouped[who][0].kind if who in grouped else NO_CLAIM for who in annotators))
        )
    return data


def proposition_units(units: Sequence[AlignedUnit], annotators: Sequence[Hashable]) -> list[Unit]:
    """Reliability data for the choice of proposition: one unit per aligned unit, each
    annotator's set of propositions (nominal: the same set or not), or `NO_CLAIM`."""
    data = []
    for unit in units:
        chosen: dict[Hashable, set[Hashable]] = {}
        for reading in unit.readings:
            chosen.setdefault(reading.annotator, set()).update(reading.stances)
        data.append(
            Unit(tuple(frozenset(chosen[who]) if who in chosen else NO_CLAIM for who in annotators))
        )
    return data


@dataclass(frozen=True)
class Report:
    """Every agreement figure for one set of readings."""

    annotators: tuple[Hashable, ...]
    stance: Figure
    proposition: Figure
    kind: Figure
    span_f1: float | None
    unitizing: Figure
    kappa: float | None
    units: int


def report(
    readings: Iterable[Reading],
    *,
    lengths: Mapping[Hashable, int] | None = None,
    source_of: Callable[[Reading], Hashable] | None = None,
    samples: int = 1000,
    seed: int = 15,
) -> Report:
    """All the figures for `readings` (of one or several sources).

    `lengths` maps each source to its text length in code points and `source_of` tells a
    reading's source; without them span agreement is left out. κ is given for exactly two
    annotators, over the stance units.
    """
    readings = list(readings)
    annotators = tuple(sorted({r.annotator for r in readings}, key=str))
    by_source: dict[Hashable, list[Reading]] = defaultdict(list)
    for reading in readings:
        by_source[source_of(reading) if source_of else None].append(reading)
    aligned = [unit for group in by_source.values() for unit in align(group)]
    stance_data = stance_units(aligned, annotators)
    kwargs = {"samples": samples, "seed": seed}
    f1 = None
    unitizing = Figure(value=None)
    if len(annotators) == 2 and lengths is not None and source_of is not None:
        matched = total = 0.0
        point_units: list[Unit] = []
        for source, group in by_source.items():
            spans = [[(r.start, r.end) for r in group if r.annotator == who] for who in annotators]
            value = span_f1(spans[0], spans[1])
            if value is not None:
                size = len(spans[0]) + len(spans[1])
                matched += value * size
                total += size
            point_units.extend(code_point_units(lengths[source], spans))
        f1 = matched / total if total else None
        # Resampling single code points would pretend they are independent; resampling the
        # runs between span boundaries keeps each span's code points together.
        unitizing = bootstrap(point_units, lambda s: alpha(s, nominal), **kwargs)
    kappa = None
    if len(annotators) == 2:
        kappa = cohen_kappa((u.values[0], u.values[1]) for u in stance_data)
    return Report(
        annotators=annotators,
        stance=alpha_figure(stance_data, stance, **kwargs),
        proposition=alpha_figure(proposition_units(aligned, annotators), nominal, **kwargs),
        kind=alpha_figure(kind_units(aligned, annotators), nominal, **kwargs),
        span_f1=f1,
        unitizing=unitizing,
        kappa=kappa,
        units=len(aligned),
    )
