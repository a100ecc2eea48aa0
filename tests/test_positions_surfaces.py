"""Positions as evidence on every surface: matrix, proposition page, compare, heatmap, author
pages and the API agree on what a source holds, and only its own views count by default."""

import re

import pytest
from django.urls import reverse

from claims import selectors, summaries
from claims.models import Authorship, Claim
from claims.views.common import agreement_heatmap

from .api_helpers import client_for
from .corpus import publish
from .factories import (
    AuthorFactory,
    ClaimFactory,
    PropositionFactory,
    SourceFactory,
    StanceFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BODY = " ".join(f"Sentence number {n:02d} says something." for n in range(40))
SPAN = 31  # each sentence above is 30 characters and a space


def source_with(labels, proposition, *, annotator, attributions=None, author=None, **fields):
    """A published source with one claim per label on `proposition`, in text order."""
    source = SourceFactory(body=BODY, **fields)
    if author is not None:
        Authorship.objects.create(source=source, author=author)
    attributions = attributions or ["own"] * len(labels)
    for n, (label, attribution) in enumerate(zip(labels, attributions, strict=True)):
        claim = ClaimFactory(source=source, span=(n * SPAN, n * SPAN + 30), attribution=attribution)
        StanceFactory(claim=claim, proposition=proposition, label=label, annotator=annotator)
    # Content first, publication last: a published revision is read-only. The publication
    # counts in the proposition summaries, as it does once it commits (tests never commit).
    publish(source)
    summaries.refresh()
    return source


@pytest.fixture
def six_and_one():
    """A source with six supporting quotes and one mixed, beside one supporting and one
    contradicting source, on a proposition filed under a fresh topic."""
    annotator = UserFactory(username="reader")
    topic = TopicFactory()
    proposition = PropositionFactory()
    proposition.topics.add(topic)
    strong = source_with(["supports"] * 6 + ["mixed"], proposition, annotator=annotator)
    ally = source_with(["supports"], proposition, annotator=annotator)
    rival = source_with(["contradicts", "contradicts"], proposition, annotator=annotator)
    return topic, proposition, strong, ally, rival


def test_six_supports_and_one_mixed_leans_supports_on_the_matrix(client, six_and_one):
    topic, _, strong, ally, _ = six_and_one
    html = client.get(f"/topics/{topic.slug}/").content.decode()
    cell = html[html.index(f'data-source="{strong.publisher.name}"') :]
    cell = cell[: cell.index("</td>")]
    assert 'class="stance stance-leans_supports"' in cell and "mixed" not in cell.split("✔")[0]
    assert "✔6 ◐1" in cell and "lean +0.86" in cell
    # The hedge that keeps it from being unanimous is named, quoted.
    hedge = Claim.objects.get(source=strong, stances__label="mixed")
    assert f"“{hedge.quote}”" in cell[cell.index("cell__why") :]
    # The ally rests on one quote, and says so.
    single = html[html.index(f'data-source="{ally.publisher.name}"') :]
    assert "1 quote only" in single[: single.index("</td>")]


def test_six_supports_and_one_mixed_leans_supports_on_the_proposition_page(client, six_and_one):
    _, proposition, strong, _, _ = six_and_one
    html = client.get(f"/propositions/{proposition.slug}/").content.decode()
    column = html[html.index(f'id="col-{strong.pk}"') :]
    column = column[: column.index("</article>")]
    assert 'Position: <span class="stance stance-leans_supports">' in column
    assert "✔6 ◐1 · lean +0.86 · 7 quotes" in column


def test_six_supports_and_one_mixed_agrees_on_compare_and_the_heatmap(client, six_and_one):
    _, proposition, strong, ally, _ = six_and_one
    html = client.get(f"/compare/?a={strong.slug}&b={ally.slug}").content.decode()
    # Closeness 1 - |6/7 - 1| / 2 = 13/14: 93%, and listed where they agree.
    assert '<p class="agreement-figure__number">93%</p>' in html
    agree = html[html.index('id="agree"') :]
    assert f'href="/propositions/{proposition.slug}/"' in agree
    # The heatmap of the home page, drawn for these sources by the same functions.
    sources = [strong, ally]
    agreement = selectors.pairwise_agreement(selectors.held_by_sources(sources))
    svg, rows = agreement_heatmap(sources, agreement)
    assert "93% agreement over 1 shared propositions, close on 1" in svg
    assert rows[0].cells[1][1].score == 13 / 14


def test_six_supports_and_one_mixed_in_the_api(six_and_one):
    _, proposition, strong, ally, _ = six_and_one
    url = reverse("api:proposition-detail", args=[proposition.slug])
    body = client_for().get(url).json()
    held = {p["source"]: p for p in body["positions"]}
    assert held[strong.slug]["label"] == held[strong.slug]["position"] == "leans_supports"
    assert held[ally.slug]["position"] == "supports"
    assert held[strong.slug]["lean"] == round(6 / 7, 4)
    assert held[strong.slug]["counts"] == {
        "supports": 6,
        "contradicts": 0,
        "mixed": 1,
        "neutral": 0,
    }
    assert held[strong.slug]["quotes"] == 7 and not held[strong.slug]["single_quote"]
    assert held[ally.slug]["single_quote"]
    # Leans supports (step 1) and supports (2) against contradicts (-2): step differences
    # 1 + 3 + 4 = 8, balance 8 / 9, times 2/3 = 16/27.
    assert body["divergence"] == round(16 / 27, 4)
    matrix = (
        client_for().get(reverse("api:compare-matrix") + f"?propositions={proposition.slug}").json()
    )
    cell = next(c for c in matrix["cells"] if c["source"] == strong.slug)
    assert cell["position"] == "leans_supports" and cell["evidence"]["counts"]["mixed"] == 1


def essays(count: int = 4):
    """Argumentative essays: each author states the opposing view, then rebuts it with two
    claims of their own. The opposing view is marked as a counterpoint."""
    annotator = UserFactory(username="essay-reader")
    topic = TopicFactory()
    written = []
    for _ in range(count):
        thesis = PropositionFactory()
        thesis.topics.add(topic)
        author = AuthorFactory()
        source = source_with(
            ["contradicts", "supports", "contradicts"],
            thesis,
            annotator=annotator,
            # "Some argue X is wrong. I hold X. Those who say X is wrong overlook…" — the
            # third sentence restates the other side in order to answer it.
            attributions=["counterpoint", "own", "counterpoint"],
            author=author,
        )
        written.append((author, source, thesis))
    return topic, written


def test_every_author_supports_their_own_thesis_on_pages_and_api(client):
    topic, written = essays()
    for author, source, thesis in written:
        page = client.get(f"/authors/{author.slug}/").content.decode()
        row = page[page.index(f'href="/propositions/{thesis.slug}/"') :]
        row = row[: row.index("</tr>")]
        assert 'class="stance stance-supports"' in row, row
        proposition = client.get(f"/propositions/{thesis.slug}/").content.decode()
        assert 'Position: <span class="stance stance-supports">' in proposition
        assert "beside it: 2 counterpoints" in proposition
        held = client_for().get(reverse("api:proposition-detail", args=[thesis.slug])).json()
        [position] = held["positions"]
        assert (position["source"], position["label"]) == (source.slug, "supports")
        assert position["aside"] == {"counterpoint": 2}
    matrix = client.get(f"/topics/{topic.slug}/").content.decode()
    assert matrix.count('class="cell cell--supports"') == len(written)
    # Counted with the counterpoints, each essay would look like it argued against itself.
    every = client.get(f"/topics/{topic.slug}/?voice=all").content.decode()
    assert every.count('class="cell cell--leans_contradicts"') == len(written)


def test_counting_every_voice_shows_what_the_counterpoints_would_do(client):
    _, written = essays(1)
    [(_, source, thesis)] = written
    # One supporting claim against two counterpoints: lean (1 - 2) / 3, leans contradicts.
    everything = client.get(f"/propositions/{thesis.slug}/?voice=all").content.decode()
    assert 'Position: <span class="stance stance-leans_contradicts">' in everything
    assert 'aria-current="true">every claim' in everything
    # The way back drops the parameter rather than keeping the current query.
    assert re.search(rf'href="/propositions/{thesis.slug}/\??">the sources’ own views', everything)
    api = (
        client_for()
        .get(reverse("api:proposition-detail", args=[thesis.slug]) + "?voice=all")
        .json()
    )
    assert api["positions"][0]["label"] == "leans_contradicts"
    bad = client_for().get(reverse("api:proposition-detail", args=[thesis.slug]) + "?voice=x")
    assert bad.status_code == 400 and "voice" in bad.json()["error"]["fields"]
    compare = client_for().get(reverse("api:compare-sources") + f"?a={source.slug}&b=x&voice=me")
    assert compare.status_code == 400 and "voice" in compare.json()["error"]["fields"]


def test_a_page_with_an_unknown_voice_falls_back_to_own_views(client):
    _, written = essays(1)
    [(_, _, thesis)] = written
    html = client.get(f"/propositions/{thesis.slug}/?voice=shouting").content.decode()
    assert 'Position: <span class="stance stance-supports">' in html
