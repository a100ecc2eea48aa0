"""Through gunicorn with a concurrent client: the same URLs as in process, over HTTP.

gunicorn runs the app in production settings (gunicorn.conf.py: gthread workers) on a port of
its own; BENCH_CLIENTS threads, each with a keep-alive connection, send BENCH_HTTP_REQUESTS
requests per URL between them. Client and server share this machine's cores, so latencies
include waiting for a core: they are for comparing sizes and endpoints, not absolute figures.
Reads var/bench/<label>.json (the URLs measure.py used) and adds "http" to it: each URL
answered from the caches as a repeated anonymous read is, and "http_uncached": each computed
every time (PUBLIC_PAGE_CACHE_SECONDS=0, BENCH_HTTP_UNCACHED_REQUESTS requests a URL). Both
include the framework floor (bench/urls.py), the yardstick of every other figure.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import FLOOR_URL, GUNICORN, OUT, ROOT, read_json, say, summary, write_json

PORT = int(os.environ.get("BENCH_PORT", "18766"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REQUESTS = int(os.environ.get("BENCH_HTTP_REQUESTS", "240"))
UNCACHED_REQUESTS = int(os.environ.get("BENCH_HTTP_UNCACHED_REQUESTS", "48"))
# A slow URL stops early, once each client has had one request, after this many seconds.
SECONDS_PER_URL = float(os.environ.get("BENCH_HTTP_SECONDS_PER_URL", "30"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "4")


def start(**settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": WORKERS,
        "GUNICORN_THREADS": THREADS,
        "GUNICORN_TIMEOUT": "120",
        **settings,
    }
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/", timeout=10):
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer within 60 seconds")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def hammer(url: str, requests: int = REQUESTS) -> dict:
    """CLIENTS threads share `requests` requests to `url`; latency of each, and throughput."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    remaining = [requests]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        while True:
            with lock:
                over_time = time.perf_counter() - started > SECONDS_PER_URL
                if remaining[0] == 0 or (over_time and len(latencies) >= CLIENTS):
                    break
                remaining[0] -= 1
            sent = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                closing = response.getheader("Connection", "").lower() == "close"
            except (OSError, http.client.HTTPException) as error:
                # A request that timed out or lost its connection counts, as a failure.
                status, closing = type(error).__name__, True
            elapsed = time.perf_counter() - sent
            with lock:
                latencies.append(elapsed)
                if status != "200":
                    failures.append(status)
            if closing:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        connection.close()

    # Two requests first so that the workers have their connections and caches.
    for _ in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        connection.request("GET", url, headers={"Host": "127.0.0.1"})
        connection.getresponse().read()
        connection.close()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        **summary(latencies),
        "requests_per_s": round(len(latencies) / wall, 1),
        "failures": len(failures),
    }


def main() -> None:
    out = OUT / f"{sys.argv[1]}.json"
    data = read_json(out)
    urls = {"floor": FLOOR_URL}
    urls |= {name: entry["url"] for name, entry in data["api"].items()}
    urls |= {f"page {name}": entry["url"] for name, entry in data["pages"].items()}
    for key, settings, requests in (
        ("http", {}, REQUESTS),
        ("http_uncached", {"PUBLIC_PAGE_CACHE_SECONDS": "0"}, UNCACHED_REQUESTS),
    ):
        server = start(**settings)
        try:
            data[key] = {}
            for name, url in urls.items():
                data[key][name] = {"url": url, **hammer(url, requests)}
                say(f"{key} {name}: {data[key][name]['median_ms']} ms")
        finally:
            stop(server)
    data["http_setup"] = {
        "clients": CLIENTS,
        "workers": WORKERS,
        "threads": THREADS,
        "requests": REQUESTS,
        "uncached_requests": UNCACHED_REQUESTS,
    }
    write_json(out, data)


if __name__ == "__main__":
    main()
