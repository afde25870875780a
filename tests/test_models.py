"""Tests for utils.models: the pretrained ImageNet CNN, top_k, the MiniLM encoder and the small
CNN with its trainer. The pretrained models load once per module, offline."""

import numpy as np
import pytest
import torch
from torch import nn

from utils import data, models

CAT_CLASSES = {281, 282, 285}  # tabby, tiger cat, Egyptian cat
COFFEE_CLASSES = {967, 968}  # espresso, cup


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """One torch thread: on a small shared machine extra threads only contend for the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def classifier() -> models.ImageClassifier:
    return models.load_image_classifier()


@pytest.fixture(scope="module")
def encoder() -> models.TextEncoder:
    return models.load_text_encoder()


@pytest.fixture(scope="module")
def planted() -> data.PlantedImages:
    return data.make_planted_images(n_samples=256, seed=0)


def _photo(name: str) -> np.ndarray:
    return np.asarray(data.load_photo(name))


# --------------------------------------------------------------------------- image classifier


def test_load_image_classifier_default_is_frozen_efficientnet(classifier):
    assert isinstance(classifier, models.ImageClassifier)
    assert classifier.name == "efficientnet_lite0" == models.IMAGE_CLASSIFIERS[0]
    assert not classifier.model.training
    assert not any(p.requires_grad for p in classifier.model.parameters())
    assert classifier.categories == data.imagenet_classes()
    assert (classifier.mean, classifier.std) == ((0.5,) * 3, (0.5,) * 3)
    assert any(module is classifier.target_layer for module in classifier.model.modules())
    assert classifier.input_size == 224 and classifier.device == torch.device("cpu")


@pytest.mark.parametrize(("photo", "expected"), [("chelsea", CAT_CLASSES), ("coffee", {967})])
def test_image_classifier_top1_on_sample_photos(classifier, photo, expected):
    probs = classifier.predict_proba(_photo(photo)[None])
    assert int(probs[0].argmax()) in expected


def test_two_object_scene_top5_holds_both_objects(classifier):
    scene = data.load_two_object_scene()
    top5 = set(np.argsort(-classifier.predict_proba(np.asarray(scene.image)[None])[0])[:5])
    assert top5 & set(scene.class_ids["cat"]) and top5 & set(scene.class_ids["coffee"])


def test_predict_proba_matches_unbatched_forward_pass(classifier):
    photos = np.stack([_photo("chelsea"), _photo("coffee")])
    probs = classifier.predict_proba(photos, batch_size=1)
    assert probs.shape == (2, 1000)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    with torch.no_grad():
        direct = np.concatenate([torch.softmax(classifier.model(classifier.preprocess(p)), 1)
                                 .numpy() for p in photos])
    np.testing.assert_allclose(probs, direct, atol=1e-5)


def test_preprocess_and_to_image_round_trip(classifier):
    photo = _photo("rocket")
    tensor = classifier.preprocess(photo)
    assert tensor.shape == (1, 3, 224, 224)
    assert tensor.min() >= -1.0 and tensor.max() <= 1.0
    np.testing.assert_allclose(classifier.to_image(tensor), photo / 255.0, atol=1e-6)


@pytest.mark.parametrize(("method", "arg", "error", "message"), [
    ("preprocess", [[0, 0, 0]], TypeError, "image must be a numpy array, got list"),
    ("preprocess", np.zeros((3, 8, 8)), ValueError, "3 colour channels last"),
    ("to_image", np.zeros((3, 8, 8)), TypeError, "tensor must be a torch.Tensor"),
    ("to_image", torch.zeros(2, 3, 8, 8), ValueError, "must hold one image, got batch size 2"),
    ("predict_proba", np.zeros((8, 8, 3)), ValueError, r"images must be a batch \(N, H, W, 3\)"),
    ("predict_proba", np.full((1, 8, 8, 3), 1.5), ValueError, r"must lie in \[0, 1\]"),
])
def test_image_classifier_methods_reject_bad_input(classifier, method, arg, error, message):
    with pytest.raises(error, match=message):
        getattr(classifier, method)(arg)


@pytest.mark.parametrize(("name", "error", "message"), [
    ("vgg16", ValueError, "unknown image classifier 'vgg16'"),
    (None, TypeError, "name must be a string, got NoneType"),
])
def test_load_image_classifier_rejects_unknown_name(name, error, message):
    with pytest.raises(error, match=message):
        models.load_image_classifier(name)


def test_load_image_classifier_resnet18_without_weights_points_to_allow_download(
        monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))  # an empty cache
    with pytest.raises(models.WeightsUnavailableError, match="allow_download=True"):
        models.load_image_classifier("resnet18")
    assert issubclass(models.WeightsUnavailableError, RuntimeError)
    assert not any(tmp_path.iterdir())  # nothing was downloaded


def test_weights_unavailable_error_is_exported():
    assert "WeightsUnavailableError" in models.__all__


# --------------------------------------------------------------------------- top_k


def test_top_k_sorted_and_k_long():
    probs = np.array([0.1, 0.5, 0.2, 0.15, 0.05])
    assert models.top_k(probs, "abcde", k=3) == [("b", 0.5), ("c", 0.2), ("d", 0.15)]
    everything = models.top_k(torch.from_numpy(probs)[None], list("abcde"), k=5)
    assert [p for _, p in everything] == sorted(probs, reverse=True)


def test_top_k_keeps_category_order_on_ties():
    assert models.top_k([0.25, 0.5, 0.25], ["x", "y", "z"], k=3) == [
        ("y", 0.5), ("x", 0.25), ("z", 0.25)]


@pytest.mark.parametrize(("probs", "k", "message"), [
    (np.full(5, 0.2), 0, r"k must be an int in \[1, 5\], got 0"),
    (np.full(5, 0.2), 6, r"k must be an int in \[1, 5\], got 6"),
    (np.full((2, 5), 0.2), 1, r"probabilities must be one vector \(C,\), got shape \(2, 5\)"),
    (np.full(4, 0.25), 1, "5 category names for 4 probabilities"),
])
def test_top_k_rejects_bad_input(probs, k, message):
    with pytest.raises(ValueError, match=message):
        models.top_k(probs, "abcde", k=k)


def test_top_k_rejects_a_float_k():
    with pytest.raises(TypeError, match="k must be an int, got float"):
        models.top_k(np.full(5, 0.2), "abcde", k=2.0)


def test_top_k_rejects_nan():
    with pytest.raises(ValueError, match="(?i)nan"):
        models.top_k(np.array([0.1, np.nan, 0.5]), "abc", k=2)


# --------------------------------------------------------------------------- text encoder


def test_load_text_encoder_is_minilm_in_eval_mode_with_attention_maps(encoder):
    assert isinstance(encoder, models.TextEncoder)
    assert encoder.name == "all-MiniLM-L6-v2" and not encoder.model.training
    tokens = encoder.tokenizer(["a quiet film"], return_tensors="pt")
    with torch.no_grad():
        attentions = encoder.model(**tokens, output_attentions=True).attentions
    length = tokens["input_ids"].shape[1]
    assert len(attentions) == 6 and attentions[0].shape == (1, 12, length, length)


def test_encode_returns_unit_norm_rows_that_rank_paraphrases_closest(encoder):
    texts = ["a great movie", "a wonderful film", "the tax form is due on friday"]
    embeddings = encoder.encode(texts)
    assert embeddings.shape == (3, 384) and embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    similarity = embeddings @ embeddings.T
    assert similarity[0, 1] > 0.5 > max(similarity[0, 2], similarity[1, 2])


def test_encode_ignores_padding(encoder):
    """Short texts padded inside a batch embed as they do alone."""
    texts = ["fine", "a long, winding and ultimately rewarding story about two brothers"]
    np.testing.assert_allclose(encoder.encode(texts, batch_size=2),
                               encoder.encode(texts, batch_size=1), atol=1e-5)


def test_encode_keeps_the_input_order_when_batching_by_length(encoder):
    texts = ["a long, winding and ultimately rewarding story", "fine", "a dull hour", "good"]
    one_by_one = np.concatenate([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(encoder.encode(texts, batch_size=2), one_by_one, atol=1e-5)


@pytest.mark.parametrize(("texts", "kwargs", "error", "message"), [
    ("a single string", {}, TypeError, "texts must be a sequence of strings"),
    (["ok", 3], {}, TypeError, "texts must be a sequence of strings"),
    ([], {}, ValueError, "texts is empty"),
    (["ok"], {"batch_size": 0}, ValueError, "batch_size must be a positive int, got 0"),
])
def test_encode_rejects_bad_input(encoder, texts, kwargs, error, message):
    with pytest.raises(error, match=message):
        encoder.encode(texts, **kwargs)


def test_load_text_encoder_rejects_unknown_device():
    with pytest.raises(RuntimeError, match="device string: nonsense"):
        models.load_text_encoder(device="nonsense")


# --------------------------------------------------------------------------- SmallCNN


@pytest.mark.parametrize(("kwargs", "shape"), [
    ({}, (2, 3, 32, 32)),
    ({"n_classes": 5, "in_channels": 1, "width": 4}, (2, 1, 16, 16)),
])
def test_small_cnn_output_shape_and_layers(kwargs, shape):
    model = models.SmallCNN(**kwargs)
    assert model(torch.zeros(shape)).shape == (2, kwargs.get("n_classes", 2))
    assert model.features.conv3.out_channels == 4 * kwargs.get("width", 16)
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    assert len(relus) == 3 and not any(relu.inplace for relu in relus)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_classes": 1}, "n_classes must be an int >= 2, got 1"),
    ({"in_channels": 0}, "in_channels must be a positive int, got 0"),
    ({"width": 0}, "width must be a positive int, got 0"),
])
def test_small_cnn_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.SmallCNN(**kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_classes": True}, "n_classes must be an int, got bool"),
    ({"in_channels": 3.0}, "in_channels must be an int, got float"),
])
def test_small_cnn_rejects_non_integers(kwargs, message):
    with pytest.raises(TypeError, match=message):
        models.SmallCNN(**kwargs)


# --------------------------------------------------------------------------- training


def test_train_small_cnn_is_deterministic_per_seed(planted):
    images, labels = planted.images[:64], planted.labels[:64]
    first = models.train_small_cnn(images, labels, epochs=2, seed=1)
    again = models.train_small_cnn(torch.from_numpy(images), torch.from_numpy(labels),
                                   epochs=2, seed=1)
    other = models.train_small_cnn(images, labels, epochs=2, seed=2)
    state, same, different = (r.model.state_dict() for r in (first, again, other))
    assert all(torch.equal(state[key], same[key]) for key in state)
    assert first.losses == again.losses
    assert not all(torch.equal(state[key], different[key]) for key in state)


def test_train_small_cnn_learns_the_planted_watermark(planted):
    result = models.train_small_cnn(planted.images, planted.labels, epochs=10)
    assert isinstance(result, models.TrainingResult) and isinstance(result.model, models.SmallCNN)
    assert not result.model.training
    assert len(result.losses) == len(result.accuracies) == 10
    assert result.accuracies[-1] > 0.9 and result.losses[-1] < result.losses[0]
    held_out = data.make_planted_images(n_samples=64, seed=1)
    with torch.no_grad():
        predicted = result.model(torch.from_numpy(held_out.images)).argmax(1).numpy()
    assert (predicted == held_out.labels).mean() > 0.9


def test_train_small_cnn_trains_the_given_model(planted):
    model = models.SmallCNN(width=4)
    before = [p.clone() for p in model.parameters()]
    result = models.train_small_cnn(planted.images[:16], planted.labels[:16], epochs=1,
                                    batch_size=8, model=model)
    assert result.model is model
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


_IMAGES = np.zeros((4, 3, 16, 16), dtype=np.float32)
_LABELS = np.array([0, 1, 0, 1])


@pytest.mark.parametrize(("images", "labels", "kwargs", "error", "message"), [
    (_IMAGES[0], _LABELS, {}, ValueError, r"images must be \(N, C, H, W\), got shape"),
    (_IMAGES, _LABELS[:3], {}, ValueError, r"labels must be \(N,\) with N = 4, got shape \(3,\)"),
    (_IMAGES, _LABELS.astype(float), {}, TypeError, "labels must be integer class indices"),
    (_IMAGES, _LABELS.astype(bool), {}, TypeError, "labels must be integer class indices"),
    (_IMAGES, _LABELS - 1, {}, ValueError, "labels must be non-negative class indices"),
    (_IMAGES, _LABELS, {"epochs": 0}, ValueError, "epochs must be a positive int, got 0"),
    (_IMAGES, _LABELS, {"batch_size": 0}, ValueError, "batch_size must be a positive int"),
    (_IMAGES, _LABELS, {"seed": -1}, ValueError, "seed must be a non-negative int, got -1"),
    (_IMAGES, _LABELS, {"lr": 0}, ValueError, "lr must be a positive number, got 0"),
    (_IMAGES, _LABELS, {"lr": "fast"}, TypeError, "lr must be a number, got str"),
])
def test_train_small_cnn_rejects_bad_input(images, labels, kwargs, error, message):
    with pytest.raises(error, match=message):
        models.train_small_cnn(images, labels, **kwargs)


def test_train_small_cnn_rejects_nan_images():
    with pytest.raises(ValueError, match="(?i)nan"):
        models.train_small_cnn(np.full_like(_IMAGES, np.nan), _LABELS, epochs=1)


def test_training_result_requires_all_fields():
    with pytest.raises(TypeError, match="missing 2 required positional arguments"):
        models.TrainingResult(models.SmallCNN())
