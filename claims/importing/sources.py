"""Import source documents into the database: one transaction for the whole batch.

Every file is read and cleaned before anything is written, so a bad file (not UTF-8, empty,
unknown manifest key, duplicate slug…) stops the import with a message naming the file and the
problem, and the database is left exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from claims.editing import replace_body
from claims.models import Author, Authorship, Publisher, Source
from claims.publishing import publish_source

from . import cleaning
from .manifest import Manifest, ManifestError, SourceEntry

MAX_FILE_BYTES = 5 * 1024 * 1024


class ImportFailure(Exception):
    """An import that cannot go ahead; nothing has been written."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass
class ImportReport:
    """Counts of what an import created, updated and left alone."""

    counts: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)

    def tally(self, model: str, outcome: str) -> None:
        self.counts[(model, outcome)] += 1

    def lines(self) -> list[str]:
        models = dict.fromkeys(model for model, _ in self.counts)
        return [
            f"{model}: "
            + ", ".join(
                f"{self.counts[(model, outcome)]} {outcome}"
                for outcome in ("created", "updated", "unchanged")
            )
            for model in models
        ] + self.messages

    @property
    def changed(self) -> int:
        return sum(n for (_, outcome), n in self.counts.items() if outcome != "unchanged")


@dataclass
class Prepared:
    """A file read, cleaned and matched to its metadata, ready to be written."""

    path: Path
    entry: SourceEntry
    cleaned: cleaning.Cleaned
    sha256: str


def sync(instance, values: dict, report: ImportReport, label: str) -> bool:
    """Set `values` on a saved instance and save only if something differs.

    Re-running an import must change nothing: no write, no history record, unless the data did.
    """
    changed = [key for key, value in values.items() if getattr(instance, key) != value]
    for key in changed:
        setattr(instance, key, values[key])
    if changed:
        instance.save()
    report.tally(label, "updated" if changed else "unchanged")
    return bool(changed)


def upsert(model, lookup: dict, values: dict, report: ImportReport, label: str):
    """Create the row `lookup` names with `values`, or bring an existing one up to date."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        report.tally(label, "created")
    else:
        sync(instance, values, report, label)
    return instance


def _entry_without_manifest(path: Path, text: str) -> SourceEntry:
    """A file imported on its own becomes a draft titled by its first heading or line."""
    fmt = cleaning.MARKDOWN if path.suffix.lower() in {".md", ".markdown"} else cleaning.TEXT
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = cleaning.strip_inline_markdown(first.lstrip("#").strip())[:300]
    slug = slugify(title)[:200].strip("-")
    if not slug:
        raise ImportFailure(path.name, "cannot derive a title and slug from the first line")
    return SourceEntry(file=path.name, slug=slug, title=title, format=fmt)


def prepare(path: Path, manifest: Manifest | None) -> Prepared:
    """Read, decode, clean and validate one file. Writes nothing."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportFailure(path.name, f"larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFailure(str(path), f"cannot be read ({error.strerror})") from None
    try:
        text = cleaning.decode(raw)
        if not text.strip():
            raise cleaning.CleaningError("the file is empty")
        if manifest is not None:
            entry = manifest.entry_for(path.name)
            if entry is None:
                raise ImportFailure(path.name, f"has no [[sources]] entry in {manifest.path.name}")
        else:
            entry = _entry_without_manifest(path, text)
        # The title line becomes metadata; the manifest's own rules run before the generic ones.
        rules = (cleaning.line_rule(entry.title, "title: stored as the source's title"),)
        cleaned = cleaning.clean(text, fmt=entry.format, rules=rules + entry.rules, bio=entry.bio)
    except cleaning.CleaningError as error:
        raise ImportFailure(path.name, str(error)) from None
    return Prepared(path, entry, cleaned, hashlib.sha256(raw).hexdigest())


def _check_slugs(batch: list[Prepared]) -> None:
    seen: dict[str, str] = {}
    for item in batch:
        slug = item.entry.slug
        if slug in seen:
            raise ImportFailure(item.path.name, f"duplicate slug {slug!r} (also {seen[slug]})")
        seen[slug] = item.path.name
        existing = Source.objects.filter(slug=slug).only("provenance", "title").first()
        if existing is not None and existing.provenance.get("file") != item.path.name:
            origin = existing.provenance.get("file") or "entered by hand"
            raise ImportFailure(
                item.path.name,
                f"duplicate slug {slug!r}: already used by “{existing.title}” ({origin})",
            )


def _write_people(manifest: Manifest | None, batch: list[Prepared], report: ImportReport):
    publishers: dict[str, Publisher] = {}
    authors: dict[str, Author] = {}
    if manifest is None:
        return publishers, authors
    bios = {item.cleaned.bio[0]: item.cleaned.bio[1] for item in batch if item.cleaned.bio}
    for slug, entry in manifest.publishers.items():
        values = {
            "name": entry.name,
            "kind": entry.kind,
            "homepage": entry.homepage,
            "country": entry.country,
            "language": entry.language,
            "description": entry.description,
        }
        publishers[slug] = upsert(Publisher, {"slug": slug}, values, report, "Publishers")
    for slug, entry in manifest.authors.items():
        values = {
            "name": entry.name,
            "homepage": entry.homepage,
            "bio": entry.bio or bios.get(slug, ""),
        }
        authors[slug] = upsert(Author, {"slug": slug}, values, report, "Authors")
    return publishers, authors


def _write_source(item: Prepared, publishers, authors, manifest, report, user) -> Source:
    entry, cleaned = item.entry, item.cleaned
    values = {
        "publisher": publishers.get(entry.publisher) if entry.publisher else None,
        "title": entry.title,
        "title_supplied": entry.title_supplied,
        "url": entry.url,
        "published_on": entry.published_on,
        "language": entry.language,
        "translated_from": entry.translated_from,
        "provenance": {
            "file": item.path.name,
            "sha256": item.sha256,
            "format": entry.format,
            "importer_version": cleaning.IMPORTER_VERSION,
            "manifest": manifest.path.name if manifest and manifest.path else None,
            "note": entry.note,
            "removed": [removal.as_dict() for removal in cleaned.removed],
        },
    }
    source = Source.objects.filter(slug=entry.slug).first()
    if source is None:
        source = Source(slug=entry.slug, body=cleaned.body, blocks=cleaned.blocks, **values)
        source.full_clean()
        source.save()
        report.tally("Sources", "created")
        if entry.status == Source.Status.PUBLISHED:
            publish_source(source=source, by=user)
        elif entry.status == Source.Status.IN_REVIEW:
            source.status = Source.Status.IN_REVIEW
            source.save(update_fields=["status"])
    else:
        # Editorial status is the editors' business once a source exists: re-importing a file
        # updates its text and metadata, never publishes or unpublishes it.
        if source.body != cleaned.body:
            change = replace_body(source=source, body=cleaned.body, blocks=cleaned.blocks)
            report.messages.append(f"{entry.slug}: text changed; {change.summary}")
            report.tally("Sources", "updated")
            sync(source, {**values, "blocks": cleaned.blocks}, ImportReport(), "Sources")
        else:
            sync(source, {**values, "blocks": cleaned.blocks}, report, "Sources")

    wanted = [(authors[slug], Authorship.Role.AUTHOR, n) for n, slug in enumerate(entry.authors)]
    wanted += [
        (authors[slug], Authorship.Role.TRANSLATOR, n)
        for n, slug in enumerate(entry.translators, start=len(wanted))
    ]
    have = [(a.author, a.role, a.order) for a in source.authorships.select_related("author")]
    if have != wanted:
        source.authorships.all().delete()
        Authorship.objects.bulk_create(
            Authorship(source=source, author=author, role=role, order=order)
            for author, role, order in wanted
        )
        report.tally("Authorships", "updated" if have else "created")
    return source


def import_files(
    paths: list[Path], *, manifest: Manifest | None = None, user=None
) -> tuple[list[Source], ImportReport]:
    """Import `paths` (with their manifest, if any) in one transaction; all or nothing."""
    if not paths:
        raise ImportFailure("import", "no files given")
    batch = [prepare(path, manifest) for path in paths]
    report = ImportReport()
    with transaction.atomic():
        _check_slugs(batch)
        publishers, authors = _write_people(manifest, batch, report)
        sources = [
            _write_source(item, publishers, authors, manifest, report, user) for item in batch
        ]
    return sources, report


__all__ = ["ImportFailure", "ImportReport", "ManifestError", "import_files", "sync", "upsert"]
