"""Small reliability fixes: an export the database cuts off is marked and aborted (never a
complete-looking 200), every answer carries a Permissions-Policy, and over-long addresses are
refused in the API's error shape."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.urls import reverse

from claims.api import exports

from .api_helpers import client_for

pytestmark = pytest.mark.django_db


def _cut_off(rows):
    """The first rows, then the database drops."""

    def generate():
        yield from list(rows())[:2]
        raise OperationalError("server closed the connection unexpectedly")

    return generate


def _read_until_failure(response) -> tuple[list, BaseException | None]:
    chunks = []
    try:
        for chunk in response.streaming_content:
            chunks.append(chunk)
    except OperationalError as error:
        return chunks, error
    return chunks, None


def test_a_csv_export_cut_off_ends_with_a_marker_and_an_error(monkeypatch):
    monkeypatch.setattr(exports, "csv_rows", _cut_off(exports.csv_rows))
    response = client_for().get(reverse("api:export-claims-csv"))
    assert response.status_code == 200  # sent before the failure
    chunks, error = _read_until_failure(response)
    assert error is not None, "the stream must fail, so that the server aborts the connection"
    body = b"".join(chunks).decode()
    assert body.splitlines()[-1] == exports.CSV_INTERRUPTED
    assert body.splitlines()[0].startswith("claim_id")


def test_a_complete_csv_export_has_no_marker():
    body = b"".join(client_for().get(reverse("api:export-claims-csv")).streaming_content)
    assert exports.CSV_INTERRUPTED.encode() not in body


def test_an_annotation_export_cut_off_is_invalid_json_and_an_error(monkeypatch):
    def failing(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    original = exports.annotation
    calls = []

    def annotation(claim, request):
        calls.append(claim.pk)
        if len(calls) > 2:
            failing()
        return original(claim, request)

    monkeypatch.setattr(exports, "annotation", annotation)
    response = client_for().get(reverse("api:export-annotations"))
    chunks, error = _read_until_failure(response)
    assert error is not None
    with pytest.raises(json.JSONDecodeError):
        json.loads(b"".join(chunks))


@pytest.mark.parametrize("path", ["/", "/api/v1/", "/admin/login/", "/no-such-page/"])
def test_every_answer_has_a_permissions_policy(client, path):
    policy = client.get(path)["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_an_over_long_api_address_is_414_in_the_error_shape(settings):
    settings.MAX_URL_LENGTH = 200
    response = client_for().get("/api/v1/claims/?q=" + "a" * 300)
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "uri_too_long"
    assert client_for().get("/api/v1/claims/?q=short").status_code == 200


def test_an_over_long_page_address_is_414(client, settings):
    settings.MAX_URL_LENGTH = 200
    response = client.get("/search/?q=" + "a" * 300)
    assert response.status_code == 414
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_the_shell_imports_the_models_without_complaining(capsys):
    from django.core.management import call_command

    call_command("shell", "-c", "print(Claim.objects.model.__name__, Source.__name__)")
    out, err = capsys.readouterr()
    assert "Claim Source" in out
    assert "could not be automatically imported" not in out + err
