"""API fuzzing: schemathesis generates requests from the app's own OpenAPI schema and checks
every response against it.

Every operation is called with data that fits the schema and data that does not (negative
mode), as an editor with a token so that writes are exercised too, with a fixed seed so that a
failure is reproducible. The stateful test follows the links between operations (create a claim,
then read, change and delete it). The run is bounded: FUZZ_EXAMPLES sets the examples per
operation and phase (small in `make test`, large in `make fuzz`). Check settings and the reasons
for each exception are in schemathesis.toml.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from werkzeug.test import Client as WSGIClient

from claims.api.pagination import last_page
from geopolitics.wsgi import application

from .api_helpers import SUMMARY_LINES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_STATEFUL_SCENARIOS", "15"))

config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
if "FUZZ_SEED" in os.environ:
    config.seed = int(os.environ["FUZZ_SEED"])
config.projects.default.generation.update(max_examples=EXAMPLES)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=config)

# Responses seen, by status, across the module: printed at the end as the run's figures.
TALLY: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_figures(request):
    yield
    if TALLY:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(TALLY.items()))
        line = (
            f"API fuzzing: {sum(TALLY.values())} cases, seed {config.seed}, "
            f"{EXAMPLES} examples per operation and phase; responses by status: {statuses}"
        )
        request.config.stash.setdefault(SUMMARY_LINES, []).append(line)


@pytest.fixture(autouse=True)
def in_process_requests(monkeypatch, settings):
    """Requests run in this thread, inside the test's transaction: keep its connection open (as
    Django's own test client does) and let no throttle or login limit (the ignored_auth check
    sends wrong tokens on purpose) turn a long run into 429s."""
    settings.LOGIN_FAILURE_LIMIT = 10**9
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    for throttle in (AnonRateThrottle, UserRateThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", {"anon": None, "user": None})
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# A fixed key, so that the auth provider below needs no fixture; the row is made per test.
EDITOR_TOKEN = "fuzz0editor0token0000000000000000000000"


@schema.auth()
class EditorToken:
    """Every generated request is sent as an editor (an explicit credential: the ignored_auth
    check removes or replaces it and expects 401/403 on writes)."""

    def get(self, case, context) -> str:
        return EDITOR_TOKEN

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@pytest.fixture
def auth_header(editor) -> dict[str, str]:
    Token.objects.create(user=editor, key=EDITOR_TOKEN)
    return {"Authorization": f"Token {EDITOR_TOKEN}"}


def current_etag(case, headers: dict[str, str]) -> str | None:
    """The ETag of the resource a write targets, so that valid writes can get through. Asked
    through the WSGI application like the generated requests (Django's test client would
    reconnect the connection-closing signals these tests turn off)."""
    response = WSGIClient(application).get(case.formatted_path, headers=headers)
    return response.headers.get("ETag") if response.status_code == 200 else None


# Any page up to this one exists whatever the page size (pages cover the first COUNT_CAP rows).
LAST_PAGE_OF_ANY_SIZE = last_page(django_settings.API_MAX_PAGE_SIZE)


def prepare(case, headers: dict[str, str]) -> None:
    """Writes generated as valid data carry the current ETag; invalid ones keep whatever was
    generated (or nothing), which the server must refuse with 412 or 428.

    Lists generated as valid data ask for a page the list serves: the last page depends on
    `page_size` (the pages cover the first COUNT_CAP rows), which a schema cannot say, and a
    cursor is valid only as the list's own `next`/`previous` links give it out. A page past
    the cap and a made-up cursor are refused with 400 (tests/test_api_read.py); every other
    parameter is sent as generated."""
    meta = case.meta
    positive = meta is None or meta.generation.mode == GenerationMode.POSITIVE
    if positive and case.method == "GET" and case.query:
        case.query.pop("cursor", None)
        page = case.query.get("page")
        if isinstance(page, int) and page > LAST_PAGE_OF_ANY_SIZE:
            case.query["page"] = LAST_PAGE_OF_ANY_SIZE
    if positive and case.method in {"PUT", "PATCH", "DELETE"}:
        etag = current_etag(case, headers)
        if etag is not None and case.headers is not None and "If-Match" in case.headers:
            case.headers["If-Match"] = etag


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_every_operation_conforms(case, auth_header):
    prepare(case, auth_header)
    response = case.call_and_validate()
    TALLY[response.status_code] += 1


@pytest.mark.django_db
def test_linked_operations_conform(auth_header):
    """Create, read, change and delete along the schema's links."""

    class Workflow(schema.as_state_machine()):
        # Every scenario starts from the same data (the seed corpus): what one scenario wrote
        # is rolled back before the next, so that a replayed scenario behaves the same.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            prepare(case, auth_header)

        def after_call(self, response, case):
            TALLY[response.status_code] += 1

    Workflow.run(
        settings=settings(
            Workflow.TestCase.settings,
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            suppress_health_check=list(HealthCheck),
            deadline=None,
        )
    )
