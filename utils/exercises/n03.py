"""Checkers for notebook 03 (LIME for text and tables)."""

from __future__ import annotations

import re

import numpy as np

from utils.exercises import checker, expect, expect_array, expect_close

SAMPLINGS = ("default", "around the instance")


def top_features(weights: np.ndarray, k: int) -> frozenset:
    """The indices of the ``k`` largest weights in absolute value."""
    return frozenset(np.argsort(-np.abs(weights))[:k].tolist())


@checker("03.1")
def absent_word(words: object, review: str, p_before: float, p_after: float, model: object,
                token: str, fresh: int) -> str:
    """The review lacks the token and is predicted rotten, the explanation names only present
    words, and adding the token flips P(fresh) above 0.5."""
    present = set(re.split(r"\W+", review))  # lime's default split_expression
    expect(token not in present, f"your review already contains '{token}'; take a rotten "
                                        "review without it")
    words = list(words)
    strays = [w for w in words if w not in present]
    expect(not strays, f"the explanation names words the review lacks: {strays[:3]}")
    expect(token not in words, f"'{token}' is in the explanation of a review without it")
    expect_close("p_before", p_before, model.predict_proba([review])[0, fresh],
                 "the model's P(fresh) for the review", atol=1e-9)
    expect(p_before < 0.5, f"P(fresh) is {p_before:.3f}: pick a review the model calls rotten")
    expect_close("p_after", p_after, model.predict_proba([f"{token} {review}"])[0, fresh],
                 f"the model's P(fresh) with '{token}' added", atol=1e-9)
    expect(p_after > 0.5, f"with '{token}' added P(fresh) is {p_after:.3f}; it should flip above "
                          "0.5")
    return (f"'{token}' cannot appear among the {len(words)} explained words, yet adding it moves "
            f"P(fresh) from {p_before:.3f} to {p_after:.3f}: absence is part of the reason")


@checker("03.2")
def borderline_tumour(borderline: int, explanation: object, reference: object,
                      p_malignant: object, malignant: int, k: int) -> str:
    """The case is the one closest to P = 0.5, its explanation has K features, and its local
    fidelity is under a quarter of case #0's."""
    p_malignant = expect_array("p_malignant", p_malignant)
    closest = int(np.argmin(np.abs(p_malignant - 0.5)))
    expect(borderline == closest, f"case #{borderline} has P(malignant) = "
                                  f"{p_malignant[borderline]:.3f}; the least sure is #{closest} "
                                  f"at {p_malignant[closest]:.3f}")
    weights = explanation.as_list(label=malignant)
    expect(len(weights) == k, f"the explanation has {len(weights)} features, section 2 uses {k}")
    score, first = float(explanation.score), float(reference.score)
    expect(score < first / 4, f"the local R^2 is {score:.3f} against case #0's {first:.3f}; the "
                              "borderline surrogate should fit far worse")
    return (f"near the boundary the surrogate's R^2 is {score:.3f} (case #0: {first:.3f}): "
            "its weights describe the surrogate, not the forest")


@checker("03.3")
def continuous_lime(compared: object, k: int) -> str:
    """By default both tumours get nearly the same weights (samples around the training mean);
    sampling around the instance makes their top-K differ."""
    expect(isinstance(compared, dict) and set(compared) == set(SAMPLINGS),
           f"compared should map {list(SAMPLINGS)} to (case #0's weights, the borderline's)")
    pairs = {}
    for sampling in SAMPLINGS:
        first, border = (expect_array(f"compared[{sampling!r}][{i}]", w)
                         for i, w in enumerate(compared[sampling]))
        expect(first.ndim == 1 and first.shape == border.shape and first.size > k,
               f"compared[{sampling!r}] should hold two vectors of all d weights (as_vector)")
        pairs[sampling] = first, border
    first, border = pairs["default"]
    gap = float(np.max(np.abs(first - border)))
    expect(top_features(first, k) == top_features(border, k) and gap < 0.01,
           f"by default the two tumours' weights differ by up to {gap:.4f}; without "
           "discretization lime samples around the training mean, so they should nearly agree")
    first, border = pairs["around the instance"]
    expect(top_features(first, k) != top_features(border, k),
           "sampled around each instance the two tumours still share their top features: did "
           "you explain the same tumour twice, or forget sample_around_instance=True?")
    return (f"by default the two tumours differ by at most {gap:.4f} per weight (one global "
            "fit around the training mean); sampled around each instance their top features "
            "differ")
