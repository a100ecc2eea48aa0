"""The JSON Lines export: every published claim once, with everything the import reads back."""

import json

import pytest
from django.urls import reverse

from claims.models import Claim, Source, Stance

from .api_helpers import client_for
from .corpus import revise
from .factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:export-claims-jsonl")


def lines() -> list[dict]:
    response = client_for().get(URL)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_every_published_claim_once_with_its_stances_actors_and_notes():
    rows = lines()
    assert [row["claim_id"] for row in rows] == list(
        Claim.objects.published().order_by("pk").values_list("pk", flat=True)
    )
    assert sum(len(row["stances"]) for row in rows) == Stance.objects.published().count()
    row = next(r for r in rows if r["actors"] and r["stances"])
    claim = Claim.objects.get(pk=row["claim_id"])
    assert row["quote"] == claim.quote and row["prefix"] == claim.prefix
    assert row["actors"] == sorted(a.slug for a in claim.actors.all())
    # The adjudicated seeds keep a few stances of the second reading under its reader.
    annotators = {s["annotator"] for r in rows for s in r["stances"]}
    assert annotators == {"curator", "second-reader"}
    assert annotators == set(
        Stance.objects.published().values_list("annotator__username", flat=True)
    )


def test_drafts_are_left_out():
    draft = Source.objects.published().first()
    draft.status = Source.Status.DRAFT
    draft.save()
    assert not {r["source"] for r in lines()} & {draft.slug}


def more_claims(count: int) -> None:
    if not count:
        return
    source = Source.objects.published().first()
    user = UserFactory(username="extra")
    actors = list(Claim.objects.exclude(actors=None).first().actors.all())
    proposition = Stance.objects.first().proposition

    def add(copy: Source) -> None:
        for start in range(count):
            claim = Claim.objects.create(
                source=copy, start=start, end=start + 1, quote=copy.body[start], note=f"{start}"
            )
            claim.actors.set(actors)
            Stance.objects.create(
                claim=claim, proposition=proposition, label="neutral", annotator=user
            )

    # Added in a new revision of the source: a published revision is read-only.
    before = Claim.objects.published().count()
    revise(source, add)
    assert Claim.objects.published().count() == before + count


@pytest.mark.parametrize("extra", [0, 60])
def test_query_count_does_not_grow_with_rows(extra, django_assert_num_queries):
    more_claims(extra)
    # 1. the claims with their sources and speakers (one chunk of up to 1,000)
    # 2. their stances with propositions and annotators
    # 3. their actors
    with django_assert_num_queries(3):
        b"".join(client_for().get(URL).streaming_content)
