"""Notebook 06's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from utils.exercises import evaluate

CLASSES, OBJECT_OF_CLASS = [281, 967], {281: "cat", 967: "coffee"}


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def _scene() -> SimpleNamespace:
    rng = np.random.default_rng(0)
    masks = {"cat": np.zeros((8, 16), bool), "coffee": np.zeros((8, 16), bool)}
    masks["cat"][:, :8], masks["coffee"][1:7, 9:15] = True, True
    return SimpleNamespace(image=rng.integers(0, 256, (8, 16, 3)).astype(np.uint8), masks=masks)


def swap_answer(shift: int = 8, move_masks: bool = True, maps_follow: bool = True) -> dict:
    scene = _scene()
    moved = {n: np.roll(m, 8, axis=1) for n, m in scene.masks.items()}
    masks = moved if move_masks else scene.masks
    boxes = moved if maps_follow else scene.masks
    maps = np.stack([boxes[OBJECT_OF_CLASS[c]] * 0.9 + 0.05 for c in CLASSES])
    return {"maps": maps, "masks": masks, "image": np.roll(scene.image, shift, axis=1),
            "original": scene.image, "scene": scene, "classes": CLASSES,
            "object_of_class": OBJECT_OF_CLASS}


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self._fc = nn.Linear(64, 10)


def _ours() -> np.ndarray:
    return np.random.default_rng(1).uniform(size=(3, 8, 8))


def broken_answer(copy_first: bool = True, scale: bool = True, zero_bias: bool = True) -> dict:
    torch.manual_seed(0)
    model = Tiny()
    broken = copy.deepcopy(model) if copy_first else model
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        spread = broken._fc.weight.std() if scale else 1.0
        broken._fc.weight.copy_(torch.randn(broken._fc.weight.shape, generator=generator) * spread)
        if zero_bias:
            broken._fc.bias.zero_()
    maps = np.random.default_rng(2).uniform(size=(2, 8, 8))
    return {"broken": broken, "model": model, "broken_maps": maps, "ours": _ours(),
            "pair": [0, 2]}


def noise_answer(std: float = 0.05, signed: bool = False, same_top1: bool = True) -> dict:
    rng = np.random.default_rng(3)
    ours, pair = _ours(), [0, 2]
    clean = rng.uniform(size=(2, 8, 8))
    noisy = clean + rng.uniform(0, 2, size=clean.shape)
    return {"same_top1": same_top1,
            "noise": std * torch.randn((2, 3, 8, 8), generator=torch.Generator().manual_seed(1)),
            "noisy_cams": ours[pair] + 0.01 * rng.normal(size=(2, 8, 8)),
            "noisy_gradient": noisy - 1.0 if signed else noisy, "clean_gradient": clean,
            "ours": ours, "pair": pair}


def _marked() -> tuple:
    masks = np.zeros((4, 8, 8), bool)
    masks[:, 5:, 5:] = True
    rng = np.random.default_rng(4)
    library = np.where(masks, rng.uniform(0.6, 1.0, masks.shape), rng.uniform(0, 0.05, masks.shape))
    library = (library - library.min(axis=(1, 2), keepdims=True)) / np.ptp(
        library, axis=(1, 2), keepdims=True)
    return masks, library


def score_answer(scale: float = 1.0, shift: float = 0.0) -> dict:
    masks, library = _marked()
    return {"score_cam": library * scale + shift, "library": library, "masks": masks,
            "area": masks.mean(axis=(1, 2))}


@pytest.mark.parametrize("exercise, answer", [
    ("06.1", swap_answer()), ("06.2", broken_answer()), ("06.3", noise_answer()),
    ("06.4", score_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # rolled by a quarter instead of half the width
    ("06.1", swap_answer(shift=4), "halves swapped"),
    # the image rolled, the boxes left where they were
    ("06.1", swap_answer(move_masks=False), "the cat box did not move"),
    # maps that stayed on the old positions (a model that learned "cat on the left")
    ("06.1", swap_answer(maps_follow=False), "on the moved cat"),
    # no copy: the trained model itself destroyed
    ("06.2", broken_answer(copy_first=False), "broken is the trained model itself"),
    # torch.randn without the trained spread
    ("06.2", broken_answer(scale=False), "scale torch.randn by the trained std"),
    ("06.2", broken_answer(zero_bias=False), "bias is not zero"),
    # noise of 0.05 in grey levels taken as 0.5 input units
    ("06.3", noise_answer(std=0.5), "standard deviation 0.5"),
    # the signed gradient instead of its magnitude
    ("06.3", noise_answer(signed=True), "take |gradient|"),
    ("06.3", noise_answer(same_top1=False), "changed the top-1"),
    # the final map left unnormalised
    ("06.4", score_answer(scale=2.0), "normalise each map with min_max"),
    # upsampled with align_corners=False: maps that drift from the library's
    ("06.4", score_answer(scale=0.98, shift=0.01), "differs from pytorch-grad-cam's ScoreCAM"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
