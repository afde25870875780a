# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Grad-CAM: class activation maps
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/06_grad_cam.ipynb)
#
# The pixel gradients of [notebook 05](05_gradient_methods.ipynb) are sharp but noisy, and they
# barely change when you ask about a different class. Grad-CAM takes another route: it looks
# inside the network, at the last convolutional block, where every channel is a feature detector
# laid out on a coarse grid over the image, and it weighs those channels by how much the class
# score depends on them. This notebook reads the feature maps with a forward hook, writes
# Grad-CAM from scratch with forward and backward hooks, and checks it against
# `pytorch-grad-cam` and captum. It then draws one map per class for the top-5 classes of the
# two-object scene and scores every map against the known object boxes, for Grad-CAM and four
# relatives (Grad-CAM++, LayerCAM, XGrad-CAM, EigenCAM), two of which fail here for reasons we
# measure. It combines Grad-CAM with guided backprop (Guided Grad-CAM), compares target layers,
# and ends with a small CNN that learned a planted watermark: does the map find it?
#
# **Run time:** about 25–35 s on a 2-core laptop CPU (no GPU and no internet needed): a few
# dozen forward and backward passes of the CNN, a few seconds of training for a small CNN,
# and the figures.
#
# ## Learning objectives
#
# - Read a layer's activations with a forward hook and its gradients with a backward hook.
# - Derive CAM for a global-average-pooling network and Grad-CAM as its generalisation:
#   $\alpha_k^c = \frac{1}{Z}\sum_{ij} \partial f_c / \partial A^k_{ij}$,
#   $L^c = \mathrm{ReLU}(\sum_k \alpha_k^c A^k)$, then upsampling.
# - Implement Grad-CAM from scratch and reproduce `pytorch_grad_cam.GradCAM` (after its
#   per-map normalisation) and captum's `LayerGradCam` (before it).
# - Draw class-discriminative maps for several classes of one image and score them with the
#   mass share inside an object box and the pointing game.
# - Say what Grad-CAM++, LayerCAM, XGrad-CAM and EigenCAM change, and recognise when a
#   variant's assumptions do not hold for the layer you give it.
# - Build Guided Grad-CAM, and know why captum's version degrades on EfficientNet-Lite0.
# - Choose a target layer knowingly: resolution against class information.
#
# ## Prerequisites
#
# - [Notebook 00](00_introduction.ipynb): the pretrained EfficientNet-Lite0 and the two-object
#   scene.
# - [Notebook 05](05_gradient_methods.ipynb): the gradient of a class score with respect to the
#   input, and guided backprop (this notebook uses its implementation from `utils.saliency`).
# - PyTorch modules and autograd; what a convolution, batch norm and global average pooling do.

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
# ## 1. Where a CNN keeps the "where": feature maps
#
# A convolution slides the same small filter over the whole image, so the output of a
# convolutional layer is still a picture: channel $k$ at grid cell $(i, j)$ says how strongly
# feature $k$ is present around that place. Early layers detect edges and colours at fine
# resolution; each further block sees a larger part of the image and detects more abstract
# things (fur texture, an eye, the rim of a cup) on a coarser grid. The last convolutional
# block is the last place where the network still knows *where* something is: after it, global
# average pooling throws the positions away and a linear layer turns the 1,280 pooled features
# into the 1,000 class scores.
#
# EfficientNet-Lite0's last convolutional block is `_conv_head`, a 1 x 1 convolution from 320
# to 1,280 channels; batch norm, ReLU6, average pooling and the linear classifier `_fc`
# follow. The course's loader exposes it as `classifier.target_layer`. A **forward hook** is a
# function PyTorch calls with a module's input and output every time the module runs; we use
# one to keep the output. First, the model, the two-object scene and its top-5 classes.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from utils.data import load_two_object_scene
from utils.evaluation import mass_share, pointing_hit
from utils.images import upsample_map
from utils.models import load_image_classifier
from utils.plotting import draw_boxes, overlay_colour_bar, overlay_panel

# %%
classifier = load_image_classifier(device=DEVICE)
model, classes = classifier.model, classifier.categories
scene = load_two_object_scene()
scene_image = np.asarray(scene.image)
HEIGHT, WIDTH = scene_image.shape[:2]
x_scene = classifier.preprocess(scene.image)

# %% [markdown]
# The scene's top-5 classes, and the object each one names (`scene.class_ids` lists the
# ImageNet classes of each object):

# %%
with torch.no_grad():
    scene_probs = torch.softmax(model(x_scene), dim=1)[0].cpu().numpy()
TOP5 = [int(c) for c in np.argsort(-scene_probs, kind="stable")[:5]]
OBJECT_OF_CLASS = {c: name for name, ids in scene.class_ids.items() for c in ids}
CAT_CLASS = next(c for c in TOP5 if OBJECT_OF_CLASS.get(c) == "cat")
COFFEE_CLASS = next(c for c in TOP5 if OBJECT_OF_CLASS.get(c) == "coffee")
print(f"scene {WIDTH} x {HEIGHT} pixels; top 5: "
      + " | ".join(f"{classes[c]} {scene_probs[c]:.3f}" for c in TOP5))
print(f"the two classes followed through the notebook: '{classes[CAT_CLASS]}' (cat) and "
      f"'{classes[COFFEE_CLASS]}' (coffee)")

# %%
assert all(c in OBJECT_OF_CLASS for c in TOP5), "every top-5 class names one of the objects"
assert (classes[CAT_CLASS], classes[COFFEE_CLASS]) == ("tiger cat", "espresso"), "the text's two"

# %% [markdown]
# The forward hook: PyTorch calls it with the module's input and output; it keeps the output.

# %%
captured = {}


def keep_output(module: torch.nn.Module, inputs: tuple, output: torch.Tensor) -> None:
    captured["features"] = output.detach()


# %% [markdown]
# One forward pass with the hook on `_conv_head` gives the feature maps $A^k$:

# %%
handle = classifier.target_layer.register_forward_hook(keep_output)
with torch.no_grad():
    model(x_scene)
handle.remove()  # a hook stays on the module until removed

features = captured["features"][0]
n_channels, grid_h, grid_w = features.shape
print(f"_conv_head output: {n_channels} channels on a {grid_h} x {grid_w} grid; one cell covers "
      f"{HEIGHT // grid_h} x {WIDTH // grid_w} pixels of the scene")
print(f"share of negative values: {(features < 0).float().mean().item():.0%} (the layer comes "
      "before batch norm and ReLU6, so its output is signed)")

# %% [markdown]
# The six channels with the highest peak, and where their positive part lies:

# %%
peaks = features.amax(dim=(1, 2))
strongest = torch.argsort(peaks, descending=True)[:6].tolist()
channel_maps = {}
for k in strongest:
    positive = upsample_map(torch.relu(features[k]), (HEIGHT, WIDTH))
    channel_maps[k] = positive / positive.max()
    print(f"channel {k:4d}: peak {peaks[k].item():5.2f}; positive mass on the cat "
          f"{mass_share(positive, scene.masks['cat']):.2f}, on the coffee "
          f"{mass_share(positive, scene.masks['coffee']):.2f}")
on_cat = [k for k in strongest if mass_share(channel_maps[k], scene.masks["cat"]) > 0.5]
on_coffee = [k for k in strongest if mass_share(channel_maps[k], scene.masks["coffee"]) > 0.5]

# %%
assert on_cat and on_coffee, "some strong channels fire on the cat, others on the coffee"

# %% [markdown]
# We plot the six channels with the highest peak activation, each scaled to its own maximum
# and bilinearly upsampled from the 7 x 14 grid to the scene (negative values shown as zero).
# `utils.plotting.overlay_panel` blends a map over the scene with the object boxes dashed;
# every scene figure of this notebook, and those of notebooks 07 and 08, use it.


# %% slideshow={"slide_type": "subslide"}
scene_boxes = list(scene.boxes.values())  # dashed on every scene panel
fig, axes = plt.subplots(2, 3, figsize=(15, 5.6), layout="constrained")
for ax, k in zip(axes.flat, strongest, strict=True):
    overlay_panel(ax, scene_image, channel_maps[k], f"channel {k} (peak {peaks[k].item():.1f})",
                  boxes=scene_boxes)
overlay_colour_bar(fig, axes, "activation / channel max")
fig.suptitle("Six channels of _conv_head on the two-object scene (dashed: object boxes)",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each channel lights up its own region of the 7 x 14 grid, and the strongest channels split
# between the two objects: the printout shows which ones put most of their positive mass on
# the cat and which on the coffee. Every channel is a detector *with a place*; none of them
# is labelled "cat" or "espresso". With 1,280 channels the question becomes: which channels,
# with which weights, make up the evidence for one class? That is what class activation maps
# answer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. From CAM to Grad-CAM
#
# **CAM** (Zhou et al., 2016) starts from networks that end in global average pooling (GAP) and
# one linear layer. Write $A^k \in \mathbb{R}^{u \times v}$ for channel $k$ of the last
# convolutional block (a grid of $u$ rows and $v$ columns), $Z = uv$ for the number of grid
# cells, and $w_k^c$ for the linear layer's weight from channel $k$ to class $c$. The class
# score, the logit $f_c$ that we explain, is
#
# $$f_c = \sum_k w_k^c \, \frac{1}{Z} \sum_{i,j} A^k_{ij}
#       = \frac{1}{Z} \sum_{i,j} \underbrace{\sum_k w_k^c A^k_{ij}}_{M^c_{ij}} ,$$
#
# so the class activation map $M^c = \sum_k w_k^c A^k$ splits the score over the grid cells
# exactly: its mean is $f_c$ (up to the bias). CAM needs that architecture, and reading the
# weights off the last layer.
#
# **Grad-CAM** (Selvaraju et al., 2017) replaces the weights with gradients, so it works for
# any differentiable head. The weight of channel $k$ for class $c$ is the spatial average of the
# gradient of the class score (the logit, before softmax) with respect to that channel,
#
# $$\alpha_k^c = \frac{1}{Z} \sum_{i,j} \frac{\partial f_c}{\partial A^k_{ij}} ,
# \qquad
# L^c_{\text{Grad-CAM}} = \mathrm{ReLU}\Big(\sum_k \alpha_k^c A^k\Big) ,$$
#
# and the $u \times v$ map is upsampled (bilinearly) to the input size to be drawn over it.
# The ReLU keeps the places whose features *raise* the class score; without it, evidence for
# other classes would show up as negative mass. For a GAP + linear head,
# $\partial f_c / \partial A^k_{ij} = w_k^c / Z$, so $\alpha_k^c = w_k^c / Z$ and Grad-CAM is
# CAM divided by $Z$ with its negative part cut off; section 7 checks this identity on a small
# CNN. EfficientNet-Lite0 puts batch norm and ReLU6 between `_conv_head` and the pooling, so
# there the gradients carry those layers' effect too.
#
# Grad-CAM stands in a line of work on looking inside CNNs: Zeiler and Fergus (2014) projected
# single activations back to pixels with a "deconvnet"
# ([notebook 05](05_gradient_methods.ipynb), section 8); CAM turned the last layer into a
# localisation map; Grad-CAM freed CAM from the architecture; Grad-CAM++, Score-CAM, LayerCAM
# and others change how the channels are weighted (section 4).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Grad-CAM from scratch, then with pytorch-grad-cam
#
# We need two things from one forward-backward pass: the activations $A$ of the target layer
# (a forward hook) and the gradients $\partial f_c / \partial A$ (a **backward hook**:
# `register_full_backward_hook` calls a function with the gradients with respect to the
# module's inputs and outputs when autograd passes through it). To explain several classes at
# once we feed a batch that holds the image once per class and back-propagate the sum of each
# row's own logit: in eval mode the rows do not interact, so row $n$ receives exactly the
# gradient of its own class.
#
# One detail matters: the course's loader freezes the weights (`requires_grad=False`), so
# autograd records nothing unless the *input* asks for gradients. We set it on the batch.


# %%
def activations_and_gradients(net: torch.nn.Module, layer: torch.nn.Module,
                              inputs: torch.Tensor, targets: list[int]
                              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One forward-backward pass of ``inputs`` (row n explains class ``targets[n]``); returns
    the layer's activations A, the gradients dy/dA, both (n, K, h, w), and the logits."""
    stored = {}

    def keep_activations(module, module_inputs, output):
        stored["A"] = output.detach()

    def keep_gradients(module, grad_inputs, grad_outputs):
        stored["G"] = grad_outputs[0].detach()

    handles = [layer.register_forward_hook(keep_activations),
               layer.register_full_backward_hook(keep_gradients)]
    try:
        batch = inputs.detach().clone().requires_grad_(True)
        logits = net(batch)
        rows = torch.arange(len(targets), device=logits.device)
        logits[rows, torch.as_tensor(targets, device=logits.device)].sum().backward()
    finally:
        for hook in handles:
            hook.remove()
    return stored["A"], stored["G"], logits.detach()


# %% [markdown]
# Grad-CAM from $A$ and $g$: $\alpha_k^c$ is the gradient's mean over the grid, and the map is
# $\mathrm{ReLU}(\sum_k \alpha_k^c A^k)$.

# %%
def grad_cam(activations: torch.Tensor, gradients: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """Grad-CAM maps (n, h, w) at the layer's resolution and the channel weights (n, K)."""
    weights = gradients.mean(dim=(2, 3))
    return torch.relu(torch.einsum("nk,nkhw->nhw", weights, activations)), weights


# %% [markdown]
# The upsampling from the $u \times v$ grid to the image, and the [0, 1] scaling the library
# applies to every map:

# %%
def upsample(maps: torch.Tensor, size: tuple[int, int] = (HEIGHT, WIDTH)) -> torch.Tensor:
    """(n, h, w) -> (n, H, W), bilinear with pixel centres aligned as OpenCV does."""
    return F.interpolate(maps[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]


def min_max(maps: torch.Tensor) -> torch.Tensor:
    """Scale each map to [0, 1] the way pytorch-grad-cam does."""
    shifted = maps - maps.amin(dim=(1, 2), keepdim=True)
    return shifted / (shifted.amax(dim=(1, 2), keepdim=True) + 1e-7)


# %% [markdown]
# One pass explains the top 5 and a control class:

# %%
GOLDFISH = classes.index("goldfish")
EXPLAINED = TOP5 + [GOLDFISH]  # the top 5, plus a class that is nowhere in the scene
scene_batch = x_scene.expand(len(EXPLAINED), -1, -1, -1)
A, G, scene_logits = activations_and_gradients(model, classifier.target_layer, scene_batch,
                                               EXPLAINED)
raw_cams, channel_weights = grad_cam(A, G)
ours = min_max(upsample(raw_cams)).cpu().numpy()
print(f"activations {tuple(A.shape)}, gradients {tuple(G.shape)}, maps {tuple(raw_cams.shape)} "
      f"-> upsampled {ours.shape}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the library. `pytorch-grad-cam` takes the model, a list of target layers and, per image,
# a target: `ClassifierOutputTarget(c)` picks the logit of class $c$. The CAM object registers
# its own hooks; used as a context manager, it removes them on exit (without `with`, they stay
# on the model and its destructor can raise at interpreter exit). (Tutorials for Keras use
# tf-explain's `GradCAM` for the same step; it needs TensorFlow, so this course does not run
# it.)

# %%
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

with GradCAM(model=model, target_layers=[classifier.target_layer]) as cam:
    library = cam(input_tensor=scene_batch.clone().requires_grad_(True),
                  targets=[ClassifierOutputTarget(c) for c in EXPLAINED])
del cam  # it still holds the model's output and, through it, the whole autograd graph

unnormalised_gap = np.abs(upsample(raw_cams).cpu().numpy() - library).max()
normalised_gap = np.abs(ours - library).max()
print(f"library output {library.shape}, range [{library.min():.3f}, {library.max():.3f}]")
print(f"largest |ours - library|: {unnormalised_gap:.3f} before normalising ours, "
      f"{normalised_gap:.1e} after")

# %%
assert normalised_gap < 1e-4, "from scratch = pytorch-grad-cam, once both are min-max scaled"

# %% [markdown] slideshow={"slide_type": "subslide"}
# (The `del` matters on a laptop: the library back-propagates with `retain_graph=True` and
# keeps the output in `cam.outputs`, so the graph of the whole batch of scenes lives as long
# as the `cam` object. From here on a small helper runs a CAM class in a `with`
# block and returns only the maps.)
#
# Compared as they come, the two disagree (first number): the library scales every map to
# [0, 1] after upsampling, by subtracting its minimum and dividing by its maximum, while our
# maps are in logit-gradient units. Scaled the same way, they agree to float precision. The
# library's [0, 1] output is good for drawing but has lost the scale, so to check the raw
# numbers we also compare with captum's `LayerGradCam`, which returns the unnormalised map at
# the layer's resolution.

# %%
def run_cam(cam_class: type, net: torch.nn.Module, layer: torch.nn.Module,
            inputs: torch.Tensor, targets: list[int]) -> np.ndarray:
    """pytorch-grad-cam maps (n, H, W) in [0, 1]; row n explains class ``targets[n]``."""
    with cam_class(model=net, target_layers=[layer]) as cam:
        return cam(input_tensor=inputs.clone().requires_grad_(True),
                   targets=[ClassifierOutputTarget(c) for c in targets])


# %% [markdown]
# captum's raw Grad-CAM against ours:

# %%
from captum.attr import LayerGradCam

captum_raw = LayerGradCam(model, classifier.target_layer).attribute(
    scene_batch.clone().requires_grad_(True), target=EXPLAINED,
    relu_attributions=True)[:, 0].detach()
raw_gap = (captum_raw - raw_cams).abs().max().item()
print(f"captum LayerGradCam {tuple(captum_raw.shape)}; largest |ours - captum| {raw_gap:.1e} "
      f"(largest map value {raw_cams.max().item():.3f})")

# %%
assert torch.allclose(captum_raw, raw_cams, rtol=1e-4, atol=1e-6), "same raw Grad-CAM"

# %% [markdown]
# What the normalisation hides: the raw peak of each map next to the class's probability.
# Goldfish is our control, a class with no object in the scene.

# %%
scene_table = pd.DataFrame({
    "class": [classes[c] for c in EXPLAINED],
    "probability": scene_probs[EXPLAINED],
    "logit": scene_logits[torch.arange(len(EXPLAINED)), EXPLAINED].cpu().numpy(),
    "raw Grad-CAM peak": raw_cams.amax(dim=(1, 2)).cpu().numpy(),
    "library map peak": library.max(axis=(1, 2)),
})
print(scene_table.round(4).to_string(index=False))

# %%
goldfish_peak = scene_table["raw Grad-CAM peak"].iloc[-1]
assert goldfish_peak < scene_table["raw Grad-CAM peak"].iloc[:5].min() / 2
assert np.all(scene_table["library map peak"] > 0.999), "every library map peaks at 1"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The raw peak of the goldfish map is a fraction of the top-5 classes' peaks (printed above),
# yet after normalisation every map, goldfish included, peaks at 1 and would be drawn in the
# same bright colours. Below, the raw 7 x 14 maps for our two classes (on one colour scale, in
# logit-gradient units) and their upsampled, normalised versions over the scene.

# %%
pair = [EXPLAINED.index(CAT_CLASS), EXPLAINED.index(COFFEE_CLASS)]
vmax = raw_cams[pair].max().item()
fig, axes = plt.subplots(2, 2, figsize=(11.5, 6), layout="constrained")
for row, n in zip(axes, pair, strict=True):
    coarse = row[0].imshow(raw_cams[n].cpu().numpy(), cmap="jet", vmin=0, vmax=vmax,
                           interpolation="nearest")
    row[0].set_title(f"'{classes[EXPLAINED[n]]}': raw {grid_h} x {grid_w} Grad-CAM")
    row[0].set_xlabel("grid column")
    row[0].set_ylabel("grid row")
    row[0].grid(False)
    fig.colorbar(coarse, ax=row[0], fraction=0.03, label="ReLU(Σ α A)")
    overlay_panel(row[1], scene_image, ours[n], f"'{classes[EXPLAINED[n]]}': upsampled",
                  boxes=scene_boxes)
overlay_colour_bar(fig, axes[:, 1], "Grad-CAM / map max")
fig.suptitle("Grad-CAM at _conv_head: the coarse map and its upsampled overlay",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# The tiger-cat map lights up the cells over the cat's face and the espresso map those over the
# cup, at the resolution of the grid: each cell is a 32 x 32 pixel block, and the bilinear
# upsampling only smooths the blocks, it adds no detail.
#
# > **Pitfall.** Three silent failures. (1) With frozen weights and an input that does not
# > require gradients, nothing is recorded and `backward` raises; pytorch-grad-cam raises too
# > (give the input `requires_grad_(True)`, as above). (2) A CAM object not used as a context
# > manager keeps its hooks on the model. (3) The library's maps are each scaled to [0, 1], so
# > a class the model barely considers (goldfish) looks as confident as the top class: compare
# > classes on the raw maps, or report the class's probability next to every map.
#
# **Grad-CAM, in short.**
#
# | pros | cons |
# |---|---|
# | one forward and one backward pass, any CNN | as coarse as the layer's grid (32 px cells here) |
# | class-discriminative (section 4) | shows only positive evidence (the ReLU) |
# | no retraining, no change to the model | averaged gradients can cancel out (section 6) |
# | reduces exactly to CAM for GAP + linear heads | depends on the chosen layer (section 6) |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. One map per class, and the CAM family
#
# The scene holds two objects and its top-5 classes name both. A **class-discriminative**
# explanation must put the evidence for "tiger cat" on the cat and the evidence for "espresso"
# on the cup. We score each map two ways (`utils.evaluation`):
#
# - **mass share**: the share of the map's positive mass inside the object's box (a uniform
#   map scores the box's area share; 1 means all evidence on the object);
# - **pointing game** (Zhang et al., 2018): a hit if the map's maximum lies within 15 pixels of
#   the box. The two boxes touch at the seam of the composite, so a peak just right of the seam
#   still counts for the cat.
#
# Four relatives of Grad-CAM from `pytorch-grad-cam`, with $g^{kc}_{ij} = \partial f_c /
# \partial A^k_{ij}$:
#
# - **Grad-CAM++** (Chattopadhay et al., 2018) weights each location's positive gradient, so
#   that several separate instances of an object each count instead of being averaged away:
#   $\alpha_k^c = \sum_{ij} \beta^{kc}_{ij} \mathrm{ReLU}(g^{kc}_{ij})$ with
#   $\beta^{kc}_{ij} = \dfrac{(g^{kc}_{ij})^2}{2 (g^{kc}_{ij})^2
#   + \sum_{ab} A^k_{ab} (g^{kc}_{ij})^3}$. The paper derives $\beta$ with second and third
#   derivatives of $Y = e^{f_c}$ in its denominator and numerator; treating the network after the
#   layer as piecewise linear (so $\partial^2 f_c / \partial A^2 = 0$) makes them
#   $\partial^2 Y / \partial A^2 = e^{f_c} g^2$ and $\partial^3 Y / \partial A^3 = e^{f_c} g^3$,
#   and $e^{f_c}$ cancels, leaving the powers of $g$ above.
# - **LayerCAM** (Jiang et al., 2021) keeps one weight per location instead of one per
#   channel: $L^c = \mathrm{ReLU}\big(\sum_k \mathrm{ReLU}(g^{kc}) \odot A^k\big)$.
# - **XGrad-CAM** (Fu et al., 2020) averages the gradient weighted by the activation,
#   $\alpha_k^c = \sum_{ij} \frac{A^k_{ij}}{\sum_{ab} A^k_{ab}} g^{kc}_{ij}$, derived from two
#   axioms for post-ReLU features; dividing by the channel's total activation presumes that
#   the activations are non-negative.
# - **EigenCAM** (Muhammad & Yeasin, 2020) uses no gradient at all: it projects the centred
#   activations (one row per grid cell, one column per channel) on their first principal
#   direction. It therefore cannot depend on the class.
#
# The first three need only $A$ and $g$, which we already have: a few lines each. Grad-CAM++:
# $\beta$ per location (zero where the gradient is zero), then $\alpha_k^c$, then the map.


# %%
def grad_cam_plus_plus(activations: torch.Tensor, gradients: torch.Tensor) -> torch.Tensor:
    """Grad-CAM++ maps (n, h, w)."""
    sums = activations.sum(dim=(2, 3), keepdim=True)
    g2, g3 = gradients ** 2, gradients ** 3
    beta = torch.where(gradients != 0, g2 / (2 * g2 + sums * g3 + 1e-6), torch.zeros_like(g2))
    weights = (beta * torch.relu(gradients)).sum(dim=(2, 3))
    return torch.relu(torch.einsum("nk,nkhw->nhw", weights, activations))


# %% [markdown]
# LayerCAM: the positive gradient as a weight per location, summed over channels.

# %%
def layer_cam(activations: torch.Tensor, gradients: torch.Tensor) -> torch.Tensor:
    """LayerCAM maps (n, h, w)."""
    return torch.relu((torch.relu(gradients) * activations).sum(dim=1))


# %% [markdown]
# XGrad-CAM: the activation-weighted gradient as the channel weight (kept as its own function,
# because we look at these weights below), then the map.

# %%
def xgrad_weights(activations: torch.Tensor, gradients: torch.Tensor) -> torch.Tensor:
    """XGrad-CAM's channel weights (n, K)."""
    sums = activations.sum(dim=(2, 3), keepdim=True)
    return (gradients * activations / (sums + 1e-7)).sum(dim=(2, 3))


def xgrad_cam(activations: torch.Tensor, gradients: torch.Tensor) -> torch.Tensor:
    """XGrad-CAM maps (n, h, w)."""
    weights = xgrad_weights(activations, gradients)
    return torch.relu(torch.einsum("nk,nkhw->nhw", weights, activations))


# %%
from pytorch_grad_cam import EigenCAM, GradCAMPlusPlus, LayerCAM, XGradCAM

from utils.env import progress

A5, G5 = A[:len(TOP5)], G[:len(TOP5)]
from_scratch = {"Grad-CAM": grad_cam(A5, G5)[0], "Grad-CAM++": grad_cam_plus_plus(A5, G5),
                "LayerCAM": layer_cam(A5, G5), "XGrad-CAM": xgrad_cam(A5, G5)}
library_classes = {"Grad-CAM++": GradCAMPlusPlus, "LayerCAM": LayerCAM, "XGrad-CAM": XGradCAM}
family = {"Grad-CAM": library[:len(TOP5)]}  # computed in section 3
for name, cam_class in progress(library_classes.items(), "CAM variants, pytorch-grad-cam"):
    family[name] = run_cam(cam_class, model, classifier.target_layer, scene_batch[:len(TOP5)],
                           TOP5)

# %% [markdown]
# The check, method by method (upsampled and min-max scaled like the library's maps):

# %%
for name, maps in family.items():
    gap = np.abs(min_max(upsample(from_scratch[name])).cpu().numpy() - maps).max()
    print(f"{name:10s}: largest |from scratch - library| = {gap:.1e}")
    assert gap < 1e-4, f"{name} from scratch = pytorch-grad-cam"

# %% [markdown]
# EigenCAM, asked for two different classes:

# %%
eigen_pair = run_cam(EigenCAM, model, classifier.target_layer, scene_batch[:2], TOP5[:2])
eigen_spread = np.abs(eigen_pair[0] - eigen_pair[1]).max()
print(f"EigenCAM: largest difference between the maps for '{classes[TOP5[0]]}' and "
      f"'{classes[TOP5[1]]}' = {eigen_spread}")
family["EigenCAM"] = np.repeat(eigen_pair[:1], len(TOP5), axis=0)  # one map serves every class

# %%
assert eigen_spread < 1e-6, "EigenCAM ignores the target class"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Our formulas reproduce the library, and EigenCAM returns the same map whatever the target,
# so one call with two different targets proves the point and its map fills all five columns.
# Now the scores: for each method and class, the mass share on the object the class names, and
# the pointing-game hit.

# %%
mass = pd.DataFrame(index=list(family), columns=[classes[c] for c in TOP5], dtype=float)
hits = pd.DataFrame(index=list(family), columns=[classes[c] for c in TOP5], dtype=bool)
for name, maps in family.items():
    for c, heat in zip(TOP5, maps, strict=True):
        mask = scene.masks[OBJECT_OF_CLASS[c]]
        mass.loc[name, classes[c]] = mass_share(heat, mask)
        hits.loc[name, classes[c]] = pointing_hit(heat, mask)

# %%
print("chance level (area share of the box): "
      + ", ".join(f"{name} {mask.mean():.2f}" for name, mask in scene.masks.items()))
print("mass share on the object the class names:")
print(mass.round(2).to_string())
print("\npointing game (True = the peak lies on that object):")
print(hits.to_string())

# %%
for name in ("Grad-CAM", "Grad-CAM++", "LayerCAM"):
    assert (mass.loc[name] > 0.5).all(), f"{name} puts most mass on the right object"
assert (mass.loc["Grad-CAM"] >= mass.loc[["Grad-CAM++", "LayerCAM"]].max()).all()
for name in ("Grad-CAM", "Grad-CAM++"):
    assert hits.loc[name].all(), f"{name} points at the right object for every class"

# %% [markdown]
# Grad-CAM, Grad-CAM++ and LayerCAM put most of every class's mass on the right object (asserted
# above); Grad-CAM does it most sharply (the largest shares of the three, for every class). The
# pointing game agrees for Grad-CAM and Grad-CAM++ on all five classes; read LayerCAM's row in the
# printout, and look at where its peaks fall in the figure below. The other two rows are failures,
# and both have causes we can measure.

# %%
cat_columns = [classes[c] for c in TOP5 if OBJECT_OF_CLASS[c] == "cat"]
channel_sums = A5[0].sum(dim=(1, 2))
print(f"_conv_head channels whose spatial sum is negative: "
      f"{(channel_sums < 0).float().mean().item():.0%}; smallest |sum| "
      f"{channel_sums.abs().min().item():.3f}")
largest_weight = {"Grad-CAM": channel_weights[:5].abs().max().item(),
                  "XGrad-CAM": xgrad_weights(A5, G5).abs().max().item()}
print(f"largest |channel weight|: Grad-CAM {largest_weight['Grad-CAM']:.1e}, "
      f"XGrad-CAM {largest_weight['XGrad-CAM']:.1e}")
print(f"EigenCAM mass share on the coffee: {mass.loc['EigenCAM', classes[COFFEE_CLASS]]:.2f}; "
      f"on the cat, for the cat classes: "
      + ", ".join(f"{c} {mass.loc['EigenCAM', c]:.2f}" for c in cat_columns))

# %%
coffee_columns = [classes[c] for c in TOP5 if OBJECT_OF_CLASS[c] == "coffee"]
assert (channel_sums < 0).float().mean() > 0.5, "most channel sums are negative at this layer"
assert (mass.loc["XGrad-CAM"] < 0.5).any(), "XGrad-CAM misses at least one object here"
assert largest_weight["XGrad-CAM"] > 100 * largest_weight["Grad-CAM"], "inflated weights"
assert (mass.loc["EigenCAM", cat_columns] < 0.5).all(), "one class-blind map cannot fit both"
assert (mass.loc["EigenCAM", coffee_columns] > 0.5).all(), "it 'succeeds' for the coffee classes"

# %% [markdown]
# Where the pointing-game misses of Grad-CAM++ and LayerCAM put their peak, relative to the
# seam between the two photos (the cat photo is on the left):

# %%
seam = WIDTH // 2
misses = []
for name in ("Grad-CAM++", "LayerCAM"):
    for c, heat in zip(TOP5, family[name], strict=True):
        if not hits.loc[name, classes[c]]:
            peak_row, peak_col = np.unravel_index(int(np.argmax(heat)), heat.shape)
            misses.append((name, classes[c], peak_col - seam))
            print(f"{name} misses '{classes[c]}': its peak is at x = {peak_col}, y = {peak_row}, "
                  f"{peak_col - seam:+d} px from the seam between the photos")

# %%
assert all(abs(offset) < HEIGHT // grid_h for *_, offset in misses), "the misses sit on the seam"
assert [(name, label) for name, label, _ in misses] == [("LayerCAM", classes[CAT_CLASS])], (
    "LayerCAM's tiger-cat map is the only miss of the two")
assert 15 < misses[0][2], "on the coffee side, just beyond the 15-pixel tolerance"

# %% [markdown]
# - **XGrad-CAM** divides each channel's weight by the channel's spatial sum, which presumes
#   non-negative activations, as after a ReLU; `_conv_head` comes *before* the batch
#   norm and ReLU6, most of its channel sums are negative and some are close to zero (printed
#   above). Dividing by them flips signs and inflates a few channels' weights to more than a
#   hundred times Grad-CAM's largest (printed and asserted), and the maps stop following the
#   class: the mass shares for cup, tabby and Egyptian cat fall far below the boxes' area shares
#   (the table). The library runs it without a warning.
# - **EigenCAM** draws one map for every class. Here its principal direction happens to
#   describe the coffee half, so it "succeeds" for espresso and cup (mass share above 0.5) and
#   fails for every cat class (below 0.5; both asserted). It shows where the activations vary
#   most, which is useful, but it is not a class explanation. (A principal direction also has no
#   preferred sign; the library keeps the sign the SVD returns and then cuts the negative side,
#   so with another sign the map would show the cat half instead.)
#
# We do not tune these two to look better: they are the lesson. Now the maps themselves.

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(len(family), len(TOP5), figsize=(19, 11), layout="constrained")
for row, (name, maps) in zip(axes, family.items(), strict=True):
    for ax, c, heat in zip(row, TOP5, maps, strict=True):
        verdict = "hit" if hits.loc[name, classes[c]] else "miss"
        overlay_panel(ax, scene_image, heat,
                      f"{classes[c]}: {mass.loc[name, classes[c]]:.2f}, {verdict}",
                      boxes=scene_boxes)
    row[0].set_ylabel(name, fontsize="large", fontweight="bold")
overlay_colour_bar(fig, axes, "map / map max")
fig.suptitle("Top-5 classes of the scene, five CAM methods (title: mass share on the class's "
             "object, pointing game)", fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read the figure by columns: for a class-discriminative method the blob moves to the half whose
# object the column's class names (the coffee for espresso and cup, the cat for tiger cat, tabby
# and Egyptian cat). Grad-CAM, Grad-CAM++ and LayerCAM do that. Grad-CAM++ and LayerCAM spread
# their mass more widely (lower shares than Grad-CAM's, asserted). LayerCAM's tiger-cat peak
# lands just right of the seam between the two photos, where the cat's box ends: on the coffee
# side, just beyond the 15-pixel tolerance (the printed position). That is its one miss, and the
# only miss of the two methods (asserted). The seam is an artefact of our composite, a sharp
# vertical edge that no real photo has, so the miss says more about the test image than about
# the method; we report it rather than move the tolerance. EigenCAM's row does not change at
# all; XGrad-CAM's changes, but not with the objects.
#
# > **Pitfall.** A CAM variant is a formula with assumptions (XGrad-CAM and Grad-CAM++ were
# > derived for non-negative, post-ReLU activations; a class explanation needs a class target),
# > and the library will run it on any layer. Check the assumptions against the layer you pass, and
# > score the maps against something you know before you trust one.
#
# **The family, in short.**
#
# | method | weights | class-specific | cost | here |
# |---|---|---|---|---|
# | Grad-CAM | mean gradient per channel | yes | 1 forward + 1 backward | sharpest here |
# | Grad-CAM++ | positive gradients, per-location coefficients | yes | same | wider maps, all hits |
# | LayerCAM | positive gradient per location | yes | same | diffuse; holds up early (sec. 6) |
# | XGrad-CAM | activation-weighted gradient | yes | same | breaks on signed activations |
# | EigenCAM | none (first principal component) | no | 1 forward + SVD | one map for all classes |
# | Score-CAM | logit of the input masked by each channel | yes | 1 forward per channel | ex. 4 |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Guided Grad-CAM
#
# Grad-CAM says *where* the evidence for a class is, at 32-pixel resolution. Guided backprop
# ([notebook 05](05_gradient_methods.ipynb), section 8) gives pixel-sharp detail, but Selvaraju
# et al. observed that it is hardly class-discriminative: its maps for "cat" and "espresso" look
# alike. **Guided Grad-CAM** multiplies the two, pixel by pixel:
#
# $$\phi^{\text{Guided Grad-CAM}}_c = \phi^{\text{GB}}_c \odot
#   \mathrm{up}\big(L^c_{\text{Grad-CAM}}\big) ,$$
#
# the guided-backprop attribution $\phi^{\text{GB}}_c$ for class $c$ (one value per pixel and
# colour channel) masked by the upsampled Grad-CAM map. Notebook 05 derives guided backprop with
# hooks; here we use the course's implementation, `utils.saliency.guided_backprop`, which
# applies the rule at every call of every ReLU and ReLU6, including Lite0's *shared* ReLU6
# modules. As a reminder of the three backward rules through a ReLU (Springenberg et al., 2015):
# the plain gradient passes the incoming gradient where the forward input was positive; the
# deconvnet (Zeiler & Fergus, 2014) passes it where the incoming gradient is positive; guided
# backprop requires both.
#
# We measure class-discrimination in two ways: the Pearson correlation between the tiger-cat
# map and the espresso map of the same method (near 1: the class hardly matters), and the mass
# share on the right object.

# %%
import warnings

from captum.attr import GuidedGradCam

from utils.images import normalize_map
from utils.saliency import guided_backprop

# %% [markdown]
# The three ingredients for the two classes: the plain input gradient, guided backprop, and the
# upsampled Grad-CAM map; their product is Guided Grad-CAM.

# %%
pair_classes = [EXPLAINED[n] for n in pair]
pair_batch = x_scene.expand(2, -1, -1, -1)
pair_inputs = pair_batch.clone().requires_grad_(True)
pair_logits = model(pair_inputs)
pair_logits[[0, 1], pair_classes].sum().backward()
plain_gradient = pair_inputs.grad.detach()
guided = guided_backprop(model, pair_batch, torch.tensor(pair_classes, device=DEVICE))
cam_up = upsample(raw_cams[pair])
guided_grad_cam = guided * cam_up[:, None]

# %% [markdown]
# For each method, the correlation of its two class maps and its mass share on each class's
# object:

# %%
pixel_maps = {  # one (2, H, W) map per method: |attribution| summed over colour channels
    "gradient": plain_gradient.abs().sum(dim=1),
    "guided backprop": guided.abs().sum(dim=1),
    "Grad-CAM": cam_up,
    "Guided Grad-CAM": guided_grad_cam.abs().sum(dim=1),
}
table_rows = []
for name, maps in pixel_maps.items():
    maps = maps.cpu().numpy()
    correlation = np.corrcoef(maps[0].ravel(), maps[1].ravel())[0, 1]
    shares = [mass_share(maps[i], scene.masks[OBJECT_OF_CLASS[c]])
              for i, c in enumerate(pair_classes)]
    table_rows.append([name, correlation, *shares])
discrimination = pd.DataFrame(table_rows, columns=["method", "corr(cat map, espresso map)",
                                             f"mass on cat ({classes[CAT_CLASS]})",
                                             f"mass on cup ({classes[COFFEE_CLASS]})"])
discrimination = discrimination.set_index("method")
print(discrimination.round(2).to_string())

# %%
gb_row, ggc_row = discrimination.loc["guided backprop"], discrimination.loc["Guided Grad-CAM"]
assert gb_row.iloc[0] > 0.7, "guided backprop draws nearly the same map for both classes"
assert discrimination.loc["Grad-CAM"].iloc[0] < 0, "Grad-CAM's two maps are anti-correlated"
assert (ggc_row.iloc[1:] > gb_row.iloc[1:]).all(), "the Grad-CAM mask moves mass to the object"
gradient_row, grad_cam_row = discrimination.loc["gradient"], discrimination.loc["Grad-CAM"]
assert gradient_row.iloc[0] > grad_cam_row.iloc[0], "the gradient's maps correlate more"
assert (gradient_row.iloc[1:] < grad_cam_row.iloc[1:]).all(), "and put less mass on the object"
assert gradient_row.iloc[0] < gb_row.iloc[0], "but less alike than guided backprop's"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The table says it in numbers. Guided backprop's tiger-cat and espresso maps correlate
# strongly: it mostly shows the image's edges whatever the class. Grad-CAM's two maps are
# anti-correlated (each lights the object the other leaves dark). The product inherits
# Grad-CAM's class sensitivity, and its mass share on the right object beats guided backprop's
# for both classes. The plain gradient is less class-specific than Grad-CAM on every count (its
# two maps correlate more, and it puts less mass on each object), and its two maps correlate
# less than guided backprop's (all asserted).
#
# ### The captum pitfall on Lite0
#
# captum has `GuidedGradCam`. Its guided-backprop part rewrites only `nn.ReLU` modules, and
# Lite0 uses `nn.ReLU6` modules, most of them called twice in each forward pass (notebook 05
# counts the calls in section 8). On Lite0, captum's Guided Grad-CAM is therefore Grad-CAM
# times the *plain* gradient. captum also upsamples the Grad-CAM map with nearest-neighbour
# interpolation by default. We check both claims exactly.

# %%
with warnings.catch_warnings():  # captum announces its ReLU hooks on every call
    warnings.simplefilter("ignore", UserWarning)
    captum_guided = GuidedGradCam(model, classifier.target_layer).attribute(
        pair_batch.clone().requires_grad_(True), target=pair_classes).detach()
nearest_cam = F.interpolate(raw_cams[pair][:, None], size=(HEIGHT, WIDTH), mode="nearest")
expected = plain_gradient * nearest_cam
pitfall_gap = (captum_guided - expected).abs().max().item()
vs_ours = np.corrcoef(captum_guided.abs().sum(dim=1).cpu().numpy().ravel(),
                      pixel_maps["Guided Grad-CAM"].cpu().numpy().ravel())[0, 1]
print(f"captum GuidedGradCam vs Grad-CAM (nearest) x plain gradient: largest difference "
      f"{pitfall_gap:.1e} (largest value {captum_guided.abs().max().item():.1e})")
print(f"correlation of captum's map with ours: {vs_ours:.2f}")

# %%
assert torch.allclose(captum_guided, expected, rtol=1e-4,
                      atol=1e-6 * expected.abs().max().item()), "captum = CAM x plain gradient"
assert not torch.allclose(captum_guided, guided * nearest_cam, rtol=0.1), "not guided backprop"

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(2, 4, figsize=(19, 5.8), layout="constrained")
for row, n_pair in zip(axes, range(2), strict=True):
    c = pair_classes[n_pair]
    for ax, (name, maps) in zip(row, pixel_maps.items(), strict=True):
        heat = normalize_map(maps[n_pair].cpu().numpy())
        if name == "Grad-CAM":
            overlay_panel(ax, scene_image, heat, f"{name}: '{classes[c]}'",
                          boxes=scene_boxes)
        else:
            ax.imshow(heat, cmap="gray")
            draw_boxes(ax, scene_boxes, "tab:orange", linewidth=1.5, linestyle="--")
            ax.set_title(f"{name}: '{classes[c]}'", fontsize="medium")
            ax.set_xticks([])
            ax.set_yticks([])
fig.suptitle("Pixel maps (white = large |attribution|, clipped at the 99th percentile) and "
             "Grad-CAM, for two classes", fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# In each row, guided backprop traces both the cat's eyes and the cup's rim and saucer,
# whichever class is asked about; multiplied by the Grad-CAM map, only the detail on the
# class's object survives. The plain gradient is noisier and spreads over both halves.
#
# > **Pitfall.** A library method can silently compute something else on your model.
# > captum's `GuidedGradCam` ran without a warning and returned Grad-CAM times the plain
# > gradient, because its rule applies to `nn.ReLU` only. Test a guided map against the plain
# > gradient before you publish it (`utils.saliency` is tested for exactly this).
#
# **Guided Grad-CAM, in short.** Pros: pixel detail and class discrimination in one map; costs
# two forward-backward passes. Cons: it inherits guided backprop's weakness (Adebayo et al.,
# 2018, found guided backprop nearly unchanged when a model's weights are randomised;
# [notebook 07](07_sanity_checks.ipynb) measures it); the product of two heuristics has no
# completeness property; the picture depends on the upsampling (bilinear here, nearest in
# captum).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Which layer?
#
# The last convolutional block is the usual target, for two reasons: its features are the most
# class-specific, and it is the last layer before the positions are pooled away. Its price is
# resolution. Earlier blocks have finer grids, but their channels encode lower-level patterns,
# and one averaged gradient per channel can cancel out over a large map. LayerCAM's per-location
# weights were designed for exactly this case. We compute Grad-CAM and LayerCAM at three depths
# of Lite0: block 4 (stride 8), block 10 (stride 16) and `_conv_head` (stride 32). We use our own
# functions, which section 4 showed equal to the library, because one pass per layer gives both
# methods.

# %%
TARGET_LAYERS = {"block 4": model._blocks[4], "block 10": model._blocks[10],
                 "_conv_head": classifier.target_layer}
layer_maps, layer_rows = {}, []
for layer_name, layer in TARGET_LAYERS.items():
    if layer is classifier.target_layer:  # already computed in section 3
        layer_acts, layer_grads = A[pair], G[pair]
    else:
        layer_acts, layer_grads, _ = activations_and_gradients(model, layer, pair_batch,
                                                               pair_classes)
    for method, maps in (("Grad-CAM", grad_cam(layer_acts, layer_grads)[0]),
                         ("LayerCAM", layer_cam(layer_acts, layer_grads))):
        layer_maps[method, layer_name] = min_max(upsample(maps)).cpu().numpy()
        shares = [mass_share(layer_maps[method, layer_name][i], scene.masks[OBJECT_OF_CLASS[c]])
                  for i, c in enumerate(pair_classes)]
        _, n_maps, grid_rows, grid_cols = layer_acts.shape
        layer_rows.append([layer_name, f"{n_maps} x {grid_rows} x {grid_cols}",
                           HEIGHT // grid_rows, method, *shares])
by_layer = pd.DataFrame(layer_rows, columns=["layer", "channels x grid", "cell (px)", "method",
                                             "mass on cat", "mass on cup"])
print(by_layer.round(2).to_string(index=False))


# %% [markdown]
# A look-up in that table, for the checks:

# %%
def layer_share(method: str, layer_name: str, column: str) -> float:
    """The mass share in ``column`` of one method at one layer, from ``by_layer``."""
    match = by_layer[(by_layer["method"] == method) & (by_layer["layer"] == layer_name)]
    return float(match[column].iloc[0])


# %%
EARLY = ("block 4", "block 10")
for column in ("mass on cat", "mass on cup"):
    last = layer_share("Grad-CAM", "_conv_head", column)
    assert all(last > layer_share("Grad-CAM", name, column) for name in EARLY), (
        "Grad-CAM is most class-discriminative at the last block")
    assert all(layer_share("LayerCAM", name, column) > layer_share("Grad-CAM", name, column)
               for name in EARLY), "LayerCAM beats Grad-CAM at earlier blocks"
cup_at_block_10 = layer_share("Grad-CAM", "block 10", "mass on cup")
assert cup_at_block_10 < scene.masks["coffee"].mean(), "below chance"
for column in ("mass on cat", "mass on cup"):
    depth_range = {method: np.ptp([layer_share(method, name, column) for name in TARGET_LAYERS])
                   for method in ("Grad-CAM", "LayerCAM")}
    assert depth_range["LayerCAM"] < depth_range["Grad-CAM"], "LayerCAM changes less with depth"
    assert max(layer_share("LayerCAM", name, column) for name in EARLY) < layer_share(
        "Grad-CAM", "_conv_head", column), "no early map matches Grad-CAM at the last block"

# %%
fig, axes = plt.subplots(4, 3, figsize=(15, 10.5), layout="constrained")
panel_rows = [(m, n_pair) for m in ("Grad-CAM", "LayerCAM") for n_pair in range(2)]
for row, (method, n_pair) in zip(axes, panel_rows, strict=True):
    c = pair_classes[n_pair]
    for ax, layer_name in zip(row, TARGET_LAYERS, strict=True):
        grid = by_layer[(by_layer["layer"] == layer_name)]["channels x grid"].iloc[0]
        heat = layer_maps[method, layer_name][n_pair]
        value = mass_share(heat, scene.masks[OBJECT_OF_CLASS[c]])
        overlay_panel(ax, scene_image, heat,
                      f"{layer_name} ({grid.split(' x ', 1)[1]}): mass {value:.2f}",
                      boxes=scene_boxes)
    row[0].set_ylabel(f"{method}\n'{classes[c]}'", fontsize="large", fontweight="bold")
overlay_colour_bar(fig, axes, "map / map max")
fig.suptitle("The same two classes explained at three depths (grid size in brackets)",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# Moving back from `_conv_head`, the maps get finer (28 x 56 cells of 8 pixels at block 4) and
# pick out small parts: eyes, the nose, the cup's rim. Grad-CAM's class discrimination
# collapses at the earlier blocks: its espresso map at block 10 puts less mass on the cup than
# a uniform map would (compare with the box's area share printed in section 4). LayerCAM
# holds up better than Grad-CAM at both earlier blocks, and its shares change less with depth
# than Grad-CAM's (the table; these comparisons are asserted), but none of the early maps matches
# Grad-CAM at the last block here (asserted too). In practice: explain at the last block, and
# turn to an earlier layer (with LayerCAM, or by combining layers) only when you need finer
# localisation and can check the result.
#
# > **Pitfall.** The target layer is a free parameter that changes the explanation. A paper or
# > a report that shows a CAM must say which layer it used, and comparisons between methods
# > are only fair at the same layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Finding a planted watermark
#
# On real photos we know where the objects are, but not what the model *should* look at. The
# planted images of `utils.data` fix that: smooth colour gradients with noise and a random
# coloured square, where half of the images (class 1) also carry a 6 x 6 black-and-white
# checkerboard at a random position. The watermark is the only difference between the classes,
# so a model that separates them must use it, and a faithful map must find it.
#
# We train the course's `SmallCNN` (three conv blocks, global average pooling, one linear
# layer) on 512 images for 3 epochs, with a learning rate of 0.01 instead of the trainer's
# default 0.003 so that 3 epochs suffice (seconds at most on a CPU), and test it on 256 fresh
# images.

# %%
import time

from utils.data import make_planted_images
from utils.models import train_small_cnn

planted_train = make_planted_images(n_samples=512, seed=0)
planted_test = make_planted_images(n_samples=256, seed=1)
start = time.perf_counter()
trained = train_small_cnn(planted_train.images, planted_train.labels, epochs=3, lr=0.01,
                          seed=0)
print(f"trained in {time.perf_counter() - start:.1f} s; training accuracy per epoch: "
      + ", ".join(f"{a:.2f}" for a in trained.accuracies))
small_cnn = trained.model.to(DEVICE)
test_images = torch.from_numpy(planted_test.images).to(DEVICE)
with torch.no_grad():
    test_accuracy = (small_cnn(test_images).argmax(dim=1).cpu().numpy()
                     == planted_test.labels).mean()
print(f"test accuracy: {test_accuracy:.3f}")

# %%
assert test_accuracy > 0.95, "the small CNN has learned the watermark"

# %% [markdown]
# `SmallCNN` ends in ReLU, global average pooling and a linear layer, the architecture CAM was
# made for. At `features.relu3` (the activations the pooling averages) Grad-CAM's channel
# weights must therefore equal the linear weights divided by the number of grid cells, as
# section 2 derived.

# %%
WATERMARK = 1
marked = np.flatnonzero(planted_test.labels == WATERMARK)
marked_images = test_images[marked]
relu3_acts, relu3_grads, _ = activations_and_gradients(
    small_cnn, small_cnn.features.relu3, marked_images, [WATERMARK] * len(marked))
_, small_weights = grad_cam(relu3_acts, relu3_grads)
relu3_cells = relu3_acts.shape[2] * relu3_acts.shape[3]  # Z
cam_weights = small_cnn.classifier.weight[WATERMARK].detach() / relu3_cells
print(f"relu3 grid {relu3_acts.shape[2]} x {relu3_acts.shape[3]}; largest |Grad-CAM weight - "
      f"w/Z| over {len(marked)} images: {(small_weights - cam_weights).abs().max().item():.1e}")

# %%
assert torch.allclose(small_weights, cam_weights.expand_as(small_weights), atol=1e-7)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Grad-CAM reduces to CAM here, as derived. For the explanation we use `features.conv3`, the
# last convolution (its output passes through `relu3` before pooling), with pytorch-grad-cam
# on all 128 watermarked test images at once. Two yardsticks:
#
# - **chance**: a uniform map puts the watermark's *area share* of its mass on the watermark;
# - **resolution ceiling**: the map has 8 x 8 cells of 4 pixels, and the 6-pixel watermark
#   covers parts of several cells. The best an 8 x 8 map can do is the watermark mask itself,
#   averaged into the cells and upsampled the same way; its mass share is the ceiling.
#
# The pointing game's 15-pixel tolerance was made for 224-pixel photos; on a 32-pixel image it
# would cover much of the image (printed below), so we use tolerance 0: the peak pixel must lie
# on the watermark itself.

# %%
watermark_maps = run_cam(GradCAM, small_cnn, small_cnn.features.conv3, marked_images,
                         [WATERMARK] * len(marked))

# %% [markdown]
# The yardsticks: the ideal 8 x 8 map of each image (its watermark mask averaged into 4-pixel
# cells and upsampled), and the share of the image a 15-pixel tolerance would accept.

# %%
from scipy import ndimage

masks = planted_test.masks[marked]
size = masks.shape[-1]
cells = torch.from_numpy(masks.astype(np.float32))[:, None]
ideal = F.interpolate(F.avg_pool2d(cells, size // 8), size=(size, size), mode="bilinear",
                      align_corners=False)[:, 0].numpy()
disk = np.hypot(*np.ogrid[-15:16, -15:16]) <= 15
tolerance_area = np.mean([ndimage.binary_dilation(m, structure=disk).mean() for m in masks])

# %% [markdown]
# The scores of every map, next to chance and the ceiling:

# %%
watermark_mass = np.array([mass_share(h, m) for h, m in zip(watermark_maps, masks, strict=True)])
ceiling = np.array([mass_share(h, m) for h, m in zip(ideal, masks, strict=True)])
watermark_hits = np.array([pointing_hit(h, m, tolerance=0)
                           for h, m in zip(watermark_maps, masks, strict=True)])
area_share = masks.mean(axis=(1, 2))

# %%
print(f"{len(marked)} watermarked test images, {size} x {size} pixels")
print(f"area share of the watermark (chance): {area_share.mean():.3f}")
print(f"Grad-CAM mass share on the watermark: mean {watermark_mass.mean():.3f}, "
      f"min {watermark_mass.min():.3f}")
print(f"ceiling of an 8 x 8 map: mean {ceiling.mean():.3f}")
print(f"pointing game, tolerance 0: {watermark_hits.mean():.1%} hits; a 15 px tolerance would "
      f"accept {tolerance_area:.0%} of the image")

# %%
assert np.all(watermark_mass > area_share), "every map beats chance on its own image"
assert watermark_mass.mean() > 3 * area_share.mean(), "on average far above chance"
assert watermark_hits.mean() > 0.9, "the peak lands on the watermark"
assert watermark_mass.mean() < ceiling.mean(), "below the 8 x 8 resolution ceiling"

# %%
fig, axes = plt.subplots(2, 5, figsize=(16, 7), layout="constrained")
for ax, n in zip(axes.flat, range(10), strict=True):
    overlay_panel(ax, planted_test.images[marked[n]].transpose(1, 2, 0), watermark_maps[n],
                  f"mass {watermark_mass[n]:.2f}, {'hit' if watermark_hits[n] else 'miss'}",
                  boxes=planted_test.boxes[marked[n]], alpha=0.45, linestyle="-")
overlay_colour_bar(fig, axes, "Grad-CAM / map max")
fig.suptitle("Grad-CAM of the watermark class on test images (white box: the watermark)",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown]
# The map finds the shortcut: the panel titles say hit or miss for each peak, the pointing game at
# zero tolerance hits at the printed rate over all 128 images, and the mass share is several times
# the area share on average (the printout). It stays well below 1 for a reason that has nothing to
# do with the model: an 8 x 8 map cannot be sharper than its cells, and the printed ceiling says
# how much of the distance that explains. On a real dataset, a map that keeps landing on a corner,
# a logo or a ruler is how such shortcuts are found.
#
# On this network captum's `GuidedGradCam` works as intended: every `nn.ReLU` is its own
# module, used once. As a positive control to the pitfall of section 5, it must now equal our
# guided backprop times Grad-CAM (nearest upsampling, as captum does).

# %%
probe = marked_images[:16]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    captum_small = GuidedGradCam(small_cnn, small_cnn.features.conv3).attribute(
        probe.clone().requires_grad_(True), target=WATERMARK).detach()
conv3_acts, conv3_grads, _ = activations_and_gradients(small_cnn, small_cnn.features.conv3,
                                                       probe, [WATERMARK] * len(probe))
small_cams = F.interpolate(grad_cam(conv3_acts, conv3_grads)[0][:, None], size=(size, size),
                           mode="nearest")
ours_small = guided_backprop(small_cnn, probe, WATERMARK) * small_cams
control_gap = (captum_small - ours_small).abs().max().item()
print(f"SmallCNN: largest |captum GuidedGradCam - ours| = {control_gap:.1e} "
      f"(largest value {ours_small.abs().max().item():.1e})")

# %%
assert torch.allclose(captum_small, ours_small, rtol=1e-4,
                      atol=1e-6 * ours_small.abs().max().item())

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Pitfall.** Scores computed on maps must be read against their own yardsticks: the
# > chance level (area share), the resolution ceiling of the layer, and a pointing-game
# > tolerance scaled to the image. A small mass share can be excellent (this watermark: the
# > printed mean is over three times its area share, as asserted) and a share of 0.6 poor (a
# > box that covers half the image, where a map of random numbers already scores 0.5).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("06.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: Swap the halves
#
# Build the scene with the two photos swapped (coffee on the left, cat on the right) and the
# boxes moved with them. Compute Grad-CAM at `_conv_head` for tiger cat and espresso with
# pytorch-grad-cam and report each map's mass share on its object. Do the maps follow the
# objects, or did the model learn "cat on the left"?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: move the objects and their boxes together, then ask whether each class's map still
#   puts most of its mass on its own object.
# Hint: np.roll(scene_image, WIDTH // 2, axis=1) swaps the halves exactly, and the same roll
#   moves each boolean mask in scene.masks; preprocess with classifier.preprocess and call
#   run_cam(GradCAM, ...) from section 3 on a batch of two copies.
# Hint: start with swapped_image = np.roll(scene_image, WIDTH // 2, axis=1).
swapped_image = np.roll(scene_image, WIDTH // 2, axis=1)
swapped_masks = {name: np.roll(mask, WIDTH // 2, axis=1) for name, mask in scene.masks.items()}
swapped_batch = classifier.preprocess(swapped_image).expand(2, -1, -1, -1)
swapped_maps = run_cam(GradCAM, model, classifier.target_layer, swapped_batch, pair_classes)
for c, heat in zip(pair_classes, swapped_maps, strict=True):
    share_swapped = mass_share(heat, swapped_masks[OBJECT_OF_CLASS[c]])
    print(f"{classes[c]:10s}: mass share on its object after the swap {share_swapped:.2f}")
    assert share_swapped > 0.5, "the map follows the object"

# %% slideshow={"slide_type": "fragment"}
check("06.1", maps=swapped_maps, masks=swapped_masks, image=swapped_image, original=scene_image,
      scene=scene, classes=pair_classes, object_of_class=OBJECT_OF_CLASS)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Both maps move with their objects: convolutions are (nearly) translation-equivariant and the
# pooling forgets positions, so the evidence is tied to what is in a region, not to where the
# region is. A map that stayed on the left would have told you the model (or the explanation)
# keyed on position, which is worth checking whenever training images share a layout.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Randomise the classifier
#
# Break the model on purpose: copy it, replace the weights of its last layer `_fc` with
# seeded random numbers of the same standard deviation (biases zero), and recompute Grad-CAM
# for tiger cat and espresso. Compare each map with the original one (Spearman rank correlation
# over pixels) and score it with the mass share. An explanation that does not change when the
# model is destroyed cannot be explaining the model; [notebook 07](07_sanity_checks.ipynb)
# turns this into the model-randomisation sanity check.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: destroy a copy's last layer (never the trained model's) and compare the maps; a map
#   that explains the model must change with it.
# Hint: copy.deepcopy(model), then inside torch.no_grad() overwrite broken._fc.weight with
#   torch.randn(..., generator=torch.Generator().manual_seed(0)) * std and zero the bias;
#   scipy.stats.spearmanr compares two flattened maps. ours[pair] holds the original maps.
# Hint: start with broken = copy.deepcopy(model).cpu() and generator =
#   torch.Generator().manual_seed(0).
import copy

from scipy.stats import spearmanr

broken = copy.deepcopy(model).cpu()
generator = torch.Generator().manual_seed(0)
with torch.no_grad():
    spread = broken._fc.weight.std()
    broken._fc.weight.copy_(torch.randn(broken._fc.weight.shape, generator=generator) * spread)
    broken._fc.bias.zero_()
broken = broken.to(DEVICE)
broken_maps = run_cam(GradCAM, broken, broken._conv_head, pair_batch, pair_classes)
for n_pair, c in enumerate(pair_classes):
    rho = spearmanr(broken_maps[n_pair].ravel(), ours[pair[n_pair]].ravel()).statistic
    share_broken = mass_share(broken_maps[n_pair], scene.masks[OBJECT_OF_CLASS[c]])
    print(f"{classes[c]:10s}: Spearman with the trained model's map {rho:+.2f}; mass share on "
          f"its object {share_broken:.2f} (was {mass.loc['Grad-CAM', classes[c]]:.2f})")
    assert rho < 0.5, "the map changes when the classifier is randomised"

# %% slideshow={"slide_type": "fragment"}
check("06.2", broken=broken, model=model, broken_maps=broken_maps, ours=ours, pair=pair)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Grad-CAM passes this test: with a random classifier its maps for both classes have little or
# negative rank correlation with the trained model's maps, and their mass on the right object
# drops, below the box's area share for the cat and close to it for the cup (the area shares are
# printed in section 4). The channel weights come from the classifier's gradients, so destroying
# the classifier changes them; the activations alone (EigenCAM) would not have changed at all.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: A little noise
#
# Ghorbani et al. (2019) showed that pixel-gradient maps can change a lot under perturbations
# that leave the prediction alone. Add Gaussian noise with standard deviation 0.05 (in the
# model's input units, about 6 grey levels of 255) to the scene, check that the top-1 class
# stays the same, and compare the Spearman correlation between the clean and the noisy map
# for Grad-CAM and for the plain gradient (|gradient| summed over colours), for both classes.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: perturb the input a little, confirm the prediction stays, then compare each method's
#   clean and noisy maps with a rank correlation.
# Hint: noisy = pair_batch + 0.05 * torch.randn(pair_batch.shape, generator=...); reuse
#   pixel_maps["gradient"] and ours[pair] as the clean maps, and compute the noisy gradient as
#   in section 5 (an input with requires_grad_(True), backward of the two logits).
# Hint: start with noise_generator = torch.Generator().manual_seed(1).
noise_generator = torch.Generator().manual_seed(1)
noise = 0.05 * torch.randn(pair_batch.shape, generator=noise_generator)
noisy_batch = (pair_batch + noise.to(DEVICE)).clamp(-1, 1)
with torch.no_grad():
    same_top1 = bool((model(noisy_batch).argmax(dim=1) == model(pair_batch).argmax(dim=1)).all())
noisy_cams = run_cam(GradCAM, model, classifier.target_layer, noisy_batch, pair_classes)
noisy_inputs = noisy_batch.clone().requires_grad_(True)
model(noisy_inputs)[[0, 1], pair_classes].sum().backward()
noisy_gradient = noisy_inputs.grad.abs().sum(dim=1).cpu().numpy()
clean_gradient = pixel_maps["gradient"].cpu().numpy()
print(f"top-1 unchanged by the noise: {same_top1}")
for n_pair, c in enumerate(pair_classes):
    rho_cam = spearmanr(noisy_cams[n_pair].ravel(), ours[pair[n_pair]].ravel()).statistic
    rho_grad = spearmanr(noisy_gradient[n_pair].ravel(), clean_gradient[n_pair].ravel()).statistic
    print(f"{classes[c]:10s}: Spearman clean vs noisy: Grad-CAM {rho_cam:.2f}, "
          f"gradient {rho_grad:.2f}")
    assert same_top1 and rho_cam > rho_grad, "Grad-CAM is the more stable of the two"

# %% slideshow={"slide_type": "fragment"}
check("06.3", same_top1=same_top1, noise=noise, noisy_cams=noisy_cams,
      noisy_gradient=noisy_gradient, clean_gradient=clean_gradient, ours=ours, pair=pair)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The prediction does not move, the Grad-CAM maps barely move, and the gradient maps change a lot.
# Grad-CAM averages the gradient over each channel and works on a 7 x 14 grid, so pixel-level
# noise washes out; the plain gradient is a pixel-level quantity and inherits every pixel's noise.
# Stability is not faithfulness, though: a constant map would be perfectly stable (notebook 07
# measures both).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 4: Score-CAM, a gradient-free CAM
#
# Score-CAM (Wang et al., 2020) weighs each channel by what the model *does* when it sees the
# input masked by that channel: upsample channel $k$ of the target layer to the input size,
# scale it to [0, 1], multiply the input by it, and take the class logit; the weights are the
# softmax of these logits over the channels, and the map is
# $\mathrm{ReLU}(\sum_k \alpha_k A^k)$. It costs one forward pass per channel and image, too
# much for Lite0's 1,280 channels on a CPU but cheap for `SmallCNN`'s 64. Implement it
# (pytorch-grad-cam upsamples the channels with `align_corners=True`), check it against
# `ScoreCAM` on 16 watermarked test images, time both with `record_throughput`, and compare its
# mass share on the watermark with Grad-CAM's.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: each channel, scaled to [0, 1] and upsampled, is a mask; the class logit of the masked
#   input is the channel's score, and the softmax of the scores weighs the channels.
# Hint: take the activations of features.conv3 with activations_and_gradients (the gradients
#   are not needed); F.interpolate(..., mode="bilinear", align_corners=True) upsamples; the
#   masked inputs of one image form a (64, 3, 32, 32) batch; normalise the final map with
#   min_max.
# Hint: start with acts, _, _ = activations_and_gradients(small_cnn, small_cnn.features.conv3,
#   probe, [WATERMARK] * len(probe)).
import contextlib
import io

from pytorch_grad_cam import ScoreCAM

from utils.env import record_throughput

probe_masks = masks[:16]
start = time.perf_counter()
acts, _, _ = activations_and_gradients(small_cnn, small_cnn.features.conv3, probe,
                                       [WATERMARK] * len(probe))
channels = F.interpolate(acts, size=(size, size), mode="bilinear", align_corners=True)
low = channels.amin(dim=(2, 3), keepdim=True)
channels = (channels - low) / (channels.amax(dim=(2, 3), keepdim=True) - low + 1e-8)
with torch.inference_mode():  # forward passes only: no autograd bookkeeping
    masked = probe[:, None] * channels[:, :, None]  # (images, channels, 3, H, W)
    scores = small_cnn(masked.flatten(0, 1))[:, WATERMARK].view(len(probe), -1)
score_weights = torch.softmax(scores, dim=1)
score_cam = min_max(upsample(torch.relu(torch.einsum("nk,nkhw->nhw", score_weights, acts)),
                             (size, size))).cpu().numpy()
evaluations = masked.shape[0] * masked.shape[1]
record_throughput("Score-CAM from scratch (SmallCNN)", evaluations, time.perf_counter() - start,
                  forward=small_cnn, example=probe[0])

start = time.perf_counter()
with ScoreCAM(model=small_cnn, target_layers=[small_cnn.features.conv3]) as cam:
    cam.batch_size = 64
    with contextlib.redirect_stderr(io.StringIO()):  # the library prints progress bars
        library_score = cam(input_tensor=probe.clone(),
                            targets=[ClassifierOutputTarget(WATERMARK)] * len(probe))
record_throughput("Score-CAM, pytorch-grad-cam (SmallCNN)", evaluations,
                  time.perf_counter() - start, forward=small_cnn, example=probe[0])
score_gap = np.abs(score_cam - library_score).max()
score_mass = np.mean([mass_share(h, m) for h, m in zip(score_cam, probe_masks, strict=True)])
print(f"largest |from scratch - library| = {score_gap:.1e}")
print(f"mass share on the watermark, same 16 images: Score-CAM {score_mass:.3f}, "
      f"Grad-CAM {watermark_mass[:16].mean():.3f}, chance {area_share[:16].mean():.3f}")
assert score_gap < 1e-4, "Score-CAM from scratch = pytorch-grad-cam"
assert score_mass > 3 * area_share[:16].mean(), "Score-CAM finds the watermark too"

# %% slideshow={"slide_type": "fragment"}
check("06.4", score_cam=score_cam, library=library_score, masks=probe_masks, area=area_share)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Both implementations give the same maps, and Score-CAM finds the watermark without a single
# gradient. Our version sends the 64 masked copies of all 16 images through the model in one
# call; the library loops over images and batches of `batch_size` (compare the two printed
# rates). The cost grows with channels x images: for Lite0 at `_conv_head` it would be 1,280
# forward passes of the scene per class, which is why Score-CAM is the exercise here and not
# the main text.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The last convolutional block keeps a coarse map of *where* each of its features is; a
#   forward hook reads it (1,280 channels on a 7 x 14 grid for the scene).
# - CAM splits a GAP + linear network's class score over the grid exactly; Grad-CAM replaces
#   the linear weights with the spatial mean of the gradient, so it works for any head, and
#   reduces to CAM where CAM applies (checked on the small CNN).
# - From scratch with a forward and a backward hook, Grad-CAM equals `pytorch_grad_cam.GradCAM`
#   after the library's per-map min-max scaling, and captum's `LayerGradCam` before it. The
#   scaling hides how strong the evidence is: a class absent from the image gets a map as
#   bright as the top class.
# - On the two-object scene, Grad-CAM, Grad-CAM++ and LayerCAM put most of each top-5 class's
#   mass on the right object; Grad-CAM and Grad-CAM++ also win every pointing game. XGrad-CAM
#   fails because `_conv_head`'s activations are signed, EigenCAM because it ignores the class.
# - Guided Grad-CAM adds pixel detail to Grad-CAM's class discrimination; captum's version
#   silently uses the plain gradient on Lite0's shared ReLU6 modules, and works on a network
#   with one `nn.ReLU` per use.
# - Earlier target layers give finer but less class-specific maps; LayerCAM holds up better
#   there than Grad-CAM.
# - On planted images, Grad-CAM finds the watermark a small CNN learned, far above the chance
#   level and within the limit set by its 8 x 8 resolution.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Zhou, B., Khosla, A., Lapedriza, A., Oliva, A., & Torralba, A. (2016). Learning deep
#   features for discriminative localization. *CVPR 2016*. https://arxiv.org/abs/1512.04150
# - Selvaraju, R. R., Cogswell, M., Das, A., Vedantam, R., Parikh, D., & Batra, D. (2017).
#   Grad-CAM: Visual explanations from deep networks via gradient-based localization.
#   *ICCV 2017*; *IJCV* 128, 336–359 (2020). https://arxiv.org/abs/1610.02391,
#   https://doi.org/10.1007/s11263-019-01228-7
# - Chattopadhay, A., Sarkar, A., Howlader, P., & Balasubramanian, V. N. (2018). Grad-CAM++:
#   Generalized gradient-based visual explanations for deep convolutional networks.
#   *WACV 2018*. https://arxiv.org/abs/1710.11063
# - Jiang, P.-T., Zhang, C.-B., Hou, Q., Cheng, M.-M., & Wei, Y. (2021). LayerCAM: Exploring
#   hierarchical class activation maps for localization. *IEEE Transactions on Image
#   Processing* 30, 5875–5888. https://doi.org/10.1109/TIP.2021.3089943
# - Fu, R., Hu, Q., Dong, X., Guo, Y., Gao, Y., & Li, B. (2020). Axiom-based Grad-CAM: Towards
#   accurate visualization and explanation of CNNs. *BMVC 2020*.
#   https://arxiv.org/abs/2008.02312
# - Muhammad, M. B., & Yeasin, M. (2020). Eigen-CAM: Class activation map using principal
#   components. *IJCNN 2020*. https://arxiv.org/abs/2008.00299
# - Wang, H., Wang, Z., Du, M., Yang, F., Zhang, Z., Ding, S., Mardziel, P., & Hu, X. (2020).
#   Score-CAM: Score-weighted visual explanations for convolutional neural networks.
#   *CVPR Workshops 2020*. https://arxiv.org/abs/1910.01279
# - Zeiler, M. D., & Fergus, R. (2014). Visualizing and understanding convolutional networks.
#   *ECCV 2014*. https://arxiv.org/abs/1311.2901
# - Springenberg, J. T., Dosovitskiy, A., Brox, T., & Riedmiller, M. (2015). Striving for
#   simplicity: The all convolutional net. *ICLR 2015 workshop*. https://arxiv.org/abs/1412.6806
# - Zhang, J., Bargal, S. A., Lin, Z., Brandt, J., Shen, X., & Sclaroff, S. (2018). Top-down
#   neural attention by excitation backprop. *IJCV* 126, 1084–1102 (the pointing game).
#   https://arxiv.org/abs/1608.00507
# - Adebayo, J., Gilmer, J., Muelly, M., Goodfellow, I., Hardt, M., & Kim, B. (2018). Sanity
#   checks for saliency maps. *NeurIPS 2018*. https://arxiv.org/abs/1810.03292
# - Ghorbani, A., Abid, A., & Zou, J. (2019). Interpretation of neural networks is fragile.
#   *AAAI 2019*. https://arxiv.org/abs/1710.10547
# - Gildenblat, J., and contributors. pytorch-grad-cam: Advanced AI explainability for computer
#   vision. https://github.com/jacobgil/pytorch-grad-cam, tutorials:
#   https://jacobgil.github.io/pytorch-gradcam-book/
# - Kokhlikyan, N., et al. (2020). Captum: A unified and generic model interpretability library
#   for PyTorch. https://arxiv.org/abs/2009.07896; `LayerGradCam` and `GuidedGradCam`:
#   https://captum.ai/api/layer.html, https://captum.ai/api/guided_grad_cam.html
# - PyTorch documentation: module hooks (`register_forward_hook`,
#   `register_full_backward_hook`). https://pytorch.org/docs/stable/generated/torch.nn.Module.html
