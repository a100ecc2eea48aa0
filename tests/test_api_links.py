"""Links built from one resolved template per request equal what `reverse()` gives."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from claims.api.links import link, site_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("view", "value", "kwarg"),
    [
        ("api:claim-detail", 140, "pk"),
        ("api:stance-detail", 999_999_999_999_999_998, "pk"),
        ("api:proposition-detail", "russia-backs-zangezur-corridor", "slug"),
        ("api:source-detail", "a-99-slug-with-9s", "slug"),
    ],
)
def test_link_equals_the_reversed_absolute_url(view, value, kwarg, settings):
    settings.ALLOWED_HOSTS = ["claims.example.org"]
    request = RequestFactory().get("/api/v1/", HTTP_HOST="claims.example.org:8443")
    expected = request.build_absolute_uri(reverse(view, kwargs={kwarg: value}))
    assert link(request, view, value, kwarg) == expected
    assert site_url(request, "/sources/x/") == "http://claims.example.org:8443/sources/x/"
