"""The admin's login with a limit on failed attempts per username and client address."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from claims.ratelimit import LoginLimiter, blocked_message, client_address

limiter = LoginLimiter("admin")


class RateLimitedAdminAuthenticationForm(AdminAuthenticationForm):
    """Refuses to check a password once the username has been tried too often from this
    address, with a message that says so (and how long to wait) instead of "wrong password".

    The attempt is counted before the password is checked (claims.ratelimit), so parallel
    guesses cannot all slip under the limit."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        key = limiter.key(username, client_address(self.request)) if self.request else None
        wait = limiter.attempt(key) if key else 0
        if wait:
            self.retry_after = wait
            raise ValidationError(blocked_message(wait), code="too_many_attempts")
        data = super().clean()
        if key:
            limiter.succeeded(key)
        return data


admin.site.login_form = RateLimitedAdminAuthenticationForm


def login(request, extra_context=None):
    """admin.site.login, answering 429 with Retry-After while attempts are paused."""
    response = admin.site.login(request, extra_context)
    form = getattr(response, "context_data", {}).get("form") if response else None
    wait = getattr(form, "retry_after", 0)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response
