"""Exports: W3C Web Annotations that pass the W3C test suite's checker, and a streamed CSV."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from claims import selectors
from claims.models import Claim, Proposition, Stance

from .api_helpers import client_for
from .corpus import grow, revise
from .factories import ClaimFactory

pytestmark = pytest.mark.django_db

CHECKER = (
    Path(__file__).resolve().parents[2] / "shared" / "conformance" / "check_web_annotations.py"
)


def collection_pages(client) -> list[dict]:
    """The collection and every page after the first, following `next` like a client would."""
    first = client.get(reverse("api:annotations"), HTTP_ACCEPT="application/ld+json")
    assert first.status_code == 200
    assert first["Content-Type"].startswith("application/ld+json")
    documents = [first.json()]
    page = documents[0]["first"]
    while "next" in page:
        page = client.get(page["next"]).json()
        documents.append(page)
    return documents


def annotations_of(documents) -> list[dict]:
    items = list(documents[0]["first"]["items"])
    for page in documents[1:]:
        items += page["items"]
    return items


def test_every_published_claim_is_exported_once_with_its_selectors():
    documents = collection_pages(client_for())
    collection = documents[0]
    assert collection["type"] == "AnnotationCollection"
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    items = annotations_of(documents)
    assert len(items) == collection["total"] == Claim.objects.published().count()
    assert len(documents) == 2  # 166 claims, 100 per page

    claim = Claim.objects.published().get(pk=int(items[0]["id"].rstrip("/").rsplit("/", 1)[1]))
    quote, position = items[0]["target"]["selector"]
    # Both name the element of the reading view that holds the text, refined by the text
    # selectors (W3C §4.2.9).
    assert quote == {
        "type": "CssSelector",
        "value": "#source-text",
        "refinedBy": {
            "type": "TextQuoteSelector",
            "exact": claim.quote,
            "prefix": claim.prefix,
            "suffix": claim.suffix,
        },
    }
    assert position == {
        "type": "CssSelector",
        "value": "#source-text",
        "refinedBy": {"type": "TextPositionSelector", "start": claim.start, "end": claim.end},
    }
    assert items[0]["target"]["source"].endswith(f"/sources/{claim.source.slug}/")


def test_attribution_is_the_last_body_as_a_tag():
    reported = Claim.objects.published().filter(attribution="reported").first()
    body = client_for().get(reverse("api:annotation-detail", args=[reported.pk])).json()["body"]
    assert body[-1] == {
        "type": "TextualBody",
        "purpose": "tagging",
        "value": "attribution:reported",
        "format": "text/plain",
    }
    # Every claim carries it, and a claim nobody labelled is still only highlighted.
    # Added in a new revision of its source: a published revision is read-only.
    source = revise(reported.source, lambda copy: ClaimFactory(source=copy, span=(0, 6)))
    bare = Claim.objects.published().get(source=source, start=0, end=6)
    annotation = client_for().get(reverse("api:annotation-detail", args=[bare.pk])).json()
    assert annotation["motivation"] == "highlighting"
    assert [b["value"] for b in annotation["body"]] == ["attribution:own"]


def test_stance_bodies_pair_label_and_proposition():
    stance = Stance.objects.published().select_related("proposition").first()
    url = reverse("api:annotation-detail", args=[stance.claim_id])
    annotation = client_for().get(url).json()
    bodies = annotation["body"]
    index = next(
        i for i, b in enumerate(bodies) if b.get("id", "").endswith(f"/stances/{stance.pk}/")
    )
    assert bodies[index - 1] == {
        "type": "TextualBody",
        "purpose": "classifying",
        "value": stance.label,
        "format": "text/plain",
        "creator": {"type": "Person", "name": "Corpus curator"},
    }
    assert bodies[index]["source"].endswith(f"/propositions/{stance.proposition.slug}/")


def test_export_passes_the_w3c_checker(tmp_path):
    if not CHECKER.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the W3C conformance checker is missing at {CHECKER}")
        pytest.skip("../shared/conformance is not beside this checkout")
    documents = collection_pages(client_for())
    files = []
    for index, document in enumerate(documents):
        path = tmp_path / f"page{index}.jsonld"
        path.write_text(json.dumps(document), encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [sys.executable, str(CHECKER), "--quiet", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    # One check per annotation, and three for the collection and its pages.
    claims = Claim.objects.published().count()
    assert result.stdout.strip().endswith(f"{claims + 3} passed, 0 failed")


def test_bad_page_cursor_is_400():
    response = client_for().get(reverse("api:annotations") + "?after=-3")
    assert response.status_code == 400
    assert "after" in response.json()["error"]["fields"]


def test_csv_has_one_row_per_stance_and_streams():
    response = client_for().get(reverse("api:export-claims-csv"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == Stance.objects.published().count()
    row = next(r for r in rows if r["proposition"] == "russia-backs-zangezur-corridor")
    claim = Claim.objects.get(pk=row["claim_id"])
    assert row["quote"] == claim.quote and row["label"] == "supports"
    assert {r["attribution"] for r in rows} == {"own", "reported", "counterpoint", "background"}
    reported = next(r for r in rows if r["attribution"] == "reported")
    assert Claim.objects.get(pk=reported["claim_id"]).attribution == "reported"


def positions_csv(query: str = "") -> list[dict]:
    response = client_for().get(reverse("api:export-positions-csv") + query)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_positions_csv_has_a_row_per_source_and_proposition_with_its_evidence():
    rows = positions_csv()
    held = selectors.positions_for(Proposition.objects.published().values_list("pk", flat=True))
    assert len(rows) == sum(len(by_source) for by_source in held.values())
    tilt = {r["source"]: r for r in rows if r["proposition"] == "russia-tilts-toward-azerbaijan"}
    fanack = tilt["russia-and-iran-new-divides"]
    assert (fanack["position"], fanack["lean"], fanack["supports"], fanack["quotes"]) == (
        "supports",
        "1.0000",
        "3",
        "3",
    )
    assert (fanack["reported"], fanack["single_quote"], fanack["voice"]) == ("1", "no", "own")
    # The CACI article's own position rests on one quote; Lavrov's words are kept aside.
    caci = tilt["russia-and-iran-diverge-in-the-south-caucasus"]
    assert (caci["position"], caci["quotes"], caci["reported"], caci["single_quote"]) == (
        "supports",
        "1",
        "1",
        "yes",
    )
    # On Iran's leverage Fanack only relays Western officials' concern: no position of its own.
    leverage = "iran-leverage-over-russia-growing"
    relayed = next(
        r
        for r in rows
        if (r["proposition"], r["source"]) == (leverage, "russia-and-iran-new-divides")
    )
    assert (relayed["position"], relayed["lean"], relayed["quotes"], relayed["reported"]) == (
        "",
        "",
        "0",
        "1",
    )
    every = {r["source"]: r for r in positions_csv("?voice=all") if r["proposition"] == leverage}
    assert every["russia-and-iran-new-divides"]["position"] != ""


def test_positions_csv_refuses_unknown_parameters_and_voices():
    url = reverse("api:export-positions-csv")
    assert client_for().get(url + "?voice=loud").status_code == 400
    assert client_for().get(url + "?page=2").status_code == 400


def test_positions_csv_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    # The propositions; then per batch of 200: the stances, their sources, their texts.
    with django_assert_max_num_queries(4):
        b"".join(client_for().get(reverse("api:export-positions-csv")).streaming_content)
    grow(5)
    with django_assert_max_num_queries(4):
        b"".join(client_for().get(reverse("api:export-positions-csv")).streaming_content)


def test_csv_neutralises_formulas(editor):
    from claims.api.exports import _safe

    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _safe("Plain") == "Plain"


def test_csv_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    # One query per chunk of 1,000 claims plus one for their stances: 2 for the seed corpus.
    with django_assert_max_num_queries(2):
        b"".join(client_for().get(reverse("api:export-claims-csv")).streaming_content)


def export_document(client) -> dict:
    response = client.get(reverse("api:export-annotations"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(b"".join(response.streaming_content))


def test_full_export_streams_every_published_claim_once():
    document = export_document(client_for())
    items = document["first"]["items"]
    assert document["type"] == "AnnotationCollection"
    assert document["first"]["partOf"] == document["id"]
    assert document["total"] == len(items) == Claim.objects.published().count()
    ids = [int(item["id"].rstrip("/").rsplit("/", 1)[1]) for item in items]
    assert ids == sorted(set(ids))
    # The same annotations the paged collection serves.
    assert items == annotations_of(collection_pages(client_for()))


def test_full_export_leaves_out_drafts():
    from claims.models import Source

    draft = Source.objects.published().first()
    hidden = set(draft.claims.values_list("pk", flat=True))
    Source.objects.filter(pk=draft.pk).update(status=Source.Status.DRAFT, published_at=None)
    items = export_document(client_for())["first"]["items"]
    exported = {int(item["id"].rstrip("/").rsplit("/", 1)[1]) for item in items}
    assert hidden and not hidden & exported


def test_full_export_passes_the_w3c_checker(tmp_path):
    if not CHECKER.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the W3C conformance checker is missing at {CHECKER}")
        pytest.skip("../shared/conformance is not beside this checkout")
    path = tmp_path / "annotations.jsonld"
    path.write_text(json.dumps(export_document(client_for())), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(CHECKER), "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    # One check per annotation, and two for the collection.
    claims = Claim.objects.published().count()
    assert result.stdout.strip().endswith(f"{claims + 2} passed, 0 failed")


def test_full_export_refuses_parameters_and_counts_queries(django_assert_max_num_queries):
    assert client_for().get(reverse("api:export-annotations") + "?page=2").status_code == 400
    # One query per chunk of 1,000 claims plus one for their stances.
    with django_assert_max_num_queries(2):
        b"".join(client_for().get(reverse("api:export-annotations")).streaming_content)
