"""Citing a quoted claim: the same facts as plain text, BibTeX and CSL-JSON.

Pure Python: the caller gathers the facts (`Citation`), these functions only write them out.
Nothing is made up: a missing author, date or original address is left out of every form, not
filled with a guess (BibTeX's and CSL's "n.d." conventions are left to the reader's software).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Citation:
    quote: str
    title: str
    permalink: str  # the quote in the reading view, absolute
    key_hint: str  # a stable, unique part of the BibTeX key (e.g. "claim-208")
    authors: tuple[str, ...] = ()
    publisher: str = ""
    published_on: date | None = None
    original_url: str = ""
    accessed: date | None = None
    language: str = ""


def _authors_text(authors: tuple[str, ...]) -> str:
    if len(authors) <= 2:
        return " and ".join(authors)
    return ", ".join(authors[:-1]) + ", and " + authors[-1]


def _sentence(text: str) -> str:
    """`text` ending with a full stop, unless it already ends with a mark of its own."""
    return text if text[-1:] in ".?!…" else text + "."


def plain_text(citation: Citation) -> str:
    """One paragraph: the quote, then who said it where and when, then the addresses."""
    parts = []
    if citation.authors:
        parts.append(_sentence(_authors_text(citation.authors)))
    parts.append(f"“{_sentence(citation.title)}”")
    when = (
        f"{citation.published_on.day} {citation.published_on:%B %Y}."
        if citation.published_on
        else "date not stated."
    )
    parts.append(f"{citation.publisher}, {when}" if citation.publisher else when.capitalize())
    if citation.original_url:
        parts.append(citation.original_url + ".")
    lines = [f"“{citation.quote}”", " ".join(parts)]
    quoted_at = f"Quoted at {citation.permalink}"
    if citation.accessed:
        quoted_at += f" (accessed {citation.accessed.isoformat()})"
    lines.append(quoted_at + ".")
    return "\n".join(lines)


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_value(text: str) -> str:
    """`text` with BibTeX's special characters escaped, in braces."""

    def escape(match: re.Match) -> str:
        char = match.group(1)
        if char == "\\":
            return r"\textbackslash{}"
        if char in "^~":
            return rf"\{char}{{}}"
        return "\\" + char

    return "{" + _BIBTEX_SPECIAL.sub(escape, " ".join(text.split())) + "}"


def _key(citation: Citation) -> str:
    first = citation.authors[0].split()[-1] if citation.authors else citation.publisher or "anon"
    ascii_name = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]", "", ascii_name).lower() or "anon"
    year = str(citation.published_on.year) if citation.published_on else "nd"
    hint = re.sub(r"[^A-Za-z0-9-]", "", citation.key_hint)
    return f"{name}{year}-{hint}"


def bibtex(citation: Citation) -> str:
    """A BibTeX @online entry; the quote goes in `note`."""
    fields: list[tuple[str, str]] = [("title", citation.title)]
    if citation.authors:
        fields.append(("author", " and ".join(citation.authors)))
    if citation.publisher:
        fields.append(("organization", citation.publisher))
    if citation.published_on:
        fields.append(("date", citation.published_on.isoformat()))
        fields.append(("year", str(citation.published_on.year)))
    if citation.original_url:
        fields.append(("url", citation.original_url))
    if citation.accessed:
        fields.append(("urldate", citation.accessed.isoformat()))
    if citation.language:
        fields.append(("langid", citation.language))
    fields.append(("note", f"Quoted: “{citation.quote}” At {citation.permalink}"))
    body = ",\n".join(f"  {name} = {_bibtex_value(value)}" for name, value in fields)
    return f"@online{{{_key(citation)},\n{body}\n}}"


def _csl_date(day: date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_json(citation: Citation) -> str:
    """A CSL-JSON item (a list of one, as citation managers import it)."""
    item: dict = {
        "id": _key(citation),
        "type": "article",
        "title": citation.title,
        "URL": citation.original_url or citation.permalink,
        # CSL has no variable for a quotation: it travels in the note, with its address.
        "note": f"Quoted: “{citation.quote}” At {citation.permalink}",
    }
    if citation.authors:
        item["author"] = [{"literal": name} for name in citation.authors]
    if citation.publisher:
        item["publisher"] = citation.publisher
        item["container-title"] = citation.publisher
    if citation.published_on:
        item["issued"] = _csl_date(citation.published_on)
    if citation.accessed:
        item["accessed"] = _csl_date(citation.accessed)
    if citation.language:
        item["language"] = citation.language
    return json.dumps([item], ensure_ascii=False, indent=2)
