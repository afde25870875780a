# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Gradient methods: saliency, Integrated Gradients, DeepLift and guided backprop
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/05_gradient_methods.ipynb)
#
# A network is differentiable, so we can ask it directly which pixels its score is sensitive
# to. This notebook builds the family of gradient-based explanations from that one idea. It
# writes the **vanilla gradient** with autograd, shows why a gradient can be zero exactly where a
# feature matters (**saturation**), then repairs the map step by step: **gradient × input**,
# **SmoothGrad**, **Integrated Gradients** (with its completeness axiom and the convergence
# delta that checks it), the choice of **baseline**, **GradientShap**, **DeepLift** and
# **DeepLiftShap**, and the modified backward passes of **deconvnet** and **guided backprop**.
# Every method is written from scratch and asserted equal to `captum`, and two places where
# `captum` silently gives a wrong answer on our pretrained CNN are measured, explained and
# fixed. The notebook ends with an **adversarial example** (FGSM) and one comparison of all
# methods on the same photos.
#
# **Run time:** about 60 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Compute a saliency map with `requires_grad` and `backward`, and reproduce it with
#   `captum.attr.Saliency`.
# - Explain saturation with a two-input toy neuron and say which methods it breaks.
# - Implement SmoothGrad and Integrated Gradients from scratch, match them to `captum` (and
#   SmoothGrad to PAIR's `saliency`) under the same random noise and the same Riemann sum, and
#   read IG's convergence delta.
# - Choose a baseline for a model whose inputs live in $[-1, 1]$, and predict which pixels a
#   black baseline can never credit.
# - State DeepLift's Rescale rule and its summation-to-delta property, and check it.
# - Write the ReLU rules of backprop, deconvnet and guided backprop, implement them with hooks,
#   and recognise when a library's implementation does not apply to your model.
# - Build an FGSM adversarial example and measure what it does to a saliency map.
#
# ## Prerequisites
#
# - [Notebook 00](00_introduction.ipynb) (notation $f$, $x$, $x'$, $\phi_i$, completeness) and
#   [notebook 04](04_shap.ipynb) (Shapley values: the SHAP methods here approximate them).
# - PyTorch basics: tensors, `nn.Module`, autograd (`backward`, `.grad`), forward hooks.
# - Partial derivatives and the chain rule; what a convolution and a ReLU do.

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
# ## 1. The model, the photos and what we explain
#
# We explain the course's pretrained EfficientNet-Lite0 on three photos: the cat, the espresso
# and the astronaut portrait ([notebook 00](00_introduction.ipynb) wondered why the model calls
# the last one a bobsled). For each photo the **target** is the model's top-1 class $c$, and the
# quantity we explain is its **logit** $f_c(x)$, the score before the softmax. Logits are the
# usual choice for gradient methods: a softmax probability also depends on all the other 999
# scores, so its gradient mixes "more $c$" with "less of everything else".
#
# One fact about the input matters throughout: EfficientNet-Lite was trained on pixels scaled
# to $[-1, 1]$ (mean = std = 0.5 per channel). A pixel value $p \in [0, 1]$ enters the model as
# $x = 2p - 1$: black is $-1$, mid-grey is $0$, white is $+1$.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch

from utils.data import load_photo
from utils.env import progress
from utils.evaluation import rank_correlation
from utils.images import normalize_map
from utils.models import load_image_classifier, top_k
from utils.plotting import map_grid

# captum reminds us on every call that it switched on requires_grad for our inputs; we know.
warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
warnings.filterwarnings("ignore", message="Setting (forward, )?backward hooks")

image_model = load_image_classifier(device=DEVICE)
model = image_model.model
categories = image_model.categories
PHOTOS = ("chelsea", "coffee", "astronaut")
photos = {name: load_photo(name) for name in PHOTOS}
inputs = torch.cat([image_model.preprocess(photo) for photo in photos.values()])
with torch.no_grad():
    logits = model(inputs)
targets = logits.argmax(dim=1)
for name, row in zip(PHOTOS, logits, strict=True):
    (first, p_first), (second, p_second) = top_k(row.softmax(0), categories, k=2)
    print(f"{name:10s} target: {first!r} (p = {p_first:.2f}, logit {row.max():.2f}); "
          f"runner-up {second!r} (p = {p_second:.2f})")
print(f"model input {tuple(inputs.shape)}, values in [{inputs.min():.2f}, {inputs.max():.2f}]")
assert inputs.min() >= -1 and inputs.max() <= 1
assert categories[int(targets[1])] == "espresso"

# %% [markdown]
# A helper and a figure function serve the whole notebook. `as_map` turns an attribution of shape
# $(3, H, W)$ into a displayable $(H, W)$ map: the largest magnitude over the three colour
# channels, scaled to $[0, 1]$ after clipping at the 99th percentile (`utils.images.normalize_map`),
# so a handful of extreme pixels cannot wash out the rest. (Taking the largest channel follows
# Simonyan et al. (2014) and is a display choice; notebook 07, which adds attribution up into
# scores, sums |·| over the channels instead.) `utils.plotting.map_grid` draws one row per
# photo: the photo, then one panel per map.
# Every map in this notebook is drawn the same way, so the columns of a figure are comparable;
# bright means a large attribution, whatever its sign.

# %%
def as_map(attribution: torch.Tensor) -> np.ndarray:
    """(3, H, W) or (1, 3, H, W) attribution -> (H, W) map in [0, 1]: max |.| over channels."""
    return normalize_map(attribution.detach().cpu(), reduce="max_abs")


display_images = [np.asarray(photo) for photo in photos.values()]
row_titles = [f"{name}: {categories[int(t)]}" for name, t in zip(PHOTOS, targets, strict=True)]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The vanilla gradient
#
# ### Intuition
#
# Nudge one pixel a little: how much does the class score move? For a differentiable model the
# answer, for every pixel at once, is the gradient of the score with respect to the input.
# Pixels with a large gradient are those the score is most *sensitive* to (Simonyan et al.,
# 2014). One backward pass, the same one that training uses, gives the whole map.
#
# ### Math
#
# Near $x$, the logit is approximately linear (first-order Taylor expansion):
#
# $$f_c(x + \varepsilon) \approx f_c(x) + \nabla_x f_c(x)^\top \varepsilon .$$
#
# The saliency of pixel $(i, j)$, its attribution $\phi_{ij}$, is the largest gradient magnitude
# over its colour channels $k$:
#
# $$\phi_{ij} = \max_k \left| \frac{\partial f_c}{\partial x_{kij}}(x) \right| .$$
#
# ### From scratch
#
# Ask autograd to track the input (`requires_grad_`), run the model, pick the target logit of
# each photo, and call `backward`. Because the model is in evaluation mode the rows of a batch
# do not interact, so summing the three target logits and back-propagating once gives each
# photo its own gradient.

# %%
x = inputs.clone().requires_grad_(True)  # track gradients with respect to the pixels
target_logits = model(x).gather(1, targets[:, None])  # f_c(x) of each photo, shape (3, 1)
target_logits.sum().backward()  # fills x.grad with d f_c / d x, row by row
gradient = x.grad.detach()  # (3, 3, 224, 224): one number per pixel and channel
saliency_ours = gradient.abs().amax(dim=1)  # (3, 224, 224): max |gradient| over channels
print(f"gradient shape {tuple(gradient.shape)}; largest |d f/d x| per photo: "
      + ", ".join(f"{v:.3f}" for v in gradient.abs().amax(dim=(1, 2, 3)).tolist()))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The library call
#
# `captum.attr.Saliency` does exactly this (with `abs=True`, its default, it returns the
# absolute gradient per channel); we take the same channel maximum. (Older captum tutorials
# open such maps in Captum Insights, a browser dashboard; it has been removed from captum, so
# the course draws static figures.)

# %%
from captum.attr import Saliency

saliency_lib = Saliency(model).attribute(inputs, target=targets, abs=True).amax(dim=1)
print(f"largest difference, from scratch vs captum: "
      f"{(saliency_ours - saliency_lib).abs().max().item():.2e}")
assert torch.allclose(saliency_ours, saliency_lib, rtol=0, atol=1e-7)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How noisy is the map?
#
# Seen as an image, a gradient map is speckled: neighbouring pixels can get very different
# values. A direct way to measure this is to add faint Gaussian noise to each photo (standard
# deviation 4/255 of the pixel range, invisible to us; in model units that is 8/255, since
# $x = 2p - 1$), recompute the gradient of the same target logit, and compare the two maps
# with the Spearman rank correlation of their pixels (1 = the same ranking;
# `utils.evaluation.rank_correlation`, which [notebook 07](07_sanity_checks.ipynb) uses for its
# sanity checks).
#
# The cell also defines `logit_gradients`, the same four steps as above run over any stack of
# inputs in chunks of four images. Small batches are the fastest way through EfficientNet on a
# CPU (larger batches spend their time moving activations through memory), and every method
# below spends its time in this function.

# %%
CHUNK = 4  # images per forward/backward pass


def logit_gradients(model, points, target, chunk=CHUNK):
    """Gradients of the target logit at every row of `points`, and all the logits there.
    `target` is one class index for all rows or one per row."""
    target = torch.as_tensor(target, device=points.device).expand(len(points))
    grads, all_logits = [], []
    for rows, row_targets in zip(points.split(chunk), target.split(chunk), strict=True):
        rows = rows.detach().clone().requires_grad_(True)
        row_logits = model(rows)
        row_logits.gather(1, row_targets[:, None]).sum().backward()
        grads.append(rows.grad)
        all_logits.append(row_logits.detach())
    return torch.cat(grads), torch.cat(all_logits)


NOISE_STD_PIXELS = 4 / 255
pixel_noise = torch.randn(inputs.shape, generator=torch.Generator().manual_seed(0))
noisy_inputs = (inputs + 2 * NOISE_STD_PIXELS * pixel_noise.to(DEVICE)).clamp(-1, 1)
noisy_gradient, noisy_logits = logit_gradients(model, noisy_inputs, targets)
gradient_stability = [rank_correlation(as_map(a), as_map(b))
                      for a, b in zip(gradient, noisy_gradient, strict=True)]
for name, rho, label in zip(PHOTOS, gradient_stability, noisy_logits.argmax(dim=1),
                            strict=True):
    print(f"{name:10s} rank correlation, gradient map vs gradient map of the noisy copy: "
          f"{rho:.2f} (noisy copy classified as {categories[int(label)]!r})")
assert torch.equal(noisy_logits.argmax(dim=1)[:2], targets[:2]), "cat and espresso unchanged"
assert noisy_logits[2].argmax() != targets[2], "the astronaut's near-tie flips"

fig = map_grid(display_images,
               [[as_map(g), as_map(n)] for g, n in zip(gradient, noisy_gradient, strict=True)],
               ["gradient |∂f/∂x|", "gradient of photo + faint noise"], row_titles=row_titles,
               suptitle="Vanilla gradient: sensitive, speckled and unstable")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The maps follow the objects only loosely (the cup and the rim of the saucer, the astronaut's
# face and helmet; on the cat, little more than speckle), and the rank correlations printed
# above show how much of the ranking changes under noise nobody can see. The cat and the
# espresso keep their labels; the astronaut's top two classes are nearly tied (section 1), so
# even this noise swaps them, a first hint of how little it can take to move a prediction
# (section 10). The gradient describes the score's *local* slope, and the slope of a deep
# ReLU-style network changes abruptly from one input to the next: tiny moves cross the kinks
# of many activations.
#
# > **Pitfall.** A gradient answers "which pixels would change the score if nudged?", not
# > "which pixels produced the score?". The two differ as soon as the model is non-linear, and
# > the next section shows a case where they differ completely. Taking the absolute value (as
# > `Saliency` does by default) also throws away the direction of the effect.
#
# | pros | cons |
# |---|---|
# | one backward pass; exact, no parameters | noisy; unstable under invisible noise |
# | works for any differentiable model | sensitivity, not contribution; blind to saturation |
# | the building block of every method below | the absolute value hides the sign |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Saturation, and gradient × input
#
# ### A toy neuron that saturates
#
# Take a unit with two inputs and output $f(x) = \min(1,\ x_1 + x_2)$ (Shrikumar et al., 2017).
# At $x_1 = x_2 = 1$ the output is 1, and at $x_1 = x_2 = 0$ it is 0, so the two inputs together
# are responsible for the whole change. What do the gradient and the simplest perturbation
# test (remove one input at a time) say?

# %%
def saturating(i: torch.Tensor) -> torch.Tensor:
    """The toy unit f(x) = min(1, x1 + x2), for inputs of shape (..., 2)."""
    return torch.clamp(i.sum(dim=-1), max=1.0)


point = torch.tensor([1.0, 1.0], requires_grad=True)
y = saturating(point)
y.backward()
with torch.no_grad():
    removals = {"x1 removed": saturating(torch.tensor([0.0, 1.0])),
                "x2 removed": saturating(torch.tensor([1.0, 0.0])),
                "both removed": saturating(torch.tensor([0.0, 0.0]))}
print(f"f(1, 1) = {y.item():.1f}; gradient = {point.grad.tolist()}; "
      f"gradient x input = {(point.grad * point).tolist()}")
print(", ".join(f"{k}: f = {v.item():.1f}" for k, v in removals.items()))
assert y.item() == 1.0 and removals["both removed"].item() == 0.0
assert point.grad.eq(0).all(), "the gradient is zero although the inputs carry the output"
assert removals["x1 removed"].item() == removals["x2 removed"].item() == 1.0

# %% [markdown]
# The gradient is exactly zero, and removing either input alone changes nothing: both tests
# conclude that neither input matters, yet together they move the output from 0 to 1. This is
# **saturation**: once the unit is at its ceiling, the local slope is flat and a redundant
# input can be taken away without effect. Real networks are full of such units (ReLUs switched
# off, ReLU6 at their cap, sigmoids near 0 or 1), and a confident prediction is often a
# saturated one.
#
# Walking from $(0, 0)$ to $(1, 1)$ in a straight line shows where the information is: the
# gradient is 1 on the first half of the way and 0 on the second. Its *average* along the way,
# one half per input (the printed average of 201 sampled points is close to it), is what
# Integrated Gradients (section 5) will use.

# %% slideshow={"slide_type": "subslide"}
alphas_toy = torch.linspace(0, 1, 201)
walk = (alphas_toy[:, None] * torch.ones(2)).requires_grad_(True)
saturating(walk).sum().backward()
slope_i1 = walk.grad[:, 0]
print(f"average of df/dx1 along the straight path: {slope_i1.mean().item():.3f}")

fig, ax = plt.subplots(figsize=(8, 4.2))
ax.plot(alphas_toy, saturating(walk).detach(), lw=3, label="output $f = \\min(1, x_1 + x_2)$")
ax.plot(alphas_toy, slope_i1, lw=3, ls="--", label="gradient $\\partial f / \\partial x_1$")
ax.set_xlabel("position on the path $\\alpha$ (input = $\\alpha \\cdot (1, 1)$)")
ax.set_ylabel("value")
ax.set_title("Saturation: the gradient vanishes where the output is full")
ax.legend(loc="center right")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Gradient × input
#
# A cheap improvement multiplies each gradient by its input, $\phi_i = x_i \,\partial f / \partial
# x_i$. For a linear model $f(x) = w^\top x + b$ this gives $\phi_i = w_i x_i$, which adds up to
# $f(x) - f(0)$: a contribution, not a sensitivity. On the toy neuron in its linear regime, at
# $(0.3, 0.4)$, it does the same; at the saturated point it is still zero.

# %%
unsaturated = torch.tensor([0.3, 0.4], requires_grad=True)
saturating(unsaturated).backward()
gxi_toy = (unsaturated * unsaturated.grad).detach()
print(f"at (0.3, 0.4): gradient x input = {gxi_toy.tolist()}, sum {gxi_toy.sum():.2f} "
      f"= f(x) - f(0) = {saturating(unsaturated).item():.2f}")
print(f"at (1, 1): gradient x input = {(point * point.grad).tolist()}")
assert torch.isclose(gxi_toy.sum(), saturating(unsaturated).detach())

# %% [markdown]
# On the photos, from scratch it is one multiplication of the gradient we already have;
# `captum.attr.InputXGradient` is the library version.

# %%
from captum.attr import InputXGradient

gxi_ours = inputs * gradient
gxi_lib = InputXGradient(model).attribute(inputs, target=targets)
print(f"largest difference, from scratch vs captum: {(gxi_ours - gxi_lib).abs().max().item():.2e}")
assert torch.allclose(gxi_ours, gxi_lib, rtol=0, atol=1e-7)

# The same network fed pixels p in [0, 1] (first layer computing 2p - 1 itself) has
# df/dp = 2 df/dx, so its gradient x input is p * 2 df/dx = (x + 1) * df/dx.
gxi_pixels = (inputs + 1) * gradient
shift_effect = [rank_correlation(as_map(a), as_map(b))
                for a, b in zip(gxi_ours, gxi_pixels, strict=True)]
print("gradient x input, [-1, 1] inputs vs [0, 1] inputs to the same function, rank "
      "correlation: " + ", ".join(f"{rho:.2f}" for rho in shift_effect))

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Pitfall.** Gradient × input has a hidden reference point: the input $x = 0$. It gives no
# > attribution to a pixel whose value is zero, and in this model's input space zero is
# > **mid-grey**, not black. Feed the same function pixels in $[0, 1]$ instead (the first
# > layer doing the $2p - 1$ itself) and the map changes, although not one prediction does:
# > the printed rank correlations between the two versions are far from 1 (Kindermans et al.,
# > 2019, make this point). Section 6 makes reference points explicit: they are called
# > baselines.
#
# | pros | cons |
# |---|---|
# | as cheap as the gradient; exact for linear models | still zero on saturated features |
# | sharper maps that weight strong pixels | silently depends on where the input's zero is |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. SmoothGrad
#
# ### Intuition and math
#
# If the gradient flickers from one input to its neighbour, average it over a neighbourhood.
# SmoothGrad (Smilkov et al., 2017) adds Gaussian noise to the input $n$ times and averages the
# gradients:
#
# $$\phi^{\mathrm{SG}}(x) = \frac{1}{n} \sum_{k=1}^{n} \nabla_x f_c\big(x + \varepsilon_k\big),
# \qquad \varepsilon_k \sim \mathcal N(0, \sigma^2 I), \qquad
# \sigma = \text{noise level} \times (x_{\max} - x_{\min}).$$
#
# The paper expresses $\sigma$ as a fraction of the input's range and finds 10–20 % and
# $n \approx 50$ to work well. We use a 15 % level and $n = 16$ samples per photo to stay
# within this notebook's time budget; more samples give smoother maps.
#
# ### From scratch
#
# The function below draws the noise from torch's global generator, four samples at a time,
# and averages the raw gradients (the absolute value is taken only for display, as in the
# paper).

# %%
NOISE_LEVEL = 0.15
SMOOTHGRAD_SAMPLES = 16
SEED = 0


def smoothgrad(model, x, target, n_samples=SMOOTHGRAD_SAMPLES, noise_level=NOISE_LEVEL,
               chunk=CHUNK):
    """Average gradient of f_target over n_samples noisy copies of one image x (1, C, H, W)."""
    sigma = noise_level * (x.max() - x.min()).item()
    total = torch.zeros_like(x)
    for start in range(0, n_samples, chunk):
        size = min(chunk, n_samples - start)
        noisy = x + sigma * torch.randn((size, *x.shape[1:]), device=x.device)
        grads, _ = logit_gradients(model, noisy, target, chunk)
        total += grads.sum(dim=0, keepdim=True)
    return total / n_samples, sigma


torch.manual_seed(SEED)
smooth_ours, sigma = smoothgrad(model, inputs[:1], int(targets[0]))
print(f"noise level {NOISE_LEVEL:.0%} of the input range -> sigma = {sigma:.3f} in model units "
      f"({sigma / 2:.3f} of the pixel range), {SMOOTHGRAD_SAMPLES} samples")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The library call, under the same noise
#
# `captum.attr.NoiseTunnel` wraps any attribution method; with `nt_type="smoothgrad"` it
# averages that method over noisy copies. Its `stdevs` is an absolute standard deviation, so we
# pass the $\sigma$ computed above. It draws its noise from the same global generator, one
# batch of `nt_samples_batch_size` copies at a time, so seeding torch identically before both
# calls makes them use the same $\varepsilon_k$ and the results must agree to float precision.

# %%
from captum.attr import NoiseTunnel

torch.manual_seed(SEED)
smooth_lib = NoiseTunnel(Saliency(model)).attribute(
    inputs[:1], nt_type="smoothgrad", nt_samples=SMOOTHGRAD_SAMPLES, nt_samples_batch_size=CHUNK,
    stdevs=sigma, target=int(targets[0]), abs=False)
print(f"largest difference, from scratch vs captum: "
      f"{(smooth_ours - smooth_lib).abs().max().item():.2e} "
      f"(largest value {smooth_lib.abs().max().item():.3f})")
assert torch.allclose(smooth_ours, smooth_lib, rtol=1e-4, atol=1e-6)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same method in PAIR's `saliency` package
#
# The lecture this course follows computes SmoothGrad with Google PAIR's `saliency` library.
# Its `saliency.core` knows no framework: we hand it a **call_model_function** that takes a
# numpy batch and returns the gradients it asks for (`utils.saliency.pair_call_model_function`
# wraps our torch model), and `GradientSaliency().GetSmoothedMask` does the rest, with the same
# $\sigma$ as a fraction of the input range. Two differences from captum decide whether the
# maps can be compared at all:
#
# - PAIR draws its noise from **numpy's** global generator, one `np.random.normal(0, σ, x.shape)`
#   per sample, in float64, and calls the model one noisy image at a time;
# - by default (`magnitude=True`) it averages the **squared** gradients, not the gradients.
#
# So we seed numpy, let PAIR run, then reseed numpy and draw the same $\varepsilon_k$ in PAIR's
# order for our own average. Four samples suffice here: the check is that each noisy copy and
# its gradient are the same in both, and a mismatch in any one of them would show at once.

# %%
from saliency.core import GradientSaliency

from utils.saliency import pair_call_model_function

PAIR_SAMPLES = 4
cat_call = pair_call_model_function(model, int(targets[0]))  # numpy in, gradients out
x_cat_np = inputs[0].cpu().numpy()  # (3, 224, 224): PAIR explains one image, no batch axis
np.random.seed(SEED)
smooth_pair = GradientSaliency().GetSmoothedMask(x_cat_np, cat_call, stdev_spread=NOISE_LEVEL,
                                                 nsamples=PAIR_SAMPLES, magnitude=False)
np.random.seed(SEED)
smooth_pair_squared = GradientSaliency().GetSmoothedMask(
    x_cat_np, cat_call, stdev_spread=NOISE_LEVEL, nsamples=PAIR_SAMPLES)  # magnitude=True

# %% [markdown]
# Our SmoothGrad under PAIR's draws: reseed numpy, draw the four $\varepsilon_k$ in PAIR's order,
# add them in float64 as PAIR does, and average the gradients with `logit_gradients`.

# %%
np.random.seed(SEED)
pair_noise = np.stack([np.random.normal(0, sigma, x_cat_np.shape) for _ in range(PAIR_SAMPLES)])
pair_noisy = torch.as_tensor(x_cat_np + pair_noise, dtype=torch.float32, device=DEVICE)
pair_grads, _ = logit_gradients(model, pair_noisy, int(targets[0]))
smooth_ours_pair_noise = pair_grads.mean(dim=0).cpu().numpy()
squared_ours = (pair_grads ** 2).mean(dim=0).cpu().numpy()
print(f"largest difference, ours vs PAIR (magnitude=False): "
      f"{np.abs(smooth_pair - smooth_ours_pair_noise).max():.2e} "
      f"(largest value {np.abs(smooth_pair).max():.3f})")
print(f"largest difference, mean of our squared gradients vs PAIR's default (magnitude=True): "
      f"{np.abs(smooth_pair_squared - squared_ours).max():.2e}")
squared_vs_plain = rank_correlation(as_map(torch.as_tensor(smooth_pair)),
                                    as_map(torch.as_tensor(smooth_pair_squared)))
print(f"rank correlation of PAIR's two maps (gradients vs squared gradients): "
      f"{squared_vs_plain:.2f}")

# %%
assert np.allclose(smooth_pair, smooth_ours_pair_noise, rtol=1e-4, atol=1e-6), "PAIR = ours"
assert np.allclose(smooth_pair_squared, squared_ours, rtol=1e-4, atol=1e-9), "mean of squares"
assert (smooth_pair_squared >= 0).all() and (smooth_pair < 0).any(), "squaring drops the sign"
assert squared_vs_plain < 0.99, "and changes the map"

# %% [markdown]
# PAIR's SmoothGrad equals ours under its noise, and ours equals captum's `NoiseTunnel` under
# torch's noise (asserted above): the three compute the same average, and only the random
# generator differs. The two libraries cannot be given one seed (PAIR draws with numpy, captum
# with torch); feeding identical $\varepsilon_k$ means reproducing the draws, as done here.
#
# > **Pitfall.** PAIR's default `magnitude=True` returns the mean of the **squared** gradients:
# > every value is non-negative (asserted), the sign is gone, and large gradients weigh
# > quadratically, so its map is not the one captum or the paper's equation gives (the rank
# > correlation printed above is below 1). Pass `magnitude=False` to compare, and say which you
# > drew.

# %% [markdown]
# Now SmoothGrad for the other two photos, and a repeat of the stability test of section 2 on
# the cat: SmoothGrad of the faintly noisy copy against SmoothGrad of the photo (same seed, so
# only the faint noise differs).

# %% slideshow={"slide_type": "subslide"}
smooth_maps = [smooth_ours]
for i in progress(range(1, len(PHOTOS)), "SmoothGrad, coffee and astronaut"):
    smooth_maps.append(smoothgrad(model, inputs[i:i + 1], int(targets[i]))[0])
smooth_maps = torch.cat(smooth_maps)

torch.manual_seed(SEED)
smooth_noisy_cat, _ = smoothgrad(model, noisy_inputs[:1], int(targets[0]))
smooth_stability = rank_correlation(as_map(smooth_ours), as_map(smooth_noisy_cat))
print(f"chelsea, rank correlation under the faint noise: gradient {gradient_stability[0]:.2f}, "
      f"SmoothGrad {smooth_stability:.2f}")
assert smooth_stability > gradient_stability[0], "averaging makes the map more stable"

noisy_copies = [image_model.to_image(inputs[i:i + 1] + sigma * torch.randn_like(inputs[:1]))
                for i in range(len(PHOTOS))]
fig = map_grid(display_images,
               [[noisy_copies[i], as_map(gradient[i]), as_map(smooth_maps[i])]
                for i in range(len(PHOTOS))],
               ["one noisy copy (15 %)", "gradient", f"SmoothGrad (n = {SMOOTHGRAD_SAMPLES})"],
               row_titles=row_titles, suptitle="SmoothGrad: average the gradient over noisy copies")
plt.show()

# %% [markdown]
# SmoothGrad's maps are visibly calmer: the speckle averages out into broad blobs over the
# cup and its contents and over the astronaut's head and body (the cat's map stays diffuse),
# while the sharp edges of the gradient maps fade (a 15 % noise level blurs them). The
# printout measures the gain in stability: under the faint noise, SmoothGrad keeps more of its
# ranking than the plain gradient does.
#
# > **Pitfall.** SmoothGrad's noise level is a real parameter, not a detail: too little and the
# > map stays noisy, too much and it washes out (the paper sweeps the level). The map changes from
# > one random draw to the next; fix the seed, and report $\sigma$ and $n$ with the map.
#
# | pros | cons |
# |---|---|
# | visibly cleaner, more stable maps | $n$ times the cost of a gradient |
# | works on top of any method (`NoiseTunnel`) | two parameters ($\sigma$, $n$), randomness |
# | | still a sensitivity map: no completeness, saturation remains |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Integrated Gradients
#
# ### Intuition
#
# The toy neuron showed that the gradient at the input can be zero while the gradient on the
# way to the input is not. Integrated Gradients (Sundararajan et al., 2017) walks from a
# **baseline** $x'$, an input that carries no signal, to $x$ along a straight line, and
# accumulates the gradient on the way.
#
# ### Math
#
# $$\phi_i^{\mathrm{IG}}(x) = (x_i - x'_i) \int_0^1
#   \frac{\partial f_c}{\partial x_i}\big(x' + \alpha (x - x')\big)\, d\alpha .$$
#
# By the fundamental theorem of calculus along the path, the attributions satisfy
# **completeness**: $\sum_i \phi_i^{\mathrm{IG}} = f_c(x) - f_c(x')$, the property of
# [notebook 00](00_introduction.ipynb). It is the efficiency axiom of the Shapley values in
# [notebook 04](04_shap.ipynb) in continuous form: IG is the Aumann–Shapley value of
# cost-sharing theory, which shares out a change along a path instead of over coalitions
# (Sundararajan et al., 2017). In practice the integral is a Riemann sum with $m$ steps,
#
# $$\phi_i \approx (x_i - x'_i) \, \frac{1}{m} \sum_{k=1}^{m}
#   \frac{\partial f_c}{\partial x_i}\Big(x' + \tfrac{k}{m} (x - x')\Big),$$
#
# and completeness then holds only approximately. The gap,
# $\delta = \sum_i \phi_i - \big(f_c(x) - f_c(x')\big)$, is what captum calls the
# **convergence delta**: it is free to compute and tells you whether $m$ was large enough.
#
# ### On the toy neuron
#
# With $x' = (0, 0)$ the exact integral gives each input $\tfrac12$, and the two add up to
# $f(1, 1) - f(0, 0) = 1$: saturation is no longer a problem. A right Riemann sum with 100 steps
# gets close; the little it misses is its convergence delta (printed).

# %%
from captum.attr import IntegratedGradients

toy_x, toy_baseline = torch.ones(1, 2), torch.zeros(1, 2)
toy_alphas = torch.arange(1, 101) / 100  # right Riemann sum, m = 100
toy_path = (toy_baseline + toy_alphas[:, None] * (toy_x - toy_baseline)).requires_grad_(True)
saturating(toy_path).sum().backward()
toy_ig = (toy_x - toy_baseline) * toy_path.grad.mean(dim=0, keepdim=True)
toy_ig_lib = IntegratedGradients(saturating).attribute(toy_x, baselines=toy_baseline,
                                                       n_steps=100, method="riemann_right")
toy_delta = toy_ig.sum().item() - (saturating(toy_x) - saturating(toy_baseline)).item()
print(f"IG on the toy, 100 steps: from scratch {toy_ig[0].tolist()}, captum "
      f"{toy_ig_lib[0].tolist()}; sum {toy_ig.sum().item():.3f}, delta {toy_delta:+.3f}")
assert torch.allclose(toy_ig, toy_ig_lib, atol=1e-6)
assert abs(toy_delta) <= 0.02 + 1e-6, "the error of a 100-step sum of a unit step: one or two steps"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### From scratch on the cat
#
# The baseline here is a **black image**. Careful: black is pixel value 0, which this model
# sees as $-1$, so the baseline is `-torch.ones_like(x)`, not `torch.zeros_like(x)` (that would
# be mid-grey; section 6 returns to this).
#
# We compute the gradients once on a fine grid of 65 points, $\alpha = k/64$ for
# $k = 0, \dots, 64$. Every right Riemann sum with $m \in \{2, 4, \dots, 64\}$ steps uses a
# subset of these points, so one set of gradients gives IG at six step counts, and the logits
# on the grid give the prediction along the path for free.

# %%
GRID_STEPS = 64
x_cat, target_cat = inputs[:1], int(targets[0])
black = image_model.preprocess(np.zeros((224, 224, 3), dtype=np.uint8))
assert torch.all(black == -1), "a black image is -1 in this model's input space"

grid_alphas = torch.arange(GRID_STEPS + 1, device=DEVICE) / GRID_STEPS
cat_path = black + grid_alphas.view(-1, 1, 1, 1) * (x_cat - black)
path_grads, path_logits = logit_gradients(model, cat_path, target_cat)
f_x, f_baseline = path_logits[-1, target_cat].item(), path_logits[0, target_cat].item()


def riemann_ig(grads_on_grid, baseline, steps: int) -> torch.Tensor:
    """IG of the cat with the right Riemann sum of `steps` steps, from gradients on the grid."""
    used = torch.arange(1, steps + 1) * (GRID_STEPS // steps)
    return (x_cat - baseline) * grads_on_grid[used].mean(dim=0, keepdim=True)


STEP_COUNTS = (2, 4, 8, 16, 32, 64)
ig_by_steps = {m: riemann_ig(path_grads, black, m) for m in STEP_COUNTS}
deltas = {m: ig.sum().item() - (f_x - f_baseline) for m, ig in ig_by_steps.items()}
print(f"f(x) = {f_x:.3f}, f(black) = {f_baseline:.3f}, f(x) - f(x') = {f_x - f_baseline:.3f}")
for m, d in deltas.items():
    print(f"  m = {m:2d} steps: sum of attributions {ig_by_steps[m].sum().item():7.3f}, "
          f"delta {d:+7.3f} ({abs(d) / (f_x - f_baseline):.0%} of f(x) - f(x'))")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The library call
#
# `captum.attr.IntegratedGradients` with `method="riemann_right"` evaluates the same points
# as our sum with the same number of steps (its default, Gauss–Legendre quadrature, uses
# different points and weights). `return_convergence_delta=True` returns the delta defined
# above. We compare at 8 steps: any $m$ tests the same formula, and a small $m$ keeps the
# check's extra gradients few.

# %%
ig_lib, delta_lib = IntegratedGradients(model).attribute(
    x_cat, baselines=black, target=target_cat, n_steps=8, method="riemann_right",
    internal_batch_size=CHUNK, return_convergence_delta=True)
print(f"largest difference, from scratch vs captum (8 steps): "
      f"{(ig_by_steps[8] - ig_lib).abs().max().item():.2e}; "
      f"captum delta {delta_lib.item():+.4f}, ours {deltas[8]:+.4f}")
assert torch.allclose(ig_by_steps[8], ig_lib, rtol=1e-4, atol=1e-6)
assert abs(delta_lib.item() - deltas[8]) < 1e-3
# completeness, as captum defines it: sum of attributions = f(x) - f(x') + delta
assert abs(ig_lib.sum().item() - (f_x - f_baseline + delta_lib.item())) < 1e-3
assert abs(deltas[64]) < abs(deltas[2]), "more steps, smaller delta"

# %% [markdown]
# The attributions match, and so do the deltas. But look at the deltas themselves: with a
# black baseline the Riemann sum is far from complete at 16 or 32 steps, and only at 64 steps
# does the delta come down, as the table above shows. To see whether this is the model or the
# baseline, we repeat the grid with a second baseline, a heavily blurred copy of the photo
# (Gaussian blur, σ = 10 px; section 6 discusses it). The figures then explain what happens.

# %%
from scipy.ndimage import gaussian_filter

BLUR_SIGMA = 10


def blurred_baseline(photo) -> torch.Tensor:
    """The photo under a strong Gaussian blur, in model space: same colours, no shapes."""
    pixels = np.asarray(photo, dtype=np.float32) / 255
    smooth = gaussian_filter(pixels, sigma=(BLUR_SIGMA, BLUR_SIGMA, 0))
    return image_model.preprocess(smooth.clip(0, 1))


blurred_cat = blurred_baseline(photos["chelsea"])
blur_grads, blur_logits = logit_gradients(
    model, blurred_cat + grid_alphas.view(-1, 1, 1, 1) * (x_cat - blurred_cat), target_cat)
blur_difference = f_x - blur_logits[0, target_cat].item()
ig_blur_by_steps = {m: riemann_ig(blur_grads, blurred_cat, m) for m in STEP_COUNTS}
relative_delta_ig = {
    "black": {m: abs(d) / (f_x - f_baseline) for m, d in deltas.items()},
    "blurred": {m: abs(ig.sum().item() - blur_difference) / blur_difference
                for m, ig in ig_blur_by_steps.items()}}
print(f"blurred baseline: f(x') = {blur_logits[0, target_cat].item():.3f}, "
      f"f(x) - f(x') = {blur_difference:.3f}")
for m in STEP_COUNTS:
    print(f"  m = {m:2d}: |delta| / (f(x) - f(x')) black {relative_delta_ig['black'][m]:6.1%}, "
          f"blurred {relative_delta_ig['blurred'][m]:6.1%}")
assert all(relative_delta_ig["blurred"][m] < relative_delta_ig["black"][m] for m in (16, 32, 64))

# %% slideshow={"slide_type": "subslide"}
path_probs = path_logits.softmax(dim=1)[:, target_cat]
slope = ((x_cat - black) * path_grads).flatten(1).sum(dim=1)  # d f(path) / d alpha
shown_alphas = (0, 2, 4, 8, 16, 32, 64)  # grid indices: alpha = k / 64
reached = int(torch.nonzero(path_logits[:, target_cat] >= 0.9 * f_x)[0])
spike = int(slope.abs().argmax())
print(f"the logit reaches 90% of f(x) at alpha = {reached}/{GRID_STEPS} "
      f"= {reached / GRID_STEPS:.3f}")
print(f"largest |integrand| {slope[spike].item():+.0f} at alpha = {spike}/{GRID_STEPS}; "
      f"beyond alpha = 1/4 it stays within +-{slope[GRID_STEPS // 4:].abs().max().item():.1f}")

fig = plt.figure(figsize=(14, 7.6), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.5])
image_axes = top.subplots(1, len(shown_alphas))
for ax, k in zip(image_axes, shown_alphas, strict=True):
    ax.imshow(image_model.to_image(cat_path[k:k + 1]))
    ax.set_title(f"α = {k}/{GRID_STEPS}", fontsize="medium")
    ax.axis("off")
top.suptitle("The straight path from the black baseline to the photo", fontweight="bold")
left, right = bottom.subplots(1, 2)
left.plot(grid_alphas.cpu(), path_logits[:, target_cat].cpu(), lw=3, label="logit $f_c$")
left.set_xlabel("α")
left.set_ylabel("logit of the target class")
twin = left.twinx()
twin.plot(grid_alphas.cpu(), path_probs.cpu(), lw=2, ls="--", color="tab:orange",
          label="probability")
twin.set_ylabel("probability", color="tab:orange")
twin.grid(False)
left.set_title(f"Prediction along the path ({categories[target_cat]})")
right.plot(grid_alphas.cpu(), slope.cpu(), lw=2, marker="o", ms=4)
right.axhline(0, color="black", lw=0.8)
right.set_xlabel("α")
right.set_ylabel("$(x - x')^\\top \\nabla f_c$ on the path")
right.set_title("The integrand: what IG adds up")
plt.show()

fig, ax = plt.subplots(figsize=(8, 4.8))
for name, marker in [("black", "o"), ("blurred", "s")]:
    ax.plot(STEP_COUNTS, [relative_delta_ig[name][m] for m in STEP_COUNTS], marker=marker, lw=3,
            ms=8, label=f"{name} baseline")
ax.axhline(1.0, color="tab:red", ls="--", lw=2, label="delta as large as f(x) − f(x′)")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xticks(STEP_COUNTS, [str(m) for m in STEP_COUNTS])
ax.set_xlabel("Riemann steps m")
ax.set_ylabel("|delta| / (f(x) − f(x′))")
ax.set_title("IG on the cat: completeness gap vs number of steps")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The interpolated images and the curve tell the story. The logit rises almost to its final
# value within the first few steps from black (the printout gives the $\alpha$ where it passes
# 90 % of $f(x)$): a photo at a small fraction of its brightness is already a cat to the model,
# so the rest of the path is saturated. All the change, and a very rough integrand with a tall
# spike and swings of both signs (printed), is packed into a short stretch near $\alpha = 0$
# that a uniform grid samples with only a few points. A Riemann sum then depends on whether
# its points happen to land on the spike: the 32-step sum uses $\alpha = 2/64$ and overshoots,
# the 16-step sum skips it and undershoots. The delta therefore does not fall smoothly with $m$
# (second figure). The blurred baseline starts from an image the model already scores higher,
# its path is less abrupt, and its delta falls much sooner, as printed before the figures. The
# usual advice of 20–300 steps is a starting point; the delta is the check.
#
# > **Pitfall.** Completeness holds for the integral, not for your Riemann sum. Always ask for
# > the convergence delta and compare it with $f(x) - f(x')$; a delta of the same size as the
# > difference it should explain means the attributions are not yet IG. More steps (or a
# > baseline whose path is less abrupt, next section) fix it.
#
# | pros | cons |
# |---|---|
# | completeness: attributions add up to $f(x) - f(x')$ | $m$ gradient passes per image |
# | immune to saturation at the input | depends entirely on the baseline $x'$ |
# | a built-in numerical check (the delta) | the straight path crosses unrealistic images |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Baselines: black, blurred, noise
#
# IG explains $f(x) - f(x')$, so the baseline decides the question being answered. Three
# common choices:
#
# - **black**: pixel value 0, which in this model's space is $-1$ in every channel;
# - **blurred**: the photo under a strong Gaussian blur (σ = 10 px), which keeps the colours
#   and removes the shapes;
# - **uniform noise**: every pixel drawn uniformly from $[0, 1]$ (seeded).
#
# A classic slip is `torch.zeros_like(x)`. For a model fed $[0, 1]$ pixels that is black; for
# this model it is a flat mid-grey image. The cell below checks both and prints what the model
# predicts for each candidate baseline: a good baseline should carry little evidence for the
# target class.

# %%
def make_baselines(photo) -> dict[str, torch.Tensor]:
    """Black, blurred and uniform-noise baselines for one photo, in model space."""
    noise = np.random.default_rng(0).uniform(0, 1, size=(224, 224, 3)).astype(np.float32)
    return {"black": black, "blurred": blurred_baseline(photo),
            "uniform noise": image_model.preprocess(noise)}


grey_pixel = image_model.to_image(torch.zeros(1, 3, 1, 1, device=DEVICE))[0, 0] * 255
print(f"torch.zeros_like(x) decodes to pixel value {grey_pixel.tolist()} (mid-grey), "
      f"black decodes to {image_model.to_image(black)[0, 0].tolist()}")

ASTRONAUT = PHOTOS.index("astronaut")
x_astro, target_astro = inputs[ASTRONAUT:ASTRONAUT + 1], int(targets[ASTRONAUT])
astro_baselines = make_baselines(photos["astronaut"])
with torch.no_grad():
    candidates = torch.cat([*astro_baselines.values(), torch.zeros_like(x_astro)])
    candidate_logits = model(candidates)
for name, row in zip([*astro_baselines, "zeros (grey)"], candidate_logits, strict=True):
    print(f"{name:14s} f_target = {row[target_astro].item():6.2f} "
          f"({categories[target_astro]}); its own top-1: {categories[int(row.argmax())]}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same photo, three baselines
#
# The astronaut photo has a property the others lack: about a tenth of its pixels are *exactly*
# black (the count is printed below): the helmet on the right and a shadow behind it. The
# model's target is "bobsled". Does the model use those black pixels? Replace them with
# mid-grey and watch the logit. Then compute IG
# (32 steps) with each baseline and measure the share of the total attribution magnitude
# $\sum |\phi|$ that lands on the black pixels.

# %%
IG_STEPS = 32


def integrated_gradients(model, x, baseline, target, steps=IG_STEPS):
    """IG of one image by the right Riemann sum, and its convergence delta as a fraction of
    f(x) - f(x')."""
    alphas = torch.arange(1, steps + 1, device=x.device) / steps
    path = baseline + alphas.view(-1, 1, 1, 1) * (x - baseline)
    grads, path_logits = logit_gradients(model, path, target)  # the last point is x itself
    with torch.inference_mode():  # the sum never uses the gradient at x': a forward pass will do
        f_baseline = model(baseline)[0, target].item()
    attribution = (x - baseline) * grads.mean(dim=0, keepdim=True)
    difference = path_logits[-1, target].item() - f_baseline
    return attribution, (attribution.sum().item() - difference) / difference


black_pixels = torch.as_tensor(np.asarray(photos["astronaut"]).max(axis=2) == 0, device=DEVICE)
greyed = x_astro.clone()
greyed[:, :, black_pixels] = 0.0  # mid-grey in model space
with torch.no_grad():
    logit_greyed = model(greyed)[0, target_astro].item()
logit_astro = logits[ASTRONAUT, target_astro].item()
print(f"exactly black pixels: {int(black_pixels.sum())} ({black_pixels.float().mean():.1%} "
      f"of the image)")
print(f"'{categories[target_astro]}' logit: {logit_astro:.2f} as is, {logit_greyed:.2f} with "
      f"those pixels grey (change {logit_greyed - logit_astro:+.2f})")

astro_ig, astro_ig_delta = {}, {}
for name, baseline in progress(astro_baselines.items(), "IG, one baseline at a time"):
    attribution, delta = integrated_gradients(model, x_astro, baseline, target_astro)
    magnitude = attribution[0].abs().sum(dim=0)
    share = (magnitude[black_pixels].sum() / magnitude.sum()).item()
    astro_ig[name], astro_ig_delta[name] = attribution, delta
    print(f"{name:14s} share of |IG| on the black pixels {share:6.1%}; "
          f"delta {delta:+.1%} of f(x) - f(x')")

assert logit_astro - logit_greyed > 1.0, "the model uses the black pixels"
assert torch.all(astro_ig["black"][0][:, black_pixels] == 0), "x - x' = 0 there: no credit"
assert (astro_ig["blurred"][0][:, black_pixels] != 0).any()

# %%
fig, axes = plt.subplots(2, 4, figsize=(13.5, 7.2), layout="constrained")
axes[0, 0].imshow(display_images[ASTRONAUT])
axes[0, 0].set_title(f"photo: {categories[target_astro]}")
axes[1, 0].imshow(black_pixels.cpu(), cmap="gray")
axes[1, 0].set_title("its exactly black pixels")
for col, (name, baseline) in enumerate(astro_baselines.items(), start=1):
    axes[0, col].imshow(image_model.to_image(baseline))
    axes[0, col].set_title(f"baseline: {name}")
    shown = axes[1, col].imshow(as_map(astro_ig[name]), cmap="inferno", vmin=0, vmax=1)
    axes[1, col].set_title(f"IG, {name} baseline")
for ax in axes.flat:
    ax.axis("off")
fig.colorbar(shown, ax=axes[1, -1], shrink=0.8, label="|attribution| (scaled)")
fig.suptitle("The baseline decides what IG can see", fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The numbers make the pitfall exact. Greying the black pixels costs the target logit a large
# amount (printed above), so the model clearly uses them; yet with the black baseline their
# attribution is **exactly zero**, in every channel, as asserted. The reason is the factor
# $(x_i - x'_i)$ in front of the integral: on a pixel where the photo equals the baseline it is
# zero, whatever the gradients along the path. The blurred and noise baselines do give those
# pixels attribution (the shares printed above), because there the photo differs from the
# baseline. The deltas printed beside the shares repeat the lesson of section 5: 32 steps are
# not enough from black, and enough from the other two baselines.
#
# > **Pitfall.** A baseline is blind to every pixel that equals it. With a black baseline, IG
# > cannot credit black pixels (a dark coat, a black helmet, a night sky), and it under-credits
# > dark ones; with `torch.zeros_like(x)` on a $[-1, 1]$ model the blind spot is mid-grey instead.
# > Always check what your baseline is *in the model's input space*, print $f(x')$, and try a
# > second baseline before trusting a map (Sturmfels et al., 2020, compare many choices).
#
# | baseline | the question IG then answers | blind spot |
# |---|---|---|
# | black | "compared with no light?" | black pixels; dark ones under-credited |
# | blurred | "compared with the same colours, no shapes?" | what the blur keeps: colour, areas |
# | uniform noise | "compared with random pixels?" | depends on the draw; average several |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. GradientShap
#
# ### Intuition and math
#
# If one baseline is arbitrary, average over many. **Expected gradients** (Erion et al., 2021),
# which captum calls **GradientShap** (Lundberg & Lee, 2017), average IG over a *distribution*
# of baselines $D$ and estimate the double integral by Monte Carlo: draw a baseline, draw a
# point on the path at random, take one gradient.
#
# $$\phi_i = \mathbb E_{x' \sim D,\ \alpha \sim U(0, 1)} \Big[(x_i - x'_i)\,
#   \frac{\partial f_c}{\partial x_i}\big(x' + \alpha (x - x')\big)\Big].$$
#
# With a linear model and independent features this expectation is the SHAP value of
# [notebook 04](04_shap.ipynb), hence the name. Completeness now holds *in expectation*:
# $\mathbb E[\sum_i \phi_i] = f_c(x) - \mathbb E_{x'}[f_c(x')]$. captum can also add Gaussian
# noise to $x$ first (`stdevs`, SmoothGrad-style); we keep its default of no noise. Our $D$ for
# each photo: its three baselines from section 6. We use $n = 16$ samples for the maps.
#
# ### From scratch, and captum under the same draws
#
# captum draws the baseline picks and the $\alpha$'s from NumPy's global generator (first all
# $n$ picks, then all $n$ $\alpha$'s). Our version draws them in the same order, so seeding
# NumPy identically before both calls makes the two estimates use the same samples. captum
# sends all $n$ samples through the model as one batch, and the memory and time that takes
# grow with $n$, so the comparison uses $n = 4$, one of our chunks (the same code draws and
# combines any $n$, so agreement at $n = 4$ checks the estimator); our version works in chunks
# of four and computes the maps with $n = 16$.

# %%
GSHAP_SAMPLES = 16  # for the maps (our chunked version)
GSHAP_CHECK_SAMPLES = 4  # for the comparison with captum, which evaluates them in one batch


def gradient_shap(model, x, baseline_stack, target, n_samples=GSHAP_SAMPLES):
    """Monte-Carlo expected gradients of one image x; returns the mean attribution and each
    sample's completeness gap sum(phi_k) - (f(x) - f(x'_k))."""
    picks = torch.as_tensor(np.random.choice(len(baseline_stack), n_samples), device=x.device)
    alphas = torch.as_tensor(np.random.uniform(0.0, 1.0, n_samples), dtype=x.dtype,
                             device=x.device).view(-1, 1, 1, 1)
    chosen = baseline_stack[picks]
    # x' + alpha (x - x'), written as captum writes it so that the floats agree exactly
    grads, _ = logit_gradients(model, alphas * x + (1 - alphas) * chosen, target)
    per_sample = (x - chosen) * grads
    with torch.no_grad():
        ends = model(torch.cat([x, baseline_stack]))[:, target]
    gaps = per_sample.flatten(1).sum(dim=1) - (ends[0] - ends[1:][picks])
    return per_sample.mean(dim=0, keepdim=True), gaps


baseline_stacks = [torch.cat(list(make_baselines(photo).values())) for photo in photos.values()]
np.random.seed(SEED)
gshap_check, gaps_ours = gradient_shap(model, x_cat, baseline_stacks[0], target_cat,
                                       n_samples=GSHAP_CHECK_SAMPLES)

# %%
from captum.attr import GradientShap

np.random.seed(SEED)
gshap_lib, gaps_lib = GradientShap(model).attribute(
    x_cat, baselines=baseline_stacks[0], n_samples=GSHAP_CHECK_SAMPLES, target=target_cat,
    return_convergence_delta=True)
print(f"n = {GSHAP_CHECK_SAMPLES}: largest difference, from scratch vs captum: "
      f"{(gshap_check - gshap_lib).abs().max().item():.2e} "
      f"(largest value {gshap_lib.abs().max().item():.3f}); per-sample deltas differ by at most "
      f"{(gaps_ours - gaps_lib).abs().max().item():.2e}")
assert torch.allclose(gshap_check, gshap_lib, rtol=1e-4, atol=1e-6)
assert torch.allclose(gaps_ours, gaps_lib, rtol=1e-4, atol=1e-3)

np.random.seed(SEED)
gshap_runs = [gradient_shap(model, inputs[i:i + 1], baseline_stacks[i], int(targets[i]))
              for i in progress(range(len(PHOTOS)), "GradientShap, one photo at a time")]
gshap_maps = torch.cat([attribution for attribution, _ in gshap_runs])
relative_gshap_delta = []
for i, ((_, gaps), stack) in enumerate(zip(gshap_runs, baseline_stacks, strict=True)):
    with torch.no_grad():
        ends = model(torch.cat([inputs[i:i + 1], stack]))[:, targets[i]]
    expected = (ends[0] - ends[1:].mean()).item()
    relative_gshap_delta.append(abs(gaps.mean().item()) / expected)
    print(f"{PHOTOS[i]:10s} n = {GSHAP_SAMPLES}: per-sample |delta| mean "
          f"{gaps.abs().mean().item():5.2f}, largest {gaps.abs().max().item():6.2f}; delta of "
          f"the average {gaps.mean().item():+6.2f} against f(x) - E[f(x')] = {expected:5.2f}")
assert relative_gshap_delta[0] > 1 and relative_gshap_delta[ASTRONAUT] > 1

# %% [markdown] slideshow={"slide_type": "subslide"}
# The two agree sample by sample. The deltas need reading with care. captum returns one per
# sample, and each sample is a *one-point* estimate of an IG integral, so a single sample's
# delta is large (the printout gives their mean and largest magnitudes). The delta of the
# attribution we actually show is the mean of the per-sample deltas. For the espresso it
# happens to be small next to $f(x) - \mathbb E[f(x')]$; for the cat and the astronaut it is
# *larger* than the difference it should explain (all printed). Section 5 showed why: on this
# model the integrand along a path can be concentrated in a tall, rough spike over a short
# stretch (from the black baseline, the first few percent of the path) and small elsewhere.
# A uniformly drawn $\alpha$ rarely lands in such a spike, and when it does, it contributes a
# huge value of either sign. The
# estimator is unbiased, but heavy-tailed: its error shrinks like $1/\sqrt n$ with a very
# large constant, and 16 samples are far too few here. The maps in section 11 are
# correspondingly rough.
#
# > **Pitfall.** GradientShap's convergence delta is returned per sample, not per input, and a
# > single sample's delta is never small. Judge the mean of the deltas against
# > $f(x) - \mathbb E[f(x')]$, and raise `n_samples` (or drop baselines whose paths are abrupt)
# > until it is small.
#
# | pros | cons |
# |---|---|
# | averages out the arbitrariness of one baseline | random: needs many samples and a seed |
# | as cheap per sample as a gradient | complete only in expectation; heavy-tailed here |
# | a SHAP reading (linear model, independent features) | the baseline distribution is a choice |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Rewriting the backward pass: deconvnet and guided backprop
#
# ### The three ReLU rules
#
# Let a ReLU map its input $a^{l}$ to $a^{l+1} = \max(0, a^{l})$, and let
# $R^{l+1} = \partial f_c / \partial a^{l+1}$ be the signal arriving from above in the backward
# pass. Three methods differ only in what they send further down through this unit:
#
# $$\begin{aligned}
# \text{backprop (the gradient):}\quad & R^{l} = \mathbb 1[a^{l} > 0]\; R^{l+1}\\
# \text{deconvnet:}\quad & R^{l} = \mathbb 1[R^{l+1} > 0]\; R^{l+1}\\
# \text{guided backprop:}\quad & R^{l} = \mathbb 1[a^{l} > 0]\;\mathbb 1[R^{l+1} > 0]\; R^{l+1}
# \end{aligned}$$
#
# Backprop gates by the *forward* activation; the deconvnet of Zeiler & Fergus (2014), built to
# visualise what a unit responds to by running the network "in reverse" (unpooling with the
# recorded max locations, rectifying, applying transposed filters), gates by the sign of the
# *backward* signal, which for a ReLU network amounts to this rule (Simonyan et al., 2014, noted
# the equivalence). Guided backprop (Springenberg et al., 2015) applies both gates, keeping
# only paths where the unit was active *and* the signal is positive. For ReLU6,
# $a^{l+1} = \min(\max(0, a^l), 6)$, the forward gate is $\mathbb 1[0 < a^{l} < 6]$.
#
# ### From scratch, with hooks
#
# All three are "the normal backward pass, except at the activations". We implement exactly
# that: a forward hook on every activation module replaces the module's output by the same
# values passed through a tiny autograd function whose backward applies our rule instead of the
# activation's derivative. A forward hook fires at *every call* of a module, which matters:
# EfficientNet-Lite0 has 17 `ReLU6` modules, most of them used twice per forward pass (counted
# below).

# %%
from contextlib import contextmanager
from functools import partial

from torch import nn

ACTIVATIONS = (nn.ReLU, nn.ReLU6)


class SwapBackward(torch.autograd.Function):
    """Returns an activation's output unchanged; in the backward pass, sends
    rule(grad_output, pre_activation, post_activation) to the activation's input instead of
    grad_output times the activation's derivative."""

    @staticmethod
    def forward(ctx, pre, post, rule):
        ctx.save_for_backward(pre, post)
        ctx.rule = rule
        return post.clone()

    @staticmethod
    def backward(ctx, grad_output):
        pre, post = ctx.saved_tensors
        return ctx.rule(grad_output, pre, post), None, None


@contextmanager
def rewired(model: nn.Module, make_rule):
    """While active, every call of every ReLU/ReLU6 in `model` back-propagates with the rule
    make_rule(module) returns for that call."""
    def hook(module, module_inputs, output):
        return SwapBackward.apply(module_inputs[0], output, make_rule(module))

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, ACTIVATIONS)]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def forward_gate(module: nn.Module, pre: torch.Tensor) -> torch.Tensor:
    """1 where the activation is on its slope (0 < a < 6 for ReLU6, a > 0 for ReLU), else 0."""
    upper = getattr(module, "max_val", float("inf"))
    return ((pre > 0) & (pre < upper)).to(pre.dtype)


BACKWARD_RULES = {
    "backprop": lambda module, grad, pre, post: grad * forward_gate(module, pre),
    "deconvnet": lambda module, grad, pre, post: grad.clamp(min=0),
    "guided": lambda module, grad, pre, post: grad.clamp(min=0) * forward_gate(module, pre),
}


def rule_attribution(model, x, target, rule):
    """The input 'gradient' of the target logit with the named ReLU rule."""
    with rewired(model, lambda module: partial(BACKWARD_RULES[rule], module)):
        grads, _ = logit_gradients(model, x, target)
    return grads


calls = {}


def count_call(module, module_inputs, output):
    calls[module] = calls.get(module, 0) + 1


handles = [m.register_forward_hook(count_call) for m in model.modules()
           if isinstance(m, ACTIVATIONS)]
with torch.no_grad():
    model(inputs[:1])
for handle in handles:
    handle.remove()
print(f"EfficientNet-Lite0: {len(calls)} ReLU6 modules, called {sum(calls.values())} times "
      f"in one forward pass; {sum(n > 1 for n in calls.values())} of them more than once")
assert sum(n > 1 for n in calls.values()) > len(calls) // 2

backprop_rule = rule_attribution(model, inputs, targets, "backprop")
print(f"'backprop' rule vs autograd's gradient: identical = {torch.equal(backprop_rule, gradient)}")
assert torch.equal(backprop_rule, gradient), "the hook machinery itself changes nothing"

# %% [markdown] slideshow={"slide_type": "subslide"}
# With the backprop rule, the machinery reproduces autograd bit for bit, as asserted. Now the
# library. captum's `GuidedBackprop` and `Deconvolution` also rewrite the backward pass of
# activations, but only of `nn.ReLU` modules, and by module (not by call). We check them first
# where they apply, on the course's `SmallCNN` (three conv blocks, one `nn.ReLU` module per use),
# trained for a few seconds on the planted images of [notebook 00](00_introduction.ipynb):
# class 1, and only class 1, carries a small checkerboard watermark at a random place.

# %%
from captum.attr import Deconvolution, GuidedBackprop

from utils.data import make_planted_images
from utils.models import train_small_cnn

train_images = make_planted_images(n_samples=512, seed=0)
test_images = make_planted_images(n_samples=200, seed=1)
training = train_small_cnn(train_images.images, train_images.labels, epochs=8, seed=0)
small_cnn = training.model.to(DEVICE)
planted = torch.as_tensor(test_images.images, device=DEVICE)
with torch.no_grad():
    test_accuracy = (small_cnn(planted).argmax(1).cpu().numpy() == test_images.labels).mean()
print(f"SmallCNN: training accuracy per epoch {[round(a, 2) for a in training.accuracies]}, "
      f"test accuracy {test_accuracy:.3f}")
assert test_accuracy > 0.95

watermarked = np.flatnonzero(test_images.labels == 1)[:16]  # 16 test images with a watermark
x_small = planted[watermarked]
small_rule_maps = {}  # kept for section 9
for rule, library in [("guided", GuidedBackprop), ("deconvnet", Deconvolution)]:
    ours = small_rule_maps[rule] = rule_attribution(small_cnn, x_small, 1, rule)
    lib = library(small_cnn).attribute(x_small, target=1)
    print(f"SmallCNN, {rule:9s}: largest difference from scratch vs captum "
          f"{(ours - lib).abs().max().item():.2e}")
    assert torch.allclose(ours, lib, rtol=0, atol=1e-6)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same library call on EfficientNet-Lite0
#
# Now the pretrained model, whose activations are shared `nn.ReLU6` modules.

# %%
from utils.saliency import guided_backprop

guided_lib = GuidedBackprop(model).attribute(inputs, target=targets)
deconv_lib = Deconvolution(model).attribute(inputs, target=targets)
# `gradient` is section 2's plain gradient, equal to captum's Saliency (asserted there)
print(f"on Lite0, captum GuidedBackprop == the plain gradient: "
      f"{torch.equal(guided_lib, gradient)}; captum Deconvolution == the plain gradient: "
      f"{torch.equal(deconv_lib, gradient)}")
assert torch.equal(guided_lib, gradient), "captum's guided backprop is the plain gradient"
assert torch.equal(deconv_lib, gradient), "and so is its deconvolution"

guided_ours = rule_attribution(model, inputs, targets, "guided")
guided_utils = guided_backprop(model, inputs, targets)
deconv_ours = rule_attribution(model, inputs, targets, "deconvnet")
guided_vs_gradient = [rank_correlation(as_map(g), as_map(d))
                      for g, d in zip(guided_ours, gradient, strict=True)]
print(f"ours vs utils.saliency.guided_backprop: largest difference "
      f"{(guided_ours - guided_utils).abs().max().item():.2e}")
print("rank correlation of our guided-backprop map with the gradient map: "
      + ", ".join(f"{rho:.2f}" for rho in guided_vs_gradient))
assert torch.allclose(guided_ours, guided_utils, rtol=0, atol=1e-7)
assert not torch.allclose(guided_ours, gradient, atol=1e-3), "real guided backprop differs"

# deconvnet for the coffee's class, on the cat photo and on the coffee photo (one batch)
deconv_espresso = rule_attribution(model, inputs[:2], int(targets[1]), "deconvnet")
print(f"deconvnet for 'espresso' on the cat photo vs on the coffee photo: largest difference "
      f"{(deconv_espresso[0] - deconv_espresso[1]).abs().max().item():.2e} (largest value "
      f"{deconv_espresso.abs().max().item():.3f})")
assert torch.allclose(deconv_espresso[0], deconv_espresso[1], rtol=1e-5, atol=1e-7)

fig = map_grid(display_images,
               [[as_map(gradient[i]), as_map(guided_lib[i]), as_map(guided_ours[i]),
                 as_map(deconv_ours[i])] for i in range(len(PHOTOS))],
               ["gradient", "GuidedBackprop (captum)", "guided backprop (ours)",
                "deconvnet (ours)"],
               row_titles=row_titles, suptitle="Rewritten backward passes on EfficientNet-Lite0")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# captum's `GuidedBackprop` returns the plain gradient *exactly* on this model (second column =
# first column, asserted bit for bit): it found no `nn.ReLU` to rewrite and said nothing. Our
# per-call hooks give real guided backprop, identical to `utils.saliency.guided_backprop`, which
# is the version notebooks [06](06_grad_cam.ipynb) (Guided Grad-CAM) and
# [07](07_sanity_checks.ipynb) (sanity checks) use. Its maps are the crisp, edge-like pictures
# guided backprop is known for: the cat's eyes and nose, the cup's rim.
#
# Deconvnet's maps are a regular grid with no trace of the photo under it (each row explains
# that photo's own class, so the rows differ only through the class), and the last assert says
# why: on this network deconvnet **ignores the image**. Its rule never looks at the
# forward activation, and every other layer of Lite0 (convolutions, batch normalisation in
# evaluation mode, residual sums, average pooling) back-propagates through fixed weights, so
# the result depends on the target class alone; the same class on the cat photo gives exactly
# the coffee's map. The original deconvnet kept one link to the image, the max-pooling
# "switches" that record where each maximum came from. `SmallCNN` has max-pooling, so there
# deconvnet depends on the image through the switches; Lite0 has none.
#
# > **Pitfall.** A library method that does not recognise your layers may silently return
# > something else. captum's guided backprop and deconvolution only rewrite `nn.ReLU` modules
# > (its documentation warns about functional `F.relu`, not about other activation types); on a
# > model built from `nn.ReLU6`, `nn.SiLU` or `nn.GELU` they are the plain gradient, as asserted
# > above for both. Always compare a "modified backprop" map with the gradient once:
# > if they are identical, the modification never happened. And crisp is not the same as
# > faithful: guided backprop's pictures look like edge detectors because they largely are
# > (Adebayo et al., 2018; Nie et al., 2018); exercise 2 shows it, notebook 07 measures it.
#
# | | pros | cons |
# |---|---|---|
# | deconvnet | historic; shows what excites units | without max-pool switches, blind to the image |
# | guided backprop | sharp, readable maps | insensitive to the top layers; not a contribution |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. DeepLift and DeepLiftShap
#
# ### Intuition and math
#
# DeepLift (Shrikumar et al., 2017) keeps the reference idea of IG but avoids the path
# integral. Every unit $t$ in the network is compared with its value on the baseline,
# $\Delta t = t(x) - t(x')$, and the difference of the output is shared among the differences of
# the inputs with contributions $C_{\Delta x_i \Delta t}$ that obey **summation-to-delta**:
#
# $$\sum_i C_{\Delta x_i \Delta t} = \Delta t .$$
#
# Writing $C = m \,\Delta x$ defines multipliers $m_{\Delta x \Delta t}$ that follow a chain rule
# just like derivatives, so one modified backward pass computes them. Linear layers keep their
# weights as multipliers. For an element-wise non-linearity $y = \sigma(z)$ the **Rescale rule**
# replaces the derivative by a secant slope:
#
# $$m_{\Delta z \Delta y} = \frac{\Delta y}{\Delta z} = \frac{\sigma(z) - \sigma(z')}{z - z'}
#   \qquad (\text{the derivative where } \Delta z \approx 0).$$
#
# The attribution is $\phi_i = m_{\Delta x_i \Delta f_c}\, \Delta x_i$. For a network of linear
# layers and ReLU-like units with the Rescale rule everywhere, the contributions add up
# exactly: $\sum_i \phi_i = f_c(x) - f_c(x')$, with no integration error.
#
# ### By hand, on the toy neuron
#
# Write the toy as $f = s - \mathrm{ReLU}(s - 1)$ with $s = x_1 + x_2$. From $x' = (0, 0)$ to
# $x = (1, 1)$: $\Delta s = 2$; the ReLU's input goes from $-1$ to $1$ and its output from 0 to
# 1, so its multiplier is $1/2$; the output's multiplier with respect to $s$ is
# $1 - \tfrac12 = \tfrac12$, and each input gets $\phi_i = 1 \cdot \tfrac12$. The same numbers
# from our hook machinery, with the Rescale rule as the backward rule, and from captum:

# %%
from captum.attr import DeepLift, DeepLiftShap


class SaturatingUnit(nn.Module):
    """min(1, x1 + x2) written as s - ReLU(s - 1), with an nn.ReLU module."""

    def __init__(self):
        super().__init__()
        self.relu = nn.ReLU()

    def forward(self, i):
        s = i.sum(dim=1, keepdim=True)
        return s - self.relu(s - 1)


def deeplift(model, x, baseline, target):
    """DeepLift with the Rescale rule at every call of every ReLU/ReLU6 (all other layers
    keep their derivative). Returns the attributions and the summation-to-delta gap."""
    references = []

    def record(module, module_inputs, output):
        references.append((module_inputs[0].detach(), output.detach()))

    handles = [m.register_forward_hook(record) for m in model.modules()
               if isinstance(m, ACTIVATIONS)]
    with torch.no_grad():
        baseline_logits = model(baseline)
    for handle in handles:
        handle.remove()
    reference_calls = iter(references)  # the input's forward pass makes the same calls, in order

    def rescale_rule(module):
        pre_ref, post_ref = next(reference_calls)

        def rule(grad, pre, post):
            d_pre, d_post = pre - pre_ref, post - post_ref
            flat = d_pre.abs() < 1e-7
            secant = d_post / torch.where(flat, torch.ones_like(d_pre), d_pre)
            return grad * torch.where(flat, forward_gate(module, pre), secant)
        return rule

    with rewired(model, rescale_rule):
        grads, input_logits = logit_gradients(model, x, target, chunk=len(x))
    attribution = (x - baseline) * grads
    target = torch.as_tensor(target, device=x.device).expand(len(x))[:, None]
    difference = (input_logits.gather(1, target) - baseline_logits.gather(1, target))[:, 0]
    return attribution, attribution.flatten(1).sum(dim=1) - difference


unit = SaturatingUnit()
toy_dl, toy_gap = deeplift(unit, toy_x, toy_baseline, 0)
toy_dl_lib = DeepLift(unit).attribute(toy_x, baselines=toy_baseline, target=0)
print(f"DeepLift on the toy: ours {toy_dl.tolist()}, captum {toy_dl_lib.tolist()}, "
      f"gap {toy_gap.item():+.1e}")
assert torch.allclose(toy_dl, torch.full((1, 2), 0.5)) and torch.allclose(toy_dl, toy_dl_lib)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What EfficientNet-Lite0's activations do to captum's DeepLift
#
# Run captum's `DeepLift` on the cat with the black baseline and check summation-to-delta.

# %%
dl_lib, dl_delta_lib = DeepLift(model).attribute(x_cat, baselines=black, target=target_cat,
                                                 return_convergence_delta=True)
difference_cat = f_x - f_baseline
print(f"captum DeepLift on Lite0: sum of attributions {dl_lib.sum().item():.3f}, "
      f"f(x) - f(x') = {difference_cat:.3f}, convergence delta {dl_delta_lib.item():+.3f} "
      f"({abs(dl_delta_lib.item()) / difference_cat:.0%} of f(x) - f(x'))")
gradient_times_difference = (x_cat - black) * gradient[:1]
print(f"largest difference from (x - x') * gradient at x: "
      f"{(dl_lib - gradient_times_difference).abs().max().item():.2e}")
assert abs(dl_delta_lib.item()) > 0.5 * difference_cat, "the delta is as large as the signal"
assert torch.allclose(dl_lib, gradient_times_difference, rtol=1e-4, atol=1e-6)
print("squeeze-excitation blocks in Lite0:", sum(block.has_se for block in model._blocks))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The delta is about as large as the difference it should explain, so these attributions are
# not DeepLift. The second assert says what they are: exactly $(x - x') \odot \nabla f_c(x)$,
# the gradient at the photo times the difference, i.e. no Rescale rule was applied anywhere.
# Two properties of this model defeat captum's implementation:
#
# 1. **The activation type.** captum applies its rules to a fixed list of module types
#    (`nn.ReLU`, `nn.ELU`, `nn.Sigmoid`, max-pooling, ...), and `nn.ReLU6` is not on it, so
#    every ReLU6 keeps its ordinary derivative. This alone explains the assert above.
# 2. **Shared modules.** Even with ReLU6 on the list, captum stores a module's input and
#    output *on the module* during the forward pass and uses them in the backward pass, so a
#    module called twice can serve only one of its calls; captum's own error message for this
#    case asks you to "ensure that module is being used only once in the network". Lite0 calls
#    most of its ReLU6 modules twice, as counted in section 8.
#
# (Lite0, unlike the full EfficientNet, has no squeeze-excitation gates, as printed: apart from
# its ReLU6 units it is piecewise linear.) Our `deeplift` handles both properties: it records
# the reference values of *every call* in order and applies the Rescale rule call by call,
# with ReLU6's own secant. On this piecewise-linear network, summation-to-delta should then
# hold to float precision.

# %%
dl_ours, dl_gap = deeplift(model, x_cat, black, target_cat)
print(f"our DeepLift on Lite0: sum {dl_ours.sum().item():.4f}, f(x) - f(x') = "
      f"{difference_cat:.4f}, gap {dl_gap.item():+.2e}")
assert abs(dl_gap.item()) < 1e-3 * difference_cat

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where captum's rules hold: SmallCNN
#
# On `SmallCNN` every activation is its own `nn.ReLU`, so captum's DeepLift applies. We explain
# the 16 watermarked test images against a blurred copy of each (a per-image baseline that
# removes the checkerboard's fine pattern), compare with our version, check summation-to-delta,
# and score the maps against the known watermark with `utils.evaluation.mass_share`: the share
# of the map's positive mass inside the watermark, which a uniform map would score at the
# watermark's area share.

# %%
from utils.evaluation import mass_share

blurred_small = torch.as_tensor(gaussian_filter(test_images.images[watermarked],
                                                sigma=(0, 0, 2, 2)), device=DEVICE)
dl_small_lib, dl_small_delta = DeepLift(small_cnn).attribute(
    x_small, baselines=blurred_small, target=1, return_convergence_delta=True)
dl_small_ours, dl_small_gap = deeplift(small_cnn, x_small, blurred_small, 1)
with torch.no_grad():
    small_difference = small_cnn(x_small)[:, 1] - small_cnn(blurred_small)[:, 1]
relative_delta = (dl_small_delta.abs() / small_difference.abs()).max().item()
print(f"SmallCNN: ours vs captum, largest difference "
      f"{(dl_small_ours - dl_small_lib).abs().max().item():.2e}")
print(f"captum delta: largest |delta| {dl_small_delta.abs().max().item():.3f} for logit "
      f"differences of {small_difference.min().item():.1f} to {small_difference.max().item():.1f} "
      f"(at most {relative_delta:.1%})")
assert torch.allclose(dl_small_ours, dl_small_lib, rtol=1e-4, atol=1e-5)
assert torch.allclose(dl_small_gap, dl_small_delta, atol=1e-3)
assert relative_delta < 0.05, "summation-to-delta nearly holds where the rules apply"

watermark_masks = test_images.masks[watermarked]
area_share = watermark_masks.mean()


def watermark_share(attribution: torch.Tensor) -> float:
    """Mean share of the signed-sum map's positive mass inside the watermark."""
    maps = attribution.sum(dim=1).detach().cpu().numpy()
    return float(np.mean([mass_share(m, mask) for m, mask in zip(maps, watermark_masks,
                                                                 strict=True)]))


# %% [markdown]
# The deltas are small but not zero. Everything in `SmallCNN` is linear or a rescaled ReLU
# except its **max-pooling** layers, which neither captum (as the equality shows) nor our
# version rewrite; their ordinary gradient does not conserve differences, and that is where the
# small remainder comes from.
#
# **DeepLiftShap** averages DeepLift over a distribution of baselines, as GradientShap does for
# IG. Following the SHAP convention of [notebook 04](04_shap.ipynb) we use a background
# sample: 8 training images *without* a watermark. From scratch it is the mean of our DeepLift
# over the 8 baselines.

# %%
background = torch.as_tensor(
    train_images.images[np.flatnonzero(train_images.labels == 0)[:8]], device=DEVICE)
dls_lib, dls_delta = DeepLiftShap(small_cnn).attribute(x_small, baselines=background, target=1,
                                                       return_convergence_delta=True)
dls_ours = torch.stack([deeplift(small_cnn, x_small, reference.expand_as(x_small), 1)[0]
                        for reference in background]).mean(dim=0)
with torch.no_grad():
    pair_difference = (small_cnn(x_small)[:, 1, None] - small_cnn(background)[None, :, 1])
pair_relative = (dls_delta.view(len(x_small), -1).abs() / pair_difference.abs())
print(f"DeepLiftShap: ours vs captum, largest difference "
      f"{(dls_ours - dls_lib).abs().max().item():.2e}")
print(f"per (image, background) pair: median |delta| {pair_relative.median().item():.1%}, "
      f"largest {pair_relative.max().item():.1%} of the logit difference")
assert torch.allclose(dls_ours, dls_lib, rtol=1e-4, atol=1e-5)
assert pair_relative.max() < abs(dl_delta_lib.item()) / difference_cat, "far better than Lite0"

small_panels = {  # the four maps of the figure below, each computed once
    "gradient": Saliency(small_cnn).attribute(x_small, target=1),
    "guided backprop": small_rule_maps["guided"],
    "DeepLift (blurred x′)": dl_small_lib,
    "DeepLiftShap": dls_lib,
}
shares = {"gradient": watermark_share(small_panels["gradient"]),
          "guided backprop": watermark_share(small_panels["guided backprop"]),
          "DeepLift": watermark_share(dl_small_lib),
          "DeepLiftShap": watermark_share(dls_lib)}
print(f"watermark area share: {area_share:.1%}")
for name, share in shares.items():
    print(f"  mass share inside the watermark, {name:15s} {share:.1%}")
assert shares["DeepLift"] > 5 * area_share and shares["DeepLiftShap"] > 5 * area_share

# %% slideshow={"slide_type": "subslide"}
examples = [0, 1, 2, 3]
fig = map_grid([test_images.images[watermarked[i]].transpose(1, 2, 0) for i in examples],
               [[as_map(a[i]) for a in small_panels.values()] for i in examples],
               list(small_panels), row_titles=[f"test image {watermarked[i]}" for i in examples],
               boxes=[test_images.boxes[watermarked[i]] for i in examples],
               suptitle="SmallCNN on planted images: does the map find the watermark?",
               panel_size=2.5)
plt.show()

# %% [markdown]
# With whole images as references, DeepLiftShap's per-pair deltas are larger than DeepLift's
# against a blurred copy (median and worst case printed above), still from the max-pooling
# layers, but even the worst pair is far from the 96 % gap of captum on Lite0 (asserted).
#
# The cyan boxes are the watermarks, known from the generator. DeepLift and DeepLiftShap
# concentrate on them, with mass shares many times the watermark's area share (printed above);
# the gradient and guided backprop also light up around the watermark, with more mass spread
# over the image's edges and the distractor square.
#
# > **Pitfall.** DeepLift's guarantee lives in its rules, and the rules live in the library's
# > list of supported layers. A delta as large as $f(x) - f(x')$ means the rules were not
# > applied; check `return_convergence_delta=True` every time, on every new architecture.
#
# | pros | cons |
# |---|---|
# | two forward passes and one backward pass | needs a rule for every layer type |
# | exact completeness where the rules apply | breaks silently on unsupported or shared layers |
# | no integration error; handles saturation | depends on the baseline (DeepLiftShap averages) |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. An adversarial example: FGSM
#
# The gradient says which direction increases the score fastest. Step against the predicted class
# instead, on every pixel at once, and a tiny change can move the prediction. The **fast
# gradient sign method** (Goodfellow et al., 2015) takes one step of size $\varepsilon$ in the
# sign of the loss gradient:
#
# $$x_{\mathrm{adv}} = \mathrm{clip}_{[-1, 1]}\Big(x + \varepsilon\,
#   \mathrm{sign}\big(\nabla_x \mathcal L(f(x), c)\big)\Big).$$
#
# We use $\varepsilon$ = 2/255 of the pixel range (4/255 in model units), below what a person
# notices, with the cross-entropy loss against each photo's predicted class.

# %%
from captum.robust import FGSM

EPSILON_PIXELS = 2 / 255
epsilon = 2 * EPSILON_PIXELS  # model units: x = 2p - 1

x_attack = inputs.clone().requires_grad_(True)
loss = nn.functional.cross_entropy(model(x_attack), targets, reduction="sum")
loss.backward()
step = torch.where(x_attack.grad.abs() > 1e-6, x_attack.grad.sign(), 0.0)  # as captum: skip ~0
adversarial_ours = (inputs + epsilon * step).clamp(-1, 1)

fgsm = FGSM(model, loss_func=nn.CrossEntropyLoss(reduction="none"), lower_bound=-1.0,
            upper_bound=1.0)
adversarial = fgsm.perturb(inputs, epsilon=epsilon, target=targets)
print(f"from scratch vs captum: largest difference "
      f"{(adversarial_ours - adversarial).abs().max().item():.2e}")
assert torch.allclose(adversarial_ours, adversarial, atol=1e-6)

perturbation_pixels = (adversarial - inputs).abs().amax().item() / 2 * 255
random_signs = torch.randint(0, 2, inputs.shape, generator=torch.Generator().manual_seed(0))
random_step = (inputs + epsilon * (2.0 * random_signs.to(DEVICE) - 1)).clamp(-1, 1)
with torch.no_grad():
    adversarial_logits = model(adversarial)
    random_logits = model(random_step)
new_targets = adversarial_logits.argmax(dim=1)
print(f"L-infinity size of the perturbation: {perturbation_pixels:.2f}/255 of the pixel range")
for i, name in enumerate(PHOTOS):
    p_before = logits[i].softmax(0)[targets[i]].item()
    p_random = random_logits[i].softmax(0)[targets[i]].item()
    after = adversarial_logits[i].softmax(0)
    print(f"{name:10s} {categories[int(targets[i])]!r} p = {p_before:.2f} | random signs: "
          f"p = {p_random:.2f}, label {categories[int(random_logits[i].argmax())]!r} | FGSM: "
          f"p = {after[targets[i]].item():.2f}, label {categories[int(new_targets[i])]!r}")
flipped = new_targets != targets
p_fgsm = adversarial_logits.softmax(1).gather(1, targets[:, None])[:, 0]
p_random_all = random_logits.softmax(1).gather(1, targets[:, None])[:, 0]
assert perturbation_pixels <= 2.0 + 1e-3
assert flipped[0] and flipped[ASTRONAUT], "the cat and the astronaut change label"
assert not flipped[1], "the espresso keeps its label at this epsilon"
assert random_logits[0].argmax() == targets[0], "the same budget in random directions does not"
assert random_logits[ASTRONAUT].argmax() != targets[ASTRONAUT], "except on the near-tie"
assert torch.all(p_fgsm < p_random_all), "the gradient's direction is what does the damage"

# %% [markdown]
# What does the saliency map make of it? Compare the gradient of the *original* class at the
# photo and at its adversarial twin.

# %% slideshow={"slide_type": "subslide"}
adversarial_gradient, _ = logit_gradients(model, adversarial, targets)
adversarial_stability = [rank_correlation(as_map(a), as_map(b))
                         for a, b in zip(gradient, adversarial_gradient, strict=True)]
for name, rho_adv, rho_noise in zip(PHOTOS, adversarial_stability, gradient_stability,
                                    strict=True):
    print(f"{name:10s} rank correlation of the gradient maps: adversarial {rho_adv:.2f} "
          f"(random noise of section 2: {rho_noise:.2f})")

perturbation_shown = [((adversarial[i] - inputs[i]) / (2 * epsilon) + 0.5).clamp(0, 1)
                      .permute(1, 2, 0).cpu().numpy() for i in range(len(PHOTOS))]
fig = map_grid(display_images,
               [[image_model.to_image(adversarial[i:i + 1]), perturbation_shown[i],
                 as_map(gradient[i]), as_map(adversarial_gradient[i])]
                for i in range(len(PHOTOS))],
               [f"adversarial ({EPSILON_PIXELS * 255:.0f}/255)", "perturbation (amplified)",
                "gradient, photo", "gradient, adversarial"], row_titles=row_titles,
               suptitle="FGSM at 2/255: the images look the same, the predictions do not")
for ax, i in zip(fig.axes[1::5], range(len(PHOTOS)), strict=True):
    p_new = adversarial_logits[i].softmax(0)[new_targets[i]].item()
    ax.set_title(f"→ {categories[int(new_targets[i])]} (p = {p_new:.2f})", fontsize="medium")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The adversarial images cannot be told from the photos by eye (second column; the third shows
# the perturbation amplified to full contrast: a sign pattern over every pixel, partly clipped
# where the photo is already black, as on the astronaut's helmet). The printout before the
# figure is the real lesson. A random sign pattern of exactly the same size barely moves the
# cat's and the espresso's probabilities; the gradient's sign pattern changes the labels of the
# cat and the astronaut (to the classes printed), and cuts the confident espresso's probability
# to a fraction of its value without changing its label at this $\varepsilon$ (asserted;
# exercise 3 finds the size that does). Direction matters more than size. (The astronaut's
# near-tie flips even under random signs, as it did under the Gaussian noise of section 2.)
#
# The gradient maps of the original class at the photo and at the adversarial image share only
# part of their ranking (printed rank correlations), about as little as under the random noise
# of section 2: the map moves with the tiny change, as a sensitivity map must.
# Ghorbani et al. (2019) go further and build perturbations that keep the label but move the
# map on purpose; [notebook 07](07_sanity_checks.ipynb) measures fragility for every method,
# and [notebook 08](08_counterfactuals.ipynb) contrasts adversarial examples with
# counterfactual explanations.
#
# > **Pitfall.** Captum's `FGSM` defaults to the loss $-\log f_c(x)$, which assumes the model
# > returns *probabilities*. Our model returns logits, so we pass a cross-entropy loss (with
# > `reduction="none"`, one loss per image). Check the loss a library assumes before trusting
# > an attack's strength.
#
# | pros | cons |
# |---|---|
# | one gradient per image; a few lines by hand | the weakest attack: surviving it proves little |
# | shows that direction, not size, moves the prediction | needs the model's gradients (white-box) |
# | a quick fragility probe for predictions and maps | $\varepsilon$ is in model units, not pixels |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 11. All methods on the same photos
#
# One row per photo, one column per method, every map drawn the same way (largest magnitude
# over channels, scaled to the 99th percentile). IG uses the blurred baseline with 32 steps
# (its deltas are printed; section 5 showed the black baseline needs more); GradientShap and
# SmoothGrad use the settings above; DeepLift is our per-call version with the black baseline
# (captum's is not usable on this model, section 9), so one column shows the black-baseline
# view. Deconvnet is left out: on this model it does not look at the image (section 8).

# %%
ig_coffee, ig_coffee_delta = integrated_gradients(model, inputs[1:2],
                                                  blurred_baseline(photos["coffee"]),
                                                  int(targets[1]))
ig_blurred = torch.cat([ig_blur_by_steps[32], ig_coffee, astro_ig["blurred"]])
print(f"IG (blurred, 32 steps), |delta| / (f(x) - f(x')): chelsea "
      f"{relative_delta_ig['blurred'][32]:.1%}, coffee {abs(ig_coffee_delta):.1%}, astronaut "
      f"{abs(astro_ig_delta['blurred']):.1%}")
dl_black, dl_black_gaps = deeplift(model, inputs, black.expand_as(inputs), targets)
print("our DeepLift on the three photos, summation-to-delta gaps: "
      + ", ".join(f"{g:+.1e}" for g in dl_black_gaps.tolist()))

methods = {
    "gradient": gradient, "gradient × input": gxi_ours, "SmoothGrad": smooth_maps,
    "IG (blurred, 32)": ig_blurred, "GradientShap": gshap_maps, "DeepLift (ours)": dl_black,
    "guided backprop": guided_ours,
}
method_maps = {name: [as_map(a[i]) for i in range(len(PHOTOS))] for name, a in methods.items()}
fig = map_grid(display_images, [[method_maps[m][i] for m in methods] for i in range(len(PHOTOS))],
               list(methods), row_titles=row_titles,
               suptitle="Gradient methods on the same photos", panel_size=2.4)
plt.show()

print(f"astronaut, share of each map's |attribution| on its exactly black pixels "
      f"(area {black_pixels.float().mean():.1%}):")
for name, attribution in methods.items():
    magnitude = attribution[ASTRONAUT].abs().sum(dim=0)
    print(f"  {name:18s} {(magnitude[black_pixels].sum() / magnitude.sum()).item():6.1%}")
assert (dl_black[ASTRONAUT][:, black_pixels] == 0).all(), "DeepLift's (x - x') is zero there too"

names = list(methods)
agreement = np.array([[np.mean([rank_correlation(method_maps[a][i], method_maps[b][i])
                                for i in range(len(PHOTOS))]) for b in names] for a in names])
fig, ax = plt.subplots(figsize=(8.5, 7))
cells = ax.imshow(agreement, cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
ax.set_yticks(range(len(names)), names)
for (r, c), value in np.ndenumerate(agreement):
    ax.text(c, r, f"{value:.2f}", ha="center", va="center",
            color="white" if value < 0.6 else "black", fontsize=10)
ax.grid(False)
fig.colorbar(cells, ax=ax, label="Spearman rank correlation (mean over 3 photos)")
ax.set_title("How much do the maps agree?")
fig.tight_layout()
plt.show()

pairs = sorted(((agreement[a, b], names[a], names[b]) for a in range(len(names))
                for b in range(a + 1, len(names))), reverse=True)
print("most similar pairs: " + "; ".join(f"{a} / {b} {rho:.2f}" for rho, a, b in pairs[:2]))
print(f"median rank correlation over all {len(pairs)} pairs: "
      f"{np.median([rho for rho, _, _ in pairs]):.2f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The maps disagree far more than they agree. Apart from the two most similar pairs printed
# above (gradient and gradient × input share the same gradient; GradientShap's baselines
# include the black image that DeepLift uses), the median rank correlation between two
# methods is low. Each answers a different question: the gradient family (gradient,
# SmoothGrad, guided backprop) ranks pixels by how much a nudge would move the score, the
# methods that multiply by an input difference (gradient × input, IG, GradientShap, DeepLift)
# by how much a pixel contributed relative to a reference, and they inherit the reference's
# blind spots. The astronaut's black helmet shows it in numbers: DeepLift with the black
# baseline gives those pixels nothing (asserted), gradient × input, whose reference is
# mid-grey, and IG with the blurred baseline do give them a share (printed). None of these
# pictures is "the" explanation; [notebook 07](07_sanity_checks.ipynb) tests which of them
# actually track the model.
#
# | method | question | passes | complete? | main pitfall |
# |---|---|---|---|---|
# | gradient | where is $f_c$ sensitive? | 1 | no | noisy; blind to saturation |
# | gradient × input | linear share w.r.t. $x = 0$ | 1 | linear $f$ only | hidden (grey) reference |
# | SmoothGrad | sensitivity, smoothed | $n$ | no | noise level and $n$ |
# | Integrated Gradients | share relative to $x'$ | $m$ | up to the delta | baseline; the delta |
# | GradientShap | IG over many $x'$ | $n$ | in expectation | heavy-tailed estimate |
# | DeepLift(Shap) | share via the Rescale rule | 2 | where rules apply | unsupported layers |
# | guided backprop | sharp "pattern" maps | 1 | no | ignores the top layers |
# | deconvnet | what excites the units | 1 | no | no max-pooling: ignores the image |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("05.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: A dark uniform and the black baseline
#
# Grace Hopper's navy uniform is dark, though not exactly black. Compute IG (16 steps) for the
# model's top class on `load_photo("grace_hopper")` with the black baseline and with the
# blurred baseline of section 6. Report the share of $\sum|\phi|$ that falls on dark pixels
# (all three channels below 60/255) for each, and the dark pixels' area share. Which baseline
# credits the uniform more, and why?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: IG multiplies each gradient by x - x', so a baseline close to the photo on dark pixels
#   leaves little to credit there; measure which share of the attribution lands on them.
# Hint: reuse make_baselines() and integrated_gradients(); the dark mask is
#   np.asarray(photo).max(axis=2) < 60; share = |IG| summed over channels inside the mask,
#   divided by its total.
# Hint: start with hopper = load_photo("grace_hopper") and x_hopper =
#   image_model.preprocess(hopper).
hopper = load_photo("grace_hopper")
x_hopper = image_model.preprocess(hopper)
with torch.no_grad():
    target_hopper = int(model(x_hopper).argmax())
dark = torch.as_tensor(np.asarray(hopper).max(axis=2) < 60, device=DEVICE)
hopper_shares = {}
for name, baseline in progress(make_baselines(hopper).items(), "IG, one baseline at a time"):
    if name == "uniform noise":
        continue
    # 16 steps: the question is which baseline gives the uniform more, and the two shares
    # differ by far more than the step count moves them (the printed deltas show the error)
    attribution, delta = integrated_gradients(model, x_hopper, baseline, target_hopper, steps=16)
    magnitude = attribution[0].abs().sum(dim=0)
    hopper_shares[name] = (magnitude[dark].sum() / magnitude.sum()).item()
    print(f"{name:8s} baseline: share of |IG| on dark pixels {hopper_shares[name]:.1%} "
          f"(delta {delta:+.1%} of f(x) - f(x'))")
print(f"target {categories[target_hopper]!r}; dark pixels cover {dark.float().mean():.1%} "
      f"of the image")
assert hopper_shares["blurred"] > hopper_shares["black"]

# %% slideshow={"slide_type": "fragment"}
check("05.1", shares=hopper_shares, dark=dark, photo=hopper)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The blurred baseline gives the dark uniform a larger share than the black one. With a black
# baseline, the factor $x_i - x'_i$ is small on every dark pixel, so however much the model
# relies on the uniform, IG can credit it only a little; the blurred baseline has roughly the
# uniform's own dark colour there too, but it removes the shapes (buttons, ribbons, the edge of
# the collar), and the factor is large wherever those differ. The seed of this idea in the
# literature is the day-or-night classifier: with a black baseline, night photos are "close to
# the baseline" everywhere and get little attribution wherever they are dark.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Break guided backprop on purpose
#
# A map that explains a model should change when the model changes. Copy `small_cnn`,
# re-initialise the weights of its last convolution (`features.conv3`) and of its classifier
# with `normal_(0, 0.1)` (seed torch with 1 first), and compute, for the 16 watermarked test
# images, the rank correlation between the map before and after for (a) the gradient and
# (b) guided backprop. Which method notices that the top of the network is now random?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: scramble a copy, never the trained network itself, then compare each method's maps
#   before and after, image by image.
# Hint: copy.deepcopy(small_cnn); inside torch.no_grad(), call layer.weight.normal_(0, 0.1);
#   maps with as_map(Saliency(...).attribute(...)[i]) and as_map(rule_attribution(...)[i]),
#   compared with rank_correlation and averaged over the 16 images.
# Hint: start with scrambled = copy.deepcopy(small_cnn) and torch.manual_seed(1).
import copy

scrambled = copy.deepcopy(small_cnn)
torch.manual_seed(1)
with torch.no_grad():
    for layer in (scrambled.features.conv3, scrambled.classifier):
        layer.weight.normal_(0, 0.1)
randomisation = {}
for name, explain in [("gradient", lambda net: Saliency(net).attribute(x_small, target=1)),
                      ("guided backprop", lambda net: rule_attribution(net, x_small, 1, "guided"))]:
    before, after = explain(small_cnn), explain(scrambled)
    randomisation[name] = np.mean([rank_correlation(as_map(before[i]), as_map(after[i]))
                                   for i in range(len(x_small))])
    print(f"{name:15s} rank correlation, trained vs top-randomised: {randomisation[name]:.2f}")
assert randomisation["guided backprop"] > randomisation["gradient"]

# %% slideshow={"slide_type": "fragment"}
check("05.2", randomisation=randomisation, original=small_cnn, scrambled=scrambled)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The gradient map changes noticeably when the top of the network is scrambled; the
# guided-backprop map hardly moves (both rank correlations printed). Guided backprop discards
# every negative signal on the way down, so what survives is dominated by the lower layers and
# the image itself: it reconstructs edges more than it explains the decision. This is the
# model-randomisation test of Adebayo et al. (2018), which [notebook 07](07_sanity_checks.ipynb)
# runs, cascading layer by layer, for every method.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: How small can the attack be?
#
# For each of the three photos, find the smallest $\varepsilon$ in
# $\{0.25, 0.5, 1, 2, 4\}/255$ (pixel units) at which FGSM changes the top-1 class. One
# gradient per photo is enough: the sign of the loss gradient does not depend on $\varepsilon$.
# Which photo resists longest, and how does that relate to its original confidence?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the attack's direction is fixed, only its length grows: try the sizes from small to
#   large and keep, per photo, the first one that changes the top-1 class.
# Hint: reuse `step` (the sign of the loss gradient from section 10); for each epsilon in pixel
#   units, form (inputs + 2 * eps / 255 * step).clamp(-1, 1) (the inputs span [-1, 1]) and
#   compare the argmax with `targets`.
# Hint: start with smallest = {} and for eps_pixels in (0.25, 0.5, 1, 2, 4):.
smallest = {}
for eps_pixels in (0.25, 0.5, 1, 2, 4):
    with torch.no_grad():
        moved = model((inputs + 2 * eps_pixels / 255 * step).clamp(-1, 1)).argmax(dim=1) != targets
    for i, name in enumerate(PHOTOS):
        if moved[i] and name not in smallest:
            smallest[name] = eps_pixels
for i, name in enumerate(PHOTOS):
    confidence = logits[i].softmax(0)[targets[i]].item()
    print(f"{name:10s} p(top-1) = {confidence:.2f}; label changes at epsilon = "
          f"{smallest.get(name, 'more than 4')}/255")
assert all(smallest.get(name, 99) <= 2 for name in ("chelsea", "astronaut"))

# %% slideshow={"slide_type": "fragment"}
check("05.3", smallest=smallest, model=model, inputs=inputs, step=step, targets=targets,
      photos=PHOTOS)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The two uncertain predictions (probabilities well below one half) change with a perturbation
# of a fraction of one grey level to one or two levels; the confident espresso needs the
# largest step. A single gradient-sign step is the weakest attack there is; iterated versions
# (PGD) flip even confident predictions at these sizes. Confidence is not robustness.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The **gradient** of a logit with respect to the pixels is one backward pass; it measures
#   sensitivity, is noisy and unstable under invisible noise, and is zero on **saturated**
#   features (the $\min(1, x_1 + x_2)$ toy), as is **gradient × input**, whose hidden reference
#   is the input zero (mid-grey for a $[-1, 1]$ model).
# - **SmoothGrad** averages gradients over noisy copies ($\sigma$ as a fraction of the input
#   range); it is calmer and more stable, at $n$ times the cost. Our version and captum's
#   `NoiseTunnel` agree exactly under the same seed, and PAIR's `GetSmoothedMask` agrees with
#   ours under its own numpy draws, once `magnitude=False` stops it from squaring the gradients.
# - **Integrated Gradients** integrates the gradient along the path from a baseline; its
#   attributions are complete up to the **convergence delta**, which on this CNN shrank only
#   slowly and irregularly with the number of steps, because the logit changes abruptly near
#   the black baseline; from a blurred baseline it fell much sooner. Always print the delta.
# - The **baseline** decides what IG can see: pixels equal to the baseline get exactly zero.
#   Black is $-1$ in this model's input space, not `zeros_like(x)`; the astronaut's black
#   helmet, which the model uses, gets no credit from a black baseline.
# - **GradientShap** averages over baselines; it is complete only in expectation, its deltas
#   come per sample, and on this model 16 samples left it far from complete. **DeepLift**
#   replaces derivatives with secant slopes and is exactly complete where its rules apply.
#   captum's DeepLift applies no rule on EfficientNet-Lite0 (ReLU6, shared modules) and
#   returns gradient × difference with a delta as large as the signal; our per-call version is
#   complete to float precision. On `SmallCNN` captum and ours agree and find the watermark.
# - **Deconvnet** and **guided backprop** rewrite the ReLU's backward rule. captum's versions are
#   the plain gradient on Lite0; hooks on every activation call (ours, and
#   `utils.saliency.guided_backprop` used in notebooks [06](06_grad_cam.ipynb) and
#   [07](07_sanity_checks.ipynb)) do the real thing. Guided backprop's sharp maps barely
#   notice a randomised top of the network, and deconvnet, on a network without max-pooling,
#   does not look at the image at all.
# - **FGSM** moves predictions with a perturbation of 2/255 where random signs of the same size
#   do almost nothing, and the gradient map changes with it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Simonyan, K., Vedaldi, A., & Zisserman, A. (2014). Deep inside convolutional networks:
#   Visualising image classification models and saliency maps. *ICLR Workshop*.
#   https://arxiv.org/abs/1312.6034
# - Shrikumar, A., Greenside, P., & Kundaje, A. (2017). Learning important features through
#   propagating activation differences. *ICML 2017*. https://arxiv.org/abs/1704.02685
# - Smilkov, D., Thorat, N., Kim, B., Viégas, F., & Wattenberg, M. (2017). SmoothGrad: removing
#   noise by adding noise. https://arxiv.org/abs/1706.03825
# - Sundararajan, M., Taly, A., & Yan, Q. (2017). Axiomatic attribution for deep networks.
#   *ICML 2017*. https://arxiv.org/abs/1703.01365
# - Sturmfels, P., Lundberg, S., & Lee, S.-I. (2020). Visualizing the impact of feature
#   attribution baselines. *Distill*. https://doi.org/10.23915/distill.00022
# - Lundberg, S. M., & Lee, S.-I. (2017). A unified approach to interpreting model predictions.
#   *NeurIPS 2017*. https://arxiv.org/abs/1705.07874
# - Erion, G., Janizek, J. D., Sturmfels, P., Lundberg, S. M., & Lee, S.-I. (2021). Improving
#   performance of deep learning models with axiomatic attribution priors and expected
#   gradients. *Nature Machine Intelligence* 3, 620–631. https://arxiv.org/abs/1906.10670
# - Zeiler, M. D., & Fergus, R. (2014). Visualizing and understanding convolutional networks.
#   *ECCV 2014*. https://arxiv.org/abs/1311.2901
# - Springenberg, J. T., Dosovitskiy, A., Brox, T., & Riedmiller, M. (2015). Striving for
#   simplicity: The all convolutional net. *ICLR Workshop*. https://arxiv.org/abs/1412.6806
# - Adebayo, J., Gilmer, J., Muelly, M., Goodfellow, I., Hardt, M., & Kim, B. (2018). Sanity
#   checks for saliency maps. *NeurIPS 2018*. https://arxiv.org/abs/1810.03292
# - Nie, W., Zhang, Y., & Patel, A. (2018). A theoretical explanation for perplexing behaviors
#   of backpropagation-based visualizations. *ICML 2018*. https://arxiv.org/abs/1805.07039
# - Kindermans, P.-J., Hooker, S., Adebayo, J., Alber, M., Schütt, K. T., Dähne, S., Erhan, D.,
#   & Kim, B. (2019). The (un)reliability of saliency methods. In *Explainable AI: Interpreting,
#   Explaining and Visualizing Deep Learning*, Springer. https://arxiv.org/abs/1711.00867
# - Goodfellow, I. J., Shlens, J., & Szegedy, C. (2015). Explaining and harnessing adversarial
#   examples. *ICLR 2015*. https://arxiv.org/abs/1412.6572
# - Ghorbani, A., Abid, A., & Zou, J. (2019). Interpretation of neural networks is fragile.
#   *AAAI 2019*. https://arxiv.org/abs/1710.10547
# - Kokhlikyan, N., et al. (2020). Captum: A unified and generic model interpretability library
#   for PyTorch. https://arxiv.org/abs/2009.07896 — documentation: https://captum.ai/api/
# - PAIR's `saliency` library (Google People + AI Research), the framework-free `saliency.core`
#   used for SmoothGrad here and for XRAI and Guided IG in [notebook 07](07_sanity_checks.ipynb):
#   https://github.com/PAIR-code/saliency
