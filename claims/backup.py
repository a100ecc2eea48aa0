"""Backup and restore of the whole corpus as one JSON document.

`export_corpus` writes every publisher, author, source (with its authorships), topic, actor,
proposition, claim and stance, and the history kept for sources, claims (with their actors),
stances and propositions: every column, ids included, so that API URLs, history and the
"restore a deleted claim" screen keep working after a restore. People are named by username
(created_by, annotator, published_by, history_user); accounts themselves (passwords, tokens,
groups) are not part of the corpus.

`import_corpus` checks the whole document before writing, writes it in one transaction and
refuses a database that already holds a corpus unless told to replace it (`replace=True`
deletes the old corpus in the same transaction). Nothing is recomputed on the way in: versions,
timestamps, quotes and anchors are restored exactly as exported, and the database's own rules
(claim_quote_matches_body, the named constraints) check them again.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from claims.models import (
    Actor,
    Author,
    Authorship,
    Claim,
    Proposition,
    Publisher,
    Source,
    Stance,
    Topic,
)
from claims.summaries import rebuild_proposition_summaries

FORMAT = "geopolitics-claims-corpus"
# Version 2 added claims' attribution; version 1 backups are read by `_upgrade_v1`.
VERSION = 2
READABLE = (1, VERSION)
MAX_BYTES = 512 * 1024 * 1024

# Parents before children: this is the order rows are written in (and deleted in reverse).
CORPUS: list[tuple[str, type[models.Model]]] = [
    ("publishers", Publisher),
    ("authors", Author),
    ("sources", Source),
    ("authorships", Authorship),
    ("topics", Topic),
    ("actors", Actor),
    ("propositions", Proposition),
    ("claims", Claim),
    ("stances", Stance),
]
# Many-to-many links travel inside their owner's rows, as lists of ids.
M2M = {Proposition: "topics", Claim: "actors"}


def _history_models() -> list[tuple[str, type[models.Model]]]:
    return [
        ("source_history", Source.history.model),
        ("proposition_history", Proposition.history.model),
        ("claim_history", Claim.history.model),
        ("claim_actor_history", apps.get_model("claims", "HistoricalClaim_actors")),
        ("stance_history", Stance.history.model),
    ]


def sections() -> list[tuple[str, type[models.Model]]]:
    return CORPUS + _history_models()


class CorpusError(Exception):
    """The file cannot be restored; nothing was written. The message names where and why."""


def _is_user(field: models.Field) -> bool:
    return field.is_relation and field.related_model is get_user_model()


# --- export ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _rows(model: type[models.Model], usernames: dict[int, str]) -> Iterator[dict]:
    fields = model._meta.concrete_fields
    m2m = M2M.get(model)
    queryset = model._default_manager.order_by("pk")
    if m2m:
        queryset = queryset.prefetch_related(m2m)
    for obj in queryset.iterator(chunk_size=2000):
        row: dict[str, Any] = {}
        for field in fields:
            value = getattr(obj, field.attname)
            if _is_user(field):
                row[field.name] = usernames.get(value) if value is not None else None
            else:
                row[field.attname] = _plain(value)
        if m2m:
            row[m2m] = sorted(related.pk for related in getattr(obj, m2m).all())
        yield row


def export_corpus() -> dict:
    """The whole corpus as a JSON-ready document, read from one consistent snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every table: writes during the export cannot tear it.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        user_model = get_user_model()
        users = {u.pk: u for u in user_model._default_manager.all()}
        usernames = {pk: user.get_username() for pk, user in users.items()}
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
        }
        referenced: set[str] = set()
        for name, model in sections():
            rows = list(_rows(model, usernames))
            for row in rows:
                referenced.update(
                    row[f.name] for f in model._meta.concrete_fields if _is_user(f) and row[f.name]
                )
            document[name] = rows
        by_name = {user.get_username(): user for user in users.values()}
        document["users"] = [
            {
                "username": name,
                "first_name": by_name[name].first_name,
                "last_name": by_name[name].last_name,
            }
            for name in sorted(referenced)
        ]
    return document


def write_corpus(path: Path) -> dict[str, int]:
    """Export to `path` (gzip-compressed when it ends in .gz); returns the row counts."""
    document = export_corpus()
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    temporary = path.with_name(path.name + ".partial")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(temporary, "wb") as handle:
        handle.write(data)
    # Written in full before it takes the real name: a crash never leaves a truncated backup.
    temporary.replace(path)
    return {name: len(document[name]) for name, _ in sections()}


# --- import ---------------------------------------------------------------------------------


def read_document(path: Path) -> dict:
    """Read and parse a backup file, with errors that name the file and the problem."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CorpusError(f"{path.name}: larger than {MAX_BYTES // 1024 // 1024} MiB")
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except OSError as error:
        raise CorpusError(f"{path}: cannot be read ({error.strerror or error})") from None
    except EOFError:
        raise CorpusError(f"{path.name}: the compressed file is truncated") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise CorpusError(f"{path.name}: nested too deeply to be a corpus backup") from None
    except json.JSONDecodeError as error:
        raise CorpusError(
            f"{path.name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    return check_document(document, path.name)


def check_document(document: Any, name: str) -> dict:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CorpusError(f'{name}: not a corpus backup (no "format": "{FORMAT}")')
    if document.get("version") not in READABLE:
        raise CorpusError(
            f"{name}: backup format version {document.get('version')!r}; this site reads "
            f"versions {' and '.join(map(str, READABLE))}"
        )
    expected = {"format", "version", "exported_at", "users", *(n for n, _ in sections())}
    unknown = sorted(set(document) - expected)
    if unknown:
        raise CorpusError(f"{name}: unknown section {unknown[0]!r}")
    missing = sorted(expected - set(document))
    if missing:
        raise CorpusError(f"{name}: missing section {missing[0]!r}")
    for section in expected - {"format", "version", "exported_at"}:
        rows = document[section]
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise CorpusError(f"{name}: {section} must be a list of objects")
    return document


def corpus_is_empty() -> bool:
    return not any(model._default_manager.exists() for _, model in sections())


def _delete_corpus() -> None:
    Topic.objects.update(parent=None)
    for _, model in reversed(CORPUS):
        model._default_manager.all().delete()
    # History last: deleting the rows above records their deletion, which goes too.
    for _, model in _history_models():
        model._default_manager.all().delete()


def _users(document: dict, name: str) -> dict[str, int]:
    """Accounts by username: existing ones are reused, missing ones are created inactive and
    without a password (they are bylines until an administrator gives them access)."""
    user_model = get_user_model()
    ids: dict[str, int] = {}
    for i, spec in enumerate(document["users"]):
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


def _build(model, rows: list[dict], section: str, name: str, user_ids: dict[str, int]):
    fields = model._meta.concrete_fields
    keys = {f.name if _is_user(f) else f.attname for f in fields}
    m2m = M2M.get(model)
    allowed = keys | ({m2m} if m2m else set())
    objects, links = [], []
    for i, row in enumerate(rows):
        where = f"{name}: {section}[{i}]"
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise CorpusError(f"{where}: unknown field {unknown[0]!r}")
        missing = sorted(keys - set(row))
        if missing:
            raise CorpusError(f"{where}: missing field {missing[0]!r}")
        values: dict[str, Any] = {}
        for field in fields:
            if _is_user(field):
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
        exclude = [
            f.name for f in fields if f.is_relation or (f.null and values[f.attname] is None)
        ]
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


def _upgrade_v1(document: dict) -> None:
    """Give claims of a version 1 backup an attribution, as migration 0011 did for stored
    ones: the retired "reported speech" kind becomes a reported factual claim."""
    for section in ("claims", "claim_history"):
        for row in document[section]:
            if "attribution" in row:
                continue
            if row.get("kind") == "reported_speech":
                row["kind"], row["attribution"] = "factual", "reported"
            else:
                row["attribution"] = "own"


def import_corpus(document: dict, *, name: str, replace: bool = False) -> dict[str, int]:
    """Restore `document` in one transaction; returns the row counts written."""
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            if not corpus_is_empty():
                if not replace:
                    raise CorpusError(
                        f"{name}: the database already holds a corpus. Restore into an empty "
                        "database, or replace the corpus on purpose (--replace)."
                    )
                _delete_corpus()
            if document["version"] == 1:
                _upgrade_v1(document)
            user_ids = _users(document, name)
            with _timestamps_as_given():
                for section, model in sections():
                    objects, links = _build(model, document[section], section, name, user_ids)
                    model._default_manager.bulk_create(objects, batch_size=500)
                    if links:
                        type(links[0])._default_manager.bulk_create(links, batch_size=1000)
                    counts[section] = len(objects)
            _reset_sequences()
            # The summaries are derived, not backed up: worked out again from what was read.
            rebuild_proposition_summaries()
    except DatabaseError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise CorpusError(f"{name}: the database refused the data ({message})") from None
    return counts


def _reset_sequences() -> None:
    """Ids were written as given: move the id sequences past them (PostgreSQL)."""
    models_ = [model for _, model in sections()]
    models_ += [getattr(model, field).through for model, field in M2M.items()]
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
