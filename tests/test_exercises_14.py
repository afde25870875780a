"""Notebook 14's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import pandas as pd
import pytest

from utils.exercises import evaluate

SOURCE = 13
RESTORED = {("blocks.1.attn.hook_v", SOURCE): 0.97, ("blocks.1.attn.hook_k", SOURCE): 0.01,
            ("blocks.1.attn.hook_v", 20): 0.02, ("blocks.1.attn.hook_k", 20): 0.5}


def patch(hook_name: str, position: int) -> float:
    return RESTORED[hook_name, position]


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def patch_answer(position: int = SOURCE) -> dict:
    return {"restored_keys": patch("blocks.1.attn.hook_k", position),
            "restored_values": patch("blocks.1.attn.hook_v", position), "patch": patch,
            "source": SOURCE}


HEADS = [f"{layer}.{head}" for layer in range(2) for head in range(4)]
INDUCTION = ["1.0", "1.2", "1.3"]
TABLE = pd.DataFrame({"previous token": [0.9, 0.1, 0.8, 0.1, 0, 0, 0, 0],
                      "induction": [0, 0, 0, 0, 0.8, 0.1, 0.7, 0.9]}, index=HEADS)


def ablation_answer(after=(0.1, 0.1, 0.05)) -> dict:
    ablated = TABLE.copy()
    ablated.loc[INDUCTION, "induction"] = list(after)
    return {"ablated_scores": ablated, "head_table": TABLE, "heads": INDUCTION}


BY_HEAD = pd.DataFrame({"at the query": [0, 0, 0, 0, 0.315, 0.04, 0.194, 0.411]}, index=HEADS)


def direct_answer(values=(0.1, -0.05, 0.02, 0.0, 4.39, 0.52, 2.71, 5.42),
                  clean_diff: float = 12.91) -> dict:
    return {"direct": pd.Series(values, index=HEADS), "clean_diff": clean_diff,
            "heads": INDUCTION, "by_head": BY_HEAD}


@pytest.mark.parametrize("exercise, answer", [
    ("14.1", patch_answer()), ("14.2", ablation_answer()), ("14.3", direct_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # patched at the query instead of the source
    ("14.1", patch_answer(position=20), "restored_values is 0.02"),
    # keys and values swapped
    ("14.1", _with(patch_answer(), restored_keys=0.97, restored_values=0.01),
     "restored_values is 0.01"),
    # the induction heads ablated instead: their own patterns do not change
    ("14.2", ablation_answer(after=(0.8, 0.7, 0.9)), "head 1.0's induction score is 0.800"),
    ("14.2", _with(ablation_answer(), ablated_scores=TABLE.loc[INDUCTION]),
     "one row per head"),
    # foil minus answer: a sign flip
    ("14.3", direct_answer(values=tuple(-v for v in (0.1, -0.05, 0.02, 0.0, 4.39, 0.52, 2.71,
                                                     5.42))), "your direct terms sum to -13"),
    # sigma forgotten: every term 3 times too large
    ("14.3", direct_answer(values=tuple(3 * v for v in (0.1, -0.05, 0.02, 0.0, 4.39, 0.52, 2.71,
                                                        5.42))), "divide by sigma"),
    # a head's term read off the wrong head (layer and head index swapped)
    ("14.3", direct_answer(values=(0.1, -0.05, 0.02, 0.0, 4.39, 2.71, 0.52, 5.42)),
     "the largest direct terms are on"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
