"""Template helpers for the public pages: stances as symbol + word, charts, labels, text.

Everything that turns data into markup goes through `format_html`/`escape` or `claims.charts`,
so a title or quote containing markup is always printed as text.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from claims import charts, display, search
from claims.positions import Position
from claims.reading import Block, Part

register = template.Library()


@register.simple_tag
def stance(label: str | None, word: str | None = None) -> SafeString:
    """A stance as a badge: symbol (hidden from screen readers) and word, coloured by class.

    `word` replaces the label's own word where the sentence needs another ("supports" reads
    as "supported" elsewhere); without a label the badge says "not addressed".
    """
    style = display.stance(label)
    if style is None:
        return format_html('<span class="stance stance-none">{}</span>', word or "not addressed")
    return format_html(
        '<span class="stance stance-{}"><span class="stance-symbol" aria-hidden="true">{}</span>'
        ' <span class="stance-word">{}</span></span>',
        style.label,
        style.symbol,
        word or style.word,
    )


@register.simple_tag
def position(held) -> SafeString:
    """A source's (or a group's) position as a badge, from a `positions.Position` or a label.

    A position without a label (the source only reports others' views on it) says so instead
    of "not addressed"."""
    if isinstance(held, Position):
        if held.label is None:
            return format_html(
                '<span class="stance stance-aside"><span class="stance-symbol" '
                'aria-hidden="true">{}</span> <span class="stance-word">{}</span></span>',
                "❝",
                "no view of its own",
            )
        return stance(held.label)
    return stance(held)


@register.filter
def counts_text(held: Position | None) -> str:
    """ "✔4 ✖1": quotes per label."""
    return display.counts_text(held)


@register.filter
def lean_text(held: Position | None) -> str:
    return display.lean_text(held)


@register.filter
def evidence_text(held: Position | None) -> str:
    """ "✔4 ✖1 · lean +0.60 · 5 quotes" ("1 quote only" for a position resting on one)."""
    return display.evidence_text(held)


@register.filter
def aside_text(held: Position | None) -> str:
    """What was kept beside the position: "2 reported views, 1 counterpoint"; empty if none."""
    if held is None or not held.aside:
        return ""
    words = {
        "reported": ("reported view", "reported views"),
        "counterpoint": ("counterpoint", "counterpoints"),
        "background": ("background claim", "background claims"),
    }
    return ", ".join(
        f"{count} {words[kind][count != 1]}" for kind, count in held.aside.items() if count
    )


@register.filter
def attribution_word(claim) -> str:
    """ "reported", "counterpoint", "background"; empty for the source's own view."""
    return "" if claim.attribution == "own" else claim.get_attribution_display().lower()


@register.filter
def stance_symbol(label: str | None) -> str:
    style = display.stance(label)
    return style.symbol if style else ""


@register.filter
def stance_word(label: str | None) -> str:
    style = display.stance(label)
    return style.word if style else "not addressed"


@register.simple_tag
def stance_bar(counts: dict, label: str = "", width: int = 200, height: int = 16) -> SafeString:
    """The distribution bar of `claims.charts` with the counts as its accessible name."""
    return charts.stance_bar(counts, width=int(width), height=int(height), label=label or None)


@register.filter
def describe_counts(counts: dict) -> str:
    return charts.describe_counts(counts)


@register.filter
def divergence_word(summary) -> str:
    """Words for a `selectors.Summary`'s divergence ("divided", "sources agree")."""
    return display.divergence_word(summary.divergence, summary.sided)


@register.simple_tag
def highlight(text: str, query: str) -> SafeString:
    """`text` escaped, with the words matching the search query wrapped in <mark>."""
    return search.highlight(text, query)


@register.simple_tag
def excerpt(text: str, query: str) -> SafeString:
    """A short stretch of `text` around the first word the query finds, words marked; empty
    when the query finds nothing in it."""
    return search.excerpt(text, query)


@register.simple_tag
def quote(text: str, limit: int = 0, href: str = "", claim: int | None = None) -> SafeString:
    """A claim's words in typographic quotation marks, shortened honestly.

    Shortened (to `limit` characters, 0 for never) only at a word boundary, and then marked by
    "[…]" which links to the whole quote: `href`, followed by `#claim-<claim>` when `claim` is
    given (the claim in the reading view). A quote already enclosed in its own marks is not
    wrapped again; see `display.quotation`.
    """
    shown = display.quotation(text or "", int(limit))
    if claim is not None:
        href = f"{href}#claim-{claim}"
    if not shown.elided:
        return format_html(
            '<span class="quoted">{}{}{}</span>', shown.opening, shown.text, shown.closing
        )
    if href:
        elision = format_html(
            '<a class="elision" href="{}">{}<span class="visually-hidden"> (shortened: read the'
            " whole quote)</span></a>",
            href,
            display.ELISION,
        )
    else:
        elision = format_html(
            '<span class="elision">{}<span class="visually-hidden"> (shortened)</span></span>',
            display.ELISION,
        )
    return format_html(
        '<span class="quoted">{}{} {}{}</span>', shown.opening, shown.text, elision, shown.closing
    )


@register.simple_tag
def matrix_cell(source, cell, proposition_pk: int) -> SafeString:
    """One filled cell of a topic's matrix: the position with its counts, lean and the quote
    that keeps it from being clear-cut, linking to the first quote in the reading view, and
    the popover of every quote. Built here rather than in the template language: a topic page
    holds hundreds of cells, and rendering them was two thirds of the page's time."""
    evidence = cell.evidence
    source_url = reverse("claims:source", args=[source.slug])
    name = source_name(source)
    pop_id = f"q-{proposition_pk}-{source.pk}"
    badge = position(evidence)
    parts = [
        format_html('<span class="visually-hidden">{}, position: </span>{}', source.title, badge)
    ]
    quotes = evidence.quotes if evidence is not None else 0
    if quotes:
        lean = ""
        if evidence.lean is not None:
            lean = format_html(' <span class="cell__lean">lean {}</span>', lean_text(evidence))
        parts.append(
            format_html(
                '<span class="cell__counts"><span class="visually-hidden">quotes per stance: '
                "</span>{}{}</span>",
                counts_text(evidence),
                lean,
            )
        )
    if evidence is not None and evidence.single:
        parts.append(mark_safe('<span class="cell__single">1 quote only</span>'))
    if evidence is not None and evidence.aside:
        parts.append(format_html('<span class="cell__aside">+ {}</span>', aside_text(evidence)))
    dissent = cell.dissenting()
    if dissent:
        claim, label = dissent[0]
        more = ""
        if len(dissent) > 1:
            more = format_html(' <span class="muted">+{}</span>', len(dissent) - 1)
        parts.append(
            format_html(
                '<span class="cell__why"><span class="visually-hidden">against it, a quote with '
                'stance </span>{} <span class="visually-hidden">{}: </span>{}{}</span>',
                stance_symbol(label),
                stance_word(label),
                quote(claim.quote, 70),
                more,
            )
        )
    first = cell.claims[0].pk if cell.claims else ""
    link = format_html(
        '<a class="cell__link" href="{}#claim-{}" aria-describedby="{}">{}</a>',
        source_url,
        first,
        pop_id,
        SafeString(" ".join(parts)),
    )
    head = format_html(
        '<span class="pop__source">{}</span> <span class="pop__position">position: {}</span>',
        name,
        badge,
    )
    if evidence is not None and (quotes or evidence.aside):
        beside = ""
        if evidence.aside:
            beside = format_html("{}beside it: {}", " · " if quotes else "", aside_text(evidence))
        head = format_html(
            '{} <span class="pop__evidence">{}{}</span>', head, evidence_text(evidence), beside
        )
    items = format_html_join(
        "",
        '<li class="pop__quote"><span class="pop__label">{}{} · stance: {} {}</span> {}</li>',
        (
            (
                claim.speaker.name if claim.speaker else "The source",
                format_html(" ({})", voice) if (voice := attribution_word(claim)) else "",
                stance_symbol(label),
                stance_word(label),
                quote(claim.quote, 280, source_url, claim.pk),
            )
            for claim, label in cell.quoted()
        ),
    )
    return format_html(
        '<td class="cell cell--{}" data-source="{}">{}<div class="pop" id="{}" data-pop>'
        '<p class="pop__head">{}</p><ol class="pop__quotes">{}</ol></div></td>',
        cell.position or "aside",
        name,
        link,
        pop_id,
        head,
        items,
    )


@register.filter
def language_name(tag: str) -> str:
    return display.language_name(tag)


@register.filter
def source_name(source) -> str:
    """The outlet's name, or the title when the outlet is not known."""
    return source.publisher.name if source.publisher else source.title


@register.filter
def short_label(source) -> str:
    return display.short_label(source.title, source.publisher.name if source.publisher else None)


@register.filter
def heat_pairs(rows) -> list[tuple]:
    """Each pair of the heatmap's rows once, as (source, other, agreement, compare URL), the
    most agreeing first and pairs with nothing in common last: the map as a list for phones."""
    pairs = [
        (row.source, other, found, href)
        for i, row in enumerate(rows)
        for j, (other, found, href) in enumerate(row.cells)
        if j > i and href
    ]

    def closeness(pair: tuple) -> float:
        found = pair[2]
        return -1.0 if found is None or found.score is None else found.score

    return sorted(pairs, key=closeness, reverse=True)


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def _text(value: str) -> SafeString:
    """`value` escaped so that the browser's DOM holds exactly these characters.

    An HTML parser turns every carriage return of the page's source into a line feed; only a
    character reference keeps one, and a body imported verbatim may hold some.
    """
    return SafeString(escape(value).replace("\r", "&#13;"))


def _gap(text: str) -> SafeString:
    # The text between blocks stays in the page, so the element's text is the body; the block
    # elements lay the text out, so the separator itself is not shown.
    if not text:
        return SafeString("")
    return format_html('<span class="text-gap">{}</span>', _text(text))


@register.simple_tag
def source_text(parts: list[Part], marks: dict, rest: str) -> SafeString:
    """The inside of the reading view's text element: its `textContent` is the body exactly.

    Headings and paragraphs are printed as h2–h4 and p, a run of list items as a list of
    items (ARIA roles, bullets from CSS: nothing is added to the text), and every piece of text
    between blocks (`Block.before`, and `rest` after the last block) in a hidden span. Nothing
    else goes in: no whitespace, no markers, no controls. `marks` is as for `block_text`.
    """
    html = []
    for part in parts:
        first = part.blocks[0]
        html.append(_gap(first.before))
        if part.is_list:
            items = [
                format_html(
                    '{}<div class="text-item" role="listitem">{}</div>',
                    _gap(block.before) if index else "",
                    block_text(block, marks),
                )
                for index, block in enumerate(part.blocks)
            ]
            html.append(
                format_html(
                    '<div class="text-list" role="list">{}</div>', SafeString("".join(items))
                )
            )
        else:
            html.append(format_html("<{0}>{1}</{0}>", first.tag, block_text(first, marks)))
    html.append(_gap(rest))
    return SafeString("".join(html))


def block_text(block: Block, marks: dict) -> SafeString:
    """The text of one reading-view block, its claims wrapped in <mark> segments.

    `marks` maps claim id → its label. A segment carries every claim covering it in
    `data-claims` (outermost first); its colour is the innermost claim's stance and its depth
    class draws the nesting. The first segment of a claim holds the `claim-<id>` anchor; when
    several claims begin at the same place the others get an empty anchor just before it.
    Every segment can take keyboard focus, and is described by the stances and the attribution
    printed in its claims' notes (innermost first), so a screen reader announces them.
    """
    parts = []
    for seg in block.segments:
        if not seg.claims:
            parts.append(_text(seg.text))
            continue
        extra = seg.begins[1:]
        if extra:
            parts.append(
                format_html_join(
                    "", '<span class="claim-anchor" id="claim-{}"></span>', ((c,) for c in extra)
                )
            )
        label = marks.get(seg.innermost, "neutral")
        described = " ".join(
            f"note-stances-{c} note-meta-{c}" for c in reversed(seg.claims) if c in marks
        )
        anchor = format_html(' id="claim-{}"', seg.begins[0]) if seg.begins else ""
        parts.append(
            format_html(
                '<mark class="seg stance-{} depth-{}" data-claims="{}"{} tabindex="0"'
                ' aria-describedby="{}">{}</mark>',
                label,
                min(seg.depth, 3),
                " ".join(str(c) for c in seg.claims),
                anchor,
                described,
                _text(seg.text),
            )
        )
    return SafeString("".join(parts))
