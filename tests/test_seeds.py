"""The seed corpus as `make run` loads it: cleaned, annotated, published, idempotent."""

import datetime as dt
from collections import defaultdict

import pytest

from claims.importing.seeds import load_seeds
from claims.models import Author, Claim, Proposition, Source, Stance, Topic

pytestmark = pytest.mark.django_db

# Whole blocks that are captions or widgets; the words may still occur inside real sentences.
FURNITURE_BLOCKS = {"Russia Iran Relations", "Russia and Iran", "Table of Contents", "Dima"}
FURNITURE = [
    "thoughts on",
    "Leave a Comment",
    "Read 8943 times",
    "user placeholder",
    "written by",
    "All Dima articles",
    "Staff Publications",
    "Visit also",
    "Source »",
    "ejpress",
    "Sign up for",
    "Vali Kaleji is Ph.D.",
    "This email address is being protected",
    "Table of Contents",
    "Middle east small",
    "Iranian Presidency / AFP",
    "Author: Kamran Bokhari",
    "Read more from this author",
    "**",
    "# ",
]


def test_five_published_sources_with_the_metadata_the_texts_state():
    sources = {s.slug: s for s in Source.objects.select_related("publisher")}
    assert len(sources) == 5
    assert all(s.status == Source.Status.PUBLISHED and s.published_at for s in sources.values())

    gpf = sources["corridor-dividing-russia-and-iran"]
    assert gpf.title == "The Corridor Dividing Russia and Iran"
    assert gpf.publisher.name == "Geopolitical Futures"
    assert gpf.published_on == dt.date(2024, 9, 12)
    assert [a.name for a in gpf.authors.all()] == ["Kamran Bokhari"]

    caci = sources["russia-and-iran-diverge-in-the-south-caucasus"]
    assert caci.publisher.name == "Central Asia-Caucasus Analyst"
    assert caci.published_on == dt.date(2023, 6, 15)
    assert [a.name for a in caci.authors.all()] == ["Vali Kaleji"]

    fanack = sources["russia-and-iran-new-divides"]
    assert fanack.title == "Russia and Iran: New Divides and Ongoing Intersections"
    assert fanack.translated_from == "ar"
    assert fanack.published_on is None  # the page does not say
    assert [a.name for a in fanack.authors.all()] == ["Ali Noureddine"]

    blog = sources["does-russia-support-iran"]
    assert blog.publisher is None and not blog.authors.exists() and blog.published_on is None

    ejp = sources["iran-russia-alliance-ejp"]
    assert ejp.title_supplied and not ejp.authors.exists() and ejp.published_on is None


def test_no_body_contains_page_furniture():
    for source in Source.objects.all():
        blocks = {source.body[b["start"] : b["end"]] for b in source.blocks}
        assert not blocks & FURNITURE_BLOCKS, source.slug
        assert set(source.body.split("\n\n")) == blocks
        for text in FURNITURE:
            assert text not in source.body, f"{source.slug} still contains {text!r}"


def test_the_author_bio_went_to_the_author():
    bio = Author.objects.get(slug="vali-kaleji").bio
    assert bio.startswith("Vali Kaleji is Ph.D. in Regional Studies")
    assert "spambots" not in bio and "reached at" not in bio


def test_headings_are_kept_as_blocks_of_the_reading_view():
    source = Source.objects.get(slug="russia-and-iran-new-divides")
    headings = [source.body[b["start"] : b["end"]] for b in source.blocks if b["kind"] == "heading"]
    assert headings == [
        "Contradictory Interests in the South Caucasus",
        "Disagreements in Arab Region Issues",
        "Continuous Exchange of Interests",
    ]


def test_every_claim_quotes_its_source_exactly():
    claims = Claim.objects.select_related("source")
    assert claims.count() >= 60
    for claim in claims:
        assert claim.source.body[claim.start : claim.end] == claim.quote
        assert claim.anchor_state == "anchored"
        assert claim.source.body[max(0, claim.start - 32) : claim.start] == claim.prefix
        assert claim.source.body[claim.end : claim.end + 32] == claim.suffix


def test_the_curated_reading_is_broad_and_shows_disagreement():
    per_source = defaultdict(int)
    for slug in Claim.objects.values_list("source__slug", flat=True):
        per_source[slug] += 1
    assert len(per_source) == 5 and min(per_source.values()) >= 8

    assert Proposition.objects.count() >= 12
    assert Topic.objects.filter(propositions__isnull=False).distinct().count() >= 6

    labels = defaultdict(lambda: defaultdict(set))
    for proposition, source, label in Stance.objects.values_list(
        "proposition__slug", "claim__source__slug", "label"
    ):
        labels[proposition][source].add(label)
    contested = [
        slug
        for slug, by_source in labels.items()
        if len(by_source) >= 3 and len(set().union(*by_source.values())) >= 2
    ]
    assert len(contested) >= 5, contested


def test_speakers_are_set_where_the_text_attributes_words():
    speakers = set(
        Claim.objects.filter(speaker__isnull=False).values_list("speaker__name", flat=True)
    )
    for name in ["Araghchi", "Rezaei", "Lavrov", "Bocharnikov", "Khamenei", "Putin"]:
        assert any(name in speaker for speaker in speakers), name
    assert not Claim.objects.filter(attribution="reported", speaker__isnull=True).exists()


def test_loading_twice_changes_nothing():
    counts = [
        model.history.count() if hasattr(model, "history") else model.objects.count()
        for model in (Source, Claim, Stance, Proposition)
    ]
    report = load_seeds()
    assert report.changed == 0
    assert counts == [model.history.count() for model in (Source, Claim, Stance, Proposition)]
