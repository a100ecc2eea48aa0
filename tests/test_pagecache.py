"""The public page cache: served in one query, changed by every edit, never a stale nonce.

Each edit test warms the cache with the page, makes one kind of edit the way editors' tools
make it (save, delete, m2m change, QuerySet.update; a published source's claims and stances
through its working copy, which a reviewer publishes), and expects the very next request to
show the change, because the edit changed the public version (or, for a publication, the
stamps of the answers it changes) in the same transaction.
"""

import re

import pytest
from django.test import override_settings

from claims import summaries
from claims.anchoring import make_anchor
from claims.models import Actor, Authorship, Claim, PublicVersion, Source, Topic
from claims.publishing import publish_source, unpublish_source

from .corpus import normalised, publish, revise
from .factories import (
    ActorFactory,
    AuthorFactory,
    ClaimFactory,
    PropositionFactory,
    PublisherFactory,
    SourceFactory,
    StanceFactory,
    TopicFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

HTML_NONCE = re.compile(r'nonce="([^"]+)"')
HEADER_NONCE = re.compile(r"'nonce-([^']+)'")
BODY = "Moscow and Tehran deepened their defence ties.\n\nThe corridor remains a red line for Iran."


@pytest.fixture
def scene():
    """A published source with outlet, author, topic, a spoken claim and a stance."""
    topic = TopicFactory(name="Cache topic")
    # Content first, publication last: a published revision is read-only.
    source = SourceFactory(
        title="Cache dispatch",
        body=BODY,
        publisher=PublisherFactory(name="Cache Outlet"),
    )
    author = AuthorFactory(name="Cache Writer")
    Authorship.objects.create(source=source, author=author)
    proposition = PropositionFactory(text="Caching is invisible.")
    proposition.topics.add(topic)
    claim = ClaimFactory(source=source, span=(0, 46), speaker=ActorFactory(name="Cache Speaker"))
    stance = StanceFactory(claim=claim, proposition=proposition, label="supports")
    unfiled = PropositionFactory(text="Nothing files this one yet.")
    StanceFactory(claim=claim, proposition=unfiled, label="neutral")
    publish(source)
    summaries.refresh()
    return {
        "unfiled": unfiled,
        "topic": topic,
        "source": source,
        "author": author,
        "proposition": proposition,
        "claim": claim,
        "stance": stance,
    }


def test_a_cached_page_is_served_with_one_query(client, scene, django_assert_num_queries):
    for url in (
        "/",
        f"/topics/{scene['topic'].slug}/",
        f"/propositions/{scene['proposition'].slug}/",
        f"/sources/{scene['source'].slug}/",
        f"/sources/{scene['source'].slug}/text.txt",
        f"/publishers/{scene['source'].publisher.slug}/",
        f"/authors/{scene['author'].slug}/",
        "/compare/",
        "/search/?q=corridor",
    ):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(1):  # the public version
            second = client.get(url)
        assert normalised(second) == normalised(first), url


def test_parameters_the_page_does_not_read_share_the_entry(client, django_assert_num_queries):
    client.get("/topics/zangezur-corridor/?cols=publisher&rows=text")
    with django_assert_num_queries(1):
        client.get("/topics/zangezur-corridor/?rows=text&utm_source=x&cols=publisher")
    # A repeated parameter is read as its last value: a different page, a different entry.
    repeated = client.get("/topics/zangezur-corridor/?rows=text&cols=publisher&cols=")
    assert '<option value="date" selected>' in repeated.content.decode()


def _twin(copy, row):
    """The working copy's claim or stance that stands for the published `row`."""
    return type(row).objects.get(
        revision_of=row, **{"source" if isinstance(row, Claim) else "claim__source": copy}
    )


def _requote(scene):
    def change(copy):
        claim = _twin(copy, scene["claim"])
        anchor = make_anchor(BODY, 48, 89)
        claim.start, claim.end = 48, 89
        claim.quote, claim.prefix, claim.suffix = anchor.quote, anchor.prefix, anchor.suffix
        claim.save()

    revise(scene["source"], change)
    return f"/sources/{scene['source'].slug}/", "The corridor remains a red line for Iran."


def _relabel(scene):
    def change(copy):
        stance = _twin(copy, scene["stance"])
        stance.label = "contradicts"
        stance.save()

    revise(scene["source"], change)
    return f"/propositions/{scene['proposition'].slug}/", 'stance stance-contradicts">'


def _proposition_text(scene):
    scene["proposition"].text = "Caching is perfectly invisible."
    scene["proposition"].save()
    return f"/propositions/{scene['proposition'].slug}/", "Caching is perfectly invisible."


def _topic_rename(scene):
    scene["topic"].name = "Renamed topic"
    scene["topic"].save()
    return "/", "Renamed topic"


def _publisher_rename(scene):
    publisher = scene["source"].publisher
    publisher.name = "Renamed Outlet"
    publisher.save()
    return f"/publishers/{publisher.slug}/", "Renamed Outlet"


def _author_rename(scene):
    scene["author"].name = "Renamed Writer"
    scene["author"].save()
    return f"/sources/{scene['source'].slug}/", "Renamed Writer"


def _actor_rename(scene):
    Actor.objects.filter(pk=scene["claim"].speaker_id).update(name="Renamed Speaker")
    return f"/propositions/{scene['proposition'].slug}/", "Renamed Speaker"


def _new_claim(scene):
    def change(copy):
        claim = ClaimFactory(source=copy, span=(52, 60))
        StanceFactory(claim=claim, proposition=scene["proposition"], label="mixed")

    revise(scene["source"], change)
    return f"/propositions/{scene['proposition'].slug}/", "corridor"


def _topic_link(scene):
    scene["unfiled"].topics.add(scene["topic"])
    return f"/topics/{scene['topic'].slug}/", "Nothing files this one yet."


def _update_queryset(scene):
    Source.objects.filter(pk=scene["source"].pk).update(title="Updated in bulk")
    return "/", "Updated in bulk"


def _publish_another(scene):
    publish_source(source=SourceFactory(title="Freshly published"), by=reviewer_user())
    return "/", "Freshly published"


@pytest.mark.parametrize(
    "edit",
    [
        _requote,
        _relabel,
        _proposition_text,
        _topic_rename,
        _publisher_rename,
        _author_rename,
        _actor_rename,
        _new_claim,
        _topic_link,
        _update_queryset,
        _publish_another,
    ],
)
def test_every_edit_shows_on_the_next_request(client, scene, edit):
    pages = ["/", *(f"/{kind}/{scene[k].slug}/" for kind, k in _PAGES)]
    for url in pages:
        client.get(url)
    url, expected = edit(scene)
    html = client.get(url).content.decode()
    assert expected in html, (edit.__name__, url)


_PAGES = [
    ("topics", "topic"),
    ("propositions", "proposition"),
    ("sources", "source"),
    ("authors", "author"),
]


def test_deleting_a_stance_and_unpublishing_show_on_the_next_request(client, scene):
    proposition_url = f"/propositions/{scene['proposition'].slug}/"
    source_url = f"/sources/{scene['source'].slug}/"
    assert client.get(proposition_url).status_code == 200
    assert client.get(source_url).status_code == 200
    revise(scene["source"], lambda copy: _twin(copy, scene["stance"]).delete())
    assert client.get(proposition_url).status_code == 404
    unpublish_source(source=scene["source"], by=reviewer_user())
    assert client.get(source_url).status_code == 404
    assert "Cache dispatch" not in client.get("/").content.decode()


def test_removing_topic_links_and_deleting_a_claim(client, scene):
    topic_url = f"/topics/{scene['topic'].slug}/"
    source_url = f"/sources/{scene['source'].slug}/"
    assert "Caching is invisible." in client.get(topic_url).content.decode()
    assert "Moscow and Tehran deepened" in client.get(source_url).content.decode()
    scene["topic"].propositions.clear()
    assert "Caching is invisible." not in client.get(topic_url).content.decode()
    revise(scene["source"], lambda copy: _twin(copy, scene["claim"]).delete())
    assert 'id="claim-' not in client.get(source_url).content.decode()


def test_a_draft_never_reaches_a_cached_page(client, scene):
    before = normalised(client.get("/"))
    draft = SourceFactory(title="Unseen draft", publisher=PublisherFactory(name="Unseen Press"))
    StanceFactory(claim=ClaimFactory(source=draft), proposition=scene["proposition"])
    after = normalised(client.get("/"))
    assert after == before
    page = client.get(f"/propositions/{scene['proposition'].slug}/")
    assert "Unseen" not in page.content.decode()


def test_the_nonce_is_fresh_and_matches_the_header_on_every_response(client):
    nonces = []
    for _ in range(3):
        response = client.get("/")
        in_html = set(HTML_NONCE.findall(response.content.decode()))
        assert len(in_html) == 1
        [nonce] = in_html
        assert HEADER_NONCE.findall(response["Content-Security-Policy"]) == [nonce, nonce]
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_browsers_revalidate_and_get_304_without_a_new_policy(client):
    response = client.get("/")
    assert response["Cache-Control"] == "private, no-cache"
    etag = response["ETag"]
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again
    Topic.objects.filter(slug="zangezur-corridor").update(name="Zangezur route")
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_signed_in_visitors_get_freshly_rendered_pages(
    client, editor, django_assert_max_num_queries
):
    client.get("/")
    client.force_login(editor)
    with django_assert_max_num_queries(30) as captured:
        response = client.get("/")
    assert len(captured) > 2
    assert response.status_code == 200 and "ETag" not in response


def test_errors_are_not_cached(client, django_assert_num_queries):
    client.get("/compare/?a=nope&b=nada")
    response = client.get("/compare/?a=nope&b=nada")
    assert response.status_code == 400
    assert "ETag" not in response


def test_a_missing_version_row_turns_the_cache_off_until_the_next_edit(client):
    PublicVersion.objects.all().delete()
    first, second = client.get("/"), client.get("/")
    assert "ETag" not in first and "ETag" not in second
    Topic.objects.filter(slug="zangezur-corridor").update(name="Zangezur route")
    assert PublicVersion.objects.exists()
    assert "ETag" in client.get("/")


@override_settings(PUBLIC_PAGE_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off(client, django_assert_max_num_queries):
    client.get("/")
    with django_assert_max_num_queries(30) as captured:
        client.get("/")
    assert len(captured) > 1
