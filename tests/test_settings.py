"""Settings refuse to start insecure, and say which variable is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
# The documented production variables (README, "Operations").
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "claims.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "claims@example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def load_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "DB_POOL", "CSRF_TRUSTED_ORIGINS", *PRODUCTION}
        and not k.startswith(("EMAIL_", "SECURE_"))
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
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert '"ssl": true' in result.stdout and '"hsts": 31536000' in result.stdout


@pytest.mark.parametrize("missing", ["EMAIL_HOST", "DEFAULT_FROM_EMAIL"])
def test_production_without_mail_settings_refuses_to_start(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = load_settings(**env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ALLOWED_HOSTS", "*", "not '*'"),
        ("CSRF_TRUSTED_ORIGINS", "http://claims.example.org", "must be https:// origins"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with redis://"),
        ("EMAIL_USE_SSL", "1", "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on"),
    ],
)
def test_weak_production_values_are_named(variable, value, message):
    result = load_settings(**{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def run_manage(*args: str, **env) -> subprocess.CompletedProcess:
    # The browser tests allow async-unsafe calls in this process; a deployment never does.
    unwanted = {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_the_documented_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_limits_are_counted_per_process():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "claims.W001" in result.stderr


def test_production_mail_goes_over_smtp_and_development_mail_to_the_console():
    code = "import geopolitics.settings as s; print(s.EMAIL_BACKEND)"
    production = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert production.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
    development = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert development.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_redis_url_selects_the_shared_cache():
    code = "import geopolitics.settings as s; print(s.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "claims.cache.ResilientRedisCache"


def test_a_malformed_boolean_is_named():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of 1/0" in result.stderr


def test_development_defaults_to_sqlite():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert '"engine": "claims.backends.sqlite3"' in result.stdout


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
