"""Notebook 02's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import NearestNeighbors

from utils.exercises import evaluate
from utils.exercises.n02 import NOISES, data_centred, pd_surface


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


@cache
def _cancer() -> tuple:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"concave": rng.uniform(0, 1, 200), "other": rng.normal(size=200)})
    y = (X["concave"] + 0.3 * rng.normal(size=200) < 0.5).astype(int).to_numpy()
    return SimpleNamespace(X=X, y=y), GradientBoostingClassifier(
        n_estimators=30, random_state=0).fit(X, y)


def ice_answer(column: int = 1, grid_range: tuple = (5, 95)) -> dict:
    data, clf = _cancer()
    grid = np.linspace(*np.percentile(data.X["concave"], grid_range), 20)
    batch = data.X.loc[data.X.index.repeat(20)].reset_index(drop=True)
    batch["concave"] = np.tile(grid, len(data.X))
    ice = clf.predict_proba(batch)[:, column].reshape(len(data.X), 20)
    return {"ice": ice, "grid": grid, "model": clf, "data": data, "feature": "concave"}


class FlipModel:
    """y = x1 * x3 + 0.1 x2: the PD of x1 is flat, its slope flips with x3."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (X["x1"] * X["x3"] + 0.1 * X["x2"]).to_numpy()


def _flip_X() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x1": rng.uniform(-1, 1, 300), "x2": rng.normal(size=300),
                         "x3": rng.choice([-1.0, 1.0], 300)})


def flip_answer(inverted: bool = False) -> dict:
    X, grid, model = _flip_X(), np.linspace(-0.9, 0.9, 19), FlipModel()
    slopes = {}
    for partner, values in {"x2": np.percentile(X["x2"], [5, 95]),
                            "x3": np.array([-1.0, 1.0])}.items():
        surface = pd_surface(model.predict, X, {"x1": grid, partner: values})
        slopes[partner] = [np.polyfit(*((surface[:, k], grid) if inverted else
                                        (grid, surface[:, k])), 1)[0] for k in range(2)]
    return {"slopes": slopes, "model": model, "X": X, "x1_grid": grid}


def sweep_answer(seed: int = 1) -> dict:
    corr = []
    for noise in NOISES:
        generator = np.random.default_rng(seed)
        x1 = generator.uniform(0, 1, 2000)
        corr.append(np.corrcoef(x1, x1 + generator.normal(0, noise, 2000))[0, 1])
    sweep = pd.DataFrame({"noise": NOISES, "corr": corr, "outside": [0.3, 0.2, 0.1, 0.05],
                          "PD RMSE": [0.06, 0.05, 0.03, 0.02],
                          "ALE RMSE": [0.02, 0.02, 0.02, 0.02]}).set_index("noise")
    sweep["PD / ALE"] = sweep["PD RMSE"] / sweep["ALE RMSE"]
    return {"sweep": sweep}


@cache
def _diabetes() -> tuple:
    rng = np.random.default_rng(0)
    s1 = rng.normal(190, 35, 300)
    X = pd.DataFrame({"s1": s1, "s2": 0.9 * s1 + rng.normal(0, 15, 300),
                      "bmi": rng.normal(26, 4, 300)})
    model = LinearRegression().fit(X, 0.1 * X["s1"] - 0.2 * X["s2"] + X["bmi"])
    return X, model


def correlated_answer(standardise: bool = True, centre: bool = True) -> dict:
    X, model = _diabetes()
    pair = X[["s1", "s2"]].to_numpy()
    mean, std = (pair.mean(axis=0), pair.std(axis=0)) if standardise else (0.0, 1.0)
    low, high = np.percentile(X["s1"], [5, 95])
    queries = np.column_stack([np.tile(np.linspace(low, high, 20), len(X)),
                               np.repeat(pair[:, 1], 20)])
    neighbours = NearestNeighbors(n_neighbors=2).fit((pair - mean) / std)
    threshold = np.quantile(neighbours.kneighbors((pair - mean) / std)[0][:, 1], 0.99)
    outside = neighbours.kneighbors((queries - mean) / std, n_neighbors=1)[0][:, 0] > threshold
    edges = np.quantile(X["s1"], np.linspace(0, 1, 11))
    counts = np.histogram(X["s1"], edges)[0]
    raw = pd_surface(model.predict, X, {"s1": edges})
    pd_curve = raw - data_centred(raw, counts) if centre else raw
    return {"outside": outside, "ale": raw - data_centred(raw, counts), "pd_curve": pd_curve,
            "edges": edges, "counts": counts, "X": X, "model": model}


@pytest.mark.parametrize("exercise, answer", [
    ("02.1", ice_answer()), ("02.2", flip_answer()), ("02.3", sweep_answer()),
    ("02.4", correlated_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


def _rising_outside() -> dict:
    sweep = sweep_answer()["sweep"].copy()
    sweep["outside"] = sweep["outside"].to_numpy()[::-1]
    return {"sweep": sweep}


def _inverted_ratio() -> dict:
    sweep = sweep_answer()["sweep"].copy()
    sweep["PD / ALE"] = 1 / sweep["PD / ALE"]
    return {"sweep": sweep}


WRONG = [
    # the probability of the first class (malignant) instead of benign
    ("02.1", ice_answer(column=0), "ice (ten patients) differs"),
    # the grid from the minimum to the maximum
    ("02.1", ice_answer(grid_range=(0, 100)), "grid ends differs"),
    # np.polyfit(curve, grid): the slope of x1 against the prediction
    ("02.2", flip_answer(inverted=True), "slopes['x2'] differs"),
    ("02.2", _with(flip_answer(), slopes={"x2": flip_answer()["slopes"]["x3"],
                                          "x3": flip_answer()["slopes"]["x2"]}),
     "slopes['x2'] differs"),
    # the data regenerated with the wrong seed
    ("02.3", sweep_answer(seed=0), "corr differs"),
    ("02.3", _rising_outside(), "they should fall"),
    ("02.3", _inverted_ratio(), "PD / ALE differs"),
    # off_support on the raw cholesterol values (s2 in other units than s1)
    ("02.4", correlated_answer(standardise=False), "in the standardised (s1, s2) plane"),
    # the PD left uncentred, so it floats above the ALE
    ("02.4", correlated_answer(centre=False), "pd_curve averages"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
