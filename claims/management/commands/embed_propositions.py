import time

from django.core.management.base import BaseCommand

from claims.suggesting.propositions import embed_missing


class Command(BaseCommand):
    help = (
        "Compute and store the sentence embedding of every proposition that lacks a current "
        "one (new, reworded, or embedded by another model). Suggestions do this lazily; run "
        "it after a bulk import or an upgrade so that no worker has to."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        count = embed_missing()
        self.stdout.write(
            f"{count} proposition(s) embedded in {time.perf_counter() - started:.1f} s."
        )
