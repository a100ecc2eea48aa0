"""Error reports are mailed off the request path and within a budget: a 503 stays fast with an
SMTP server that accepts connections and never answers, and an outage sends a handful of mails,
not one per failed request."""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time

import pytest
from django.core import mail

from claims.errormail import MailBudget, QueuedAdminEmailHandler

from .test_availability import database_down

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_smtp():
    """An SMTP server that accepts connections and never sends its greeting."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def _configured_handler() -> QueuedAdminEmailHandler:
    handlers = [
        h for h in logging.getLogger("django").handlers if isinstance(h, QueuedAdminEmailHandler)
    ]
    assert len(handlers) == 1, "settings.LOGGING must mail through QueuedAdminEmailHandler"
    return handlers[0]


@pytest.fixture
def site_handler_drained():
    """The site's handler with nothing queued before or after: reports queued for the silent
    server would otherwise be sent later, to whatever backend the next test configures."""
    handler = _configured_handler()
    _drain(handler)
    yield handler
    _drain(handler)


def _drain(handler: QueuedAdminEmailHandler) -> None:
    while True:
        try:
            handler._queue.get_nowait()
        except queue.Empty:
            return
        handler._queue.task_done()


def _ours(outbox) -> list:
    """Mails from the test's own logger; a report sent late by another handler is not counted."""
    return [m for m in outbox if "failure" in m.subject]


def test_503s_stay_fast_with_an_smtp_server_that_never_answers(
    client, settings, silent_smtp, site_handler_drained
):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_smtp
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 3
    handler = site_handler_drained
    durations = []
    with database_down():
        for _ in range(20):
            started = time.monotonic()
            response = client.get("/api/v1/sources/")
            durations.append(time.monotonic() - started)
            assert response.status_code == 503
    # Without the queue the first of these waited EMAIL_TIMEOUT (3 s) for the mail.
    assert max(durations) < 1.0, durations
    assert handler.budget._used >= 1


def test_an_outage_mails_within_the_budget(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handler = QueuedAdminEmailHandler(limit=3, window=600)
    errors = logging.getLogger("claims.test-errors")
    # Only this handler: the site's own (on the "claims" logger) would mail these too.
    errors.propagate = False
    errors.addHandler(handler)
    try:
        for number in range(30):
            errors.error("failure %d", number)
        assert handler.flush(timeout=5)
    finally:
        errors.removeHandler(handler)
    assert len(_ours(mail.outbox)) == 3
    assert handler.dropped == 27


def test_the_next_window_says_how_many_were_dropped(settings, monkeypatch):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handler = QueuedAdminEmailHandler(limit=1, window=60)
    errors = logging.getLogger("claims.test-errors")
    # Only this handler: the site's own (on the "claims" logger) would mail these too.
    errors.propagate = False
    errors.addHandler(handler)
    try:
        for _ in range(4):
            errors.error("failure")
        handler.budget._started -= 61  # the window has turned
        errors.error("later failure")
        assert handler.flush(timeout=5)
    finally:
        errors.removeHandler(handler)
    assert len(_ours(mail.outbox)) == 2
    assert "3 earlier error report(s) were not mailed" in _ours(mail.outbox)[1].body


def test_limit_zero_only_logs(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handler = QueuedAdminEmailHandler(limit=0)
    errors = logging.getLogger("claims.test-errors")
    # Only this handler: the site's own (on the "claims" logger) would mail these too.
    errors.propagate = False
    errors.addHandler(handler)
    try:
        errors.error("failure")
        assert handler.flush(timeout=1)
    finally:
        errors.removeHandler(handler)
    assert _ours(mail.outbox) == []


def test_the_budget_is_a_fixed_window():
    budget = MailBudget(limit=2, window=60)
    assert [budget.take()[0] for _ in range(4)] == [True, True, False, False]
    budget._started -= 60
    assert budget.take() == (True, 2)
