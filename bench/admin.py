"""The editors' side of one corpus: every admin changelist and the annotation screen, signed in
as a superuser, in process (as bench/measure.py does for public pages). Writes
var/bench/admin-<label>.json: time, bytes and queries of each screen.

    python bench/admin.py <label>
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, read_json, say, setup_django, timed, write_json

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from claims.models import Source  # noqa: E402

CHANGELISTS = (
    "source",
    "claim",
    "stance",
    "proposition",
    "topic",
    "actor",
    "author",
    "publisher",
    "job",
    "assignment",
)
USERNAME = "bench-admin"


def screens(source: Source) -> dict[str, str]:
    urls = {f"{name} list": reverse(f"admin:claims_{name}_changelist") for name in CHANGELISTS}
    urls["annotation screen"] = reverse("admin:claims_source_annotate", args=[source.pk])
    urls["source list, searched"] = reverse("admin:claims_source_changelist") + "?q=harbour"
    urls["claims of one source"] = (
        reverse("admin:claims_claim_changelist") + f"?source__id__exact={source.pk}"
    )
    return urls


def main() -> None:
    data = read_json(OUT / f"{sys.argv[1]}.json")
    user, _ = get_user_model().objects.update_or_create(
        username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    slug = data.get("samples", {}).get("source")
    source = Source.objects.get(slug=slug) if slug else Source.objects.order_by("pk").first()
    results = {}
    for name, url in screens(source).items():

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        with CaptureQueriesContext(connection) as captured:
            body = get().content
        results[name] = {
            "url": url,
            "bytes": len(body),
            "queries": len(captured),
            # What the database took of one request: the rest is Python (and, on a machine
            # shared with other work, waiting for a core).
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000),
            **timed(get),
        }
        say(f"admin {name}: {results[name]['median_ms']} ms, {len(body):,} bytes")
    write_json(OUT / f"admin-{sys.argv[1]}.json", results)


if __name__ == "__main__":
    main()
