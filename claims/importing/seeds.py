"""The seed corpus: the files in seeds/, their manifest and the curated annotations."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from claims.summaries import rebuild_proposition_summaries

from .adjudication import adjudicated_sources, load_adjudication
from .annotations import load_annotations
from .manifest import load as load_manifest
from .second_reading import load_second_reading
from .sources import ImportReport, apply_recorded_states, import_files

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
# The seed corpus is the project's own, reviewed before it was committed: its manifest's statuses
# are applied as that review's record, and the trail says so.
RECORDED = "Seed corpus: publication state as recorded in seeds/manifest.toml."


def load_seeds(seeds_dir: Path = SEEDS_DIR) -> ImportReport:
    """Import every file the manifest lists, then the annotations, the second reading and the
    adjudication of the double-read sources: all in one transaction.

    A source already adjudicated keeps its settled reading: the curated annotations no longer
    describe what is published there, so they are not applied to it again. The manifest's
    statuses are applied last, as recorded (`claims.publishing.apply_recorded_state`), once the
    readings are settled. Idempotent: a second run finds everything in place and writes nothing.
    """
    manifest = load_manifest(seeds_dir / "manifest.toml")
    paths = [seeds_dir / name for name in manifest.sources]
    with transaction.atomic():
        _, report = import_files(paths, manifest=manifest, recorded=RECORDED)
        settled = adjudicated_sources()
        annotations = seeds_dir / "annotations.json"
        if annotations.exists():
            load_annotations(annotations, report=report, leave=settled)
        second = seeds_dir / "second_reading.json"
        if second.exists():
            load_second_reading(second, report=report)
        adjudication = seeds_dir / "adjudication.json"
        if adjudication.exists():
            load_adjudication(adjudication, report=report)
        # Published as the reviewed corpus was: its text and its settled readings.
        apply_recorded_states(report, RECORDED)
        rebuild_proposition_summaries()
    return report
