"""Train notebook 13's two toy translators and write data/toy_translators.pt.

Run from the repository root: ``python data/train_toy_translators.py``. It builds the toy
corpus (utils.data.make_toy_translation), holds out 20 % of the sentences with
``datasets.Dataset.train_test_split(seed=0)``, trains a tiny Marian encoder-decoder and a tiny
GPT-2 on the rest (seed 0, 300 AdamW steps of 64 pairs each), prints held-out exact-match
accuracy and the file's SHA-256 (record both in data/README.md).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch
from datasets import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from utils.data import make_toy_translation  # noqa: E402
from utils.models import save_toy_translators, train_toy_translator, word_tokenizer  # noqa: E402

SEED, STEPS, TEST_SIZE = 0, 300, 0.2
OUT = Path(__file__).resolve().parent / "toy_translators.pt"


def main() -> None:
    """Train both models, check them on the held-out split, save them, print the checksum."""
    torch.set_num_threads(2)
    corpus = make_toy_translation()
    split = Dataset.from_dict({"source": corpus.sources, "target": corpus.targets}
                              ).train_test_split(test_size=TEST_SIZE, seed=SEED)
    tokenizer = word_tokenizer(corpus.sources + corpus.targets)
    bundles = []
    for kind in ("toy-marian", "toy-gpt2"):
        bundle, losses = train_toy_translator(kind, split["train"]["source"],
                                              split["train"]["target"], tokenizer,
                                              steps=STEPS, seed=SEED)
        predictions = bundle.translate(split["test"]["source"])
        accuracy = sum(p == t for p, t in zip(predictions, split["test"]["target"],
                                              strict=True)) / len(predictions)
        print(f"{kind}: final loss {losses[-1]:.4f}, held-out exact match {accuracy:.3f} "
              f"on {len(predictions)} sentences")
        bundles.append(bundle)
    save_toy_translators(OUT, bundles)
    print(f"{OUT.name}: {OUT.stat().st_size} bytes, sha256 "
          f"{hashlib.sha256(OUT.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
