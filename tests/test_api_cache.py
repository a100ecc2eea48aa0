"""Anonymous API reads are served from the cache until the next edit, never to or from a
signed-in client."""

import pytest
from django.urls import reverse

from claims.models import Claim, Source, Stance
from claims.publishing import unpublish_source

from .api_helpers import client_for, count_queries
from .factories import reviewer_user

pytestmark = pytest.mark.django_db


def test_a_repeated_anonymous_read_costs_one_query():
    url = reverse("api:claim-list")
    first, response = count_queries(client_for(), url)
    again, cached = count_queries(client_for(), url)
    assert first > 1 and again == 1  # the public version
    assert cached.content == response.content
    assert cached["Content-Type"] == "application/json"


def test_an_edit_shows_on_the_next_read():
    claim = Claim.objects.published().order_by("-pk").first()
    url = reverse("api:claim-detail", args=[claim.pk])
    assert client_for().get(url).json()["note"] == claim.note
    Claim.objects.filter(pk=claim.pk).update(note="Checked against the original.")
    assert client_for().get(url).json()["note"] == "Checked against the original."

    stance = Stance.objects.published().exclude(label="neutral").order_by("pk").first()
    listed = reverse("api:stance-list") + f"?claim={stance.claim_id}"
    before = {s["id"]: s["label"] for s in client_for().get(listed).json()["results"]}
    Stance.objects.filter(pk=stance.pk).update(label="neutral")
    after = {s["id"]: s["label"] for s in client_for().get(listed).json()["results"]}
    assert (before[stance.pk], after[stance.pk]) == (stance.label, "neutral")


def test_unpublishing_removes_a_source_from_cached_lists():
    url = reverse("api:source-list")
    slugs = {s["slug"] for s in client_for().get(url).json()["results"]}
    source = Source.objects.get(slug="corridor-dividing-russia-and-iran")
    assert source.slug in slugs
    unpublish_source(source=source, by=reviewer_user())
    slugs = {s["slug"] for s in client_for().get(url).json()["results"]}
    assert source.slug not in slugs


def test_signed_in_answers_are_neither_cached_nor_served_from_the_cache(editor):
    draft = Source.objects.get(slug="corridor-dividing-russia-and-iran")
    Source.objects.filter(pk=draft.pk).update(status="draft", published_at=None)
    url = reverse("api:source-list")
    anonymous = {s["slug"] for s in client_for().get(url).json()["results"]}
    signed_in = {s["slug"] for s in client_for(editor).get(url).json()["results"]}
    assert draft.slug in signed_in and draft.slug not in anonymous
    # The editor's answer, with the draft, never reaches anyone else.
    assert draft.slug not in {s["slug"] for s in client_for().get(url).json()["results"]}
    again, _ = count_queries(client_for(editor), url)
    assert again > 1


def test_detail_etags_survive_the_cache():
    url = reverse("api:topic-detail", args=["zangezur-corridor"])
    etag = client_for().get(url)["ETag"]
    cached = client_for().get(url)
    assert cached["ETag"] == etag
    assert client_for().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_other_formats_and_bad_requests_are_not_cached():
    url = reverse("api:topic-list")
    assert client_for().get(url + "?nope=1").status_code == 400
    browsable = client_for().get(url, HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    assert client_for().get(url)["Content-Type"] == "application/json"
