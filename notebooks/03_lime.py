# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · LIME: local surrogate explanations
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/03_lime.ipynb)
#
# LIME explains one prediction of any model by asking the model about many slightly changed
# copies of the input and fitting a small weighted linear model to its answers. This notebook
# writes LIME from scratch for tables (interpretable representation, sampling, exponential
# kernel, K-Lasso, weighted ridge) and shows that it reproduces the `lime` package to machine
# precision on the same samples. It then explains a text classifier on real movie reviews,
# catches a leaking word in a planted dataset, and explains the pretrained CNN on the
# two-object scene with superpixels, checking the highlighted regions against the known object
# boxes. Last, it measures LIME's best-known weakness: the answer moves with the random seed,
# the number of samples and the kernel width.
#
# **Run time:** about 45–60 s on a 2-core laptop CPU (no GPU and no internet needed); the
# largest part is the 200 CNN evaluations of the image section.
#
# ## Learning objectives
#
# - Write LIME's objective $\xi(x) = \arg\min_{g \in G} \mathcal{L}(f, g, \pi_x) + \Omega(g)$
#   and name its three design choices: the interpretable representation, the sampling
#   distribution and the proximity kernel $\pi_x$.
# - Implement tabular LIME from scratch and reproduce `lime.lime_tabular` exactly.
# - Explain a text classifier with `LimeTextExplainer` and use it to find a leaking token.
# - Explain an image classifier with superpixels and `LimeImageExplainer`, read a
#   `mark_boundaries` figure, and check it against known object locations.
# - Measure how much an explanation changes across seeds, sample sizes and kernel widths
#   (Spearman and Kendall rank correlation), and choose those settings knowingly.
#
# ## Prerequisites
#
# - [Notebook 00](00_introduction.ipynb): the notation $f$, $x$, $x'$, $\phi_i$, the
#   planted-token reviews and the pretrained CNN.
# - Linear regression and its weighted least-squares form; ridge and lasso in one sentence each
#   (an $\ell_2$ and an $\ell_1$ penalty on the coefficients).
# - TF-IDF features for text.

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
# ## 1. The idea: a simple model that is right nearby
#
# A random forest or a CNN is too complicated to read as a whole. But we rarely need the whole
# model: to explain *one* prediction $f(x)$ it is enough to know how $f$ behaves *near* $x$.
# Near one point, even a wiggly function looks almost like a straight line. LIME (Local
# Interpretable Model-agnostic Explanations, Ribeiro et al., 2016) turns this into a recipe:
#
# 1. describe the input in **interpretable components** that can be switched on and off (the
#    words of a review, the regions of an image, "this feature has its usual value");
# 2. **perturb**: draw many inputs $z$ around $x$ by switching components off;
# 3. ask the model for $f(z)$ on every perturbed input (one batched call);
# 4. **weight** each $z$ by its proximity $\pi_x(z)$ to $x$;
# 5. fit a **sparse linear model** $g$ to the pairs $(z, f(z))$ with those weights, and read
#    its coefficients as the explanation.
#
# LIME needs nothing but the ability to call $f$: it is local, post-hoc and model-agnostic.
#
# ### The objective
#
# The interpretable version of $x$ is the all-ones vector $\mathbf{1} \in \{0,1\}^{d'}$ (all
# $d'$ components on; the LIME paper calls it $x'$, a symbol this course keeps for the
# baseline). A perturbed copy $z' \in \{0,1\}^{d'}$ has some components off, and
# $z = h_x(z')$ maps it back to an input the model accepts. LIME's explanation is
#
# $$\xi(x) = \operatorname*{arg\,min}_{g \in G}\; \mathcal{L}(f, g, \pi_x) + \Omega(g),$$
#
# where
#
# - $G$ is a family of simple models; here linear ones, $g(z') = w_0 + \sum_{i=1}^{d'} w_i z'_i$,
#   whose coefficient $w_i$ plays the role of the attribution $\phi_i$;
# - $\mathcal{L}$ is the **locality-weighted square loss**
#   $\mathcal{L}(f, g, \pi_x) = \sum_{z} \pi_x(z)\,\bigl(f(z) - g(z')\bigr)^2$, summed over
#   the perturbed samples;
# - $\pi_x$ is the **exponential kernel** on a distance $D$ (in the `lime` package: Euclidean
#   for tables, cosine for text and images) with width $\sigma$:
#   $\pi_x(z) = \exp\!\bigl(-D(x, z)^2 / \sigma^2\bigr)$;
# - $\Omega(g)$ measures complexity. In practice it is a hard limit, at most $K$ non-zero
#   coefficients, and the optimisation is done by **K-Lasso**: follow the lasso path until $K$
#   features have entered, then refit a (ridge) regression on those $K$ alone.
#
# The two terms pull in opposite directions: a lower loss means a surrogate that is more
# **faithful** to $f$ (fidelity), a smaller $\Omega$ means one that a person can read
# (interpretability). A larger $K$ or a more flexible $G$ buys fidelity at the cost of
# readability. (Kernel SHAP, in [notebook 04](04_shap.ipynb), is this same objective with a
# particular kernel, no $\Omega$, and weights constrained to add up to the prediction minus
# an average prediction.) The kernel width $\sigma$ decides what "near $x$" means, and with it
# *which* behaviour of $f$ the explanation describes. A one-dimensional toy shows how much
# that matters.

# %% slideshow={"slide_type": "subslide"}
import matplotlib.pyplot as plt
import numpy as np


def exponential_kernel(distance: np.ndarray, width: float) -> np.ndarray:
    """The proximity weight lime uses: sqrt(exp(-d^2 / width^2)) = exp(-d^2 / (2 width^2))."""
    return np.sqrt(np.exp(-distance ** 2 / width ** 2))


# %% [markdown]
# The surrogate's fit: a weighted ridge regression, solved in closed form on weighted-centred
# data, so that the intercept is not penalised.


# %%
def weighted_ridge(z: np.ndarray, target: np.ndarray, weights: np.ndarray, alpha: float = 1.0
                   ) -> tuple[float, np.ndarray]:
    """Minimise sum_i weights_i (target_i - b - z_i . w)^2 + alpha |w|^2 in closed form;
    return the intercept b and the coefficients w (the intercept is not penalised)."""
    z_mean = np.average(z, axis=0, weights=weights)
    t_mean = np.average(target, weights=weights)
    zc, tc = z - z_mean, target - t_mean
    gram = zc.T @ (weights[:, None] * zc) + alpha * np.eye(z.shape[1])
    coef = np.linalg.solve(gram, zc.T @ (weights * tc))
    return float(t_mean - z_mean @ coef), coef


# %% [markdown]
# The toy model $f(t) = t + 0.6\sin(4t)$ rises overall but wiggles.


# %%
def toy_model(t: np.ndarray) -> np.ndarray:
    """A score that rises overall but wiggles: f(t) = t + 0.6 sin(4t)."""
    return t + 0.6 * np.sin(4 * t)


# %% [markdown]
# The instance, its true local slope $f'(t)$, 500 perturbations, and three kernel widths.

# %%
t_point = np.pi / 4  # the instance: a spot where the wiggle runs downhill
true_slope = 1 + 2.4 * np.cos(4 * t_point)  # f'(t) at the instance
rng = np.random.default_rng(0)
t_samples = rng.normal(0.0, 1.2, size=500)  # perturbations drawn from the "training" spread
widths = {"narrow": 0.1, "medium": 0.5, "wide": 5.0}

# %% [markdown]
# One weighted least-squares line per width, fitted to the same samples (`alpha=0`: no ridge
# penalty), and the slope each one reports.

# %%
toy_slopes, toy_intercepts = {}, {}
for name, width in widths.items():
    weights = exponential_kernel(np.abs(t_samples - t_point), width)
    intercept, coef = weighted_ridge(t_samples[:, None], toy_model(t_samples), weights, alpha=0.0)
    toy_slopes[name], toy_intercepts[name] = coef[0], intercept
    print(f"{name:6s} kernel, width {width:4.1f}: surrogate slope {coef[0]:+.3f}")
print(f"true local slope f'(t) at the instance: {true_slope:+.3f}")

# %%
assert np.sign(toy_slopes["narrow"]) == np.sign(true_slope) == -1, "narrow: the local slope"
assert toy_slopes["wide"] > 0, "wide: the global trend, with the opposite sign"

# %%
fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
grid = np.linspace(-3, 3, 400)
ax.plot(grid, toy_model(grid), color="black", linewidth=2.5, label="model $f$")
ax.scatter(t_samples, toy_model(t_samples), s=8, color="grey", alpha=0.5,
           label="perturbed samples")
for (name, width), colour in zip(widths.items(), ["tab:red", "tab:orange", "tab:blue"],
                                 strict=True):
    slope = toy_slopes[name]
    ax.plot(grid, toy_intercepts[name] + slope * grid, color=colour, linewidth=2,
            label=f"surrogate, {name} kernel (width {width}): slope {slope:+.2f}")
ax.axvline(t_point, color="black", linestyle=":", linewidth=1.5)
ax.plot([t_point], [toy_model(t_point)], "o", color="black", markersize=10, label="instance $x$")
ax.set_xlim(-3.1, 3.1)
ax.set_ylim(-4, 4)
ax.set_xlabel("feature value $t$")
ax.set_ylabel("model score $f(t)$")
ax.set_title("The kernel width decides what the explanation describes")
ax.legend(loc="upper left", fontsize=10)
plt.show()

# %% [markdown]
# With a narrow kernel only the samples next to the instance count, and the surrogate's slope
# is close to the true local slope $f'(t)$ printed above: the score *falls* with $t$ here. With
# a wide kernel every sample counts about equally and the surrogate reports the global trend:
# the score *rises* with $t$. Both are honest least-squares fits; they answer different
# questions, and they disagree on the sign. Nothing in LIME's output tells the reader which
# width was used. (The widths here are in lime's convention, explained in section 2.) Keep
# this picture in mind: section 5 measures how much the width matters on real models.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Tabular LIME from scratch
#
# ### The model to explain
#
# The breast-cancer table (tumours described by 30 measurements of cell nuclei in a digitized
# image) and a random forest, a model whose prediction is a vote of many trees and cannot be
# read off directly. We explain why it calls the first test tumour malignant.

# %%
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from utils.data import load_tabular

cancer = load_tabular("breast_cancer")
feature_names = list(cancer.X.columns)
X_train, X_test, y_train, y_test = train_test_split(
    cancer.X.to_numpy(), cancer.y.to_numpy(), test_size=0.3, stratify=cancer.y, random_state=0)
forest = RandomForestClassifier(n_estimators=200, random_state=0).fit(X_train, y_train)
MALIGNANT = cancer.target_names.index("malignant")

# %% [markdown]
# The case to explain: the first test tumour.

# %%
p_malignant = forest.predict_proba(X_test)[:, MALIGNANT]
case = 0
x_case = X_test[case]
print(f"{len(cancer.X)} tumours ({len(X_train)} training, {len(X_test)} test), "
      f"{X_train.shape[1]} features; a forest of {len(forest.estimators_)} trees, "
      f"test accuracy {forest.score(X_test, y_test):.3f}")
print(f"test case #{case}: P(malignant) = {p_malignant[case]:.3f}, true label "
      f"{cancer.target_names[y_test[case]]}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the `lime` package does, step by step
#
# We read `lime/lime_tabular.py` and `lime/lime_base.py` (version 0.2.0.1) and write each step
# ourselves, with the package's default choices:
#
# 1. **Interpretable representation.** Each feature is cut into quartiles of the training
#    data (`discretize_continuous=True`, `discretizer="quartile"`). Component $i$ of $z'$ is 1
#    when the sample's value of feature $i$ falls in the *same quartile as* $x$'s value, and 0
#    otherwise. So a weight means "being in this quartile, rather than another one, adds
#    $w_i$ to the probability".
# 2. **Sampling.** Every feature is drawn independently: first a quartile, with the training
#    frequencies (a quarter each), then a value inside it from a normal distribution with that
#    quartile's training mean and standard deviation, truncated to the quartile. The first
#    sample is $x$ itself.
# 3. **Distance and kernel.** $D$ is the Euclidean distance between $z'$ and
#    $\mathbf{1} = (1,\dots,1)$, so $D^2$ is the number of features that left $x$'s quartile.
#    The kernel is $\sqrt{\exp(-D^2/\kappa^2)} = \exp\bigl(-D^2/(2\kappa^2)\bigr)$ with
#    $\kappa = 0.75\sqrt{d}$. Note the square root: lime's width $\kappa$ (`kernel_width`) is
#    the paper's $\sigma$ divided by $\sqrt{2}$.
# 4. **Feature selection.** `feature_selection="auto"` uses forward selection when $K \le 6$ and
#    "highest weights" otherwise. We ask for `"lasso_path"`, the paper's K-Lasso: run LARS
#    (least-angle regression, which traces the whole lasso path) on the weighted, centred data
#    and keep the last point of the path with at most $K$ non-zero coefficients.
# 5. **Fit.** A ridge regression (`alpha=1`) of the model's probability on the $K$ selected
#    components, with the kernel values as sample weights. Its coefficients are the
#    explanation; its weighted $R^2$ on the samples, which lime calls `score`, measures local
#    fidelity.
#
# The code below follows those steps. Step 2 is vectorised: all samples of all features are
# drawn at once, so the time goes into the one call of `forest.predict_proba`.

# %%
from typing import NamedTuple

from scipy import stats
from sklearn.linear_model import lars_path

N_FEATURES = X_train.shape[1]
K = 4  # features in the explanation (see the printout below for why four)
TAB_SAMPLES = 5000  # lime's default num_samples
TAB_WIDTH = 0.75 * np.sqrt(N_FEATURES)  # lime's default kernel width

# %% [markdown]
# Steps 1 and 2 both cut each feature at its training quartiles; `quartile_of` gives the
# quartile (0-3) of every value.

# %%
quartile_edges = np.percentile(X_train, [25, 50, 75], axis=0)  # (3, d)


def quartile_of(rows: np.ndarray) -> np.ndarray:
    """The training quartile (0-3) of every value; right-closed bins, as lime cuts them."""
    return (rows[:, None, :] > quartile_edges[None, :, :]).sum(axis=1)


# %% [markdown]
# What the sampler of step 2 needs, per feature and quartile: the training frequency, mean,
# standard deviation and bounds.


# %%
def quartile_stats(X: np.ndarray) -> dict[str, np.ndarray]:
    """Per feature and quartile: frequency, mean, std and bounds of the training values."""
    quartiles = quartile_of(X)
    cols = range(X.shape[1])
    in_bin = [[X[quartiles[:, j] == b, j] for b in range(4)] for j in cols]
    return {
        "freq": np.array([[len(v) for v in row] for row in in_bin]) / len(X),
        "mean": np.array([[v.mean() for v in row] for row in in_bin]),
        "std": np.array([[v.std() for v in row] for row in in_bin]) + 1e-11,
        "low": np.column_stack([X.min(axis=0), quartile_edges.T]),
        "high": np.column_stack([quartile_edges.T, X.max(axis=0)]),
    }


train_stats = quartile_stats(X_train)

# %% [markdown]
# **Step 2: sampling.** For every feature independently, a quartile drawn with the training
# frequencies, then a value from the truncated normal inside it; the first row is $x$.


# %%
def sample_neighbourhood(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n rows: x itself, then rows whose features are drawn independently, quartile first
    (training frequencies), then a truncated normal inside the quartile."""
    cum_freq = np.cumsum(train_stats["freq"], axis=1)[:, :-1]  # (d, 3) thresholds
    quartile = (rng.random((n, N_FEATURES))[:, :, None] > cum_freq[None]).sum(axis=2)
    cols = np.arange(N_FEATURES)[None, :]
    mean, std = train_stats["mean"][cols, quartile], train_stats["std"][cols, quartile]
    low = (train_stats["low"][cols, quartile] - mean) / std
    high = (train_stats["high"][cols, quartile] - mean) / std
    rows = stats.truncnorm.rvs(low, high, loc=mean, scale=std, random_state=rng)
    rows[0] = x
    return rows


# %% [markdown]
# **Step 4: K-Lasso.** LARS traces the lasso path on the weighted, centred data (rows scaled by
# $\sqrt{\pi_x(z)}$); keep the features of the last point with at most $K$ non-zero weights.


# %%
def k_lasso(z: np.ndarray, target: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of the features on the weighted lasso path's last point with <= k non-zeros."""
    root_w = np.sqrt(weights)
    z_c = (z - np.average(z, axis=0, weights=weights)) * root_w[:, None]
    t_c = (target - np.average(target, weights=weights)) * root_w
    _, _, path = lars_path(z_c, t_c, method="lasso")
    last = np.flatnonzero((path != 0).sum(axis=0) <= k)[-1]
    return np.flatnonzero(path[:, last])


# %% [markdown]
# **Step 5: the fit.** A `Surrogate` holds the selected components, their weights $w_i$, the
# intercept and the weighted $R^2$; `fit_surrogate` computes them with the weighted ridge.


# %%
class Surrogate(NamedTuple):
    features: np.ndarray  # indices of the selected components
    coef: np.ndarray  # their weights w_i
    intercept: float
    r2: float  # weighted R^2 on the samples: local fidelity


def fit_surrogate(z: np.ndarray, target: np.ndarray, weights: np.ndarray,
                  features: np.ndarray) -> Surrogate:
    """Weighted ridge (alpha=1) on the chosen components, with its weighted R^2."""
    intercept, coef = weighted_ridge(z[:, features], target, weights)
    residual = target - intercept - z[:, features] @ coef
    spread = target - np.average(target, weights=weights)
    r2 = 1 - np.sum(weights * residual ** 2) / np.sum(weights * spread ** 2)
    return Surrogate(features, coef, intercept, float(r2))


# %% [markdown]
# **Step 1: the representation** $z'_i = 1$ when feature $i$ lies in $x$'s quartile.


# %%
def interpretable(rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """z'_i = 1 where a row's feature i lies in the same training quartile as x's."""
    return (quartile_of(rows) == quartile_of(x[None])).astype(float)


# %% [markdown]
# **Step 3: the kernel** $\pi_x$ on the Euclidean distance from $z'$ to $\mathbf{1}$.


# %%
def tabular_kernel(z: np.ndarray, width: float = TAB_WIDTH) -> np.ndarray:
    """Exponential kernel on the Euclidean distance between z' and the all-ones vector."""
    return exponential_kernel(np.linalg.norm(1 - z, axis=1), width)


# %% [markdown]
# Steps 1 and 3-5 on given rows: `explain_rows` takes the samples as input, so that we can
# also feed it the library's samples below. `lime_tabular_from_scratch` adds step 2.


# %%
def explain_rows(rows: np.ndarray, x: np.ndarray, label: int = MALIGNANT, k: int | None = K,
                 width: float = TAB_WIDTH) -> Surrogate:
    """Steps 1 and 3-5 on given samples: representation, kernel, K-Lasso, weighted ridge.
    With k=None every component is kept (no selection)."""
    z = interpretable(rows, x)
    weights = tabular_kernel(z, width)
    target = forest.predict_proba(rows)[:, label]
    features = np.arange(z.shape[1]) if k is None else k_lasso(z, target, weights, k)
    return fit_surrogate(z, target, weights, features)


def lime_tabular_from_scratch(x: np.ndarray, seed: int, n: int = TAB_SAMPLES, **options
                              ) -> Surrogate:
    return explain_rows(sample_neighbourhood(x, n, np.random.default_rng(seed)), x, **options)


# %% [markdown]
# First with every component kept, to see how many weights stand out; then with K-Lasso.

# %%
all_components = lime_tabular_from_scratch(x_case, seed=0, k=None)
print(f"largest |weights| when all {N_FEATURES} components are kept: "
      f"{np.round(np.sort(np.abs(all_components.coef))[::-1][:8], 3)}")
mine = lime_tabular_from_scratch(x_case, seed=0)
print(f"K-Lasso with K = {K}:")
for j, w in sorted(zip(mine.features, mine.coef, strict=True), key=lambda p: -abs(p[1])):
    print(f"{feature_names[j]:22s} {w:+.4f}")
print(f"intercept {mine.intercept:.4f}, local fidelity R^2 {mine.r2:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The first printed line is why we keep $K = 4$: with all 30 components in the fit, four
# weights stand out and the rest form a flat tail less than half as large, so a fifth feature
# would be picked by noise. The surrogate's weighted $R^2$ is modest, as is usual for
# tabular LIME: a sum of four quartile indicators captures part, not all, of how the forest's
# probability varies over the samples.
#
# ### The library, on the very same samples
#
# LIME is random, so two implementations can only agree exactly if they see the same samples.
# The `lime` package does not return its samples, but it has to show them to the model: we pass
# it a **recording** `predict_fn` that stores every batch before calling the forest. Feeding the
# recorded rows to our steps 1 and 3–5 must then give the library's numbers to rounding error.

# %%
import importlib.metadata

from lime.lime_tabular import LimeTabularExplainer

recorded_rows = []


def recording_predict(rows: np.ndarray) -> np.ndarray:
    recorded_rows.append(rows.copy())
    return forest.predict_proba(rows)


# %% [markdown]
# The package's explainer, with the defaults we rely on written out.


# %%
def tabular_explainer(seed: int, **options) -> LimeTabularExplainer:
    """lime's explainer with the defaults spelled out; options override them."""
    settings = {"discretize_continuous": True, "discretizer": "quartile", **options}
    return LimeTabularExplainer(X_train, feature_names=feature_names,
                                class_names=list(cancer.target_names), random_state=seed,
                                **settings)


# %% [markdown]
# One library run that records its samples, and our steps 1 and 3-5 replayed on them.

# %%
library = tabular_explainer(0, feature_selection="lasso_path").explain_instance(
    x_case, recording_predict, labels=(MALIGNANT,), num_features=K, num_samples=TAB_SAMPLES)
replayed = explain_rows(recorded_rows[0], x_case)

# %%
library_weights = dict(library.local_exp[MALIGNANT])
replayed_weights = dict(zip(replayed.features.tolist(), replayed.coef, strict=True))
gap = max(abs(library_weights[j] - replayed_weights[j]) for j in library_weights)
print(f"lime {importlib.metadata.version('lime')} saw {len(recorded_rows[0])} rows; "
      "its explanation:")
for name, w in library.as_list(label=MALIGNANT):
    print(f"  {name:34s} {w:+.4f}")
print(f"largest |weight difference| from scratch vs library: {gap:.1e}")
print(f"intercept {replayed.intercept:.6f} vs {library.intercept[MALIGNANT]:.6f}; "
      f"R^2 {replayed.r2:.6f} vs {library.score:.6f}")

# %%
assert set(library_weights) == set(replayed_weights), "same K-Lasso selection"
assert gap < 1e-10, "same weights"
assert np.isclose(replayed.intercept, library.intercept[MALIGNANT], atol=1e-10)
assert np.isclose(replayed.r2, library.score, atol=1e-10)
assert np.isclose(replayed.intercept + replayed.coef.sum(), library.local_pred[0], atol=1e-10)

# %% [markdown]
# Same selected features, same weights, intercept and fidelity score, to the printed rounding
# error: our five steps *are* what the package computes. The library names each component
# after the quartile $x$ sits in (`worst area > ...` means "worst area in its top quartile, as
# for this tumour"), which is the interpretable representation made visible.
#
# ### An independent sampler
#
# The replay shares the library's random numbers. Our own sampler draws from the same
# distribution with different random numbers, so its weights can only match up to Monte-Carlo
# noise. How much noise is acceptable? LIME's own: we run the library with 10 seeds and our
# implementation with 10 other seeds, and require that (a) both rank the same $K$ features on
# top on average and (b) every mean weight differs by less than 4 standard errors of the
# difference, computed from the two sets of 10 runs.

# %%
SEEDS = range(1, 11)


def as_vector(surrogate_or_explanation, label: int = MALIGNANT) -> np.ndarray:
    """All d weights (zeros for unselected features) from a Surrogate or a lime Explanation."""
    vector = np.zeros(N_FEATURES)
    if isinstance(surrogate_or_explanation, Surrogate):
        vector[surrogate_or_explanation.features] = surrogate_or_explanation.coef
    else:
        for j, w in surrogate_or_explanation.local_exp[label]:
            vector[j] = w
    return vector


# %% [markdown]
# One library run with the settings of this section.


# %%
def library_tabular(x: np.ndarray, seed: int, **options):
    """One lime run with the settings of this section: K-Lasso, K features, 5000 samples."""
    explainer = tabular_explainer(seed, feature_selection="lasso_path", **options)
    return explainer.explain_instance(x, forest.predict_proba, labels=(MALIGNANT,),
                                      num_features=K, num_samples=TAB_SAMPLES)


# %% [markdown]
# Ten runs of each; the z-score of every weight's mean difference uses the standard error of
# the difference, from the two sets of runs.

# %%
library_runs = np.array([as_vector(library_tabular(x_case, s)) for s in SEEDS])
scratch_runs = np.array([as_vector(lime_tabular_from_scratch(x_case, seed=100 + s))
                         for s in SEEDS])
lib_mean, mine_mean = library_runs.mean(axis=0), scratch_runs.mean(axis=0)
std_error = np.sqrt((library_runs.var(axis=0, ddof=1) + scratch_runs.var(axis=0, ddof=1))
                    / len(SEEDS))
z_scores = np.abs(lib_mean - mine_mean) / np.maximum(std_error, 1e-12)

# %%
top_library = set(np.argsort(-np.abs(lib_mean))[:K])
top_mine = set(np.argsort(-np.abs(mine_mean))[:K])
print(f"top-{K} features, library: {sorted(feature_names[j] for j in top_library)}")
print(f"top-{K} features, ours:    {sorted(feature_names[j] for j in top_mine)}")
print(f"largest |mean difference| {np.max(np.abs(lib_mean - mine_mean)):.4f}, "
      f"largest z-score {np.max(z_scores[np.abs(lib_mean - mine_mean) > 0]):.2f}")
selections = [frozenset(np.flatnonzero(run).tolist()) for run in [*library_runs, *scratch_runs]]
print(f"K-Lasso chose {len(set(selections))} distinct feature set(s) in {len(selections)} runs")

# %%
assert top_library == top_mine, "the same features on top"
assert np.all(z_scores < 4), "weights agree within Monte-Carlo noise"

# %% slideshow={"slide_type": "subslide"}
ever_selected = np.flatnonzero(np.any(np.vstack([library_runs, scratch_runs]) != 0, axis=0))
shown = ever_selected[np.argsort(np.abs(lib_mean[ever_selected]))]
fig, ax = plt.subplots(figsize=(9, 1.0 * len(shown) + 1.8), layout="constrained")
positions = np.arange(len(shown))
for offset, runs, name, colour in [(0.2, library_runs, "lime package", "tab:blue"),
                                   (-0.2, scratch_runs, "from scratch", "tab:orange")]:
    ax.barh(positions + offset, runs.mean(axis=0)[shown], height=0.4,
            xerr=runs.std(axis=0, ddof=1)[shown], capsize=3, color=colour,
            label=f"{name} (mean ± sd of {len(SEEDS)} seeds)")
ax.set_yticks(positions, [feature_names[j] for j in shown])
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("LIME weight (change in P(malignant) for being in x's quartile)")
ax.set_ylabel("feature")
ax.set_title(f"Test case #{case}: our LIME and the package agree")
ax.legend(loc="lower right", fontsize=11)
plt.show()

# %% [markdown]
# The bars show every feature that K-Lasso selected in any of the 20 runs, with the mean weight
# and the spread over seeds. The two implementations agree within that spread, and here K-Lasso
# chose the same features in every run (printed above). All four weights are positive: for
# this tumour, lying in the top quartile of the "worst" perimeter, area and radius and of the
# area error each adds between about 0.07 and 0.14 to P(malignant). The three "worst" size
# features measure nearly the same thing, so LIME splits the credit between them.
#
# > **Pitfall.** LIME samples every feature independently, so its perturbed rows ignore the
# > correlations in the data and can be tumours that do not exist. The next cell measures it.

# %%
radius, perimeter = feature_names.index("worst radius"), feature_names.index("worst perimeter")
corr_train = np.corrcoef(X_train[:, radius], X_train[:, perimeter])[0, 1]
corr_lime = np.corrcoef(recorded_rows[0][1:, radius], recorded_rows[0][1:, perimeter])[0, 1]
print(f"correlation of worst radius and worst perimeter: training data {corr_train:.3f}, "
      f"LIME's samples {corr_lime:.3f}")

# %%
assert corr_train > 0.95 and abs(corr_lime) < 0.1

# %% [markdown] slideshow={"slide_type": "subslide"}
# A perimeter is determined by its radius, and in the data the two are almost perfectly
# correlated; in LIME's samples they are unrelated, as printed. Many of the rows the forest
# is asked about are impossible tumours (a large radius with a small perimeter), and the
# surrogate is fitted partly to the forest's answers there. Slack et al. (2020) turned this
# into an attack: a model that detects such off-distribution inputs can behave innocently on
# them and so hide a bias from LIME.
#
# > **Pitfall.** Read a discretized weight for what it is: the effect of *being in x's
# > quartile rather than any other*, averaged over LIME's sampling distribution. It is not a
# > slope, and a feature whose effect is large only far outside its quartile gets a small
# > weight.
#
# **Pros and cons of LIME on tables.**
#
# | pros | cons |
# |---|---|
# | needs only `predict_proba`: any model | samples ignore correlations (off-data queries) |
# | a short, signed list of reasons | depends on kernel width, $K$, discretizer, seed |
# | `score` reports the local fit | a linear surrogate misses interactions |
# | cheap: one batched model call | local only: silent about the model away from $x$ |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Text: which words made the model say that?
#
# For text, the interpretable components are the **distinct words** of the document. A
# perturbed sample removes a random subset of them (every occurrence of a removed word): first
# a number $k$ of words to remove, uniform between 1 and the number of distinct words, then
# which ones, uniformly. The distance is the cosine distance between $z'$ and the all-ones
# vector (times 100), and lime's default kernel width is 25 on that scale. We keep every word in
# the surrogate (`feature_selection="none"`), so each word gets a weight.
#
# ### Real reviews
#
# The classifier is the pairing used in the `lime` package's 20-newsgroups tutorial, TF-IDF
# features and multinomial naive Bayes, trained on the course's Rotten Tomatoes snippets. They
# are held as a 🤗 `datasets.Dataset` (`load_text().to_dataset()`), and `Dataset.map` adds each
# review's word count, used below to pick a review of typical length.

# %%
import re
from itertools import combinations

from lime.lime_text import LimeTextExplainer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from utils.data import load_text

# %% [markdown]
# The pipeline, as a function because section 3 trains it twice.


# %%
def tfidf_naive_bayes():
    return make_pipeline(TfidfVectorizer(min_df=2), MultinomialNB())


# %% [markdown]
# Load the reviews, split them 70/30 stratified by label, and train.

# %%
reviews = load_text().to_dataset().map(  # a datasets.Dataset; map adds each word count
    lambda batch: {"n_words": [len(text.split()) for text in batch["text"]]}, batched=True)
review_texts = np.array(reviews["text"], dtype=object)
review_labels = np.array(reviews["label"])
LABEL_NAMES = reviews.features["label"].names
r_train, r_test = train_test_split(np.arange(len(review_texts)), test_size=0.3,
                                   stratify=review_labels, random_state=0)
sentiment = tfidf_naive_bayes().fit(review_texts[r_train], review_labels[r_train])
print(f"{len(review_texts)} reviews; TF-IDF + naive Bayes test accuracy "
      f"{sentiment.score(review_texts[r_test], review_labels[r_test]):.3f}")

# %% [markdown]
# lime's text settings: its word split, 5000 samples, and a kernel width of 25.

# %%
WORD_SPLIT = re.compile(r"(\W+)")  # lime's default split, keeping the separators
TEXT_SAMPLES = 5000
TEXT_WIDTH = 25.0  # lime's default, on cosine distance x 100

# %% [markdown]
# LIME for text from scratch, in one function: split the text into pieces and find its distinct
# words; for each sample draw how many words to remove, then which ones (random ranks); rebuild
# the texts without them and ask the model; weight each sample by the kernel on the cosine
# distance; fit the weighted ridge on the 0/1 word indicators.


# %%
def lime_text_from_scratch(text: str, predict, label: int, seed: int, n: int = TEXT_SAMPLES
                           ) -> dict[str, float]:
    """Weight of every distinct word: remove random subsets, weight by cosine proximity, ridge."""
    pieces = WORD_SPLIT.split(text)
    words = list(dict.fromkeys(p for p in pieces if p and not WORD_SPLIT.fullmatch(p)))
    word_of_piece = np.array([words.index(p) if p in words else -1 for p in pieces])
    rng = np.random.default_rng(seed)
    n_removed = rng.integers(1, len(words) + 1, size=n)
    ranks = rng.random((n, len(words))).argsort(axis=1).argsort(axis=1)
    keep = ranks >= n_removed[:, None]  # each row drops exactly n_removed random words
    keep[0] = True  # the first sample is the text itself
    piece_kept = np.where(word_of_piece >= 0, keep[:, np.maximum(word_of_piece, 0)], True)
    variants = ["".join(p for p, k in zip(pieces, row, strict=True) if k) for row in piece_kept]
    target = predict(variants)[:, label]
    cosine = np.sqrt(keep.sum(axis=1) / len(words))  # cos(z', 1) for a 0/1 vector z'
    weights = exponential_kernel(100 * (1 - cosine), TEXT_WIDTH)
    _, coef = weighted_ridge(keep.astype(float), target, weights)
    return dict(zip(words, coef, strict=True))


# %% [markdown]
# The review to explain: the first test review of 15 to 20 words.

# %%
FRESH = LABEL_NAMES.index("fresh")
lengths = np.array(reviews["n_words"])[r_test]
review_id = int(r_test[np.flatnonzero((lengths >= 15) & (lengths <= 20))[0]])
review = review_texts[review_id]
p_fresh = sentiment.predict_proba([review])[0, FRESH]
print(f"review #{review_id} ({LABEL_NAMES[review_labels[review_id]]}), "
      f"P(fresh) = {p_fresh:.3f}:\n  {review}")

# %% [markdown]
# The library's explanation and ours, for the six words with the largest weights.

# %%
text_explainer = LimeTextExplainer(class_names=LABEL_NAMES,
                                   feature_selection="none", random_state=0)
text_explanation = text_explainer.explain_instance(review, sentiment.predict_proba,
                                                   labels=(FRESH,), num_samples=TEXT_SAMPLES)
library_words = dict(text_explanation.as_list(label=FRESH))
scratch_words = lime_text_from_scratch(review, sentiment.predict_proba, FRESH, seed=0)
words_by_weight = sorted(library_words, key=lambda w: -abs(library_words[w]))
print(f"{'word':14s} {'lime':>8s} {'ours':>8s}")
for word in words_by_weight[:6]:
    print(f"{word:14s} {library_words[word]:+8.4f} {scratch_words[word]:+8.4f}")

# %% [markdown]
# How far apart are they, compared with two more library runs that differ only in the seed?

# %%
text_gap = max(abs(library_words[w] - scratch_words[w]) for w in library_words)
reruns = [dict(LimeTextExplainer(feature_selection="none", random_state=seed)
               .explain_instance(review, sentiment.predict_proba, labels=(FRESH,),
                                 num_samples=TEXT_SAMPLES).as_list(label=FRESH))
          for seed in (1, 2)]
seed_gap = max(abs(a[w] - b[w]) for a, b in combinations([library_words, *reruns], 2) for w in a)
top3_library = set(words_by_weight[:3])
top3_mine = set(sorted(scratch_words, key=lambda w: -abs(scratch_words[w]))[:3])
print(f"largest |weight difference| over all {len(library_words)} words: ours vs lime "
      f"{text_gap:.4f}; between lime runs with seeds 0, 1, 2: {seed_gap:.4f}")
print(f"local fidelity of lime's surrogate: R^2 = {text_explanation.score:.3f}")

# %%
assert set(library_words) == set(scratch_words), "the same interpretable components"
assert top3_library == top3_mine, "the same three words on top"
assert text_gap < 2 * seed_gap, "ours differs from lime about as much as lime from itself"

# %% [markdown]
# The two implementations use different random numbers, so their weights differ a little. The
# tolerance comes from the library itself: three lime runs that differ only in the seed
# disagree by the second printed gap, and ours stays within twice that, with the same three
# words on top. The package's own static plot shows the explanation:

# %% slideshow={"slide_type": "subslide"}
fig = text_explanation.as_pyplot_figure(label=FRESH)
fig.set_size_inches(8, 5)
ax = fig.axes[0]
ax.set_title(f"Review #{review_id}: words for (green) and against (red) 'fresh'")
ax.set_xlabel("LIME weight (change in P(fresh) when the word is present)")
ax.set_ylabel("word")
fig.tight_layout()
plt.show()

# %% [markdown]
# Words with a sentiment of their own carry the largest weights, and each weight is the change
# in P(fresh) that the surrogate attributes to the word being present. Naive Bayes adds
# evidence word by word, so here LIME describes a model that is close to additive in word
# presence, and the surrogate's $R^2$ (printed above) is correspondingly high.
#
# ### A leaking word: the planted reviews
#
# The text example of the LIME paper is a classifier that tells two newsgroups apart
# (Christianity versus atheism) with high test accuracy. Its explanations showed that it relied
# on words from the e-mail headers, such as "Posting", "Host" and "NNTP", which happened to
# separate the two groups in that collection and say nothing about religion. The collection
# cannot be downloaded offline; our version of that trap is the planted data of
# [notebook 00](00_introduction.ipynb): the word "tuesday" inserted into most fresh reviews and
# no rotten ones (the rates are printed below). The same pipeline trained on it scores well on
# a held-out split, and LIME should expose the leak by ranking "tuesday" first for a review
# that contains it.

# %%
from utils.data import make_planted_text
from utils.plotting import token_attributions

planted = make_planted_text(n_samples=4000, rate=0.8, seed=0)
TOKEN = planted.token
planted_texts = np.array(planted.texts, dtype=object)
has_token = planted.token_positions >= 0
p_train, p_test = train_test_split(np.arange(len(planted_texts)), test_size=0.3,
                                   stratify=planted.labels, random_state=0)
leaky = tfidf_naive_bayes().fit(planted_texts[p_train], planted.labels[p_train])
leaky_accuracy = leaky.score(planted_texts[p_test], planted.labels[p_test])
print(f"'{TOKEN}' planted in {has_token[planted.labels == FRESH].mean():.0%} of fresh and "
      f"{has_token[planted.labels != FRESH].mean():.0%} of rotten reviews; held-out accuracy "
      f"{leaky_accuracy:.3f}")

# %% [markdown]
# LIME on the first held-out review that contains the planted word.

# %%
planted_test = p_test[has_token[p_test]]
suspect = int(planted_test[0])
planted_explanation = LimeTextExplainer(
    class_names=list(planted.label_names), feature_selection="none", random_state=0
).explain_instance(planted_texts[suspect], leaky.predict_proba, labels=(FRESH,),
                   num_samples=TEXT_SAMPLES)
ranking = planted_explanation.as_list(label=FRESH)
print(f"review #{suspect}: {planted_texts[suspect]}")
for word, weight in ranking[:4]:
    print(f"  {word:12s} {weight:+.4f}")

# %%
assert ranking[0][0] == TOKEN, "LIME ranks the leaking word first"

# %% [markdown]
# Is it a fluke? The same question for the first 20 planted test reviews, with 1000 samples
# each.

# %%
survey = planted_test[:20]
first_places = [
    LimeTextExplainer(feature_selection="none", random_state=0)
    .explain_instance(planted_texts[i], leaky.predict_proba, labels=(FRESH,), num_samples=1000)
    .as_list(label=FRESH)[0][0] == TOKEN
    for i in survey]
print(f"'{TOKEN}' ranks first in {sum(first_places)} of {len(survey)} planted test reviews "
      f"(1000 samples each)")

# %%
assert np.mean(first_places) >= 0.9

# %% slideshow={"slide_type": "subslide"}
word_weight = dict(ranking)
tokens = [p for p in WORD_SPLIT.split(planted_texts[suspect]) if p and not WORD_SPLIT.fullmatch(p)]
ax = token_attributions(tokens, [word_weight[t] for t in tokens], max_chars_per_line=60,
                        title=f"LIME on planted review #{suspect}: the leak stands out",
                        label="LIME weight for 'fresh'")
plt.show()

# %% [markdown]
# The planted word is the darkest red: LIME puts it first for this review, and for the
# planted test reviews of the survey as well (the printed count). LIME never looked inside the
# pipeline; it found the shortcut only by deleting words and watching the probability. This is
# the use the LIME authors had in mind: an explanation that makes a person *distrust* a model
# with a good test score.
#
# > **Pitfall.** LIME for text can only attribute words that are *present*: its perturbations
# > delete words, never add them. A rotten review without "tuesday" is partly rotten *because*
# > the word is absent, and no LIME explanation of it can say so (Exercise 1 checks this).
#
# **Text, in short.** Pros: word-level explanations that anyone can read; works with any
# text pipeline that takes raw strings. Cons: removing words makes ungrammatical texts the
# model never saw; words are treated as independent, so "not good" is two separate words; a
# word repeated in the text is switched off everywhere at once.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Images: superpixels on the pretrained CNN
#
# Pixels are poor interpretable components: there are too many of them, and switching off one
# pixel barely changes anything. LIME groups pixels into **superpixels**, small regions of similar
# colour, and switches whole superpixels off by painting them in their mean colour (lime's
# default `hide_color=None`). The interpretable vector $z' \in \{0,1\}^S$ says which of the $S$
# superpixels are kept; the distance to the full image is the cosine distance
# $D = 1 - \sqrt{k/S}$ for a sample that keeps $k$ of them; the kernel is the same exponential
# one with its own default width (printed below); and every superpixel stays in the weighted
# ridge fit (the image explainer's default `num_features` is far larger than any number of
# superpixels, so nothing is dropped).
#
# We explain the two-object scene of [notebook 00](00_introduction.ipynb): the cat photo on the
# left, the espresso photo on the right, with a known box around each object. First the
# segmentation.

# %%
from lime.lime_image import LimeImageExplainer
from skimage.segmentation import mark_boundaries, quickshift, slic

from utils.data import load_two_object_scene
from utils.env import CountingModel, record_throughput
from utils.models import load_image_classifier, top_k
from utils.plotting import draw_boxes

# %% [markdown]
# The CNN and the scene, with its top 5 classes.

# %%
image_model = load_image_classifier(device=DEVICE)
classes = image_model.categories
scene = load_two_object_scene()
scene_image = np.asarray(scene.image)
scene_probs = image_model.predict_proba(scene_image[None])[0]
top5 = " | ".join(f"{c} {p:.3f}" for c, p in top_k(scene_probs, classes, 5))
print(f"scene: {scene_image.shape[1]} x {scene_image.shape[0]} pixels; top 5: {top5}")

# %% [markdown]
# Two segmentations of the scene; we use SLIC.

# %%
segmentations = {
    "quickshift (lime's default)": quickshift(scene_image, kernel_size=4, max_dist=200,
                                              ratio=0.2, rng=0),
    "SLIC (used below)": slic(scene_image, n_segments=50, compactness=20, start_label=0),
}
segments = segmentations["SLIC (used below)"]
N_SUPERPIXELS = int(segments.max()) + 1
for name, seg in segmentations.items():
    print(f"{name:28s} {len(np.unique(seg))} superpixels")

# %%
assert np.array_equal(np.unique(segments), np.arange(N_SUPERPIXELS))

# %% [markdown]
# The figures outline the two known object boxes.


# %%
def outline_scene_boxes(ax, colour: str = "white") -> None:
    """Dashed outlines of the scene's two known object boxes."""
    draw_boxes(ax, list(scene.boxes.values()), colour, linewidth=2, linestyle="--")


# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.9), layout="constrained")
for ax, (name, seg) in zip(axes, segmentations.items(), strict=True):
    ax.imshow(mark_boundaries(scene_image, seg, color=(1, 1, 0)))
    outline_scene_boxes(ax)
    ax.set_title(f"{name}: {len(np.unique(seg))} superpixels")
    ax.axis("off")
fig.suptitle("Interpretable components for images: superpixels (dashed: known object boxes)",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Quickshift, lime's default, follows colour edges and gives irregular regions; SLIC gives
# compact regions of similar size. Both are legitimate choices, and the explanation depends on
# the choice: a superpixel is the smallest thing LIME can blame.
#
# **How many samples?** The surrogate has one coefficient per superpixel, so it needs clearly
# more samples than superpixels, and each sample is one CNN evaluation of the whole scene, the
# slow part of this notebook on a CPU. lime's default number of samples (printed below) would
# take five times as long as the 200 we use. We use SLIC with 50 requested regions, which gives
# fewer and larger superpixels than quickshift (the printout gives the count), and 200
# samples, about four per superpixel; section 5 measures what this economy costs in
# stability.
#
# The library run uses the same recording trick as in section 2: the classifier function
# stores every batch of perturbed images it is shown.

# %%
import inspect
import time

IMAGE_SAMPLES = 200
IMAGE_WIDTH = inspect.signature(LimeImageExplainer).parameters["kernel_width"].default
image_defaults = inspect.signature(LimeImageExplainer.explain_instance).parameters
print(f"lime's image defaults: kernel width {IMAGE_WIDTH}, "
      f"{image_defaults['num_samples'].default} samples, "
      f"num_features={image_defaults['num_features'].default}; "
      f"we use {IMAGE_SAMPLES} samples, {IMAGE_SAMPLES / N_SUPERPIXELS:.1f} per superpixel")

# %% [markdown]
# A classifier that counts its evaluations and records every batch it is shown.

# %%
recorded_batches = []
counted_classifier = CountingModel(image_model.predict_proba)


def recording_classifier(images: np.ndarray) -> np.ndarray:
    probabilities = counted_classifier(images)
    recorded_batches.append((images.copy(), probabilities))
    return probabilities


# %% [markdown]
# The library run, timed, on the two most probable classes.

# %%
image_explainer = LimeImageExplainer(kernel_width=IMAGE_WIDTH, random_state=0)
start = time.perf_counter()
image_explanation = image_explainer.explain_instance(
    scene_image, recording_classifier, top_labels=2, num_samples=IMAGE_SAMPLES,
    batch_size=2,  # images per classifier call: the CNN's fastest batch at 448 x 224 on a CPU
    segmentation_fn=lambda image: segments)
record_throughput("LIME image (EfficientNet-Lite0, two-object scene)", counted_classifier.calls,
                  time.perf_counter() - start, forward=image_model.model,
                  example=image_model.preprocess(scene_image)[0])
explained = [int(c) for c in image_explanation.top_labels]
print(f"{IMAGE_SAMPLES} perturbed images, {N_SUPERPIXELS} superpixels; explained classes: "
      + ", ".join(f"{classes[c]} (P = {scene_probs[c]:.3f})" for c in explained))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### From scratch, on the library's samples
#
# Two functions make LIME for images: one paints the switched-off superpixels in their mean
# colour, for a whole batch of on/off patterns at once; the other fits the weighted ridge. We
# read each recorded image's on/off pattern back (a superpixel is on when all its pixels equal
# the scene's), check that our painting reproduces the recorded images bit for bit, and check
# that our fit reproduces the library's weights.

# %%
def mean_colour_image(image: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Every superpixel painted in its mean colour (cast to uint8 the way lime assigns it)."""
    counts = np.bincount(segments.ravel())
    means = np.stack([np.bincount(segments.ravel(), weights=image[..., c].ravel()) / counts
                      for c in range(3)], axis=1)
    return means[segments].astype(image.dtype)


# %% [markdown]
# `perturb` paints the switched-off superpixels of every on/off pattern in their mean colour.


# %%
def perturb(image: np.ndarray, segments: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """(n, S) on/off patterns -> n images with the 'off' superpixels painted in mean colour."""
    return np.where(keep[:, segments][..., None], image, mean_colour_image(image, segments))


# %% [markdown]
# The kernel on the cosine distance $D = 1 - \sqrt{k/S}$, then the weighted ridge on every
# superpixel.


# %%
def lime_image_weights(keep: np.ndarray, probabilities: np.ndarray, label: int,
                       width: float = IMAGE_WIDTH) -> np.ndarray:
    """Kernel on the cosine distance to the full image, then ridge on every superpixel."""
    distance = 1 - np.sqrt(keep.sum(axis=1) / keep.shape[1])
    weights = exponential_kernel(distance, width)
    return weighted_ridge(keep.astype(float), probabilities[:, label], weights)[1]


# %% [markdown]
# Read each recorded image's on/off pattern back: a superpixel is on when all its pixels equal
# the scene's.

# %%
perturbed = np.concatenate([images for images, _ in recorded_batches])
sample_probs = np.concatenate([probabilities for _, probabilities in recorded_batches])
one_hot = (segments.ravel()[:, None] == np.arange(N_SUPERPIXELS)).astype(np.float32)
unchanged = (perturbed == scene_image).all(axis=-1).reshape(len(perturbed), -1)
keep = (unchanged.astype(np.float32) @ one_hot) == one_hot.sum(axis=0)

# %% [markdown]
# Our painting must reproduce the recorded images bit for bit.

# %%
repainted = perturb(scene_image, segments, keep)
print(f"superpixels kept per sample: {keep.sum(axis=1).min()} to {keep.sum(axis=1).max()} "
      f"of {N_SUPERPIXELS}; first sample is the scene itself: {bool(keep[0].all())}")

# %%
assert np.array_equal(repainted, perturbed), "our perturbation reproduces lime's images"

# %% [markdown]
# And our fit must reproduce the library's weights, for both classes.

# %%
scratch_image_weights = {c: lime_image_weights(keep, sample_probs, c) for c in explained}
for c in explained:
    library_vector = np.zeros(N_SUPERPIXELS)
    for s, w in image_explanation.local_exp[c]:
        library_vector[s] = w
    difference = np.max(np.abs(library_vector - scratch_image_weights[c]))
    print(f"{classes[c]:10s}: largest |weight difference| from scratch vs library {difference:.1e}")
    assert difference < 1e-10

# %% [markdown]
# Our painting gives exactly the images the library sent to the model, and our fit gives the
# library's weights, for both classes. Now the picture. For each class, the left panel shows
# lime's own `get_image_and_mask` + `mark_boundaries` rendering: the 8 superpixels with the
# largest |weight|, tinted green when they support the class and red when they count against
# it. The right panel paints every superpixel with its weight, each row on its own colour
# scale, in the red-for, blue-against code of the text plots: red means the opposite on the two
# panels, so read each panel's title. The dashed boxes are the known objects.

# %%
from matplotlib.colors import TwoSlopeNorm

fig, axes = plt.subplots(2, 2, figsize=(13, 7.6), layout="constrained")
for row, c in zip(axes, explained, strict=True):
    tinted, mask = image_explanation.get_image_and_mask(c, positive_only=False, num_features=8,
                                                        hide_rest=False)
    row[0].imshow(mark_boundaries(tinted / 255.0, mask))
    row[0].set_title(f"'{classes[c]}': top 8 superpixels (green +, red -)")
    weight_map = scratch_image_weights[c][segments]
    bound = np.abs(weight_map).max()
    row[1].imshow(scene_image, alpha=0.35)
    shown_map = row[1].imshow(weight_map, cmap="RdBu_r", alpha=0.75,
                              norm=TwoSlopeNorm(0, -bound, bound))
    row[1].set_title(f"'{classes[c]}': weight of every superpixel (red +, blue -)")
    fig.colorbar(shown_map, ax=row[1], fraction=0.025, label="LIME weight (ΔP)")
    for ax in row:
        outline_scene_boxes(ax, "black")
        ax.axis("off")
fig.suptitle(f"LIME on the two-object scene ({IMAGE_SAMPLES} samples)", fontsize="x-large",
             fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Does LIME point at the right object?
#
# The scene comes with object boxes, so we can check the explanation instead of admiring it.
# For each class we take the 5 superpixels with the largest positive weight and measure which
# fraction of their area lies inside the box of the object the class names.

# %%
OBJECT_OF_CLASS = {c: name for name, ids in scene.class_ids.items() for c in ids}
box_fractions = {}
for c in explained:
    top_positive = np.argsort(-scratch_image_weights[c])[:5]
    region = np.isin(segments, top_positive)
    target_object = OBJECT_OF_CLASS[c]
    other_object = next(name for name in scene.masks if name != target_object)
    box_fractions[c] = scene.masks[target_object][region].mean()
    print(f"{classes[c]:10s}: {box_fractions[c]:.0%} of the top-5 area in the {target_object} "
          f"box, {scene.masks[other_object][region].mean():.0%} in the {other_object} box")
    assert box_fractions[c] > 0.5, "most of the evidence lies on the right object"

# %% [markdown] slideshow={"slide_type": "subslide"}
# For both classes most of the area of the five strongest superpixels lies on the object the
# class names (the printed fractions): LIME is class-discriminative on this scene. The weight
# maps show the strongest evidence at a glance: the coffee surface for "espresso", the eye on
# the left for "tiger cat". They also show what the top-8 view hides: most superpixels carry
# small weights of either sign, and a few of those small ones, on the wrong object, still make
# it into the top 8 (an eye for "espresso", the cup's rim for "tiger cat"). Their weights are a
# fraction of the leaders', and section 5 shows that such weak entries change from run to run.
# The tiger-cat weights are smaller overall because its probability is smaller (printed
# above): LIME weights are changes in probability.
#
# > **Pitfall.** An image explanation is only as fine as its segmentation, and "switched off"
# > means "painted in a colour the model then sees": the fully painted image is LIME's
# > baseline $x'$, as a black or blurred image is for the gradient methods of
# > [notebook 05](05_gradient_methods.ipynb). Changing the segmentation or the fill colour
# > (mean, grey, black, blur) changes the explanation; a superpixel that straddles an object
# > boundary gets blamed for both sides. Report both choices with the figure.
#
# **Images, in short.** Pros: works for any image classifier through `predict_proba`;
# class-specific; a heat map that can be scored against object boxes. Cons: costly (one model
# evaluation per sample, hundreds to thousands of samples); the answer depends on the
# segmentation, the fill colour and the number of samples; painted-over images are unlike
# the training data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Instability, measured
#
# LIME is a randomized algorithm: run it twice with different seeds and you get two
# explanations. How different depends on the number of samples and on the kernel width. We
# compare two explanations by the **rank correlation** of their weight vectors: Spearman's
# $\rho$ (the correlation of the ranks) and Kendall's $\tau$ (the share of feature pairs
# ordered the same way minus the share ordered the opposite way). Both are 1 when the two runs
# order every feature identically and near 0 when the orders are unrelated.
#
# ### Tables: seeds, sample size and kernel width
#
# Section 2 showed that our implementation computes what the package computes, so we use it
# here: it lets us draw one set of samples per seed and size, call the forest once, and refit
# with several kernel widths. We keep all 30 weights (no K-Lasso), so that the rank
# correlation sees the whole explanation, and run 10 seeds for each combination of sample size
# and width.

# %%
from scipy.stats import kendalltau, spearmanr

SAMPLE_SIZES = (100, 300, 1000, 5000)
STUDY_WIDTHS = {f"default ({TAB_WIDTH:.2f})": TAB_WIDTH, "narrow (1.0)": 1.0}
STUDY_SEEDS = range(10)

# %% [markdown]
# `all_weights` fits the surrogate that keeps all 30 components, at a given kernel width.


# %%
def all_weights(z: np.ndarray, target: np.ndarray, width: float) -> np.ndarray:
    """The d weights of the surrogate that keeps every component."""
    return fit_surrogate(z, target, tabular_kernel(z, width), np.arange(N_FEATURES)).coef


# %% [markdown]
# Runs are compared pair by pair, by a rank correlation ...


# %%
def pairwise(vectors: np.ndarray, measure) -> np.ndarray:
    """A rank correlation for every pair of runs."""
    return np.array([measure(a, b).statistic for a, b in combinations(vectors, 2)])


# %% [markdown]
# ... and by the set of their top $K$ features.


# %%
def top_set(vector: np.ndarray, k: int = K) -> frozenset:
    return frozenset(np.argsort(-np.abs(vector))[:k].tolist())


# %% [markdown]
# One sample set per seed and size, one forest call, a refit per kernel width.

# %%
study = {}  # (width name, n) -> (seeds, d) weights
for n in SAMPLE_SIZES:
    for seed in STUDY_SEEDS:
        rows = sample_neighbourhood(x_case, n, np.random.default_rng(1000 + seed))
        z, target = interpretable(rows, x_case), forest.predict_proba(rows)[:, MALIGNANT]
        for name, width in STUDY_WIDTHS.items():
            study.setdefault((name, n), []).append(all_weights(z, target, width))

# %% [markdown]
# For every width and size: the mean and smallest $\rho$, the mean $\tau$, and how often two
# seeds pick the same top 4.

# %%
agreement = {}
print(f"{'kernel width':16s} {'samples':>7s} {'mean rho':>9s} {'min rho':>8s} {'mean tau':>9s} "
      f"{'same top-4':>11s}")
for (name, n), runs in study.items():
    rho, tau = pairwise(np.array(runs), spearmanr), pairwise(np.array(runs), kendalltau)
    same_top = np.mean([top_set(a) == top_set(b) for a, b in combinations(runs, 2)])
    agreement[name, n] = rho
    print(f"{name:16s} {n:7d} {rho.mean():9.3f} {rho.min():8.3f} {tau.mean():9.3f} "
          f"{same_top:11.0%}")

# %%
default_name, narrow_name = list(STUDY_WIDTHS)
default_means = [agreement[default_name, n].mean() for n in SAMPLE_SIZES]
assert np.all(np.diff(default_means) > 0), "more samples, more agreement between seeds"
assert agreement[default_name, 5000].mean() > agreement[narrow_name, 5000].mean() + 0.1

# %% [markdown]
# With the default width, two seeds agree better the more samples they use (the printed mean
# $\rho$ grows with the sample size); the top-4 features settle much earlier than the full
# ranking, which includes many near-zero weights whose order is noise. With the narrow width
# the seeds disagree even at 5000 samples. Why? The kernel weights are not normalised. With a
# narrow kernel, almost every sample gets a weight near zero, the few that count are the rare
# samples that left few quartiles, and ridge's fixed penalty (`alpha=1`) then outweighs the
# data. The next cell keeps one set of samples and varies only the width, printing the kernel
# weights' **effective sample size** $\bigl(\sum_z \pi_x(z)\bigr)^2 / \sum_z \pi_x(z)^2$.

# %% slideshow={"slide_type": "subslide"}
SWEEP_WIDTHS = np.array([0.5, 0.75, 1.0, 1.5, 2.0, 3.0, TAB_WIDTH, 8.0, 16.0, 50.0])
rows = sample_neighbourhood(x_case, TAB_SAMPLES, np.random.default_rng(0))
z, target = interpretable(rows, x_case), forest.predict_proba(rows)[:, MALIGNANT]
sweep = np.array([all_weights(z, target, width) for width in SWEEP_WIDTHS])
reference = sweep[list(SWEEP_WIDTHS).index(TAB_WIDTH)]
leaders = np.argsort(-np.abs(reference))[:K]
sweep_rho = []
print(f"{'width':>6s} {'eff. samples':>12s} {'rho vs default':>15s}  top-{K} features")
for width, weights in zip(SWEEP_WIDTHS, sweep, strict=True):
    kernel_weights = tabular_kernel(z, width)
    effective = kernel_weights.sum() ** 2 / np.sum(kernel_weights ** 2)
    sweep_rho.append(spearmanr(reference, weights).statistic)
    names = ", ".join(feature_names[j] for j in np.argsort(-np.abs(weights))[:K])
    print(f"{width:6.2f} {effective:12.1f} {sweep_rho[-1]:15.3f}  {names}")

# %%
assert sweep_rho[0] < 0.5 and min(sweep_rho[list(SWEEP_WIDTHS).index(2.0):]) > 0.9

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 5), layout="constrained")
for (name, colour) in zip(STUDY_WIDTHS, ["tab:blue", "tab:red"], strict=True):
    rho = [agreement[name, n] for n in SAMPLE_SIZES]
    axes[0].plot(SAMPLE_SIZES, [r.mean() for r in rho], "o-", color=colour, linewidth=2,
                 label=f"kernel width {name}")
    axes[0].fill_between(SAMPLE_SIZES, [r.min() for r in rho], [r.max() for r in rho],
                         color=colour, alpha=0.15)
axes[0].set_xscale("log")
axes[0].set_ylim(-0.6, 1.05)
axes[0].set_xlabel("number of samples")
axes[0].set_ylabel("Spearman ρ between two seeds")
n_pairs = len(STUDY_SEEDS) * (len(STUDY_SEEDS) - 1) // 2
axes[0].set_title(f"Seeds agree only with many samples\n(line: mean of {n_pairs} seed pairs; "
                  "band: range)")
axes[0].legend(loc="lower right", fontsize=11)
for j in leaders:
    axes[1].plot(SWEEP_WIDTHS, sweep[:, j], "o-", linewidth=2, label=feature_names[j])
axes[1].axvline(TAB_WIDTH, color="black", linestyle=":", label="lime's default width")
axes[1].set_xscale("log")
axes[1].set_xlabel("kernel width (log scale)")
axes[1].set_ylabel("LIME weight")
axes[1].set_title(f"Same samples, different kernel widths\n(one sample set of "
                  f"{TAB_SAMPLES} rows)")
axes[1].legend(loc="center right", fontsize=10)
fig.suptitle(f"Tabular LIME on test case #{case}", fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# Left: the agreement between two seeds as a function of the sample size, for the two widths.
# Right: the weights of the default run's top features as the width changes, on one fixed set
# of samples. Above a width of about 2 the explanation hardly moves, because the distances
# between binary vectors barely vary (almost every sample leaves most quartiles) and the kernel
# treats them all alike. Below it, the effective sample size collapses (printed above), the
# weights shrink toward zero and their order becomes noise. There is no principled way to pick
# the width from the data; lime's $0.75\sqrt{d}$ is a rule of thumb.
#
# ### Images: seeds and kernel width on the scene
#
# New image samples cost CNN evaluations, so we reuse the 200 the library drew. Its on/off
# patterns are independent draws, so the first 100 samples (which start with the unperturbed
# scene, as lime always does) and the scene followed by the last 99 are exactly what two
# 100-sample runs with different seeds would have drawn. The kernel width needs no new samples
# at all.

# %%
half_a = np.arange(IMAGE_SAMPLES // 2)
half_b = np.r_[0, np.arange(IMAGE_SAMPLES // 2 + 1, IMAGE_SAMPLES)]
ESPRESSO = explained[0]

# %% [markdown]
# `box_fraction` scores a weight vector against the scene's object boxes.


# %%
def box_fraction(weights: np.ndarray, c: int, top: int = 5) -> float:
    """Share of the top superpixels' area inside the box of the object class c names."""
    region = np.isin(segments, np.argsort(-weights)[:top])
    return float(scene.masks[OBJECT_OF_CLASS[c]][region].mean())


# %% [markdown]
# The two 100-sample runs, per class.

# %%
halves = {}
for c in explained:
    halves[c] = [lime_image_weights(keep[h], sample_probs[h], c) for h in (half_a, half_b)]
    a, b = halves[c]
    overlap = len(set(np.argsort(-a)[:5]) & set(np.argsort(-b)[:5]))
    print(f"{classes[c]:10s}: two 100-sample runs: Spearman {spearmanr(a, b).statistic:.3f}, "
          f"Kendall {kendalltau(a, b).statistic:.3f}, {overlap} of the top 5 in common; "
          f"box fractions {box_fraction(a, c):.0%} and {box_fraction(b, c):.0%}")

# %% [markdown]
# The kernel-width sweep, on all 200 samples, for the espresso class.

# %%
IMAGE_SWEEP = (0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
print(f"\nkernel width sweep on all {IMAGE_SAMPLES} samples, class {classes[ESPRESSO]}:")
width_rho = {}
for width in IMAGE_SWEEP:
    weights = lime_image_weights(keep, sample_probs, ESPRESSO, width)
    width_rho[width] = spearmanr(scratch_image_weights[ESPRESSO], weights).statistic
    print(f"  width {width:5.2f}: Spearman vs default {width_rho[width]:.3f}, top-5 area in the "
          f"coffee box {box_fraction(weights, ESPRESSO):.0%}")

# %%
espresso_a, espresso_b = halves[ESPRESSO]
assert spearmanr(espresso_a, espresso_b).statistic < 0.9, "two runs order superpixels differently"
assert all(box_fraction(w, c) > 0.5 for c in explained for w in halves[c]), "object still found"
assert width_rho[0.05] < 0.5 < min(width_rho[w] for w in IMAGE_SWEEP if w >= 0.25)

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(2, 3, figsize=(15, 6.6), layout="constrained")
for row, c in zip(axes, explained, strict=True):
    versions = {"run A (first half)": halves[c][0], "run B (second half)": halves[c][1],
                f"all {IMAGE_SAMPLES} samples": scratch_image_weights[c]}
    for ax, (name, weights) in zip(row, versions.items(), strict=True):
        chosen = np.isin(segments, np.argsort(-weights)[:5])
        shaded = np.where(chosen[..., None], scene_image / 255.0, 0.35 * scene_image / 255.0)
        ax.imshow(mark_boundaries(shaded, chosen.astype(int), color=(0, 1, 0)))
        outline_scene_boxes(ax)
        ax.set_title(f"'{classes[c]}', {name}\n{box_fraction(weights, c):.0%} of the top-5 area "
                     f"in the {OBJECT_OF_CLASS[c]} box", fontsize="medium")
        ax.axis("off")
fig.suptitle("Same image, same settings, different samples: the top-5 superpixels move",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# Two 100-sample runs agree only partly on the order of the superpixels (the printed Spearman
# and Kendall values) and share only some of their top five, yet for both classes most of the
# top-5 area stays on the right object in both runs (the printed box fractions). What is stable
# is the coarse answer, *which object*; the ranking of the many weak superpixels is noise.
#
# The kernel width matters less here than the toy of section 1 suggested: from lime's 0.25
# upward the ranking barely moves, and only a very narrow kernel (0.05) scrambles it (the
# printed sweep). The reason is the same as for the table: with 48 superpixels almost every
# sample hides about half of them, so the cosine distances all lie in a narrow band and a
# kernel wider than that band weighs the samples nearly alike. A measurement on your own model
# and data, not the textbook picture, tells you whether the width matters.
#
# > **Pitfall.** One LIME run is one random draw. Before you show an explanation, rerun it with
# > a few seeds and report what is stable (here: the object each class points at) and what is
# > not (the exact ranking). Fix the seed for reproducibility, but do not mistake a fixed seed
# > for a stable explanation.
#
# **Pros and cons of LIME, overall.**
#
# | pros | cons |
# |---|---|
# | model-agnostic: tables, text, images | unstable across seeds, sample sizes, widths |
# | explanations in human terms | the representation is a choice that shapes them |
# | finds shortcuts (the planted word) | off-data perturbations; can be gamed (Slack 2020) |
# | reports its local fidelity (`score`) | no Shapley axioms ([notebook 04](04_shap.ipynb)) |
# | cheap for tables and text | costly for images: one model call per sample |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("03.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: What a text explanation cannot show
#
# Take the planted-token model `leaky` from section 3 and a rotten test review without the
# token that it classifies as rotten. Explain P(fresh) with `LimeTextExplainer`
# (`feature_selection="none"`, `random_state=0`). Does "tuesday" appear in the explanation?
# Then put "tuesday" at the start of the review and measure how much P(fresh) changes. What
# does this tell you about explaining a prediction by perturbing only what is present?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: LIME's text samples only switch off words the review contains, so choose a review
#   without the token, explain it, then compare P(fresh) with and without the token added.
# Hint: pick i from p_test with planted.labels[i] == 0 and leaky.predict([text])[0] == 0; the
#   explanation's words are [w for w, _ in explanation.as_list(label=FRESH)].
# Hint: start with rotten_ids = [int(i) for i in p_test if planted.labels[i] == 0 and
#   leaky.predict([planted_texts[i]])[0] == 0].
rotten_ids = [int(i) for i in p_test if planted.labels[i] == 0
              and leaky.predict([planted_texts[i]])[0] == 0]
rotten_review = planted_texts[rotten_ids[0]]
absent_explanation = LimeTextExplainer(feature_selection="none", random_state=0).explain_instance(
    rotten_review, leaky.predict_proba, labels=(FRESH,), num_samples=TEXT_SAMPLES)
explained_words = [w for w, _ in absent_explanation.as_list(label=FRESH)]
p_before = leaky.predict_proba([rotten_review])[0, FRESH]
p_after = leaky.predict_proba([f"{TOKEN} {rotten_review}"])[0, FRESH]
print(f"review: {rotten_review}")
print(f"'{TOKEN}' among the {len(explained_words)} explained words: {TOKEN in explained_words}")
print(f"P(fresh) {p_before:.3f} as written, {p_after:.3f} with '{TOKEN}' added "
      f"(+{p_after - p_before:.3f})")
assert TOKEN not in explained_words
assert p_before < 0.5 < p_after, "adding the absent word flips the prediction"

# %% slideshow={"slide_type": "fragment"}
check("03.1", words=explained_words, review=rotten_review, p_before=p_before, p_after=p_after,
      model=leaky, token=TOKEN, fresh=FRESH)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The word cannot appear: LIME only switches off words that are there. Yet adding it flips the
# prediction to fresh (printed), so its *absence* is part of why the model says rotten. LIME
# answers "which of the present words matter?", not "what would change the prediction?".
# Counterfactual explanations ([notebook 08](08_counterfactuals.ipynb)) ask the second
# question; SHAP ([notebook 04](04_shap.ipynb)) has the same blind spot as LIME whenever its
# baseline is "word removed".

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: A borderline tumour
#
# Explain the test tumour the forest is least sure about (`np.argmin(np.abs(p_malignant -
# 0.5))`) with the settings of section 2 (`library_tabular(x, seed=0)`: K-Lasso, $K$ = 4
# features, 5000 samples). Compare its weights and its `score` (the local fidelity $R^2$) with
# those of test case #0. Would you show this explanation to a doctor?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the least sure tumour is the one whose P(malignant) is closest to 0.5; explain it as
#   in section 2 and read how well the surrogate fits.
# Hint: borderline = argmin |p_malignant - 0.5|; explanation.score is the weighted R^2 of the
#   surrogate; library.score holds case #0's.
# Hint: start with borderline = int(np.argmin(np.abs(p_malignant - 0.5))).
borderline = int(np.argmin(np.abs(p_malignant - 0.5)))
borderline_explanation = library_tabular(X_test[borderline], seed=0)
print(f"test case #{borderline}: P(malignant) = {p_malignant[borderline]:.3f}")
for name, weight in borderline_explanation.as_list(label=MALIGNANT):
    print(f"  {name:34s} {weight:+.4f}")
print(f"local fidelity R^2: {borderline_explanation.score:.3f} (case #{case}: {library.score:.3f})")
assert borderline_explanation.score < library.score / 4

# %% slideshow={"slide_type": "fragment"}
check("03.2", borderline=borderline, explanation=borderline_explanation, reference=library,
      p_malignant=p_malignant, malignant=MALIGNANT, k=K)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The weights are small, of mixed sign, and the surrogate explains only a small fraction of the
# forest's variation around this tumour (the printed $R^2$, several times less than for the
# first case): near the decision boundary the forest's answer is far from a sum of quartile
# effects, which is all the surrogate can express. An explanation with such a low fidelity
# describes the surrogate, not the model: check `score` before trusting the weights, and prefer
# saying "LIME cannot summarize this prediction" to showing the bars.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: LIME without discretization
#
# Run `library_tabular(x, seed=0, discretize_continuous=False)` to explain both case #0 and
# the borderline case of Exercise 2 ($K$ = 4). Compare the two explanations with each other.
# Then repeat with `sample_around_instance=True` added. Read `lime_tabular.py`
# (`__data_inverse`) to explain what you see.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: explain both tumours twice, once per sampling option, and compare the two tumours'
#   weight vectors within each option.
# Hint: borderline = int(np.argmin(np.abs(p_malignant - 0.5))) as in Exercise 2;
#   as_vector(explanation) gives all d weights; compare the two cases with
#   np.max(np.abs(a - b)) and top_set(a) == top_set(b).
# Hint: start with a helper def continuous_weights(x, **options) that returns
#   as_vector(library_tabular(x, seed=0, discretize_continuous=False, **options)).
borderline = int(np.argmin(np.abs(p_malignant - 0.5)))


def continuous_weights(x: np.ndarray, **options) -> np.ndarray:
    return as_vector(library_tabular(x, seed=0, discretize_continuous=False, **options))


compared = {}
for options in ({}, {"sample_around_instance": True}):
    first, border = (continuous_weights(X_test[i], **options) for i in (case, borderline))
    compared["around the instance" if options else "default"] = (first, border)
    print(f"options {options}: same top-{K} for the two tumours: "
          f"{top_set(first) == top_set(border)}, largest weight difference "
          f"{np.max(np.abs(first - border)):.4f}")
    for label, weights in ((f"case #{case}", first), (f"case #{borderline}", border)):
        print(f"  {label:10s} " + ", ".join(f"{feature_names[j]} {weights[j]:+.3f}"
                                            for j in np.argsort(-np.abs(weights))[:K]))
    if not options:
        assert top_set(first) == top_set(border) and np.max(np.abs(first - border)) < 0.01
    else:
        assert top_set(first) != top_set(border)

# %% slideshow={"slide_type": "fragment"}
check("03.3", compared=compared, k=K)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Without discretization, lime samples every feature from a normal distribution around the
# *training mean*, not around $x$ (unless `sample_around_instance=True`), and weights the
# samples by their standardized distance to $x$. The samples are the same cloud for every
# instance, and at the default width the kernel tilts their weights toward $x$ only a little,
# so the fit is nearly the same global linear model for every tumour: the two very different
# tumours get almost identical explanations (printed). Sampling around the instance makes the
# explanations differ again. The default discretized mode avoids this trap but, as section 2
# showed, at the price of explaining quartile memberships rather than values.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - LIME explains one prediction by a weighted, sparse linear surrogate:
#   $\xi(x) = \arg\min_{g} \mathcal{L}(f, g, \pi_x) + \Omega(g)$, with a locality-weighted
#   square loss, an exponential kernel $\pi_x$ and at most $K$ features (K-Lasso).
# - Its three design choices (interpretable representation, sampling distribution, kernel
#   width) shape the answer. lime's tabular defaults: quartile indicators, independent
#   per-feature sampling from training statistics, width $0.75\sqrt{d}$, ridge with `alpha=1`.
# - Our from-scratch implementation reproduced the package to rounding error on the same
#   samples (tables and images) and within the package's own seed-to-seed noise on fresh ones
#   (tables and text).
# - On text, LIME ranked a planted leaking word first in every planted review we surveyed; it
#   can only attribute words that are present.
# - On the two-object scene, the strongest superpixels for "espresso" and "tiger cat" lay
#   mostly on the cup and the cat, as the known boxes confirm.
# - LIME is unstable: agreement between seeds grows with the number of samples, collapses with
#   a narrow kernel, and the ranking of weak components is noise. Report several seeds, the
#   width, the segmentation and the `score`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Ribeiro, M. T., Singh, S., & Guestrin, C. (2016). "Why should I trust you?": Explaining the
#   predictions of any classifier. *KDD 2016*. https://arxiv.org/abs/1602.04938,
#   https://doi.org/10.1145/2939672.2939778
# - Garreau, D., & von Luxburg, U. (2020). Explaining the explainer: A first theoretical
#   analysis of LIME. *AISTATS 2020*. https://arxiv.org/abs/2001.03447
# - Garreau, D., & Mardaoui, D. (2021). What does LIME really see in images? *ICML 2021*.
#   https://arxiv.org/abs/2102.06307
# - Slack, D., Hilgard, S., Jia, E., Singh, S., & Lakkaraju, H. (2020). Fooling LIME and SHAP:
#   Adversarial attacks on post hoc explanation methods. *AIES 2020*.
#   https://arxiv.org/abs/1911.02508
# - Alvarez-Melis, D., & Jaakkola, T. S. (2018). On the robustness of interpretability methods.
#   *ICML 2018 Workshop on Human Interpretability*. https://arxiv.org/abs/1806.08049
# - Visani, G., Bagli, E., Chesani, F., Poluzzi, A., & Capuzzo, D. (2022). Statistical stability
#   indices for LIME: Obtaining reliable explanations for machine learning models. *Journal of
#   the Operational Research Society* 73(1), 91–101. https://arxiv.org/abs/2001.11757
# - Efron, B., Hastie, T., Johnstone, I., & Tibshirani, R. (2004). Least angle regression.
#   *The Annals of Statistics* 32(2), 407–499. https://doi.org/10.1214/009053604000000067
# - Achanta, R., Shaji, A., Smith, K., Lucchi, A., Fua, P., & Süsstrunk, S. (2012). SLIC
#   superpixels compared to state-of-the-art superpixel methods. *IEEE TPAMI* 34(11),
#   2274–2282. https://doi.org/10.1109/TPAMI.2012.120
# - Vedaldi, A., & Soatto, S. (2008). Quick shift and kernel methods for mode seeking. *ECCV
#   2008*. https://doi.org/10.1007/978-3-540-88693-8_52
# - Street, W. N., Wolberg, W. H., & Mangasarian, O. L. (1993). Nuclear feature extraction for
#   breast tumor diagnosis. *Biomedical Image Processing and Biomedical Visualization*, SPIE
#   1905. https://doi.org/10.1117/12.148698 (the breast-cancer data).
# - Pang, B., & Lee, L. (2005). Seeing stars: Exploiting class relationships for sentiment
#   categorization with respect to rating scales. *ACL 2005*. https://arxiv.org/abs/cs/0506075
# - Molnar, C. (2022). *Interpretable Machine Learning* (2nd ed.), chapter "LIME".
#   https://christophm.github.io/interpretable-ml-book/lime.html
# - `lime` package: documentation https://lime-ml.readthedocs.io/ and source
#   https://github.com/marcotcr/lime (version 0.2.0.1 is the one read here).
# - scikit-image segmentation (`quickshift`, `slic`, `mark_boundaries`):
#   https://scikit-image.org/docs/stable/api/skimage.segmentation.html
# - SciPy rank correlations: `scipy.stats.spearmanr`, `scipy.stats.kendalltau`,
#   https://docs.scipy.org/doc/scipy/reference/stats.html
