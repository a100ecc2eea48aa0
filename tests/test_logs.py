"""Request ids and JSON logs; LOG_LEVEL, LOG_FORMAT and the replica variables at start-up."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from claims.logs import JSONFormatter, RequestIdFilter, current_request_id

ROOT = Path(__file__).resolve().parent.parent


def test_a_sensible_request_id_is_kept_and_returned(client, db):
    response = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a:42")
    assert response["X-Request-ID"] == "lb-7f3a:42"


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 129, "new\nline"])
def test_otherwise_a_new_id_is_made(client, db, given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    response = client.get("/api/v1/", **headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_records_written_during_a_request_carry_its_id(client, db, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/sources/no-such-source/", HTTP_X_REQUEST_ID="req-1")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "req-1"
    assert current_request_id() == "-"  # and only during it


def test_the_json_format():
    formatter = JSONFormatter()
    record = logging.makeLogRecord(
        {"name": "claims.jobs", "levelname": "WARNING", "msg": "job %s lost", "args": (7,)}
    )
    record.request_id = "abc"
    record.job = 7
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    entry = json.loads(formatter.format(record))
    assert entry["message"] == "job 7 lost"
    assert entry["level"] == "WARNING" and entry["logger"] == "claims.jobs"
    assert entry["request_id"] == "abc" and entry["job"] == 7
    assert "ValueError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def load(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with these variables (development mode)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOG_", "DATABASE_", "DEBUG", "REDIS_", "JOBS_"))
    }
    code = (
        "import json, geopolitics.settings as s;"
        "print(json.dumps({'level': s.LOGGING['root']['level'],"
        " 'formatter': s.LOGGING['handlers']['console']['formatter'],"
        " 'aliases': sorted(s.DATABASES), 'routers': getattr(s, 'DATABASE_ROUTERS', []),"
        " 'replica_timeout': s.DATABASES.get('replica_1', {}).get('OPTIONS', {})"
        ".get('connect_timeout'), 'mirror': s.DATABASES.get('replica_1', {}).get('TEST'),"
        " 'middleware': s.MIDDLEWARE}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("typed", ["warning", "Warning", " WARNING "])
def test_log_level_is_read_in_any_case(typed):
    result = load(LOG_LEVEL=typed)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["level"] == "WARNING"


def test_an_unknown_log_level_is_refused_naming_the_variable():
    result = load(LOG_LEVEL="loud")
    assert result.returncode != 0
    assert "ImproperlyConfigured: LOG_LEVEL must be one of" in result.stderr
    assert "'loud'" in result.stderr


def test_log_format():
    assert json.loads(load().stdout)["formatter"] == "plain"
    assert json.loads(load(LOG_FORMAT="json").stdout)["formatter"] == "json"
    refused = load(LOG_FORMAT="xml")
    assert refused.returncode != 0 and "LOG_FORMAT must be plain or json" in refused.stderr


def test_replica_urls_make_aliases_a_router_and_the_middleware():
    result = load(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
        DATABASE_REPLICA_URLS="postgres://r1.internal/x, postgres://r2.internal/x",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["aliases"] == ["default", "replica_1", "replica_2"]
    assert found["routers"] == ["claims.routing.PrimaryReplicaRouter"]
    assert found["replica_timeout"] == 2
    assert found["mirror"] == {"MIRROR": "default"}
    middleware = found["middleware"]
    assert middleware.index("claims.routing.ReplicaRoutingMiddleware") == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
    assert middleware[:2] == ["claims.health.ProbeMiddleware", "claims.logs.RequestIdMiddleware"]


def test_no_replicas_no_router():
    found = json.loads(load().stdout)
    assert found["aliases"] == ["default"] and found["routers"] == []
    assert "claims.routing.ReplicaRoutingMiddleware" not in found["middleware"]


@pytest.mark.parametrize(
    "env,message",
    [
        (
            {"DATABASE_REPLICA_URLS": "postgres://r1/x"},
            "DATABASE_REPLICA_URLS needs DATABASE_URL to name a PostgreSQL primary",
        ),
        (
            {
                "DATABASE_URL": "postgres://p/x",
                "DATABASE_REPLICA_URLS": "postgres://r1/x,mysql://r2/x",
            },
            "DATABASE_REPLICA_URLS must list postgres:// URLs; item 2 is 'mysql://r2/x'",
        ),
        (
            {"DATABASE_URL": "postgres://p/x", "DATABASE_REPLICA_MAX_LAG": "soon"},
            "DATABASE_REPLICA_MAX_LAG must be a whole number",
        ),
    ],
)
def test_bad_replica_settings_are_refused(env, message):
    result = load(**env)
    assert result.returncode != 0
    assert message in result.stderr
