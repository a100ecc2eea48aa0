"""Pieces several pages share: the agreement heatmap and its table."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from claims import charts, display, positions
from claims.models import Source


def compare_url(a: Source, b: Source) -> str:
    return f"{reverse('claims:compare')}?{urlencode({'a': a.slug, 'b': b.slug})}"


@dataclass
class HeatRow:
    """One row of the heatmap's table equivalent: a source and its agreement with each other."""

    source: Source
    cells: list[tuple[Source, positions.Agreement | None, str | None]]


def agreement_heatmap(
    sources: list[Source], agreement: dict[tuple[int, int], positions.Agreement]
) -> tuple[SafeString, list[HeatRow]]:
    """The SVG map and the same numbers as table rows (the map's text equivalent)."""
    axes = [
        charts.Axis(
            display.short_label(s.title, s.publisher.name if s.publisher else None), s.title
        )
        for s in sources
    ]
    cells, rows = {}, []
    for i, a in enumerate(sources):
        row = HeatRow(a, [])
        for j, b in enumerate(sources):
            found = agreement.get((a.pk, b.pk))
            href = compare_url(a, b) if i != j else None
            if found is not None:
                cells[(i, j)] = charts.HeatCell(
                    len(found.agreeing), len(found.shared), href, graded=found.score
                )
            row.cells.append((b, found, href))
        rows.append(row)
    picture = charts.agreement_heatmap(
        axes,
        cells,
        title="Agreement between sources",
        description=(
            "For each pair of sources, how close their positions are over the propositions both "
            "take a position on (100% the same lean, 0% one supports where the other "
            "contradicts), each proposition weighed by the quotes behind it; red is low "
            "agreement, blue is high. "
            "Select a square to compare the two sources."
        ),
    )
    return picture, rows
