"""Backup and restore of the whole corpus, streamed: memory does not grow with the corpus.

`export_corpus` writes every publisher, author, source (deleted ones too, with authorships and
review trail), topic, actor, proposition, claim, stance, confirmed silence, reading assignment
and adjudication, and the history kept for sources, claims (with their actors), stances,
propositions, silences, assignments and adjudications: every column, ids included, so that API
URLs, history and the "restore a deleted claim" screen keep working after a restore. The columns
are the models' own concrete fields, read when the backup runs, so a field added to a model
travels without a change here. People are named by username (created_by, annotator,
published_by, history_user, a review event's `by`); accounts themselves (passwords, tokens,
groups) are not part of the corpus. Rows are read a chunk at a time as plain values (a
server-side cursor on PostgreSQL, in one repeatable-read snapshot) and written one line each
(`claims.backup_file`).

`import_corpus` reads the file a chunk of rows at a time, checks each row as the models would,
and writes each chunk with one bulk insert (COPY on PostgreSQL, see `claims.backup_load`), all
in one transaction: a bad row, a row the database refuses or a file that ends early or grows
past the size limit rolls everything back.
It refuses a database that already holds a corpus unless told to replace it (`replace=True`
deletes the old corpus in the same transaction). Nothing is recomputed on the way in: versions,
timestamps, quotes and anchors are restored exactly as exported, and the database's own rules
(claim_quote_matches_body, the named constraints) check them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from claims.backup_file import (
    FORMAT,
    MAX_BYTES,
    VERSION,
    BackupReader,
    BackupWriter,
    CorpusError,
    open_for_writing,
)
from claims.backup_load import loader_for_connection
from claims.models import (
    Actor,
    Adjudication,
    Assignment,
    Author,
    Authorship,
    Claim,
    ConfirmedSilence,
    Proposition,
    PropositionSummary,
    PropositionVector,
    Publisher,
    ReviewEvent,
    Source,
    Stance,
    Topic,
)
from claims.summaries import rebuild_proposition_summaries

__all__ = ["MAX_BYTES", "CorpusError", "restore_file", "write_corpus"]

# Rows per database round trip, both ways: large enough to keep round trips few, small enough
# that a chunk of rows (sources carry their whole text) stays a few megabytes.
CHUNK = 1000
T = TypeVar("T")

# Parents before children: this is the order rows are written in (and deleted in reverse).
CORPUS: list[tuple[str, type[models.Model]]] = [
    ("publishers", Publisher),
    ("authors", Author),
    ("sources", Source),
    ("authorships", Authorship),
    ("review_events", ReviewEvent),
    ("topics", Topic),
    ("actors", Actor),
    ("propositions", Proposition),
    ("claims", Claim),
    ("stances", Stance),
    ("silences", ConfirmedSilence),
    ("assignments", Assignment),
    ("adjudications", Adjudication),
]
# Many-to-many links travel inside their owner's rows, as lists of ids.
M2M = {Proposition: "topics", Claim: "actors", Adjudication: "kept"}


def _history_models() -> list[tuple[str, type[models.Model]]]:
    return [
        ("source_history", Source.history.model),
        ("proposition_history", Proposition.history.model),
        ("claim_history", Claim.history.model),
        ("claim_actor_history", apps.get_model("claims", "HistoricalClaim_actors")),
        ("stance_history", Stance.history.model),
        ("silence_history", ConfirmedSilence.history.model),
        ("assignment_history", Assignment.history.model),
        ("adjudication_history", Adjudication.history.model),
    ]


def sections() -> list[tuple[str, type[models.Model]]]:
    return CORPUS + _history_models()


def _is_user(field: models.Field) -> bool:
    return field.is_relation and field.related_model is get_user_model()


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- export ---------------------------------------------------------------------------------


def _links(model: type[models.Model], ids: list[int]) -> dict[int, list[int]]:
    """The many-to-many ids of a chunk of rows, in one query."""
    field = getattr(model, M2M[model]).field
    through = field.remote_field.through
    owner, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
    linked: dict[int, list[int]] = {pk: [] for pk in ids}
    pairs = through._default_manager.filter(**{f"{owner}__in": ids}).values_list(owner, target)
    for pk, other in pairs.order_by(owner, target):
        linked[pk].append(other)
    return linked


def _rows(model: type[models.Model], usernames: dict[int, str]) -> Iterator[dict[str, Any]]:
    """Every row of `model` as a dict of plain values, by primary key, a chunk at a time."""
    fields = model._meta.concrete_fields
    keys = [f.name if _is_user(f) else f.attname for f in fields]
    users = [i for i, f in enumerate(fields) if _is_user(f)]
    m2m = M2M.get(model)
    values = model._default_manager.order_by("pk").values_list(*(f.attname for f in fields))
    for chunk in _chunks(values.iterator(chunk_size=CHUNK), CHUNK):
        linked = _links(model, [row[0] for row in chunk]) if m2m else {}
        for values_ in chunk:
            row = dict(zip(keys, values_, strict=True))
            for i in users:
                if values_[i] is not None:
                    row[keys[i]] = usernames.get(values_[i])
            if m2m:
                row[m2m] = linked[values_[0]]
            yield row


def _referenced_users() -> list[dict[str, str]]:
    """The people the corpus names, one query per column that names people."""
    ids: set[int] = set()
    for _, model in sections():
        for field in model._meta.concrete_fields:
            if _is_user(field):
                # No ordering: a model's default ordering would make DISTINCT keep every row.
                named = model._default_manager.exclude(**{field.attname: None}).order_by()
                ids.update(named.values_list(field.attname, flat=True).distinct())
    users = get_user_model()._default_manager.filter(pk__in=ids)
    return [
        {"username": u.get_username(), "first_name": u.first_name, "last_name": u.last_name}
        for u in sorted(users, key=lambda user: user.get_username())
    ]


def export_lines(writer: BackupWriter) -> dict[str, int]:
    """Write the whole corpus, read from one consistent snapshot; returns the row counts."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every table: writes during the export cannot tear it.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        writer.line({"format": FORMAT, "version": VERSION, "exported_at": timezone.now()})
        people = _referenced_users()
        usernames = {
            user.pk: user.get_username()
            for user in get_user_model()._default_manager.filter(
                username__in=[person["username"] for person in people]
            )
        }
        counts = {"users": len(people)}
        writer.line(["section", "users"])
        for person in people:
            writer.line(person)
        for name, model in sections():
            writer.line(["section", name])
            count = 0
            for row in _rows(model, usernames):
                writer.line(row)
                count += 1
            counts[name] = count
        writer.line(["end", counts])
    return counts


def write_corpus(path: Path) -> dict[str, int]:
    """Export to `path` (gzip-compressed when it ends in .gz); returns the row counts."""
    temporary = path.with_name(path.name + ".partial")
    try:
        with open_for_writing(temporary, compress=path.suffix == ".gz") as handle:
            counts = export_lines(BackupWriter(handle))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    # Written in full before it takes the real name: a crash never leaves a truncated backup.
    temporary.replace(path)
    return counts


# --- import ---------------------------------------------------------------------------------


def corpus_is_empty() -> bool:
    return not any(model._default_manager.exists() for _, model in sections())


def _delete_corpus() -> None:
    """Empty every corpus table with one DELETE each, children before parents.

    Not the ORM's cascading delete: it loads every row to send signals (and to record each
    deletion in the history, which is deleted next anyway), in memory growing with the corpus.
    The summaries are derived rows and go too; they are rebuilt after the restore. A table
    outside the corpus that still points at a corpus row makes the database refuse, and the
    restore rolls back.
    """
    Topic.objects.update(parent=None)
    tables = [getattr(model, field).through for model, field in M2M.items()]
    for _, model in reversed(CORPUS):
        if model is Proposition:
            # After the stances: deleting a stance updates its proposition's summary. The
            # vectors are derived too: computed again for the restored propositions.
            tables += [PropositionSummary, PropositionVector]
        tables.append(model)
    tables += [model for _, model in _history_models()]
    for model in tables:
        model._base_manager.all()._raw_delete(connection.alias)


def _users(rows: Iterator[tuple[int, dict]], name: str) -> dict[str, int]:
    """Accounts by username: existing ones are reused, missing ones are created inactive and
    without a password (they are bylines until an administrator gives them access)."""
    user_model = get_user_model()
    ids: dict[str, int] = {}
    for i, spec in rows:
        username = spec.get("username")
        if not isinstance(username, str) or not username or "\x00" in username:
            raise CorpusError(f"{name}: users[{i}].username must be a non-empty string")
        user = user_model._default_manager.filter(username=username).first()
        if user is None:
            user = user_model(
                username=username,
                first_name=str(spec.get("first_name", ""))[:150],
                last_name=str(spec.get("last_name", ""))[:150],
                is_active=False,
            )
            user.set_unusable_password()
            try:
                user.full_clean()
            except ValidationError as error:
                raise CorpusError(f"{name}: users[{i}]: {_first_error(error)}") from None
            user.save()
        ids[username] = user.pk
    return ids


def _first_error(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        return f"{field}: {errors[0]}"
    return error.messages[0]


def _build(
    model: type[models.Model],
    rows: list[tuple[int, dict]],
    section: str,
    name: str,
    user_ids: dict[str, int],
) -> tuple[list[models.Model], list[models.Model]]:
    """Model instances (and many-to-many links) for a chunk of rows, each checked as a form
    would check it; the first bad row stops the restore, named by section and index."""
    fields = model._meta.concrete_fields
    # Worked out once per chunk, not per row and field: a restore checks millions of rows.
    users = {f.attname for f in fields if _is_user(f)}
    relations = [f.name for f in fields if f.is_relation]
    nullable = [(f.name, f.attname) for f in fields if f.null and not f.is_relation]
    keys = {f.name if f.attname in users else f.attname for f in fields}
    m2m = M2M.get(model)
    allowed = keys | ({m2m} if m2m else set())
    objects: list[models.Model] = []
    links: list[models.Model] = []
    for i, row in rows:
        where = f"{name}: {section}[{i}]"
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise CorpusError(f"{where}: unknown field {unknown[0]!r}")
        missing = sorted(keys - set(row))
        if missing:
            raise CorpusError(f"{where}: missing field {missing[0]!r}")
        values: dict[str, Any] = {}
        for field in fields:
            if field.attname in users:
                username = row[field.name]
                if username is not None and username not in user_ids:
                    raise CorpusError(f"{where}.{field.name}: user {username!r} is not listed")
                values[field.attname] = user_ids.get(username)
                continue
            raw = row[field.attname]
            if isinstance(raw, str) and "\x00" in raw:
                raise CorpusError(f"{where}.{field.attname}: contains a NUL character")
            try:
                values[field.attname] = field.to_python(raw)
            except ValidationError as error:
                raise CorpusError(f"{where}.{field.attname}: {error.messages[0]}") from None
        obj = model(**values)
        # Relations are checked by the database; a NULL where the column allows it is valid
        # even if a form would ask for a value.
        exclude = relations + [n for n, attname in nullable if values[attname] is None]
        try:
            obj.clean_fields(exclude=exclude)
        except ValidationError as error:
            raise CorpusError(f"{where}: {_first_error(error)}") from None
        if model is Source and obj.body_sha256 != hashlib.sha256(obj.body.encode()).hexdigest():
            raise CorpusError(f"{where}: body_sha256 does not match the body")
        if m2m:
            ids = row[m2m]
            if not isinstance(ids, list) or not all(type(pk) is int for pk in ids):
                raise CorpusError(f"{where}.{m2m}: must be a list of ids")
            through = getattr(model, m2m).through
            owner = f"{model._meta.model_name}_id"
            target = f"{getattr(model, m2m).field.related_model._meta.model_name}_id"
            links.extend(through(**{owner: obj.pk, target: pk}) for pk in ids)
        objects.append(obj)
    return objects, links


@contextmanager
def _timestamps_as_given():
    """Let created/modified be written as exported: auto_now would stamp the import time."""
    touched = []
    for _, model in sections():
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                touched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in touched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def restore(reader: BackupReader, *, replace: bool = False) -> dict[str, int]:
    """Restore the backup `reader` reads, in one transaction; returns the row counts written.

    Rows are read, checked and inserted a chunk at a time, so memory holds one chunk whatever
    the size of the corpus; any error rolls back everything, including the deletion of the
    corpus being replaced.
    """
    name = reader.name
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            if not corpus_is_empty():
                if not replace:
                    raise CorpusError(
                        f"{name}: the database already holds a corpus. Restore into an empty "
                        "database, or replace the corpus on purpose (--replace)."
                    )
            else:
                replace = False
            loader = loader_for_connection(_tables(), CHUNK)
            # Before the first write: on PostgreSQL this switches triggers off (backup_load).
            loader.start()
            if replace:
                _delete_corpus()
            user_ids = _users(reader.rows("users"), name)
            counts["users"] = len(user_ids)
            with _timestamps_as_given():
                for section, model in sections():
                    count = 0
                    for chunk in _chunks(reader.rows(section), CHUNK):
                        objects, links = _build(model, chunk, section, name, user_ids)
                        loader.write(model, objects, links)
                        count += len(objects)
                    loader.section_done(model)
                    counts[section] = count
            reader.finish(counts, ["users", *(section for section, _ in sections())])
            loader.finish()
            _reset_sequences()
            # The summaries are derived, not backed up: worked out again from what was read.
            rebuild_proposition_summaries()
    except DatabaseError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise CorpusError(f"{name}: the database refused the data ({message})") from None
    return counts


def restore_file(path: Path, *, replace: bool = False, limit: int = MAX_BYTES) -> dict[str, int]:
    """Restore the backup at `path` (compressed or not; either format version)."""
    try:
        with open(path, "rb") as raw:
            return restore(BackupReader(raw, path.name, limit=limit), replace=replace)
    except OSError as error:
        raise CorpusError(f"{path}: cannot be read ({error.strerror or error})") from None


def _tables() -> list[str]:
    """Every table a restore writes: the sections' and their many-to-many links'."""
    models_ = [model for _, model in sections()]
    models_ += [getattr(model, field).through for model, field in M2M.items()]
    return [model._meta.db_table for model in models_]


# Past the highest restored id, and never back: a sequence is not rolled back with a
# transaction, so moving one below ids that exist elsewhere (a restore rolled back, a section
# restored empty) would hand out ids already taken.
SEQUENCE_PAST = """
SELECT setval(seq::regclass, GREATEST(
    COALESCE((SELECT MAX({column}) FROM {table}), 0),
    COALESCE(pg_sequence_last_value(seq::regclass), 0),
    1))
FROM pg_get_serial_sequence(%s, %s) AS seq WHERE seq IS NOT NULL
"""


def _reset_sequences() -> None:
    """Ids were written as given: move the id sequences past them (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    models_ = [model for _, model in sections()]
    models_ += [getattr(model, field).through for model, field in M2M.items()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_:
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField):
                continue
            table, column = model._meta.db_table, pk.column
            sql = SEQUENCE_PAST.format(column=quote(column), table=quote(table))
            cursor.execute(sql, [table, column])
