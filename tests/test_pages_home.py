"""The home page: the corpus at a glance."""

import re

import pytest

from claims import summaries

from .corpus import grow

pytestmark = pytest.mark.django_db


def test_home_shows_the_corpus_topics_contested_sources_and_map(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    # What the corpus is, in numbers.
    assert "<dt>published sources</dt><dd>5</dd>" in html
    assert "<dt>quoted claims</dt><dd>166</dd>" in html
    assert "<dt>propositions</dt><dd>30</dd>" in html
    # Topics, with sub-topics under their parent.
    assert 'href="/topics/south-caucasus/"' in html
    assert 'href="/topics/zangezur-corridor/"' in html
    # The most contested propositions, the most divided first.
    contested = re.findall(r'class="contested__text" href="/propositions/([\w-]+)/"', html)
    assert len(contested) == 8
    # Three sources for and two against: the widest split (0.768); one against one
    # (russia-favours-gulf-states-over-iran, 0.5) does not lead.
    assert contested[0] == "russia-tilts-toward-azerbaijan"
    assert "russia-favours-gulf-states-over-iran" not in contested
    assert "relations-are-diverging" in contested
    # The sources with outlet, author and date (or its absence).
    assert "The Corridor Dividing Russia and Iran" in html
    assert 'href="/publishers/geopolitical-futures/"' in html
    assert 'href="/authors/kamran-bokhari/"' in html
    assert "12 September 2024" in html
    assert "date not stated" in html
    assert "translated from Arabic" in html


def test_home_agreement_map_is_an_svg_with_a_table_equivalent(client):
    html = client.get("/").content.decode()
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="heatmap"') :]
    svg = svg[: svg.index("</svg>")]
    assert "<title" in svg and "<desc" in svg
    # 5 sources: 20 ordered pairs, each a link to its comparison.
    assert svg.count('class="heat-link"') == 20
    assert "/compare/?a=" in svg
    assert "<caption>Agreement between sources" in html
    # Fanack's and EJP's pieces: 50% graded agreement over 6 shared propositions, weighted by
    # evidence (see tests/test_pages_compare.py).
    assert (
        "Russia and Iran: New Divides and Ongoing Intersections and Iran and Russia: a closely "
        "scrutinized alliance, 50% agreement over 6 shared propositions, close on 2"
    ) in svg


def test_home_query_count_does_not_grow_with_the_corpus(client, django_assert_num_queries):
    # 1 the answer's version (public version, overview stamp), which keys the page cache (a
    #   miss here: new data)
    # 2 the topics
    # the tally, worked out once per version of the overview (every request here follows an
    # edit): 3 the overview's version  4 topic links of summarised propositions
    #   5 published sources counted  6 their outlets counted  7 published claims counted
    # 8 the most contested propositions
    # 9 the sources on those propositions, for the agreement map  10 those sources
    # 11 their published stances, as plain rows (positions, not quotes)
    # 12 the latest published sources  13 their authorships and authors  14 their claim counts
    # 15 the stances on the contested propositions, as plain rows  16 the sources holding them
    with django_assert_num_queries(16):
        assert client.get("/").status_code == 200
    grow(4)
    summaries.refresh()
    with django_assert_num_queries(16):
        response = client.get("/")
    assert "<dt>published sources</dt><dd>9</dd>" in response.content.decode()


def test_home_lists_the_latest_sources_and_links_to_all_of_them(client, settings):
    from claims.views import overview

    grow(8)
    html = client.get("/").content.decode()
    assert html.count('class="source-list__title"') == overview.SOURCES_ON_HOME
    assert 'href="/sources/">All 13 published sources</a>' in html


def test_source_index_pages_by_the_last_source_shown(client, monkeypatch):
    from claims.views import overview

    monkeypatch.setattr(overview, "SOURCES_PER_PAGE", 4)
    first = client.get("/sources/").content.decode()
    assert first.count('class="source-list__title"') == 4
    after = re.search(r'rel="next" href="/sources/\?after=(\d+)"', first).group(1)
    second = client.get(f"/sources/?after={after}").content.decode()
    assert second.count('class="source-list__title"') == 1
    assert 'rel="next"' not in second
    assert client.get("/sources/?after=x").status_code == 200


@pytest.mark.parametrize("path", ["/topics/", "/propositions/"])
def test_index_folders_lead_to_the_topics_on_the_home_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/#topics"
    assert 'id="topics"' in client.get("/").content.decode()
