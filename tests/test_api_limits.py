"""Throttling and error bodies: one consistent shape, with Retry-After when throttled."""

import pytest
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from .api_helpers import client_for

pytestmark = pytest.mark.django_db


def test_anonymous_clients_are_throttled_with_retry_after(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": None})
    client = client_for()
    statuses = [client.get(reverse("api:topic-list")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(reverse("api:topic-list"))
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


def test_not_found_has_the_common_error_shape():
    response = client_for().get(reverse("api:source-detail", args=["nowhere"]))
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


def test_throttle_rates_come_from_settings(settings):
    assert set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {"anon", "user"}


def test_each_request_is_counted_once_under_the_rate_that_applies(monkeypatch, editor):
    from claims.api.throttling import SignedInRateThrottle

    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )
    monkeypatch.setattr(
        SignedInRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )
    url = reverse("api:topic-list")
    anonymous = [client_for().get(url).status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]  # the user rate (3) never applied to them
    signed_in = [client_for(editor).get(url).status_code for _ in range(4)]
    assert signed_in == [200, 200, 200, 429]  # by account, not by the throttled address


def test_a_window_is_a_counter_not_a_list_of_requests(monkeypatch):
    """A client allowed many requests a minute costs the same per request as one allowed few:
    the cache holds a number, not the time of every request."""
    from django.core.cache import cache

    from claims.api.throttling import AddressRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "user": None})
    client = client_for()
    for _ in range(5):
        assert client.get(reverse("api:topic-list")).status_code == 200
    throttle = AddressRateThrottle()
    request = client.get(reverse("api:topic-list")).wsgi_request
    assert cache.get(f"{throttle.get_cache_key(request, None)}:count") == 6


def test_retry_after_is_when_the_window_ends(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/hour", "user": None})
    client = client_for()
    statuses = [client.get(reverse("api:topic-list")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    wait = int(client.get(reverse("api:topic-list"))["Retry-After"])
    assert 3500 < wait <= 3600
