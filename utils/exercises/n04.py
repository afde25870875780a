"""Checkers for notebook 04 (Shapley values and SHAP)."""

from __future__ import annotations

from itertools import permutations

import numpy as np

from utils.exercises import checker, expect, expect_array, expect_close, expect_sums_to

SINGER, DANCER = 2, 3


def shapley_by_orders(game: np.ndarray) -> np.ndarray:
    """Exact Shapley values as the mean marginal contribution over every arrival order."""
    n_players = int(np.log2(len(game)))
    phi = np.zeros(n_players)
    orders = list(permutations(range(n_players)))
    for order in orders:
        code = 0
        for player in order:
            phi[player] += game[code | 1 << player] - game[code]
            code |= 1 << player
    return phi / len(orders)


@checker("04.1")
def dancer_joins(game: object, phi: object, leave_one_out: object, band: object) -> str:
    """The four-player game extends the band's, the values are its Shapley values (efficiency
    included), and leave-one-out is v(N) - v(N without i)."""
    game = expect_array("game", game, (16,))
    band = expect_array("band", band, (8,))
    expect_close("game without the dancer (codes 0-7)", game[:8], band, "the band's payoffs")
    bonus = game[8:] - band
    singer_present = (np.arange(8) & 1 << SINGER) > 0
    expect_close("the dancer's bonus where the singer plays", bonus[singer_present],
                 np.full(4, 40.0), "40 euros")
    expect_close("the dancer's bonus without the singer", bonus[~singer_present], np.zeros(4),
                 "0 euros")
    phi = expect_array("phi", phi, (4,))
    expect_sums_to("Shapley values", phi, game[-1] - game[0], "v(N) - v(empty)")
    expect_close("phi", phi, shapley_by_orders(game), "the Shapley values of your game")
    leave_one_out = expect_array("leave_one_out", leave_one_out, (4,))
    expect_close("leave_one_out", leave_one_out,
                 [game[-1] - game[15 & ~(1 << i)] for i in range(4)], "v(N) - v(N without i)")
    return (f"efficiency holds (sum {phi.sum():.1f}); the dancer and the singer share their "
            f"40 euros, {phi[DANCER]:.0f} to the dancer; leave-one-out sums to "
            f"{leave_one_out.sum():.1f}, counting the joint 40 twice")


@checker("04.2")
def hidden_selection(phi_default: object, phi_no_l1: object, exact: object,
                     total: float) -> str:
    """Both Kernel SHAP runs are efficient; the default keeps at most 10 features and is
    further from the closed form w_i (x_i - x'_i) than the run without selection."""
    exact = expect_array("exact", exact)
    phi_default = expect_array("phi_default", phi_default, exact.shape)
    phi_no_l1 = expect_array("phi_no_l1", phi_no_l1, exact.shape)
    expect_sums_to("default values", phi_default, float(total), "f(x) - base value", atol=1e-4)
    expect_sums_to("l1_reg=False values", phi_no_l1, float(total), "f(x) - base value",
                   atol=1e-4)
    expect_sums_to("exact values", exact, float(total), "f(x) - base value (check x' is the "
                   "mean of the background rows and w the raw-feature coefficient)", atol=1e-4)
    kept = np.count_nonzero(phi_default)
    expect(kept <= 10, f"the default run has {kept} non-zero values; its LARS selection keeps "
                       "at most 10 (did you pass l1_reg=False to both?)")
    error_default = np.linalg.norm(phi_default - exact)
    error_no_l1 = np.linalg.norm(phi_no_l1 - exact)
    expect(error_no_l1 < error_default,
           f"the l1_reg=False run is {error_no_l1:.4f} from the exact values, the default "
           f"{error_default:.4f}: seed numpy before each call and use nsamples=500")
    return (f"the default keeps {kept} of {exact.size} features and is {error_default:.3f} from "
            f"the closed form, l1_reg=False {error_no_l1:.3f}")


@checker("04.3")
def retrained_game(phi_retrain: object, phi_linear: object, retrained: object,
                   features: object) -> str:
    """The retraining game starts at the mean target and ends at the full fit; its Shapley
    values and the interventional ones share that total and differ most on s1 or s2."""
    features = list(features)
    retrained = expect_array("retrained", retrained, (2 ** len(features),))
    phi_retrain = expect_array("phi_retrain", phi_retrain, (len(features),))
    phi_linear = expect_array("phi_linear", phi_linear, (len(features),))
    expect_sums_to("retrain Shapley values", phi_retrain, retrained[-1] - retrained[0],
                   "v(N) - v(empty) of the retraining game", atol=1e-6)
    expect_sums_to("interventional values", phi_linear, phi_retrain.sum(),
                   "the retraining game's total (both run from the training mean to the full "
                   "model's prediction)", atol=1e-6)
    largest = features[int(np.argmax(np.abs(phi_retrain - phi_linear)))]
    expect(largest in ("s1", "s2"), f"the largest difference is on {largest}; expected one of "
                                    "the correlated pair s1, s2")
    return f"both games total {phi_linear.sum():.3f}; they split it differently, most on {largest}"
