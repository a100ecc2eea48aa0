"""The annotations importer writes claims and stances as the file's annotator, through the same
services as an edit on screen: history names the annotator, the duplicate rule holds, and a
refusal names the place in the file and leaves nothing behind."""

import json

import pytest

from claims.importing.annotations import load_annotations
from claims.importing.sources import ImportFailure
from claims.models import Claim, Proposition, Stance

from .factories import ActorFactory, SourceFactory

pytestmark = pytest.mark.django_db

QUOTE = "deepened their defence ties"
OTHER = "The corridor remains a red line"


@pytest.fixture
def source():
    return SourceFactory()


def write(tmp_path, source, claims, **extra):
    data = {
        "annotator": {"username": "curator", "name": "The Curator"},
        "propositions": [
            {"slug": "ties-deepen", "text": "Russia and Iran are drawing closer."},
            {"slug": "corridor-divides", "text": "The corridor divides them."},
        ],
        "claims": [{"source": source.slug, "kind": "factual", **claim} for claim in claims],
        **extra,
    }
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def two_claims(label="supports"):
    return [
        {"quote": QUOTE, "stances": [{"proposition": "ties-deepen", "label": label}]},
        {
            "quote": OTHER,
            "kind": "analysis",
            "stances": [
                {"proposition": "corridor-divides", "label": "supports"},
                {"proposition": "ties-deepen", "label": "contradicts"},
            ],
        },
    ]


def written():
    """Every row an import could leave, history included."""
    return (
        Claim.objects.count(),
        Stance.objects.count(),
        Proposition.objects.count(),
        Claim.history.count(),
        Stance.history.count(),
    )


def test_history_names_the_annotator_of_each_claim_and_stance_created(tmp_path, source):
    report = load_annotations(write(tmp_path, source, two_claims()))
    assert report.counts[("Claims", "created")] == 2
    assert report.counts[("Stances", "created")] == 3
    claims = Claim.objects.filter(source=source)
    assert claims.count() == 2
    for claim in claims:
        record = claim.history.get()
        assert record.history_type == "+"
        assert record.history_user.username == "curator"
        assert claim.created_by.username == "curator"
        for stance in claim.stances.all():
            assert stance.annotator.username == "curator"
            (record,) = stance.history.all()
            assert record.history_type == "+"
            assert record.history_user.username == "curator"


def test_importing_the_same_file_again_changes_nothing(tmp_path, source):
    path = write(tmp_path, source, two_claims())
    load_annotations(path)
    before = written()
    report = load_annotations(path)
    assert report.changed == 0
    assert report.counts[("Claims", "unchanged")] == 2
    assert report.counts[("Stances", "unchanged")] == 3
    assert written() == before


def test_a_changed_file_updates_claims_and_stances_in_the_annotators_name(tmp_path, source):
    load_annotations(write(tmp_path, source, two_claims()))
    actor = ActorFactory()
    claims = two_claims(label="mixed")
    claims[1]["note"] = "Read with the map."
    path = write(
        tmp_path,
        source,
        claims,
        actors=[{"slug": actor.slug, "name": actor.name, "kind": actor.kind}],
    )
    data = json.loads(path.read_text("utf-8"))
    data["claims"][0]["actors"] = [actor.slug]
    path.write_text(json.dumps(data), "utf-8")

    report = load_annotations(path)
    assert report.counts[("Claims", "updated")] == 2  # the actors of one, the note of the other
    assert report.counts[("Stances", "updated")] == 1
    assert report.counts[("Stances", "unchanged")] == 2
    first = Claim.objects.get(source=source, quote=QUOTE)
    assert list(first.actors.all()) == [actor]
    second = Claim.objects.get(source=source, quote=OTHER)
    assert second.note == "Read with the map."
    for claim in (first, second):
        latest = claim.history.order_by("-history_date").first()
        assert latest.history_type == "~" and latest.history_user.username == "curator"
    stance = first.stances.get()
    assert stance.label == "mixed"
    latest = stance.history.order_by("-history_date").first()
    assert latest.history_type == "~" and latest.history_user.username == "curator"


def test_two_stances_of_the_file_on_one_claim_and_proposition_are_refused(tmp_path, source):
    claims = two_claims()
    claims[1]["stances"].append({"proposition": "corridor-divides", "label": "mixed"})
    before = written()
    with pytest.raises(ImportFailure) as caught:
        load_annotations(write(tmp_path, source, claims))
    message = str(caught.value)
    assert message.startswith("annotations.json: claims[1].stances[2].proposition: ")
    assert "already gave this claim a stance" in message
    assert "(also at claims[1].stances[0])" in message
    assert written() == before
    assert not Proposition.objects.filter(slug="ties-deepen").exists()


def test_the_same_claim_twice_with_the_same_stance_is_a_duplicate_too(tmp_path, source):
    claims = two_claims()
    claims.append(claims[0])
    before = written()
    with pytest.raises(ImportFailure, match=r"claims\[2\]\.stances\[0\]\.proposition"):
        load_annotations(write(tmp_path, source, claims))
    assert written() == before


def test_a_stance_the_database_holds_given_twice_is_refused(tmp_path, source):
    path = write(tmp_path, source, two_claims())
    load_annotations(path)
    claims = two_claims()
    claims[0]["stances"].append({"proposition": "ties-deepen", "label": "neutral"})
    before = written()
    with pytest.raises(ImportFailure, match=r"claims\[0\]\.stances\[1\]\.proposition"):
        load_annotations(write(tmp_path, source, claims))
    assert written() == before
    assert Stance.objects.get(claim__quote=QUOTE).label == "supports"


@pytest.mark.parametrize(
    ("quote", "problem"),
    [("words that are not in the text", "not found"), ("ran", "ambiguous")],
    ids=["missing", "ambiguous"],
)
def test_a_quote_that_cannot_be_anchored_is_refused_by_place(tmp_path, source, quote, problem):
    claims = two_claims()
    claims[1]["quote"] = quote
    before = written()
    with pytest.raises(ImportFailure) as caught:
        load_annotations(write(tmp_path, source, claims))
    message = str(caught.value)
    assert message.startswith(f"annotations.json: claims[1].quote: in source {source.slug!r}")
    assert problem in message
    # The first claim was written before the second failed: it is gone with the rest.
    assert written() == before
