"""Checkers for notebook 09 (explaining a transformer classifier)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from utils.exercises import checker, expect, expect_array, expect_close

METHODS = ("attention", "rollout", "IG", "SHAP")


def _ids(model: object, tokenizer: object, text: str):
    """Token ids (1, T) of one text on the model's device."""
    device = next(model.parameters()).device
    return tokenizer([str(text)], return_tensors="pt")["input_ids"].to(device)


def _f(model: object, ids) -> float:
    import torch

    with torch.inference_mode():
        return float(model(ids, torch.ones_like(ids))[0])


def _replaced(ids, token_id: int):
    """ids with every ordinary token (not [CLS], not [SEP]) replaced by ``token_id``."""
    baseline = ids.clone()
    baseline[:, 1:-1] = token_id
    return baseline


def _mean_spearman(attributions: list, scores: list[dict], key: str) -> float:
    return float(np.mean([spearmanr(np.asarray(phi)[1:-1], s[key][1:-1]).statistic
                          for phi, s in zip(attributions, scores, strict=True)]))


@checker("09.1")
def mask_baseline_ig(masked_ig: object, real_scores: object, model: object, tokenizer: object,
                     texts: object, sentences: object) -> str:
    """Each review's attributions sum to f(x) - f(x') for the [MASK] baseline (completeness),
    and they correlate with SHAP better than the [PAD]-baseline IG does."""
    expect(len(masked_ig) == len(sentences),
           f"masked_ig has {len(masked_ig)} entries for {len(sentences)} reviews")
    for k, (phi, i) in enumerate(zip(masked_ig, sentences, strict=True)):
        ids = _ids(model, tokenizer, texts[i])
        phi = expect_array(f"masked_ig[{k}]", phi, (ids.shape[1],))
        f_x = _f(model, ids)
        target = f_x - _f(model, _replaced(ids, tokenizer.mask_token_id))
        if abs(phi.sum() - target) > 0.01 * abs(target):
            pad = f_x - _f(model, _replaced(ids, tokenizer.pad_token_id))
            expect(False, f"review {k}: your attributions sum to {phi.sum():.4f}, f(x) - f(x') "
                          f"with the [MASK] baseline is {target:.4f} (with [PAD] it is "
                          f"{pad:.4f}; keep [CLS] and [SEP] in the baseline)")
    mask_vs_shap = _mean_spearman(list(masked_ig), real_scores, "signed SHAP")
    pad_vs_shap = _mean_spearman([s["signed IG"] for s in real_scores], real_scores,
                                 "signed SHAP")
    expect(mask_vs_shap > pad_vs_shap,
           f"your [MASK]-IG has mean Spearman {mask_vs_shap:.3f} with SHAP, the [PAD]-IG "
           f"{pad_vs_shap:.3f}; with SHAP's absent token it should agree more (signed values, "
           "ordinary tokens only)")
    return (f"completeness holds for every review with the [MASK] baseline, and the mean "
            f"Spearman with SHAP rises from {pad_vs_shap:.3f} ([PAD]) to {mask_vs_shap:.3f}")


def gradient_weighted_rollout(model: object, ids) -> np.ndarray:
    """Chefer et al.'s relevance: R <- R + mean_h (grad A * A)^+ R from R = I, column mean."""
    import torch

    with torch.enable_grad():
        embeddings = model.bert.embeddings.word_embeddings(ids).requires_grad_(True)
        out = model.bert(inputs_embeds=embeddings, attention_mask=torch.ones_like(ids),
                         output_attentions=True)
        pooled = torch.nn.functional.normalize(out.last_hidden_state.mean(1), dim=1)
        gradients = torch.autograd.grad(model.head(pooled).sum(), out.attentions)
    relevance = torch.eye(ids.shape[1], device=ids.device)
    for attention, gradient in zip(out.attentions, gradients, strict=True):
        relevance = relevance + (attention[0] * gradient[0]).clamp(min=0).mean(0) @ relevance
    return relevance.mean(0).detach().cpu().numpy()


@checker("09.2")
def gradient_rollout(gradient_hits: object, rollout: Callable, shortcut: object, honest: object,
                     tokenizer: object, planted_texts: object) -> str:
    """The function is mean_h (grad A * A)^+ accumulated as R + A R (no normalisation), it gives
    the two models different maps, and the planted word ranks first more often for the shortcut
    model."""
    ids = _ids(shortcut, tokenizer, planted_texts[0])
    reference = gradient_weighted_rollout(shortcut, ids)
    expect_close("your relevance on the first planted review (shortcut model)",
                 rollout(shortcut, ids), reference,
                 "mean over heads of (gradient * attention).clamp(min=0), accumulated as "
                 "R + A R from R = I, then the column mean", atol=1e-4, rtol=1e-3)
    gap = float(np.abs(gradient_weighted_rollout(honest, ids) - reference).max())
    expect(gap > 1e-6, "the maps of the two models coincide; the gradient of f brings the head in")
    expect(set(gradient_hits) == {"shortcut", "honest"},
           "gradient_hits should have the keys 'shortcut' and 'honest'")
    hits = {name: float(value) for name, value in gradient_hits.items()}
    expect(all(0 <= v <= 1 for v in hits.values()), f"gradient_hits should be fractions of the "
                                                    f"planted reviews, got {hits}")
    expect(hits["shortcut"] > hits["honest"],
           f"the planted word ranks first in {hits['shortcut']:.3f} of the reviews for the "
           f"shortcut model and {hits['honest']:.3f} for the honest one; the head should matter")
    return (f"the relevance matches the formula, differs between the models (by up to {gap:.2g} "
            f"on the first review), and finds the planted word in {hits['shortcut']:.3f} of the "
            f"shortcut model's reviews, {hits['honest']:.3f} of the honest model's")


@checker("09.3")
def delete_top_token(mean_drops: object, drops: object, real_scores: object, model: object,
                     tokenizer: object, texts: object, sentences: object) -> str:
    """Each drop is |f(x) - f(x without its top ordinary token)|, masked with [MASK], and IG
    and SHAP's top tokens move the prediction more than attention's and rollout's."""
    import torch

    mean_drops = pd.Series(mean_drops)
    expected = {*METHODS, "random"}
    expect(set(mean_drops.index) == expected and set(drops) == expected,
           f"mean_drops and drops should have the entries {', '.join(sorted(expected))}")
    for method in expected:
        values = expect_array(f"drops[{method!r}]", drops[method], (len(sentences),))
        expect(values.min() >= 0, f"drops[{method!r}] has a negative value ({values.min():.3f}); "
                                  "the change is |f(x) - f(x without the top token)|")
        expect_close(f"mean_drops[{method!r}]", mean_drops[method], values.mean(),
                     f"the mean of drops[{method!r}]")
    ids = _ids(model, tokenizer, texts[sentences[0]])
    f_full = _f(model, ids)
    for method in ("IG", "SHAP"):
        masked = ids.clone()
        masked[0, int(np.argmax(real_scores[0][method][1:-1])) + 1] = tokenizer.mask_token_id
        with torch.inference_mode():
            target = abs(f_full - float(model(masked, torch.ones_like(masked))[0]))
        expect_close(f"the first review's drop for {method}", drops[method][0], target,
                     "|f(x) - f(x with its top ordinary token masked)| (position = argmax over "
                     "[1:-1], plus 1)", atol=1e-4, rtol=1e-3)
    faithful = min(mean_drops["IG"], mean_drops["SHAP"])
    other = max(mean_drops["attention"], mean_drops["rollout"])
    expect(faithful > other, f"IG's and SHAP's top tokens move f by at least {faithful:.3f}, "
                             f"attention's or rollout's by up to {other:.3f}")
    return (f"masking IG's or SHAP's top token moves the log-odds by {mean_drops['IG']:.3f} and "
            f"{mean_drops['SHAP']:.3f} on average, attention's {mean_drops['attention']:.3f}, "
            f"rollout's {mean_drops['rollout']:.3f}, a random token's "
            f"{mean_drops['random']:.3f}")
