"""The exemplar experiment of the suggestion bench (bench/suggest.py) scores every fusion
setting at once with numpy; these check that shortcut against the plain fusion it stands for,
and the exemplar cosines against their definition."""

from random import Random

import numpy as np
import pytest

suggest = pytest.importorskip("bench.suggest")


def ranked_list(rng: Random, docs: int, length: int) -> list[tuple[int, float]]:
    chosen = rng.sample(range(docs), length)
    return sorted(((doc, rng.random()) for doc in chosen), key=lambda item: -item[1])


def test_grid_ap5_matches_fusing_each_setting():
    rng = Random(3)
    labels = [("app", "", 0.0), ("max", "", 1.0), ("list", "x = 0.2", 0.2)]
    grid = [
        (label, c, e)
        for label in labels
        for c in suggest.CHAR_WEIGHTS
        for e in suggest.EMBED_WEIGHTS
    ]
    for _ in range(30):
        words, chars, near, extra = (ranked_list(rng, 60, 25) for _ in range(4))
        wanted = set(rng.sample(range(60), rng.randint(1, 3)))
        for label in labels:
            settings = [w for w in grid if w[0] == label]
            if label[0] == "list":
                lists = suggest.ExemplarCandidates(words, chars, near, extra, label[2])
            else:
                lists = suggest.Candidates(words, chars, near)
            fast = suggest.grid_ap5(lists, wanted, suggest.setting_weights(settings))
            for (_, c, e), value in zip(settings, fast, strict=True):
                hits = suggest.fuse_with_exemplars(lists, 5, char_weight=c, embed_weight=e)
                assert value == pytest.approx(suggest.ap5([h.doc for h in hits], wanted))


def test_exemplar_cosines_closest_and_centroid():
    rng = np.random.default_rng(0)
    queries = suggest._unit(rng.normal(size=(4, 8)).astype(np.float32))
    known = suggest._unit(rng.normal(size=(5, 8)).astype(np.float32))
    owners = np.array([7, 2, 7, 2, 9])
    docs, closest, centroid = suggest.exemplar_cosines(queries, known, owners)
    assert docs.tolist() == [2, 7, 9]
    for column, doc in enumerate(docs):
        rows = known[owners == doc]
        assert np.allclose(closest[:, column], (queries @ rows.T).max(axis=1), atol=1e-6)
        mean = rows.sum(axis=0) / np.linalg.norm(rows.sum(axis=0))
        assert np.allclose(centroid[:, column], queries @ mean, atol=1e-6)


def test_capped_keeps_the_latest_exemplars_of_each_document():
    vectors = [np.full(384, n, np.float32) for n in range(8)]
    owners, rows = suggest.capped([(1, v) for v in vectors] + [(4, vectors[0])])
    assert owners.tolist() == [1] * suggest.EXEMPLAR_CAP + [4]
    assert rows[: suggest.EXEMPLAR_CAP, 0].tolist() == list(range(8 - suggest.EXEMPLAR_CAP, 8))


def test_a_part_only_raises_a_documents_cosine():
    base = np.array([0.5, 0.2, -0.1, 0.3], np.float32)
    app = suggest.Candidates([], [], [])
    near = (np.array([1, 2]), np.array([0.6, 0.4]), np.array([0.1, 0.9]))
    ids = ["a", "b", "c", "d"]
    closest = suggest.exemplar_candidates("max", 1.0, base, app, near, ids)
    assert [doc for doc, _ in closest.embedding] == ["b", "a", "c", "d"]
    assert [score for _, score in closest.embedding] == pytest.approx([0.6, 0.5, 0.4, 0.3])
    centroid = suggest.exemplar_candidates("centroid-scaled", 0.5, base, app, near, ids)
    assert [doc for doc, _ in centroid.embedding] == ["a", "c", "d", "b"]
