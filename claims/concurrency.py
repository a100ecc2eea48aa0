"""Concurrent writers: row locks in an order that cannot deadlock, and what to do when the
database still stops a transaction because of another one.

Locks. A model's default ordering may join other tables (a claim is ordered by its source), and
SELECT … FOR UPDATE then locks the joined rows as well: locking a claim also locked its source,
which every concurrent insert of a claim on that source must share-lock for its foreign key.
Two such writers waited on each other. `lock_row` locks the one row being written. The public
version row is bumped at commit (migration 0013), after every other lock.

Conflicts. A deadlock or a serialization failure (PostgreSQL rolls the transaction back and
says so), or a lock that could not be had in time, is not an unreachable database: nothing was
written, and the same write sent again will normally succeed. `retry_on_conflict` runs a write
again a few times; when it still fails the middleware answers 409 "write_conflict". SQLite's
"database is locked" means another process held the write lock past the busy timeout: 503
"database_busy", with Retry-After.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, models, transaction

logger = logging.getLogger("claims.concurrency")

# SQLSTATE codes PostgreSQL gives a transaction stopped because of another one.
CONFLICT_STATES = {
    "40P01": "deadlock",
    "40001": "serialization failure",
    "55P03": "lock not available",
}
ATTEMPTS = 3

F = TypeVar("F", bound=Callable[..., Any])


def lock_row(instance: models.Model, field: str = "pk") -> Any:
    """Lock `instance`'s row until the transaction ends and return `field` as stored now
    (None when the row is gone). Must be called inside a transaction."""
    return (
        type(instance)
        ._default_manager.select_for_update(of=("self",))
        .filter(pk=instance.pk)
        .order_by()
        .values_list(field, flat=True)
        .first()
    )


def conflict_kind(error: BaseException) -> str | None:
    """ "deadlock", "serialization failure" or "lock not available" when `error` is PostgreSQL
    stopping a transaction because of a concurrent one; None otherwise."""
    cause = error.__cause__ or error
    return CONFLICT_STATES.get(getattr(cause, "sqlstate", None) or "")


def is_database_busy(error: BaseException) -> bool:
    """SQLite's write lock held by another connection past the busy timeout."""
    return "database is locked" in str(error) or "database table is locked" in str(error)


def retry_on_conflict(func: F) -> F:
    """Run `func` in a transaction, again (up to ATTEMPTS in all, after a short random pause)
    when the database stops it for a deadlock or a serialization failure.

    Only the outermost transaction can be run again: inside another one the failure is
    raised as it is (the enclosing transaction is already rolled back).
    """

    @wraps(func)
    def wrapper(*args, **kwargs):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as error:
                kind = conflict_kind(error)
                if kind is None or attempt == ATTEMPTS:
                    raise
                logger.warning("%s in %s, attempt %d: retrying", kind, func.__qualname__, attempt)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper  # type: ignore[return-value]
