"""The proposition summaries: per proposition, how many published sources address it, how many
hold each position in their own voice and how divided they are, kept in `PropositionSummary`
so that pages rank and count propositions without reading every stance of the corpus.

The SQL follows `claims.positions` step by step, in whole numbers:

1. each quote (claim) gets one label from its annotators' stances, as `positions.combine`
   does (neutral only when nothing else is present, one sided label is the label, two or more
   make mixed);
2. each source's own quotes give s supporting, c contradicting and m mixed; its position is
   graded from the lean (s - c) / (s + c + m) against the thresholds 1/4 and 1, compared
   without division: lean >= 1 is 4(s - c) >= 4(s + c + m), lean >= 1/4 is
   4(s - c) >= s + c + m, and so on. A source with no
   quote of its own on the proposition (only reported views, counterpoints or background)
   addresses it but holds no position (`positions.evidence` gives it no label);
3. the positions are counted, and `positions.divergence_parts` is computed from the counts:
   the spread (pairs of sources times their distance in steps) times (n - 1), over n³. One
   floating-point division of the same two whole numbers gives the same float as the Python.

Triggers (migrations 0008 and 0016) add to a row's `marks` when something moves it; `refresh`
reads which rows are marked and brings them up to date (one statement per batch of them), and
writes a row only if no newer refresh already has (`settled` only grows), so concurrent
writers cannot put older numbers back.
`rebuild` recomputes everything: the corpus generator and the bulk importers call it after
loading.
"""

from __future__ import annotations

from itertools import combinations

from django.db import connection, transaction

from claims.positions import POSITION_LABELS, SCALE, STEPS

_LABEL = "CASE WHEN st.label <> 'neutral' THEN st.label END"

# One row per (proposition, published source, claim): the claim's label and whether the claim
# is the source's own view. Orphaned claims and stances awaiting re-checking count nowhere, as
# in `Stance.objects.published()`.
_QUOTES = f"""
    SELECT st.proposition_id AS pid, c.source_id AS sid,
           CASE WHEN COUNT(DISTINCT {_LABEL}) = 0 THEN 'neutral'
                WHEN COUNT(DISTINCT {_LABEL}) = 1 THEN MAX({_LABEL})
                ELSE 'mixed' END AS label,
           CASE WHEN c.attribution = 'own' THEN 1 ELSE 0 END AS own
    FROM claims_stance st
    JOIN claims_claim c ON c.id = st.claim_id
    JOIN claims_source s ON s.id = c.source_id
    WHERE s.status = 'published' AND c.anchor_state <> 'orphaned' AND NOT st.needs_recheck
          {{only}}
    GROUP BY st.proposition_id, c.source_id, c.id, c.attribution
"""

# One row per (proposition, published source): its own quotes per label.
_EVIDENCE = """
    SELECT pid, sid, SUM(own) AS own,
           SUM(CASE WHEN own = 1 AND label = 'supports' THEN 1 ELSE 0 END) AS s,
           SUM(CASE WHEN own = 1 AND label = 'contradicts' THEN 1 ELSE 0 END) AS c,
           SUM(CASE WHEN own = 1 AND label = 'mixed' THEN 1 ELSE 0 END) AS m
    FROM ({quotes}) q
    GROUP BY pid, sid
"""

# Each source's position label, or NULL when it has no quote of its own.
_POSITIONS = """
    SELECT pid,
           CASE WHEN e.own = 0 THEN NULL
                WHEN e.s + e.c + e.m = 0 THEN 'neutral'
                WHEN 4 * (e.s - e.c) >= 4 * (e.s + e.c + e.m) THEN 'supports'
                WHEN 4 * (e.s - e.c) >= e.s + e.c + e.m THEN 'leans_supports'
                WHEN 4 * (e.s - e.c) <= -4 * (e.s + e.c + e.m) THEN 'contradicts'
                WHEN 4 * (e.s - e.c) <= -(e.s + e.c + e.m) THEN 'leans_contradicts'
                ELSE 'mixed' END AS position
    FROM ({evidence}) e
"""

LABELS = POSITION_LABELS
_COUNTS = (
    "SELECT pid, COUNT(*) AS sources, "
    + ", ".join(
        f"SUM(CASE WHEN position = '{label}' THEN 1 ELSE 0 END) AS {label}" for label in LABELS
    )
    + " FROM ({positions}) pos GROUP BY pid"
)

# The spread of `positions.divergence_parts`: sources on two labels times their distance.
_SPREAD = " + ".join(
    f"{abs(STEPS[x] - STEPS[y])} * k.{x} * k.{y}" for x, y in combinations(SCALE, 2)
)
_SIDED = "(" + " + ".join(f"k.{label}" for label in SCALE) + ")"
_SUMMARIES = f"""
    SELECT k.pid, k.sources, {", ".join(f"k.{label}" for label in LABELS)},
           CASE WHEN {_SIDED} < 2 THEN 0.0
                ELSE CAST(({_SPREAD}) * ({_SIDED} - 1) AS DOUBLE PRECISION)
                     / ({_SIDED} * {_SIDED} * {_SIDED}) END AS divergence
    FROM ({{counts}}) k
"""
COLUMNS = ", ".join(("sources", *LABELS, "divergence"))


def summaries_sql(only: str = "") -> str:
    """(pid, sources, the six position counts, divergence) per proposition that some published
    source addresses; `only` narrows the stances (`AND st.… IN (…)`)."""
    quotes = _QUOTES.format(only=only)
    positions = _POSITIONS.format(evidence=_EVIDENCE.format(quotes=quotes))
    return _SUMMARIES.format(counts=_COUNTS.format(positions=positions))


_PENDING = "SELECT proposition_id FROM claims_propositionsummary WHERE marks > settled"
# At most this many propositions per statement: the ids go into the SQL as a list.
REFRESH_BATCH = 500


def refresh_sql(count: int) -> str:
    """The statement that settles `count` marked propositions, named by `count` parameters
    (their ids). The ids are read first and given as a list, not as a subquery: PostgreSQL
    then plans for a handful of propositions (index lookups of their stances) instead of
    guessing thousands and reading every stance of the corpus (a second at a million
    claims)."""
    ids = ", ".join(["%s"] * count)
    return f"""
    UPDATE claims_propositionsummary SET
        {", ".join(f"{column} = v.{column}" for column in COLUMNS.split(", "))},
        settled = v.marks
    FROM (
        SELECT q.proposition_id AS pid, q.marks AS marks,
               {", ".join(f"COALESCE(n.{c}, 0) AS {c}" for c in COLUMNS.split(", ")[:-1])},
               COALESCE(n.divergence, 0.0) AS divergence
        FROM claims_propositionsummary q
        LEFT JOIN ({summaries_sql(f"AND st.proposition_id IN ({ids})")}) n
            ON n.pid = q.proposition_id
        WHERE q.marks > q.settled AND q.proposition_id IN ({ids})
    ) v
    WHERE claims_propositionsummary.proposition_id = v.pid
      AND claims_propositionsummary.settled < v.marks
"""


REBUILD_SQL = [
    "DELETE FROM claims_propositionsummary",
    f"""
    INSERT INTO claims_propositionsummary (proposition_id, {COLUMNS}, marks, settled)
    SELECT pid, {COLUMNS}, 0, 0
    FROM ({summaries_sql()}) r
    """,
]


def refresh() -> None:
    """Bring the summaries that edits have marked up to date: one read of the marked ids,
    then one statement per `REFRESH_BATCH` of them (only the read when nothing is marked).
    Writes call it once they commit (`refresh_after_commit`, and
    `claims.middleware.SummariesAfterWritesMiddleware` after every write request)."""
    with connection.cursor() as cursor:
        # Nearly always nothing is marked: one read of the partial index settles that.
        cursor.execute(_PENDING)
        pending = [pk for (pk,) in cursor.fetchall()]
        for start in range(0, len(pending), REFRESH_BATCH):
            batch = pending[start : start + REFRESH_BATCH]
            cursor.execute(refresh_sql(len(batch)), [*batch, *batch])


def refresh_after_commit() -> None:
    """For a write: bring the summaries it marks up to date once it commits (readers never
    refresh them)."""
    transaction.on_commit(refresh)


def rebuild_proposition_summaries() -> None:
    """Recompute every proposition summary from the published stances, in set-based SQL.

    For after a bulk load (the corpus generator, `import_corpus`, `load_seeds`, the annotation
    importer): the triggers have marked what the load touched, and this settles it all at
    once instead of proposition by proposition.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in REBUILD_SQL:
            cursor.execute(statement)
