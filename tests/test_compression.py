"""Compressed answers for anonymous readers; none where a secret sits in the body (BREACH)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_public_pages_are_compressed(client):
    plain = client.get("/topics/zangezur-corridor/")
    packed = client.get("/topics/zangezur-corridor/", **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert html.startswith("<!doctype html>")
    assert len(packed.content) * 3 < len(plain.content)


def test_api_answers_are_compressed(client):
    response = client.get("/api/v1/topics/", **GZIP)
    assert response["Content-Encoding"] == "gzip"


def test_nothing_is_compressed_for_a_signed_in_user(client, editor):
    client.force_login(editor)
    response = client.get("/topics/zangezur-corridor/", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_a_page_with_a_csrf_token_is_not_compressed(client):
    response = client.get("/admin/login/", **GZIP)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response


def test_a_request_with_credentials_is_not_compressed(client):
    response = client.get("/api/v1/topics/", HTTP_AUTHORIZATION="Token nothing", **GZIP)
    assert "Content-Encoding" not in response
