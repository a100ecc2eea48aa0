"""Read files for import: decode, extract (HTML), clean or keep verbatim, and derive metadata.

Nothing here writes to the database, so the admin's preview and the command's dry checks run the
very code that the import itself runs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from django.utils.text import slugify

from . import cleaning, html
from .manifest import Manifest, SourceEntry

MAX_FILE_BYTES = 5 * 1024 * 1024
VERBATIM_FORMAT = "verbatim"
_FORMATS_BY_SUFFIX = {
    ".md": cleaning.MARKDOWN,
    ".markdown": cleaning.MARKDOWN,
    ".html": cleaning.HTML,
    ".htm": cleaning.HTML,
}
# A blank line, whatever the line endings: where a verbatim body's blocks are cut.
_BLANK_LINE = re.compile(r"\r?\n[ \t]*(?:\r?\n[ \t]*)+")


class ImportFailure(Exception):
    """An import that cannot go ahead; nothing has been written."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class Document:
    """One file as given: its name (for messages, slugs and provenance) and its bytes."""

    name: str
    raw: bytes


@dataclass
class Prepared:
    """A file read, cleaned (or kept verbatim) and matched to its metadata, ready to write."""

    name: str
    entry: SourceEntry
    cleaned: cleaning.Cleaned
    sha256: str
    verbatim: bool = False
    author_names: tuple[str, ...] = field(default_factory=tuple)


def format_of(name: str) -> str:
    """The format a file's name announces: Markdown, HTML, else plain text."""
    return _FORMATS_BY_SUFFIX.get(PurePath(name).suffix.lower(), cleaning.TEXT)


def title_from_name(name: str) -> str:
    """A readable title from a file name: "russia-iran_2024.txt" -> "Russia iran 2024"."""
    words = " ".join(re.split(r"[-_.\s]+", PurePath(name).stem)).strip()
    return (words[:1].upper() + words[1:])[:300]


def slug_from_name(name: str) -> str:
    return slugify(PurePath(name).stem)[:200].strip("-")


def verbatim_blocks(body: str) -> list[dict[str, int | str]]:
    """Paragraphs of a verbatim body: the text between blank lines (LF or CRLF), untouched."""
    blocks, position = [], 0
    for gap in [*_BLANK_LINE.finditer(body), None]:
        end = gap.start() if gap else len(body)
        text = body[position:end]
        left, right = len(text) - len(text.lstrip()), len(text.rstrip())
        if right > left:
            blocks.append(
                {
                    "kind": cleaning.PARAGRAPH,
                    "level": 0,
                    "start": position + left,
                    "end": position + right,
                }
            )
        position = gap.end() if gap else len(body)
    return blocks


def _entry(name: str, text: str, fmt: str, *, verbatim: bool, title: str) -> SourceEntry:
    """Metadata for a file without a manifest entry: a draft titled by the form, the first
    heading or line (cleaned mode) or the file name (verbatim mode)."""
    if title:
        chosen = title.strip()[:300]
    elif verbatim:
        chosen = title_from_name(name)
    else:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        chosen = cleaning.strip_inline_markdown(first.lstrip("#").strip())[:300]
    slug = slug_from_name(name) if verbatim else slugify(chosen)[:200].strip("-")
    if not slug:
        slug = slug_from_name(name)
    if not slug or not chosen:
        raise ImportFailure(name, "cannot derive a title and slug; give a title")
    return SourceEntry(file=name, slug=slug, title=chosen, format=fmt)


def prepare(
    document: Document,
    manifest: Manifest | None = None,
    *,
    verbatim: bool = False,
    title: str = "",
) -> Prepared:
    """Read, decode, clean (or keep verbatim) and validate one file. Writes nothing."""
    name, raw = document.name, document.raw
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFailure(name, f"larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
    try:
        text = cleaning.decode(raw)
        if not text.strip():
            raise cleaning.CleaningError("the file is empty")
        entry = manifest.entry_for(name) if manifest is not None else None
        if manifest is not None and entry is None:
            raise ImportFailure(name, f"has no [[sources]] entry in {manifest.path.name}")
        fmt = entry.format if entry else format_of(name)
        if verbatim:
            if fmt == cleaning.HTML:
                raise ImportFailure(
                    name, "HTML cannot be kept verbatim: its text must be extracted (clean it)"
                )
            entry = entry or _entry(name, text, fmt, verbatim=True, title=title)
            # The text exactly as given: no Unicode, line-ending or space changes.
            kept = cleaning.Cleaned(body=text, blocks=verbatim_blocks(text))
            return Prepared(name, entry, kept, hashlib.sha256(raw).hexdigest(), verbatim=True)
        authors: tuple[str, ...] = ()
        outside: tuple[str, ...] = ()
        if fmt == cleaning.HTML:
            page = html.extract(text)
            if not page.markdown.strip():
                raise cleaning.CleaningError("no main text found in the HTML")
            text, authors, outside = page.markdown, page.authors, page.outside
            if entry is None:
                entry = _entry(name, text, cleaning.HTML, verbatim=False, title=title or page.title)
                entry = replace(entry, published_on=page.date)
        entry = entry or _entry(name, text, fmt, verbatim=False, title=title)
        # The title line becomes metadata; the manifest's own rules run before the generic ones.
        rules = (cleaning.line_rule(entry.title, "title: stored as the source's title"),)
        markup = cleaning.TEXT if fmt == cleaning.TEXT else cleaning.MARKDOWN
        cleaned = cleaning.clean(text, fmt=markup, rules=rules + entry.rules, bio=entry.bio)
        if outside:
            reason = "outside the page's main text (navigation, sidebars, footers…)"
            cleaned.removed.insert(0, cleaning.Removal(reason, "\n".join(outside)))
    except cleaning.CleaningError as error:
        raise ImportFailure(name, str(error)) from None
    return Prepared(name, entry, cleaned, hashlib.sha256(raw).hexdigest(), author_names=authors)


def prepare_batch(
    documents: list[Document],
    manifest: Manifest | None = None,
    *,
    verbatim: bool = False,
    title: str = "",
) -> list[Prepared]:
    """Prepare every file; files whose titles give the same slug are slugged by file name."""
    if not documents:
        raise ImportFailure("import", "no files given")
    if title and len(documents) > 1:
        raise ImportFailure("title", "a title can be given for one file only")
    batch = [prepare(doc, manifest, verbatim=verbatim, title=title) for doc in documents]
    if manifest is None:
        slugs: dict[str, int] = {}
        for item in batch:
            slugs[item.entry.slug] = slugs.get(item.entry.slug, 0) + 1
        for item in batch:
            if slugs[item.entry.slug] > 1 and slug_from_name(item.name):
                item.entry = replace(item.entry, slug=slug_from_name(item.name))
    return batch
