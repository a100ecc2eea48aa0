"""Positions along the sources' publication dates: the pure timeline and the proposition page."""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import pytest

from claims import charts, positions, timeline


@dataclass
class FakeSource:
    pk: int
    title: str
    slug: str
    published_on: date | None


def held(lean):
    lean = None if lean is None else Fraction(lean)
    return positions.Position(
        counts={"supports": 1, "contradicts": 0, "mixed": 0, "neutral": 0},
        lean=lean,
        label=positions.grade(lean),
    )


def test_dated_sources_in_order_undated_apart():
    line = timeline.timeline(
        [
            (FakeSource(1, "Late", "late", date(2024, 9, 1)), held(-1)),
            (FakeSource(2, "Unknown", "unknown", None), held(1)),
            (FakeSource(3, "Early", "early", date(2024, 1, 1)), held(1)),
            (FakeSource(4, "Middle", "middle", date(2024, 5, 1)), None),
        ]
    )
    assert [m.source.title for m in line.dated] == ["Early", "Middle", "Late"]
    assert line.dated[0].offset == 0 and line.dated[-1].offset == 1
    assert 0 < line.dated[1].offset < 1
    assert [m.source.title for m in line.undated] == ["Unknown"]
    assert line.undated[0].offset is None
    assert line.drift() == (
        "Assessments moved towards contradicting it from January 2024 to September 2024."
    )
    svg = charts.timeline_chart(line)
    assert svg.count("<circle") == 4
    assert ">undated</text>" in svg
    assert "Unknown (date not stated)" in svg


def test_too_few_dates_to_tell():
    one = timeline.timeline([(FakeSource(1, "Only", "only", date(2024, 1, 1)), held(1))])
    assert one.dated[0].offset == 0.5
    assert one.drift().startswith("Too few dated sources")
    steady = timeline.timeline(
        [
            (FakeSource(1, "A", "a", date(2023, 1, 1)), held(1)),
            (FakeSource(2, "B", "b", date(2024, 1, 1)), held(Fraction(3, 4))),
        ]
    )
    assert steady.drift().startswith("Assessments held roughly steady")


@pytest.mark.django_db
def test_proposition_page_places_sources_in_time_and_labels_the_undated(client):
    html = client.get("/propositions/russia-backs-zangezur-corridor/").content.decode()
    assert 'id="timeline-heading">Over time</h2>' in html
    assert 'class="timeline-chart" aria-hidden="true"' in html
    assert "<time datetime=" in html.split('id="timeline-heading"')[1]
    # The Fanack piece states no date: it is in the undated lane, never given one.
    undated = html.split("Date not stated</h3>")[1].split("</ul>")[0]
    assert "Russia and Iran: New Divides and Ongoing Intersections" in undated
