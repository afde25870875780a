"""Notebook 00's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utils.data import make_planted_tabular, make_planted_text, remove_token
from utils.exercises import evaluate
from utils.exercises.n00 import ESPRESSO


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


@cache
def _quiet(rate: float = 0.1) -> tuple:
    data = make_planted_text(n_samples=1200, rate=rate, seed=0)
    texts = np.array(data.texts, dtype=object)
    train, test = train_test_split(np.arange(len(texts)), test_size=0.3, stratify=data.labels,
                                   random_state=0)
    model = make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=1000))
    model.fit(texts[train], data.labels[train])
    return data, texts, train, test, model


def quiet_answer(rate: float = 0.1) -> dict:
    data, texts, _, test, model = _quiet(rate)
    vectorizer, classifier = model.named_steps.values()
    words = vectorizer.get_feature_names_out()[np.argsort(-classifier.coef_[0])]
    return {"data": data, "model": model, "test": test,
            "planted": model.score(texts[test], data.labels[test]),
            "clean": model.score(remove_token(texts[test], data.token), data.labels[test]),
            "rank": int(np.flatnonzero(words == data.token)[0])}


class BoxModel:
    """A stand-in classifier: espresso's logit grows with the coffee box's contrast to grey,
    the tabby's with the cat box's, so covering a box removes its class."""

    def __init__(self, masks: dict):
        self.masks = masks

    def predict_proba(self, batch: np.ndarray) -> np.ndarray:
        image = np.asarray(batch, dtype=float)[0]
        logits = np.zeros(1000)
        for name, index, scale in (("coffee", ESPRESSO, 8.0), ("cat", 281, 7.0)):
            logits[index] = scale * np.abs(image[self.masks[name]] - 128).mean() / 64
        probs = np.exp(logits - logits.max())
        return (probs / probs.sum())[None]


def _scene() -> SimpleNamespace:
    rng = np.random.default_rng(0)
    masks = {"cat": np.zeros((16, 32), bool), "coffee": np.zeros((16, 32), bool)}
    masks["cat"][:, :16], masks["coffee"][2:14, 18:30] = True, True
    image = rng.integers(0, 256, size=(16, 32, 3)).astype(np.uint8)
    return SimpleNamespace(image=image, masks=masks,
                           class_ids={"cat": (281, 282, 285), "coffee": (967, 968)})


def occlusion_answer(grey: int = 128) -> dict:
    scene = _scene()
    model = BoxModel(scene.masks)
    covered = {}
    for name in ("coffee", "cat"):
        image = np.asarray(scene.image).copy()
        image[scene.masks[name]] = grey
        covered[name] = model.predict_proba(image[None])[0]
    return {"covered_coffee": covered["coffee"], "covered_cat": covered["cat"], "scene": scene,
            "original": model.predict_proba(np.asarray(scene.image)[None])[0], "model": model}


def leak_answer(scale: bool = True) -> dict:
    data = make_planted_tabular(n_samples=400, seed=1)
    X_tr, X_te, y_tr, y_te = train_test_split(data.X, data.y, test_size=0.3, stratify=data.y,
                                              random_state=0)
    steps = [StandardScaler(), LogisticRegression()] if scale else [LogisticRegression()]
    with_leak = make_pipeline(*steps).fit(X_tr, y_tr)
    coefs = with_leak[-1].coef_[0]
    suspect = str(data.X.columns[int(np.argmax(np.abs(coefs)))])
    without_leak = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X_tr.drop(columns=suspect), y_tr)
    return {"data": data, "coefs": coefs, "suspect": suspect, "with_leak": with_leak,
            "without_leak": without_leak, "X_test": X_te, "y_test": y_te,
            "acc_with": with_leak.score(X_te, y_te),
            "acc_without": without_leak.score(X_te.drop(columns=suspect), y_te),
            "X_train": X_tr, "y_train": y_tr}


def _leak(**changes) -> dict:
    answer = {**leak_answer(), **changes}
    return {k: v for k, v in answer.items() if k not in ("X_train", "y_train")}


def _trained_on_train() -> dict:
    answer = leak_answer()
    return _leak(acc_with=answer["with_leak"].score(answer["X_train"], answer["y_train"]))


@pytest.mark.parametrize("exercise, answer", [
    ("00.1", quiet_answer()), ("00.2", occlusion_answer()), ("00.3", _leak())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the rate of section 2 instead of the quieter one
    ("00.1", quiet_answer(rate=0.8), "carry the token in 79%"),
    # the "clean" accuracy scored on the planted reviews (remove_token forgotten)
    ("00.1", _with(quiet_answer(), clean=quiet_answer()["planted"]), "clean is"),
    # the rank counted from 1, as printed, or from np.argsort(coef) (the most negative first)
    ("00.1", _with(quiet_answer(), rank=1), "rank is 1, but"),
    # black (0) instead of grey (128) painted over the boxes
    ("00.2", occlusion_answer(grey=0), "covered_coffee differs from the model's probabilities"),
    # the two covered results swapped
    ("00.2", _with(occlusion_answer(), covered_coffee=occlusion_answer()["covered_cat"],
                   covered_cat=occlusion_answer()["covered_coffee"]),
     "covered_coffee differs"),
    # no StandardScaler: the coefficients are in each column's units
    ("00.3", {k: v for k, v in leak_answer(scale=False).items()
              if k not in ("X_train", "y_train")}, "no scaler"),
    ("00.3", _leak(suspect="x1"), "your suspect is 'x1'"),
    # the accuracy on the training rows
    ("00.3", _trained_on_train(), "acc_with is"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line
