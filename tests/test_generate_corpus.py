"""The benchmark corpus generator: safe to run, deterministic, and valid data all the way down."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command, get_commands
from django.db.models import Count
from django.test import modify_settings
from django.urls import reverse

from bench.generator import generating
from claims.anchoring import CONTEXT_LENGTH
from claims.layout import split_blocks
from claims.models import (
    Actor,
    Author,
    Authorship,
    Claim,
    Proposition,
    Publisher,
    Source,
    Stance,
    StanceLabel,
    Topic,
)
from claims.models.annotations import ClaimAttribution, ClaimKind
from geopolitics import settings as site_settings

from .api_helpers import client_for
from .factories import ClaimFactory

pytestmark = pytest.mark.django_db

SOURCES, CLAIMS_PER_SOURCE = 12, 10


@pytest.fixture(autouse=True)
def generator_installed():
    """What bench/settings.py does: the site's settings plus the generator app."""
    with modify_settings(INSTALLED_APPS={"append": "bench.generator"}):
        yield


def test_the_site_settings_have_no_generator_command():
    # Production runs geopolitics.settings: a command that deletes the corpus must not exist.
    with modify_settings(INSTALLED_APPS={"remove": "bench.generator"}):
        assert "bench.generator" not in site_settings.INSTALLED_APPS
        assert "generate_corpus" not in get_commands()
        with pytest.raises(CommandError, match="Unknown command: 'generate_corpus'"):
            call_command("generate_corpus", "--sources", "1", "--force")
    assert not Source.objects.filter(slug__startswith="gen-").exists()


def test_the_benchmark_settings_install_the_generator():
    import bench.settings

    assert [*site_settings.INSTALLED_APPS, "bench.generator"] == bench.settings.INSTALLED_APPS
    assert get_commands()["generate_corpus"] == "bench.generator"


def run(*args: str, force: bool = True) -> str:
    """Run the command quietly enough for tests and return what it printed."""
    out = StringIO()
    options = ["--force"] if force else []
    call_command("generate_corpus", *args, *options, stdout=out)
    return out.getvalue()


def small(seed: int = 1, **kwargs) -> generating.Summary:
    return generating.generate(SOURCES, CLAIMS_PER_SOURCE, seed, force=True, **kwargs)


def snapshot() -> dict:
    """Everything a run decides, without ids of users (which other tests' users can shift)."""
    return {
        "sources": list(
            Source.objects.order_by("pk").values_list(
                "pk", "title", "slug", "url", "published_on", "created", "published_at",
                "status", "body", "body_sha256", "blocks", "provenance", "publisher_id",
            )
        ),
        "claims": list(
            Claim.objects.order_by("pk").values_list(
                "pk", "source_id", "start", "end", "quote", "prefix", "suffix", "kind",
                "attribution", "speaker_id", "created",
            )
        ),
        "actors": list(Claim.actors.through.objects.order_by("pk").values_list()),
        "stances": list(
            Stance.objects.order_by("pk").values_list(
                "pk", "claim_id", "proposition_id", "label", "annotator__username", "created"
            )
        ),
        "propositions": list(Proposition.objects.order_by("pk").values_list("pk", "text", "slug")),
    }  # fmt: skip


def test_refuses_seeds_without_force_and_changes_nothing():
    before = (Source.objects.count(), Claim.objects.count(), Stance.objects.count())
    assert before[0] > 0
    with pytest.raises(CommandError) as refused:
        run("--sources", "3", force=False)
    message = str(refused.value)
    assert "did not make" in message and "--force" in message
    assert "sources" in message and "provenance" in message
    assert (Source.objects.count(), Claim.objects.count(), Stance.objects.count()) == before
    assert not Source.objects.filter(slug__startswith="gen-").exists()


def test_force_replaces_the_seeds():
    seed_slugs = set(Source.objects.values_list("slug", flat=True))
    run("--sources", str(SOURCES), "--claims-per-source", str(CLAIMS_PER_SOURCE), "-v", "0")
    assert not Source.objects.filter(slug__in=seed_slugs).exists()
    assert not Proposition.objects.exclude(slug__startswith="gen-").exists()
    assert generating.foreign_content() == {}


def test_rerun_over_a_generated_corpus_needs_no_force():
    small()
    run("--sources", "4", "--claims-per-source", "5", "--seed", "2", "-v", "0", force=False)
    assert Source.objects.count() == 4 and Claim.objects.count() == 20


def test_hand_made_content_among_generated_is_refused():
    small()
    # On a generated draft: a published revision is read-only.
    source = Source.objects.exclude(status=Source.Status.PUBLISHED).order_by("pk").first()
    ClaimFactory(source=source, span=(0, 5), created_by=get_user_model().objects.first())
    with pytest.raises(generating.ForeignContentError, match="1 claims with a creator"):
        generating.generate(2, 2, 1)


def test_counts_match_the_arguments():
    summary = small(annotators=2)
    sizes = generating.Sizes.of(summary.parameters)
    assert Source.objects.count() == SOURCES
    assert Claim.objects.count() == SOURCES * CLAIMS_PER_SOURCE
    per_source = Source.objects.annotate(n=Count("claims")).values_list("n", flat=True)
    assert set(per_source) == {CLAIMS_PER_SOURCE}
    assert Publisher.objects.count() == sizes.publishers
    assert Author.objects.count() == sizes.authors
    assert Topic.objects.count() == sizes.topics
    assert Topic.objects.filter(parent=None).count() == sizes.root_topics
    assert Actor.objects.count() == sizes.actors
    assert Proposition.objects.count() == sizes.propositions
    assert get_user_model().objects.filter(username__startswith="gen-annotator-").count() == 2
    assert summary.rows["claims_claim"] == SOURCES * CLAIMS_PER_SOURCE


def test_same_arguments_same_corpus_and_another_seed_differs():
    small()
    first = snapshot()
    small()
    assert snapshot() == first
    small(seed=2)
    second = snapshot()
    assert second["sources"] != first["sources"]
    assert [c[4] for c in second["claims"]] != [c[4] for c in first["claims"]]


def test_a_source_does_not_depend_on_how_many_come_before():
    generating.generate(4, 6, 5, force=True)
    body = Source.objects.get(slug="gen-5-3").body
    generating.generate(8, 6, 5, force=True)
    assert Source.objects.get(slug="gen-5-3").body == body


def test_claims_are_anchored_exactly():
    small()
    bodies = dict(Source.objects.values_list("pk", "body"))
    for claim in Claim.objects.all():
        body = bodies[claim.source_id]
        assert claim.quote == body[claim.start : claim.end]
        assert claim.prefix == body[max(0, claim.start - CONTEXT_LENGTH) : claim.start]
        assert claim.suffix == body[claim.end : claim.end + CONTEXT_LENGTH]
        assert claim.anchor_state == "anchored" and claim.created_by_id is None
        assert claim.actors.count() <= 3


def test_text_exercises_code_points_outside_ascii_and_the_bmp():
    generating.generate(60, 10, 1, force=True)
    text = "".join(Source.objects.values_list("body", flat=True))
    assert "—" in text and re.search(r"[ÖöÇçŁłŞşğÜü]", text)
    assert any(ord(ch) > 0xFFFF for ch in text)
    quotes = "".join(Claim.objects.values_list("quote", flat=True))
    assert any(ord(ch) > 0xFFFF for ch in quotes)


def test_blocks_are_the_layout_the_importer_writes():
    small()
    for source in Source.objects.all():
        assert 4000 <= len(source.body) <= 12000
        assert [(b["start"], b["end"]) for b in source.blocks] == split_blocks(source.body)
        assert {b["kind"] for b in source.blocks} <= {"heading", "paragraph"}
        assert all(set(b) == {"kind", "level", "start", "end"} for b in source.blocks)
        assert source.blocks[0]["kind"] == "paragraph"
        assert source.provenance["generated"]["index"] == int(source.slug.rsplit("-", 1)[1])
        assert source.language == "en" and source.version == 1


def test_body_checksum_is_what_save_computes():
    small()
    source = Source.objects.first()
    stored = source.body_sha256
    source.save()
    source.refresh_from_db()
    assert source.body_sha256 == stored


def test_stances_cover_every_label_with_some_disagreement():
    generating.generate(SOURCES, CLAIMS_PER_SOURCE, 1, 3, force=True)
    assert set(Stance.objects.values_list("label", flat=True)) == set(StanceLabel.values)
    assert not Claim.objects.filter(stances=None).exists()
    readings: dict[tuple[int, int], set[str]] = {}
    for claim, proposition, label in Stance.objects.values_list("claim", "proposition", "label"):
        readings.setdefault((claim, proposition), set()).add(label)
    assert any(len(labels) > 1 for labels in readings.values())
    assert sum(len(labels) == 1 for labels in readings.values()) > len(readings) / 2
    assert set(Claim.objects.values_list("kind", flat=True)) == set(ClaimKind.values)
    speech = Claim.objects.filter(attribution=ClaimAttribution.REPORTED)
    assert speech.exists() and not speech.filter(speaker=None).exists()


def test_each_source_draws_on_a_small_pool_of_propositions():
    small()
    for source in Source.objects.all():
        used = Stance.objects.filter(claim__source=source).values("proposition").distinct()
        assert used.count() <= 6


def test_search_terms_occur_at_about_the_documented_rates():
    generating.generate(40, 50, 1, force=True)
    total = Claim.objects.count()
    terms = generating.SEARCH_TERMS

    def share(term):
        return Claim.objects.filter(quote__icontains=term).count() / total

    assert Claim.objects.filter(quote__icontains=terms["rare"]).count() >= 1
    assert 0.002 <= share(terms["medium"]) <= 0.03
    assert 0.18 <= share(terms["common"]) <= 0.32


def test_no_vocabulary_word_contains_a_search_term():
    words = " ".join(
        " ".join(values)
        for name, values in vars(generating).items()
        if name.isupper() and isinstance(values, tuple) and all(isinstance(v, str) for v in values)
    ).lower()
    for term in generating.SEARCH_TERMS.values():
        assert term not in words


def test_one_history_record_per_object():
    small()
    for model in (Source, Claim, Stance, Proposition):
        history = model.history.model.objects
        assert history.count() == model.objects.count()
        assert set(history.values_list("history_type", flat=True)) == {"+"}
        assert set(history.values_list("history_change_reason", flat=True)) == {"generated"}
        assert not history.filter(history_user__isnull=False).exists()
    claim = Claim.objects.filter(actors__isnull=False).first()
    record = claim.history.get()
    assert record.history_date == claim.created
    assert set(record.actors.values_list("actor_id", flat=True)) == set(
        claim.actors.values_list("pk", flat=True)
    )


def test_the_orm_can_add_rows_after_generation():
    small()
    # Source 3 is always a draft (a published revision is read-only).
    source = Source.objects.get(slug="gen-1-3", status=Source.Status.DRAFT)
    claim = ClaimFactory(source=source, span=(0, 7))
    assert claim.pk > SOURCES * CLAIMS_PER_SOURCE
    assert claim.history.count() == 1
    stance = Stance.objects.create(
        claim=claim,
        proposition=Proposition.objects.first(),
        annotator=get_user_model().objects.get(username="gen-annotator-1"),
        label="supports",
    )
    assert stance.pk > Stance.objects.exclude(pk=stance.pk).latest("pk").pk


def test_public_api_hides_claims_of_unpublished_sources():
    small()
    hidden = Source.objects.exclude(status=Source.Status.PUBLISHED)
    assert hidden.exists()
    client = client_for(None)
    for source in hidden:
        response = client.get(reverse("api:claim-list"), {"source": source.slug})
        assert response.status_code == 200
        assert response.json()["results"] == []
    published = Source.objects.filter(status=Source.Status.PUBLISHED).first()
    response = client.get(reverse("api:claim-list"), {"source": published.slug})
    assert len(response.json()["results"]) == CLAIMS_PER_SOURCE


def test_authorships_and_publishers():
    generating.generate(60, 2, 1, force=True)
    assert not Source.objects.filter(authorships=None).exists()
    assert Authorship.objects.filter(role="translator").exists()
    assert set(Authorship.objects.values_list("order", flat=True)) <= {0, 1, 2}


def test_describe_reports_the_corpus_in_the_database():
    assert generating.describe() is None
    small(seed=7, annotators=2)
    assert generating.describe() == generating.Parameters(SOURCES, CLAIMS_PER_SOURCE, 7, 2)


def test_progress_lines_and_quiet_mode():
    out = run("--sources", "5", "--claims-per-source", "4", "--batch-size", "2")
    assert "sources 2/5 · claims 8/20 ·" in out
    assert "sources 5/5 · claims 20/20 ·" in out and "Generated 5 sources" in out
    assert run("--sources", "5", "--claims-per-source", "4", "-v", "0") == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--sources", "0"],
        ["--sources", "-3"],
        ["--sources", "300000"],
        ["--sources", "2", "--claims-per-source", "0"],
        ["--sources", "2", "--claims-per-source", "1000"],
        ["--sources", "2", "--annotators", "0"],
        ["--sources", "2", "--seed", "-1"],
        ["--sources", "2", "--batch-size", "0"],
        ["--sources", "100000", "--claims-per-source", "200"],
        ["--sources", "many"],
    ],
)
def test_arguments_are_validated(args):
    before = Source.objects.count()
    with pytest.raises(CommandError):
        run(*args)
    assert Source.objects.count() == before


def test_a_failure_part_way_leaves_the_database_as_it_was(monkeypatch):
    before = set(Source.objects.values_list("slug", flat=True))
    make = generating._SourceMaker.make

    def failing(self, i, batch, counters):
        if i == 5:
            raise RuntimeError("disk on fire")
        make(self, i, batch, counters)

    monkeypatch.setattr(generating._SourceMaker, "make", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        generating.generate(8, 3, 1, force=True, batch_size=2)
    assert set(Source.objects.values_list("slug", flat=True)) == before
    assert not Proposition.objects.filter(slug__startswith="gen-").exists()


def test_ids_never_go_back_below_rows_a_rollback_restores():
    """Sequences are not transactional: a generation in a transaction that is rolled back must
    leave them past every id the rollback brings back (the seeds' here)."""
    highest = Claim.objects.order_by("-pk").values_list("pk", flat=True).first()
    small()  # fewer claims than the seeds hold, numbered from 1
    created = ClaimFactory()
    assert created.pk > highest
