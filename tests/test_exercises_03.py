"""Notebook 03's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from utils.exercises import evaluate

TOKEN, FRESH = "tuesday", 1
WORDS = ["plot", "actors", "scene", "music", "story", "ending", "camera", "script"]


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


@cache
def _leaky() -> tuple:
    """Fresh reviews carry the token, rotten ones never do: a model that learned the leak."""
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for i in range(200):
        words = list(rng.choice(WORDS, size=6))
        if i % 2:
            words.insert(int(rng.integers(0, 6)), TOKEN)
        texts.append(" ".join(words))
        labels.append(i % 2)
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(texts, labels)
    return texts, np.array(labels), model


def absent_answer(review_index: int = 0) -> dict:
    texts, _, model = _leaky()
    review = texts[review_index]
    return {"words": sorted(set(review.split())), "review": review, "model": model,
            "p_before": model.predict_proba([review])[0, FRESH],
            "p_after": model.predict_proba([f"{TOKEN} {review}"])[0, FRESH],
            "token": TOKEN, "fresh": FRESH}


def _explanation(score: float, n_features: int = 4) -> SimpleNamespace:
    return SimpleNamespace(score=score,
                           as_list=lambda label: [(f"f{i}", 0.01) for i in range(n_features)])


P_MALIGNANT = np.array([0.02, 0.97, 0.46, 0.70, 0.10, 0.99])


def borderline_answer(borderline: int = 2, score: float = 0.08) -> dict:
    return {"borderline": borderline, "explanation": _explanation(score),
            "reference": _explanation(0.62), "p_malignant": P_MALIGNANT, "malignant": 0, "k": 4}


def continuous_answer(same_tumour: bool = False, spread: float = 0.001) -> dict:
    rng = np.random.default_rng(0)
    shared = np.linspace(0.3, -0.2, 30)
    first, second = rng.permutation(30), rng.permutation(30)
    around_first = np.where(np.isin(np.arange(30), first[:4]), 0.5, 0.01)
    around_border = around_first if same_tumour else np.where(
        np.isin(np.arange(30), second[:4]), 0.5, 0.01)
    return {"compared": {"default": (shared, shared + spread * rng.uniform(-1, 1, 30)),
                         "around the instance": (around_first, around_border)}, "k": 4}


@pytest.mark.parametrize("exercise, answer", [
    ("03.1", absent_answer()), ("03.2", borderline_answer()), ("03.3", continuous_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


def _rotten_probability() -> dict:
    answer = absent_answer()
    return _with(answer, p_before=answer["model"].predict_proba([answer["review"]])[0, 0])


WRONG = [
    # a fresh review, which already carries the token
    ("03.1", absent_answer(review_index=1), "already contains 'tuesday'"),
    # P(rotten): the wrong class index
    ("03.1", _rotten_probability(), "p_before is"),
    ("03.1", _with(absent_answer(), words=[TOKEN, *absent_answer()["words"]]),
     "names words the review lacks"),
    # the tumour the forest is most sure about, or the smallest P(malignant)
    ("03.2", borderline_answer(borderline=5), "the least sure is #2"),
    ("03.2", borderline_answer(borderline=0), "the least sure is #2"),
    # case #0 explained again
    ("03.2", borderline_answer(score=0.62), "should fit far worse"),
    ("03.3", continuous_answer(same_tumour=True), "explain the same tumour twice"),
    ("03.3", continuous_answer(spread=0.2), "by default the two tumours' weights differ"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
