"""The seeds' second reading: loaded as a handed-in reading beside the first, measured, refused
when malformed."""

import json

import pytest

from claims import agreement_reports
from claims.importing.second_reading import load_second_reading
from claims.importing.sources import ImportFailure
from claims.models import Assignment, Claim, Source

pytestmark = pytest.mark.django_db

DOUBLE_READ = {"iran-russia-alliance-ejp", "russia-and-iran-new-divides"}


def test_seeds_hold_two_done_readings_of_two_sources():
    rows = Assignment.objects.filter(status="done").values_list(
        "source__slug", "annotator__username"
    )
    assert {slug for slug, _ in rows} == DOUBLE_READ
    assert sorted(name for _, name in rows) == ["curator", "curator"] + ["second-reader"] * 2
    second = Assignment.objects.filter(annotator__username="second-reader")
    assert sum(len(a.reading) for a in second) == 42
    # Only the second reader's claims that adjudication kept are live (seeds/adjudication.json).
    live = Claim.objects.filter(created_by__username="second-reader")
    assert live.count() == 4
    assert all(claim.adjudications.exists() for claim in live)


def test_second_reading_offsets_point_at_its_quotes():
    for assignment in Assignment.objects.select_related("source"):
        for item in assignment.reading:
            assert assignment.source.body[item["start"] : item["end"]] == item["quote"]
            assert item["attribution"] in {"", "own", "reported", "counterpoint", "background"}


def test_figures_for_the_double_read_seeds():
    items = agreement_reports.handed_in()
    assert {item.slug for item in items.values()} == DOUBLE_READ
    for item in items.values():
        report = agreement_reports.source_report(item, samples=100)
        assert 0 < report.span_f1 <= 1
        assert report.stance.low <= report.stance.value <= report.stance.high


def test_loading_again_changes_nothing(tmp_path, settings):
    path = settings.BASE_DIR / "seeds" / "second_reading.json"
    before = list(Assignment.objects.order_by("pk").values_list("pk", "reading"))
    report = load_second_reading(path)
    # Both sources are adjudicated: their readings stay as they were handed in.
    assert report.counts[("Readings", "unchanged")] == 2
    assert report.changed == 0
    assert list(Assignment.objects.order_by("pk").values_list("pk", "reading")) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["claims"][0].update(quote="Words that are not in the text."),
            "claims[0].quote",
        ),
        (lambda d: d["claims"][0].update(kind="rumour"), "claims[0].kind"),
        (lambda d: d["claims"][0].update(attribution="hearsay"), "claims[0].attribution"),
        (lambda d: d["claims"][0]["stances"][0].update(proposition="nope"), "proposition"),
        (lambda d: d["claims"][0]["stances"][0].update(label="maybe"), "label"),
        (lambda d: d.update(sources=["no-such-source"]), "sources"),
    ],
)
def test_malformed_reading_is_refused_whole(tmp_path, settings, change, message):
    data = json.loads((settings.BASE_DIR / "seeds" / "second_reading.json").read_text())
    change(data)
    path = tmp_path / "reading.json"
    path.write_text(json.dumps(data))
    before = list(Assignment.objects.values_list("pk", "reading"))
    with pytest.raises(ImportFailure, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_second_reading(path)
    assert list(Assignment.objects.values_list("pk", "reading")) == before


def test_reading_view_says_a_seed_source_was_double_read(client):
    source = Source.objects.get(slug="iran-russia-alliance-ejp")
    page = client.get(f"/sources/{source.slug}/").content.decode()
    assert "read independently by 2 analysts" in page
