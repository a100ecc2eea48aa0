"""/healthz and /readyz: answered before host checks and redirects, with JSON that names the
failing check, within READYZ_TIMEOUT, and ready again as soon as the check passes."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError

from claims import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_redis(settings):
    settings.REDIS_URL = ""
    settings.JOBS_REDIS_URL = ""


def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_probes_skip_host_checks_and_https_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    # A load balancer probes the address over plain HTTP.
    for path in ("/healthz", "/readyz", "/readyz/"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    # Everything else still gets both.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_readyz_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert body["checks"]["database"] == {"ok": True}


def test_readyz_is_unready_while_the_database_fails_and_ready_again_after(
    client, monkeypatch, caplog
):
    def refused():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(health, "check_database", refused)
        with caplog.at_level(logging.WARNING, logger="django.request"):
            response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unready" and body["failed"] == ["database"]
    assert body["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError: connection refused",
    }
    # The probe is not logged as a server error.
    assert not [r for r in caplog.records if r.name == "django.request"]
    # Nothing to reset: the next probe after the database answers is ready.
    assert client.get("/readyz").status_code == 200


def test_a_check_that_hangs_is_cut_off_at_the_timeout(client, monkeypatch, settings):
    settings.READYZ_TIMEOUT = 1

    def hangs():
        time.sleep(3)
        return {"ok": True}

    monkeypatch.setattr(health, "check_database", hangs)
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "no answer within 1s"
    assert elapsed < 2


def test_an_unreachable_redis_makes_the_site_unready(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.JOBS_REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis", "queue"]


def test_the_queue_check_counts_waiting_jobs_and_workers(client, settings):
    settings.REDIS_URL = settings.JOBS_REDIS_URL = "redis://127.0.0.1:6379/14"
    settings.JOBS_QUEUE = "test-readyz-empty"
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["queue"] == {"ok": True, "queued": 0, "workers": 0}


def test_probes_are_not_throttled(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"},
    }
    assert all(client.get("/healthz").status_code == 200 for _ in range(10))
    assert all(client.get("/readyz").status_code == 200 for _ in range(5))


def test_only_get_and_head_are_probes(client):
    assert client.head("/healthz").status_code == 200
    # Anything else falls through to the site, which has no such page.
    assert client.post("/healthz").status_code == 404
