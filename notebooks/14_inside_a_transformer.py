# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 14 · Inside a transformer: probes, patching and a sparse autoencoder on a known circuit
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/14_inside_a_transformer.ipynb)
#
# Attribution methods say *which inputs* mattered. Mechanistic interpretability asks *how* the
# network computes its answer: what each layer represents, which component moves which
# information, and which features the activations are made of. Its tools are usually shown on
# GPT-2 or larger, where nobody knows the right answer. Here we train the tools on a model whose
# mechanism is **known**: a two-layer, attention-only transformer that continues a repeated
# sequence, a task such models solve with a *previous-token head* in layer 0 feeding an
# *induction head* in layer 1 (Olsson et al. 2022), which sections 4–9 confirm for ours. The
# offsets where each head must look follow from how we built the data, so every method can be
# graded: do the probes, the logit lens,
# activation patching, attribution patching, head ablation and a sparse autoencoder point at the
# places the mechanism says they must? We use TransformerLens, the field's library for this
# work, and write each method from scratch once. The last section probes a real model, MiniLM,
# layer by layer, with a control task.
#
# **Run time:** about 40–60 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Read a transformer as a residual stream that attention heads read from and write to, and
#   reproduce a TransformerLens model's logits from its weight matrices.
# - Find previous-token and induction heads from their attention patterns, scored against the
#   offsets the task fixes.
# - Train linear probes per layer and position, and report their selectivity against a control
#   task (Hewitt & Liang 2019), so that what a probe learned is not mistaken for what the stream
#   encodes; and see why neither shows what the model uses.
# - Apply the logit lens and say at which layer the answer appears.
# - Run activation patching from scratch and with `transformer_lens.patching`, approximate it
#   with attribution patching, and check both against the known circuit.
# - Zero- and mean-ablate heads and predict the accuracy that remains.
# - Train a sparse autoencoder on one layer's activations, report reconstruction and sparsity,
#   and match its features to a variable of the task.
#
# ## Prerequisites
#
# - [Notebook 09](09_transformers.ipynb) (attention from scratch, MiniLM) and
#   [notebook 13](13_explaining_generation.ipynb) (a toy task with a known answer).
# - Logistic regression, PyTorch tensors and autograd.

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
# ## 1. A task that forces a known mechanism
#
# Each sequence is `BOS prefix segment segment`: a random segment of 4–12 tokens written twice,
# after a random prefix, 25 tokens in all, no token repeated within the first copy and the
# prefix. In the first copy the next token is unpredictable. In the second copy it is fixed:
# after token $A$ comes whatever followed $A$ the first time. A model that looks only at the
# current token cannot know it. Elhage et al. (2021) and Olsson et al. (2022) found how
# two-layer attention-only transformers do it, with two heads in series:
#
# 1. a **previous-token head** (layer 0) copies, at each position, the identity of the token
#    *before* it into the residual stream;
# 2. an **induction head** (layer 1), at the current token $A$, looks for the earlier position
#    whose *previous* token was $A$ (its key holds what step 1 wrote), and copies the token found
#    there, $B$, into the output. A head in layer 1 that reads a layer-0 head's output through
#    its keys is said to **K-compose** with it.
#
# Other circuits could solve the task too; this is the one such models are found to learn, and
# the checks below confirm it for ours. It fixes where each head must look: the previous-token
# head from position $p$ to $p - 1$, the induction head from a position $p$ of the second copy
# to $p - L + 1$, one place after the same token in the first copy ($L$ the segment length).
# `utils.circuits.make_repeated_sequences` draws the sequences, seeded, and records where the
# second copy starts.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from utils.circuits import SEQ_LEN, VOCAB, load_induction_model, make_repeated_sequences

example = make_repeated_sequences(2, seed=1)
for row, start, length in zip(example.tokens, example.second_start, example.segment_length,
                              strict=True):
    print(f"L = {length:2}, second copy from position {start}:", row.tolist())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The model, in TransformerLens
#
# TransformerLens names every activation of a transformer with a *hook point*
# (`blocks.1.attn.hook_pattern`, `blocks.0.hook_resid_pre`, …), caches them all in one call
# (`run_with_cache`), lets us edit any of them during a forward pass (`run_with_hooks`), and
# ships activation-patching functions. That is why ARENA (the open interpretability curriculum
# of the Alignment Research Engineer Accelerator) and most circuit papers use it, and why we do.
# In its version 4 a model is a `TransformerBridge`; `boot_native` builds one from a config
# alone, so nothing is downloaded.
#
# The model: 2 attention-only layers, 4 heads of 16 dimensions each, a 64-dimensional residual
# stream, LayerNorm, learned positions, 48 tokens. Training takes about two minutes on two
# cores, more than this notebook's budget, so the weights ship in `data/induction_model.pt`
# (196 kB), made by `data/train_induction_model.py` (seed 0, 3,000 AdamW steps of 64 fresh
# sequences; `data/README.md` records the checksum). We first check that it learned the task.

# %%
model = load_induction_model()
print(type(model).__name__, {key: getattr(model.cfg, key) for key in
                             ("n_layers", "n_heads", "d_head", "d_model", "d_vocab", "n_ctx")})

def next_token_hits(logits: torch.Tensor, tokens: torch.Tensor) -> np.ndarray:
    """Per sequence and position (all but the last), whether the top logit is the next token."""
    return (logits.argmax(-1)[:, :-1] == tokens[:, 1:]).numpy()


held_out = make_repeated_sequences(500, seed=123)
with torch.no_grad():
    logits = model(held_out.tokens)
correct = next_token_hits(logits, held_out.tokens)
predictable = held_out.predictable[:, :-1]

# %% [markdown]
# The accuracy on the positions the first copy determines, against the positions it does not.
# On the unpredictable ones the best a model can do is guess among the tokens not yet seen.

# %%
accuracy_second = correct[predictable].mean()
accuracy_unpredictable = correct[~predictable].mean()
print(f"next-token accuracy: {accuracy_second:.4f} where the first copy fixes it, "
      f"{accuracy_unpredictable:.4f} elsewhere (BOS, prefix and first copy; "
      f"{predictable.sum()} and {(~predictable).sum()} positions)")
assert accuracy_second > 0.99 and accuracy_unpredictable < 0.2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The forward pass, from scratch
#
# A transformer is a **residual stream** $x \in \mathbb{R}^{T \times d}$ that every component
# reads from and adds to. With token embedding $W_E$ and position embedding $W_{pos}$,
#
# $$x^{(0)} = W_E[t] + W_{pos}, \qquad
#   x^{(\ell + 1)} = x^{(\ell)} +
#   \sum_{h} \operatorname{head}_{\ell, h}\big(\mathrm{LN}(x^{(\ell)})\big) + b_O^{(\ell)},$$
#
# and the logits are $\mathrm{LN}_f(x^{(2)})\, W_U + b_U$. Each LayerNorm (one before each layer,
# $\mathrm{LN}_f$ at the end, each with its own gain $w$ and bias $b$) centres a position's
# vector and divides it by its spread $\sigma = \sqrt{\operatorname{var}(x) + \epsilon}$:
# $\mathrm{LN}(x) = (x - \bar{x}) / \sigma \odot w + b$. In TransformerLens's names the three
# streams are `blocks.0.hook_resid_pre` ($x^{(0)}$), `blocks.1.hook_resid_pre` ($x^{(1)}$) and
# `blocks.1.hook_resid_post` ($x^{(2)}$), the three "places" of the sections below. One head, on
# the normalised stream
# $\tilde{x}$, computes queries, keys and values, a causal softmax over positions, and writes
# back through $W_O$:
#
# $$A = \operatorname{softmax}\Big(
#   \frac{(\tilde{x} W_Q + b_Q)(\tilde{x} W_K + b_K)^\top}{\sqrt{d_{head}}} + M\Big),
#   \qquad \operatorname{head}(\tilde{x}) = A\,(\tilde{x} W_V + b_V)\, W_O ,$$
#
# where $M$ is $-\infty$ above the diagonal (no position sees the future). We write this in a
# few lines from TransformerLens's weight tensors (`model.W_Q` has shape layers × heads ×
# $d$ × $d_{head}$) and check it against the library's logits.

# %%
weights = model.state_dict()


def layer_norm(x: torch.Tensor, name: str) -> torch.Tensor:
    """LayerNorm over the last axis with the learned gain and bias of ``name``."""
    centred = x - x.mean(-1, keepdim=True)
    scale = (centred.pow(2).mean(-1, keepdim=True) + model.cfg.eps).sqrt()
    return centred / scale * weights[f"{name}.weight"] + weights[f"{name}.bias"]


# %% [markdown]
# One attention layer: all heads at once, with `einsum` over the head axis `h`.

# %%
def attention_layer(x: torch.Tensor, layer: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The layer's output added to the stream, and its attention patterns (batch, h, T, T)."""
    normed = layer_norm(x, f"blocks.{layer}.ln1")
    q, k, v = (torch.einsum("btd,hde->bhte", normed, getattr(model, f"W_{n}")[layer])
               + getattr(model, f"b_{n}")[layer][None, :, None] for n in "QKV")
    scores = q @ k.transpose(-1, -2) / np.sqrt(model.cfg.d_head)
    future = torch.triu(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool), diagonal=1)
    pattern = scores.masked_fill(future, -torch.inf).softmax(-1)
    out = torch.einsum("bhte,hed->btd", pattern @ v, model.W_O[layer]) + model.b_O[layer]
    return out, pattern


# %% [markdown] slideshow={"slide_type": "subslide"}
# The whole model: embed, two layers, final LayerNorm, unembed.

# %%
def forward_from_scratch(tokens: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Logits (batch, T, vocabulary) and the attention patterns of both layers."""
    x = model.W_E[tokens] + model.W_pos[: tokens.shape[1]]
    patterns = []
    for layer in range(model.cfg.n_layers):
        out, pattern = attention_layer(x, layer)
        x = x + out
        patterns.append(pattern)
    return layer_norm(x, "ln_final") @ model.W_U + model.b_U, patterns


# %%
with torch.no_grad():
    our_logits, our_patterns = forward_from_scratch(held_out.tokens)
    _, cache = model.run_with_cache(held_out.tokens)
gap_logits = (our_logits - logits).abs().max().item()
gap_patterns = max((our_patterns[layer] - cache[f"blocks.{layer}.attn.hook_pattern"]).abs().max()
                   .item() for layer in range(2))
print(f"from scratch vs TransformerLens: logits within {gap_logits:.1e}, "
      f"attention patterns within {gap_patterns:.1e}")

# %%
assert gap_logits < 1e-4 and gap_patterns < 1e-5

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Which heads attend where the mechanism says?
#
# The task fixes two offsets, so each head gets two scores: the share of its attention that goes
# where a previous-token head must look, averaged over every position $p \ge 1$, and the share
# that goes where an induction head must look, averaged over the queries $p$ of the second copy
# (the only positions where that offset exists). A third column, the share on the query's own
# position, shows what else a head does:
#
# $$s_{\text{prev}}(h) = \operatorname{mean}_{p \ge 1} A_h[p, p - 1], \qquad
#   s_{\text{ind}}(h) = \operatorname{mean}_{p \in \text{second copy}} A_h[p, p - L + 1].$$
#
# TransformerLens's `head_detector` computes the same kind of score (the attention a head puts
# on a 0/1 pattern of expected positions), but it builds its patterns from text prompts, which
# our token-only model does not have; so we index the cached patterns directly.

# %%
def head_scores(patterns: list[torch.Tensor], sequences) -> pd.DataFrame:
    """Previous-token score (over positions 1 on), induction score (over the second-copy
    queries) and attention to the query's own position (over positions 1 on) of every head."""
    rows, queries = [], np.flatnonzero(sequences.predictable.ravel())
    row_index, query = np.divmod(queries, SEQ_LEN)
    induction_key = query - sequences.segment_length[row_index] + 1
    for layer, pattern in enumerate(patterns):
        for head in range(pattern.shape[1]):
            a = pattern[:, head].numpy()
            rows.append({"head": f"{layer}.{head}",
                         "previous token": a.diagonal(-1, 1, 2).mean(),
                         "induction": a[row_index, query, induction_key].mean(),
                         "own position": a.diagonal(0, 1, 2)[:, 1:].mean()})
    return pd.DataFrame(rows).set_index("head")


head_table = head_scores(our_patterns, held_out)
print(head_table.round(3))

# %% [markdown]
# We call a head a previous-token head or an induction head when more than 30 % of its
# attention goes to the offset: well above the 0.12 that attention spread evenly over the
# visible positions would put there on average, and below every head that clearly specialises
# (the next-best scores are 0.208 and 0.160). The mechanism predicts where they must sit:
# previous-token heads in layer 0 (they need no earlier layer), induction heads in layer 1
# (their keys need what layer 0 wrote).

# %%
PREVIOUS_TOKEN_HEADS = [h for h in head_table.index if head_table.loc[h, "previous token"] > 0.3]
INDUCTION_HEADS = [h for h in head_table.index if head_table.loc[h, "induction"] > 0.3]
print("previous-token heads:", PREVIOUS_TOKEN_HEADS, "| induction heads:", INDUCTION_HEADS)

# %%
assert PREVIOUS_TOKEN_HEADS and all(h.startswith("0.") for h in PREVIOUS_TOKEN_HEADS)
assert INDUCTION_HEADS and all(h.startswith("1.") for h in INDUCTION_HEADS)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The patterns of the strongest head of each kind on one sequence with a 10-token segment: the
# previous-token head's attention sits on the diagonal just below the main one; the induction
# head's, from the second copy on, on a diagonal $L - 1 = 9$ places left of the main one. Before the
# second copy the induction head has nothing to find and rests on `BOS` (column 0).

# %%
def show_patterns(tokens_row: torch.Tensor, heads: list[str], title: str) -> None:
    """Attention patterns of ``heads`` on one sequence, query rows against key columns."""
    _, patterns = forward_from_scratch(tokens_row[None])
    fig, axes = plt.subplots(1, len(heads), figsize=(5.2 * len(heads), 4.6))
    for ax, head in zip(np.atleast_1d(axes), heads, strict=True):
        layer, head_index = map(int, head.split("."))
        ax.imshow(patterns[layer][0, head_index].detach(), cmap="Blues", vmin=0, vmax=1)
        ax.set(title=f"head {head}", xlabel="key position", ylabel="query position")
    fig.suptitle(title)
    plt.show()


strongest = [head_table["previous token"].idxmax(), head_table["induction"].idxmax()]
shown = int(np.flatnonzero(held_out.segment_length == 10)[0])
show_patterns(held_out.tokens[shown], strongest,
              f"Attention on one sequence (segment length 10, second copy from position "
              f"{held_out.second_start[shown]})")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Linear probes, with a control task
#
# A **probe** is a small classifier trained to read a variable $y$ off an activation $h$, here
# logistic regression, $p(y = 1 \mid h) = \sigma(w^\top h + b)$. If it succeeds on held-out
# data, the variable is *linearly decodable* at that point. That is not the same as *used*:
# Hewitt & Liang (2019) point out that a flexible probe can learn a task on its own. Their
# **control task** gives each token type a random label; it can only be learned by memorising
# types. The **selectivity**, task accuracy minus control accuracy, says how much of a probe's
# success comes from the representation rather than from what it memorised.
#
# We probe the residual stream at three places (before layer 0, between the layers, after
# layer 1), at positions of the prefix and of both copies, for two variables the mechanism
# makes known, and for a control:
#
# - the **previous token** (47 classes): should appear after layer 0, the previous-token heads'
#   work;
# - the **next token**: the answer, should appear after layer 1, and only in the second copy;
# - **control**: a random label per *current* token type, drawn from the same 47 classes
#   (Hewitt & Liang's construction).
#
# Chance is about 1/47 = 0.02. To read the result per position, every probing sequence has
# the same segment length, 8: the prefix is positions 1–8, the first copy 9–16, the second
# 17–24. We probe every other position from 4 to 22, which covers the three regions at half the
# cost.

# %%
from sklearn.linear_model import LogisticRegression

PROBE_POINTS = {"before layer 0": "blocks.0.hook_resid_pre",
                "between layers": "blocks.1.hook_resid_pre",
                "after layer 1": "blocks.1.hook_resid_post"}
POSITIONS = np.array([4, 8, 10, 12, 14, 16, 18, 20, 22])
probe_data = make_repeated_sequences(900, seed=7, segment_length=8)
with torch.no_grad():
    _, probe_cache = model.run_with_cache(probe_data.tokens,
                                          names_filter=list(PROBE_POINTS.values()))

# %% [markdown]
# The three label arrays, one value per sequence and probed position.

# %%
tokens = probe_data.tokens.numpy()
control_of_type = np.random.default_rng(0).integers(1, VOCAB, size=VOCAB)
labels = {"previous token": tokens[:, POSITIONS - 1], "next token": tokens[:, POSITIONS + 1],
          "control": control_of_type[tokens[:, POSITIONS]]}

# %% [markdown] slideshow={"slide_type": "subslide"}
# A probe per place, position and variable makes 81 multinomial fits. One at a time with
# scikit-learn that takes minutes on two cores, so we write the probe ourselves: the same
# objective as `LogisticRegression(C=1)`, the mean cross-entropy plus
# $\lVert W \rVert^2 / (2 C n)$ over the $n = 600$ training sequences, on standardised inputs,
# with all 81 probes fitted at once by L-BFGS (their losses add up, and their parameters do not
# interact). Then we check two of them against scikit-learn.

# %%
def fit_probes(x: torch.Tensor, y: torch.Tensor, n_train: int = 600, c: float = 1.0,
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Logistic-regression probes, one per leading index of ``x`` (P, N, d) and ``y`` (P, N):
    held-out predictions (P, N - n_train) and the standardised inputs used."""
    train = x[:, :n_train]
    x = (x - train.mean(1, keepdim=True)) / (train.std(1, keepdim=True) + 1e-6)
    weight = torch.zeros(x.shape[0], x.shape[2], VOCAB, requires_grad=True)
    bias = torch.zeros(x.shape[0], 1, VOCAB, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=100, line_search_fn="strong_wolfe")

    def loss() -> torch.Tensor:
        optimizer.zero_grad()
        logits = x[:, :n_train] @ weight + bias
        value = (torch.nn.functional.cross_entropy(logits.flatten(0, 1), y[:, :n_train].flatten())
                 * x.shape[0] + weight.pow(2).sum() / (2 * c * n_train))
        value.backward()
        return value

    optimizer.step(loss)
    with torch.no_grad():
        return (x[:, n_train:] @ weight + bias).argmax(-1), x


# %% [markdown]
# The 81 probes: inputs stacked as (place, variable, position), labels alike.

# %%
inputs = torch.stack([probe_cache[hook][:, POSITIONS].transpose(0, 1)
                      for hook in PROBE_POINTS.values() for _ in labels])
targets = torch.stack([torch.as_tensor(y.T) for _ in PROBE_POINTS for y in labels.values()])
predictions, standardised = fit_probes(inputs.flatten(0, 1), targets.flatten(0, 1))
accuracy = (predictions == targets.flatten(0, 1)[:, 600:]).float().mean(1)
accuracy = accuracy.reshape(len(PROBE_POINTS), len(labels), len(POSITIONS)).numpy()
probe_grid = {name: accuracy[:, k] for k, name in enumerate(labels)}

# %% [markdown]
# The check: two probes for the previous token between the layers, an easy one (position 10)
# and a harder one (position 22, late in the second copy), refitted with scikit-learn on the
# same standardised inputs.

# %%
def sklearn_agreement(position: int) -> float:
    """Share of held-out predictions on which our probe and scikit-learn's agree."""
    row = (1 * len(labels) + 0) * len(POSITIONS) + int(np.flatnonzero(POSITIONS == position)[0])
    x_check, y_check = standardised[row].numpy(), targets.flatten(0, 1)[row].numpy()
    reference = LogisticRegression(C=1.0, max_iter=2000).fit(x_check[:600], y_check[:600])
    print(f"position {position}: held-out accuracy ours {accuracy.ravel()[row]:.3f}, "
          f"scikit-learn {reference.score(x_check[600:], y_check[600:]):.3f}")
    return (reference.predict(x_check[600:]) == predictions[row].numpy()).mean()


agreements = [sklearn_agreement(position) for position in (10, 22)]
print("same prediction on", np.round(agreements, 3))

# %%
assert min(agreements) > 0.95

# %% [markdown]
# The accuracies as three heatmaps, place × position; the dashed lines mark where the first and
# the second copy begin.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.6), sharey=True)
for ax, (name, grid) in zip(axes, probe_grid.items(), strict=True):
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for start in (9, 17):
        ax.axvline(np.searchsorted(POSITIONS, start) - 0.5, color="white", linestyle="--")
    ax.set(title=f"probe for: {name}", xlabel="position", xticks=range(len(POSITIONS)),
           xticklabels=POSITIONS, yticks=range(3))
axes[0].set_yticklabels(PROBE_POINTS)
fig.colorbar(image, ax=axes, label="held-out accuracy")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The figure in numbers. For the next token, "first copy" means positions 10, 12 and 14: their
# next token is new and unpredictable, and they sit where the induction heads also run (the
# prefix tells the same story; position 16's next token starts the second copy).

# %%
before_second, second_copy = POSITIONS < 17, POSITIONS >= 17
first_copy = (POSITIONS >= 9) & (POSITIONS < 16)
pd.set_option("display.width", 120)
probe_table = pd.DataFrame({
    "previous token, positions < 17": probe_grid["previous token"][:, before_second].mean(1),
    "previous token, second copy": probe_grid["previous token"][:, second_copy].mean(1),
    "next token, first copy": probe_grid["next token"][:, first_copy].mean(1),
    "next token, second copy": probe_grid["next token"][:, second_copy].mean(1),
    "control": probe_grid["control"].mean(1)}, index=list(PROBE_POINTS))
probe_table["selectivity"] = probe_table["previous token, positions < 17"] - probe_table["control"]
print(probe_table.round(3).T)

# %%
previous_accuracy = probe_table["previous token, positions < 17"]
next_accuracy = probe_table["next token, second copy"]
assert previous_accuracy.iloc[0] < 0.1 < 0.95 < previous_accuracy.iloc[1]
assert next_accuracy.iloc[:2].max() < 0.1 < 0.95 < next_accuracy.iloc[2]
assert probe_table["next token, first copy"].max() < 0.1
assert probe_table["control"].iloc[0] > 0.95

# %% [markdown]
# Every cell agrees with the mechanism. The previous token is at chance (0.018, chance 1/47)
# before layer 0 and perfectly decodable between the layers at every position before the second
# copy. The answer is decodable only after layer 1, and only in the second copy (1.000 against
# 0.022 in the first). Two cells say more than we planted:
#
# - In the second copy the previous token is only partly there between the layers (0.720): the
#   previous-token heads stop looking at $p - 1$ late in the sequence, where few queries will
#   ever read the key (in the pattern figure above, head 0.1's diagonal fades after position
#   15).
# - The control is decoded perfectly from the very first residual stream, because a random
#   label per type is a function of the current token and a linear probe can memorise 47 types.
#   The selectivity (previous token minus control) is −0.982 before layer 0, 0.000 between
#   the layers and 0.135 after layer 1: low here because the control is easy, not because the
#   previous token is missing. What shows that layer 0 wrote the previous token is the jump
#   from 0.018 to 1.000 of the *same* probe on the *same* data from one place to the next; an
#   accuracy on its own, next to a control this easy, would show nothing.
#
# > **Pitfalls.** A probe shows what is *decodable*, not what the model *uses*: the previous
# > token stays decodable after layer 1 whether or not anything reads it there. Use held-out
# > data, a control task and the simplest probe that works, and confirm with an intervention
# > (patching, below).
#
# **Pros:** cheap, works on any activation, answers "is it there?" per layer and position.
# **Cons:** correlational; a strong probe finds what is not used; the answer depends on the
# probe's capacity.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The logit lens
#
# The **logit lens** (nostalgebraist 2020) reads an intermediate residual stream as if it were
# the last one: through the final LayerNorm and the unembedding,
#
# $$\text{lens}^{(\ell)} = \mathrm{LN}_f\big(x^{(\ell)}\big)\, W_U + b_U .$$
#
# The LayerNorm is recomputed on $x^{(\ell)}$ itself. TransformerLens does the same with
# `cache.accumulated_resid(apply_ln=True)`, which returns the stream before each layer and at
# the end.

# %%
def logit_lens(stream: torch.Tensor) -> torch.Tensor:
    """Logits read off a residual stream (…, d) through the final LayerNorm and unembedding."""
    return layer_norm(stream, "ln_final") @ model.W_U + model.b_U


streams, stream_names = cache.accumulated_resid(apply_ln=True, return_labels=True)
lens_library = streams @ model.W_U + model.b_U
lens_ours = torch.stack([logit_lens(cache[hook]) for hook in
                         ("blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre",
                          "blocks.1.hook_resid_post")])
print(stream_names, f"ours vs TransformerLens within {(lens_ours - lens_library).abs().max():.1e}")

# %%
assert torch.allclose(lens_ours, lens_library, atol=1e-4)

# %% [markdown]
# At each stage, how often the lens's top token is the right next token, in the second copy
# (where the answer is known) and elsewhere (`BOS`, prefix and first copy).

# %%
def lens_accuracy(lens: torch.Tensor, mask: np.ndarray) -> float:
    """Share of masked positions whose lens top-1 is the true next token."""
    return next_token_hits(lens, held_out.tokens)[mask].mean()


lens_table = pd.DataFrame({"second copy": [lens_accuracy(lens, predictable) for lens in lens_ours],
                           "elsewhere": [lens_accuracy(lens, ~predictable) for lens in lens_ours]},
                          index=list(PROBE_POINTS))
print(lens_table.round(3))

# %%
assert lens_table["second copy"].iloc[:2].max() < 0.1 < 0.99 < lens_table["second copy"].iloc[2]

# %% [markdown]
# The answer appears in one step, in layer 1, exactly where the induction heads sit: before
# layer 1 the lens is right on 2 % of the second-copy positions (chance, 1/47), after it on
# all. In a deep model the lens shows the answer forming over many layers; here the mechanism
# has two steps, and the lens sees only the second because the first writes *where to look*,
# not *what to say*.
#
# > **Pitfall.** Early layers are not written to be read by the unembedding; a lens that reads
# > nothing there may be reading the wrong basis (the "tuned lens" of Belrose et al. 2023 learns
# > one translator per layer for that reason).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Activation patching
#
# **Activation patching** (causal tracing, Meng et al. 2022) asks which activation *causes* the
# answer. Run a **clean** input and a **corrupted** one that changes the answer; then rerun the
# corrupted input with one activation replaced by its clean value, and measure how much of the
# clean behaviour returns. With the logit difference $\Delta = \text{logit}(B) -
# \text{logit}(B')$ of the clean answer $B$ against the corrupted one $B'$,
#
# $$r = \frac{\Delta_{\text{patched}} - \Delta_{\text{corrupted}}}
#   {\Delta_{\text{clean}} - \Delta_{\text{corrupted}}},$$
#
# 1 if the patched activation alone restores the answer, 0 if it does nothing. We use the logit
# difference rather than a probability because it is linear in the final stream (up to the last
# LayerNorm) and does not saturate when the model is sure.
#
# Our pair: segment length 8, the query at position 20 (the second copy's fourth token, $A$),
# whose answer $B$ sits at position 13 in the first copy. The corrupted input replaces that
# $B$ by a token $B'$ the sequence does not contain, so the induction head now copies $B'$.
# The mechanism predicts the restoring activations: the stream at position 13 until layer 1
# reads it, and the stream at position 20 once layer 1 has written the answer; nothing else.

# %%
QUERY, SOURCE = 20, 13
pairs = make_repeated_sequences(100, seed=11, segment_length=8)
clean_tokens = pairs.tokens
corrupted_tokens = clean_tokens.clone()
pair_rng = np.random.default_rng(1)
for row in range(len(clean_tokens)):
    unused = np.setdiff1d(np.arange(1, VOCAB), clean_tokens[row].numpy())
    corrupted_tokens[row, SOURCE] = int(pair_rng.choice(unused))
answer, foil = clean_tokens[:, SOURCE], corrupted_tokens[:, SOURCE]

# %% [markdown]
# The metric, and its value on the clean and the corrupted runs.

# %%
def logit_difference(logits: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of logit(B) - logit(B') at the query position."""
    at_query = logits[:, QUERY]
    return (at_query.gather(1, answer[:, None]) - at_query.gather(1, foil[:, None])).mean()


with torch.no_grad():
    clean_logits, clean_cache = model.run_with_cache(clean_tokens)
    corrupted_logits, corrupted_cache = model.run_with_cache(corrupted_tokens)
clean_diff = logit_difference(clean_logits).item()
corrupted_diff = logit_difference(corrupted_logits).item()
print(f"logit difference: clean {clean_diff:.2f}, corrupted {corrupted_diff:.2f}")


def restored_fraction(difference: float | np.ndarray) -> float | np.ndarray:
    """The formula for r above: 0 at the corrupted run's logit difference, 1 at the clean's."""
    return (difference - corrupted_diff) / (clean_diff - corrupted_diff)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Patching from scratch: a hook that overwrites one position of one activation with its clean
# value, for every place and position.

# %%
def patch_position(hook_name: str, position: int) -> float:
    """Restored fraction r when ``hook_name`` at ``position`` takes its clean value."""
    def restore(activation: torch.Tensor, hook) -> torch.Tensor:
        activation[:, position] = clean_cache[hook_name][:, position]
        return activation

    with torch.no_grad():
        patched = model.run_with_hooks(corrupted_tokens, fwd_hooks=[(hook_name, restore)])
    return restored_fraction(logit_difference(patched).item())


restored = np.array([[patch_position(hook, p) for p in range(SEQ_LEN)]
                     for hook in PROBE_POINTS.values()])

# %% [markdown]
# TransformerLens's `patching.get_act_patch_resid_pre` patches the stream before each layer and
# returns the raw metric; we normalise it the same way and compare with the first two rows.

# %%
from transformer_lens import patching

library_resid = patching.get_act_patch_resid_pre(model, corrupted_tokens, clean_cache,
                                                 logit_difference)
library_restored = restored_fraction(library_resid.numpy())
print(f"from scratch vs transformer_lens.patching: within "
      f"{np.abs(restored[:2] - library_restored).max():.1e}")

# %%
assert np.allclose(restored[:2], library_restored, atol=1e-4)

# %% [markdown]
# The restored fraction over place × position, with the cell the mechanism predicts in each
# place outlined (three in all).

# %%
def patching_heatmap(ax, grid: np.ndarray, rows: list[str], title: str) -> None:
    """A place × position heatmap of restored fractions on a symmetric colour scale."""
    image = ax.imshow(grid, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    ax.set(title=title, xlabel="position", yticks=range(len(rows)), yticklabels=rows)
    ax.figure.colorbar(image, ax=ax, label="restored fraction r")


fig, ax = plt.subplots(figsize=(11, 3))
patching_heatmap(ax, restored, list(PROBE_POINTS), "Activation patching of the residual stream")
for row, column in ((0, SOURCE), (1, SOURCE), (2, QUERY)):
    ax.add_patch(plt.Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, lw=2, color="k"))
plt.show()

# %% [markdown]
# The check: the predicted cells restore the answer, every other cell restores almost nothing.

# %%
predicted = np.zeros_like(restored, dtype=bool)
predicted[0, SOURCE] = predicted[1, SOURCE] = predicted[2, QUERY] = True
print(f"predicted cells: r = {restored[predicted].round(3)}; "
      f"largest |r| elsewhere: {np.abs(restored[~predicted]).max():.3f}")
assert restored[predicted].min() > 0.95 and np.abs(restored[~predicted]).max() < 0.05

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Per head
#
# Patching the output of each head at each position (`hook_z`, the head's value-weighted sum
# before $W_O$) with `get_act_patch_attn_head_out_by_pos`. At the query, the induction heads
# should carry the answer between them.

# %%
head_patch = patching.get_act_patch_attn_head_out_by_pos(model, corrupted_tokens, clean_cache,
                                                         logit_difference)
head_restored = restored_fraction(head_patch.numpy())
head_names = [f"{layer}.{head}" for layer in range(2) for head in range(4)]
by_head = pd.DataFrame({"at the query": head_restored[:, QUERY].ravel(),
                        "at the source": head_restored[:, SOURCE].ravel()}, index=head_names)
print(by_head.round(3))

# %% [markdown]
# Heads restoring more than 5 % at the query are exactly the induction heads found from the
# attention patterns in section 4, and patching them together restores the answer. To edit
# chosen heads we need hooks on `hook_z`, one per layer; `head_hooks` builds them from head
# names such as `"1.3"` and an edit applied to each head (sections 9 and the exercises reuse it).

# %%
Z_HOOKS = [f"blocks.{layer}.attn.hook_z" for layer in range(model.cfg.n_layers)]


def head_hooks(heads: list[str], edit) -> list[tuple]:
    """Forward hooks calling ``edit(z, layer, head)`` in place on hook_z for each of ``heads``."""
    by_layer: dict[int, list[int]] = {}
    for name in heads:
        layer, head = map(int, name.split("."))
        by_layer.setdefault(layer, []).append(head)

    def hook_for(layer: int):
        def hook_fn(z: torch.Tensor, hook) -> torch.Tensor:
            for head in by_layer[layer]:
                edit(z, layer, head)
            return z
        return hook_fn

    return [(Z_HOOKS[layer], hook_for(layer)) for layer in by_layer]


# %%
def patch_heads(heads: list[str], position: int) -> float:
    """Restored fraction when all ``heads`` at ``position`` take their clean hook_z values."""
    def restore(z: torch.Tensor, layer: int, head: int) -> None:
        z[:, position, head] = clean_cache[Z_HOOKS[layer]][:, position, head]

    with torch.no_grad():
        patched = model.run_with_hooks(corrupted_tokens, fwd_hooks=head_hooks(heads, restore))
    return restored_fraction(logit_difference(patched).item())


restored_together = patch_heads(INDUCTION_HEADS, QUERY)
print(f"induction heads {INDUCTION_HEADS} patched together at the query: "
      f"r = {restored_together:.3f}")

# %%
assert sorted(by_head.index[by_head["at the query"] > 0.05]) == sorted(INDUCTION_HEADS)
assert restored_together > 0.8

# %% [markdown]
# Each induction head carries part of the answer at the query (0.315, 0.194 and 0.411), the
# weak fourth head 1.1 a little (0.023), and the three together 0.978. One layer-0 head shows up
# at the *source*: head 0.2, which puts about half of its attention on its own position (the
# "own position" column of section 4), writes the token $B$ itself into the stream there
# (0.163), part of the value the induction heads later copy.
#
# > **Pitfalls.** The answer depends on the corruption: change $B$ and you find the heads that
# > copy it, change $A$ and you find those that match it. One component at a time can mislead
# > when the work is shared: here no single induction head restores more than 0.411, and only
# > the three together restore the answer. Where heads are redundant (each alone enough), a
# > single patch restores everything and removing one changes nothing; test groups as well.
# > Report the metric you normalised and both baselines.
#
# **Pros:** causal, not correlational; localises a behaviour to a place and a position.
# **Cons:** one forward pass per patch; needs a corruption that changes only what you ask about.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Attribution patching: the gradient shortcut
#
# Activation patching costs one forward pass per cell. **Attribution patching** (Nanda 2023)
# replaces each pass by a first-order Taylor step around the corrupted run, so that one forward
# and one backward pass estimate every cell at once:
#
# $$\Delta_{\text{patched}} - \Delta_{\text{corrupted}} \approx
#   \big(a_{\text{clean}} - a_{\text{corrupted}}\big)^\top
#   \frac{\partial \Delta}{\partial a}\Big|_{\text{corrupted}} .$$
#
# We collect the gradient at each hook point: a forward hook registers a tensor hook on the
# activation, which receives its gradient during the backward pass.

# %%
def corrupted_gradients(hook_names: list[str]) -> dict[str, torch.Tensor]:
    """Gradient of the logit difference with respect to each hook, on the corrupted run."""
    gradients = {}

    def keep_gradient(name: str):
        def hook_fn(activation: torch.Tensor, hook) -> torch.Tensor:
            activation.register_hook(lambda grad: gradients.__setitem__(name, grad.detach()))
            return activation
        return hook_fn

    metric = logit_difference(model.run_with_hooks(
        corrupted_tokens, fwd_hooks=[(name, keep_gradient(name)) for name in hook_names]))
    metric.backward()
    return gradients


# %% [markdown]
# The estimated restored fraction for every place and position, and for every head at every
# position.

# %%
def attribution_patch(hook_name: str, gradient: torch.Tensor) -> np.ndarray:
    """First-order restored fraction per position (and per head for hook_z)."""
    change = clean_cache[hook_name] - corrupted_cache[hook_name]
    # the metric is already a batch mean, so each example's gradient carries its 1/N: sum
    estimate = (change * gradient).sum(-1).sum(0)
    return estimate.numpy() / (clean_diff - corrupted_diff)  # a change, so no offset


gradients = corrupted_gradients(list(PROBE_POINTS.values()) + Z_HOOKS)
approx_resid = np.stack([attribution_patch(h, gradients[h]) for h in PROBE_POINTS.values()])
approx_heads = np.stack([attribution_patch(h, gradients[h]) for h in Z_HOOKS])  # layer, pos, head

# %% [markdown] slideshow={"slide_type": "subslide"}
# How well the shortcut tracks the real patching, cell by cell.

# %%
resid_corr = np.corrcoef(approx_resid.ravel(), restored.ravel())[0, 1]
head_corr = np.corrcoef(approx_heads.ravel(), head_restored.ravel())[0, 1]
print(f"correlation with activation patching: residual stream {resid_corr:.3f}, "
      f"heads {head_corr:.3f}")
print("residual stream, predicted cells: patching", restored[predicted].round(3),
      "| attribution patching", approx_resid[predicted].round(4))

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, (x, y, title, corr) in zip(axes, (
        (restored, approx_resid, "residual stream cells", resid_corr),
        (head_restored, approx_heads, "head × position cells", head_corr)), strict=True):
    ax.scatter(x.ravel(), y.ravel(), s=18, alpha=0.7)
    ax.axline((0, 0), slope=1, color="grey", linestyle="--", label="y = x")
    ax.set(title=f"{title}\ncorrelation {corr:.3f}", xlabel="activation patching r",
           ylabel="attribution patching estimate")
    ax.legend()
fig.suptitle("Attribution patching against activation patching")
plt.show()

# %% [markdown]
# The check we can make: the shortcut ranks the same cells first.

# %%
top_exact = set(np.argsort(restored.ravel())[-3:])
top_approx = set(np.argsort(approx_resid.ravel())[-3:])
top_at_query = np.argsort(approx_heads[:, QUERY].ravel())[-len(INDUCTION_HEADS):]
top_heads = {head_names[i] for i in top_at_query}
print("top residual cells agree:", top_exact == top_approx, "| top heads at the query:",
      sorted(top_heads))
assert top_exact == top_approx and top_heads == set(INDUCTION_HEADS)

# %% [markdown]
# The shortcut ranks the same cells and the same heads first (correlations 0.998 and 0.997),
# at the cost of two passes instead of one per cell. Its sizes are off: at the three cells
# that restore the whole answer it estimates 0.48 to 0.56, about half, and the heads' points
# sit below the line too. A straight-line step from the corrupted run cannot follow the curves
# on the way: the final LayerNorm divides by the stream's size, and at the source position the
# change goes through the induction heads' attention softmax, whose pattern also changes. Use
# attribution patching to *search*, then confirm what it finds with real patches, as Kramár et
# al. (2024) recommend.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Ablation: knock the heads out
#
# Patching restores; **ablation** removes. Replace a head's output by zero (**zero-ablation**)
# or by its mean over the data (**mean-ablation**, gentler: it keeps what the head writes on
# average; here the mean over the 500 held-out sequences, per position) and measure the accuracy
# that remains. The mechanism predicts: removing the induction heads, or the previous-token
# heads that feed them, destroys the second copy's accuracy; removing any other head changes
# little.

# %%
mean_z = {hook: cache[hook].mean(0) for hook in Z_HOOKS}  # (positions, heads, d_head)


def ablated_accuracy(heads: list[str], kind: str) -> float:
    """Second-copy accuracy with ``heads`` zero- or mean-ablated."""
    def ablate(z: torch.Tensor, layer: int, head: int) -> None:
        z[:, :, head] = 0 if kind == "zero" else mean_z[Z_HOOKS[layer]][:, head]

    with torch.no_grad():
        ablated = model.run_with_hooks(held_out.tokens, fwd_hooks=head_hooks(heads, ablate))
    return next_token_hits(ablated, held_out.tokens)[predictable].mean()


# %%
OTHER_HEADS = [h for h in head_names if h not in INDUCTION_HEADS + PREVIOUS_TOKEN_HEADS]
settings = {"none": [], "induction heads": INDUCTION_HEADS,
            "all layer-1 heads": [h for h in head_names if h.startswith("1.")],
            "previous-token heads": PREVIOUS_TOKEN_HEADS, **{h: [h] for h in OTHER_HEADS}}
ablation_table = pd.DataFrame({kind: {name: ablated_accuracy(heads, kind)
                                      for name, heads in settings.items()}
                               for kind in ("zero", "mean")})
print(ablation_table.round(3))

# %%
fig, ax = plt.subplots(figsize=(9, 3.8))
ablation_table.plot.barh(ax=ax)
ax.invert_yaxis()
ax.set(title="Second-copy accuracy after ablating heads", xlabel="accuracy", xlim=(0, 1.05),
       ylabel="heads ablated")
ax.legend(title="ablation", loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %%
assert ablation_table.loc[["induction heads", "previous-token heads"]].max().max() < 0.2
assert ablation_table.loc[OTHER_HEADS].min().min() > accuracy_second - 0.05

# %% [markdown]
# Removing either half of the circuit drops the second-copy accuracy from 1.000 to 0.14 (the
# induction heads) or 0.06 (the previous-token heads), with zero and mean ablation alike. What
# the three induction heads leave is the weak fourth head 1.1 (induction score 0.160): ablating
# all of layer 1 leaves 0.024, chance (1/47). Removing either other head alone costs at most 4
# points (0.964 for head 0.2). Ablation agrees with patching and with the attention scores:
# three methods, one circuit.
#
# > **Pitfall.** Zero is not a neutral value: a zero-ablated head can push the stream off the
# > data's distribution and break things the head never did. Mean-ablation (or resample-ablation,
# > a random other input's activation) is the safer default; report which one you used.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. A sparse autoencoder on the residual stream
#
# The residual stream between the layers carries several variables at once in 64 numbers: the
# current token, its position, and the previous token the heads of layer 0 copied in. A **sparse
# autoencoder** (SAE; Bricken et al. 2023, Cunningham et al. 2023) tries to write each
# activation as a sparse sum of learned directions, hoping each direction is one such variable.
# With $m$ features, and $x$ a row vector as in the code,
#
# $$f(x) = \operatorname{ReLU}\big((x - b_{dec}) W_{enc} + b_{enc}\big) \in \mathbb{R}^m, \qquad
#   \hat{x} = f(x)\, W_{dec} + b_{dec},$$
#
# with $W_{enc}$ of shape $d \times m$ and $W_{dec}$ of shape $m \times d$, one row per feature: the
# feature's direction. It is trained to minimise $\lVert x - \hat{x} \rVert^2 + \lambda \lVert f(x)
# \rVert_1$ with unit-norm rows of $W_{dec}$ (so the penalty cannot be dodged by shrinking $f$ and
# growing $W_{dec}$).
# Here the variables are known, so we can test the hope: does some feature fire exactly when
# the previous token is $t$?

# %%
class SparseAutoencoder(torch.nn.Module):
    """ReLU encoder, linear decoder with unit-norm rows (one per feature), shared bias."""

    def __init__(self, d_model: int, n_features: int) -> None:
        super().__init__()
        self.W_enc = torch.nn.Parameter(torch.randn(d_model, n_features) / np.sqrt(d_model))
        self.b_enc = torch.nn.Parameter(torch.zeros(n_features))
        self.W_dec = torch.nn.Parameter(self.W_enc.detach().T.clone())
        self.b_dec = torch.nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = torch.relu((x - self.b_dec) @ self.W_enc + self.b_enc)
        decoder = self.W_dec / self.W_dec.norm(dim=1, keepdim=True)
        return features @ decoder + self.b_dec, features


# %% [markdown]
# The training data: the stream between the layers at positions 2–16 of 2,000 fresh sequences
# with the segment length of section 5 (30,000 vectors), scaled to unit mean norm so that
# $\lambda$ does not depend on the model's scale. Positions 2–16 (prefix and first copy) are
# where the probes of section 5 found the previous token written; later in the sequence the
# previous-token heads look elsewhere, since few queries will read those keys.

# %%
sae_data = make_repeated_sequences(2000, seed=21, segment_length=8)
with torch.no_grad():
    _, sae_cache = model.run_with_cache(sae_data.tokens, names_filter="blocks.1.hook_resid_pre")
raw_stream = sae_cache["blocks.1.hook_resid_pre"][:, 2:17].reshape(-1, model.cfg.d_model)
scale = raw_stream.norm(dim=1).mean()
stream = raw_stream / scale
previous_token = sae_data.tokens[:, 1:16].reshape(-1).numpy()
current_token = sae_data.tokens[:, 2:17].reshape(-1).numpy()
print(stream.shape)

# %% [markdown]
# Training: Adam on random mini-batches of 1,024 vectors. Twice as many features as there are
# known variables (47 current and 47 previous tokens), $\lambda = 0.1$ and 600 steps: a few
# seconds, enough for the loss to level off; exercise-style changes to these are cheap to try.

# %%
def train_sae(x: torch.Tensor, n_features: int, l1: float, steps: int) -> SparseAutoencoder:
    """Fit an SAE to the rows of ``x`` by Adam on squared error plus ``l1`` times |f|_1."""
    torch.manual_seed(0)
    sae = SparseAutoencoder(x.shape[1], n_features)
    optimizer = torch.optim.Adam(sae.parameters(), lr=3e-3)
    for _ in range(steps):
        minibatch = x[torch.randint(len(x), (1024,))]
        reconstruction, features = sae(minibatch)
        loss = ((reconstruction - minibatch).pow(2).sum(1).mean()
                + l1 * features.abs().sum(1).mean())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return sae


sae = train_sae(stream, n_features=128, l1=0.1, steps=600)

# %% [markdown]
# The two numbers every SAE report gives: the **fraction of variance unexplained** by the
# reconstruction and the **L0**, the mean number of features active per vector.

# %%
with torch.no_grad():
    reconstruction, features = sae(stream)
residual_power = (reconstruction - stream).pow(2).sum()
unexplained = (residual_power / (stream - stream.mean(0)).pow(2).sum()).item()
l0 = (features > 0).float().sum(1).mean().item()
alive = int((features > 0).any(0).sum())
print(f"fraction of variance unexplained {unexplained:.3f}, L0 {l0:.1f} of 128 features "
      f"({alive} ever active)")

# %%
assert unexplained < 0.1 and l0 < 15

# %% [markdown] slideshow={"slide_type": "subslide"}
# Scoring the features against the known variable. For each token $t$ and each feature $j$, the
# AUC of the feature's activation as a detector of "the previous token is $t$": 1 means it
# fires more on every such position than on any other. The AUC is the Mann–Whitney statistic:
# with $R$ the sum of the ranks of the $n_+$ positive positions among all $n_+ + n_-$,
# $\text{AUC} = \big(R - n_+(n_+ + 1)/2\big) / (n_+ n_-)$. So one ranking of each feature's
# activations gives all 47 AUCs at once; we use a random 12,000 of the 30,000 vectors, which
# keeps the ranking fast and still holds about 255 positives per token.

# %%
from scipy.stats import rankdata


def auc_table(activations: np.ndarray, variable: np.ndarray, values: np.ndarray) -> np.ndarray:
    """AUC (len(values), n_features) of each feature as a detector of ``variable == value``."""
    ranks = rankdata(activations, axis=0)
    positives = variable[:, None] == values[None, :]  # (N, values)
    n_pos = positives.sum(0)[:, None]
    n_neg = len(variable) - n_pos
    return (positives.T @ ranks - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


sample = np.random.default_rng(2).choice(len(stream), 12000, replace=False)
tokens_seen = np.arange(1, VOCAB)
previous_auc = auc_table(features[sample].numpy(), previous_token[sample], tokens_seen)

# %% [markdown]
# The closed form against scikit-learn on one (token, feature) pair.

# %%
from sklearn.metrics import roc_auc_score

token_index, feature_index = np.unravel_index(previous_auc.argmax(), previous_auc.shape)
sklearn_auc = roc_auc_score(previous_token[sample] == tokens_seen[token_index],
                            features[sample, feature_index].numpy())
print(f"AUC of feature {feature_index} for previous token {tokens_seen[token_index]}: "
      f"{previous_auc[token_index, feature_index]:.4f} (scikit-learn {sklearn_auc:.4f})")
assert abs(previous_auc[token_index, feature_index] - sklearn_auc) < 1e-9

# %% [markdown]
# The best feature per token, for the planted variable (the previous token) and, as a
# comparison, the current token.

# %%
best_previous = previous_auc.max(1)
best_current = auc_table(features[sample].numpy(), current_token[sample], tokens_seen).max(1)
print(f"best feature per token, median AUC: previous token {np.median(best_previous):.3f} "
      f"(min {best_previous.min():.3f}), current token {np.median(best_current):.3f}")
best_features = previous_auc.argmax(1)
print(f"tokens with a previous-token feature of AUC > 0.95: "
      f"{(best_previous > 0.95).sum()} of {len(tokens_seen)}, served by "
      f"{len(np.unique(best_features))} different features")

# %%
assert np.median(best_previous) > 0.95
assert len(np.unique(best_features)) > 0.9 * len(tokens_seen), "one feature per token"

# %% [markdown]
# The best previous-token feature, read the way SAE papers read features: its top activations,
# with the token before and the token at each position.

# %%
def top_activations(feature: int, k: int = 8) -> pd.DataFrame:
    """The ``k`` positions where ``feature`` fires most, with their previous and current token."""
    values = features[:, feature].numpy()
    order = np.argsort(-values)[:k]
    return pd.DataFrame({"activation": values[order].round(2),
                         "previous token": previous_token[order],
                         "current token": current_token[order]})


print(f"feature {feature_index} (planted variable: previous token = {tokens_seen[token_index]})")
print(top_activations(feature_index).to_string(index=False))

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
lowest = np.floor(min(best_previous.min(), best_current.min()) * 50) / 50
ax.hist([best_previous, best_current], bins=np.linspace(lowest, 1, 11),
        label=["previous token = t", "current token = t"])
ax.set(title="Best SAE feature per token",
       xlabel="AUC of the best feature", ylabel="number of tokens t")
ax.legend()
plt.show()

# %% [markdown]
# The SAE recovered the variable layer 0 was built to write: for all 47 tokens $t$ some
# feature detects "the previous token was $t$" with an AUC above 0.95 (median 0.999, lowest
# 0.980), 44 different features for the 47 tokens, nearly one each; the top activations of the
# one shown all share that previous token while the current token varies. It also found the
# current token (median AUC 1.000), the other variable we know is there. Nobody told the SAE
# what to look for; the known mechanism lets us check that what it found is real.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Low reconstruction error is not the goal on its own; what matters is whether the model still
# works on the reconstruction. The **splice-in** check: replace the stream between the layers at
# positions 2–16 by the SAE's reconstruction (scaled back) and measure the second copy's
# accuracy on the probing sequences.

# %%
def splice_reconstruction(activation: torch.Tensor, hook) -> torch.Tensor:
    """Replace positions 2-16 of the stream by the SAE's reconstruction of them."""
    with torch.no_grad():
        activation[:, 2:17] = sae(activation[:, 2:17] / scale)[0] * scale
    return activation


def second_copy_accuracy(logits: torch.Tensor) -> float:
    """Next-token accuracy on the predictable positions of the probing sequences."""
    return next_token_hits(logits, probe_data.tokens)[probe_data.predictable[:, :-1]].mean()


with torch.no_grad():
    spliced = model.run_with_hooks(probe_data.tokens,
                                   fwd_hooks=[("blocks.1.hook_resid_pre", splice_reconstruction)])
    spliced_accuracy = second_copy_accuracy(spliced)
    original_accuracy = second_copy_accuracy(model(probe_data.tokens))
print(f"second-copy accuracy: {original_accuracy:.3f} as it is, {spliced_accuracy:.3f} with the "
      f"SAE's reconstruction spliced in")

# %%
assert spliced_accuracy > 0.95

# %% [markdown]
# The reconstruction loses 4.1 % of the variance with 9.3 features active per vector, and the
# model, run on it, still gets 0.974 of the second copy right (against 1.000 unspliced): the
# features carry almost all of what layer 1 reads from these positions.
#
# > **Pitfalls.** An SAE's features depend on its size and $\lambda$: a larger dictionary splits
# > a feature in two, a larger $\lambda$ merges or kills features ("dead" features never fire).
# > Report the splice-in accuracy beside the reconstruction error, and name features by their
# > top activations *and* by what changes when you steer them.
#
# **Pros:** unsupervised; finds variables nobody listed; features are sparse and often readable.
# **Cons:** no guarantee that a feature is what the model uses; hyper-parameters change the
# answer; real models need millions of features and much compute.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 11. On a real model: where does MiniLM represent negation?
#
# MiniLM (the sentence encoder of notebooks 03, 04 and 09) has no known circuit, but a
# property of its input can still be known: whether a token sits within three tokens after a
# negation ("not", "never", "n't", …; `utils.data.negation_scope`). That depends on the
# context, not on the token, so the embedding layer cannot hold it; a probe per layer shows
# where it appears. The control task again gives each token type a random label, with the same
# share of positives. We keep the first 300 of 3,000 review snippets that contain a negation.

# %%
from utils.data import load_text, negation_scope, negators
from utils.models import load_text_encoder

encoder = load_text_encoder(DEVICE)
pool = load_text(n_samples=3000, seed=0).texts
reviews = [text for text in pool  # a negation within the 62 word-pieces the model will see
           if negators(encoder.tokenizer.tokenize(text)[:62]).any()][:300]
encoded = encoder.tokenizer(reviews, padding=True, truncation=True, max_length=64,
                            return_tensors="pt")
with torch.no_grad():
    hidden = [h.cpu() for h in encoder.model(**encoded.to(DEVICE), output_hidden_states=True)
              .hidden_states]
print(f"{len(reviews)} reviews with a negation (of {len(pool)}), {len(hidden)} hidden states "
      f"(embeddings + 6 layers) of shape {tuple(hidden[0].shape)}")

# %% [markdown]
# The token table: every word-piece that is neither padding, `[CLS]`, `[SEP]` nor a negator
# (`utils.data.negators`, which also catches the `t` of "n't"), with its scope label.

# %%
rows = []
for i, ids in enumerate(encoded["input_ids"]):
    pieces = encoder.tokenizer.convert_ids_to_tokens(ids)
    keep = ~negators(pieces) & ~np.isin(pieces, ["[PAD]", "[CLS]", "[SEP]"])
    scope = negation_scope(pieces)
    for position in np.flatnonzero(keep):
        rows.append((i, position, pieces[position], scope[position]))
token_table = pd.DataFrame(rows, columns=["review", "position", "piece", "in scope"])
print(f"{len(token_table)} tokens, {token_table['in scope'].mean():.3f} in a negation's scope")

# %% [markdown]
# A balanced probing set: every in-scope token and as many out-of-scope ones, drawn at random;
# reviews split 2:1 into training and test, so no review is on both sides.

# %%
balance_rng = np.random.default_rng(3)
in_scope = token_table.index[token_table["in scope"]]
out_scope = balance_rng.choice(token_table.index[~token_table["in scope"]], len(in_scope),
                               replace=False)
probe_tokens = token_table.loc[np.concatenate([in_scope, out_scope])]
piece_types = probe_tokens["piece"].unique()
type_label = dict(zip(piece_types, balance_rng.random(len(piece_types)) < 0.5, strict=True))
probe_tokens = probe_tokens.assign(control=probe_tokens["piece"].map(type_label))
train_reviews = probe_tokens["review"] < 200
print(f"{len(probe_tokens)} probe tokens ({train_reviews.sum()} for training), "
      f"{len(piece_types)} types")

# %% [markdown] slideshow={"slide_type": "subslide"}
# One probe per layer for the scope and one for the control: standardised hidden states and a
# strongly regularised logistic regression ($C = 0.01$), since 384 dimensions and 1,358
# training tokens leave room to overfit.

# %%
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def layer_probe(layer: int, target: str) -> float:
    """Held-out accuracy of a logistic probe on MiniLM's hidden state ``layer``."""
    x = hidden[layer][probe_tokens["review"].tolist(), probe_tokens["position"].tolist()].numpy()
    y = probe_tokens[target].to_numpy()
    train = train_reviews.to_numpy()
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=300))
    return probe.fit(x[train], y[train]).score(x[~train], y[~train])


minilm_table = pd.DataFrame({target: [layer_probe(layer, target) for layer in range(len(hidden))]
                             for target in ("in scope", "control")})
minilm_table["selectivity"] = minilm_table["in scope"] - minilm_table["control"]
minilm_table.index.name = "layer (0 = embeddings)"
print(minilm_table.round(3))

# %%
fig, ax = plt.subplots(figsize=(8, 4))
minilm_table.plot(ax=ax, marker="o")
ax.axhline(0.5, color="grey", linestyle=":", label="chance (accuracy)")
ax.set(title="Probing MiniLM for negation scope, with a control task",
       xlabel="layer (0 = embeddings)", ylabel="held-out accuracy / selectivity")
ax.legend()
plt.show()

# %%
best_layer = int(minilm_table["in scope"].idxmax())
print(f"negation scope is best decoded at layer {best_layer}: "
      f"{minilm_table['in scope'].max():.3f}, against {minilm_table['in scope'].iloc[0]:.3f} "
      f"from the embeddings")
assert best_layer > 0 and minilm_table["in scope"].max() > minilm_table["in scope"].iloc[0] + 0.1
assert minilm_table["selectivity"].iloc[best_layer] > minilm_table["selectivity"].iloc[0]

# %% [markdown]
# The embeddings already decode scope a little (0.639, against 0.5 for a guess), from the
# token and its position alone: some words follow "not" more often than others. The control
# row shows how much a probe gets by memorising types: 0.764 from the embeddings, not 1 as in
# the toy model, because many of the 832 types occur only in test reviews, where a memorising
# probe can only guess. From layer 2 on, attention has mixed in enough context for scope to
# beat the control: it is best decoded at layer 3 (0.853), while the control falls to 0.619 at
# the last layer as token identity is mixed away. The selectivity rises from −0.125 to a peak
# of 0.162 at layer 3 and then falls back to 0.083. A probe cannot say that MiniLM *uses* this
# for its sentence embedding; that would take an intervention, as in sections 7–9.
#
# > **Pitfall.** Without the control, 0.639 at the embeddings could read as "negation is
# > already represented there"; with it, it reads as "a probe can guess from word identity and
# > position".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("14.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: Where to look, or what to copy?
#
# An induction head reads *keys* (which position holds "the previous token was $A$") and
# *values* (which token is there). Our corruption changed $B$ at the source position but not
# its previous token. Patch the clean **keys** (`hook_k`) and, separately, the clean **values**
# (`hook_v`) of all layer-1 heads at the source position. Predict which one restores the answer
# before you run it.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the corruption changed the token at the source, not its previous token: ask which of
#   the two the induction head reads there, the key (where to look) or the value (what to copy).
# Hint: patch_position(hook_name, position) returns the restored fraction r for any hook; the
#   layer-1 hooks are "blocks.1.attn.hook_k" and "blocks.1.attn.hook_v", shape (batch, position,
#   head, d_head), so one call patches all four heads.
# Hint: start with restored_keys = patch_position("blocks.1.attn.hook_k", SOURCE).
restored_keys = patch_position("blocks.1.attn.hook_k", SOURCE)
restored_values = patch_position("blocks.1.attn.hook_v", SOURCE)
print(f"clean keys at the source: r = {restored_keys:.3f}; clean values: r = {restored_values:.3f}")
assert restored_values > 0.9 > 0.1 > abs(restored_keys)

# %% slideshow={"slide_type": "fragment"}
check("14.1", restored_keys=restored_keys, restored_values=restored_values, patch=patch_position,
      source=SOURCE)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The values restore the answer, the keys do nothing. The corruption left the previous token
# at the source unchanged, so the key still says "the previous token was $A$" and the induction
# head still looks there; what changed is the token it copies, which travels in the value. This
# is the split between the QK circuit (where to look) and the OV circuit (what to move) of
# Elhage et al. (2021).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Does an induction head need the previous-token head?
#
# The mechanism says the induction head's keys are built from what the previous-token heads
# wrote (K-composition). Mean-ablate the previous-token heads and recompute the induction
# scores of section 4. What happens to them, and why is that a stronger test than the ablated
# accuracy alone?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: if the induction heads' keys are built from the previous-token heads' output, removing
#   that output should stop them attending to the induction offset, not just lower the accuracy.
# Hint: replace the previous-token heads' z by its mean (mean_z) with head_hooks, run
#   model.run_with_cache on held_out.tokens inside model.hooks(fwd_hooks=...), and pass the
#   ablated run's blocks.{layer}.attn.hook_pattern to head_scores.
# Hint: start with def mean_ablate(z, layer, head): z[:, :, head] = mean_z[Z_HOOKS[layer]][:, head].
def mean_ablate(z: torch.Tensor, layer: int, head: int) -> None:
    z[:, :, head] = mean_z[Z_HOOKS[layer]][:, head]


with torch.no_grad(), model.hooks(fwd_hooks=head_hooks(PREVIOUS_TOKEN_HEADS, mean_ablate)):
    _, ablated_cache = model.run_with_cache(held_out.tokens)
ablated_scores = head_scores([ablated_cache[f"blocks.{layer}.attn.hook_pattern"]
                              for layer in range(2)], held_out)
print(pd.DataFrame({"induction score": head_table["induction"],
                    "after ablating the previous-token heads": ablated_scores["induction"]})
      .loc[INDUCTION_HEADS].round(3))
assert (ablated_scores.loc[INDUCTION_HEADS, "induction"] < 0.5 *
        head_table.loc[INDUCTION_HEADS, "induction"]).all()

# %% slideshow={"slide_type": "fragment"}
check("14.2", ablated_scores=ablated_scores, head_table=head_table, heads=INDUCTION_HEADS)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Without the previous-token heads the induction heads no longer find the right key: their
# attention to the induction offset collapses. The accuracy drop of section 9 said the
# previous-token heads are needed; this says *how*: they build the keys the induction heads
# match, the composition the mechanism predicts, not merely some other route to the answer.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: Which heads write the answer directly?
#
# The final LayerNorm divides the stream by one scale $\sigma$ per position; holding that scale
# fixed at its value in the clean run, the logit difference is a sum over everything that was
# added to the stream. A head's **direct logit attribution** is its own term,
# $\big(o_h - \bar{o}_h\big) \cdot \big(w_f \odot (W_U[:, B] - W_U[:, B'])\big) / \sigma$, with
# $o_h$ the head's output at the query, $\bar{o}_h$ its mean over the $d$ features (LayerNorm
# centres) and $w_f$ the LayerNorm's scale. Compute it for all eight heads on the clean run,
# averaged over the pairs of section 7. Which heads write the answer, and does this agree with
# the patching?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: with sigma fixed the final LayerNorm is linear, so each head's output at the query,
#   centred, contributes its own term to the logit difference: the dot product with the
#   unembedding direction of answer minus foil, scaled by the LayerNorm.
# Hint: o_h = z_h @ W_O[layer, head], z from clean_cache[Z_HOOKS[layer]] at QUERY; subtract its
#   mean over d; direction = w_f * (W_U[:, answer] - W_U[:, foil]); sigma is
#   clean_cache["ln_final.hook_scale"] at the query; average the term over the pairs.
# Hint: start with direction = weights["ln_final.weight"][None] * (model.W_U[:, answer] -
#   model.W_U[:, foil]).T.
direction = weights["ln_final.weight"][None] * (model.W_U[:, answer] - model.W_U[:, foil]).T
sigma = clean_cache["ln_final.hook_scale"][:, QUERY]
direct = {}
for name in head_names:
    layer, head = map(int, name.split("."))
    out = clean_cache[Z_HOOKS[layer]][:, QUERY, head] @ model.W_O[layer, head]
    out = out - out.mean(-1, keepdim=True)
    direct[name] = ((out * direction).sum(-1) / sigma.squeeze(-1)).mean().item()
direct = pd.Series(direct)
print(pd.DataFrame({"direct logit attribution": direct,
                    "share of clean difference": direct / clean_diff,
                    "patching r at the query": by_head["at the query"]}).round(3).to_string())
print(f"sum over heads {direct.sum():.2f}; clean logit difference {clean_diff:.2f}")
assert set(direct.nlargest(len(INDUCTION_HEADS)).index) == set(INDUCTION_HEADS)

# %% slideshow={"slide_type": "fragment"}
check("14.3", direct=direct, clean_diff=clean_diff, heads=INDUCTION_HEADS, by_head=by_head)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The heads' terms add up to 12.95, against a clean logit difference of 12.91 (the embeddings
# and biases, and the fixed $\sigma$, account for the rest). The three induction heads write
# 0.34, 0.21 and 0.42 of it directly, close to their patching fractions (0.315, 0.194, 0.411),
# and the weak head 1.1 another 0.04. The layer-0 heads write almost nothing at the query,
# although ablating the previous-token heads destroys the answer (section 9). Direct
# attribution sees only the last step of a circuit: the previous-token heads act *through* the
# induction heads' keys, which no direct term can show. Patching and ablation see both.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A transformer is a residual stream that heads read from and write to; about 20 lines of
#   PyTorch reproduce the TransformerLens model's logits from its weights.
# - The task fixes where each head of the known circuit must look, so each method can be
#   graded. The attention scores find previous-token heads in layer 0 and induction heads in
#   layer 1.
# - **Probes** decode the previous token only after layer 0 and the answer only after layer 1,
#   in the second copy. The **control task** is decoded perfectly from the first stream: a
#   probe's accuracy shows what the probe can learn from a place, not what the model uses.
# - The **logit lens** (from scratch = `accumulated_resid`) sees the answer appear in layer 1.
# - **Activation patching** (from scratch = `transformer_lens.patching`) restores the answer at
#   exactly the predicted cells, and at the query only through the induction heads, which share
#   the work. **Attribution patching** ranks the same cells and heads first from one backward
#   pass, with sizes about half the real ones.
# - **Ablating** the induction heads or the previous-token heads destroys the second copy's
#   accuracy; any other head alone costs a few points at most.
# - A **sparse autoencoder** on the stream between the layers reconstructs it with 4 % of the
#   variance lost and 9 active features per vector, keeps the model working when spliced in, and
#   has a feature for "previous token = $t$" for every $t$.
# - On **MiniLM**, negation scope beats its control from layer 2 on, with selectivity peaking
#   at layer 3.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Elhage, N., et al. (2021). A mathematical framework for transformer circuits. *Transformer
#   Circuits Thread*. https://transformer-circuits.pub/2021/framework/index.html
# - Olsson, C., et al. (2022). In-context learning and induction heads. *Transformer Circuits
#   Thread*. https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html
# - nostalgebraist (2020). Interpreting GPT: the logit lens. *LessWrong*.
#   https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens
# - Belrose, N., et al. (2023). Eliciting latent predictions from transformers with the tuned
#   lens. https://arxiv.org/abs/2303.08112
# - Meng, K., Bau, D., Andonian, A., & Belinkov, Y. (2022). Locating and editing factual
#   associations in GPT. *NeurIPS 2022*. https://arxiv.org/abs/2202.05262
# - Nanda, N. (2023). Attribution patching: activation patching at industrial scale.
#   https://www.neelnanda.io/mechanistic-interpretability/attribution-patching
# - Kramár, J., Lieberum, T., Shah, R., & Nanda, N. (2024). AtP*: an efficient and scalable
#   method for localizing LLM behaviour to components. https://arxiv.org/abs/2403.00745
# - Bricken, T., et al. (2023). Towards monosemanticity: decomposing language models with
#   dictionary learning. *Transformer Circuits Thread*.
#   https://transformer-circuits.pub/2023/monosemantic-features/index.html
# - Cunningham, H., Ewart, A., Riggs, L., Huben, R., & Sharkey, L. (2023). Sparse autoencoders
#   find highly interpretable features in language models. https://arxiv.org/abs/2309.08600
# - Hewitt, J., & Liang, P. (2019). Designing and interpreting probes with control tasks.
#   *EMNLP 2019*. https://arxiv.org/abs/1909.03368
# - Nanda, N., & Bloom, J. (2022). TransformerLens. https://github.com/TransformerLensOrg/TransformerLens
#   (documentation: https://transformerlensorg.github.io/TransformerLens/)
