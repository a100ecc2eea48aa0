"""Make the database itself refuse a claim whose quote is not source.body[start:end].

The rule spans two tables, so a CHECK constraint cannot hold it; triggers do, on SQLite and
PostgreSQL alike (both count characters, i.e. code points, in substr and length). Orphaned
claims are exempt: their words are no longer in the text, which is why they are orphaned.
"""

from django.db import migrations

MESSAGE = "claim_quote_matches_body: the quote of a claim must equal source.body[start:end]"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER claim_quote_matches_body_{event.lower()}
    BEFORE {event} ON claims_claim
    WHEN NEW.anchor_state <> 'orphaned' AND NOT EXISTS (
        SELECT 1 FROM claims_source s
        WHERE s.id = NEW.source_id
          AND NEW."end" <= length(s.body)
          AND substr(s.body, NEW.start + 1, NEW."end" - NEW.start) = NEW.quote
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
] + [
    f"""
    CREATE TRIGGER source_body_keeps_claims
    AFTER UPDATE OF body ON claims_source
    WHEN EXISTS (
        SELECT 1 FROM claims_claim c
        WHERE c.source_id = NEW.id AND c.anchor_state <> 'orphaned'
          AND (c."end" > length(NEW.body)
               OR substr(NEW.body, c.start + 1, c."end" - c.start) <> c.quote)
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (re-anchor claims before changing the text)'); END;
    """
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS claim_quote_matches_body_insert;",
    "DROP TRIGGER IF EXISTS claim_quote_matches_body_update;",
    "DROP TRIGGER IF EXISTS source_body_keeps_claims;",
]

POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION claim_quote_matches_body() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.anchor_state <> 'orphaned' AND NOT EXISTS (
            SELECT 1 FROM claims_source s
            WHERE s.id = NEW.source_id
              AND NEW."end" <= char_length(s.body)
              AND substr(s.body, NEW.start + 1, NEW."end" - NEW.start) = NEW.quote
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'claim_quote_matches_body';
        END IF;
        RETURN NEW;
    END $$;
    """,
    """
    CREATE TRIGGER claim_quote_matches_body BEFORE INSERT OR UPDATE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claim_quote_matches_body();
    """,
    f"""
    CREATE FUNCTION source_body_keeps_claims() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM claims_claim c
            WHERE c.source_id = NEW.id AND c.anchor_state <> 'orphaned'
              AND (c."end" > char_length(NEW.body)
                   OR substr(NEW.body, c.start + 1, c."end" - c.start) <> c.quote)
        ) THEN
            RAISE EXCEPTION '{MESSAGE} (re-anchor claims before changing the text)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'claim_quote_matches_body';
        END IF;
        RETURN NEW;
    END $$;
    """,
    """
    CREATE TRIGGER source_body_keeps_claims AFTER UPDATE OF body ON claims_source
    FOR EACH ROW EXECUTE FUNCTION source_body_keeps_claims();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS source_body_keeps_claims ON claims_source;",
    "DROP FUNCTION IF EXISTS source_body_keeps_claims();",
    "DROP TRIGGER IF EXISTS claim_quote_matches_body ON claims_claim;",
    "DROP FUNCTION IF EXISTS claim_quote_matches_body();",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, direction: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"No claim_quote_matches_body trigger is written for {vendor}.")
    for statement in STATEMENTS[vendor][direction]:
        schema_editor.execute(statement)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
