"""Whose view a claim is: stored, checked and settable on every write path (model, migration,
importer, admin, annotation screen, API)."""

import importlib
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims import backup
from claims.importing.annotations import load_annotations
from claims.importing.sources import ImportFailure
from claims.models import Claim, Source

from .api_helpers import client_for, error_message
from .corpus import revise
from .factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

SOURCE = "does-russia-support-iran"
QUOTE = "Russia and Iran share a complex, strategic relationship"


def annotations(tmp_path, **claim):
    data = {
        "annotator": {"username": "curator"},
        "propositions": [{"slug": "new-proposition", "text": "Something holds."}],
        "claims": [
            {
                "source": SOURCE,
                "quote": QUOTE,
                "kind": "analysis",
                "stances": [{"proposition": "new-proposition", "label": "supports"}],
                **claim,
            }
        ],
    }
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def loaded() -> Claim:
    return Claim.objects.get(source__slug=SOURCE, quote=QUOTE)


def load_published(tmp_path, **claim) -> None:
    """Import the file as editors do on a published source: onto its working copy, which a
    reviewer then publishes."""
    revise(
        Source.objects.get(slug=SOURCE),
        lambda copy: load_annotations(annotations(tmp_path, source=copy.slug, **claim)),
    )


def test_a_claim_is_the_sources_own_view_unless_told_otherwise():
    source = SourceFactory()
    claim = Claim.objects.create(source=source, start=0, end=6, quote=source.body[:6])
    assert claim.attribution == Claim.Attribution.OWN


def test_the_database_refuses_an_unknown_attribution():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError, match="claim_attribution_valid"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(attribution="hearsay")


def test_the_database_refuses_the_retired_kind():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError, match="claim_kind_valid"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(kind="reported_speech")


def test_the_migration_turns_reported_speech_into_reported_factual_claims_in_history_too():
    migration = importlib.import_module("claims.migrations.0011_claim_attribution")
    claim = ClaimFactory(kind=Claim.Kind.OPINION)
    history = claim.history.model
    # History rows carry no CHECK, so an old version with the retired kind can exist there.
    history.objects.filter(id=claim.pk).update(kind="reported_speech")
    untouched = ClaimFactory(kind=Claim.Kind.FACTUAL)
    migration.retire_reported_speech(apps, transaction.get_connection().schema_editor())
    assert set(history.objects.filter(id=claim.pk).values_list("kind", "attribution")) == {
        ("factual", "reported")
    }
    assert history.objects.filter(id=untouched.pk).values_list("kind", "attribution").get() == (
        "factual",
        "own",
    )


def test_the_seeds_old_reported_speech_claims_load_as_reported_factual_ones():
    # The seed file in this branch may predate attribution: either way no claim may be left
    # with a speaker and no reporting, nor any retired kind.
    assert not Claim.objects.filter(kind="reported_speech").exists()
    assert Claim.objects.filter(attribution="reported").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, ("analysis", "own")),
        ({"attribution": "counterpoint"}, ("analysis", "counterpoint")),
        ({"attribution": "background", "kind": "factual"}, ("factual", "background")),
        ({"kind": "reported_speech"}, ("factual", "reported")),
        ({"kind": "reported_speech", "attribution": "reported"}, ("factual", "reported")),
    ],
    ids=["missing-is-own", "counterpoint", "background", "retired-kind", "retired-and-reported"],
)
def test_the_importer_reads_attribution(tmp_path, given, expected):
    load_published(tmp_path, **given)
    claim = loaded()
    assert (claim.kind, claim.attribution) == expected


def test_reimporting_a_changed_attribution_updates_the_claim(tmp_path):
    load_published(tmp_path)
    assert loaded().attribution == "own"
    load_published(tmp_path, attribution="reported")
    assert loaded().attribution == "reported"


@pytest.mark.parametrize(
    ("given", "where", "words"),
    [
        ({"attribution": "hearsay"}, "claims[0].attribution", "'hearsay' is not one of own"),
        ({"attribution": 3}, "claims[0].attribution", "3 is not one of"),
        (
            {"kind": "reported_speech", "attribution": "counterpoint"},
            "claims[0].kind",
            "'reported_speech' is a reported view",
        ),
    ],
)
def test_the_importer_refuses_a_bad_attribution_by_name(tmp_path, given, where, words):
    before = Claim.objects.count()
    with pytest.raises(ImportFailure) as caught:
        load_annotations(annotations(tmp_path, **given))
    assert where in str(caught.value) and words in str(caught.value)
    assert Claim.objects.count() == before


def admin_form(source, **changes) -> dict:
    return {
        "source": source.pk,
        "start": 0,
        "end": 6,
        "quote": "",
        "kind": "analysis",
        "note": "",
        "stances-TOTAL_FORMS": "0",
        "stances-INITIAL_FORMS": "0",
        "stances-MIN_NUM_FORMS": "0",
        "stances-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_the_admin_sets_attribution_and_names_a_bad_one(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    url = reverse("admin:claims_claim_add")
    bad = client.post(url, admin_form(source, attribution="hearsay"))
    assert bad.status_code == 200
    assert "attribution" in bad.context["adminform"].form.errors
    good = client.post(url, admin_form(source, attribution="counterpoint"))
    assert good.status_code == 302
    assert Claim.objects.get(source=source).attribution == "counterpoint"


def test_the_admin_lists_and_filters_by_attribution(client, editor):
    reported = ClaimFactory(attribution=Claim.Attribution.REPORTED)
    own = ClaimFactory()
    client.force_login(editor)
    response = client.get(reverse("admin:claims_claim_changelist") + "?attribution=reported")
    assert response.status_code == 200
    shown = {claim.pk for claim in response.context["cl"].result_list}
    assert reported.pk in shown and own.pk not in shown
    assert "Reported view" in response.content.decode()


def annotate(client, source, **fields):
    data = {"action": "save", "source": source.pk, "kind": "analysis", "note": "", **fields}
    return client.post(reverse("admin:claims_source_annotate", args=[source.pk]), data)


def test_the_annotation_screen_offers_attribution_as_one_click(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    page = client.get(reverse("admin:claims_source_annotate", args=[source.pk]))
    html = page.content.decode()
    for value in Claim.Attribution.values:
        assert f'type="radio" name="attribution" value="{value}"' in html
    # A new claim starts as the source's own view.
    assert re.search(r'<input type="radio" name="attribution" value="own"[^>]* checked', html)


def test_the_annotation_screen_saves_attribution(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    response = annotate(client, source, start=0, end=6, attribution="background")
    assert response.status_code == 302, response.content[:300]
    assert Claim.objects.get(source=source).attribution == "background"


def test_the_annotation_screen_names_a_bad_attribution(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    response = annotate(client, source, start=0, end=6, attribution="hearsay")
    assert response.status_code == 400
    assert "attribution" in response.context["claim_form"].errors
    assert not Claim.objects.filter(source=source).exists()


def test_the_api_writes_filters_and_refuses_attribution(editor):
    source = SourceFactory(body="Moscow backs the corridor. Tehran calls it a red line.")
    client = client_for(editor)
    url = reverse("api:claim-list")
    data = {"source": source.slug, "start": 0, "end": 25, "anchor": "offsets", "kind": "analysis"}
    bad = client.post(url, {**data, "attribution": "hearsay"}, format="json")
    assert bad.status_code == 400
    assert "attribution" in bad.json()["error"]["fields"]
    assert error_message(bad).startswith("attribution:")
    made = client.post(url, {**data, "attribution": "counterpoint"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["attribution"] == "counterpoint"
    default = client.post(url, {**data, "start": 27, "end": 53}, format="json")
    assert default.json()["attribution"] == "own"

    listed = client.get(f"{url}?source={source.slug}&attribution=counterpoint").json()
    assert [claim["attribution"] for claim in listed["results"]] == ["counterpoint"]
    refused = client.get(f"{url}?attribution=hearsay")
    assert refused.status_code == 400


def test_a_version_1_backup_restores_with_attribution(tmp_path):
    reported = set(Claim.objects.filter(attribution="reported").values_list("pk", flat=True))
    counterpoint = ClaimFactory(attribution=Claim.Attribution.COUNTERPOINT)
    current = tmp_path / "current.jsonl"
    backup.write_corpus(current)
    document, section = {}, None
    for line in current.read_text("utf-8").splitlines():
        value = json.loads(line)
        if isinstance(value, dict) and section is None:
            document.update(value)  # the header: format, version, exported_at
        elif isinstance(value, list) and value[0] == "section":
            section = value[1]
            document[section] = []
        elif isinstance(value, dict):
            document[section].append(value)
    # As an older site wrote it: one document, no attribution, reported views as the retired
    # kind.
    document["version"] = 1
    for section in ("claims", "claim_history"):
        for row in document[section]:
            if row.pop("attribution") == "reported":
                row["kind"] = "reported_speech"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document, default=str), "utf-8")
    call_command("import_corpus", str(path), "--replace")
    assert set(Claim.objects.filter(attribution="reported").values_list("pk", flat=True)) == (
        reported
    )
    # Version 1 could not say "counterpoint": such a claim comes back as the source's own.
    assert Claim.objects.get(pk=counterpoint.pk).attribution == "own"
    assert not Claim.objects.filter(kind="reported_speech").exists()
