"""Failed logins are limited: per username and address on the admin's login, per address for
API tokens. Past the limit the answer is 429 with Retry-After and a message that says why."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from claims.ratelimit import client_address

from .api_helpers import client_for

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW = 600


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_admin_login_is_paused_after_repeated_failures(client, editor):
    for _ in range(3):
        response = attempt(client, "alice", "wrong")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    # Even the right password is refused now, and the page says why.
    response = attempt(client, "alice", "correct horse battery staple")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_pause_is_per_username_and_address(client, editor, reviewer):
    for _ in range(3):
        attempt(client, "alice", "wrong")
    # Another account from the same address, and the same account from elsewhere, still work.
    assert attempt(client, "bob", "correct horse battery staple").status_code == 302
    client.logout()
    other = attempt(client, "alice", "correct horse battery staple", address="198.51.100.2")
    assert other.status_code == 302


def test_a_successful_login_clears_the_count(client, editor):
    for _ in range(2):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", "correct horse battery staple").status_code == 302
    client.logout()
    for _ in range(2):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", "correct horse battery staple").status_code == 302


def test_usernames_differing_in_case_share_a_count(client, editor):
    for name in ("alice", "ALICE", "Alice"):
        attempt(client, name, "wrong")
    assert attempt(client, "alice", "correct horse battery staple").status_code == 429


def test_wrong_api_tokens_are_answered_429_past_the_limit(editor):
    bad = client_for()
    bad.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40, REMOTE_ADDR="203.0.113.9")
    statuses = [bad.get(reverse("api:topic-list")).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    response = bad.get(reverse("api:topic-list"))
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "too_many_login_failures"
    assert "Too many failed login attempts" in error["message"]
    # A good token from another address is not affected; anonymous reads from there neither.
    good = client_for(editor)
    good.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=editor).key}",
        REMOTE_ADDR="198.51.100.4",
    )
    assert good.get(reverse("api:topic-list")).status_code == 200


def test_the_client_address_behind_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.9")
    settings.NUM_PROXIES = 0
    assert client_address(request) == "10.0.0.1"
    settings.NUM_PROXIES = 1
    assert client_address(request) == "10.0.0.9"
    settings.NUM_PROXIES = 2
    assert client_address(request) == "203.0.113.5"


def test_parallel_wrong_passwords_are_checked_against_the_limit_exactly(rf, monkeypatch):
    """Thirty guesses at once: only LOGIN_FAILURE_LIMIT (3) of them reach the password check."""
    import threading
    import time

    from claims.admin.login import RateLimitedAdminAuthenticationForm

    checked = []

    def slow_wrong_password(request=None, **credentials):
        checked.append(credentials["username"])
        time.sleep(0.02)  # every guess is in flight before the first one is refused
        return None

    monkeypatch.setattr("django.contrib.auth.forms.authenticate", slow_wrong_password)
    barrier = threading.Barrier(30)
    outcomes = []

    def guess() -> None:
        request = rf.post(LOGIN, REMOTE_ADDR="203.0.113.30")
        form = RateLimitedAdminAuthenticationForm(
            request, data={"username": "alice", "password": "guess"}
        )
        barrier.wait(timeout=10)
        outcomes.append(form.is_valid() or getattr(form, "retry_after", 0) > 0)

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(checked) == 3
    assert outcomes.count(True) == 27  # refused with a wait, never checked


def test_wrong_tokens_do_not_lock_out_a_valid_token_from_the_same_address(editor):
    address = "203.0.113.50"  # one NAT: a broken script and a colleague behind it
    bad = client_for()
    bad.credentials(HTTP_AUTHORIZATION="Token " + "1" * 40, REMOTE_ADDR=address)
    statuses = [bad.get(reverse("api:topic-list")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    good = client_for(editor)
    good.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=editor).key}", REMOTE_ADDR=address
    )
    assert good.get(reverse("api:topic-list")).status_code == 200
    # The valid token does not reset the count of the wrong one either.
    assert bad.get(reverse("api:topic-list")).status_code == 429


def test_throttles_and_login_limits_share_the_client_address(rf, settings):
    from claims.api.throttling import AddressRateThrottle

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.9")
    for proxies in (0, 1, 2):
        settings.NUM_PROXIES = proxies
        assert AddressRateThrottle().get_ident(request) == client_address(request)


def test_a_forged_forwarded_header_does_not_escape_the_throttle(monkeypatch, settings):
    from rest_framework.throttling import AnonRateThrottle

    settings.NUM_PROXIES = 0
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": None})
    client = client_for()
    statuses = [
        client.get(reverse("api:topic-list"), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


def test_behind_one_proxy_the_throttle_counts_the_forwarded_client(monkeypatch, settings):
    from rest_framework.throttling import AnonRateThrottle

    settings.NUM_PROXIES = 1
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})
    client = client_for()

    def get(forwarded: str) -> int:
        return client.get(
            reverse("api:topic-list"), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    # Whatever a client writes on the left, the proxy's entry on the right is what counts.
    assert [get("1.1.1.1, 203.0.113.8"), get("2.2.2.2, 203.0.113.8")] == [200, 200]
    assert get("3.3.3.3, 203.0.113.8") == 429
    assert get("203.0.113.9") == 200


def test_the_drf_setting_no_longer_trusts_the_whole_header(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.NUM_PROXIES
