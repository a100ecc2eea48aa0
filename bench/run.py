"""`make bench`: the whole benchmark, on PostgreSQL, in one run.

For each corpus size in BENCH_SIZES (default 10,000 and 1,000,000 claims, 50 per source):
1. a database of its own (geopolitics_bench_10k, geopolitics_bench_1m), created and migrated
   if needed, holding the generated corpus (`generate_corpus`, seed BENCH_SEED) — kept
   between runs and rebuilt only when it is not the corpus asked for — and the propositions'
   sentence vectors (`embed_propositions`: only the missing ones, so once);
2. in process (bench/measure.py): the framework floor, every API list and detail, the raw
   baseline of each list, every public page rendered and cached, search for a rare, a medium
   and a common term, the first page of each list against its deepest;
3. the admin's changelists and the annotation screen (bench/admin.py);
4. through gunicorn with concurrent clients, cached and uncached (bench/serve.py);
5. the editorial-day mix: 32 readers with no edits, a publication every 5 s and every second,
   a draft edit every second (bench/editorial.py);
6. peak memory of the streamed exports (bench/memory.py).
BENCH_STEPS picks some of 2–6 (measure,admin,serve,editorial,memory); BENCH_IMPORT=0 leaves out
the import throughput.
Then import throughput against a bulk-insert baseline (bench/importing.py, on a scratch
database), and bench/RESULTS.md with every figure, the machine, the date and the commit.

Exits non-zero when something fails (PostgreSQL unreachable, an endpoint not answering 200);
targets that are missed are listed in RESULTS.md (BENCH_STRICT=1 makes them fail the run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from bench.common import (
    CLAIMS_PER_SOURCE,
    OUT,
    PG_URL,
    PYTHON,
    REDIS_URL,
    ROOT,
    SEED,
    app_environment,
    database_name,
    label,
    read_json,
    say,
    write_json,
)

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]
# What is measured at each size, in this order (bench/<step>.py): in process, the admin, through
# gunicorn, the editorial-day mix, the streamed exports' memory.
ALL_STEPS = "measure,admin,serve,editorial,memory"
STEPS = os.environ.get("BENCH_STEPS", ALL_STEPS).split(",")
IMPORT_DATABASE = "geopolitics_bench_import"
# The generator is a benchmark-only app: only these settings install it (bench/settings.py).
GENERATOR_SETTINGS = "bench.settings"


def run(*command, env: dict[str, str], capture: bool = False) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=ROOT, env=env, capture_output=capture, text=True
    )
    if result.returncode != 0:
        detail = f"\n{result.stdout}\n{result.stderr}" if capture else ""
        sys.exit(f"failed: {' '.join(map(str, command))}{detail}")
    return result.stdout if capture else ""


def ensure_database(name: str, *, fresh: bool = False) -> None:
    try:
        server = psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(f"PostgreSQL is not reachable at {PG_URL}: {error}")
    with server:
        if fresh:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')


def vacuum(name: str) -> None:
    """After a bulk load: visibility map and statistics, so that the first measured queries do
    not pay for PostgreSQL's housekeeping (the generator could only ANALYZE, in its
    transaction)."""
    with psycopg.connect(f"{PG_URL}/{name}", autocommit=True) as database:
        database.execute("VACUUM (ANALYZE)")


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def corpus(size: int, env: dict[str, str]) -> dict:
    """Generate the corpus unless the database already holds exactly this one."""
    sources = size // CLAIMS_PER_SOURCE
    held = run(
        PYTHON, "bench/corpus.py", sources, CLAIMS_PER_SOURCE, SEED, env=env, capture=True
    )  # fmt: skip
    previous = OUT / f"generation-{label(size)}.json"
    if held.strip().splitlines()[-1] == "yes" and os.environ.get("BENCH_REGENERATE") != "1":
        say(f"{label(size)}: the database already holds this corpus")
        return {**read_json(previous), "reused": True}
    say(f"{label(size)}: generating {sources:,} sources × {CLAIMS_PER_SOURCE} claims")
    started = time.perf_counter()
    run(
        PYTHON, "manage.py", "generate_corpus", "--sources", sources,
        "--claims-per-source", CLAIMS_PER_SOURCE, "--seed", SEED, "--force",
        env={**env, "DJANGO_SETTINGS_MODULE": GENERATOR_SETTINGS},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    vacuum(database_name(size))
    result = {"seconds": round(seconds, 1), "claims_per_s": round(size / seconds)}
    write_json(previous, result)
    return result


def bench_size(size: int) -> None:
    name = database_name(size)
    env = {**app_environment(name), "STATIC_ROOT": str(OUT / "static")}
    ensure_database(name)
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    out = OUT / f"{label(size)}.json"
    # A run of every step starts the figures afresh; a run of some steps keeps the others'.
    kept = {} if set(STEPS) == set(ALL_STEPS.split(",")) else read_json(out)
    write_json(out, {**kept, "generation": corpus(size, env)})
    # As after any bulk load: the propositions' sentence vectors computed once and stored, so
    # that the workers of the measured server do not spend minutes of CPU embedding them.
    run(PYTHON, "manage.py", "embed_propositions", env=env)
    for step in STEPS:
        flush_cache()
        say(f"{label(size)}: {step}")
        run(PYTHON, f"bench/{step}.py", label(size), env=env)


def bench_import() -> None:
    folder = OUT / "import"
    shutil.rmtree(folder, ignore_errors=True)
    source_env = app_environment(database_name(min(SIZES)))
    run(PYTHON, "bench/importing.py", "export", folder, env=source_env)
    ensure_database(IMPORT_DATABASE, fresh=True)
    env = app_environment(IMPORT_DATABASE)
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    say("import throughput")
    result = run(PYTHON, "bench/importing.py", "measure", folder, env=env, capture=True)
    write_json(OUT / "import.json", json.loads(result.strip().splitlines()[-1]))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for size in sorted(SIZES):
        bench_size(size)
    if os.environ.get("BENCH_IMPORT", "1") != "0":
        bench_import()
    run(PYTHON, "bench/report.py", *sorted(SIZES), env=dict(os.environ))
    say(f"done in {(time.perf_counter() - started) / 60:.1f} min")
    if os.environ.get("BENCH_STRICT") == "1":
        results = (ROOT / "bench" / "RESULTS.md").read_text()
        missed = results.split("## Targets missed", 1)[1].strip()
        if missed != "None.":
            print(missed)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
