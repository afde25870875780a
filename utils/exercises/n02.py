"""Checkers for notebook 02 (ICE, partial dependence and ALE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from utils.exercises import checker, expect, expect_array, expect_close

NOISES = (0.02, 0.05, 0.2, 0.5)


def pd_surface(predict: object, X: pd.DataFrame, grids: dict[str, np.ndarray]) -> np.ndarray:
    """The partial dependence of ``predict`` on the features of ``grids``, one value per
    combination of their grid values (the mean over the rows of X)."""
    mesh = np.meshgrid(*grids.values(), indexing="ij")
    batch = X.loc[X.index.repeat(mesh[0].size)].reset_index(drop=True)
    for name, values in zip(grids, mesh, strict=True):
        batch[name] = np.tile(values.ravel(), len(X))
    return np.asarray(predict(batch)).reshape(len(X), *mesh[0].shape).mean(axis=0)


def data_centred(curve: np.ndarray, counts: np.ndarray) -> float:
    """The data-weighted mean of a curve given at bin edges (0 for a centred curve)."""
    return float(np.sum((curve[:-1] + curve[1:]) / 2 * counts) / counts.sum())


@checker("02.1")
def classifier_ice(ice: object, grid: object, model: object, data: object, feature: str) -> str:
    """The grid spans the 5th-95th percentile, each ICE curve is the model's P(benign) along it,
    and P(benign) falls for more than 90% of the patients."""
    X = data.X
    grid = expect_array("grid", grid, (20,))
    expect_close("grid ends", grid[[0, -1]], np.percentile(X[feature], [5, 95]),
                 f"the 5th and 95th percentile of {feature}")
    ice = expect_array("ice", ice, (len(X), len(grid)))
    rows = np.linspace(0, len(X) - 1, 10).astype(int)
    batch = X.iloc[np.repeat(rows, len(grid))].reset_index(drop=True)
    batch[feature] = np.tile(grid, len(rows))
    benign = list(model.classes_).index(1)
    expected = model.predict_proba(batch)[:, benign].reshape(len(rows), len(grid))
    expect_close("ice (ten patients)", ice[rows], expected,
                 "the model's P(benign) = predict_proba[:, 1] along the grid", atol=1e-6)
    falls = float(np.mean(ice[:, -1] < ice[:, 0]))
    expect(falls > 0.9, f"P(benign) falls for {falls:.0%} of the patients; expected most of them")
    return (f"P(benign) falls for {falls:.1%} of the patients, the PD from "
            f"{ice[:, 0].mean():.3f} to {ice[:, -1].mean():.3f}: more concave nuclei, more "
            "malignant")


@checker("02.2")
def interaction_partner(slopes: object, model: object, X: object, x1_grid: object) -> str:
    """Each slope is the PD surface's slope in x1 at the partner's low and high value; x3 flips
    the sign, x2 leaves it flat."""
    expect(isinstance(slopes, dict) and set(slopes) == {"x2", "x3"},
           "slopes should be a dict with keys 'x2' and 'x3', each [slope at low, slope at high]")
    x1_grid = expect_array("x1_grid", x1_grid)
    grids = {"x2": np.percentile(X["x2"], [5, 95]), "x3": np.array([-1.0, 1.0])}
    for partner, grid in grids.items():
        values = expect_array(f"slopes[{partner!r}]", slopes[partner], (2,))
        surface = pd_surface(model.predict, X, {"x1": x1_grid, partner: grid})
        expected = [np.polyfit(x1_grid, surface[:, k], 1)[0] for k in range(2)]
        expect_close(f"slopes[{partner!r}]", values, expected,
                     f"the slopes in x1 of PD(x1, {partner}) at {partner} = {grid[0]:+.2f} and "
                     f"{grid[1]:+.2f}", atol=1e-3, rtol=1e-3)
    low, high = slopes["x3"]
    expect(low < -0.5 < 0.5 < high, f"the x3 slopes are {low:+.3f} and {high:+.3f}; the "
                                    "interaction should flip the slope's sign")
    return (f"at x3 = -1 the slope in x1 is {low:+.2f}, at x3 = +1 {high:+.2f}, while x2 leaves "
            "it near zero: x3 is the partner")


@checker("02.3")
def extrapolation_sweep(sweep: object) -> str:
    """One row per noise level with the data's true correlation; the share of PD queries off
    the data falls as the correlation weakens and PD / ALE is the ratio of the errors."""
    expect(isinstance(sweep, pd.DataFrame), "sweep should be a DataFrame with one row per noise")
    expect_close("sweep's index", sweep.index.to_numpy(dtype=float), NOISES,
                 "the noise levels 0.02, 0.05, 0.2, 0.5")
    missing = {"corr", "outside", "PD RMSE", "ALE RMSE", "PD / ALE"} - set(sweep.columns)
    expect(not missing, f"sweep lacks the columns {sorted(missing)}")
    correlations = []
    for noise in NOISES:
        generator = np.random.default_rng(1)
        x1 = generator.uniform(0, 1, 2000)
        correlations.append(np.corrcoef(x1, x1 + generator.normal(0, noise, 2000))[0, 1])
    expect_close("corr", sweep["corr"].to_numpy(), correlations,
                 "the correlation of correlated_data(2000, noise, seed=1)", atol=1e-9)
    outside = sweep["outside"].to_numpy(dtype=float)
    expect(bool(np.all((outside >= 0) & (outside <= 1))), "outside should be a share in [0, 1]")
    expect(bool(np.all(np.diff(outside) < 0)), f"the shares outside are {np.round(outside, 3)}; "
                                                "they should fall as the noise grows")
    expect_close("PD / ALE", sweep["PD / ALE"].to_numpy(),
                 sweep["PD RMSE"].to_numpy() / sweep["ALE RMSE"].to_numpy(),
                 "PD RMSE / ALE RMSE")
    ratio = sweep["PD / ALE"].to_numpy()
    expect(ratio[0] > 1, f"at noise 0.02 PD / ALE is {ratio[0]:.2f}; the extrapolating PD should "
                         "be the worse of the two")
    return (f"off-support share falls from {outside[0]:.1%} to {outside[-1]:.1%} as the "
            f"correlation weakens from {correlations[0]:.3f} to {correlations[-1]:.3f}; PD / ALE "
            f"goes from {ratio[0]:.1f} to {ratio[-1]:.1f}")


@checker("02.4")
def correlated_real_data(outside: object, ale: object, pd_curve: object, edges: object,
                         counts: object, X: object, model: object) -> str:
    """The off-support share is measured in the standardised (s1, s2) plane, and the PD and the
    ALE are centred on the data at the same edges."""
    pair = X[["s1", "s2"]].to_numpy(dtype=float)
    mean, std = pair.mean(axis=0), pair.std(axis=0)
    low, high = np.percentile(X["s1"], [5, 95])
    queries = np.column_stack([np.tile(np.linspace(low, high, 20), len(X)),
                               np.repeat(pair[:, 1], 20)])
    outside = expect_array("outside", outside, (len(queries),)).astype(bool)
    standardised = (pair - mean) / std
    neighbours = NearestNeighbors(n_neighbors=2).fit(standardised)
    threshold = np.quantile(neighbours.kneighbors(standardised)[0][:, 1], 0.99)
    nearest = neighbours.kneighbors((queries - mean) / std, n_neighbors=1)[0][:, 0]
    expected = float(np.mean(nearest > threshold))
    expect(abs(outside.mean() - expected) < 1e-9,
           f"{outside.mean():.1%} of your queries are outside, {expected:.1%} in the "
           "standardised (s1, s2) plane with the 20-value grid of s1")
    edges = expect_array("edges", edges)
    counts = expect_array("counts", counts, (len(edges) - 1,))
    ale = expect_array("ale", ale, edges.shape)
    pd_curve = expect_array("pd_curve", pd_curve, edges.shape)
    for name, curve in (("ale", ale), ("pd_curve", pd_curve)):
        offset = data_centred(curve, counts)
        expect(abs(offset) < 1e-6, f"{name} averages {offset:.3g} over the data; centre it with "
                                   "centre_on_data so both curves share a baseline")
    raw = pd_surface(model.predict, X, {"s1": edges})
    expect_close("pd_curve", pd_curve, raw - data_centred(raw, counts),
                 "the model's centred PD of s1 at the ALE's edges", atol=1e-6)
    return (f"{expected:.1%} of the PD's queries for s1 lie off the data; PD and ALE span "
            f"{np.ptp(pd_curve):.1f} and {np.ptp(ale):.1f} on a shared baseline")
