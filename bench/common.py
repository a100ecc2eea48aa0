"""Shared by the benchmark scripts: where things are, the app's environment, and statistics."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CLAIMS_PER_SOURCE = int(os.environ.get("BENCH_CLAIMS_PER_SOURCE", "50"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
# Timed requests per endpoint in process, after warm-up; a slow endpoint stops earlier, at
# BENCH_MIN_REQUESTS, once it has used BENCH_SECONDS_PER_ENDPOINT.
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
MIN_REQUESTS = int(os.environ.get("BENCH_MIN_REQUESTS", "15"))
SECONDS_PER_ENDPOINT = float(os.environ.get("BENCH_SECONDS_PER_ENDPOINT", "20"))
WARMUP = 3
# The framework floor: a view that does nothing, served only under bench/settings.py.
FLOOR_URL = "/bench/floor/"


def label(size: int) -> str:
    """10000 → "10k", 1000000 → "1m"."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def database_name(size: int) -> str:
    return f"geopolitics_bench_{label(size)}"


def database_url(name: str) -> str:
    return f"{PG_URL}/{name}"


def app_environment(database: str) -> dict[str, str]:
    """Production settings (DEBUG=0) on the loopback interface, throttles out of the way."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(database),
        "REDIS_URL": REDIS_URL,
        "EMAIL_HOST": "localhost",
        "DEFAULT_FROM_EMAIL": "bench@localhost",
        "SECURE_SSL_REDIRECT": "0",
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_USER": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        # The site's settings plus the framework floor view (bench/urls.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }


def setup_django() -> None:
    """For the scripts that run inside the app's process."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geopolitics.settings")
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(seconds: list[float]) -> dict:
    """Median and p95 in milliseconds."""
    return {
        "n": len(seconds),
        "median_ms": round(statistics.median(seconds) * 1000, 3),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 3),
    }


def timed(call: Callable[[], object], *, before: Callable[[], object] | None = None) -> dict:
    """Run `call` WARMUP times untimed, then up to REQUESTS times timed (`before` runs untimed
    ahead of every call, e.g. to empty a cache)."""
    for _ in range(WARMUP):
        if before:
            before()
        call()
    seconds: list[float] = []
    budget_end = time.perf_counter() + SECONDS_PER_ENDPOINT
    while len(seconds) < REQUESTS:
        if before:
            before()
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
        if len(seconds) >= MIN_REQUESTS and time.perf_counter() > budget_end:
            break
    return summary(seconds)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def say(message: str) -> None:
    print(f"== {message}", flush=True)
