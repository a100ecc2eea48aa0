"""Settings refuse to start insecure, and say which variable is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"


def load_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DB_POOL"}
    }
    code = (
        "import json, geopolitics.settings as s;"
        "db = s.DATABASES['default'];"
        "print(json.dumps({'debug': s.DEBUG, 'engine': db['ENGINE'], 'age': db['CONN_MAX_AGE'],"
        " 'health': db['CONN_HEALTH_CHECKS'], 'options': db.get('OPTIONS', {}),"
        " 'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = load_settings(DEBUG="0", ALLOWED_HOSTS="claims.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_with_a_weak_secret_key_refuses_to_start():
    result = load_settings(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="claims.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = load_settings(DEBUG="0", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name" in result.stderr


def test_production_settings_are_secure_by_default():
    result = load_settings(DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="claims.example.org")
    assert result.returncode == 0, result.stderr
    assert '"ssl": true' in result.stdout and '"hsts": 31536000' in result.stdout


def test_a_malformed_boolean_is_named():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of 1/0" in result.stderr


def test_development_defaults_to_sqlite():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, ['"age": 60', '"health": true']),
        ({"DB_POOL": "1"}, ['"age": 0', '"pool": {"min_size": 2, "max_size": 10']),
    ],
)
def test_postgres_uses_persistent_connections_or_the_pool(extra, expected):
    result = load_settings(
        DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/claims", **extra
    )
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    for fragment in expected:
        assert fragment in result.stdout
