"""A publication makes stale the cached answers it changes, and only those (claims.freshness);
one request renders a stale answer while the others are served the previous version
(claims.pagecache.single_flight)."""

import threading
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from claims import freshness, pagecache
from claims.models import Proposition, Source, Topic
from claims.publishing import publish_source, unpublish_source

from .corpus import FIRST
from .factories import (
    AuthorFactory,
    ClaimFactory,
    PropositionFactory,
    SourceFactory,
    StanceFactory,
    TopicFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

UNRELATED_TOPIC = "/topics/caspian-sea/"
UNRELATED_PROPOSITION = "/propositions/russia-iran-rivals-in-caspian/"


@pytest.fixture
def draft():
    """A draft source on a new proposition filed under a new topic, by a new outlet."""
    topic = TopicFactory(slug="fresh-subject", name="Fresh subject")
    proposition = PropositionFactory(slug="fresh-claim-holds")
    proposition.topics.add(topic)
    source = SourceFactory(slug="fresh-dispatch", status=Source.Status.DRAFT)
    source.authorships.create(author=AuthorFactory(slug="fresh-writer"))
    StanceFactory(claim=ClaimFactory(source=source, span=FIRST), proposition=proposition)
    return source


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Publishing, by a reviewer, with its commit hooks run (tests never commit)."""

    def run(action, source):
        with django_capture_on_commit_callbacks(execute=True):
            action(source=source, by=reviewer_user())

    return run


def etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response["ETag"]


def test_publishing_leaves_unrelated_pages_and_their_etags_alone(
    client, draft, committing, django_assert_num_queries
):
    unrelated = {url: etag(client, url) for url in (UNRELATED_TOPIC, UNRELATED_PROPOSITION)}
    home = etag(client, "/")
    assert client.get("/sources/fresh-dispatch/").status_code == 404

    committing(publish_source, draft)

    for url, before in unrelated.items():
        # Served from the cache: one query, the answer's version, which has not moved.
        with django_assert_num_queries(1):
            response = client.get(url)
        assert response["ETag"] == before, url
        with django_assert_num_queries(1):
            assert client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 304
    # What the publication changes is rendered anew.
    assert etag(client, "/") != home
    for url in (
        "/sources/fresh-dispatch/",
        "/topics/fresh-subject/",
        "/propositions/fresh-claim-holds/",
        f"/publishers/{draft.publisher.slug}/",
        "/authors/fresh-writer/",
    ):
        assert client.get(url).status_code == 200, url


def test_publishing_on_a_proposition_makes_its_topic_and_the_topics_above_stale(
    client, draft, committing
):
    zangezur = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    StanceFactory(claim=draft.claims.get(), proposition=zangezur, label="contradicts")
    pages = ["/topics/zangezur-corridor/", "/topics/south-caucasus/", UNRELATED_TOPIC]
    before = {url: etag(client, url) for url in pages}
    # Another source on the same proposition lists the sources it shares propositions with.
    speaking = Source.objects.published().filter(claims__stances__proposition=zangezur)
    sharing = f"/sources/{speaking.first().slug}/"
    before[sharing] = etag(client, sharing)
    committing(publish_source, draft)
    after = {url: etag(client, url) for url in before}
    assert after["/topics/zangezur-corridor/"] != before["/topics/zangezur-corridor/"]
    assert after["/topics/south-caucasus/"] != before["/topics/south-caucasus/"]
    assert after[sharing] != before[sharing]
    assert after[UNRELATED_TOPIC] == before[UNRELATED_TOPIC]
    assert "fresh-dispatch" in client.get("/topics/zangezur-corridor/").content.decode()


def test_unpublishing_takes_the_source_off_its_cached_pages(client, draft, committing):
    committing(publish_source, draft)
    assert client.get("/sources/fresh-dispatch/").status_code == 200
    assert "fresh-dispatch" in client.get("/topics/fresh-subject/").content.decode()
    unrelated = etag(client, UNRELATED_TOPIC)
    committing(unpublish_source, draft)
    assert client.get("/sources/fresh-dispatch/").status_code == 404
    assert client.get("/topics/fresh-subject/").status_code == 404
    assert etag(client, UNRELATED_TOPIC) == unrelated


def test_a_publication_leaves_the_public_version_alone_and_bumps_its_tags(draft, committing):
    before = pagecache.current_version()
    tags = freshness.publication_tags(draft)
    stamps = freshness.answer_version(tags)
    committing(publish_source, draft)
    assert pagecache.current_version() == before
    assert freshness.answer_version(tags) != stamps
    assert {
        "overview",
        "source:fresh-dispatch",
        "topic:fresh-subject",
        "proposition:fresh-claim-holds",
        "author:fresh-writer",
        f"publisher:{draft.publisher.slug}",
    } <= tags
    # The marker SQLite's trigger reads is gone once the publication is saved.
    assert not freshness.AnswerVersion.objects.filter(tag__startswith="publishing:").exists()


def test_other_edits_of_public_material_still_make_everything_stale(client):
    before = etag(client, UNRELATED_TOPIC)
    Topic.objects.filter(slug="zangezur-corridor").update(name="The Zangezur corridor")
    assert etag(client, UNRELATED_TOPIC) != before


def test_a_draft_edit_changes_no_answer_version(draft):
    tags = freshness.publication_tags(draft)
    before = freshness.answer_version(tags)
    StanceFactory(claim=draft.claims.get(), proposition=Proposition.objects.first())
    draft.title = "Retitled draft"
    draft.save()
    assert freshness.answer_version(tags) == before


def test_api_answers_follow_the_same_tags(draft, committing, django_assert_num_queries):
    client = APIClient()
    unrelated = reverse("api:topic-detail", args=["caspian-sea"])
    matrix = reverse("api:compare-matrix") + "?topic=caspian-sea"
    for url in (unrelated, matrix):
        assert client.get(url).status_code == 200
    committing(publish_source, draft)
    for url in (unrelated, matrix):
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    fresh = reverse("api:compare-matrix") + "?topic=fresh-subject"
    assert client.get(fresh).json()["sources"] == [{"slug": "fresh-dispatch", "title": draft.title}]


# --- one render per stale answer ------------------------------------------------------------


def test_while_one_request_renders_the_others_get_the_previous_version(client, draft, committing):
    url = "/topics/fresh-subject/"
    # (Made first: a new outlet, say, is an edit of public vocabulary.)
    second = SourceFactory(slug="second-dispatch", status=Source.Status.DRAFT)
    StanceFactory(
        claim=ClaimFactory(source=second, span=FIRST),
        proposition=Proposition.objects.get(slug="fresh-claim-holds"),
    )
    committing(publish_source, draft)
    previous = etag(client, url)
    # A second source published on the same topic: the page is stale...
    committing(publish_source, second)
    # ...and another process is rendering its new version: it holds the page's lock.
    key = _page_key(url, "topic:fresh-subject")
    assert cache.add(f"rebuild:{key}", 1, 30)
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"] == previous
    cache.delete(f"rebuild:{key}")
    response = client.get(url)
    assert response["ETag"] == pagecache.etag_for(key)
    assert "second-dispatch" in response.content.decode()


def _page_key(url: str, tag: str) -> str:
    request = RequestFactory().get(url)
    version = freshness.answer_version([tag])
    return pagecache.page_key(request, ("rows", "cols", "page", "voice"), version)


def test_after_a_withdrawal_the_previous_version_is_never_served(
    client, draft, committing, monkeypatch
):
    """While another process renders the page anew, a reader waits for it (and at worst
    renders it too) rather than get the version that still shows the withdrawn source."""
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.2)
    zangezur = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    StanceFactory(claim=draft.claims.get(), proposition=zangezur, label="contradicts")
    committing(publish_source, draft)
    url = "/topics/zangezur-corridor/"
    assert "fresh-dispatch" in client.get(url).content.decode()
    committing(unpublish_source, draft)
    key = _page_key(url, "topic:zangezur-corridor")
    assert cache.add(f"rebuild:{key}", 1, 30)  # another process is rendering
    response = client.get(url)
    assert response.status_code == 200
    assert "fresh-dispatch" not in response.content.decode()


def test_edits_in_place_are_not_served_from_before_either(client, monkeypatch):
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.2)
    url = UNRELATED_TOPIC
    etag(client, url)
    Topic.objects.filter(slug="caspian-sea").update(name="The Caspian basin")
    key = _page_key(url, "topic:caspian-sea")
    assert cache.add(f"rebuild:{key}", 1, 30)
    assert "The Caspian basin" in client.get(url).content.decode()


def test_publications_in_quick_succession_rebuild_a_page_once_per_settle_window(
    client, draft, committing, settings, monkeypatch
):
    settings.PUBLIC_PAGE_SETTLE_SECONDS = 5
    now = [1_000_000.0]
    monkeypatch.setattr(pagecache.time, "time", lambda: now[0])
    home = etag(client, "/")
    committing(publish_source, draft)
    # Rendered a second ago: the publication may wait.
    now[0] += 1
    response = client.get("/")
    assert response["ETag"] == home
    assert "fresh-dispatch" not in response.content.decode()
    # The page about the new source itself has no earlier version: it shows at once.
    assert client.get("/sources/fresh-dispatch/").status_code == 200
    # Past the window, the page is rebuilt once and shows it.
    now[0] += 5
    response = client.get("/")
    assert response["ETag"] != home
    assert "fresh-dispatch" in response.content.decode()
    # A withdrawal does not wait, however recent the page.
    now[0] += 0.5
    committing(unpublish_source, draft)
    assert "fresh-dispatch" not in client.get("/").content.decode()
    assert client.get("/sources/fresh-dispatch/").status_code == 404


def test_single_flight_renders_once_for_concurrent_readers():
    cache.set_many({"latest": ("v1", "kept", 0.0), "v1": "previous body"})
    renders = []

    def build():
        renders.append(1)
        time.sleep(0.3)
        return "fresh body", "fresh body"

    answers = []

    def read():
        entry, key, _ = pagecache.single_flight("v2", "latest", build, kept="kept")
        answers.append((key, entry))

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(renders) == 1
    assert sorted(answers).count(("v2", "fresh body")) == 1
    assert sorted(answers).count(("v1", "previous body")) == 7
    # Once rendered, everyone gets the new version.
    assert pagecache.single_flight("v2", "latest", build, kept="kept")[:2] == ("fresh body", "v2")
    assert len(renders) == 1


def test_with_no_previous_version_readers_wait_for_the_render(monkeypatch):
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 5)
    renders = []

    def build():
        renders.append(1)
        time.sleep(0.3)
        return "body", "body"

    answers = []

    def read():
        answers.append(pagecache.single_flight("only", "only-latest", build)[:2])

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(renders) == 1
    assert answers == [("body", "only")] * 4


def test_a_reader_left_waiting_too_long_renders_itself(monkeypatch):
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.1)
    assert cache.add("rebuild:stuck", 1, 30)  # a render that never finishes
    entry, key, built = pagecache.single_flight("stuck", "stuck-latest", lambda: ("mine", "mine"))
    assert (entry, key, built) == ("mine", "stuck", "mine")
