import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from claims import jobs


class Command(BaseCommand):
    help = (
        "Run a background-job worker on the JOBS_QUEUE queue (exports, rebuilds). At start, and "
        "every JOBS_STALE_SECONDS / 2 while it runs, jobs whose worker died are queued again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Stop once the queue is empty (tests, cron)."
        )

    def handle(self, *args, burst: bool, **options) -> None:
        from rq import SimpleWorker

        q = jobs.queue()
        if q is None:
            raise CommandError("JOBS_REDIS_URL (or REDIS_URL) must be set to run a worker.")
        self._requeue()
        stop = threading.Event()
        if not burst:
            threading.Thread(target=self._watch, args=(stop,), daemon=True).start()
        # SimpleWorker runs each job in this process: no fork, so no database connection is
        # ever shared between two processes. Run more worker processes to run more at once.
        worker = SimpleWorker([q], connection=q.connection)
        try:
            worker.work(burst=burst, with_scheduler=False)
        finally:
            stop.set()

    def _requeue(self) -> None:
        try:
            found = jobs.requeue_stale_jobs()
        finally:
            connections.close_all()
        if found:
            self.stderr.write(f"Queued again after a lost worker: jobs {found}")

    def _watch(self, stop: threading.Event) -> None:
        while not stop.wait(settings.JOBS_STALE_SECONDS / 2):
            try:
                self._requeue()
            except Exception as error:
                self.stderr.write(f"Checking for lost jobs failed: {error}")
