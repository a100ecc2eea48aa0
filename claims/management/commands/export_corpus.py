from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.backup import write_corpus


class Command(BaseCommand):
    help = (
        "Back up the whole corpus (publishers, authors, sources, topics, actors, propositions, "
        "claims, stances and their history) to one JSON Lines file, streamed; a name ending "
        "in .gz is compressed. Restore it with import_corpus."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the backup.")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            counts = write_corpus(file)
        except OSError as error:
            raise CommandError(f"{file}: cannot be written ({error.strerror or error})") from None
        summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Corpus written to {file}: {summary}."))
