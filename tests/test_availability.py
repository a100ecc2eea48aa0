"""When the database cannot be reached, every URL answers 503 at once with Retry-After and a
clear body (JSON under /api/, a small page elsewhere), and serves again as soon as it is back.
Malformed addresses are refused before any view runs."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from claims.api.views import PropositionViewSet

from .api_helpers import client_for

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(error=OperationalError):
    """Every query fails the way psycopg fails while PostgreSQL restarts."""
    failure = error("server closed the connection unexpectedly")
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=failure),
        mock.patch.object(CursorWrapper, "executemany", side_effect=failure),
    ):
        yield


def test_a_page_answers_503_with_a_small_html_page(client):
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Back in a moment" in body and "Nothing was changed" in body


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_in_its_error_shape(error):
    with database_down(error):
        response = client_for().get(reverse("api:source-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.json()["error"]["status"] == 503


def test_an_api_write_during_an_outage_is_refused_cleanly(editor):
    body = {"source": "russia-and-iran-new-divides", "start": 144, "end": 383, "anchor": "offsets"}
    client = client_for(editor)
    with database_down():
        response = client.post(reverse("api:claim-list"), body, format="json")
    assert response.status_code == 503


def test_service_returns_once_the_database_is_back(client):
    with database_down():
        assert client.get("/").status_code == 503
    assert client.get("/").status_code == 200
    assert client_for().get(reverse("api:source-list")).status_code == 200


def test_a_write_race_on_a_unique_value_is_a_conflict_not_a_crash(editor):
    race = IntegrityError("duplicate key value violates unique constraint")
    with mock.patch.object(PropositionViewSet, "perform_create", side_effect=race):
        response = client_for(editor).post(
            reverse("api:proposition-list"), {"text": "A", "slug": "a"}, format="json"
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    "url", ["/search/?q=a%00b", "/sources/russia%00/", "/admin/claims/claim/?q=%00"]
)
def test_nul_in_an_address_is_a_400_before_any_view(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_in_an_api_query_is_a_400_in_the_api_shape():
    response = client_for().get(reverse("api:claim-list") + "?q=%00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_unknown_api_addresses_are_json_404s():
    response = client_for().get("/api/v1/claims/not-a-number/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_read_only_endpoints_without_a_model_answer_405(editor, method):
    response = getattr(client_for(editor), method)(reverse("api:export-claims-csv"))
    assert response.status_code == 405


def test_an_id_too_large_for_the_column_is_refused_not_overflowed():
    response = client_for().get(reverse("api:stance-list") + "?claim=" + "9" * 30)
    assert response.status_code == 400
    assert "claim" in response.json()["error"]["fields"]
