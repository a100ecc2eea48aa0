"""Proposition summaries (`claims.summaries`) and the triggers that mark them out of date.

A summary moves when a stance is added, changed or removed, when a claim moves to another
source, or when a source's status changes (publishing or unpublishing all its stances). The
triggers only add to `marks` (creating the row if needed); readers recompute marked rows with
`claims.summaries.refresh`. PostgreSQL marks once per statement from the transition tables, so
that bulk loads stay fast; SQLite marks row by row. The rows are filled for the existing corpus
at the end.
"""

import django.db.models.deletion
from django.db import migrations, models


COLUMNS = (
    "proposition_id, sources, supports, contradicts, mixed, neutral, divergence, marks, settled"
)
MARK = (
    f"INSERT INTO claims_propositionsummary ({COLUMNS}) "
    "SELECT DISTINCT {pid}, 0, 0, 0, 0, 0, 0.0, 1, 0 {rest} "
    "ON CONFLICT (proposition_id) DO UPDATE SET marks = claims_propositionsummary.marks + 1;"
)


def _mark(pid: str, rest: str = "") -> str:
    return MARK.format(pid=pid, rest=rest)


SQLITE_FORWARD = [
    "CREATE TRIGGER summary_marks_stance_insert AFTER INSERT ON claims_stance "
    f"BEGIN {_mark('NEW.proposition_id', 'WHERE true')} END;",
    "CREATE TRIGGER summary_marks_stance_delete AFTER DELETE ON claims_stance "
    f"BEGIN {_mark('OLD.proposition_id', 'WHERE true')} END;",
    "CREATE TRIGGER summary_marks_stance_update "
    "AFTER UPDATE OF label, proposition_id, claim_id ON claims_stance "
    f"BEGIN {_mark('OLD.proposition_id', 'WHERE true')} "
    f"{_mark('NEW.proposition_id', 'WHERE true')} END;",
    "CREATE TRIGGER summary_marks_claim_moved AFTER UPDATE OF source_id ON claims_claim "
    "WHEN OLD.source_id <> NEW.source_id BEGIN "
    + _mark("st.proposition_id", "FROM claims_stance st WHERE st.claim_id = NEW.id")
    + " END;",
    "CREATE TRIGGER summary_marks_source_status AFTER UPDATE OF status ON claims_source "
    "WHEN OLD.status <> NEW.status BEGIN "
    + _mark(
        "st.proposition_id",
        "FROM claims_stance st JOIN claims_claim c ON c.id = st.claim_id "
        "WHERE c.source_id = NEW.id",
    )
    + " END;",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "summary_marks_stance_insert",
        "summary_marks_stance_delete",
        "summary_marks_stance_update",
        "summary_marks_claim_moved",
        "summary_marks_source_status",
    )
]

POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION claims_mark_stance_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {_mark("proposition_id", "FROM new_rows")}
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            {_mark("proposition_id", "FROM old_rows")}
        END IF;
        RETURN NULL;
    END $$;
    """,
    f"""
    CREATE FUNCTION claims_mark_claim_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {
        _mark(
            "st.proposition_id",
            "FROM new_rows n JOIN old_rows o ON o.id = n.id "
            "JOIN claims_stance st ON st.claim_id = n.id WHERE o.source_id <> n.source_id",
        )
    }
        RETURN NULL;
    END $$;
    """,
    f"""
    CREATE FUNCTION claims_mark_source_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {
        _mark(
            "st.proposition_id",
            "FROM new_rows n JOIN old_rows o ON o.id = n.id "
            "JOIN claims_claim c ON c.source_id = n.id "
            "JOIN claims_stance st ON st.claim_id = c.id WHERE o.status <> n.status",
        )
    }
        RETURN NULL;
    END $$;
    """,
    "CREATE TRIGGER summary_marks_insert AFTER INSERT ON claims_stance "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_mark_stance_summaries();",
    "CREATE TRIGGER summary_marks_update AFTER UPDATE ON claims_stance "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_mark_stance_summaries();",
    "CREATE TRIGGER summary_marks_delete AFTER DELETE ON claims_stance "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_mark_stance_summaries();",
    "CREATE TRIGGER summary_marks_claim AFTER UPDATE ON claims_claim "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_mark_claim_summaries();",
    "CREATE TRIGGER summary_marks_source AFTER UPDATE ON claims_source "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_mark_source_summaries();",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS summary_marks_insert ON claims_stance;",
    "DROP TRIGGER IF EXISTS summary_marks_update ON claims_stance;",
    "DROP TRIGGER IF EXISTS summary_marks_delete ON claims_stance;",
    "DROP TRIGGER IF EXISTS summary_marks_claim ON claims_claim;",
    "DROP TRIGGER IF EXISTS summary_marks_source ON claims_source;",
    "DROP FUNCTION IF EXISTS claims_mark_stance_summaries();",
    "DROP FUNCTION IF EXISTS claims_mark_claim_summaries();",
    "DROP FUNCTION IF EXISTS claims_mark_source_summaries();",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, direction: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"No proposition summary trigger is written for {vendor}.")
    for statement in STATEMENTS[vendor][direction]:
        schema_editor.execute(statement)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, 1)


def drop_sqlite_triggers(apps, schema_editor) -> None:
    """Before a later migration rebuilds claims_stance, claims_claim or claims_source."""
    if schema_editor.connection.vendor == "sqlite":
        backward(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        backward(apps, schema_editor)
        forward(apps, schema_editor)


def fill(apps, schema_editor) -> None:
    # Filled by 0016_position_summaries instead: the summary SQL of `claims.summaries` now
    # writes columns that this migration does not create yet.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_public_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="PropositionSummary",
            fields=[
                (
                    "proposition",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="summary",
                        serialize=False,
                        to="claims.proposition",
                    ),
                ),
                (
                    "sources",
                    models.PositiveIntegerField(
                        default=0, help_text="Published sources addressing it."
                    ),
                ),
                ("supports", models.PositiveIntegerField(default=0)),
                ("contradicts", models.PositiveIntegerField(default=0)),
                ("mixed", models.PositiveIntegerField(default=0)),
                ("neutral", models.PositiveIntegerField(default=0)),
                ("divergence", models.FloatField(default=0.0)),
                ("marks", models.BigIntegerField(default=0)),
                ("settled", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("sources__gt", 0)),
                        fields=["-divergence", "-sources"],
                        name="summary_contested_idx",
                    ),
                    models.Index(
                        condition=models.Q(("marks__gt", models.F("settled"))),
                        fields=["proposition"],
                        name="summary_pending_idx",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
