"""Confirmed silences on the public pages and in the API's matrix: "confirmed silent" told
from "not addressed", for published sources only, and never where a claim speaks."""

import pytest
from django.urls import reverse

from claims import selectors
from claims.models import ConfirmedSilence, Proposition, PublicVersion, Source, Stance, Topic
from claims.publishing import publish_source
from claims.revisions import start_revision

from .api_helpers import client_for
from .factories import ClaimFactory, SourceFactory, StanceFactory, reviewer_user

pytestmark = pytest.mark.django_db


def a_silent_pair() -> tuple[Topic, Source, Proposition]:
    """A topic, a published source with a position in it, and a published proposition of the
    topic the source does not address (derived from the loaded data)."""
    for topic in Topic.objects.order_by("slug"):
        propositions = list(
            selectors.topic_propositions(topic).filter(pk__in=Proposition.objects.published())
        )
        for source in Source.objects.published().order_by("pk"):
            addressed = set(
                Stance.objects.filter(claim__source=source).values_list("proposition_id", flat=True)
            )
            inside = [p for p in propositions if p.pk in addressed]
            outside = [p for p in propositions if p.pk not in addressed]
            if inside and outside:
                return topic, source, outside[0]
    raise AssertionError("the seeds have no source that is silent on part of a topic")


def confirm_silent(source: Source, proposition: Proposition) -> ConfirmedSilence:
    """Confirm the silence as editors do on a published source: in its working copy, which a
    reviewer then publishes."""
    copy = start_revision(source=source, by=None)
    ConfirmedSilence.objects.create(source=copy, proposition=proposition)
    publish_source(source=copy, by=reviewer_user())
    return ConfirmedSilence.objects.get(source=source, proposition=proposition)


def topic_cell(html: str, source: Source, proposition: Proposition) -> str:
    row = html.split(proposition.text, 1)[1].split("</tr>", 1)[0]
    return row


def test_topic_matrix_tells_confirmed_silent_from_not_addressed(client):
    topic, source, proposition = a_silent_pair()
    before = client.get(f"/topics/{topic.slug}/").content.decode()
    assert "confirmed silent" not in before
    confirm_silent(source, proposition)
    html = client.get(f"/topics/{topic.slug}/").content.decode()
    row = topic_cell(html, source, proposition)
    assert row.count("confirmed silent") == 1
    assert "not addressed" in html  # the other silent cells are still unknown


def test_a_claim_added_since_overrides_the_silence(client):
    topic, source, proposition = a_silent_pair()
    confirm_silent(source, proposition)
    # Written straight to the table, as an importer or the API would: readers check anyway.
    copy = start_revision(source=source, by=None)
    StanceFactory(claim=ClaimFactory(source=copy, span=(0, 10)), proposition=proposition)
    publish_source(source=copy, by=reviewer_user())
    html = client.get(f"/topics/{topic.slug}/").content.decode()
    assert "confirmed silent" not in topic_cell(html, source, proposition)
    api = client_for().get(reverse("api:compare-matrix"), {"topic": topic.slug})
    assert api.json()["confirmed_silent"] == []


def test_proposition_page_lists_confirmed_silent_sources(client):
    _, source, proposition = a_silent_pair()
    url = f"/propositions/{proposition.slug}/"
    confirm_silent(source, proposition)
    html = client.get(url).content.decode()
    assert "Confirmed silent (1)" in html
    confirmed_section = html.split('id="confirmed-heading"')[1].split("</section>")[0]
    assert source.title in confirmed_section


def test_a_draft_sources_silence_is_not_public(client):
    draft = SourceFactory(body="A draft that says nothing on it.")
    proposition = Proposition.objects.published().first()
    ConfirmedSilence.objects.create(source=draft, proposition=proposition)
    html = client.get(f"/propositions/{proposition.slug}/").content.decode()
    assert "Confirmed silent" not in html and draft.title not in html
    api = client_for().get(reverse("api:compare-matrix"), {"propositions": proposition.slug})
    assert api.json()["confirmed_silent"] == []


def test_api_matrix_lists_confirmed_silences(client):
    topic, source, proposition = a_silent_pair()
    confirm_silent(source, proposition)
    body = client_for().get(reverse("api:compare-matrix"), {"topic": topic.slug}).json()
    assert {"proposition": proposition.slug, "source": source.slug} in body["confirmed_silent"]


def test_confirming_a_silence_changes_the_public_version(client):
    _, source, proposition = a_silent_pair()
    before = PublicVersion.objects.get().stamp
    confirm_silent(source, proposition)
    assert PublicVersion.objects.get().stamp != before
    middle = PublicVersion.objects.get().stamp
    copy = start_revision(source=source, by=None)
    ConfirmedSilence.objects.get(source=copy).delete()
    assert PublicVersion.objects.get().stamp == middle  # a working copy is not public
    publish_source(source=copy, by=reviewer_user())
    assert PublicVersion.objects.get().stamp != middle


def test_the_pair_is_unique():
    from django.db import IntegrityError

    _, source, proposition = a_silent_pair()
    copy = start_revision(source=source, by=None)
    ConfirmedSilence.objects.create(source=copy, proposition=proposition)
    with pytest.raises(IntegrityError):
        ConfirmedSilence.objects.create(source=copy, proposition=proposition)
