"""Checkers for notebook 11 (data attribution: influence functions, TracIn, poisoning)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

from utils.exercises import checker, expect, expect_array, expect_close

STRENGTHS = (0.1, 100.0)


def logistic_gradients(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row j is the log-loss gradient (p_j - y_j) x_j of a logistic regression at theta."""
    return (1 / (1 + np.exp(-(x @ theta))) - y)[:, None] * x


@checker("11.1")
def hessian_worth(hessian_check: object, sweep_points: dict, x_train: object, y_train: object,
                  x_test: object, y_test: object, query: int) -> str:
    """The gradient dot product uses the train and test gradients at each C's own optimum, both
    scores are correlated with the same leave-one-out retrainings, and the Hessian improves
    the ranking at both strengths."""
    expect(isinstance(hessian_check, pd.DataFrame) and
           [float(c) for c in hessian_check.index] == list(STRENGTHS),
           "hessian_check should be a DataFrame with one row per C (0.1 and 100), indexed by C")
    x_train, x_test = np.asarray(x_train, dtype=float), np.asarray(x_test, dtype=float)
    for C in STRENGTHS:
        predicted, measured, sample, theta = sweep_points[C]
        test_gradient = logistic_gradients(theta, x_test[query][None],
                                           np.array([np.asarray(y_test)[query]]))[0]
        dot = logistic_gradients(theta, x_train, np.asarray(y_train))[sample] @ test_gradient
        row = hessian_check.loc[C]
        expect_close(f"the influence Spearman at C = {C:g}", row["influence: Spearman"],
                     spearmanr(predicted, measured).statistic,
                     "Spearman of the stored influence and the retraining results")
        expect_close(f"the influence Pearson at C = {C:g}", row["influence: Pearson"],
                     pearsonr(predicted, measured).statistic,
                     "Pearson of the stored influence and the retraining results")
        expect_close(f"the gradient-dot Spearman at C = {C:g}", row["gradient dot: Spearman"],
                     spearmanr(dot, measured).statistic,
                     "Spearman of grad l_i . grad l_test (both at this C's theta, on the "
                     "sampled rows) with the retraining results", atol=1e-6)
        expect_close(f"the gradient-dot Pearson at C = {C:g}", row["gradient dot: Pearson"],
                     pearsonr(dot, measured).statistic, "Pearson of the gradient dot product "
                     "with the retraining results", atol=1e-6)
    gain = hessian_check["influence: Spearman"] - hessian_check["gradient dot: Spearman"]
    expect(bool((gain > 0).all()), f"the Hessian's gain in Spearman is {gain.round(3).tolist()}; "
                                   "it should be positive at both strengths")
    return (f"the Hessian adds {gain.loc[0.1]:.3f} of Spearman at C = 0.1 and "
            f"{gain.loc[100.0]:.3f} at C = 100, where the problem is badly conditioned")


@checker("11.2")
def wrong_prediction(top_five: object, wrong: object, model: object, x_test: object,
                     y_test: object, tracin: object, is_flipped: object) -> str:
    """The queries are the model's misclassified test images, labelled with its predictions,
    and most of their top-5 proponents are flipped training examples."""
    import torch

    with torch.no_grad():
        predicted = model(x_test).argmax(1)
    truly_wrong = np.flatnonzero((predicted != y_test).numpy())
    wrong = np.asarray(wrong, dtype=int)
    expect(np.array_equal(np.sort(wrong), truly_wrong),
           f"wrong holds {len(wrong)} test images; the model misclassifies {len(truly_wrong)}: "
           f"{truly_wrong.tolist()}")
    top_five = np.asarray(top_five, dtype=int)
    expect(top_five.shape == (len(wrong), 5),
           f"top_five should have shape ({len(wrong)}, 5), got {top_five.shape}")
    expected = tracin.influence((x_test[wrong], predicted[wrong]), k=5).indices.numpy()
    for image, mine, theirs in zip(wrong, top_five, expected, strict=True):
        expect(set(mine.tolist()) == set(theirs.tolist()),
               f"test image {image}: your proponents are {sorted(mine.tolist())}, the top 5 for "
               f"the class it predicted are {sorted(theirs.tolist())} (query label = the "
               "prediction, not the true label)")
    share = float(np.asarray(is_flipped)[top_five].mean())
    expect(share > 0.5, f"{share:.2f} of the proponents are flipped; expected most")
    return (f"{share:.0%} of the {top_five.size} top proponents of the {len(wrong)} mistakes are "
            "flipped training examples: the culprits are a handful of rows to relabel")


@checker("11.3")
def poison_dose(dose: dict) -> str:
    """More poison gives a stronger backdoor, and TracIn puts every poisoned image among the
    top n proponents (n the number poisoned) of the triggered test images."""
    expect(set(dose) == {2, 4}, f"dose should have the keys 2 and 4, got {sorted(dose)}")
    for n in (2, 4):
        values = expect_array(f"dose[{n}]", dose[n], (2,))
        success, found = values
        expect(0 <= success <= 1, f"the attack success with {n} poisoned is {success:.3g}; it "
                                  "is the share of triggered images predicted as class 1")
        expect(0 <= found <= n, f"with {n} poisoned you count {found:.2f} of them among the top "
                                f"proponents; at most {n} fit among the top {n}")
    expect(dose[2][0] < dose[4][0], f"the attack success is {dose[2][0]:.3f} with 2 poisoned and "
                                    f"{dose[4][0]:.3f} with 4: more poison should be stronger "
                                    "(success = predicted as 1)")
    for n in (2, 4):
        expect(dose[n][1] == n, f"with {n} poisoned, {dose[n][1]:.2f} of them are among the top "
                                f"{n} proponents on average; TracIn finds all {n}")
    return (f"attack success {dose[2][0]:.3f} with 2 poisoned, {dose[4][0]:.3f} with 4, and "
            "TracIn's top proponents are exactly the poisoned images each time")
