"""Error reports mailed to ADMINS without slowing or flooding anything.

Django's AdminEmailHandler sends its mail inside the request that failed: with an SMTP server
that accepts the connection and never answers, every error answer (a "fast" 503 while the
database restarts) waited for the mail timeout, and a ten-second outage sent hundreds of mails.

`QueuedAdminEmailHandler` writes the report as Django does, in the request (it needs the
request's details), but only when the mail budget allows: at most `limit` mails per `window`
seconds in each server process. Reports past the budget are dropped and counted; the first
mail of the next window says how many were dropped, and a warning in the log says it when the
window turns. Sending happens on one background thread fed by a bounded queue (a full queue
drops and counts too), so a slow or hung SMTP server never holds up a request. `limit` 0 turns
mail off: errors are then only logged.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from django.conf import settings
from django.utils.log import AdminEmailHandler

logger = logging.getLogger("claims.errormail")


class MailBudget:
    """At most `limit` events per fixed window of `window` seconds; counts what it refuses."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._used = 0
        self.dropped = 0
        self.dropped_total = 0

    def take(self) -> tuple[bool, int]:
        """(allowed, reports dropped in the windows before this one) — the count is handed out
        once, with the first allowed event after it."""
        with self._lock:
            now = time.monotonic()
            carried = 0
            if now - self._started >= self.window:
                if self.dropped:
                    logger.warning(
                        "%d error report(s) were not mailed in the last %d s (mail limit %d)",
                        self.dropped,
                        self.window,
                        self.limit,
                    )
                self._started, self._used = now, 0
                carried, self.dropped = self.dropped, 0
            if self._used >= self.limit:
                self.dropped += 1
                self.dropped_total += 1
                return False, 0
            self._used += 1
            return True, carried

    def refund_drop(self) -> None:
        with self._lock:
            self.dropped += 1
            self.dropped_total += 1


class QueuedAdminEmailHandler(AdminEmailHandler):
    """AdminEmailHandler that mails from a background thread, within a budget."""

    def __init__(
        self, *args, limit: int = 10, window: float = 600, queue_size: int = 50, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget = MailBudget(limit, window)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._carried = threading.local()

    @property
    def dropped(self) -> int:
        """Reports not mailed since the process started (over budget or queue full)."""
        return self.budget.dropped_total

    def emit(self, record: logging.LogRecord) -> None:
        if self.budget.limit <= 0 or not settings.ADMINS:
            return
        allowed, carried = self.budget.take()
        if not allowed:
            return
        self._carried.count = carried
        super().emit(record)

    def send_mail(self, subject, message, *args, **kwargs) -> None:
        carried = getattr(self._carried, "count", 0)
        if carried:
            message = f"({carried} earlier error report(s) were not mailed.)\n\n{message}"
        try:
            self._queue.put_nowait((subject, message, args, kwargs))
        except queue.Full:
            self.budget.refund_drop()
            return
        self._ensure_thread()

    def _ensure_thread(self) -> None:
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._send_forever, name="error-mail", daemon=True
                )
                self._thread.start()

    def _send_forever(self) -> None:
        while True:
            subject, message, args, kwargs = self._queue.get()
            try:
                AdminEmailHandler.send_mail(self, subject, message, *args, **kwargs)
            except Exception:  # a failed mail must never end the sender
                logger.exception("Could not mail an error report")
            finally:
                self._queue.task_done()

    def flush(self, timeout: float = 0) -> bool:
        """Wait up to `timeout` seconds for queued mail to be sent; True when none is left."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True
