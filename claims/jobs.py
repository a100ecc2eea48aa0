"""Background jobs: start, run, cancel, and recover from a dead worker.

The engine is RQ on the Redis the site already uses (JOBS_REDIS_URL, by default REDIS_URL):
the queue carries only a job's id; its state lives in the `Job` row, which the admin and the
API read. Without Redis (development) a job runs in the process that starts it, once the
starting transaction has committed.

Ownership: `run_job` claims a queued row (status running, `attempts` + 1) under a row lock, and
every later write of that run (progress, result) is conditional on the row still being running
with the same attempt number. So a cancelled job stops at its next progress report, and a job
handed to another worker after its first one was presumed dead can never be finished twice.

Idempotent results: an export is written to a partial file and moved into place under a name
fixed by the job's id only when complete; a run that dies leaves at most a partial file, which
the next attempt overwrites. `requeue_stale_jobs` (at worker start and every
JOBS_STALE_SECONDS / 2 while it runs) puts running jobs without a recent heartbeat, and queued
jobs that the queue lost, back on the queue.
"""

from __future__ import annotations

import csv
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from claims.models import Job, JobKind, JobStatus
from claims.models.jobs import FINISHED

logger = logging.getLogger("claims.jobs")

# Progress is written at most this often (seconds): often enough to watch, rarely enough that a
# million-claim export spends its time exporting.
REPORT_EVERY = 0.5
RESULT_NAMES = {
    JobKind.EXPORT_ANNOTATIONS: "annotations.jsonld",
    JobKind.EXPORT_CSV: "claims.csv",
}


class JobError(Exception):
    """A job cannot be started or changed as asked (the message says why)."""


class JobStopped(Exception):
    """The run no longer owns its job: it was cancelled, or given to another worker."""


# --- Queue ----------------------------------------------------------------------------------


def redis_connection():
    """The job queue's Redis client, or None when jobs run in-process."""
    if not settings.JOBS_REDIS_URL:
        return None
    import redis

    return redis.Redis.from_url(
        settings.JOBS_REDIS_URL, socket_connect_timeout=2, socket_timeout=10
    )


def queue():
    """The RQ queue jobs go through (None without Redis)."""
    connection = redis_connection()
    if connection is None:
        return None
    from rq import Queue

    return Queue(settings.JOBS_QUEUE, connection=connection)


def _rq_id(job: Job) -> str:
    # One RQ job per attempt: a re-queued job is a new entry, never a duplicate of a live one.
    return f"claims-job-{job.pk}-{job.attempts}"


def _enqueue(job_id: int, attempt: int) -> None:
    q = queue()
    if q is None:
        run_job(job_id)
        return
    q.enqueue(
        "claims.jobs.run_job",
        job_id,
        job_id=f"claims-job-{job_id}-{attempt}",
        # The Job row decides what happens; RQ only needs to run it once, without a time limit
        # short enough to cut a long export (staleness is watched through the heartbeat).
        job_timeout=settings.JOBS_TIMEOUT,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def queue_status() -> dict:
    """How many jobs wait in the queue and how many workers listen (raises if Redis is down)."""
    q = queue()
    if q is None:
        return {"queued": 0, "workers": 0, "in_process": True}
    from rq import Worker

    return {"queued": q.count, "workers": Worker.count(queue=q)}


# --- Services -------------------------------------------------------------------------------


def check_may_start(*, kind: str, by) -> None:
    """Raise JobError for an unknown kind and PermissionDenied for a user who may not start it:
    jobs are for staff, and a summary rebuild also needs the publishing permission (it rewrites
    what every public page ranks by)."""
    if kind not in JobKind.values:
        raise JobError(f"kind must be one of {', '.join(JobKind.values)}; got {kind!r}")
    if by is None or not by.is_authenticated or not by.is_staff:
        raise PermissionDenied("Only staff may start jobs.")
    if kind == JobKind.REBUILD_SUMMARIES and not by.has_perm("claims.publish_source"):
        raise PermissionDenied("Rebuilding summaries needs the permission to publish.")


def start_job(*, kind: str, by, site_url: str = "") -> Job:
    """Record a job and queue it once the transaction commits (see check_may_start)."""
    check_may_start(kind=kind, by=by)
    with transaction.atomic():
        job = Job.objects.create(kind=kind, created_by=by, site_url=site_url[:200])
        transaction.on_commit(lambda: _enqueue(job.pk, 0))
    return job


def cancel_job(*, job: Job, by) -> Job:
    """Cancel a queued or running job. A running one stops at its next progress report and
    leaves no result behind."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status in FINISHED:
            raise JobError(f"the job is already {locked.status}")
        locked.status = JobStatus.CANCELLED
        locked.cancelled_by = by
        locked.finished = timezone.now()
        locked.save(update_fields=["status", "cancelled_by", "finished"])
    return locked


def requeue_stale_jobs(*, now=None) -> list[int]:
    """Queue again the jobs whose worker died: running without a heartbeat for
    JOBS_STALE_SECONDS, or queued that long while the queue holds no entry for them."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    requeued: list[int] = []
    with transaction.atomic():
        stale = Job.objects.select_for_update(skip_locked=True).filter(
            Q(status=JobStatus.RUNNING, heartbeat__lt=cutoff)
            | Q(status=JobStatus.QUEUED, created__lt=cutoff)
        )
        q = queue()
        for job in stale:
            if job.status == JobStatus.QUEUED and q is not None and _in_queue(q, job):
                continue
            if job.status == JobStatus.RUNNING:
                logger.warning(
                    "Job %s lost its worker %s (last heartbeat %s): queued again",
                    job.pk,
                    job.worker or "?",
                    job.heartbeat,
                )
            job.status = JobStatus.QUEUED
            job.worker = ""
            job.save(update_fields=["status", "worker"])
            attempt = job.attempts
            transaction.on_commit(lambda pk=job.pk, attempt=attempt: _enqueue(pk, attempt))
            requeued.append(job.pk)
    return requeued


def _in_queue(q, job: Job) -> bool:
    """Whether the queue still holds this attempt as waiting or being worked on (a failed or
    expired entry does not count: the job needs queueing again)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    try:
        entry = RQJob.fetch(_rq_id(job), connection=q.connection)
    except NoSuchJobError:
        return False
    return entry.get_status(refresh=False) in {"queued", "started", "deferred", "scheduled"}


# --- Running --------------------------------------------------------------------------------


class Progress:
    """Reports a run's progress to its row, at most every REPORT_EVERY seconds; raises
    JobStopped when the row says the run no longer owns the job."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.done = 0
        self.total: int | None = None
        self._last = 0.0

    def _owned(self):
        return Job.objects.filter(
            pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts
        )

    def set_total(self, total: int) -> None:
        self.total = total
        self.flush()

    def step(self, count: int = 1) -> None:
        self.done += count
        if time.monotonic() - self._last >= REPORT_EVERY:
            self.flush()

    def flush(self) -> None:
        done = self.done if self.total is None else min(self.done, self.total)
        updated = self._owned().update(done=done, total=self.total, heartbeat=timezone.now())
        self._last = time.monotonic()
        if not updated:
            raise JobStopped(self.job.pk)


def _claim(job_id: int) -> Job | None:
    """Take a queued job for this run; None if it is not queued (done, cancelled, taken)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return None
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.attempts = F("attempts") + 1
        job.worker = f"{socket.gethostname()}:{os.getpid()}"[:200]
        job.started = job.heartbeat = now
        job.done = 0
        job.error = ""
        job.save(
            update_fields=["status", "attempts", "worker", "started", "heartbeat", "done", "error"]
        )
    job.refresh_from_db()
    return job


def run_job(job_id: int) -> str:
    """Run one job to the end (the worker's entry point); returns its final status."""
    _drop_broken_connections()
    try:
        return _run(job_id)
    finally:
        _drop_broken_connections()


def _drop_broken_connections() -> None:
    """A worker lives long: a connection broken by a database restart must not fail the next
    job. Like Django's per-request clean-up, but never inside a transaction the caller holds
    (a job run in-process at commit time, or in a test)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def _run(job_id: int) -> str:
    job = _claim(job_id)
    if job is None:
        return "skipped"
    progress = Progress(job)
    owned = progress._owned
    try:
        result_name = _WORK[job.kind](job, progress)
    except JobStopped:
        logger.info("Job %s stopped: cancelled or taken over", job_id)
        return "stopped"
    except Exception as error:
        logger.exception("Job %s failed", job_id)
        owned().update(
            status=JobStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished=timezone.now(),
        )
        return JobStatus.FAILED
    progress.flush()
    updated = owned().update(
        status=JobStatus.DONE, result=result_name or "", finished=timezone.now()
    )
    if not updated and result_name:
        # Cancelled after the last progress report: the file belongs to nobody.
        default_storage.delete(result_name)
        return "stopped"
    return JobStatus.DONE


# --- The work itself ------------------------------------------------------------------------


class _PartialFile(File):
    """A finished file on local disk: FileSystemStorage moves it into place (a rename on the
    same disk) instead of copying; other storages copy it in chunks."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _partial_path(job: Job) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "exports" / "partial"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job.pk}.part"


def _publish_file(job: Job, partial: Path) -> str:
    """Move a complete export into storage under its final name (replacing an earlier try)."""
    name = f"exports/job-{job.pk}-{RESULT_NAMES[job.kind]}"
    if default_storage.exists(name):
        default_storage.delete(name)
    with partial.open("rb") as handle:
        saved = default_storage.save(name, _PartialFile(handle, name=str(partial)))
    partial.unlink(missing_ok=True)
    return saved


def request_for_site(site_url: str) -> SimpleNamespace:
    """What the export functions read from a request: the site's scheme and host."""
    return SimpleNamespace(_site_base=(site_url or "http://localhost").rstrip("/"))


def export_to_file(kind: str, handle, *, request, on_claim: Callable[[], None]) -> None:
    """Write a whole-corpus export (published claims only) to an open binary file."""
    from claims.api import exports

    if kind == JobKind.EXPORT_ANNOTATIONS:
        export_id = request._site_base + reverse("api:export-annotations")
        claims = exports.published_claims().iterator(chunk_size=1000)
        first = next(claims, None)
        for piece in exports.annotation_document(request, export_id, first, claims, on_claim):
            handle.write(piece)
    else:
        text = _TextWriter(handle)
        writer = csv.writer(text)
        writer.writerow(exports.CSV_COLUMNS)
        for row in exports.csv_rows(on_claim):
            writer.writerow(row)


class _TextWriter:
    """csv.writer wants text; the file is binary (UTF-8, like the streamed export)."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def write(self, value: str) -> None:
        self.handle.write(value.encode())


def _export(job: Job, progress: Progress) -> str:
    from claims.api.exports import published_claims

    progress.set_total(published_claims().count())
    partial = _partial_path(job)
    try:
        with partial.open("wb") as handle:
            export_to_file(
                job.kind, handle, request=request_for_site(job.site_url), on_claim=progress.step
            )
        # Last chance to notice a cancel before the file is published.
        progress.flush()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return _publish_file(job, partial)


def _rebuild(job: Job, progress: Progress) -> str:
    from claims.summaries import rebuild_proposition_summaries

    progress.set_total(1)
    rebuild_proposition_summaries()
    progress.step()
    return ""


_WORK: dict[str, Callable[[Job, Progress], str]] = {
    JobKind.EXPORT_ANNOTATIONS: _export,
    JobKind.EXPORT_CSV: _export,
    JobKind.REBUILD_SUMMARIES: _rebuild,
}
