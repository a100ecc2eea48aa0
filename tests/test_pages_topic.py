"""Topic pages: the proposition × source matrix."""

import re

import pytest

from claims import summaries

from .corpus import grow, silent_on

pytestmark = pytest.mark.django_db

CELL = re.compile(r'<td class="cell cell--(\w+)"')
SOURCE_HEADERS = re.compile(
    r'<th scope="col" class="matrix__source">\s*<a href="/sources/([\w-]+)/"'
)
ROWS = re.compile(r'<th scope="row" class="matrix__prop">\s*<a href="/propositions/([\w-]+)/"')


def test_zangezur_shows_three_positions_and_two_silences(client):
    response = client.get("/topics/zangezur-corridor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Zangezur corridor</h1>" in html
    # Two propositions, five sources: three take a position on each and are the columns; the
    # two that say nothing are counted, not given empty columns.
    assert len(ROWS.findall(html)) == 2
    cells = CELL.findall(html)
    assert len(cells) == 6
    assert cells.count("supports") == 6
    assert "3 of 5 published sources take a position; 2 do not address this topic" in html
    # The breadcrumb leads up to the parent topic.
    assert '<a href="/topics/south-caucasus/">South Caucasus</a>' in html


def test_cells_show_symbol_and_word_link_to_the_span_and_carry_the_quote(client):
    html = client.get("/topics/zangezur-corridor/").content.decode()
    cell = html[html.index('<td class="cell cell--supports"') :]
    cell = cell[: cell.index("</td>")]
    assert '<span class="stance-symbol" aria-hidden="true">✔</span>' in cell
    assert '<span class="stance-word">supports</span>' in cell
    link = re.search(r'href="/sources/([\w-]+)/#claim-(\d+)" aria-describedby="(q-\d+-\d+)"', cell)
    assert link
    assert f'<div class="pop" id="{link.group(3)}"' in cell
    assert "“" in cell  # the quote itself


def test_south_caucasus_puts_russias_alignment_first(client):
    html = client.get("/topics/south-caucasus/").content.decode()
    rows = ROWS.findall(html)
    # Sub-topics' propositions are included; the most divided comes first.
    assert "russia-backs-zangezur-corridor" in rows
    assert rows[0] == "russia-tilts-toward-azerbaijan"
    first_row = html[html.index(f"/propositions/{rows[0]}/") :]
    first_row = first_row[: first_row.index("</tr>")]
    assert "divided" in first_row
    # Three for, two against.
    assert set(CELL.findall(first_row)) == {"supports", "contradicts"}
    # A source that only reports a view (EJP, the Iranian services' claim) is set aside.
    presence = html[html.index("/propositions/israeli-presence-in-azerbaijan/") :]
    presence = presence[: presence.index("</tr>")]
    assert set(CELL.findall(presence)) == {"supports", "aside", "none"}
    assert 'href="/topics/zangezur-corridor/"' in html


def test_rows_and_columns_sort_by_whitelisted_orders(client):
    html = client.get("/topics/south-caucasus/?rows=text&cols=publisher").content.decode()
    rows = ROWS.findall(html)
    assert rows[0] == "armenia-turns-west"  # "Armenia is distancing…" comes first
    headers = SOURCE_HEADERS.findall(html)
    assert headers[0] == "russia-and-iran-diverge-in-the-south-caucasus"  # Central Asia-…
    assert headers[-1] == "does-russia-support-iran"  # no outlet: last
    assert '<option value="text" selected>' in html


def test_default_columns_are_newest_first_with_undated_last(client):
    headers = SOURCE_HEADERS.findall(client.get("/topics/zangezur-corridor/").content.decode())
    assert headers[:2] == [
        "corridor-dividing-russia-and-iran",
        "russia-and-iran-diverge-in-the-south-caucasus",
    ]


def test_columns_in_date_order_oldest_first_with_undated_last(client):
    html = client.get("/topics/zangezur-corridor/?cols=oldest").content.decode()
    headers = SOURCE_HEADERS.findall(html)
    assert headers[:2] == [
        "russia-and-iran-diverge-in-the-south-caucasus",  # June 2023
        "corridor-dividing-russia-and-iran",  # September 2024
    ]
    assert '<option value="oldest" selected>' in html


@pytest.mark.parametrize(
    "query", ["rows=-id", "rows=text,pk", "cols=title;drop", "rows=&cols=", "rows=__class__"]
)
def test_unknown_orders_fall_back_to_the_defaults(client, query):
    response = client.get(f"/topics/south-caucasus/?{query}")
    assert response.status_code == 200
    assert ROWS.findall(response.content.decode())[0] == "russia-tilts-toward-azerbaijan"


def test_unknown_topic_is_404(client):
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_topic_without_published_propositions_is_as_unknown_as_a_missing_one(client):
    """Empty, or used only by drafts: the public learns nothing of it (not even its name)."""
    from .factories import ClaimFactory, PropositionFactory, SourceFactory, TopicFactory

    empty = TopicFactory(name="Arctic")
    drafted = TopicFactory(name="Svalbard")
    proposition = PropositionFactory()
    proposition.topics.add(drafted)
    claim = ClaimFactory(source=SourceFactory(), span=(0, 6))
    claim.stances.create(proposition=proposition, label="supports", annotator=_annotator())
    for topic in (empty, drafted):
        response = client.get(f"/topics/{topic.slug}/")
        assert response.status_code == 404
        assert topic.name not in response.content.decode()


def _annotator():
    from .factories import UserFactory

    return UserFactory(username="drafter")


def test_topic_query_count_does_not_grow(client, django_assert_num_queries):
    # 1 the answer's version (public version, the topic's stamp), which keys the page cache
    #   (a miss here: new data)
    # 2 the topics (tree, breadcrumb, sub-topics)
    # 3-7 the tally: the overview's version, topic links of summarised propositions,
    #     published sources, outlets and claims counted (once per version of the overview;
    #     every request here follows an edit)
    # 8 the topic's published propositions counted, for the pages
    # 9 one page of their summaries, in order
    # 10 published stances on those propositions, as plain rows with their claims' words
    # 11 the sources holding them, with their outlets  12 the propositions' text
    # 13 confirmed silences of the shown sources on those propositions
    silent_on("russia-backs-zangezur-corridor")
    with django_assert_num_queries(13):
        client.get("/topics/zangezur-corridor/?rows=text")
    grow(4)
    silent_on("russia-backs-zangezur-corridor")
    summaries.refresh()
    with django_assert_num_queries(13):
        response = client.get("/topics/zangezur-corridor/?rows=text")
    assert len(ROWS.findall(response.content.decode())) == 6


def test_a_large_topic_is_paged_and_its_columns_capped(client, monkeypatch):
    from claims import selectors

    monkeypatch.setattr(selectors, "PROPOSITIONS_PER_PAGE", 4)
    monkeypatch.setattr(selectors, "COLUMNS_ON_TOPIC", 3)
    grow(4)
    html = client.get("/topics/zangezur-corridor/").content.decode()
    assert len(ROWS.findall(html)) == 4
    assert len(SOURCE_HEADERS.findall(html)) == 3
    assert "the 3 with the most positions are shown" in html
    assert "Page 1 of 2" in html
    second = client.get("/topics/zangezur-corridor/?page=2").content.decode()
    assert len(ROWS.findall(second)) == 2
    assert set(ROWS.findall(html)).isdisjoint(ROWS.findall(second))


def test_a_cells_pop_up_holds_every_quote_with_its_stance_as_a_label(client):
    html = client.get("/topics/syria/").content.decode()
    pops = re.findall(r'<div class="pop" id="q-\d+-\d+" data-pop>(.*?)</div>', html, re.S)
    assert pops
    most = max(pops, key=lambda pop: pop.count('<li class="pop__quote">'))
    # Every quote of the cell, not the first three: the cell counts them all.
    quotes = most.count('<li class="pop__quote">')
    assert quotes > 3
    assert f"{quotes} quotes" in most
    # The source is named with its position; each quote says whose it is and its stance as a
    # label ("stance: supports"), never as a verb following the proposition.
    assert '<span class="pop__source">' in most and "position: " in most
    assert re.search(r'<span class="pop__label">[^<]+ · stance: [^<]+</span>', most)
    assert "…" not in most.replace("[…]", "")


def test_cells_count_their_quotes_per_stance(client):
    html = client.get("/topics/syria/").content.decode()
    counts = re.findall(r'<span class="cell__counts">(.*?)</span>', html)
    assert counts and all("quotes per stance" in c for c in counts)
