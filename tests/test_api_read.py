"""Reading the corpus through the API: every list and detail, with query counts that do not grow
with the number of rows."""

import pytest
from django.urls import reverse

from claims import selectors
from claims.models import Claim, Source
from claims.publishing import publish_source

from .api_helpers import client_for, count_queries
from .factories import AuthorFactory, ClaimFactory, StanceFactory, reviewer_user

pytestmark = pytest.mark.django_db

LISTS = ["publisher", "author", "source", "topic", "actor", "proposition", "claim", "stance"]
DETAILS = {
    "publisher": "geopolitical-futures",
    "author": "kamran-bokhari",
    "source": "corridor-dividing-russia-and-iran",
    "topic": "zangezur-corridor",
    "actor": "russia",
    "proposition": "russia-backs-zangezur-corridor",
}


@pytest.fixture(autouse=True)
def uncached(settings):
    """The queries of the views themselves: the response cache (tests/test_api_cache.py) off."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def grow(n: int = 6) -> None:
    """More published sources, each with an author, a claim and a stance on a seed proposition."""
    from claims.models import Proposition

    proposition = Proposition.objects.get(slug="russia-tilts-toward-azerbaijan")
    reviewer = reviewer_user()
    for _ in range(n):
        stance = StanceFactory(claim=ClaimFactory(span=(0, 6)), proposition=proposition)
        source = stance.claim.source
        source.authorships.create(author=AuthorFactory())
        publish_source(source=source, by=reviewer)


# Expected queries per list: the page of rows (joined to what it shows), the COUNT for page-number
# lists (cursor lists have none), one prefetch per embedded many-valued relation, and one
# grouped count for the rows of the page where a list shows one (sources of a publisher,
# claims of a source):
#   publishers 3 (count, page, sources per publisher) · authors 2 ·
#   sources 4 (count, page, authorships, claims per source) · actors 2 ·
#   topics 5 (propositions whose summaries are not settled — checked one by one only when
#   there are some —, topics filed under published propositions, every topic's parent, count,
#   page) ·
#   propositions 5 (count, page, topics, positions' stances, source slugs) ·
#   claims 3 (page, actors, stances) · stances 1 (page)
EXPECTED_LIST_QUERIES = {
    "publisher": 3,
    "author": 2,
    "source": 4,
    "topic": 5,
    "actor": 2,
    "proposition": 5,
    "claim": 3,
    "stance": 1,
}


@pytest.mark.parametrize("name", LISTS)
def test_list_query_counts_do_not_grow_with_rows(name):
    client = client_for()
    url = reverse(f"api:{name}-list") + "?page_size=200"
    small, _ = count_queries(client, url)
    grow()
    large, response = count_queries(client, url)
    assert small == large == EXPECTED_LIST_QUERIES[name], (small, large)
    assert response.json()["results"]


# Details: one query for the row plus one per embedded relation and one per count it shows; the
# source detail embeds authorships, claims, their actors and their stances, and counts its
# claims (6 in all); a publisher counts its sources (2). A topic first finds which
# topics are public (3: unsettled summaries, those filed under published propositions, every
# topic's parent).
EXPECTED_DETAIL_QUERIES = {
    "publisher": 2,
    "author": 1,
    "source": 6,
    "topic": 4,
    "actor": 1,
    "proposition": 4,
}


@pytest.mark.parametrize("name", sorted(DETAILS))
def test_detail_query_counts(name):
    url = reverse(f"api:{name}-detail", args=[DETAILS[name]])
    small, response = count_queries(client_for(), url)
    grow()
    large, _ = count_queries(client_for(), url)
    assert small == large == EXPECTED_DETAIL_QUERIES[name], (small, large)
    assert response["ETag"]


def test_source_detail_embeds_text_claims_stances_and_propositions():
    url = reverse("api:source-detail", args=["russia-and-iran-diverge-in-the-south-caucasus"])
    body = client_for().get(url).json()
    assert body["authors"] == [
        {
            "url": "http://testserver/api/v1/authors/vali-kaleji/",
            "slug": "vali-kaleji",
            "name": "Vali Kaleji",
            "role": "author",
        }
    ]
    assert body["publisher"]["slug"] == "caci-analyst"
    assert (
        body["page"] == "http://testserver/sources/russia-and-iran-diverge-in-the-south-caucasus/"
    )
    for claim in body["claims"]:
        assert body["body"][claim["start"] : claim["end"]] == claim["quote"]
    stance = next(s for c in body["claims"] for s in c["stances"])
    assert set(stance["proposition"]) == {"url", "slug", "text"}
    assert body["created"] and body["modified"]


def test_proposition_lists_each_sources_position_and_divergence():
    url = reverse("api:proposition-detail", args=["russia-tilts-toward-azerbaijan"])
    body = client_for().get(url).json()
    positions = {p["source"]: p["position"] for p in body["positions"]}
    assert positions["does-russia-support-iran"] == "contradicts"
    assert positions["russia-and-iran-new-divides"] == "supports"
    assert 0 < body["divergence"] <= 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=russia-and-iran-new-divides", {"russia-and-iran-new-divides"}),
        ("publisher=geopolitical-futures", {"corridor-dividing-russia-and-iran"}),
        ("author=vali-kaleji", {"russia-and-iran-diverge-in-the-south-caucasus"}),
        ("speaker=abbas-araghchi", {"corridor-dividing-russia-and-iran"}),
        ("published_after=2024-01-01", {"corridor-dividing-russia-and-iran"}),
        ("published_before=2023-12-31", {"russia-and-iran-diverge-in-the-south-caucasus"}),
        (
            "proposition=russia-backs-zangezur-corridor",
            {
                "russia-and-iran-new-divides",
                "corridor-dividing-russia-and-iran",
                "russia-and-iran-diverge-in-the-south-caucasus",
            },
        ),
        ("q=Zangezur&attribution=reported", None),
        ("topic=sudan&label=supports", {"russia-and-iran-new-divides"}),
        ("actor=israel", None),
    ],
)
def test_claim_filters(query, expected):
    response = client_for().get(f"{reverse('api:claim-list')}?page_size=200&{query}")
    assert response.status_code == 200, response.content
    sources = {claim["source"] for claim in response.json()["results"]}
    assert sources
    if expected is not None:
        assert sources == expected
    ids = [claim["id"] for claim in response.json()["results"]]
    assert len(ids) == len(set(ids)), "a claim appears twice"


def test_source_filters_and_ordering():
    url = reverse("api:source-list")
    slugs = lambda q: [s["slug"] for s in client_for().get(f"{url}?{q}").json()["results"]]  # noqa: E731
    ordered = slugs("topic=zangezur-corridor&ordering=published_on")
    assert set(ordered) == {
        "russia-and-iran-diverge-in-the-south-caucasus",
        "corridor-dividing-russia-and-iran",
        "russia-and-iran-new-divides",  # undated: first on SQLite, last on PostgreSQL
    }
    dated = [slug for slug in ordered if slug != "russia-and-iran-new-divides"]
    assert dated == [
        "russia-and-iran-diverge-in-the-south-caucasus",
        "corridor-dividing-russia-and-iran",
    ]
    assert slugs("q=Khamenei") and "russia-and-iran-diverge-in-the-south-caucasus" in slugs(
        "q=Khamenei"
    )
    assert slugs("language=ar") == []


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("api:claim-list", "colour"),
        ("api:source-list", "titel"),
    ],
)
def test_unknown_filters_are_400_naming_them(url, field):
    response = client_for().get(f"{reverse(url)}?{field}=x")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ordering=body", "ordering"),
        ("ordering=-start,nope", "ordering"),
        ("ordering=", "ordering"),
        ("kind=rumour", "kind"),
        ("published_after=yesterday", "published_after"),
        ("page_size=abc", "page_size"),
        ("published_after=", "published_after"),
    ],
)
def test_bad_filter_values(query, field):
    response = client_for().get(f"{reverse('api:claim-list')}?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_bad_ordering_names_the_fields_a_list_can_be_ordered_by():
    response = client_for().get(f"{reverse('api:proposition-list')}?ordering=-nope")
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["ordering"][0]
    assert "'-nope'" in message and "slug, created, modified" in message
    ordered = client_for().get(f"{reverse('api:proposition-list')}?ordering=-slug,created")
    assert ordered.status_code == 200
    slugs = [row["slug"] for row in ordered.json()["results"]]
    assert slugs == sorted(slugs, reverse=True)


def test_page_size_is_capped():
    response = client_for().get(f"{reverse('api:claim-list')}?page_size=100000")
    assert len(response.json()["results"]) == 166


def test_counts_and_pages_stop_at_the_cap(monkeypatch):
    """36 public actors (the 37th is named by no published claim), counted and paged up to 10:
    the count says so, the last page the cap allows has no next link, and a page past it is
    refused naming `page`, before any row is read."""
    monkeypatch.setattr("claims.api.pagination.COUNT_CAP", 10)
    client, url = client_for(), reverse("api:actor-list")
    first = client.get(f"{url}?page_size=4").json()
    assert (first["count"], first["count_capped"]) == (10, True)
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert [len(page["results"]) for page in (first, second, third)] == [4, 4, 4]
    assert third["next"] is None and third["previous"]
    for page in ("4", "1000", "0", "abc"):
        response = client.get(f"{url}?page_size=4&page={page}")
        assert response.status_code == 400, page
        message = response.json()["error"]["fields"]["page"][0]
        assert "from 1 to 3" in message and "first 10 results" in message
    assert client.get(f"{url}?page_size=4&page=last").json()["results"] == third["results"]
    exact = client.get(reverse("api:publisher-list")).json()
    assert (exact["count"], exact["count_capped"]) == (4, False)
    # Within the cap, a page past the end of a short list is simply not there.
    assert client.get(f"{reverse('api:publisher-list')}?page_size=4&page=2").status_code == 404


@pytest.mark.parametrize("cursor", ["zzz", "cD1hYmM=", "bz0tMQ=="])
def test_bad_cursor_is_400_naming_it(cursor):
    """Garbage, a position that is not an id (`p=abc`) and a negative offset (`o=-1`)."""
    response = client_for().get(f"{reverse('api:claim-list')}?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_cursor_pages_walk_the_whole_list():
    client, url = client_for(), reverse("api:claim-list") + "?page_size=50"
    seen, next_url = [], url
    while next_url:
        body = client.get(next_url).json()
        seen += [claim["id"] for claim in body["results"]]
        next_url = body["next"]
    assert len(seen) == len(set(seen)) == Claim.objects.published().count()
    assert seen == sorted(seen, reverse=True)


def test_comparison_of_two_sources_matches_positions_module():
    url = reverse("api:compare-sources")
    body = (
        client_for().get(f"{url}?a=russia-and-iran-new-divides&b=does-russia-support-iran").json()
    )
    agreeing, diverging = len(body["agreeing"]), len(body["diverging"])
    assert body["shared"] == agreeing + diverging == 9
    assert body["voice"] == "own"
    # Graded: the mean closeness of the shared propositions; agreeing ones are at least 3/4
    # close or a step apart on one side, diverging ones neither, the furthest apart first.
    pairs = selectors.compare_sources(
        Source.objects.get(slug="russia-and-iran-new-divides"),
        Source.objects.get(slug="does-russia-support-iran"),
    ).agreement
    assert body["agreement"] == round(pairs.score, 4)
    assert body["agreement_unweighted"] == round(pairs.unweighted, 4)
    # The figure can be worked out from the rows: closeness weighted by each row's weight.
    shared = body["agreeing"] + body["diverging"]
    weighted = sum(r["closeness"] * r["weight"] for r in shared) / sum(r["weight"] for r in shared)
    assert body["agreement"] == pytest.approx(weighted, abs=1e-3)
    assert all(r["weight"] is None for r in body["only_a"] + body["only_b"])
    same_side = [{"supports", "leans_supports"}, {"contradicts", "leans_contradicts"}]
    assert all(
        r["closeness"] >= 0.75 or {r["a"]["position"], r["b"]["position"]} in same_side
        for r in body["agreeing"]
    )
    closeness = [r["closeness"] for r in body["diverging"]]
    assert closeness == sorted(closeness) and closeness[-1] < 0.75
    tilt = next(
        r for r in body["diverging"] if r["proposition"] == "russia-tilts-toward-azerbaijan"
    )
    assert (tilt["a"]["position"], tilt["b"]["position"]) == ("supports", "contradicts")
    assert tilt["closeness"] == 0.0
    # Fanack's three own quotes support; the official's words it reports are kept aside.
    assert tilt["a"]["evidence"] == {
        "label": "supports",
        "lean": 1.0,
        "counts": {"supports": 3, "contradicts": 0, "mixed": 0, "neutral": 0},
        "quotes": 3,
        "single_quote": False,
        "aside": {"reported": 1},
    }
    assert all(r["b"] is None for r in body["only_a"])


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("a=russia-and-iran-new-divides", 400, "b"),
        ("a=russia-and-iran-new-divides&b=russia-and-iran-new-divides", 400, "b"),
        ("a=russia-and-iran-new-divides&b=nowhere", 404, None),
        ("a=x&b=y&c=z", 400, "c"),
    ],
)
def test_comparison_bad_input(query, status, field):
    response = client_for().get(f"{reverse('api:compare-sources')}?{query}")
    assert response.status_code == status
    if field:
        assert field in response.json()["error"]["fields"]


def test_topic_matrix():
    body = client_for().get(f"{reverse('api:compare-matrix')}?topic=south-caucasus").json()
    slugs = [p["slug"] for p in body["propositions"]]
    assert "russia-backs-zangezur-corridor" in slugs  # sub-topic propositions are included
    speaking = {c["source"] for c in body["cells"]}
    assert {s["slug"] for s in body["sources"]} == speaking
    assert len(speaking) + body["silent_sources"] == Source.objects.published().count()
    assert body["truncated"] is False
    assert body["propositions"][0]["divergence"] >= body["propositions"][-1]["divergence"]
    cell = next(
        c
        for c in body["cells"]
        if c["proposition"] == "russia-tilts-toward-azerbaijan"
        and c["source"] == "does-russia-support-iran"
    )
    assert cell["position"] == "contradicts" and cell["claims"]


def test_topic_matrix_gives_the_most_divided_propositions_first_when_capped(monkeypatch):
    url = f"{reverse('api:compare-matrix')}?topic=south-caucasus"
    whole = client_for().get(url).json()
    monkeypatch.setattr("claims.selectors.PROPOSITIONS_PER_PAGE", 3)
    capped = client_for().get(url).json()
    assert capped["truncated"] is True and len(capped["propositions"]) == 3
    assert capped["page"] == 1 and capped["pages"] > 1
    top = sorted((p["divergence"] for p in whole["propositions"]), reverse=True)[:3]
    assert [p["divergence"] for p in capped["propositions"]] == top


def test_matrix_needs_exactly_one_selection():
    url = reverse("api:compare-matrix")
    assert client_for().get(url).status_code == 400
    assert client_for().get(f"{url}?propositions=nope").status_code == 400
    assert client_for().get(f"{url}?topic=nope").status_code == 404


@pytest.mark.parametrize("page", ["1", "2", "last"])
def test_counts_beside_each_row_are_those_of_the_row_on_every_page(page):
    """A publisher's sources and a source's claims are counted for the rows of the page (one
    grouped query), the same on a deep page as on the first, and the same in the detail."""
    client = client_for()
    sources = client.get(reverse("api:source-list"), {"page_size": 2, "page": page}).json()
    for row in sources["results"]:
        visible = Claim.objects.published().filter(source__slug=row["slug"]).count()
        assert row["claim_count"] == visible > 0
        detail = client.get(reverse("api:source-detail", args=[row["slug"]])).json()
        assert detail["claim_count"] == len(detail["claims"]) == visible
    publishers = client.get(reverse("api:publisher-list"), {"page_size": 2, "page": page}).json()
    for row in publishers["results"]:
        published = Source.objects.published().filter(publisher__slug=row["slug"]).count()
        assert row["source_count"] == published
