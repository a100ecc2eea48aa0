"""The public version moves only for published material, and last in the writing transaction.

Before, every statement on a public table bumped the single `claims_publicversion` row at once
(0007). The first write of a transaction then held that row locked until commit while it went
on to lock other rows, and concurrent writers on one source deadlocked on the pair; and a draft
edit changed the version, so every public ETag changed and the public cache emptied.

PostgreSQL: a deferrable constraint trigger, row by row, INITIALLY DEFERRED, so that it runs at
commit, after every other lock of the transaction has been taken. A transaction that holds the
version row needs no other lock, so no cycle can go through it. The first row event that touches
published material bumps the row and notes the statement in a transaction-local setting; the
other events of that statement (at commit: all of them) return at once; where the trigger is set
IMMEDIATE (tests, which never commit) it bumps once per statement instead. Rows of drafts (a claim, stance, authorship or actor link whose source is not published,
a source that is not and was not published) leave the version alone. Vocabulary tables
(publishers, authors, topics, actors, propositions) are shared by drafts and published sources
alike and still bump on every change. TRUNCATE keeps its statement-level bump from 0007.

SQLite: writers are serialised by the database anyway; its row triggers gain the same
published-material conditions.
"""

from django.db import migrations

PUBLISHED = "'published'"
ALWAYS = (
    "claims_publisher",
    "claims_author",
    "claims_topic",
    "claims_actor",
    "claims_proposition",
    "claims_proposition_topics",
)
BY_SOURCE = (
    "claims_source",
    "claims_claim",
    "claims_authorship",
    "claims_claim_actors",
    "claims_confirmedsilence",
)
TABLES = (*ALWAYS, *BY_SOURCE, "claims_stance")
EVENTS = ("INSERT", "UPDATE", "DELETE")

# --- PostgreSQL ------------------------------------------------------------------------------

POSTGRES_FUNCTION = f"""
CREATE FUNCTION claims_public_version_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sources bigint[] := ARRAY[]::bigint[];
    claims bigint[] := ARRAY[]::bigint[];
BEGIN
    IF current_setting('claims.public_version_bumped', true) = statement_timestamp()::text THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'claims_source' THEN
        IF TG_OP <> 'INSERT' AND OLD.status = {PUBLISHED} THEN
            sources := sources || OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status = {PUBLISHED} THEN
            sources := sources || NEW.id;
        END IF;
        IF cardinality(sources) = 0 THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME IN ('claims_claim', 'claims_authorship', 'claims_confirmedsilence') THEN
        IF TG_OP <> 'INSERT' THEN sources := sources || OLD.source_id; END IF;
        IF TG_OP <> 'DELETE' THEN sources := sources || NEW.source_id; END IF;
    ELSIF TG_TABLE_NAME IN ('claims_claim_actors', 'claims_stance') THEN
        IF TG_OP <> 'INSERT' THEN claims := claims || OLD.claim_id; END IF;
        IF TG_OP <> 'DELETE' THEN claims := claims || NEW.claim_id; END IF;
        SELECT coalesce(array_agg(source_id), ARRAY[]::bigint[]) INTO sources
        FROM claims_claim WHERE id = ANY(claims);
    END IF;
    -- A row of a table not listed above is vocabulary: always public. A claim or source that
    -- no longer exists at commit was deleted, and its own row event decides.
    IF (TG_TABLE_NAME IN ('claims_claim', 'claims_authorship', 'claims_claim_actors',
                          'claims_stance', 'claims_confirmedsilence')
        AND NOT EXISTS (SELECT 1 FROM claims_source
                        WHERE id = ANY(sources) AND status = {PUBLISHED})) THEN
        RETURN NULL;
    END IF;
    INSERT INTO claims_publicversion (id, counter, stamp)
    VALUES (1, 1, floor(random() * 9.2e18)::bigint)
    ON CONFLICT (id) DO UPDATE
        SET counter = claims_publicversion.counter + 1, stamp = EXCLUDED.stamp;
    PERFORM set_config('claims.public_version_bumped', statement_timestamp()::text, true);
    RETURN NULL;
END $$;
"""

POSTGRES_FORWARD = [
    *(f"DROP TRIGGER IF EXISTS public_version ON {table};" for table in TABLES),
    POSTGRES_FUNCTION,
    *(
        f"CREATE CONSTRAINT TRIGGER public_version_at_commit AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION claims_public_version_at_commit();"
        for table in TABLES
    ),
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS public_version_at_commit ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS claims_public_version_at_commit();",
    *(
        f"CREATE TRIGGER public_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION claims_bump_public_version();"
        for table in TABLES
    ),
]

# --- SQLite ----------------------------------------------------------------------------------

SQLITE_BUMP = """
    INSERT INTO claims_publicversion (id, counter, stamp) VALUES (1, 1, random())
    ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = random();
"""


def _published_source(column: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM claims_source s WHERE s.id = {column} AND s.status = {PUBLISHED})"
    )


def _published_claim(column: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM claims_claim c JOIN claims_source s ON s.id = c.source_id "
        f"WHERE c.id = {column} AND s.status = {PUBLISHED})"
    )


def _sqlite_condition(table: str, event: str) -> str | None:
    """When a row event of `table` touches published material; None: always."""
    rows = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]
    if table == "claims_source":
        tests = [f"{row}.status = {PUBLISHED}" for row in rows]
    elif table in ("claims_claim", "claims_authorship", "claims_confirmedsilence"):
        tests = [_published_source(f"{row}.source_id") for row in rows]
    elif table in ("claims_claim_actors", "claims_stance"):
        tests = [_published_claim(f"{row}.claim_id") for row in rows]
    else:
        return None
    return " OR ".join(tests)


def _sqlite_name(table: str, event: str) -> str:
    # The names of 0007, so that its helpers for table rebuilds still find them.
    return f"{table}_public_version_{event.lower()}"


def _sqlite_create(table: str, event: str) -> str:
    condition = _sqlite_condition(table, event)
    when = f" WHEN {condition}" if condition else ""
    return (
        f"CREATE TRIGGER {_sqlite_name(table, event)} AFTER {event} ON {table}{when} "
        f"BEGIN {SQLITE_BUMP} END;"
    )


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {_sqlite_name(table, event)};" for table in TABLES for event in EVENTS
]
SQLITE_FORWARD = SQLITE_DROP + [_sqlite_create(t, e) for t in TABLES for e in EVENTS]


def forward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor)
    if statements is None:
        raise RuntimeError(f"No public version trigger is written for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        from importlib import import_module

        previous = import_module("claims.migrations.0007_public_version")
        for statement in SQLITE_DROP + previous.SQLITE_FORWARD:
            schema_editor.execute(statement)


def create_sqlite_triggers(apps, schema_editor) -> None:
    """For a later migration that rebuilds one of TABLES on SQLite (which drops its triggers)."""
    if schema_editor.connection.vendor == "sqlite":
        forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_confirmed_silence")]

    operations = [migrations.RunPython(forward, backward)]
