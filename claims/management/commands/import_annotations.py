from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.importing.bulk import import_annotations, read_documents
from claims.importing.formats import BratMapping
from claims.importing.sources import ImportFailure, read_paths


class Command(BaseCommand):
    help = (
        "Import annotations in bulk: W3C Web Annotation JSON-LD (.jsonld, .json), brat standoff "
        "(.ann, with its .txt beside it for context), or the claims export's CSV (.csv) and "
        "JSONL (.jsonl). Each annotation is placed by its quote and context and reported as "
        "exact, re-anchored or refused. One transaction: a refused annotation writes nothing, "
        "unless --partial."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="Files to import.")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            metavar="USERNAME",
            help="The annotator: every stance is this user's.",
        )
        parser.add_argument("--source", default="", help="Slug of the source a .ann annotates.")
        parser.add_argument("--mapping", type=Path, help="TOML mapping of brat types/attributes.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Write the placeable annotations and skip "
            "the refused ones (default: a refused annotation writes nothing at all).",
        )

    def handle(self, *args, files, username, source, mapping, dry_run, partial, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            brat = BratMapping.parse(mapping.read_text("utf-8"), mapping.name) if mapping else None
            records = read_documents(read_paths(files), mapping=brat, source=source)
            report = import_annotations(
                records=records, user=user, dry_run=dry_run, partial=partial
            )
        except (ImportFailure, OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.refused and not (dry_run or partial):
            raise CommandError(f"Nothing was imported: {len(report.refused)} refused.")
