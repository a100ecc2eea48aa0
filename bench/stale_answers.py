"""What one publication costs the readers: answers timed uncached and cached, then how many of
a warm set of cached pages and API answers survive a publication and how long serving the whole
set again takes.

    DATABASE_URL=postgres://…/<generated corpus> .venv/bin/python bench/stale_answers.py

Runs in process with the test client against the corpus in DATABASE_URL (a copy: it takes one
source off the public corpus and publishes it again) and a cache private to the process.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geopolitics.settings")
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claims.models import Proposition, Source, Topic  # noqa: E402
from claims.publishing import publish_source, unpublish_source  # noqa: E402
from claims.visibility import public_topic_ids  # noqa: E402

settings.DEBUG = False
client = Client(HTTP_HOST="127.0.0.1")


def fetch(url: str) -> tuple[float, int]:
    """Seconds and queries to answer `url`."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return seconds, len(queries)


def main() -> None:
    published = Source.objects.published().order_by("pk")
    source = published[published.count() // 2]
    other = published.exclude(pk=source.pk).first()
    proposition = Proposition.objects.filter(stances__claim__source=source).first()
    leaf = proposition.topics.first()
    root = leaf
    while root.parent_id is not None:
        root = root.parent
    timed = {
        "home": "/",
        "topic (root)": f"/topics/{root.slug}/",
        "topic (leaf)": f"/topics/{leaf.slug}/",
        "api matrix ?topic= (root)": f"/api/v1/compare/matrix/?topic={root.slug}",
        "api matrix ?topic= (leaf)": f"/api/v1/compare/matrix/?topic={leaf.slug}",
        "proposition": f"/propositions/{proposition.slug}/",
        "source": f"/sources/{source.slug}/",
        "compare page": f"/compare/?a={source.slug}&b={other.slug}",
        "api compare": f"/api/v1/compare/sources/?a={source.slug}&b={other.slug}",
    }
    print(f"{'answer':28} {'uncached ms':>12} {'queries':>8} {'cached ms':>10} {'queries':>8}")
    for name, url in timed.items():
        cold, warm = [], []
        for _ in range(5):
            cache.clear()
            cold.append(fetch(url))
        for _ in range(20):
            warm.append(fetch(url))
        print(
            f"{name:28} {statistics.median(s for s, _ in cold) * 1000:12.1f} {cold[-1][1]:8}"
            f" {statistics.median(s for s, _ in warm) * 1000:10.2f} {warm[-1][1]:8}"
        )

    # A warm set: every topic page and its API matrix, 40 propositions, 40 sources, the home.
    urls = ["/"]
    public = Topic.objects.filter(pk__in=public_topic_ids()).order_by("pk")
    for slug in public.values_list("slug", flat=True):
        urls += [f"/topics/{slug}/", f"/api/v1/compare/matrix/?topic={slug}"]
    for slug in Proposition.objects.published().order_by("pk").values_list("slug", flat=True)[:40]:
        urls.append(f"/propositions/{slug}/")
    urls += [f"/sources/{s}/" for s in published.values_list("slug", flat=True)[:40]]
    cache.clear()
    for url in urls:
        fetch(url)
    alive = urls
    hits = sum(fetch(url)[1] <= 1 for url in alive)
    print(f"\nwarm set: {len(alive)} answers, {hits} served from the cache")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    reviewer, _ = get_user_model().objects.get_or_create(username="bench-reviewer")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    for action in (unpublish_source, publish_source):
        action(source=Source.objects.get(pk=source.pk), by=reviewer)
        started = time.perf_counter()
        answered = [fetch(url) for url in alive]
        total = time.perf_counter() - started
        kept = sum(queries <= 1 for _, queries in answered)
        print(
            f"after {action.__name__}: {kept} of {len(alive)} still cached; "
            f"serving the set again took {total * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
