from django.core.management.base import BaseCommand, CommandError

from claims.importing.manifest import ManifestError
from claims.importing.seeds import load_seeds
from claims.importing.sources import ImportFailure


class Command(BaseCommand):
    help = (
        "Load the seed corpus (seeds/manifest.toml and seeds/annotations.json). Idempotent: a "
        "second run changes nothing. The seed corpus was reviewed before it was committed: new "
        "seed sources take the publication state the manifest records, and the review trail "
        "says so."
    )

    def handle(self, *args, **options) -> None:
        try:
            report = load_seeds()
        except (ImportFailure, ManifestError) as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        verdict = f"{report.changed} change(s)" if report.changed else "nothing to change"
        self.stdout.write(self.style.SUCCESS(f"Seed corpus loaded: {verdict}."))
        self.stdout.write("Publication state of new seed sources: as recorded in the manifest.")
