"""The import manifest: metadata for each file and the furniture rules that clean it.

A manifest is a TOML file with three kinds of table: `[publishers.<slug>]`, `[authors.<slug>]`
and `[[sources]]` (one per file, keyed by `file`). Every key is checked: a misspelt key is an
error that names the file and the key, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cleaning


class ManifestError(ValueError):
    """The manifest cannot be used; the message says where and why."""


PUBLISHER_KEYS = {"name", "kind", "homepage", "country", "language", "description"}
AUTHOR_KEYS = {"name", "bio", "homepage"}
SOURCE_KEYS = {
    "file",
    "slug",
    "title",
    "title_supplied",
    "publisher",
    "authors",
    "translators",
    "url",
    "published_on",
    "language",
    "translated_from",
    "format",
    "status",
    "drop_lines",
    "drop_patterns",
    "cut_from",
    "bio",
    "note",
}
RULE_KEYS = {"text", "pattern", "reason"}
BIO_KEYS = {"pattern", "author", "strip"}
STATUSES = {"draft", "in_review", "published"}
_SLUG = re.compile(r"^[-a-z0-9]+$")


@dataclass(frozen=True)
class PublisherEntry:
    slug: str
    name: str
    kind: str = "analysis"
    homepage: str = ""
    country: str = ""
    language: str = ""
    description: str = ""


@dataclass(frozen=True)
class AuthorEntry:
    slug: str
    name: str
    bio: str = ""
    homepage: str = ""


@dataclass(frozen=True)
class SourceEntry:
    file: str
    slug: str
    title: str
    title_supplied: bool = False
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    translators: tuple[str, ...] = ()
    url: str = ""
    published_on: dt.date | None = None
    language: str = "en"
    translated_from: str = ""
    format: str = cleaning.TEXT
    status: str = "draft"
    rules: tuple[cleaning.Rule, ...] = ()
    bio: cleaning.BioRule | None = None
    note: str = ""


@dataclass
class Manifest:
    path: Path | None = None
    publishers: dict[str, PublisherEntry] = field(default_factory=dict)
    authors: dict[str, AuthorEntry] = field(default_factory=dict)
    sources: dict[str, SourceEntry] = field(default_factory=dict)

    def entry_for(self, filename: str) -> SourceEntry | None:
        return self.sources.get(filename)


def _check_keys(where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ManifestError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _string(where: str, table: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ManifestError(f"{where}: {key!r} must be a string")
    if required and not value.strip():
        raise ManifestError(f"{where}: {key!r} is required")
    return value.strip()


def _slug_list(where: str, table: dict[str, Any], key: str, known: dict[str, Any]) -> tuple:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{where}: {key!r} must be a list of slugs")
    for slug in value:
        if slug not in known:
            raise ManifestError(
                f"{where}: {key!r} names {slug!r}, which the manifest does not define"
            )
    return tuple(value)


def _compile(where: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ManifestError(f"{where}: bad regular expression {pattern!r}: {error}") from None


def _rules(where: str, table: dict[str, Any]) -> tuple[cleaning.Rule, ...]:
    rules: list[cleaning.Rule] = []
    for key in ("drop_lines", "drop_patterns", "cut_from"):
        entries = table.get(key, [])
        if not isinstance(entries, list):
            raise ManifestError(f"{where}: {key!r} must be a list of tables")
        for index, entry in enumerate(entries):
            at = f"{where}.{key}[{index}]"
            if not isinstance(entry, dict):
                raise ManifestError(f"{at}: must be a table with a reason")
            _check_keys(at, entry, RULE_KEYS)
            reason = _string(at, entry, "reason", required=True)
            if key == "drop_lines":
                rules.append(cleaning.line_rule(_string(at, entry, "text", required=True), reason))
                continue
            pattern = _string(at, entry, "pattern", required=True)
            _compile(at, pattern)
            make = cleaning.pattern_rule if key == "drop_patterns" else cleaning.cut_rule
            rules.append(make(pattern, reason))
    return tuple(rules)


def _bio(where: str, table: dict[str, Any], authors: dict[str, AuthorEntry]):
    if "bio" not in table:
        return None
    entry = table["bio"]
    at = f"{where}.bio"
    if not isinstance(entry, dict):
        raise ManifestError(f"{at}: must be a table")
    _check_keys(at, entry, BIO_KEYS)
    author = _string(at, entry, "author", required=True)
    if author not in authors:
        raise ManifestError(f"{at}: author {author!r} is not defined in [authors]")
    strip = entry.get("strip", [])
    if not isinstance(strip, list):
        raise ManifestError(f"{at}: 'strip' must be a list of regular expressions")
    return cleaning.BioRule(
        pattern=_compile(at, _string(at, entry, "pattern", required=True)),
        author=author,
        strip=tuple(_compile(at, s) for s in strip),
    )


def parse(data: dict[str, Any], *, path: Path | None = None) -> Manifest:
    """Validate a decoded manifest and turn it into entries."""
    name = path.name if path else "manifest"
    _check_keys(name, data, {"publishers", "authors", "sources"})
    manifest = Manifest(path=path)

    for slug, table in data.get("publishers", {}).items():
        where = f"{name}: publishers.{slug}"
        if not _SLUG.match(slug) or not isinstance(table, dict):
            raise ManifestError(f"{where}: must be a table under a lower-case slug")
        _check_keys(where, table, PUBLISHER_KEYS)
        values = {key: _string(where, table, key) for key in PUBLISHER_KEYS}
        _string(where, table, "name", required=True)
        manifest.publishers[slug] = PublisherEntry(
            slug=slug, **{k: v for k, v in values.items() if v}
        )

    for slug, table in data.get("authors", {}).items():
        where = f"{name}: authors.{slug}"
        if not _SLUG.match(slug) or not isinstance(table, dict):
            raise ManifestError(f"{where}: must be a table under a lower-case slug")
        _check_keys(where, table, AUTHOR_KEYS)
        values = {key: _string(where, table, key) for key in AUTHOR_KEYS}
        _string(where, table, "name", required=True)
        manifest.authors[slug] = AuthorEntry(slug=slug, **{k: v for k, v in values.items() if v})

    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise ManifestError(f"{name}: 'sources' must be an array of tables ([[sources]])")
    slugs: dict[str, str] = {}
    for index, table in enumerate(sources):
        file = table.get("file") if isinstance(table, dict) else None
        where = f"{name}: sources[{index}]" + (f" ({file})" if file else "")
        if not isinstance(table, dict):
            raise ManifestError(f"{where}: must be a table")
        _check_keys(where, table, SOURCE_KEYS)
        file = _string(where, table, "file", required=True)
        if file in manifest.sources:
            raise ManifestError(f"{where}: file {file!r} is listed twice")
        slug = _string(where, table, "slug", required=True)
        if not _SLUG.match(slug):
            raise ManifestError(f"{where}: slug {slug!r} may hold only a-z, 0-9 and hyphens")
        if slug in slugs:
            raise ManifestError(f"{where}: duplicate slug {slug!r} (also used by {slugs[slug]})")
        slugs[slug] = file
        publisher = _string(where, table, "publisher") or None
        if publisher and publisher not in manifest.publishers:
            raise ManifestError(f"{where}: publisher {publisher!r} is not defined in [publishers]")
        published_on = table.get("published_on")
        if published_on is not None and not isinstance(published_on, dt.date):
            raise ManifestError(f"{where}: 'published_on' must be a date such as 2024-09-12")
        fmt = _string(where, table, "format") or cleaning.TEXT
        if fmt not in cleaning.FORMATS:
            raise ManifestError(f"{where}: format {fmt!r} is not one of {cleaning.FORMATS}")
        status = _string(where, table, "status") or "draft"
        if status not in STATUSES:
            raise ManifestError(f"{where}: status {status!r} is not one of {sorted(STATUSES)}")
        title_supplied = table.get("title_supplied", False)
        if not isinstance(title_supplied, bool):
            raise ManifestError(f"{where}: 'title_supplied' must be true or false")
        manifest.sources[file] = SourceEntry(
            file=file,
            slug=slug,
            title=_string(where, table, "title", required=True),
            title_supplied=title_supplied,
            publisher=publisher,
            authors=_slug_list(where, table, "authors", manifest.authors),
            translators=_slug_list(where, table, "translators", manifest.authors),
            url=_string(where, table, "url"),
            published_on=published_on,
            language=_string(where, table, "language") or "en",
            translated_from=_string(where, table, "translated_from"),
            format=fmt,
            status=status,
            rules=_rules(where, table),
            bio=_bio(where, table, manifest.authors),
            note=_string(where, table, "note"),
        )
    return manifest


MAX_MANIFEST_BYTES = 1024 * 1024


def load(path: Path) -> Manifest:
    """Read and validate a manifest file."""
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ManifestError(f"{path.name}: larger than {MAX_MANIFEST_BYTES // 1024} KiB")
        raw = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ManifestError(f"{path.name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path.name}: not valid TOML ({error})") from None
    except RecursionError:
        raise ManifestError(f"{path.name}: nested too deeply to be a manifest") from None
    return parse(data, path=path)
