from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.importing.manifest import ManifestError
from claims.importing.manifest import load as load_manifest
from claims.importing.sources import ImportFailure, import_files


class Command(BaseCommand):
    help = (
        "Import plain-text, Markdown or HTML articles as sources. With --manifest, each file's "
        "metadata and cleaning rules come from the manifest; without it, each file becomes a "
        "draft titled by its first line (or, with --verbatim, by its file name). --verbatim "
        "keeps every text exactly as given. All files are imported in one transaction: any "
        "error writes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="Files to import.")
        parser.add_argument("--manifest", type=Path, help="TOML manifest describing the files.")
        parser.add_argument(
            "--verbatim",
            action="store_true",
            help="Store each text exactly as given: no Unicode, line-ending or space changes, "
            "no furniture removed, the first line not taken as the title.",
        )

    def handle(self, *args, files: list[Path], manifest: Path | None, verbatim: bool, **options):
        try:
            loaded = load_manifest(manifest) if manifest else None
            sources, report = import_files(files, manifest=loaded, verbatim=verbatim)
        except (ImportFailure, ManifestError) as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(sources)} source(s)."))
