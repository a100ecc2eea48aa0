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
    with django_assert_num_queries(5):
        client.get("/search/?q=corridor")
    grow(4)
    with django_assert_num_queries(5):
        response = client.get("/search/?q=corridor")
    assert "The <mark>corridor</mark> remains a red line" in response.content.decode()
