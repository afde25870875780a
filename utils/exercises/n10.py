"""Checkers for notebook 10 (interpretable by design: GAMs, rules, anchors, Rashomon sets)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from utils.exercises import checker, expect, expect_array, expect_close


def centred_rmse(a: object, b: object) -> float:
    """RMSE of two term columns after centring each."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.sqrt(np.mean(((a - a.mean()) - (b - b.mean())) ** 2)))


@checker("10.1")
def pair_term(pair_table: object, counts: object, scratch_pair: object, truth: object,
              pair: str, library_terms: object) -> str:
    """The 16 x 16 table is purified (its count-weighted row and column means are zero) and its
    test-row values follow the planted x1 * x2 surface to a centred RMSE below 0.15."""
    table = expect_array("pair_table", pair_table, (16, 16))
    counts = expect_array("counts", counts, (16, 16))
    expect(counts.min() >= 0 and counts.sum() > 0, "counts should be the rows per cell")
    scale = max(float(np.abs(table).max()), 1e-12)
    for axis, what in ((1, "row"), (0, "column")):
        means = (table * counts).sum(axis=axis) / np.maximum(counts.sum(axis=axis), 1)
        worst = float(np.abs(means).max())
        expect(worst < 1e-3 * scale,
               f"a count-weighted {what} mean of the table is {worst:.3g} (table values up to "
               f"{scale:.3g}): purify with weighted means, alternating rows and columns")
    truth_pair = truth[pair]
    values = expect_array("scratch_pair", scratch_pair, (len(truth_pair),))
    error = centred_rmse(values, truth_pair)
    expect(error < 0.15, f"scratch_pair is {error:.3f} from the truth (centred RMSE); a table "
                         "of mean residuals per cell gets below 0.15 (divide the sums by the "
                         "counts, look the test rows up in their cells)")
    ebm = centred_rmse(library_terms[pair], truth_pair)
    return (f"the table is purified and recovers x1 * x2 to a centred RMSE of {error:.3f} "
            f"(the EBM's pair term: {ebm:.3f})")


@checker("10.2")
def second_clause_anchor(row: object, anchor: object, toy_anchors: dict) -> str:
    """The row is positive only through x3 = 1 and x4 = 1 (x1 <= 7), its certified anchor fixes
    exactly x3 and x4, and covers fewer rows than the x1 anchor."""
    x = expect_array("second_clause_row", row, (5,))
    expect(x[2] == 1 and x[3] == 1, f"the row has x3 = {x[2]:g} and x4 = {x[3]:g}; the second "
                                    "clause needs both equal to 1")
    expect(x[0] <= 7, f"the row has x1 = {x[0]:g} > 7, so the first clause fires too; pick one "
                      "with x1 <= 7")
    names = [f"x{j + 1}" for j in anchor.features]
    expect(set(anchor.features) == {2, 3},
           f"the anchor fixes {names}; for this row it should be the second clause, x3 and x4 "
           "(features 2 and 3)")
    expect(bool(anchor.certified) and anchor.precision >= 0.95,
           f"the anchor has precision {anchor.precision:.3f} and certified={anchor.certified}")
    positive = toy_anchors["positive"].coverage
    expect(anchor.coverage < positive, f"the anchor covers {anchor.coverage:.3f} of the rows, the "
                                       f"x1 anchor {positive:.3f}; fixing two features should "
                                       "cover fewer")
    return (f"the anchor is the second clause, x3 = 1 and x4 = 1, with precision "
            f"{anchor.precision:.3f}; it covers {anchor.coverage:.3f} of the rows (about 1/3 * "
            f"1/2), the x1 anchor {positive:.3f}")


@checker("10.3")
def drop_marital_status(ablation: object, boosting: object, x_test: object,
                        y_test: object) -> str:
    """The full model's entry is its test accuracy; dropping either household column alone
    costs under a point, dropping both costs more than either."""
    from threadpoolctl import threadpool_limits

    ablation = pd.Series(ablation)
    expected = {"nothing", "marital_status", "relationship", "both"}
    expect(set(ablation.index) == expected,
           f"ablation should have the entries {', '.join(sorted(expected))}, got "
           f"{', '.join(map(str, ablation.index))}")
    expect(bool(((ablation >= 0) & (ablation <= 1)).all()),
           "ablation's entries should be accuracies between 0 and 1")
    with threadpool_limits(limits=1, user_api="openmp"):
        full = boosting.score(x_test, y_test)
    expect_close("ablation['nothing']", ablation["nothing"], full,
                 "the full model's accuracy on the test rows (not the training rows)", atol=1e-9)
    for single in ("marital_status", "relationship"):
        gap = abs(ablation[single] - full)
        expect(gap < 0.01, f"dropping {single} alone moves the accuracy by {gap:.4f}; the other "
                           "household column carries the same information (refit with "
                           "random_state=0 on the reduced training table)")
    expect(ablation["both"] < ablation[["marital_status", "relationship"]].min(),
           f"dropping both gives {ablation['both']:.4f}, not below dropping one "
           f"({ablation[['marital_status', 'relationship']].min():.4f})")
    return (f"either column alone can go ({ablation['marital_status']:.4f} and "
            f"{ablation['relationship']:.4f} against {full:.4f}), both together cost "
            f"{full - ablation['both']:.4f}: the information lives in the pair")
