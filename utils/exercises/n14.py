"""Checkers for notebook 14 (inside a transformer: induction heads, patching, attribution)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from utils.exercises import checker, expect, expect_close

N_HEADS = 8


@checker("14.1")
def keys_or_values(restored_keys: float, restored_values: float, patch: Callable,
                   source: int) -> str:
    """Patching the layer-1 values at the source restores the answer and the keys do not: the
    corruption changed what is copied (OV), not where to look (QK)."""
    expect_close("restored_values", restored_values, patch("blocks.1.attn.hook_v", source),
                 "r after patching blocks.1.attn.hook_v at the source position", atol=1e-6)
    expect_close("restored_keys", restored_keys, patch("blocks.1.attn.hook_k", source),
                 "r after patching blocks.1.attn.hook_k at the source position", atol=1e-6)
    expect(restored_values > 0.9 and abs(restored_keys) < 0.1,
           f"clean values give r = {restored_values:.3f}, clean keys r = {restored_keys:.3f}; "
           "expected the values to restore the answer and the keys to do nothing")
    return (f"clean values restore r = {restored_values:.3f}, clean keys r = "
            f"{restored_keys:.3f}: the corruption changed what is copied, not where to look")


@checker("14.2")
def k_composition(ablated_scores: object, head_table: object, heads: list) -> str:
    """With the previous-token heads mean-ablated, every induction head's induction score falls
    below half of its clean value."""
    expect(isinstance(ablated_scores, pd.DataFrame) and "induction" in ablated_scores.columns
           and list(ablated_scores.index) == list(head_table.index),
           "ablated_scores should be head_scores' table (one row per head, an 'induction' "
           "column) for the ablated run")
    before = head_table.loc[heads, "induction"]
    after = ablated_scores.loc[heads, "induction"]
    for head in heads:
        expect(after[head] < 0.5 * before[head],
               f"head {head}'s induction score is {after[head]:.3f} after the ablation, "
               f"{before[head]:.3f} before; ablate the previous-token heads (not the induction "
               "heads) and read the patterns of the ablated run")
    return ("the induction scores collapse from " + ", ".join(f"{before[h]:.2f}" for h in heads)
            + " to " + ", ".join(f"{after[h]:.2f}" for h in heads)
            + ": the previous-token heads build the keys the induction heads match")


@checker("14.3")
def direct_logit_attribution(direct: object, clean_diff: float, heads: list,
                             by_head: object) -> str:
    """The eight heads' direct terms add up to about the clean logit difference, the induction
    heads write the most, and their shares are close to their patching fractions."""
    direct = pd.Series(direct)
    expect(len(direct) == N_HEADS, f"direct should hold one value per head ({N_HEADS}), got "
                                   f"{len(direct)}")
    total = float(direct.sum())
    expect(abs(total - clean_diff) < 0.05 * abs(clean_diff),
           f"your direct terms sum to {total:.3f}, the clean logit difference is "
           f"{clean_diff:.3f}; with sigma held fixed they should nearly add up (divide by sigma, "
           "centre o_h, answer minus foil)")
    top = set(direct.nlargest(len(heads)).index)
    expect(top == set(heads), f"the largest direct terms are on {sorted(top)}, the induction "
                              f"heads are {sorted(heads)}")
    share = direct[heads] / clean_diff
    patching = by_head.loc[heads, "at the query"]
    gap = float(np.abs(share - patching).max())
    expect(gap < 0.1, f"an induction head's direct share differs from its patching fraction by "
                      f"{gap:.3f}; the direct term is its own contribution, patched or not")
    return (f"the heads' direct terms add up to {total:.2f} (clean difference "
            f"{clean_diff:.2f}); the induction heads write "
            + ", ".join(f"{s:.2f}" for s in share)
            + " of it, close to their patching fractions")
