"""Checkers for notebook 00 (why explain: shortcuts, occlusion, a leak in a table)."""

from __future__ import annotations

import numpy as np

from utils.data import remove_token
from utils.exercises import checker, expect, expect_array, expect_close

ESPRESSO = 967  # the ImageNet class the notebook calls ESPRESSO
QUIET_RATE = 0.1


def expect_accuracy(name: str, value: object, model: object, X: object, y: object,
                    what: str) -> float:
    """``value`` is ``model.score(X, y)``: the accuracy on the data the exercise asks for."""
    expected = float(model.score(X, y))
    expect_close(name, value, expected, what, atol=1e-9)
    return expected


@checker("00.1")
def quieter_shortcut(data: object, model: object, test: object, planted: float, clean: float,
                     rank: int) -> str:
    """The data plant the token in a tenth of the fresh reviews, both accuracies are the model's
    on the test reviews (with and without the token), and the token's coefficient ranks first."""
    labels = np.asarray(data.labels)
    carried = float(np.mean(np.asarray(data.token_positions)[labels == 1] >= 0))
    expect(abs(carried - QUIET_RATE) < 0.05,
           f"your data carry the token in {carried:.0%} of the fresh reviews; the exercise asks "
           f"for rate={QUIET_RATE}")
    test = np.asarray(test)
    share = len(test) / len(labels)
    expect(abs(share - 0.3) < 0.02, f"your test split holds {share:.0%} of the reviews, the "
                                    "notebook's split 30%")
    texts = np.asarray(data.texts, dtype=object)[test]
    expect_accuracy("planted", planted, model, texts, labels[test],
                    "the model's accuracy on the planted test reviews")
    expect_accuracy("clean", clean, model, remove_token(texts, data.token), labels[test],
                    "its accuracy on the same reviews with the token removed")
    vectorizer, classifier = list(model.named_steps.values())
    words = vectorizer.get_feature_names_out()[np.argsort(-classifier.coef_[0])]
    expected = int(np.flatnonzero(words == data.token)[0])
    expect(rank == expected, f"rank is {rank}, but '{data.token}' sits at position {expected} "
                             "(0 = largest) of the coefficients sorted from the most positive")
    expect(expected == 0, f"'{data.token}' ranks {expected + 1}, not first: is the model fitted "
                          "on the planted training reviews?")
    return (f"the accuracy drops only {planted - clean:.3f} without the token, yet "
            f"'{data.token}' is still the largest positive coefficient")


@checker("00.2")
def cover_one_object(covered_coffee: object, covered_cat: object, original: object,
                     scene: object, model: object) -> str:
    """Each probability vector is the model's on the scene with that box painted grey (128);
    covering the cup moves the top-1 to a cat, covering the cat moves it to espresso."""
    cats = list(scene.class_ids["cat"])
    original = expect_array("original", original)
    outputs = {}
    for name, value in (("coffee", covered_coffee), ("cat", covered_cat)):
        probs = expect_array(f"covered_{name}", value, original.shape)
        image = np.asarray(scene.image).copy()
        image[scene.masks[name]] = 128
        expect_close(f"covered_{name}", probs, model.predict_proba(image[None])[0],
                     f"the model's probabilities with the {name} box painted grey (128)",
                     atol=1e-4)
        outputs[name] = probs
    coffee, cat = outputs["coffee"], outputs["cat"]
    expect(coffee[ESPRESSO] < original[ESPRESSO] / 10,
           f"covering the cup leaves espresso at {coffee[ESPRESSO]:.4f}, the scene had "
           f"{original[ESPRESSO]:.4f}")
    expect(int(coffee.argmax()) in cats, f"with the cup covered the top-1 is class "
                                         f"{int(coffee.argmax())}, not a cat class {cats}")
    expect(int(cat.argmax()) == ESPRESSO, f"with the cat covered the top-1 is class "
                                          f"{int(cat.argmax())}, not espresso ({ESPRESSO})")
    return (f"covering the cup takes espresso from {original[ESPRESSO]:.3f} to "
            f"{coffee[ESPRESSO]:.4f}, covering the cat takes the cats from "
            f"{original[cats].sum():.3f} to {cat[cats].sum():.4f}: an occlusion explanation")


@checker("00.3")
def leak_in_a_table(data: object, coefs: object, suspect: str, with_leak: object,
                    without_leak: object, X_test: object, y_test: object, acc_with: float,
                    acc_without: float) -> str:
    """The suspect is the column with the largest absolute standardized coefficient, it is the
    planted leak, and the test accuracy drops when it is dropped."""
    columns = list(data.X.columns)
    coefs = expect_array("coefs", coefs, (len(columns),))
    expect_close("coefs", coefs, with_leak[-1].coef_[0], "the fitted pipeline's coefficients")
    expect(len(with_leak) > 1, "with_leak has no scaler before the logistic regression, so its "
                               "coefficients depend on each column's units")
    largest = columns[int(np.argmax(np.abs(coefs)))]
    expect(suspect == largest, f"your suspect is {suspect!r}, but the largest coefficient in "
                               f"absolute value belongs to {largest!r}")
    expect(suspect == data.planted_feature,
           f"the largest coefficient is on {suspect!r}, not on the planted "
           f"{data.planted_feature!r}")
    expect(len(X_test) < len(data.X) / 2, f"X_test has {len(X_test)} of {len(data.X)} rows: "
                                          "score the 30% test split, not the training rows")
    expect_accuracy("acc_with", acc_with, with_leak, X_test, y_test,
                    "the full model's test accuracy")
    expect_accuracy("acc_without", acc_without, without_leak, X_test.drop(columns=suspect),
                    y_test, "the refit's test accuracy without the suspect")
    expect(acc_with > acc_without, f"acc_with {acc_with:.3f} is not above acc_without "
                                   f"{acc_without:.3f}")
    return (f"{suspect!r} dominates the coefficients and dropping it costs "
            f"{acc_with - acc_without:.3f} test accuracy: target leakage")
