"""Search: published claims, propositions and sources with the words marked."""

import pytest

from claims.search import MAX_QUERY_LENGTH

from .corpus import grow

pytestmark = pytest.mark.django_db


def test_empty_query_shows_the_form_only(client):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input type="search" name="q"' in html
    assert 'class="summary"' not in html
    assert '<meta name="robots" content="noindex">' in html


def test_results_of_each_kind_with_words_marked(client):
    html = client.get("/search/?q=Zangezur+corridor").content.decode()
    assert 'id="res-props"' in html and 'id="res-claims"' in html
    assert "<mark>Zangezur</mark> <mark>corridor</mark>" in html
    assert 'href="/propositions/russia-backs-zangezur-corridor/"' in html
    assert "/#claim-" in html
    # A claim shows the stances it takes.
    assert 'class="stance stance-supports"' in html


def test_nothing_found_says_so(client):
    html = client.get("/search/?q=xylophonist").content.decode()
    assert "Nothing published matches “xylophonist”" in html


def test_long_queries_are_shortened_not_refused(client):
    response = client.get("/search/", {"q": "corridor " * 60})
    assert response.status_code == 200
    html = response.content.decode()
    assert "shortened to its first 200 characters" in html
    assert f'maxlength="{MAX_QUERY_LENGTH}"' in html


def test_search_query_count_does_not_grow(client, django_assert_num_queries):
    # 0 the public version, which keys the page cache (a miss here: new data)
    # 1 matching published claims with source, outlet and speaker
    # 2 the stances of those claims with their propositions
    # 3 matching published propositions
    # 4 matching published sources
    expected = 5
    with django_assert_num_queries(expected):
        client.get("/search/?q=corridor")
    grow(4)
    with django_assert_num_queries(expected):
        response = client.get("/search/?q=corridor")
    assert "The <mark>corridor</mark> remains a red line" in response.content.decode()


def test_ranking_covers_the_most_recent_matches_only_beyond_the_window(monkeypatch):
    """Up to RANK_WINDOW matches the ranking is complete; beyond, the best of the most recent
    RANK_WINDOW are given (on SQLite, matches come in id order either way)."""
    from claims import search
    from claims.models import Claim

    published = Claim.objects.published()
    every = set(search.matches(published, "Russia").values_list("pk", flat=True))
    assert len(every) > 5
    assert set(search.matching(published, "Russia").values_list("pk", flat=True)) == every
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    windowed = list(search.matching(published, "Russia").values_list("pk", flat=True))
    if search.uses_stored_vectors():
        assert set(windowed) == set(sorted(every)[-5:])
    else:
        assert windowed == sorted(every)


def test_api_search_filters_without_ranking_every_match():
    from django.urls import reverse

    from claims import search
    from claims.models import Claim

    from .api_helpers import client_for

    body = client_for().get(reverse("api:claim-list") + "?q=corridor&page_size=200").json()
    ids = [claim["id"] for claim in body["results"]]
    assert ids == sorted(ids, reverse=True)  # the list's own order (cursor by id)
    expected = search.matches(Claim.objects.published(), "corridor").values_list("pk", flat=True)
    assert ids and set(ids) == set(expected)
