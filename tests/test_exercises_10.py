"""Notebook 10's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from utils.exercises import evaluate

PAIR = "x1 & x2"


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def pair_answer(weighted: bool = True, purify: bool = True, divide: bool = True) -> dict:
    rng = np.random.default_rng(0)
    n = 4000
    x1, x2 = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    residual = 1.5 * x1 * x2 + x1 + rng.normal(scale=0.05, size=n)  # a main effect left in
    cuts = [np.quantile(v, np.linspace(0, 1, 17)[1:-1]) for v in (x1, x2)]
    cell = np.searchsorted(cuts[0], x1) * 16 + np.searchsorted(cuts[1], x2)
    counts = np.bincount(cell, minlength=256).reshape(16, 16).astype(float)
    sums = np.bincount(cell, weights=residual, minlength=256).reshape(16, 16)
    table = sums / np.maximum(counts, 1) if divide else sums
    weights = counts if weighted else np.ones_like(counts)
    for _ in range(5 if purify else 0):
        for axis in (1, 0):
            table = table - ((table * weights).sum(axis=axis, keepdims=True)
                             / weights.sum(axis=axis, keepdims=True))
    truth = pd.DataFrame({PAIR: 1.5 * x1 * x2})
    return {"pair_table": table, "counts": counts, "scratch_pair": pd.Series(table.ravel()[cell]),
            "truth": truth, "pair": PAIR, "library_terms": truth + 0.01}


@dataclass(frozen=True)
class Anchor:
    features: tuple[int, ...]
    precision: float
    coverage: float
    certified: bool
    prediction: int


def anchor_answer() -> dict:
    return {"row": np.array([3.0, 0.4, 1.0, 1.0, 5.0]),
            "anchor": Anchor((2, 3), 1.0, 0.168, True, 1),
            "toy_anchors": {"positive": Anchor((0,), 1.0, 0.225, True, 1)}}


def ablation_answer(on_train: bool = False, both_drop: float = 0.015) -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    y = (x[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(int)
    boosting = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(x[:200], y[:200])
    full = boosting.score(x[:200], y[:200]) if on_train else boosting.score(x[200:], y[200:])
    table = {"nothing": full, "marital_status": full - 0.002, "relationship": full - 0.003,
             "both": full - both_drop}
    return {"ablation": pd.Series(table), "boosting": boosting, "x_test": x[200:],
            "y_test": y[200:]}


@pytest.mark.parametrize("exercise, answer", [
    ("10.1", pair_answer()), ("10.2", anchor_answer()), ("10.3", ablation_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # purified with plain row and column means, not weighted by the cell counts
    ("10.1", pair_answer(weighted=False), "count-weighted"),
    # the raw table of cell means, not purified: x1's main effect is still in it
    ("10.1", pair_answer(purify=False), "count-weighted row mean"),
    # cell sums, not divided by the counts
    ("10.1", pair_answer(divide=False), "from the truth"),
    # a row where both clauses fire
    ("10.2", _with(anchor_answer(), row=np.array([9.0, 0.4, 1.0, 1.0, 5.0])), "first clause"),
    # a negative row
    ("10.2", _with(anchor_answer(), row=np.array([3.0, 0.4, 2.0, 1.0, 5.0])), "second clause"),
    ("10.2", _with(anchor_answer(), anchor=replace(anchor_answer()["anchor"], features=(0, 2, 3))),
     "the anchor fixes ['x1', 'x3', 'x4']"),
    # the full model scored on its training rows
    ("10.3", ablation_answer(on_train=True), "not the training rows"),
    ("10.3", ablation_answer(both_drop=0.001), "not below dropping one"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
