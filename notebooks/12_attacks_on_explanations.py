# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 12 · Attacks on explanations: fooling LIME, SHAP and saliency maps
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/12_attacks_on_explanations.ipynb)
#
# Every explanation in this course so far was computed for a model that did not know it was
# being explained. An auditor cannot count on that. This notebook attacks explanations on
# purpose and then measures what defends against each attack. First, a classifier on the Adult
# census data that decides by sex alone is wrapped in a **scaffold** (Slack et al., 2020): a
# random forest learns to tell real people from the synthetic rows that LIME and Kernel SHAP
# send, and on those rows the model answers with an innocent rule. LIME and SHAP then stop
# naming sex, while every real person is still treated by sex. We measure which checks bring
# the bias back: explainers whose queries stay on the data, and plainly looking at the model's
# decisions on real rows. Second, the course's small CNN is fine-tuned by double
# backpropagation so that its gradient map points at a fixed corner while its predictions
# stay the same (Heo et al., 2019; Dombrowski et al., 2019); we run notebook 07's tests on it
# and SmoothGrad against it. Third, briefly, **fairwashing** (Aïvodji et al., 2019): a
# surrogate with high fidelity that never uses the sensitive feature.
#
# **Run time:** about 25–35 s on a 2-core laptop CPU (no GPU and no internet needed): 40
# census rows explained five ways, 80 double-backpropagation steps on a small CNN (twice, with
# exercise 2), and a few small random forests and trees.
#
# ## Learning objectives
#
# - Explain why perturbation explainers can be fooled: they ask the model about rows that do
#   not look like data, and a model can tell.
# - Build the scaffolding attack from its parts (a biased model, an innocuous model, a detector
#   of off-data queries trained on what LIME and SHAP ask) and measure how often it hides the
#   sensitive feature and how faithfully it keeps the bias on real rows.
# - Measure defences: other LIME samplers, LIME on real rows, Kernel SHAP with a real
#   background, and checks of the model's decisions on real data (group rates, flipping the
#   sensitive attribute).
# - Write the manipulation objective for a saliency map, fine-tune a CNN with double
#   backpropagation (`create_graph=True`), and say why a smooth activation helps.
# - Say which sanity checks of notebook 07 notice a manipulated map, and measure how much
#   SmoothGrad undoes.
# - Recognise fairwashing: a surrogate's fidelity says nothing about the features it leaves out.
#
# ## Prerequisites
#
# - [Notebook 03](03_lime.ipynb): tabular LIME, its quartile sampler and its kernel.
# - [Notebook 04](04_shap.ipynb): Kernel SHAP, the background and its hybrid rows.
# - [Notebook 05](05_gradient_methods.ipynb): the gradient map and SmoothGrad;
#   [notebook 07](07_sanity_checks.ipynb): model randomization, deletion, the pointing game;
#   [notebook 08](08_counterfactuals.ipynb): global surrogates and their fidelity.
# - Random forests and decision trees in scikit-learn; PyTorch autograd.

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
# ## 1. The threat: explainers ask about rows that do not exist
#
# ### Intuition
#
# LIME and Kernel SHAP never look inside a model. They send it synthetic rows and summarise
# the answers. [Notebook 03](03_lime.ipynb) measured that LIME's samples ignore the
# correlations of the data (a large radius next to a small perimeter), and
# [notebook 04](04_shap.ipynb) built Kernel SHAP's **hybrid rows**, which glue some features of
# one person to the other features of a background row. Most of these rows look like nobody who
# exists. A model that can recognise them can answer them differently from real people, and
# then the explanation describes the answers to the fake rows, not the decisions about real
# ones. That is the whole attack.
#
# **Who attacks, and what they know** (the threat model of Slack et al., 2020). The owner of a
# model that discriminates wants it to pass an audit. The auditor can query the model as a black
# box and runs LIME or Kernel SHAP with common settings. The owner knows which explainer and
# which settings will be used and has data from the same population, but cannot see the rows
# the auditor will explain.
#
# ### Math
#
# Take the biased model $f$, an innocuous model $\psi$, and a **detector** $d(x) \in [0, 1]$,
# a classifier's estimate that $x$ is a real row. The scaffolded model with threshold $\tau$ is
#
# $$e(x) = \begin{cases} f(x) & \text{if } d(x) \ge \tau \quad \text{(looks real: the bias)} \\
#   \psi(x) & \text{if } d(x) < \tau \quad \text{(looks synthetic: the alibi)} \end{cases}$$
#
# An explanation is a function of the model's answers on the explainer's queries only. LIME's
# weights minimise $\sum_k \pi_x(z_k)\,\big(e(z_k) - g(z'_k)\big)^2 + \Omega(g)$ over its samples
# $z_k$, and Kernel SHAP's values solve the same kind of weighted regression on the coalition
# values $v(S) = \frac{1}{|B|} \sum_{b \in B} e(x_S, b_{\bar S})$ of hybrid rows. If $d$ sends
# (almost) every query to $\psi$, both explain $\psi$; if $d$ keeps (almost) every real row on
# $f$, every real person still gets $f$. Two numbers therefore measure the attack: how often the
# sensitive feature disappears from the explanations, and the **fidelity** $\Pr[e(x) = f(x)]$ on
# real rows.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A model that decides by sex, on the Adult census data
#
# We take 5,000 people from the Adult table ([notebook 00](00_introduction.ipynb)) and eleven of
# its columns, text columns as integer codes. `fnlwgt` (a survey weight, not a property of the
# person), `capital_loss` and `native_country` are left out to keep the explanations short.
# `education` and `education_num` both stay: they record the same fact twice, as real tables
# often do, and a detector can use such redundancy. The rows are split three ways:
#
# - 2,000 **training rows**: the data LIME and SHAP are given, and the owner's own real rows;
# - 1,000 **calibration rows**: more real rows of the owner, held out to set $\tau$;
# - 2,000 **audit rows**: the people the auditor explains (the first 40) and checks.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.preprocessing import OrdinalEncoder

from utils.data import load_tabular

FEATURES = ["age", "workclass", "education", "education_num", "marital_status", "occupation",
            "relationship", "race", "sex", "capital_gain", "hours_per_week"]
CATEGORICAL = ["workclass", "education", "marital_status", "occupation", "relationship", "race",
               "sex"]
adult = load_tabular("adult")
table = adult.X[FEATURES].copy()
encoder = OrdinalEncoder().fit(table[CATEGORICAL])
table[CATEGORICAL] = encoder.transform(table[CATEGORICAL])
# %% [markdown]
# A seeded sample of 5,000 people, split three ways, and the column indices used below:

# %%
picked = np.random.default_rng(0).choice(len(table), size=5000, replace=False)
people, incomes = table.to_numpy(dtype=float)[picked], adult.y.to_numpy()[picked]
X_train, X_calib, X_audit = people[:2000], people[2000:3000], people[3000:]
M = len(FEATURES)
SEX, EDUCATION_NUM = FEATURES.index("sex"), FEATURES.index("education_num")
CATEGORICAL_INDEX = [FEATURES.index(c) for c in CATEGORICAL]
NUMERIC_INDEX = [j for j in range(M) if j not in CATEGORICAL_INDEX]
MALE = list(encoder.categories_[CATEGORICAL.index("sex")]).index("Male")
print(f"{len(FEATURES)} features; training {X_train.shape}, calibration {X_calib.shape}, "
      f"audit {X_audit.shape}; sex is coded Male = {MALE}")

# %% [markdown]
# The **biased model** $f$ grants the favourable outcome (income above 50,000 USD, say a loan)
# to every man and to no woman. The **innocuous model** $\psi$, the alibi, grants it to every
# person with a bachelor's degree or more (`education_num` of 13 or higher), a rule an auditor
# would accept. Both return a 0/1 decision; `as_proba` turns a decision into the two-column
# probabilities that LIME expects.

# %%
def biased_model(rows: np.ndarray) -> np.ndarray:
    """f: the favourable decision (1) for men only."""
    return (rows[:, SEX] == MALE).astype(float)


def innocuous_model(rows: np.ndarray) -> np.ndarray:
    """psi: the favourable decision for a bachelor's degree or more."""
    return (rows[:, EDUCATION_NUM] >= 13).astype(float)


def as_proba(model):
    """A 0/1 decision as the (n, 2) class probabilities that LIME asks for (one model call)."""
    def proba(rows: np.ndarray) -> np.ndarray:
        decision = model(rows)
        return np.column_stack([1 - decision, decision])
    return proba


# %% [markdown] slideshow={"slide_type": "subslide"}
# How each model treats the men and the women of the audit rows:

# %%
men = X_audit[:, SEX] == MALE
for name, model in [("biased f", biased_model), ("innocuous psi", innocuous_model)]:
    decisions = model(X_audit)
    print(f"{name:14s}: favourable for {decisions[men].mean():.0%} of the men and "
          f"{decisions[~men].mean():.0%} of the women in the audit rows")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The scaffolding attack
#
# ### Step 1: record what the explainers ask
#
# The owner runs the explainers it expects on a few of its own rows, through a wrapper that
# keeps every batch the explainer sends (the model behind it does not matter; we use the
# biased one). For LIME that is lime's
# default tabular sampler (quartiles for numbers, training frequencies for categories, every
# feature drawn independently). For Kernel SHAP the owner expects the small background that
# SHAP's documentation recommends for `KernelExplainer`: the training data summarised by
# `shap.kmeans` into 10 weighted centroids, on the standardized table as Slack et al. (2020)
# do. (In dollars, capital gain would decide the clusters alone and the background would be
# almost all men; printed below.) `shap.kmeans` rounds each centroid value to the nearest value
# of its column, so every centroid value is some person's, and we look that person up to have
# the centroids in the census's units. Four rows of LIME at 1,000 samples and ten rows of Kernel
# SHAP at 200 coalitions give a few thousand and 20,000 synthetic rows.
#
# (`shap.kmeans` runs scikit-learn's k-means, which spreads ten tiny fits over OpenMP threads;
# on a busy 2-core machine the threads spend far longer waiting for each other than computing,
# so we run that one call on a single thread.)

# %%
import shap
from lime.lime_tabular import LimeTabularExplainer
from threadpoolctl import threadpool_limits

LIME_SAMPLES, SHAP_SAMPLES = 500, 200  # per explained row, in the audit below


def recording(model, store: list):
    """The model, keeping a copy of every batch it is asked about."""
    def record(rows: np.ndarray) -> np.ndarray:
        store.append(rows.copy())
        return model(rows)
    return record


def lime_explainer(**options) -> LimeTabularExplainer:
    """lime's tabular explainer on the training rows; options override its defaults."""
    return LimeTabularExplainer(X_train, feature_names=FEATURES, class_names=["no", "yes"],
                                categorical_features=CATEGORICAL_INDEX, feature_selection="none",
                                random_state=0, **options)


# %% [markdown]
# **The background Kernel SHAP will be given**: `shap.kmeans` on the standardized table, the
# centroids looked up in the census's units (a plain k-means in dollars for comparison).

# %%
scale = X_train.std(axis=0)
with threadpool_limits(limits=1):
    kmeans_background = shap.kmeans(X_train / scale, 10)
    raw_units = shap.kmeans(X_train, 10)  # for comparison only
raw_units_men = np.average(raw_units.data[:, SEX] == MALE, weights=raw_units.weights)
# shap.kmeans rounds every centroid value to a value of the (standardized) column: look up the
# person it came from, to have the centroids in the census's units
nearest = np.abs((X_train / scale)[None] - kmeans_background.data[:, None]).argmin(axis=1)
kmeans_background.data = X_train[nearest, np.arange(M)]
# %% [markdown] slideshow={"slide_type": "subslide"}
# **Recording**: four rows through LIME at 1,000 samples, ten through Kernel SHAP.

# %%
lime_queries, shap_queries = [], []
owner_lime = lime_explainer()
for x in X_train[:4]:
    owner_lime.explain_instance(x, as_proba(recording(biased_model, lime_queries)), labels=(1,),
                                num_features=M, num_samples=1000)
np.random.seed(0)  # Kernel SHAP draws its coalitions from NumPy's global generator
shap.KernelExplainer(recording(biased_model, shap_queries), kmeans_background).shap_values(
    X_train[4:14], nsamples=SHAP_SAMPLES, l1_reg=False, silent=True)
lime_fakes = np.vstack([batch[1:] for batch in lime_queries])  # row 0 is the real x itself
# the batches of hybrids: not the calls on the background itself or on one row
shap_fakes = np.vstack([batch for batch in shap_queries if len(batch) > 10])
centroid_men = np.average(kmeans_background.data[:, SEX] == MALE,
                          weights=kmeans_background.weights)
with_gains = int(np.sum(kmeans_background.data[:, FEATURES.index("capital_gain")] > 0))
print(f"recorded {len(lime_fakes):,} LIME samples and {len(shap_fakes):,} Kernel SHAP hybrids")
print(f"the 10 k-means centroids: {with_gains} with a capital gain above 0 (real people: "
      f"{np.mean(X_train[:, FEATURES.index('capital_gain')] > 0):.0%}); men with weight "
      f"{centroid_men:.3f} (clustered in raw units: {raw_units_men:.3f})")

# %% [markdown]
# What do these rows look like? One real person, one LIME sample and one SHAP hybrid, decoded:

# %%
def decoded(row: np.ndarray) -> dict:
    """A row with its category codes turned back into the census's words."""
    values = {name: round(float(value), 2) for name, value in zip(FEATURES, row, strict=True)}
    for column, categories in zip(CATEGORICAL, encoder.categories_, strict=True):
        values[column] = categories[int(row[FEATURES.index(column)])]
    return values


print(pd.DataFrame({"real person": decoded(X_train[0]), "LIME sample": decoded(lime_fakes[0]),
                    "SHAP hybrid": decoded(shap_fakes[5])}).to_string())

# %% [markdown] slideshow={"slide_type": "subslide"}
# The printout shows both kinds of fake. LIME's quartile sampler draws a number from a normal
# distribution cut to the quartile, so ages and hours come out with decimals that no census
# record has, and each feature is drawn on its own: this sample's `education` (HS-grad, which
# is 9 years) disagrees with its `education_num` (10). A SHAP hybrid keeps some of the person's
# values and takes the rest from a centroid; every value occurs in the data, but the mix need
# not: here an `education` of 12th grade (8 years) with 6 years. Eight of the ten centroids
# carry a capital gain above 0, which only 8 % of real people have (k-means averages each
# cluster's gains, a few large ones lift the mean, and rounding keeps a small gain). The
# printout of step 1 also shows why we standardized before clustering: the centroids are men
# with weight 0.697, where clustering in dollars would have given 0.998.
#
# ### Step 2: the detectors
#
# A random forest per explainer learns to tell the owner's 2,000 real rows from the recorded
# queries. Besides the eleven features it gets one more, easy to compute for anyone who knows
# the data: how far the row's numbers are from whole numbers (the census records whole years,
# dollars and hours). The forests use 50 trees, at least 10 rows per leaf (which makes their
# probabilities smooth enough to set a threshold on) and every feature at every split
# (`max_features=None`), so each tree finds the whole-number feature wherever it separates.

# %%
from sklearn.ensemble import RandomForestClassifier


def detector_features(rows: np.ndarray) -> np.ndarray:
    """The eleven features plus the largest distance of a numeric feature to a whole number."""
    numbers = rows[:, NUMERIC_INDEX]
    return np.column_stack([rows, np.abs(numbers - np.round(numbers)).max(axis=1)])


def fit_detector(fakes: np.ndarray, real: np.ndarray = X_train) -> RandomForestClassifier:
    """A forest that says 1 for real rows and 0 for the recorded queries."""
    rows = np.vstack([real, fakes])
    labels = np.r_[np.ones(len(real)), np.zeros(len(fakes))]
    return RandomForestClassifier(n_estimators=50, min_samples_leaf=10, max_features=None,
                                  random_state=0, n_jobs=1).fit(detector_features(rows), labels)


start = time.perf_counter()
lime_detector, shap_detector = fit_detector(lime_fakes), fit_detector(shap_fakes)
print(f"two detectors fitted in {time.perf_counter() - start:.1f} s")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Step 3: the threshold and the scaffold
#
# A row counts as real when *both* forests think so: $d(x) = \min\big(d_{\text{LIME}}(x),
# d_{\text{SHAP}}(x)\big)$. The owner sets $\tau$ so that only 0.2 % of its held-out calibration
# rows fall below it, since every real row sent to $\psi$ is a person who escapes the bias.
# The scaffold keeps every query it answers, with the detector's verdict, for the analysis below.

# %%
def realness_of(*detectors: RandomForestClassifier):
    """d(x): the smallest of the detectors' probabilities that a row is real."""
    def realness(rows: np.ndarray) -> np.ndarray:
        features = detector_features(rows)
        return np.min([d.predict_proba(features)[:, 1] for d in detectors], axis=0)
    return realness


# %% [markdown]
# The scaffold itself, keeping a log of the queries it answers:

# %%
class Scaffold:
    """e(x) = f(x) where d(x) >= threshold, psi(x) elsewhere; logs (rows, judged real)."""

    def __init__(self, realness, threshold: float) -> None:
        self.realness, self.threshold = realness, threshold
        self.log: list[tuple[np.ndarray, np.ndarray]] = []

    def decide(self, rows: np.ndarray, real: np.ndarray | None = None) -> np.ndarray:
        """e(x) without logging: the bare model (``real``: the detector's verdicts, if known)."""
        real = self.realness(rows) >= self.threshold if real is None else real
        return np.where(real, biased_model(rows), innocuous_model(rows))

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        real = self.realness(rows) >= self.threshold
        self.log.append((rows.copy(), real))
        return self.decide(rows, real)


# %% [markdown]
# The threshold from the calibration rows, and the fidelity on the audit rows:

# %%
realness = realness_of(lime_detector, shap_detector)
tau = float(np.quantile(realness(X_calib), 0.002))
scaffold = Scaffold(realness, tau)
audit_real = realness(X_audit) >= tau
fidelity = (scaffold(X_audit) == biased_model(X_audit)).mean()
print(f"tau = {tau:.3f}")
print(f"audit rows (real people never seen by the owner) judged real: {audit_real.mean():.2%}")
print(f"fidelity of the scaffold to the biased model on the audit rows: {fidelity:.2%}")

# %% [markdown]
# The check of the attack's first promise: on real people the scaffold *is* the biased model
# (up to the few rows the detector misjudges), so it still treats men and women as $f$ does.

# %%
scaffold_decisions = scaffold(X_audit)
print(f"scaffold: favourable for {scaffold_decisions[men].mean():.1%} of the men, "
      f"{scaffold_decisions[~men].mean():.1%} of the women")
assert fidelity >= 0.99, "the scaffold equals the biased model on (almost) every real row"
assert scaffold_decisions[men].mean() - scaffold_decisions[~men].mean() > 0.95

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Step 4: the audit
#
# The auditor explains the first 40 audit rows, once for the honest biased model and once for
# the scaffold: LIME with its default sampler (500 samples per row instead of lime's default
# 5,000, to keep the audit fast),
# and Kernel SHAP with the k-means background (200 coalitions per row, `l1_reg=False` so that
# no feature is dropped by the lasso step). For each row we record the **top feature**, the one
# with the largest absolute weight or SHAP value. Each audit run is timed as a whole, and the
# model's evaluations are counted. Under `make bench` the two runs on the scaffold also measure
# the scaffold's own throughput (its two forests are the cost; the biased model is a single
# comparison, whose rate says nothing).

# %%
from utils.env import CountingModel, record_throughput

AUDITED = X_audit[:40]


def lime_top_features(explainer: LimeTabularExplainer, model, rows: np.ndarray) -> np.ndarray:
    """The feature with the largest |LIME weight| for each row."""
    top = []
    for x in rows:
        explanation = explainer.explain_instance(x, as_proba(model), labels=(1,),
                                                 num_features=M, num_samples=LIME_SAMPLES)
        top.append(max(explanation.local_exp[1], key=lambda pair: abs(pair[1]))[0])
    return np.array(top)


def shap_values_for(model, background, rows: np.ndarray) -> np.ndarray:
    """Kernel SHAP values (n, M) of each row, coalitions drawn from seed 0."""
    explainer = shap.KernelExplainer(model, background)
    np.random.seed(0)
    return explainer.shap_values(rows, nsamples=SHAP_SAMPLES, l1_reg=False, silent=True)


# %% [markdown]
# Each audit run is timed as a whole and its model evaluations counted (`CountingModel`,
# `record_throughput`):

# %%
def bare(model):
    """The model as a plain batch function (a Scaffold without its query log)."""
    return getattr(model, "decide", model)


def lime_audit(name: str, model, explainer: LimeTabularExplainer | None = None,
               floor: bool = False) -> np.ndarray:
    """Top LIME feature of every audited row, timed as a whole, evaluations counted; with
    floor=True, make bench also measures the bare model's own throughput."""
    counted = CountingModel(model)
    start = time.perf_counter()
    top = lime_top_features(explainer or lime_explainer(), counted, AUDITED)
    forward = as_proba(bare(model)) if floor else None
    record_throughput(name, counted.calls, time.perf_counter() - start, forward=forward,
                      example=AUDITED[0] if floor else None)
    return top


# %% [markdown]
# The same for Kernel SHAP:

# %%
def shap_audit(name: str, model, background, floor: bool = False) -> np.ndarray:
    """Kernel SHAP values of every audited row, timed and counted as lime_audit does."""
    counted = CountingModel(model)
    start = time.perf_counter()
    values = shap_values_for(counted, background, AUDITED)
    record_throughput(name, counted.calls, time.perf_counter() - start,
                      forward=bare(model) if floor else None,
                      example=AUDITED[0] if floor else None)
    return values


# %% [markdown]
# **The audit**: both explainers, on the honest model and on the scaffold; the scaffold's
# log of queries is kept per explainer.

# %%
scaffold.log.clear()
top = {("LIME", "biased f"): lime_audit("LIME (biased model, Adult)", biased_model),
       ("LIME", "scaffold"): lime_audit("LIME (scaffolded model, Adult)", scaffold, floor=True)}
lime_log, scaffold.log = scaffold.log, []
honest_shap = shap_audit("Kernel SHAP (biased model, Adult)", biased_model, kmeans_background)
scaffold_shap = shap_audit("Kernel SHAP (scaffolded model, Adult)", scaffold, kmeans_background,
                           floor=True)
shap_log, scaffold.log = scaffold.log, []
top[("Kernel SHAP", "biased f")] = np.abs(honest_shap).argmax(axis=1)
top[("Kernel SHAP", "scaffold")] = np.abs(scaffold_shap).argmax(axis=1)

# %%
sex_on_top = pd.Series({key: float(np.mean(tops == SEX)) for key, tops in top.items()})
caught = {explainer: 1 - np.concatenate([real for _, real in log]).mean()
          for explainer, log in [("LIME", lime_log), ("Kernel SHAP", shap_log)]}
print("share of the 40 audited rows whose top feature is sex:")
print(sex_on_top.unstack().round(3).to_string())
for explainer, share in caught.items():
    print(f"{explainer}: the detector sent {share:.1%} of the explainer's queries to psi")
still_named, audited_women = top[("Kernel SHAP", "scaffold")] == SEX, AUDITED[:, SEX] != MALE
print(f"rows where Kernel SHAP still names sex: {still_named.sum()}, of them women: "
      f"{np.sum(still_named & audited_women)} (women among all 40 rows: {audited_women.sum()})")
print(f"honest model, Kernel SHAP value of sex: men {honest_shap[~audited_women, SEX].mean():+.3f}"
      f", women {honest_shap[audited_women, SEX].mean():+.3f} (on average)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The checks of the attack's second promise: with the honest biased model both explainers name
# sex for every row; behind the scaffold, sex disappears from most rows.

# %%
assert sex_on_top[("LIME", "biased f")] == 1 and sex_on_top[("Kernel SHAP", "biased f")] == 1
assert sex_on_top[("LIME", "scaffold")] <= 0.1, "LIME: sex hidden in (nearly) every row"
assert sex_on_top[("Kernel SHAP", "scaffold")] < 0.5, "Kernel SHAP: sex hidden in most rows"
assert caught["LIME"] > 0.95

# %% slideshow={"slide_type": "subslide"}
fig, (ax_share, ax_names) = plt.subplots(1, 2, figsize=(15, 5.2), layout="constrained")
shares = sex_on_top.unstack().loc[["LIME", "Kernel SHAP"]]
shares.plot.bar(ax=ax_share, color=["tab:red", "tab:gray"], rot=0)
for bars in ax_share.containers:
    ax_share.bar_label(bars, fmt="%.3f")
ax_share.set_ylabel("share of audited rows with sex on top")
ax_share.set_xlabel("explainer")
ax_share.set_ylim(0, 1.05)
ax_share.set_title("Sex is the top feature: honest model vs scaffold")
counts = pd.DataFrame({explainer: np.bincount(top[(explainer, "scaffold")], minlength=M)
                       for explainer in ("LIME", "Kernel SHAP")}, index=FEATURES)
counts[counts.sum(axis=1) > 0].plot.barh(ax=ax_names, color=["tab:blue", "tab:orange"])
ax_names.set_xlabel("audited rows (of 40) with this top feature")
ax_names.set_ylabel("feature")
ax_names.set_title("What the explainers name instead (scaffold)")
fig.suptitle("The scaffolding attack on 40 audited people", fontsize="x-large",
             fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# With the honest biased model both explainers name sex for all 40 people. Behind the
# scaffold, LIME names sex for none of them: the detector sent 99.8 % of its samples to $\psi$,
# so LIME explains $\psi$ and names `education_num` for 39 of the 40 people. Kernel SHAP is
# fooled for 29 of the 40 (sex on top for 0.275 of them), though the detector caught only
# 37.0 % of its hybrids; in place of sex it names capital gain, years of education and a few
# others (right panel).
# The 11 rows where Kernel SHAP still names sex include all 10 women. Against this background
# the honest SHAP value of sex is $f(x) - \mathbb E_b f(b)$: $+0.303$ for a man and $-0.697$
# for a woman (printed), because the centroids are men with weight 0.697. A woman's signal is
# more than twice a man's, and enough of it survives the scaffold.
#
# ### Why Kernel SHAP is harder to fool
#
# Kernel SHAP's value for sex averages sex's marginal contribution $v(S \cup \{\text{sex}\}) -
# v(S)$ over coalitions $S$, and the Shapley weights give every coalition *size* the same total
# weight. A hybrid built from a large coalition keeps most of the person's values and looks
# real; one built from a small coalition is mostly centroid. We count, for every hybrid Kernel
# SHAP sent to the scaffold, how many of the person's eleven values it kept, and how often the
# detector sent it to $\psi$.

# %%
hybrid_batches = [(rows, real) for rows, real in shap_log if len(rows) > len(AUDITED)]
assert len(hybrid_batches) == len(AUDITED), "one batch of hybrids per audited row"


def caught_by_kept(batches, explained: np.ndarray) -> pd.DataFrame:
    """Per number of features a hybrid kept from its person: how many, and the share caught."""
    kept = np.concatenate([(rows == x).sum(axis=1) for (rows, _), x in
                           zip(batches, explained, strict=True)])
    real = np.concatenate([judged for _, judged in batches])
    frame = pd.DataFrame({"kept": kept, "caught": ~real})
    return frame.groupby("kept")["caught"].agg(["size", "mean"]).rename(
        columns={"size": "hybrids", "mean": "share caught"})


by_kept = caught_by_kept(hybrid_batches, AUDITED)
print(by_kept.round(3).to_string())

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
ax.plot(by_kept.index, by_kept["share caught"], marker="o", linewidth=2.5, color="tab:orange",
        label="k-means background (the audit)")
ax.set_xlabel("features the hybrid kept from the explained person (of 11)")
ax.set_ylabel("share sent to the innocuous model")
ax.set_ylim(-0.02, 1.02)
ax.set_title("Which Kernel SHAP hybrids the detector catches")
ax.legend(loc="upper right")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The detector catches most hybrids that kept few of the person's values (0.943 of those that
# kept one, 0.844 of those that kept three) and few of those that kept nine or ten (0.127 and
# 0.058); a hybrid that kept all eleven is the person and always passes. LIME's samples have
# no near-real part, since every feature is drawn anew, and 99.8 % of them were caught. Kernel
# SHAP's weighting gives the large coalitions as much say as the small ones, and among the
# large ones the biased answers get through. Slack et al. (2020) found the same: SHAP is
# harder to fool than LIME.
#
# > **Pitfall.** An explanation summarises the model *on the explainer's queries*. When those
# > queries leave the data, the summary can describe a model that no real person ever meets.
# > LIME and Kernel SHAP do not check that their queries look like data, and a model cannot be
# > trusted to answer them as it answers real rows.
#
# **Pros and cons of the attack (for the attacker, and so for the auditor's threat model)**
#
# | the attack needs only | its limits |
# |---|---|
# | its own model and data from the population | knowing the explainer and its settings |
# | a cheap detector: recorded queries, one forest each | misjudged real rows escape the bias |
# | any biased and any innocuous model | near-real hybrids pass (SHAP leaks) |
# | no access to the auditor's rows | fails when the queries stay on the data (section 4) |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Defences, measured
#
# Every defence below asks the same question a different way: what does the model do *on
# rows that look like data*? We measure each against the scaffold just built, on the same 40
# people, and read the same number: how often sex is the top feature, or how strongly the
# decisions depend on sex.
#
# ### 4.1 Another LIME sampler: Gaussian noise around the person
#
# lime can also sample numbers from a normal distribution around the explained row
# (`discretize_continuous=False, sample_around_instance=True`), with the training standard
# deviations; categories are still drawn from their frequencies. The owner never recorded
# these samples.

# %%
gaussian_lime = lime_explainer(discretize_continuous=False, sample_around_instance=True)
scaffold.log.clear()
top[("LIME, Gaussian around x", "scaffold")] = lime_audit(
    "LIME, Gaussian sampler (scaffolded model, Adult)", scaffold, gaussian_lime)
gaussian_caught = 1 - np.concatenate([real for _, real in scaffold.log]).mean()
sex_on_top[("LIME, Gaussian around x", "scaffold")] = np.mean(
    top[("LIME, Gaussian around x", "scaffold")] == SEX)
print(f"Gaussian LIME: sex on top in {sex_on_top[('LIME, Gaussian around x', 'scaffold')]:.0%} "
      f"of the rows; the detector caught {gaussian_caught:.1%} of its samples")
assert sex_on_top[("LIME, Gaussian around x", "scaffold")] <= 0.1, "still fooled"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Another sampler changes nothing: the detector was never shown Gaussian samples, but their
# numbers have decimals too, and it caught 99.8 % of them; sex is on top for none of the 40
# rows.
#
# ### 4.2 LIME on real rows
#
# **Intuition.** Keep LIME's representation, kernel and surrogate, and replace its synthetic
# samples with real people: the 2,000 training rows, weighted by how close they are to the
# explained person. Then the scaffold can only answer with $f$ (up to the few real rows its
# detector misjudges), because every query is a real person.
#
# **Math.** lime codes a sample $z$ as $z'_j = 1$ when feature $j$ falls in the same quartile as
# $x$'s (numbers) or has the same value (categories), weighs it by
# $\pi_x(z) = \sqrt{\exp(-\lVert \mathbf 1 - z' \rVert^2 / w^2)}$ with $w = 0.75\sqrt{M}$, and
# fits a weighted ridge regression ($\alpha = 1$, intercept not penalised),
#
# $$\hat\beta = \big(Z_c^\top W Z_c + \alpha I\big)^{-1} Z_c^\top W\, y_c ,$$
#
# where $Z_c$ and $y_c$ are centred by their $\pi$-weighted means and $W = \mathrm{diag}(\pi)$.
#
# **From scratch.** Each step is one short function; lime's own discretizer supplies the
# quartiles, so the representation is exactly lime's.

# %%
LIME_WIDTH = 0.75 * np.sqrt(M)  # lime's default kernel width


def lime_representation(explainer: LimeTabularExplainer, rows: np.ndarray,
                        x: np.ndarray) -> np.ndarray:
    """z'_j = 1 where feature j of a row lies in x's quartile (numbers) or equals x's (codes)."""
    return (explainer.discretizer.discretize(rows)
            == explainer.discretizer.discretize(x[None])).astype(float)


def lime_kernel(z: np.ndarray, width: float = LIME_WIDTH) -> np.ndarray:
    """pi_x(z) = sqrt(exp(-d^2 / w^2)), d = distance of z' to the all-ones vector."""
    return np.sqrt(np.exp(-np.sum((1 - z) ** 2, axis=1) / width ** 2))


# %% [markdown]
# The weighted ridge regression in closed form, and the three steps together:

# %%
def weighted_ridge(z: np.ndarray, y: np.ndarray, weights: np.ndarray,
                   alpha: float = 1.0) -> tuple[np.ndarray, float]:
    """Ridge regression with sample weights and an unpenalised intercept: (beta, intercept)."""
    z_mean, y_mean = np.average(z, axis=0, weights=weights), np.average(y, weights=weights)
    z_c, y_c = z - z_mean, y - y_mean
    gram = z_c.T @ (weights[:, None] * z_c) + alpha * np.eye(z.shape[1])
    beta = np.linalg.solve(gram, z_c.T @ (weights * y_c))
    return beta, float(y_mean - z_mean @ beta)


def lime_weights(explainer: LimeTabularExplainer, rows: np.ndarray, answers: np.ndarray,
                 x: np.ndarray) -> np.ndarray:
    """LIME's weights for x, fitted to the model's answers on the given rows."""
    z = lime_representation(explainer, rows, x)
    return weighted_ridge(z, answers, lime_kernel(z))[0]


# %% [markdown]
# **The check.** lime does not return its samples, so we record them (the recorder of step 1)
# and refit them with our functions: the weights must be lime's.

# %%
check_explainer, replayed = lime_explainer(), []
x_check = AUDITED[0]
library = check_explainer.explain_instance(x_check, as_proba(recording(biased_model, replayed)),
                                           labels=(1,), num_features=M, num_samples=LIME_SAMPLES)
samples = replayed[0]
z_check = lime_representation(check_explainer, samples, x_check)
ours, our_intercept = weighted_ridge(z_check, biased_model(samples), lime_kernel(z_check))
theirs = np.array([dict(library.local_exp[1])[j] for j in range(M)])
print(f"lime vs from scratch on lime's {len(samples)} samples: largest |weight difference| "
      f"{np.abs(ours - theirs).max():.1e}, intercepts {library.intercept[1]:.6f} and "
      f"{our_intercept:.6f}")
assert np.allclose(ours, theirs, rtol=0, atol=1e-8), "our LIME fit is lime's"
assert np.isclose(our_intercept, library.intercept[1], rtol=0, atol=1e-8)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **On real rows.** Now the same fit with the 2,000 training people as the neighbourhood: one
# call of each model on them serves all 40 explanations.

# %%
def real_row_lime_top(model) -> np.ndarray:
    """Top feature per audited row of LIME fitted on the real training rows."""
    answers = model(X_train)
    return np.array([np.abs(lime_weights(check_explainer, X_train, answers, x)).argmax()
                     for x in AUDITED])


for model_name, model in [("biased f", biased_model), ("scaffold", scaffold)]:
    top[("LIME on real rows", model_name)] = real_row_lime_top(model)
    sex_on_top[("LIME on real rows", model_name)] = np.mean(
        top[("LIME on real rows", model_name)] == SEX)
print(f"LIME on real rows: sex on top in "
      f"{sex_on_top[('LIME on real rows', 'biased f')]:.0%} (biased f) and "
      f"{sex_on_top[('LIME on real rows', 'scaffold')]:.0%} (scaffold) of the rows")
assert sex_on_top[("LIME on real rows", "scaffold")] >= 0.9, "the bias is back"

# %% [markdown] slideshow={"slide_type": "subslide"}
# On real rows LIME names sex for all 40 people, behind the scaffold as for the honest model:
# every query is a real person, whom the scaffold answers with $f$. (What it costs: the
# neighbourhood is whoever exists near $x$ in the data, and correlated features such as
# `relationship` and `sex` can share the weight; here sex wins every row.)
#
# ### 4.3 Kernel SHAP with real people as the background
#
# Kernel SHAP's hybrids are only as strange as their background. With ten real training rows
# instead of ten k-means centroids, every value a hybrid takes from the background belongs to a
# real person, and the hybrids the owner's detector learned to catch never appear. This is
# also what interventional TreeSHAP computes for a tree ensemble: the exact Shapley values of
# the same game over the same background ([notebook 04](04_shap.ipynb)), so it is exactly as
# safe as its background. (TreeSHAP does not apply here: the scaffold is not a tree ensemble.)

# %%
real_background = X_train[np.random.default_rng(0).choice(len(X_train), 10, replace=False)]
scaffold.log.clear()
top[("Kernel SHAP, real background", "scaffold")] = np.abs(shap_audit(
    "Kernel SHAP, real background (scaffolded model, Adult)", scaffold,
    real_background)).argmax(axis=1)
real_background_log, scaffold.log = scaffold.log, []
sex_on_top[("Kernel SHAP, real background", "scaffold")] = np.mean(
    top[("Kernel SHAP, real background", "scaffold")] == SEX)
print(f"Kernel SHAP, real background: sex on top in "
      f"{sex_on_top[('Kernel SHAP, real background', 'scaffold')]:.0%} of the rows; the detector "
      f"caught {1 - np.concatenate([j for _, j in real_background_log]).mean():.1%} of the "
      f"hybrids")
assert sex_on_top[("Kernel SHAP, real background", "scaffold")] >= 0.9, "the bias is back"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 4.4 Look at the decisions on real people
#
# The simplest check needs no explainer at all. (a) **Group rates**: the share of favourable
# decisions for the men and for the women among the 2,000 audit rows. (b) **Flip the
# sensitive attribute**: change each audit person's recorded sex and count the decisions that
# change. A flipped row differs from a real one in a single value, which is what the detector
# sees least (the figure above: hybrids that keep 10 of 11 values pass).

# %%
flipped = X_audit.copy()
flipped[:, SEX] = np.where(flipped[:, SEX] == MALE, 1 - MALE, MALE)
scaffold.log.clear()
decisions, flipped_decisions = scaffold(X_audit), scaffold(flipped)
flip_rate = float(np.mean(decisions != flipped_decisions))
rate_gap = float(decisions[men].mean() - decisions[~men].mean())
print(f"(a) favourable: men {decisions[men].mean():.1%}, women {decisions[~men].mean():.1%} "
      f"(gap {rate_gap:.1%})")
print(f"(b) flipping sex changes {flip_rate:.1%} of the decisions; the detector judged "
      f"{scaffold.log[1][1].mean():.1%} of the flipped rows real")
assert rate_gap > 0.95 and flip_rate > 0.95, "both checks show the bias in full"

# %% [markdown] slideshow={"slide_type": "subslide"}
# All the defences side by side, as one number each: the share of audited rows with sex on
# top for the explainers, the flip rate and the rate gap for the checks on decisions.

# %%
evidence = pd.Series({
    "LIME, default sampler": sex_on_top[("LIME", "scaffold")],
    "LIME, Gaussian around x": sex_on_top[("LIME, Gaussian around x", "scaffold")],
    "Kernel SHAP, k-means background": sex_on_top[("Kernel SHAP", "scaffold")],
    "LIME on real rows": sex_on_top[("LIME on real rows", "scaffold")],
    "Kernel SHAP, real background": sex_on_top[("Kernel SHAP, real background", "scaffold")],
    "flip sex on real rows": flip_rate,
    "group rates on real rows (gap)": rate_gap,
})
print(evidence.round(3).to_string())

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
colours = ["tab:gray"] * 3 + ["tab:green"] * 4
bars = ax.barh(np.arange(len(evidence))[::-1], evidence.to_numpy(), color=colours)
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.set_yticks(np.arange(len(evidence))[::-1], evidence.index)
ax.axvline(0.5, color="black", linewidth=0.8, linestyle="--")
ax.set_xlim(0, 1.1)
ax.set_xlabel("how clearly the check shows sex (rows with sex on top, or flip rate / rate gap)")
ax.set_title("Against the scaffold: checks on synthetic queries (grey) vs on real rows (green)")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The figure splits in two. The checks whose queries leave the data (grey) show sex for at most
# 0.275 of the rows. The four that stay on real rows (green) show it in full: LIME on real rows
# and Kernel SHAP with a real background name sex for all 40 people, flipping sex changes
# 99.9 % of the 2,000 decisions, and the favourable rates of men and women differ by 99.8
# points. The real background works because its hybrids are made of real people: the
# detector, trained on centroid hybrids, caught 0.1 % of them. The flip test works because a
# flipped row differs from a real person in one value: the detector judged 99.9 % of them real.
#
# > **Pitfall.** Each defence beat *this* attacker, who trained for LIME's default sampler and a
# > k-means background. An attacker who expects another check can train for it: exercise 1
# > tries it against a real background (and fails), exercise 3 against the flip test (and pays
# > in fidelity). What cannot be gamed is the model's behaviour on real rows: if the model is to
# > be biased against real people at all, it must show it on them, and a check that only uses
# > real rows, such as group rates, sees it.
#
# **Pros and cons of the defences**
#
# | defence | pros | cons |
# |---|---|---|
# | another LIME sampler | free | still off the data: no defence |
# | LIME on real rows | every query is a person | needs real rows near $x$; shared weights |
# | Kernel SHAP, real background | the same explainer | hybrids still mix two people |
# | flip the sensitive attribute | asks the model directly | a flipped row can be off the data |
# | group rates on real rows | no detector can game it | says *that* groups differ, not *why* |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. A saliency map manipulated, predictions unchanged
#
# ### Intuition
#
# A gradient map says how the model's output would change under an infinitesimal change of
# each pixel. Two networks can agree on every prediction and still have very different
# gradients: the gradient depends on the shape of the function *between and around* the data
# points, where the predictions say nothing. Heo et al. (2019) fine-tune a network so that its
# explanations point where the attacker wants while its accuracy stays; Dombrowski et al. (2019)
# show that the same freedom lets an almost invisible change of the *input* move the map, and
# blame the curvature of the network. Here we fine-tune the course's `SmallCNN`, trained on the
# planted-watermark images of [notebook 06](06_grad_cam.ipynb), so that its gradient map points
# at the top-left corner of every image, wherever the watermark is.
#
# ### The model and its map
#
# As in notebook 06: 512 training images, 3 epochs at a learning rate of 0.01; 256 test images.

# %%
import copy

import torch
import torch.nn.functional as F
from torch import nn

from utils.data import make_planted_images
from utils.evaluation import mass_share, pointing_hit, rank_correlation
from utils.models import train_small_cnn

# The small CNN's operations on 32 x 32 images are too small to share between threads: on a
# busy 2-core machine two threads spend most of their time waiting for each other. This section
# runs PyTorch on one thread (and its numbers then do not depend on the thread count).
torch.set_num_threads(1)
planted_train = make_planted_images(n_samples=512, seed=0)
planted_test = make_planted_images(n_samples=256, seed=1)
start = time.perf_counter()
original_cnn = train_small_cnn(planted_train.images, planted_train.labels, epochs=3, lr=0.01,
                               seed=0).model.to(DEVICE)
print(f"trained in {time.perf_counter() - start:.1f} s")
# %% [markdown]
# The images as tensors, the original model's logits and predictions, its test accuracy:

# %%
images_train = torch.from_numpy(planted_train.images).to(DEVICE)
images_test = torch.from_numpy(planted_test.images).to(DEVICE)
with torch.no_grad():
    logits_train, logits_test = original_cnn(images_train), original_cnn(images_test)
classes_train, classes_test = logits_train.argmax(dim=1), logits_test.argmax(dim=1)
test_accuracy = (classes_test.cpu().numpy() == planted_test.labels).mean()
print(f"test accuracy of the original model: {test_accuracy:.3f}")
assert test_accuracy > 0.95

# %% [markdown] slideshow={"slide_type": "subslide"}
# **The map.** For a two-class model the probabilities depend on the logits only through the
# margin $m(x) = f_{\hat y}(x) - f_{\text{other}}(x)$ of the predicted class $\hat y$ (adding the
# same number to both logits changes nothing), so that is what we explain:
#
# $$h(x)_{ij} = \sum_{c} \left| \frac{\partial m(x)}{\partial x_{cij}} \right| ,
# \qquad M_T(h) = \frac{\sum_{(i,j) \in T} h_{ij}}{\sum_{i,j} h_{ij}} ,$$
#
# with $M_T$ the **mass share** of the map on a region $T$ (`utils.evaluation.mass_share`).
# The target region $T$, the top-left 8 × 8 corner (6.25 % of the image), is an arbitrary
# choice: the watermark lands there no more often than anywhere else, and the original model's
# map gives it less than its area share (printed below).

# %%
SIZE = planted_test.images.shape[-1]
TARGET = np.zeros((SIZE, SIZE), dtype=bool)
TARGET[:8, :8] = True
target_mask = torch.from_numpy(TARGET).to(DEVICE, torch.float32)
marked = np.flatnonzero(planted_test.labels == 1)  # the test images with a watermark


# %% [markdown]
# The margin, the map $h$ and the mass share $M_T$, one function each:

# %%
def margin(logits: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """m = f_class - f_other, per row of a two-class model."""
    return logits.gather(1, classes[:, None])[:, 0] - logits.gather(1, 1 - classes[:, None])[:, 0]


def gradient_maps(net: nn.Module, images: torch.Tensor, classes: torch.Tensor,
                  create_graph: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """h(x) = sum over channels of |dm/dx| for each image, (n, H, W), and the logits."""
    inputs = images.clone().requires_grad_(True)
    logits = net(inputs)
    gradients, = torch.autograd.grad(margin(logits, classes).sum(), inputs,
                                     create_graph=create_graph)
    return gradients.abs().sum(dim=1), logits


def target_share(maps: torch.Tensor) -> torch.Tensor:
    """M_T(h) for each map, differentiable."""
    return (maps * target_mask).sum(dim=(1, 2)) / maps.sum(dim=(1, 2))


# %% [markdown]
# The original model's maps on the test images, and their mass on the target:

# %%
original_maps = gradient_maps(original_cnn, images_test, classes_test)[0].detach()
shares = target_share(original_maps).cpu().numpy()
assert np.isclose(shares[0], mass_share(original_maps[0].cpu().numpy(), TARGET), atol=1e-6)
print(f"{len(images_test)} test images, {len(marked)} with a watermark; original model: mean "
      f"mass share on the target corner {shares.mean():.3f} (its area share is "
      f"{TARGET.mean():.4f})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The manipulation objective
#
# Fine-tune the weights $\theta$ so that the map's mass moves onto $T$ while the predicted
# probabilities $p_\theta(x)$ stay those of the original model $p_0(x)$ on the training images:
#
# $$\mathcal L(\theta) = \frac{1}{B} \sum_{x \in \text{batch}} \Big[ -\log M_T\big(h_\theta(x)\big)
#   + \gamma\, \mathrm{KL}\big(p_0(x) \,\Vert\, p_\theta(x)\big) \Big], \qquad \gamma = 1 .$$
#
# The first term is a function of a *gradient*, so its own gradient with respect to $\theta$
# needs a second backward pass through the first: **double backpropagation**. PyTorch builds
# the graph of the first backward pass when asked, `torch.autograd.grad(...,
# create_graph=True)`, and `loss.backward()` then differentiates through it.
#
# **Why softplus.** In a ReLU network the map depends on which units are on, a pattern that
# changes in jumps, and ReLU's second derivative is zero. The fooling term's gradient then sees
# how the map changes with the weights while the on/off pattern stays fixed, but not how moving
# a unit's switching point would move the map. Dombrowski et al. (2019) therefore
# replace ReLU by softplus, $\mathrm{softplus}_\beta(t) = \tfrac{1}{\beta}\log(1 + e^{\beta t})$,
# which tends to ReLU as $\beta \to \infty$. We fine-tune with $\beta = 20$ (the original model
# with its ReLUs swapped for this softplus predicts the same classes) and **put the ReLUs back
# afterwards**, so the manipulated model has exactly the original architecture. Exercise 2 runs
# the same fine-tuning with ReLU throughout.

# %%
RELUS = ("relu1", "relu2", "relu3")


def with_activation(net: nn.Module, make_activation) -> nn.Module:
    """The same network (shared weights) with each ReLU module replaced by make_activation()."""
    for name in RELUS:
        setattr(net.features, name, make_activation())
    return net


# %% [markdown] slideshow={"slide_type": "subslide"}
# The loss of one batch: the map is computed with `create_graph=True`, so that the loss can be
# differentiated through it.

# %%
log_p_original = F.log_softmax(logits_train, dim=1)  # p_0 on the training images


def manipulation_loss(net: nn.Module, batch: torch.Tensor,
                      gamma: float = 1.0) -> tuple[torch.Tensor, float]:
    """L(theta) on one batch of training images, and the batch's mean target share."""
    maps, logits = gradient_maps(net, images_train[batch], classes_train[batch],
                                 create_graph=True)
    share = target_share(maps)
    keep = F.kl_div(F.log_softmax(logits, dim=1), log_p_original[batch], log_target=True,
                    reduction="batchmean")
    return -torch.log(share).mean() + gamma * keep, share.mean().item()


# %% [markdown]
# The fine-tuning loop: Adam on a seeded batch order, softplus in, ReLU back out.

# %%
def manipulate(net: nn.Module, activation: str = "softplus", steps: int = 80,
               batch_size: int = 32, lr: float = 0.01, seed: int = 0
               ) -> tuple[nn.Module, list[float]]:
    """A copy of net fine-tuned on L(theta); returns it with ReLUs and the target share per step."""
    fooled = copy.deepcopy(net)
    if activation == "softplus":
        with_activation(fooled, lambda: nn.Softplus(beta=20.0))
    optimiser = torch.optim.Adam(fooled.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    history = []
    while len(history) < steps:
        for batch in torch.randperm(len(images_train), generator=generator).split(batch_size):
            loss, share = manipulation_loss(fooled, batch)
            optimiser.zero_grad()
            loss.backward()  # the second backward pass, through the first
            optimiser.step()
            history.append(share)
            if len(history) == steps:
                break
    return with_activation(fooled, nn.ReLU).eval(), history


# %% [markdown]
# The softplus copy predicts what the original predicts; then the 80 steps.

# %%
softplus_copy = with_activation(copy.deepcopy(original_cnn), lambda: nn.Softplus(beta=20.0))
with torch.no_grad():
    softplus_agreement = (softplus_copy(images_test).argmax(dim=1) == classes_test).float().mean()
print(f"the original model with softplus (beta 20) in place of ReLU: the same prediction on "
      f"{softplus_agreement.item():.1%} of the test images")
start = time.perf_counter()
fooled_cnn, fooling_history = manipulate(original_cnn)
print(f"80 steps of double backpropagation in {time.perf_counter() - start:.1f} s; mean target "
      f"share in the batch: step 1 {fooling_history[0]:.3f}, step 80 {fooling_history[-1]:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The checks, on the 256 test images the fine-tuning never saw: the predictions of the
# manipulated model (ReLUs back in place) agree with the original's, and its maps put most of
# their mass on the corner.

# %%
fooled_maps, fooled_logits = gradient_maps(fooled_cnn, images_test, classes_test)
fooled_maps = fooled_maps.detach()
agreement = (fooled_logits.argmax(dim=1) == classes_test).float().mean().item()
probability_change = (torch.softmax(fooled_logits, 1) - torch.softmax(logits_test, 1))[:, 1].abs()
target_before = target_share(original_maps).cpu().numpy()
target_after = target_share(fooled_maps).cpu().numpy()
print(f"predictions agree on {agreement:.1%} of the test images; the probability of the "
      f"watermark class moves by {probability_change.mean().item():.3f} on average "
      f"(at most {probability_change.max().item():.3f})")
print(f"mass share on the corner: original {target_before.mean():.3f}, manipulated "
      f"{target_after.mean():.3f} (lowest {target_after.min():.3f}); area share "
      f"{TARGET.mean():.4f}")
assert agreement >= 0.99
assert target_before.mean() < 2 * TARGET.mean(), "before: about the area share"
assert target_after.mean() > 0.5, "after: most of the map"

# %% [markdown]
# The figures of this section show the first five watermarked test images in two rows, one
# kind of map per row, each titled with the map's mass on the target corner.

# %%
from utils.images import overlay
from utils.plotting import draw_boxes

shown = marked[:5]


def show_corner_maps(rows, suptitle):
    """Two rows of maps over the ``shown`` images; ``rows`` pairs five maps with a label."""
    fig, axes = plt.subplots(2, 5, figsize=(16, 7), layout="constrained")
    for row, (maps, label) in enumerate(rows):
        for ax, n, heat in zip(axes[row], shown, maps.cpu().numpy(), strict=True):
            ax.imshow(overlay(planted_test.images[n].transpose(1, 2, 0), heat / heat.max(),
                              alpha=0.55), interpolation="nearest")
            draw_boxes(ax, planted_test.boxes[n], "white", linewidth=2.5)
            draw_boxes(ax, (0, 0, 8, 8), "magenta", linewidth=2.5, linestyle="--")
            ax.set_title(f"{label}: corner {mass_share(heat, TARGET):.2f}", fontsize="medium")
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(suptitle, fontsize="x-large", fontweight="bold")
    plt.show()


# %% slideshow={"slide_type": "subslide"}
show_corner_maps([(original_maps[shown], "original"), (fooled_maps[shown], "manipulated")],
                 "Gradient maps, same predictions (white: the watermark; magenta: the target)")

# %% [markdown]
# The same predictions, different maps. The original model's gradient sits on the watermark
# (white box); the manipulated model's sits on the top-left pixels of the target (magenta), on
# every image. Over the 256 test images the corner's mass share rose from 0.042, below its area
# share of 0.0625, to 0.898 (0.591 on the worst image), while every prediction stayed the same
# and the probability of the watermark class moved by 0.059 on average (0.327 at most).
#
# ### Which of notebook 07's tests notice?
#
# An auditor who receives only the manipulated model runs the tests of
# [notebook 07](07_sanity_checks.ipynb) on it, on the 128 watermarked test images:
#
# - **Cascading model randomization** (Adebayo et al., 2018): re-initialise the layers from the
#   top down and compare the maps before and after by Spearman rank correlation; a map that
#   does not change is not about the model.
# - **Deletion**: replace the 64 pixels the map ranks highest (the corner's size) by the
#   image's mean colour and measure the share of the margin lost; a faithful map loses much.
# - **Ground truth**: mass share on the watermark, and the pointing game with tolerance 0, as in
#   notebook 06 for these 32-pixel images.
# - **A second explainer**: Grad-CAM at `features.conv3` (pytorch-grad-cam, explaining the same
#   margin), whose map the fine-tuning never looked at.

# %%
def randomized_copy(net: nn.Module, modules: list[str], seed: int = 0) -> nn.Module:
    """A copy of net whose named modules get PyTorch's default initialisation, seeded."""
    broken = copy.deepcopy(net)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for name in modules:
            broken.get_submodule(name).reset_parameters()
    return broken.eval()


# %% [markdown] slideshow={"slide_type": "subslide"}
# The cascade, from the logits layer down to the first convolution, for both models:

# %%
CASCADE = ["classifier", "features.conv3", "features.conv2", "features.conv1"]
marked_images, marked_classes = images_test[marked], classes_test[marked]
cascade = {}
for name, net, maps in [("original", original_cnn, original_maps),
                        ("manipulated", fooled_cnn, fooled_maps)]:
    for level in range(1, len(CASCADE) + 1):
        broken_maps = gradient_maps(randomized_copy(net, CASCADE[:level]), marked_images,
                                    marked_classes)[0].detach().cpu().numpy()
        cascade[(name, CASCADE[level - 1])] = np.mean([
            rank_correlation(maps[n].cpu().numpy(), broken_maps[k])
            for k, n in enumerate(marked)])
cascade = pd.Series(cascade).unstack()[CASCADE]
print("mean rank correlation with the trained model's map, randomized from the top down to:")
print(cascade.round(3).to_string())

# %% [markdown]
# Deletion, the ground-truth scores and Grad-CAM, one function each. A random map is the
# deletion test's control.

# %%
from pytorch_grad_cam import GradCAM


def deletion_loss(net: nn.Module, maps: torch.Tensor, k: int = 64) -> float:
    """Mean share of the margin lost when each map's k top pixels are set to the mean colour."""
    images, classes = images_test[marked], classes_test[marked]
    top_pixels = maps[marked].flatten(1).argsort(dim=1, descending=True)[:, :k]
    keep = torch.ones_like(maps[marked].flatten(1)).scatter_(1, top_pixels, 0.0)
    keep = keep.view(-1, 1, SIZE, SIZE)
    deleted = images * keep + images.mean(dim=(2, 3), keepdim=True) * (1 - keep)
    with torch.no_grad():
        before, after = margin(net(images), classes), margin(net(deleted), classes)
    return float(((before - after) / before).mean())


# %% [markdown]
# The ground-truth scores, averaged over the watermarked images:

# %%
def watermark_share(maps: np.ndarray, which: np.ndarray = marked) -> float:
    """Mean mass share on the watermark; maps[k] belongs to test image which[k]."""
    return float(np.mean([mass_share(heat, planted_test.masks[n])
                          for heat, n in zip(maps, which, strict=True)]))


def pointing_rate(maps: np.ndarray) -> float:
    """Share of marked images whose map peaks on the watermark (tolerance 0)."""
    return float(np.mean([pointing_hit(maps[k], planted_test.masks[n], tolerance=0)
                          for k, n in enumerate(marked)]))


# %% [markdown]
# Grad-CAM with pytorch-grad-cam, whose target can be any function of an image's logits:

# %%
class MarginTarget:
    """pytorch-grad-cam target: the margin f_c - f_other of one image's logits."""

    def __init__(self, category: int) -> None:
        self.category = category

    def __call__(self, output: torch.Tensor) -> torch.Tensor:
        return output[self.category] - output[1 - self.category]


def grad_cam_maps(net: nn.Module) -> np.ndarray:
    """Grad-CAM of the margin at features.conv3 for the marked images, (128, H, W)."""
    with GradCAM(model=net, target_layers=[net.features.conv3]) as cam:
        return cam(input_tensor=marked_images.clone(),
                   targets=[MarginTarget(int(c)) for c in marked_classes])


# %%
random_maps = torch.rand(original_maps.shape, generator=torch.Generator().manual_seed(0))
tests = {}
for name, net, maps in [("original", original_cnn, original_maps),
                        ("manipulated", fooled_cnn, fooled_maps)]:
    heat, cams = maps[marked].cpu().numpy(), grad_cam_maps(net)
    tests[name] = {
        "randomization: rho, logits layer random": cascade.loc[name, "classifier"],
        "randomization: rho, all layers random": cascade.loc[name, "features.conv1"],
        "deletion: margin lost": deletion_loss(net, maps),
        "ground truth: mass on the watermark": watermark_share(heat),
        "ground truth: pointing game": pointing_rate(heat),
        "Grad-CAM: mass on the corner": float(np.mean([mass_share(c, TARGET) for c in cams])),
        "Grad-CAM: mass on the watermark": watermark_share(cams)}
tests = pd.DataFrame(tests)
random_deletion = deletion_loss(fooled_cnn, random_maps.to(DEVICE))
watermark_area = planted_test.masks[marked].mean()
print(tests.round(3).to_string())
print(f"the watermark's area share: {watermark_area:.3f}")
print(f"deletion control, a random map on the manipulated model: margin lost "
      f"{random_deletion:.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Row by row:
#
# - **Model randomization does not notice.** Both maps decorrelate as the cascade re-initialises
#   more layers, the manipulated one a little further (0.072 against 0.178 when every layer is
#   random). The test asks whether the map depends on the weights, and the manipulated map
#   does. (Randomizing the two-class logits layer alone leaves both maps similar, 0.877 and
#   0.774: on this small CNN the gradient's shape comes mostly from the convolutions.)
# - **Deletion does not notice either, and that is the surprise.** Setting the manipulated map's
#   top 64 pixels (the corner) to the mean colour costs 1.184 of the margin (more than all of
#   it: the margin turns negative on average), against 1.780 for the original map's top pixels
#   (the watermark) and 0.004 for a random map. The fine-tuning kept the outputs *on the data*;
#   an image with a flat grey corner is off the data, and there the manipulated model does
#   react to the corner. Deletion, too, judges a map by the model's answers to images that do
#   not exist.
# - **Ground truth notices**: the map's mass on the watermark falls from 0.454 to 0.089, and its
#   peak never lands there (pointing game 0.000 against 0.984). But an auditor rarely knows
#   where the evidence is.
# - **A second explainer notices**: Grad-CAM, which the fine-tuning never looked at, still puts
#   0.185 of its mass on the watermark (0.236 for the original), more than five times the
#   watermark's area share of 0.035, and 0.084 on the corner. A gradient map and a Grad-CAM map
#   that disagree this much are a warning sign that needs no ground truth.

# %%
randomization_gap = (tests.loc["randomization: rho, all layers random", "manipulated"]
                     - tests.loc["randomization: rho, all layers random", "original"])
assert randomization_gap < 0.05, "randomization: the manipulated map passes as well"
assert tests.loc["deletion: margin lost"].min() > 0.5 > random_deletion, "deletion: both pass"
assert tests.loc["ground truth: mass on the watermark", "manipulated"] < \
    0.5 * tests.loc["ground truth: mass on the watermark", "original"], "ground truth notices"
assert tests.loc["ground truth: pointing game", "manipulated"] < 0.1
assert tests.loc["Grad-CAM: mass on the watermark", "manipulated"] > 3 * watermark_area, (
    "Grad-CAM still points at the watermark")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### SmoothGrad against the manipulation
#
# **Intuition.** The manipulation lives in how the gradient varies between and around the data
# points; the predictions pin the function down only *at* them. SmoothGrad (Smilkov et al.,
# 2017; [notebook 05](05_gradient_methods.ipynb)) averages the gradient over noisy copies of the
# input, so it reads the function on a neighbourhood rather than at a point, and Dombrowski et
# al. (2019) show that smoothing makes maps harder to manipulate.
#
# **Math.** $\phi^{\mathrm{SG}}(x) = \frac{1}{n}\sum_{k=1}^{n} \nabla_x m(x + \varepsilon_k)$,
# $\varepsilon_k \sim \mathcal N(0, \sigma^2 I)$, drawn as one batch; the map is
# $\sum_c |\phi^{\mathrm{SG}}_c|$. We use $\sigma = 0.15$ (15 % of the pixel range, the middle of
# the paper's advice) and $n = 16$.
#
# **From scratch**, drawing the noise exactly as captum's `NoiseTunnel` does (one
# `torch.normal` call for the image batch repeated $n$ times, each image's copies next to each
# other), so that the library must agree to float precision:

# %%
from captum.attr import NoiseTunnel, Saliency

SIGMA, SMOOTH_SAMPLES = 0.15, 16


def smoothgrad_maps(net: nn.Module, images: torch.Tensor, classes: torch.Tensor,
                    sigma: float = SIGMA, n: int = SMOOTH_SAMPLES) -> torch.Tensor:
    """sum_c |mean_k dm/dx at x + eps_k| per image: SmoothGrad of the margin, (N, H, W)."""
    repeated = images.repeat_interleave(n, dim=0)
    noisy = repeated + torch.normal(0.0, torch.full_like(repeated, sigma))
    inputs = noisy.requires_grad_(True)
    gradients, = torch.autograd.grad(margin(net(inputs), classes.repeat_interleave(n)).sum(),
                                     inputs)
    return gradients.view(len(images), n, *images.shape[1:]).mean(dim=1).abs().sum(dim=1)


# %% [markdown]
# SmoothGrad for 64 watermarked images (each map costs 16 passes), with the noise generator
# reset to the same seed for every call:

# %%
SMOOTHED = marked[:64]  # each SmoothGrad map costs 16 passes: 64 images keep the cost small
smoothed_images, smoothed_classes = images_test[SMOOTHED], classes_test[SMOOTHED]


def seeded_smoothgrad(net: nn.Module, sigma: float, images: torch.Tensor = smoothed_images,
                      classes: torch.Tensor = smoothed_classes) -> torch.Tensor:
    """SmoothGrad maps with the noise generator reset to seed 0, so every call sees the same eps."""
    torch.manual_seed(0)
    return smoothgrad_maps(net, images, classes, sigma=sigma)


# %% [markdown] slideshow={"slide_type": "subslide"}
# **The library check.** captum explains column `target` of a forward function's output; for
# the margin that output is the logits minus the logits in swapped order:

# %%
def margins_of(net: nn.Module):
    """The network as captum's forward function: column c of the output is f_c - f_other."""
    def forward(inputs: torch.Tensor) -> torch.Tensor:
        logits = net(inputs)
        return logits - logits.flip(dims=(1,))
    return forward


checked_images, checked_classes = smoothed_images[:8], smoothed_classes[:8]
smooth_fooled = seeded_smoothgrad(fooled_cnn, SIGMA, checked_images, checked_classes)
torch.manual_seed(0)
library_smooth = NoiseTunnel(Saliency(margins_of(fooled_cnn))).attribute(
    checked_images, nt_type="smoothgrad", nt_samples=SMOOTH_SAMPLES, stdevs=SIGMA,
    target=checked_classes, abs=False).abs().sum(dim=1)
gap = (smooth_fooled - library_smooth).abs().max().item()
print(f"SmoothGrad from scratch vs captum NoiseTunnel: largest difference {gap:.1e} "
      f"(largest value {library_smooth.max().item():.2f})")
assert torch.allclose(smooth_fooled, library_smooth, rtol=1e-4, atol=1e-5)

# %% [markdown]
# How much does smoothing undo? The mass on the corner and on the watermark for both models,
# for the plain gradient and for SmoothGrad at three noise levels (the same seed for each).

# %%
SIGMAS = (0.15, 0.3, 0.5)
records = []
for name, net, plain in [("original", original_cnn, original_maps),
                         ("manipulated", fooled_cnn, fooled_maps)]:
    variants = {"gradient": plain[SMOOTHED]} | {
        f"SmoothGrad, sigma {sigma}": seeded_smoothgrad(net, sigma) for sigma in SIGMAS}
    records += [{"map": variant, "model": name, "corner": target_share(maps).mean().item(),
                 "watermark": watermark_share(maps.cpu().numpy(), SMOOTHED)}
                for variant, maps in variants.items()]
smoothing = pd.DataFrame(records).set_index(["map", "model"]).unstack("model")
smoothing = smoothing.reindex(list(variants))  # gradient first, then growing noise
print(f"mean mass share on {len(SMOOTHED)} watermarked test images:")
print(smoothing.round(3).to_string())

# %%
corner = smoothing[("corner", "manipulated")]
assert (np.diff(corner.to_numpy()) < 0).all(), "more noise, less mass on the corner"
assert corner.iloc[-1] < 0.5 * corner.iloc[0], "the strongest smoothing halves it or more"
assert smoothing[("watermark", "manipulated")].max() < \
    smoothing[("watermark", "original")].min(), "but the watermark is not found again"

# %% slideshow={"slide_type": "subslide"}
smooth_shown = seeded_smoothgrad(fooled_cnn, 0.3, smoothed_images[:5], smoothed_classes[:5])
show_corner_maps([(fooled_maps[shown], "gradient"), (smooth_shown, "SmoothGrad")],
                 "The manipulated model: its gradient map and its SmoothGrad map (sigma 0.3)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# SmoothGrad undoes part of the manipulation and no more. The corner's share falls as the noise
# grows: 0.810 for the gradient, then 0.709, 0.335 and 0.211 for $\sigma$ = 0.15, 0.3 and 0.5
# (64 watermarked images). But the mass does not go back to the watermark (0.047 to 0.092,
# against 0.226 to 0.255 for the original model's SmoothGrad); in the figure it stays at the
# corner's top-left pixels and spreads along the top edge. Fine-tuning changed the function in a
# neighbourhood of every image, not only at it: averaging over that neighbourhood dilutes the
# manipulation but cannot show what the original model did. (Dombrowski et al. propose
# softplus networks with a small $\beta$ as a defence, a smoothing close to SmoothGrad.)
#
# > **Pitfall.** A saliency map is a property of the function *around* the input, and two
# > models with the same predictions can have very different maps. Tests that judge a map by
# > its own model (randomization, and deletion, which asks the model about images off the data)
# > passed the manipulated model as easily as the honest one. Outside knowledge (where the
# > evidence really is) and a second, untargeted explainer noticed; smoothing diluted the
# > manipulation without undoing it.
#
# **Pros and cons of the manipulation (for the attacker)**
#
# | it needs only | its limits |
# |---|---|
# | the training data, 80 fine-tuning steps | one target, for one explanation method |
# | no change to the architecture (ReLUs back) | an untargeted method (Grad-CAM) disagrees |
# | predictions, and so accuracy, unchanged | ground truth notices; smoothing dilutes it |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Fairwashing: a faithful surrogate that never mentions sex
#
# ### Intuition
#
# A global surrogate ([notebook 08](08_counterfactuals.ipynb)) explains a black box by a simple
# model fitted to its decisions, and its **fidelity**, the share of decisions it reproduces,
# says how far to trust it. Aïvodji et al. (2019) show that a model owner can choose, among
# many surrogates of nearly equal fidelity, one that looks fair: **fairwashing**. The fidelity
# cannot tell, because it averages over everybody, and the people for whom the sensitive
# feature decides can be few.
#
# ### Math
#
# For a black box $b$, a surrogate $g$ and a set of people $A$, the fidelity on $A$ is
#
# $$\mathrm{fid}_A(g) = \frac{1}{|A|} \sum_{x \in A} \mathbf 1\big[g(x) = b(x)\big] ,$$
#
# and if sex decides $b$ on a subset $D$ that a sex-blind $g$ gets right with probability $q$,
# then $\mathrm{fid}_A(g) \le 1 - \tfrac{|D|}{|A|}(1 - q)$: a small $D$ costs little fidelity.
#
# ### A black box with a planted sex bonus
#
# A random forest predicts the true income label from the ten features other than sex (on the
# 2,000 training rows). The black box adds a bonus of 0.15 to the score of every man and grants
# the favourable decision when the score reaches 0.5. So we know exactly whose decision sex
# decides: the people whose forest score lies in $[0.35, 0.5)$.

# %%
from sklearn.tree import DecisionTreeClassifier

NOT_SEX = [j for j in range(M) if j != SEX]
BONUS = 0.15
income_forest = RandomForestClassifier(n_estimators=50, min_samples_leaf=10, random_state=0,
                                       n_jobs=1).fit(X_train[:, NOT_SEX], incomes[:2000])


def forest_score(rows: np.ndarray) -> np.ndarray:
    return income_forest.predict_proba(rows[:, NOT_SEX])[:, 1]


def black_box(rows: np.ndarray) -> np.ndarray:
    """The favourable decision when the forest's score plus the men's bonus reaches 0.5."""
    return (forest_score(rows) + BONUS * (rows[:, SEX] == MALE) >= 0.5).astype(int)


# %% [markdown]
# Whose decision sex decides (the planted truth), and what the flip test finds:

# %%
sex_decides = (forest_score(X_audit) >= 0.5 - BONUS) & (forest_score(X_audit) < 0.5)
box_decisions, forest_decisions = black_box(X_audit), forest_score(X_audit) >= 0.5
box_flip_rate = float(np.mean(box_decisions != black_box(flipped)))
print(f"black box: favourable for {box_decisions[men].mean():.1%} of the men, "
      f"{box_decisions[~men].mean():.1%} of the women; sex decides for "
      f"{sex_decides.mean():.1%} of the audit rows; flipping sex changes {box_flip_rate:.1%}")
print(f"the forest alone (no bonus): favourable for {forest_decisions[men].mean():.1%} of the "
      f"men, {forest_decisions[~men].mean():.1%} of the women")
assert box_flip_rate == sex_decides.mean(), "the flip test finds exactly the planted rows"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Two depth-4 surrogate trees are fitted to the black box's decisions on the training rows: one
# may use every feature, the other is given every feature except sex.

# %%
surrogates = {
    "all features": (DecisionTreeClassifier(max_depth=4, random_state=0), list(range(M))),
    "without sex": (DecisionTreeClassifier(max_depth=4, random_state=0), NOT_SEX),
}
fidelity_table = {}
for name, (tree, columns) in surrogates.items():
    tree.fit(X_train[:, columns], black_box(X_train))
    agrees = tree.predict(X_audit[:, columns]) == box_decisions
    fidelity_table[name] = {"fidelity, all audit rows": agrees.mean(),
                            "fidelity where sex decides": agrees[sex_decides].mean(),
                            "splits on sex": int(np.sum(np.array(columns)[
                                tree.tree_.feature[tree.tree_.feature >= 0]] == SEX))}
fidelity_table = pd.DataFrame(fidelity_table)
print(fidelity_table.round(3).to_string())

# %% slideshow={"slide_type": "subslide"}
groups = {"all audit rows": np.ones(len(X_audit), dtype=bool), "sex does not decide":
          ~sex_decides, "sex decides (men)": sex_decides & men,
          "sex decides (women)": sex_decides & ~men}
blind_tree = surrogates["without sex"][0]
blind_agrees = blind_tree.predict(X_audit[:, NOT_SEX]) == box_decisions
by_group = pd.Series({name: blind_agrees[rows].mean() for name, rows in groups.items()})
print(pd.DataFrame({"fidelity": by_group.round(3),
                    "people": {name: rows.sum() for name, rows in groups.items()}}).to_string())
fig, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
bars = ax.barh(np.arange(len(by_group))[::-1], by_group.to_numpy(),
               color=["tab:blue", "tab:blue", "tab:red", "tab:red"])
ax.bar_label(bars, labels=[f"{v:.3f} ({groups[k].sum()} people)" for k, v in by_group.items()],
             padding=3)
ax.set_yticks(np.arange(len(by_group))[::-1], by_group.index)
ax.set_xlim(0, 1.4)
ax.set_xlabel("fidelity of the sex-blind surrogate")
ax.set_title("A faithful surrogate, except where sex decides")
plt.show()

# %%
blind = fidelity_table["without sex"]
assert blind["splits on sex"] == 0 and blind["fidelity, all audit rows"] >= 0.9
assert abs(blind["fidelity, all audit rows"]
           - fidelity_table.loc["fidelity, all audit rows", "all features"]) < 0.03
assert blind["fidelity where sex decides"] < blind["fidelity, all audit rows"] - 0.2

# %% [markdown] slideshow={"slide_type": "subslide"}
# Neither tree splits on sex, not even the one that was allowed to: at depth 4 other splits
# explain more of the decisions than the bonus does. Both have a fidelity of 0.963 on the audit
# rows. Read alone, that number says "a simple, faithful description of the model, in which
# sex plays no part". Yet sex decides 9.1 % of the decisions (the flip test finds exactly
# these), and for those people the surrogate's fidelity is only 0.687 (0.675 for the 151 men,
# 0.742 for the 31 women), against 0.991 for everybody else. The favourable rates of men and
# women (36.2 % and 4.3 %) differ mostly through the forest itself, which never sees sex but
# the features that go with it (24.7 % and 4.3 % without the bonus); the bonus adds the rest
# for the men. The owner did not even have to search for a
# fair-looking surrogate, as Aïvodji et al. do: the most faithful small tree hides the bonus by
# itself.
#
# > **Pitfall.** Fidelity is an average over everybody. A surrogate can be faithful for the
# > many and wrong for exactly the few whom the sensitive feature decides, and then its
# > picture of the model ("sex plays no part") is false where it matters. Report the
# > surrogate's fidelity on the groups the audit is about, and check the black box directly.
#
# **Pros and cons of a global surrogate as audit evidence**
#
# | pros | cons |
# |---|---|
# | readable: the whole model in a few rules | the owner chooses it, among many of equal fidelity |
# | fidelity is measurable | fidelity averages away the cases that matter |
# | cheap | silent about features it was not given |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. What the attacks teach about auditing
#
# - **Explanations are evidence, not proof.** An explanation is a summary of a model's answers
#   to the explainer's questions. If the questions are not about real data, the answers need
#   not be about the real model, and a model built to pass an audit can answer them
#   differently (section 3).
# - **Ask about the data.** Explainers whose queries stay on the data (real neighbours, real
#   backgrounds) brought the bias back in every measured case (section 4), and so did the
#   plainest checks of the decisions on real people: group rates and flipping the sensitive
#   attribute. Those are what an audit should report first; explanations come second.
# - **Know the threat model.** Each defence beat the attacker we built, who trained for one
#   sampler. An owner who knows the audit's settings can train for those (exercises 1 and 3);
#   keep the settings unknown, vary them, and compare explainers.
# - **Maps can be moved without moving predictions** (section 5). Model randomization and
#   deletion passed the manipulated model; ground truth (where the evidence is) and a second
#   explainer it was not tuned against saw it; smoothing diluted it.
# - **Fidelity is not fairness** (section 6). A surrogate that never mentions the sensitive
#   feature had a fidelity of 0.963 overall and was wrong for almost a third of the people
#   whom sex decides.
# - **Access matters.** Every attack here exploited that the auditor saw only queries or only
#   the finished model. Access to the training data, the training code and the model's
#   decisions on real cases makes all three much harder.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("12.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: An attacker who expects a real background
#
# The owner learns that the auditor will use ten real rows as Kernel SHAP's background. Record
# Kernel SHAP's hybrids on the owner's rows `X_train[4:14]` with ten *other* real rows as the
# background (`np.random.default_rng(1)`), fit a new SHAP detector on them, and build a new
# scaffold with the LIME detector and the new one, $\tau$ set as in step 3. What are its
# fidelity on the audit rows, the share of the audit's real-background hybrids it catches, and
# how often does sex stay on top?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the owner trains its SHAP detector on the hybrids an auditor with a real background
#   would send: record Kernel SHAP's queries with ten other real rows as the background.
# Hint: the hybrids are the recorded batches longer than the background; the new scaffold is
#   Scaffold(realness_of(lime_detector, fit_detector(hybrids)), tau) with tau the 0.002
#   quantile of its realness on X_calib; caught = 1 - the share of logged rows judged real.
# Hint: start with other_background = X_train[np.random.default_rng(1).choice(len(X_train), 10,
#   replace=False)]; reuse recording, shap_values_for and the audit's real_background.
other_background = X_train[np.random.default_rng(1).choice(len(X_train), 10, replace=False)]
adaptive_queries = []
np.random.seed(0)
shap.KernelExplainer(recording(biased_model, adaptive_queries), other_background).shap_values(
    X_train[4:14], nsamples=SHAP_SAMPLES, l1_reg=False, silent=True)
adaptive_fakes = np.vstack([b for b in adaptive_queries if len(b) > len(other_background)])
adaptive_realness = realness_of(lime_detector, fit_detector(adaptive_fakes))
adaptive = Scaffold(adaptive_realness, float(np.quantile(adaptive_realness(X_calib), 0.002)))
adaptive_fidelity = (adaptive(X_audit) == biased_model(X_audit)).mean()
adaptive.log.clear()
adaptive_top = np.abs(shap_values_for(adaptive, real_background, AUDITED)).argmax(axis=1)
adaptive_caught = 1 - np.concatenate([judged for _, judged in adaptive.log]).mean()
print(f"fidelity on the audit rows {adaptive_fidelity:.2%}; hybrids caught "
      f"{adaptive_caught:.1%}; sex on top in {np.mean(adaptive_top == SEX):.0%} of the rows")
assert adaptive_fidelity >= 0.99
assert np.mean(adaptive_top == SEX) >= 0.5, "a real background still exposes the bias"

# %% slideshow={"slide_type": "fragment"}
check("12.1", adaptive_fidelity=adaptive_fidelity, adaptive_caught=adaptive_caught,
      adaptive_top=adaptive_top, scaffold=adaptive, biased_model=biased_model, x_audit=X_audit,
      sex=SEX)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Trained on hybrids of real rows, the new detector catches 0.2 % of the audit's hybrids: a
# mix of two real people is made of real values, and most such mixes look like a real person.
# Sex stays on top for all 40 rows, and the fidelity stays at 99.90 %. The real background
# holds against an owner who knows it is coming; it is not merely an unexpected setting.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Fine-tuning with ReLU
#
# Run `manipulate(original_cnn, activation="relu")`: the same 80 steps, with the ReLUs kept
# during fine-tuning. Compare the agreement of its predictions with the original model and its
# mass share on the corner with the softplus run of section 5.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the only change is the activation during fine-tuning; measure the new model as
#   section 5 measured the softplus run.
# Hint: agreement = mean(logits.argmax(1) == classes_test); the corner share is
#   target_share(maps).mean(), both from gradient_maps(relu_cnn, images_test, classes_test).
# Hint: start with relu_cnn, relu_history = manipulate(original_cnn, activation="relu").
relu_cnn, relu_history = manipulate(original_cnn, activation="relu")
relu_maps, relu_logits = gradient_maps(relu_cnn, images_test, classes_test)
relu_agreement = (relu_logits.argmax(dim=1) == classes_test).float().mean().item()
relu_share = target_share(relu_maps.detach()).mean().item()
print(f"ReLU during fine-tuning: agreement {relu_agreement:.1%}, corner share {relu_share:.3f}")
print(f"softplus during fine-tuning: agreement {agreement:.1%}, corner share "
      f"{target_after.mean():.3f}")
assert relu_share < target_after.mean(), "softplus moves the map further in the same steps"

# %% slideshow={"slide_type": "fragment"}
check("12.2", relu_agreement=relu_agreement, relu_share=relu_share, model=relu_cnn,
      gradient_maps=gradient_maps, target_share=target_share, images=images_test,
      classes=classes_test, softplus_share=target_after, softplus_agreement=agreement)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# With ReLU the same 80 steps move the corner's share only to 0.167, and the predictions agree
# with the original's on only 95.7 % of the test images, against 0.898 and 100.0 % with
# softplus. The ReLU network's second derivatives are zero, so the fooling loss's gradient sees
# how the map changes with the weights for fixed on/off patterns of the units, but not how the
# patterns would move; softplus lets it see both. (Heo et al. fine-tune ReLU networks, with many
# more steps.)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: An attacker who expects the flip test
#
# The owner adds a copy of its 2,000 training rows with sex flipped to the fakes of a third
# detector (`fit_detector`) and routes a row to $\psi$ when any of the three detectors calls it
# fake. Set $\tau$ so that 2 %, 10 % and 20 % of the calibration rows fall below it (the price
# the owner accepts), and measure for each the flip rate, the group-rate gap and the fidelity
# on the audit rows. Can the owner defeat the flip test? The group rates?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: a third detector trained on sex-flipped training rows sends the flip test's rows to
#   psi; the price is the share of real calibration rows that go to psi as well.
# Hint: realness_of(lime_detector, shap_detector, fit_detector(flipped_train)) and one Scaffold
#   per price, with tau = np.quantile(wary_realness(X_calib), price); the flip rate, the
#   group-rate gap (men minus women) and the fidelity as in section 4.4.
# Hint: start with flipped_train = X_train.copy() and flip its column SEX as section 4.4 does
#   for X_audit.
flipped_train = X_train.copy()
flipped_train[:, SEX] = np.where(flipped_train[:, SEX] == MALE, 1 - MALE, MALE)
wary_realness = realness_of(lime_detector, shap_detector, fit_detector(flipped_train))
calibration_realness = wary_realness(X_calib)
wary_checks = {}
for price in (0.02, 0.1, 0.2):
    wary = Scaffold(wary_realness, float(np.quantile(calibration_realness, price)))
    wary_decisions = wary(X_audit)
    wary_checks[f"{price:.0%} of calibration rows to psi"] = {
        "flip rate": np.mean(wary_decisions != wary(flipped)),
        "group-rate gap": wary_decisions[men].mean() - wary_decisions[~men].mean(),
        "fidelity": np.mean(wary_decisions == biased_model(X_audit))}
wary_checks = pd.DataFrame(wary_checks)
print(wary_checks.round(3).to_string())
print(f"without the third detector: flip rate {flip_rate:.3f}, gap {rate_gap:.3f}, "
      f"fidelity {fidelity:.3f}")
assert (np.diff(wary_checks.loc["flip rate"].to_numpy()) < 0).all(), "a higher price, a weaker test"
assert wary_checks.loc["flip rate"].min() > 0.5 and wary_checks.loc["group-rate gap"].min() > 0.8

# %% slideshow={"slide_type": "fragment"}
check("12.3", wary_checks=wary_checks, flip_rate=flip_rate, rate_gap=rate_gap, fidelity=fidelity)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The flip test can be blunted, but only at a price. Sending 2 % of its calibration rows to
# $\psi$, the owner lowers the flip rate from 0.999 to 0.820; at 20 % to 0.576: the third
# detector spots the flipped rows that break a pattern of the data (a female husband, a male
# wife) and answers them with $\psi$. Many flipped people are as plausible as real ones, so
# the flip rate stays above one half, and every real row sent to $\psi$ is a real decision
# the bias no longer makes: the fidelity falls to 0.892 and the group-rate gap to 0.822. The
# group rates on real rows cannot be fooled without giving up the bias itself.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Perturbation explainers can be fooled** because they query the model on rows that do
#   not look like data. The scaffolding attack (Slack et al., 2020) routes those rows to an
#   innocuous model: on 40 audited people LIME then named sex for none (it named it for all 40
#   of the honest biased model) and Kernel SHAP for 11, while 99.90 % of the 2,000 real audit
#   rows kept the biased decision.
# - **Kernel SHAP leaks more than LIME**: its hybrids from large coalitions keep most of a real
#   person and pass the detector, and every coalition size carries the same Shapley weight.
# - **Defences that stay on the data work**: LIME fitted on real rows (our fit reproduces lime's
#   to rounding error) and Kernel SHAP with ten real rows as the background named sex for all
#   40 people behind the scaffold; flipping sex changed 99.9 % of the decisions and the group
#   rates differed by 99.8 points. Another LIME sampler (Gaussian around $x$) is still off the
#   data and still fooled.
# - **A saliency map can be moved with the predictions fixed** (Heo et al., 2019; Dombrowski et
#   al., 2019): 80 steps of double backpropagation, with softplus standing in for ReLU, moved
#   the gradient map's mass on a fixed corner from 0.042 to 0.898 with every test prediction
#   unchanged. Model randomization and deletion passed the manipulated map; ground truth and
#   Grad-CAM noticed; SmoothGrad (= captum's `NoiseTunnel`) lowered the corner's share to 0.211
#   at $\sigma = 0.5$ but did not find the watermark again.
# - **Fairwashing** (Aïvodji et al., 2019): a depth-4 surrogate with a fidelity of 0.963 that
#   never splits on sex, for a black box in which sex decides 9.1 % of the decisions; on those,
#   its fidelity is 0.687.
# - **Explanations are evidence, not proof**: audit the decisions on real data first, keep the
#   explainer's settings from the party being audited, and compare several explainers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Slack, D., Hilgard, S., Jia, E., Singh, S., & Lakkaraju, H. (2020). Fooling LIME and SHAP:
#   Adversarial attacks on post hoc explanation methods. *AIES 2020*.
#   https://arxiv.org/abs/1911.02508 (code: https://github.com/dylan-slack/Fooling-LIME-SHAP)
# - Dombrowski, A.-K., Alber, M., Anders, C. J., Ackermann, M., Müller, K.-R., & Kessel, P.
#   (2019). Explanations can be manipulated and geometry is to blame. *NeurIPS 2019*.
#   https://arxiv.org/abs/1906.07983
# - Heo, J., Joo, S., & Moon, T. (2019). Fooling neural network interpretations via
#   adversarial model manipulation. *NeurIPS 2019*. https://arxiv.org/abs/1902.02041
# - Aïvodji, U., Arai, H., Fortineau, O., Gambs, S., Hara, S., & Tapp, A. (2019). Fairwashing:
#   the risk of rationalization. *ICML 2019*. https://arxiv.org/abs/1901.09749
# - Ribeiro, M. T., Singh, S., & Guestrin, C. (2016). "Why should I trust you?": Explaining the
#   predictions of any classifier. *KDD 2016*. https://arxiv.org/abs/1602.04938
# - Lundberg, S. M., & Lee, S.-I. (2017). A unified approach to interpreting model predictions.
#   *NeurIPS 2017*. https://arxiv.org/abs/1705.07874
# - Adebayo, J., Gilmer, J., Muelly, M., Goodfellow, I., Hardt, M., & Kim, B. (2018). Sanity
#   checks for saliency maps. *NeurIPS 2018*. https://arxiv.org/abs/1810.03292
# - Smilkov, D., Thorat, N., Kim, B., Viégas, F., & Wattenberg, M. (2017). SmoothGrad: removing
#   noise by adding noise. https://arxiv.org/abs/1706.03825
# - Frye, C., de Mijolla, D., Begley, T., Cowton, L., Stanley, M., & Feige, I. (2021). Shapley
#   explainability on the data manifold. *ICLR 2021*. https://arxiv.org/abs/2006.01272
# - Kohavi, R. (1996). Scaling up the accuracy of naive-Bayes classifiers: a decision-tree
#   hybrid. *KDD-96* (the Adult data). https://archive.ics.uci.edu/dataset/2/adult
