"""Notebook 13's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from utils.exercises import evaluate

UNK = {"top-1 accuracy": 0.9, "AER": 0.159, "both sources": 0.635}
SENTENCES = {"source": ["the small dog sleeps"], "target": ["le petit chien dort"]}


def slot_matrix(bundle, source: str, target: str) -> np.ndarray:
    return np.eye(len(target.split()), len(source.split()))


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def slot_answer(**grades) -> dict:
    scores = {"top-1 accuracy": 0.95, "AER": 0.086, "both sources": 0.802, **grades}
    return {"slot_scores": scores, "scores": {("ablation", "toy-gpt2"): UNK},
            "matrix": slot_matrix, "bundle": None, "sentences": SENTENCES}


MARIAN = SimpleNamespace(name="toy-marian", translate=lambda texts: ["le petit chien fait saut"])
GPT2 = SimpleNamespace(name="toy-gpt2", translate=lambda texts: ["le petit chien fait saut"])
JUMPS_CREDIT = {"toy-marian": 10.129, "toy-gpt2": 6.852}


def contrastive(bundle, source: str, target: str, position: int, foil: str) -> np.ndarray:
    """log p(saut) - log p(sieste) at position 4; at any other position a different gap."""
    credit = JUMPS_CREDIT[bundle.name]
    if position == 4 and foil == "sieste":
        return np.array([0.1, -0.2, 0.05, credit])
    return np.array([1.0, 0.5, 0.3, 0.2])


def ablation(bundle, source: str, target: str) -> np.ndarray:
    rows = np.zeros((5, 4))
    rows[3] = [0.2, 0.1, 0.4, 3.136 if bundle.name == "toy-marian" else 2.24]
    return rows


def dog_answer(position: int = 4, plain_row: int = 3) -> dict:
    dog = "the small dog jumps"
    contrasts, plain = {}, {}
    for bundle in (MARIAN, GPT2):
        target = bundle.translate([dog])[0]
        contrasts[bundle.name] = contrastive(bundle, dog, target, position, "sieste")
        plain[bundle.name] = ablation(bundle, dog, target)[plain_row]
    return {"dog_contrasts": contrasts, "dog_plain": plain, "marian": MARIAN, "gpt2": GPT2,
            "contrastive": contrastive, "ablation": ablation}


@pytest.mark.parametrize("exercise, answer", [("13.1", slot_answer()), ("13.2", dog_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the <unk> ablation graded again: no rise
    ("13.1", slot_answer(**{"both sources": 0.635, "AER": 0.159}), "should raise it"),
    # the AER reported as a percentage
    ("13.1", slot_answer(AER=8.6), "grades lie in [0, 1]"),
    # a matrix transposed: (S, T) instead of (T, S)
    ("13.1", _with(slot_answer(), matrix=lambda b, s, t: np.ones((4, 3))),
     "one column per source word"),
    # the first verb token (position 3) explained instead of the second
    ("13.2", dog_answer(position=3), "contrastive_matrix at target position 4"),
    # the plain ablation read from the wrong row (the verb token saut, not fait)
    ("13.2", dog_answer(plain_row=4), "plain ablation of fait"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
