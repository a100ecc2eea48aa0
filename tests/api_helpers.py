"""Helpers shared by the API tests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """An API client authenticated by token as `user` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def count_queries(client, url: str, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response


def error_message(response) -> str:
    return response.json()["error"]["message"]


# Lines a test module wants printed in pytest's closing summary (figures of a fuzzing run).
SUMMARY_LINES = pytest.StashKey[list[str]]()
