"""Comparing two sources: agreement, divergence quote against quote, what only one covers."""

import re
import sys

import pytest

from .corpus import grow
from .factories import SourceFactory

pytestmark = pytest.mark.django_db

FANACK = "russia-and-iran-new-divides"
EJP = "iran-russia-alliance-ejp"


def test_comparison_shows_the_figure_and_the_three_sections(client):
    response = client.get(f"/compare/?a={FANACK}&b={EJP}")
    assert response.status_code == 200
    html = response.content.decode()
    # Graded over the 6 propositions both hold a position on of their own: identical leans on
    # two (1 each), half apart on one (1/2), opposite on three (0). Each weighs the quotes of
    # the thinner side: 2 on iran-arms-russia (two quotes each), 1 on the others; so
    # (2 + 1 + 1/2) / 7 = 1/2, and counting each once 5/12 (42%).
    assert '<p class="agreement-figure__number">50%</p>' in html
    assert "counting every proposition once: 42%" in html
    assert "both take a position on" in html and "close on <strong>2</strong>" in html
    assert 'Where they diverge, the furthest apart first <span class="muted">(4)</span>' in html
    assert 'Where they agree (or nearly) <span class="muted">(2)</span>' in html
    assert "What only one covers" in html
    # Quotes side by side, each linking to its span.
    assert f'href="/sources/{FANACK}/#claim-' in html
    assert f'href="/sources/{EJP}/#claim-' in html
    assert f'href="/compare/?a={EJP}&amp;b={FANACK}"' in html  # swap
    assert (
        f'<link rel="canonical" href="http://testserver/compare/?a={FANACK}&amp;b={EJP}">' in html
    )


def test_without_parameters_the_picker_is_shown(client):
    response = client.get("/compare/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Compare two sources</h1>" in html
    assert f'<option value="{FANACK}">' in html
    assert 'list="compare-suggestions"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (f"a={FANACK}", "This field is required."),
        (f"b={EJP}", "This field is required."),
        (f"a={FANACK}&b={FANACK}", "Pick two different sources to compare."),
        (f"a=no-such-source&b={EJP}", "No published source is called “no-such-source”."),
        ("a=%3Cscript%3E&b=x", "No published source is called “&lt;script&gt;”."),
        (f"a={FANACK}&b={EJP}&a=", "This field is required."),
    ],
)
def test_bad_requests_get_the_picker_with_the_problem_named(client, query, message):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="compare-form"' in html


def test_a_draft_source_is_answered_like_an_unknown_one(client):
    draft = SourceFactory()
    # A draft is answered exactly like an unknown slug (400), revealing nothing about it.
    unknown = client.get(f"/compare/?a=no-such-source&b={EJP}")
    for response in (
        client.get(f"/compare/?a={draft.slug}&b={EJP}"),
        client.get(f"/compare/?a={FANACK}&b={draft.slug}"),
    ):
        assert response.status_code == 400 == unknown.status_code
        assert draft.title not in response.content.decode()


def test_compare_query_count_does_not_grow(client, django_assert_num_queries):
    url = f"/compare/?a={FANACK}&b={EJP}"
    # 0 the answer's version (public version, stamps of the two sources and the overview),
    #   which keys the page cache (a miss here: new data)
    # 1 the two sources by slug, with their outlets
    # 2 published stances of the two sources, as plain rows with their claims' words
    # 3 the propositions they address
    # 4 the picker's suggestions
    with django_assert_num_queries(5):
        client.get(url)
    grow(4)
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


def test_picker_query_count_does_not_grow(client, django_assert_num_queries):
    # 0 the answer's version (public version, overview stamp), which keys the page cache
    # 1 the suggestions: the most recently published sources, with their outlets
    with django_assert_num_queries(2):
        client.get("/compare/")
    grow(4)
    with django_assert_num_queries(2):
        response = client.get("/compare/")
    # One list of suggestions for both fields: the nine published sources.
    assert response.content.decode().count('<option value="') == 5 + 4


def test_suggestions_are_capped_and_any_published_source_can_be_typed(client, monkeypatch):
    monkeypatch.setattr(sys.modules["claims.views.compare"], "SUGGESTIONS", 2)
    html = client.get("/compare/").content.decode()
    assert html.count('<option value="') == 2
    offered = set(re.findall(r'<option value="([\w-]+)"', html))
    typed = [slug for slug in (FANACK, EJP) if slug not in offered]
    assert typed  # at least one of the two is not among the suggestions …
    assert client.get(f"/compare/?a={FANACK}&b={EJP}").status_code == 200  # … and still works
