"""Read replicas against a real PostgreSQL streaming replica (`make replica-test`).

Skipped unless DATABASE_REPLICA_URLS names a replica and REPLICA_CONTROL the script that can
stop and start the servers (scripts/replica.sh): `make replica-test` sets both. Writes must be
committed for the replica to see them, so these tests run outside the usual per-test
transaction.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.utils import timezone
from rest_framework.authtoken.models import Token

from claims import routing
from claims.importing.seeds import load_seeds
from claims.models import Source

from .api_helpers import SUMMARY_LINES
from .factories import SourceFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
CONTROL = os.environ.get("REPLICA_CONTROL", "")
REPLICA = "replica_1"

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_REPLICA_URLS") and CONTROL),
        reason="needs a streaming replica: run `make replica-test`",
    ),
    # Committed for real (the replica only sees commits); the groups and permissions made by
    # migrations are put back after each test's flush, the seed corpus by `seeded`.
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", REPLICA]
    ),
]


def control(action: str) -> None:
    subprocess.run([str(ROOT / CONTROL), action], check=True, timeout=120)


def replica_sql(sql: str):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def wait_until(condition, seconds: float = 30.0, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true within {seconds}s: {condition}")


@pytest.fixture(autouse=True)
def seeded():
    if not Source.objects.exists():
        load_seeds()


@pytest.fixture(autouse=True)
def fresh_health(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    routing.forget_health()
    yield
    routing.forget_health()


def counted(client, *args, **kwargs):
    """(response, queries on the primary, queries on the replica) of one request.

    Not counted on the primary: the probe for proposition summaries that edits have marked
    (claims.summaries.refresh). Bringing them up to date is a write, so it must run on the
    primary, and so does the one-row probe that decides whether there is anything to do."""
    seen: dict[str, list[str]] = {"default": [], REPLICA: []}

    def recorder(alias):
        # An execute wrapper, unlike CaptureQueriesContext, does not connect: the replica may
        # be down.
        def record(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with (
        connections["default"].execute_wrapper(recorder("default")),
        connections[REPLICA].execute_wrapper(recorder(REPLICA)),
    ):
        response = client.get(*args, **kwargs)
    on_primary = [sql for sql in seen["default"] if "marks > settled" not in sql]
    return response, len(on_primary), len(seen[REPLICA])


def caught_up():
    routing.forget_health()
    health = routing.replica_health(REPLICA)
    return health.healthy and health.lag_seconds == 0


def test_the_replica_is_streaming_and_healthy():
    assert replica_sql("SELECT pg_is_in_recovery()")[0] is True
    health = wait_until(lambda: routing.replica_health(REPLICA, fresh=True).healthy or None)
    assert health is True


def test_anonymous_reads_go_to_the_replica(client):
    wait_until(caught_up)
    for path in ("/api/v1/sources/", "/", "/sources/"):
        response, on_primary, on_replica = counted(client, path)
        assert response.status_code == 200, path
        assert on_replica > 0, path
        assert on_primary == 0, path


def test_staff_reads_and_token_reads_use_the_primary(client):
    wait_until(caught_up)
    editor = UserFactory(username="alice", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    token = Token.objects.create(user=editor)
    response, on_primary, on_replica = counted(
        client, "/api/v1/sources/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200
    assert on_replica == 0 and on_primary > 0
    client.force_login(editor)
    for path in ("/api/v1/sources/", "/admin/claims/source/"):
        response, on_primary, on_replica = counted(client, path)
        assert response.status_code == 200, path
        assert on_replica == 0 and on_primary > 0, path


def published_source(slug: str) -> Source:
    return SourceFactory(
        slug=slug, status=Source.Status.PUBLISHED, published_at=timezone.now(), publisher=None
    )


def test_a_client_that_wrote_reads_its_write_from_the_primary(client, settings):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 30
    wait_until(caught_up)
    # The replica stops replaying: whatever is written now is on the primary only.
    replica_sql("SELECT pg_wal_replay_pause()")
    try:
        reviewer = UserFactory(username="bob", is_staff=True)
        reviewer.groups.add(Group.objects.get(name="Reviewers"))
        token = Token.objects.create(user=reviewer)
        created = client.post(
            "/api/v1/propositions/",
            {"text": "Grain moves through the Caspian.", "slug": "grain-caspian"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
        assert created.status_code == 201, created.content
        assert routing.STICKY_COOKIE in created.cookies
        # A published source is public at once (a topic or publisher nothing published uses
        # is not).
        published_source("grain-courier")
        assert not Source.objects.using(REPLICA).filter(slug="grain-courier").exists()
        # The same client, now without its token (a browser with the cookie): the primary,
        # where its write is.
        response, on_primary, on_replica = counted(client, "/api/v1/sources/grain-courier/")
        assert response.status_code == 200
        assert on_replica == 0 and on_primary > 0
        # Another client reads from the replica, which has not replayed the write yet.
        other = client.__class__()
        response, on_primary, on_replica = counted(other, "/api/v1/sources/grain-courier/")
        assert response.status_code == 404 and on_replica > 0 and on_primary == 0
    finally:
        replica_sql("SELECT pg_wal_replay_resume()")
    wait_until(lambda: Source.objects.using(REPLICA).filter(slug="grain-courier").exists())


def test_lag_is_measured_and_a_lagging_replica_is_skipped(client, settings):
    settings.DATABASE_REPLICA_MAX_LAG = 1
    wait_until(caught_up)
    replica_sql("SELECT pg_wal_replay_pause()")
    try:
        published_source("caspian-shipping")
        time.sleep(1.5)
        health = routing.replica_health(REPLICA, fresh=True)
        assert not health.healthy
        assert health.lag_seconds is not None and health.lag_seconds > 1
        ready = client.get("/readyz")
        assert ready.status_code == 200
        [reported] = ready.json()["checks"]["replicas"]["replicas"]
        assert reported["healthy"] is False and reported["lag_seconds"] > 1
        response, on_primary, on_replica = counted(client, "/api/v1/sources/caspian-shipping/")
        assert response.status_code == 200
        assert on_replica == 0 and on_primary > 0
    finally:
        replica_sql("SELECT pg_wal_replay_resume()")
    health = wait_until(caught_up)
    assert health is True
    assert client.get("/readyz").json()["checks"]["replicas"]["replicas"][0]["lag_seconds"] == 0


def test_reads_carry_on_from_the_primary_when_the_replica_stops(client):
    wait_until(caught_up)
    response, _, on_replica = counted(client, "/api/v1/sources/")
    assert response.status_code == 200 and on_replica > 0
    control("stop-replica")
    try:
        # The health check still says healthy (cached): the request finds out the hard way,
        # and is answered from the primary all the same.
        for path in ("/api/v1/sources/", "/", "/api/v1/propositions/"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
        assert not routing.replica_health(REPLICA).healthy
        routing.forget_health()
        # Measured afresh: unreachable, skipped, and reads still succeed.
        health = routing.replica_health(REPLICA)
        assert not health.healthy and "unreachable" in health.error
        response, on_primary, on_replica = counted(client, "/sources/")
        assert response.status_code == 200 and on_primary > 0 and on_replica == 0
    finally:
        control("start-replica")
    wait_until(caught_up, seconds=60)
    response, _, on_replica = counted(client, "/api/v1/sources/")
    assert response.status_code == 200 and on_replica > 0


def test_readyz_turns_unready_within_5_seconds_of_losing_the_database_and_recovers(client, request):
    assert client.get("/readyz").status_code == 200
    control("stop-primary")
    try:
        stopped = time.monotonic()
        unready = wait_until(
            lambda: (r := client.get("/readyz")).status_code == 503 and r, seconds=10, step=0.1
        )
        to_unready = time.monotonic() - stopped
        assert to_unready < 5
        assert "database" in unready.json()["failed"]
        # Liveness does not depend on the database.
        assert client.get("/healthz").status_code == 200
    finally:
        control("start-primary")
        # This thread's connection died with the server; the test's clean-up needs a new one.
        connections.close_all()
    started = time.monotonic()
    wait_until(lambda: client.get("/readyz").status_code == 200, seconds=30, step=0.1)
    request.config.stash.setdefault(SUMMARY_LINES, []).append(
        f"/readyz: 503 {to_unready:.2f}s after the primary stopped (pg_ctl stop -m fast "
        f"returned), 200 again {time.monotonic() - started:.2f}s after it was back"
    )
