"""Notebook 11's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import pearsonr, spearmanr

from utils.exercises import evaluate
from utils.exercises.n11 import logistic_gradients


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def hessian_answer(theta_from: float | None = None, sign: float = 1.0,
                   gain: float = 0.2) -> dict:
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(size=(60, 3)), np.ones(60)])
    y = (x[:, 0] > 0).astype(float)
    x_test, y_test = x[:5] + 0.1, y[:5]
    sweep_points, rows = {}, []
    for C in (0.1, 100.0):
        theta = rng.normal(size=4) * (1 if C < 1 else 3)
        sample = np.arange(0, 60, 3)
        test_gradient = logistic_gradients(theta, x_test[2][None], y_test[2:3])[0]
        dot = logistic_gradients(theta, x, y)[sample] @ test_gradient
        measured = dot + rng.normal(scale=0.5 * dot.std(), size=len(sample))
        predicted = measured + rng.normal(scale=gain * 0.01 * dot.std(), size=len(sample))
        sweep_points[C] = (predicted, measured, sample, theta)
        used = sweep_points[theta_from][3] if theta_from in sweep_points else theta
        mine = sign * logistic_gradients(used, x, y)[sample] @ logistic_gradients(
            used, x_test[2][None], y_test[2:3])[0]
        rows.append({"C": C, "influence: Pearson": pearsonr(predicted, measured).statistic,
                     "gradient dot: Pearson": pearsonr(mine, measured).statistic,
                     "influence: Spearman": spearmanr(predicted, measured).statistic,
                     "gradient dot: Spearman": spearmanr(mine, measured).statistic})
    return {"hessian_check": pd.DataFrame(rows).set_index("C"), "sweep_points": sweep_points,
            "x_train": x, "y_train": y, "x_test": x_test, "y_test": y_test, "query": 2}


class Model(torch.nn.Module):
    """Predicts the class of the first pixel's sign."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([-x[:, 0], x[:, 0]], dim=1)


class Proponents:
    """A stand-in for TracInCPFast: proponents 0-4 of class 1, 10-14 of class 0."""

    def influence(self, inputs: tuple, k: int) -> SimpleNamespace:
        _, labels = inputs
        rows = [list(range(5)) if int(label) == 1 else list(range(10, 15)) for label in labels]
        return SimpleNamespace(indices=torch.tensor(rows)[:, :k])


X_TEST = torch.tensor([[1.0], [-1.0], [2.0], [-3.0]])
Y_TEST = torch.tensor([1, 1, 0, 0])  # images 1 and 2 are misclassified


def debug_answer(wrong=(1, 2), labels="predicted") -> dict:
    wrong = np.array(wrong)
    query = Model()(X_TEST).argmax(1) if labels == "predicted" else Y_TEST
    top_five = Proponents().influence((X_TEST[wrong], query[wrong]), k=5).indices.numpy()
    is_flipped = np.isin(np.arange(20), [0, 1, 2, 3, 10, 11, 12])
    return {"top_five": top_five, "wrong": wrong, "model": Model(), "x_test": X_TEST,
            "y_test": Y_TEST, "tracin": Proponents(), "is_flipped": is_flipped}


@pytest.mark.parametrize("exercise, answer", [
    ("11.1", hessian_answer()), ("11.2", debug_answer()),
    ("11.3", {"dose": {2: (0.508, 2.0), 4: (0.977, 4.0)}})])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the gradients taken at C = 0.1's theta for both strengths
    ("11.1", hessian_answer(theta_from=0.1), "the gradient-dot Spearman at C = 100"),
    # minus the dot product (the influence function's sign carried over)
    ("11.1", hessian_answer(sign=-1.0), "the gradient-dot Spearman at C = 0.1"),
    # the gradient-dot column copied into the influence column
    ("11.1", _with(hessian_answer(), hessian_check=hessian_answer()["hessian_check"].assign(
        **{"influence: Spearman": hessian_answer()["hessian_check"]["gradient dot: Spearman"]})),
     "the influence Spearman at C = 0.1"),
    # the true labels as query labels: proponents of the right class, not of the mistake
    ("11.2", debug_answer(labels="true"), "query label = the prediction"),
    # correct predictions included among the queries
    ("11.2", debug_answer(wrong=(0, 1, 2)), "the model misclassifies 2"),
    # success counted as the share still predicted 0
    ("11.3", {"dose": {2: (0.492, 2.0), 4: (0.023, 4.0)}}, "more poison should be stronger"),
    # the poisoned counted among the top 12, not the top n
    ("11.3", {"dose": {2: (0.508, 2.0), 4: (0.977, 4.5)}}, "at most 4 fit among the top 4"),
    ("11.3", {"dose": {2: (0.508, 1.5), 4: (0.977, 4.0)}}, "TracIn finds all 2"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
