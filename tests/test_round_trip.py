"""Export the seed corpus, import it into an empty database, and get the same corpus back: the
same sources, claims, stances and propositions, and the same answers to every comparison.

Sources and vocabulary travel by the backup (without claims, stances or history); claims and
stances by the exports under test: JSON Lines (everything), CSV and W3C Web Annotations (what
each format holds). The stances are imported as the annotator who made them.
"""

import itertools
import re
import tempfile
from pathlib import Path

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from claims import backup
from claims.api.throttling import AddressRateThrottle
from claims.importing.bulk import import_annotations
from claims.importing.documents import Document
from claims.importing.formats import read
from claims.importing.seeds import load_seeds
from claims.importing.sources import import_documents
from claims.models import Claim, Proposition, Source, Stance, Topic
from claims.publishing import publish_source

from .factories import reviewer_user

pytestmark = pytest.mark.django_db

# Restoring a backup moves PostgreSQL's id sequences, which a rolled-back test transaction does
# not undo: the round trips run as transactional tests (after the others; the database is
# emptied after each), on the seed corpus loaded afresh. The flush also takes the groups the
# migrations make: `reviewer_user` then gives the reviewer's permissions directly.
round_trip = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unthrottled(monkeypatch):
    # These tests read the whole corpus through the public API, many more requests than the
    # anonymous rate allows a minute; throttling is tested elsewhere (test_api_limits).
    monkeypatch.setattr(AddressRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture
def corpus(transactional_db, unthrottled):
    load_seeds()


# Keys whose values are ids or times of this database, not facts of the corpus.
_LOCAL = {"id", "url", "created", "modified", "stance_id", "claim_id", "created_by"}
_LOCAL_LINK = re.compile(r"/(?:claims|stances|annotations)/\d+/")


def local_free(value, spans: dict[int, str]):
    """An API answer without database ids or timestamps: claims named by source and span."""
    if isinstance(value, dict):
        return {
            k: [spans[i] for i in v]
            if k == "claims" and all(isinstance(i, int) for i in v)
            else local_free(v, spans)
            for k, v in value.items()
            if k not in _LOCAL
        }
    if isinstance(value, list):
        return [local_free(v, spans) for v in value]
    if isinstance(value, str):
        return _LOCAL_LINK.sub("/…/", value)
    return value


def fetch(client, name, **params) -> bytes:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content[:300]
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def comparisons() -> dict:
    """Every comparison the API answers: positions per proposition, every topic's matrix, every
    pair of sources compared."""
    cache.clear()  # the throttle counts anonymous requests there; this asks many questions
    spans = {c.pk: f"{c.source.slug} {c.start}–{c.end}" for c in Claim.objects.with_source()}
    client = APIClient()

    def answer(url, params=None):
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:200]
        return local_free(response.json(), spans)

    answers = {}
    for slug in Proposition.objects.order_by("slug").values_list("slug", flat=True):
        answers[f"proposition {slug}"] = answer(reverse("api:proposition-detail", args=[slug]))
    for slug in Topic.objects.order_by("slug").values_list("slug", flat=True):
        answers[f"topic {slug}"] = answer(reverse("api:compare-matrix"), {"topic": slug})
    sources = sorted(Source.objects.published().values_list("slug", flat=True))
    for a, b in itertools.permutations(sources, 2):
        answers[f"compare {a} {b}"] = answer(reverse("api:compare-sources"), {"a": a, "b": b})
    return answers


def claims(*, fields=("kind", "attribution", "speaker", "actors", "note")) -> list[tuple]:
    rows = []
    for claim in Claim.objects.select_related("source", "speaker").prefetch_related("actors"):
        extra = {
            "kind": claim.kind,
            "attribution": claim.attribution,
            "speaker": claim.speaker.slug if claim.speaker else None,
            "actors": sorted(a.slug for a in claim.actors.all()),
            "note": claim.note,
        }
        rows.append(
            (
                claim.source.slug,
                claim.start,
                claim.end,
                claim.quote,
                claim.prefix,
                claim.suffix,
                claim.anchor_state,
                *(str(extra[f]) for f in fields),
            )
        )
    return sorted(rows)


def stances(*, notes: bool = True) -> list[tuple]:
    # An import credits every stance to the importing user: the annotator is compared apart
    # (see `assert_imported_by_curator`), since the seeds hold stances by two readers.
    fields = ["claim__source__slug", "claim__start", "claim__end", "proposition__slug", "label"]
    fields += ["note"] if notes else []
    return sorted(Stance.objects.values_list(*fields))


def assert_imported_by_curator(before_count: int) -> None:
    assert Stance.objects.count() == before_count
    assert set(Stance.objects.values_list("annotator__username", flat=True)) == {"curator"}


def sources() -> list[tuple]:
    return sorted(
        (
            s.slug,
            s.title,
            s.body,
            s.status,
            s.publisher_id and s.publisher.slug,
            s.published_on,
            s.url,
            tuple(a.slug for a in s.authors.order_by("authorships__order")),
        )
        for s in Source.objects.select_related("publisher")
    )


def propositions() -> list[tuple]:
    return sorted(
        (p.slug, p.text, p.notes, tuple(sorted(t.slug for t in p.topics.all())))
        for p in Proposition.objects.prefetch_related("topics")
    )


def snapshot(
    claim_fields=("kind", "attribution", "speaker", "actors", "note"), stance_notes=True
) -> dict:
    return {
        "sources": sources(),
        "claims": claims(fields=claim_fields),
        "stances": stances(notes=stance_notes),
        "propositions": propositions(),
        "comparisons": comparisons(),
    }


def restore_without(sections: set[str]) -> None:
    """Back the corpus up, then restore it over itself with `sections` left empty."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sources.jsonl"
        backup.write_corpus(path)
        kept, section, counts = [], None, {}
        for line in path.read_bytes().splitlines():
            value = orjson.loads(line)
            if isinstance(value, list) and value[0] == "section":
                section = value[1]
                counts[section] = 0
            elif isinstance(value, list) and value[0] == "end":
                kept.append(orjson.dumps(["end", counts]))
                continue
            elif section in sections:
                continue
            elif section is not None:
                counts[section] += 1
            kept.append(line)
        path.write_bytes(b"\n".join(kept) + b"\n")
        backup.restore_file(path, replace=True)


def export_then_empty(formats_wanted: list[str]) -> dict[str, bytes]:
    """Export the corpus, then leave only what the backup brings without claims."""
    client = APIClient()
    files = {
        "jsonl": fetch(client, "api:export-claims-jsonl"),
        "csv": fetch(client, "api:export-claims-csv"),
        "jsonld": fetch(client, "api:export-annotations"),
    }
    # Adjudications name the claims they kept: they go with them.
    restore_without(
        {
            "claims",
            "stances",
            "claim_history",
            "claim_actor_history",
            "stance_history",
            "adjudications",
        }
    )
    assert not Claim.objects.exists() and not Stance.objects.exists()
    return {fmt: files[fmt] for fmt in formats_wanted}


def import_as_curator(name: str, raw: bytes):
    curator = get_user_model().objects.get(username="curator")
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = import_annotations(records=read(name, raw), user=curator)
    assert report.written and not report.refused, report.lines()[-3:]
    # Annotations of published sources went to their working copies: a reviewer publishes them.
    copies = list(Source.objects.working_copies())
    assert copies and all("working copy" in note for note in report.notes[-len(copies) :])
    for copy in copies:
        publish_source(source=copy, by=reviewer_user())
    return report


@round_trip
def test_jsonl_round_trip_is_identical(corpus):
    before = snapshot()
    claims = len(before["claims"])
    assert claims == Claim.objects.count() > 100 and len(before["stances"]) >= claims
    exported = export_then_empty(["jsonl"])
    report = import_as_curator("claims.jsonl", exported["jsonl"])
    assert report.counts() == {"exact": claims}
    assert_imported_by_curator(len(before["stances"]))
    after = snapshot()
    for key in before:
        if after[key] != before[key]:
            show_differences(before[key], after[key])
        assert after[key] == before[key], key


@round_trip
def test_web_annotation_round_trip_keeps_spans_stances_notes_and_comparisons(corpus):
    # The W3C export carries the words, their place, the stances and the claim's note; a
    # claim's kind, speaker and actors and a stance's note travel in the JSONL export.
    before = snapshot(claim_fields=("note", "attribution"), stance_notes=False)
    claims = len(before["claims"])
    exported = export_then_empty(["jsonld"])
    report = import_as_curator("annotations.jsonld", exported["jsonld"])
    assert report.counts() == {"exact": claims}
    assert_imported_by_curator(len(before["stances"]))
    after = snapshot(claim_fields=("note", "attribution"), stance_notes=False)
    for key in before:
        if after[key] != before[key]:
            show_differences(before[key], after[key])
        assert after[key] == before[key], key


@round_trip
def test_csv_round_trip_keeps_spans_kinds_speakers_stances_and_comparisons(corpus):
    before = snapshot(claim_fields=("kind", "speaker", "attribution"), stance_notes=False)
    claims = len(before["claims"])
    exported = export_then_empty(["csv"])
    report = import_as_curator("claims.csv", exported["csv"])
    assert report.counts() == {"exact": claims}
    assert_imported_by_curator(len(before["stances"]))
    after = snapshot(claim_fields=("kind", "speaker", "attribution"), stance_notes=False)
    for key in before:
        if after[key] != before[key]:
            show_differences(before[key], after[key])
        assert after[key] == before[key], key


def test_source_texts_come_back_verbatim_from_the_api(unthrottled):
    client = APIClient()
    for source in Source.objects.published():
        body = client.get(reverse("api:source-detail", args=[source.slug])).json()["body"]
        imported, _ = import_documents(
            documents=[Document(f"copy-{source.slug}.txt", body.encode("utf-8"))],
            verbatim=True,
            title=source.title,
        )
        assert imported[0].body == source.body


def show_differences(a, b, path=""):
    """Print where two snapshots differ, so that a failing round trip says what changed."""
    if type(a) is not type(b):
        print(path, repr(a)[:200], "!=", repr(b)[:200])
    elif isinstance(a, dict):
        for k in set(a) | set(b):
            show_differences(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b):
            print(path, "len", len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            show_differences(x, y, f"{path}[{i}]")
    elif a != b:
        print(path, repr(a)[:200], "!=", repr(b)[:200])
