"""The benchmark's raw baselines (bench/raw.py) must fetch the same rows the API lists return,
field for field: otherwise the app/raw ratios in bench/RESULTS.md would compare unlike things."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from .api_helpers import client_for

pytestmark = pytest.mark.django_db

LISTS = {
    "publishers": "api:publisher-list",
    "authors": "api:author-list",
    "sources": "api:source-list",
    "topics": "api:topic-list",
    "actors": "api:actor-list",
    "propositions": "api:proposition-list",
    "claims": "api:claim-list",
    "stances": "api:stance-list",
}


@pytest.fixture
def raw():
    if connection.vendor != "postgresql":
        pytest.skip("the raw baselines are written for PostgreSQL, where the benchmark runs")
    from bench import raw

    return raw


@pytest.mark.parametrize("name", sorted(LISTS))
def test_raw_baseline_returns_what_the_api_returns(raw, name, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    api = client_for().get(reverse(LISTS[name]), HTTP_HOST="127.0.0.1").json()["results"]
    baseline = json.loads(raw.LISTS[name]())["results"]
    assert baseline == api
