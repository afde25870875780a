# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · ICE, partial dependence and ALE
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/02_ice_pdp_ale.ipynb)
#
# [Notebook 01](01_feature_importance.ipynb) asked *which* features a model relies on. This one asks
# *how*: when one feature changes, what happens to the prediction? We answer with three
# model-agnostic plots that only call $f$. **ICE** curves follow one instance at a time as a feature
# moves along a grid; **partial dependence (PDP)** is their average; **accumulated local effects
# (ALE)** average small local changes instead. We write each from scratch as a single batched call
# to the model, check ICE and PDP against `sklearn.inspection` to floating-point precision, and then
# break them on purpose: a PDP that is flat although every instance reacts strongly, and a PDP that
# is wrong because it asks the model about inputs that never occur. ALE fixes the second problem,
# and we measure by how much on data whose true effects we know. Last, the classic textbook
# example of ICE curves, Boston housing, where one column's curve turns out to be a formula's
# shape.
#
# **Run time:** about 20–30 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Define ICE curves, the partial dependence function and centred ICE, and compute them with
#   one vectorised model call.
# - Reproduce `sklearn.inspection.partial_dependence` and `PartialDependenceDisplay` exactly,
#   including centred ICE and a two-feature PDP.
# - Recognise when a flat PDP hides strong effects of opposite sign, and reveal them with ICE.
# - Explain why correlated features make a PDP extrapolate, and measure how much of its grid
#   lies outside the data.
# - Write first-order ALE from scratch (quantile bins, local differences, accumulation,
#   centring) and check it on a model whose answer is known in closed form.
# - Choose between ICE, PDP and ALE for a given question, and state what each can and cannot
#   tell you.
# - Read an ICE curve through the transform that built its feature (Boston's `B`).
#
# ## Prerequisites
#
# - [Notebook 00](00_introduction.ipynb) (notation $f$, $x$; local versus global explanations).
# - Python with NumPy, pandas and matplotlib; scikit-learn's `fit`/`predict`.
# - Regression with tree ensembles (gradient boosting) at the level of "many small trees added
#   together".
# - Conditional and marginal distributions; an expectation as an average over data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup

# %%
# On Colab, fetch the course and install the libraries Colab lacks at the tested versions (the
# "colab" extra; once per runtime), keeping Colab's own torch and numpy; everywhere, seed every
# RNG, fix thread counts and pick a device (on Colab it also prints the versions installed).
# The tests force this branch with XAI_COURSE_COLAB=1 and install from the local copy named by
# XAI_COURSE_CHECKOUT.
import os
import sys

if "google.colab" in sys.modules or os.environ.get("XAI_COURSE_COLAB") == "1":
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    COURSE = os.environ.get("XAI_COURSE_CHECKOUT", "/content/hands-on-xai")
    if not os.path.isdir(COURSE):
        subprocess.run(["git", "clone", "--depth", "1",
                        "https://github.com/xai-course/hands-on-xai", COURSE], check=True)
    try:
        version("xai-course")
    except PackageNotFoundError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{COURSE}[colab]"],
                       check=True)
    sys.path.insert(0, COURSE)

from utils.env import setup_notebook

DEVICE = setup_notebook(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. A model to explain
#
# We use the diabetes table from [notebook 00](00_introduction.ipynb): 442 patients, ten baseline
# measurements (age, sex, body-mass index `bmi`, blood pressure `bp` and six blood serum values
# `s1`–`s6`), and a numeric measure of disease progression one year later. The model is a
# gradient-boosted ensemble of small trees, fitted on 75% of the patients. Its held-out $R^2$ is
# modest, as is usual on this small, noisy table; the explanations below describe *this model*,
# whatever its accuracy.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import train_test_split

from utils.data import boston_b, load_tabular

diabetes = load_tabular("diabetes")
X_train, X_test, y_train, y_test = train_test_split(diabetes.X, diabetes.y, test_size=0.25,
                                                    random_state=0)
model = GradientBoostingRegressor(n_estimators=200, learning_rate=0.05, max_depth=3,
                                  subsample=0.8, random_state=0).fit(X_train, y_train)
print(f"{len(X_train)} training and {len(X_test)} test patients; "
      f"test R^2 = {model.score(X_test, y_test):.3f}")
for column in ("bmi", "s5", "bp"):
    print(f"{column:4s} {diabetes.descriptions[column]}")

# %%
assert model.score(X_test, y_test) > 0.2, "the model has learned something to explain"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. ICE curves and partial dependence
#
# ### Intuition
#
# Take one patient, keep every measurement fixed except `bmi`, slide `bmi` from low to high,
# and record the model's prediction at each value. The resulting curve is that patient's
# **individual conditional expectation (ICE)** curve (Goldstein et al., 2015): a local,
# what-if view of the model around one instance. Draw one curve per patient and average them
# pointwise: the average is Friedman's (2001) **partial dependence**, a global summary of how
# the prediction moves with `bmi`.
#
# ### Math
#
# Split the features into the one we vary, $x_S$, and the rest, $x_C$. For a grid
# $z_1 < \dots < z_G$ of values of $x_S$ and instances $x^{(1)}, \dots, x^{(n)}$ (in this
# notebook the superscript $(i)$ counts *instances*; features are named by $S$ and $C$, not
# by the $i$ of notebook 00):
#
# $$\text{ICE}^{(i)}(z_k) = f\big(z_k, x_C^{(i)}\big), \qquad
#   \text{PD}(z_k) = \frac{1}{n} \sum_{i=1}^{n} f\big(z_k, x_C^{(i)}\big)
#   \;\approx\; \mathbb{E}_{X_C}\big[f(z_k, X_C)\big].$$
#
# The expectation is over the **marginal** distribution of $X_C$: every instance's $x_C$ is
# paired with every grid value, whatever $x_S$ that instance really had. Keep that in mind for
# section 5.
#
# ### From scratch, in one model call
#
# A perturbation method should spend its time inside $f$, not in a Python loop. So we build
# all $n \times G$ modified rows at once: repeat each row $G$ times (`np.repeat`), overwrite
# the feature column with the grid tiled $n$ times (`np.tile`), call `predict` once, and reshape
# to $(n, G)$. The same function handles several features at once by putting the full grid of
# their combinations in each row's block; we reuse that for the two-feature PDP in section 3.
# The function below returns $\text{ICE}^{(i)}(z_k)$ for every instance $i$ and grid value $k$.

# %%
from collections.abc import Callable, Mapping

Predict = Callable[[pd.DataFrame], np.ndarray]


def ice_curves(predict: Predict, X: pd.DataFrame, grids: Mapping[str, np.ndarray]) -> np.ndarray:
    """f at every row of X with the features in `grids` set to every combination of their grid
    values, in one call to `predict`. Shape: (n_rows, len(grid_1), len(grid_2), ...)."""
    mesh = np.meshgrid(*grids.values(), indexing="ij")
    n_points = mesh[0].size
    batch = X.iloc[np.repeat(np.arange(len(X)), n_points)].reset_index(drop=True)
    for name, values in zip(grids, mesh, strict=True):
        batch[name] = np.tile(values.ravel(), len(X))
    return np.asarray(predict(batch)).reshape(len(X), *mesh[0].shape)


# %% [markdown]
# The grid $z_1 < \dots < z_G$: equally spaced over the middle 90% of the training values.

# %%
def feature_grid(X: pd.DataFrame, feature: str, size: int = 30) -> np.ndarray:
    """Equally spaced values between the 5th and 95th percentile (scikit-learn's default range)."""
    low, high = np.percentile(X[feature], [5, 95])
    return np.linspace(low, high, size)


# %% [markdown]
# The ICE curves of `bmi` for all training patients, and their mean, the PD:

# %%
bmi_grid = feature_grid(X_train, "bmi")
ice_bmi = ice_curves(model.predict, X_train, {"bmi": bmi_grid})
pd_bmi = ice_bmi.mean(axis=0)
print(f"ICE array: {ice_bmi.shape} = (patients, grid points), from one predict call on "
      f"{ice_bmi.size} rows")
print(f"PD of bmi goes from {pd_bmi[0]:.1f} to {pd_bmi[-1]:.1f} over bmi "
      f"{bmi_grid[0]:.1f} to {bmi_grid[-1]:.1f}")

# %%
assert pd_bmi[-1] > pd_bmi[0], "a higher bmi predicts more progression"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The library call, and the check
#
# `sklearn.inspection.partial_dependence` computes the same two objects. We hand it our grid
# through `custom_values`, ask for `kind="both"` (the average and the individual curves) and
# force `method="brute"`, which evaluates the model on modified data exactly as we did.
# (For gradient boosting, scikit-learn's default is `method="recursion"`, a faster tree
# traversal that gives the average only, and only for some models.)

# %%
from sklearn.inspection import partial_dependence

sk_bmi = partial_dependence(model, X_train, ["bmi"], custom_values={"bmi": bmi_grid},
                            method="brute", kind="both")
print("grid:      ", np.array_equal(sk_bmi["grid_values"][0], bmi_grid))
print(f"ICE:        max |ours - sklearn| = {np.abs(sk_bmi['individual'][0] - ice_bmi).max():.2e}")
print(f"PD:         max |ours - sklearn| = {np.abs(sk_bmi['average'][0] - pd_bmi).max():.2e}")

# %%
assert np.array_equal(sk_bmi["grid_values"][0], bmi_grid)
assert np.allclose(sk_bmi["individual"][0], ice_bmi), "ICE from scratch equals scikit-learn"
assert np.allclose(sk_bmi["average"][0], pd_bmi), "PD is the mean of the ICE curves"

# %% [markdown]
# Both agree to rounding error. Now the picture: one thin line per patient, the PD in black,
# and a rug of the training patients' actual values along the bottom.

# %% slideshow={"slide_type": "subslide"}
s5_grid = feature_grid(X_train, "s5")
ice_s5 = ice_curves(model.predict, X_train, {"s5": s5_grid})

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
for ax, feature, grid, ice in [(axes[0], "bmi", bmi_grid, ice_bmi),
                               (axes[1], "s5", s5_grid, ice_s5)]:
    ax.plot(grid, ice.T, color="tab:blue", alpha=0.15, linewidth=1)
    ax.plot(grid, ice.mean(axis=0), color="black", linewidth=4, label="PD (mean of ICE)")
    ax.plot(X_train[feature], np.full(len(X_train), ice.min() - 8), "|", color="tab:gray",
            markersize=12, label="training patients")
    ax.set_xlabel(f"{feature}: {diabetes.descriptions[feature]}")
    ax.set_title(f"ICE curves and PD for {feature}")
axes[0].set_ylabel("predicted disease progression")
axes[0].legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Most curves rise with `bmi` and with `s5`, in steps, because a tree ensemble is piecewise
# constant. The curves have similar shapes but are shifted up or down by the patient's other
# measurements. If they were exactly parallel, the PD would be a fair summary of every one of
# them; section 4 shows a case where it summarises none. Whether curves that start at different
# heights are parallel is hard to judge by eye, which is what centring is for.
#
# ### Centred ICE
#
# Parallel curves that start at different heights are hard to compare. **Centred ICE (c-ICE)**
# pins every curve to zero at a reference value, usually the first grid point:
#
# $$\text{c-ICE}^{(i)}(z_k) = f\big(z_k, x_C^{(i)}\big) - f\big(z_1, x_C^{(i)}\big).$$
#
# Each c-ICE curve reads "how much the prediction for this instance changes when $x_S$ moves
# from $z_1$ to $z_k$". Their mean is the PD shifted to start at zero. Fanning c-ICE curves
# signal an interaction of $x_S$ with other features.
#
# `PartialDependenceDisplay.from_estimator` draws ICE and PD with `kind="both"` and centres
# them with `centered=True`. Below, the top row is uncentred and the bottom row centred, for
# three features; `subsample=60` draws 60 randomly chosen ICE curves, while the PD still
# averages all patients. We pass no grid, only `grid_resolution=40`: the display builds its own
# grid (40 points between the 5th and 95th percentile, or the distinct values if there are
# fewer), and we check our code on *that* grid, taken from the display's `pd_results`.

# %% slideshow={"slide_type": "subslide"}
from scipy.spatial.distance import cdist
from sklearn.inspection import PartialDependenceDisplay

features = ["bmi", "s5", "bp"]
fig, axes = plt.subplots(2, 3, figsize=(15, 9), sharey="row")
common = {"kind": "both", "subsample": 60, "random_state": 0, "method": "brute",
          "grid_resolution": 40,
          "ice_lines_kw": {"alpha": 0.3}, "pd_line_kw": {"color": "black", "linewidth": 4}}
raw_display = PartialDependenceDisplay.from_estimator(model, X_train, features, ax=axes[0],
                                                      **common)
centred_display = PartialDependenceDisplay.from_estimator(model, X_train, features, ax=axes[1],
                                                          centered=True, **common)
for ax in axes[0]:
    ax.set_title("ICE + PD")
for ax in axes[1]:
    ax.set_title("centred ICE + centred PD")
fig.suptitle("PartialDependenceDisplay, kind='both' (diabetes, gradient boosting)",
             fontsize="x-large", fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# The check, feature by feature: our ICE curves on the display's grid, centred at the first grid
# point, against the lines the display drew. The display shuffles the ICE lines it draws, so each
# drawn line is matched to its nearest c-ICE curve.

# %%
centred = {}
for k, feature in enumerate(features):
    grid = centred_display.pd_results[k]["grid_values"][0]
    ice = ice_curves(model.predict, X_train, {feature: grid})
    c_ice = ice - ice[:, :1]
    lines = centred_display.lines_.reshape(len(features), -1)[k]  # ICE lines, then the PD
    drawn = np.array([line.get_ydata() for line in lines[:-1]])
    pd_drawn = lines[-1].get_ydata()
    worst_match = cdist(drawn, c_ice).min(axis=1).max()
    centred[feature] = {"ice": ice, "c_ice": c_ice, "pd_drawn": pd_drawn, "worst": worst_match}
    print(f"{feature}: {len(grid)} grid points, {len(drawn)} c-ICE lines drawn; "
          f"worst line-to-curve distance {worst_match:.1e}; "
          f"max |centred PD - ours| {np.abs(pd_drawn - c_ice.mean(axis=0)).max():.1e}")
    print(f"     all {len(c_ice)} patients: {np.mean(c_ice[:, -1] > 0):.0%} of c-ICE curves end "
          f"above zero; end values from {c_ice[:, -1].min():.1f} to {c_ice[:, -1].max():.1f}")

# %%
for k, (feature, result) in enumerate(centred.items()):
    c_ice = result["c_ice"]
    assert np.allclose(raw_display.pd_results[k]["individual"][0], result["ice"])
    assert result["worst"] < 1e-8, "every drawn c-ICE line is one of ours"
    assert np.allclose(result["pd_drawn"], c_ice.mean(axis=0)), "centred PD = mean of c-ICE"
    assert np.allclose(c_ice[:, 0], 0.0), "c-ICE curves start at zero"
    assert np.mean(c_ice[:, -1] > 0) > 0.9, f"nearly every c-ICE curve of {feature} ends above 0"

# %% [markdown]
# Every line the display drew is one of our c-ICE curves, and its centred PD is the mean of all of
# them, as the printout and asserts confirm. The bottom row is easier to read than the top. For all
# three features nearly every centred curve ends above zero (the printed share; more than 90%,
# asserted), but the curves end at quite different heights (the printed range): the patients mostly
# agree on the *direction* of the effect, not on its size. Were the model additive in the feature,
# all centred curves would coincide; their spread is the model's interactions with the other
# features. The steps are where the trees split, and the hatch marks on the x-axis are the deciles
# of the feature in the data.
#
# > **Pitfall.** An ICE or PD curve is a statement about the *model*, not about the patients.
# > "Raising this patient's BMI raises the prediction" does not mean "raising BMI worsens the
# > disease": the model learned associations, and moving one measurement while holding the
# > others fixed may describe no real patient at all. A causal reading needs causal
# > assumptions (Zhao & Hastie, 2021).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Two features at once
#
# A two-feature PD varies $x_S = (x_a, x_b)$ jointly over a grid of pairs and averages over the
# remaining features:
#
# $$\text{PD}(z_a, z_b) = \frac{1}{n} \sum_{i=1}^{n} f\big(z_a, z_b, x_C^{(i)}\big).$$
#
# It shows whether the effect of one feature depends on the level of the other. Our
# `ice_curves` already handles it: each patient gets a $G_a \times G_b$ block of rows. The
# display draws the pair as a contour plot; we read its grid and check the numbers.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(7, 6))
pair_display = PartialDependenceDisplay.from_estimator(
    model, X_train, [("bmi", "s5")], grid_resolution=20, method="brute", ax=ax,
    contour_kw={"cmap": "viridis"})
pair_display.axes_[0, 0].set_title("Two-feature PD of bmi and s5")
plt.show()

# %% [markdown]
# The check: the same surface from `ice_curves` on the display's grid, and what each feature
# adds along the edges of the grid.

# %%
pair = pair_display.pd_results[0]
grid_a, grid_b = pair["grid_values"]
pd_pair = ice_curves(model.predict, X_train, {"bmi": grid_a, "s5": grid_b}).mean(axis=0)
rise_bmi_low_s5 = pd_pair[-1, 0] - pd_pair[0, 0]
rise_bmi_high_s5 = pd_pair[-1, -1] - pd_pair[0, -1]
rise_s5_low_bmi = pd_pair[0, -1] - pd_pair[0, 0]
print(f"PD grid {pd_pair.shape}, from one predict call on {len(X_train) * pd_pair.size} rows; "
      f"max |ours - sklearn| = {np.abs(pd_pair - pair['average'][0]).max():.1e}")
print(f"raising bmi across its range adds {rise_bmi_low_s5:.1f} at low s5 and "
      f"{rise_bmi_high_s5:.1f} at high s5")
print(f"raising s5 across its range adds {rise_s5_low_bmi:.1f} at low bmi")

# %%
assert np.allclose(pd_pair, pair["average"][0]), "two-feature PD from scratch equals sklearn"
assert np.isclose(pd_pair[-1, -1], pd_pair.max()), "the top-right corner is the highest"
assert rise_bmi_low_s5 > 0 and rise_s5_low_bmi > 0, "each feature raises the PD on its own"

# %% [markdown]
# `bmi` is on the x-axis and `s5` on the y-axis. The highest predictions sit in the top-right
# corner, where both values are high, and each feature raises the PD on its own, along the grid's
# edge where the other is lowest (printed and asserted). The printout compares how much `bmi` adds
# at the lowest and at the highest `s5`; if the model were additive in the two, the numbers would be
# equal, and their difference is a first hint of an interaction. Two-feature PDs cost $G_a G_b$
# model calls per instance and only show pairs; for a systematic search for interactions use
# Friedman's H-statistic or SHAP interaction values ([notebook 04](04_shap.ipynb)).
#
# > **Pitfall.** A two-feature PD inherits both weaknesses of the one-feature PD shown in the next
# > two sections: it is an average that can hide opposite effects, and it pairs every cell of its
# > grid with every instance. When the two features are correlated with each other, some corners
# > of the grid hold no data at all, and the surface there is the model's guess.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. When the average hides everything: heterogeneity
#
# The PD is an average, and averages can cancel. We build data with a known answer:
#
# $$y = x_1 \cdot x_3 + \varepsilon, \qquad x_1 \sim U(-1, 1),\; x_3 \in \{-1, +1\},\;
#   x_2 \sim N(0, 1) \text{ (irrelevant)},\; \varepsilon \sim N(0, 0.1^2).$$
#
# For half the instances $y$ rises with $x_1$ with slope $+1$, for the other half it falls with
# slope $-1$. Averaged over $x_3$, the effect of $x_1$ is zero. We fit the same kind of model
# and look at $x_1$.

# %%
rng = np.random.default_rng(0)
n_flip = 1000
X_flip = pd.DataFrame({"x1": rng.uniform(-1, 1, n_flip), "x2": rng.normal(size=n_flip),
                       "x3": rng.choice([-1.0, 1.0], n_flip)})
y_flip = X_flip["x1"] * X_flip["x3"] + rng.normal(0, 0.1, n_flip)
flip_model = GradientBoostingRegressor(n_estimators=200, max_depth=3, random_state=0).fit(
    X_flip, y_flip)

# %% [markdown]
# The ICE curves and the PD of $x_1$, and the least-squares slope of every ICE curve and of the
# PD, all at once:

# %%
x1_grid = np.linspace(-0.9, 0.9, 19)
ice_x1 = ice_curves(flip_model.predict, X_flip, {"x1": x1_grid})
pd_x1 = ice_x1.mean(axis=0)
centred_grid = x1_grid - x1_grid.mean()
ice_slopes = (ice_x1 - ice_x1.mean(axis=1, keepdims=True)) @ centred_grid / (
    centred_grid @ centred_grid)
pd_slope = (pd_x1 - pd_x1.mean()) @ centred_grid / (centred_grid @ centred_grid)
up, down = ice_slopes[X_flip["x3"] > 0], ice_slopes[X_flip["x3"] < 0]
pd_range, median_ice_range = np.ptp(pd_x1), np.median(np.ptp(ice_x1, axis=1))

# %%
print(f"PD of x1: range {pd_range:.3f}, slope {pd_slope:+.3f}")
print(f"ICE curves of x1: median range {median_ice_range:.3f}")
print(f"ICE slopes where x3=+1: mean {up.mean():+.3f} (min {up.min():+.3f}); "
      f"where x3=-1: mean {down.mean():+.3f} (max {down.max():+.3f})")
print(f"spread of ICE slopes (std) {ice_slopes.std():.3f}; "
      f"share with |slope| > 0.5: {np.mean(np.abs(ice_slopes) > 0.5):.1%}")

# %%
assert pd_range < 0.1 * median_ice_range, "the PD is flat compared with every ICE curve"
assert abs(pd_slope) < 0.1, "the PD suggests no effect"
assert up.min() > 0.5 and down.max() < -0.5, "two clusters of ICE slopes, opposite signs"
assert ice_slopes.std() > 10 * abs(pd_slope)

# %% [markdown]
# Permutation importance ([notebook 01](01_feature_importance.ipynb)) looks at the size of the
# effect, not its average. We score it on the training rows: notebook 01 warns that this rewards
# what a model memorised, but here the effect of $x_1$ is built into the data generator, not
# memorised, and the irrelevant $x_2$ serves as the control.

# %%
from sklearn.inspection import permutation_importance

permutation = permutation_importance(flip_model, X_flip, y_flip, n_repeats=5, random_state=0)
importances = dict(zip(X_flip.columns, permutation.importances_mean, strict=True))
print("permutation importance (drop in R^2):",
      {name: round(float(value), 3) for name, value in importances.items()})

# %%
assert importances["x1"] > 10 * importances["x2"], "x1 matters a lot, x2 not at all"

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
shown = np.arange(0, n_flip, 10)  # every 10th curve keeps the plot readable
for sign, colour in [(1, "tab:red"), (-1, "tab:blue")]:
    rows = shown[X_flip["x3"].to_numpy()[shown] == sign]
    axes[0].plot(x1_grid, ice_x1[rows].T, color=colour, alpha=0.3, linewidth=1)
    axes[0].plot([], [], color=colour, label=f"ICE, x3 = {sign:+d}")
axes[0].plot(x1_grid, pd_x1, color="black", linewidth=4, label="PD")
axes[0].set_xlabel("x1")
axes[0].set_ylabel("prediction")
axes[0].set_title("A flat PD over ICE curves that are not flat")
axes[0].legend(loc="upper center", ncol=3, fontsize=11)
axes[1].hist(ice_slopes, bins=40, color="tab:purple")
axes[1].axvline(pd_slope, color="black", linewidth=3, label=f"PD slope {pd_slope:+.2f}")
axes[1].set_xlabel("slope of each ICE curve")
axes[1].set_ylabel("instances")
axes[1].set_title("Two clusters of slopes")
axes[1].legend()
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The PD (black) is nearly a horizontal line: read alone, it says that $x_1$ does not matter.
# The ICE curves say the opposite: every instance reacts strongly, half of them upward (red,
# $x_3 = +1$) and half downward (blue, $x_3 = -1$), and the histogram of ICE slopes has two
# clusters near $+1$ and $-1$ and nothing near the PD's slope, as printed above. Colouring the
# ICE curves by another feature, as here, is how one finds the partner of an interaction; a
# two-feature PD of $(x_1, x_3)$ would show it too (exercise 2).
#
# > **Pitfall.** A flat PD does not mean "no effect". It means "no effect *on average*": large
# > effects of opposite sign cancel. Always draw the ICE curves (or at least c-ICE) before
# > concluding that a feature is irrelevant. Permutation importance
# > ([notebook 01](01_feature_importance.ipynb)), which measures how much the predictions suffer
# > when $x_1$ is scrambled, ranks $x_1$ far above the irrelevant $x_2$ (printed above).
#
# **ICE and PD, pros and cons.**
#
# - **ICE, pros.** One what-if curve per instance: it reveals heterogeneity and interactions,
#   and it is easy to explain to anyone who knows what a prediction is.
# - **ICE, cons.** Cluttered with many instances (subsample or centre them), and it gives no
#   single answer.
# - **PD, pros.** One clear curve; it equals the additive component of $f$ in $x_S$ when $f$ is
#   additive; cheap for trees with `method="recursion"`.
# - **PD, cons.** Hides effects of opposite sign (this section) and extrapolates when features
#   are correlated (next section).
# - **Cost.** Both need $n \times G$ model calls per feature (fewer with a subsample of instances).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The extrapolation pitfall: correlated features
#
# The PD formula pairs every grid value $z_k$ with *every* instance's other features. When
# $x_S$ is strongly correlated with a feature in $x_C$, most of those pairs are combinations
# that never occur in the data. The model was never trained there, so its predictions there are
# arbitrary, and the PD averages them in with everything else.
#
# We make this concrete with a setting in the spirit of Apley & Zhu (2020), where we know the
# true effects:
#
# $$x_1 \sim U(0, 1), \quad x_2 = x_1 + N(0, 0.05^2), \quad
#   y = f^\star(x) + \varepsilon = x_1 + x_2^2 + \varepsilon, \quad \varepsilon \sim N(0, 0.05^2).$$
#
# The truth is additive, so the effect of $x_1$ is the line $x_1$ and the effect of $x_2$ is the
# parabola $x_2^2$ (each up to a constant). A gradient-boosted model is fitted to 2,000 draws.

# %%
def correlated_data(n: int, noise: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """x2 = x1 + N(0, noise^2) and y = x1 + x2^2 + N(0, 0.05^2)."""
    generator = np.random.default_rng(seed)
    x1 = generator.uniform(0, 1, n)
    frame = pd.DataFrame({"x1": x1, "x2": x1 + generator.normal(0, noise, n)})
    return frame, true_f(frame) + generator.normal(0, 0.05, n)


# %% [markdown]
# The true function $f^\star$ and its two additive components, which the explanations will be
# compared with:

# %%
def true_f(X: pd.DataFrame) -> np.ndarray:
    """The noise-free target f*(x) = x1 + x2^2."""
    return (X["x1"] + X["x2"] ** 2).to_numpy()


true_effects = {"x1": lambda z: z, "x2": lambda z: z ** 2}

# %% [markdown]
# Training and test draws, and the fitted model:

# %%
X_cor, y_cor = correlated_data(2000, noise=0.05, seed=1)
X_cor_test, y_cor_test = correlated_data(2000, noise=0.05, seed=2)
cor_model = GradientBoostingRegressor(n_estimators=300, learning_rate=0.05, max_depth=3,
                                      random_state=0).fit(X_cor, y_cor)
correlation = X_cor.corr().loc["x1", "x2"]
print(f"corr(x1, x2) = {correlation:.3f}; test R^2 = {cor_model.score(X_cor_test, y_cor_test):.3f}")

# %%
assert correlation > 0.95 and cor_model.score(X_cor_test, y_cor_test) > 0.95

# %% [markdown]
# The model is excellent where the data live. Now look at where the PD of $x_1$ asks it
# questions. We take the PD grid (21 values of $x_1$, the same points we use for ALE below) and
# pair it with every instance's $x_2$: 42,000 query points. To call a point "outside the data"
# we need a yardstick that does not depend on our taste: for every training point we measure the
# distance to its nearest *other* training point, and take the 99th percentile of those
# distances, $\tau$. A query point farther than $\tau$ from every training point is farther from
# the data than 99% of the data are from each other.

# %%
from sklearn.neighbors import NearestNeighbors


def off_support(train: np.ndarray, queries: np.ndarray, quantile: float = 0.99
                ) -> tuple[np.ndarray, float]:
    """Which query points lie farther from every training point than `quantile` of the training
    points lie from their nearest other training point; returns (mask, threshold)."""
    neighbours = NearestNeighbors(n_neighbors=2).fit(train)
    threshold = float(np.quantile(neighbours.kneighbors(train)[0][:, 1], quantile))
    distances = neighbours.kneighbors(queries, n_neighbors=1)[0][:, 0]
    return distances > threshold, threshold


# %% [markdown]
# The PD's query points for $x_1$, which of them lie outside the data, and how wrong the model is
# at the points inside and outside:

# %%
edges_x1 = np.quantile(X_cor["x1"], np.linspace(0, 1, 21))  # 21 quantile edges of x1
pd_queries = np.column_stack([np.tile(edges_x1, len(X_cor)),
                              np.repeat(X_cor["x2"].to_numpy(), len(edges_x1))])
outside, tau = off_support(X_cor.to_numpy(), pd_queries)
query_frame = pd.DataFrame(pd_queries, columns=["x1", "x2"])
model_error = np.abs(cor_model.predict(query_frame) - true_f(query_frame))
error_inside, error_outside = model_error[~outside].mean(), model_error[outside].mean()
print(f"threshold tau = {tau:.4f}")
print(f"PD query points outside the data: {outside.mean():.1%} of {len(pd_queries)}")
print(f"mean |model - truth| at PD queries inside the data {error_inside:.3f}, "
      f"outside {error_outside:.3f} ({error_outside / error_inside:.1f}x larger); "
      f"largest error outside {model_error[outside].max():.3f}")

# %%
assert outside.mean() > 0.5, "most PD queries are combinations the data never show"
assert error_outside > 3 * error_inside, "off the data the model is much less accurate"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where the PD asks, and where the model is wrong
#
# For the figure: the PD's query points of every 10th instance (they sit on vertical lines, one
# per grid value), and the model's error on a fine grid over the whole square.

# %%
every_tenth = np.repeat(np.arange(len(X_cor)) % 10 == 0, len(edges_x1))
shown_queries, shown_outside = pd_queries[every_tenth], outside[every_tenth]
square = np.linspace(-0.15, 1.15, 120)
grid_x1, grid_x2 = np.meshgrid(square, square)
grid_frame = pd.DataFrame({"x1": grid_x1.ravel(), "x2": grid_x2.ravel()})
error_map = (cor_model.predict(grid_frame) - true_f(grid_frame)).reshape(grid_x1.shape)
bound = np.abs(error_map).max()

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 6))
axes[0].scatter(shown_queries[shown_outside, 0], shown_queries[shown_outside, 1],
                s=6, color="tab:red", alpha=0.4, label="PD query, outside the data")
axes[0].scatter(shown_queries[~shown_outside, 0], shown_queries[~shown_outside, 1],
                s=6, color="tab:green", alpha=0.4, label="PD query, inside")
axes[0].scatter(X_cor["x1"], X_cor["x2"], s=4, color="black", label="training data")
axes[0].set_title(f"Where the PD of x1 evaluates f ({outside.mean():.0%} outside)")
image = axes[1].pcolormesh(grid_x1, grid_x2, error_map, cmap="RdBu_r", vmin=-bound, vmax=bound)
axes[1].scatter(X_cor["x1"], X_cor["x2"], s=2, color="black", alpha=0.5)
fig.colorbar(image, ax=axes[1], label="model - truth")
axes[1].set_title("Model error: small on the data, large off it")
for ax in axes:
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_aspect("equal")
axes[0].legend(loc="upper left", markerscale=3, fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# Left: the training data form a thin diagonal band; the PD's query points fill the whole
# square, and the share outside the band (red) is as printed above. Right: the model's error is
# near zero on the band and grows away from it, because a tree ensemble keeps predicting
# whatever its leaves learned near the band, while the truth keeps changing. The errors are
# largest far from the band on either side (low $x_1$ with high $x_2$, and the reverse), and those
# are exactly the points the PD of $x_1$ visits when it pairs extreme grid values with the other
# half of the data.
#
# > **Pitfall.** Correlated features make the PD (and ICE) evaluate the model on impossible
# > inputs, such as a 40 kg adult who is 2 m tall. The curve then mixes the model's behaviour
# > on real data with its guesses elsewhere, and nothing in the plot warns you. Before trusting
# > a PD, check the correlations of the feature with the others and, better, check where the
# > query points fall. Permutation importance ([notebook 01](01_feature_importance.ipynb)) suffers
# > from the same extrapolation (Hooker et al., 2021).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Accumulated local effects (ALE): the fix
#
# ### Intuition
#
# Why not average the model over the *conditional* distribution instead, using only instances
# whose $x_1$ is near $z$? That avoids impossible inputs, but it answers a different question:
# instances with high $x_1$ also have high $x_2$, so the curve for $x_1$ also carries the effect
# of $x_2$ (the "M-plot", marginal plot, which we draw for comparison below).
#
# ALE (Apley & Zhu, 2020) keeps the local idea and removes the mixing. Cut the range of $x_1$
# into bins. Within a bin, take only the instances that lie in it, move each one from the bin's
# lower edge to its upper edge *with its own* $x_2$, and record how much the prediction changes.
# Those moves are tiny and stay next to the data, and because $x_2$ is held fixed during each
# move, the change is due to $x_1$ alone. Average the changes within each bin (the local effect),
# add them up from left to right (accumulate), and centre the result.
#
# ### Math
#
# The bins have edges $e_0 < e_1 < \dots < e_K$ (quantiles of $x_S$, so each bin holds about the
# same number of instances; we write $e$, not the PD grid's $z$, because they are chosen
# differently). $N_m$ is the set of instances $i$ with $x_S^{(i)} \in (e_{m-1}, e_m]$, bin $m$.
# The uncentred ALE at the edge $e_k$ adds up the mean local differences of bins $1$ to $k$:
#
# $$\widetilde{\text{ALE}}(e_k) = \sum_{m=1}^{k} \frac{1}{|N_m|} \sum_{i \in N_m}
#   \Big[f\big(e_m, x_C^{(i)}\big) - f\big(e_{m-1}, x_C^{(i)}\big)\Big],
#   \qquad \widetilde{\text{ALE}}(e_0) = 0,$$
#
# then $\text{ALE} = \widetilde{\text{ALE}} - c$, with $c$ chosen so that the effect averages to
# zero over the data. We approximate the average by giving each bin the mean of its two edge
# values, weighted by $|N_m|$. The sum is a finite-difference version of
# $\int_{e_0}^{e_k} \mathbb{E}\big[\partial f / \partial x_S \,\big|\, x_S = z\big]\, dz$: ALE
# integrates the model's local *slope* under the conditional distribution, where the PD averages
# its *level* under the marginal one.
#
# ### From scratch, in one model call
#
# Every instance contributes two rows (its bin's lower and upper edge), so one `predict` on
# $2n$ rows does the work, and `np.bincount` averages within bins without a loop. First the
# centring constant $c$: the curve's mean over the data, each bin weighted by its $|N_m|$ and
# represented by the mean of its two edge values.

# %%
def centre_on_data(values_at_edges: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Shift a curve given at the bin edges so that its average over the data is zero (each bin
    counts with its number of instances and the mean of its two edge values)."""
    bin_means = (values_at_edges[:-1] + values_at_edges[1:]) / 2
    return values_at_edges - np.sum(bin_means * counts) / counts.sum()


# %% [markdown]
# Then the ALE itself, step by step: quantile edges $e_0, \dots, e_K$ (duplicates dropped); each
# instance's bin; two copies of the data with $x_S$ set to the lower and the upper edge of the
# instance's bin; one `predict` on both copies; the mean difference per bin (the local effect);
# the cumulative sum from $e_0$, which is $\widetilde{\text{ALE}}$; and the centring. The code
# counts bins from 0, so bin $m$ of the formula is `bins == m - 1`.

# %%
def ale_curve(predict: Predict, X: pd.DataFrame, feature: str, n_bins: int = 20
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First-order ALE of a numeric feature: (edges, centred ALE at the edges, instances per bin,
    bin index of every instance)."""
    values = X[feature].to_numpy()
    edges = np.unique(np.quantile(values, np.linspace(0, 1, n_bins + 1)))
    n_intervals = len(edges) - 1
    # Bin k holds the values in (edges[k], edges[k + 1]]; the smallest value joins bin 0.
    bins = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, n_intervals - 1)
    lower, upper = X.copy(), X.copy()
    lower[feature], upper[feature] = edges[bins], edges[bins + 1]
    predictions = np.asarray(predict(pd.concat([lower, upper], ignore_index=True)))
    differences = predictions[len(X):] - predictions[:len(X)]
    counts = np.bincount(bins, minlength=n_intervals)
    sums = np.bincount(bins, weights=differences, minlength=n_intervals)
    local_effects = np.divide(sums, counts, out=np.zeros(n_intervals), where=counts > 0)
    accumulated = np.concatenate([[0.0], np.cumsum(local_effects)])
    return edges, centre_on_data(accumulated, counts), counts, bins


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checks with known answers
#
# No ALE library ships with the course, so we check the code where the answer is known in
# closed form:
#
# 1. For a linear model $f(x) = b + \sum_j w_j x_j$, every local difference in bin $m$ equals
#    $w_S (e_m - e_{m-1})$, so the ALE is a straight line with slope exactly $w_S$, *even on
#    our correlated data*.
# 2. For the additive truth $f^\star = x_1 + x_2^2$ itself, ALE must return each component
#    exactly (centred). So must the PD, because for an additive $f$ the other component is a
#    constant that averaging only shifts: extrapolation is harmless when the function is right
#    everywhere.
#
# Check 1, on a linear regression fitted to the correlated data:

# %%
from sklearn.linear_model import LinearRegression

linear = LinearRegression().fit(X_cor, y_cor)
for j, feature in enumerate(["x1", "x2"]):
    edges, ale, counts, _ = ale_curve(linear.predict, X_cor, feature)
    slopes = np.diff(ale) / np.diff(edges)
    print(f"linear model, {feature}: coefficient {linear.coef_[j]:+.4f}, "
          f"ALE slopes in [{slopes.min():+.4f}, {slopes.max():+.4f}]")
    assert np.allclose(slopes, linear.coef_[j]), "ALE slope of a linear model = its coefficient"

# %% [markdown]
# Check 2, on the true function: ALE and PD against the centred components $x_1$ and $x_2^2$.

# %%
for feature, effect in true_effects.items():
    edges, ale, counts, _ = ale_curve(true_f, X_cor, feature)
    truth = centre_on_data(effect(edges), counts)
    pd_truth = centre_on_data(ice_curves(true_f, X_cor, {feature: edges}).mean(axis=0), counts)
    print(f"true function, {feature}: max |ALE - truth| = {np.abs(ale - truth).max():.1e}, "
          f"max |PD - truth| = {np.abs(pd_truth - truth).max():.1e}")
    assert np.allclose(ale, truth) and np.allclose(pd_truth, truth)

# %% [markdown]
# Both checks pass to rounding error. The second one locates the problem: the PD of the *true*
# function is perfect; what goes wrong is the PD of a *model* that is only right near the data.
#
# ### ALE versus PD on the fitted model
#
# Now the real test. For both features we compute, on the same 21 quantile edges, the ALE of
# the fitted model, its PD, and the M-plot (the mean prediction of the instances in each bin,
# plotted at the bin's midpoint). Each curve is centred the same way as the truth, and we report
# the root-mean-square error against the true centred effect.

# %%
def rmse(a: np.ndarray, b: np.ndarray) -> float:
    """Root-mean-square difference of two curves given at the same points."""
    return float(np.sqrt(np.mean((a - b) ** 2)))


# %% [markdown]
# The three curves and the truth for each feature, and their errors:

# %%
cor_predictions = cor_model.predict(X_cor)
curves, errors = {}, {}
for feature, effect in true_effects.items():
    edges, ale, counts, bins = ale_curve(cor_model.predict, X_cor, feature)
    pd_curve = centre_on_data(ice_curves(cor_model.predict, X_cor, {feature: edges}).mean(axis=0),
                              counts)
    midpoints = (edges[:-1] + edges[1:]) / 2
    m_plot = np.bincount(bins, weights=cor_predictions) / counts
    m_plot -= np.sum(m_plot * counts) / counts.sum()
    truth_mid = effect(midpoints) - np.sum(effect(midpoints) * counts) / counts.sum()
    truth = centre_on_data(effect(edges), counts)
    curves[feature] = {"edges": edges, "midpoints": midpoints, "ALE": ale, "PD": pd_curve,
                       "M-plot": m_plot, "truth": truth}
    errors[feature] = {"ALE": rmse(ale, truth), "PD": rmse(pd_curve, truth),
                       "M-plot": rmse(m_plot, truth_mid)}

# %%
error_table = pd.DataFrame(errors).T
print("RMSE against the true centred effect (fitted gradient-boosting model):")
print(error_table.round(4).to_string())
print("PD error / ALE error:", (error_table["PD"] / error_table["ALE"]).round(1).to_dict())
ranges = pd.DataFrame({feature: {name: np.ptp(curve[name]) for name in ("truth", "ALE", "PD",
                                                                       "M-plot")}
                       for feature, curve in curves.items()}).T
print("\nrange (max - min) of each centred curve:")
print(ranges.round(2).to_string())

# %%
assert (error_table["ALE"] < error_table["PD"]).all(), "ALE recovers the effects better than PD"
assert (error_table["ALE"] < error_table["M-plot"]).all(), "and better than conditional means"
assert (error_table["PD"] < error_table["M-plot"]).all(), "the M-plot is the worst of the three"
assert (ranges["M-plot"] > 1.5 * ranges["truth"]).all(), "M-plot curves far steeper than truth"
assert (ranges["PD"] < ranges["truth"]).all(), "the PD flattens both effects"
for curve in curves.values():
    worst = np.abs(curve["PD"] - curve["truth"]).argmax()
    assert worst in (0, len(curve["edges"]) - 1), "the PD's largest error is at an end"

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(14, 5.5))
for ax, (feature, curve) in zip(axes, curves.items(), strict=True):
    ax.plot(curve["edges"], curve["truth"], color="black", linewidth=5, alpha=0.35,
            label="true effect")
    ax.plot(curve["edges"], curve["ALE"], "o-", color="tab:blue", linewidth=2,
            label=f"ALE (RMSE {errors[feature]['ALE']:.3f})")
    ax.plot(curve["edges"], curve["PD"], "s-", color="tab:red", linewidth=2,
            label=f"PD (RMSE {errors[feature]['PD']:.3f})")
    ax.plot(curve["midpoints"], curve["M-plot"], "--", color="tab:gray", linewidth=2,
            label=f"M-plot (RMSE {errors[feature]['M-plot']:.3f})")
    ax.set_xlabel(feature)
    ax.set_ylabel("centred effect on the prediction")
    ax.set_title(f"Effect of {feature}: true {'x1' if feature == 'x1' else 'x2²'}")
    ax.legend(loc="upper left", fontsize=11)
fig.suptitle("Correlated features: ALE vs PD vs M-plot on the same gradient-boosting model",
             fontsize="x-large", fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# The printed errors and the figure agree. The ALE (blue) follows the true line and parabola
# closely. The PD (red) is wrong by more, as the printed ratio says, and most at the ends of the
# range, where its query points are furthest from the band (its largest error is at an end edge,
# asserted): there it flattens both the line of $x_1$ and the parabola of $x_2$ (its range is
# smaller than the truth's, printed), because it averages predictions made off the data, where
# the tree ensemble keeps predicting values learned near the band. The M-plot (grey, dashed) is
# the worst of the three: it never leaves the data, but it credits each feature with the other's
# effect too, so both of its curves are far steeper than the truth (more than 1.5 times its
# range, asserted). Note what the PD
# error is and is not: the model is accurate near the data (test $R^2$ printed in section 5),
# and the PD of the true function was perfect; the PD error comes only from asking a good model
# questions it was never trained to answer.
#
# How much extrapolation does ALE itself do? Its query points are the bin edges paired with the
# instances *in that bin*; with the same yardstick $\tau$:

# %%
_, _, _, bins_x1 = ale_curve(cor_model.predict, X_cor, "x1")
x2_values = X_cor["x2"].to_numpy()
ale_queries = np.vstack([np.column_stack([edges_x1[bins_x1], x2_values]),
                         np.column_stack([edges_x1[bins_x1 + 1], x2_values])])
ale_outside, _ = off_support(X_cor.to_numpy(), ale_queries)
nearest_other = NearestNeighbors(n_neighbors=2).fit(X_cor).kneighbors(X_cor)[0][:, 1]
print(f"query points outside the data: PD {outside.mean():.1%} of {len(pd_queries)}, "
      f"ALE {ale_outside.mean():.1%} of {len(ale_queries)}")
print(f"training points farther than tau from every other training point: "
      f"{np.mean(nearest_other > tau):.1%} of {len(X_cor)}")

# %%
assert ale_outside.mean() < 0.02, "ALE stays next to the data"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ALE's share is close to that of the training points themselves, which is 1% by the way $\tau$
# was chosen (both printed): ALE asks the model about inputs that are about as close to the data
# as the data are to each other.
# And it needs $2n$ model calls per feature instead of the PD's $n \times G$.
#
# > **Pitfall.** ALE is not a what-if curve for any individual, and it is not free of choices.
# > The number of bins trades bias for variance: few bins average over wide stretches where
# > the slope changes, many bins leave few instances per bin and give a jagged curve. Bins are
# > quantiles of the data, so the curve's resolution follows the data's density, and a bin
# > must be narrow enough that moving across it stays near the data. With strong interactions,
# > a first-order ALE is again an average that can hide opposite effects (second-order ALE,
# > or ICE, show them). And like PD, ALE describes the model, not the world.
#
# **ALE, pros and cons.**
#
# - **Pros.** It stays next to the data, so correlated features do not make it extrapolate. It
#   isolates one feature's effect, unlike conditional means (M-plot). It is cheap: $2n$ model
#   calls per feature. It is exact for linear and additive models (checked above).
# - **Cons.** No individual, ICE-like view: it averages heterogeneity away. It depends on the
#   number of bins and turns jagged with few instances per bin. "Accumulated local slopes" are
#   harder to explain than a what-if curve, and the level of the curve is only defined up to the
#   centring constant. It needs an ordering of the values, so categorical features need an
#   extra step that orders their categories first.
#
# **Which plot when?** Use ICE (centred) to see whether instances behave alike; use PD for a
# compact summary when features are roughly independent, or as a *what-if on the model* where
# impossible inputs are acceptable; use ALE for the effect of a feature in the presence of
# correlated ones. Drawing ICE with PD, and comparing PD with ALE, costs little and protects
# against both pitfalls of this notebook.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. ICE on Boston housing, and a feature that is a parabola
#
# Boston housing is the classic textbook table for ICE curves (median home value `MEDV` of 506
# towns, in thousands of 1970 dollars). We do the same with the gradient
# boosting set-up of section 1 and look at three features: `LSTAT` (share of lower-status
# residents), `RM` (rooms per dwelling) and `B`, the column for which scikit-learn withdrew the
# table. `B` is $1000\,(B_k - 0.63)^2$ for a town's share $B_k$ of Black residents
# ([notebook 01](01_feature_importance.ipynb), section 8, tells the story).

# %%
boston = load_tabular("boston")
H_train, H_test, m_train, m_test = train_test_split(boston.X, boston.y, test_size=0.25,
                                                    random_state=0)
house_model = GradientBoostingRegressor(n_estimators=200, learning_rate=0.05, max_depth=3,
                                        subsample=0.8, random_state=0).fit(H_train, m_train)
print(f"Boston: {len(H_train)} training towns, test R^2 = {house_model.score(H_test, m_test):.3f}")

# %%
assert house_model.score(H_test, m_test) > 0.7

# %% slideshow={"slide_type": "subslide"}
house_features = ["LSTAT", "RM", "B"]
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharey=True)
house_display = PartialDependenceDisplay.from_estimator(
    house_model, H_train, house_features, ax=axes, centered=True, **common)
fig.suptitle("Centred ICE and PD on Boston housing (gradient boosting)", fontsize="x-large",
             fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# The check against the display, and where each centred PD ends:

# %%
house_pd_end = {}
for k, feature in enumerate(house_features):
    grid = house_display.pd_results[k]["grid_values"][0]
    ice = ice_curves(house_model.predict, H_train, {feature: grid})
    c_ice = ice - ice[:, :1]
    house_pd_end[feature] = c_ice.mean(axis=0)[-1]
    print(f"{feature:5s}: centred PD from 0 to {c_ice.mean(axis=0)[-1]:+.2f} thousand dollars "
          f"over {grid[0]:.1f} to {grid[-1]:.1f}")
    assert np.allclose(house_display.pd_results[k]["individual"][0], ice), "ours = scikit-learn"

# %%
assert house_pd_end["LSTAT"] < 0 < house_pd_end["RM"], "LSTAT lowers the value, RM raises it"
assert abs(house_pd_end["B"]) < 1, "B moves the PD by less than a thousand dollars"

# %% [markdown]
# And how the towns' `B` values are spread: how many have the largest value, and how many have
# $B \ge 1000 \cdot 0.37^2 = 136.9$, which means a share $B_k$ of at most 0.26 (the smaller
# root of the formula; the larger one is above 1).

# %%
b_values = boston.X["B"]
first_quarter = b_values >= boston_b(0.26)
print(f"towns at the largest B, {b_values.max()}: {np.sum(b_values == b_values.max())} "
      f"of {len(b_values)} (share 0)")
print(f"towns with B >= {boston_b(0.26):.1f} (share at most 0.26): {first_quarter.mean():.0%}")

# %% [markdown]
# Fewer poor residents and more rooms go with higher predicted values: the centred PD falls by
# about 14 thousand dollars across the `LSTAT` grid and rises by about 9 across the `RM` grid
# (printed). The curves of `B` are nearly flat (less than a thousand dollars, asserted) over the
# display's grid, which runs from the 5th to the 95th percentile of `B` and so covers mostly
# towns with a share close to zero: a quarter of the towns have the largest value, 396.9, a share
# of 0 (printed).
#
# ### The same curves against the share they encode
#
# An ICE curve moves a *column*. To read `B` as what it stands for, move the share instead:
# write $B = 1000\,(B_k - 0.63)^2$ for $B_k$ from 0 to 1 into each town and predict. The formula
# gives a truth known by construction: shares $0.63 - d$ and $0.63 + d$ produce the same `B`,
# so every model's curve must be mirror-symmetric about 0.63, whatever it learned.

# %%
share_grid = np.linspace(0, 1, 101)  # steps of 0.01, symmetric about 0.63 on 0.26 ... 1.00
ice_share = ice_curves(house_model.predict, H_train, {"B": boston_b(share_grid)})
mirror = np.isclose(share_grid[:, None] + share_grid[None, :], 2 * 0.63)  # pairs 0.63 -/+ d
left, right = np.nonzero(np.triu(mirror))
print(f"{len(left)} mirror pairs of shares; largest |ICE(0.63 - d) - ICE(0.63 + d)|: "
      f"{np.abs(ice_share[:, left] - ice_share[:, right]).max():.1e}")
assert np.array_equal(ice_share[:, left], ice_share[:, right]), "mirror-symmetric by the formula"

# %% slideshow={"slide_type": "subslide"}
c_ice_share = ice_share - ice_share[:, :1]
fig, ax = plt.subplots(figsize=(9, 4.8))
ax.plot(share_grid, c_ice_share[::4].T, color="tab:blue", alpha=0.2, linewidth=1)
ax.plot(share_grid, c_ice_share.mean(axis=0), color="black", linewidth=4,
        label="centred PD (mean of all towns)")
ax.axvline(0.63, color="tab:red", linestyle="--", label="the formula's centre, 0.63")
ax.set(xlabel="share of Black residents $B_k$ written into the town",
       ylabel="change in predicted MEDV (thousand USD)",
       title="Centred ICE of B, drawn against the share it encodes")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Read against the share, the curves drop over the first quarter of the range, where nearly all
# towns lie (the printed share with $B_k \le 0.26$), and are almost flat after it, with small steps
# wherever a tree splits on `B`. From 0.26 to 1 they are exactly mirror-symmetric about 0.63, for
# every town: the step near 0.7 is the step near 0.56 reflected, and the last point (share 1)
# repeats the value at 0.26. That symmetry is not something the model found in the data; it is the
# formula, which the assert confirms to the last bit. A reader who takes this picture for "the
# effect of the share of Black residents on house prices" reads the 1978 authors' assumption passed
# through a model, and the data could not have shown otherwise, since two towns whose shares are
# mirror images are the same row to every model.
#
# > **Pitfall.** An ICE curve is only as meaningful as the column it moves. When a feature is a
# > transform of the quantity you care about, the curve in that quantity inherits the
# > transform's shape, and a non-invertible transform makes some of its values impossible to
# > tell apart. Check how each feature was built before reading its curve as an effect.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("02.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# isort: split

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: ICE for a classifier
#
# Fit `GradientBoostingClassifier(random_state=0)` to the breast-cancer table
# (`load_tabular("breast_cancer")`; target 1 means benign). Compute the ICE curves and the PD of
# the predicted probability of *benign* for `worst concave points` (the largest share of the
# nucleus contour that is concave, per image) with `ice_curves`, on 20 grid values between its
# 5th and 95th percentile, and check both against `partial_dependence` with
# `response_method="predict_proba"`. Then draw them with `PartialDependenceDisplay`
# (`kind="both"`, `centered=True`). Which way does the probability move as the feature grows,
# for what share of the patients, and by how much?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: an ICE curve of a classifier is one patient's predicted probability of one class as
#   the feature moves along the grid; here the class is benign, the second one.
# Hint: for a binary classifier scikit-learn reports the probability of the second class,
#   i.e. predict_proba(...)[:, 1]; pass predict=lambda frame: clf.predict_proba(frame)[:, 1].
#   Compare each ICE curve's last value with its first.
# Hint: start with clf = GradientBoostingClassifier(random_state=0).fit(cancer.X, cancer.y) and
#   concave_grid = feature_grid(cancer.X, concave, size=20).
from sklearn.ensemble import GradientBoostingClassifier

cancer = load_tabular("breast_cancer")
concave = "worst concave points"
clf = GradientBoostingClassifier(random_state=0).fit(cancer.X, cancer.y)
concave_grid = feature_grid(cancer.X, concave, size=20)
ice_concave = ice_curves(lambda frame: clf.predict_proba(frame)[:, 1], cancer.X,
                         {concave: concave_grid})
sk_concave = partial_dependence(clf, cancer.X, [concave], custom_values={concave: concave_grid},
                                response_method="predict_proba", method="brute", kind="both")
assert np.allclose(sk_concave["individual"][0], ice_concave)
assert np.allclose(sk_concave["average"][0], ice_concave.mean(axis=0))

change = ice_concave[:, -1] - ice_concave[:, 0]
pd_concave = ice_concave.mean(axis=0)
print(f"PD of P(benign): {pd_concave[0]:.3f} at {concave_grid[0]:.3f}, "
      f"{pd_concave[-1]:.3f} at {concave_grid[-1]:.3f}")
print(f"P(benign) falls for {np.mean(change < 0):.1%} of the patients; it moves by less than "
      f"0.01 for {np.mean(np.abs(change) < 0.01):.0%} and by more than 0.5 for "
      f"{np.mean(np.abs(change) > 0.5):.0%}")
assert np.mean(change < 0) > 0.9

fig, ax = plt.subplots(figsize=(7, 5))
PartialDependenceDisplay.from_estimator(clf, cancer.X, [concave], kind="both", centered=True,
                                        subsample=80, random_state=0,
                                        response_method="predict_proba", method="brute", ax=ax,
                                        pd_line_kw={"color": "black", "linewidth": 4})
ax.set_title("Breast cancer: centred ICE of P(benign)")
plt.show()

# %% slideshow={"slide_type": "fragment"}
check("02.1", ice=ice_concave, grid=concave_grid, model=clf, data=cancer, feature=concave)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# More concave nuclei push the model toward *malignant*: the PD of P(benign) falls, and almost
# every individual curve falls with it (printed). The sizes differ enormously, though: some
# curves drop by more than half, while many barely move. Those are patients whose other
# measurements already decide the case, so their probability sits near 0 or 1 and cannot move
# much: probabilities saturate. The PD, an average of large drops and near-zero ones, describes
# almost no patient. A PD of the log-odds (`response_method="decision_function"`) does not
# saturate and can look quite different: always say which output you plot.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Find the partner of the interaction
#
# In section 4 the PD of $x_1$ was flat. Pretend you do not know how the data were made. Use
# a two-feature PD to find out which of $x_2$ and $x_3$ interacts with $x_1$: compute the PD of
# $(x_1, x_2)$ and of $(x_1, x_3)$ with `ice_curves` and, for each, the slope in $x_1$ at the
# lowest and at the highest value of the partner. Which pair reveals the interaction?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: a two-feature PD is a surface; an interaction shows as a slope in x1 that changes with
#   the partner's value.
# Hint: for x3 the grid can simply be its two values [-1, 1]; for x2 take its 5th and 95th
#   percentile. np.polyfit(x1_grid, curve, 1)[0] gives a curve's slope.
# Hint: start with surface = ice_curves(flip_model.predict, X_flip, {"x1": x1_grid, "x3":
#   np.array([-1.0, 1.0])}).mean(axis=0); its column k is the PD of x1 at the k-th x3 value.
partner_grids = {"x2": np.percentile(X_flip["x2"], [5, 95]), "x3": np.array([-1.0, 1.0])}
partner_slopes = {}
for partner, grid in partner_grids.items():
    surface = ice_curves(flip_model.predict, X_flip, {"x1": x1_grid, partner: grid}).mean(axis=0)
    partner_slopes[partner] = [np.polyfit(x1_grid, surface[:, k], 1)[0] for k in range(2)]
    print(f"PD(x1, {partner}): slope in x1 at {partner} = {grid[0]:+.2f}: "
          f"{partner_slopes[partner][0]:+.3f}; at {partner} = {grid[1]:+.2f}: "
          f"{partner_slopes[partner][1]:+.3f}")
assert partner_slopes["x3"][0] < -0.5 < 0.5 < partner_slopes["x3"][1]
assert max(abs(s) for s in partner_slopes["x2"]) < 0.2

# %% slideshow={"slide_type": "fragment"}
check("02.2", slopes=partner_slopes, model=flip_model, X=X_flip, x1_grid=x1_grid)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# With $x_2$ as partner, the slope in $x_1$ is close to zero at both ends: averaging over $x_3$
# still cancels. With $x_3$ as partner, the slope is about $-1$ at $x_3 = -1$ and $+1$ at
# $x_3 = +1$: the two-feature PD recovers the product structure that the one-feature PD hid. With
# many features, testing every pair this way is expensive; colouring ICE curves by each
# candidate feature (as in section 4), Friedman's H-statistic, or SHAP interaction values
# ([notebook 04](04_shap.ipynb)) scale better.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: Make the extrapolation worse, then better
#
# The strength of the correlation decides how far the PD has to extrapolate. Regenerate the data
# of section 5 with `correlated_data(2000, noise=s, seed=1)` for `s` in 0.02, 0.05, 0.2 and 0.5,
# refit the same model, and for the PD of $x_1$ (21 quantile edges) report the share of query
# points outside the data (`off_support`), and the RMSE of PD and ALE against the true effect.
# How do they change as the correlation weakens?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: one loop over the noise levels: regenerate, refit, then compute the three numbers
#   exactly as in section 5 and collect one row per level.
# Hint: reuse ale_curve, ice_curves, centre_on_data, off_support and rmse; the PD query points
#   are np.column_stack([np.tile(edges, n), np.repeat(x2, len(edges))]).
# Hint: start with for noise in (0.02, 0.05, 0.2, 0.5): X_s, y_s = correlated_data(2000,
#   noise=noise, seed=1).
rows = []
for noise in (0.02, 0.05, 0.2, 0.5):
    X_s, y_s = correlated_data(2000, noise=noise, seed=1)
    model_s = GradientBoostingRegressor(n_estimators=300, learning_rate=0.05, max_depth=3,
                                        random_state=0).fit(X_s, y_s)
    edges, ale, counts, _ = ale_curve(model_s.predict, X_s, "x1")
    truth = centre_on_data(edges, counts)
    pd_curve = centre_on_data(ice_curves(model_s.predict, X_s, {"x1": edges}).mean(axis=0), counts)
    queries = np.column_stack([np.tile(edges, len(X_s)), np.repeat(X_s["x2"], len(edges))])
    rows.append({"noise": noise, "corr": X_s.corr().loc["x1", "x2"],
                 "outside": off_support(X_s.to_numpy(), queries)[0].mean(),
                 "PD RMSE": rmse(pd_curve, truth), "ALE RMSE": rmse(ale, truth)})
sweep = pd.DataFrame(rows).set_index("noise")
sweep["PD / ALE"] = sweep["PD RMSE"] / sweep["ALE RMSE"]
print(sweep.round(3).to_string())
assert (np.diff(sweep["outside"]) < 0).all(), "weaker correlation, less extrapolation"

# %% slideshow={"slide_type": "fragment"}
check("02.3", sweep=sweep)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# As the noise grows the correlation weakens and the share of PD query points outside the data
# falls steadily (the assert checks it). The errors are noisier than the share, because each
# depends on one fitted model, so read the last column for the trend: in the two most correlated
# settings the PD error is two to three times the ALE error, and the ratio shrinks toward one as
# the correlation weakens, as it should, since for independent features ALE and PD estimate the
# same additive component. The ALE error hardly changes along the table. The share outside never
# reaches zero: even for independent features, pairs in the sparse corners of the square can lie
# farther from any training point than the yardstick allows.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: Correlated features in real data
#
# In the diabetes table, `s1` (total cholesterol) and `s2` (LDL cholesterol) are strongly
# correlated. Print their correlation, count the share of the PD query points for `s1` (20 grid
# values from `feature_grid`, paired with every training patient's `s2`) that fall outside the
# data in the standardised $(s_1, s_2)$ plane, and plot the ALE and the PD of `s1` for the
# section-1 model on one axis. Here no true effect is known: what can you still conclude?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: off-support is a distance question, so both features must count alike; and the two
#   curves must share a baseline to be compared.
# Hint: standardise with (values - mean) / std before off_support so that both axes count alike;
#   centre the PD with centre_on_data on the ALE's edges so the two curves share a baseline.
# Hint: start with pair_values = X_train[["s1", "s2"]].to_numpy().
pair_values = X_train[["s1", "s2"]].to_numpy()
standardised = (pair_values - pair_values.mean(axis=0)) / pair_values.std(axis=0)
s1_grid = feature_grid(X_train, "s1", size=20)
s1_queries = np.column_stack([np.tile(s1_grid, len(X_train)),
                              np.repeat(X_train["s2"].to_numpy(), len(s1_grid))])
s1_outside, _ = off_support(standardised,
                            (s1_queries - pair_values.mean(axis=0)) / pair_values.std(axis=0))
print(f"corr(s1, s2) = {X_train['s1'].corr(X_train['s2']):.3f}; "
      f"PD queries for s1 outside the data: {s1_outside.mean():.1%}")
assert s1_outside.mean() > 0.1

s1_edges, s1_ale, s1_counts, _ = ale_curve(model.predict, X_train, "s1", n_bins=10)
s1_pd = centre_on_data(ice_curves(model.predict, X_train, {"s1": s1_edges}).mean(axis=0),
                       s1_counts)
print(f"s1 effect range: ALE {np.ptp(s1_ale):.1f}, PD {np.ptp(s1_pd):.1f}; "
      f"{s1_counts.min()} to {s1_counts.max()} patients per ALE bin")
fig, ax = plt.subplots(figsize=(8, 5))
ax.plot(s1_edges, s1_ale, "o-", color="tab:blue", linewidth=2, label="ALE")
ax.plot(s1_edges, s1_pd, "s-", color="tab:red", linewidth=2, label="PD")
ax.set_xlabel(f"s1: {diabetes.descriptions['s1']}")
ax.set_ylabel("centred effect on predicted progression")
ax.set_title("Diabetes model: effect of s1, ALE vs PD")
ax.legend()
plt.show()

# %% slideshow={"slide_type": "fragment"}
check("02.4", outside=s1_outside, ale=s1_ale, pd_curve=s1_pd, edges=s1_edges, counts=s1_counts,
      X=X_train, model=model)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# A sizeable share of the PD's queries pair a cholesterol value with an LDL value that no
# patient has (printed above), so the PD of `s1` partly reports the model's guesses. Without
# ground truth we cannot say which curve is right, but we can say where they disagree, and that
# disagreement is itself the finding: an effect that changes with the method should not be
# reported as a fact about `s1`. The effect is also small next to that of `bmi` (compare the
# printed ranges with section 2), and with a few dozen patients per ALE bin (printed) the ALE is
# noisy; a bootstrap over patients would show how much of its shape is noise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - An **ICE** curve is one instance's prediction as one feature moves along a grid; the
#   **partial dependence** is the mean of the ICE curves. Both come from one batched model call
#   on $n \times G$ modified rows, and match `sklearn.inspection.partial_dependence` to rounding
#   error.
# - **Centred ICE** subtracts each curve's value at the first grid point, so curves of different
#   height can be compared; a **two-feature PD** shows how two features act together. Both were
#   checked against `PartialDependenceDisplay`.
# - A **flat PD can hide large effects** of opposite sign: with $y = x_1 x_3$ the PD of $x_1$ was
#   flat while the ICE slopes formed two clusters near $+1$ and $-1$.
# - With **correlated features** the PD evaluates the model on impossible inputs: for
#   $x_2 \approx x_1$ most of its query points lay outside the data, where the fitted model was
#   many times less accurate than on the data.
# - **ALE** averages local differences within quantile bins, using only instances in each bin,
#   then accumulates and centres them. It was exact on a linear and an additive model, recovered
#   the true effects of the fitted model better than PD and M-plot, and queried the model almost
#   only next to the data.
# - All three describe the model, not the world; none of them licenses a causal claim by itself.
# - On Boston housing, `B`'s ICE curves drawn against the share they encode are mirror-symmetric
#   about 0.63 for every town, by the column's formula; the curve shows an assumption of 1978,
#   not an effect.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Harrison, D., & Rubinfeld, D. L. (1978). Hedonic housing prices and the demand for clean
#   air. *Journal of Environmental Economics and Management* 5(1), 81–102.
#   https://doi.org/10.1016/0095-0696(78)90006-2 (the Boston housing data)
# - Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine.
#   *Annals of Statistics* 29(5), 1189–1232. https://doi.org/10.1214/aos/1013203451
# - Goldstein, A., Kapelner, A., Bleich, J., & Pitkin, E. (2015). Peeking inside the black box:
#   visualizing statistical learning with plots of individual conditional expectation.
#   *Journal of Computational and Graphical Statistics* 24(1), 44–65.
#   https://arxiv.org/abs/1309.6392, https://doi.org/10.1080/10618600.2014.907095
# - Apley, D. W., & Zhu, J. (2020). Visualizing the effects of predictor variables in black box
#   supervised learning models. *Journal of the Royal Statistical Society: Series B* 82(4),
#   1059–1086. https://arxiv.org/abs/1612.08468, https://doi.org/10.1111/rssb.12377
# - Hooker, G., Mentch, L., & Zhou, S. (2021). Unrestricted permutation forces extrapolation:
#   variable importance requires at least one more model, or there is no free variable
#   importance. *Statistics and Computing* 31, 82. https://arxiv.org/abs/1905.03151
# - Zhao, Q., & Hastie, T. (2021). Causal interpretations of black-box models. *Journal of
#   Business & Economic Statistics* 39(1), 272–281.
#   https://doi.org/10.1080/07350015.2019.1624293
# - Molnar, C., König, G., Herbinger, J., Freiesleben, T., Dandl, S., Scholbeck, C. A.,
#   Casalicchio, G., Grosse-Wentrup, M., & Bischl, B. (2022). General pitfalls of model-agnostic
#   interpretation methods for machine learning models. In *xxAI — Beyond Explainable AI*,
#   LNCS 13200, 39–68. https://arxiv.org/abs/2007.04131
# - Friedman, J. H., & Popescu, B. E. (2008). Predictive learning via rule ensembles. *Annals of
#   Applied Statistics* 2(3), 916–954 (the H-statistic for interactions).
#   https://doi.org/10.1214/07-AOAS148
# - Molnar, C. (2022). *Interpretable Machine Learning* (2nd ed.), chapters on PDP, ICE and ALE.
#   https://christophm.github.io/interpretable-ml-book/
# - Efron, B., Hastie, T., Johnstone, I., & Tibshirani, R. (2004). Least angle regression.
#   *Annals of Statistics* 32(2), 407–499 (source of the diabetes data).
#   https://doi.org/10.1214/009053604000000067
# - scikit-learn user guide: partial dependence and individual conditional expectation plots.
#   https://scikit-learn.org/stable/modules/partial_dependence.html
# - scikit-learn API: `sklearn.inspection.partial_dependence` and `PartialDependenceDisplay`.
#   https://scikit-learn.org/stable/api/sklearn.inspection.html
