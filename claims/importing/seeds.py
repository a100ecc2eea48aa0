"""The seed corpus: the files in seeds/, their manifest and the curated annotations."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.db import transaction

from claims.models import Source
from claims.publishing import publish_source
from claims.summaries import rebuild_proposition_summaries

from .annotations import load_annotations
from .manifest import load as load_manifest
from .second_reading import load_second_reading
from .sources import ImportReport, import_files

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> ImportReport:
    """Import every file the manifest lists, then the annotations: all in one transaction.

    Idempotent: a second run finds everything in place and writes nothing. A published
    revision is read-only, so new sources are annotated as drafts and published after, as a
    reviewer would (the second reading is recorded once the first is published).
    """
    manifest = load_manifest(seeds_dir / "manifest.toml")
    paths = [seeds_dir / name for name in manifest.sources]
    drafts = replace(
        manifest,
        sources={
            name: replace(entry, status=Source.Status.DRAFT)
            for name, entry in manifest.sources.items()
        },
    )
    with transaction.atomic():
        sources, report = import_files(paths, manifest=drafts)
        annotations = seeds_dir / "annotations.json"
        if annotations.exists():
            load_annotations(annotations, report=report)
        statuses = {entry.slug: entry.status for entry in manifest.sources.values()}
        for source in sources:
            wanted = statuses.get(source.slug)
            if wanted == Source.Status.PUBLISHED and not source.is_published:
                publish_source(source=source)
            elif wanted == Source.Status.IN_REVIEW and source.status == Source.Status.DRAFT:
                source.status = Source.Status.IN_REVIEW
                source.save(update_fields=["status"])
        second = seeds_dir / "second_reading.json"
        if second.exists():
            load_second_reading(second, report=report)
        rebuild_proposition_summaries()
    return report
