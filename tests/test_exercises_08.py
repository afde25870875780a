"""Notebook 08's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

from utils.exercises import evaluate
from utils.exercises.n08 import sex_probe


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def greedy_answer(greedy: tuple = (1.0, np.nan, 2.5)) -> dict:
    probability = np.linspace(0.0, 0.9, 50)  # rows 0-5 have P < 0.1
    outcomes = pd.DataFrame({"exact cost": [1.0, 2.0, 2.5] + [np.nan] * 7,
                             "greedy cost": list(greedy) + [np.nan] * 7})
    return {"outcomes": outcomes, "clear_people": np.array([0, 1, 2, 3, 4, 5, 40, 41, 42, 43]),
            "test_probability": np.r_[probability[:40], np.full(10, 0.05)],
            "found": list(range(8)), "people": list(range(20))}


COLUMNS = ["age", "sex=Female", "sex=Male", "relationship=Husband", "relationship=Wife"]


def census(n: int = 200) -> tuple[np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(0)
    male = rng.random(n) < 0.6
    married = rng.random(n) < 0.5
    z = np.column_stack([rng.normal(size=n), ~male, male, married & male, married & ~male])
    return z.astype(float), pd.DataFrame({"sex": np.where(male, "Male", "Female")})


def linear_score(z: np.ndarray) -> np.ndarray:
    return z @ np.array([1.0, -0.5, 0.5, 0.8, 0.3]) - 0.4


def probe_answer(change_of=lambda z, pairs: sex_probe(z, linear_score, COLUMNS, pairs)) -> dict:
    z, x = census()
    pairs = {"sex only": [("sex=Female", "sex=Male")],
             "sex and Husband/Wife": [("sex=Female", "sex=Male"),
                                      ("relationship=Husband", "relationship=Wife")]}
    effects = {}
    for probe, swaps in pairs.items():
        change = change_of(z, swaps)
        for sex in ("Female", "Male"):
            group = (x["sex"] == sex).to_numpy()
            effects[(probe, sex)] = {"flipped": 0.1, "mean change of P": change[group].mean()}
    return {"probe_effects": pd.DataFrame(effects).T, "z": z, "score": linear_score,
            "columns": COLUMNS, "x_test": x}


def logit_change(z: np.ndarray, pairs: list) -> np.ndarray:
    swapped = z.copy()
    for a, b in pairs:
        i, j = COLUMNS.index(a), COLUMNS.index(b)
        swapped[:, [i, j]] = z[:, [j, i]]
    return linear_score(swapped) - linear_score(z)


CELL, K_MAP, CAT = 4, 3, 7
SCENE = np.random.default_rng(0).integers(0, 256, size=(8, 16, 3)).astype(np.uint8)
ORDERS = {"map order": np.array([2, 7, 3, 6]), "random order 1": np.array([6, 3, 2, 7])}


def swap_answer(fill: str = "cat", flips: tuple = (2, None), offset: int = 0) -> dict:
    photo = SCENE[:, :8]
    images, probs = [], []
    for name, order in ORDERS.items():
        for k in range(1, K_MAP + 1):
            edited = SCENE.copy()
            for cell in order[:k]:
                row, col = divmod(int(cell), 4)
                rows, cols = slice(row * CELL, (row + 1) * CELL), slice(col * CELL,
                                                                        (col + 1) * CELL)
                edited[rows, cols] = (photo[rows, (col - 2) * CELL:(col - 1) * CELL]
                                      if fill == "cat" else 128)
            images.append(edited)
            flip = flips[list(ORDERS).index(name)]
            probs.append(np.eye(10)[CAT if flip is not None and k >= flip else 0])
    needed = {name: (None if f is None else f + offset) for name, f in zip(ORDERS, flips,
                                                                          strict=True)}
    return {"swap_needed": needed, "swapped": np.stack(images), "scene_image": SCENE,
            "orders": ORDERS, "k_map": K_MAP, "swap_probs": np.array(probs), "cat_ids": [CAT],
            "cell": CELL}


def boosting_answer(labels: str = "boosting", floor_on: str = "boosting") -> dict:
    rng = np.random.default_rng(0)
    r = rng.normal(size=(400, 3))
    y = ((r[:, 0] > 0) ^ (rng.random(400) < 0.2)).astype(int)
    r_train, r_test, y_train, y_test = r[:300], r[300:], y[:300], y[300:]
    boosting = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(r_train, y_train)
    target_train = boosting.predict(r_train) if labels == "boosting" else y_train
    boost_test = boosting.predict(r_test)
    curve = pd.Series([np.mean(DecisionTreeClassifier(max_depth=d, random_state=0)
                               .fit(r_train, target_train).predict(r_test) == boost_test)
                       for d in range(1, 11)], index=list(range(1, 11)))
    reference = boost_test if floor_on == "boosting" else y_test
    return {"boost_fidelity": curve, "fidelity": pd.DataFrame({"fidelity": curve - 0.01}),
            "boost_floor": max(reference.mean(), 1 - reference.mean()), "boosting": boosting,
            "r_train": r_train, "r_test": r_test}


@pytest.mark.parametrize("exercise, answer", [
    ("08.1", greedy_answer()), ("08.2", probe_answer()), ("08.3", swap_answer()),
    ("08.4", boosting_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # refusals (P < 0.5) drawn instead of clear refusals (P < 0.1)
    ("08.1", _with(greedy_answer(), clear_people=np.arange(10) * 4), "clear refusals have P < 0.1"),
    # greedy "found" a change the exhaustive search rules out (the validity test forgotten)
    ("08.1", _with(greedy_answer(), outcomes=greedy_answer()["outcomes"].assign(
        **{"greedy cost": [1.0, 2.0, 2.5, 3.0] + [np.nan] * 6})), "says have none"),
    # the greedy cost counted from the current step instead of from the person
    ("08.1", greedy_answer(greedy=(0.5, np.nan, 2.5)), "greedy is cheaper"),
    # before minus after: a sign flip
    ("08.2", probe_answer(lambda z, pairs: -sex_probe(z, linear_score, COLUMNS, pairs)),
     "the first positive and the second negative"),
    # the change of the logit instead of the probability
    ("08.2", probe_answer(logit_change), "not the logit"),
    # grey instead of the cat photo's pixels
    ("08.3", swap_answer(fill="grey"), "does not hold the cat photo's pixels"),
    # counts read off from 0 instead of 1
    ("08.3", swap_answer(offset=-1), "count cells from 1"),
    # the map order needs as many swapped cells as grey ones
    ("08.3", swap_answer(flips=(3, None)), "adding cat evidence should flip it sooner"),
    # surrogates fitted to the true incomes, not to the boosting model's predictions
    ("08.4", boosting_answer(labels="truth"), "the depth-3 fidelity"),
    # the floor of the true labels, not of the boosting model's answers
    ("08.4", boosting_answer(floor_on="truth"), "boost_floor is"),
]



@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
