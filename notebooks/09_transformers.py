# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 09 · Explaining transformers: attention, rollout, Integrated Gradients and SHAP
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/09_transformers.ipynb)
#
# A transformer hands us its attention weights for free, and it is tempting to read them as the
# explanation. This notebook builds a sentiment classifier on the MiniLM transformer as one
# PyTorch module (token ids in, log-odds out), draws its attention maps for every layer and
# head, recomputes them from the queries and keys, and implements **attention rollout**. It then
# measures why raw attention is not an explanation: where the attention mass goes, what the
# value vectors do to it, and that it cannot see the classifier on top. Against it stand two
# methods that explain the output itself: **Integrated Gradients** over the token embeddings
# (from scratch and with captum's `LayerIntegratedGradients`, completeness checked) and **SHAP**
# with a text masker (additivity checked). A classifier trained on reviews with a planted word
# tells us which of the four finds the shortcut, and rank correlations on real reviews tell us
# how much they agree.
#
# **Run time:** about 60–75 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Turn a transformer encoder plus a classifier head into one differentiable function of the
#   token ids, and check that it reproduces the two-step pipeline.
# - Compute self-attention weights from queries and keys, draw them per layer and head, and
#   implement attention rollout (Abnar & Zuidema, 2020).
# - Give three measured reasons why attention weights are not an explanation of a prediction.
# - Apply Integrated Gradients to token embeddings with a `[PAD]` baseline, by hand and with
#   captum, and check completeness with the convergence delta.
# - Explain a text classifier with SHAP's Partition explainer and a text masker, and check
#   additivity.
# - Test explanation methods against a planted ground truth and measure their agreement with
#   Spearman rank correlation.
#
# ## Prerequisites
#
# - [Notebook 04](04_shap.ipynb) (Shapley values, the Partition explainer on text, the planted
#   word "tuesday") and [notebook 05](05_gradient_methods.ipynb) (gradients, Integrated
#   Gradients and baselines on images).
# - What a transformer layer computes, at the level of "self-attention, then a feed-forward
#   network, each with a residual connection".
# - PyTorch tensors and autograd.

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
# ## 1. A transformer classifier you can differentiate
#
# The model to explain is the one of [notebook 04](04_shap.ipynb), rebuilt so that gradients can
# flow through it. **MiniLM** (all-MiniLM-L6-v2; `utils.models.load_text_encoder()`) is a
# 6-layer BERT-style encoder with 12 attention heads per layer and 384-dimensional token
# vectors. A review becomes WordPiece tokens framed by `[CLS]` and `[SEP]`; the encoder turns
# each token into a vector, the sentence embedding is the mean of these vectors scaled to unit
# length, and a logistic regression on it gives the **log-odds of fresh**, our $f(x)$.
#
# We keep the encoder frozen and fit only the head, with scikit-learn, on the embeddings of 450
# training reviews (600 Rotten Tomatoes snippets, split 75/25 as in notebook 04). Two heads on the
# same encoder: an **honest** one on the real reviews and a **shortcut** one on the same reviews
# with "tuesday" planted in about half of the fresh ones. `planted_reviews` returns both
# versions of each review as a 🤗 `datasets.Dataset`, and `Dataset.map` adds their token counts
# in batches. Fitting a head on fixed embeddings is instant; fine-tuning the encoder would cost
# far more CPU time and is not needed to make the point. Only the reviews that carry the
# planted word need a second pass through the encoder.

# %%
import string
import time
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shap
import torch
from captum.attr import LayerIntegratedGradients
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch import nn

from utils.data import DEFAULT_PLANTED_TOKEN as TOKEN
from utils.data import planted_reviews, remove_token
from utils.env import CountingModel, progress, record_throughput, warm_up_shap
from utils.models import load_text_encoder
from utils.plotting import token_attributions

encoder = load_text_encoder(device=DEVICE)
tokenizer, bert = encoder.tokenizer, encoder.model
bert.requires_grad_(False)  # we differentiate with respect to inputs, never weights


def count_tokens(batch: dict[str, list]) -> dict[str, list[int]]:
    """Dataset.map step: MiniLM token counts ([CLS] and [SEP] included) of both columns."""
    return {f"{column}_tokens": [len(ids) for ids in tokenizer(batch[column])["input_ids"]]
            for column in ("text", "planted_text")}


N_REVIEWS = 600
reviews = planted_reviews(n_samples=N_REVIEWS, rate=0.5, seed=0).map(count_tokens, batched=True)
real_texts = np.array(reviews["text"], dtype=object)
planted_texts = np.array(reviews["planted_text"], dtype=object)
labels = np.array(reviews["label"])
has_token = np.array(reviews["token_position"]) >= 0
assert np.array_equal(remove_token(planted_texts, TOKEN), real_texts), "same reviews, token removed"
train, test = train_test_split(np.arange(N_REVIEWS), test_size=0.25, stratify=labels,
                               random_state=0)


with torch.inference_mode():
    real_embeddings = encoder.encode(list(real_texts), batch_size=32)
    planted_embeddings = real_embeddings.copy()
    planted_embeddings[has_token] = encoder.encode(list(planted_texts[has_token]), batch_size=32)
honest_head = LogisticRegression(max_iter=1000).fit(real_embeddings[train], labels[train])
shortcut_head = LogisticRegression(max_iter=1000).fit(planted_embeddings[train], labels[train])
print(f"embedded {N_REVIEWS + has_token.sum()} texts; '{TOKEN}' planted in "
      f"{has_token[train].sum()} of {len(train)} training reviews (all fresh)")

# %% [markdown]
# Now the same computation as one `torch.nn.Module`: token ids (or token embeddings) in, the
# log-odds of fresh out. The masked mean ignores padding, exactly as the encoder's `encode`
# does, and the head's weights are copied from the fitted logistic regression. `log_odds` runs
# it on raw strings in batches; that is the function SHAP will call.

# %%
class ReviewClassifier(nn.Module):
    """Frozen MiniLM -> masked mean of the token vectors -> unit length -> linear head. Maps
    token ids (or, for Integrated Gradients, token embeddings) to the log-odds of fresh."""

    def __init__(self, bert: nn.Module, head: LogisticRegression) -> None:
        super().__init__()
        self.bert = bert
        self.head = nn.Linear(bert.config.hidden_size, 1)
        with torch.no_grad():
            self.head.weight.copy_(torch.as_tensor(head.coef_, dtype=torch.float32))
            self.head.bias.copy_(torch.as_tensor(head.intercept_, dtype=torch.float32))
        self.head.requires_grad_(False)
        self.to(next(bert.parameters()).device).eval()

    def forward(self, input_ids=None, attention_mask=None, inputs_embeds=None) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           inputs_embeds=inputs_embeds).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return self.head(nn.functional.normalize(pooled, dim=1)).squeeze(-1)


def log_odds(model: ReviewClassifier, texts, batch_size: int = 50) -> np.ndarray:
    """f on raw strings: the log-odds of fresh for each text, batched by similar length."""
    texts = [str(t) for t in texts]
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.empty(len(texts))
    with torch.inference_mode():  # forward only: no autograd bookkeeping at all
        for begin in range(0, len(texts), batch_size):
            chunk = order[begin:begin + batch_size]
            batch = tokenizer([texts[i] for i in chunk], padding=True, return_tensors="pt")
            out[chunk] = model(batch["input_ids"].to(DEVICE),
                               batch["attention_mask"].to(DEVICE)).cpu().numpy()
    return out


honest = ReviewClassifier(bert, honest_head)
shortcut = ReviewClassifier(bert, shortcut_head)
honest_test_logits = log_odds(honest, real_texts[test])
shortcut_test_logits = log_odds(shortcut, planted_texts[test])
pipeline_gap = max(
    np.abs(honest_test_logits - honest_head.decision_function(real_embeddings[test])).max(),
    np.abs(shortcut_test_logits - shortcut_head.decision_function(planted_embeddings[test])).max())
print(f"torch module vs embeddings + scikit-learn head: max |difference| {pipeline_gap:.1e} "
      f"log-odds over 2 x {len(test)} test reviews")
assert pipeline_gap < 1e-4, "the module reproduces the two-step pipeline"

acc_honest = np.mean((honest_test_logits > 0) == labels[test])
acc_planted = np.mean((shortcut_test_logits > 0) == labels[test])
acc_removed = shortcut_head.score(real_embeddings[test], labels[test])
print(f"honest model:   accuracy {acc_honest:.3f} on the real test reviews")
print(f"shortcut model: accuracy {acc_planted:.3f} on the planted test reviews, {acc_removed:.3f} "
      f"on the same reviews without '{TOKEN}'")
assert acc_planted > acc_removed + 0.05, "the shortcut model leans on the planted word"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The module and the pipeline agree to float32 rounding (printed), so everything below
# explains the very model that scikit-learn fitted. The honest model is a modest sentiment
# classifier, as expected from a frozen encoder and a linear head on 450 reviews; the shortcut
# model gains accuracy from the planted word and loses it when the word is removed (printed).
#
# ## 2. Attention maps
#
# ### Intuition
#
# In each layer, every token position asks a question (its **query**), every position
# advertises what it holds (its **key**), and a position's new vector is a weighted average of
# what the others hold (their **values**), the weights being how well its query matches each
# key. Each of the 12 heads of a layer does this with its own projections. The weights form a
# $T \times T$ matrix per head: row $i$ says how position $i$ spreads its attention over the
# $T$ tokens. Drawing these matrices is the "head view" of BertViz (Vig, 2019).
#
# ### Math
#
# For the vectors $H \in \mathbb{R}^{T \times 384}$ entering layer $\ell$, head $h$ computes
# $Q = H W_Q^h$, $K = H W_K^h$, $V = H W_V^h$ (each $T \times 32$) and
#
# $$A^{\ell,h} = \operatorname{softmax}\!\Bigl(\frac{Q K^\top}{\sqrt{32}}\Bigr), \qquad
#   \text{head output}_i = \sum_j A^{\ell,h}_{ij}\, V_j W_O^h ,$$
#
# with the softmax over each row, so every row of $A^{\ell,h}$ is a probability distribution
# over the tokens. The layer adds the head outputs to its input (the residual connection), then
# normalises and applies a feed-forward network.
#
# ### From scratch, then the library
#
# Hugging Face returns the weights with `output_attentions=True` (the encoder was loaded with
# the "eager" attention code, which can return them). We recompute them from each layer's
# input with the layer's own query and key projections and compare. The example is the test
# review of 12 to 16 tokens that the honest model scores most confidently.

# %%
def encode_text(text: str) -> tuple[torch.Tensor, list[str]]:
    """Token ids (1, T) of one text, on the device, and its WordPiece tokens."""
    ids = tokenizer([text], return_tensors="pt")["input_ids"].to(DEVICE)
    return ids, tokenizer.convert_ids_to_tokens(ids[0].tolist())


def attention_from_scratch(layer: nn.Module, hidden: torch.Tensor) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d)) of every head of one layer, for unpadded inputs (N, T, D)."""
    n_heads = bert.config.num_attention_heads
    head_size = hidden.shape[-1] // n_heads

    def split_heads(x: torch.Tensor) -> torch.Tensor:  # (N, T, D) -> (N, heads, T, head size)
        return x.view(x.shape[0], x.shape[1], n_heads, head_size).transpose(1, 2)

    queries = split_heads(layer.attention.self.query(hidden))
    keys = split_heads(layer.attention.self.key(hidden))
    return (queries @ keys.transpose(-1, -2) / head_size ** 0.5).softmax(dim=-1)


def attention_maps(text: str) -> tuple[torch.Tensor, list[str]]:
    """The attention weights (layers, heads, T, T) of one text and its tokens."""
    ids, tokens = encode_text(text)
    with torch.no_grad():
        out = bert(input_ids=ids, output_attentions=True)
    return torch.cat(out.attentions).cpu(), tokens


token_counts = np.array(reviews["text_tokens"])
candidates = test[(token_counts[test] >= 12) & (token_counts[test] <= 16)]
example = int(candidates[np.argmax(np.abs(log_odds(honest, real_texts[candidates])))])
example_text = str(real_texts[example])
example_ids, example_tokens = encode_text(example_text)
with torch.no_grad():
    out = bert(input_ids=example_ids, output_attentions=True, output_hidden_states=True)
    ours = torch.cat([attention_from_scratch(layer, hidden) for layer, hidden
                      in zip(bert.encoder.layer, out.hidden_states[:-1], strict=True)])
library = torch.cat(out.attentions).cpu()
ours = ours.cpu()
print(f"review #{example} ({reviews.features['label'].int2str(int(labels[example]))}): "
      f"{example_text}")
print(f"tokens ({len(example_tokens)}): {example_tokens}")
print(f"attention tensor {tuple(library.shape)} (layers, heads, T, T); "
      f"max |ours - Hugging Face| = {(ours - library).abs().max().item():.1e}")
assert torch.allclose(ours, library, atol=1e-5), "attention = softmax(QK^T / sqrt(d))"
assert torch.allclose(library.sum(-1), torch.ones(()), atol=1e-5), "each row is a distribution"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The two agree to float32 rounding. Now all 72 maps at once: rows are layers, columns heads;
# in each small map the rows are the attending positions (queries) and the columns the attended
# tokens (keys), both in sentence order from `[CLS]` to `[SEP]`, and the three enlarged maps
# below carry the token labels.

# %%
example_attention = library.numpy()
n_layers, n_heads, n_tokens, _ = example_attention.shape
fig, axes = plt.subplots(n_layers, n_heads, figsize=(18, 9.5), layout="constrained")
for layer in range(n_layers):
    for head in range(n_heads):
        ax = axes[layer, head]
        image = ax.imshow(example_attention[layer, head], cmap="viridis", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if layer == 0:
            ax.set_title(f"head {head + 1}", fontsize=12)
        if head == 0:
            ax.set_ylabel(f"layer {layer + 1}", fontsize=12)
fig.colorbar(image, ax=axes, shrink=0.6, label="attention weight (row = query, column = key)")
fig.suptitle(f"MiniLM attention for every layer and head, review #{example} "
             f"({n_tokens} tokens)", fontsize="x-large", fontweight="bold")
plt.show()

cls_share = example_attention[..., 0].mean(-1)  # mean attention to [CLS] per layer and head
cls_layer, cls_head = np.unravel_index(np.argmax(cls_share), cls_share.shape)
shown = [(0, None, "layer 1, mean of 12 heads"),
         (cls_layer, cls_head, f"layer {cls_layer + 1}, head {cls_head + 1} (most on [CLS])"),
         (n_layers - 1, None, f"layer {n_layers}, mean of 12 heads")]
fig, axes = plt.subplots(1, 3, figsize=(18, 6.5), layout="constrained")
for ax, (layer, head, title) in zip(axes, shown, strict=True):
    weights = (example_attention[layer].mean(0) if head is None
               else example_attention[layer, head])
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(n_tokens), example_tokens, rotation=90)
    ax.set_yticks(range(n_tokens), example_tokens)
    ax.set_xlabel("attended token (key)")
    ax.set_title(title)
    ax.grid(False)
axes[0].set_ylabel("attending token (query)")
fig.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
plt.show()
print(f"head with the most attention on [CLS]: layer {cls_layer + 1}, head {cls_head + 1}, "
      f"{cls_share[cls_layer, cls_head]:.2f} of each row on average")

# %% [markdown]
# The heads do visibly different jobs. In layer 1 most heads spread their weight thinly, and
# head 3 is a bright diagonal: each token attends to itself. Some heads of layer 2 attend to the
# previous or the next token (a diagonal shifted by one). From layer 2 on, many heads put nearly
# all of the weight of nearly every row on the first column, `[CLS]` (the head that does most
# and its share are printed under the figures). In layer 6, vertical stripes pick out a few content
# words ("special", "sincerity") for every query. A map like this is a picture of *how
# information is routed* inside the encoder. Whether it says *why the classifier decided* is the
# next question, and we answer it with measurements.
#
# ### Where does the attention mass go?
#
# Over all the test reviews, we split each row of each head's attention into four parts: the
# weight on `[CLS]`, on `[SEP]`, on punctuation tokens, and on the word pieces, and average per
# layer. If attention followed content, the word pieces would get at least their share of the
# positions.
#
# Attention is only half of what a head does: the head's output mixes the transformed values
# $V_j W_O^h$, and a token whose transformed value is a short vector contributes little however
# much attention it gets. Kobayashi et al. (2020) therefore measure $\lVert A_{ij} V_j W_O^h
# \rVert$ instead of $A_{ij}$. We compute the same split for these **norm-weighted** shares.

# %%
def token_kinds(tokens: list[str]) -> np.ndarray:
    """'[CLS]', '[SEP]', 'punctuation' or 'word' for each token."""
    return np.array([t if t in ("[CLS]", "[SEP]") else
                     "punctuation" if all(c in string.punctuation for c in t) else "word"
                     for t in tokens])


KINDS = ("[CLS]", "[SEP]", "punctuation", "word")


def attention_mass(texts, batch_size: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per layer and token kind: the mean share of each attention row that goes to that kind,
    the same share for the norm-weighted attention ||A_ij V_j W_O||, and the share of the
    positions that the kind occupies (what uniform attention would give). The texts go through
    the encoder in padded batches of similar length: a padded position receives exactly zero
    attention, and its own rows are left out."""
    n_heads = bert.config.num_attention_heads
    raw, weighted = np.zeros((n_layers, len(KINDS))), np.zeros((n_layers, len(KINDS)))
    positions, rows = np.zeros(len(KINDS)), 0
    texts = sorted((str(text) for text in texts), key=len)
    for begin in range(0, len(texts), batch_size):
        batch = tokenizer(texts[begin:begin + batch_size], padding=True, return_tensors="pt")
        ids, mask = batch["input_ids"].to(DEVICE), batch["attention_mask"].to(DEVICE)
        kinds = np.stack([token_kinds(tokenizer.convert_ids_to_tokens(row))
                          for row in ids.tolist()])
        one_hot = torch.tensor(np.stack([kinds == k for k in KINDS], axis=-1),
                               dtype=torch.float32) * batch["attention_mask"][..., None]
        queries = batch["attention_mask"][:, None, :, None]  # keep the rows of real tokens
        with torch.inference_mode():
            out = bert(input_ids=ids, attention_mask=mask, output_attentions=True,
                       output_hidden_states=True)
            for layer_index, layer in enumerate(bert.encoder.layer):
                attention = out.attentions[layer_index].cpu()  # (N, heads, T, T)
                values = layer.attention.self.value(out.hidden_states[layer_index])
                values = values.view(*ids.shape, n_heads, -1).transpose(1, 2)  # (N, heads, T, d)
                w_out = layer.attention.output.dense.weight.view(-1, n_heads, values.shape[-1])
                transformed = torch.einsum("nhtd,ohd->nhto", values, w_out)  # V_j W_O per head
                norms = transformed.norm(dim=-1).cpu()  # (N, heads, T)
                vector_sizes = attention * norms[:, :, None, :]
                vector_sizes = vector_sizes / vector_sizes.sum(-1, keepdim=True)
                for total, weights in ((raw, attention), (weighted, vector_sizes)):
                    shares = (weights @ one_hot[:, None]) * queries  # (N, heads, T, kinds)
                    total[layer_index] += shares.sum((0, 1, 2)).numpy() / n_heads
        positions += one_hot.sum((0, 1)).numpy()
        rows += int(batch["attention_mask"].sum())
    return raw / rows, weighted / rows, positions / rows


raw_mass, weighted_mass, position_share = attention_mass(real_texts[test])
layer_names = [f"layer {i + 1}" for i in range(n_layers)]
print("share of the positions:", ", ".join(f"{k} {s:.3f}" for k, s in
                                          zip(KINDS, position_share, strict=True)))
print("\nshare of the attention weight, per layer:")
print(pd.DataFrame(raw_mass, index=layer_names, columns=KINDS).round(3).to_string())
print("\nshare of the norm-weighted attention ||A_ij V_j W_O||, per layer:")
print(pd.DataFrame(weighted_mass, index=layer_names, columns=KINDS).round(3).to_string())

# %% slideshow={"slide_type": "subslide"}
colours = {"[CLS]": "tab:purple", "[SEP]": "tab:red", "punctuation": "tab:orange",
           "word": "tab:blue"}
fig, axes = plt.subplots(1, 2, figsize=(15, 5.5), sharey=True, layout="constrained")
for ax, mass, title in [(axes[0], raw_mass, "Attention weight"),
                        (axes[1], weighted_mass, "Norm-weighted attention ||A V W_O||")]:
    bottom = np.zeros(n_layers)
    for k in reversed(range(len(KINDS))):  # words at the bottom, to compare with the line
        ax.bar(layer_names, mass[:, k], bottom=bottom, color=colours[KINDS[k]], label=KINDS[k])
        bottom += mass[:, k]
    ax.axhline(position_share[-1], color="black", linestyle="--", linewidth=1.5,
               label="word share of the positions")
    ax.set_title(title)
    ax.set_ylim(0, 1)
axes[0].set_ylabel("mean share of an attention row")
fig.supxlabel("encoder layer")
axes[1].legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
fig.suptitle(f"Where MiniLM's attention goes, {len(test)} test reviews", fontsize="x-large",
             fontweight="bold")
plt.show()

special_raw = raw_mass[:, :2].sum(1)
special_weighted = weighted_mass[:, :2].sum(1)
busiest = int(np.argmax(special_raw))
print(f"[CLS] + [SEP] are {position_share[:2].sum():.3f} of the positions; in layer "
      f"{busiest + 1} they receive {special_raw[busiest]:.3f} of the attention weight but "
      f"{special_weighted[busiest]:.3f} of the norm-weighted attention")
print("attention weight on [CLS] + [SEP], layers 2-5: "
      + ", ".join(f"{share:.2f}" for share in special_raw[1:5])
      + "; of it on [CLS]: " + ", ".join(f"{c / t:.2f}" for c, t in
                                         zip(raw_mass[1:5, 0], special_raw[1:5], strict=True)))
assert special_raw[busiest] > 2 * position_share[:2].sum(), "special tokens soak up attention"
assert special_weighted[busiest] < special_raw[busiest] / 2, "but their values are short"
assert np.all(special_raw[1:5] > 0.4) and np.all(raw_mass[1:5, 0] > raw_mass[1:5, 1])

# %% [markdown]
# Two measured facts (printed above and drawn in the figure). First, in layers 2 to 5 the two
# special tokens, a small share of the positions, receive about half of all the attention or
# more, most of it on `[CLS]` (both printed; asserted: over 0.4, and more on `[CLS]` than on
# `[SEP]`); the word pieces that carry the review's content get well
# below their share of the positions (dashed line). Clark et al. (2019) found the same
# behaviour in BERT, with `[SEP]` and punctuation as the sinks, and read it as a "no-op": a
# head with nothing useful to do parks its attention on a token that is always there. In
# MiniLM the sink is `[CLS]`, and punctuation gets *less* than its share of raw attention.
# Second, the norm-weighted view mostly undoes the effect: the transformed value vectors of
# `[CLS]` and `[SEP]` are short, so the weight on them moves little information (Kobayashi et
# al., 2020). The raw attention weight of a token can be large while its influence is small.
#
# > **Pitfall.** An attention weight is a mixing coefficient inside one layer, not a measure of
# > importance for the output. It ignores the value vectors (a heavily attended `[CLS]` may
# > contribute almost nothing), the residual connection that carries each token past the
# > attention, the feed-forward networks, every later layer, and the classifier on top.
#
# | raw attention maps | |
# |---|---|
# | + | free: one forward pass with `output_attentions=True` |
# | + | shows how the encoder routes information (positional heads, `[CLS]` no-op heads) |
# | − | one map per layer and head (72 here): which one is "the" explanation? |
# | − | ignores values, residuals, later layers and the head; unsigned, class-agnostic |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Attention rollout
#
# ### Intuition
#
# Attention in layer 3 mixes vectors that layers 1 and 2 have already mixed. To trace an output
# position back to the *input* tokens, follow the mixing through all the layers: **attention
# rollout** (Abnar & Zuidema, 2020) treats each layer's head-averaged attention as a matrix of
# mixing proportions and multiplies them. The residual connection keeps half of each token's
# own vector (roughly), so each layer's matrix gets the identity added.
#
# ### Math
#
# With $\bar A^{\ell}$ the mean over heads of layer $\ell$'s attention,
#
# $$\tilde A^{\ell} = \operatorname{rownorm}\!\bigl(\tfrac12 \bar A^{\ell} + \tfrac12 I\bigr),
#   \qquad R = \tilde A^{L}\, \tilde A^{L-1} \cdots \tilde A^{1}.$$
#
# The rows of $\bar A^{\ell}$ already sum to 1, so here the normalisation changes nothing; it
# matters only for residual weights other than one half. Each $\tilde A^\ell$ is row-stochastic, so
# $R$ is too: $R_{ij}$ is the share of output position $i$ traced back to input token $j$. A BERT
# classifier that reads the `[CLS]` vector
# uses row $R_{\text{[CLS]},\cdot}$; our classifier averages *all* output positions, so its
# rollout relevance of token $j$ is the column mean $r_j = \frac1T \sum_i R_{ij}$, which sums to
# one over the tokens. There is no rollout in captum or shap, so the checks are on the
# properties: rows of $R$ are distributions, and with no attention (the identity) nothing mixes.

# %%
def attention_rollout(attention: torch.Tensor, residual: float = 0.5) -> torch.Tensor:
    """Rollout (T, T) of one sentence's attention (layers, heads, T, T): add the identity for
    the residual connection, renormalise the rows, multiply the layers from the first up."""
    n = attention.shape[-1]
    eye = torch.eye(n, dtype=attention.dtype)
    rollout = eye
    for layer_attention in attention:
        mixing = residual * eye + (1 - residual) * layer_attention.mean(0)
        mixing = mixing / mixing.sum(-1, keepdim=True)
        rollout = mixing @ rollout
    return rollout


def rollout_relevance(attention: torch.Tensor) -> np.ndarray:
    """Rollout for a mean-pooling classifier: the mean over output positions of R[i, j]."""
    return attention_rollout(attention).mean(0).numpy()


def last_layer_attention(attention: torch.Tensor) -> np.ndarray:
    """Raw attention as an 'explanation': the mean weight each token receives in the last layer
    (over heads and attending positions), the input of the classifier's mean pooling."""
    return attention[-1].mean((0, 1)).numpy()


example_rollout = attention_rollout(library)
example_relevance = rollout_relevance(library)
identity_attention = torch.eye(n_tokens).expand(n_layers, n_heads, n_tokens, n_tokens)
print(f"rollout rows sum to 1: max error {(example_rollout.sum(-1) - 1).abs().max():.1e}; "
      f"relevance sums to {example_relevance.sum():.4f}")
assert torch.allclose(example_rollout.sum(-1), torch.ones(()), atol=1e-5)
assert np.isclose(example_relevance.sum(), 1.0, atol=1e-5)
assert torch.equal(attention_rollout(identity_attention), torch.eye(n_tokens))
print("rollout relevance:", ", ".join(f"{t} {r:.3f}" for t, r in
                                      zip(example_tokens, example_relevance, strict=True)))

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(3, 1, figsize=(11, 6.5), layout="constrained")
strips = [("Attention received in layer 1", example_attention[0].mean((0, 1))),
          (f"Attention received in layer {n_layers}", last_layer_attention(library)),
          ("Attention rollout (column mean of R)", example_relevance)]
for ax, (title, scores) in zip(axes, strips, strict=True):
    token_attributions(example_tokens, scores, ax=ax, title=title, max_chars_per_line=80,
                       label="share of attention")
fig.suptitle(f"Review #{example}: three attention summaries", fontsize="x-large",
             fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Rollout puts most of the relevance on `[CLS]` (printed above), because the middle layers park
# their attention there, and among the words it is nearly flat: each token keeps part of itself
# through every residual step. The last layer's raw attention singles out "special" and
# "sincerity" besides `[CLS]`. Each strip has its own colour scale; the printed relevance gives
# the numbers.
#
# > **Pitfall.** Rollout inherits every blind spot of attention: it averages heads that may do
# > opposite jobs, assumes the residual and the attention contribute half each, ignores the
# > values and the feed-forward layers, and is computed without looking at the output. The
# > last point is decisive, and we can check it exactly: the honest and the shortcut model share
# > the frozen encoder, so their attention and rollout are *identical* on every input while
# > their predictions differ (checked in section 6). Abnar & Zuidema also propose **attention
# > flow** (a max-flow through the same layered graph), which shares these limits.
#
# | attention rollout | |
# |---|---|
# | + | one map per input instead of 72; accounts for mixing across layers |
# | + | cheap: a product of six $T \times T$ matrices after one forward pass |
# | − | head-agnostic and class-agnostic: the same for any classifier on the encoder |
# | − | unsigned; the 1/2 residual weight is a modelling choice |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Integrated Gradients over token embeddings
#
# ### Intuition
#
# Integrated Gradients (Sundararajan et al., 2017; [notebook 05](05_gradient_methods.ipynb) uses
# it on images) walks from a baseline input $x'$ to the input $x$ in small steps, adds up the
# gradient along the way, and multiplies by how far each feature moved. Text is discrete, so the
# walk happens in embedding space: each token's 384-dimensional word embedding moves from the
# embedding of a neutral token to its own. The baseline replaces every word piece with `[PAD]`
# and keeps `[CLS]` and `[SEP]`, so the baseline is "a sentence of the same length with no words
# in it". The result is *signed* and it explains the output $f$, classifier head included.
#
# ### Math
#
# For token $i$ with word embedding $e_i$ and baseline embedding $e'_i$,
#
# $$\phi_i = \sum_{d=1}^{384} (e_{i,d} - e'_{i,d}) \int_0^1
#   \frac{\partial f\bigl(e' + \alpha (e - e')\bigr)}{\partial e_{i,d}}\, d\alpha
#   \;\approx\; \sum_d (e_{i,d} - e'_{i,d}) \frac1m \sum_{k=1}^{m}
#   \frac{\partial f}{\partial e_{i,d}}\Bigl(e' + \tfrac{k - 1/2}{m} (e - e')\Bigr).$$
#
# Summing over the embedding dimensions gives one number per token. **Completeness** (the
# counterpart of the efficiency axiom of Shapley values, [notebook 04](04_shap.ipynb)) says
# $\sum_i \phi_i = f(x) - f(x')$ for the exact integral; the midpoint sum on the right has a
# small error that shrinks with $m$. Position and segment embeddings are the same for $x$ and
# $x'$, so they get no attribution.
#
# ### From scratch
#
# All $m = 50$ points of the path go through the model as one batch: one forward and one
# backward pass of 50 copies of the sentence.

# %%
N_STEPS = 50


def pad_baseline(ids: torch.Tensor) -> torch.Tensor:
    """The baseline x': every token [PAD] except the leading [CLS] and the final [SEP]."""
    baseline = ids.clone()
    baseline[:, 1:-1] = tokenizer.pad_token_id
    return baseline


def integrated_gradients(model: ReviewClassifier, ids: torch.Tensor, baseline: torch.Tensor,
                         n_steps: int = N_STEPS) -> np.ndarray:
    """IG of one sentence (ids of shape (1, T)) with respect to its word embeddings, midpoint
    rule, all steps in one batch; returns one attribution per token."""
    word_embeddings = model.bert.embeddings.word_embeddings
    with torch.no_grad():
        x, x_baseline = word_embeddings(ids), word_embeddings(baseline)
    alphas = (torch.arange(n_steps, device=ids.device) + 0.5) / n_steps
    path = (x_baseline + alphas[:, None, None] * (x - x_baseline)).requires_grad_(True)
    outputs = model(inputs_embeds=path, attention_mask=torch.ones(path.shape[:2],
                                                                   device=ids.device))
    (gradients,) = torch.autograd.grad(outputs.sum(), path)
    return ((x - x_baseline)[0] * gradients.mean(0)).sum(-1).cpu().numpy()


def f_ids(model: ReviewClassifier, ids: torch.Tensor) -> float:
    with torch.inference_mode():
        return float(model(ids, torch.ones_like(ids))[0])


example_baseline = pad_baseline(example_ids)
phi_ours = integrated_gradients(honest, example_ids, example_baseline)
f_x, f_baseline = f_ids(honest, example_ids), f_ids(honest, example_baseline)
print(f"f(x) = {f_x:.4f}, f(x') = {f_baseline:.4f}, f(x) - f(x') = {f_x - f_baseline:.4f}")
print(f"sum of our IG attributions = {phi_ours.sum():.4f} "
      f"(midpoint rule, {N_STEPS} steps: error {phi_ours.sum() - (f_x - f_baseline):+.4f})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The library: captum's `LayerIntegratedGradients`
#
# captum does the same by hooking a layer: `LayerIntegratedGradients(model,
# model.bert.embeddings.word_embeddings)` replaces that layer's output with the interpolated
# embeddings and attributes to it, while we keep passing token ids. With `method="riemann_middle"`
# it uses our midpoint rule, so the two must agree; its default, Gauss–Legendre quadrature, is
# more accurate for the same number of steps. `return_convergence_delta=True` returns
# $\sum_i \phi_i - (f(x) - f(x'))$, the completeness error. `internal_batch_size` sets how many
# path points go through the model at once.

# %%
def captum_ig(model: ReviewClassifier, ids: torch.Tensor, baseline: torch.Tensor,
              method: str = "gausslegendre", n_steps: int = N_STEPS) -> tuple[np.ndarray, float]:
    """captum's IG on the word-embedding layer: one attribution per token and the delta."""
    explainer = LayerIntegratedGradients(model, model.bert.embeddings.word_embeddings)
    attributions, delta = explainer.attribute(
        ids, baselines=baseline, additional_forward_args=(torch.ones_like(ids),),
        n_steps=n_steps, method=method, internal_batch_size=n_steps,
        return_convergence_delta=True)
    return attributions.sum(-1)[0].detach().cpu().numpy(), float(delta[0])


phi_midpoint, delta_midpoint = captum_ig(honest, example_ids, example_baseline, "riemann_middle")
phi_captum, delta_captum = captum_ig(honest, example_ids, example_baseline)
print("ours vs captum (riemann_middle): max |difference| "
      f"{np.abs(phi_ours - phi_midpoint).max():.1e}")
print(f"convergence delta: riemann_middle {delta_midpoint:+.5f}, gausslegendre {delta_captum:+.5f}")
assert np.allclose(phi_ours, phi_midpoint, atol=1e-4), "from scratch = captum, same rule"
assert abs(delta_captum) < 0.01 * abs(f_x - f_baseline), "completeness (Gauss-Legendre)"
assert np.isclose(phi_captum.sum(), f_x - f_baseline, atol=0.01 * abs(f_x - f_baseline))
print("IG (Gauss-Legendre):", ", ".join(f"{t} {v:+.3f}" for t, v in
                                        zip(example_tokens, phi_captum, strict=True)))

token_attributions(example_tokens, phi_captum, max_chars_per_line=80,
                   label="IG attribution (log-odds of fresh)",
                   title=f"Honest model, review #{example}: Integrated Gradients, [PAD] baseline")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Our loop and captum's midpoint rule agree to float32 rounding, and with Gauss–Legendre
# quadrature completeness holds to the delta printed above, well inside 1% of $f(x) - f(x')$.
# Red tokens push towards *fresh*, blue towards *rotten*; `[CLS]` and `[SEP]` get exactly zero,
# because they are the same in $x$ and $x'$. Unlike the attention strips, this map is signed and
# is about this classifier's output.
#
# > **Pitfall.** The baseline defines the question. "Compared with `[PAD]`" is not "compared
# > with no word": `[PAD]` is a token the encoder never saw inside a sentence, and `[MASK]` or
# > a neutral word give other numbers (exercise 1). Attributing to the output of the whole
# > embedding layer (after position embeddings and LayerNorm) instead of the word embeddings is a
# > different, equally valid choice with different values. And the path from `[PAD]` to a word
# > passes through points that are no token at all.
#
# | Integrated Gradients on embeddings | |
# |---|---|
# | + | explains $f$ itself, head included; signed; completeness is checkable |
# | + | 32 to 50 forward and backward passes per sentence, batched: fractions of a second |
# | − | needs gradients (white-box); depends on the baseline token |
# | − | the straight path runs through embeddings that are no word |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. SHAP with a text masker
#
# [Notebook 04](04_shap.ipynb) built SHAP's Partition explainer from scratch (Owen values over a
# hierarchy of tokens). Here it is the black-box reference: `shap.maskers.Text(tokenizer)`
# splits a review into the same WordPiece tokens, hides a token by writing `[MASK]` in its
# place, and groups the tokens in a binary tree; `shap.Explainer(f, masker, seed=0)` picks the
# Partition algorithm. The model is only ever called on strings (our `log_odds`), so SHAP never
# sees a gradient. **Additivity** (efficiency) must hold: $\phi_0 + \sum_i \phi_i = f(x)$, where
# the base value $\phi_0$ is $f$ of the fully masked review.
#
# We explain the same reviews with IG and SHAP, for the honest model: the example above and the
# first test reviews (in test order) of at most `MAX_TOKENS` tokens, `N_REAL` reviews in all
# (both printed). The cap on length and count is for run time: SHAP gets `max_evals=200` masked
# texts per review, as in notebook 04. IG gets `SET_STEPS = 32` Gauss–Legendre points instead of
# 50, which saves a third of its passes: the cell checks on the example that no attribution
# moves by more than 1 % of $|f(x) - f(x')|$, and on every review that the completeness error
# stays under 1 % of the review's largest attribution (both printed and asserted; with 16 points
# some reviews fail the second test).

# %%
MAX_TOKENS, N_REAL, MAX_EVALS = 32, 10, 200
text_masker = shap.maskers.Text(tokenizer)
warm_up_shap()  # compile shap's helpers for one float64 output now, not inside the timed call


def shap_values(model: ReviewClassifier, texts, method_name: str) -> list[np.ndarray]:
    """Partition SHAP values per token (aligned with the tokenizer's ids), additivity checked."""
    f = partial(log_odds, model)  # f on strings: the function the explainer calls
    counted = CountingModel(f)  # the same, counting the texts
    explainer = shap.Explainer(counted, text_masker, seed=0)
    texts = [str(t) for t in texts]
    start = time.perf_counter()
    explanations = explainer(texts, max_evals=MAX_EVALS, batch_size=50, silent=True)
    seconds = time.perf_counter() - start
    # The bare model's rate is measured on a review of the median length of those explained.
    lengths = [len(tokenizer(t)["input_ids"]) for t in texts]
    typical = texts[int(np.argsort(lengths, kind="stable")[len(texts) // 2])]
    record_throughput(method_name, counted.calls, seconds, forward=f, example=typical)
    f_texts = log_odds(model, texts)
    values = []
    for text, explanation, f_text in zip(texts, explanations, f_texts, strict=True):
        _, tokens = encode_text(str(text))
        assert len(explanation.values) == len(tokens), "one SHAP value per token"
        assert np.isclose(explanation.base_values + explanation.values.sum(), f_text,
                          atol=1e-4), "additivity"
        values.append(explanation.values)
    return values


real_pool = test[token_counts[test] <= MAX_TOKENS]
real_sentences = [example] + [int(i) for i in real_pool if i != example][:N_REAL - 1]
print(f"{N_REAL} real test reviews of at most {MAX_TOKENS} tokens: #"
      + ", #".join(map(str, real_sentences)))


SET_STEPS = 32  # Gauss-Legendre points for IG on sets of reviews


def ig_of_text(model: ReviewClassifier, text: str) -> tuple[np.ndarray, float]:
    """captum IG of one text against its [PAD] baseline, SET_STEPS points: attributions, delta."""
    ids, _ = encode_text(text)
    return captum_ig(model, ids, pad_baseline(ids), n_steps=SET_STEPS)


start = time.perf_counter()
ig_real = [ig_of_text(honest, str(real_texts[i])) for i in real_sentences]
ig_seconds = time.perf_counter() - start
shap_real = shap_values(honest, real_texts[real_sentences], "Partition SHAP (MiniLM classifier)")
step_change = np.abs(ig_real[0][0] - phi_captum).max() / abs(f_x - f_baseline)
relative_delta = max(abs(delta) / np.abs(phi).max() for phi, delta in ig_real)
print(f"IG on {N_REAL} reviews ({SET_STEPS} points) in {ig_seconds:.1f} s; on the example, "
      f"largest change from 50 points {step_change:.1e} x |f(x) - f(x')|")
print(f"largest |convergence delta| / largest |attribution| over the reviews: {relative_delta:.1e}")
assert step_change < 0.01 and relative_delta < 0.01, f"{SET_STEPS} points suffice here"
print(f"SHAP additivity holds on all {N_REAL} reviews (asserted per review)")

fig, axes = plt.subplots(2, 1, figsize=(13, 4.8), layout="constrained")
for ax, (title, scores) in zip(axes, [("Integrated Gradients", ig_real[0][0]),
                                      ("Partition SHAP", shap_real[0])], strict=True):
    token_attributions(example_tokens, scores, ax=ax, title=title, max_chars_per_line=80,
                       label="log-odds of fresh")
fig.suptitle(f"Honest model, review #{example}: two explanations of f", fontsize="x-large",
             fontweight="bold")
plt.show()
print("SHAP:", ", ".join(f"{t} {v:+.3f}" for t, v in
                         zip(example_tokens, shap_real[0], strict=True)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both methods are in log-odds of fresh and both add up (IG to $f(x) - f(x')$, SHAP to
# $f(x) - \phi_0$), but they answer different questions: IG compares with a `[PAD]` sentence
# along a straight path in embedding space, SHAP compares with masked versions of the review
# and averages over coalitions of tokens. On the example (values printed) both put "special"
# first, but the order of the other tokens differs, and SHAP gives the full stop a large value
# that IG does not; section 7 measures the agreement over more reviews.
#
# > **Pitfall.** The SHAP masker and the IG baseline are two different "absences" (`[MASK]` and
# > `[PAD]`), and SHAP's budget matters: with 200 evaluations the Partition tree is not fully
# > expanded on a 40-token review, so neighbouring tokens can share one value. Compare the two
# > methods with the same reference token when you want to isolate the method itself.
#
# | Partition SHAP on text | |
# |---|---|
# | + | model-agnostic (strings in, numbers out); additivity holds exactly |
# | + | masking with `[MASK]` keeps inputs close to what the encoder was trained on |
# | − | one forward pass per masked text: the costliest method here (rate printed above) |
# | − | Owen values of a token hierarchy; budget-dependent resolution |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Which method finds the planted word?
#
# The shortcut model has a known reason for many of its predictions: the word "tuesday". For
# each planted test review (the first `N_PLANTED` in test order of at most `MAX_TOKENS` tokens,
# printed), we ask each method for one score per token and check whether "tuesday" gets the
# largest, among the word pieces and punctuation (leaving out `[CLS]` and `[SEP]`, which is
# generous to attention). Attention and rollout are unsigned, so for IG and SHAP we rank by
# $|\phi_i|$ as well. The same four methods run on the honest model as a control: it never saw
# the word, so a method that explains *the model* should stop pointing at it.

# %%
N_PLANTED = 8
planted_counts = np.array(reviews["planted_text_tokens"])
planted_pool = test[has_token[test] & (planted_counts[test] <= MAX_TOKENS)]
planted_sentences = [int(i) for i in planted_pool[:N_PLANTED]]
print(f"{N_PLANTED} planted test reviews of at most {MAX_TOKENS} tokens: #"
      + ", #".join(map(str, planted_sentences)))
TOKEN_ID = tokenizer.convert_tokens_to_ids(TOKEN)
assert tokenizer.tokenize(TOKEN) == [TOKEN], "the planted word is a single WordPiece token"
METHODS = ("attention", "rollout", "IG", "SHAP")


def explain_all(model: ReviewClassifier, texts, shap_name: str) -> list[dict[str, np.ndarray]]:
    """The four methods' scores for each text: attention received in the last layer, rollout
    relevance, |IG| and |SHAP| per token."""
    shap_per_text = shap_values(model, texts, shap_name)
    scores = []
    for text, phi_shap in progress(zip(texts, shap_per_text, strict=True),
                                   "attention, rollout and IG per review", total=len(texts)):
        attention, _ = attention_maps(str(text))
        phi_ig, _ = ig_of_text(model, str(text))
        scores.append({"attention": last_layer_attention(attention),
                       "rollout": rollout_relevance(attention),
                       "IG": np.abs(phi_ig), "SHAP": np.abs(phi_shap),
                       "signed IG": phi_ig, "signed SHAP": phi_shap})
    return scores


def planted_ranks_first(scores: list[dict[str, np.ndarray]], texts) -> pd.Series:
    """Per method, the fraction of texts in which the planted token has the largest score
    among the ordinary tokens ([CLS] and [SEP] excluded)."""
    hits = {method: [] for method in METHODS}
    for per_method, text in zip(scores, texts, strict=True):
        ids, _ = encode_text(str(text))
        ids = ids[0].cpu().numpy()
        where = int(np.flatnonzero(ids == TOKEN_ID)[0])
        for method in METHODS:
            ordinary = per_method[method][1:-1]
            hits[method].append(int(np.argmax(ordinary)) + 1 == where)
    return pd.Series({method: np.mean(h) for method, h in hits.items()})


planted_batch = planted_texts[planted_sentences]
shortcut_scores = explain_all(shortcut, planted_batch, "Partition SHAP (shortcut model)")
honest_scores = explain_all(honest, planted_batch, "Partition SHAP (honest model)")
first = pd.DataFrame({"shortcut model": planted_ranks_first(shortcut_scores, planted_batch),
                      "honest model": planted_ranks_first(honest_scores, planted_batch)})
print(f"fraction of {N_PLANTED} planted test reviews in which '{TOKEN}' ranks first:")
print(first.round(3).to_string())

same_attention = all(np.array_equal(s["rollout"], h["rollout"])
                     and np.array_equal(s["attention"], h["attention"])
                     for s, h in zip(shortcut_scores, honest_scores, strict=True))
print(f"attention and rollout identical for the two models on every review: {same_attention}")
assert same_attention, "attention cannot see the classifier head"
assert first.loc["IG", "shortcut model"] >= 0.75 and first.loc["SHAP", "shortcut model"] >= 0.75
assert first.loc["IG", "honest model"] <= 0.25 and first.loc["SHAP", "honest model"] <= 0.25
assert first.loc["rollout", "shortcut model"] < first.loc["IG", "shortcut model"] - 0.5
assert first.loc["attention", "shortcut model"] < first.loc["IG", "shortcut model"] - 0.5

# %%
fig, ax = plt.subplots(figsize=(9, 5))
positions = np.arange(len(METHODS))
for offset, (model_name, colour) in zip((-0.2, 0.2), [("shortcut model", "tab:red"),
                                                    ("honest model", "tab:blue")], strict=True):
    bars = ax.bar(positions + offset, first[model_name], width=0.4, color=colour,
                  label=model_name)
    ax.bar_label(bars, fmt="%.2f", padding=3, fontsize=12)
ax.set_xticks(positions, METHODS)
ax.set_xlabel("method")
ax.set_ylim(0, 1.15)
ax.set_ylabel(f"share of reviews with '{TOKEN}' ranked first")
ax.set_title(f"Who finds the planted word? {N_PLANTED} planted test reviews")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

shown = planted_sentences[0]
_, shown_tokens = encode_text(str(planted_texts[shown]))
fig, axes = plt.subplots(4, 1, figsize=(11, 8.5), layout="constrained")
for ax, (method, label) in zip(axes, [("attention", "share of attention"),
                                      ("rollout", "share of attention"),
                                      ("signed IG", "log-odds of fresh"),
                                      ("signed SHAP", "log-odds of fresh")], strict=True):
    token_attributions(shown_tokens, shortcut_scores[0][method], ax=ax, label=label,
                       title=method.replace("signed ", ""), max_chars_per_line=80)
fig.suptitle(f"Shortcut model, planted review #{shown}", fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The bars give the answer in numbers (printed above the figure). IG and SHAP put "tuesday"
# first in most planted reviews for the shortcut model and almost never for the honest model:
# they explain the model, and the two models differ. Attention and rollout are the same for
# both models, as asserted exactly, so whatever they show cannot be evidence about the
# shortcut; here they put the word first far less often than IG does (asserted: by more than
# half of the reviews). In the example strips, the attention
# methods spread over the review while IG and SHAP mark the planted word.
#
# > **Pitfall.** "The model attends to X" is a statement about the encoder's routing, not about
# > the decision. Jain & Wallace (2019) showed that attention can often be changed a lot without
# > changing predictions; Wiegreffe & Pinter (2019) replied that it depends on the model and the
# > test. Our measurement adds the simplest case: with a frozen encoder, attention is blind to
# > the classifier by construction.
#
# ## 7. Do the methods agree on real reviews?
#
# For the real test reviews of section 5 (honest model), we compare the four token scores
# pairwise with **Spearman's rank correlation** over the ordinary tokens of each review (the
# ranks of the scores, so the different units do not matter), and average over the reviews.
# Attention and rollout are unsigned, so IG and SHAP enter as magnitudes $|\phi_i|$; the signed
# IG–SHAP correlation is printed too.

# %% slideshow={"slide_type": "subslide"}
real_scores = []
for i, (phi_ig, _), phi_shap in zip(real_sentences, ig_real, shap_real, strict=True):
    attention, _ = attention_maps(str(real_texts[i]))
    real_scores.append({"attention": last_layer_attention(attention),
                        "rollout": rollout_relevance(attention),
                        "IG": np.abs(phi_ig), "SHAP": np.abs(phi_shap),
                        "signed IG": phi_ig, "signed SHAP": phi_shap})


def mean_spearman(scores: list[dict[str, np.ndarray]], a: str, b: str) -> float:
    """Spearman correlation of two methods over the ordinary tokens, averaged over reviews."""
    return float(np.mean([spearmanr(s[a][1:-1], s[b][1:-1]).statistic for s in scores]))


def agreement_matrix(scores: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    return pd.DataFrame([[mean_spearman(scores, a, b) for b in METHODS] for a in METHODS],
                        index=METHODS, columns=METHODS)


agreements = {f"{N_REAL} real reviews, honest model": agreement_matrix(real_scores),
              f"{N_PLANTED} planted reviews, shortcut model": agreement_matrix(shortcut_scores)}
signed = {name: mean_spearman(scores, "signed IG", "signed SHAP")
          for name, scores in zip(agreements, (real_scores, shortcut_scores), strict=True)}
same_top = {name: np.mean([np.argmax(s["IG"][1:-1]) == np.argmax(s["SHAP"][1:-1])
                           for s in scores])
            for name, scores in zip(agreements, (real_scores, shortcut_scores), strict=True)}
for name, table in agreements.items():
    print(f"{name}: mean Spearman correlation over tokens\n{table.round(3).to_string()}")
    print(f"signed IG vs signed SHAP: {signed[name]:.3f}; IG and SHAP pick the same top token "
          f"in {same_top[name]:.2f} of the reviews\n")

real_name, planted_name = agreements
output_pairs = [("attention", "IG"), ("attention", "SHAP"), ("rollout", "IG"),
                ("rollout", "SHAP"), ("IG", "SHAP")]
across = {name: np.array([table.loc[a, b] for a, b in output_pairs])
          for name, table in agreements.items()}
print("largest mean correlation of a pair involving IG or SHAP: "
      + "; ".join(f"{name} {values.max():.3f}" for name, values in across.items()))
assert all(values.max() < 0.5 for values in across.values()), "weak agreement, every pair"
assert all(value > 0 for value in signed.values()), "signed IG and SHAP point the same way"
assert same_top[planted_name] > same_top[real_name], "a dominant token is found by both"

fig, axes = plt.subplots(1, 2, figsize=(14, 6), layout="constrained")
for ax, (name, table) in zip(axes, agreements.items(), strict=True):
    image = ax.imshow(table.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    for (row, col), value in np.ndenumerate(table.to_numpy()):
        ax.text(col, row, f"{value:.2f}", ha="center", va="center", fontsize=14,
                color="white" if abs(value) > 0.6 else "black")
    ax.set_xticks(range(len(METHODS)), METHODS)
    ax.set_yticks(range(len(METHODS)), METHODS)
    ax.grid(False)
    ax.set_title(name)
fig.colorbar(image, ax=axes, shrink=0.8, label="mean Spearman correlation over tokens")
fig.suptitle("Agreement between the four methods (IG and SHAP as magnitudes)",
             fontsize="x-large", fontweight="bold")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# No pair of methods agrees strongly (printed above: every mean correlation that involves IG or
# SHAP stays below 0.5, and the heat maps are pale). Three observations.
#
# - **Attention against the output explanations.** Raw attention in the last layer and rollout
#   correlate only weakly with $|\phi|$ of IG and SHAP, on real reviews rollout hardly at all:
#   the tokens that receive attention are not, in order, the tokens that move the log-odds.
#   Attention and rollout agree with each other somewhat, as they are built from the same
#   weights.
# - **IG against SHAP.** Both explain $f$ and both found the planted word, yet they order the
#   ordinary tokens quite differently, on real and on planted reviews. On the planted reviews
#   they agree on the *top* token more often than on the real reviews (printed; asserted): once
#   the dominant token is set aside, the remaining tokens have small effects of similar size,
#   and their order depends on each method's choices: the reference token (`[PAD]` for IG,
#   `[MASK]` for SHAP; exercise 1 shows IG moving towards SHAP with a `[MASK]` baseline), a
#   straight path versus coalitions, and SHAP's budget, which leaves groups of neighbouring
#   tokens with one shared value. Their signed values are positively correlated, but weakly.
#   Krishna et al. (2022) found the same between popular methods on real data sets and named
#   it the *disagreement problem*.
# - **The measure matters.** A rank correlation over all tokens weights the many unimportant
#   tokens as much as the few important ones; top-token agreement tells a different story.
#
# Agreement is not correctness either: two methods can agree and both be wrong. The planted
# word of section 6 is the test that has a right answer, and there IG and SHAP passed while
# attention and rollout failed.
#
# ## 8. Beyond a classifier: explaining generation (needs internet)
#
# The SHAP section of the lecture this course follows explains a translation model (MarianMT
# from Helsinki-NLP; the lecture's goes from English to Russian, the one below from English to
# German) and a summarisation model (DistilBART trained on XSum).
# With internet access, the same call works on any Hugging Face sequence-to-sequence model:
# SHAP wraps it so that every *output* token is one game, scored by the model's log-odds of that
# token given the (masked) input and the tokens generated before it. The explanation is a
# matrix, input tokens by output tokens. Not run here (the weights are a download):
#
# ```python
# from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
#
# name = "Helsinki-NLP/opus-mt-en-de"          # or "sshleifer/distilbart-xsum-12-6"
# seq2seq_tokenizer = AutoTokenizer.from_pretrained(name)
# seq2seq = AutoModelForSeq2SeqLM.from_pretrained(name)
# explainer = shap.Explainer(seq2seq, seq2seq_tokenizer)
# explanation = explainer(["The plot is thin, but the cast shines."])
# explanation.values.shape                    # (1, input tokens, output tokens)
# # a static picture: plt.imshow(explanation.values[0]) with the two token lists as tick labels
# ```
#
# This notebook explains a classifier, because a scalar output makes completeness and
# additivity one-line checks and the planted word gives a right answer to test against.
# [Notebook 13](13_explaining_generation.ipynb) explains generation offline: it ships a tiny
# Marian encoder–decoder and a tiny GPT-2 trained on a toy translation task whose word
# alignment is known, explains every output token with ablation (= captum `LLMAttribution`),
# Shapley sampling, shap's `TeacherForcing`, layer Integrated Gradients, cross-attention and
# contrastive targets, grades each explanation against the alignment, and loads the MarianMT of
# this cell through the same functions with
# `utils.models.load_seq2seq("opus-mt-en-de", allow_download=True)`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pros and cons at a glance
#
# | method | explains | sees the head | signed | cost per review | checked | planted word |
# |---|---|---|---|---|---|---|
# | raw attention | routing in one layer | no | no | 1 forward pass | rows sum to 1 | not found |
# | rollout | routing, all layers | no | no | 1 forward pass | rows sum to 1 | not found |
# | IG | $f(x) - f(x')$ | yes | yes | 32–50 forward + backward | completeness | found |
# | Partition SHAP | $f(x) - \phi_0$ | yes | yes | ≤ 200 forward | additivity | found |
#
# The last column summarises section 6 (the fractions are printed there). Attention-based
# methods are useful for studying what an encoder does; to explain a prediction, use a method
# that looks at the output, and check it against a planted ground truth when you can.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("09.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: A [MASK] baseline for Integrated Gradients
#
# SHAP hides a token by writing `[MASK]`; our IG starts from `[PAD]`. Recompute IG for the
# honest model on the real reviews of section 5 with a baseline of `[MASK]` tokens (keep `[CLS]`
# and `[SEP]`). Check completeness, then compare the signed attributions with the
# `[PAD]`-baseline IG and with SHAP (mean Spearman over the ordinary tokens). Does the choice of
# baseline move IG closer to SHAP? Does it change which token comes first?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: only the reference point changes: the baseline keeps [CLS] and [SEP] and puts [MASK]
#   where pad_baseline puts [PAD]; completeness then compares with f(x) - f([MASK] baseline).
# Hint: captum_ig(honest, ids, baseline) returns (attributions, delta); the relative error is
#   |delta| / |f(x) - f(x')|; real_scores[k] holds "signed IG" and "signed SHAP" of review k,
#   compared by Spearman over the ordinary tokens [1:-1].
# Hint: start with a copy of pad_baseline that writes tokenizer.mask_token_id.
def mask_baseline(ids: torch.Tensor) -> torch.Tensor:
    baseline = ids.clone()
    baseline[:, 1:-1] = tokenizer.mask_token_id
    return baseline


masked_ig, relative_deltas = [], []
for i in real_sentences:
    ids, _ = encode_text(str(real_texts[i]))
    phi, delta = captum_ig(honest, ids, mask_baseline(ids))
    masked_ig.append(phi)
    relative_deltas.append(abs(delta) / abs(f_ids(honest, ids) - f_ids(honest, mask_baseline(ids))))


def mean_correlation(attributions: list[np.ndarray], key: str) -> float:
    return float(np.mean([spearmanr(phi[1:-1], scores[key][1:-1]).statistic
                          for phi, scores in zip(attributions, real_scores, strict=True)]))


same_top_token = np.mean([np.argmax(np.abs(phi[1:-1])) == np.argmax(scores["IG"][1:-1])
                    for phi, scores in zip(masked_ig, real_scores, strict=True)])
mask_vs_shap = mean_correlation(masked_ig, "signed SHAP")
pad_vs_shap = mean_spearman(real_scores, "signed IG", "signed SHAP")
print(f"[MASK] baseline: largest |delta| / |f(x) - f(x')| = {max(relative_deltas):.1e}")
print(f"mean Spearman: [MASK]-IG vs [PAD]-IG {mean_correlation(masked_ig, 'signed IG'):.3f}; "
      f"[MASK]-IG vs SHAP {mask_vs_shap:.3f}; [PAD]-IG vs SHAP {pad_vs_shap:.3f}")
print(f"same top token ([MASK]-IG and [PAD]-IG) in {same_top_token:.2f} of the reviews")
assert max(relative_deltas) < 0.01, "completeness holds for any baseline"
assert mask_vs_shap > pad_vs_shap, "the same reference token brings IG closer to SHAP"

# %% slideshow={"slide_type": "fragment"}
check("09.1", masked_ig=masked_ig, real_scores=real_scores, model=honest, tokenizer=tokenizer,
      texts=real_texts, sentences=real_sentences)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Completeness holds with either baseline: it is a property of the path integral, not of the
# reference point. The rankings, however, change a lot (the correlation between the two IG
# versions is printed), and the top token often changes too. With the same "absent" token as
# SHAP, IG agrees with SHAP more than with the `[PAD]` baseline (printed), though still far from
# perfectly: the two methods still differ in how they average (a straight path versus
# coalitions). An attribution is always relative to a reference; report the reference with it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Attention weighted by gradients
#
# Chefer et al. (2021) repair rollout by letting the output in: multiply each attention map
# elementwise by the gradient of $f$ with respect to it, keep the positive part, average over
# heads (call that map $\bar A^{\ell}_\nabla = \operatorname{mean}_h (\nabla A_h \odot A_h)^+$, not
# the plain mean of section 3), and accumulate $R \leftarrow R + \bar A^{\ell}_\nabla R$ from
# $R = I$ through the layers, with no row normalisation. Use
# the column mean of $R$ as the token relevance (our classifier pools all positions). Compute
# it for both models on the planted reviews of section 6: how often does "tuesday" rank first
# now? Is the map still identical for the two models?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the attentions must be part of the graph that computes f, so the gradient of f with
#   respect to each layer's attention map exists: run model.bert(..., output_attentions=True)
#   on embeddings that require grad, then pool and apply the head as in forward.
# Hint: torch.autograd.grad(f, out.attentions) returns one gradient per layer; per layer,
#   weighted = (attention[0] * gradient[0]).clamp(min=0).mean(0) and R = R + weighted @ R from
#   R = torch.eye(n); the relevance is R.mean(0).
# Hint: start with embeddings = model.bert.embeddings.word_embeddings(ids).requires_grad_(True)
#   inside torch.enable_grad().
def gradient_weighted_rollout(model: ReviewClassifier, ids: torch.Tensor) -> np.ndarray:
    mask = torch.ones_like(ids)
    with torch.enable_grad():
        embeddings = model.bert.embeddings.word_embeddings(ids).requires_grad_(True)
        out = model.bert(inputs_embeds=embeddings, attention_mask=mask, output_attentions=True)
        pooled = nn.functional.normalize(out.last_hidden_state.mean(1), dim=1)
        f_value = model.head(pooled).sum()
        gradients = torch.autograd.grad(f_value, out.attentions)
    n = ids.shape[1]
    relevance = torch.eye(n, device=ids.device)
    for attention, gradient in zip(out.attentions, gradients, strict=True):
        weighted = (attention[0] * gradient[0]).clamp(min=0).mean(0)
        relevance = relevance + weighted @ relevance
    return relevance.mean(0).detach().cpu().numpy()


gradient_hits = {}
for name, model in [("shortcut", shortcut), ("honest", honest)]:
    hits = []
    for text in planted_batch:
        ids, _ = encode_text(str(text))
        relevance = gradient_weighted_rollout(model, ids)
        where = int(np.flatnonzero(ids[0].cpu().numpy() == TOKEN_ID)[0])
        hits.append(int(np.argmax(relevance[1:-1])) + 1 == where)
    gradient_hits[name] = float(np.mean(hits))
print(f"gradient-weighted rollout: '{TOKEN}' first in {gradient_hits['shortcut']:.3f} of the "
      f"planted reviews for the shortcut model, {gradient_hits['honest']:.3f} for the honest one "
      f"(plain rollout: {first.loc['rollout', 'shortcut model']:.3f} for both)")
assert gradient_hits["shortcut"] > gradient_hits["honest"], "the head now matters"

# %% slideshow={"slide_type": "fragment"}
check("09.2", gradient_hits=gradient_hits, rollout=gradient_weighted_rollout, shortcut=shortcut,
      honest=honest, tokenizer=tokenizer, planted_texts=planted_batch)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Once the gradient of the output enters, the map depends on the classifier head: the shortcut
# and honest models get different maps, and the planted word rises for the shortcut model
# (numbers printed). The method is still a heuristic: it keeps only positive products, averages
# heads and ignores the value vectors, so it has no completeness property to check.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: Delete the top token
#
# A faithfulness check ([notebook 07](07_sanity_checks.ipynb) develops it): for each real review
# of section 7, replace the token that a method ranks first (among the ordinary tokens) with
# `[MASK]` and measure how much the honest model's log-odds move,
# $|f(x) - f(x_{\setminus \text{top}})|$. Average over the reviews for each of the four methods
# and for a random token (seeded). Which method's top token matters most to the model?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: a faithful top token is one the model needs: mask it and see how far the log-odds
#   move; the top token is the argmax over the ordinary tokens [1:-1], so its position is that
#   argmax plus 1.
# Hint: the drop is |f(x) - f(x with the top token set to tokenizer.mask_token_id)|; work on
#   token ids: copy ids once per method (ids.repeat), mask one position of each copy and score
#   the copies in one batch; real_scores[k][method] holds the scores.
# Hint: start with rng = np.random.default_rng(0) and drops = {method: [] for method in
#   (*METHODS, "random")}.
rng = np.random.default_rng(0)
drops = {method: [] for method in (*METHODS, "random")}
for i, scores in zip(real_sentences, real_scores, strict=True):
    ids, _ = encode_text(str(real_texts[i]))
    f_full = f_ids(honest, ids)
    tops = {method: int(np.argmax(scores[method][1:-1])) + 1 for method in METHODS}
    tops["random"] = int(rng.integers(1, ids.shape[1] - 1))
    masked = ids.repeat(len(tops), 1)  # one copy per method, its top token masked
    masked[torch.arange(len(tops)), list(tops.values())] = tokenizer.mask_token_id
    with torch.inference_mode():
        f_masked = honest(masked, torch.ones_like(masked)).cpu().numpy()
    for method, f_value in zip(tops, f_masked, strict=True):
        drops[method].append(abs(f_full - f_value))
mean_drops = pd.Series({method: np.mean(d) for method, d in drops.items()})
print("mean |change in log-odds| when the top token is masked:")
print(mean_drops.round(3).to_string())
assert min(mean_drops["IG"], mean_drops["SHAP"]) > max(mean_drops["attention"],
                                                       mean_drops["rollout"])

# %% slideshow={"slide_type": "fragment"}
check("09.3", mean_drops=mean_drops, drops=drops, real_scores=real_scores, model=honest,
      tokenizer=tokenizer, texts=real_texts, sentences=real_sentences)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Masking the token that SHAP or IG ranks first moves the prediction more than masking the
# token that attention or rollout ranks first, and rollout's top token moves it about as
# much as a random one (both printed). SHAP has a home advantage here: its game is defined by
# exactly this kind of masking. One masked token per review, on a handful of reviews, is a small
# test;
# deletion curves (notebook 07) remove tokens one by one and integrate the change.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A frozen MiniLM encoder, masked mean pooling and a logistic-regression head form one
#   differentiable function from token ids to log-odds; it reproduced the scikit-learn pipeline
#   to float32 rounding.
# - Attention weights are $\operatorname{softmax}(QK^\top/\sqrt{d})$, 72 maps for MiniLM; we
#   recomputed them from queries and keys. Attention rollout multiplies the head-averaged maps,
#   with the identity added for the residual connection.
# - Raw attention is not an explanation, measured three ways: `[CLS]` soaks up about half of
#   it in the middle layers while its value vector is short; it is identical for two
#   classifiers that decide differently; and it ranks tokens unlike the methods that explain
#   the output.
# - Integrated Gradients over word embeddings with a `[PAD]` baseline satisfied completeness to
#   the printed delta, and our midpoint loop matched captum's `LayerIntegratedGradients`.
#   Partition SHAP with a text masker satisfied additivity.
# - On the planted word, IG and SHAP found the shortcut and stayed quiet for the honest model;
#   attention and rollout could not tell the two models apart.
# - On ordinary reviews no two methods agree strongly on the order of the tokens, not even IG
#   and SHAP: their references (`[PAD]` versus `[MASK]`) and their averaging differ. Report the
#   method and its reference with every explanation, and prefer tests with a known answer.
# - With internet, the same SHAP call explains translation and summarisation models token by
#   token; the course stays offline with a classifier whose explanations can be checked.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, Ł.,
#   & Polosukhin, I. (2017). Attention is all you need. *NeurIPS 2017*.
#   https://arxiv.org/abs/1706.03762
# - Devlin, J., Chang, M.-W., Lee, K., & Toutanova, K. (2019). BERT: Pre-training of deep
#   bidirectional transformers for language understanding. *NAACL 2019*.
#   https://arxiv.org/abs/1810.04805
# - Wang, W., Wei, F., Dong, L., Bao, H., Yang, N., & Zhou, M. (2020). MiniLM: Deep
#   self-attention distillation for task-agnostic compression of pre-trained transformers.
#   *NeurIPS 2020*. https://arxiv.org/abs/2002.10957
# - Reimers, N., & Gurevych, I. (2019). Sentence-BERT: Sentence embeddings using Siamese
#   BERT-networks. *EMNLP 2019*. https://arxiv.org/abs/1908.10084
# - Vig, J. (2019). A multiscale visualization of attention in the transformer model (BertViz).
#   *ACL 2019 demos*. https://arxiv.org/abs/1906.05714; see also Vig, J. (2019). Visualizing
#   attention in transformer-based language representation models.
#   https://arxiv.org/abs/1904.02679
# - Clark, K., Khandelwal, U., Levy, O., & Manning, C. D. (2019). What does BERT look at? An
#   analysis of BERT's attention. *BlackboxNLP 2019*. https://arxiv.org/abs/1906.04341
# - Jain, S., & Wallace, B. C. (2019). Attention is not explanation. *NAACL 2019*.
#   https://arxiv.org/abs/1902.10186
# - Wiegreffe, S., & Pinter, Y. (2019). Attention is not not explanation. *EMNLP 2019*.
#   https://arxiv.org/abs/1908.04626
# - Abnar, S., & Zuidema, W. (2020). Quantifying attention flow in transformers. *ACL 2020*.
#   https://arxiv.org/abs/2005.00928
# - Kobayashi, G., Kuribayashi, T., Yokoi, S., & Inui, K. (2020). Attention is not only a weight:
#   Analyzing transformers with vector norms. *EMNLP 2020*. https://arxiv.org/abs/2004.10102
# - Chefer, H., Gur, S., & Wolf, L. (2021). Transformer interpretability beyond attention
#   visualization. *CVPR 2021*. https://arxiv.org/abs/2012.09838
# - Chefer, H., Gur, S., & Wolf, L. (2021). Generic attention-model explainability for
#   interpreting bi-modal and encoder-decoder transformers. *ICCV 2021*.
#   https://arxiv.org/abs/2103.15679
# - Krishna, S., Han, T., Gu, A., Wu, S., Jabbari, S., & Lakkaraju, H. (2022). The
#   disagreement problem in explainable machine learning: A practitioner's perspective.
#   https://arxiv.org/abs/2202.01602
# - Sundararajan, M., Taly, A., & Yan, Q. (2017). Axiomatic attribution for deep networks.
#   *ICML 2017*. https://arxiv.org/abs/1703.01365
# - Lundberg, S. M., & Lee, S.-I. (2017). A unified approach to interpreting model predictions.
#   *NeurIPS 2017*. https://arxiv.org/abs/1705.07874
# - Kokhlikyan, N., et al. (2020). Captum: A unified and generic model interpretability library
#   for PyTorch. https://arxiv.org/abs/2009.07896; docs: https://captum.ai/api/layer.html and
#   the BERT tutorial https://captum.ai/tutorials/Bert_SQUAD_Interpret
# - SHAP documentation: text examples, including machine translation and summarisation.
#   https://shap.readthedocs.io/en/latest/text_examples.html
# - Pang, B., & Lee, L. (2005). Seeing stars: Exploiting class relationships for sentiment
#   categorization with respect to rating scales. *ACL 2005* (source of the review snippets).
#   https://arxiv.org/abs/cs/0506075
