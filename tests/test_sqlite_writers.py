"""SQLite, the embedded default: a write that finds another writer holding the lock waits for
it (the busy timeout) instead of failing with "database is locked"."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest

from .test_settings import load_settings


def _sqlite_options(**env) -> dict:
    result = load_settings(DEBUG="1", DATABASE_URL="sqlite:////tmp/unused.sqlite3", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["options"]


def _connect(path, options: dict) -> sqlite3.Connection:
    """A connection as Django opens one with these OPTIONS (the timeout goes to connect())."""
    connection = sqlite3.connect(
        path, timeout=options["timeout"], isolation_level=None, check_same_thread=False
    )
    connection.executescript(options["init_command"])
    return connection


def test_sqlite_settings_wait_for_the_lock():
    options = _sqlite_options()
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert _sqlite_options(SQLITE_BUSY_TIMEOUT="3")["timeout"] == 3


def _race(path, options: dict) -> float:
    first, second = _connect(path, options), _connect(path, options)
    first.execute("CREATE TABLE IF NOT EXISTS note (text TEXT)")
    holding = threading.Event()

    def hold_the_lock() -> None:
        first.execute(f"BEGIN {options['transaction_mode']}")
        first.execute("INSERT INTO note VALUES ('first')")
        holding.set()
        time.sleep(1.0)
        first.execute("COMMIT")

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert holding.wait(5)
    started = time.monotonic()
    try:
        second.execute(f"BEGIN {options['transaction_mode']}")
        second.execute("INSERT INTO note VALUES ('second')")
        second.execute("COMMIT")
    finally:
        holder.join()
    return time.monotonic() - started


def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path):
    options = _sqlite_options(SQLITE_BUSY_TIMEOUT="10")
    path = tmp_path / "writers.sqlite3"
    waited = _race(path, options)
    rows = _connect(path, options).execute("SELECT text FROM note ORDER BY rowid").fetchall()
    assert [row[0] for row in rows] == ["first", "second"]
    assert waited > 0.5  # it really waited for the first writer


def test_without_the_wait_the_second_writer_fails(tmp_path):
    """The failure the busy timeout prevents (why this matters)."""
    options = {**_sqlite_options(), "timeout": 0.05}
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        _race(tmp_path / "writers.sqlite3", options)


def test_write_transactions_take_turns_across_threads(tmp_path, django_db_blocker):
    """Twenty threads, each a transaction that holds the write lock for a while: all succeed,
    in turn, none waiting in SQLite's busy handler (which would starve some of them). With
    SQLite's waiting turned off, any two meeting at SQLite's lock would fail at once."""
    from claims.backends.sqlite3.base import DatabaseWrapper

    path = tmp_path / "turns.sqlite3"
    options = {**_sqlite_options(SQLITE_BUSY_TIMEOUT="20"), "timeout": 20}
    # In WAL mode from the start, as `migrate` leaves a site's database: twenty connections
    # racing to convert a new file would meet at SQLite's lock before any turn is taken.
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE note (text TEXT)")
    setup.commit()
    setup.close()
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        wrapper = DatabaseWrapper(
            {
                "NAME": str(path),
                "OPTIONS": {**options, "timeout": 10.0},
                "TIME_ZONE": None,
                "CONN_MAX_AGE": 0,
                "CONN_HEALTH_CHECKS": False,
                "AUTOCOMMIT": True,
                "ATOMIC_REQUESTS": False,
            },
            alias=f"writer{number}",
        )
        try:
            wrapper.connect()
            # SQLite itself must never have to wait: the turn lock queues the writers.
            wrapper.connection.execute("PRAGMA busy_timeout = 0")
            wrapper.set_autocommit(True)
            wrapper._start_transaction_under_autocommit()
            wrapper.connection.execute("INSERT INTO note VALUES (?)", [str(number)])
            time.sleep(0.02)
            wrapper._commit()
        except BaseException as error:
            errors.append(error)
        finally:
            # Closed once every writer is done: closing the last connection checkpoints the
            # log, which takes SQLite's write lock outside any turn, and with waiting turned
            # off a writer meeting it would fail for a reason that is not the one under test.
            opened.append(wrapper.connection)

    opened: list = []
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    with django_db_blocker.unblock():  # these connections are the test's own, not Django's
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        for connection in opened:
            connection.close()
    assert errors == []
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM note").fetchone()
    assert rows == (20,)


def test_a_turn_not_had_in_time_is_database_locked(tmp_path):
    import fcntl
    import os

    from claims.backends.sqlite3.base import DatabaseWrapper

    path = tmp_path / "held.sqlite3"
    sqlite3.connect(path).close()
    holder = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another process's writer, holding its turn
    wrapper = DatabaseWrapper(
        {
            "NAME": str(path),
            "OPTIONS": {"timeout": 0.2},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
        },
        alias="waiting",
    )
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            wrapper._take_turn()
        assert wrapper._held_thread_lock is None  # nothing left held after the failure
    finally:
        os.close(holder)
