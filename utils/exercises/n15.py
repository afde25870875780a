"""Checkers for notebook 15 (concepts: TCAV with a planted concept)."""

from __future__ import annotations

import pandas as pd
from scipy.stats import ttest_ind

from utils.exercises import checker, expect, expect_array

PLANTED, UNUSED, PLANTED_CLASS = "checkerboard", "square", "checkerboard"
COLUMNS = ("class", "concept", "TCAV", "random CAVs", "p")


@checker("15.1")
def another_layer(table: object) -> str:
    """A significance table like section 3's, scores in [0, 1], and the planted checkerboard
    still scored above 0.9 for its own class at the new layer."""
    expect(isinstance(table, pd.DataFrame), f"table should be the DataFrame that significance() "
                                            f"returns, got {type(table).__name__}")
    missing = [c for c in COLUMNS if c not in table.columns]
    expect(not missing, f"table lacks the columns {', '.join(missing)}; pass significance()'s "
                        "output")
    scores = expect_array("the TCAV column", table["TCAV"])
    expect(bool(((scores >= 0) & (scores <= 1)).all()),
           "TCAV scores are shares of positive derivatives, so they lie in [0, 1]; yours do not")
    row = table[(table["concept"] == PLANTED) & (table["class"] == PLANTED_CLASS)]
    expect(len(row) == 1, "table has no single (checkerboard concept, checkerboard class) row")
    planted = float(row["TCAV"].iloc[0])
    expect(planted > 0.9, f"the checkerboard's TCAV score for its class is {planted:.3f}; the "
                          "planted concept should be above 0.9 at pool1 too (right layer name in "
                          "both layer_activations and layer_gradients?)")
    square = table[table["concept"] == UNUSED]
    return (f"the checkerboard scores {planted:.3f} for its class at pool1; the square's scores "
            f"range from {square['TCAV'].min():.3f} to {square['TCAV'].max():.3f}")


@checker("15.2")
def magnitude_score(magnitude: object) -> str:
    """One magnitude score per CAV for both concepts and the random CAVs, with the planted
    concept's mean above the random CAVs' (a t-test says by how much)."""
    expect(isinstance(magnitude, dict) and {PLANTED, UNUSED, "random"} <= set(magnitude),
           "magnitude should be a dict with the keys 'checkerboard', 'square' and 'random'")
    values = {name: expect_array(f"magnitude[{name!r}]", magnitude[name])
              for name in (PLANTED, UNUSED, "random")}
    expect(all(v.ndim == 1 and v.size >= 2 for v in values.values()),
           "each entry should hold one magnitude per CAV (at least two) for the t-test")
    planted, random = values[PLANTED], values["random"]
    expect(planted.mean() > random.mean(),
           f"the checkerboard's mean magnitude is {planted.mean():.4f}, the random CAVs' "
           f"{random.mean():.4f}: read class 2's (checkerboard) scores, not another class's")
    p_planted = ttest_ind(planted, random).pvalue
    p_unused = ttest_ind(values[UNUSED], random).pvalue
    return (f"the checkerboard's mean magnitude {planted.mean():.4f} beats the random CAVs' "
            f"{random.mean():.4f} (p = {p_planted:.2g}); the square's p = {p_unused:.2g}")
