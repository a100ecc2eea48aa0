"""Load profile for `make load`: readers on the public pages, API clients, exports, and editors
writing through the API (create a claim, then change it with If-Match).

Every request is recorded (start time, duration, status) in LOAD_EVENTS as JSON lines, and so
is every write the server acknowledged, so that bench/load/run.py can count errors, find the
outage in the timeline and check afterwards that each acknowledged write is in the database.
"""

from __future__ import annotations

import json
import os
import random
import time
import urllib.request
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task

TOKEN = os.environ["LOAD_TOKEN"]
EVENTS_FILE = os.environ["LOAD_EVENTS"]
RECORDS: list[dict] = []
CORPUS: dict[str, list] = {}


def fetch(host: str, path: str) -> dict:
    with urllib.request.urlopen(host + path, timeout=30) as response:
        return json.load(response)


@events.test_start.add_listener
def load_corpus(environment, **kwargs) -> None:
    """Slugs and spans to request, read once from the API before the clock starts."""
    host = environment.host
    CORPUS["topics"] = [t["slug"] for t in fetch(host, "/api/v1/topics/?page_size=200")["results"]]
    CORPUS["propositions"] = [
        p["slug"] for p in fetch(host, "/api/v1/propositions/?page_size=200")["results"]
    ]
    CORPUS["sources"] = [
        s["slug"] for s in fetch(host, "/api/v1/sources/?page_size=200")["results"]
    ]
    claims = fetch(host, "/api/v1/claims/?page_size=200")["results"]
    CORPUS["claims"] = [c["id"] for c in claims]
    CORPUS["spans"] = [(c["source"], c["start"], c["end"]) for c in claims]
    CORPUS["words"] = ["corridor", "Azerbaijan", "alliance", "sanctions", "drones", "Armenia"]


@events.request.add_listener
def record(request_type, name, response_time, response, exception, start_time=None, **kw):
    status = getattr(response, "status_code", 0) or 0
    RECORDS.append(
        {
            "t": start_time or time.time() - response_time / 1000,
            "ms": round(response_time, 2),
            "method": request_type,
            "name": name,
            "status": status,
        }
    )


@events.test_stop.add_listener
def save(environment, **kwargs) -> None:
    with open(EVENTS_FILE, "w", encoding="utf-8") as handle:
        for row in RECORDS:
            handle.write(json.dumps(row) + "\n")


def create_then_change(client, spans: list, name_prefix: str = "") -> None:
    """POST a claim on one of `spans`, then PATCH its note with If-Match; record what the
    server acknowledged (201, 200) for the check against the database afterwards."""
    source, start, end = random.choice(spans)
    note = f"load {uuid.uuid4()}"
    headers = {"Authorization": f"Token {TOKEN}"}
    body = {
        "source": source,
        "start": start,
        "end": end,
        "anchor": "offsets",
        "kind": "analysis",
        "note": note,
    }
    with client.post(
        "/api/v1/claims/",
        json=body,
        headers=headers,
        name=f"{name_prefix}POST /api/v1/claims/",
        catch_response=True,
    ) as created:
        created.success()
    if created.status_code != 201:
        return
    claim = created.json()
    RECORDS.append({"write": "create", "id": claim["id"], "note": note})
    changed_note = note + " (changed)"
    with client.request(
        "PATCH",
        f"/api/v1/claims/{claim['id']}/",
        json={"note": changed_note},
        headers={**headers, "If-Match": created.headers["ETag"]},
        name=f"{name_prefix}PATCH /api/v1/claims/[id]/",
        catch_response=True,
    ) as changed:
        changed.success()
    if changed.status_code == 200:
        RECORDS.append({"write": "change", "id": claim["id"], "note": changed_note})


class Writer(FastHttpUser):
    """An editor writing without pause: creates claims on one source (LOAD_SOURCE, or any) and
    changes each right after. Run alone (`locust … Writer`) for the concurrent-writer
    scenarios of bench/load/faults.py."""

    wait_time = constant(0)

    @task
    def write(self):
        wanted = os.environ.get("LOAD_SOURCE")
        spans = [s for s in CORPUS["spans"] if not wanted or s[0] == wanted] or CORPUS["spans"]
        create_then_change(self.client, spans)


class Reader(FastHttpUser):
    """One of 32 concurrent clients. No think time: each sends its next request as soon as the
    previous one is answered, so the server always has 32 requests in hand."""

    wait_time = constant(0)

    def get(self, path: str, name: str, **kwargs):
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            # Statuses are judged afterwards against the outage timeline, not here.
            response.success()
            return response

    # --- public pages ---------------------------------------------------------------------

    @task(4)
    def home(self):
        self.get("/", "/")

    @task(4)
    def topic(self):
        self.get(f"/topics/{random.choice(CORPUS['topics'])}/", "/topics/[slug]/")

    @task(4)
    def proposition(self):
        slug = random.choice(CORPUS["propositions"])
        self.get(f"/propositions/{slug}/", "/propositions/[slug]/")

    @task(4)
    def source(self):
        self.get(f"/sources/{random.choice(CORPUS['sources'])}/", "/sources/[slug]/")

    @task(2)
    def compare(self):
        a, b = random.sample(CORPUS["sources"], 2)
        self.get(f"/compare/?{urlencode({'a': a, 'b': b})}", "/compare/?a=&b=")

    @task(2)
    def search(self):
        self.get(f"/search/?q={random.choice(CORPUS['words'])}", "/search/?q=")

    # --- API reads --------------------------------------------------------------------------

    @task(4)
    def api_list(self):
        resource = random.choice(
            ["sources", "propositions", "claims", "stances", "topics", "actors", "publishers"]
        )
        self.get(f"/api/v1/{resource}/", "/api/v1/[list]/")

    @task(3)
    def api_detail(self):
        kind = random.choice(["sources", "propositions", "claims"])
        key = random.choice(CORPUS[kind] if kind != "claims" else CORPUS["claims"])
        self.get(f"/api/v1/{kind}/{key}/", "/api/v1/[detail]/")

    @task(2)
    def api_filtered(self):
        query = urlencode({"proposition": random.choice(CORPUS["propositions"])})
        self.get(f"/api/v1/claims/?{query}", "/api/v1/claims/?proposition=")

    @task(1)
    def api_compare(self):
        a, b = random.sample(CORPUS["sources"], 2)
        self.get(f"/api/v1/compare/sources/?{urlencode({'a': a, 'b': b})}", "/api/v1/compare/")

    # --- exports ----------------------------------------------------------------------------

    @task(1)
    def annotations(self):
        self.get("/api/v1/annotations/", "/api/v1/annotations/")

    @task(1)
    def csv_export(self):
        self.get("/api/v1/exports/claims.csv", "/api/v1/exports/claims.csv")

    # --- API writes -------------------------------------------------------------------------

    @task(2)
    def create_then_change_a_claim(self):
        create_then_change(self.client, CORPUS["spans"])
