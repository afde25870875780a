"""Notebook 05's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from utils.exercises import evaluate


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def _photo() -> np.ndarray:
    rng = np.random.default_rng(0)
    photo = rng.integers(80, 256, size=(20, 20, 3)).astype(np.uint8)
    photo[10:, 5:15] = rng.integers(0, 50, size=(10, 10, 3))  # the dark uniform
    return photo


def uniform_answer(threshold: float = 60, black: float = 0.12, blurred: float = 0.31) -> dict:
    photo = _photo()
    return {"shares": {"black": black, "blurred": blurred}, "photo": photo,
            "dark": photo.max(axis=2) < threshold}


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(OrderedDict(
            conv1=nn.Conv2d(3, 8, 3), relu1=nn.ReLU(), conv3=nn.Conv2d(8, 8, 3)))
        self.classifier = nn.Linear(8, 2)


def scrambled_answer(layers: tuple = ("features.conv3", "classifier"), copy_first: bool = True,
                     guided: float = 0.93, gradient: float = 0.41) -> dict:
    torch.manual_seed(0)
    original = TinyCNN()
    scrambled = copy.deepcopy(original) if copy_first else original
    torch.manual_seed(1)
    with torch.no_grad():
        for name in layers:
            scrambled.get_submodule(name).weight.normal_(0, 0.1)
    return {"randomisation": {"gradient": gradient, "guided backprop": guided},
            "original": original, "scrambled": scrambled}


class SignModel(nn.Module):
    """Class 1 wins once the single pixel turns positive."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        value = x.flatten(1)[:, :1] * 255 / 2
        return torch.cat([torch.zeros_like(value), value], dim=1)


PHOTOS = ("chelsea", "coffee", "astronaut")


def attack_answer(**smallest) -> dict:
    thresholds = torch.tensor([0.4, 10.0, 1.5])  # grey levels each photo's pixel sits below 0
    inputs = (-2 * thresholds / 255).view(3, 1, 1, 1)
    return {"smallest": smallest or {"chelsea": 0.5, "astronaut": 2}, "model": SignModel(),
            "inputs": inputs, "step": torch.ones_like(inputs),
            "targets": torch.zeros(3, dtype=torch.long), "photos": PHOTOS}


@pytest.mark.parametrize("exercise, answer", [
    ("05.1", uniform_answer()), ("05.2", scrambled_answer()), ("05.3", attack_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the threshold in [0, 1] units on a uint8 photo
    ("05.1", uniform_answer(threshold=60 / 255), "dark marks 0.0% of the pixels"),
    # sum of phi (signed) over sum of phi: a "share" above one
    ("05.1", uniform_answer(black=1.7), "take .abs() before summing"),
    ("05.1", uniform_answer(black=0.31, blurred=0.12), "x - x' is small on dark pixels"),
    # copy.deepcopy forgotten: the trained network is scrambled too
    ("05.2", scrambled_answer(copy_first=False), "scrambled is small_cnn itself"),
    # the first convolution redrawn instead of the last
    ("05.2", scrambled_answer(layers=("features.conv1", "classifier")),
     "features.conv3.weight is unchanged"),
    ("05.2", scrambled_answer(guided=0.3), "guided should move less"),
    # epsilon in the inputs' units (x/255) instead of grey levels
    ("05.3", attack_answer(chelsea=0.5 / 255, astronaut=2 / 255), "are not among the epsilons"),
    # the first size tried that flips, but one step too late
    ("05.3", attack_answer(chelsea=1, astronaut=2), "chelsea: epsilon 0.5/255 changes the top-1"),
    # a photo that does flip left out
    ("05.3", attack_answer(chelsea=0.5), "astronaut: epsilon 4/255 changes the top-1"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
