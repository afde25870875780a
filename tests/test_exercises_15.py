"""Notebook 15's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils.exercises import evaluate


def pool1_table(planted: float = 0.97, square: float = 0.55) -> pd.DataFrame:
    rows = [{"class": k, "concept": c, "TCAV": planted if (c, k) == ("checkerboard",
            "checkerboard") else square, "random CAVs": 0.5, "p": 0.3}
            for k in ("warm", "cool", "checkerboard") for c in ("checkerboard", "square")]
    return pd.DataFrame(rows)


def magnitudes(planted_shift: float = 0.02) -> dict:
    rng = np.random.default_rng(0)
    random = rng.normal(0.0, 0.01, size=20)
    return {"checkerboard": random + planted_shift, "square": rng.normal(0.0, 0.01, 20),
            "random": random}


@pytest.mark.parametrize("exercise, answer", [
    ("15.1", {"table": pool1_table()}), ("15.2", {"magnitude": magnitudes()})])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the gradients taken at pool2 while the CAVs come from pool1: the planted concept is lost
    ("15.1", {"table": pool1_table(planted=0.41)}, "TCAV score for its class is 0.410"),
    # raw directional derivatives passed as scores instead of the share of positive ones
    ("15.1", {"table": pool1_table(square=-3.2)}, "lie in [0, 1]"),
    ("15.1", {"table": pool1_table().drop(columns="p")}, "lacks the columns p"),
    # the warm class's scores read instead of the checkerboard class's
    ("15.2", {"magnitude": magnitudes(planted_shift=-0.02)}, "read class 2's"),
    ("15.2", {"magnitude": {"checkerboard": [0.1, 0.2]}}, "keys 'checkerboard', 'square'"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
