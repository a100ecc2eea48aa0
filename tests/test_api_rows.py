"""Claims and stances reach API clients through one output path (claims.api.rows): lists,
details, the claims a source's detail embeds and the answers to writes. What it builds must be
what the schema describes, and a field cannot say one thing in a list and another in a detail."""

import csv
import io
import json

import pytest
from django.urls import reverse

from claims import selectors
from claims.models import Source, Stance
from claims.models.base import published_writes

from .api_helpers import client_for
from .factories import ClaimFactory, StanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def schema_fields(name: str) -> set[str]:
    """The fields a response of component `name` has, by the OpenAPI schema."""
    schema = client_for().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    properties = schema["components"]["schemas"][name]["properties"]
    return {field for field, spec in properties.items() if not spec.get("writeOnly")}


def test_claims_show_the_fields_the_schema_names(editor):
    listed = client_for().get(reverse("api:claim-list"), {"page_size": 5}).json()["results"]
    claim = listed[0]
    assert set(claim) == schema_fields("Claim")
    assert set(claim["stances"][0]) == schema_fields("StanceBrief")
    assert set(claim["stances"][0]["proposition"]) == schema_fields("PropositionBrief")
    detail = client_for().get(claim["url"]).json()
    assert detail == claim
    source = client_for().get(reverse("api:source-detail", args=[claim["source"]])).json()
    embedded = {item["id"]: item for item in source["claims"]}
    assert embedded[claim["id"]] == claim


def test_stances_show_the_fields_the_schema_names():
    listed = client_for().get(reverse("api:stance-list"), {"page_size": 5}).json()["results"]
    assert set(listed[0]) == schema_fields("Stance")
    assert client_for().get(listed[0]["url"]).json() == listed[0]


def test_a_write_answers_with_what_a_read_shows(editor):
    claim = ClaimFactory()
    client = client_for(editor)
    created = client.post(
        reverse("api:stance-list"),
        {"claim": claim.pk, "proposition": "russia-backs-zangezur-corridor", "label": "mixed"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json() == client.get(created.json()["url"]).json()
    shown = client.get(reverse("api:claim-detail", args=[claim.pk])).json()
    assert [stance["label"] for stance in shown["stances"]] == ["mixed"]


def test_a_stance_awaiting_recheck_is_shown_nowhere_public():
    """The stances a client may see are the same in the list of claims, a claim's detail and
    a source's detail: one awaiting re-checking counts nowhere publicly, so it is in none."""
    stance = Stance.objects.published().select_related("claim__source").first()
    with published_writes():
        Stance.objects.filter(pk=stance.pk).update(needs_recheck=True)
    client = client_for()
    source = stance.claim.source.slug
    listed = client.get(reverse("api:claim-list"), {"source": source, "page_size": 200}).json()
    places = [
        next(item for item in listed["results"] if item["id"] == stance.claim_id),
        client.get(reverse("api:claim-detail", args=[stance.claim_id])).json(),
        next(
            item
            for item in client.get(reverse("api:source-detail", args=[source])).json()["claims"]
            if item["id"] == stance.claim_id
        ),
    ]
    for shown in places:
        assert stance.pk not in [item["id"] for item in shown["stances"]]
    # Nor in the exports: the W3C annotation, JSON Lines and CSV.
    annotation = client.get(reverse("api:annotation-detail", args=[stance.claim_id])).json()
    assert f"/api/v1/stances/{stance.pk}/" not in str(annotation)
    assert annotation["target"]
    lines = b"".join(client.get(reverse("api:export-claims-jsonl")).streaming_content)
    exported = [json.loads(line) for line in lines.splitlines()]
    claim = next(item for item in exported if item["claim_id"] == stance.claim_id)
    assert stance.pk not in [item["stance_id"] for item in claim["stances"]]
    table = b"".join(client.get(reverse("api:export-claims-csv")).streaming_content).decode()
    ids = [row["stance_id"] for row in csv.DictReader(io.StringIO(table))]
    assert str(stance.pk) not in ids and ids
    # Nor on the reading view.
    read = selectors.source_claims(stance.claim.source)
    assert stance.pk not in [item.pk for claim in read for item in claim.stances.all()]


def test_pages_and_editors_drafts(editor):
    draft = ClaimFactory(note="Draft only.")
    StanceFactory(claim=draft)
    assert draft.source.status == Source.Status.DRAFT
    url = f"{reverse('api:claim-list')}?page_size=7"
    assert b"Draft only." in client_for(editor).get(url).content
    anonymous = client_for().get(url).content
    assert b"Draft only." not in anonymous
    following = client_for().get(client_for().get(url).json()["next"])
    assert following.status_code == 200 and following.json()["results"]


@pytest.mark.parametrize(
    "resource",
    ["publisher", "author", "source", "topic", "actor", "proposition", "claim", "stance"],
)
def test_every_list_item_says_what_its_detail_says(resource):
    """A field cannot differ between a list and a detail: each listed item, fetched alone,
    gives the same values (a detail may add fields, such as a source's claims)."""
    client = client_for()
    listed = client.get(reverse(f"api:{resource}-list"), {"page_size": 20}).json()["results"]
    assert listed
    for item in listed:
        detail = client.get(item["url"]).json()
        assert {name: detail.get(name) for name in item} == item, item["url"]
