"""An editorial day through gunicorn: 32 readers while editors work. `python bench/editorial.py
<label>` adds "editorial" to var/bench/<label>.json.

The readers (BENCH_MIX_READERS threads, keep-alive connections) each pick at random, with a
fixed seed, among the page and API URLs measure.py used, as fast as answers come. Four
scenarios follow each other, BENCH_MIX_SECONDS each, with the same readers, each from the same
state (the sources restored and the caches refilled for up to 10 s before it):

1. no edits;
2. one publication every 5 s, 3. one every second: a published source is taken back to draft
   or a draft published (`claims.publishing`, as the admin's actions do), alternately, so the
   corpus ends as it began;
4. one draft edit every second: the note of a claim on a draft source is changed, which
   changes nothing the public sees.

For each: reader requests per second, latency median and p95, errors, and how long each
editorial write took. gunicorn runs BENCH_MIX_WORKERS processes × BENCH_MIX_THREADS threads.
"""

from __future__ import annotations

import http.client
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, percentile, read_json, say, setup_django, summary, write_json

READERS = int(os.environ.get("BENCH_MIX_READERS", "32"))
SECONDS = float(os.environ.get("BENCH_MIX_SECONDS", "30"))
WORKERS = os.environ.get("BENCH_MIX_WORKERS", "4")
THREADS = os.environ.get("BENCH_MIX_THREADS", "8")
SCENARIOS = (
    ("no edits", None, None),
    ("one publication every 5 s", "publish", 5.0),
    ("one publication every second", "publish", 1.0),
    ("one draft edit every second", "draft", 1.0),
)


class Readers:
    """READERS threads reading at random until stopped; latencies are kept per window."""

    def __init__(self, port: int, urls: list[str]) -> None:
        self.port, self.urls = port, urls
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failures = 0
        self.threads = [
            threading.Thread(target=self.read, args=(n,), daemon=True) for n in range(READERS)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=150)

    def window(self) -> tuple[list[float], int]:
        """What was read since the previous call."""
        with self.lock:
            taken, self.latencies = self.latencies, []
            failures, self.failures = self.failures, 0
        return taken, failures

    def read(self, number: int) -> None:
        pick = random.Random(number).choice
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=150)
        while not self.stopping.is_set():
            url = pick(self.urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                closing = response.getheader("Connection", "").lower() == "close"
            except (OSError, http.client.HTTPException):
                ok, closing = False, True
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed)
                self.failures += 0 if ok else 1
            if closing:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=150)
        connection.close()


def _reviewer():
    """The reviewer the scenario publishes as: publishing is a reviewer's act."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(
        username="bench-reviewer", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


class Editor:
    """The writes of a scenario, in this process, through the app's own services."""

    def __init__(self) -> None:
        from claims.models import Claim, Source

        published = Source.objects.published().order_by("pk").values_list("pk", flat=True)
        self.sources = list(published[:: max(1, published.count() // 50)][:50])
        self.draft_claims = list(
            Claim.objects.exclude(source__status=Source.Status.PUBLISHED)
            .order_by("pk")
            .values_list("pk", flat=True)[:50]
        )
        self.turn = 0
        self.taken_back: set[int] = set()
        self.reviewer = _reviewer()

    def publish(self) -> None:
        from claims.models import Source
        from claims.publishing import publish_source, unpublish_source

        pk = self.sources[(self.turn // 2) % len(self.sources)]
        source = Source.objects.get(pk=pk)
        if pk in self.taken_back:
            publish_source(source=source, by=self.reviewer)
            self.taken_back.discard(pk)
        else:
            unpublish_source(source=source, by=self.reviewer)
            self.taken_back.add(pk)
        self.turn += 1

    def draft(self) -> None:
        from claims.models import Claim

        if not self.draft_claims:
            raise SystemExit("no claim on a draft source to edit")
        claim = Claim.objects.get(pk=self.draft_claims[self.turn % len(self.draft_claims)])
        claim.note = f"checked {time.time():.3f}"
        claim.save()
        self.turn += 1

    def restore(self) -> None:
        from claims.models import Source
        from claims.publishing import publish_source

        for pk in list(self.taken_back):
            publish_source(source=Source.objects.get(pk=pk), by=self.reviewer)
        self.taken_back.clear()


def scenario(readers: Readers, editor: Editor, write: str | None, every: float | None) -> dict:
    readers.window()
    writes: list[float] = []
    started = time.perf_counter()
    next_write = started + (every or 0)
    while time.perf_counter() - started < SECONDS:
        if write and time.perf_counter() >= next_write:
            began = time.perf_counter()
            getattr(editor, write)()
            writes.append(time.perf_counter() - began)
            next_write += every
        time.sleep(0.01)
    wall = time.perf_counter() - started
    latencies, failures = readers.window()
    result = {
        **summary(latencies),
        "requests_per_s": round(len(latencies) / wall, 1),
        "failures": failures,
        "writes": len(writes),
    }
    if writes:
        result["write_median_ms"] = round(percentile(writes, 0.5) * 1000, 1)
        result["write_max_ms"] = round(max(writes) * 1000, 1)
    return result


def main() -> None:
    setup_django()
    from django.conf import settings

    from bench import serve

    out = OUT / f"{sys.argv[1]}.json"
    data = read_json(out)
    urls = [entry["url"] for entry in data["api"].values()]
    urls += [entry["url"] for entry in data["pages"].values()]
    editor = Editor()
    server = serve.start(WEB_CONCURRENCY=WORKERS, GUNICORN_THREADS=THREADS)
    readers = Readers(serve.PORT, urls)
    results = {}
    try:
        readers.start()
        for name, write, every in SCENARIOS:
            # Each scenario starts from the same state: the sources taken back to draft by the
            # one before published again, every worker connected and the caches filled anew
            # (otherwise a scenario pays for the answers the previous one made stale).
            editor.restore()
            time.sleep(min(10.0, SECONDS / 3))
            results[name] = scenario(readers, editor, write, every)
            say(f"mix {name}: {results[name]}")
    finally:
        readers.stop()
        editor.restore()
        serve.stop(server)
    data["editorial"] = {
        "readers": READERS,
        "seconds": SECONDS,
        "workers": WORKERS,
        "threads": THREADS,
        "settle_seconds": settings.PUBLIC_PAGE_SETTLE_SECONDS,
        "urls": len(urls),
        "scenarios": results,
    }
    write_json(out, data)


if __name__ == "__main__":
    main()
