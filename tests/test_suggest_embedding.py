"""The numpy sentence encoder (claims/suggesting/embedding.py) against the reference
implementation, its tokenizer's edge cases, and loading it with networking disabled."""

import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest

from claims.suggesting import embedding
from claims.suggesting.embedding import Encoder, embed, encoder, erf, model_dir, read_safetensors

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "minilm_reference.json").read_text(encoding="utf-8")
)
CASES = REFERENCE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"case{n}" for n in range(len(CASES))])
def test_token_ids_equal_the_reference(case):
    assert encoder().tokenizer.encode(case["text"]) == case["ids"]


def test_embeddings_equal_the_reference():
    vectors = embed([case["text"] for case in CASES])
    assert vectors.dtype == np.float32 and vectors.shape == (len(CASES), 384)
    for case, vector in zip(CASES, vectors, strict=True):
        reference = np.array(case["embedding"], dtype=np.float64)
        cosine = float(vector @ reference) / (np.linalg.norm(vector) * np.linalg.norm(reference))
        assert cosine >= 0.9999, case["text"][:40]
        assert float(np.abs(vector - reference).max()) <= 1e-4, case["text"][:40]


def test_batching_and_padding_do_not_change_a_vector():
    texts = [case["text"] for case in CASES[:8]]
    together = encoder().encode(texts, batch_size=3)
    alone = np.stack([encoder().encode([text])[0] for text in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert embed([]).shape == (0, 384)


def test_the_reference_covers_truncation_and_odd_input():
    lengths = [len(case["ids"]) for case in CASES]
    assert max(lengths) == REFERENCE["max_seq_length"] == 256
    assert min(lengths) == 2  # the empty text: [CLS] [SEP]


def test_tokenizer_edge_cases():
    tokenizer = encoder().tokenizer
    vocab = tokenizer.vocab
    assert tokenizer.basic_tokens("Héllo, WORLD!") == ["hello", ",", "world", "!"]
    # CJK ideographs stand alone; control characters vanish; odd white space separates.
    assert tokenizer.basic_tokens("北京abc\u200bdef\u00a0x\x00y") == ["北", "京", "abcdef", "xy"]
    # Every ASCII symbol is punctuation, "$" and "^" included.
    assert tokenizer.basic_tokens("a$b^c") == ["a", "$", "b", "^", "c"]
    # Word pieces: greedy longest match, continuation pieces marked with ##.
    ids = tokenizer.encode("unaffable")
    pieces = [next(p for p, i in vocab.items() if i == n) for n in ids]
    assert pieces[0] == "[CLS]" and pieces[-1] == "[SEP]"
    assert "".join(p.removeprefix("##") for p in pieces[1:-1]) == "unaffable"
    assert all(p.startswith("##") for p in pieces[2:-1])
    # Longer than 100 characters, or not coverable by the vocabulary: one [UNK].
    assert tokenizer.encode("b" * 101) == [tokenizer.cls, tokenizer.unk, tokenizer.sep]
    assert tokenizer.encode("b" * 100)[1] != tokenizer.unk
    assert tokenizer.encode("🙂") == [tokenizer.cls, tokenizer.unk, tokenizer.sep]
    # Truncated to the model's maximum length, [SEP] kept last.
    long = tokenizer.encode("word " * 1000)
    assert len(long) == 256 and long[-1] == tokenizer.sep


def test_erf_approximation_is_within_its_bound():
    xs = np.linspace(-6, 6, 20001)
    exact = np.array([math.erf(x) for x in xs])
    assert np.abs(erf(xs) - exact).max() < 1e-6


def test_weights_are_a_read_only_memory_map():
    tensors = read_safetensors(model_dir() / "model.safetensors")
    word = tensors["embeddings.word_embeddings.weight"]
    assert word.shape == (30522, 384) and word.dtype == np.float32
    assert not word.flags.writeable
    base = word
    while getattr(base, "base", None) is not None:
        base = base.base
    assert isinstance(base, np.memmap | memoryview) or "mmap" in type(base).__name__


def test_model_loads_and_embeds_with_networking_disabled(no_network):
    fresh = Encoder(model_dir())  # loaded here, not reused from another test
    a, b, c = fresh.encode(
        ["Moscow backs Baku.", "Russia supports Azerbaijan.", "Pelicans winter on the Caspian."]
    )
    assert float(a @ b) > float(a @ c)


def test_the_encoder_is_loaded_once_per_process(monkeypatch):
    monkeypatch.setattr(embedding, "_encoder", None)
    loads = []
    original = Encoder.__init__

    def counting(self, path):
        loads.append(path)
        original(self, path)

    monkeypatch.setattr(Encoder, "__init__", counting)
    found = []
    threads = [threading.Thread(target=lambda: found.append(encoder())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1 and all(e is found[0] for e in found)


def test_a_missing_model_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(embedding, "MODEL_PACKAGE", "no_such_model_package")
    with pytest.raises(embedding.ModelUnavailable, match=r"requirements-model\.txt"):
        model_dir()
