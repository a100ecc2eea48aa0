from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.backup import MAX_BYTES, CorpusError, restore_file


class Command(BaseCommand):
    help = (
        "Restore a corpus written by export_corpus, in one transaction: any problem writes "
        "nothing. Refuses a database that already holds a corpus unless --replace is given, "
        "which deletes that corpus first (in the same transaction). Accounts are matched by "
        "username; missing ones are created inactive, without a password. Restoring is an "
        "operator's act: publication state (status, published_at, published_by, deletions) "
        "and the review trail are restored exactly as recorded in the backup, which holds "
        "only what reviewers published; nothing is published or unpublished on the way in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="A backup written by export_corpus.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the corpus already in the database and restore this one instead.",
        )
        parser.add_argument(
            "--max-mib",
            type=int,
            default=MAX_BYTES // 1024 // 1024,
            help=(
                "Refuse a backup larger than this many MiB once decompressed (default "
                f"{MAX_BYTES // 1024 // 1024}); raise it to restore a larger corpus on purpose."
            ),
        )

    def handle(self, *args, file: Path, replace: bool, max_mib: int, **options) -> None:
        if max_mib < 1:
            raise CommandError("--max-mib must be at least 1.")
        try:
            counts = restore_file(file, replace=replace, limit=max_mib * 1024 * 1024)
        except CorpusError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Corpus restored from {file}: {summary}."))
        self.stdout.write(
            "Publication state and review trail: as recorded in the backup (no one was asked "
            "to publish; published sources are those reviewers had published)."
        )
