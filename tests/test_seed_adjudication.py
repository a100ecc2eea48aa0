"""The seeds' double reading, adjudicated: every unit decided from seeds/adjudication.json through
claims.adjudicating, the figures printed, the file refused when it does not settle a source."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims import agreement_reports
from claims.adjudicating import check_settled
from claims.importing.adjudication import load_adjudication
from claims.importing.annotations import load_annotations
from claims.importing.sources import ImportFailure
from claims.models import Adjudication, Claim, Source, Stance
from claims.publishing import unpublish_source

from .factories import reviewer_user

pytestmark = pytest.mark.django_db

DOUBLE_READ = ["iran-russia-alliance-ejp", "russia-and-iran-new-divides"]


def seed_file(settings):
    return settings.BASE_DIR / "seeds" / "adjudication.json"


def test_every_unit_of_the_double_read_seeds_is_decided():
    for slug in DOUBLE_READ:
        check_settled(Source.objects.get(slug=slug))  # raises while a unit is undecided
    decided = Counter(Adjudication.objects.values_list("source__slug", "decision").order_by())
    assert decided == {
        ("russia-and-iran-new-divides", "merged"): 12,
        ("russia-and-iran-new-divides", "accepted"): 19,
        ("russia-and-iran-new-divides", "edited"): 1,
        ("iran-russia-alliance-ejp", "merged"): 4,
        ("iran-russia-alliance-ejp", "accepted"): 21,
        ("iran-russia-alliance-ejp", "edited"): 1,
    }
    assert all(a.decided_by.username == "adjudicator" for a in Adjudication.objects.all())
    # Every decision on a disagreement says why; merges need no reason.
    assert not Adjudication.objects.exclude(decision="merged").filter(note="").exists()


def test_the_published_reading_is_the_adjudicated_one():
    ejp = "iran-russia-alliance-ejp"
    # Kept from the second reading: a sentence the first reader missed.
    pivotal = Claim.objects.get(source__slug=ejp, quote__startswith="Iran occupies a pivotal")
    assert pivotal.created_by.username == "second-reader"
    assert pivotal.stances.get().proposition.slug == "russia-iran-strategic-partnership"
    # Edited: each reader saw one side of the sentence; both stances kept.
    aligning = Claim.objects.get(source__slug=ejp, quote__startswith="Iran, recognizing this")
    assert dict(aligning.stances.values_list("proposition__slug", "label")) == {
        "relations-are-diverging": "contradicts",
        "russia-iran-strategic-partnership": "supports",
    }
    # The first reader's "mixed" on the Soviet-era sentence gave way to the second reading.
    assert not Claim.objects.filter(source__slug=ejp, quote__startswith="Russian influence in")
    # Every unit holds one reader's claims: no sentence counts twice.
    for slug in DOUBLE_READ:
        spans = sorted(Claim.objects.filter(source__slug=slug).values_list("start", "end"))
        assert len(spans) == len(set(spans))
    assert Claim.objects.count() == 166


def test_agreement_figures_are_printed_from_the_readings_handed_in():
    out = StringIO()
    call_command("agreement_figures", "--samples", "50", stdout=out)
    text = out.getvalue()
    for slug in DOUBLE_READ:
        assert f"{slug} — readers curator, second-reader" in text
    assert "all double-read sources" in text
    for label in ("stance α", "proposition α", "kind α", "Cohen's κ", "span F1", "unitizing α"):
        assert text.count(label) == 3
    # Adjudication changes what is published, not what the readers handed in.
    items = agreement_reports.handed_in()
    figures = agreement_reports.combined_report(items.values(), samples=50)
    assert f"stance α (stance distance): {figures.stance.value:.3f}" in text
    assert f"span F1:                    {figures.span_f1:.3f}" in text
    assert "russia-and-iran-new-divides: 32 units (19 accepted, 1 edited, 12 merged)" in text


def test_loading_again_changes_nothing(settings):
    before = list(Claim.objects.order_by("pk").values_list("pk", "kind", "attribution"))
    report = load_adjudication(seed_file(settings))
    assert report.changed == 0
    assert list(Claim.objects.order_by("pk").values_list("pk", "kind", "attribution")) == before


@pytest.fixture
def unsettled(settings):
    """The EJP article as it stood before adjudication: a draft (a published revision is
    read-only, and the seed loader publishes only once the readings are settled), the curated
    claims live, the second reading handed in as data, nothing decided."""
    source = Source.objects.get(slug="iran-russia-alliance-ejp")
    unpublish_source(source=source, by=reviewer_user())
    Adjudication.objects.filter(source=source).delete()
    Claim.objects.filter(source=source).delete()
    second = source.assignments.get(annotator__username="second-reader")
    second.reading = [{**item, "claim": None} for item in second.reading]
    second.save()
    load_annotations(settings.BASE_DIR / "seeds" / "annotations.json")
    return source


def write(tmp_path, data):
    path = tmp_path / "adjudication.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda units: units.pop(), r"units \(iran-russia-alliance-ejp\).*no decision"),
        (lambda units: units[0].update(unit="Not a unit."), r"units\[0\]\.unit"),
        (lambda units: units[0].update(decision="toss"), r"units\[0\]\.decision"),
        (lambda units: units[0].update(reader="nobody"), r"units\[0\]\.reader"),
        (lambda units: units[0].update(reason=" "), r"units\[0\]\.reason"),
        (lambda units: units[0].update(changes={"kind": "x"}), r"units\[0\]\.changes"),
    ],
)
def test_a_file_that_does_not_settle_the_source_is_refused(
    settings, tmp_path, unsettled, change, message
):
    data = json.loads(seed_file(settings).read_text())
    data["units"] = [u for u in data["units"] if u["source"] == unsettled.slug]
    change(data["units"])
    before = Claim.objects.filter(source=unsettled).count()
    assert before == 23  # the curated reading only
    with pytest.raises(ImportFailure, match=message):
        load_adjudication(write(tmp_path, data))
    assert not Adjudication.objects.filter(source=unsettled).exists()
    assert Claim.objects.filter(source=unsettled).count() == before


def test_the_file_settles_a_source_from_both_readings(settings, tmp_path, unsettled):
    data = json.loads(seed_file(settings).read_text())
    data["units"] = [u for u in data["units"] if u["source"] == unsettled.slug]
    report = load_adjudication(write(tmp_path, data))
    assert report.counts[("Adjudications", "created")] == 26
    check_settled(unsettled)
    assert Claim.objects.filter(source=unsettled).count() == 26


def test_the_second_reading_is_entered_in_its_readers_name(settings, tmp_path, unsettled):
    data = json.loads(seed_file(settings).read_text())
    data["units"] = [u for u in data["units"] if u["source"] == unsettled.slug]
    since = timezone.now()
    load_adjudication(write(tmp_path, data))
    entered = Claim.history.filter(
        source_id=unsettled.pk, created_by__username="second-reader", history_type="+"
    )
    assert entered.exists()
    assert {record.history_user.username for record in entered} == {"second-reader"}
    stances = Stance.history.filter(claim_id__in=entered.values("id"), history_type="+")
    assert stances.exists()
    assert {(s.annotator.username, s.history_user.username) for s in stances} == {
        ("second-reader", "second-reader")
    }
    # The readings the decisions dropped went in the adjudicator's name.
    dropped = Claim.history.filter(
        source_id=unsettled.pk, history_type="-", history_date__gte=since
    )
    assert dropped.exists()
    assert {record.history_user.username for record in dropped} == {"adjudicator"}


def test_a_reading_that_no_longer_fits_the_text_is_refused_by_place(settings, tmp_path, unsettled):
    second = unsettled.assignments.get(annotator__username="second-reader")
    second.reading = [{**second.reading[0], "end": len(unsettled.body) + 5}, *second.reading[1:]]
    second.save()
    data = json.loads(seed_file(settings).read_text())
    data["units"] = [u for u in data["units"] if u["source"] == unsettled.slug]
    before = Claim.objects.filter(source=unsettled).count()
    with pytest.raises(ImportFailure) as caught:
        load_adjudication(write(tmp_path, data))
    assert str(caught.value).startswith(
        "adjudication.json: units (iran-russia-alliance-ejp): claim 0 of second-reader's "
        "reading: end: end must not exceed the body length"
    )
    assert Claim.objects.filter(source=unsettled).count() == before
    assert not Adjudication.objects.filter(source=unsettled).exists()
