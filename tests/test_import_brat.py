"""A brat corpus of our own (tests/data/brat): verbatim texts keep every span at its offsets;
cleaned texts get their spans re-anchored on the same words or refused, never misplaced."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.importing import formats
from claims.importing.bulk import import_annotations, read_documents
from claims.importing.formats import BratMapping
from claims.importing.sources import import_files, read_paths
from claims.models import Claim, Proposition, Source, Stance

pytestmark = pytest.mark.django_db

BRAT = Path(__file__).parent / "data" / "brat"
TEXTS = sorted(BRAT.glob("*.txt"))
ANNS = sorted(BRAT.glob("*.ann"))
MAPPING = BratMapping.parse((BRAT / "mapping.toml").read_text("utf-8"))


def spans_in_files() -> list[tuple[str, int, int, str]]:
    """Every continuous T span of the corpus: (file stem, start, end, words)."""
    spans = []
    for ann in ANNS:
        for line in ann.read_text("utf-8").splitlines():
            match = re.match(r"^T\d+\t\S+ (\d+) (\d+)\t(.*)$", line)
            if match:
                spans.append((ann.stem, int(match[1]), int(match[2]), match[3]))
    return spans


@pytest.fixture
def thesis(db):
    return Proposition.objects.create(slug="essay-thesis", text="The essay's thesis holds.")


@pytest.fixture
def verbatim(db):
    sources, _ = import_files(TEXTS, verbatim=True)
    return sources


def run_import(user, **options):
    records = read_documents(read_paths([*ANNS, *TEXTS]), mapping=MAPPING)
    return import_annotations(records=records, user=user, **options)


def test_the_corpus_is_what_it_claims_to_be():
    raw = {path.name: path.read_bytes() for path in TEXTS}
    assert sum(b"\r\n" in data for data in raw.values()) == 2
    assert sum(b"\r\n" not in data for data in raw.values()) == 4
    texts = [data.decode() for data in raw.values()]
    assert any(" \n" in t or "  \r\n" in t for t in texts)  # trailing spaces
    assert any("\u0301" in t for t in texts)  # decomposed accents
    assert any("日本語" in t for t in texts) and any(ord(c) > 0xFFFF for t in texts for c in t)
    first_lines = [t.splitlines()[0] for t in texts]
    assert len(set(first_lines)) == len(first_lines) - 2  # two pairs share a title


def test_verbatim_import_keeps_every_text_identical(verbatim):
    assert len(verbatim) == len(TEXTS) == 6
    for path in TEXTS:
        source = Source.objects.get(slug=path.stem)
        assert source.body == path.read_bytes().decode("utf-8")
        assert source.title == f"Essay{path.stem[-2:]}"
        assert source.status == Source.Status.DRAFT


def test_every_span_lands_at_its_own_offsets(verbatim, thesis, editor):
    report = run_import(editor, partial=True)
    spans = spans_in_files()
    assert len(spans) == 23
    assert report.counts() == {"exact": 23, "refused": 1}
    [refused] = report.refused
    assert "discontinuous" in refused.detail and refused.source == "essay02"
    for stem, start, end, words in spans:
        claim = Claim.objects.get(source__slug=stem, start=start, end=end)
        assert claim.quote == words
    assert Claim.objects.filter(source__in=verbatim).count() == 23
    assert Stance.objects.filter(proposition=thesis, annotator=editor).count() == 11
    kinds = set(Claim.objects.filter(source__in=verbatim).values_list("kind", flat=True))
    assert kinds == {"opinion", "analysis", "factual"}
    assert Claim.objects.filter(source__slug="essay01", note="the essay's thesis").count() == 1


def test_a_refused_annotation_writes_nothing_without_partial(verbatim, thesis, editor):
    report = run_import(editor)
    assert not report.written and len(report.refused) == 1
    assert not Claim.objects.filter(source__in=verbatim).exists()


def test_dry_run_reports_and_writes_nothing(verbatim, thesis, editor):
    report = run_import(editor, dry_run=True, partial=True)
    assert report.counts() == {"exact": 23, "refused": 1}
    assert not report.written
    assert not Claim.objects.filter(source__in=verbatim).exists()


def test_importing_twice_changes_nothing(verbatim, thesis, editor):
    run_import(editor, partial=True)
    before = (Claim.objects.count(), Stance.objects.count(), Claim.history.count())
    report = run_import(editor, partial=True)
    assert report.tallies() == {"claims existing": 23, "stances unchanged": 11}
    assert (Claim.objects.count(), Stance.objects.count(), Claim.history.count()) == before


def test_cleaned_import_is_reanchored_on_the_same_words_or_refused(thesis, editor):
    sources, _ = import_files(TEXTS)  # cleaned: titles dropped, lines joined, spaces trimmed
    slugs = sorted(s.slug for s in sources)
    # Repeated titles give way to the file names; the others are slugged by their title.
    assert slugs == [
        "essay01",
        "essay02",
        "essay03",
        "essay05",
        "homework-for-young-pupils",
        "learning-a-second-language-at-school",
    ]
    report = run_import(editor, partial=True)
    outcomes = report.counts()
    assert outcomes.get("exact", 0) == 0  # every offset moved once the title line was dropped
    assert outcomes["reanchored"] + outcomes["refused"] == 24
    for outcome in report.outcomes:
        if outcome.outcome == "reanchored":
            assert outcome.detail.startswith("moved from")
    files = {s.provenance["file"].removesuffix(".txt"): s.slug for s in sources}
    stored = {
        (c.source.slug, " ".join(c.quote.split()))
        for c in Claim.objects.filter(source__in=sources).select_related("source")
    }
    expected = {(files[stem], " ".join(words.split())) for stem, _, _, words in spans_in_files()}
    # Stored on exactly the annotated words (spacing aside), never elsewhere.
    assert stored <= expected
    assert len(stored) == outcomes["reanchored"]


def test_the_command_reports_and_is_all_or_nothing(verbatim, thesis, editor):
    out = StringIO()
    with pytest.raises(CommandError, match="1 refused"):
        call_command(
            "import_annotations",
            *ANNS,
            "--as",
            "alice",
            "--mapping",
            BRAT / "mapping.toml",
            stdout=out,
        )
    assert "discontinuous span" in out.getvalue()
    assert not Claim.objects.filter(source__in=verbatim).exists()
    call_command(
        "import_annotations",
        *ANNS,
        "--as",
        "alice",
        "--mapping",
        BRAT / "mapping.toml",
        "--partial",
        stdout=out,
    )
    assert Claim.objects.filter(source__in=verbatim).count() == 23


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("T1\tClaim 0 5;9 12\tabcde xyz", "discontinuous"),
        ("T1\tClaim 0\tabc", "are not 'start end'"),
        ("Hello world", "not brat standoff"),
    ],
)
def test_brat_lines_that_cannot_be_claims(line, problem):
    try:
        [item] = formats.read_brat(line, None, source="s", mapping=BratMapping(), name="x.ann")
        assert problem in item.refused
    except formats.ImportFailure as error:
        assert problem in str(error)


def test_unmapped_types_are_skipped_and_reported(verbatim, editor):
    mapping = BratMapping(kinds={"MajorClaim": "opinion"})
    records = read_documents(read_paths([BRAT / "essay01.ann"]), mapping=mapping)
    report = import_annotations(records=records, user=editor)
    assert report.counts() == {"exact": 1, "skipped": 3}
    assert report.written
