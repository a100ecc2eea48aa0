"""Vocabulary that only drafts use stays private: topics and actors are not listed by the API
or the pages, and the comparison matrix answers a draft-only proposition exactly as it answers
an unknown one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .api_helpers import client_for
from .factories import (
    ActorFactory,
    ClaimFactory,
    PropositionFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted():
    """A draft source whose claim names a new actor and takes a stance on a new proposition
    filed under a new topic (below a public one)."""
    from claims.models import Topic

    parent = Topic.objects.filter(children__isnull=True).first()
    topic = TopicFactory(name="Secret subject", parent=parent)
    actor = ActorFactory(name="Secret envoy")
    proposition = PropositionFactory(text="A secret statement holds.")
    proposition.topics.add(topic)
    claim = ClaimFactory(source=SourceFactory(), span=(0, 6), speaker=actor)
    claim.actors.add(actor)
    claim.stances.create(
        proposition=proposition, label="supports", annotator=UserFactory(username="drafter")
    )
    return {"topic": topic, "actor": actor, "proposition": proposition, "parent": parent}


def _slugs(client, name: str) -> set[str]:
    body = client.get(reverse(f"api:{name}-list"), {"page_size": 200}).json()
    return {row["slug"] for row in body["results"]}


def test_the_api_does_not_list_draft_only_topics_and_actors(drafted):
    anonymous = client_for()
    assert drafted["topic"].slug not in _slugs(anonymous, "topic")
    assert drafted["actor"].slug not in _slugs(anonymous, "actor")
    assert drafted["parent"].slug in _slugs(anonymous, "topic")
    for name, key in (("topic", "topic"), ("actor", "actor")):
        url = reverse(f"api:{name}-detail", args=[drafted[key].slug])
        assert anonymous.get(url).status_code == 404


def test_editors_still_see_them(drafted, editor):
    signed_in = client_for(editor)
    assert drafted["topic"].slug in _slugs(signed_in, "topic")
    assert drafted["actor"].slug in _slugs(signed_in, "actor")


def test_published_use_makes_them_public(drafted):
    from claims.publishing import publish_source

    publish_source(source=drafted["actor"].spoken_claims.first().source, by=reviewer_user())
    anonymous = client_for()
    assert drafted["topic"].slug in _slugs(anonymous, "topic")
    assert drafted["actor"].slug in _slugs(anonymous, "actor")


def test_topic_pages_do_not_show_them(client, drafted):
    assert client.get(f"/topics/{drafted['topic'].slug}/").status_code == 404
    parent_page = client.get(f"/topics/{drafted['parent'].slug}/").content.decode()
    assert drafted["topic"].name not in parent_page


def test_the_matrix_answers_a_draft_only_proposition_as_an_unknown_one(drafted):
    url = reverse("api:compare-matrix")
    drafted_answer = client_for().get(url, {"propositions": drafted["proposition"].slug})
    unknown_answer = client_for().get(url, {"propositions": "no-such-statement"})
    assert drafted_answer.status_code == unknown_answer.status_code == 400
    assert drafted_answer.json()["error"]["fields"].keys() == {"propositions"}
    topic_answer = client_for().get(url, {"topic": drafted["topic"].slug})
    assert topic_answer.status_code == 404
