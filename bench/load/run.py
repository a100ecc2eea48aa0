"""`make load`: the app under gunicorn on PostgreSQL, driven by locust, with the database
stopped and started again in the middle of the run.

1. A dedicated PostgreSQL cluster (15/load on port 5433 by default, created on first use) gets
   a fresh database, migrated and seeded; an editor with an API token is made for the writes.
2. gunicorn serves the app in production mode (DEBUG=0) on 127.0.0.1:18765, with throttles
   raised so that the test measures the server, not the rate limits, and Redis as the cache.
3. locust runs 32 concurrent clients for 60 seconds (bench/load/locustfile.py). At 25 s the
   database is stopped for 5 s, then started.
4. Afterwards: requests served, latency percentiles, errors, 503s during the outage and how
   fast they came, how long the service took to recover, and whether every write the server
   acknowledged (201 Created, 200 OK) is in the database as acknowledged.

Exits non-zero when anything failed: an error outside the outage, a request that hung, an
acknowledged write missing, or a service that did not come back.

Everything runs on this machine (loopback only) and stops by itself.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "load"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOCUST = ROOT / ".venv-bench" / "bin" / "locust"

USERS = int(os.environ.get("LOAD_USERS", "32"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
OUTAGE_AT = float(os.environ.get("LOAD_OUTAGE_AT", "25"))
OUTAGE_SECONDS = float(os.environ.get("LOAD_OUTAGE_SECONDS", "5"))  # 0: no outage
CLUSTER = os.environ.get("LOAD_PG_CLUSTER", "15/load")
PG_PORT = int(os.environ.get("LOAD_PG_PORT", "5433"))
DATABASE = os.environ.get("LOAD_DB", "geopolitics_load")
PORT = int(os.environ.get("LOAD_PORT", "18765"))
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/15")
# The app's processes and threads; each thread holds one database connection.
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "4"))
THREADS = int(os.environ.get("GUNICORN_THREADS", "8"))
# With DB_POOL=1 each process holds up to DB_POOL_MAX_SIZE connections instead of one a thread.
POOL = os.environ.get("DB_POOL", "0").lower() in {"1", "true", "yes", "on"}
PER_PROCESS = int(os.environ.get("DB_POOL_MAX_SIZE", "10")) if POOL else THREADS
HOST = f"http://127.0.0.1:{PORT}"
DB_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DATABASE}"


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def run(*command, env=None, quiet=True) -> str:
    result = subprocess.run(
        [str(c) for c in command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- PostgreSQL -----------------------------------------------------------------------------


def ensure_cluster() -> None:
    """A cluster of its own, so that stopping it disturbs no one else's database."""
    version, name = CLUSTER.split("/")
    clusters = run("pg_lsclusters", "--no-header")
    if not any(line.split()[:2] == [version, name] for line in clusters.splitlines()):
        say(f"Creating PostgreSQL cluster {CLUSTER} on port {PG_PORT}")
        run(
            "pg_createcluster",
            version,
            name,
            "--port",
            PG_PORT,
            "--",
            "--auth-host=trust",
            "--auth-local=trust",
        )
    status = subprocess.run(["pg_ctlcluster", version, name, "status"], capture_output=True)
    if status.returncode != 0:
        run("pg_ctlcluster", version, name, "start")


def pg_ctl(action: str) -> None:
    version, name = CLUSTER.split("/")
    command = ["pg_ctlcluster", version, name, action]
    if action == "stop":
        command += ["-m", "fast"]
    subprocess.run(command, check=True, capture_output=True)


def fresh_database() -> int:
    admin = f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
        return int(conn.execute("SHOW max_connections").fetchone()[0])


# --- the app --------------------------------------------------------------------------------


def app_environment() -> dict[str, str]:
    """Production settings (DEBUG=0), served over plain HTTP on the loopback interface."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_HOST": "localhost",
        "DEFAULT_FROM_EMAIL": "load-test@localhost",
        # No TLS on the loopback interface; everything else stays as in production.
        "SECURE_SSL_REDIRECT": "0",
        # The load test measures the server, not the rate limits: 32 clients from one address
        # would be throttled at once by the production rates.
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        "STATIC_ROOT": str(OUT / "static"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
    }


EDITOR = """
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
user, _ = User.objects.get_or_create(username="load-editor", defaults={"is_staff": True})
user.groups.add(Group.objects.get(name="Editors"))
print(Token.objects.get_or_create(user=user)[0].key)
"""


def prepare(env: dict[str, str]) -> str:
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    run(PYTHON, "manage.py", "load_seeds", env=env)
    run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    # The shell may print notes of its own first: the key is the last line.
    return run(PYTHON, "manage.py", "shell", "-c", EDITOR, env=env).strip().splitlines()[-1]


def port_is_free() -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) != 0


def wait_until_up(deadline: float) -> None:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(HOST + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer within 30 seconds")


# --- the outage -----------------------------------------------------------------------------


class Outage(threading.Thread):
    """Stop the database OUTAGE_AT seconds into the run, start it OUTAGE_SECONDS later."""

    def __init__(self, started: float) -> None:
        super().__init__(daemon=True)
        self.started = started
        self.times: dict[str, float] = {}

    def run(self) -> None:
        time.sleep(max(0.0, self.started + OUTAGE_AT - time.time()))
        self.times["stop"] = time.time()
        pg_ctl("stop")
        self.times["stopped"] = time.time()
        time.sleep(OUTAGE_SECONDS)
        self.times["start"] = time.time()
        pg_ctl("start")
        self.times["started"] = time.time()


class ConnectionSampler(threading.Thread):
    """Count the app's connections to PostgreSQL every half second (none while it is down)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            try:
                with psycopg.connect(DB_URL, connect_timeout=1) as conn:
                    count = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                        [DATABASE],
                    ).fetchone()[0]
                self.peak = max(self.peak, count)
            except psycopg.Error:
                continue


# --- the figures ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def analyse(events_file: Path, outage: dict[str, float], run_started: float) -> dict:
    requests, acknowledged, creates, changes = [], {}, 0, 0
    for line in events_file.read_text().splitlines():
        row = json.loads(line)
        if "write" in row:
            acknowledged[row["id"]] = row["note"]  # a change replaces the note it created
            creates += row["write"] == "create"
            changes += row["write"] == "change"
        else:
            requests.append(row)
    requests.sort(key=lambda r: r["t"])
    ok = [r for r in requests if 200 <= r["status"] < 400]
    unavailable = [r for r in requests if r["status"] == 503]
    # The window in which a 503 is the right answer (by the time it was given): from the stop
    # until the database is up again, plus the time the first request after it needs.
    window = (outage.get("stop", 0), outage.get("started", 0) + 10) if outage else (0, 0)
    errors = [
        r
        for r in requests
        if not (200 <= r["status"] < 400)
        and not (r["status"] == 503 and window[0] <= r["t"] + r["ms"] / 1000 <= window[1])
    ]
    figures = {
        "requests": len(requests),
        "succeeded": len(ok),
        "duration_s": round(requests[-1]["t"] - requests[0]["t"], 1) if requests else 0,
        "p50_ms": round(percentile([r["ms"] for r in ok], 0.50), 1),
        "p95_ms": round(percentile([r["ms"] for r in ok], 0.95), 1),
        "p99_ms": round(percentile([r["ms"] for r in ok], 0.99), 1),
        "max_ms": round(max((r["ms"] for r in requests), default=0), 1),
        "errors": len(errors),
        "error_samples": [(r["name"], r["status"]) for r in errors[:10]],
        "status_counts": dict(
            sorted(
                {
                    s: sum(1 for r in requests if r["status"] == s)
                    for s in {r["status"] for r in requests}
                }.items()
            )
        ),
        "503_during_outage": len(unavailable),
        "503_p95_ms": round(percentile([r["ms"] for r in unavailable], 0.95), 1),
        "503_max_ms": round(max((r["ms"] for r in unavailable), default=0), 1),
        "writes_acknowledged": creates + changes,
        "creates_acknowledged": creates,
        "changes_acknowledged": changes,
        "claims_written": len(acknowledged),
    }
    if outage:
        after = [r for r in ok if r["t"] >= outage["start"]]
        last_503 = max((r["t"] + r["ms"] / 1000 for r in unavailable), default=None)
        figures["outage_s"] = round(outage["started"] - outage["stop"], 1)
        answered = sorted(r["t"] + r["ms"] / 1000 for r in unavailable)
        figures["first_503_after_stop_s"] = (
            round(answered[0] - outage["stop"], 2) if answered else None
        )
        figures["db_start_s"] = round(outage["started"] - outage["start"], 2)
        figures["db_stop_s"] = round(outage["stopped"] - outage["stop"], 2)
        # Recovery: from the moment the database accepts connections again to the first
        # successful answer that started after the restart was issued.
        figures["recovery_s"] = (
            round(max(0.0, after[0]["t"] + after[0]["ms"] / 1000 - outage["started"]), 2)
            if after
            else None
        )
        figures["first_success_after_start_issued_s"] = (
            round(after[0]["t"] + after[0]["ms"] / 1000 - outage["start"], 2) if after else None
        )
        figures["last_503_after_db_up_s"] = (
            round(last_503 - outage["started"], 2) if last_503 else None
        )
        figures["requests_after_recovery"] = len(after)
    with psycopg.connect(DB_URL) as conn:
        rows = conn.execute(
            "SELECT id, note FROM claims_claim WHERE id = ANY(%s)", [list(acknowledged)]
        ).fetchall()
    found = dict(rows)
    figures["claims_found"] = sum(1 for pk, note in acknowledged.items() if found.get(pk) == note)
    figures["writes_missing_or_changed"] = sorted(
        pk for pk, note in acknowledged.items() if found.get(pk) != note
    )[:20]
    return figures


def report(figures: dict, max_connections: int) -> list[str]:
    f = figures
    lines = [
        f"Load: {USERS} concurrent clients for {SECONDS} s against gunicorn "
        f"({WORKERS} processes × {THREADS} threads; "
        + (f"pool of {PER_PROCESS} a process" if POOL else "persistent connections, one a thread")
        + f": {WORKERS * PER_PROCESS} database connections at most; PostgreSQL "
        f"max_connections = {max_connections})",
        f"  requests served:      {f['requests']} ({f['requests'] / max(f['duration_s'], 1):.0f}/s)"
        f", {f['succeeded']} succeeded",
        f"  latency (successes):  p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, "
        f"p99 {f['p99_ms']} ms, slowest request {f['max_ms']} ms",
        f"  statuses:             {f['status_counts']}",
        f"  errors:               {f['errors']} {f['error_samples'] or ''}".rstrip(),
        f"  database connections: at most {f['peak_connections']} open at once "
        f"(max_connections {max_connections})",
    ]
    if "outage_s" in f:
        lines += [
            f"Outage: PostgreSQL stopped at {OUTAGE_AT:.0f} s, down {f['outage_s']} s in all "
            f"(pg_ctlcluster {CLUSTER.replace('/', ' ')} stop -m fast: {f['db_stop_s']} s; "
            f"{OUTAGE_SECONDS:.0f} s stopped; start: {f['db_start_s']} s until it accepted "
            "connections)",
            f"  503 answers:          {f['503_during_outage']} (p95 {f['503_p95_ms']} ms, "
            f"slowest {f['503_max_ms']} ms; first {f['first_503_after_stop_s']} s after the "
            "stop)",
            f"  recovery:             first success "
            f"{f['first_success_after_start_issued_s']} s after the start was issued, "
            f"{f['recovery_s']} s after pg_ctlcluster reported the database up (last 503 "
            f"answered {f['last_503_after_db_up_s']:+} s from then); "
            f"{f['requests_after_recovery']} requests after the restart",
        ]
    lines.append(
        f"Writes: {f['writes_acknowledged']} acknowledged ({f['creates_acknowledged']} claims "
        f"created with 201, {f['changes_acknowledged']} changed with 200 after If-Match); "
        f"{f['claims_found']} of the {f['claims_written']} claims found in the database with "
        "exactly the last acknowledged note"
        + (
            f"; MISSING OR CHANGED: {f['writes_missing_or_changed']}"
            if f["writes_missing_or_changed"]
            else ""
        )
    )
    return lines


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_cluster()
    max_connections = fresh_database()
    if WORKERS * PER_PROCESS > max_connections - 3:  # noqa: SIM300 (reads as the arithmetic)
        sys.exit(
            f"{WORKERS} × {PER_PROCESS} connections would exceed PostgreSQL's max_connections "
            f"({max_connections}, 3 reserved): lower WEB_CONCURRENCY, GUNICORN_THREADS or "
            "DB_POOL_MAX_SIZE"
        )
    if not port_is_free():
        sys.exit(f"Port {PORT} is taken by another server: set LOAD_PORT to a free one")
    env = app_environment()
    say(f"Preparing {DATABASE} on {CLUSTER} (migrate, seeds, static files, editor token)")
    token = prepare(env)
    say(f"Starting gunicorn on {HOST}: {WORKERS} processes × {THREADS} threads")
    server = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, start_new_session=True
    )
    outage: Outage | None = None
    try:
        wait_until_up(time.time() + 30)
        events_file = OUT / "events.jsonl"
        events_file.unlink(missing_ok=True)
        say(f"Driving it with locust: {USERS} clients, {SECONDS} s")
        started = time.time()
        sampler = ConnectionSampler()
        sampler.start()
        if OUTAGE_SECONDS > 0:
            outage = Outage(started)
            outage.start()
        locust = subprocess.run(
            [
                LOCUST,
                "-f",
                "bench/load/locustfile.py",
                "--headless",
                "--host",
                HOST,
                "-u",
                str(USERS),
                "-r",
                str(USERS),
                "-t",
                f"{SECONDS}s",
                "--stop-timeout",
                "10",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_TOKEN": token, "LOAD_EVENTS": str(events_file)},
            timeout=SECONDS + 120,
        )
        if outage is not None:
            outage.join(timeout=60)
        sampler.done.set()
        if locust.returncode not in (0, 1):  # 1: locust saw failures; we judge them below
            sys.exit(f"locust exited with {locust.returncode}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if outage is not None and "started" not in outage.times:
            pg_ctl("start")
    figures = analyse(events_file, outage.times if outage else {}, started)
    figures["peak_connections"] = sampler.peak
    lines = report(figures, max_connections)
    print("\n" + "\n".join(lines))
    (OUT / "report.txt").write_text("\n".join(lines) + "\n")
    (OUT / "figures.json").write_text(json.dumps(figures, indent=1))
    failed = (
        figures["errors"]
        or figures["writes_missing_or_changed"]
        or (outage is not None and figures.get("recovery_s") is None)
    )
    say("FAILED" if failed else "Passed: no errors, every acknowledged write found")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
