"""Positions on a proposition along the sources' publication dates.

Pure Python over (source, position) pairs: the dated ones in date order, each placed on a
0–1 axis from the oldest to the newest date; the undated ones apart, in a lane of their own,
never given a date they do not state. `drift` says in words whether assessments moved, from
the leans of the dated sources that take a side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from claims.positions import Position

# A change of lean (from -1, contradicts, to 1, supports) smaller than this is no movement.
MOVED = Fraction(1, 2)


@dataclass(frozen=True)
class Moment:
    source: Any  # a Source: `title`, `slug`, `published_on`
    position: Position | None
    offset: float | None = None  # 0 (oldest date) to 1 (newest); None when undated

    @property
    def when(self) -> date | None:
        return self.source.published_on


@dataclass(frozen=True)
class Timeline:
    dated: list[Moment]  # oldest first
    undated: list[Moment]

    @property
    def first(self) -> date | None:
        return self.dated[0].when if self.dated else None

    @property
    def last(self) -> date | None:
        return self.dated[-1].when if self.dated else None

    def drift(self) -> str:
        """Whether the dated sources' leans moved between the oldest and the newest."""
        leaning = [m for m in self.dated if m.position is not None and m.position.lean is not None]
        if len(leaning) < 2 or leaning[0].when == leaning[-1].when:
            return "Too few dated sources take a side to tell whether assessments moved."
        first, last = leaning[0], leaning[-1]
        change = last.position.lean - first.position.lean
        span = f"from {first.when:%B %Y} to {last.when:%B %Y}"
        if change >= MOVED:
            return f"Assessments moved towards supporting it {span}."
        if change <= -MOVED:
            return f"Assessments moved towards contradicting it {span}."
        return f"Assessments held roughly steady {span}."


def timeline(pairs: Iterable[tuple[Any, Position | None]]) -> Timeline:
    """The sources of `pairs` (source, its position) along their publication dates."""
    pairs = list(pairs)
    dated = sorted(
        ((s, p) for s, p in pairs if s.published_on is not None),
        key=lambda pair: (pair[0].published_on, pair[0].title.casefold(), pair[0].pk),
    )
    undated = sorted(
        (Moment(s, p) for s, p in pairs if s.published_on is None),
        key=lambda m: (m.source.title.casefold(), m.source.pk),
    )
    if not dated:
        return Timeline([], undated)
    start, end = dated[0][0].published_on, dated[-1][0].published_on
    days = (end - start).days
    moments = [
        Moment(s, p, (s.published_on - start).days / days if days else 0.5) for s, p in dated
    ]
    return Timeline(moments, undated)
