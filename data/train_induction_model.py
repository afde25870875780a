"""Train notebook 14's two-layer attention-only transformer and write data/induction_model.pt.

Run from the repository root: ``python data/train_induction_model.py``. It builds the model
from ``utils.circuits.induction_config`` (TransformerLens TL-native, seed 0), trains it on fresh
seeded batches of ``make_repeated_sequences`` (AdamW, next-token loss on every position),
prints the accuracy on the predictable positions of 1,000 held-out sequences and the file's
SHA-256 (record both in data/README.md).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from utils.circuits import induction_config, make_repeated_sequences  # noqa: E402

SEED, STEPS, BATCH, LR = 0, 3000, 64, 1e-3
OUT = Path(__file__).resolve().parent / "induction_model.pt"


def main() -> None:
    """Train, check on held-out sequences, save the TL-native weights, print the checksum."""
    from transformer_lens import TransformerBridge

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    model = TransformerBridge.boot_native(induction_config(SEED)).original_model
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    for step in range(STEPS):
        tokens = make_repeated_sequences(BATCH, seed=1 + step).tokens
        logits = model(tokens)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1),
                                                 tokens[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 500 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.4f}")
    held_out = make_repeated_sequences(1000, seed=10**6)
    with torch.no_grad():
        predictions = model(held_out.tokens).argmax(-1)[:, :-1]
    mask = torch.tensor(held_out.predictable[:, :-1])
    correct = (predictions == held_out.tokens[:, 1:])[mask].float().mean().item()
    print(f"held-out accuracy on the predictable positions: {correct:.4f}")
    torch.save(model.state_dict(), OUT)
    print(f"{OUT.name}: {OUT.stat().st_size} bytes, sha256 "
          f"{hashlib.sha256(OUT.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
