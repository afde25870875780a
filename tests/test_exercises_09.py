"""Notebook 09's checkers accept a right answer and reject the mistakes students make."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from transformers import BertConfig, BertModel

from utils.exercises import evaluate
from utils.exercises.n09 import _f, _ids, _replaced, gradient_weighted_rollout

PAD, MASK, CLS, SEP = 0, 1, 2, 3


class Tokenizer:
    """Whitespace words -> ids 4.., with [CLS] and [SEP] around them."""

    pad_token_id, mask_token_id = PAD, MASK

    def __call__(self, texts: list[str], return_tensors: str = "pt") -> dict:
        ids = [CLS, *(4 + sum(map(ord, w)) % 20 for w in texts[0].split()), SEP]
        return {"input_ids": torch.tensor([ids])}


class Classifier(nn.Module):
    """A tiny random BERT, mean pooling, unit length, a linear head: the notebook's layout."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        torch.manual_seed(0)
        config = BertConfig(vocab_size=24, hidden_size=8, num_hidden_layers=2,
                            num_attention_heads=2, intermediate_size=16,
                            attn_implementation="eager")
        self.bert = BertModel(config).eval()
        torch.manual_seed(seed)
        self.head = nn.Linear(8, 1)
        with torch.no_grad():
            self.head.weight.mul_(200.0)  # large gradients, so the attention terms matter

    def forward(self, input_ids=None, attention_mask=None, inputs_embeds=None):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           inputs_embeds=inputs_embeds).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1)
        return self.head(nn.functional.normalize(pooled, dim=1)).squeeze(-1)


TOKENIZER, HONEST, SHORTCUT = Tokenizer(), Classifier(1), Classifier(2)
TEXTS = np.array(["a fresh crisp salad", "stale bread and cold soup today", "fine"], dtype=object)


def _with(answer: dict, **changes) -> dict:
    return {**answer, **changes}


def ig_answer(baseline_token: int = MASK, keep_ends: bool = True) -> dict:
    """Attributions that share f(x) - f(x') out evenly (a stand-in for IG: completeness is what
    the checker tests), SHAP equal to them, and a [PAD]-IG that is their reverse."""
    attributions, scores = [], []
    for i in (0, 1):
        ids = _ids(HONEST, TOKENIZER, TEXTS[i])
        baseline = _replaced(ids, baseline_token)
        if not keep_ends:
            baseline[:] = baseline_token
        total = _f(HONEST, ids) - _f(HONEST, baseline)
        phi = total * np.linspace(1, 2, ids.shape[1]) / np.linspace(1, 2, ids.shape[1]).sum()
        attributions.append(phi)
        scores.append({"signed SHAP": phi, "signed IG": phi[::-1].copy()})
    return {"masked_ig": attributions, "real_scores": scores, "model": HONEST,
            "tokenizer": TOKENIZER, "texts": TEXTS, "sentences": [0, 1]}


def row_normalised_rollout(model, ids) -> np.ndarray:
    with torch.enable_grad():
        embeddings = model.bert.embeddings.word_embeddings(ids).requires_grad_(True)
        out = model.bert(inputs_embeds=embeddings, attention_mask=torch.ones_like(ids),
                         output_attentions=True)
        pooled = nn.functional.normalize(out.last_hidden_state.mean(1), dim=1)
        gradients = torch.autograd.grad(model.head(pooled).sum(), out.attentions)
    relevance = torch.eye(ids.shape[1])
    for attention, gradient in zip(out.attentions, gradients, strict=True):
        weighted = (attention[0] * gradient[0]).clamp(min=0).mean(0)
        relevance = relevance + weighted @ relevance
        relevance = relevance / relevance.sum(1, keepdim=True)
    return relevance.mean(0).detach().numpy()


def plain_rollout(model, ids) -> np.ndarray:
    with torch.no_grad():
        attentions = model.bert(ids, output_attentions=True).attentions
    relevance = torch.eye(ids.shape[1])
    for attention in attentions:
        relevance = relevance + attention[0].mean(0) @ relevance
    return relevance.mean(0).numpy()


def rollout_answer(rollout=gradient_weighted_rollout, hits=(0.75, 0.25)) -> dict:
    return {"gradient_hits": {"shortcut": hits[0], "honest": hits[1]}, "rollout": rollout,
            "shortcut": SHORTCUT, "honest": HONEST, "tokenizer": TOKENIZER,
            "planted_texts": TEXTS}


def drop_answer(offset: int = 1, signed: bool = False) -> dict:
    methods = ("attention", "rollout", "IG", "SHAP", "random")
    rng = np.random.default_rng(0)
    scores, drops = [], {m: [] for m in methods}
    for i in (0, 1):
        ids = _ids(HONEST, TOKENIZER, TEXTS[i])
        row = {m: rng.random(ids.shape[1]) for m in methods}
        scores.append(row)
        f_full = _f(HONEST, ids)
        for m in methods:
            masked = ids.clone()
            masked[0, int(np.argmax(row[m][1:-1])) + offset] = MASK
            change = f_full - _f(HONEST, masked)
            drops[m].append(change if signed else abs(change))
    drops = {m: np.array(d) for m, d in drops.items()}
    for m in ("IG", "SHAP"):  # make IG and SHAP the faithful ones on the second review
        drops[m][1] += 100.0
    return {"mean_drops": {m: d.mean() for m, d in drops.items()}, "drops": drops,
            "real_scores": scores, "model": HONEST, "tokenizer": TOKENIZER, "texts": TEXTS,
            "sentences": [0, 1]}


@pytest.mark.parametrize("exercise, answer", [
    ("09.1", ig_answer()), ("09.2", rollout_answer()), ("09.3", drop_answer())])
def test_a_right_answer_passes(exercise, answer):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "correct", verdict.line


WRONG = [
    # the [PAD] baseline kept (pad_baseline copied without the change)
    ("09.1", ig_answer(baseline_token=PAD), "keep [CLS] and [SEP]"),
    # [CLS] and [SEP] masked too
    ("09.1", ig_answer(keep_ends=False), "your attributions sum to"),
    # complete, but the tokens' order lost (values read back to front): SHAP does not agree more
    ("09.1", _with(ig_answer(), masked_ig=[phi[::-1] for phi in ig_answer()["masked_ig"]]),
     "should agree more"),
    # rows normalised as in plain rollout
    ("09.2", rollout_answer(rollout=row_normalised_rollout), "your relevance on the first"),
    # the plain attention mean, no gradient
    ("09.2", rollout_answer(rollout=plain_rollout), "your relevance on the first"),
    ("09.2", rollout_answer(hits=(0.25, 0.25)), "the head should matter"),
    # the argmax over [1:-1] used as the position without adding 1
    ("09.3", drop_answer(offset=0), "the first review's drop for"),
    # the signed change, not its size
    ("09.3", drop_answer(signed=True), "has a negative value"),
]


@pytest.mark.parametrize("exercise, answer, reason", WRONG)
def test_a_wrong_answer_is_rejected_with_its_reason(exercise, answer, reason):
    verdict = evaluate(exercise, **answer)
    assert verdict.status == "incorrect" and reason in verdict.message, verdict.line

