"""`make bench-suggest`: how well and how fast propositions are suggested.

Runs the ranker the app uses (claims.suggesting.ranking.Ranker, with the document the app
indexes for a proposition) on three questions, in one run, and writes bench/SUGGEST.md:

1. CLEF CheckThat! 2020 Task 2 (English), dev split: the 10,375 verified claims ranked for each
   tweet; MAP@5, MRR, recall@1 and recall@5 for words BM25 alone (the baseline) and fused.
   `--tune` searches the fusion weight on the train split only, and prints the table.
2. The seeds, leave one source out: for each claim of a source, all the propositions ranked
   (their wording and notes, as in the app); recall@5 and MRR over the (claim, proposition)
   pairs of the curated annotations.
3. Tried, not in the app: the quotes of existing claims indexed beside the propositions (each
   proposition scored by its best-matching quote too). Its weight is chosen by two-fold
   cross-validation on the CheckThat! train split (half the train tweets stand for existing
   claims, the other half ask), then measured on dev (every train tweet a known claim) and on
   the seeds, leaving one source out (only the other sources' quotes are known).
4. 25,000 propositions (the 10,375 verified claims' wordings and 14,625 generated from the
   vocabulary of bench/generator/generating.py): time to build the index, its memory (tracemalloc),
   the latency of one suggestion (p50, p95) for tweets and seed claims as queries, and the
   time to add, reword and delete one proposition.

Nothing here touches the network or a database. CHECKTHAT_DIR overrides where the data is.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, percentile, setup_django

os.environ.setdefault("DEBUG", "1")  # settings only: no database is opened
setup_django()

from bench.generator.generating import (  # noqa: E402
    ORG_BODIES,
    ORG_FIELDS,
    ORG_REGIONS,
    PROPOSITIONS,
    STATES,
    TOPIC_ASPECTS,
)
from bench.suggest_checkthat import DATA, Scores, evaluate, queries, verified_claims  # noqa: E402
from claims.suggesting.ranking import Ranker  # noqa: E402
from claims.suggesting.text import proposition_document  # noqa: E402

OUT = ROOT / "bench" / "SUGGEST.md"
SIZE = 25_000
TUNE_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def checkthat(split: str, **options) -> dict[str, Scores]:
    ranker = Ranker(**options)
    ranker.add_many(verified_claims().items())
    tweets, relevant = queries(split)
    result = {}
    for name, fused in (("BM25 (words)", False), ("fused", True)):
        rankings = {
            tweet: [hit.doc for hit in ranker.search(tweets[tweet], 100, fused=fused)]
            for tweet in relevant
        }
        result[name] = evaluate(rankings, relevant)
    return result


def tune() -> list[tuple[float, Scores]]:
    """The fusion weight on the train split (the dev split is not looked at)."""
    ranker = Ranker()
    ranker.add_many(verified_claims().items())
    tweets, relevant = queries("train")
    table = []
    for weight in TUNE_WEIGHTS:
        ranker.char_weight = weight
        rankings = {t: [h.doc for h in ranker.search(tweets[t], 100)] for t in relevant}
        table.append((weight, evaluate(rankings, relevant)))
    return table


def seeds_leave_one_source_out() -> tuple[Scores, int]:
    """Recall@5 and MRR over (claim, proposition) pairs, each source's claims ranked against
    every proposition, with nothing learnt from that source."""
    data = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    ranker = Ranker()
    ranker.add_many(
        (p["slug"], proposition_document(p["text"], p.get("notes", "")))
        for p in data["propositions"]
    )
    # The index holds propositions only (no claim text), so leaving a source out changes
    # nothing in it: every proposition stays a candidate.
    rankings, relevant = {}, {}
    for n, claim in enumerate(data["claims"]):
        wanted = {stance["proposition"] for stance in claim["stances"]}
        if not wanted:
            continue
        rankings[n] = [hit.doc for hit in ranker.search(claim["quote"], len(data["propositions"]))]
        relevant[n] = wanted
    return evaluate(rankings, relevant), len(data["propositions"])


QUOTE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)


class QuoteRanker:
    """Propositions ranked by their own text and by the quotes of their existing claims: each
    list divided by its best score, the quotes' weighted by `weight`, a proposition taking the
    score of its best-matching quote."""

    def __init__(self, propositions: Ranker, quotes: dict, owners: dict, weight: float) -> None:
        self.propositions, self.weight, self.owners = propositions, weight, owners
        self.quotes = Ranker()
        self.quotes.add_many(quotes.items())

    def search(self, text: str, k: int = 100) -> list:
        combined: dict = {}
        hits = self.propositions.search(text, k)
        best = hits[0].score if hits else 1.0
        for hit in hits:
            combined[hit.doc] = (1 - self.weight) * hit.score / (best or 1.0)
        if self.weight:
            hits = self.quotes.search(text, k)
            best = hits[0].score if hits else 1.0
            quoted: dict = {}
            for hit in hits:
                for doc in self.owners[hit.doc]:
                    quoted[doc] = max(quoted.get(doc, 0.0), hit.score / (best or 1.0))
            for doc, score in quoted.items():
                combined[doc] = combined.get(doc, 0.0) + self.weight * score
        return sorted(combined, key=lambda doc: -combined[doc])[:k]


def quotes_experiment() -> tuple[list[tuple[float, float]], float, Scores, Scores]:
    """Weight by two-fold cross-validation on train (MAP@5 per weight), then dev and seeds."""
    propositions = Ranker()
    propositions.add_many(verified_claims().items())
    tweets, relevant = queries("train")
    ids = sorted(relevant)
    folds = (ids[0::2], ids[1::2])
    table = []
    for weight in QUOTE_WEIGHTS:
        total = 0.0
        for known, asked in (folds, folds[::-1]):
            ranker = QuoteRanker(propositions, {t: tweets[t] for t in known}, relevant, weight)
            rankings = {t: ranker.search(tweets[t]) for t in asked}
            total += evaluate(rankings, {t: relevant[t] for t in asked}).map5
        table.append((weight, total / 2))
    weight = max(table, key=lambda row: row[1])[0]
    ranker = QuoteRanker(propositions, {t: tweets[t] for t in ids}, relevant, weight)
    dev_tweets, dev_relevant = queries("dev")
    dev = evaluate({t: ranker.search(dev_tweets[t]) for t in dev_relevant}, dev_relevant)

    data = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    seeds = Ranker()
    seeds.add_many(
        (p["slug"], proposition_document(p["text"], p.get("notes", "")))
        for p in data["propositions"]
    )
    claims = [
        (n, c, {s["proposition"] for s in c["stances"]}) for n, c in enumerate(data["claims"])
    ]
    rankings, wanted = {}, {}
    for held in sorted({c["source"] for _, c, _ in claims}):
        known = {n: c["quote"] for n, c, found in claims if c["source"] != held and found}
        owners = {n: found for n, _, found in claims}
        ranker = QuoteRanker(seeds, known, owners, weight)
        for n, c, found in claims:
            if c["source"] == held and found:
                rankings[n] = ranker.search(c["quote"], len(data["propositions"]))
                wanted[n] = found
    return table, weight, dev, evaluate(rankings, wanted)


def generated_propositions(count: int, seed: int = 1) -> list[str]:
    """Proposition wordings from the templates and vocabulary of bench/generator/generating.py."""
    rng = Random(seed)
    texts = []
    for _ in range(count):
        state, state2 = rng.sample(STATES, 2)
        org = f"{rng.choice(ORG_REGIONS)} {rng.choice(ORG_FIELDS)} {rng.choice(ORG_BODIES)}"
        text = rng.choice(PROPOSITIONS).format(
            state=state, state2=state2, org=org, aspect=rng.choice(TOPIC_ASPECTS),
            year=2024 + rng.randrange(5),
        )  # fmt: skip
        texts.append(text[0].upper() + text[1:])
    return texts


def latency(size: int = SIZE) -> dict:
    claims = list(verified_claims().values())
    texts = claims[:size] + generated_propositions(max(0, size - len(claims)))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    ranker = Ranker()
    ranker.add_many(enumerate(texts))
    build = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()

    tweets, _ = queries("dev")
    seeds = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    asked = list(tweets.values()) + [c["quote"] for c in seeds["claims"]]
    for text in asked[:20]:  # warm-up
        ranker.search(text, 5)
    timings = []
    for text in asked:
        started = time.perf_counter()
        ranker.search(text, 5)
        timings.append((time.perf_counter() - started) * 1000)

    def timed(action) -> float:
        started = time.perf_counter()
        action()
        return (time.perf_counter() - started) * 1000

    add = timed(lambda: ranker.add(size, "Georgia will join the Caspian gas pipeline by 2027."))
    reword = timed(lambda: ranker.add(size, "Georgia will leave the Caspian gas pipeline."))
    remove = timed(lambda: ranker.remove(size))
    return {
        "propositions": len(texts),
        "queries": len(timings),
        "build_s": build,
        "memory_mb": memory / 2**20,
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "max_ms": max(timings),
        "add_ms": add,
        "reword_ms": reword,
        "remove_ms": remove,
    }


def _row(name: str, s: Scores) -> str:
    return f"| {name} | {s.map5:.3f} | {s.mrr:.3f} | {s.recall1:.3f} | {s.recall5:.3f} |"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="search the fusion weight on train")
    parser.add_argument("--size", type=int, default=SIZE, help="propositions for the latency run")
    args = parser.parse_args()

    if args.tune:
        print("| char weight | MAP@5 | MRR | R@1 | R@5 |  (train)")
        for weight, scores in tune():
            print(_row(f"{weight:.1f}", scores))
        return

    dev = checkthat("dev")
    loso, proposition_count = seeds_leave_one_source_out()
    quote_table, quote_weight, quote_dev, quote_seeds = quotes_experiment()
    speed = latency(args.size)
    lines = [
        "# Proposition suggestions: quality and speed",
        "",
        f"`make bench-suggest` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"Python {platform.python_version()}, {platform.machine()}; data from `{DATA.name}`.",
        "",
        "## CheckThat! 2020 Task 2, dev (197 tweets, 10,375 verified claims)",
        "",
        "| ranker | MAP@5 | MRR | R@1 | R@5 |",
        "|---|---|---|---|---|",
        *(_row(name, scores) for name, scores in dev.items()),
        "",
        "Targets: fused MAP@5 ≥ 0.70 and above BM25: "
        + ("met." if dev["fused"].map5 >= 0.70 and dev["fused"].map5 > dev["BM25 (words)"].map5
           else "**missed**."),
        "",
        f"## Seeds, leave one source out ({loso.queries} claims, {proposition_count} propositions)",
        "",
        "| ranker | MAP@5 | MRR | R@1 | R@5 |",
        "|---|---|---|---|---|",
        _row("fused", loso),
        "",
        "Target: recall@5 ≥ 0.90: " + ("met." if loso.recall5 >= 0.90 else "**missed**."),
        "",
        "## Tried: quotes of existing claims beside the propositions (not in the app)",
        "",
        "Weight of the quotes' ranking, by two-fold cross-validation on the CheckThat! train "
        "split (MAP@5): "
        + ", ".join(f"{w:.1f} → {m:.3f}" for w, m in quote_table)
        + f"; chosen {quote_weight:.1f}.",
        "",
        "| question | MAP@5 | MRR | R@1 | R@5 |",
        "|---|---|---|---|---|",
        _row("CheckThat! dev (train tweets as known claims)", quote_dev),
        _row("seeds, leave one source out (other sources' quotes)", quote_seeds),
        "",
        f"## Speed at {speed['propositions']:,} propositions ({speed['queries']} queries)",
        "",
        f"- index built in {speed['build_s']:.1f} s; its memory: {speed['memory_mb']:.0f} MB "
        "(tracemalloc, Python objects of the index)",
        f"- one suggestion (top 5): p50 {speed['p50_ms']:.1f} ms, p95 {speed['p95_ms']:.1f} ms, "
        f"max {speed['max_ms']:.1f} ms",
        f"- one proposition added {speed['add_ms']:.1f} ms, reworded {speed['reword_ms']:.1f} ms, "
        f"deleted {speed['remove_ms']:.1f} ms",
        "",
        "Target: p95 < 100 ms: " + ("met." if speed["p95_ms"] < 100 else "**missed**."),
        "",
    ]  # fmt: skip
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
