"""Import throughput: the source importer against a bulk-insert baseline.

`python bench/importing.py export <dir>` (run against a generated corpus) writes the bodies of
BENCH_IMPORT_SOURCES published sources as text files with a TOML manifest (slug, title, the
title line on top as in a real capture). `python bench/importing.py measure <dir>` (run against
a scratch database) times `import_sources` on those files (read, decode, clean, lay out,
validate, write in one transaction, with history), then deletes them and times the baseline:
`Source.objects.bulk_create` of the same cleaned rows in one transaction. Prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import setup_django

COUNT = int(os.environ.get("BENCH_IMPORT_SOURCES", "200"))


def export(folder: Path) -> None:
    from claims.models import Source

    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    sources = Source.objects.published().order_by("pk").only("slug", "title", "body")[:COUNT]
    for index, source in enumerate(sources):
        name = f"{index:05d}.txt"
        (folder / name).write_text(f"{source.title}\n\n{source.body}\n", encoding="utf-8")
        entries.append(
            f'[[sources]]\nfile = "{name}"\nslug = "import-{source.slug}"\n'
            f"title = {json.dumps(source.title, ensure_ascii=False)}\n"
        )
    (folder / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")


def measure(folder: Path) -> dict:
    from django.db import transaction

    from claims.importing.manifest import load as load_manifest
    from claims.importing.sources import import_files
    from claims.models import Source

    files = sorted(folder.glob("*.txt"))
    characters = sum(len(path.read_text(encoding="utf-8")) for path in files)
    Source.objects.filter(slug__startswith="import-").delete()

    started = time.perf_counter()
    imported, _ = import_files(files, manifest=load_manifest(folder / "manifest.toml"))
    importer = time.perf_counter() - started

    rows = [
        Source(
            slug=s.slug,
            title=s.title,
            body=s.body,
            body_sha256=s.body_sha256,
            blocks=s.blocks,
            provenance=s.provenance,
            language=s.language,
        )
        for s in imported
    ]
    Source.objects.filter(pk__in=[s.pk for s in imported]).delete()
    Source.history.model.objects.filter(slug__startswith="import-").delete()
    started = time.perf_counter()
    with transaction.atomic():
        Source.objects.bulk_create(rows, batch_size=500)
    baseline = time.perf_counter() - started
    Source.objects.filter(slug__startswith="import-").delete()
    return {
        "sources": len(files),
        "characters": characters,
        "importer_s": round(importer, 3),
        "importer_sources_per_s": round(len(files) / importer, 1),
        "importer_mb_per_s": round(characters / importer / 2**20, 2),
        "baseline_s": round(baseline, 3),
        "baseline_sources_per_s": round(len(files) / baseline, 1),
        "ratio": round(importer / baseline, 1),
    }


def main() -> None:
    setup_django()
    action, folder = sys.argv[1], Path(sys.argv[2])
    if action == "export":
        export(folder)
    else:
        print(json.dumps(measure(folder)))


if __name__ == "__main__":
    main()
