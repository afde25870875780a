"""Tests for notebook 13's helpers: the toy translation corpus (utils.data), the word-level
tokenizer, the toy translators and load_seq2seq (utils.models). Everything runs offline."""

from __future__ import annotations

import pytest
import torch

from utils import data, models


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """One torch thread: on a small shared machine extra threads only contend for the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def corpus() -> data.ToyTranslation:
    return data.make_toy_translation()


@pytest.fixture(scope="module")
def tokenizer(corpus):
    return models.word_tokenizer(corpus.sources + corpus.targets)


@pytest.fixture(scope="module")
def shipped() -> dict[str, models.Seq2Seq]:
    return {name: models.load_seq2seq(name) for name in ("toy-marian", "toy-gpt2")}


# --------------------------------------------------------------------------- corpus


def test_toy_translate_reorders_agrees_and_splits():
    assert data.toy_translate("the big cat sleeps") == (
        "le chat grand dort", ((0, 2), (2,), (1, 2), (3,)),
        ("agreement", "dictionary", "agreement", "dictionary"))
    target, alignment, kinds = data.toy_translate("a old cow naps")
    assert target == "une vache vieille fait sieste"
    assert alignment[-2:] == ((3,), (3,)) and kinds[-2:] == ("split", "split")


@pytest.mark.parametrize("source, error, match", [
    (42, TypeError, "source must be a string"),
    ("the big cat", ValueError, "4 words"),
    ("the big lion sleeps", ValueError, "unknown noun 'lion'"),
    ("big the cat sleeps", ValueError, "unknown det 'big'"),
])
def test_toy_translate_rejects_bad_sentences(source, error, match):
    with pytest.raises(error, match=match):
        data.toy_translate(source)


def test_make_toy_translation_enumerates_every_sentence(corpus):
    assert len(corpus.sources) == len(set(corpus.sources)) == 2 * 6 * 8 * 6
    for target, alignment, kinds in zip(corpus.targets, corpus.alignments, corpus.kinds,
                                        strict=True):
        assert len(target.split()) == len(alignment) == len(kinds)


# --------------------------------------------------------------------------- tokenizer


def test_word_tokenizer_is_word_level_and_fast(tokenizer):
    from transformers import PreTrainedTokenizerFast

    assert isinstance(tokenizer, PreTrainedTokenizerFast)
    ids = tokenizer("the big cat sleeps =>").input_ids
    assert tokenizer.convert_ids_to_tokens(ids) == ["the", "big", "cat", "sleeps", "=>"]
    assert tokenizer("the zebra").input_ids[1] == tokenizer.unk_token_id
    assert tokenizer.convert_ids_to_tokens([0, 1, 2, 3]) == list(models.TOY_SPECIAL_TOKENS)


@pytest.mark.parametrize("texts, error, match", [
    ("one text", TypeError, "sequence of strings"),
    (["fine", 3], TypeError, "sequence of strings"),
    ([], ValueError, "no words"),
    (["   "], ValueError, "no words"),
])
def test_word_tokenizer_rejects_bad_texts(texts, error, match):
    with pytest.raises(error, match=match):
        models.word_tokenizer(texts)


# --------------------------------------------------------------------------- models


def test_build_toy_translator_kinds(tokenizer):
    marian = models.build_toy_translator("toy-marian", tokenizer)
    gpt2 = models.build_toy_translator("toy-gpt2", tokenizer)
    assert marian.is_encoder_decoder and not gpt2.is_encoder_decoder
    assert type(marian.model).__name__ == "MarianMTModel"
    assert type(gpt2.model).__name__ == "GPT2LMHeadModel"
    assert gpt2.prompt("the big cat sleeps") == "the big cat sleeps =>"


@pytest.mark.parametrize("kind, seed, error, match", [
    ("opus-mt-en-de", 0, ValueError, "unknown toy translator"),
    ("toy-gpt2", -1, ValueError, "seed must be a non-negative int"),
    ("toy-gpt2", 1.5, TypeError, "seed must be an int"),
])
def test_build_toy_translator_rejects_bad_arguments(tokenizer, kind, seed, error, match):
    with pytest.raises(error, match=match):
        models.build_toy_translator(kind, tokenizer, seed=seed)


def test_train_toy_translator_is_seeded(corpus, tokenizer):
    runs = [models.train_toy_translator("toy-gpt2", corpus.sources[:32], corpus.targets[:32],
                                        tokenizer, steps=3, batch_size=8) for _ in range(2)]
    assert runs[0][1] == runs[1][1] and len(runs[0][1]) == 3
    assert not runs[0][0].model.training


@pytest.mark.parametrize("kwargs, error, match", [
    ({"sources": ["the big cat sleeps"], "targets": []}, ValueError, "as many targets"),
    ({"steps": 0}, ValueError, "steps must be a positive int"),
    ({"batch_size": 2.0}, TypeError, "batch_size must be an int"),
    ({"lr": 0.0}, ValueError, "lr must be a positive number"),
])
def test_train_toy_translator_rejects_bad_arguments(corpus, tokenizer, kwargs, error, match):
    arguments = {"sources": corpus.sources[:4], "targets": corpus.targets[:4], **kwargs}
    with pytest.raises(error, match=match):
        models.train_toy_translator("toy-marian", tokenizer=tokenizer, **arguments)


# --------------------------------------------------------------------------- shipped models


@pytest.mark.parametrize("name", ["toy-marian", "toy-gpt2"])
def test_shipped_translators_translate_unseen_sentences(shipped, corpus, name):
    bundle = shipped[name]
    assert not bundle.model.training
    sources = corpus.sources[::97]
    assert bundle.translate(sources) == [data.toy_translate(s)[0] for s in sources]


@pytest.mark.parametrize("name", ["toy-marian", "toy-gpt2"])
def test_log_probs_match_greedy_choice(shipped, name):
    bundle = shipped[name]
    source = bundle.tokenizer(bundle.prompt("a happy goat jumps")).input_ids
    target = bundle.tokenizer("une chevre contente fait saut").input_ids
    with torch.no_grad():
        log_p = bundle.log_probs([source, source], target)
    assert log_p.shape == (2, 5) and torch.allclose(log_p[0], log_p[1])
    assert (log_p > -0.1).all(), "the trained model is confident of its own translation"


@pytest.mark.parametrize("source_ids, target_ids, match", [
    ([[0.5, 1.0]], [4], "source_ids must be integer token ids"),
    ([[4, 5]], [[4], [5]], "target_ids must be one sequence"),
    ([[]], [4], "source_ids must be integer token ids"),
])
def test_log_probs_reject_bad_ids(shipped, source_ids, target_ids, match):
    with pytest.raises(ValueError, match=match):
        shipped["toy-gpt2"].log_probs(source_ids, target_ids)


def test_translate_rejects_bad_arguments(shipped):
    with pytest.raises(TypeError, match="sequence of strings"):
        shipped["toy-gpt2"].translate("the big cat sleeps")
    with pytest.raises(ValueError, match="max_new_tokens must be a positive int"):
        shipped["toy-gpt2"].translate(["the big cat sleeps"], max_new_tokens=0)
    with pytest.raises(ValueError, match="source must be a non-empty string"):
        shipped["toy-gpt2"].prompt("  ")


def test_save_and_load_round_trip(shipped, tmp_path):
    path = models.save_toy_translators(tmp_path / "copy.pt", list(shipped.values()))
    again = models.load_seq2seq("toy-gpt2", path=path)
    for key, value in shipped["toy-gpt2"].model.state_dict().items():
        assert torch.equal(value, again.model.state_dict()[key])
    with pytest.raises(TypeError, match="non-empty sequence of Seq2Seq"):
        models.save_toy_translators(tmp_path / "none.pt", [])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"name": "gpt-5"}, ValueError, "unknown text-to-text model 'gpt-5'"),
    ({"name": 3}, TypeError, "name must be a string"),
    ({"name": "toy-gpt2", "allow_download": "yes"}, TypeError, "allow_download must be a bool"),
    ({"name": "toy-gpt2", "path": "/nonexistent/toy.pt"}, FileNotFoundError,
     "train_toy_translators"),
])
def test_load_seq2seq_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        models.load_seq2seq(**kwargs)


def test_load_seq2seq_hub_model_offline_says_how(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))  # an empty cache: nothing to find
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(models.WeightsUnavailableError, match="allow_download=True"):
        models.load_seq2seq("opus-mt-en-de")
