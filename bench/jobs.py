"""Background jobs with a real worker: a whole-corpus export's time and peak memory, and a
worker killed in the middle of an export.

    DATABASE_URL=postgres://…/db python bench/jobs.py [--kind export_annotations|export_csv]

Needs a migrated database holding a corpus (e.g. `generate_corpus --sources 1000`) and Redis
(JOBS_REDIS_URL, default redis://127.0.0.1:6379/14). It creates one staff user and two jobs in
that database, runs `manage.py run_worker` processes on a queue of its own, and prints:

1. an export run to the end: time, claims per second, the worker's peak resident memory
   (VmHWM), the file's size;
2. an export whose worker is killed (SIGKILL) a third of the way through: when the next worker
   queued it again, how many attempts it took, and whether the file is complete.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", default="export_annotations")
    parser.add_argument("--kill-at", type=float, default=0.33, help="fraction done at the kill")
    parser.add_argument(
        "--label", help="also record the figures in var/bench/export-job-<label>.json (e.g. 1m)"
    )
    parser.add_argument(
        "--no-kill", action="store_true", help="run the whole export only, not the kill test"
    )
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="bench-jobs-")
    env = {
        **os.environ,
        "DEBUG": os.environ.get("DEBUG", "1"),
        "JOBS_REDIS_URL": os.environ.get("JOBS_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "JOBS_QUEUE": f"bench-jobs-{uuid.uuid4().hex[:8]}",
        # Short for the kill test, so that the dead worker's job is noticed quickly; the
        # default (120 s) for a lone export, which a busy machine could otherwise declare lost
        # and restart between two heartbeats.
        "JOBS_STALE_SECONDS": "120" if "--no-kill" in sys.argv else "10",
        "MEDIA_ROOT": media,
        "LOG_LEVEL": "warning",
    }
    os.environ.update(env)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geopolitics.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from claims import jobs
    from claims.api.exports import published_claims
    from claims.models import Job

    print(f"database: {os.environ.get('DATABASE_URL', 'sqlite')}; job kind {args.kind}")
    print(f"published claims: {published_claims().count():,}")
    user, _ = get_user_model().objects.get_or_create(
        username="bench-jobs", defaults={"is_staff": True}
    )

    def worker() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait(job_id: int, until, timeout: float = 3600.0) -> Job:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job_id)
            if until(job):
                return job
            time.sleep(0.2)
        raise SystemExit(f"job {job_id} did not get there in {timeout}s: {job.status}")

    # 1. A whole export on one worker.
    first = worker()
    job = jobs.start_job(kind=args.kind, by=user, site_url="https://claims.example")
    started = time.monotonic()
    peak = 0.0
    last_print = 0.0
    while True:
        job = Job.objects.get(pk=job.pk)
        peak = max(peak, peak_memory_mb(first.pid))
        if time.monotonic() - last_print > 5 and job.total:
            print(f"  progress: {job.done:,} / {job.total:,} ({job.percent}%)", flush=True)
            last_print = time.monotonic()
        if job.status in ("done", "failed", "cancelled"):
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    peak = max(peak, peak_memory_mb(first.pid))
    assert job.status == "done", job.error
    size = Path(job.result.path).stat().st_size
    print(
        f"1. export job #{job.pk}: {job.total:,} claims in {elapsed:.1f}s "
        f"({job.total / elapsed:,.0f} claims/s, including queueing), worker peak RSS "
        f"{peak:.0f} MB, file {size / 1e6:.1f} MB"
    )
    if args.label:
        from bench.common import OUT, write_json

        write_json(
            OUT / f"export-job-{args.label}.json",
            {
                "kind": args.kind,
                "claims": job.total,
                "seconds": round(elapsed, 1),
                "peak_mb": round(peak, 1),
                "bytes": size,
                "command": " ".join(["python bench/jobs.py", *sys.argv[1:]]),
            },
        )
    if args.no_kill:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
        jobs.queue().delete(delete_jobs=True)
        return

    # 2. The worker killed a third of the way through; a new worker picks the job up.
    job = jobs.start_job(kind=args.kind, by=user, site_url="https://claims.example")
    job = wait(job.pk, lambda j: j.total and j.done >= j.total * args.kill_at)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    print(f"2. worker killed at {job.done:,} / {job.total:,} claims of job #{job.pk}")
    second = worker()
    try:
        requeued = wait(job.pk, lambda j: j.attempts >= 2)
        print(f"   queued again and running after {time.monotonic() - killed_at:.1f}s")
        done = wait(job.pk, lambda j: j.status in ("done", "failed", "cancelled"))
        assert done.status == "done", done.error
        document = (
            json.loads(Path(done.result.path).read_bytes())
            if "jsonld" in done.result.name
            else None
        )
        complete = document["total"] == done.total if document else None
        partial = list((Path(media) / "exports" / "partial").glob("*"))
        print(
            f"   finished after {time.monotonic() - killed_at:.1f}s: status {done.status}, "
            f"attempts {requeued.attempts}, {done.done:,} / {done.total:,} claims, "
            f"file complete: {complete}, partial files left: {len(partial)}"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
        jobs.queue().delete(delete_jobs=True)


if __name__ == "__main__":
    main()
