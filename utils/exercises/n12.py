"""Checkers for notebook 12 (attacks on explanations: scaffolding and map manipulation)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from utils.exercises import checker, expect, expect_array, expect_close

PRICES = ("2% of calibration rows to psi", "10% of calibration rows to psi",
          "20% of calibration rows to psi")


@checker("12.1")
def real_background_attacker(adaptive_fidelity: float, adaptive_caught: float,
                             adaptive_top: object, scaffold: Callable, biased_model: Callable,
                             x_audit: object, sex: int) -> str:
    """The new scaffold still imitates the biased model on the audit rows, but misses the
    audit's real-background hybrids, so sex stays the top feature for most rows."""
    fidelity = float(np.mean(scaffold(x_audit) == biased_model(x_audit)))
    expect_close("adaptive_fidelity", adaptive_fidelity, fidelity,
                 "the share of audit rows where the scaffold and the biased model agree")
    expect(fidelity >= 0.99, f"the scaffold agrees with the biased model on {fidelity:.2%} of the "
                             "audit rows; tau at the 0.2 % quantile keeps it at 99 % or more")
    caught = float(adaptive_caught)
    expect(0 <= caught <= 1, f"adaptive_caught is {caught:.3g}; it is a share of hybrids")
    expect(caught < 0.5, f"your scaffold catches {caught:.1%} of the real-background hybrids; "
                         "caught = 1 - the share judged real (is it inverted?)")
    top = np.asarray(adaptive_top, dtype=int)
    expect(top.ndim == 1 and top.size > 0, "adaptive_top should hold one feature index per row")
    share = float(np.mean(top == sex))
    expect(share >= 0.5, f"sex is on top for {share:.0%} of the rows; with a real background "
                         "the bias should still show (argmax of |phi| per row)")
    return (f"the scaffold keeps {fidelity:.2%} fidelity but catches only {caught:.1%} of the "
            f"hybrids, and sex is on top for {share:.0%} of the {top.size} rows")


@checker("12.2")
def relu_fine_tuning(relu_agreement: float, relu_share: float, model: object,
                     gradient_maps: Callable, target_share: Callable, images: object,
                     classes: object, softplus_share: object, softplus_agreement: float) -> str:
    """The ReLU run's agreement and corner share are measured on its own maps, and softplus
    moves the map further in the same steps."""
    maps, logits = gradient_maps(model, images, classes)
    agreement = float((logits.argmax(dim=1) == classes).float().mean().item())
    share = float(target_share(maps.detach()).mean().item())
    expect_close("relu_agreement", relu_agreement, agreement,
                 "the share of test images where the ReLU model predicts the original's class")
    expect_close("relu_share", relu_share, share,
                 "the mean corner share of the ReLU model's gradient maps", atol=1e-6)
    softplus = float(expect_array("softplus_share", softplus_share).mean())
    expect(share < softplus, f"the ReLU run's corner share is {share:.3f}, the softplus run's "
                             f"{softplus:.3f}; with ReLU the map should move less (is model "
                             "the ReLU run?)")
    return (f"with ReLU the corner share reaches {share:.3f} at {agreement:.1%} agreement, "
            f"softplus {softplus:.3f} at {float(softplus_agreement):.1%}")


@checker("12.3")
def flip_test_attacker(wary_checks: object, flip_rate: float, rate_gap: float,
                       fidelity: float) -> str:
    """A higher price lowers the flip rate, never below one half, while the group-rate gap
    stays above 0.8 and the fidelity falls."""
    expect(isinstance(wary_checks, pd.DataFrame) and list(wary_checks.columns) == list(PRICES)
           and {"flip rate", "group-rate gap", "fidelity"} <= set(wary_checks.index),
           "wary_checks should have the rows 'flip rate', 'group-rate gap', 'fidelity' and one "
           f"column per price: {', '.join(PRICES)}")
    flips = wary_checks.loc["flip rate"].to_numpy(dtype=float)
    gaps = wary_checks.loc["group-rate gap"].to_numpy(dtype=float)
    fidelities = wary_checks.loc["fidelity"].to_numpy(dtype=float)
    for name, values in (("flip rate", flips), ("fidelity", fidelities)):
        expect(bool(((values >= 0) & (values <= 1)).all()),
               f"the {name}s {np.round(values, 3).tolist()} should be shares between 0 and 1")
    expect(bool((gaps > 0).all()), f"the group-rate gaps are {np.round(gaps, 3).tolist()}; the "
                                   "gap is the men's rate minus the women's")
    expect(bool((np.diff(flips) < 0).all()),
           f"the flip rates {np.round(flips, 3).tolist()} should fall as the price rises (tau = "
           "the price's quantile of the calibration realness)")
    expect(flips[0] < flip_rate, f"at 2 % the flip rate is {flips[0]:.3f}, without the third "
                                 f"detector {flip_rate:.3f}; the third detector should lower it")
    expect(flips.min() > 0.5 and gaps.min() > 0.8,
           f"the lowest flip rate is {flips.min():.3f} and the lowest gap {gaps.min():.3f}; "
           "the flip test and the group rates should still catch the bias")
    expect(bool((np.diff(fidelities) <= 0).all()) and fidelities[-1] < fidelity,
           f"the fidelities {np.round(fidelities, 3).tolist()} should fall with the price, from "
           f"{fidelity:.3f} without the third detector")
    return (f"the flip rate falls from {flip_rate:.3f} to {flips[0]:.3f} at 2 % and "
            f"{flips[-1]:.3f} at 20 %, while the gap stays at {gaps.min():.3f} or more and the "
            f"fidelity drops to {fidelities[-1]:.3f}")
