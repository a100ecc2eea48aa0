"""Writing claims, stances and propositions through the API: validated exactly as in the admin,
never overwriting someone else's edit, never a 500."""

import pytest
from django.urls import reverse

from claims.models import Claim, Proposition, Source, Stance

from .api_helpers import client_for, error_message
from .factories import SourceFactory

pytestmark = pytest.mark.django_db

CLAIMS = reverse("api:claim-list")
STANCES = reverse("api:stance-list")


@pytest.fixture
def source():
    return SourceFactory(body="Moscow backs the corridor. Tehran calls it a red line.")


def new_claim(client, target, **overrides):
    data = {
        "source": target.slug,
        "start": 0,
        "end": 25,
        "kind": "analysis",
        "anchor": "offsets",
        **overrides,
    }
    return client.post(CLAIMS, data, format="json")


def test_editor_creates_a_claim_and_the_server_takes_quote_and_context(editor, source):
    response = new_claim(client_for(editor), source)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quote"] == "Moscow backs the corridor"
    assert body["prefix"] == "" and body["suffix"] == ". Tehran calls it a red line."
    assert body["created_by"] == "alice"
    assert response["ETag"]
    assert Claim.objects.get(pk=body["id"]).created_by == editor


def test_a_matching_quote_is_accepted(editor, source):
    response = new_claim(client_for(editor), source, quote="Moscow backs the corridor")
    assert response.status_code == 201


def test_a_quote_that_occurs_once_places_the_claim_by_itself(editor, source):
    data = {"source": source.slug, "quote": "Tehran calls it a red line", "kind": "factual"}
    response = client_for(editor).post(CLAIMS, data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["start"], body["end"]) == (27, 53)
    assert source.body[body["start"] : body["end"]] == "Tehran calls it a red line"


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"quote": "or"}, "quote", "ambiguous: found 2 times"),
        ({"quote": "Ankara backs the corridor"}, "quote", "not found"),
        ({"start": 0, "quote": "Moscow"}, "end", "required with `start`"),
        ({"end": 6, "quote": "Moscow"}, "start", "required with `end`"),
    ],
)
def test_a_quote_alone_must_say_which_words(editor, source, payload, field, words):
    data = {"source": source.slug, "kind": "factual", **payload}
    response = client_for(editor).post(CLAIMS, data, format="json")
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()["error"]["fields"][field])
    assert not Claim.objects.filter(source=source).exists()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"start": 0, "end": 10_000}, "end", "end"),
        ({"start": 20, "end": 5}, "end", "start"),
        ({"start": 5, "end": 5}, "end", "start"),
        ({"start": -1}, "start", "greater than or equal to 0"),
        ({"start": "three"}, "start", "valid integer"),
        ({"end": 10**30}, "end", "less than or equal to"),
        ({"start": 1.5}, "start", "valid integer"),
        ({"quote": "Tehran backs the corridor"}, "quote", "does not match"),
        ({"note": "bad\x00byte"}, "note", "NUL"),
        ({"kind": "rumour"}, "kind", "not a valid choice"),
        ({"source": "no-such-source"}, "source", "does not exist"),
        ({"actors": "russia"}, "actors", "list"),
        ({"start": 6, "end": 7}, "end", "whitespace"),
    ],
)
def test_bad_claims_get_400_naming_the_field(editor, source, payload, field, words):
    response = new_claim(client_for(editor), source, **payload)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert words in " ".join(error["fields"][field]), error
    assert error_message(response).startswith(f"{field}:")
    assert not Claim.objects.filter(source=source).exists()


def test_malformed_json_is_400(editor):
    response = client_for(editor).post(CLAIMS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in error_message(response)


def test_wrong_top_level_type_is_400(editor):
    response = client_for(editor).post(CLAIMS, [1, 2], format="json")
    assert response.status_code == 400


def test_oversized_body_is_413(editor, settings, source):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = new_claim(client_for(editor), source, note="x" * 5000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_editors_cannot_write_to_sources_they_cannot_see(source, django_user_model):
    stranger = django_user_model.objects.create_user("mallory")
    assert new_claim(client_for(stranger), source).status_code == 403


def test_updates_need_if_match_and_refuse_stale_etags(editor, reviewer, source):
    created = new_claim(client_for(editor), source)
    url, etag = created.json()["url"], created["ETag"]

    no_precondition = client_for(editor).patch(url, {"note": "first"}, format="json")
    assert no_precondition.status_code == 428

    first = client_for(editor).patch(url, {"note": "first"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"] != etag

    # Bob read the claim before Alice's edit: his write must not overwrite hers.
    stale = client_for(reviewer).patch(url, {"note": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert client_for(editor).get(url).json()["note"] == "first"


def test_get_with_if_none_match_is_304(source, editor):
    created = new_claim(client_for(editor), source)
    url, etag = created.json()["url"], created["ETag"]
    again = client_for(editor).get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_changing_the_span_re_derives_the_quote(editor, source):
    created = new_claim(client_for(editor), source)
    response = client_for(editor).patch(
        created.json()["url"],
        {"start": 27, "end": 53},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["quote"] == "Tehran calls it a red line"


def test_stances_are_created_by_the_requesting_annotator_once(editor, source):
    claim = new_claim(client_for(editor), source).json()
    data = {
        "claim": claim["id"],
        "proposition": "russia-backs-zangezur-corridor",
        "label": "supports",
    }
    first = client_for(editor).post(STANCES, data, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["annotator"] == "alice"
    again = client_for(editor).post(STANCES, data, format="json")
    assert again.status_code == 400
    assert "proposition" in again.json()["error"]["fields"]
    assert Stance.objects.filter(claim_id=claim["id"]).count() == 1


def test_stance_label_must_be_known(editor, source):
    claim = new_claim(client_for(editor), source).json()
    data = {
        "claim": claim["id"],
        "proposition": "russia-backs-zangezur-corridor",
        "label": "agrees",
    }
    response = client_for(editor).post(STANCES, data, format="json")
    assert response.status_code == 400
    assert "label" in response.json()["error"]["fields"]


def test_deleting_a_referenced_proposition_is_409(reviewer):
    url = reverse("api:proposition-detail", args=["russia-backs-zangezur-corridor"])
    etag = client_for(reviewer).get(url)["ETag"]
    response = client_for(reviewer).delete(url, HTTP_IF_MATCH=etag)
    assert response.status_code == 409
    assert "stances" in error_message(response)
    assert Proposition.objects.filter(slug="russia-backs-zangezur-corridor").exists()


def test_deleting_a_claim_with_the_right_etag(editor, source):
    created = new_claim(client_for(editor), source)
    response = client_for(editor).delete(created.json()["url"], HTTP_IF_MATCH=created["ETag"])
    assert response.status_code == 204
    assert not Claim.objects.filter(source=source).exists()


def test_creating_a_proposition_records_its_author(editor):
    data = {
        "slug": "caspian-summit-held",
        "text": "A Caspian summit was held.",
        "topics": ["caspian-sea"],
    }
    response = client_for(editor).post(reverse("api:proposition-list"), data, format="json")
    assert response.status_code == 201, response.content
    assert Proposition.objects.get(slug="caspian-summit-held").created_by == editor


def test_source_slug_is_required_and_must_be_visible(editor):
    draft = SourceFactory(status=Source.Status.DRAFT)
    response = new_claim(client_for(editor), draft)
    assert response.status_code == 201  # editors see and annotate drafts


def test_editing_the_note_of_an_orphaned_claim_keeps_it_orphaned(editor, source):
    created = new_claim(client_for(editor), source)
    claim = Claim.objects.get(pk=created.json()["id"])
    Claim.objects.filter(pk=claim.pk).update(anchor_state="orphaned")
    Source.objects.filter(pk=source.pk).update(body="Entirely different words now stand here.")
    url = created.json()["url"]
    etag = client_for(editor).get(url)["ETag"]
    response = client_for(editor).patch(url, {"note": "check"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.quote) == ("orphaned", "Moscow backs the corridor")

    # Giving it new offsets re-attaches it to the words now there.
    etag = response["ETag"]
    response = client_for(editor).patch(
        url, {"start": 0, "end": 8}, format="json", HTTP_IF_MATCH=etag
    )
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.quote) == ("anchored", "Entirely")
