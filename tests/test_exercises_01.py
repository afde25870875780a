"""Notebook 01's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from utils.data import make_planted_tabular
from utils.exercises import evaluate
from utils.exercises.n01 import METHODS

REAL = ["x1", "x2", "x3", "x4", "x5"]


@cache
def _census() -> tuple:
    """A small census-like table: one strong feature, four weak low-cardinality ones and a
    continuous noise probe, with a forest grown to pure leaves."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x1": rng.normal(size=600),
                      **{c: rng.integers(0, 3, size=600).astype(float) for c in REAL[1:]},
                      "random_num": rng.normal(size=600)})
    logits = X["x1"] + 0.2 * X["x2"] + 0.2 * X["x3"] + rng.normal(scale=0.4, size=600)
    y = (logits > 0).astype(int).to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    forest = RandomForestClassifier(n_estimators=30, random_state=0).fit(X_tr, y_tr)
    return forest, X_tr, X_te, y_tr, y_te


def _permutation(model, X: pd.DataFrame, y: np.ndarray, repeats: int = 3) -> pd.Series:
    rng = np.random.default_rng(0)
    base = model.score(X, y)
    drops = {}
    for column in X.columns:
        scores = []
        for _ in range(repeats):
            shuffled = X.copy()
            shuffled[column] = rng.permutation(shuffled[column].to_numpy())
            scores.append(model.score(shuffled, y))
        drops[column] = base - np.mean(scores)
    return pd.Series(drops)


@cache
def _training_answer(on_training_rows: bool) -> dict:
    forest, X_tr, X_te, y_tr, y_te = _census()
    X, y = (X_tr, y_tr) if on_training_rows else (X_te, y_te)
    return {"train_perm": _permutation(forest, X, y), "model": forest, "X": X, "y": y,
            "held_out": _permutation(forest, X_te, y_te), "real": REAL}


def training_answer(on_training_rows: bool = True) -> dict:
    return dict(_training_answer(on_training_rows))


def shallow_answer(**params) -> dict:
    forest, X_tr, _, y_tr, _ = _census()
    shallow = clone(forest).set_params(**{"min_samples_leaf": 20, **params}).fit(X_tr, y_tr)
    return {"shallow_forest": shallow, "forest": forest,
            "shallow_mdi": pd.Series(shallow.feature_importances_, list(X_tr.columns))}


def leak_answer(leak_noise: float = 1.0) -> dict:
    data = make_planted_tabular(n_samples=300, leak_noise=leak_noise, seed=0)
    features = list(data.X.columns)
    rng = np.random.default_rng(1)
    table = pd.DataFrame(rng.uniform(0.0, 0.1, size=(len(features), 4)), index=features,
                         columns=list(METHODS))
    table.loc["x1"] = 1.0  # an honest feature first everywhere
    table.loc[data.planted_feature] = [0.2, 0.5, 0.5, 0.5]  # the leak second for the forest
    table.loc[["x2", "x3"], "|coefficient|"] = 0.6
    return {"data": data, "table": table,
            "ranks": table.rank(ascending=False).loc[data.planted_feature].astype(int)}


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


@pytest.mark.parametrize("exercise, answer", [
    ("01.1", training_answer()), ("01.2", shallow_answer()), ("01.3", leak_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


def _ascending_ranks() -> dict:
    answer = leak_answer()
    ranks = answer["table"].rank(ascending=True).loc[answer["data"].planted_feature]
    return _with(answer, ranks=ranks.astype(int))


WRONG = [
    # the held-out rows again, as in section 3
    ("01.1", training_answer(on_training_rows=False), "held-out rows"),
    # the sign flipped: shuffled score minus intact score
    ("01.1", _with(training_answer(), train_perm=-training_answer()["train_perm"]),
     "not the other way round"),
    ("01.2", shallow_answer(min_samples_leaf=2), "min_samples_leaf is 2"),
    # also shrinking the forest, so the comparison changes two things
    ("01.2", shallow_answer(n_estimators=10), "also changes ['n_estimators']"),
    # the old forest's MDI read instead of the refit's
    ("01.2", _with(shallow_answer(), shallow_mdi=pd.Series(
        _census()[0].feature_importances_, list(_census()[1].columns))), "shallow_mdi differs"),
    # section 6's table (leak_noise 0.3) instead of the noisier one
    ("01.3", leak_answer(leak_noise=0.3), "that is the section-6 table"),
    # ranked from the smallest
    ("01.3", _ascending_ranks(), "ranks differs from the leak's rank"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
