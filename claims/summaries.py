"""The proposition summaries: per proposition, how many published sources take each position
and how divided they are, kept in `PropositionSummary` so that pages rank and count
propositions without reading every stance of the corpus.

The SQL works out each source's position the way `positions.combine` does (neutral only when
nothing else is present, one sided label is the position, two or more make mixed), counts the
positions, and computes `positions.divergence` from the counts: with s supporting, c
contradicting and m mixed sources (n = s + c + m), the pairs of sided positions differ by
2·s·c + s·m + c·m steps over n·(n−1)/2 pairs, halved, i.e. (2sc + sm + cm) / (n(n−1)), which is
the same floating-point number as the Python (dividing by two is exact).

Triggers (migration 0008) add to a row's `marks` when something moves it; `refresh` brings the
marked rows up to date in one statement, and writes a row only if no newer refresh already has
(`settled` only grows), so concurrent readers cannot put older numbers back. `rebuild`
recomputes everything: the corpus generator and the bulk importers call it after loading.
"""

from __future__ import annotations

from django.db import connection, transaction

_LABEL = "CASE WHEN st.label <> 'neutral' THEN st.label END"

# One row per (proposition, published source): that source's position on it.
_POSITIONS = f"""
    SELECT st.proposition_id AS pid,
           CASE WHEN COUNT(DISTINCT {_LABEL}) = 0 THEN 'neutral'
                WHEN COUNT(DISTINCT {_LABEL}) = 1 THEN MAX({_LABEL})
                ELSE 'mixed' END AS position
    FROM claims_stance st
    JOIN claims_claim c ON c.id = st.claim_id
    JOIN claims_source s ON s.id = c.source_id
    WHERE s.status = 'published' {{only}}
    GROUP BY st.proposition_id, c.source_id
"""

_COUNTS = """
    SELECT pid, COUNT(*) AS sources,
           SUM(CASE WHEN position = 'supports' THEN 1 ELSE 0 END) AS supports,
           SUM(CASE WHEN position = 'contradicts' THEN 1 ELSE 0 END) AS contradicts,
           SUM(CASE WHEN position = 'mixed' THEN 1 ELSE 0 END) AS mixed,
           SUM(CASE WHEN position = 'neutral' THEN 1 ELSE 0 END) AS neutral
    FROM ({positions}) pos
    GROUP BY pid
"""

_SIDED = "(k.supports + k.contradicts + k.mixed)"
_SUMMARIES = f"""
    SELECT k.pid, k.sources, k.supports, k.contradicts, k.mixed, k.neutral,
           CASE WHEN {_SIDED} < 2 THEN 0.0
                ELSE CAST(2 * k.supports * k.contradicts + k.supports * k.mixed
                          + k.contradicts * k.mixed AS DOUBLE PRECISION)
                     / ({_SIDED} * ({_SIDED} - 1)) END AS divergence
    FROM ({{counts}}) k
"""


def summaries_sql(only: str = "") -> str:
    """(pid, sources, supports, contradicts, mixed, neutral, divergence) per proposition that
    some published source addresses; `only` narrows the stances (`AND st.… IN (…)`)."""
    return _SUMMARIES.format(counts=_COUNTS.format(positions=_POSITIONS.format(only=only)))


_PENDING = "SELECT proposition_id FROM claims_propositionsummary WHERE marks > settled"

REFRESH_SQL = f"""
    UPDATE claims_propositionsummary SET
        sources = v.sources, supports = v.supports, contradicts = v.contradicts,
        mixed = v.mixed, neutral = v.neutral, divergence = v.divergence, settled = v.marks
    FROM (
        SELECT q.proposition_id AS pid, q.marks AS marks,
               COALESCE(n.sources, 0) AS sources, COALESCE(n.supports, 0) AS supports,
               COALESCE(n.contradicts, 0) AS contradicts, COALESCE(n.mixed, 0) AS mixed,
               COALESCE(n.neutral, 0) AS neutral, COALESCE(n.divergence, 0.0) AS divergence
        FROM claims_propositionsummary q
        LEFT JOIN ({summaries_sql(f"AND st.proposition_id IN ({_PENDING})")}) n
            ON n.pid = q.proposition_id
        WHERE q.marks > q.settled
    ) v
    WHERE claims_propositionsummary.proposition_id = v.pid
      AND claims_propositionsummary.settled < v.marks
"""

REBUILD_SQL = [
    "DELETE FROM claims_propositionsummary",
    f"""
    INSERT INTO claims_propositionsummary
        (proposition_id, sources, supports, contradicts, mixed, neutral, divergence,
         marks, settled)
    SELECT pid, sources, supports, contradicts, mixed, neutral, divergence, 0, 0
    FROM ({summaries_sql()}) r
    """,
]


def refresh() -> None:
    """Bring the summaries that edits have marked up to date (one statement; a no-op when
    nothing is marked). Pages call it before they read summaries."""
    with connection.cursor() as cursor:
        # Nearly always nothing is marked: one probe of the partial index settles that.
        cursor.execute(f"SELECT EXISTS ({_PENDING})")
        if cursor.fetchone()[0]:
            cursor.execute(REFRESH_SQL)


def rebuild_proposition_summaries() -> None:
    """Recompute every proposition summary from the published stances, in set-based SQL.

    For after a bulk load (the corpus generator, `import_corpus`, `load_seeds`, the annotation
    importer): the triggers have marked what the load touched, and this settles it all at
    once instead of proposition by proposition.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in REBUILD_SQL:
            cursor.execute(statement)
