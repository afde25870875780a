"""Checkers for notebook 07 (sanity checks: ROAR, the deletion canvas, cascading
randomization)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from utils.exercises import checker, expect, expect_array, expect_close

ROAR_METHODS = ("gradient", "Grad-CAM", "random map")
CASCADE = ("classifier", "features.conv3", "features.conv2", "features.conv1")
LEVELS = ("classifier", "conv3", "conv2", "conv1")


@checker("07.1")
def small_roar(roar: object, train: object, test: object, degrade: object) -> str:
    """Separate 512/256 splits, a degrade that greys the top 5% of pixels, accuracies on the
    256 degraded test images, and the random map's removal hurting least."""
    expect(len(train.images) == 512 and len(test.images) == 256,
           f"the splits have {len(train.images)} and {len(test.images)} images, the exercise "
           "asks for 512 and 256")
    expect(not np.array_equal(train.images[:8], test.images[:8]),
           "the test images repeat the training images: make them with seed 1")
    sample = np.asarray(test.images[:4])
    degraded = np.asarray(degrade(sample, "gradient"))
    expect(degraded.shape == sample.shape, f"degrade returns shape {degraded.shape}, the images "
                                           f"have {sample.shape}")
    pixels = sample.shape[-2] * sample.shape[-1]
    wanted = round(0.05 * pixels)
    grey = np.all(degraded == 0.5, axis=1).reshape(len(sample), -1).sum(axis=1)
    changed = np.any(degraded != sample, axis=1).reshape(len(sample), -1).sum(axis=1)
    expect(bool(np.all(changed <= wanted) and np.all(grey >= wanted)),
           f"degrade greys {grey.min()}-{grey.max()} pixels per image (all three channels at 0.5) "
           f"and changes {changed.max()} at most; the top 5% is {wanted} of {pixels}")
    expect(isinstance(roar, dict) and set(roar) == set(ROAR_METHODS),
           f"roar should map {list(ROAR_METHODS)} to a test accuracy")
    for method, value in roar.items():
        correct = float(value) * len(test.images)
        expect(0 <= value <= 1 and abs(correct - round(correct)) < 1e-6,
               f"{method}'s accuracy {float(value):.4f} is not a share of the 256 test images")
    expect(roar["random map"] > max(roar["gradient"], roar["Grad-CAM"]),
           f"the random map's removal leaves {roar['random map']:.2f}, the gradient's "
           f"{roar['gradient']:.2f}, Grad-CAM's {roar['Grad-CAM']:.2f}; the maps that found the "
           "watermark should hurt the retrained model more")
    return (f"after retraining, random removal leaves {roar['random map']:.2f} accuracy, the "
            f"gradient's {roar['gradient']:.2f} and Grad-CAM's {roar['Grad-CAM']:.2f}: their "
            "top pixels carried the watermark")


@checker("07.2")
def blurred_canvas(table: object, blur_auc: object, faithfulness: object) -> str:
    """The grey column is chelsea's deletion AUC from section 4, the blurred one the new AUCs,
    both ranked, and at least one method changes rank."""
    expect(isinstance(table, pd.DataFrame), "table should be a DataFrame indexed by method")
    columns = ["grey canvas", "blurred canvas", "rank (grey)", "rank (blurred)"]
    missing = [c for c in columns if c not in table.columns]
    expect(not missing, f"table lacks the columns {missing}")
    chelsea = faithfulness[faithfulness["photo"] == "chelsea"].set_index("method")["deletion AUC"]
    expect_close("the grey canvas column", table["grey canvas"].reindex(chelsea.index), chelsea,
                 "chelsea's deletion AUC in the faithfulness table")
    blurred = pd.Series(blur_auc, dtype=float)
    expect(set(blurred.index) == set(table.index), "blur_auc should have one AUC per method")
    expect_close("the blurred canvas column", table["blurred canvas"].reindex(blurred.index),
                 blurred, "blur_auc")
    expect(bool(((blurred >= 0) & (blurred <= 1)).all()),
           "a deletion AUC of probabilities over fractions 0..1 lies in [0, 1]")
    for name, source in (("rank (grey)", "grey canvas"), ("rank (blurred)", "blurred canvas")):
        expect_close(f"the {name} column", table[name], table[source].rank(),
                     f"the ranks of {source} (1 = smallest AUC, the best deletion)")
    moved = list(table.index[table["rank (grey)"] != table["rank (blurred)"]])
    expect(bool(moved), "no method changes rank between the canvases")
    return (f"with a blurred canvas {len(moved)} methods change rank ({', '.join(moved[:3])}"
            f"{', ...' if len(moved) > 3 else ''}): a deletion score depends on its canvas")


@checker("07.3")
def plain_relu_cascade(cascade: object, randomized: object, images: object) -> str:
    """The cascade randomizes classifier, conv3, conv2, conv1 cumulatively; guided backprop
    survives the random classifier but not random convolutions, and some Grad-CAM maps vanish."""
    expect(list(randomized) == list(CASCADE),
           f"after the loop the randomized modules are {list(randomized)}; a cascade adds one "
           f"layer per level, ending with all of {list(CASCADE)}")
    expect(isinstance(cascade, pd.DataFrame) and list(cascade.columns) == list(LEVELS),
           f"cascade should be a DataFrame with the levels {list(LEVELS)} as columns")
    rows = ["guided backprop", "Grad-CAM", "guided backprop: all-zero maps",
            "Grad-CAM: all-zero maps"]
    missing = [r for r in rows if r not in cascade.index]
    expect(not missing, f"cascade lacks the rows {missing}")
    for method in ("guided backprop", "Grad-CAM"):
        values = expect_array(method, cascade.loc[method].astype(float).fillna(0.0))
        expect(bool(np.all(np.abs(values) <= 1)), f"{method}'s values are not rank correlations")
        counts = cascade.loc[f"{method}: all-zero maps"].to_numpy(dtype=float)
        expect(bool(np.all((counts >= 0) & (counts <= len(images)))),
               f"{method}'s all-zero counts {counts} should lie between 0 and {len(images)}")
    gb = cascade.loc["guided backprop"].astype(float)
    expect(gb["classifier"] > 0.5 > gb["conv1"],
           f"guided backprop correlates {gb['classifier']:.2f} after the classifier and "
           f"{gb['conv1']:.2f} after conv1; expected above and below 0.5")
    vanished = int(cascade.loc["Grad-CAM: all-zero maps", "classifier"])
    expect(vanished > 0, "no Grad-CAM map vanishes with a random classifier; its channel "
                         "weights are the classifier's, so some should turn all-zero")
    return (f"with plain ReLUs guided backprop keeps {gb['classifier']:.2f} after a random "
            f"classifier and falls to {gb['conv1']:.2f} by conv1, and {vanished} of "
            f"{len(images)} Grad-CAM maps vanish: ReLU6 is not the cause")
