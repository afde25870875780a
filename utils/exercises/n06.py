"""Checkers for notebook 06 (Grad-CAM: moved objects, a random classifier, noise, Score-CAM)."""

from __future__ import annotations

import numpy as np
import torch

from utils.evaluation import mass_share, rank_correlation
from utils.exercises import Wrong, checker, expect, expect_array, expect_close


def rank_agreement(a: object, b: object) -> float:
    """The course's rank correlation of two maps; a map it refuses is a wrong answer here."""
    try:
        return rank_correlation(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    except ValueError as err:
        raise Wrong(str(err)) from None


@checker("06.1")
def swap_the_halves(maps: object, masks: object, image: object, original: object, scene: object,
                    classes: object, object_of_class: object) -> str:
    """The image and every box are rolled by half the width, and each class's map puts most of
    its mass on its moved object."""
    original = np.asarray(original)
    half = original.shape[1] // 2
    image = expect_array("image", image, original.shape)
    expect(bool(np.array_equal(image, np.roll(original, half, axis=1))),
           "image is not the scene with its halves swapped: np.roll(scene_image, WIDTH // 2, "
           "axis=1)")
    for name, mask in scene.masks.items():
        moved = np.asarray(masks[name])
        expect(bool(np.array_equal(moved, np.roll(mask, half, axis=1))),
               f"the {name} box did not move with its object: roll scene.masks[{name!r}] too")
    maps = expect_array("maps", maps, (len(classes), *original.shape[:2]))
    shares = {}
    for heat, c in zip(maps, classes, strict=True):
        name = object_of_class[c]
        shares[name] = mass_share(heat, np.asarray(masks[name]))
        expect(shares[name] > 0.5, f"the map for class {c} puts {shares[name]:.2f} of its mass "
                                   f"on the moved {name}; expected more than half")
    return (f"the maps follow the objects (mass share {shares}): the evidence is tied to what "
            "is in a region, not where")


@checker("06.2")
def randomise_the_classifier(broken: object, model: object, broken_maps: object, ours: object,
                             pair: object) -> str:
    """Only _fc is redrawn (same spread, zero bias) in a copy of the model, and the broken
    model's maps no longer rank the pixels like the trained model's."""
    expect(broken is not model, "broken is the trained model itself: copy.deepcopy it first")
    trained, redrawn = model.state_dict(), broken.state_dict()
    weight, new_weight = trained["_fc.weight"], redrawn["_fc.weight"].to(trained["_fc.weight"])
    expect(not torch.equal(weight, new_weight), "_fc.weight is unchanged")
    spread, new_spread = float(weight.std()), float(new_weight.std())
    expect(abs(new_spread / spread - 1) < 0.1, f"the new _fc.weight has standard deviation "
                                               f"{new_spread:.4f}, the trained one {spread:.4f}: "
                                               "scale torch.randn by the trained std")
    expect(bool((redrawn["_fc.bias"] == 0).all()), "the _fc bias is not zero")
    changed = [k for k in trained if not k.startswith("_fc.")
               and not torch.equal(trained[k], redrawn[k].to(trained[k].device))]
    expect(not changed, f"broken also differs in {changed[:3]}; redraw only the last layer _fc")
    broken_maps = expect_array("broken_maps", broken_maps)
    rhos = [rank_agreement(broken_maps[n], np.asarray(ours)[pair[n]]) for n in range(len(pair))]
    expect(max(rhos) < 0.5, f"the broken maps correlate {np.round(rhos, 2)} with the trained "
                            "ones; a map that explains the model must change")
    return (f"with a random classifier the maps' rank correlations with the trained ones drop "
            f"to {np.round(rhos, 2).tolist()}: Grad-CAM passes the randomisation test")


@checker("06.3")
def a_little_noise(same_top1: bool, noise: object, noisy_cams: object, noisy_gradient: object,
                   clean_gradient: object, ours: object, pair: object) -> str:
    """The noise has standard deviation 0.05 and keeps the top-1, the gradient maps are
    magnitudes, and Grad-CAM's maps stay closer to the clean ones than the gradient's."""
    spread = float(expect_array("noise", noise).std())
    expect(abs(spread - 0.05) < 0.005, f"the noise has standard deviation {spread:.3f}, the "
                                       "exercise asks for 0.05 (input units)")
    expect(bool(same_top1), "the noise changed the top-1 class; the comparison needs a "
                            "perturbation that leaves the prediction alone")
    noisy_gradient = expect_array("noisy_gradient", noisy_gradient)
    clean_gradient = expect_array("clean_gradient", clean_gradient, noisy_gradient.shape)
    expect(bool((noisy_gradient >= 0).all()), "noisy_gradient has negative values: take "
                                              "|gradient| summed over the colours")
    noisy_cams = expect_array("noisy_cams", noisy_cams)
    for n in range(len(pair)):
        rho_cam = rank_agreement(noisy_cams[n], np.asarray(ours)[pair[n]])
        rho_grad = rank_agreement(noisy_gradient[n], clean_gradient[n])
        expect(rho_cam > rho_grad, f"for class {n + 1} of the pair Grad-CAM keeps {rho_cam:.2f}, "
                                   f"the gradient {rho_grad:.2f}; Grad-CAM should be steadier")
    return (f"noise of std {spread:.3f} keeps the prediction; Grad-CAM's maps keep their ranks "
            "better than the pixel gradient's")


@checker("06.4")
def score_cam_from_scratch(score_cam: object, library: object, masks: object,
                           area: object) -> str:
    """The maps are normalised to [0, 1], equal pytorch-grad-cam's ScoreCAM, and put more than
    three times the watermark's area share of their mass on it."""
    library = expect_array("library", library)
    score_cam = expect_array("score_cam", score_cam, library.shape)
    expect(score_cam.min() >= -1e-6 and score_cam.max() <= 1 + 1e-6,
           f"score_cam spans {score_cam.min():.3g} to {score_cam.max():.3g}; normalise each "
           "map with min_max")
    expect_close("score_cam", score_cam, library, "pytorch-grad-cam's ScoreCAM maps", atol=1e-4,
                 rtol=0)
    masks = np.asarray(masks)
    chance = float(np.asarray(area)[:len(score_cam)].mean())
    share = float(np.mean([mass_share(h, m) for h, m in zip(score_cam, masks, strict=True)]))
    expect(share > 3 * chance, f"Score-CAM puts {share:.3f} of its mass on the watermark, "
                               f"chance is {chance:.3f}")
    return (f"Score-CAM from scratch equals the library and puts {share:.3f} of its mass on the "
            f"watermark (chance {chance:.3f}) without a single gradient")
