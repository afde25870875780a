"""Checkers for notebook 13 (explaining generation: alignment, ablation, contrast)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils.exercises import checker, expect, expect_array, expect_close

GRADES = ("top-1 accuracy", "AER", "both sources")
DOG, VERB_TOKEN, FOIL = "the small dog jumps", 4, "sieste"
JUMPS, FAIT_ROW = 3, 3  # "jumps" is the fourth source word, "fait" the fourth target token


@checker("13.1")
def slot_baseline(slot_scores: dict, scores: dict, matrix: Callable, bundle: object,
                  sentences: object) -> str:
    """The slot-averaged ablation gives one (T, S) matrix per sentence and, graded on EVAL,
    more "both sources" hits and a lower AER than the <unk> baseline."""
    expect(set(slot_scores) == set(GRADES),
           f"slot_scores should have the grades {', '.join(GRADES)} (score_alignment's output)")
    for grade in GRADES:
        value = float(slot_scores[grade])
        expect(0 <= value <= 1, f"slot_scores[{grade!r}] is {value:.3g}; grades lie in [0, 1]")
    source, target = sentences["source"][0], sentences["target"][0]
    first = expect_array("your matrix on the first graded sentence",
                         matrix(bundle, source, target))
    words = len(source.split())
    expect(first.ndim == 2 and first.shape[1] == words,
           f"your matrix on {source!r} has shape {first.shape}; it needs one column per source "
           f"word ({words})")
    unk = scores["ablation", "toy-gpt2"]
    expect(slot_scores["both sources"] > unk["both sources"],
           f"'both sources' is {slot_scores['both sources']:.3f}, with <unk> "
           f"{unk['both sources']:.3f}: averaging over a slot's other words should raise it")
    expect(slot_scores["AER"] < unk["AER"], f"the AER is {slot_scores['AER']:.3f}, with <unk> "
                                            f"{unk['AER']:.3f}; it should fall")
    return (f"real alternatives raise 'both sources' from {unk['both sources']:.3f} to "
            f"{slot_scores['both sources']:.3f} and lower the AER from {unk['AER']:.3f} to "
            f"{slot_scores['AER']:.3f}")


@checker("13.2")
def fait_saut(dog_contrasts: dict, dog_plain: dict, marian: object, gpt2: object,
              contrastive: Callable, ablation: Callable) -> str:
    """For each model the contrast of saut against sieste (target position 4) puts nearly all
    credit on "jumps", and the plain ablation of fait is the fourth row of the ablation."""
    lines = []
    for bundle in (marian, gpt2):
        expect(bundle.name in dog_contrasts and bundle.name in dog_plain,
               f"dog_contrasts and dog_plain should have an entry for {bundle.name}")
        target = bundle.translate([DOG])[0]
        mine = expect_array(f"the {bundle.name} contrast", dog_contrasts[bundle.name], (4,))
        expect_close(f"the {bundle.name} contrast", mine,
                     contrastive(bundle, DOG, target, VERB_TOKEN, FOIL),
                     "contrastive_matrix at target position 4 (the second verb token) against "
                     "the foil 'sieste'", atol=1e-6, rtol=1e-4)
        expect(int(np.argmax(mine)) == JUMPS, f"the {bundle.name} contrast puts most credit on "
                                              f"word {int(np.argmax(mine))}, not 'jumps'")
        others = float(np.abs(np.delete(mine, JUMPS)).max())
        expect(others < 0.1 * mine[JUMPS], f"the {bundle.name} contrast gives the other words up "
                                           f"to {others:.3f} against {mine[JUMPS]:.3f} for "
                                           "'jumps'")
        expect_close(f"the {bundle.name} plain ablation of fait", dog_plain[bundle.name],
                     ablation(bundle, DOG, target)[FAIT_ROW],
                     "row 3 of ablation_matrix (fait is the target's fourth token)", atol=1e-6,
                     rtol=1e-4)
        lines.append(f"{bundle.name} {mine[JUMPS]:.3f}")
    return ("against 'sieste' the credit goes to 'jumps' (" + ", ".join(lines) + "), the other "
            "words stay near zero; the plain ablation of fait cannot say which verb")
