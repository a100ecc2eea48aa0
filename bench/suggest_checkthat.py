"""CLEF CheckThat! 2020 Task 2 (English): rank the verified claims for each tweet with the
ranker the app uses (claims.suggesting.ranking.Ranker), fused and as plain words BM25."""

from __future__ import annotations

import csv
import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.suggesting.ranking import Ranker

DATA = Path(
    os.environ.get(
        "CHECKTHAT_DIR",
        str(Path(__file__).resolve().parents[3] / "shared" / "data" / "checkthat2020-task2"),
    )
)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:] if rows and not rows[0][0].strip().isdigit() else rows


def verified_claim_parts(data: Path = DATA) -> dict[str, tuple[str, str]]:
    """Verified claim id → its two parts: the claim (as a proposition's wording) and its
    article's title (as a proposition's notes)."""
    return {row[0]: (row[1], row[2]) for row in _rows(data / "verified_claims.docs.tsv")}


def verified_claims(data: Path = DATA) -> dict[str, str]:
    """Verified claim id → the claim and its article's title as one text."""
    return {claim: f"{text} {title}" for claim, (text, title) in verified_claim_parts(data).items()}


def queries(split: str, data: Path = DATA) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The tweets of a split (id → text) and the verified claims each one makes."""
    tweets = {row[0]: row[1] for row in _rows(data / split / "tweets.queries.tsv")}
    relevant: dict[str, set[str]] = {}
    for line in (data / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        tweet, _, claim, grade = line.split("\t")
        if int(grade) > 0:
            relevant.setdefault(tweet, set()).add(claim)
    return tweets, relevant


@dataclass(frozen=True)
class Scores:
    """Retrieval measures over a set of queries."""

    queries: int
    map5: float
    mrr: float
    recall1: float
    recall5: float


def evaluate(rankings: dict[str, list[str]], relevant: dict[str, set[str]]) -> Scores:
    """MAP@5, MRR (over the whole ranking given), recall@1 and recall@5."""
    ap5 = rr = r1 = r5 = 0.0
    for query, wanted in relevant.items():
        ranked = rankings.get(query, [])
        hits, precision_sum = 0, 0.0
        for i, doc in enumerate(ranked[:5], start=1):
            if doc in wanted:
                hits += 1
                precision_sum += hits / i
        ap5 += precision_sum / min(len(wanted), 5)
        first = next((i for i, doc in enumerate(ranked, start=1) if doc in wanted), None)
        rr += 1.0 / first if first else 0.0
        r1 += len(wanted & set(ranked[:1])) / len(wanted)
        r5 += len(wanted & set(ranked[:5])) / len(wanted)
    n = len(relevant) or 1
    return Scores(len(relevant), ap5 / n, rr / n, r1 / n, r5 / n)


def run(split: str, ranker: Ranker | None = None, depth: int = 100) -> dict[str, Scores]:
    """Both rankers on one split; returns {"bm25": …, "fused": …}."""
    if ranker is None:
        ranker = Ranker()
        ranker.add_many((claim, *parts) for claim, parts in verified_claim_parts().items())
    tweets, relevant = queries(split)
    result = {}
    for name, fused in (("bm25", False), ("fused", True)):
        rankings = {
            tweet: [hit.doc for hit in ranker.search(tweets[tweet], depth, fused=fused)]
            for tweet in relevant
        }
        result[name] = evaluate(rankings, relevant)
    return result


if __name__ == "__main__":
    for split in sys.argv[1:] or ["dev"]:
        for name, scores in run(split).items():
            print(split, name, scores)
