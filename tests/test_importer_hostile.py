"""The importer fed hostile files: each is refused with a message naming the file, nothing is
written, and markup in a text stays text when a reader sees it."""

import json

import pytest
from django.core.management import CommandError, call_command

from claims.importing.annotations import load_annotations
from claims.importing.sources import MAX_FILE_BYTES, ImportFailure
from claims.models import Claim, Proposition, Source
from claims.revisions import start_revision

pytestmark = pytest.mark.django_db


def run(*args):
    call_command("import_sources", *map(str, args), stdout=open("/dev/null", "w"))  # noqa: SIM115


def counts():
    return Source.objects.count(), Claim.objects.count(), Proposition.objects.count()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Title\n\ncaf\xe9 au lait\n".encode("latin-1"), "not UTF-8 text (byte 10 is 0xe9)"),
        ("Title\n\nSome text\n".encode("utf-16"), "not UTF-8 text"),
        (b"Title\n\nA NUL \x00 inside\n", "contains NUL characters"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0 is 0x89)"),
        (b"Title\x00\x00\x00\x01\x00\x02", "not a plain-text file"),
        (b"   \n\n\t\n", "the file is empty"),
    ],
    ids=["latin-1", "utf-16", "nul", "png", "binary", "blank"],
)
def test_undecodable_or_binary_files_are_refused_by_name(tmp_path, content, message):
    good = tmp_path / "good.txt"
    good.write_text("A Good Piece\n\nMoscow backs the corridor.\n", "utf-8")
    bad = tmp_path / "hostile.txt"
    bad.write_bytes(content)
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(good, bad)
    assert "hostile.txt" in str(caught.value) and message in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert counts() == before


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(CommandError, match=r"big\.txt: larger than 5 MiB"):
        run(big)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        (b"\xff\xfe[[sources]]", "not UTF-8 text"),
        ("[[sources]]\nfile = 1\n", "manifest.toml"),
    ],
    ids=["nested", "not-utf8", "wrong-type"],
)
def test_hostile_manifests_are_refused_by_name(tmp_path, manifest, message):
    (tmp_path / "one.txt").write_text("One\n\nText.\n", "utf-8")
    path = tmp_path / "manifest.toml"
    if isinstance(manifest, bytes):
        path.write_bytes(manifest)
    else:
        path.write_text(manifest, "utf-8")
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(tmp_path / "one.txt", "--manifest", path)
    assert "manifest.toml" in str(caught.value) and message in str(caught.value)
    assert counts() == before


ANNOTATIONS = {
    "annotator": {"username": "curator"},
    "propositions": [{"slug": "new-proposition", "text": "Something holds."}],
    "claims": [
        {
            "source": "does-russia-support-iran",
            "quote": "Russia and Iran share a complex, strategic relationship",
            "kind": "factual",
            "stances": [{"proposition": "new-proposition", "label": "supports"}],
        }
    ],
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b'{"claims": [' + b"9" * 5000 + b"]}", "not a usable JSON document"),
        (json.dumps(ANNOTATIONS).replace("Something", "Some\\u0000thing").encode(), "NUL"),
        (b'{"annotator": ', "not valid JSON"),
        ("{}".encode("utf-16"), "not UTF-8 text"),
        (json.dumps({**ANNOTATIONS, "extra": 1}).encode(), "unknown key 'extra'"),
    ],
    ids=["nested", "long-number", "nul", "truncated", "utf-16", "unknown-key"],
)
def test_hostile_annotation_files_are_refused_by_name(tmp_path, content, message):
    path = tmp_path / "annotations.json"
    path.write_bytes(content)
    before = counts()
    with pytest.raises(ImportFailure) as caught:
        load_annotations(path)
    assert "annotations.json" in str(caught.value) and message in str(caught.value)
    assert counts() == before


def test_a_bad_claim_late_in_the_file_leaves_nothing_behind(tmp_path):
    # Onto the working copy of the published source (its published revision is read-only), so
    # that the first claim is written before the second fails.
    copy = start_revision(source=Source.objects.get(slug="does-russia-support-iran"), by=None)
    data = json.loads(json.dumps(ANNOTATIONS))
    data["claims"][0]["source"] = copy.slug
    data["claims"].append({**data["claims"][0], "quote": "words that are not in the text"})
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(data), "utf-8")
    before = counts()
    with pytest.raises(ImportFailure, match=r"claims\[1\]\.quote"):
        load_annotations(path)
    assert counts() == before
    assert not Proposition.objects.filter(slug="new-proposition").exists()


def test_markup_in_an_imported_text_stays_text_for_readers(tmp_path, client):
    hostile = tmp_path / "script.md"
    hostile.write_text(
        "# <script>alert('title')</script> Corridor\n\n"
        'Moscow <img src=x onerror="alert(1)"> backs the <b>corridor</b>.\n',
        "utf-8",
    )
    run(hostile)
    source = Source.objects.order_by("-pk").first()
    assert "<img src=x" in source.body  # kept as the text said, never interpreted
    source.status, source.published_at = "published", source.created
    source.save()
    page = client.get(f"/sources/{source.slug}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x" in page
