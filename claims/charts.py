"""Small SVG pictures drawn on the server: the agreement heatmap and stance distribution bars.

No chart library and no script: the markup is built here as text, every string from the
database is escaped, and colours are `fill=` attributes (the Content-Security-Policy forbids
inline `style=`). Each picture names itself with <title>/<desc> or aria-label; the pages also
print the same numbers as text or a table next to it, so nothing is told by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.display import STANCES
from claims.positions import POSITION_LABELS

INK = "#1f2328"
MUTED = "#5b6470"
EMPTY = "#eef1f4"

# The heatmap's scale runs from disagreement (red) through a pale middle to agreement (blue),
# the same hues as "contradicts" and "supports".
_LOW = (179, 38, 30)
_MID = (244, 243, 240)
_HIGH = (26, 95, 180)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def agreement_fill(score: float) -> str:
    """The heatmap colour of an agreement score between 0 and 1."""
    score = min(1.0, max(0.0, score))
    if score < 0.5:
        return _hex(_mix(_LOW, _MID, score * 2))
    return _hex(_mix(_MID, _HIGH, (score - 0.5) * 2))


def text_on(fill: str) -> str:
    """Dark or white text, whichever contrasts more with `fill`."""
    return INK if contrast(fill, INK) >= contrast(fill, "#ffffff") else "#ffffff"


@dataclass(frozen=True)
class Axis:
    """One source on the heatmap: a short `label` drawn, the full `name` in tooltips."""

    label: str
    name: str


@dataclass(frozen=True)
class HeatCell:
    """Agreement of the row source with the column source; `href` leads to their comparison.

    `graded` is the graded agreement (`positions.agreement`'s score); without it the score is
    the share of shared propositions they agree on."""

    agreeing: int
    shared: int
    href: str | None = None
    graded: float | None = None

    @property
    def score(self) -> float | None:
        if not self.shared:
            return None
        return self.graded if self.graded is not None else self.agreeing / self.shared


def _attrs(**values: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in values.items()
        if value is not None
    )


def agreement_heatmap(
    axes: Sequence[Axis],
    cells: Mapping[tuple[int, int], HeatCell],
    *,
    title: str,
    description: str,
    id_prefix: str = "heatmap",
    cell_size: int = 58,
) -> SafeString:
    """A square map of source-by-source agreement; `cells[(row, column)]` by axis index.

    Each off-diagonal cell shows the percentage and "agreeing/shared", is coloured on the
    red–blue scale and links to the comparison when it has an `href`. Pairs with nothing in
    common are pale and say so.
    """
    char = 7.4  # average width of a 13px system-font character, for laying out labels
    label_width = math.ceil(max((len(a.label) for a in axes), default=4) * char) + 16
    # Column labels are turned 40° so that long outlet names fit above narrow columns.
    top = math.ceil(label_width * math.sin(math.radians(40))) + 14
    left = label_width
    size = len(axes) * cell_size
    # The last column's label runs up and to the right, beyond the grid.
    overhang = math.ceil(label_width * math.cos(math.radians(40)) - cell_size / 2)
    width = left + size + max(overhang, 0) + 8
    height = top + size + 4
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" role="group"'
        f"{_attrs(width=width, height=height, viewBox=f'0 0 {width} {height}')}"
        f"{_attrs(aria_labelledby=f'{title_id} {desc_id}')}>",
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for i, axis in enumerate(axes):
        y = top + i * cell_size + cell_size / 2
        out.append(
            f'<text{_attrs(x=left - 10, y=y, fill=INK)} text-anchor="end" '
            f'dominant-baseline="middle" font-size="13"><title>{escape(axis.name)}</title>'
            f"{escape(axis.label)}</text>"
        )
        x = left + i * cell_size + cell_size / 2
        out.append(
            f'<text{_attrs(x=x, y=top - 8, fill=INK)} font-size="13" '
            f'transform="rotate(-40 {x} {top - 8})"><title>{escape(axis.name)}</title>'
            f"{escape(axis.label)}</text>"
        )
    for i, row in enumerate(axes):
        for j, column in enumerate(axes):
            x, y = left + j * cell_size, top + i * cell_size
            out.append(_heat_cell(x, y, cell_size, row, column, cells.get((i, j)), i == j))
    out.append("</svg>")
    return mark_safe("".join(out))


def _heat_cell(
    x: int, y: int, size: int, row: Axis, column: Axis, cell: HeatCell | None, diagonal: bool
) -> str:
    cx, cy = x + size / 2, y + size / 2
    box = _attrs(x=x + 1, y=y + 1, width=size - 2, height=size - 2, rx=3)
    if diagonal:
        return (
            f'<g><rect{box} fill="#ffffff" stroke="#d6dbe1"/>'
            f'<text{_attrs(x=cx, y=cy, fill=MUTED)} text-anchor="middle" '
            f'dominant-baseline="middle" font-size="13">—</text></g>'
        )
    if cell is None or cell.score is None:
        label = f"{row.name} and {column.name} take no position on the same proposition"
        return (
            f'<g><title>{escape(label)}</title><rect{box} fill="{EMPTY}"/>'
            f'<text{_attrs(x=cx, y=cy, fill=MUTED)} text-anchor="middle" '
            f'dominant-baseline="middle" font-size="12">n/a</text></g>'
        )
    fill = agreement_fill(cell.score)
    ink = text_on(fill)
    percent = round(cell.score * 100)
    # The name starts with the figures the square shows, so that a reader using speech input
    # can say what is seen, and names both sources in full.
    label = (
        f"{percent}% {cell.agreeing}/{cell.shared}: {row.name} and {column.name}, "
        f"{percent}% agreement over {cell.shared} shared propositions, "
        f"close on {cell.agreeing}"
    )
    body = (
        f'<title>{escape(label)}</title><rect{box} fill="{fill}"/>'
        f'<text{_attrs(x=cx, y=cy - 6, fill=ink)} text-anchor="middle" '
        f'dominant-baseline="middle" font-size="14" font-weight="600">{percent}%</text> '
        f'<text{_attrs(x=cx, y=cy + 12, fill=ink)} text-anchor="middle" '
        f'dominant-baseline="middle" font-size="11">{cell.agreeing}/{cell.shared}</text>'
    )
    if cell.href:
        return f'<a{_attrs(href=cell.href, aria_label=label)} class="heat-link">{body}</a>'
    return f"<g>{body}</g>"


def describe_counts(counts: Mapping[str, int]) -> str:
    """ "2 supports, 1 contradicts" — the text every bar carries; "no positions" when empty."""
    parts = [
        f"{counts[label]} {STANCES[label].word}" for label in POSITION_LABELS if counts.get(label)
    ]
    return ", ".join(parts) if parts else "no positions"


def stance_bar(
    counts: Mapping[str, int],
    *,
    width: int = 240,
    height: int = 18,
    label: str | None = None,
) -> SafeString:
    """A horizontal bar split by position, from supports through the leaning and mixed ones
    to contradicts, then neutral.

    Segments wide enough carry the stance's symbol as well as its colour; the accessible name
    spells out the counts (`label` is put in front of them).
    """
    total = sum(counts.get(key, 0) for key in POSITION_LABELS)
    text = describe_counts(counts)
    name = f"{label}: {text}" if label else text
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stance-bar" role="img"'
        f"{_attrs(width=width, height=height, viewBox=f'0 0 {width} {height}')}"
        f"{_attrs(aria_label=name)}><title>{escape(name)}</title>"
    ]
    if not total:
        out.append(f'<rect{_attrs(width=width, height=height, rx=3)} fill="{EMPTY}"/>')
    x = 0.0
    for key in POSITION_LABELS:
        count = counts.get(key, 0)
        if not count:
            continue
        style = STANCES[key]
        share = width * count / total
        out.append(
            f"<rect{_attrs(x=round(x, 2), width=round(share, 2), height=height)} "
            # A thin white edge keeps neighbours apart in greyscale print.
            f'fill="{style.colour}" stroke="#ffffff" stroke-width="1"/>'
        )
        if share >= 16:
            out.append(
                f'<text{_attrs(x=round(x + share / 2, 2), y=height / 2 + 0.5)} fill="#ffffff" '
                f'text-anchor="middle" dominant-baseline="middle" '
                f'font-size="{min(12, height - 4)}" aria-hidden="true">{style.symbol}</text>'
            )
        x += share
    out.append("</svg>")
    return mark_safe("".join(out))


_TIMELINE_LANES = (
    ("supports", "supports"),
    ("leans_supports", "leans supports"),
    ("mixed", "mixed"),
    ("leans_contradicts", "leans contradicts"),
    ("contradicts", "contradicts"),
    ("neutral", "neutral"),
    (None, "no view of its own"),
)


def timeline_chart(line, *, width: int = 720) -> SafeString:
    """Positions along the publication dates (a `timeline.Timeline`): a lane per position, the
    dated sources placed by date, the undated ones in a lane of their own at the right.

    A picture of the list the page prints beside it, so hidden from assistive technology."""
    lane_height, top, left, undated_width = 26, 10, 132, 120
    lanes = {label: i for i, (label, _) in enumerate(_TIMELINE_LANES)}
    height = top + lane_height * len(_TIMELINE_LANES) + 34
    right = width - (undated_width if line.undated else 16)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-chart" aria-hidden="true"'
        f' focusable="false"{_attrs(width=width, height=height, viewBox=f"0 0 {width} {height}")}>'
    ]
    for i, (_, name) in enumerate(_TIMELINE_LANES):
        y = top + i * lane_height + lane_height / 2
        out.append(
            f'<line{_attrs(x1=left, x2=width - 8, y1=y, y2=y)} class="timeline-chart__lane"/>'
            f'<text{_attrs(x=left - 8, y=y, fill=MUTED)} text-anchor="end" '
            f'dominant-baseline="middle" font-size="12">{escape(name)}</text>'
        )
    bottom = top + lane_height * len(_TIMELINE_LANES) + 16

    def dot(x: float, moment) -> str:
        label = moment.position.label if moment.position is not None else None
        y = top + lanes.get(label, len(_TIMELINE_LANES) - 1) * lane_height + lane_height / 2
        when = f"{moment.when.day} {moment.when:%b %Y}" if moment.when else "date not stated"
        return (
            f'<circle{_attrs(cx=round(x, 1), cy=y, r=7)} class="timeline-chart__dot '
            f'timeline-chart__dot--{escape(label or "aside")}">'
            f"<title>{escape(moment.source.title)} ({when})</title></circle>"
        )

    for moment in line.dated:
        out.append(dot(left + 12 + moment.offset * (right - left - 36), moment))
    if line.dated:
        out.append(
            f'<text{_attrs(x=left + 12, y=bottom, fill=MUTED)} font-size="12">'
            f"{line.first:%b %Y}</text>"
        )
        if line.last != line.first:
            out.append(
                f'<text{_attrs(x=right - 24, y=bottom, fill=MUTED)} text-anchor="end" '
                f'font-size="12">{line.last:%b %Y}</text>'
            )
    if line.undated:
        x0 = right + 8
        out.append(
            f"<rect{_attrs(x=x0, y=top, width=undated_width - 16, height=height - top - 30)} "
            f'rx="4" class="timeline-chart__undated"/>'
            f"<text{_attrs(x=x0 + (undated_width - 16) / 2, y=bottom, fill=MUTED)} "
            f'text-anchor="middle" font-size="12">undated</text>'
        )
        step = (undated_width - 16) / (len(line.undated) + 1)
        for n, moment in enumerate(line.undated, start=1):
            out.append(dot(x0 + n * step, moment))
    out.append("</svg>")
    return mark_safe("".join(out))
