"""How a restore writes its checked rows: the ORM's bulk insert, or PostgreSQL's COPY.

`claims.backup.restore` checks every row in Python and hands each chunk to a loader. On SQLite
(and any other database) the loader is `BulkCreateLoader`: one bulk insert per chunk, every
trigger and constraint checking each row as it arrives.

On PostgreSQL that path spends most of its time in the database doing work per row that a
restore does not need row by row: the quote trigger reads (and decompresses) the source's body
for every claim, the summary triggers mark propositions that are rebuilt at the end anyway, and
the public-version triggers bump a counter that only needs to move once. `CopyLoader` writes
each chunk with COPY and, for the restoring transaction only, disables exactly those triggers
(`ALTER TABLE … DISABLE TRIGGER` is transactional in PostgreSQL: a rollback, or a crash, leaves
them enabled). What they guaranteed is then established once, in bulk:

- claim_quote_matches_body: one pass over the restored claims, source by source (each body is
  read once), refuses the restore if any non-orphaned claim's quote is not body[start:end];
- the proposition summaries: rebuilt from the restored stances (by `claims.backup.restore`);
- the public version: bumped once, just before the triggers are enabled again.

Foreign keys, unique and check constraints stay on: COPY checks them as any insert does. Django
declares foreign keys DEFERRABLE INITIALLY DEFERRED, which would queue one pending check per
row until commit (millions, held in the server's memory); the pending checks are run at the end
of each section instead, when every row a section may refer to (itself included) is in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, models

__all__ = ["QUOTE_RULE", "BulkCreateLoader", "CopyLoader", "loader_for_connection"]

QUOTE_RULE = "claim_quote_matches_body"

# The triggers a restore may switch off, by name, with what stands in for each. Others on the
# corpus tables (source_body_keeps_claims, the TRUNCATE bumps) stay on: a restore never fires
# them. Both generations of the public-version trigger are listed: the statement-level one of
# migration 0007 and the deferred per-row one that replaces it.
DEFERRED_TO_THE_END = {
    QUOTE_RULE: "checked once over every restored claim",
    "summary_marks_insert": "summaries rebuilt after the restore",
    "summary_marks_update": "summaries rebuilt after the restore",
    "summary_marks_delete": "summaries rebuilt after the restore",
    "summary_marks_claim": "summaries rebuilt after the restore",
    "summary_marks_source": "summaries rebuilt after the restore",
    "public_version": "public version bumped once",
    "public_version_at_commit": "public version bumped once",
}

# Source by source, so that each body is read and decompressed once, not once per claim as the
# per-row trigger does (`|| ''` makes a plain in-memory copy of a toasted value).
QUOTE_CHECK = f"""
DO $$
DECLARE
    src record;
    body text;
    body_length integer;
    bad bigint;
BEGIN
    FOR src IN SELECT s.id, s.body FROM claims_source s
               WHERE EXISTS (SELECT 1 FROM claims_claim c WHERE c.source_id = s.id) LOOP
        body := src.body || '';
        body_length := char_length(body);
        SELECT c.id INTO bad FROM claims_claim c
        WHERE c.source_id = src.id AND c.anchor_state <> 'orphaned'
          AND (c."end" > body_length
               OR substr(body, c.start + 1, c."end" - c.start) <> c.quote)
        LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION '{QUOTE_RULE}: the quote of claim % is not source.body[start:end]',
                bad USING ERRCODE = 'check_violation', CONSTRAINT = '{QUOTE_RULE}';
        END IF;
    END LOOP;
END $$;
"""

BUMP_PUBLIC_VERSION = """
INSERT INTO claims_publicversion (id, counter, stamp)
VALUES (1, 1, floor(random() * 9.2e18)::bigint)
ON CONFLICT (id) DO UPDATE
    SET counter = claims_publicversion.counter + 1, stamp = EXCLUDED.stamp
"""


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    # Generated columns are the database's to fill, as in bulk_create.
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


# Fields whose checked value (after `to_python` and `clean_fields`) is already what the column
# takes; preparing them through the field costs more than the whole COPY.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """How to turn a checked value of `field` into a COPY value; None: as it is."""
    if isinstance(field, models.DateTimeField):
        # An aware datetime is written as it is; a naive one gets the field's own treatment.
        return lambda value: (
            value
            if value is None or value.tzinfo is not None
            else field.get_db_prep_save(value, connection)
        )
    if isinstance(field, (*_PLAIN, models.DateField)):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _copy_rows(fields: list[models.Field], objects: list) -> Iterator[tuple]:
    preparers = [(f.attname, _preparer(f)) for f in fields]
    for obj in objects:
        values = obj.__dict__
        yield tuple(
            values[attname] if prepare is None else prepare(values[attname])
            for attname, prepare in preparers
        )


class BulkCreateLoader:
    """Every row through the ORM's bulk insert, checked by every trigger as it arrives."""

    def __init__(self, tables: Iterable[str], chunk: int):
        self.chunk = chunk

    def start(self) -> None:
        """Nothing to prepare."""

    def write(self, model: type[models.Model], objects: list, links: list) -> None:
        """Insert a chunk of checked rows and their many-to-many links."""
        model._default_manager.bulk_create(objects, batch_size=self.chunk)
        if links:
            type(links[0])._default_manager.bulk_create(links, batch_size=self.chunk)

    def section_done(self, model: type[models.Model]) -> None:
        """Nothing to check: the triggers checked each row."""

    def finish(self) -> None:
        """Nothing to put back."""


class CopyLoader:
    """PostgreSQL: COPY per chunk, per-row triggers replaced by checks in bulk (module doc)."""

    def __init__(self, tables: Iterable[str], chunk: int):
        self.tables = sorted(set(tables))
        self.chunk = chunk
        self.disabled: list[tuple[str, str]] = []

    def _execute(self, sql: str, params: list | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def _run_pending_checks(self) -> None:
        # Every deferred check so far runs now (a failure is the restore's failure), then
        # checks are deferred again, as the constraints declare.
        self._execute("SET CONSTRAINTS ALL IMMEDIATE")
        self._execute("SET CONSTRAINTS ALL DEFERRED")

    def start(self) -> None:
        """Disable the triggers listed in DEFERRED_TO_THE_END on the corpus tables.

        Must run before the restore writes anything: PostgreSQL refuses to alter a table with
        checks still pending in the transaction, so any left by the caller are run first.
        """
        self._run_pending_checks()
        self.disabled = self._execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.relname = ANY(%s) "
            "AND t.tgname = ANY(%s) ORDER BY c.relname, t.tgname",
            [self.tables, sorted(DEFERRED_TO_THE_END)],
        )
        self._alter("DISABLE")

    def _alter(self, action: str) -> None:
        quote = connection.ops.quote_name
        for table, trigger in self.disabled:
            self._execute(f"ALTER TABLE {quote(table)} {action} TRIGGER {quote(trigger)}")

    def _copy(self, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        # psycopg's own COPY: its errors are turned into Django's, like any query's.
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def write(self, model: type[models.Model], objects: list, links: list) -> None:
        """COPY a chunk of checked rows, then their many-to-many links."""
        fields = _insert_fields(model)
        self._copy(
            model._meta.db_table,
            [f.column for f in fields],
            _copy_rows(fields, objects),
        )
        if links:
            through = type(links[0])
            fields = [f for f in through._meta.concrete_fields if not f.primary_key]
            self._copy(
                through._meta.db_table,
                [f.column for f in fields],
                (tuple(getattr(link, f.attname) for f in fields) for link in links),
            )

    def section_done(self, model: type[models.Model]) -> None:
        """Check the section's references now; after the claims, every claim's quote."""
        self._run_pending_checks()
        if model._meta.db_table == "claims_claim" and any(
            trigger == QUOTE_RULE for _, trigger in self.disabled
        ):
            self._execute(QUOTE_CHECK)

    def finish(self) -> None:
        """Bump the public version once and put the triggers back, before the commit."""
        self._run_pending_checks()
        self._execute(BUMP_PUBLIC_VERSION)
        self._alter("ENABLE")


def loader_for_connection(tables: Iterable[str], chunk: int) -> BulkCreateLoader | CopyLoader:
    """COPY on PostgreSQL, the ORM's bulk insert elsewhere."""
    if connection.vendor == "postgresql":
        return CopyLoader(tables, chunk)
    return BulkCreateLoader(tables, chunk)
