"""Sentence embeddings for the suggestion benchmark, kept between runs.

Embedding the 10,375 CheckThat! claims, the tweets and 25,000 propositions takes minutes on a
small machine; the vectors depend only on the text and the model, so they are stored in
var/bench/suggest-vectors.npz (keyed by a hash of the text and the model name) and computed
only for texts not seen before. The timing figures of bench/suggest.py embed afresh.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.suggesting.embedding import MODEL_NAME, embed

CACHE = Path(__file__).resolve().parents[1] / "var" / "bench" / "suggest-vectors.npz"


def _key(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()[:32]


def vectors(texts: list[str], *, chunk: int = 2000) -> np.ndarray:
    """One unit vector per text (float32), from the store or computed and stored."""
    stored: dict[str, np.ndarray] = {}
    if CACHE.exists():
        with np.load(CACHE) as data:
            stored = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    keys = [_key(text) for text in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in stored}.items())
    for start in range(0, len(missing), chunk):
        part = missing[start : start + chunk]
        for (key, _), vector in zip(part, embed([text for _, text in part]), strict=True):
            stored[key] = vector
        _save(stored)
        print(f"  embedded {min(start + chunk, len(missing))}/{len(missing)}", file=sys.stderr)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([stored[key] for key in keys]).astype(np.float32)


def _save(stored: dict[str, np.ndarray]) -> None:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(stored))
    tmp = CACHE.with_suffix(".tmp.npz")
    np.savez(tmp, keys=keys, vectors=np.stack(list(stored.values())))
    tmp.replace(CACHE)
