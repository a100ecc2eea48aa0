"""Proposition pages: the sources side by side, quoted."""

import re

import pytest

from claims import summaries
from claims.models import Claim, Proposition

from .corpus import grow, silent_on
from .factories import PropositionFactory

pytestmark = pytest.mark.django_db

COLUMN = re.compile(r'<h3 id="col-\d+"><a href="/sources/([\w-]+)/">')


def test_columns_for_the_three_sources_and_the_two_silent_ones(client):
    response = client.get("/propositions/russia-backs-zangezur-corridor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(COLUMN.findall(html)) == 3
    assert "addressed by 3 of 5 published sources; 2 say nothing on it" in html
    # Few silent sources are named, so that the reader sees who leaves it out.
    assert "Not addressed by" in html
    assert "Iran and Russia: a closely scrutinized alliance" in html
    assert 'aria-label="Positions of the sources: 3 supports"' in html


def test_many_silent_sources_are_only_counted(client, monkeypatch):
    from claims.views import topics

    monkeypatch.setattr(topics, "SILENT_NAMED", 1)
    html = client.get("/propositions/russia-backs-zangezur-corridor/").content.decode()
    assert "2 say nothing on it" in html
    assert "Not addressed by" not in html


def test_each_claim_is_quoted_with_stance_kind_speaker_and_a_link_to_its_span(client):
    html = client.get("/propositions/russia-backs-zangezur-corridor/").content.decode()
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    claims = Claim.objects.filter(stances__proposition=proposition).distinct()
    for claim in claims:
        assert f'href="/sources/{claim.source.slug}/#claim-{claim.pk}"' in html
    spoken = claims.exclude(speaker=None).first()
    assert spoken is not None
    assert f'<span class="quote__speaker">{spoken.speaker.name}</span>' in html
    # The stance is a label of the quote, not a verb after the proposition or the speaker.
    assert '<span class="quote__stance">stance: <span class="stance stance-' in html
    # Whose view: the reported ones say so.
    assert '<span class="quote__attribution quote__attribution--reported">Reported view' in html


def test_sides_are_grouped_supporters_before_contradictors(client):
    html = client.get("/propositions/iran-leverage-over-russia-growing/").content.decode()
    positions = re.findall(r'Position: <span class="stance stance-(\w+)">', html)
    # Fanack only relays Western officials' concern here: no position of its own, last.
    assert positions == ["supports"] + ["contradicts"] * 2 + ["aside"]


def test_related_propositions_of_the_same_topic(client):
    html = client.get("/propositions/russia-backs-zangezur-corridor/").content.decode()
    related = html[html.index('id="related-heading"') :]
    assert 'href="/propositions/iran-opposes-zangezur-corridor/"' in related


def test_proposition_without_published_stances_is_404(client):
    proposition = PropositionFactory()
    assert client.get(f"/propositions/{proposition.slug}/").status_code == 404


def test_proposition_query_count_does_not_grow(client, django_assert_num_queries):
    url = "/propositions/russia-backs-zangezur-corridor/"
    silent_on("russia-backs-zangezur-corridor")
    summaries.refresh()
    # 1 the answer's version (public version, stamps of the proposition and of its topics),
    #   which keys the page cache (a miss here: new data)
    # 2 the proposition (published: some published stance exists)  3 its topics
    # 4 its summary
    # 5 published stances on it, as plain rows with their claims' words
    # 6 the sources holding them, with their outlets  7 the proposition's text
    # 8-13 the tally: the overview's version, the topics, topic links of summarised
    #      propositions, published sources, outlets and claims counted (once per version of
    #      the overview; every request here follows an edit)
    # 14 confirmed silences  15 the silent sources, named when there are at most SILENT_NAMED
    # 16 the confirmed silent sources (at most SILENT_NAMED)
    # 17 the most divided related propositions
    with django_assert_num_queries(17):
        client.get(url)
    grow(4)
    silent_on("russia-backs-zangezur-corridor")
    summaries.refresh()
    with django_assert_num_queries(17):
        response = client.get(url)
    assert len(COLUMN.findall(response.content.decode())) == 7


def test_many_sources_come_a_page_at_a_time(client, monkeypatch):
    from claims.views import topics

    monkeypatch.setattr(topics, "SOURCES_ON_PROPOSITION", 4)
    grow(4)
    url = "/propositions/russia-backs-zangezur-corridor/"
    first = client.get(url).content.decode()
    assert len(COLUMN.findall(first)) == 4
    assert "Sources 1–4 of 7" in first
    second = client.get(f"{url}?page=2").content.decode()
    assert len(COLUMN.findall(second)) == 3
