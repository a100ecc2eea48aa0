"""Read an HTML page: its main text as Markdown, with the title, author and date it states.

Extraction is trafilatura's (main-content detection, boilerplate removal); it runs offline and
never fetches anything. Headings and lists come out as Markdown so that the cleaner keeps them as
the layout of the body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from .cleaning import strip_inline_markdown

_BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "dt",
    "dd",
    "blockquote",
    "figcaption",
    "pre",
    "nav",
    "header",
    "footer",
    "aside",
    "div",
    "section",
    "article",
    "main",
    "form",
    "table",
    "ul",
    "ol",
    "dl",
    "figure",
    "address",
}
_HIDDEN = "//script|//style|//noscript|//template|//head"


@dataclass(frozen=True)
class Extracted:
    """The main text of a page, as Markdown, and the metadata found in it."""

    markdown: str
    title: str
    authors: tuple[str, ...]
    date: dt.date | None
    # Text of the page that the extractor left out (navigation, sidebars, footers…).
    outside: tuple[str, ...] = ()


def _authors(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    # trafilatura joins several authors with "; ".
    return tuple(name.strip() for name in value.split(";") if name.strip())


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _left_out(html: str, markdown: str) -> tuple[str, ...]:
    """The page's innermost blocks of text that are not in the extracted main text, so that the
    preview can say what the extraction dropped as well as what the cleaner did."""
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return ()
    for hidden in tree.xpath(_HIDDEN):
        hidden.drop_tree()
    kept = " ".join(strip_inline_markdown(line) for line in markdown.splitlines())
    kept = " ".join(kept.split())
    left: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCKS:
            continue
        if any(
            child.tag in _BLOCKS
            for child in element.iterdescendants()
            if isinstance(child.tag, str)
        ):
            continue
        text = " ".join(element.text_content().split())
        if text and text not in kept and text not in left:
            left.append(text)
    return tuple(left)


def extract(html: str) -> Extracted:
    """Return the page's main text and metadata; an empty `markdown` means none was found."""
    document = trafilatura.bare_extraction(
        html,
        output_format="python",
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=False,
        include_images=False,
        include_tables=False,
    )
    if document is None:
        return Extracted("", "", (), None)
    return Extracted(
        markdown=document.text or "",
        title=(document.title or "").strip(),
        authors=_authors(document.author),
        date=_date(document.date),
        outside=_left_out(html, document.text or ""),
    )
