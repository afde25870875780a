# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 15 · Concepts: testing with concept activation vectors (TCAV)
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/15_concepts_and_features.ipynb)
#
# A saliency map says *where* a network looked. A concept method asks *what* it looked for, in
# words a person uses ("a checkerboard", "a grey square"). **TCAV** (Kim et al. 2018) tests
# whether a concept, given as a set of example images, pushes a class's score: it learns the
# concept's direction in one layer's activations and counts the images whose logit rises along
# it, then compares the count with that of random directions. We run it on a small CNN trained
# in the notebook on images where we *planted* the concept that decides one class, and a second
# concept that is present as often but decides nothing, so that TCAV's answer can be checked.
# TCAV is written from scratch and checked number for number against `captum.concept.TCAV`.
# Feature visualisation, network dissection and layer-wise relevance propagation will join
# TCAV in this notebook; the references already list their papers.
#
# **Run time:** about 25 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Train a concept activation vector (CAV) from concept and random examples, compute TCAV
#   scores from directional derivatives, from scratch and with `captum.concept.TCAV`, and test
#   them against random CAVs with a t-test.
# - Tell a planted concept from one that is present but unused, and explain why the verdict
#   depends on the layer, the random sets and the CAV classifier.
#
# ## Prerequisites
#
# - [Notebook 05](05_gradient_methods.ipynb) (gradients, gradient × input, modified backward
#   passes such as guided backprop) and [notebook 06](06_grad_cam.ipynb) (feature maps, the
#   two-object scene, the small CNN).
# - A linear classifier, a t-test, PyTorch hooks.

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
# ## 1. A small CNN with a planted concept
#
# `utils.data.make_concept_images` draws 32 × 32 images of smooth colour gradients with noise.
# Two concepts are planted, each in half of the images and independently: a black-and-white
# **checkerboard**, which makes the image class 2 ("checkerboard") whatever else it shows, and a
# uniform **grey square**, which decides nothing. Without a checkerboard, the background's tint
# decides: class 0 ("warm", more red than blue) or class 1 ("cool"). The grey square adds no
# tint, so it is present as often as the checkerboard and carries no information about the
# label: a concept the model sees but has no reason to use. We train the course's `SmallCNN`
# (three conv blocks, global average pooling, a linear head) on 1,024 images.

# %%
import tempfile
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy.stats import ttest_ind

from utils.data import CONCEPT_CLASSES, make_concept_images
from utils.models import train_small_cnn

warnings.filterwarnings("ignore", message=".*default classifier.*")  # captum's memory note
train_set = make_concept_images(1024, seed=0)
test_set = make_concept_images(300, seed=1)
training = train_small_cnn(train_set.images, train_set.labels, epochs=5, lr=3e-3, seed=0)
cnn = training.model
x_test = torch.from_numpy(test_set.images)
with torch.no_grad():
    test_accuracy = (cnn(x_test).argmax(1).numpy() == test_set.labels).mean()
print(f"training accuracy {training.accuracies[-1]:.3f}, held-out accuracy {test_accuracy:.3f}")

# %%
assert test_accuracy > 0.9

# %% [markdown]
# Six held-out images with their labels; the checkerboards and the grey squares sit anywhere.

# %%
fig, axes = plt.subplots(1, 6, figsize=(12, 2.4), layout="constrained")
for ax, image, label in zip(axes, test_set.images, test_set.labels, strict=False):
    ax.imshow(image.transpose(1, 2, 0))
    ax.set_title(CONCEPT_CLASSES[label])
    ax.axis("off")
fig.suptitle("The planted-concept images (class 2 = has a checkerboard)", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. TCAV: testing with concept activation vectors
#
# ### Intuition
#
# Pick a layer $\ell$ and collect its activations $a_\ell(x)$ for images that show a concept
# (checkerboards) and for random images. A linear classifier that separates the two sets has a
# normal vector, the **concept activation vector** $v_C$: the direction in which activations
# move when the concept appears. TCAV then asks, for each image of class $k$: if the activations
# moved a little along $v_C$, would the class logit $f_k$ rise? The share of images for which it
# would is the **TCAV score**.
#
# ### Math
#
# With $h_{\ell,k}$ the map from layer $\ell$'s activations to the logit $f_k$, the
# **directional derivative** and the score over the class's images $X_k$ are
#
# $$S_{C,k,\ell}(x) = \nabla h_{\ell,k}\big(a_\ell(x)\big) \cdot v_C, \qquad
#   \mathrm{TCAV}_{C,k,\ell} = \frac{|\{x \in X_k : S_{C,k,\ell}(x) > 0\}|}{|X_k|}.$$
#
# A score means nothing alone: a CAV trained on two *random* sets also gives some score. Kim et
# al. (2018) train many CAVs, each against a different random set, and as many random-vs-random
# CAVs, and compare the two lists of scores with a two-sided t-test. We use 20 of each, and
# Bonferroni's correction for our 6 tests (2 concepts × 3 classes): significant means
# $p < 0.05 / 6$.
#
# The concept sets hold 40 images with the concept forced in and the other concept at its
# usual rate; the random sets hold 40 images drawn as the training data are. A concept set
# must differ from a random set *only* in the concept: if it also differed in something else,
# the CAV would point at that too. The layer is `features.pool2` (32 channels, 8 × 8): after it
# come a convolution and a ReLU, so the gradient differs from image to image (after the last
# ReLU the network is linear, and every image would get the same directional derivative).

# %%
SET_SIZE, N_RANDOM, LAYER = 40, 20, "features.pool2"
concept_images = {
    "checkerboard": make_concept_images(SET_SIZE, checkerboard_rate=1.0, seed=10).images,
    "square": make_concept_images(SET_SIZE, square_rate=1.0, seed=11).images}
random_images = [make_concept_images(SET_SIZE, seed=100 + k).images for k in range(N_RANDOM + 1)]
class_inputs = {k: x_test[test_set.labels == k][:50] for k in range(3)}
print({name: images.shape for name, images in concept_images.items()},
      f"{len(random_images)} random sets;", {k: len(v) for k, v in class_inputs.items()})

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### From scratch
#
# The layer's activations, flattened, through a forward hook.

# %%
def layer_activations(net: torch.nn.Module, layer: str, x: torch.Tensor) -> torch.Tensor:
    """The output of ``layer`` for ``x``, flattened to (N, features)."""
    stored = []
    handle = net.get_submodule(layer).register_forward_hook(lambda m, i, o: stored.append(o))
    with torch.no_grad():
        net(x)
    handle.remove()
    return stored[0].flatten(1)


# %% [markdown]
# The linear classifier: ridge regression of the labels $\pm 1$ on the centred activations, a
# least-squares linear discriminant. With 80 examples and 2,048 features its solution is
# cheapest in the dual, $w = X^\top (X X^\top + \lambda I)^{-1} y$: one 80 × 80 solve,
# deterministic. Its weight vector, made unit length, is the CAV.

# %%
def fit_cav(concept_acts: torch.Tensor, random_acts: torch.Tensor, ridge: float = 1.0
            ) -> torch.Tensor:
    """Unit normal of the ridge discriminant between the two sets, pointing at the concept."""
    x = torch.cat([concept_acts, random_acts]).double()
    x = x - x.mean(0)
    y = torch.cat([torch.ones(len(concept_acts)), -torch.ones(len(random_acts))]).double()
    w = x.T @ torch.linalg.solve(x @ x.T + ridge * torch.eye(len(x), dtype=x.dtype), y)
    return (w / w.norm()).float()


# %% [markdown]
# The directional derivatives: the gradient of the logit with respect to the layer's output
# (a hook swaps in a leaf tensor we can differentiate), dotted with each CAV.

# %%
def layer_gradients(net: torch.nn.Module, layer: str, x: torch.Tensor, k: int) -> torch.Tensor:
    """d f_k / d a_layer for each image, flattened to (N, features)."""
    leaf = []

    def swap(module, inputs, output):
        leaf.append(output.detach().requires_grad_(True))
        return leaf[0]

    handle = net.get_submodule(layer).register_forward_hook(swap)
    net(x)[:, k].sum().backward()
    handle.remove()
    return leaf[0].grad.flatten(1)


def tcav_scores(gradients: torch.Tensor, cavs: torch.Tensor) -> torch.Tensor:
    """Share of images with a positive directional derivative, one score per CAV row."""
    return (gradients @ cavs.T > 0).float().mean(0)


# %% [markdown] slideshow={"slide_type": "subslide"}
# Every CAV: each concept against each of random sets 1–20, and random set $j$ against random
# set $j + 1$ for the null distribution.

# %%
acts = {name: layer_activations(cnn, LAYER, torch.from_numpy(x))
        for name, x in concept_images.items()}
random_acts = [layer_activations(cnn, LAYER, torch.from_numpy(x)) for x in random_images]
PAIRS = {name: [(name, j) for j in range(1, N_RANDOM + 1)] for name in concept_images}
PAIRS["random"] = [(j, j + 1) for j in range(N_RANDOM)]


def activations_of(key) -> torch.Tensor:
    return acts[key] if isinstance(key, str) else random_acts[key]


our_cavs = {name: torch.stack([fit_cav(activations_of(a), activations_of(b)) for a, b in pairs])
            for name, pairs in PAIRS.items()}
print({name: tuple(cavs.shape) for name, cavs in our_cavs.items()})

# %% [markdown]
# The scores of each class's images for every CAV, and the t-test of each concept's scores
# against the random CAVs' scores.

# %%
ALPHA = 0.05 / 6  # Bonferroni: 2 concepts x 3 classes


def significance(scores: dict) -> pd.DataFrame:
    """Mean TCAV score per class and concept, the random CAVs' mean, the t-test's p-value."""
    rows = []
    for k, by_name in scores.items():
        for name in concept_images:
            p = ttest_ind(by_name[name].numpy(), by_name["random"].numpy()).pvalue
            rows.append({"class": CONCEPT_CLASSES[k], "concept": name,
                         "TCAV": by_name[name].mean().item(),
                         "random CAVs": by_name["random"].mean().item(), "p": p,
                         "significant": p < ALPHA})
    return pd.DataFrame(rows)


our_scores = {k: {name: tcav_scores(layer_gradients(cnn, LAYER, class_inputs[k], k), cavs)
                  for name, cavs in our_cavs.items()} for k in range(3)}
ridge_table = significance(our_scores)
print(ridge_table.round(4).to_string(index=False))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The library: `captum.concept.TCAV`
#
# captum wraps each set in a `Concept` (an id, a name and a data loader), stores activations
# and CAVs on disk (`save_path`, here a temporary folder) and trains the CAV with any
# `Classifier`. Its default is scikit-learn's `SGDClassifier` on a random train/test split; we
# hand it our `fit_cav` instead, so that the two pipelines must agree number for number: what is
# compared is captum's activations, gradients, CAV bookkeeping and scores against ours.

# %%
from captum.concept import TCAV, Classifier, Concept
from captum.concept._utils.common import concepts_to_str


class RidgeCAV(Classifier):
    """captum's classifier interface around ``fit_cav``: the rows of ``weights`` are the CAVs
    pointing at each of the two concepts, in the order the concepts were given."""

    def __init__(self) -> None:
        self.cav, self.ids = None, None

    def train_and_eval(self, dataloader, **kwargs) -> dict:
        x, y = (torch.cat(parts) for parts in zip(*dataloader, strict=True))
        self.ids = list(dict.fromkeys(y.tolist()))  # concept ids in order of appearance
        self.cav = fit_cav(x[y == self.ids[0]], x[y == self.ids[1]])
        return {}

    def weights(self) -> torch.Tensor:
        return torch.stack([self.cav, -self.cav])

    def classes(self) -> list[int]:
        return self.ids


# %% [markdown]
# The concepts and the experimental sets, as captum wants them, and one `interpret` call per
# class.

# %%
def as_concept(identifier: int, name: str, images: np.ndarray) -> Concept:
    return Concept(identifier, name, torch.utils.data.DataLoader(torch.from_numpy(images),
                                                                 batch_size=len(images)))


captum_concepts = {name: as_concept(i, name, x) for i, (name, x) in
                   enumerate(concept_images.items())}
captum_concepts.update({j: as_concept(10 + j, f"random_{j}", x)
                        for j, x in enumerate(random_images)})
experiments = {name: [[captum_concepts[a], captum_concepts[b]] for a, b in pairs]
               for name, pairs in PAIRS.items()}
with tempfile.TemporaryDirectory() as cav_dir:
    tcav = TCAV(cnn, [LAYER], classifier=RidgeCAV(), save_path=cav_dir)
    all_sets = [s for sets in experiments.values() for s in sets]
    captum_out = {k: tcav.interpret(class_inputs[k], all_sets, target=k) for k in range(3)}
    captum_cavs = {name: torch.stack([tcav.cavs[concepts_to_str(s)][LAYER].stats["weights"][0]
                                      for s in sets]) for name, sets in experiments.items()}

# %% [markdown]
# The comparison: the CAVs, and every score of every class.

# %%
cav_gap = max((captum_cavs[n].float() - our_cavs[n]).abs().max().item() for n in PAIRS)
score_gap = max((torch.stack([captum_out[k][concepts_to_str(s)][LAYER]["sign_count"][0]
                              for s in experiments[n]]) - our_scores[k][n]).abs().max().item()
                for k in range(3) for n in PAIRS)
print(f"captum vs from scratch: CAVs within {cav_gap:.1e}, TCAV scores within {score_gap:.1e}")

# %%
assert cav_gap < 1e-6 and score_gap == 0

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The significance test with captum's default classifier
#
# The usual way to run TCAV is captum's default: scikit-learn's `SGDClassifier` trained on a
# random two thirds of each pair of sets (seeded by `setup_notebook`). Its CAVs are noisier than
# the ridge discriminant's, and the t-test sees that noise. Here is the test as a user of the
# library would run it, on the same 60 pairs of sets.

# %%
with tempfile.TemporaryDirectory() as cav_dir:
    default_tcav = TCAV(cnn, [LAYER], save_path=cav_dir)
    default_out = {k: default_tcav.interpret(class_inputs[k], all_sets, target=k)
                   for k in range(3)}
default_scores = {k: {name: torch.stack([default_out[k][concepts_to_str(s)][LAYER]["sign_count"][0]
                                         for s in sets]) for name, sets in experiments.items()}
                  for k in range(3)}
tcav_table = significance(default_scores)
print(tcav_table.round(4).to_string(index=False))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The checks the planted data make possible: the checkerboard is significant for its class and
# for no other, and the grey square, present as often, is significant for none.

# %%
significant = tcav_table.set_index(["concept", "class"])["significant"]
assert significant["checkerboard", "checkerboard"]
assert not significant["checkerboard", "warm"] and not significant["checkerboard", "cool"]
assert not significant["square"].any()
assert tcav_table.set_index(["concept", "class"]).loc[("checkerboard", "checkerboard"),
                                                      "TCAV"] > 0.95

# %% [markdown] slideshow={"slide_type": "subslide"}
# The scores as bars: each concept's mean over its 20 CAVs with their spread, beside the random
# CAVs'. The null distribution is wide: a random direction still picks some consistent sign.

# %%
fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
for offset, name in zip((-0.27, 0, 0.27), ("checkerboard", "square", "random"), strict=True):
    means = [default_scores[k][name].mean().item() for k in range(3)]
    spreads = [default_scores[k][name].std().item() for k in range(3)]
    ax.bar(np.arange(3) + offset, means, 0.25, yerr=spreads, capsize=3, label=name)
for k in range(3):
    for name, offset in (("checkerboard", -0.27), ("square", 0)):
        if significant[name, CONCEPT_CLASSES[k]]:
            ax.text(k + offset, 1.05, "*", ha="center", fontsize="x-large")
ax.set_xticks(range(3), [f"class {CONCEPT_CLASSES[k]}" for k in range(3)])
ax.set(ylabel="TCAV score (mean ± sd over CAVs)", ylim=(0, 1.2),
       title="TCAV at features.pool2, captum's default CAVs (* = significant, p < 0.05 / 6)")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# With captum's default classifier the t-test finds what was planted: the checkerboard is
# significant for its class (TCAV 1.000 against 0.498 for random CAVs, $p < 10^{-4}$) and for
# neither tint class (p = 0.733 and 0.047, both above $0.05/6$), and the grey square is
# significant for no class (p = 0.367, 0.768 and 0.632). Our ridge CAVs, fed through the very
# same test, disagree on the square: 0.968 for "warm" and 0.004 for "checkerboard", both
# "significant". The ridge discriminant finds the square's direction consistently, every CAV
# nearly the same, so the t-test sees no spread; the SGD CAVs scatter, and the same directional
# derivatives then look like chance. A consistent direction is not the same as a used one: the
# square is in the activations (the CAV finds it), and a step along it changes the logits
# locally, yet it never decides a label.
#
# > **Pitfalls.** A TCAV score is a statement about a *direction in one layer*, not about what
# > the model needs. (1) The significance test depends on how noisy the CAVs are: a classifier
# > with less variance makes more concepts "significant" (above). (2) Concept sets that differ
# > from the random sets in anything besides the concept put that difference into the CAV;
# > we matched the other concept's rate for that reason. (3) After the last nonlinearity every
# > image has the same directional derivative, so the score is 0 or 1 for all. (4) Many
# > concepts × classes × layers need a multiple-testing correction.
#
# **Pros and cons.** TCAV speaks in human concepts, needs no retraining and gives a test with a
# p-value. But the concepts must be chosen and collected by hand, the answer depends on the
# layer, the random sets and the CAV classifier, and a significant score shows sensitivity, not
# that the concept caused the prediction (only the planted data tell us that here).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("15.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: Another layer
#
# Run the from-scratch pipeline (ridge CAVs, `tcav_scores`, `significance`) at `features.pool1`
# (16 channels, 16 × 16) instead of `features.pool2`. Is the checkerboard still found for its
# class? What happens to the square?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: only the layer changes: the concept and random sets, the classes and the test stay.
# Hint: layer_activations and layer_gradients take the layer's name; build the CAVs for PAIRS
#   with fit_cav on the new layer's activations, score them with tcav_scores and pass the
#   scores to significance.
# Hint: start with pool1 = {key: layer_activations(cnn, "features.pool1", ...) for key in
#   [*concept_images, *range(N_RANDOM + 1)]}.
pool1 = {key: layer_activations(cnn, "features.pool1", torch.from_numpy(
    concept_images[key] if isinstance(key, str) else random_images[key]))
    for key in [*concept_images, *range(N_RANDOM + 1)]}
pool1_cavs = {name: torch.stack([fit_cav(pool1[a], pool1[b]) for a, b in pairs])
              for name, pairs in PAIRS.items()}
pool1_scores = {k: {name: tcav_scores(layer_gradients(cnn, "features.pool1", class_inputs[k], k),
                                      cavs) for name, cavs in pool1_cavs.items()}
                for k in range(3)}
pool1_table = significance(pool1_scores)
print(pool1_table.round(4).to_string(index=False))
assert pool1_table.set_index(["concept", "class"]).loc[("checkerboard", "checkerboard"),
                                                       "TCAV"] > 0.9

# %% slideshow={"slide_type": "fragment"}
check("15.1", table=pool1_table)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: The magnitude score
#
# captum also returns a `magnitude` score: the mean of the directional derivatives themselves,
# not the share of positive ones. Test the checkerboard and the square for the checkerboard
# class with the magnitude scores of `default_out`. Does the verdict change?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the magnitude score of each experiment is already in default_out, next to the sign
#   score; collect one per CAV for each concept and for the random CAVs.
# Hint: default_out[k][concepts_to_str(s)][LAYER]["magnitude"][0] for each set s of
#   experiments[name], with k = 2 (the checkerboard class); compare with ttest_ind.
# Hint: start with magnitude = {name: np.array([... for s in sets]) for name, sets in
#   experiments.items()}.
magnitude = {name: np.array([default_out[2][concepts_to_str(s)][LAYER]["magnitude"][0].item()
                             for s in sets]) for name, sets in experiments.items()}
for name in concept_images:
    p = ttest_ind(magnitude[name], magnitude["random"]).pvalue
    print(f"{name}: mean magnitude {magnitude[name].mean():.4f} against "
          f"{magnitude['random'].mean():.4f} for random CAVs, p = {p:.2g}")
assert magnitude["checkerboard"].mean() > magnitude["random"].mean()

# %% slideshow={"slide_type": "fragment"}
check("15.2", magnitude=magnitude)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A **CAV** is the normal of a linear boundary between a concept's activations and random
#   activations in one layer; the **TCAV score** is the share of a class's images whose logit
#   rises along it. From scratch (hook, ridge discriminant, layer gradient) it equals
#   `captum.concept.TCAV` given the same classifier, CAVs and scores exactly.
# - On the planted data, captum's default TCAV with a t-test against 20 random CAVs finds the
#   checkerboard for its class and for no other, and the present-but-unused grey square for
#   none; a lower-variance CAV classifier makes the square "significant": the test measures a
#   direction's consistency as much as its use.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Kim, B., Wattenberg, M., Gilmer, J., Cai, C., Wexler, J., Viégas, F., & Sayres, R. (2018).
#   Interpretability beyond feature attribution: quantitative testing with concept activation
#   vectors (TCAV). *ICML 2018*. https://arxiv.org/abs/1711.11279
# - captum: `captum.concept.TCAV`. https://captum.ai/api/concept.html
# - Olah, C., Mordvintsev, A., & Schubert, L. (2017). Feature visualization. *Distill*.
#   https://distill.pub/2017/feature-visualization/
# - Bau, D., Zhou, B., Khosla, A., Oliva, A., & Torralba, A. (2017). Network dissection:
#   quantifying interpretability of deep visual representations. *CVPR 2017*.
#   https://arxiv.org/abs/1704.05796
# - Bach, S., Binder, A., Montavon, G., Klauschen, F., Müller, K.-R., & Samek, W. (2015). On
#   pixel-wise explanations for non-linear classifier decisions by layer-wise relevance
#   propagation. *PLoS ONE*. https://doi.org/10.1371/journal.pone.0130140
# - Montavon, G., Binder, A., Lapuschkin, S., Samek, W., & Müller, K.-R. (2019). Layer-wise
#   relevance propagation: an overview. In *Explainable AI*, Springer.
#   https://doi.org/10.1007/978-3-030-28954-6_10
# - Anders, C. J., Neumann, D., Samek, W., Müller, K.-R., & Lapuschkin, S. (2021). Software for
#   dataset-wide XAI: from local explanations to global insights with Zennit, CoRelAy, and
#   ViRelAy. https://arxiv.org/abs/2106.13200
