import time

from django.core.management.base import BaseCommand

from claims.summaries import rebuild_proposition_summaries


class Command(BaseCommand):
    help = (
        "Recompute every proposition summary from the published stances (after a bulk load or "
        "to repair them). One set-based statement; the time it took is reported."
    )

    def handle(self, *args, **options) -> None:
        self.stderr.write("Rebuilding proposition summaries…")
        started = time.monotonic()
        rebuild_proposition_summaries()
        self.stdout.write(
            self.style.SUCCESS(f"Summaries rebuilt in {time.monotonic() - started:.1f}s.")
        )
