"""Import source documents into the database: one transaction for the whole batch.

Every file is read and cleaned before anything is written, so a bad file (not UTF-8, empty,
unknown manifest key, duplicate slug…) stops the import with a message naming the file and the
problem, and the database is left exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from claims import publishing
from claims.editing import replace_body
from claims.models import Author, Authorship, Publisher, Source
from claims.revisions import start_revision

from . import cleaning
from .documents import (
    MAX_FILE_BYTES,
    Document,
    ImportFailure,
    Prepared,
    prepare_batch,
    slug_from_name,
)
from .manifest import Manifest, ManifestError


@dataclass
class ImportReport:
    """Counts of what an import created, updated and left alone."""

    counts: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    # New sources whose recorded status (`recorded=`) waits for their annotations to be loaded.
    recorded_states: list[tuple[Source, str]] = field(default_factory=list)

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


def _taken_by_another(slug: str, name: str) -> Source | None:
    existing = Source.all_objects.filter(slug=slug).only("provenance", "title").first()
    if existing is not None and existing.provenance.get("file") != name:
        return existing
    return None


def check_slugs(batch: list[Prepared], *, manifest: Manifest | None = None) -> None:
    """Refuse two files with one slug, or a slug another source already holds. Without a
    manifest, a title that another source already uses gives way to the file name's slug."""
    seen: dict[str, str] = {}
    for item in batch:
        if manifest is None and _taken_by_another(item.entry.slug, item.name):
            by_name = slug_from_name(item.name)
            if by_name and by_name not in seen and not _taken_by_another(by_name, item.name):
                item.entry = replace(item.entry, slug=by_name)
        slug = item.entry.slug
        if slug in seen:
            raise ImportFailure(item.name, f"duplicate slug {slug!r} (also {seen[slug]})")
        seen[slug] = item.name
        existing = _taken_by_another(slug, item.name)
        if existing is not None:
            origin = existing.provenance.get("file") or "entered by hand"
            raise ImportFailure(
                item.name,
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


def _named_authors(item: Prepared, report: ImportReport) -> dict[str, Author]:
    """Authors an HTML page names (no manifest): found or created by the slug of the name."""
    found = {}
    for name in item.author_names:
        slug = slugify(name)[:200].strip("-")
        if slug and slug not in found:
            found[slug] = upsert(Author, {"slug": slug}, {"name": name[:200]}, report, "Authors")
    return found


def _authorships(entry, authors: dict[str, Author], named: tuple[str, ...]) -> list[tuple]:
    """(author, role, order) of the byline the manifest (or else the page) gives, in order."""
    slugs = entry.authors or named
    wanted = [(authors[slug], Authorship.Role.AUTHOR, n) for n, slug in enumerate(slugs)]
    wanted += [
        (authors[slug], Authorship.Role.TRANSLATOR, n)
        for n, slug in enumerate(entry.translators, start=len(wanted))
    ]
    return wanted


def _changes(source: Source, cleaned, values: dict, authorships: list[tuple]) -> bool:
    """Whether importing would change anything of `source`."""
    values = {**values, "body": cleaned.body, "blocks": cleaned.blocks}
    if any(getattr(source, key) != value for key, value in values.items()):
        return True
    have = [(a.author, a.role, a.order) for a in source.authorships.select_related("author")]
    return have != authorships


def _write_source(
    item: Prepared, publishers, authors, manifest, report, user, recorded: str
) -> Source:
    entry, cleaned = item.entry, item.cleaned
    named = _named_authors(item, report) if manifest is None else {}
    authors = {**authors, **named}
    wanted = _authorships(entry, authors, tuple(named))
    values = {
        "publisher": publishers.get(entry.publisher) if entry.publisher else None,
        "title": entry.title,
        "title_supplied": entry.title_supplied,
        "url": entry.url,
        "published_on": entry.published_on,
        "language": entry.language,
        "translated_from": entry.translated_from,
        "provenance": {
            "file": item.name,
            "sha256": item.sha256,
            "format": entry.format,
            "verbatim": item.verbatim,
            "importer_version": cleaning.IMPORTER_VERSION,
            "manifest": manifest.path.name if manifest and manifest.path else None,
            "note": entry.note,
            "removed": [removal.as_dict() for removal in cleaned.removed],
        },
    }
    source = Source.all_objects.filter(slug=entry.slug).first()
    if source is not None and source.is_deleted:
        raise ImportFailure(
            item.name,
            f"slug {entry.slug!r} belongs to a deleted source; restore it from its history "
            "in the admin, or give this file another slug",
        )
    if source is None:
        source = Source(slug=entry.slug, body=cleaned.body, blocks=cleaned.blocks, **values)
        source.full_clean()
        source.save()
        report.tally("Sources", "created")
        if recorded:
            report.recorded_states.append((source, entry.status))
        else:
            _apply_status(source, entry.status, user)
    else:
        # Editorial status is the editors' business once a source exists: re-importing a file
        # updates its text and metadata, never publishes or unpublishes it. A published
        # source's revision is read-only: changes go to its working copy, for a reviewer.
        if entry.status != source.status:
            report.messages.append(
                f"{entry.slug}: stays {source.get_status_display().lower()}; an import does not "
                f"change the status of a source that exists (the manifest says {entry.status!r})."
            )
        if source.is_published and _changes(source, cleaned, values, wanted):
            source = start_revision(source=source, by=user)
            report.messages.append(
                f"{entry.slug}: published, so the changes went to its working copy "
                f"{source.slug!r}, which a reviewer publishes."
            )
        if source.body != cleaned.body:
            change = replace_body(source=source, body=cleaned.body, blocks=cleaned.blocks)
            report.messages.append(f"{entry.slug}: text changed; {change.summary}")
            report.tally("Sources", "updated")
            sync(source, {**values, "blocks": cleaned.blocks}, ImportReport(), "Sources")
        else:
            sync(source, {**values, "blocks": cleaned.blocks}, report, "Sources")

    have = [(a.author, a.role, a.order) for a in source.authorships.select_related("author")]
    if have != wanted:
        source.authorships.all().delete()
        Authorship.objects.bulk_create(
            Authorship(source=source, author=author, role=role, order=order)
            for author, role, order in wanted
        )
        report.tally("Authorships", "updated" if have else "created")
    return source


def _apply_status(source: Source, status: str, user) -> None:
    """A new source's manifest status, moved through the publishing gate."""
    if status == Source.Status.DRAFT:
        return
    if status == Source.Status.PUBLISHED:
        publishing.publish_source(source=source, by=user, note="Imported with its manifest.")
    else:
        publishing.submit_for_review(source=source, by=user, note="Imported with its manifest.")


def check_statuses(batch: list[Prepared], manifest: Manifest | None, user) -> None:
    """Refuse, before anything is written, a manifest status the importing user may not set:
    `published` needs a user who may publish, `in_review` a named user. Only new sources are
    checked: the status of a source that exists already is never changed by an import."""
    where = manifest.path.name if manifest and manifest.path else "manifest"
    existing = set(
        Source.all_objects.filter(slug__in=[item.entry.slug for item in batch]).values_list(
            "slug", flat=True
        )
    )
    for item in batch:
        status = item.entry.status
        if status == Source.Status.DRAFT or item.entry.slug in existing:
            continue
        field_name = f"{where}: sources ({item.name})"
        if status == Source.Status.IN_REVIEW and user is None:
            raise ManifestError(
                f'{field_name}: status = "in_review" needs the user the import acts as '
                "(--as <username>)"
            )
        try:
            publishing.check_manifest_status(status=status, by=user, where=field_name)
        except publishing.NotAllowed as error:
            raise ManifestError(str(error)) from None


def import_documents(
    *,
    documents: list[Document],
    manifest: Manifest | None = None,
    verbatim: bool = False,
    title: str = "",
    user=None,
    recorded: str = "",
) -> tuple[list[Source], ImportReport]:
    """Import `documents` in one transaction; all or nothing.

    Cleaned by default; with `verbatim` each text is stored exactly as given. Without a manifest
    every source is a draft. A manifest's `status` is a move through the publishing gate, made
    as `user` (`published` needs one who may publish). `recorded` (the seed corpus only) marks
    the manifest's statuses as the record of a review already made: they are left in
    `report.recorded_states` for the caller to apply (`apply_recorded_states`) once the
    annotations that review covered are loaded too.
    """
    batch = prepare_batch(documents, manifest, verbatim=verbatim, title=title)
    if not recorded:
        check_statuses(batch, manifest, user)
    report = ImportReport()
    with transaction.atomic():
        check_slugs(batch, manifest=manifest)
        publishers, authors = _write_people(manifest, batch, report)
        sources = [
            _write_source(item, publishers, authors, manifest, report, user, recorded)
            for item in batch
        ]
    return sources, report


def apply_recorded_states(report: ImportReport, note: str) -> None:
    """Apply the statuses an import with `recorded=` left waiting (claims.publishing)."""
    for source, status in report.recorded_states:
        recorded = publishing.Recorded(status=status, note=note)
        publishing.apply_recorded_state(source=source, recorded=recorded)
    report.recorded_states.clear()


def read_paths(paths: list[Path]) -> list[Document]:
    """Files as documents named by their base name; unreadable or oversized ones are refused."""
    documents = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ImportFailure(path.name, f"larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
            documents.append(Document(path.name, path.read_bytes()))
        except OSError as error:
            raise ImportFailure(str(path), f"cannot be read ({error.strerror})") from None
    return documents


def import_files(
    paths: list[Path],
    *,
    manifest: Manifest | None = None,
    verbatim: bool = False,
    user=None,
    recorded: str = "",
) -> tuple[list[Source], ImportReport]:
    """Import files from disk (see `import_documents`)."""
    if not paths:
        raise ImportFailure("import", "no files given")
    return import_documents(
        documents=read_paths(paths),
        manifest=manifest,
        verbatim=verbatim,
        user=user,
        recorded=recorded,
    )


__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "ImportFailure",
    "ImportReport",
    "ManifestError",
    "apply_recorded_states",
    "import_documents",
    "import_files",
    "sync",
    "upsert",
]
