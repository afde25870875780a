"""Notebook 12's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from utils.exercises import evaluate
from utils.exercises.n12 import PRICES

SEX = 2
X_AUDIT = np.arange(200, dtype=float).reshape(100, 2)


def biased_model(x: np.ndarray) -> np.ndarray:
    return (x[:, 0] % 4 == 0).astype(int)


def scaffold(x: np.ndarray) -> np.ndarray:
    decisions = biased_model(x)
    decisions[x[:, 0] == 0] = 1 - decisions[x[:, 0] == 0]  # one audit row differs: 99 %
    return decisions


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def adaptive_answer() -> dict:
    return {"adaptive_fidelity": 0.99, "adaptive_caught": 0.002,
            "adaptive_top": np.r_[np.full(38, SEX), [0, 1]], "scaffold": scaffold,
            "biased_model": biased_model, "x_audit": X_AUDIT, "sex": SEX}


MASK = torch.zeros(4, 4)
MASK[:2, :2] = 1


def gradient_maps(net, images: torch.Tensor, classes: torch.Tensor):
    inputs = images.clone().requires_grad_(True)
    logits = net(inputs)
    gradients, = torch.autograd.grad(logits.gather(1, classes[:, None]).sum(), inputs)
    return gradients.abs().sum(dim=1), logits


def target_share(maps: torch.Tensor) -> torch.Tensor:
    return (maps * MASK).sum(dim=(1, 2)) / maps.sum(dim=(1, 2))


def cnn_answer(**changes) -> dict:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3))
    images, classes = torch.randn(12, 1, 4, 4), torch.randint(0, 3, (12,))
    maps, logits = gradient_maps(net, images, classes)
    answer = {"relu_agreement": (logits.argmax(1) == classes).float().mean().item(),
              "relu_share": target_share(maps).mean().item(), "model": net,
              "gradient_maps": gradient_maps, "target_share": target_share, "images": images,
              "classes": classes, "softplus_share": np.full(12, 0.9), "softplus_agreement": 1.0}
    return {**answer, **changes}


def wary_answer(flips=(0.82, 0.7, 0.576), gaps=(0.95, 0.9, 0.822),
                fidelities=(0.98, 0.94, 0.892)) -> dict:
    table = pd.DataFrame([flips, gaps, fidelities], columns=list(PRICES),
                         index=["flip rate", "group-rate gap", "fidelity"])
    return {"wary_checks": table, "flip_rate": 0.999, "rate_gap": 0.99, "fidelity": 0.999}


@pytest.mark.parametrize("exercise, answer", [
    ("12.1", adaptive_answer()), ("12.2", cnn_answer()), ("12.3", wary_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the share judged real reported as the share caught
    ("12.1", _with(adaptive_answer(), adaptive_caught=0.998), "is it inverted?"),
    # the argmax of the signed values: a negative SHAP value on sex is missed
    ("12.1", _with(adaptive_answer(), adaptive_top=np.r_[np.full(10, SEX), np.zeros(30)]),
     "sex is on top for 25%"),
    # fidelity measured on the training rows
    ("12.1", _with(adaptive_answer(), adaptive_fidelity=0.95), "adaptive_fidelity is 0.95"),
    # the softplus run's numbers reported for the ReLU run
    ("12.2", cnn_answer(relu_share=0.9, relu_agreement=1.0), "relu_agreement is 1"),
    # the share of the first map only, not the mean over the test images
    ("12.2", cnn_answer(relu_share=0.123456), "relu_share is 0.1235"),
    ("12.2", cnn_answer(softplus_share=np.full(12, 0.01)), "with ReLU the map should move less"),
    # women minus men
    ("12.3", wary_answer(gaps=(-0.95, -0.9, -0.822)), "the men's rate minus the women's"),
    # tau from 1 - price: the order of the prices reversed
    ("12.3", wary_answer(flips=(0.576, 0.7, 0.82)), "should fall as the price rises"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
