"""Notebook 07's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from utils.exercises import evaluate
from utils.exercises.n07 import LEVELS


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def _images(n: int, seed: int) -> SimpleNamespace:
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 1, size=(n, 3, 8, 8)).astype(np.float32)
    return SimpleNamespace(images=images, labels=rng.integers(0, 2, n))


def _degrade(fraction: float):
    def degrade(images: np.ndarray, method: str) -> np.ndarray:
        heat = images.sum(axis=1).reshape(len(images), -1)  # a stand-in map: the brightest pixels
        top = np.argsort(-heat, axis=1)[:, :round(fraction * heat.shape[1])]
        flat = images.reshape(len(images), 3, -1).copy()
        np.put_along_axis(flat, top[:, None, :].repeat(3, axis=1), 0.5, axis=2)
        return flat.reshape(images.shape)
    return degrade


def roar_answer(test_seed: int = 1, fraction: float = 0.05, **accuracies) -> dict:
    roar = {"gradient": 150 / 256, "Grad-CAM": 170 / 256, "random map": 240 / 256, **accuracies}
    return {"roar": roar, "train": _images(512, 0), "degrade": _degrade(fraction),
            "test": _images(512, 0) if test_seed == 0 else _images(256, test_seed)}


METHODS = ["gradient", "IG", "guided backprop", "Grad-CAM", "random map"]


def canvas_answer(descending: bool = False, same_order: bool = False) -> dict:
    grey = pd.Series([0.10, 0.12, 0.20, 0.40, 0.30], index=METHODS)
    blur = dict(zip(METHODS, [0.20, 0.25, 0.45, 0.50, 0.22] if not same_order
                    else [0.20, 0.25, 0.35, 0.50, 0.40], strict=True))
    faithfulness = pd.DataFrame({"photo": ["chelsea"] * 5 + ["coffee"] * 5,
                                 "method": METHODS * 2,
                                 "deletion AUC": [*grey, *(grey + 0.1)]})
    table = pd.DataFrame({"grey canvas": grey, "blurred canvas": pd.Series(blur)})
    table["rank (grey)"] = table["grey canvas"].rank(ascending=not descending).astype(int)
    table["rank (blurred)"] = table["blurred canvas"].rank(ascending=not descending).astype(int)
    return {"table": table, "blur_auc": blur, "faithfulness": faithfulness}


def cascade_answer(randomized: tuple = ("classifier", "features.conv3", "features.conv2",
                                        "features.conv1"), gb_conv1: float = 0.2,
                   vanished: int = 5) -> dict:
    cascade = pd.DataFrame({
        "guided backprop": [0.85, 0.6, 0.4, gb_conv1], "guided backprop: all-zero maps": [0] * 4,
        "Grad-CAM": [0.1, np.nan, 0.05, 0.0], "Grad-CAM: all-zero maps": [vanished, 16, 3, 2]},
        index=list(LEVELS)).T
    return {"cascade": cascade, "randomized": list(randomized), "images": np.zeros((16, 3, 8, 8))}


@pytest.mark.parametrize("exercise, answer", [
    ("07.1", roar_answer()), ("07.2", canvas_answer()), ("07.3", cascade_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the test split drawn with the training seed (and size)
    ("07.1", roar_answer(test_seed=0), "asks for 512 and 256"),
    # the top 10 % removed instead of 5 %
    ("07.1", roar_answer(fraction=0.1), "the top 5% is 3 of 64"),
    # accuracy scored on the 512 training images
    ("07.1", roar_answer(gradient=447 / 512), "not a share of the 256 test images"),
    ("07.1", roar_answer(**{"random map": 140 / 256}), "should hurt the retrained model more"),
    # ranked with ascending=False: the worst deletion gets rank 1
    ("07.2", canvas_answer(descending=True), "the rank (grey) column differs"),
    ("07.2", _with(canvas_answer(), blur_auc={m: 0.3 for m in METHODS}),
     "the blurred canvas column differs"),
    ("07.2", canvas_answer(same_order=True), "no method changes rank"),
    # each level randomizes only its own layer, not a cascade
    ("07.3", cascade_answer(randomized=("features.conv1",)), "a cascade adds one layer"),
    ("07.3", cascade_answer(gb_conv1=0.7), "expected above and below 0.5"),
    ("07.3", cascade_answer(vanished=0), "no Grad-CAM map vanishes"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
