"""export_corpus and import_corpus round-trip the whole corpus — rows, ids, versions,
timestamps, many-to-many links, history and who did what — and a restore is all or nothing."""

import gzip
import json
import tempfile
from pathlib import Path

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from claims import backup
from claims.annotating import delete_claim, deleted_claims, restore_claim
from claims.editing import replace_body
from claims.models import Claim, Source, Stance
from claims.publishing import publish_source, unpublish_source
from claims.revisions import start_revision

from .corpus import grow
from .factories import ClaimFactory, UserFactory, reviewer_user

pytestmark = pytest.mark.django_db


def read_lines(path):
    """Every line of a backup, parsed."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        return [orjson.loads(line) for line in handle]


def write_lines(path, lines):
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))


def dump(path):
    """A backup as one document: {section: rows}, without the time it was taken."""
    lines = read_lines(path)
    header, closing = lines[0], lines[-1]
    assert header["version"] == 2 and closing[0] == "end"
    document, section = {}, None
    for line in lines[1:-1]:
        if isinstance(line, list):
            section = line[1]
            document[section] = []
        else:
            document[section].append(line)
    assert closing[1] == {name: len(rows) for name, rows in document.items()}
    return document


def change_row(path, section, index, change):
    """Edit one row of a backup in place (the rows of a section are numbered from 0)."""
    lines, current, seen = read_lines(path), None, -1
    for line in lines[1:]:
        if isinstance(line, list):
            current, seen = line[1], -1
        elif current == section:
            seen += 1
            if seen == index:
                line.update(change(line) if callable(change) else change)
    write_lines(path, lines)


def round_trip(tmp_path, name="corpus.json"):
    first, second = tmp_path / name, tmp_path / f"again-{name}"
    call_command("export_corpus", str(first))
    call_command("import_corpus", str(first), "--replace")
    call_command("export_corpus", str(second))
    return dump(first), dump(second)


def test_the_seed_corpus_round_trips_unchanged(tmp_path):
    before, after = round_trip(tmp_path)
    assert before == after
    assert len(before["claims"]) == Claim.objects.count() == 166
    assert len(before["stances"]) == 235
    # The curator and the second reader of the seeds (their readings are assignments), and who
    # adjudicated between them.
    assert {u["username"] for u in before["users"]} == {"curator", "second-reader", "adjudicator"}
    assert len(before["assignments"]) == len(after["assignments"]) > 0


def test_a_generated_corpus_with_history_round_trips_unchanged(tmp_path):
    editor = UserFactory(username="editor-x", first_name="Edith")
    grow(3)
    # Edited as a draft again: a published revision is read-only.
    source = unpublish_source(
        source=Source.objects.filter(slug__startswith="dispatch-").first(), by=reviewer_user()
    )
    extra = ClaimFactory(source=source, span=(0, 6), created_by=editor)
    # History worth keeping: a text edit (re-anchoring), an orphan, a deletion, a relabel.
    replace_body(source=source, body="Moscow and Tehran deepened ties.\n\nNothing else.")
    stance = Stance.objects.filter(claim__source=source).first()
    stance.label = "neutral"
    stance.save()
    deleted = Claim.objects.filter(source=source).exclude(pk=extra.pk).first()
    deleted_id = delete_claim(claim=deleted)
    before, after = round_trip(tmp_path, "generated.json.gz")
    assert before == after
    assert {"editor-x", "grower"} <= {u["username"] for u in after["users"]}
    orphaned = [c for c in after["claims"] if c["anchor_state"] == "orphaned"]
    assert orphaned
    # The history still works after a restore: the deleted claim can be brought back.
    assert deleted_id in [record.id for record in deleted_claims(source)]
    claim, _ = restore_claim(claim_id=deleted_id)
    assert claim.source_id == source.pk
    assert Claim.objects.get(pk=extra.pk).created_by.username == "editor-x"


def test_a_restore_into_an_empty_database_creates_missing_people_inactive(tmp_path):
    path = tmp_path / "corpus.json"
    call_command("export_corpus", str(path))
    backup._delete_corpus()
    get_user_model().objects.filter(username="curator").delete()
    call_command("import_corpus", str(path))
    curator = get_user_model().objects.get(username="curator")
    assert not curator.is_active and not curator.has_usable_password()
    assert Stance.objects.filter(annotator=curator).count() == 231
    assert dump(path) == backup_document()


def backup_document(tmp_path=None):
    path = (tmp_path or Path(tempfile.mkdtemp())) / "snapshot.jsonl"
    backup.write_corpus(path)
    return dump(path)


def test_a_corpus_is_not_overwritten_unless_told(tmp_path):
    path = tmp_path / "corpus.json"
    call_command("export_corpus", str(path))
    with pytest.raises(CommandError, match=r"corpus\.json: the database already holds a corpus"):
        call_command("import_corpus", str(path))


def test_a_restore_that_fails_half_way_leaves_the_old_corpus_in_place(tmp_path):
    path = tmp_path / "corpus.json"
    call_command("export_corpus", str(path))
    before = backup_document()
    claims = dump(path)["claims"]
    # The last claim's quote no longer matches its source's text: the database refuses it
    # (claim_quote_matches_body) after every earlier row has been written.
    last = max(i for i, c in enumerate(claims) if c["anchor_state"] != "orphaned")
    change_row(path, "claims", last, lambda row: {"quote": "x" * len(row["quote"])})
    with pytest.raises(CommandError, match=r"corpus\.json: the database refused the data"):
        call_command("import_corpus", str(path), "--replace")
    assert backup_document() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8 text"),
        (b'{"format": "geopolitics-claims-corpus", "version": 1', "not valid JSON (line 1"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b'{"format": "something else"}', "not a corpus backup"),
        (b'{"format": "geopolitics-claims-corpus", "version": 9}', "format version 9"),
        (b'{"format": "geopolitics-claims-corpus", "version": 2}\n', "ends early"),
        (b"", "the file is empty"),
        (b"\x1f\x8b\x08\x00truncated", "truncated"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    count = Claim.objects.count()
    with pytest.raises(CommandError, match=r"broken\.json") as error:
        call_command("import_corpus", str(path), "--replace")
    assert message in str(error.value)
    assert Claim.objects.count() == count


@pytest.mark.parametrize(
    ("section", "change", "message"),
    [
        ("claims", {"kind": "rumour"}, "claims[0]: kind"),
        ("claims", {"note": "a\x00b"}, "claims[0].note: contains a NUL"),
        ("claims", {"surprise": 1}, "claims[0]: unknown field 'surprise'"),
        ("claims", {"actors": "russia"}, "claims[0].actors: must be a list of ids"),
        ("sources", {"body_sha256": "0" * 64}, "sources[0]: body_sha256 does not match"),
        ("stances", {"annotator": "nobody"}, "stances[0].annotator: user 'nobody'"),
        ("stances", {"label": "maybe"}, "stances[0]: label"),
        ("publishers", {"created": "yesterday"}, "publishers[0].created"),
        ("topics", {"slug": "<script>"}, "topics[0]: slug"),
    ],
)
def test_bad_rows_are_refused_naming_the_row(tmp_path, section, change, message):
    path = tmp_path / "corpus.json"
    call_command("export_corpus", str(path))
    before = backup_document()
    change_row(path, section, 0, change)
    with pytest.raises(CommandError) as error:
        call_command("import_corpus", str(path), "--replace")
    assert message in str(error.value)
    assert backup_document() == before


def test_confirmed_silences_round_trip_and_older_backups_without_them_restore(tmp_path):
    from claims.models import ConfirmedSilence
    from claims.silences import confirm_silence, withdraw_silence

    from .corpus import silent_on

    editor = UserFactory(username="silence-checker")
    kept = silent_on("russia-backs-zangezur-corridor")
    gone = silent_on("russia-backs-zangezur-corridor")
    # Withdrawn and confirmed again by another editor, in a working copy a reviewer publishes.
    copy = start_revision(source=gone.source, by=editor)
    withdraw_silence(source=copy, proposition=gone.proposition)
    confirm_silence(source=copy, proposition=gone.proposition, by=editor)
    publish_source(source=copy, by=reviewer_user())
    # Each working copy leaves its own silences' history: created, then deleted on publishing.
    history = ConfirmedSilence.history.count()
    assert history > 4
    before, after = round_trip(tmp_path)
    assert before == after
    assert len(after["silences"]) == 2 and len(after["silence_history"]) == history
    assert ConfirmedSilence.objects.get(pk=kept.pk).source_id == kept.source_id
    assert ConfirmedSilence.objects.get(source=gone.source).confirmed_by.username == (
        "silence-checker"
    )

    # A version 1 backup written before silences were kept has neither section: it restores,
    # empty.
    older = tmp_path / "older.json"
    document = dump(tmp_path / "corpus.json")
    del document["silences"], document["silence_history"]
    version_1 = {"format": backup.FORMAT, "version": 1, "exported_at": "2026-01-01T00:00:00+00:00"}
    older.write_text(json.dumps({**version_1, **document}))
    call_command("import_corpus", str(older), "--replace")
    assert not ConfirmedSilence.objects.exists()
