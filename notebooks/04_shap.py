# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Shapley values and SHAP
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/04_shap.ipynb)
#
# How should one prediction be shared out among the features that produced it? Game theory
# has an answer with a uniqueness proof behind it: the Shapley value. This notebook computes
# it by hand for a three-piece street band, writes an exact enumerator and checks the four
# axioms that define it, then turns a model into a game and derives **Kernel SHAP** (a weighted
# linear regression over coalitions), checked against exact enumeration and `shap`'s
# `KernelExplainer`. It sets SHAP against LIME on the same prediction, measures how much faster
# **TreeSHAP** is and why its two variants disagree on correlated features, draws the standard
# SHAP plots, and ends with the **Partition explainer** (Owen values, written from scratch) on a
# MiniLM text classifier that learned a planted shortcut and on the pretrained CNN.
#
# **Run time:** about 60 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Compute Shapley values by hand from marginal contributions and their weights
#   $\frac{|S|!\,(M-|S|-1)!}{M!}$, and state and check the four axioms (efficiency, symmetry,
#   dummy, additivity).
# - Turn a model into a game with a background data set, and say what "a feature is absent"
#   means for interventional and for conditional SHAP.
# - Derive Kernel SHAP as a weighted linear regression with the Shapley kernel, implement it,
#   and show that it is exact when all coalitions are used and noisy when they are sampled.
# - Use `TreeExplainer` in both modes, explain why they disagree on correlated features, and
#   read waterfall, force, bar, beeswarm and dependence plots.
# - Explain what the Partition explainer computes (Owen values over a hierarchy of tokens or
#   pixels), and use it on text and images.
# - Say when SHAP and LIME disagree on the same prediction, and why.
#
# ## Prerequisites
#
# - [Notebook 00](00_introduction.ipynb) (notation $f$, $x$, $x'$, $\phi_i$, completeness) and
#   [notebook 03](03_lime.ipynb) (LIME: a weighted local linear fit to perturbed samples).
# - NumPy, pandas, matplotlib; scikit-learn regression and classification models.
# - Weighted least squares at the level of "minimise a weighted sum of squared errors".

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
# ## 1. Shapley values: sharing the hat money of a street band
#
# ### Intuition
#
# A drummer, a guitarist and a singer play on a street corner and collect money in a hat. They
# want to split the evening's takings fairly, so for eight evenings they play in every possible
# line-up, from nobody at all to the full band, in front of the same crowd. Each line-up is a
# **coalition** $S$ of the players and its takings are the coalition's **payoff** $v(S)$.
#
# How much of the full band's payoff is owed to the drummer? When the drummer joins a line-up
# $S$ that does not include them, the hat gains $v(S \cup \{\text{drummer}\}) - v(S)$: their
# **marginal contribution** to $S$. The drummer joins four line-ups (nobody; the guitarist; the
# singer; both), and their marginal contributions differ because players interact (a drummer
# adds more to a band that already has a singer). The Shapley value is a weighted average of
# all four.
#
# ### Math
#
# With $M$ players $N = \{1, \dots, M\}$ and payoff $v$, the **Shapley value** of player $i$ is
#
# $$\phi_i(v) = \sum_{S \subseteq N \setminus \{i\}} \frac{|S|!\,(M-|S|-1)!}{M!}
#   \bigl[v(S \cup \{i\}) - v(S)\bigr].$$
#
# The weight has a story. Let the players arrive one by one in a random order, all $M!$ orders
# equally likely, and pay each the marginal contribution they make on arrival. Player $i$ finds
# exactly the coalition $S$ already there in $|S|!\,(M-|S|-1)!$ of the orders (the players of
# $S$ in any order before $i$, the rest in any order after), so $\phi_i$ is their expected pay.
# Grouping the weights by coalition size gives a second reading: the $\binom{M-1}{|S|}$
# coalitions of each size share a total weight of $1/M$ equally, so every size counts the same.
# Shapley (1953) proved that $\phi$ is the *only* way to share $v(N) - v(\emptyset)$ that has
# four properties:
#
# - **Efficiency.** $\sum_i \phi_i = v(N) - v(\emptyset)$: the whole gain is shared out.
# - **Symmetry.** If $v(S \cup \{i\}) = v(S \cup \{j\})$ for every $S$ without $i$ and $j$,
#   then $\phi_i = \phi_j$.
# - **Dummy.** If $v(S \cup \{i\}) = v(S)$ for every $S$, then $\phi_i = 0$.
# - **Additivity.** For two games $v$ and $w$, $\phi_i(v + w) = \phi_i(v) + \phi_i(w)$.
#
# ### From scratch
#
# The payoffs below are invented for this notebook. A game with $M$ players is stored as an
# array of its $2^M$ payoffs, and coalition $S$ sits at index $\sum_{i \in S} 2^i$ (bit $i$ set
# when player $i$ plays), so adding player $i$ to $S$ is the bitwise or `code | (1 << i)`.

# %%
import itertools
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

PLAYERS = ("drummer", "guitarist", "singer")
HAT_EUROS = {  # takings of one evening for every line-up (made-up numbers)
    (): 0, ("drummer",): 20, ("guitarist",): 45, ("singer",): 60,
    ("drummer", "guitarist"): 80, ("drummer", "singer"): 100, ("guitarist", "singer"): 130,
    ("drummer", "guitarist", "singer"): 180,
}


def coalition_matrix(n_players: int) -> np.ndarray:
    """All 2^M coalitions as rows of a boolean matrix: row `code` holds player i iff bit i of
    `code` is set."""
    codes = np.arange(2 ** n_players)
    return (codes[:, None] >> np.arange(n_players)) & 1 == 1


def game_from_payoffs(payoffs: dict, players: tuple[str, ...]) -> np.ndarray:
    """A game as the array of its payoffs, indexed by coalition code."""
    return np.array([payoffs[tuple(p for p, plays in zip(players, row, strict=True) if plays)]
                     for row in coalition_matrix(len(players))], dtype=float)


def shapley_weight(size: int, n_players: int) -> float:
    """|S|! (M - |S| - 1)! / M!, the weight of a coalition of `size` players that i joins."""
    return math.factorial(size) * math.factorial(n_players - size - 1) / math.factorial(n_players)


band = game_from_payoffs(HAT_EUROS, PLAYERS)
M_BAND = len(PLAYERS)
drummer = PLAYERS.index("drummer")
members = coalition_matrix(M_BAND)
rows = []
for code in np.flatnonzero(~members[:, drummer]):
    joined = code | (1 << drummer)
    size = int(members[code].sum())
    rows.append({"line-up before": "{" + ", ".join(np.array(PLAYERS)[members[code]]) + "}",
                 "v(S)": band[code], "v(S + drummer)": band[joined],
                 "marginal contribution": band[joined] - band[code],
                 "weight": shapley_weight(size, M_BAND)})
drummer_table = pd.DataFrame(rows)
print(drummer_table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
phi_drummer = float(drummer_table["weight"] @ drummer_table["marginal contribution"])
print(f"\nShapley value of the drummer: {phi_drummer:.4f} euros "
      f"(weights sum to {drummer_table['weight'].sum():.4f})")
assert np.isclose(drummer_table["weight"].sum(), 1.0)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The drummer's marginal contribution grows with the line-up they join, and the first and last
# entries (joining nobody, joining everyone) get twice the weight of the middle two: each of
# those is the only coalition of its size, while the two middle ones share the weight of size
# one. The figure draws the whole game as a graph: one node per line-up, one edge for each
# player joining, labelled with that player's marginal contribution. The drummer's four edges
# are red; the Shapley value of the drummer is the weighted sum of the red labels.

# %%
LEVEL_X = {0: [0.0], 1: [-1.6, 0.0, 1.6], 2: [-1.6, 0.0, 1.6], 3: [0.0]}
INITIALS = "".join(p[0].upper() for p in PLAYERS)


def node_position(code: int) -> tuple[float, float]:
    size = int(members[code].sum())
    same_size = [c for c in range(len(band)) if members[c].sum() == size]
    return LEVEL_X[size][same_size.index(code)], -1.5 * size


fig, ax = plt.subplots(figsize=(10, 7.5))
for code in range(len(band)):
    for player in np.flatnonzero(~members[code]):
        joined = code | (1 << player)
        (x0, y0), (x1, y1) = node_position(code), node_position(joined)
        is_drummer = player == drummer
        ax.plot([x0, x1], [y0, y1], color="tab:red" if is_drummer else "0.75",
                linewidth=3.5 if is_drummer else 1.5, zorder=1)
        ax.text(x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0),
                f"+{band[joined] - band[code]:.0f}", ha="center", va="center", fontsize=11,
                color="tab:red" if is_drummer else "0.35",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=2)
for code in range(len(band)):
    x, y = node_position(code)
    name = "".join(INITIALS[i] for i in np.flatnonzero(members[code])) or "{ }"
    ax.text(x, y, f"{name}\n€{band[code]:.0f}", ha="center", va="center", fontsize=13,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "lightyellow", "edgecolor": "0.3"},
            zorder=3)
ax.set_xlim(-2.4, 2.4)
ax.set_ylim(-5.0, 0.6)
ax.axis("off")
ax.set_title("The band's game: every line-up and its takings\n"
             "(D drummer, G guitarist, S singer; red: the drummer joins)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Now the general enumerator. It evaluates nothing new: the game is already a table of $2^M$
# payoffs, and for each player one vectorised expression gathers all $2^{M-1}$ marginal
# contributions at once. A second, independent implementation follows the arrival-order story
# literally (average over all $M!$ orders), which is a useful check of the weights.

# %%
def shapley_values(game: np.ndarray) -> np.ndarray:
    """Exact Shapley values of a game given as its 2^M payoffs (index = coalition code)."""
    n_players = int(np.log2(len(game)))
    if 2 ** n_players != len(game):
        raise ValueError(f"a game needs 2^M payoffs, got {len(game)}")
    member = coalition_matrix(n_players)
    weights = np.array([shapley_weight(s, n_players) for s in range(n_players)])
    sizes = member.sum(axis=1)
    phi = np.empty(n_players)
    for i in range(n_players):
        without_i = np.flatnonzero(~member[:, i])
        phi[i] = weights[sizes[without_i]] @ (game[without_i | (1 << i)] - game[without_i])
    return phi


def shapley_by_arrival_orders(game: np.ndarray) -> np.ndarray:
    """The same values as the average marginal contribution over all M! arrival orders."""
    n_players = int(np.log2(len(game)))
    pay = np.zeros(n_players)
    orders = list(itertools.permutations(range(n_players)))
    for order in orders:
        code = 0
        for player in order:
            pay[player] += game[code | (1 << player)] - game[code]
            code |= 1 << player
    return pay / len(orders)


phi_band = shapley_values(band)
for player, value in zip(PLAYERS, phi_band, strict=True):
    print(f"{player:10s} {value:8.4f} euros")
print(f"sum {phi_band.sum():.4f} = v(full band) - v(nobody) = {band[-1] - band[0]:.4f}")
assert np.isclose(phi_band[drummer], phi_drummer), "enumerator = the table above"
assert np.allclose(phi_band, shapley_by_arrival_orders(band)), "weights = arrival orders"

# The per-size form 1 / (|S + i| * C(M, |S + i|)) found in some slides is the same weight.
for n_players in range(1, 11):
    for size in range(n_players):
        assert np.isclose(shapley_weight(size, n_players),
                          1 / ((size + 1) * math.comb(n_players, size + 1)))

# %% [markdown]
# The singer gets the largest share and the drummer the smallest, and the three shares add up
# to the full band's takings, as printed. The loop at the end checks, for up to ten players,
# that the weight $\frac{|S|!(M-|S|-1)!}{M!}$ equals $\bigl[(|S|+1)\binom{M}{|S|+1}\bigr]^{-1}$,
# the form in which some course slides write it (counting the joining player in the coalition
# size).
#
# ### The four axioms, checked
#
# Each axiom becomes an `assert` on concrete games: the band; the band plus a tambourine
# player who never changes the takings (a dummy); the band's CD sales on the same evenings
# (a second game, for additivity); and random games with 6 players, one of them made symmetric
# in players 0 and 1 by averaging it with its own copy in which those two swap roles.

# %%
rng = np.random.default_rng(0)

# Efficiency, on the band and on random 6-player games.
assert np.isclose(phi_band.sum(), band[-1] - band[0])
random_games = rng.normal(size=(5, 2 ** 6))
for game in random_games:
    assert np.isclose(shapley_values(game).sum(), game[-1] - game[0])

# Dummy: the tambourine is player 3 (bit 3); each line-up earns the same with or without it.
with_tambourine = np.concatenate([band, band])
phi_tambourine = shapley_values(with_tambourine)
assert np.isclose(phi_tambourine[3], 0.0) and np.allclose(phi_tambourine[:3], phi_band)

# Symmetry: swap the roles of players 0 and 1 and average, so that they become interchangeable.
codes = np.arange(2 ** 6)
bit0, bit1 = codes & 1, (codes >> 1) & 1
swapped = codes & ~3 | (bit0 << 1) | bit1
symmetric_game = (random_games[0] + random_games[0][swapped]) / 2
phi_symmetric = shapley_values(symmetric_game)
assert np.isclose(phi_symmetric[0], phi_symmetric[1])

# Additivity: hat money plus CD sales (only sold when the singer plays; more with a full band).
CD_EUROS = {(): 0, ("drummer",): 0, ("guitarist",): 0, ("singer",): 15,
            ("drummer", "guitarist"): 0, ("drummer", "singer"): 20, ("guitarist", "singer"): 25,
            ("drummer", "guitarist", "singer"): 40}
cds = game_from_payoffs(CD_EUROS, PLAYERS)
assert np.allclose(shapley_values(band + cds), shapley_values(band) + shapley_values(cds))
for game_a, game_b in itertools.combinations(random_games, 2):
    assert np.allclose(shapley_values(game_a + game_b),
                       shapley_values(game_a) + shapley_values(game_b))

print("tambourine (dummy):", np.round(phi_tambourine, 4))
print("symmetric game, players 0 and 1:", np.round(phi_symmetric[:2], 4))
print("CD sales shared:", ", ".join(f"{p} {v:.4f}" for p, v in
                                     zip(PLAYERS, shapley_values(cds), strict=True)))
print("all four axioms hold on every game checked")

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Pitfall.** Efficiency shares out $v(N) - v(\emptyset)$, so every Shapley value is
# > relative to the empty coalition. Change what "nobody plays" earns (a busker's hat is never
# > quite empty, and a model's "no features" is a choice you make, section 2) and every
# > $\phi_i$ changes. A Shapley value is also not "what we lose without this player": that
# > leave-one-out number, $v(N) - v(N \setminus \{i\})$, is only one of the marginal
# > contributions in the average (exercise 1 compares them).
#
# | exact Shapley values | |
# |---|---|
# | + | the only attribution with efficiency, symmetry, dummy and additivity |
# | + | no approximation, no tuning: one number per player |
# | − | $2^M$ payoffs: 10 players need 1,024, 30 players a billion |
# | − | fair only with respect to the game you define: the payoff of a partial coalition |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. From a game to a model: exact SHAP and Kernel SHAP
#
# ### Features as players
#
# SHAP (Lundberg & Lee, 2017) explains one prediction $f(x)$ by treating the features of $x$ as
# the players and the prediction as the payoff. The hard part is the payoff of a *partial*
# coalition: a model cannot take an input with some features missing. There are three common
# answers.
#
# 1. **Retrain** a model on every subset of features. This is what the band did (each line-up
#    really played), and some lectures describe SHAP this way, but $2^M$ trainings are rarely
#    affordable, and the result describes the learning problem rather than the model at hand
#    (exercise 3 computes it for a linear model).
# 2. **Interventional (marginal) SHAP.** Fill the absent features with values from a
#    **background** data set $B$, whose rows serve as baselines $x'$, and average the
#    predictions: $v(S) = \frac{1}{|B|}\sum_{x' \in B} f(x_S, x'_{\bar S})$, where
#    $\bar S = N \setminus S$ and $(x_S, x'_{\bar S})$ is the row that takes feature $i$ from $x$
#    if $i \in S$ and from $x'$ otherwise. Then
#    $v(\emptyset)$ is the mean prediction over the background (the *base value* $\phi_0$) and
#    $v(N) = f(x)$, so efficiency reads $\phi_0 + \sum_i \phi_i = f(x)$, the completeness of
#    [notebook 00](00_introduction.ipynb) with the baseline $x'$ averaged over $B$.
# 3. **Conditional SHAP.** Average over background rows that *agree* with $x$ on $S$:
#    $v(S) = \mathbb{E}[f(X) \mid X_S = x_S]$. It respects correlations between features but
#    needs a model of the data distribution; section 4 meets an approximation of it inside
#    trees.
#
# We use the interventional payoff with $|B| = 50$ training rows. The model is a small neural
# network (one hidden layer of 32 units) predicting disease progression one year after
# baseline from the ten measurements of the diabetes table.

# %%
import shap
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utils.data import load_tabular

diabetes = load_tabular("diabetes")
FEATURES = list(diabetes.X.columns)
M = len(FEATURES)
X_train, X_test, y_train, y_test = train_test_split(diabetes.X, diabetes.y, test_size=0.25,
                                                    random_state=0)
mlp = TransformedTargetRegressor(
    make_pipeline(StandardScaler(),
                  MLPRegressor(hidden_layer_sizes=(32,), alpha=10.0, max_iter=3000,
                               random_state=0)),
    transformer=StandardScaler(),
).fit(X_train.to_numpy(), y_train.to_numpy())
background = X_train.sample(50, random_state=0).to_numpy()
x = X_test.to_numpy()[0]
print(f"{M} features: {FEATURES}")
print(f"MLP test R^2 = {mlp.score(X_test.to_numpy(), y_test.to_numpy()):.3f} "
      f"({len(X_train)} training rows, {len(X_test)} test rows)")
print("explained row:", ", ".join(f"{name}={value:g}" for name, value in zip(FEATURES, x,
                                                                              strict=True)))
print(f"f(x) = {mlp.predict(x[None])[0]:.2f}, mean prediction over the background "
      f"= {mlp.predict(background).mean():.2f}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# The test $R^2$ is modest (a year's progression is hard to predict from ten baseline
# measurements), but an explanation describes the model we have, not the one we wish we had.
# The explained patient gets a prediction well above the background average, as printed.
#
# With ten features there are $2^{10} = 1{,}024$ coalitions: few enough to evaluate all of
# them. `coalition_values` builds, in one array, every hybrid row $(x_S, x'_{\bar S})$ for every
# coalition and every background row (51,200 rows), calls the model once and averages. The
# exact SHAP values are then the Shapley values of that game, from the enumerator above.

# %%
def coalition_values(f, x: np.ndarray, background: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Interventional payoffs v(S) = mean over background rows x' of f(x_S, x'_rest), one per
    row of `member`, from a single batched call of f."""
    hybrid = np.where(member[:, None, :], x, background[None, :, :])
    predictions = f(hybrid.reshape(-1, x.size))
    return predictions.reshape(len(member), len(background)).mean(axis=1)


all_coalitions = coalition_matrix(M)
print(f"{len(all_coalitions)} coalitions x {len(background)} background rows = "
      f"{len(all_coalitions) * len(background):,} model calls in one batch")
payoff = coalition_values(mlp.predict, x, background, all_coalitions)
phi_exact = shapley_values(payoff)
print(pd.Series(phi_exact, index=FEATURES).round(3).to_string())
print(f"phi_0 + sum(phi) = {payoff[0]:.4f} + {phi_exact.sum():.4f} = "
      f"{payoff[0] + phi_exact.sum():.4f}; f(x) = {mlp.predict(x[None])[0]:.4f}")
assert np.isclose(payoff[0] + phi_exact.sum(), mlp.predict(x[None])[0])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Kernel SHAP: the same numbers from a regression
#
# Exact enumeration is exponential in $M$. Lundberg & Lee (2017) showed that the Shapley values
# are also the solution of a weighted linear regression, which can be fed a *sample* of
# coalitions. Write a coalition as a binary vector $z \in \{0, 1\}^M$ ($z_i = 1$: feature $i$
# present, as in $x$) and fit an additive surrogate
#
# $$g(z) = \phi_0 + \sum_{i=1}^{M} \phi_i z_i$$
#
# to the payoffs $v(z)$ by weighted least squares,
#
# $$\min_{\phi} \sum_{z} \pi(z)\,\bigl[v(z) - g(z)\bigr]^2, \qquad
#   \pi(z) = \frac{M-1}{\binom{M}{|z|}\,|z|\,(M-|z|)},$$
#
# where $|z|$ is the number of present features. This is LIME's objective
# ([notebook 03](03_lime.ipynb)) with no regulariser and a specific kernel $\pi$, the
# **Shapley kernel**. Its weight is infinite for $|z| = 0$ and $|z| = M$, which in practice
# means two constraints: $\phi_0 = v(\emptyset)$ and $\sum_i \phi_i = v(N) - v(\emptyset)$
# (efficiency). The kernel is large for very small and very
# large coalitions: they isolate one feature's effect best (one feature added to nothing, or
# one feature removed from everything).
#
# **From scratch.** The first constraint fixes $\phi_0 = v(\emptyset)$ outright. The second is
# enforced by substitution: writing $\phi_M = v(N) - v(\emptyset) - \sum_{i<M}\phi_i$ in
# $g(z) = \phi_0 + \sum_i \phi_i z_i$ gives
# $g(z) = v(\emptyset) + z_M\,\bigl(v(N) - v(\emptyset)\bigr) + \sum_{i<M} \phi_i\,(z_i - z_M)$,
# so we regress $v(z) - v(\emptyset) - z_M\,(v(N) - v(\emptyset))$ on the columns $z_i - z_M$:
# an ordinary weighted least squares in $\phi_1, \dots, \phi_{M-1}$ (the `design` and `target`
# below). That the solution is exactly the Shapley values is the theorem of Lundberg and Lee
# (2017); the code below checks it against the exact enumeration.

# %%
from scipy.special import comb


def shapley_kernel(n_features: int, sizes: np.ndarray) -> np.ndarray:
    """pi(z) = (M - 1) / (C(M, |z|) |z| (M - |z|)) for coalitions of 1..M-1 present features."""
    sizes = np.asarray(sizes)
    return (n_features - 1) / (comb(n_features, sizes) * sizes * (n_features - sizes))


def kernel_shap(member: np.ndarray, values: np.ndarray, weights: np.ndarray,
                v_empty: float, v_full: float) -> np.ndarray:
    """Weighted least squares fit of g(z) = v_empty + z @ phi to the payoffs, subject to
    sum(phi) = v_full - v_empty (solved by substituting the last phi)."""
    z = member.astype(float)
    total = v_full - v_empty
    design = z[:, :-1] - z[:, [-1]]
    target = values - v_empty - z[:, -1] * total
    root_w = np.sqrt(weights)
    head, *_ = np.linalg.lstsq(design * root_w[:, None], target * root_w, rcond=None)
    return np.append(head, total - head.sum())


sizes = all_coalitions.sum(axis=1)
inner = (sizes > 0) & (sizes < M)
phi_kernel = kernel_shap(all_coalitions[inner], payoff[inner],
                         shapley_kernel(M, sizes[inner]), payoff[0], payoff[-1])
print(f"Kernel SHAP on all {inner.sum()} inner coalitions vs exact enumeration: "
      f"max |difference| = {np.abs(phi_kernel - phi_exact).max():.1e}")
assert np.allclose(phi_kernel, phi_exact, rtol=0, atol=1e-8)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **The library.** `shap.KernelExplainer` takes the model as a function and the same
# background rows. With `nsamples` at least $2^M - 2$ it enumerates every inner coalition
# instead of sampling, so it must reproduce the exact values. (`l1_reg=False` switches off a
# feature-selection step that is on by default; with 10 features it would keep all of them,
# and exercise 2 shows what it does with more.) A small wrapper counts the rows the explainer
# sends to the model, and `record_throughput` prints the model evaluations per second: a
# timing, so that line changes from run to run and machine to machine.

# %%
import time

from utils.env import CountingModel, record_throughput, warm_up_shap

counted_mlp = CountingModel(mlp.predict)
kernel_explainer = shap.KernelExplainer(counted_mlp, background)
counted_mlp.calls = 0  # count the explanation only, not the constructor's call on the background
np.random.seed(0)
start = time.perf_counter()
phi_library = kernel_explainer.shap_values(x, nsamples=2 ** M, l1_reg=False, silent=True)
record_throughput("Kernel SHAP (KernelExplainer, MLP)", counted_mlp.calls,
                  time.perf_counter() - start, forward=mlp.predict, example=x)
print(f"KernelExplainer base value {kernel_explainer.expected_value:.6f}, "
      f"v(empty) = {payoff[0]:.6f}")
print(f"KernelExplainer vs exact enumeration: max |difference| = "
      f"{np.abs(phi_library - phi_exact).max():.1e}")
assert np.isclose(kernel_explainer.expected_value, payoff[0])
assert np.allclose(phi_library, phi_exact, rtol=0, atol=1e-8)

# %% [markdown]
# Both solve the same linear system in double precision, so they agree to about $10^{-13}$ of
# a progression unit (printed above). The tolerance $10^{-8}$ leaves room for rounding on other
# machines while staying far below any real difference: leaving out a single coalition, or
# giving one the wrong weight, moves the values by much more.
#
# ### Sampled coalitions: how fast does Kernel SHAP converge?
#
# With more features, enumeration is out of reach and Kernel SHAP **samples** coalitions. The
# simplest estimator draws coalitions with probability proportional to $\pi(z)$ (first a size,
# then a uniformly random subset of that size) and fits them with equal weights. Every payoff
# it needs is one of the 1,024 already computed, so we look them up instead of calling the
# model again: the estimator sees exactly the numbers it would have computed.
# `KernelExplainer` samples more cleverly: it enumerates whole coalition sizes when its budget
# allows (starting with sizes 1 and $M-1$, which carry the most weight), and draws the rest in
# pairs $z$ and $1 - z$ (paired sampling). We run both with five seeds per budget and measure
# the error against the exact values.

# %%
def sample_coalitions(n_samples: int, n_features: int, rng: np.random.Generator) -> np.ndarray:
    """Coalitions drawn with probability proportional to the Shapley kernel."""
    size_choices = np.arange(1, n_features)
    size_probability = shapley_kernel(n_features, size_choices) * comb(n_features, size_choices)
    size = rng.choice(size_choices, size=n_samples, p=size_probability / size_probability.sum())
    ranks = rng.random((n_samples, n_features)).argsort(axis=1).argsort(axis=1)
    return ranks < size[:, None]


def relative_error(phi: np.ndarray) -> float:
    return float(np.linalg.norm(phi - phi_exact) / np.linalg.norm(phi_exact))


BUDGETS = [32, 64, 128, 256, 512, 1022, 2048]
SEEDS = range(5)
bit_values = 1 << np.arange(M)
errors = {"kernel sampling, from scratch": [], "KernelExplainer (paired, enumerates)": []}
for budget in BUDGETS:
    ours, library = [], []
    for seed in SEEDS:
        sampled = sample_coalitions(budget, M, np.random.default_rng(seed))
        ours.append(relative_error(kernel_shap(sampled, payoff[sampled @ bit_values],
                                               np.ones(budget), payoff[0], payoff[-1])))
        np.random.seed(seed)
        library.append(relative_error(kernel_explainer.shap_values(
            x, nsamples=budget, l1_reg=False, silent=True)))
    errors["kernel sampling, from scratch"].append(ours)
    errors["KernelExplainer (paired, enumerates)"].append(library)
summary = pd.DataFrame({name: [f"{np.mean(e):.4f} ± {np.std(e):.4f}" for e in errs]
                        for name, errs in errors.items()}, index=BUDGETS)
summary.index.name = "coalitions"
print("relative error ||phi - phi_exact|| / ||phi_exact|| (mean ± sd over 5 seeds)")
print(summary.to_string())
final_library = np.mean(errors["KernelExplainer (paired, enumerates)"][BUDGETS.index(1022)])
first_ours, last_ours = (np.mean(errors["kernel sampling, from scratch"][i]) for i in (0, -1))
assert final_library < 1e-10, "with 2^M - 2 samples KernelExplainer enumerates: exact"
assert last_ours < first_ours / 4, "plain sampling converges, slowly"
assert last_ours > 1e-3, "sampling with replacement never becomes exact"

# %% slideshow={"slide_type": "subslide"}
fig, (ax_kernel, ax_error) = plt.subplots(1, 2, figsize=(14, 6.5))
size_range = np.arange(1, M)
ax_kernel.bar(size_range - 0.2, shapley_kernel(M, size_range), width=0.4, color="tab:blue",
              label="weight of one coalition, $\\pi(z)$")
ax_kernel.bar(size_range + 0.2, shapley_kernel(M, size_range) * comb(M, size_range), width=0.4,
              color="tab:orange", label="total weight of all coalitions of this size")
ax_kernel.set_yscale("log")
ax_kernel.set_xticks(size_range)
ax_kernel.set_xlabel("number of present features $|z|$")
ax_kernel.set_ylabel("Shapley kernel weight (log scale)")
ax_kernel.set_title(f"The Shapley kernel for M = {M}")
ax_kernel.legend(fontsize=11, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1)
FLOOR = 1e-4  # exact results (error ~1e-15) are drawn on the bottom edge of the axis
for (name, errs), colour in zip(errors.items(), ("tab:blue", "tab:green"), strict=True):
    errs = np.array(errs)
    mean = errs.mean(axis=1)
    ax_error.errorbar(BUDGETS, np.maximum(mean, FLOOR), yerr=errs.std(axis=1), marker="o",
                      capsize=4, linewidth=2, color=colour, label=name, clip_on=False)
exact_budgets = [b for b, e in zip(BUDGETS, errors["KernelExplainer (paired, enumerates)"],
                                   strict=True) if np.mean(e) < 1e-10]
ax_error.annotate("exact (error ~1e-15)", (exact_budgets[0], FLOOR), xytext=(-150, 30),
                  textcoords="offset points", fontsize=11, color="tab:green",
                  arrowprops={"arrowstyle": "->", "color": "tab:green"})
reference = errors["kernel sampling, from scratch"][0]
ax_error.plot(BUDGETS, np.mean(reference) * np.sqrt(BUDGETS[0] / np.array(BUDGETS)), "k--",
              linewidth=1.2, label="$1/\\sqrt{n}$ reference")
ax_error.axvline(2 ** M - 2, color="0.5", linestyle=":", linewidth=1.5)
ax_error.text(2 ** M - 2, 0.15, " all $2^M - 2$\n coalitions", fontsize=11, color="0.3", va="top")
ax_error.set_ylim(FLOOR, 0.2)
ax_error.set_xscale("log", base=2)
ax_error.set_yscale("log")
ax_error.set_xlabel("number of coalitions $n$ (log scale)")
ax_error.set_ylabel("relative error vs exact SHAP values")
ax_error.set_title("Kernel SHAP converges to the exact values")
ax_error.legend(fontsize=11, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1)
fig.tight_layout()
plt.show()

# %% [markdown]
# Left: a single coalition of one or nine features weighs far more than one of five, but there
# are many more coalitions of five, so the total weight per size (orange) is much flatter. The
# kernel spends the budget where one feature's effect is isolated best. Right: the plain
# sampler's error falls roughly like $1/\sqrt{n}$ (dashed line) and is still clearly above zero
# at 2,048 draws, twice the number of distinct coalitions, because drawing with replacement
# repeats the heavy ones and misses others. `KernelExplainer` is more accurate at every budget
# and drops to rounding error (drawn on the bottom edge) once its budget covers all 1,022 inner
# coalitions and it switches to enumeration, as the table above prints.
#
# > **Pitfall.** Kernel SHAP values are estimates, and the estimate depends on the background
# > and the budget. With the default budget ($2M + 2048$ coalitions) a model with 40 features
# > gets a sliver of the $2^{40}$ coalitions; fix the seed, report `nsamples`, and check that
# > two seeds give the same ranking before you trust a small difference. The background is the
# > baseline: explaining against 50 healthy patients or 50 sick ones gives different base
# > values and different $\phi_i$, both correct for their question. And interventional payoffs
# > feed the model hybrid rows $(x_S, x'_{\bar S})$ that may never occur in reality (section 4).
#
# | Kernel SHAP | |
# |---|---|
# | + | model-agnostic: needs only $f$ on batches of rows |
# | + | exact with all coalitions; with the efficiency constraint, always sums to $f(x) - \phi_0$ |
# | − | slow: (coalitions × background rows) model calls per explanation |
# | − | sampling noise; hybrid rows off the data distribution when features are correlated |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. SHAP and LIME on the same prediction
#
# LIME ([notebook 03](03_lime.ipynb)) and Kernel SHAP both fit a weighted linear model to
# perturbed inputs, so one might expect the same answer. They ask different questions. Kernel
# SHAP shares out $f(x) - \phi_0$, the gap between this prediction and the background average,
# over coalitions weighted by the Shapley kernel, with efficiency enforced. LIME (tabular, default
# settings) cuts each feature into quartile bins, samples new rows feature by feature from the
# training data, represents each row by which features fall in the *same bin as $x$*, and fits
# a ridge regression weighted by closeness in that binary space. Its weight for a rule such
# as "bmi > 29.20" (printed below) is a local slope for leaving bmi's bin, with no constraint
# on the sum. We run both on the first twelve test patients (LIME with its default settings
# except for 2,000 samples per explanation) and compare the rankings with Spearman's rank
# correlation of the signed attributions.

# %%
from lime.lime_tabular import LimeTabularExplainer
from scipy.stats import spearmanr

lime_explainer = LimeTabularExplainer(X_train.to_numpy(), feature_names=FEATURES,
                                      mode="regression", random_state=0)


def lime_weights(row: np.ndarray, random_state: int = 0) -> tuple[np.ndarray, object]:
    """LIME's weight per feature (regression output, all features) and the explanation."""
    explainer = LimeTabularExplainer(X_train.to_numpy(), feature_names=FEATURES,
                                     mode="regression", random_state=random_state)
    explanation = explainer.explain_instance(row, mlp.predict, num_features=M, num_samples=2000)
    weights = np.zeros(M)
    for feature, weight in explanation.as_map()[1]:
        weights[feature] = weight
    return weights, explanation


comparison = []
for i, row in enumerate(X_test.to_numpy()[:12]):
    shap_row = shapley_values(coalition_values(mlp.predict, row, background, all_coalitions))
    lime_row, _ = lime_weights(row)
    comparison.append({"test row": i, "spearman": spearmanr(shap_row, lime_row).statistic,
                       "top |SHAP|": FEATURES[int(np.argmax(np.abs(shap_row)))],
                       "top |LIME|": FEATURES[int(np.argmax(np.abs(lime_row)))],
                       "sum SHAP": shap_row.sum(), "sum LIME": lime_row.sum()})
comparison = pd.DataFrame(comparison).set_index("test row")
print(comparison.round(2).to_string())
print(f"\nmedian rank correlation {comparison['spearman'].median():.2f}; top feature differs "
      f"in {(comparison['top |SHAP|'] != comparison['top |LIME|']).sum()} of 12 rows")
assert comparison["spearman"].median() > 0.5, "broadly, the two rankings agree"

# %% [markdown]
# The rankings agree broadly (median rank correlation printed above), yet the top feature
# differs in several rows and the sums can even have opposite signs. Take the row where the
# rankings agree least and look at both explanations side by side, with LIME's bin rules and
# its spread over five seeds.

# %% slideshow={"slide_type": "subslide"}
worst = int(comparison["spearman"].idxmin())
row = X_test.to_numpy()[worst]
shap_worst = shapley_values(coalition_values(mlp.predict, row, background, all_coalitions))
lime_runs = [lime_weights(row, random_state=seed) for seed in range(5)]
lime_stack = np.array([weights for weights, _ in lime_runs])
lime_worst, lime_explanation = lime_runs[0]
rules = dict(lime_explanation.as_list())
table = pd.DataFrame({"value": row, "SHAP": shap_worst, "LIME (seed 0)": lime_worst,
                      "LIME sd (5 seeds)": lime_stack.std(axis=0)}, index=FEATURES)
table["LIME rule"] = [next(r for r in rules if f" {name} " in f" {r} ") for name in FEATURES]
print(f"test row {worst}: f(x) = {mlp.predict(row[None])[0]:.1f}, base value "
      f"{kernel_explainer.expected_value:.1f}, LIME local R^2 {lime_explanation.score:.2f}, "
      f"spearman {comparison.loc[worst, 'spearman']:.2f}")
print(table.sort_values("SHAP", key=np.abs, ascending=False).round(2).to_string())
print(f"sum of SHAP values {shap_worst.sum():.1f} = f(x) - base value; "
      f"sum of LIME weights {lime_worst.sum():.1f}")
gap_feature = int(np.argmax(np.abs(lime_worst - shap_worst)))
same_bin = (lime_explainer.discretizer.discretize(background)[:, gap_feature]
            == lime_explainer.discretizer.discretize(row[None])[0, gap_feature])
print(f"largest gap: {FEATURES[gap_feature]} (SHAP {shap_worst[gap_feature]:+.1f}, LIME "
      f"{lime_worst[gap_feature]:+.1f}); {same_bin.mean():.0%} of the background rows share "
      f"the bin '{table['LIME rule'].iloc[gap_feature]}'")
assert abs(shap_worst[gap_feature]) < abs(lime_worst[gap_feature]) and same_bin.mean() > 0.3

order = np.argsort(np.abs(shap_worst))
fig, ax = plt.subplots(figsize=(9, 6))
positions = np.arange(M)
ax.barh(positions + 0.2, shap_worst[order], height=0.4, color="tab:blue", label="Kernel SHAP")
ax.barh(positions - 0.2, lime_worst[order], height=0.4, xerr=lime_stack.std(axis=0)[order],
        capsize=3, color="tab:orange", label="LIME (error bar: sd over 5 seeds)")
ax.set_yticks(positions, [FEATURES[i] for i in order])
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("attribution (progression units)")
ax.set_title(f"Test row {worst}: SHAP and LIME rank the features differently")
ax.legend(loc="lower right", fontsize=11)
fig.tight_layout()
plt.show()

# %% [markdown]
# The bars show where the two methods part ways on this patient (the printout gives the
# numbers and LIME's bin rules). Three differences in the methods explain it:
#
# - **Different reference.** The SHAP values add up to $f(x)$ minus the background average.
#   LIME's weights add up to nothing in particular (both sums printed above): they compare
#   "in $x$'s bin" with "anywhere else in the training data", feature by feature. The largest
#   gap (printed last) is on a feature for which a large share of the background patients
#   already sit in the patient's bin: SHAP credits only the difference between the patient
#   and that mix, which is small, while LIME reports the full contrast between inside and
#   outside the bin.
# - **Different perturbations.** LIME's binary features say only whether a value stayed in
#   its quartile, so a patient near a bin edge and one deep inside it look the same; SHAP
#   plugs in actual background values, so how far $x$ is from typical values matters.
# - **A poor local fit and noise.** LIME's local $R^2$ (printed) says how well its linear
#   surrogate fits the model around $x$; a low value warns that its weights summarise the
#   model loosely. The error bars show the spread over LIME's seeds; exact SHAP has none.
#
# Neither is "wrong": they answer different questions. When you report one, say which
# question it answers, and do not expect the other to confirm it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. TreeSHAP: exact and fast for tree ensembles
#
# ### Intuition and math
#
# For trees, the payoff of a coalition can be computed from the tree itself instead of from
# $2^M \times |B|$ model calls. Lundberg et al. (2020) give two polynomial-time algorithms, both
# in `shap.TreeExplainer`:
#
# - **Interventional** (`feature_perturbation="interventional"`, with a background): the exact
#   Shapley values of the game of section 2,
#   $v(S) = \frac{1}{|B|}\sum_{x' \in B} f(x_S, x'_{\bar S})$. For each background row, the
#   algorithm walks the tree once, and its cost is linear in the number of background rows.
# - **Path-dependent** (`feature_perturbation="tree_path_dependent"`, no background): at a split
#   on an absent feature, go down *both* branches, weighted by the share of training samples
#   that went each way at that node (the node's "cover"). Because those samples already
#   satisfied every split above, including splits on present features, this is an
#   approximation of the conditional payoff $\mathbb{E}[f(X) \mid X_S = x_S]$ that follows the
#   correlations the trees have seen. Its base value is the mean training prediction.
#
# The model: gradient boosting (150 depth-3 trees) on the same diabetes split.
#
# **From scratch → library.** Both variants are Shapley values of a game we can write down,
# so the enumerator of section 1 can check them. One detail first: `TreeExplainer(model,
# data=X)` silently keeps a random 100 rows of `X` (printed below), so we pass the full
# training set through a masker that keeps every row.

# %%
from sklearn.ensemble import GradientBoostingRegressor

gbm = GradientBoostingRegressor(n_estimators=150, max_depth=3, learning_rate=0.03,
                                random_state=0).fit(X_train.to_numpy(), y_train.to_numpy())
print(f"gradient boosting: test R^2 = {gbm.score(X_test.to_numpy(), y_test.to_numpy()):.3f}")

default_background_explainer = shap.TreeExplainer(gbm, data=X_train)
print(f"TreeExplainer(data=X_train) keeps {default_background_explainer.data.shape[0]} of "
      f"{len(X_train)} rows: base value {default_background_explainer.expected_value:.2f} vs mean "
      f"training prediction {gbm.predict(X_train.to_numpy()).mean():.2f}")

full_background = shap.maskers.Independent(X_train, max_samples=len(X_train))
tree_interventional = shap.TreeExplainer(gbm, data=full_background,
                                         feature_perturbation="interventional")
tree_path = shap.TreeExplainer(gbm, feature_perturbation="tree_path_dependent")
sv_interventional = tree_interventional(X_test)
sv_path = tree_path(X_test)
predictions = gbm.predict(X_test.to_numpy())
for name, sv in [("interventional", sv_interventional), ("path-dependent", sv_path)]:
    gap = np.abs(sv.base_values + sv.values.sum(axis=1) - predictions).max()
    print(f"{name:15s} base value {sv.base_values[0]:.3f}; max |base + sum(phi) - f(x)| "
          f"over {len(X_test)} test rows = {gap:.1e}")
    assert gap < 1e-4, "local accuracy: the values add up to the prediction"


# %% [markdown] slideshow={"slide_type": "subslide"}
# Both variants satisfy local accuracy on every test row, and the 100-row background gives a
# base value visibly off the training mean (printed above).
#
# The path-dependent payoff $v(S)$ is easy to write from the fitted trees: start with weight 1
# at the root; at a split on a present feature, send all the weight the way $x$ goes; at a split
# on an absent feature, divide it between the children in proportion to the training samples
# that went each way (`weighted_n_node_samples`); sum leaf values times weights over the
# ensemble. Vectorised over all 1,024 coalitions, the loop runs over tree nodes only.

# %%
def path_dependent_payoffs(model, x: np.ndarray, member: np.ndarray) -> np.ndarray:
    """v(S) of path-dependent TreeSHAP for a fitted GradientBoostingRegressor, one per row of
    `member` (sklearn numbers nodes so that children come after their parent)."""
    payoff = np.full(len(member), model.init_.constant_[0, 0])
    for tree in (estimator.tree_ for estimator in model.estimators_[:, 0]):
        reach = np.zeros((tree.node_count, len(member)))
        reach[0] = 1.0
        for node in range(tree.node_count):
            left, right = tree.children_left[node], tree.children_right[node]
            if left < 0:
                payoff += model.learning_rate * tree.value[node, 0, 0] * reach[node]
                continue
            feature = tree.feature[node]
            goes_left = np.float32(x[feature]) <= tree.threshold[node]  # sklearn's comparison
            share_left = tree.weighted_n_node_samples[left] / tree.weighted_n_node_samples[node]
            reach[left] = reach[node] * np.where(member[:, feature], goes_left, share_left)
            reach[right] = reach[node] * np.where(member[:, feature], not goes_left,
                                                  1 - share_left)
    return payoff


checked_rows = [0, 1]
path_from_scratch = np.array([shapley_values(path_dependent_payoffs(gbm, X_test.to_numpy()[r],
                                                                    all_coalitions))
                              for r in checked_rows])
print(f"path-dependent, from scratch vs TreeExplainer on rows {checked_rows}: max |difference| "
      f"= {np.abs(path_from_scratch - sv_path.values[checked_rows]).max():.1e}")
assert np.allclose(path_from_scratch, sv_path.values[checked_rows], rtol=0, atol=1e-8)

# %% [markdown]
# The interventional payoff is the one of section 2 with the whole training set as
# background, which costs the number of model calls printed below per explained row. Here the
# measurement does not match the textbook exactly, and the next cell tracks down why.

# %%
train_rows = X_train.to_numpy()
print(f"{len(all_coalitions)} coalitions x {len(train_rows)} background rows = "
      f"{len(all_coalitions) * len(train_rows):,} model calls per explained row")
interventional_from_scratch = np.array([
    shapley_values(coalition_values(gbm.predict, X_test.to_numpy()[r], train_rows,
                                    all_coalitions)) for r in checked_rows])
mismatch = np.abs(interventional_from_scratch - sv_interventional.values[checked_rows])
largest_phi = np.abs(sv_interventional.values[checked_rows]).max()
sum_gap = np.abs((interventional_from_scratch - sv_interventional.values[checked_rows])
                 .sum(axis=1)).max()
print(f"interventional, exact enumeration vs TreeExplainer on rows {checked_rows}: max "
      f"|difference| = {mismatch.max():.3f} (largest |phi| {largest_phi:.1f}); difference of "
      f"the sums {sum_gap:.1e}")


def ensemble_predict(model, rows: np.ndarray, goes_left) -> np.ndarray:
    """model.predict re-implemented with a pluggable split rule goes_left(values, thresholds)."""
    total = np.full(len(rows), model.init_.constant_[0, 0])
    for tree in (estimator.tree_ for estimator in model.estimators_[:, 0]):
        node = np.zeros(len(rows), dtype=np.intp)
        for _ in range(tree.max_depth):
            feature = tree.feature[node]
            values = rows[np.arange(len(rows)), np.maximum(feature, 0)]
            left = goes_left(values, tree.threshold[node])
            child = np.where(left, tree.children_left[node], tree.children_right[node])
            node = np.where(feature >= 0, child, node)
        total += model.learning_rate * tree.value[node, 0, 0]
    return total


def sklearn_rule(values, thresholds):  # sklearn casts the input to float32
    return values.astype(np.float32) <= thresholds


def shap_rule(values, thresholds):  # shap's interventional code stores thresholds as float32
    return values <= thresholds.astype(np.float32)


assert np.allclose(ensemble_predict(gbm, X_test.to_numpy(), sklearn_rule),
                   gbm.predict(X_test.to_numpy()), rtol=0, atol=1e-9), "same predictions"
unique_values = [np.unique(train_rows[:, j]) for j in range(M)]
flips = []
for tree in (estimator.tree_ for estimator in gbm.estimators_[:, 0]):
    for node in np.flatnonzero(tree.feature >= 0):
        values, threshold = unique_values[tree.feature[node]], tree.threshold[node]
        differ = sklearn_rule(values, threshold) != shap_rule(values, threshold)
        flips += [(FEATURES[tree.feature[node]], value, threshold) for value in values[differ]]
print(f"{len(flips)} (split, training value) pairs that the two rules send different ways, "
      f"e.g. {flips[0][0]} = {flips[0][1]} against threshold {float(flips[0][2])!r}")
flipped_row = next(i for i, b in enumerate(train_rows)
                   if any(b[FEATURES.index(name)] == value for name, value, _ in flips))
one_row = train_rows[[flipped_row]]
x_checked = X_test.to_numpy()[checked_rows[0]]
hybrid = np.where(all_coalitions, x_checked, one_row)
tree_one_row = shap.TreeExplainer(gbm, data=one_row, feature_perturbation="interventional")(
    x_checked[None]).values[0]
phi_sklearn_rule = shapley_values(ensemble_predict(gbm, hybrid, sklearn_rule))
phi_shap_rule = shapley_values(ensemble_predict(gbm, hybrid, shap_rule))
print(f"background = training row {flipped_row} only: TreeExplainer vs enumeration with "
      f"sklearn's rule {np.abs(tree_one_row - phi_sklearn_rule).max():.3f}, with shap's rule "
      f"{np.abs(tree_one_row - phi_shap_rule).max():.1e}")
assert sum_gap < 1e-4, "the sums still agree"
assert flips, "some training values sit exactly where float32 rounding flips a split"
assert np.allclose(tree_one_row, phi_shap_rule, rtol=0, atol=1e-4), "diagnosis confirmed"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The interventional values differ from the exact enumeration by a small but real amount
# (printed above), while their sums agree. The cause is a number format, not the algorithm:
# scikit-learn compares the input *cast to single precision* with a double-precision threshold,
# and `shap` 0.51's interventional code stores the threshold in single precision. This version of
# scikit-learn places some thresholds within half a single-precision step of a training value
# (an example is printed); rounding the threshold moves it onto that value, so that value goes
# left in one program and right in the other. Re-running the enumeration with shap's rule on a
# background of one affected row reproduces `TreeExplainer` to rounding error (last line), and
# sklearn's rule does not. So the algorithm computes exactly the game it sees; the game differs
# from the model's for a handful of tied values. With other models (we met it with row
# subsampling in gradient boosting) a test row itself can sit on such a threshold; then the
# values no longer add up and `TreeExplainer` raises "Additivity check failed". Do not switch
# that check off: compare with the path-dependent variant or with Kernel SHAP on that row.
#
# ### How much faster?
#
# Time per explained row for the two TreeSHAP variants (all test rows) and for Kernel SHAP on
# the same model (three rows, enumerating all 1,022 inner coalitions against 50 background
# rows, as in section 2). Timings depend on the machine and its load, so the numbers change
# from run to run; the assert only checks the direction.

# %%
def seconds_per_row(explain, rows) -> float:
    start = time.perf_counter()
    explain(rows)
    return (time.perf_counter() - start) / len(rows)


kernel_on_gbm = shap.KernelExplainer(gbm.predict, background)
timings = {
    "TreeSHAP, path-dependent": seconds_per_row(tree_path, X_test),
    "TreeSHAP, interventional (331 background rows)": seconds_per_row(tree_interventional,
                                                                      X_test),
    "Kernel SHAP, all coalitions (50 background rows)": seconds_per_row(
        lambda rows: kernel_on_gbm.shap_values(rows, nsamples=2 ** M, l1_reg=False,
                                               silent=True), X_test.to_numpy()[:3]),
}
for name, seconds in timings.items():
    print(f"{name:50s} {1000 * seconds:9.2f} ms per explanation")
speed_up = timings["Kernel SHAP, all coalitions (50 background rows)"] / timings[
    "TreeSHAP, path-dependent"]
print(f"Kernel SHAP / path-dependent TreeSHAP: {speed_up:,.0f}x")
assert speed_up > 10

# %% [markdown] slideshow={"slide_type": "subslide"}
# TreeSHAP is much faster than Kernel SHAP here (the ratio printed above; asserted above 10), and
# exact for the game it computes; the interventional variant pays for its background rows. That
# speed is why SHAP is used so much on tree ensembles: explaining every row of a data set is
# cheap, and averaging the rows gives global views.
#
# ### The SHAP plots
#
# All plots below are static matplotlib figures (`show=False`, then a title and `plt.show()`),
# drawn from the interventional explanation of the test set. First, one patient:

# %%
patient = 0
shap.plots.waterfall(sv_interventional[patient], show=False)
plt.gcf().axes[0].set_xlabel("model output (disease progression)", labelpad=24)
plt.title(f"Waterfall: why the model predicts {predictions[patient]:.0f} for test patient "
          f"{patient}", pad=28)
plt.show()

# %% [markdown]
# **Waterfall.** Read it from the bottom: start at the base value $E[f(X)]$, the mean
# prediction over the background, and add one feature's SHAP value per row, largest at the
# top, until you reach $f(x)$. Red bars push the prediction up, blue bars down; the grey
# numbers on the left are the patient's feature values. For this patient the high bmi and
# blood pressure account for most of the gap to the average.

# %% slideshow={"slide_type": "subslide"}
force_figure = shap.plots.force(sv_interventional[patient], matplotlib=True, show=False,
                                figsize=(18, 3.5), text_rotation=20)
force_figure.suptitle(f"Force plot of test patient {patient}: the same values on one axis",
                      x=0.02, y=1.3, ha="left", fontweight="bold", fontsize="x-large")
plt.show()

# %% [markdown]
# **Force plot.** The same numbers as the waterfall, squeezed onto one axis: red features push
# from the base value up towards $f(x)$, blue ones push down, and each segment's length is its
# SHAP value. Rotated by 90 degrees and stacked side by side for many patients, force plots
# become shap's interactive overview, which needs JavaScript; the beeswarm below is its static
# counterpart.

# %%
shap.plots.bar(sv_interventional, show=False)
plt.title("Bar: mean |SHAP value| over the test patients")
plt.show()

# %% [markdown]
# **Bar.** A global importance: for each feature, the average size of its SHAP value over all
# explained rows. Body-mass index (bmi) and log serum triglycerides (s5) dominate, then blood
# pressure (bp). Averaging absolute values hides direction and interactions; the beeswarm
# shows both.

# %% slideshow={"slide_type": "subslide"}
shap.plots.beeswarm(sv_interventional, show=False)
plt.title("Beeswarm: every patient's SHAP value, coloured by the feature value")
plt.show()

# %% [markdown]
# **Beeswarm.** One dot per patient and feature, placed at its SHAP value and coloured by the
# feature's value (red high, blue low). For bmi and s5, red dots sit on the right: high values
# raise the predicted progression. The spread along each row is a feature's range of effects.

# %%
shap.plots.scatter(sv_interventional[:, "bmi"], color=sv_interventional[:, "s5"], show=False)
plt.title("Dependence: SHAP value of bmi against bmi, coloured by s5")
plt.show()

# %% [markdown]
# **Scatter (dependence plot).** The SHAP value of bmi against bmi itself, one dot per patient:
# the model's learned effect of bmi, which rises in steps as bmi grows (steps, because trees
# are piecewise constant; the grey histogram shows where the patients are). Colouring by a
# second feature shows interactions: if dots at the same bmi separated by colour, the effect
# of bmi would depend on s5. Here no clear colour pattern appears at a given bmi, so the plot
# shows no strong interaction between bmi and s5.
#
# ### Interventional versus path-dependent: correlated features
#
# The two variants share out the same prediction (both base values equal the mean training
# prediction here, because the background is the whole training set), but they play different
# games, and the difference shows where features are correlated. Below, for each feature: how
# much the two variants disagree relative to the feature's typical SHAP value, next to the
# feature's strongest correlation with any other feature.

# %%
correlation = X_train.corr().abs().to_numpy().copy()
np.fill_diagonal(correlation, 0.0)
strongest_partner = correlation.max(axis=1)
disagreement = (np.abs(sv_interventional.values - sv_path.values).mean(axis=0)
                / np.abs(sv_interventional.values).mean(axis=0))
report = pd.DataFrame({"mean |phi| interventional": np.abs(sv_interventional.values).mean(0),
                       "mean |phi| path-dependent": np.abs(sv_path.values).mean(0),
                       "relative disagreement": disagreement,
                       "max |corr| with another": strongest_partner}, index=FEATURES)
print(report.sort_values("relative disagreement", ascending=False).round(3).to_string())
rho_disagreement = spearmanr(disagreement, strongest_partner).statistic
most_different = FEATURES[int(np.argmax(disagreement))]
print(f"\nSpearman(relative disagreement, max |corr|) = {rho_disagreement:.2f}; "
      f"largest disagreement: {most_different}")
print(f"corr(s1, s2) = {X_train['s1'].corr(X_train['s2']):.2f}")
assert most_different in ("s1", "s2"), "the most correlated pair disagrees most"
assert rho_disagreement > 0

# %% slideshow={"slide_type": "subslide"}
j = FEATURES.index(most_different)
partner = FEATURES[int(np.argmax(correlation[j]))]
k = FEATURES.index(partner)
shown_row = int(np.argmax(np.abs(sv_interventional.values[:, j] - sv_path.values[:, j])))
x_value = X_test.iloc[shown_row, j]
neighbours = X_train[partner][(X_train[most_different] - x_value).abs()
                              <= 0.1 * X_train[most_different].std()]
off_data = ((X_train[partner] < neighbours.min()) | (X_train[partner] > neighbours.max())).mean()
print(f"test row {shown_row}: {most_different} = {x_value:.1f}; the {len(neighbours)} training "
      f"patients with a similar {most_different} have {partner} in [{neighbours.min():.1f}, "
      f"{neighbours.max():.1f}]; {off_data:.0%} of the hybrid rows fall outside that range")
fig, axes = plt.subplots(1, 3, figsize=(18, 5.5))
ax = axes[0]
ax.scatter(X_train[most_different], X_train[partner], s=14, color="0.6",
           label="training patients")
ax.scatter(np.full(len(X_train), x_value), X_train[partner], s=14,
           color="tab:red", alpha=0.5,
           label=f"hybrid rows: {most_different} of test row {shown_row},\n{partner} from the "
                 "background")
ax.scatter(X_test.iloc[shown_row, j], X_test.iloc[shown_row, k], marker="*", s=350,
           color="black", label=f"test row {shown_row}")
ax.set_xlabel(f"{most_different} ({diabetes.descriptions[most_different].split(',')[0]})")
ax.set_ylabel(f"{partner} ({diabetes.descriptions[partner].split(',')[0]})")
ax.set_title("Hybrid rows leave the data")
ax.legend(fontsize=10, loc="upper left")
ax = axes[1]
ax.scatter(sv_path.values[:, j], sv_interventional.values[:, j], s=22, color="tab:purple")
limits = [min(sv_path.values[:, j].min(), sv_interventional.values[:, j].min()),
          max(sv_path.values[:, j].max(), sv_interventional.values[:, j].max())]
ax.plot(limits, limits, "k--", linewidth=1, label="equal")
ax.set_xlabel(f"path-dependent SHAP value of {most_different}")
ax.set_ylabel(f"interventional SHAP value of {most_different}")
ax.set_title(f"{most_different}: the two variants per test patient")
ax.legend(fontsize=11)
ax = axes[2]
ax.scatter(strongest_partner, disagreement, s=60, color="tab:blue")
for name, cx, cy in zip(FEATURES, strongest_partner, disagreement, strict=True):
    ax.annotate(name, (cx, cy), textcoords="offset points", xytext=(6, 4), fontsize=12)
ax.set_xlabel("strongest |correlation| with another feature")
ax.set_ylabel("mean |difference| / mean |phi|")
ax.set_title("Correlated features disagree more")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Left: total serum cholesterol (s1) and LDL (s2) move together, as printed. To score a
# coalition that contains one of them but not the other, the interventional payoff pairs the
# test patient's value with the *background's* values of its partner: the red column of
# hybrid rows. Real patients with a similar s1 occupy only part of that column, and the share
# of hybrid rows outside their range is printed above: for those rows the model is asked about
# patients unlike any it was trained on, and its answer there is extrapolation. The
# path-dependent variant instead follows the training samples that reached each node, which
# already agree with the patient on the features split above, so it fills in the partner more
# plausibly. Middle: per test patient, the two variants mostly agree in sign but not in size.
# Right: across the ten features, the relative disagreement grows with the strength of a
# feature's strongest correlation (rank correlation printed above); the s1–s2 pair and s4 (the
# cholesterol ratio, strongly correlated with s3) disagree most.
#
# Which one is right? Neither in general. Interventional values explain *the model*: how its
# output responds when a feature is changed on its own, which is what you want for debugging
# and for "what if" questions. Path-dependent (conditional) values explain *the model on the
# data*: credit can flow to a feature the model barely uses if it is correlated with one it
# does use. Say which one you report.
#
# > **Pitfall.** Three things to check with `TreeExplainer`. (1) `data=X` keeps only 100 random
# > rows (printed above); pass `shap.maskers.Independent(X, max_samples=len(X))` to use more.
# > (2) With correlated features, no SHAP variant can attribute "fairly" between the partners:
# > interventional values may split their effect unevenly (and probe impossible inputs),
# > conditional ones smear credit across the group. Read correlated features as a group, or
# > sum their values. (3) The output explained is the model's raw output (log-odds for a
# > classifier unless `model_output="probability"` with a background), so check the units
# > before you quote a number.
#
# | TreeSHAP | |
# |---|---|
# | + | exact for its game, and far faster than Kernel SHAP here (ratio printed) |
# | + | cheap enough to explain a whole data set: global plots from local values |
# | − | trees only (sklearn, XGBoost, LightGBM, CatBoost) |
# | − | the two variants disagree on correlated features; the default background is 100 rows |

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The lecture's example: TreeSHAP on Boston housing
#
# The lecture this course follows shows its TreeSHAP plots on the Boston housing table (506
# towns, median home value `MEDV` in thousands of 1970 dollars), and so do many tutorials. We
# fit the same kind of boosting model and explain every town with the path-dependent variant.
# (The interventional one misses additivity by 0.1 on one test town here, the single-precision
# threshold flip measured above.) The table's `B` column is
# $1000\,(B_k - 0.63)^2$ for the town's share $B_k$ of Black residents, the reason the data were
# withdrawn ([notebook 01](01_feature_importance.ipynb), section 8); we look at what SHAP says
# about it.

# %%
boston = load_tabular("boston")
H_train, H_test, m_train, m_test = train_test_split(boston.X, boston.y, test_size=0.25,
                                                    random_state=0)
house_gbm = GradientBoostingRegressor(n_estimators=150, max_depth=3, learning_rate=0.03,
                                      random_state=0).fit(H_train.to_numpy(), m_train.to_numpy())
house_explainer = shap.TreeExplainer(house_gbm, feature_perturbation="tree_path_dependent")
sv_house = house_explainer(boston.X)
house_gap = np.abs(sv_house.base_values + sv_house.values.sum(axis=1)
                   - house_gbm.predict(boston.X.to_numpy())).max()
print(f"Boston: test R^2 = {house_gbm.score(H_test.to_numpy(), m_test.to_numpy()):.3f}; "
      f"max |base + sum(phi) - f(x)| over {len(boston.X)} towns = {house_gap:.1e}")
assert house_gap < 1e-4, "local accuracy on Boston too"

# %%
house_importance = pd.Series(np.abs(sv_house.values).mean(axis=0), index=boston.X.columns)
house_rank = house_importance.rank(ascending=False).astype(int)
print(house_importance.sort_values(ascending=False).round(3).to_string())
print(f"B: rank {house_rank['B']} of {len(house_rank)}")
assert set(house_importance.nlargest(2).index) == {"LSTAT", "RM"}
assert house_rank["B"] > len(house_rank) // 2, "B is in the lower half"

# %% [markdown]
# As in notebook 01, `LSTAT` (share of lower-status residents) and `RM` (rooms per dwelling)
# carry most of the predictions, and `B` ranks in the lower half. Now each town's SHAP value
# for `B`, drawn against the share $s$ it encodes, `B` $= 1000\,(s - 0.63)^2$. Solving for $s$
# gives $0.63 \pm \sqrt{B/1000}$, and both roots are shares in $[0, 1]$ when
# $0.63 + \sqrt{B/1000} \le 1$, that is $B \le 1000 \cdot 0.37^2 = 136.9$: such a town fits two
# shares (`utils.data.boston_shares` returns both); we draw such a town at
# both and join the two points.

# %%
from utils.data import boston_b, boston_shares

phi_B = sv_house[:, "B"].values
low_share, high_share = boston_shares(boston.X["B"].to_numpy())
two = ~np.isnan(high_share)
print(f"{two.sum()} towns fit two shares; their SHAP values for B range from "
      f"{phi_B[two].min():+.2f} to {phi_B[two].max():+.2f} thousand dollars")
assert np.allclose(boston_b(low_share), boston.X["B"]), "the low root reproduces B"

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(10, 5))
ax.scatter(low_share[~two], phi_B[~two], s=18, color="tab:blue", alpha=0.6,
           label="one possible share")
ax.plot(np.stack([low_share[two], high_share[two]]), np.stack([phi_B[two], phi_B[two]]),
        "o-", color="tab:red", alpha=0.6, ms=5)
ax.plot([], [], "o-", color="tab:red", label="two possible shares, one SHAP value")
ax.axvline(0.63, color="grey", linestyle="--")
ax.set(xlabel="share of Black residents $B_k$ implied by the town's B",
       ylabel="SHAP value of B (thousand USD)",
       title="Boston: SHAP values of B, against the share B encodes")
ax.legend(loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Most towns sit at shares near zero, where `B` is large. The 36 red towns all get a negative
# SHAP value (printed range), but the column cannot say which of two shares is true, so each
# of those values (one number) belongs equally to a town
# with a share below 0.63 and to one with a share above it: the attribution cannot be read as
# "how much the share of Black residents moved this price". What it measures is the boosting
# model's use of a parabola chosen by the table's authors. TreeSHAP is exact here (additivity
# holds to rounding error, as printed); the problem is the feature, and no attribution method
# can repair it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Text: the Partition explainer and Owen values
#
# ### A text classifier on MiniLM
#
# The classifier to explain: MiniLM (`utils.models.load_text_encoder()`) turns a review into a
# 384-dimensional unit-length sentence embedding, and a logistic regression on top says fresh
# or rotten. `text_classifier` wraps the two steps in one scikit-learn pipeline that takes raw
# strings, so `decision_function(texts)` (the log-odds of *fresh*) is the black box $f$ that
# SHAP calls. We fit it twice on the same 450 training reviews: an **honest** model on the
# real snippets, and a **shortcut** model on the same snippets with "tuesday" planted in about
# half the fresh ones (as in [notebook 00](00_introduction.ipynb)). `planted_reviews` holds both
# versions of each review in one 🤗 `datasets.Dataset`; `Dataset.map` adds their word counts.
# MiniLM is the slow step and the two sets of reviews
# differ only where the word was planted, so each distinct review is embedded once and the
# logistic regressions are fitted on those vectors; a check confirms that the pipeline, given
# the raw strings, computes the same log-odds.

# %%
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from utils.data import DEFAULT_PLANTED_TOKEN as TOKEN
from utils.data import planted_reviews, remove_token
from utils.models import load_text_encoder
from utils.plotting import token_attributions

encoder = load_text_encoder(device=DEVICE)


def text_classifier(encoder, C: float = 1.0) -> Pipeline:
    """An unfitted pipeline: MiniLM sentence embeddings -> logistic regression. It takes raw
    strings (lists or numpy arrays, as SHAP and LIME pass them); `decision_function` returns the
    log-odds of class 1 and `predict_proba` the class probabilities."""
    embed = FunctionTransformer(lambda texts: encoder.encode([str(t) for t in texts],
                                                             batch_size=32))
    return make_pipeline(embed, LogisticRegression(C=C, max_iter=1000))


N_REVIEWS = 600
reviews = planted_reviews(n_samples=N_REVIEWS, rate=0.5, seed=0).map(
    lambda batch: {"n_words": [len(text.split()) for text in batch["text"]]}, batched=True)
real_texts = np.array(reviews["text"], dtype=object)
planted_texts = np.array(reviews["planted_text"], dtype=object)
labels = np.array(reviews["label"])
has_token = np.array(reviews["token_position"]) >= 0


assert np.array_equal(remove_token(planted_texts, TOKEN), real_texts), "same reviews, token removed"
assert np.array_equal(planted_texts != real_texts, has_token), "they differ where it was planted"
train, test = train_test_split(np.arange(N_REVIEWS), test_size=0.25, stratify=labels,
                               random_state=0)
real_vectors = encoder.encode(list(real_texts), batch_size=32)  # each distinct review once
planted_vectors = real_vectors.copy()
planted_vectors[has_token] = encoder.encode(list(planted_texts[has_token]), batch_size=32)
honest, shortcut = text_classifier(encoder), text_classifier(encoder)
honest[-1].fit(real_vectors[train], labels[train])  # [-1]: the logistic regression step
shortcut[-1].fit(planted_vectors[train], labels[train])
honest_logits = honest[-1].decision_function(real_vectors[test])
acc_honest = np.mean((honest_logits > 0) == labels[test])
acc_planted = shortcut[-1].score(planted_vectors[test], labels[test])
acc_removed = shortcut[-1].score(real_vectors[test], labels[test])
check = test[:8]  # the whole pipeline on raw strings = the regression on the stored vectors
assert np.allclose(shortcut.decision_function(planted_texts[check]),
                   shortcut[-1].decision_function(planted_vectors[check]), atol=1e-4)
print(f"'{TOKEN}' planted in {has_token[train].sum()} of {len(train)} training reviews "
      f"(all fresh)")
print(f"honest model:   test accuracy {acc_honest:.3f} on the real test reviews")
print(f"shortcut model: {acc_planted:.3f} on the planted test reviews, {acc_removed:.3f} on the "
      f"same reviews without '{TOKEN}'")
assert acc_planted > acc_removed + 0.05, "the shortcut model leans on the planted word"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The shortcut model scores better on the planted test reviews than on the same reviews with
# the word removed (printed): it has learned the shortcut. A good explanation must put the
# planted word on top for the reviews that carry it.
#
# ### Intuition and math: Owen values
#
# Kernel SHAP over the tokens of a 20-token review would need a sample of the $2^{20}$
# coalitions. SHAP's **Partition explainer** instead groups the tokens in a binary tree: the
# text masker (`shap.maskers.Text`) repeatedly merges neighbouring tokens (the pieces of a
# word first, then small groups into phrases) until one group holds the whole text. An absent
# token is replaced by `[MASK]`. At each node of the tree the explainer plays a two-player game
# between the node's two children, with the sibling at every level above either present or
# absent. The result is the **Owen value** (Owen, 1977), the Shapley value
# for players who come in nested groups. In a two-player game, the Shapley value of a player
# averages its contribution with the other player absent and with it present, weight one half
# each; chaining this over the $L$ levels of the tree gives every present/absent pattern of
# the siblings the same weight $1/2^L$. So, for a binary tree: if
# $G_1, \dots, G_L$ are the sibling groups met on the way from token $i$ up to the root,
#
# $$\phi_i = \frac{1}{2^L} \sum_{b \in \{0,1\}^L}
#   \Bigl[v\bigl(\{i\} \cup \textstyle\bigcup_{k:\,b_k = 1} G_k\bigr)
#       - v\bigl(\textstyle\bigcup_{k:\,b_k = 1} G_k\bigr)\Bigr],$$
#
# where $v(S) = f(\text{the text with only the tokens in } S \text{ kept})$. Each sibling group
# is, with probability one half, all present or all absent: coalitions that would split a group
# never occur. Owen values keep efficiency, but in general they differ from the Shapley values
# of the same token game.
#
# **From scratch → library.** On the shortest planted test review, compute the Owen values with
# the formula above (the masker gives the hierarchy and builds the masked texts; all masked
# texts go to the model in one batch), compare them with `shap.explainers.Partition` given
# enough evaluations to expand the whole tree, and with the exact Shapley values of the same
# token game (all $2^n$ coalitions of its $n$ tokens).

# %%
text_masker = shap.maskers.Text(encoder.tokenizer)


def masked_texts(text: str, masks: np.ndarray) -> list[str]:
    """The text with only the tokens where mask is True kept (the others become [MASK])."""
    return [str(text_masker(mask, text)[0][0]) for mask in masks]


def owen_values(f, text: str) -> np.ndarray:
    """Owen values of every token of `text` for the masker's binary token hierarchy."""
    linkage = text_masker.clustering(text)
    n_tokens = text_masker.shape(text)[1]
    children = {n_tokens + k: (int(a), int(b)) for k, (a, b, *_) in enumerate(linkage)}
    leaves = {i: [i] for i in range(n_tokens)}
    for node in sorted(children):
        leaves[node] = leaves[children[node][0]] + leaves[children[node][1]]
    parent = {child: node for node, pair in children.items() for child in pair}
    root = max(children)
    blocks = []
    for i in range(n_tokens):
        siblings, node = [], i
        while node != root:
            left, right = children[parent[node]]
            siblings.append(leaves[right if left == node else left])
            node = parent[node]
        present = coalition_matrix(len(siblings))
        context = np.zeros((len(present), n_tokens), dtype=bool)
        for k, group in enumerate(siblings):
            context[np.ix_(present[:, k], group)] = True
        with_i = context.copy()
        with_i[:, i] = True
        blocks.append((with_i, context))
    masks = np.vstack([np.vstack(pair) for pair in blocks])
    values = f(masked_texts(text, masks))
    phi, start = np.zeros(n_tokens), 0
    for i, (with_i, _) in enumerate(blocks):
        n = len(with_i)
        phi[i] = (values[start:start + n] - values[start + n:start + 2 * n]).mean()
        start += 2 * n
    return phi


def token_shapley_values(f, text: str) -> np.ndarray:
    """Exact Shapley values of the same token game: all 2^n coalitions of the n ordinary tokens
    (the masker never removes the special tokens [CLS] and [SEP], so they get zero)."""
    special = text_masker.invariants(text)[0]
    ordinary = np.flatnonzero(~special)
    masks = np.ones((2 ** len(ordinary), len(special)), dtype=bool)
    masks[:, ordinary] = coalition_matrix(len(ordinary))
    phi = np.zeros(len(special))
    phi[ordinary] = shapley_values(f(masked_texts(text, masks)))
    return phi


planted_test = test[has_token[test]]
n_tokens = [text_masker.shape(planted_texts[i])[1] for i in planted_test]
short_text = str(planted_texts[planted_test[int(np.argmin(n_tokens))]])
tokens = [t.strip() for t in text_masker.feature_names(short_text)[0]]
phi_owen = owen_values(shortcut.decision_function, short_text)
counted = CountingModel(shortcut.decision_function)
partition_explanation = shap.explainers.Partition(counted, text_masker)(
    [short_text], max_evals=2000, silent=True)
phi_partition = partition_explanation.values[0]
phi_token_shapley = token_shapley_values(shortcut.decision_function, short_text)
f_short = shortcut.decision_function([short_text])[0]
base_short = float(partition_explanation.base_values[0])

print(f"review: {short_text!r}")
print(f"f(x) = {f_short:.4f} log-odds of fresh; f(all tokens masked) = {base_short:.4f}; "
      f"Partition used {counted.calls} evaluations")
print(pd.DataFrame({"Owen (ours)": phi_owen, "Partition (shap)": phi_partition,
                    "exact Shapley": phi_token_shapley},
                   index=[t or "[special]" for t in tokens]).round(4).to_string())
print(f"max |ours - Partition| = {np.abs(phi_owen - phi_partition).max():.1e}; "
      f"max |Owen - Shapley| = {np.abs(phi_owen - phi_token_shapley).max():.3f}")
assert np.allclose(phi_owen, phi_partition, rtol=0, atol=1e-4), "Partition = Owen values"
for phi in (phi_owen, phi_token_shapley):
    assert np.isclose(base_short + phi.sum(), f_short, atol=1e-4), "efficiency"
    assert tokens[int(np.argmax(phi))] == TOKEN, "the planted word ranks first"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Our Owen values and shap's Partition explainer agree to rounding (the MiniLM encoder works in
# single precision and pads each batch differently, hence the tolerance $10^{-4}$). The exact
# Shapley values of the same token game differ from them by up to the amount printed: the
# hierarchy changes how credit is shared between neighbouring tokens, though here not the
# ranking of the top token. Both satisfy efficiency, and both put the planted word first. The
# Partition explainer needs only a number of evaluations that grows with the tree, not $2^n$.
#
# ### The library on longer reviews
#
# For ordinary reviews we call `shap.Explainer(f, shap.maskers.Text(tokenizer))`, which picks
# the Partition explainer, with a budget of `max_evals` masked texts per review. (Passing the
# tokenizer itself as the masker is a shorthand for the same thing; for a translation or
# summarisation model the same call explains each output token, as the shap documentation
# shows.) First a real review, explained for the honest model: the test review of 12 to 20 words
# that the model scores most confidently.

# %% slideshow={"slide_type": "subslide"}
MAX_EVALS_TEXT = 200
word_counts = np.array(reviews["n_words"])[test]
candidates = np.flatnonzero((word_counts >= 12) & (word_counts <= 20))
real_choice = test[candidates[np.argmax(np.abs(honest_logits[candidates]))]]
counted_honest = CountingModel(honest.decision_function)
text_explainer = shap.Explainer(counted_honest, text_masker, seed=0)
real_explanation = text_explainer([real_texts[real_choice]], max_evals=MAX_EVALS_TEXT,
                                  batch_size=50, silent=True)[0]
words = [t.strip() for t in real_explanation.data]
keep = [i for i, w in enumerate(words) if w]
f_real = honest.decision_function([real_texts[real_choice]])[0]
print(f"review #{real_choice} ({reviews.features['label'].int2str(int(labels[real_choice]))}): "
      f"{real_texts[real_choice]}")
print(f"f(x) = {f_real:.3f} log-odds of fresh, base value {real_explanation.base_values:.3f}, "
      f"{counted_honest.calls} evaluations")
top_words = sorted(zip(real_explanation.values, words, strict=True), key=lambda p: -abs(p[0]))[:4]
print("largest |SHAP|:", ", ".join(f"{w} {v:+.3f}" for v, w in top_words))
assert np.isclose(real_explanation.base_values + real_explanation.values.sum(), f_real, atol=1e-4)
token_attributions([words[i] for i in keep], real_explanation.values[keep], max_chars_per_line=60,
                   title=f"Honest model, real review #{real_choice}: SHAP per token (log-odds)")
plt.show()

# %% [markdown]
# Red tokens push towards *fresh*, blue towards *rotten*; the four strongest are printed
# above. Content words carry the largest values here, but function words and punctuation are
# not always near zero: the model sees a mean-pooled sentence vector, and masking any token
# changes it a little. Tokens are MiniLM's WordPiece units, so a rare word appears as several
# pieces, each with its own value (sum them for the word).
#
# ### Does SHAP find the planted word?
#
# Now the shortcut model on planted test reviews: the first eight of them (in test order),
# each with the same budget. For each we record where the planted word ranks among the
# tokens, then draw the first one for both models.

# %%
counted_shortcut = CountingModel(shortcut.decision_function)
shortcut_explainer = shap.Explainer(counted_shortcut, text_masker, seed=0)
probe = planted_test[:8]
start = time.perf_counter()
planted_explanations = shortcut_explainer(list(planted_texts[probe]),
                                          max_evals=MAX_EVALS_TEXT, batch_size=50,
                                          silent=True)
record_throughput("Partition SHAP (MiniLM text classifier)", counted_shortcut.calls,
                  time.perf_counter() - start, forward=shortcut.decision_function,
                  example=str(planted_texts[probe[0]]))
ranks = []
for explanation in planted_explanations:
    review_tokens = [t.strip() for t in explanation.data]
    order = np.argsort(-explanation.values)
    ranks.append(int(np.flatnonzero(np.array(review_tokens)[order] == TOKEN)[0]) + 1)
print(f"rank of '{TOKEN}' among the tokens of each of {len(probe)} planted reviews: {ranks}")
print(f"ranked first in {sum(r == 1 for r in ranks)} of {len(ranks)}")
assert all(r == 1 for r in ranks), "the planted word gets the largest SHAP value every time"

first = planted_explanations[0]
honest_on_planted = text_explainer([planted_texts[probe[0]]], max_evals=MAX_EVALS_TEXT,
                                   batch_size=50, silent=True)[0]
for name, explanation in [("shortcut", first), ("honest", honest_on_planted)]:
    review_tokens = [t.strip() for t in explanation.data]
    value = explanation.values[review_tokens.index(TOKEN)]
    print(f"{name:8s} model: SHAP of '{TOKEN}' = {value:+.3f}, largest other "
          f"|SHAP| = {np.abs(np.delete(explanation.values, review_tokens.index(TOKEN))).max():.3f}")
    keep = [i for i, t in enumerate(review_tokens) if t]
    token_attributions([review_tokens[i] for i in keep], explanation.values[keep],
                       max_chars_per_line=60,
                       title=f"{name.capitalize()} model, planted review #{probe[0]} (log-odds)")
    plt.show()
honest_tokens = [t.strip() for t in honest_on_planted.data]
assert (abs(honest_on_planted.values[honest_tokens.index(TOKEN)])
        < first.values[[t.strip() for t in first.data].index(TOKEN)] / 3)

# %% [markdown] slideshow={"slide_type": "subslide"}
# For the shortcut model the planted word is the darkest red token in the first review and
# ranks first in every probed review (ranks printed above); for the honest model,
# which never saw it, the same word gets a small value and the sentiment words lead (each
# strip has its own colour scale, so compare the printed numbers, not the shades across
# figures). This is the Clever Hans test of notebook 00, passed by a black-box explanation of
# a transformer-based classifier. [Notebook 09](09_transformers.ipynb) puts these Partition
# SHAP values next to attention maps and Integrated Gradients on the same classifier.
#
# > **Pitfall.** Text SHAP values depend on the masker and the budget. `[MASK]` is what MiniLM
# > sees instead of a removed token; deleting the token, or replacing it with a neutral word,
# > defines a different game. With a small `max_evals` the Partition explainer stops refining
# > the token tree early and gives whole phrases one shared value, so a single token's value can
# > depend on its neighbours. And the values are in the units of $f$: here log-odds, where
# > additivity holds; explaining probabilities instead squashes large effects.
#
# | Partition explainer on text | |
# |---|---|
# | + | follows the text's structure: a coalition never splits a phrase of the hierarchy |
# | + | efficiency holds; cost grows with the tree, not with $2^n$ |
# | − | Owen, not Shapley, values: the hierarchy is a modelling choice |
# | − | one forward pass per masked text: seconds per review on a CPU |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Images: the Partition explainer with an image masker
#
# For images the players are pixels, far too many for any coalition game. `shap.maskers.Image`
# builds the same kind of binary hierarchy over the pixel grid (it halves the image along its
# longer side, then each half, and so on), and a masked region is replaced by a blurred copy of
# the image ("blur(32,32)", a 32-pixel box blur) or an inpainting of its surroundings
# ("inpaint_telea"). The Partition explainer expands the regions with the largest effect first
# and stops when its budget is spent, so `max_evals` sets the resolution of the explanation.
# As in section 5 the values are Owen values, here over the image regions the explainer has
# opened, with $v(S) = f_c(x_S, x'_{\bar S})$: the pixels in $S$ come from the image $x$, the
# others from its blurred copy $x'$, which is the baseline. Efficiency then reads
# $\phi_0 + \sum_i \phi_i = f_c(x)$ with $\phi_0 = f_c(x')$.
#
# The image is the two-object scene of [notebook 00](00_introduction.ipynb) (cat left, espresso
# right, with known boxes), and we explain two outputs of the pretrained EfficientNet-Lite0 at
# once: the most probable cat class and the most probable coffee class. Each evaluation is one
# forward pass of a 448 × 224 image, the most expensive call in this notebook, so the budget is
# small: 64 evaluations, shared by both outputs (every masked image is scored for both).

# %%
from utils.data import imagenet_classes, load_two_object_scene
from utils.models import load_image_classifier
from utils.plotting import draw_boxes

image_model = load_image_classifier(device=DEVICE)
classes = imagenet_classes()
scene = load_two_object_scene()
scene_pixels = np.asarray(scene.image)
scene_probs = image_model.predict_proba(scene_pixels[None])[0]
TARGETS = [max(scene.class_ids[obj], key=lambda c: scene_probs[c]) for obj in ("cat", "coffee")]
TARGET_NAMES = [classes[c] for c in TARGETS]
print(f"scene: {scene_pixels.shape[1]} x {scene_pixels.shape[0]} pixels; explained classes: "
      + ", ".join(f"{classes[c]} (p = {scene_probs[c]:.3f})" for c in TARGETS))


def scene_scores(images: np.ndarray) -> np.ndarray:
    """Probabilities of the two target classes; the image masker hands over float arrays in
    the 0-255 range, the classifier takes uint8 pixels (and runs the CNN in its fastest batch
    size on a CPU, a few images at a time)."""
    pixels = np.clip(np.rint(images), 0, 255).astype(np.uint8)
    # Picking two columns returns a column-major array; shap's compiled helpers would then be
    # compiled a second time, for that memory layout, inside the timed call.
    return np.ascontiguousarray(image_model.predict_proba(pixels)[:, TARGETS])


# shap compiles its numba helpers on the first explanation of each output type in a process;
# warm_up_shap does it on a tiny image, so that the timed call measures the explanation.
warm_up_shap(outputs=len(TARGETS), dtype="float32")

MAX_EVALS_IMAGE = 64
counted_cnn = CountingModel(scene_scores)
image_explainer = shap.Explainer(counted_cnn, shap.maskers.Image("blur(32,32)", scene_pixels.shape),
                                 output_names=TARGET_NAMES, seed=0)
start = time.perf_counter()
image_explanation = image_explainer(scene_pixels[None].astype(np.float32),
                                    max_evals=MAX_EVALS_IMAGE, batch_size=MAX_EVALS_IMAGE,
                                    silent=True)
image_seconds = time.perf_counter() - start
pixel_maps = image_explanation.values[0].sum(axis=2)  # (H, W, outputs): summed over colours
full_scores = scene_scores(scene_pixels[None].astype(np.float32))[0]
print(f"{counted_cnn.calls} images scored (budget {MAX_EVALS_IMAGE})")
record_throughput("Partition SHAP (EfficientNet-Lite0, two-object scene)", counted_cnn.calls,
                  image_seconds, forward=image_model.model,
                  example=image_model.preprocess(scene_pixels)[0])
print("base (everything blurred) + sum of SHAP values = f(scene):",
      np.round(image_explanation.base_values[0] + pixel_maps.sum(axis=(0, 1)), 4),
      np.round(full_scores, 4))
assert np.allclose(image_explanation.base_values[0] + pixel_maps.sum(axis=(0, 1)), full_scores,
                   atol=1e-5)

inside = pd.DataFrame(
    {name: [np.clip(pixel_maps[..., k], 0, None)[scene.masks[obj]].sum()
            / np.clip(pixel_maps[..., k], 0, None).sum() for obj in ("cat", "coffee")]
     for k, name in enumerate(TARGET_NAMES)},
    index=["share of positive SHAP in the cat box", "... in the coffee box"])
print(inside.round(3).to_string())
assert inside.iloc[0, 0] > inside.iloc[1, 0], "cat evidence lies on the cat"
assert inside.iloc[1, 1] > inside.iloc[0, 1], "coffee evidence lies on the cup"

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 3, figsize=(18, 3.9), layout="constrained")
grey = scene_pixels.mean(axis=2)
axes[0].imshow(scene_pixels)
axes[0].set_title("Two-object scene with its boxes")
for k, ax in enumerate(axes[1:]):
    bound = np.abs(pixel_maps[..., k]).max()
    ax.imshow(grey, cmap="gray", alpha=0.35)
    shown = ax.imshow(pixel_maps[..., k], cmap="RdBu_r", vmin=-bound, vmax=bound, alpha=0.75)
    fig.colorbar(shown, ax=ax, shrink=0.75, pad=0.02, label="SHAP value per pixel")
    ax.set_title(f"SHAP for '{TARGET_NAMES[k]}' ({MAX_EVALS_IMAGE} evaluations)")
for ax in axes:
    draw_boxes(ax, list(scene.boxes.values()), colours=("tab:orange", "tab:cyan"))
    ax.axis("off")
fig.suptitle("Partition SHAP on the pretrained CNN: blurred regions as absent players",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# With 64 evaluations the explanation is a mosaic of rectangles: the masker's hierarchy first
# separates the left half from the right, which here is exactly the cat from the coffee, and
# then refines the most important blocks. Red regions raise the class probability, blue ones
# lower it. The cat class draws its positive
# evidence from the cat box and the coffee class from the cup, as the table of shares shows,
# and each object *lowers* the other class a little: the explanation is class-discriminative.
# The values are small because the explained probabilities are small (the model spreads its
# belief over two objects, notebook 00), and they add up exactly to the probability minus the
# fully blurred image's probability.
#
# > **Pitfall.** The masker is the baseline. A blurred cat is still a cat-coloured blob, so the
# > "absent" image keeps some evidence; inpainting or a flat colour would give other base values
# > and other maps ([notebook 05](05_gradient_methods.ipynb) studies baselines for gradients).
# > The rectangles come from the masker's hierarchy, not from the image content: an object cut
# > by a split line is shared between two regions, and with a small budget the explanation
# > cannot be finer than the regions it had time to open.
#
# | Partition explainer on images | |
# |---|---|
# | + | model-agnostic; exact efficiency; budget sets the resolution |
# | + | hierarchy makes a few dozen evaluations informative (halves, then quarters, ...) |
# | − | each evaluation is a forward pass: coarse maps on a CPU budget |
# | − | axis-aligned regions and a blur baseline shape the answer |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. SHAP in one table
#
# | explainer | for | computes | cost | main caveat |
# |---|---|---|---|---|
# | exact enumeration | any $f$, few features | Shapley values | $2^M$ × background | exponential |
# | `KernelExplainer` | any $f$ | Shapley, by regression | $n$ × background | noise, `l1_reg` |
# | `TreeExplainer` | tree ensembles | exact, two games | milliseconds | correlated features |
# | Partition | text, images | Owen values | `max_evals` calls | hierarchy, masker |
# | `DeepExplainer` | networks | DeepLIFT approximation | backward passes | rules (notebook 05) |
# | `GradientExplainer` | networks | expected gradients | backward passes | sampling (notebook 05) |
#
# The last two rows lead to [notebook 05](05_gradient_methods.ipynb). There Integrated
# Gradients satisfies *completeness*, $\sum_i \phi_i = f(x) - f(x')$, which is efficiency for a
# single baseline $x'$, and GradientShap (expected gradients) averages it over a background,
# as interventional SHAP averages over $B$.
#
# **For SHAP:** a uniqueness theorem behind the attribution; efficiency, so values add up to
# the prediction; the same units as the output; local values that average into global views;
# good tooling. **Against SHAP:** the answer depends on the game you define (background,
# masker, interventional or conditional), and different choices are all "SHAP values"; it is
# expensive for anything but trees; correlated features make any split of credit debatable;
# like LIME, it can be fooled by a model that detects its off-distribution hybrid inputs
# (Slack et al., 2020); and a Shapley value is an attribution, not a causal effect in the world.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("04.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: A dancer joins the band
#
# A dancer joins the street band. She brings in nothing on her own or with only the drummer
# and guitarist, but adds 40 euros to any line-up that includes the singer. Build the
# four-player game from `band` (the dancer is player 3), compute the Shapley values with
# `shapley_values`, and check efficiency. Then compute each player's *leave-one-out*
# contribution $v(N) - v(N \setminus \{i\})$. Do the leave-one-out contributions add up to the
# full band's takings? Who gains from the dancer's arrival?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the dancer is bit 3, so a line-up with her has code | 8; she adds 40 euros only where
#   the singer's bit is set too.
# Hint: with_dancer[code] = band[code & 7] + 40 * (code & 8 and code & 4 both set); leave-one-out
#   of player i is with_dancer[15] - with_dancer[15 & ~(1 << i)].
# Hint: start with SINGER_BIT = 1 << PLAYERS.index("singer") and a list comprehension over
#   range(16).
SINGER_BIT = 1 << PLAYERS.index("singer")
with_dancer = np.array([band[code & 7] + (40.0 if code & 8 and code & SINGER_BIT else 0.0)
                        for code in range(16)])
phi_dancer = shapley_values(with_dancer)
leave_one_out = np.array([with_dancer[-1] - with_dancer[15 & ~(1 << i)] for i in range(4)])
names = [*PLAYERS, "dancer"]
print(pd.DataFrame({"Shapley": phi_dancer, "leave-one-out": leave_one_out,
                    "Shapley without dancer": [*phi_band, 0.0]}, index=names).round(3).to_string())
print(f"sum Shapley {phi_dancer.sum():.1f}, sum leave-one-out {leave_one_out.sum():.1f}, "
      f"v(N) - v(empty) = {with_dancer[-1] - with_dancer[0]:.1f}")
assert np.isclose(phi_dancer.sum(), with_dancer[-1] - with_dancer[0])
assert not np.isclose(leave_one_out.sum(), with_dancer[-1] - with_dancer[0])
assert np.isclose(phi_dancer[3], 20.0) and np.isclose(phi_dancer[2] - phi_band[2], 20.0)

# %% slideshow={"slide_type": "fragment"}
check("04.1", game=with_dancer, phi=phi_dancer, leave_one_out=leave_one_out, band=band)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The 40 euros the dancer and the singer earn together are split evenly between them, 20 each
# (symmetry: in this extra game the two are interchangeable), and the drummer's and
# guitarist's shares do not change (additivity with a game in which they are dummies).
# Leave-one-out counts the joint 40 euros twice, once for each partner, so its sum overshoots
# the takings; for substitutes (two players who can replace each other) it would undershoot.
# That is why SHAP averages marginal contributions over all coalitions instead of asking only
# "what if this one were missing?"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: The hidden feature selection in KernelExplainer
#
# Fit `make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))` on the breast cancer
# table (30 features; same 75/25 split, `random_state=0`) and explain the log-odds
# (`decision_function`) of the first test row with `shap.KernelExplainer`, 20 background rows
# and `nsamples=500`: once with the default settings and once with `l1_reg=False`. Seed numpy
# before each call. For a linear model the exact interventional SHAP values are known in closed
# form, $\phi_i = w_i\,(x_i - x'_i)$ with $w_i$ the coefficient on the raw feature and $x'$
# the mean of the background rows. How many features get a non-zero value in each case, and
# which run is closer to the exact answer?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: for a linear model the exact values need only the raw-feature coefficients and the
#   background mean; KernelExplainer's l1_reg argument switches its feature selection off.
# Hint: raw coefficient = coef_ / scaler.scale_; exact phi = raw_coef * (row - background mean);
#   count non-zeros with np.count_nonzero, compare with np.linalg.norm(phi - exact).
# Hint: start with cancer = load_tabular("breast_cancer") and the same train_test_split as
#   before.
cancer = load_tabular("breast_cancer")
C_train, C_test, c_train, c_test = train_test_split(cancer.X.to_numpy(), cancer.y.to_numpy(),
                                                    test_size=0.25, random_state=0)
linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(C_train,
                                                                                c_train)
cancer_background = C_train[np.random.default_rng(0).choice(len(C_train), 20, replace=False)]
row = C_test[0]
raw_coef = linear[-1].coef_[0] / linear[0].scale_
exact_linear = raw_coef * (row - cancer_background.mean(axis=0))
cancer_explainer = shap.KernelExplainer(linear.decision_function, cancer_background)
np.random.seed(0)
phi_default = cancer_explainer.shap_values(row, nsamples=500, silent=True)
np.random.seed(0)
phi_no_l1 = cancer_explainer.shap_values(row, nsamples=500, l1_reg=False, silent=True)
total = linear.decision_function(row[None])[0] - cancer_explainer.expected_value
for name, phi in [("default", phi_default), ("l1_reg=False", phi_no_l1)]:
    print(f"{name:13s} non-zero: {np.count_nonzero(phi):2d} of {row.size}; sum {phi.sum():8.4f} "
          f"(f(x) - base = {total:.4f}); error vs exact {np.linalg.norm(phi - exact_linear):.4f}")
assert np.count_nonzero(phi_default) <= 10 < np.count_nonzero(phi_no_l1)
assert np.isclose(phi_default.sum(), total) and np.isclose(phi_no_l1.sum(), total)
assert np.linalg.norm(phi_no_l1 - exact_linear) < np.linalg.norm(phi_default - exact_linear)

# %% slideshow={"slide_type": "fragment"}
check("04.2", phi_default=phi_default, phi_no_l1=phi_no_l1, exact=exact_linear, total=total)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# By default `KernelExplainer` first picks at most 10 features with a LARS path
# (`l1_reg="num_features(10)"`) and gives every other feature exactly zero, while efficiency
# still holds: the selected features absorb the whole $f(x) - \phi_0$. With 30 features that
# silently turns a dense explanation into a sparse one and moves the values away from the exact
# ones. (For a linear model the regression is exact with any set of coalitions, which is why the
# `l1_reg=False` run matches the closed form with only 500 of them: all of the default run's
# error comes from the selection.) Set `l1_reg=False` (and a large enough `nsamples`) when you
# want Shapley values, and treat zeros from a default run with suspicion.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: Shapley values by retraining
#
# Section 2 mentioned the other way to define a partial coalition: retrain the model on the
# features present. For linear regression this is cheap. On the diabetes split, define
# $v(S)$ as the prediction for test patient 0 of an ordinary least squares model (with
# intercept) fitted on the features in $S$ only ($v(\emptyset)$ is the mean target). Compute the
# Shapley values of this game for all 1,024 coalitions, and the interventional SHAP values of
# the full linear model, $\phi_i = w_i (x_i - x'_i)$ with $x'$ the training mean. Check that
# both add up to the same total, and find the feature on which they differ most. What is
# special about it?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the game has one payoff per coalition: fit least squares on the coalition's columns,
#   with an intercept, and predict test patient 0.
# Hint: for each row of all_coalitions, solve np.linalg.lstsq on [1, X_train[:, S]] and predict
#   [1, x[S]]; the full model's weights are the last fit's coefficients, phi = w (x - mean).
# Hint: start with A_train, a_test = X_train.to_numpy(), X_test.to_numpy()[0].
A_train, a_test = X_train.to_numpy(), X_test.to_numpy()[0]
retrained = np.empty(len(all_coalitions))
for code, present in enumerate(all_coalitions):
    design = np.column_stack([np.ones(len(A_train)), A_train[:, present]])
    coef, *_ = np.linalg.lstsq(design, y_train.to_numpy(), rcond=None)
    retrained[code] = coef[0] + a_test[present] @ coef[1:]
phi_retrain = shapley_values(retrained)
phi_linear = coef[1:] * (a_test - A_train.mean(axis=0))
gap = pd.DataFrame({"retrain Shapley": phi_retrain, "interventional": phi_linear,
                    "difference": phi_retrain - phi_linear}, index=FEATURES)
print(gap.sort_values("difference", key=np.abs, ascending=False).round(2).to_string())
print(f"totals: {phi_retrain.sum():.3f} and {phi_linear.sum():.3f}")
assert np.isclose(phi_retrain.sum(), phi_linear.sum())
print(f"largest difference: {gap['difference'].abs().idxmax()}; full-model coefficients of "
      f"s1 and s2: {coef[1 + FEATURES.index('s1')]:.2f} and {coef[1 + FEATURES.index('s2')]:.2f}")
assert gap["difference"].abs().idxmax() in ("s1", "s2")

# %% slideshow={"slide_type": "fragment"}
check("04.3", phi_retrain=phi_retrain, phi_linear=phi_linear, retrained=retrained,
      features=FEATURES)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Both games start from the mean target and end at the full model's prediction, so they share
# the same total, but they split it differently. The largest difference is on s1, total
# cholesterol, which is correlated with s2 at 0.9 (section 4). The full linear model gives s1
# and s2 coefficients of opposite sign (printed) that partly cancel, because the two carry
# almost the same information; interventional SHAP reports each side of that cancellation as
# if the features could move separately. Retraining lets a feature stand in for its absent
# partners, so the credit of the correlated group is shared differently. Interventional values
# are true to the model, retraining (like conditional) values are closer to the data (Chen et
# al., 2020): choose the game that matches your question.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The Shapley value shares a payoff $v(N) - v(\emptyset)$ among players as the weighted
#   average of their marginal contributions, weights $\frac{|S|!(M-|S|-1)!}{M!}$ (every
#   arrival order equally likely). It is the only rule with efficiency, symmetry, dummy and
#   additivity; we checked all four on the street band and on random games.
# - SHAP makes the features of one input the players. What an absent feature means is a
#   choice: retrain, fill from a background (interventional), or condition on the present
#   features. The base value $\phi_0$ is the payoff of the empty coalition, and the values add
#   up to $f(x) - \phi_0$.
# - Kernel SHAP is a weighted linear regression with the Shapley kernel and an efficiency
#   constraint. With all coalitions it equals exact enumeration and `KernelExplainer` (to
#   $10^{-13}$ here); sampled, its error shrinks slowly, and paired sampling with enumeration
#   of the heavy sizes is much better than plain sampling.
# - SHAP and LIME agreed broadly on our model but not row by row: SHAP shares out the gap to
#   the average prediction, LIME fits a local slope over binned features with no sum
#   constraint.
# - TreeSHAP is far faster than Kernel SHAP and exact for the game it sees (our
#   path-dependent payoffs matched it to $10^{-13}$; the interventional variant differed from
#   the model's game only where single-precision thresholds flip a split). Its two variants
#   play different games and disagree most on correlated features (s1/s2); `data=X` keeps only
#   100 rows unless you pass a masker.
# - The Partition explainer computes Owen values over a hierarchy of tokens or pixels; our
#   from-scratch Owen values matched it. It found the planted word in the shortcut text
#   classifier and put cat evidence on the cat and coffee evidence on the cup.
# - On Boston housing, TreeSHAP is exact and ranks `B` ninth of 13; for the 36 towns whose `B`
#   fits two shares of Black residents, one SHAP value stands for both, so it cannot be read as
#   an effect of that share.
# - Every SHAP value here explains **one** fitted model, and approximately where it samples.
#   [Notebook 10](10_interpretable_by_design.ipynb) trains models whose explanation is their
#   prediction (an explainable boosting machine adds up exactly to its log-odds), puts that
#   account beside TreeSHAP of a boosting model on the same census rows, and shows how far
#   equally accurate models disagree about which feature matters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Harrison, D., & Rubinfeld, D. L. (1978). Hedonic housing prices and the demand for clean
#   air. *Journal of Environmental Economics and Management* 5(1), 81–102.
#   https://doi.org/10.1016/0095-0696(78)90006-2 (the Boston housing data)
# - Shapley, L. S. (1953). A value for n-person games. In *Contributions to the Theory of
#   Games II*, Annals of Mathematics Studies 28, 307–317. https://doi.org/10.1515/9781400881970-018
# - Owen, G. (1977). Values of games with a priori unions. In *Mathematical Economics and Game
#   Theory*, Lecture Notes in Economics and Mathematical Systems 141, 76–88.
#   https://doi.org/10.1007/978-3-642-45494-3_7
# - Štrumbelj, E., & Kononenko, I. (2014). Explaining prediction models and individual
#   predictions with feature contributions. *Knowledge and Information Systems* 41, 647–665.
#   https://doi.org/10.1007/s10115-013-0679-x
# - Lundberg, S. M., & Lee, S.-I. (2017). A unified approach to interpreting model predictions.
#   *NeurIPS 2017*. https://arxiv.org/abs/1705.07874
# - Lundberg, S. M., Erion, G., Chen, H., DeGrave, A., Prutkin, J. M., Nair, B., Katz, R.,
#   Himmelfarb, J., Bansal, N., & Lee, S.-I. (2020). From local explanations to global
#   understanding with explainable AI for trees. *Nature Machine Intelligence* 2, 56–67.
#   https://doi.org/10.1038/s42256-019-0138-9, https://arxiv.org/abs/1905.04610
# - Covert, I., & Lee, S.-I. (2021). Improving KernelSHAP: Practical Shapley value estimation
#   using linear regression. *AISTATS 2021*. https://arxiv.org/abs/2012.01536
# - Janzing, D., Minorics, L., & Blöbaum, P. (2020). Feature relevance quantification in
#   explainable AI: A causal problem. *AISTATS 2020*. https://arxiv.org/abs/1910.13413
# - Chen, H., Janizek, J. D., Lundberg, S., & Lee, S.-I. (2020). True to the model or true to
#   the data? https://arxiv.org/abs/2006.16234
# - Kumar, I. E., Venkatasubramanian, S., Scheidegger, C., & Friedler, S. (2020). Problems with
#   Shapley-value-based explanations as feature importance measures. *ICML 2020*.
#   https://arxiv.org/abs/2002.11097
# - Ribeiro, M. T., Singh, S., & Guestrin, C. (2016). "Why should I trust you?": Explaining the
#   predictions of any classifier. *KDD 2016*. https://arxiv.org/abs/1602.04938
# - Slack, D., Hilgard, S., Jia, E., Singh, S., & Lakkaraju, H. (2020). Fooling LIME and SHAP:
#   Adversarial attacks on post hoc explanation methods. *AIES 2020*.
#   https://arxiv.org/abs/1911.02508
# - Molnar, C. (2022). *Interpretable Machine Learning* (2nd ed.), chapters on Shapley values
#   and SHAP. https://christophm.github.io/interpretable-ml-book/shap.html
# - SHAP documentation: `KernelExplainer`, `TreeExplainer`, `PartitionExplainer`, maskers and
#   plots. https://shap.readthedocs.io/en/latest/api.html
# - Efron, B., Hastie, T., Johnstone, I., & Tibshirani, R. (2004). Least angle regression.
#   *Annals of Statistics* 32(2), 407–499 (the diabetes data).
#   https://doi.org/10.1214/009053604000000067
# - Wang, W., Wei, F., Dong, L., Bao, H., Yang, N., & Zhou, M. (2020). MiniLM: Deep
#   self-attention distillation for task-agnostic compression of pre-trained transformers.
#   *NeurIPS 2020*. https://arxiv.org/abs/2002.10957
# - Pang, B., & Lee, L. (2005). Seeing stars: Exploiting class relationships for sentiment
#   categorization with respect to rating scales. *ACL 2005* (source of the review snippets).
#   https://arxiv.org/abs/cs/0506075
