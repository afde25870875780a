"""A toy language model with a known mechanism, for notebook 14 (inside a transformer).

Sequences hold a random segment written twice, ``BOS prefix segment segment``, every token
distinct within a sequence. From the second copy on, the next token is fixed by the first copy:
a two-layer attention-only transformer solves this with a previous-token head in layer 0 and
an induction head in layer 1 (Elhage et al. 2021; Olsson et al. 2022). The model is a
TransformerLens TL-native transformer (``TransformerBridge.boot_native``), trained by
``data/train_induction_model.py`` and shipped in ``data/induction_model.pt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from utils.checks import check_int
from utils.data import data_dir

__all__ = ["BOS", "VOCAB", "SEQ_LEN", "RepeatedSequences", "make_repeated_sequences",
           "induction_config", "load_induction_model"]

BOS, VOCAB, SEQ_LEN = 0, 48, 25  # token 0 opens every sequence; 47 ordinary tokens
MIN_SEGMENT, MAX_SEGMENT = 4, 12
MODEL_FILE = "induction_model.pt"


@dataclass(frozen=True)
class RepeatedSequences:
    """Token rows ``(n, SEQ_LEN)`` and, per row, where the second copy of the segment starts.

    ``predictable[i, p]`` is True where the token after position ``p`` is fixed by the first
    copy (positions of the second copy except its last), so ``tokens[i, p + 1]`` is the answer.
    """

    tokens: torch.Tensor
    second_start: np.ndarray
    segment_length: np.ndarray

    @property
    def predictable(self) -> np.ndarray:
        positions = np.arange(SEQ_LEN)[None, :]
        return (positions >= self.second_start[:, None]) & (positions < SEQ_LEN - 1)


def make_repeated_sequences(n: int, seed: int = 0, segment_length: int | None = None
                            ) -> RepeatedSequences:
    """``n`` sequences ``BOS prefix segment segment`` of length ``SEQ_LEN``, seeded.

    The segment length is drawn from 4..12 (or fixed by ``segment_length``), the prefix fills
    the rest, and all tokens of a row are distinct, so the continuation is unambiguous.
    """
    n = check_int("n", n, 1)
    seed = check_int("seed", seed, 0)
    if segment_length is not None:
        segment_length = check_int("segment_length", segment_length, MIN_SEGMENT, MAX_SEGMENT)
    rng = np.random.default_rng(seed)
    rows, starts, lengths = [], [], []
    for _ in range(n):
        length = segment_length or int(rng.integers(MIN_SEGMENT, MAX_SEGMENT + 1))
        prefix = SEQ_LEN - 1 - 2 * length
        drawn = rng.choice(np.arange(1, VOCAB), size=prefix + length, replace=False)
        segment = drawn[prefix:]
        rows.append(np.concatenate([[BOS], drawn[:prefix], segment, segment]))
        starts.append(1 + prefix + length)
        lengths.append(length)
    return RepeatedSequences(torch.tensor(np.stack(rows), dtype=torch.long),
                             np.array(starts), np.array(lengths))


def induction_config(seed: int = 0) -> object:
    """The model's TransformerLens config: 2 attention-only layers, 4 heads of 16 dimensions,
    64-dimensional residual stream, LayerNorm, learned positions."""
    from transformer_lens import TransformerBridgeConfig

    seed = check_int("seed", seed, 0)
    return TransformerBridgeConfig(n_layers=2, d_model=64, n_heads=4, d_head=16,
                                   n_ctx=SEQ_LEN, d_vocab=VOCAB, attn_only=True,
                                   normalization_type="LN", positional_embedding_type="standard",
                                   seed=seed, device="cpu")


def load_induction_model(path: str | Path | None = None) -> object:
    """The trained model of ``data/induction_model.pt`` as a TransformerLens ``TransformerBridge``
    in eval mode (no download: the TL-native architecture is built from the config)."""
    from transformer_lens import TransformerBridge

    if path is not None and not isinstance(path, str | Path):
        raise TypeError(f"path must be a file path or None, got {type(path).__name__}")
    file = data_dir() / MODEL_FILE if path is None else Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no induction model at {file}; make it with "
                                "`python data/train_induction_model.py`")
    state = torch.load(file, map_location="cpu", weights_only=True)
    model = TransformerBridge.boot_native(induction_config())
    model.original_model.load_state_dict(state)
    return model.eval()
