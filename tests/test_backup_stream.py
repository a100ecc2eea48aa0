"""Backups stream: memory does not grow with the corpus, the size limit counts decompressed
bytes, a cut or padded file is refused, every table comes back as it was, and the version 1
format (one JSON document) is still restored."""

import gzip
import json
import tracemalloc

import orjson
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from bench.generator import generating
from claims import backup
from claims.models import Claim, PropositionSummary, Source

from .test_backup import backup_document, dump, read_lines, write_lines

pytestmark = pytest.mark.django_db


def every_table() -> dict[str, list[tuple]]:
    """Every row of every table a backup restores, and the summaries worked out from them.

    Many-to-many links are compared as pairs: the link rows' own ids are not part of the
    corpus (nothing refers to them), and a restore numbers them afresh."""
    models = [model for _, model in backup.sections()] + [PropositionSummary]
    tables = {
        model._meta.db_table: list(model._default_manager.order_by("pk").values_list())
        for model in models
    }
    for through in (Claim.actors.through, apps.get_model("claims", "Proposition").topics.through):
        pairs = through._default_manager.values_list(*(f.attname for f in through._meta.fields[1:]))
        tables[through._meta.db_table] = sorted(pairs)
    return tables


def test_a_restore_into_an_empty_database_gives_back_every_table(tmp_path):
    generating.generate(6, 5, 3, force=True)
    before = every_table()
    path = tmp_path / "corpus.jsonl.gz"
    backup.write_corpus(path)
    backup._delete_corpus()
    assert not Claim.objects.exists()
    backup.restore_file(path)
    assert every_table() == before


def test_rows_carry_every_column_of_their_model(tmp_path):
    # The columns come from the models: a field added to Claim is backed up without a change.
    path = tmp_path / "corpus.jsonl"
    backup.write_corpus(path)
    document = dump(path)
    checked = set()
    for section, model in backup.sections():
        columns = {
            field.name if backup._is_user(field) else field.attname
            for field in model._meta.concrete_fields
        }
        for row in document[section][:1]:  # a section the seeds leave empty has no row to check
            assert columns <= set(row), section
            checked.add(section)
    assert {"sources", "claims", "stances", "claim_history"} <= checked


def version_1(document: dict) -> dict:
    return {"format": "geopolitics-claims-corpus", "version": 1, "exported_at": "x", **document}


def test_a_version_1_backup_is_still_restored(tmp_path):
    before = backup_document(tmp_path)
    old = tmp_path / "old.json.gz"
    with gzip.open(old, "wt", encoding="utf-8") as handle:
        json.dump(version_1(before), handle, indent=1)
    call_command("import_corpus", str(old), "--replace")
    assert backup_document(tmp_path) == before


def test_a_version_1_backup_with_an_unknown_section_is_refused(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**version_1(backup_document(tmp_path)), "tokens": []}))
    with pytest.raises(CommandError, match=r"old\.json: unknown section 'tokens'"):
        call_command("import_corpus", str(old), "--replace")


def test_the_size_limit_counts_decompressed_bytes_and_rolls_back(tmp_path):
    before = backup_document(tmp_path)
    path = tmp_path / "corpus.jsonl"
    backup.write_corpus(path)
    lines = read_lines(path)
    # A gzip bomb: well under a mebibyte compressed, 40 MiB once decompressed, in the last
    # section, so that every earlier row has been written when the limit is reached.
    filler = {"padding": " " * (1024 * 1024)}
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb") as handle:
        for line in lines[:-1]:
            handle.write(orjson.dumps(line) + b"\n")
        for _ in range(40):
            handle.write(orjson.dumps(filler) + b"\n")
        handle.write(orjson.dumps(lines[-1]) + b"\n")
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(CommandError) as error:
        call_command("import_corpus", str(bomb), "--replace", "--max-mib", "8")
    assert "bomb.jsonl.gz: larger than 8 MiB once decompressed" in str(error.value)
    assert backup_document(tmp_path) == before


def test_the_default_limit_is_half_a_gibibyte():
    assert backup.MAX_BYTES == 512 * 1024 * 1024


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines[:-1], "the file ends early"),
        (lambda lines: lines[:-3], "the file ends early"),
        (lambda lines: [*lines, {"id": 1}], "more after the end of the backup"),
        (lambda lines: [*lines[:-1], ["end", {}]], "the file says it holds {}"),
        (lambda lines: [lines[0], *lines[3:]], "expected the 'users' section here"),
        (lambda lines: [*lines[:-1], ["section", "tokens"], lines[-1]], "unknown section"),
    ],
)
def test_a_cut_or_padded_file_is_refused(tmp_path, edit, message):
    before = backup_document(tmp_path)
    path = tmp_path / "corpus.jsonl"
    backup.write_corpus(path)
    write_lines(path, edit(read_lines(path)))
    with pytest.raises(CommandError, match=r"corpus\.jsonl") as error:
        call_command("import_corpus", str(path), "--replace")
    assert message in str(error.value)
    assert backup_document(tmp_path) == before


def test_a_line_that_is_not_json_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "corpus.jsonl"
    backup.write_corpus(path)
    lines = path.read_bytes().split(b"\n")
    lines[4] = b'{"id": '
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(CommandError, match=r"corpus\.jsonl: line 5: not valid JSON"):
        call_command("import_corpus", str(path), "--replace")


def peak_bytes(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_corpus(tmp_path, monkeypatch):
    # Small chunks, so that both corpora span many of them: the peak is one chunk's rows.
    monkeypatch.setattr(backup, "CHUNK", 5)
    peaks = {}
    for sources in (20, 160):
        generating.generate(sources, 5, 1, force=True)
        path = tmp_path / f"{sources}.jsonl.gz"
        exported = peak_bytes(lambda path=path: backup.write_corpus(path))
        restored = peak_bytes(lambda path=path: backup.restore_file(path, replace=True))
        peaks[sources] = (exported, restored)
        assert Source.objects.count() == sources
    (small_export, small_restore), (large_export, large_restore) = peaks[20], peaks[160]
    # Eight times the rows; a backup held in memory would need about eight times the peak. The
    # restore keeps the ids it has written, for its reference checks (a few bytes a row), so
    # its peak may grow a little with the corpus.
    assert large_export < 1.5 * small_export, peaks
    assert large_restore < 2.5 * small_restore, peaks
