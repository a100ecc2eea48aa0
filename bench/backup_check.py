"""`python bench/backup_check.py DB_A DB_B`: do two PostgreSQL databases hold the same corpus?

For every table a backup restores (and the proposition summaries a restore works out again), a
row count and an order-independent checksum of the rows' text, computed by the server: the
sum of `hashtext` over each row. People are compared by username, not by id (a restore creates
the accounts it needs afresh), and many-to-many links by their two ends (their own ids are not
part of the corpus). A table one database lacks (made by an older schema) counts as empty
there. Prints one line per table and exits non-zero on any difference.

How the backup figures in the README (Backup and restore) were checked:

    python manage.py export_corpus corpus-10k.jsonl.gz     # DATABASE_URL: geopolitics_bench_10k
    python manage.py import_corpus corpus-10k.jsonl.gz     # DATABASE_URL: a fresh, migrated one
    python bench/backup_check.py geopolitics_bench_10k geopolitics_restore_10k

(A backup larger than 512 MiB once decompressed, such as the million-claim corpus's 3.1 GB,
needs `import_corpus --max-mib`.)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from bench.common import PG_URL, setup_django


def _queries() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from claims import backup
    from claims.models import Claim, Proposition, PropositionSummary

    user_table = get_user_model()._meta.db_table
    queries = {}
    models = [model for _, model in backup.sections()] + [PropositionSummary]
    for model in models:
        columns = []
        for field in model._meta.concrete_fields:
            column = f't."{field.column}"'
            if backup._is_user(field):
                column = f'(SELECT u.username FROM "{user_table}" u WHERE u.id = {column})'
            columns.append(column)
        queries[model._meta.db_table] = _checksum(model._meta.db_table, columns)
    for through in (Claim.actors.through, Proposition.topics.through):
        columns = [f't."{field.column}"' for field in through._meta.concrete_fields[1:]]
        queries[through._meta.db_table] = _checksum(through._meta.db_table, columns)
    return queries


def _checksum(table: str, columns: list[str]) -> str:
    row = f"ROW({', '.join(columns)})::text"
    return f'SELECT count(*), coalesce(sum(hashtext({row})::bigint), 0) FROM "{table}" t'


def _count(database: psycopg.Connection, table: str, sql: str) -> tuple[int, int]:
    # A table added after a database was made (an older schema's benchmark corpus has no
    # confirmed silences) holds no rows there.
    if database.execute("SELECT to_regclass(%s)", [table]).fetchone()[0] is None:
        return (0, 0)
    return database.execute(sql).fetchone()


def main() -> int:
    first, second = sys.argv[1:3]
    setup_django()
    queries = _queries()
    results = {}
    for name in (first, second):
        with psycopg.connect(f"{PG_URL}/{name}") as database:
            results[name] = {table: _count(database, table, sql) for table, sql in queries.items()}
    differ = 0
    for table in queries:
        a, b = results[first][table], results[second][table]
        same = "same" if a == b else "DIFFERENT"
        differ += a != b
        print(f"{table:34} {a[0]:>10,} rows  checksum {a[1]:>22}  {same}")
    print(f"{len(queries) - differ} of {len(queries)} tables identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
