"""Checkers for notebook 05 (gradient methods: IG baselines, guided backprop, FGSM)."""

from __future__ import annotations

import numpy as np
import torch

from utils.exercises import checker, expect, expect_array

BASELINES = ("black", "blurred")
EPSILONS = (0.25, 0.5, 1, 2, 4)  # in grey levels (pixel units of 1/255)
SCRAMBLED = ("features.conv3.weight", "classifier.weight")


@checker("05.1")
def dark_uniform(shares: object, dark: object, photo: object) -> str:
    """The dark mask is max over channels < 60, each share is a fraction of sum |IG|, and the
    blurred baseline credits the dark pixels more than the black one."""
    expected = np.asarray(photo).max(axis=2) < 60
    mask = expect_array("dark", dark, expected.shape).astype(bool)
    expect(bool(np.array_equal(mask, expected)),
           f"dark marks {mask.mean():.1%} of the pixels, np.asarray(photo).max(axis=2) < 60 "
           f"marks {expected.mean():.1%}")
    expect(isinstance(shares, dict) and set(BASELINES) <= set(shares),
           f"shares should map {list(BASELINES)} to the share of |IG| on dark pixels")
    for name in BASELINES:
        value = float(shares[name])
        expect(0 <= value <= 1, f"the {name} share is {value:.3f}; a share of sum |phi| lies in "
                                "[0, 1] (take .abs() before summing)")
    black, blurred = float(shares["black"]), float(shares["blurred"])
    expect(blurred > black, f"the black baseline's share is {black:.1%}, the blurred one's "
                            f"{blurred:.1%}; x - x' is small on dark pixels only for black")
    return (f"the dark pixels ({expected.mean():.1%} of the image) get {black:.1%} of |IG| with "
            f"the black baseline and {blurred:.1%} with the blurred one: x - x' caps the credit")


@checker("05.2")
def break_guided_backprop(randomisation: object, original: object, scrambled: object) -> str:
    """Only the last convolution's and the classifier's weights are redrawn (from N(0, 0.1^2)),
    the trained network is untouched, and guided backprop's maps change less than gradients'."""
    expect(scrambled is not original, "scrambled is small_cnn itself: copy it with "
                                      "copy.deepcopy before redrawing its weights")
    before = dict(original.named_parameters())
    after = dict(scrambled.named_parameters())
    expect(set(before) == set(after), "scrambled does not have small_cnn's layers")
    for name in SCRAMBLED:
        expect(not torch.equal(before[name], after[name]),
               f"{name} is unchanged: redraw it with .normal_(0, 0.1)")
        spread = float(after[name].std())
        expect(abs(spread - 0.1) < 0.03, f"{name} has standard deviation {spread:.3f}; "
                                         "normal_(0, 0.1) gives 0.1")
    changed = [n for n in before if n not in SCRAMBLED and not torch.equal(before[n], after[n])]
    expect(not changed, f"scrambled also changes {changed[:3]}; redraw only the weights of "
                        "features.conv3 and classifier")
    expect(isinstance(randomisation, dict) and {"gradient", "guided backprop"} <= set(
        randomisation), "randomisation should map 'gradient' and 'guided backprop' to their "
                        "mean rank correlation")
    gradient, guided = float(randomisation["gradient"]), float(randomisation["guided backprop"])
    for name, value in (("gradient", gradient), ("guided backprop", guided)):
        expect(-1 <= value <= 1, f"the {name} value {value:.3f} is not a rank correlation")
    expect(guided > gradient, f"guided backprop's maps correlate {guided:.2f} with the trained "
                              f"ones, the gradient's {gradient:.2f}; guided should move less")
    return (f"after scrambling the top, gradient maps correlate {gradient:.2f} with the trained "
            f"ones and guided backprop {guided:.2f}: guided backprop barely notices")


@checker("05.3")
def smallest_attack(smallest: object, model: object, inputs: object, step: object,
                    targets: object, photos: object) -> str:
    """Each reported epsilon flips that photo's top-1 and the next smaller one does not; a
    photo left out resists even 4/255."""
    photos = list(photos)
    expect(isinstance(smallest, dict) and set(smallest) <= set(photos),
           f"smallest should map photo names from {photos} to an epsilon in grey levels")
    strays = {k: v for k, v in smallest.items() if v not in EPSILONS}
    expect(not strays, f"{strays} are not among the epsilons {EPSILONS} (in grey levels, x/255)")
    probes = []  # (photo index, epsilon, whether it should change the top-1)
    for i, name in enumerate(photos):
        if name in smallest:
            position = EPSILONS.index(smallest[name])
            probes.append((i, smallest[name], True))
            if position > 0:
                probes.append((i, EPSILONS[position - 1], False))
        else:
            probes.append((i, EPSILONS[-1], False))
    rows, sizes, expect_moved = zip(*probes, strict=True)
    index = torch.as_tensor(list(rows), device=inputs.device)
    eps = torch.as_tensor(list(sizes), dtype=inputs.dtype, device=inputs.device).view(-1, 1, 1, 1)
    with torch.no_grad():
        predicted = model((inputs[index] + 2 * eps / 255 * step[index]).clamp(-1, 1)).argmax(1)
    moved = (predicted != targets[index]).cpu().numpy()
    for row, size, wanted, did in zip(rows, sizes, expect_moved, moved, strict=True):
        expect(bool(did) == wanted,
               f"{photos[row]}: epsilon {size}/255 {'changes' if did else 'keeps'} the top-1, "
               f"so its smallest flipping epsilon is "
               f"{'not ' + str(smallest.get(photos[row])) if did else 'larger'}")
    sturdy = max(photos, key=lambda name: smallest.get(name, 99))
    return (f"smallest flipping epsilons {smallest} (grey levels); {sturdy} resists longest: "
            "confidence is not robustness")
