# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Classical feature importance: coefficients, impurity, permutation
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/01_feature_importance.ipynb)
#
# Which features does a model rely on overall? This notebook answers that global question four
# ways and measures where each answer goes wrong. We read the coefficients of a linear model
# (and see why the features must be standardized first), compute the impurity importance (MDI)
# of a random forest from its splits, and watch it rank a column of pure noise above real
# census features. Permutation importance, written from scratch and checked against
# scikit-learn to the last digit, is the remedy; drop-column importance asks a related but
# different question. Finally we duplicate a feature to see importance split between copies,
# let every method hunt for a planted leak, and put all four side by side. The last section
# ranks the Boston housing table's `B` column, a racial share hidden in a parabola, and shows
# what no importance can tell you about it.
#
# **Run time:** about 20–30 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Explain why raw coefficients of a linear model are not importances, and read standardized
#   coefficients: sign, magnitude, units.
# - Write down the impurity decrease of a split and compute a forest's `feature_importances_`
#   from its trees.
# - Demonstrate the high-cardinality bias of impurity importance with a random probe feature.
# - Implement permutation importance (reproducing scikit-learn's random numbers exactly) and
#   drop-column importance, and say what question each one answers.
# - Recognise how correlated or duplicated features split or hide importance, in every method.
# - Choose an importance method for a task and list its pros and cons.
# - Explain why Boston's `B` column was withdrawn, why its attributions are ambiguous, and what
#   to do with such a column.
#
# ## Prerequisites
#
# - [Notebook 00](00_introduction.ipynb) (notation $f$, $x$, $\phi_i$; the planted-shortcut data).
# - Linear and logistic regression, decision trees and random forests at the level of
#   scikit-learn's `fit` / `predict` / `score`.
# - NumPy indexing and pandas data frames.

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
# ## 1. Linear models: coefficients as importance
#
# ### Intuition
#
# A linear model is its own explanation. Its prediction is a weighted sum of the features, so
# the weight of a feature says how much the prediction moves when that feature moves by one
# unit while all the others stay where they are. The catch is the word *unit*. A weight per
# year of age and a weight per milligram of cholesterol per decilitre are not on the same scale,
# and comparing them is comparing metres with kilograms.
#
# ### Math
#
# A linear regression predicts
#
# $$f(x) = b + \sum_{j=1}^{d} w_j x_j, \qquad
#   w_j = \frac{\partial f}{\partial x_j}\ \text{(units of the target per unit of } x_j).$$
#
# Standardizing each feature, $z_j = (x_j - \mu_j)/\sigma_j$ with the training mean $\mu_j$ and
# standard deviation $\sigma_j$, gives the same model in new coordinates. Substitute
# $x_j = \mu_j + \sigma_j z_j$ into the sum and collect the constant terms:
#
# $$f(x) = b + \sum_j w_j (\mu_j + \sigma_j z_j)
#   = \underbrace{b + \sum_j w_j \mu_j}_{\tilde b}
#   + \sum_j \underbrace{w_j \sigma_j}_{\tilde w_j} z_j .$$
#
# (Features are indexed by $j$ in this notebook, not by the course's usual $i$, because $i(t)$
# will be the impurity of a tree node in section 2.)
#
# The standardized coefficient $\tilde w_j = w_j \sigma_j$ is the change in prediction for a
# *one standard deviation* change in $x_j$. All $\tilde w_j$ share the target's units, so their
# magnitudes can be compared; the sign says in which direction the feature pushes. For least
# squares the identity is exact: fitting on standardized data yields exactly $w_j \sigma_j$.
#
# ### Data: the diabetes table in its original units
#
# 442 patients, ten baseline measurements, and a quantitative measure of disease progression
# one year later (Efron et al., 2004). `load_tabular("diabetes")` keeps the original units,
# which is what makes this table good for the lesson: look at how different the scales are.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from utils.data import load_tabular

diabetes = load_tabular("diabetes")
units = diabetes.X.describe().T[["mean", "std", "min", "max"]]
units["meaning"] = [diabetes.descriptions[c] for c in units.index]
print(units.round(2).to_string())

X_train, X_test, y_train, y_test = train_test_split(diabetes.X, diabetes.y.to_numpy(),
                                                    test_size=0.3, random_state=0)
print(f"\ntrain {X_train.shape}, test {X_test.shape}; target: {diabetes.y.name}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The standard deviations range from about half a unit (`s5`, a logarithm, and `sex`, coded 1
# or 2) to tens of units (`s1`, `s2`, in mg/dL), as printed above. We fit ordinary least squares
# twice: on the raw columns and on standardized columns, and we also solve the standardized
# problem from scratch with `np.linalg.lstsq` to see that the library does nothing more.

# %%
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

features = list(diabetes.X.columns)
raw_model = LinearRegression().fit(X_train, y_train)
std_model = make_pipeline(StandardScaler(), LinearRegression()).fit(X_train, y_train)
raw_coef = raw_model.coef_
std_coef = std_model[-1].coef_

# %% [markdown]
# From scratch: $z_j = (x_j - \mu_j)/\sigma_j$ with the training mean and the (population)
# standard deviation, then least squares on $Z$ with a column of ones for $\tilde b$.

# %%
mu, sigma = X_train.mean().to_numpy(), X_train.std(ddof=0).to_numpy()
Z_train = (X_train.to_numpy() - mu) / sigma
design = np.column_stack([np.ones(len(Z_train)), Z_train])
solution, *_ = np.linalg.lstsq(design, y_train, rcond=None)

# %%
coefficients = pd.DataFrame({"raw w_j": raw_coef, "sigma_j": sigma,
                             "w_j * sigma_j": raw_coef * sigma, "standardized": std_coef},
                            index=features)
print(coefficients.round(3).to_string())
print(f"\ntest R^2: raw {raw_model.score(X_test, y_test):.3f}, "
      f"standardized {std_model.score(X_test, y_test):.3f} (the same model)")

# %% [markdown]
# The checks: `lstsq` gives scikit-learn's standardized fit, $\tilde w_j = w_j \sigma_j$, and
# the two models predict the same.

# %%
assert np.allclose(solution[1:], std_coef) and np.isclose(solution[0], std_model[-1].intercept_)
assert np.allclose(std_coef, raw_coef * sigma), "standardized coefficient = w_j * sigma_j"
assert np.allclose(raw_model.predict(X_test), std_model.predict(X_test))

# %% [markdown]
# The same model ranks its features differently on the two scales, by $|w_j|$ and by
# $|\tilde w_j|$:

# %%
raw_rank = pd.Series(np.abs(raw_coef), features).rank(ascending=False).astype(int)
std_rank = pd.Series(np.abs(std_coef), features).rank(ascending=False).astype(int)
print(f"|raw| ranks sex {raw_rank['sex']} and s1 {raw_rank['s1']}; "
      f"|standardized| ranks sex {std_rank['sex']} and s1 {std_rank['s1']}")

# %%
assert raw_rank["sex"] < std_rank["sex"] and raw_rank["s1"] > std_rank["s1"]

# %%
from utils.plotting import importance_bar

fig, (ax_raw, ax_std) = plt.subplots(1, 2, figsize=(13, 5.5))
importance_bar(raw_coef, features, ax=ax_raw, title="Raw coefficients",
               xlabel="progression per unit of the feature")
importance_bar(std_coef, features, ax=ax_std, title="Standardized coefficients",
               xlabel="progression per standard deviation")
fig.suptitle("The same linear model, two rankings", fontsize="x-large", fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# Both panels describe one and the same model (the asserts check that the predictions agree),
# yet they rank the features differently. On the raw scale `sex` looks like the second
# strongest feature, because one "unit" of `sex` is the whole difference between the two codes,
# and `s5` dominates because it is a logarithm with a small spread; the cholesterol measures in
# mg/dL get tiny weights because one mg/dL is a tiny change. After standardization every bar is
# "progression per standard deviation", and `s1` (total cholesterol) moves up to the third
# largest effect while `sex` falls back, as the printed ranks show.
#
# **Reading sign and magnitude.** Blue bars raise the predicted progression, orange bars lower
# it. The next cell turns the two largest standardized coefficients into sentences.

# %%
for name in pd.Series(np.abs(std_coef), features).nlargest(2).index:
    j = features.index(name)
    print(f"+1 SD of {name} ({diabetes.descriptions[name]}: +{sigma[j]:.2f} in its units) "
          f"changes the predicted progression by {std_coef[j]:+.1f}, other features held fixed")

# %% [markdown] slideshow={"slide_type": "subslide"}
# "Other features held fixed" is the part that bites. Total cholesterol `s1` and LDL `s2` are
# strongly correlated, and the model gives them large coefficients of *opposite* sign.

# %%
corr_s1_s2 = X_train["s1"].corr(X_train["s2"])
marginal_s1 = np.corrcoef(X_train["s1"], y_train)[0, 1]
print(f"correlation of s1 and s2: {corr_s1_s2:.2f}")
s1_coef, s2_coef = std_coef[features.index("s1")], std_coef[features.index("s2")]
print(f"s1 alone correlates {marginal_s1:+.2f} with progression, yet its standardized "
      f"coefficient is {s1_coef:+.1f} (s2: {s2_coef:+.1f})")

# %%
assert corr_s1_s2 > 0.85
assert marginal_s1 > 0 and s1_coef < 0, "the sign flips"

# %% [markdown] slideshow={"slide_type": "subslide"}
# On its own, higher cholesterol goes with *more* progression, but the model's coefficient for
# `s1` is negative. There is no contradiction: the coefficient answers "what if `s1` rose while
# `s2` and the rest stayed the same?", a change that barely happens in these data, since the
# two move together. With strongly correlated features the individual coefficients are poorly
# determined (another sample could share the effect differently) and only their combination is
# well estimated.
#
# > **Pitfall.** Compare coefficients only on standardized features (or in units you have
# > argued are comparable), and read each one as a *conditional* effect. With correlated
# > features, signs can flip and magnitudes can be split between the partners; a coefficient
# > near zero does not prove that the feature is unrelated to the target. And a coefficient
# > explains the *model*: this one has a test $R^2$ of about 0.4 (printed above), so most of
# > the variation in progression is not explained by it at all.
#
# A note on binary features: one standard deviation of a balanced 0/1 (here 1/2) feature is
# about half the gap between the groups, so its standardized coefficient is about half the group
# difference. Gelman (2008) suggests dividing continuous features by *two* standard deviations
# to put them on the same footing as binary ones; whichever convention you choose, state it.
#
# **Pros and cons of coefficients**
#
# | pros | cons |
# |---|---|
# | exact: the explanation *is* the model | only for linear (or generalized linear) models |
# | signed: direction and size of the effect | meaningless without a common scale |
# | free: no extra computation | conditional on the other features; unstable if correlated |
# | also local: $\phi_j = \tilde w_j z_j$ for one patient | the model may be too simple to matter |
#
# The local reading in the last row is an attribution in the sense of
# [notebook 00](00_introduction.ipynb): $\phi_j = \tilde w_j z_j = w_j (x_j - \mu_j)$, with the
# average training patient as the baseline $x'$, so the $\phi_j$ add up to $f(x) - f(x')$. For a
# linear model these are exactly the SHAP values of [notebook 04](04_shap.ipynb) with the training
# data as background.
#
# Reading coefficients is the simplest *intrinsic* explanation. It can also be pointed at a black
# box indirectly: fit a linear model (or a shallow tree) to the black box's *predictions* instead of
# the true targets and read that **global surrogate** ([notebook 08](08_counterfactuals.ipynb)). Its
# coefficients then explain the black box only as far as the surrogate reproduces it (its fidelity),
# which has to be measured, never assumed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Trees: impurity importance (MDI)
#
# ### Intuition
#
# A decision tree has no weights to read. What it does have are splits: every internal node
# asks "is $x_j \le$ threshold?" and sends the training rows left or right, making each side
# purer (more of one class, or less spread in the target) than the parent. Credit each feature
# with the purity its splits gained, add over the tree, average over the trees of a forest: that
# is the **mean decrease in impurity** (MDI), also called Gini importance, which scikit-learn
# returns as `feature_importances_` (Breiman, 2001).
#
# ### Math
#
# A tree is fitted to $N$ training rows; node $t$ holds $N_t$ of them (we write $n \in t$ for
# the rows $n$ it holds), with class proportions $p_{t1}, \dots, p_{tK}$ and mean target
# $\bar y_t$. Its impurity is, for classification, the Gini index; for regression, the variance
# of the target in the node:
#
# $$i_{\text{Gini}}(t) = 1 - \sum_{k=1}^{K} p_{tk}^2, \qquad
#   i_{\text{MSE}}(t) = \frac{1}{N_t} \sum_{n \in t} \big(y_n - \bar y_t\big)^2 .$$
#
# A split of node $t$ into children $t_L$ and $t_R$ decreases the impurity by the parent's
# impurity minus the children's, weighted by the share of rows in each; multiplying out the
# bracket gives the form the code below uses:
#
# $$\Delta i(t) = \frac{N_t}{N}\left[\, i(t) - \frac{N_{t_L}}{N_t}\, i(t_L)
#   - \frac{N_{t_R}}{N_t}\, i(t_R) \right]
#   = \frac{N_t\, i(t) - N_{t_L}\, i(t_L) - N_{t_R}\, i(t_R)}{N}.$$
#
# The MDI of feature $j$ in tree $T$ sums this over the nodes $t$ whose split variable $v(t)$
# is $j$, and scikit-learn normalizes each tree to sum to one:
#
# $$\mathrm{MDI}_j(T) = \frac{\sum_{t \in T:\, v(t) = j} \Delta i(t)}
#   {\sum_{t \in T} \Delta i(t)}, \qquad
#   \mathrm{MDI}_j = \frac{\frac{1}{|\mathcal{F}|}\sum_{T \in \mathcal{F}} \mathrm{MDI}_j(T)}
#   {\sum_{k} \frac{1}{|\mathcal{F}|}\sum_{T \in \mathcal{F}} \mathrm{MDI}_k(T)} .$$
#
# For a forest $\mathcal{F}$, `feature_importances_` is the mean of the per-tree importances
# (trees that never split are skipped) renormalized to sum to one. Two details matter later:
# the $N_t$ count the rows of each tree's *bootstrap sample*, so MDI is computed entirely on
# training data; and every quantity is in units of impurity, so MDI says nothing about test
# performance.
#
# ### Data: census incomes, plus two columns of noise
#
# For impurity we switch to a classification table with features of very different
# cardinality: the Adult census data (does a person earn more than 50,000 USD a year?). We use a
# seeded sample of 4,000 people, encode the text columns as integer codes (which a tree can
# split on), and add two **random probe** features that have nothing to do with income:
#
# - `random_num`: Gaussian noise, a different value for every person (high cardinality);
# - `random_cat`: a random category out of three (low cardinality).
#
# A useful importance method must give both probes (close to) nothing. We add the same two
# probes to the diabetes table, whose forest we also need.

# %%
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.preprocessing import OrdinalEncoder

PROBES = ("random_num", "random_cat")


def add_probes(X: pd.DataFrame, seed: int) -> pd.DataFrame:
    """X with two features unrelated to any target: Gaussian noise and a 3-level category."""
    rng = np.random.default_rng(seed)
    return X.assign(random_num=rng.normal(size=len(X)), random_cat=rng.integers(0, 3, len(X)))


# %% [markdown]
# The census sample: text columns become integer codes, 4,000 seeded rows get the probes, and a
# stratified 70/30 split feeds a default forest.

# %%
adult = load_tabular("adult")
text_columns = [c for c in adult.X.columns if not pd.api.types.is_numeric_dtype(adult.X[c])]
adult_X = adult.X.copy()
adult_X[text_columns] = OrdinalEncoder().fit_transform(adult.X[text_columns])
sample = np.sort(np.random.default_rng(0).choice(len(adult_X), size=4000, replace=False))
adult_X = add_probes(adult_X.iloc[sample].reset_index(drop=True), seed=0)
adult_y = adult.y.to_numpy()[sample]
A_train, A_test, a_train, a_test = train_test_split(adult_X, adult_y, test_size=0.3,
                                                    stratify=adult_y, random_state=0)
adult_forest = RandomForestClassifier(random_state=0).fit(A_train, a_train)
print(f"adult sample: train {A_train.shape}, test {A_test.shape}, "
      f"share earning >50K {adult_y.mean():.2f}")
print(f"forest test accuracy {adult_forest.score(A_test, a_test):.3f} "
      f"(training accuracy {adult_forest.score(A_train, a_train):.3f})")

# %% [markdown]
# The diabetes table gets the same probes; the same split seed selects the same rows as in
# section 1 (asserted).

# %%
diabetes_X = add_probes(diabetes.X, seed=0)
D_train, D_test, d_train, d_test = train_test_split(diabetes_X, diabetes.y.to_numpy(),
                                                    test_size=0.3, random_state=0)
diabetes_forest = RandomForestRegressor(random_state=0).fit(D_train, d_train)
print(f"diabetes forest: test R^2 {diabetes_forest.score(D_test, d_test):.3f} "
      f"(training R^2 {diabetes_forest.score(D_train, d_train):.3f})")

# %%
assert D_train.index.equals(X_train.index)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both forests use scikit-learn's defaults: 100 trees grown until their leaves are pure (no
# depth limit). The near-perfect training scores next to the test scores, as printed, show how
# much of each tree is fitted to the particular training rows.
#
# ### From scratch
#
# First one node by hand: the root of the first tree. Its Gini index comes from the class
# proportions in the bootstrap sample, and its impurity decrease from its two children.

# %%
tree = adult_forest.estimators_[0].tree_
root, left, right = 0, tree.children_left[0], tree.children_right[0]
proportions = tree.value[root, 0] / tree.value[root, 0].sum()
gini_root = 1 - np.sum(proportions**2)
n_root, n_left, n_right = tree.weighted_n_node_samples[[root, left, right]]
decrease_root = (n_root * tree.impurity[root] - n_left * tree.impurity[left]
                 - n_right * tree.impurity[right]) / n_root
print(f"root of tree 0 splits on '{adult_X.columns[tree.feature[root]]}' "
      f"at {tree.threshold[root]:.1f}")
print(f"class proportions {np.round(proportions, 3)} -> Gini {gini_root:.4f} "
      f"(scikit-learn: {tree.impurity[root]:.4f})")
print(f"children: {n_left:.0f} rows with Gini {tree.impurity[left]:.4f}, {n_right:.0f} rows "
      f"with Gini {tree.impurity[right]:.4f}; impurity decrease {decrease_root:.4f}")

# %%
assert np.isclose(gini_root, tree.impurity[root])
assert decrease_root > 0

# %% [markdown]
# Now every node of every tree, vectorized over the nodes of a tree. scikit-learn stores a
# fitted tree as flat arrays: `children_left` / `children_right` (−1 for a leaf), `feature`,
# `impurity` and `weighted_n_node_samples` ($N_t$, counting bootstrap repeats). The function
# below computes the expanded form of $\Delta i(t)$ for all internal nodes at once (the root
# holds all $N$ rows, so $N$ is `n_node[0]`), sums it per split feature $v(t)$ with
# `np.bincount`, and divides by the tree's total: $\mathrm{MDI}_j(T)$.

# %%
def tree_mdi(fitted_tree, n_features: int) -> np.ndarray:
    """Impurity importance of one fitted tree: impurity decreases summed per feature, normalized."""
    t = fitted_tree.tree_
    internal = t.children_left >= 0
    parent = np.flatnonzero(internal)
    left_child, right_child = t.children_left[internal], t.children_right[internal]
    n_node, impurity = t.weighted_n_node_samples, t.impurity
    decrease = (n_node[parent] * impurity[parent] - n_node[left_child] * impurity[left_child]
                - n_node[right_child] * impurity[right_child]) / n_node[0]
    per_feature = np.bincount(t.feature[internal], weights=decrease, minlength=n_features)
    return per_feature / per_feature.sum()


# %% [markdown]
# The forest's $\mathrm{MDI}_j$: the mean of the per-tree importances, renormalized.

# %%
def forest_mdi(forest) -> np.ndarray:
    """Mean of the per-tree importances (single-node trees skipped), renormalized."""
    per_tree = [tree_mdi(est, forest.n_features_in_) for est in forest.estimators_
                if est.tree_.node_count > 1]
    mean = np.mean(per_tree, axis=0)
    return mean / mean.sum()


# %% [markdown]
# The check against `feature_importances_`, for a Gini and an MSE forest:

# %%
for name, forest in [("adult (Gini)", adult_forest), ("diabetes (MSE)", diabetes_forest)]:
    our_mdi, sk_mdi = forest_mdi(forest), forest.feature_importances_
    print(f"{name:15s} largest difference from feature_importances_: "
          f"{np.max(np.abs(our_mdi - sk_mdi)):.1e}")
    assert np.allclose(our_mdi, sk_mdi)

# %% [markdown]
# Our MDI equals `feature_importances_` on both forests, for the Gini criterion and for the
# regression (MSE) criterion alike.
#
# ### The high-cardinality bias, demonstrated
#
# Here is the MDI of the census forest, next to the number of distinct values of each feature.

# %% slideshow={"slide_type": "subslide"}
adult_features = list(adult_X.columns)
adult_mdi = pd.Series(adult_forest.feature_importances_, adult_features)
cardinality = adult_X.nunique()
mdi_rank = adult_mdi.rank(ascending=False).astype(int)
real_features = [c for c in adult_features if c not in PROBES]
beaten = [c for c in real_features if adult_mdi[c] < adult_mdi["random_num"]]
print(pd.DataFrame({"MDI": adult_mdi.round(3), "MDI rank": mdi_rank,
                    "distinct values": cardinality}).sort_values("MDI rank").to_string())
print(f"\nrandom_num: MDI rank {mdi_rank['random_num']} of {len(adult_features)}, above "
      f"{len(beaten)} of the {len(real_features)} real features")
print(f"random_cat: MDI rank {mdi_rank['random_cat']}")

# %%
assert len(beaten) > len(real_features) / 2, "pure noise outranks most real features"
assert adult_mdi["random_num"] > 2 * adult_mdi["random_cat"], "the many-valued probe gains more"
assert mdi_rank[["race", "sex"]].min() >= len(adult_features) - 1, "race and sex rank last"

# %% [markdown]
# The figure: the MDI bars next to each feature's number of distinct values, probes in red.

# %%
order = adult_mdi.sort_values().index  # smallest at the bottom, as importance_bar draws it
fig, (ax_mdi, ax_card) = plt.subplots(1, 2, figsize=(13, 7.5), sharey=True,
                                      gridspec_kw={"width_ratios": [3, 2]})
importance_bar(adult_mdi[order].to_numpy(), list(order), ax=ax_mdi, highlight="random_num",
               title="Impurity importance (MDI)", xlabel="mean decrease in Gini impurity")
ax_card.barh(np.arange(len(order)), cardinality[order],
             color=["tab:red" if c in PROBES else "tab:gray" for c in order])
ax_card.set_xscale("log")
ax_card.set_xlabel("distinct values (log scale)")
ax_card.set_title("Cardinality")
for label in ax_mdi.get_yticklabels():
    if label.get_text() in PROBES:
        label.set_color("tab:red")
fig.suptitle("Census forest: a column of random noise ranks near the top",
             fontsize="x-large", fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# `random_num` is noise by construction, yet MDI ranks it among the most important features, above
# most real ones, as the printout says. The three-level probe `random_cat`, just as useless, gets
# much less. The census column `fnlwgt`, a survey weight that the census bureau computes from a few
# demographic controls rather than a property of the person ([notebook 00](00_introduction.ipynb)),
# has thousands of distinct values and also scores high; section 3 shows how little the model really
# gets from it. Meanwhile the features with the fewest values, `race` (5) and `sex` (2), rank last
# (asserted): a two-valued feature offers a single threshold and can be split on at most once along
# any path from the root.
#
# Why? A feature with many distinct values offers many candidate thresholds, and the deep,
# unpruned trees keep splitting until the leaves are pure. Deep in a tree, a node holds a
# handful of training rows, and a many-valued noise feature almost always has *some* threshold
# that separates them a little better; the tree takes it, and MDI books the impurity decrease.
# Because the decreases are measured on the training rows the tree was fitted to, MDI rewards
# exactly this memorization (Strobl et al., 2007). Exercise 2 below shows how the depth of the
# trees controls it.
#
# > **Pitfall.** Never read impurity importance as "how much the model needs this feature".
# > MDI is biased toward continuous and many-valued features, is computed on training data (so
# > it rewards overfitting), and says nothing about generalization. A random probe column is a
# > cheap test: any feature that scores below it deserves no trust, and a probe near the top
# > means the ranking is mostly measuring cardinality.
#
# **Pros and cons of MDI**
#
# | pros | cons |
# |---|---|
# | free: a by-product of training | biased toward high-cardinality features |
# | every feature, every split counted | measured on training data; rewards overfitting |
# | no held-out data needed | only for tree models |
# | sums to one: easy to present | no sign, no units, not comparable across models |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Permutation importance
#
# ### Intuition
#
# Ask the model, not the trees: take held-out data, shuffle one column so that its link with
# the target is broken (its values, and so its distribution, stay the same), and measure how
# much the model's score drops. A feature the model relies on costs a lot of score when
# shuffled; a feature it ignores costs nothing; a feature it *overfitted* to costs nothing on
# new data either, which is the cure for the bias above (Breiman, 2001; Fisher et al., 2019).
#
# ### Math
#
# With a fitted model $f$, held-out data $(X, y)$, a score $s$ (higher is better: accuracy,
# $R^2$) and $X^{\pi,j}$ the data with column $j$ reordered by a random permutation $\pi$ of
# the rows,
#
# $$I_j = s\big(f; X, y\big) - \frac{1}{R} \sum_{r=1}^{R} s\big(f; X^{\pi_r, j}, y\big).$$
#
# $R$ repeats give a mean and a spread. Nothing is refitted: the model is evaluated
# $d \times R$ times on $n$ rows, which is why we send all $d \times R \times n$ shuffled rows to
# `predict` in **one batch**.
#
# ### Matching scikit-learn's random numbers
#
# To compare with `sklearn.inspection.permutation_importance` number for number, we must shuffle
# exactly as it does. Its source (`sklearn/inspection/_permutation_importance.py`) draws **one**
# integer seed from `random_state`, then gives *each* column a fresh `RandomState` with that
# same seed, so every column is shuffled with the same sequence of row orders. Within a column,
# each repeat shuffles an index array in place and applies it to the *already shuffled* column,
# so repeat $r$ uses the composition of the first $r$ shuffles. The helper below reproduces
# that: it returns the $R$ permutations $\pi_1, \dots, \pi_R$ of the formula.

# %%
from sklearn.inspection import permutation_importance


def sklearn_row_orders(n_rows: int, n_repeats: int, random_state: int) -> np.ndarray:
    """The (n_repeats, n_rows) row orders permutation_importance applies to every column."""
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    rng = np.random.RandomState(seed)
    shuffle, order, orders = np.arange(n_rows), np.arange(n_rows), []
    for _ in range(n_repeats):
        rng.shuffle(shuffle)
        order = order[shuffle]  # the column is shuffled again on top of the previous repeat
        orders.append(order)
    return np.stack(orders)


# %% [markdown]
# The score $s$, computed for many prediction vectors at once: $R^2$ for regression, accuracy for
# classification, one value per row of `predictions`.

# %%
def r2_rows(y: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """R^2 of each row of predictions (..., n) against y (n,)."""
    residual = ((predictions - y) ** 2).sum(axis=-1)
    return 1 - residual / ((y - y.mean()) ** 2).sum()


def accuracy_rows(y: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Accuracy of each row of predicted labels (..., n) against y (n,)."""
    return (predictions == y).mean(axis=-1)


# %% [markdown]
# $I_j$ itself: build the $d \times R$ shuffled copies of $X$ (copy $(j, r)$ has column $j$ in
# the order $\pi_r$), predict them in one call, and subtract each copy's score from the
# unshuffled score.

# %%
def permutation_importance_scratch(model, X: pd.DataFrame, y: np.ndarray, score, n_repeats: int,
                                   random_state: int) -> np.ndarray:
    """Score drop when each column is shuffled: a (d, n_repeats) array, one batched predict."""
    values = X.to_numpy(dtype=float)
    n, d = values.shape
    orders = sklearn_row_orders(n, n_repeats, random_state)
    batch = np.broadcast_to(values, (d, n_repeats, n, d)).copy()
    for j in range(d):
        batch[j, :, :, j] = values[orders, j]
    predictions = model.predict(pd.DataFrame(batch.reshape(-1, d), columns=X.columns))
    baseline = score(y, model.predict(X))
    return baseline - score(y, predictions.reshape(d, n_repeats, n))


# %% [markdown] slideshow={"slide_type": "subslide"}
# The check: the diabetes forest (regression, scored by $R^2$) on its held-out rows, ten repeats,
# the same `random_state` for both.

# %%
diabetes_features = list(diabetes_X.columns)
our_perm = permutation_importance_scratch(diabetes_forest, D_test, d_test, r2_rows,
                                          n_repeats=10, random_state=0)
sk_perm = permutation_importance(diabetes_forest, D_test, d_test, n_repeats=10, random_state=0)
print(f"largest difference per repeat: {np.max(np.abs(our_perm - sk_perm.importances)):.1e}")
print(f"from scratch: {our_perm.size * len(D_test):,} shuffled rows in one predict call; "
      f"the library: {our_perm.size} predict calls of {len(D_test)} rows")

# %%
assert np.allclose(our_perm, sk_perm.importances), "same shuffles, same numbers"
assert np.allclose(our_perm.mean(axis=1), sk_perm.importances_mean)

# %% [markdown]
# The diabetes forest's permutation importances (mean and standard deviation over the ten
# repeats), which sections 4 and 7 use again:

# %%
diabetes_perm = pd.Series(sk_perm.importances_mean, diabetes_features)
diabetes_perm_std = pd.Series(sk_perm.importances_std, diabetes_features)
print(pd.DataFrame({"mean": diabetes_perm, "std": diabetes_perm_std})
      .sort_values("mean", ascending=False).round(3).to_string())

# %% [markdown]
# Every repeat of every column agrees with the library, not just the means; the batched version
# is simply faster, because one large `predict` call costs far less than many small ones. Now
# the census forest, whose MDI ranked the noise column near the top: we compute permutation
# importance on its 1,200 held-out people.

# %%
adult_perm_runs = permutation_importance_scratch(adult_forest, A_test, a_test, accuracy_rows,
                                                 n_repeats=5, random_state=0)
adult_perm = pd.Series(adult_perm_runs.mean(axis=1), adult_features)
adult_perm_std = pd.Series(adult_perm_runs.std(axis=1), adult_features)
perm_rank = adult_perm.rank(ascending=False, method="first").astype(int)
print(pd.DataFrame({"MDI rank": mdi_rank, "permutation rank": perm_rank,
                    "permutation": adult_perm.round(4), "std": adult_perm_std.round(4)})
      .sort_values("permutation rank").to_string())
top_three = adult_perm.nlargest(3)
print(f"\nrandom_num: MDI rank {mdi_rank['random_num']}, permutation rank "
      f"{perm_rank['random_num']} of {len(adult_features)}, importance "
      f"{adult_perm['random_num']:+.4f} ± {adult_perm_std['random_num']:.4f} accuracy "
      f"(top feature: {top_three.index[0]} {top_three.iloc[0]:.4f})")

# %%
assert mdi_rank["random_num"] <= 3, "MDI: noise among the top three"
assert perm_rank["random_num"] > len(adult_features) / 2, "permutation: noise in the lower half"
assert abs(adult_perm["random_num"]) < 2 * adult_perm_std["random_num"], "within noise of zero"
assert abs(adult_perm["random_num"]) < 0.05 * top_three.iloc[0]
leaders = {"capital_gain", "education_num", "relationship", "age"}
assert set(perm_rank.nsmallest(4).index) == leaders, "the four leaders out of sample"
assert perm_rank["fnlwgt"] == len(adult_features), "the survey weight ranks last"

# %% [markdown]
# A plotting note: by default `importance_bar` ranks signed values by magnitude, which is right
# for coefficients (a large negative coefficient is a large effect). A *negative score drop* is
# different: it means shuffling happened to help, which is noise, not an opposite effect. So for
# permutation and drop-column importance we rank by the signed value, `sort="value"`.

# %%
fig, (ax_mdi, ax_perm) = plt.subplots(1, 2, figsize=(14, 7.5))
importance_bar(adult_mdi.to_numpy(), adult_features, ax=ax_mdi, highlight="random_num",
               title="MDI (training data)", xlabel="mean decrease in Gini impurity")
importance_bar(adult_perm.to_numpy(), adult_features, ax=ax_perm, highlight="random_num",
               errors=adult_perm_std.to_numpy(), title="Permutation (held-out data)",
               xlabel="drop in accuracy when shuffled (mean ± std, 5 repeats)", sort="value")
fig.suptitle("Same census forest: where does the noise column rank?", fontsize="x-large",
             fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Permutation importance moves the noise column (red) from near the top to the lower half:
# shuffling it on new people changes the accuracy by less than the repeat-to-repeat spread, as
# printed. The features the forest really relies on out of sample (`capital_gain`,
# `education_num`, `relationship` and `age`) now lead, and `fnlwgt` drops to the last place (both
# asserted). Small negative
# values are noise: shuffling a useless column can improve the score by chance; read the error
# bars before reading the ranks in the lower half.
#
# > **Pitfall.** Permutation importance has its own traps. (1) Computed on the *training* data
# > it inherits the overfitting it should expose (exercise 1). (2) Shuffling one of two
# > correlated features creates rows that never occur in reality (a 1.9 m tall person weighing
# > 40 kg), and the model is judged on how it extrapolates there (Hooker et al., 2021; partial
# > dependence in [notebook 02](02_ice_pdp_ale.ipynb) has the same problem);
# > correlated features also share, and so hide, their importance (section 5). (3) It measures
# > what *this* model uses, not what matters in the world: a different, equally good model may
# > use other features (Fisher et al., 2019).
#
# **Pros and cons of permutation importance**
#
# | pros | cons |
# |---|---|
# | model-agnostic: needs only `predict` and a score | correlated features: unrealistic rows |
# | on held-out data: generalization, not memorization | random: needs repeats and error bars |
# | in units of the score (accuracy, $R^2$): interpretable | $d \times R$ model evaluations |
# | no refitting | depends on the score chosen |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Drop-column importance
#
# ### Intuition and math
#
# The most direct question is: how much worse would a model be *without* feature $j$? Refit
# the same kind of model with the column removed and compare held-out scores:
#
# $$D_j = s\big(f; X, y\big) - s\big(f_{-j}; X_{-j}, y\big), \qquad
#   f_{-j} = \text{the same learner refitted on the training data without column } j .$$
#
# Unlike permutation importance it never shows the model an impossible row, but it costs $d$
# refits, and it evaluates a *different model* for each feature. scikit-learn has no function
# for it; the loop is short.

# %%
from sklearn.base import clone


def drop_column_importance(model, X_fit: pd.DataFrame, y_fit: np.ndarray, X_eval: pd.DataFrame,
                           y_eval: np.ndarray, columns: list[str] | None = None) -> np.ndarray:
    """Score of the learner refitted on all columns minus its score refitted without each one
    (every column, or only those listed in ``columns``)."""
    baseline = clone(model).fit(X_fit, y_fit).score(X_eval, y_eval)
    return np.array([
        baseline - clone(model).fit(X_fit.drop(columns=c), y_fit).score(X_eval.drop(columns=c),
                                                                          y_eval)
        for c in (X_fit.columns if columns is None else columns)])


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Check against a closed form.** For least squares there is an exact answer without any
# refitting: removing column $j$ raises the residual sum of squares of the training fit by
# $\tilde w_j^2 / [(Z^\top Z)^{-1}]_{jj}$, where $Z$ is section 1's standardized design matrix
# with its intercept column (`design`) and $\tilde w_j$ the standardized coefficients (this is
# $t_j^2 \hat\sigma^2$, where $\hat\sigma^2$ is the estimated noise variance and
# $t_j = \tilde w_j / (\hat\sigma \sqrt{[(Z^\top Z)^{-1}]_{jj}})$ the coefficient's $t$
# statistic). Divided by the total sum of squares, that is the drop in training $R^2$. Our loop,
# scored on the training data, must reproduce it.

# %%
train_drop = drop_column_importance(LinearRegression(), X_train, y_train, X_train, y_train)
inverse_gram = np.linalg.inv(design.T @ design)
total_sum_of_squares = ((y_train - y_train.mean()) ** 2).sum()
closed_form = solution[1:] ** 2 / np.diag(inverse_gram)[1:] / total_sum_of_squares
print(pd.DataFrame({"refitting": train_drop, "closed form": closed_form}, index=features)
      .round(5).to_string())

# %%
assert np.allclose(train_drop, closed_form), "d refits = one formula for least squares"

# %% [markdown]
# (The identity does not depend on the scaling: with the raw design matrix and raw coefficients
# it gives the same numbers.) Now the diabetes forest, on held-out data, next to its
# permutation importance.

# %% slideshow={"slide_type": "subslide"}
diabetes_drop = pd.Series(drop_column_importance(diabetes_forest, D_train, d_train, D_test, d_test),
                          diabetes_features)
print(pd.DataFrame({"permutation": diabetes_perm, "drop-column": diabetes_drop})
      .sort_values("permutation", ascending=False).round(3).to_string())
print(f"\ns5: permutation {diabetes_perm['s5']:.3f}, drop-column {diabetes_drop['s5']:.3f}")
print(f"s5's largest correlations: "
      f"{diabetes.X.corr()['s5'].drop('s5').abs().nlargest(3).round(2).to_dict()}")

# %%
assert diabetes_perm["s5"] > 0.1 and diabetes_drop["s5"] < diabetes_perm["s5"] / 4

# %% [markdown]
# How much does the score move when nothing is dropped and only the forest's seed changes? That
# spread, the refit noise, is the yardstick for the drop-column values.

# %%
seed_scores = np.array([clone(diabetes_forest).set_params(random_state=seed)
                        .fit(D_train, d_train).score(D_test, d_test) for seed in range(5)])
refit_spread = seed_scores.max() - seed_scores.min()
real_diabetes = [c for c in diabetes_features if c not in PROBES]
probe_beats = sum(diabetes_drop[c] < diabetes_drop["random_num"] for c in real_diabetes)
print(f"\nfull forest, random_state 0-4: test R^2 {np.round(seed_scores, 3).tolist()}, "
      f"spread {refit_spread:.3f}")
print(f"random_num: drop-column {diabetes_drop['random_num']:.3f}, above {probe_beats} of the "
      f"{len(real_diabetes)} real features")
print(f"drop-column values smaller than the spread: "
      f"{int((diabetes_drop.abs() < refit_spread).sum())} of {len(diabetes_features)}")

# %%
assert probe_beats > len(real_diabetes) / 2, "the noise probe outranks most real features"
assert diabetes_drop["random_num"] < 2 * refit_spread, "by an amount the size of refit noise"
assert diabetes_drop["random_num"] > refit_spread, "just outside the band"
assert (diabetes_drop.abs() < refit_spread).sum() > len(diabetes_features) / 2, "most inside"

# %% [markdown]
# The figure: both importances of the diabetes forest, `s5` in red, and the refit spread as a
# grey band on the drop-column panel.

# %%
fig, (ax_perm, ax_drop) = plt.subplots(1, 2, figsize=(13, 5.8))
importance_bar(diabetes_perm.to_numpy(), diabetes_features, ax=ax_perm, highlight="s5",
               errors=diabetes_perm_std.to_numpy(), title="Permutation (this forest)",
               xlabel="drop in test R² when shuffled", sort="value")
importance_bar(diabetes_drop.to_numpy(), diabetes_features, ax=ax_drop, highlight="s5",
               title="Drop-column (refitted forests)", xlabel="drop in test R² without it",
               sort="value")
ax_drop.axvspan(-refit_spread, refit_spread, color="tab:gray", alpha=0.25, zorder=0,
                label="± spread of R² over 5 seeds")
ax_drop.legend(loc="lower right", fontsize=10)
fig.suptitle("Diabetes forest: what the model uses vs what the data cannot do without",
             fontsize="x-large", fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The two methods agree that `bmi` matters, and disagree sharply on `s5` (red): the fitted
# forest leans on it heavily (shuffling it costs a lot of $R^2$), but a forest refitted without
# it does about as well, as printed. Its information is largely available in other columns
# (its strongest correlations, printed, are with `s4`, `s1` and `s6`), and the refitted forest
# finds it there. Neither answer is wrong; they answer different questions:
#
# - **permutation**: how much does *this fitted model* rely on the feature?
# - **drop-column**: how much predictive information does the feature add *that the other
#   features do not carry*?
#
# The grey band is the refit noise: the test $R^2$ of the *full* forest when only its seed
# changes. Most drop-column values lie inside it, and the noise probe `random_num` lands just
# outside it (by less than the band's half-width), above most real features (printed and
# asserted). On 309 training and 133 test patients, drop-column importance of a forest cannot
# separate effects of this size from the luck of the refit.
#
# > **Pitfall.** Drop-column importance compares different models, each with its own
# > randomness: the refit without a column grows different trees, so values within the refit
# > spread (of either sign) are noise; measure that spread before reading the ranking, or
# > average over several seeds. It also costs one full training per feature, which rules it out
# > for large models, and with redundant features it can call every one of them unimportant
# > (section 5).
#
# **Pros and cons of drop-column importance**
#
# | pros | cons |
# |---|---|
# | the most direct question: "worth keeping?" | $d$ refits: expensive |
# | no unrealistic rows | explains a family of refitted models, not the model at hand |
# | model-agnostic | refit noise; redundant features all look unimportant |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Correlated features split importance (a measured pitfall)
#
# The extreme case of correlation is a duplicate. We add `bmi_copy`, an exact copy of `bmi`, to
# the diabetes table, refit the standardized linear model and the forest, and recompute the four
# importances of the two copies. First the four importances of the diabetes table as it is,
# with the standardized linear model's $|\tilde w_j|$ as the coefficient column (section 7
# reuses this table):

# %%
linear_regression = make_pipeline(StandardScaler(), LinearRegression())
diabetes_linear = clone(linear_regression).fit(D_train, d_train)
diabetes_table = pd.DataFrame({"|coefficient|": np.abs(diabetes_linear[-1].coef_),
                               "MDI": diabetes_forest.feature_importances_,
                               "permutation": diabetes_perm, "drop-column": diabetes_drop},
                              index=diabetes_features)

# %% [markdown]
# Then the same learners on the table with the copy, and the four importances of `bmi` and
# `bmi_copy`:

# %%
pair = ["bmi", "bmi_copy"]
dup_train, dup_test = D_train.assign(bmi_copy=D_train["bmi"]), D_test.assign(bmi_copy=D_test["bmi"])
dup_linear = clone(linear_regression).fit(dup_train, d_train)
dup_forest = clone(diabetes_forest).fit(dup_train, d_train)
dup_perm = permutation_importance_scratch(dup_forest, dup_test, d_test, r2_rows, n_repeats=10,
                                          random_state=0).mean(axis=1)
duplicated = pd.DataFrame({
    "|coefficient|": pd.Series(np.abs(dup_linear[-1].coef_), dup_train.columns)[pair].to_numpy(),
    "MDI": pd.Series(dup_forest.feature_importances_, dup_train.columns)[pair].to_numpy(),
    "permutation": pd.Series(dup_perm, dup_train.columns)[pair].to_numpy(),
    "drop-column": drop_column_importance(dup_forest, dup_train, d_train, dup_test, d_test,
                                          columns=pair),
}, index=pair).T

# %% [markdown]
# Each method's importance of `bmi` alone, of each copy, and the copies' sum as a share of `bmi`
# alone:

# %%
split = pd.DataFrame({"bmi alone": diabetes_table.loc["bmi"],
                      "bmi (with copy)": duplicated["bmi"], "bmi_copy": duplicated["bmi_copy"]})
split["(bmi + copy) / alone"] = (split["bmi (with copy)"] + split["bmi_copy"]) / split["bmi alone"]
print(split.round(3).to_string())

# %%
coef_share = split.loc["|coefficient|"]
assert np.allclose(coef_share["bmi (with copy)"], coef_share["bmi_copy"])
assert np.isclose(coef_share["bmi (with copy)"], coef_share["bmi alone"] / 2), "split in half"
assert np.isclose(split.loc["MDI", "(bmi + copy) / alone"], 1, atol=0.1), "MDI shares the total"
assert split.loc["MDI", ["bmi (with copy)", "bmi_copy"]].min() > 0.3 * split.loc["MDI", "bmi alone"]
assert split.loc["permutation", "(bmi + copy) / alone"] < 0.5, "permutation loses most of it"
assert split.loc["drop-column", ["bmi (with copy)", "bmi_copy"]].max() < refit_spread, (
    "drop-column: both copies within refit noise")

# %%
methods = list(split.index)
relative = split[["bmi alone", "bmi (with copy)", "bmi_copy"]].div(split["bmi alone"], axis=0)
fig, ax = plt.subplots(figsize=(10, 5))
positions = np.arange(len(methods))
for offset, column, colour in zip((-0.27, 0, 0.27), relative.columns,
                                  ("tab:gray", "tab:blue", "tab:cyan"), strict=True):
    bars = ax.bar(positions + offset, relative[column], width=0.27, label=column, color=colour)
    ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=11)
ax.axhline(0, color="black", linewidth=0.8)
ax.set_xticks(positions, methods)
ax.set_xlabel("importance method")
ax.set_ylabel("importance / importance of bmi alone")
ax.set_ylim(min(0, relative.min().min()) - 0.1, 1.45)
ax.set_title("Duplicating bmi: each method's share for the two copies")
ax.legend(loc="upper center", ncol=3, fontsize=11)
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# One piece of information, two columns, four different stories (bars relative to `bmi` alone,
# as printed above):
#
# - **coefficients** split exactly in half: with two identical columns least squares has
#   infinitely many solutions, and scikit-learn returns the minimum-norm one, which shares the
#   weight equally. (With ridge regularization the split is also equal; with a lasso penalty the
#   whole weight would usually go to one copy.)
# - **MDI** splits the total between the copies: at each split both offer the same gain, and
#   the tie goes to whichever copy the tree happens to look at first.
# - **permutation** collapses: shuffling one copy leaves the other intact, and the trees that
#   split on the intact copy still predict well, so each copy looks far less important than
#   `bmi` alone did, and even their sum is well below it.
# - **drop-column** sees almost nothing: without one copy, the refitted forest uses the other,
#   and both values fall inside the refit spread measured in section 4.
#
# In real data, features are rarely identical but often strongly correlated (height and
# weight, several blood-cholesterol measures), and the same mechanisms act partially.
#
# > **Pitfall.** Before you conclude "feature A is unimportant", check whether a correlated
# > partner carries its information. Group strongly correlated features (e.g. by hierarchical
# > clustering of their rank correlations) and permute or drop each *group* together, or use a
# > conditional scheme (Strobl et al., 2008). The importance of a group is a better-posed
# > question than the importance of one of its members.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Which method finds a planted leak?
#
# [Notebook 00](00_introduction.ipynb) introduced `make_planted_tabular`: binary labels from a noisy
# linear rule on four informative features `x1`–`x4` (weights falling evenly from 1.0 for `x1`
# to 0.4 for `x4`, so `x4` is the weakest), three useless `noise` columns, and one column `leak`
# that is the label plus Gaussian noise (standard deviation 0.3 by default), as a field
# recorded after the outcome would be. Here
# we know the ground truth: a model trained on this table should lean on `leak` above everything.
# Each method gets the same 70/30 split; the linear model is a standardized logistic regression and
# the forest a default random forest classifier. The helper below is the whole pipeline of this
# notebook in one function (standardized linear model, forest MDI, permutation on held-out data,
# drop-column). We also re-run the from-scratch permutation check here, this time for a classifier
# scored by accuracy.

# %%
from sklearn.linear_model import LogisticRegression

from utils.data import make_planted_tabular


def all_importances(linear, forest, X_fit: pd.DataFrame, y_fit: np.ndarray, X_eval: pd.DataFrame,
                    y_eval: np.ndarray, score, n_repeats: int = 5) -> pd.DataFrame:
    """The four importances of one table, one column per method, one row per feature."""
    linear = clone(linear).fit(X_fit, y_fit)
    forest = clone(forest).fit(X_fit, y_fit)
    return pd.DataFrame({
        "|coefficient|": np.abs(linear[-1].coef_.reshape(-1)),
        "MDI": forest.feature_importances_,
        "permutation": permutation_importance_scratch(forest, X_eval, y_eval, score, n_repeats,
                                                      random_state=0).mean(axis=1),
        "drop-column": drop_column_importance(forest, X_fit, y_fit, X_eval, y_eval),
    }, index=X_fit.columns)


# %% [markdown]
# The planted table, split 70/30, and its four importances:

# %%
planted = make_planted_tabular(n_samples=1000, seed=0)
P_train, P_test, p_train, p_test = train_test_split(planted.X, planted.y, test_size=0.3,
                                                    stratify=planted.y, random_state=0)
logistic = make_pipeline(StandardScaler(), LogisticRegression())
planted_forest = RandomForestClassifier(random_state=0)
planted_table = all_importances(logistic, planted_forest, P_train, p_train, P_test, p_test,
                                accuracy_rows)

# %% [markdown]
# The from-scratch permutation importance against scikit-learn's, now for a classifier scored
# by accuracy:

# %%
fitted_forest = clone(planted_forest).fit(P_train, p_train)
sk_perm = permutation_importance(fitted_forest, P_test, p_test, n_repeats=5, random_state=0)
assert np.allclose(planted_table["permutation"], sk_perm.importances_mean), "classifier too"

# %% [markdown]
# Where does each method put the leak?

# %%
LEAK = planted.planted_feature
print(planted_table.round(3).to_string(), end="\n\n")
leak_ranks = planted_table.rank(ascending=False).loc[LEAK].astype(int)
found = pd.DataFrame({"ranked first": planted_table.idxmax(), "rank of the leak": leak_ranks,
                      "leak / runner-up": planted_table.loc[LEAK]
                      / planted_table.drop(index=LEAK).max()})
print(found.round(1).to_string())

# %%
assert (found["ranked first"] == LEAK).all(), "every method finds the leak on this table"
honest, useless = list(planted.informative_features), list(planted.noise_features)
for method in ("permutation", "drop-column"):
    assert (planted_table.loc[honest, method] < 0.05 * planted_table.loc[LEAK, method]).all()
coefficient = planted_table["|coefficient|"]
assert (coefficient[honest[:3]] > 0.2 * coefficient[LEAK]).all(), "x1-x3 keep clear weights"
assert planted_table.loc[honest[:3], "MDI"].min() > planted_table.loc[useless, "MDI"].max()

# %%
fig, axes = plt.subplots(1, 4, figsize=(17, 4.8))
for ax, method in zip(axes, planted_table.columns, strict=True):
    score_drop = method not in ("|coefficient|", "MDI")
    importance_bar(planted_table[method].to_numpy(), list(planted_table.index), ax=ax,
                   highlight=LEAK, title=method, sort="value" if score_drop else "magnitude",
                   xlabel="drop in accuracy" if score_drop else "importance")
fig.suptitle("Planted table: every method puts the leak (red) first", fontsize="x-large",
             fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# On this table all four methods rank the leak first, by a wide margin (the last column of the
# printout is the leak's importance divided by the largest other one). That is the easy case: a
# single, strong, uncorrelated leak.
#
# Behind the leak the methods tell different stories. The logistic regression still gives the
# honest features `x1`–`x3` clear weights, and MDI ranks them right behind the leak, above the
# noise columns. Permutation and drop-column importance say that the forest hardly needs them:
# with the leak available, shuffling or removing an honest feature moves the accuracy by less
# than 5% of what the leak does (printed and asserted above). This is no contradiction: the
# forest's trees do split on `x1`–`x3` (MDI counts those splits), but on new data the leak
# already decides almost every prediction, so the honest features add little. A weaker leak is
# exercise 3.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. All four side by side
#
# Back to the diabetes table with its two probes, where the ground truth is unknown, as in
# practice. To put the methods on one axis we divide each by its largest absolute value, so
# every method's top feature gets 1; the coefficients are those of the standardized linear
# model, the other three describe the forest.

# %%
from scipy.stats import spearmanr

normalized = diabetes_table / diabetes_table.abs().max()
normalized = normalized.loc[diabetes_perm.sort_values().index]
agreement = pd.DataFrame(spearmanr(diabetes_table).statistic, index=diabetes_table.columns,
                         columns=diabetes_table.columns)
print("Spearman rank correlation between the methods' rankings:")
print(agreement.round(2).to_string())

# %% [markdown]
# Each method's top feature, and where the two probes land:

# %%
print(f"top feature per method: {diabetes_table.idxmax().to_dict()}")
ranks = diabetes_table.rank(ascending=False).astype(int)
probes = pd.concat({"rank": ranks.loc[list(PROBES)].T,
                    "share of top": normalized.loc[list(PROBES)].T.round(2)}, axis=1)
print(f"\nthe probes: rank among {len(diabetes_features)} features, and importance as a share of "
      f"the method's top feature\n{probes.to_string()}")

# %%
between_methods = agreement.to_numpy()[~np.eye(4, dtype=bool)]  # off-diagonal pairs
assert set(diabetes_table.idxmax()) <= {"bmi", "s5"}, "bmi or s5 tops every method"
assert normalized.loc[list(PROBES), "permutation"].max() < 0.1, "permutation: probes small"
assert normalized.loc["random_num", "MDI"] > 2 * normalized.loc["random_num", "permutation"]
assert between_methods.max() < 0.5, "no two rankings agree closely"
assert np.abs(between_methods).min() < 0.1, "some pairs of rankings are unrelated"

# %% [markdown]
# The figure: the four scaled importances side by side, features sorted by permutation
# importance. The colours name the methods here (not the sign, as in the bar charts above).

# %%
fig, ax = plt.subplots(figsize=(10, 9))
heights = np.arange(len(normalized))
for k, (method, colour) in enumerate(zip(normalized.columns,
                                         ("tab:purple", "tab:brown", "tab:olive", "tab:cyan"),
                                         strict=True)):
    ax.barh(heights + (1.5 - k) * 0.2, normalized[method], height=0.2, label=method,
            color=colour)
ax.set_yticks(heights, normalized.index)
for label in ax.get_yticklabels():
    if label.get_text() in PROBES:
        label.set_color("tab:red")
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("importance / largest importance of the method")
ax.set_title("Diabetes: four importances, each scaled to its top feature")
ax.legend(loc="lower right", fontsize=11)
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Features are sorted by permutation importance; the probes' names are in red. Reading the
# chart and the printout together:
#
# - Every method's top feature is `bmi` or `s5`: when the signal is strong, the methods broadly
#   agree on it.
# - Below the top, they disagree. The rank correlations between methods, printed, are modest at
#   best (all below 0.5) and some are near zero (below 0.1 in size), as asserted.
# - `s5` is large for the coefficients, MDI and permutation, and near zero for drop-column: the
#   redundancy of section 4.
# - The probes: permutation gives both less than a tenth of its top feature; MDI gives the noise
#   column `random_num` a visible bar ahead of several real features; drop-column ranks it high,
#   by an amount the size of the refit noise (section 4). On a table this small no ranking below
#   the top two or three should be taken at face value.
# - The coefficients describe a different model (linear), with its own story: the large,
#   opposite-signed `s1`/`s2` pair of section 1 is a property of that model.
#
# ### Which method when?
#
# | | coefficients | MDI | permutation | drop-column |
# |---|---|---|---|---|
# | asks | effect, others fixed | splits on $x_j$ | this model's reliance | value added by $x_j$ |
# | model | linear only | trees only | any | any |
# | data used | training (the fit) | training | held-out | held-out |
# | cost | free | free | $d \times R$ predictions | $d$ refits |
# | sign | yes | no | no | no |
# | units | target per SD | impurity | score ($R^2$, accuracy) | score |
# | noise probes here | small | ranked high | small | ranked high (refit noise) |
# | duplicated feature | halved | split | both look small | both look useless |
# | planted leak | found | found | found | found |
#
# A sensible default for a fitted model of any kind is permutation importance on held-out data
# with repeats, plus a random probe column, plus a look at the feature correlations. Use
# coefficients when the model is linear and the features are standardized, drop-column when the
# question is "can we do without this measurement?" and refits are affordable, and MDI only as a
# quick first look. For explanations of single predictions, see LIME
# ([notebook 03](03_lime.ipynb)) and SHAP ([notebook 04](04_shap.ipynb)); for the *shape* of a
# feature's effect, partial dependence ([notebook 02](02_ice_pdp_ale.ipynb)).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Boston housing: the column that retired a data set
#
# For forty years the Boston housing table (Harrison & Rubinfeld, 1978) was where feature
# importance was taught: 506 towns around Boston, thirteen features, and the median value of
# owner-occupied homes (`MEDV`, in thousands of 1970 dollars) as the target. scikit-learn
# removed it in version 1.2. The course ships the same CSV in `data/`, so that we can see why.
#
# The reason is one column. The authors did not record the share $B_k$ of Black residents of a
# town; they entered
#
# $$B = 1000\,(B_k - 0.63)^2,$$
#
# a parabola built on their assumption that house prices first fall and then rise as that
# share grows. The column is racial by construction, and it is not monotone in $B_k$. We rank it
# with the four methods of this notebook (the `all_importances` helper of section 6, scored by
# $R^2$), then ask what the answer can mean.

# %%
boston = load_tabular("boston")
B_train, B_test, v_train, v_test = train_test_split(boston.X, boston.y.to_numpy(),
                                                    test_size=0.3, random_state=0)
boston_linear = make_pipeline(StandardScaler(), LinearRegression())
boston_forest = RandomForestRegressor(random_state=0)
boston_table = all_importances(boston_linear, boston_forest, B_train, v_train, B_test, v_test,
                               r2_rows)
boston_ranks = boston_table.rank(ascending=False).astype(int)
print(f"{len(boston.X)} towns; B = {boston.descriptions['B']}\n")
print(boston_table.round(3).join(boston_ranks.add_prefix("rank: ")).to_string())

# %% [markdown]
# The linear model's standardized coefficient of `B`, and the test $R^2$ each model loses
# without `B`:

# %%
b_column = list(boston.X.columns).index("B")
boston_linear.fit(B_train, v_train)
w_B = boston_linear[-1].coef_[b_column]
linear_without_B = clone(boston_linear).fit(B_train.drop(columns="B"), v_train)
linear_loss = (boston_linear.score(B_test, v_test)
               - linear_without_B.score(B_test.drop(columns="B"), v_test))
print(f"standardized coefficient of B: {w_B:+.2f} thousand dollars per SD of B")
print(f"test R^2 lost without B: linear model {linear_loss:.3f}, forest "
      f"{boston_table.loc['B', 'drop-column']:.3f} (its drop-column importance)")

# %%
assert w_B > 0, "a positive coefficient on B"
assert (boston_ranks.loc["B", ["|coefficient|", "MDI", "permutation"]] > 6).all(), "lower half"
assert abs(boston_table.loc["B", "drop-column"]) < 0.005 and 0 < linear_loss < 0.02
assert boston_ranks.loc[["LSTAT", "RM"]].max().max() <= 3, "LSTAT and RM lead every ranking"

# %% [markdown]
# `LSTAT` (the share of lower-status residents) and `RM` (rooms per dwelling) lead every
# ranking, as in every textbook that used this table. `B` ranks in the lower half by
# coefficient, MDI and permutation, but it is not zero: the linear model gives it a positive
# coefficient and loses about a hundredth of its test $R^2$ without it (less than 0.02,
# asserted), while the forest, which splits on it, loses nothing when refitted without it (both
# printed).
#
# ### The square hides the share
#
# Solving the formula for the share gives two roots, $B_k = 0.63 \pm \sqrt{B/1000}$. Both are
# possible shares (between 0 and 1) whenever $B < 1000 \cdot 0.37^2 = 136.9$.
# `utils.data.boston_shares` returns both roots (NaN where one falls outside $[0, 1]$), and
# `boston_b` is the formula itself; notebooks 02 and 04 use them too.

# %%
from utils.data import boston_b, boston_shares

low_share, high_share = boston_shares(boston.X["B"].to_numpy())
ambiguous = ~np.isnan(low_share) & ~np.isnan(high_share)
most_common = boston.X["B"].mode()[0]
print(f"towns whose B fits two shares: {ambiguous.sum()} of {len(boston.X)}")
print(f"the most common value, B = {most_common} ({np.sum(boston.X['B'] == most_common)} towns),"
      f" means a share of {boston_shares(most_common)[0]:.2f}")

# %%
assert most_common == boston.X["B"].max(), "the most common value is the largest"
assert ambiguous.sum() > 0
assert np.allclose(boston_b(high_share[ambiguous]), boston.X["B"][ambiguous])

# %% [markdown]
# A quarter of the towns (121) have the largest possible value, 396.9: a share of zero. Now
# take one test town and write in two shares, 0.40 and 0.86. Both give $B = 52.9$, so every
# model on this table must treat the two versions alike, and any attribution to `B` is one
# number for both.

# %% [markdown]
# Two helpers: write a share into a town through the formula, and the linear model's local
# attribution to `B`, $\phi_B = \tilde w_B z_B$ (section 1's last table row).

# %%
def with_share(town: pd.DataFrame, share: float) -> pd.DataFrame:
    """The same town with the B value of the given share of Black residents."""
    return town.assign(B=boston_b(share))


# %%
def b_contribution(towns: pd.DataFrame) -> np.ndarray:
    """The linear model's local attribution to B: coefficient times standardized value."""
    return w_B * boston_linear[0].transform(towns)[:, b_column]


# %%
town = B_test.iloc[[0]]
fitted_boston_forest = clone(boston_forest).fit(B_train, v_train)
for share in (0.40, 0.86):
    edited = with_share(town, share)
    print(f"share {share:.2f}: B = {edited['B'].item():.1f}, linear contribution of B "
          f"{b_contribution(edited)[0]:+.3f}, forest prediction "
          f"{fitted_boston_forest.predict(edited)[0]:.2f}")

# %%
assert np.isclose(b_contribution(with_share(town, 0.40)), b_contribution(with_share(town, 0.86)))

# %%
share_grid = np.linspace(0, 1, 201)
grid_towns = pd.concat([with_share(town, s) for s in share_grid])
fig, (ax_b, ax_phi) = plt.subplots(1, 2, figsize=(13, 4.5))
ax_b.plot(share_grid, grid_towns["B"], color="black")
ax_b.plot([0.40, 0.86], with_share(town, 0.40)["B"].repeat(2), "o--", color="tab:red", ms=9)
ax_b.set(xlabel="share of Black residents $B_k$", ylabel="column B",
         title="Two shares, one value of B")
ax_phi.plot(share_grid, b_contribution(grid_towns), color="tab:blue")
ax_phi.plot([0.40, 0.86], b_contribution(with_share(town, 0.40)).repeat(2), "o--",
            color="tab:red", ms=9)
ax_phi.axhline(0, color="grey", linewidth=0.8)
ax_phi.set(xlabel="share of Black residents $B_k$", ylabel="contribution to MEDV (thousand USD)",
           title="The linear model's attribution to B")
fig.suptitle("Boston's B column: a parabola in a racial share", fontsize="x-large",
             fontweight="bold")
fig.tight_layout()
plt.show()

# %% [markdown]
# The left panel is the formula; the dashed line cuts it twice. The right panel is the linear
# model's contribution of `B` for our test town, drawn against the share it encodes (the two
# red towns get the same contribution): a positive coefficient on
# `B` becomes, in the share, a price that falls as the share rises towards 0.63 and rises
# after it. The model did not learn that shape; the authors built it into the column, and a
# coefficient or an importance can only report it back. "`B` matters a little" is therefore
# a statement about a parabola someone chose in 1978, not a measured effect of who lives in a
# town.
#
# > **What to do with such a column.** Do not use it as a feature of a model that values
# > homes: it encodes race, the encoding is the authors' assumption, and dropping it costs
# > about a hundredth of the test $R^2$ here (printed above). Keep it only to *audit*:
# > does a model without it still reproduce the same pattern through proxies such as `LSTAT`?
# > And when a data set carries such a column, say so where it is used. Notebooks
# > [02](02_ice_pdp_ale.ipynb) and [04](04_shap.ipynb) look at `B` through ICE curves and
# > SHAP values.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("01.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: Permutation importance on the training data
#
# Compute the permutation importance of the census forest (`adult_forest`) on its **training**
# rows instead of the held-out rows (5 repeats, `random_state=0`). Where does `random_num` rank
# now, and how large is its importance compared with the held-out value? Explain.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the same permutation importance as section 3, but the shuffled rows are the ones the
#   forest was fitted on; compare its noise probe with the held-out value.
# Hint: call permutation_importance_scratch(adult_forest, A_train, a_train, accuracy_rows, ...),
#   take the mean over the repeats (axis=1) and rank it as in section 3; compare with
#   adult_perm["random_num"].
# Hint: start with train_runs = permutation_importance_scratch(adult_forest, A_train, a_train,
#   accuracy_rows, n_repeats=5, random_state=0).
train_runs = permutation_importance_scratch(adult_forest, A_train, a_train, accuracy_rows,
                                            n_repeats=5, random_state=0)
train_perm = pd.Series(train_runs.mean(axis=1), adult_features)
train_rank = train_perm.rank(ascending=False, method="first").astype(int)
print(f"random_num on training rows: {train_perm['random_num']:.4f} "
      f"(rank {train_rank['random_num']} of {len(adult_features)}); "
      f"on held-out rows: {adult_perm['random_num']:+.4f} (rank {perm_rank['random_num']})")
real_below = [c for c in real_features if train_perm[c] < train_perm["random_num"]]
print(f"real features below the noise on training rows: {real_below}")
assert train_perm["random_num"] > 5 * abs(adult_perm["random_num"])
assert len(real_below) >= 3, "on training rows the noise beats several real features"
assert train_rank["random_num"] < perm_rank["random_num"]

# %% slideshow={"slide_type": "fragment"}
check("01.1", train_perm=train_perm, held_out=adult_perm, model=adult_forest, X=A_train,
      y=a_train, real=real_features)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# On the training rows the forest has memorized the noise: its deep trees split on `random_num`
# to make leaves pure, so shuffling it breaks those memorized predictions and costs training
# accuracy, more than shuffling several real features does (printed). Every feature looks more
# important on training rows, where the forest is nearly perfect, so the rank moves less than
# the size does. On held-out people the same splits are worthless, and the importance vanishes.
# Permutation importance fixes the bias of MDI only when it is computed on data the model has
# not seen.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Can shallower trees tame MDI?
#
# Refit the census forest with `min_samples_leaf=20` (every leaf must keep at least 20 training
# rows; otherwise the same settings). Where does `random_num` rank by MDI now? What happens to
# the test accuracy?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: change one setting only: a leaf of at least 20 rows cannot be made pure by a split on
#   noise, then read MDI off the new forest.
# Hint: clone(adult_forest).set_params(min_samples_leaf=20).fit(A_train, a_train), then rank
#   feature_importances_ as in section 2 (ascending=False, so 1 is the largest).
# Hint: start with shallow_forest = clone(adult_forest).set_params(min_samples_leaf=20).
shallow_forest = clone(adult_forest).set_params(min_samples_leaf=20).fit(A_train, a_train)
shallow_mdi = pd.Series(shallow_forest.feature_importances_, adult_features)
shallow_rank = shallow_mdi.rank(ascending=False).astype(int)
still_below = [c for c in real_features if shallow_mdi[c] < shallow_mdi["random_num"]]
print(f"random_num MDI rank: {mdi_rank['random_num']} with pure leaves, "
      f"{shallow_rank['random_num']} with min_samples_leaf=20")
print(f"real features still below it: {still_below}")
print(f"test accuracy: {adult_forest.score(A_test, a_test):.3f} -> "
      f"{shallow_forest.score(A_test, a_test):.3f}")
assert shallow_rank["random_num"] > mdi_rank["random_num"]

# %% slideshow={"slide_type": "fragment"}
check("01.2", shallow_forest=shallow_forest, shallow_mdi=shallow_mdi, forest=adult_forest)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# With at least 20 rows per leaf the trees cannot chase single training rows, so the noise
# feature gains much less impurity and falls down the MDI ranking, while the test accuracy
# barely changes (as printed). The bias is reduced, not removed: the noise still ranks above
# the real features listed in the printout. Regularizing the trees helps MDI, but the reliable
# check remains permutation importance on held-out data, with a probe.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: A quieter leak
#
# Make the leak noisier: `make_planted_tabular(n_samples=1000, leak_noise=1.0, seed=0)`. Split it
# as in section 6 and compute the four importances with `all_importances`. Which feature does
# each method rank first now, and where is the leak? Is the model still "cheating"?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: only the data change: generate the noisier table, split it like section 6 and let
#   all_importances compute the four columns; then read where the leak ranks in each.
# Hint: reuse logistic, planted_forest, all_importances and accuracy_rows from section 6, then
#   look at table.idxmax() and table.rank(ascending=False).loc["leak"].
# Hint: start with quiet = make_planted_tabular(n_samples=1000, leak_noise=1.0, seed=0).
quiet = make_planted_tabular(n_samples=1000, leak_noise=1.0, seed=0)
Q_train, Q_test, q_train, q_test = train_test_split(quiet.X, quiet.y, test_size=0.3,
                                                    stratify=quiet.y, random_state=0)
quiet_table = all_importances(logistic, planted_forest, Q_train, q_train, Q_test, q_test,
                              accuracy_rows)
quiet_ranks = quiet_table.rank(ascending=False).loc[quiet.planted_feature].astype(int)
print(pd.DataFrame({"ranked first": quiet_table.idxmax(), "rank of the leak": quiet_ranks})
      .to_string())
print(f"correlation of the leak with the label: "
      f"{np.corrcoef(quiet.X[quiet.planted_feature], quiet.y)[0, 1]:.2f} (leak_noise 1.0) vs "
      f"{np.corrcoef(planted.X[LEAK], planted.y)[0, 1]:.2f} (leak_noise 0.3)")
assert (quiet_ranks > 1).all(), "no method ranks the quieter leak first"
assert (quiet_ranks[["MDI", "permutation", "drop-column"]] == 2).all(), "second for the forest"
assert 2 < quiet_ranks["|coefficient|"] <= len(quiet.informative_features)

# %% slideshow={"slide_type": "fragment"}
check("01.3", data=quiet, table=quiet_table, ranks=quiet_ranks)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# With `leak_noise=1.0` the leak is no longer the strongest single feature, and every method
# ranks an honest feature first; the leak stays near the top, second for the forest's three
# importances and a little lower for the logistic regression's coefficients (as printed). The
# model is still partly "cheating": a field that is a noisy copy of the label has no business
# being among its inputs at all. An importance ranking cannot tell a leak from a genuinely
# strong feature; only knowing what each column means (when and how it was recorded) can. The
# ranking's job is to point you at the columns worth asking about.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Coefficients** of a linear model are importances only on a common scale: standardized
#   coefficients ($\tilde w_j = w_j \sigma_j$, checked exactly) are effects per standard
#   deviation, signed and conditional on the other features; correlated features can flip
#   their signs (`s1` in the diabetes data).
# - **Impurity importance (MDI)** sums the weighted impurity decreases of each feature's splits
#   and averages the normalized per-tree sums over the forest; we rebuilt
#   `feature_importances_` from the tree arrays. It is computed on training data and is biased
#   toward many-valued features: a column of random noise ranked near the top of the census
#   forest.
# - **Permutation importance** (shuffle a column on held-out data, measure the score drop) put
#   the same noise column in the lower half, within noise of zero. Our batched implementation
#   reproduces
#   `sklearn.inspection.permutation_importance` exactly, once its shuffling scheme (one shared
#   seed, compounded repeats) is copied. Computed on training data it rewards memorization.
# - A **random probe** column is the cheapest sanity check of any importance ranking.
# - **Drop-column importance** refits without each feature and measures what the feature adds
#   beyond the others; for least squares it equals a closed form. It can disagree with
#   permutation importance when the information is redundant (`s5`), and for a forest on a
#   small table its values are of the size of the refit noise.
# - **Correlated features** share importance: a duplicated feature gets half the coefficient,
#   half the MDI, a fraction of the permutation importance and almost no drop-column
#   importance.
# - On a table with a strong planted leak, all four methods found it; none of them can tell a
#   leak from a legitimately strong feature. Use a random probe, held-out data, repeats and the
#   correlation structure before trusting any ranking.
# - **Boston's `B`** ranks in the lower half by coefficient, MDI and permutation, and the forest
#   loses nothing without it; it encodes a racial share
#   through a parabola, so two different shares get one value and one attribution (36 towns
#   fit two shares). An importance reports the shape the authors built in, not an effect of
#   race; such a column belongs in an audit, not in the model.
# - Every ranking here describes **one** fitted model. [Notebook
#   10](10_interpretable_by_design.ipynb) trains many equally accurate models on the same census
#   data and measures how far their permutation importances disagree (the Rashomon effect), and
#   builds models that need no post-hoc ranking at all.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Harrison, D., & Rubinfeld, D. L. (1978). Hedonic housing prices and the demand for clean
#   air. *Journal of Environmental Economics and Management* 5(1), 81–102.
#   https://doi.org/10.1016/0095-0696(78)90006-2 (the Boston housing data and its `B` column)
# - Carlisle, M. (2019). racist data destruction? https://medium.com/@docintangible/racist-data-destruction-113e3eff54a8
#   (the history of `B`, cited by scikit-learn when it removed the data set)
# - Breiman, L. (2001). Random forests. *Machine Learning* 45, 5–32.
#   https://doi.org/10.1023/A:1010933404324 (MDI and permutation importance for forests)
# - Breiman, L., Friedman, J. H., Olshen, R. A., & Stone, C. J. (1984). *Classification and
#   Regression Trees.* Wadsworth. (The Gini index and impurity decrease.)
# - Strobl, C., Boulesteix, A.-L., Zeileis, A., & Hothorn, T. (2007). Bias in random forest
#   variable importance measures: illustrations, sources and a solution. *BMC Bioinformatics*
#   8, 25. https://doi.org/10.1186/1471-2105-8-25
# - Strobl, C., Boulesteix, A.-L., Kneib, T., Augustin, T., & Zeileis, A. (2008). Conditional
#   variable importance for random forests. *BMC Bioinformatics* 9, 307.
#   https://doi.org/10.1186/1471-2105-9-307
# - Louppe, G. (2014). *Understanding random forests: from theory to practice* (PhD thesis,
#   University of Liège), chapter 6 on variable importances. https://arxiv.org/abs/1407.7502
# - Fisher, A., Rudin, C., & Dominici, F. (2019). All models are wrong, but many are useful:
#   learning a variable's importance by studying an entire class of prediction models
#   simultaneously. *Journal of Machine Learning Research* 20(177), 1–81.
#   https://arxiv.org/abs/1801.01489
# - Hooker, G., Mentch, L., & Zhou, S. (2021). Unrestricted permutation forces extrapolation:
#   variable importance requires at least one more model, or there is no free variable
#   importance. *Statistics and Computing* 31, 82. https://arxiv.org/abs/1905.03151
# - Gelman, A. (2008). Scaling regression inputs by dividing by two standard deviations.
#   *Statistics in Medicine* 27(15), 2865–2873. https://doi.org/10.1002/sim.3107
# - Efron, B., Hastie, T., Johnstone, I., & Tibshirani, R. (2004). Least angle regression.
#   *Annals of Statistics* 32(2), 407–499. https://doi.org/10.1214/009053604000000067
#   (source of the diabetes data)
# - Kohavi, R. (1996). Scaling up the accuracy of naive-Bayes classifiers: a decision-tree
#   hybrid. *KDD-96* (first use of the Adult census data, extracted by B. Becker). Data: UCI
#   Machine Learning Repository, https://archive.ics.uci.edu/dataset/2/adult
# - Parr, T., Turgutlu, K., Csiszar, C., & Howard, J. (2018). Beware default random forest
#   importances. https://explained.ai/rf-importance/ (drop-column importance, in practice)
# - Molnar, C. (2022). *Interpretable Machine Learning* (2nd ed.), chapters on linear models and
#   permutation feature importance. https://christophm.github.io/interpretable-ml-book/
# - scikit-learn user guide: permutation feature importance,
#   https://scikit-learn.org/stable/modules/permutation_importance.html, and the example
#   "Permutation importance vs random forest feature importance (MDI)",
#   https://scikit-learn.org/stable/auto_examples/inspection/plot_permutation_importance.html
