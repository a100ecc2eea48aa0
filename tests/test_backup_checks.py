"""The fast restore keeps every rule: on PostgreSQL rows go in with COPY while the per-row
triggers are off, and what they guaranteed is checked in bulk — a wrong quote, a dangling
reference or a duplicate id still refuses the whole restore, and the triggers come back on,
whether the restore succeeded or not."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from claims.backup_load import DEFERRED_TO_THE_END
from claims.models import Claim, ConfirmedSilence, PublicVersion, Source

from .test_backup import backup_document, change_row, dump, read_lines, write_lines

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the COPY path and its triggers are PostgreSQL's; SQLite checks foreign keys at "
    "commit, which a test never reaches",
)


def exported(tmp_path):
    path = tmp_path / "corpus.jsonl"
    call_command("export_corpus", str(path))
    return path


def refused(path, message):
    with pytest.raises(CommandError) as error:
        call_command("import_corpus", str(path), "--replace")
    assert message in str(error.value)


def first_anchored(path):
    claims = dump(path)["claims"]
    return next(i for i, c in enumerate(claims) if c["anchor_state"] != "orphaned")


def test_a_wrong_quote_early_in_the_file_is_refused_and_nothing_changes(tmp_path):
    path = exported(tmp_path)
    before = backup_document(tmp_path)
    index = first_anchored(path)
    change_row(path, "claims", index, lambda row: {"quote": row["quote"][::-1]})
    refused(path, "corpus.jsonl: the database refused the data (claim_quote_matches_body")
    assert backup_document(tmp_path) == before


def test_a_claim_reaching_past_the_end_of_its_text_is_refused(tmp_path):
    path = exported(tmp_path)
    before = backup_document(tmp_path)
    index = first_anchored(path)
    # The quote is the last words of the text, the span runs past it: substr alone would
    # still match.
    body = dump(path)["sources"]
    claim = dump(path)["claims"][index]
    text = next(s["body"] for s in body if s["id"] == claim["source_id"])
    change_row(
        path,
        "claims",
        index,
        {"start": len(text) - 3, "end": len(text) + 2, "quote": text[-3:] + "..."[:2]},
    )
    refused(path, "the database refused the data (claim_quote_matches_body")
    assert backup_document(tmp_path) == before


def test_an_orphaned_claim_keeps_its_words_whatever_the_text(tmp_path):
    # Orphans are exempt from the quote rule, in bulk as row by row.
    path = exported(tmp_path)
    index = first_anchored(path)
    change_row(
        path,
        "claims",
        index,
        lambda row: {"anchor_state": "orphaned", "quote": "z" * len(row["quote"])},
    )
    call_command("import_corpus", str(path), "--replace")
    claim = Claim.objects.get(pk=dump(path)["claims"][index]["id"])
    assert claim.anchor_state == "orphaned" and set(claim.quote) == {"z"}


@postgresql_only
@pytest.mark.parametrize(
    ("section", "change"),
    [
        ("stances", {"claim_id": 987654321}),
        ("claims", {"source_id": 987654321}),
        ("claims", {"actors": [987654321]}),
        ("topics", {"parent_id": 987654321}),
    ],
)
def test_a_dangling_reference_is_refused_and_nothing_changes(tmp_path, section, change):
    path = exported(tmp_path)
    before = backup_document(tmp_path)
    change_row(path, section, 0, change)
    refused(path, "corpus.jsonl: the database refused the data")
    assert backup_document(tmp_path) == before


def test_a_duplicate_id_is_refused_and_nothing_changes(tmp_path):
    path = exported(tmp_path)
    before = backup_document(tmp_path)
    first = dump(path)["claims"][0]["id"]
    change_row(path, "claims", 1, {"id": first})
    refused(path, "corpus.jsonl: the database refused the data")
    assert backup_document(tmp_path) == before


def enabled_triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname = ANY(%s)",
            [sorted(DEFERRED_TO_THE_END)],
        )
        return set(cursor.fetchall())


@postgresql_only
def test_the_triggers_are_back_on_after_a_restore_and_after_a_refused_one(tmp_path):
    triggers = enabled_triggers()
    assert ("claims_claim", "claim_quote_matches_body") in triggers
    assert any(name.startswith("summary_marks") for _, name in triggers)
    path = exported(tmp_path)
    call_command("import_corpus", str(path), "--replace")
    assert enabled_triggers() == triggers
    # And they work: the database refuses a wrong quote again.
    claim = Claim.objects.exclude(anchor_state="orphaned").first()
    with pytest.raises(DatabaseError, match="claim_quote_matches_body"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(quote=claim.quote + "?")

    change_row(path, "claims", first_anchored(path), lambda row: {"quote": row["quote"][::-1]})
    refused(path, "claim_quote_matches_body")
    assert enabled_triggers() == triggers


@postgresql_only
def test_a_restore_moves_the_public_version_once(tmp_path):
    path = exported(tmp_path)
    before = PublicVersion.objects.get(pk=1).counter
    call_command("import_corpus", str(path), "--replace")
    # Once, although every public table was emptied and written again.
    assert PublicVersion.objects.get(pk=1).counter == before + 1


def test_a_version_2_backup_written_before_silences_were_kept_restores(tmp_path):
    path = exported(tmp_path)
    before = backup_document(tmp_path)
    lines, kept, skipping = read_lines(path), [], False
    for line in lines:
        if isinstance(line, list):
            skipping = line[:1] == ["section"] and line[1] in ("silences", "silence_history")
        if not skipping:
            kept.append(line)
    closing = kept[-1][1]
    del closing["silences"], closing["silence_history"]
    write_lines(path, kept)
    call_command("import_corpus", str(path), "--replace")
    assert backup_document(tmp_path) == before
    assert not ConfirmedSilence.objects.exists()


def test_a_later_section_out_of_place_is_still_refused(tmp_path):
    path = exported(tmp_path)
    lines = read_lines(path)
    # The silences moved before the claims: not "written before silences existed".
    at = lines.index(["section", "silences"])
    silences = lines[at : lines.index(["section", "silence_history"])]
    rest = lines[:at] + lines[at + len(silences) :]
    claims_at = rest.index(["section", "claims"])
    write_lines(path, rest[:claims_at] + silences + rest[claims_at:])
    refused(path, "corpus.jsonl")
    assert Source.objects.count() == 5
