"""Notebook 04's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import numpy as np
import pytest

from utils.exercises import evaluate
from utils.exercises.n04 import shapley_by_orders

BAND = np.array([0, 10, 20, 40, 30, 50, 60, 90], dtype=float)


def band_answer(bonus_where_singer: float = 40.0, bonus_elsewhere: float = 0.0) -> dict:
    singer = (np.arange(8) & 4) > 0
    game = np.concatenate([BAND, BAND + np.where(singer, bonus_where_singer, bonus_elsewhere)])
    return {"game": game, "phi": shapley_by_orders(game), "band": BAND,
            "leave_one_out": np.array([game[-1] - game[15 & ~(1 << i)] for i in range(4)])}


def kernel_answer(kept: int = 8) -> dict:
    rng = np.random.default_rng(0)
    exact = rng.normal(size=30)
    total = exact.sum()
    phi_no_l1 = exact + rng.normal(scale=1e-3, size=30)
    phi_no_l1 += (total - phi_no_l1.sum()) / 30
    phi_default = np.zeros(30)
    phi_default[:kept] = exact[:kept] + (total - exact[:kept].sum()) / kept
    return {"phi_default": phi_default, "phi_no_l1": phi_no_l1, "exact": exact, "total": total}


FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def retrain_answer() -> dict:
    retrained = np.linspace(150.0, 180.0, 1024)
    phi_linear = np.full(10, 3.0)
    phi_retrain = phi_linear.copy()
    phi_retrain[4], phi_retrain[5] = 3.0 + 8.0, 3.0 - 8.0  # s1 and s2 split differently
    return {"phi_retrain": phi_retrain, "phi_linear": phi_linear, "retrained": retrained,
            "features": FEATURES}


@pytest.mark.parametrize("exercise, answer", [
    ("04.1", band_answer()), ("04.2", kernel_answer()), ("04.3", retrain_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


WRONG = [
    # the dancer adds 40 to every line-up, not only those with the singer
    ("04.1", band_answer(bonus_elsewhere=40.0), "the dancer's bonus without the singer"),
    ("04.1", _with(band_answer(), phi=-shapley_by_orders(band_answer()["game"])),
     "your Shapley values sum to -"),
    # values that add up but are not the Shapley values (the bonus given to the dancer alone)
    ("04.1", _with(band_answer(), phi=shapley_by_orders(band_answer()["game"]) + [0, 0, -20, 20]),
     "phi differs from the Shapley values of your game"),
    ("04.1", _with(band_answer(), leave_one_out=-band_answer()["leave_one_out"]),
     "leave_one_out differs from v(N) - v(N without i)"),
    # l1_reg=False passed to both runs
    ("04.2", _with(kernel_answer(), phi_default=kernel_answer()["phi_no_l1"]),
     "non-zero values"),
    # the closed form without the baseline: w_i x_i instead of w_i (x_i - x'_i)
    ("04.2", _with(kernel_answer(), exact=kernel_answer()["exact"] + 1.0), "exact values sum to"),
    ("04.2", _with(kernel_answer(), phi_no_l1=kernel_answer()["phi_no_l1"][:10]),
     "should have shape (30,)"),
    # interventional values without the training mean as baseline
    ("04.3", _with(retrain_answer(), phi_linear=np.full(10, 5.0)),
     "interventional values sum to 50"),
    ("04.3", _with(retrain_answer(), phi_retrain=np.full(10, 3.0) + np.eye(10)[0] * 8 -
                   np.eye(10)[2] * 8), "largest difference is on age"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
