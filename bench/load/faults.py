"""`make load`, fault scenarios: concurrent writers, Redis stopped and hung, SMTP silent
through a database outage, SQLite under gunicorn.

Each scenario serves the app with gunicorn in production mode (DEBUG=0) and drives it with
locust (bench/load/locustfile.py), then reports its figures and whether it met its target:

- writers:  8 writers creating and changing claims on one source, PostgreSQL. Target: no
            deadlock (pg_stat_database and the server log), no 500 or 503, no write lost.
- redis:    readers and writers while the app's Redis is stopped (connections refused), then
            hung (SIGSTOP: connections accepted, never answered). Target: no 500.
- smtp:     the same mix with error mail on, to an SMTP server that accepts connections and
            never answers, while PostgreSQL is stopped for a few seconds. Target: 503 only while
            the database is down, no 500, no write lost, and the p95 of the 503s sent while it
            was down under 1 s (the report also gives the p95 of all 503s, which includes
            requests already queued on a busy server when the shutdown began).
- sqlite:   16 writers on one source with the embedded SQLite database. Target: every write
            answered 2xx and found in the database.

PostgreSQL is the load cluster of bench/load/run.py (15/load on port 5433); Redis is a server
of this run's own on REDIS_PORT (6390), so that stopping it disturbs no one. Choose scenarios
with LOAD_SCENARIOS (comma-separated; `bench/load/run.py` runs its own outage scenario first).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import run as base

REDIS_PORT = int(os.environ.get("LOAD_OWN_REDIS_PORT", "6390"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
SECONDS = int(os.environ.get("LOAD_FAULT_SECONDS", "40"))
PG_LOG = Path(os.environ.get("LOAD_PG_LOG", "/var/log/postgresql/postgresql-15-load.log"))
SQLITE_FILE = base.OUT / "sqlite" / "load.sqlite3"


def say(message: str) -> None:
    base.say(message)


# --- the pieces a scenario is made of -------------------------------------------------------


class OwnRedis:
    """A redis-server of this run's own, that can be stopped, started, hung and resumed."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", REDIS_PORT)) == 0:
                    return
            time.sleep(0.1)
        sys.exit(f"redis-server did not start on port {REDIS_PORT}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def hang(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class SilentSMTP(threading.Thread):
    """Accepts SMTP connections and never says a word; counts them (one per mail tried)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(256)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self.held: list[socket.socket] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.accepted += 1
            self.held.append(connection)

    def close(self) -> None:
        self.done.set()
        self.join(timeout=5)
        for connection in self.held:
            connection.close()
        self.server.close()


class Timeline(threading.Thread):
    """Run (seconds from the start, name, action) steps, noting when each happened."""

    def __init__(self, started: float, steps: list[tuple[float, str, callable]]) -> None:
        super().__init__(daemon=True)
        self.started, self.steps, self.times = started, steps, {}

    def run(self) -> None:
        for at, name, action in self.steps:
            time.sleep(max(0.0, self.started + at - time.time()))
            self.times[name] = time.time()
            action()
            self.times[f"{name}_done"] = time.time()


def serve(env: dict[str, str], log_name: str) -> subprocess.Popen:
    log = open(base.OUT / f"{log_name}-gunicorn.log", "w")  # noqa: SIM115 (lives with gunicorn)
    server = subprocess.Popen(
        [base.GUNICORN, "-c", "gunicorn.conf.py"],
        cwd=base.ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base.wait_until_up(time.time() + 60)
    return server


def stop_serving(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def drive(users: int, seconds: int, user_class: str, token: str, events: Path, **extra) -> None:
    events.unlink(missing_ok=True)
    result = subprocess.run(
        [
            base.LOCUST,
            "-f",
            "bench/load/locustfile.py",
            "--headless",
            "--host",
            base.HOST,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--only-summary",
            "--loglevel",
            "WARNING",
            user_class,
        ],
        cwd=base.ROOT,
        env={**os.environ, "LOAD_TOKEN": token, "LOAD_EVENTS": str(events), **extra},
        timeout=seconds + 120,
        capture_output=True,
        text=True,
    )
    if result.returncode not in (0, 1):
        sys.exit(f"locust exited with {result.returncode}:\n{result.stderr[-2000:]}")


def read_events(events: Path) -> tuple[list[dict], dict[int, str]]:
    requests, acknowledged = [], {}
    for line in events.read_text().splitlines():
        row = json.loads(line)
        if "write" in row:
            acknowledged[row["id"]] = row["note"]
        else:
            requests.append(row)
    return requests, acknowledged


def statuses(requests: list[dict]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for r in requests:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return dict(sorted(counts.items()))


def p95(requests: list[dict]) -> float:
    return round(base.percentile([r["ms"] for r in requests], 0.95), 1)


def log_lines(path: Path, needle: str, offset: int = 0) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace").count(needle)


def pg_deadlocks() -> int:
    with psycopg.connect(base.DB_URL) as conn:
        return int(
            conn.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()[0]
        )


def lost_on_postgres(acknowledged: dict[int, str]) -> list[int]:
    with psycopg.connect(base.DB_URL) as conn:
        rows = conn.execute(
            "SELECT id, note FROM claims_claim WHERE id = ANY(%s)", [list(acknowledged)]
        ).fetchall()
    found = dict(rows)
    return sorted(pk for pk, note in acknowledged.items() if found.get(pk) != note)


def lost_on_sqlite(acknowledged: dict[int, str]) -> list[int]:
    with sqlite3.connect(SQLITE_FILE) as conn:
        found = dict(conn.execute("SELECT id, note FROM claims_claim").fetchall())
    return sorted(pk for pk, note in acknowledged.items() if found.get(pk) != note)


EDITOR = base.EDITOR


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the seeds, collect static files; the editor's API token."""
    base.run(base.PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    base.run(base.PYTHON, "manage.py", "load_seeds", env=env)
    base.run(base.PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    return base.run(base.PYTHON, "manage.py", "shell", "-c", EDITOR, env=env).strip().split()[-1]


def app_env(**overrides: str) -> dict[str, str]:
    return {**base.app_environment(), "REDIS_URL": REDIS_URL, **overrides}


ONE_SOURCE = "russia-and-iran-new-divides"


# --- the scenarios --------------------------------------------------------------------------


def writers(token: str) -> dict:
    """8 writers on one source for SECONDS seconds."""
    events = base.OUT / "writers.jsonl"
    deadlocks_before = pg_deadlocks()
    log_offset = PG_LOG.stat().st_size if PG_LOG.exists() else 0
    server = serve(app_env(), "writers")
    try:
        drive(8, SECONDS, "Writer", token, events, LOAD_SOURCE=ONE_SOURCE)
    finally:
        stop_serving(server)
    requests, acknowledged = read_events(events)
    writes = [r for r in requests if r["method"] in ("POST", "PATCH")]
    figures = {
        "requests": len(requests),
        "statuses": statuses(requests),
        "p95_ms": p95(writes),
        "deadlocks_pg_stat": pg_deadlocks() - deadlocks_before,
        "deadlocks_pg_log": log_lines(PG_LOG, "deadlock detected", log_offset),
        "writes_acknowledged": len(acknowledged),
        "writes_lost": lost_on_postgres(acknowledged),
    }
    figures["passed"] = (
        figures["deadlocks_pg_stat"] == 0
        and figures["deadlocks_pg_log"] == 0
        and all(200 <= s < 300 for s in figures["statuses"])
        and not figures["writes_lost"]
    )
    return figures


def redis(token: str, own: OwnRedis) -> dict:
    """Readers and writers (16) while Redis is stopped, then hung."""
    events = base.OUT / "redis.jsonl"
    server = serve(app_env(), "redis")
    started = time.time()
    timeline = Timeline(
        started,
        [
            (8, "stop", own.stop),
            (18, "start", own.start),
            (24, "hang", own.hang),
            (32, "resume", own.resume),
        ],
    )
    timeline.start()
    try:
        drive(16, SECONDS, "Reader", token, events)
    finally:
        timeline.join(timeout=60)
        stop_serving(server)
    requests, acknowledged = read_events(events)
    times = timeline.times

    def during(begin: str, end: str) -> list[dict]:
        return [r for r in requests if times[begin] <= r["t"] <= times[end]]

    stopped, hung = during("stop", "start"), during("hang", "resume")
    figures = {
        "requests": len(requests),
        "statuses": statuses(requests),
        "p95_ms": p95(requests),
        "redis_stopped": {"requests": len(stopped), "statuses": statuses(stopped)},
        "redis_hung": {"requests": len(hung), "statuses": statuses(hung), "p95_ms": p95(hung)},
        "fallback_warnings": log_lines(base.OUT / "redis-gunicorn.log", "Redis cache unavailable"),
        "writes_acknowledged": len(acknowledged),
        "writes_lost": lost_on_postgres(acknowledged),
    }
    figures["passed"] = (
        all(s < 500 for s in figures["statuses"]) and not figures["writes_lost"] and bool(stopped)
    )
    return figures


def smtp(token: str) -> dict:
    """32 readers and writers, error mail to a silent SMTP server, PostgreSQL down 5 s."""
    events = base.OUT / "smtp.jsonl"
    silent = SilentSMTP()
    silent.start()
    env = app_env(
        ADMINS="ops@example.org",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(silent.port),
        EMAIL_USE_TLS="0",
        EMAIL_TIMEOUT="10",
    )
    server = serve(env, "smtp")
    started = time.time()
    timeline = Timeline(
        started,
        [(12, "stop", lambda: base.pg_ctl("stop")), (17, "start", lambda: base.pg_ctl("start"))],
    )
    timeline.start()
    try:
        drive(32, SECONDS, "Reader", token, events)
    finally:
        timeline.join(timeout=60)
        if "start_done" not in timeline.times:
            base.pg_ctl("start")
        stop_serving(server)
        silent.close()
    requests, acknowledged = read_events(events)
    times = timeline.times
    # A 503 is right from the stop until the database is up again and the first request
    # after it has reconnected (a few seconds of grace, as in run.py).
    window = (times["stop"], times["start_done"] + 5)
    unavailable = [r for r in requests if r["status"] == 503]
    outside = [r for r in unavailable if not window[0] <= r["t"] + r["ms"] / 1000 <= window[1]]
    figures = {
        "requests": len(requests),
        "statuses": statuses(requests),
        "p95_ms": p95([r for r in requests if r["status"] < 400]),
        "outage_s": round(times["start_done"] - times["stop"], 1),
        "503": len(unavailable),
        "503_p95_ms": p95(unavailable),
        # Those sent once the database had stopped: the 503 itself, without the requests that
        # were already waiting for a saturated server when the shutdown began.
        "503_p95_ms_sent_while_down": p95(
            [r for r in unavailable if times["stop_done"] <= r["t"] <= times["start"]]
        ),
        "503_outside_outage": len(outside),
        "mails_tried": silent.accepted,
        "writes_acknowledged": len(acknowledged),
        "writes_lost": lost_on_postgres(acknowledged),
    }
    figures["passed"] = (
        500 not in figures["statuses"]
        and not outside
        and figures["503_p95_ms_sent_while_down"] < 1000
        and not figures["writes_lost"]
    )
    return figures


def sqlite_writers() -> dict:
    """16 writers on one source, SQLite, gunicorn with its usual processes and threads."""
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    env = app_env(DATABASE_URL=f"sqlite:///{SQLITE_FILE}")
    say("Preparing the SQLite database (migrate, seeds, static files, editor token)")
    token = prepare(env)
    events = base.OUT / "sqlite.jsonl"
    server = serve(env, "sqlite")
    try:
        drive(16, SECONDS, "Writer", token, events, LOAD_SOURCE=ONE_SOURCE)
    finally:
        stop_serving(server)
    requests, acknowledged = read_events(events)
    writes = [r for r in requests if r["method"] in ("POST", "PATCH")]
    failed = [r for r in writes if not 200 <= r["status"] < 300]
    figures = {
        "writes": len(writes),
        "statuses": statuses(writes),
        "failed_writes": len(failed),
        "p95_ms": p95(writes),
        "writes_acknowledged": len(acknowledged),
        "writes_lost": lost_on_sqlite(acknowledged),
    }
    figures["passed"] = not failed and not figures["writes_lost"]
    return figures


SCENARIOS = ("writers", "redis", "smtp", "sqlite")


def report(results: dict[str, dict]) -> list[str]:
    lines = []
    for name, f in results.items():
        verdict = "passed" if f["passed"] else "FAILED"
        lines.append(f"{name}: {verdict}")
        lines += [f"  {key}: {value}" for key, value in f.items() if key != "passed"]
    return lines


def main(scenarios: list[str]) -> int:
    """Run `scenarios` (names from SCENARIOS); 1 when any missed its target."""
    base.OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    if not base.port_is_free():
        sys.exit(f"Port {base.PORT} is taken by another server: set LOAD_PORT to a free one")
    own = OwnRedis()
    own.start()
    try:
        if {"writers", "redis", "smtp"} & set(scenarios):
            base.ensure_cluster()
            base.fresh_database()
            say(f"Preparing {base.DATABASE} on {base.CLUSTER} for the fault scenarios")
            token = prepare(app_env())
            if "writers" in scenarios:
                say(f"Scenario writers: 8 writers on one source for {SECONDS} s")
                results["writers"] = writers(token)
            if "redis" in scenarios:
                say(f"Scenario redis: Redis stopped at 8 s, hung at 24 s ({SECONDS} s in all)")
                results["redis"] = redis(token, own)
            if "smtp" in scenarios:
                say("Scenario smtp: error mail to a silent SMTP server, PostgreSQL down at 12 s")
                results["smtp"] = smtp(token)
        if "sqlite" in scenarios:
            say(f"Scenario sqlite: 16 writers on one source, SQLite, {SECONDS} s")
            results["sqlite"] = sqlite_writers()
    finally:
        own.stop()
    lines = report(results)
    print("\n" + "\n".join(lines))
    (base.OUT / "faults-report.txt").write_text("\n".join(lines) + "\n")
    (base.OUT / "faults.json").write_text(json.dumps(results, indent=1))
    failed = [name for name, f in results.items() if not f["passed"]]
    say(f"FAILED: {', '.join(failed)}" if failed else "Fault scenarios passed")
    return 1 if failed else 0


if __name__ == "__main__":
    chosen = os.environ.get("LOAD_SCENARIOS", ",".join(SCENARIOS))
    sys.exit(main([name.strip() for name in chosen.split(",") if name.strip()]))
