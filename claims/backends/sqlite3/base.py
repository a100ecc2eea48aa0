"""SQLite with write transactions served in turn.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps
and retries with growing pauses (up to 100 ms). Under many concurrent writers that is not a
queue: a writer asleep when the lock comes free loses it to one that happened to be awake, and
some writers starved past any timeout (16 writers under gunicorn: writes waiting 20 s and
failing with "database is locked" while the median write took a quarter of a second).

Here a write transaction (Django's BEGIN IMMEDIATE, i.e. every `transaction.atomic`) first takes
a lock the operating system hands over as soon as it is free: a thread lock within the process,
then an flock on `<database>.writelock` between processes. Only the holder then asks SQLite for
its own lock, which is free or about to be. Waiting is bounded by the busy timeout (OPTIONS
"timeout"), after which the write fails as SQLite would ("database is locked", answered 503
database_busy). Statements outside a transaction, and in-memory databases (tests), keep
SQLite's own waiting.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

from claims import wording

DEFAULT_TIMEOUT = 5.0
POLL_SECONDS = 0.002

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(name: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(name, threading.Lock())


def _term_in(text: str | None, word: str) -> bool:
    """Whether the folded query word `word` is found in `text` (claims.wording's rules)."""
    return wording.contains(text, wording.Term(word=word, stem=wording.stem(word)))


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite DatabaseWrapper whose write transactions queue for their turn."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_thread_lock: threading.Lock | None = None
        self._held_file: int | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # Search's word matching on SQLite (claims.search): the same rules as on PostgreSQL.
        connection.create_function("claims_term_in", 2, _term_in, deterministic=True)
        return connection

    def _timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return f"{name}.writelock"

    def _take_turn(self) -> None:
        path = self._lock_path()
        if path is None:
            return
        deadline = time.monotonic() + self._timeout()
        thread_lock = _process_lock(path)
        if not thread_lock.acquire(timeout=self._timeout()):
            raise base.Database.OperationalError("database is locked")
        self._held_thread_lock = thread_lock
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(descriptor)
                    self._end_turn()
                    raise base.Database.OperationalError("database is locked") from None
                time.sleep(POLL_SECONDS)
        self._held_file = descriptor

    def _end_turn(self) -> None:
        if self._held_file is not None:
            descriptor, self._held_file = self._held_file, None
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
        if self._held_thread_lock is not None:
            lock, self._held_thread_lock = self._held_thread_lock, None
            lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._end_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._end_turn()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._end_turn()
