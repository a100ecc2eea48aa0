"""Background jobs: exports written to storage with progress, cancellation, a dead worker's job
run again, and the queue itself (RQ on the local Redis, in a database of the tests' own)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims import jobs
from claims.models import Claim, Job, JobKind, JobStatus, PropositionSummary

from .api_helpers import client_for

pytestmark = pytest.mark.django_db

TEST_REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def rq_queue(settings, media):
    """A queue of this test's own on Redis database 14, emptied afterwards."""
    settings.JOBS_REDIS_URL = TEST_REDIS
    settings.JOBS_QUEUE = f"test-jobs-{uuid.uuid4().hex[:8]}"
    q = jobs.queue()
    try:
        q.connection.ping()
    except Exception as error:  # the suite's Redis is part of the set-up: fail, don't skip
        pytest.fail(f"Redis at {TEST_REDIS} is needed for the job tests: {error}")
    yield q
    q.empty()
    q.delete(delete_jobs=True)


def work(q) -> None:
    """Run what is queued, in this process (so that it sees the test's transaction)."""
    from rq import SimpleWorker

    SimpleWorker([q], connection=q.connection).work(burst=True)


def start(kind, user, capture) -> Job:
    with capture(execute=True):
        return jobs.start_job(kind=kind, by=user, site_url="http://testserver")


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_export_job_writes_the_same_document_as_the_streamed_export(
    rq_queue, editor, django_capture_on_commit_callbacks
):
    job = start(JobKind.EXPORT_ANNOTATIONS, editor, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and rq_queue.count == 1
    work(rq_queue)
    job.refresh_from_db()
    published = Claim.objects.published().count()
    assert job.status == JobStatus.DONE, job.error
    assert job.done == job.total == published
    assert job.percent == 100 and job.attempts == 1
    assert job.result.name == f"exports/job-{job.pk}-annotations.jsonld"
    anonymous = client_for()
    download = anonymous.get(f"/api/v1/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/ld+json"
    stream = anonymous.get("/api/v1/exports/annotations.jsonld")
    assert json.loads(streamed(download)) == json.loads(streamed(stream))
    assert not list((Path(job.result.path).parent / "partial").iterdir())


def test_a_csv_export_job_matches_the_streamed_csv(
    rq_queue, editor, django_capture_on_commit_callbacks
):
    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    work(rq_queue)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    anonymous = client_for()
    written = streamed(anonymous.get(f"/api/v1/jobs/{job.pk}/download/"))
    assert written == streamed(anonymous.get("/api/v1/exports/claims.csv"))
    assert written.count(b"\n") > job.total


def test_without_redis_a_job_runs_when_its_transaction_commits(
    settings, media, editor, django_capture_on_commit_callbacks
):
    settings.JOBS_REDIS_URL = ""
    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result


def test_a_summary_rebuild_job_recomputes_the_summaries(
    rq_queue, reviewer, django_capture_on_commit_callbacks
):
    before = list(PropositionSummary.objects.order_by("pk").values_list("pk", "sources"))
    PropositionSummary.objects.all().delete()
    job = start(JobKind.REBUILD_SUMMARIES, reviewer, django_capture_on_commit_callbacks)
    work(rq_queue)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and not job.result
    assert list(PropositionSummary.objects.order_by("pk").values_list("pk", "sources")) == before


def test_a_cancelled_queued_job_never_runs(rq_queue, editor, django_capture_on_commit_callbacks):
    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    jobs.cancel_job(job=job, by=editor)
    work(rq_queue)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.attempts == 0 and not job.result
    with pytest.raises(jobs.JobError, match="already cancelled"):
        jobs.cancel_job(job=job, by=editor)


def test_cancelling_a_running_export_stops_it_and_leaves_no_file(
    rq_queue, editor, media, monkeypatch, django_capture_on_commit_callbacks
):
    job = start(JobKind.EXPORT_ANNOTATIONS, editor, django_capture_on_commit_callbacks)
    monkeypatch.setattr(jobs, "REPORT_EVERY", 0)
    real_step = jobs.Progress.step

    def step_then_cancel(self, count=1):
        if self.done == 10:
            # As if someone pressed "cancel" while the export was running.
            Job.objects.filter(pk=self.job.pk).update(status=JobStatus.CANCELLED)
        real_step(self, count)

    monkeypatch.setattr(jobs.Progress, "step", step_then_cancel)
    assert jobs.run_job(job.pk) == "stopped"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.done == 10 and not job.result
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_failing_job_records_its_error(
    settings, media, editor, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOBS_REDIS_URL = ""

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jobs, "export_to_file", broken)
    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "No space left on device" in job.error
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_dead_workers_job_is_queued_again_and_finishes_cleanly(
    rq_queue, editor, settings, media, django_capture_on_commit_callbacks
):
    settings.JOBS_STALE_SECONDS = 60
    job = start(JobKind.EXPORT_ANNOTATIONS, editor, django_capture_on_commit_callbacks)
    rq_queue.empty()
    # What a worker killed mid-export leaves: the row running with an old heartbeat, and
    # half a file.
    long_ago = timezone.now() - timedelta(seconds=600)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, worker="gone:1", heartbeat=long_ago, done=40
    )
    partial = jobs._partial_path(job)
    partial.write_bytes(b'{"@context": "half a docu')
    # A job running elsewhere with a fresh heartbeat is left alone.
    alive = Job.objects.create(
        kind=JobKind.EXPORT_CSV,
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat=timezone.now(),
        created_by=editor,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stale_jobs() == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and rq_queue.count == 1
    work(rq_queue)
    job.refresh_from_db()
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING
    assert job.status == JobStatus.DONE and job.attempts == 2
    document = json.loads(job.result.read())
    assert document["total"] == job.total == Claim.objects.published().count()
    assert not partial.exists()


def test_a_queued_job_that_the_queue_lost_is_queued_again(
    rq_queue, editor, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_STALE_SECONDS = 60
    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(seconds=600))
    # Still in the queue: nothing to do.
    assert jobs.requeue_stale_jobs() == []
    # The entry failed without the row noticing (the database was down when a worker took
    # it): that is as good as lost.
    from rq.job import Job as RQJob
    from rq.job import JobStatus as RQStatus

    entry = RQJob.fetch(f"claims-job-{job.pk}-0", connection=rq_queue.connection)
    rq_queue.remove(entry)
    entry.set_status(RQStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stale_jobs() == [job.pk]
    work(rq_queue)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    # And an entry the queue lost altogether (Redis flushed).
    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(seconds=600))
    rq_queue.empty()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stale_jobs() == [job.pk]
    work(rq_queue)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_a_job_taken_over_by_another_worker_is_not_finished_twice(
    settings, media, editor, django_capture_on_commit_callbacks
):
    settings.JOBS_REDIS_URL = ""
    job = Job.objects.create(kind=JobKind.EXPORT_CSV, created_by=editor)
    claimed = jobs._claim(job.pk)
    progress = jobs.Progress(claimed)
    # Presumed dead and run again elsewhere: the row's attempt number moved on.
    Job.objects.filter(pk=job.pk).update(attempts=2)
    with pytest.raises(jobs.JobStopped):
        progress.flush()
    assert jobs._claim(job.pk) is None  # not queued: nobody else may take it either


def test_the_export_command_writes_the_file_with_progress(tmp_path, capsys):
    target = tmp_path / "annotations.jsonld"
    call_command("export_annotations", str(target), "--site-url", "https://claims.example")
    document = json.loads(target.read_text())
    assert document["total"] == Claim.objects.published().count()
    assert document["id"] == "https://claims.example/api/v1/exports/annotations.jsonld"
    err = capsys.readouterr().err
    assert f"claims: {document['total']:,} / {document['total']:,} (100.0%)" in err
    assert not (tmp_path / "annotations.jsonld.part").exists()


def test_the_rebuild_command(capsys):
    PropositionSummary.objects.all().delete()
    call_command("rebuild_summaries")
    assert PropositionSummary.objects.exists()
    assert "Summaries rebuilt" in capsys.readouterr().out


def test_deleting_a_finished_job_removes_its_file(
    rq_queue, editor, admin_client, django_capture_on_commit_callbacks
):
    first = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    second = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    work(rq_queue)
    first.refresh_from_db()
    second.refresh_from_db()
    paths = [Path(first.result.path), Path(second.result.path)]
    assert all(path.exists() for path in paths)
    # One from its own delete page, the other by the list's bulk action (a queryset delete).
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/claims/job/{first.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not paths[0].exists() and paths[1].exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/claims/job/",
            {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
        )
    assert not Job.objects.exists() and not paths[1].exists()


def test_a_rolled_back_job_deletion_keeps_the_file(
    rq_queue, editor, django_capture_on_commit_callbacks
):
    from django.db import transaction

    job = start(JobKind.EXPORT_CSV, editor, django_capture_on_commit_callbacks)
    work(rq_queue)
    job.refresh_from_db()
    path = Path(job.result.path)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).delete()
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass
    assert callbacks == [] and path.exists() and Job.objects.filter(pk=job.pk).exists()
