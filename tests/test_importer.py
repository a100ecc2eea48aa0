"""import_sources: files in, sources out, all or nothing."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.models import Author, Publisher, Source

pytestmark = pytest.mark.django_db

MANIFEST = """
[publishers.example-outlet]
name = "Example Outlet"
kind = "blog"

[authors.jane-doe]
name = "Jane Doe"

[[sources]]
file = "one.md"
slug = "first-piece"
title = "The First Piece"
publisher = "example-outlet"
authors = ["jane-doe"]
published_on = 2024-01-02
format = "markdown"
drop_lines = [{ text = "Photo: somebody", reason = "image caption" }]

[[sources]]
file = "two.txt"
slug = "second-piece"
title = "The Second Piece"
"""


@pytest.fixture
def files(tmp_path: Path):
    (tmp_path / "one.md").write_text(
        "# The First Piece\n\nPhoto: somebody\n\nMoscow **backs** the corridor.\n", "utf-8"
    )
    (tmp_path / "two.txt").write_text("The Second Piece\n\nTehran objects.\n", "utf-8")
    (tmp_path / "manifest.toml").write_text(MANIFEST, "utf-8")
    return tmp_path


def run(*args):
    call_command("import_sources", *map(str, args), stdout=open("/dev/null", "w"))  # noqa: SIM115


def snapshot():
    return (Source.objects.count(), Publisher.objects.count(), Author.objects.count())


def test_import_with_manifest(files):
    run(files / "one.md", files / "two.txt", "--manifest", files / "manifest.toml")
    first = Source.objects.get(slug="first-piece")
    assert first.title == "The First Piece"
    assert first.body == "Moscow backs the corridor."
    assert first.publisher.name == "Example Outlet"
    assert [a.name for a in first.authors.all()] == ["Jane Doe"]
    assert str(first.published_on) == "2024-01-02"
    assert first.status == Source.Status.DRAFT
    assert first.provenance["file"] == "one.md"
    assert {r["reason"] for r in first.provenance["removed"]} == {
        "image caption",
        "title: stored as the source's title",
    }
    # The raw file is left untouched.
    assert (files / "one.md").read_text("utf-8").startswith("# The First Piece")


def test_reimporting_the_same_files_changes_nothing(files):
    args = (files / "one.md", files / "two.txt", "--manifest", files / "manifest.toml")
    run(*args)
    history = Source.history.count()
    run(*args)
    assert Source.history.count() == history


def test_import_without_manifest_makes_a_draft_titled_by_the_first_line(files):
    run(files / "two.txt")
    source = Source.objects.get(slug="the-second-piece")
    assert source.title == "The Second Piece"
    assert source.body == "Tehran objects."
    assert source.status == Source.Status.DRAFT


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "two.txt").write_bytes(b"Caf\xe9 au lait"), "two.txt: not UTF-8"),
        (lambda d: (d / "two.txt").write_text("  \n\n", "utf-8"), "two.txt: the file is empty"),
        (
            lambda d: (d / "manifest.toml").write_text(
                MANIFEST.replace('title = "The Second Piece"', 'titel = "x"'), "utf-8"
            ),
            "unknown key 'titel'",
        ),
        (
            lambda d: (d / "manifest.toml").write_text(
                MANIFEST.replace('"second-piece"', '"first-piece"'), "utf-8"
            ),
            "duplicate slug 'first-piece'",
        ),
        (
            lambda d: (d / "manifest.toml").write_text(
                MANIFEST.replace('file = "two.txt"', 'file = "three.txt"'), "utf-8"
            ),
            "two.txt: has no [[sources]] entry",
        ),
        (
            lambda d: (d / "manifest.toml").write_text(
                MANIFEST.replace('slug = "second-piece"', 'slug = "does-russia-support-iran"'),
                "utf-8",
            ),
            "duplicate slug 'does-russia-support-iran': already used",
        ),
        (
            lambda d: (d / "manifest.toml").write_text("[[sources]\nfile=", "utf-8"),
            "manifest.toml: not valid TOML",
        ),
    ],
    ids=[
        "not-utf8",
        "empty",
        "unknown-key",
        "duplicate-slug",
        "not-in-manifest",
        "slug-taken",
        "bad-toml",
    ],
)
def test_a_bad_file_fails_with_its_name_and_writes_nothing(files, setup, message):
    setup(files)
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        run(files / "one.md", files / "two.txt", "--manifest", files / "manifest.toml")
    assert message in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert snapshot() == before


def test_a_missing_file_is_named(files):
    with pytest.raises(CommandError, match=r"nowhere\.txt: cannot be read"):
        run(files / "nowhere.txt")


def test_reimport_of_edited_text_reanchors_claims(files):
    from claims.models import Claim

    args = (files / "one.md", files / "two.txt", "--manifest", files / "manifest.toml")
    run(*args)
    source = Source.objects.get(slug="first-piece")
    claim = Claim.objects.create(source=source, start=7, end=12, quote="backs")
    (files / "one.md").write_text("# The First Piece\n\nNow Moscow backs the corridor.\n", "utf-8")
    run(*args)
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.anchor_state) == (11, 16, "reanchored")
    assert claim.source.body[claim.start : claim.end] == "backs"
