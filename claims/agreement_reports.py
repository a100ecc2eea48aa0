"""Agreement figures from the readings handed in: per source, annotator pair, proposition and
topic. Reads rows (two queries at most, whatever the number of sources) and hands them to the
pure arithmetic of claims.agreement. The admin pages, the API and the reading view all call these
selectors, so they show the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations

from django.db.models.functions import Length

from claims.adjudicating import readings_from
from claims.agreement import Figure, Reading, Report, align, alpha_figure, report, stance_units
from claims.models import Assignment, AssignmentStatus, Proposition

#: Resamples for an interval on one source, and (cheaper) for each row of the overview.
DETAIL_SAMPLES = 1000
OVERVIEW_SAMPLES = 200


@dataclass(frozen=True)
class SourceReadings:
    """Every handed-in reading of one source."""

    source_id: int
    slug: str
    title: str
    length: int
    readings: list[Reading]
    names: dict[int, str]

    @property
    def annotators(self) -> list[int]:
        return sorted(self.names)


@dataclass(frozen=True)
class Disagreement:
    """A unit on which the readers' handed-in readings differ."""

    source_id: int
    slug: str
    start: int
    end: int
    quote: str
    what: str  # "span", "kind", "stance", or "one reader only"


def handed_in(*, sources: Iterable[int] | None = None, published: bool = False):
    """The readings handed in on each double-read source (two or more done readers), by id."""
    rows = (
        Assignment.objects.filter(status=AssignmentStatus.DONE)
        .annotate(length=Length("source__body"))
        .values(
            "source_id",
            "source__slug",
            "source__title",
            "source__status",
            "length",
            "annotator_id",
            "annotator__username",
            "reading",
        )
        .order_by("source_id", "pk")
    )
    if sources is not None:
        rows = rows.filter(source_id__in=list(sources))
    if published:
        rows = rows.filter(source__status="published")
    grouped: dict[int, SourceReadings] = {}
    for row in rows:
        item = grouped.get(row["source_id"])
        if item is None:
            item = grouped[row["source_id"]] = SourceReadings(
                row["source_id"], row["source__slug"], row["source__title"], row["length"], [], {}
            )
        item.names[row["annotator_id"]] = row["annotator__username"]
        item.readings.extend(readings_from(row["annotator_id"], row["reading"]))
    return {pk: item for pk, item in grouped.items() if len(item.names) > 1}


def _report(items: Iterable[SourceReadings], samples: int) -> Report:
    items = list(items)
    lengths = {item.source_id: item.length for item in items}
    readings, owner = [], {}
    for item in items:
        for reading in item.readings:
            owner[id(reading)] = item.source_id
            readings.append(reading)
    return report(readings, lengths=lengths, source_of=lambda r: owner[id(r)], samples=samples)


def combined_report(items: Iterable[SourceReadings], *, samples: int = DETAIL_SAMPLES) -> Report:
    """Every figure over several double-read sources taken together."""
    return _report(items, samples)


def source_report(item: SourceReadings, *, samples: int = DETAIL_SAMPLES) -> Report:
    """Every figure for one double-read source."""
    return _report([item], samples)


def disagreements(item: SourceReadings, body: str | None = None) -> list[Disagreement]:
    """The units of a source on which its readers' handed-in readings differ."""
    found = []
    for unit in align(item.readings):
        grouped = unit.by_annotator()
        if len(grouped) < len(item.names):
            what = "one reader only"
        else:
            spans = {tuple((r.start, r.end) for r in rs) for rs in grouped.values()}
            kinds = {tuple(r.kind for r in rs) for rs in grouped.values()}
            stances = {
                tuple(tuple(sorted(r.stances.items())) for r in rs) for rs in grouped.values()
            }
            if len(stances) > 1:
                what = "stance"
            elif len(spans) > 1:
                what = "span"
            elif len(kinds) > 1:
                what = "kind"
            else:
                continue
        quote = body[unit.start : unit.end] if body is not None else ""
        found.append(Disagreement(item.source_id, item.slug, unit.start, unit.end, quote, what))
    return found


def pair_reports(items: dict[int, SourceReadings], *, samples: int = OVERVIEW_SAMPLES):
    """Figures per pair of readers, over the sources both read: [(names, report)]."""
    pairs: dict[tuple[int, int], list[SourceReadings]] = defaultdict(list)
    names: dict[int, str] = {}
    for item in items.values():
        names.update(item.names)
        for a, b in combinations(item.annotators, 2):
            keep = {a, b}
            pairs[(a, b)].append(
                replace(
                    item,
                    readings=[r for r in item.readings if r.annotator in keep],
                    names={k: v for k, v in item.names.items() if k in keep},
                )
            )
    return [
        ((names[a], names[b]), _report(group, samples)) for (a, b), group in sorted(pairs.items())
    ]


def _restricted(items: Iterable[SourceReadings], slugs: set[str]) -> list[SourceReadings]:
    """The readings with only the stances on `slugs`; readings left without any are dropped,
    so that the stance units are exactly those someone labelled on these propositions."""
    restricted = []
    for item in items:
        kept = []
        for reading in item.readings:
            stances = {k: v for k, v in reading.stances.items() if k in slugs}
            if stances:
                kept.append(replace(reading, stances=stances))
        if kept:
            restricted.append(replace(item, readings=kept))
    return restricted


def proposition_reports(items: dict[int, SourceReadings], *, samples: int = OVERVIEW_SAMPLES):
    """Stance agreement per proposition: [(slug, report)] for propositions someone labelled."""
    slugs = sorted({s for item in items.values() for r in item.readings for s in r.stances})
    return [(slug, _report(_restricted(items.values(), {slug}), samples)) for slug in slugs]


def topic_reports(items: dict[int, SourceReadings], *, samples: int = OVERVIEW_SAMPLES):
    """Stance agreement per topic, over its propositions: [(topic name, report)]."""
    used = {s for item in items.values() for r in item.readings for s in r.stances}
    by_topic: dict[str, set[str]] = defaultdict(set)
    links = Proposition.topics.through.objects.filter(proposition__slug__in=used).values_list(
        "topic__name", "proposition__slug"
    )
    for topic, slug in links:
        by_topic[topic].add(slug)
    return [
        (topic, _report(_restricted(items.values(), slugs), samples))
        for topic, slugs in sorted(by_topic.items())
    ]


@dataclass(frozen=True)
class DoubleReading:
    """What the reading view says about a double-read source."""

    readers: int
    stance: Figure


def double_reading(source_id: int) -> DoubleReading | None:
    """For a published source read by two or more readers, how many and how far their stances
    agree (α with its interval); None otherwise. One query."""
    item = handed_in(sources=[source_id], published=True).get(source_id)
    if item is None:
        return None
    units = stance_units(align(item.readings), item.annotators)
    return DoubleReading(len(item.names), alpha_figure(units, "stance", samples=DETAIL_SAMPLES))
