"""GET /api/v1/propositions/suggest/ and the near-duplicate check of the propositions API."""

import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Proposition, Source, Stance
from claims.suggesting.propositions import PropositionIndex, suggest

from .api_helpers import client_for, error_message
from .factories import PropositionFactory

pytestmark = pytest.mark.django_db

SUGGEST = reverse("api:proposition-suggest")
PROPOSITIONS = reverse("api:proposition-list")


def test_editors_only(editor):
    assert client_for().get(SUGGEST, {"text": "Russia"}).status_code in (401, 403)
    assert client_for(editor).get(SUGGEST, {"text": "Russia"}).status_code == 200


def test_every_seed_proposition_is_found_first_by_its_own_wording(editor):
    client = client_for(editor)
    propositions = list(Proposition.objects.all())
    assert len(propositions) >= 10
    for proposition in propositions:
        results = client.get(SUGGEST, {"text": proposition.text}).json()["results"]
        assert results[0]["slug"] == proposition.slug
        assert results[0]["score"] == 1.0 and results[0]["similarity"] == 1.0
        assert len(results) == 5


def test_a_seed_claim_finds_its_proposition_in_the_top_five(editor):
    # Derived from the loaded data: most claims' propositions are in their top five.
    stances = list(Stance.objects.select_related("claim", "proposition"))
    hits = sum(
        stance.proposition.pk in {s.proposition.pk for s in suggest(stance.claim.quote, k=5)}
        for stance in stances
    )
    assert hits / len(stances) >= 0.8


def test_source_marks_the_propositions_it_already_addresses(editor):
    stance = Stance.objects.select_related("claim__source", "proposition").first()
    source = stance.claim.source
    response = client_for(editor).get(
        SUGGEST, {"text": stance.proposition.text, "source": source.slug, "k": 3}
    )
    results = response.json()["results"]
    assert len(results) == 3
    assert results[0]["addressed_by_source"] is True
    addressed = set(
        Stance.objects.filter(claim__source=source).values_list("proposition__slug", flat=True)
    )
    assert all(r["addressed_by_source"] == (r["slug"] in addressed) for r in results)
    plain = client_for(editor).get(SUGGEST, {"text": "Russia"}).json()["results"]
    assert all(r["addressed_by_source"] is None for r in plain)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "Russia", "k": 0}, "k"),
        ({"text": "Russia", "k": 21}, "k"),
        ({"text": "Russia", "k": "five"}, "k"),
        ({"text": "Russia", "source": "no-such-source"}, "source"),
        ({"text": "Russia", "source": ""}, "source"),
        ({"text": "Russia", "limit": 3}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor, params, field):
    response = client_for(editor).get(SUGGEST, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_the_index_follows_creations_rewordings_and_deletions(editor):
    client = client_for(editor)
    query = {"text": "pelicans migrate across the Caspian in winter"}
    proposition = PropositionFactory(text="Pelicans migrate across the Caspian every winter.")
    assert client.get(SUGGEST, query).json()["results"][0]["slug"] == proposition.slug
    proposition.text = "Flamingos nest on the shores of Lake Urmia."
    proposition.save()
    assert client.get(SUGGEST, query).json()["results"][0]["slug"] != proposition.slug
    assert (
        client.get(SUGGEST, {"text": "flamingos nesting"}).json()["results"][0]["slug"]
        == proposition.slug
    )
    slug = proposition.slug
    proposition.delete()
    assert slug not in {
        r["slug"] for r in client.get(SUGGEST, {"text": "flamingos"}).json()["results"]
    }


def test_query_count_does_not_grow_with_the_propositions(editor):
    client = client_for(editor)
    source = Source.objects.first()
    params = {"text": "Russia backs Azerbaijan", "source": source.slug}
    client.get(SUGGEST, params)  # the index is current

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SUGGEST, params).status_code == 200
        return len(captured)

    before = count()
    PropositionFactory.create_batch(40, text="Russia backs Azerbaijan on the corridor again")
    client.get(SUGGEST, params)  # the sync reads the new rows once
    # The token and its user; the user's and the groups' permissions (2); the source; the index
    # marker; the suggested propositions; which of them the source takes a stance on.
    assert count() == before == 7


def test_a_fresh_index_loads_with_networking_disabled(editor, monkeypatch):
    connection.ensure_connection()  # the database is reached before the network goes away

    def refuse(*args, **kwargs):
        raise OSError("networking is disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    index = PropositionIndex()
    proposition = Proposition.objects.first()
    assert index.ranked(proposition.text, 1)[0][0] == proposition.pk


def test_schema_documents_the_endpoint():
    schema = client_for().get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/propositions/suggest/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"text", "source", "k"}


# --- near-duplicates on create ------------------------------------------------------------


def test_creating_a_near_duplicate_is_a_409_with_the_candidates(editor):
    existing = Proposition.objects.first()
    wording = existing.text.rstrip(".") + " today."
    response = client_for(editor).post(
        PROPOSITIONS, {"text": wording, "slug": "near-copy"}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "near_duplicate"
    assert error["candidates"][0]["slug"] == existing.slug
    assert error["candidates"][0]["similarity"] >= 0.6
    assert existing.text in error_message(response)
    assert not Proposition.objects.filter(slug="near-copy").exists()


def test_confirm_distinct_creates_it(editor):
    existing = Proposition.objects.first()
    wording = existing.text.rstrip(".") + " today."
    response = client_for(editor).post(
        PROPOSITIONS,
        {"text": wording, "slug": "near-copy", "confirm_distinct": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "confirm_distinct" not in response.json()
    assert Proposition.objects.get(slug="near-copy").text == wording


def test_an_identical_wording_is_refused_even_when_confirmed(editor):
    existing = Proposition.objects.first()
    response = client_for(editor).post(
        PROPOSITIONS,
        {"text": existing.text.upper(), "slug": "same-again", "confirm_distinct": True},
        format="json",
    )
    assert response.status_code == 409


def test_a_distinct_wording_is_created_without_confirmation(editor):
    response = client_for(editor).post(
        PROPOSITIONS,
        {"text": "Pelicans winter on the Caspian shore.", "slug": "pelicans"},
        format="json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_confirm_distinct_must_be_a_json_boolean(editor, value):
    response = client_for(editor).post(
        PROPOSITIONS,
        {"text": "Pelicans winter on the Caspian shore.", "slug": "p", "confirm_distinct": value},
        format="json",
    )
    assert response.status_code == 400
    assert "confirm_distinct" in response.json()["error"]["fields"]


def test_rows_written_with_old_timestamps_are_still_indexed(editor):
    # A restore or generate_corpus writes historical `modified` times: the index must notice.
    import datetime

    client = client_for(editor)
    client.get(SUGGEST, {"text": "anything"})
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    proposition = PropositionFactory(text="Flamingos nest on the shores of Lake Urmia.")
    Proposition.objects.filter(pk=proposition.pk).update(modified=old, created=old)
    found = client.get(SUGGEST, {"text": "flamingos Urmia"}).json()["results"]
    assert found[0]["slug"] == proposition.slug

    # Replaced wholesale with the same count and an older latest time (a restore).
    Proposition.objects.filter(pk=proposition.pk).update(
        text="Storks cross the Bosphorus in spring.", modified=old - datetime.timedelta(days=1)
    )
    Proposition.objects.exclude(pk=proposition.pk).update(modified=old)
    found = client.get(SUGGEST, {"text": "storks Bosphorus"}).json()["results"]
    assert found[0]["slug"] == proposition.slug
