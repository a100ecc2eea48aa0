"""Read an HTML page: its main text as Markdown, with the title, author and date it states.

Extraction is trafilatura's (main-content detection, boilerplate removal); it runs offline and
never fetches anything. Headings and lists come out as Markdown so that the cleaner keeps them as
the layout of the body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True)
class Extracted:
    """The main text of a page, as Markdown, and the metadata found in it."""

    markdown: str
    title: str
    authors: tuple[str, ...]
    date: dt.date | None


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
    )
