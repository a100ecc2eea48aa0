"""The reads behind the public pages (claims.selectors), on the seed corpus."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims import positions, selectors
from claims.models import Proposition, Source, Topic

from .corpus import grow
from .factories import ClaimFactory, PublisherFactory, SourceFactory, StanceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_topic_tree_walks_parents_before_children():
    tree = selectors.topic_tree()
    order = [(topic.slug, depth) for topic, depth in tree.walk()]
    assert order.index(("south-caucasus", 0)) < order.index(("zangezur-corridor", 1))
    south = Topic.objects.get(slug="south-caucasus")
    zangezur = Topic.objects.get(slug="zangezur-corridor")
    assert tree.descendants(south.pk) >= {south.pk, zangezur.pk}
    assert [t.slug for t in tree.ancestors(zangezur.pk)] == ["south-caucasus"]


def test_topic_tree_survives_a_loop_in_bad_data():
    a = TopicFactory()
    b = TopicFactory(parent=a)
    Topic.objects.filter(pk=a.pk).update(parent=b)  # a ⇄ b, which clean() would refuse
    tree = selectors.topic_tree()
    assert tree.descendants(a.pk) == {a.pk, b.pk}
    assert [t.pk for t in tree.ancestors(a.pk)] == [b.pk]


def test_topic_propositions_include_those_of_sub_topics():
    south = Topic.objects.get(slug="south-caucasus")
    slugs = set(selectors.topic_propositions(south).values_list("slug", flat=True))
    assert {"russia-backs-zangezur-corridor", "russia-tilts-toward-azerbaijan"} <= slugs


def test_sources_by_date_put_undated_last_and_by_outlet_put_unknown_last():
    sources = list(Source.objects.published().select_related("publisher"))
    by_date = selectors.order_sources(sources, "date")
    assert [s.published_on for s in by_date[:2]] == [dt.date(2024, 9, 12), dt.date(2023, 6, 15)]
    assert all(s.published_on is None for s in by_date[2:])
    oldest = selectors.order_sources(sources, "oldest")
    assert [s.published_on for s in oldest[:2]] == [dt.date(2023, 6, 15), dt.date(2024, 9, 12)]
    assert all(s.published_on is None for s in oldest[2:])
    by_outlet = selectors.order_sources(sources, "publisher")
    assert by_outlet[0].publisher.name == "Central Asia-Caucasus Analyst"
    assert by_outlet[-1].publisher is None
    with pytest.raises(ValueError):
        selectors.order_sources(sources, "title; DROP TABLE")


def test_topic_rows_by_divergence_then_text():
    answer = selectors.topic_answer("south-caucasus")
    ranked = [summary.proposition for summary in answer.summaries]
    assert ranked[0].slug == "russia-tilts-toward-azerbaijan"
    scores = [summary.divergence for summary in answer.summaries]
    assert scores == sorted(scores, reverse=True)
    alphabetical = selectors.topic_answer("south-caucasus", rows="text").summaries
    assert [s.proposition.text for s in alphabetical] == sorted(
        (p.text for p in ranked), key=str.casefold
    )
    with pytest.raises(ValueError):
        selectors.topic_answer("south-caucasus", rows="text; DROP TABLE")


def test_a_topic_nothing_published_is_filed_under_is_not_public():
    TopicFactory(slug="only-drafts")
    for slug in ("only-drafts", "no-such-topic"):
        with pytest.raises(selectors.NotPublic):
            selectors.topic_answer(slug)


def test_summary_of_russias_tilt_toward_azerbaijan():
    answer = selectors.topic_answer("south-caucasus")
    summary = next(
        s for s in answer.summaries if s.proposition.slug == "russia-tilts-toward-azerbaijan"
    )
    # Three sources say in their own words that Moscow has tilted toward Baku, two say it has
    # not (the officials' words two of them also report are no position of their own).
    assert summary.counts == {
        "supports": 3,
        "leans_supports": 0,
        "mixed": 0,
        "leans_contradicts": 0,
        "contradicts": 2,
        "neutral": 0,
    }
    assert summary.addressed_by == 5 and summary.sided == 5
    # Balance: 3×2 opposed pairs, 4 steps apart, over 5² = 24/25; times (5 - 1) / 5 = 0.768.
    assert summary.divergence == 96 / 125
    # The stored summary and the arithmetic over the matrix's rows agree.
    assert selectors.summarise(answer.matrix, summary.proposition) == summary


def test_most_contested_leaves_out_agreed_propositions():
    contested = selectors.contested_summaries(100)
    assert contested and all(s.divergence > 0 for s in contested)
    assert len(selectors.contested_summaries(3)) == 3


def test_tally_counts_only_published_material_and_files_topics():
    tally = selectors.corpus_tally()
    assert tally.sources == 5
    assert tally.claims == 166
    topics = {t.slug: t.pk for t in Topic.objects.all()}
    assert tally.per_topic[topics["zangezur-corridor"]][0] == 2
    # The parent counts its own propositions and those of the topics below it.
    assert tally.per_topic[topics["south-caucasus"]][0] == 11


def test_group_positions_combine_each_sources_position_first():
    outlet = PublisherFactory()
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    sources = []
    for labels in (["supports", "supports", "supports"], ["contradicts"]):
        # Content first, publication last: a published revision is read-only.
        source = SourceFactory(publisher=outlet)
        for label in labels:
            StanceFactory(claim=ClaimFactory(source=source), proposition=proposition, label=label)
        source.status, source.published_at = "published", dt.datetime.now(dt.UTC)
        source.save()
        sources.append(source)
    group = selectors.group_positions(sources)
    # One source supports (three times), the other contradicts: one source, one vote, the
    # outlet's lean is (1 - 1) / 2 = 0, mixed, though three of four quotes support.
    assert group.combined[proposition.pk].label == positions.MIXED
    assert group.combined[proposition.pk].counts["supports"] == 3
    [(row_proposition, position, held)] = group.rows()
    assert row_proposition.pk == proposition.pk and position.label == "mixed"
    assert {source.pk for source, _ in held} == {s.pk for s in sources}


def test_related_propositions_share_a_topic_and_skip_the_proposition_itself():
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    related = selectors.related_summaries(proposition, list(proposition.topics.all()), 100)
    slugs = {summary.proposition.slug for summary in related}
    assert "iran-opposes-zangezur-corridor" in slugs
    assert proposition.slug not in slugs
    opposes = next(s for s in related if s.proposition.slug == "iran-opposes-zangezur-corridor")
    assert opposes.counts["supports"] == 3


def test_source_claims_are_in_text_order_with_their_stances():
    source = Source.objects.get(slug="corridor-dividing-russia-and-iran")
    claims = selectors.source_claims(source)
    assert len(claims) == 29
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    assert all(c.stances.all() for c in claims)


def test_source_claims_of_a_draft_are_empty():
    draft = SourceFactory()
    ClaimFactory(source=draft)
    assert selectors.source_claims(draft) == []


def test_grown_sources_appear_in_the_topic_matrix():
    added = grow(2)
    answer = selectors.topic_answer("zangezur-corridor")
    assert {s.pk for s in added} <= {s.pk for s in answer.matrix.sources}
    assert len(answer.summaries) == 4  # two seed propositions and one new per source


# --- the topic matrix: one answer, the page's and the API's ---------------------------------

COLUMN = re.compile(r'<th scope="col" class="matrix__source">\s*<a href="/sources/([^/]+)/">')
ROW = re.compile(r'<th scope="row" class="matrix__prop">\s*<a href="/propositions/([^/]+)/">')
CELL = re.compile(r'<td class="cell cell--([a-z_]+)"')


def page_matrix(html: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The columns, and each row with its cells' classes, as the topic page shows them."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = []
    for chunk in body.split("<tr")[1:]:
        rows.append((ROW.search(chunk).group(1), CELL.findall(chunk)))
    return COLUMN.findall(html), rows


def api_matrix(body: dict) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The same from the API's answer."""
    columns = [s["slug"] for s in body["sources"]]
    held = {(c["proposition"], c["source"]): c["position"] or "aside" for c in body["cells"]}
    silent = {(c["proposition"], c["source"]) for c in body["confirmed_silent"]}
    rows = []
    for proposition in (p["slug"] for p in body["propositions"]):
        rows.append(
            (
                proposition,
                [
                    held.get((proposition, s), "silent" if (proposition, s) in silent else "none")
                    for s in columns
                ],
            )
        )
    return columns, rows


@pytest.mark.parametrize(
    "query", ["", "?rows=text", "?cols=publisher", "?rows=text&cols=publisher&page=2"]
)
def test_topic_page_and_api_show_the_same_cells_in_the_same_order(client, monkeypatch, query):
    monkeypatch.setattr(selectors, "PROPOSITIONS_PER_PAGE", 4)
    monkeypatch.setattr(selectors, "COLUMNS_ON_TOPIC", 4)
    grow(3)
    page = client.get(f"/topics/south-caucasus/{query}")
    api = APIClient().get(
        f"{reverse('api:compare-matrix')}?topic=south-caucasus{query.replace('?', '&')}"
    )
    assert page.status_code == api.status_code == 200
    columns, rows = page_matrix(page.content.decode())
    assert len(columns) == 4 and len(rows) == 4
    assert (columns, rows) == api_matrix(api.json())


@pytest.mark.parametrize("size", [3, 30])
def test_api_topic_matrix_query_count_does_not_grow(size, django_assert_num_queries):
    grow(size)
    url = f"{reverse('api:compare-matrix')}?topic=south-caucasus"
    # 1 the answer's version (public version, the topic's stamp), which keys the cache
    # 2 the topics
    # 3-7 the tally: the overview's version, topic links of summarised propositions,
    #     published sources, outlets and claims counted
    # 8 the topic's published propositions counted  9 one page of their summaries
    # 10 published stances on them, as plain rows with their claims' words
    # 11 the sources holding them, with their outlets  12 the propositions' text
    # 13 confirmed silences of the shown sources on those propositions
    with django_assert_num_queries(13):
        body = APIClient().get(url).json()
    assert len(body["sources"]) == min(selectors.COLUMNS_ON_TOPIC, 5 + size)
    # Then from the cache: the answer's version only.
    with django_assert_num_queries(1):
        assert APIClient().get(url).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_api_compare_query_count_does_not_grow(size, django_assert_num_queries):
    grow(size)
    url = f"{reverse('api:compare-sources')}?a=does-russia-support-iran&b=iran-russia-alliance-ejp"
    # 1 the answer's version (public version, the two sources' stamps)
    # 2 source a  3 source b
    # 4 published stances of the two, as plain rows  5 the propositions they address
    with django_assert_num_queries(5):
        assert APIClient().get(url).status_code == 200


@pytest.mark.parametrize("voice", ["own", "all"])
def test_group_rows_list_each_propositions_cells_in_the_sources_order(voice):
    sources = list(Source.objects.published().order_by("-pk"))
    group = selectors.group_positions(sources, voice=voice)
    expected = [
        (
            proposition,
            group.combined[proposition.pk],
            [(source, cell) for source, cell in group.matrix.row(proposition) if cell is not None],
        )
        for proposition in selectors.order_propositions(group.matrix, "text")
    ]
    assert group.rows() == expected
    assert any(len(cells) > 1 for _, _, cells in expected)
