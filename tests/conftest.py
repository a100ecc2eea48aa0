"""Shared fixtures. The seed corpus is loaded once into the test database; every test then runs
inside a transaction that is rolled back, so each sees the same five published sources."""

import socket

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from claims.importing.seeds import load_seeds
from claims.suggesting.propositions import embed_missing

from .api_helpers import SUMMARY_LINES
from .factories import UserFactory


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(SUMMARY_LINES, []):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_seeds()
        # The seed propositions' vectors, stored once as in a deployment (embed_propositions):
        # an index built in a test reads them instead of embedding the seeds again.
        embed_missing()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers are slow by design; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def publications_show_at_once(settings):
    """Tests publish and look at once: no settle window (claims.pagecache), except in the
    tests of that window, which set it themselves."""
    settings.PUBLIC_PAGE_SETTLE_SECONDS = 0


@pytest.fixture(autouse=True)
def fresh_cache():
    """API throttling counts requests in the cache: every test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def public_version_at_each_statement(request):
    """On PostgreSQL the public version moves at commit (migration 0013), and a test's
    transaction never commits: make its trigger fire at each statement instead, as it would
    at commit, so that tests of the page cache see edits. Transactional tests keep the real
    timing (tests/test_concurrent_writes.py relies on it)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if "_django_db_helper" not in request.fixturenames or transactional:
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS public_version_at_commit IMMEDIATE")


@pytest.fixture
def editor(db):
    """Alice edits: she can change everything but cannot publish."""
    user = UserFactory(username="alice", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reviewer(db):
    """Bob reviews: everything Alice can do, plus publish and unpublish."""
    user = UserFactory(username="bob", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def no_network(monkeypatch):
    """Every way out to the network refused for the test (the database, if the test needs one,
    must be reached before: see tests/test_suggest_api.py)."""

    def refuse(*args, **kwargs):
        raise OSError("networking is disabled in this test")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)
