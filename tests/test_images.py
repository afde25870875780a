"""Tests for utils.images: preprocessing and its inverse, batched prediction, attribution-map
normalisation, upsampling and overlays."""

import numpy as np
import pytest
import torch
from matplotlib import colormaps
from PIL import Image

from utils import images

IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


@pytest.fixture
def rgb() -> np.ndarray:
    """A small random float image (H, W, 3) in [0, 1]."""
    return np.random.default_rng(0).random((6, 5, 3), dtype=np.float32)


@pytest.fixture
def tiny_model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.AdaptiveAvgPool2d(1),
                               torch.nn.Flatten(), torch.nn.Linear(4, 5)).eval()


# --------------------------------------------------------------------------- to_tensor


def test_to_tensor_normalises_channels_first():
    image = np.zeros((2, 3, 3), dtype=np.uint8)
    image[0, 0] = (255, 0, 51)
    tensor = images.to_tensor(image)
    assert tensor.shape == (1, 3, 2, 3) and tensor.dtype == torch.float32
    assert tensor[0, :, 0, 0].tolist() == pytest.approx([1.0, -1.0, -0.6])
    assert (tensor[0, :, 1, :] == -1.0).all()


def test_to_tensor_same_for_pil_uint8_and_float(rgb):
    uint8 = (rgb * 255).round().astype(np.uint8)
    from_uint8 = images.to_tensor(uint8, *IMAGENET_STATS)
    torch.testing.assert_close(images.to_tensor(Image.fromarray(uint8), *IMAGENET_STATS),
                               from_uint8)
    torch.testing.assert_close(images.to_tensor(uint8 / 255.0, *IMAGENET_STATS), from_uint8)


@pytest.mark.parametrize("stats", [((0.5,) * 3, (0.5,) * 3), IMAGENET_STATS])
def test_to_image_inverts_to_tensor(rgb, stats):
    tensor = images.to_tensor(rgb, *stats)
    np.testing.assert_allclose(images.to_image(tensor, *stats), rgb, atol=1e-6)
    np.testing.assert_allclose(images.to_image(tensor[0], *stats), rgb, atol=1e-6)


@pytest.mark.parametrize(("image", "kwargs", "error", "message"), [
    ([[[0.0, 0.0, 0.0]]], {}, TypeError, "image must be a numpy array, got list"),
    (np.zeros((4, 4)), {}, ValueError, r"3 colour channels last \(\.\.\., H, W, 3\)"),
    (np.zeros((2, 4, 4, 3)), {}, ValueError, r"image must be \(H, W, 3\), got shape"),
    (np.zeros((4, 4, 3), dtype=np.int64), {}, TypeError, "must be uint8 or floating point"),
    (np.full((4, 4, 3), 2.0), {}, ValueError, r"float image must lie in \[0, 1\]"),
    (np.zeros((4, 4, 3)), {"mean": (0.5, 0.5)}, ValueError, "mean and std need 3 values"),
    (np.zeros((4, 4, 3)), {"std": (0.5, 0.0, 0.5)}, ValueError, "std must be positive"),
])
def test_to_tensor_rejects_bad_input(image, kwargs, error, message):
    with pytest.raises(error, match=message):
        images.to_tensor(image, **kwargs)


def test_to_tensor_rejects_nan_image():
    with pytest.raises(ValueError, match="image"):
        images.to_tensor(np.full((4, 4, 3), np.nan, dtype=np.float32))


# --------------------------------------------------------------------------- to_image


def test_to_image_clips_to_displayable_range():
    out = images.to_image(torch.tensor([[[5.0]], [[-5.0]], [[0.0]]]))
    assert out.shape == (1, 1, 3)
    assert out[0, 0].tolist() == [1.0, 0.0, 0.5]


@pytest.mark.parametrize(("tensor", "kwargs", "error", "message"), [
    (np.zeros((3, 4, 4)), {}, TypeError, "tensor must be a torch.Tensor, got ndarray"),
    (torch.zeros(2, 3, 4, 4), {}, ValueError, "must hold one image, got batch size 2"),
    (torch.zeros(1, 4, 4), {}, ValueError, r"tensor must be \(3, H, W\) or \(1, 3, H, W\)"),
    (torch.zeros(4, 4, 3), {}, ValueError, r"tensor must be \(3, H, W\)"),
    (torch.zeros(3, 4, 4), {"std": (1.0, -1.0, 1.0)}, ValueError, "std must be positive"),
])
def test_to_image_rejects_bad_input(tensor, kwargs, error, message):
    with pytest.raises(error, match=message):
        images.to_image(tensor, **kwargs)


# --------------------------------------------------------------------------- batch_predict


def test_batch_predict_matches_unbatched_forward_pass(tiny_model):
    batch = np.random.default_rng(1).random((7, 8, 8, 3))
    probs = images.batch_predict(tiny_model, batch, *IMAGENET_STATS, batch_size=3)
    assert probs.shape == (7, 5)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    with torch.no_grad():
        direct = np.concatenate([
            torch.softmax(tiny_model(images.to_tensor(image, *IMAGENET_STATS)), dim=1).numpy()
            for image in batch])
    np.testing.assert_allclose(probs, direct, atol=1e-6)


def test_batch_predict_uint8_equals_float(tiny_model):
    batch = np.random.default_rng(2).integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
    np.testing.assert_allclose(images.batch_predict(tiny_model, batch),
                               images.batch_predict(tiny_model, batch / 255.0), atol=1e-6)


def test_batch_predict_rejects_non_module():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got function"):
        images.batch_predict(lambda x: x, np.zeros((1, 8, 8, 3)))


@pytest.mark.parametrize(("batch", "kwargs", "error", "message"), [
    (np.zeros((1, 8, 8, 3)), {"batch_size": 0}, ValueError, "batch_size must be a positive int"),
    (np.zeros((8, 8, 3)), {}, ValueError, r"images must be a batch \(N, H, W, 3\)"),
    (np.zeros((0, 8, 8, 3)), {}, ValueError, "images is empty"),
    (np.zeros((1, 3, 8, 8)), {}, ValueError, "images must have 3 colour channels last"),
    (np.zeros((1, 8, 8, 3), dtype=np.int32), {}, TypeError, "must be uint8 or floating point"),
    ([np.zeros((8, 8, 3))], {}, TypeError, "images must be a numpy array, got list"),
    (np.zeros((1, 8, 8, 3)), {"mean": (0.5,)}, ValueError, "mean and std need 3 values"),
])
def test_batch_predict_rejects_bad_input(tiny_model, batch, kwargs, error, message):
    with pytest.raises(error, match=message):
        images.batch_predict(tiny_model, batch, **kwargs)


def test_batch_predict_model_without_parameters():
    """Mean colour per channel as logits: the brightest channel is the most probable class."""
    model = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    batch = np.zeros((2, 4, 4, 3))
    batch[0, ..., 0] = batch[1, ..., 2] = 1.0
    probs = images.batch_predict(model, batch)
    assert probs.argmax(axis=1).tolist() == [0, 2]


# --------------------------------------------------------------------------- normalize_map


def _peaked(sign: float) -> np.ndarray:
    attribution = np.random.default_rng(3).normal(0, 0.1, (3, 8, 8))
    attribution[:, 2, 5] = sign * 5.0
    return attribution


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_normalize_map_unsigned_in_unit_range_with_max_at_peak(sign):
    heat = images.normalize_map(_peaked(sign))
    assert heat.shape == (8, 8)
    assert heat.min() >= 0.0 and heat.max() == 1.0
    assert np.unravel_index(heat.argmax(), heat.shape) == (2, 5)
    assert np.sort(heat.ravel())[-2] < 1.0  # the peak alone is clipped to 1


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_normalize_map_signed_keeps_sign_in_minus_one_to_one(sign):
    attribution = _peaked(sign)
    heat = images.normalize_map(attribution, reduce="sum", signed=True)
    assert heat.min() >= -1.0 and heat.max() <= 1.0
    assert heat[2, 5] == sign
    summed = attribution.sum(axis=0)
    nonzero = summed != 0
    np.testing.assert_array_equal(np.sign(heat[nonzero]), np.sign(summed[nonzero]))


@pytest.mark.parametrize(("reduce", "expected"), [
    ("abs_sum", [1.0, 3 / 7]),
    ("sum", [0.0, 1.0]),
    ("max_abs", [1.0, 0.25]),
    ("l2", [1.0, np.sqrt(3) / 5]),
])
def test_normalize_map_channel_reductions(reduce, expected):
    attribution = np.array([[[3.0, 1.0]], [[-4.0, 1.0]], [[0.0, 1.0]]])  # (3, 1, 2)
    heat = images.normalize_map(attribution, reduce=reduce, clip_percentile=100)
    np.testing.assert_allclose(heat, [expected])


def test_normalize_map_accepts_tensor_and_batch_of_one():
    attribution = _peaked(1.0)
    expected = images.normalize_map(attribution)
    np.testing.assert_allclose(images.normalize_map(torch.from_numpy(attribution)), expected)
    np.testing.assert_allclose(images.normalize_map(attribution[None]), expected)


@pytest.mark.parametrize("signed", [False, True])
def test_normalize_map_all_zero_stays_zero(signed):
    heat = images.normalize_map(np.zeros((4, 4)), signed=signed)
    np.testing.assert_array_equal(heat, np.zeros((4, 4)))


@pytest.mark.parametrize(("attribution", "kwargs", "error", "message"), [
    ([[0.0, 1.0]], {}, TypeError, "attribution must be a numpy array or tensor, got list"),
    (np.ones((4, 4)), {"reduce": "mean"}, ValueError, "reduce must be one of"),
    (np.ones((4, 4)), {"clip_percentile": 0}, ValueError,
     r"clip_percentile must be a number in \(0, 100\]"),
    (np.ones((4, 4)), {"clip_percentile": 101}, ValueError, "clip_percentile must be a number in"),
    (np.ones(5), {}, ValueError, r"attribution must be \(H, W\), \(C, H, W\) or \(1, C, H, W\)"),
    (np.ones((2, 3, 4, 4)), {}, ValueError, r"attribution must be \(H, W\)"),
    (np.full((4, 4), np.nan), {}, ValueError, "NaN or infinite values"),
    (np.ones((3, 4, 4)), {"signed": True}, ValueError, "reduce='abs_sum' discards the sign"),
])
def test_normalize_map_rejects_bad_input(attribution, kwargs, error, message):
    with pytest.raises(error, match=message):
        images.normalize_map(attribution, **kwargs)


@pytest.mark.parametrize("signed", [False, True])
def test_normalize_map_rejects_empty_map(signed):
    with pytest.raises(ValueError, match="empty"):
        images.normalize_map(np.zeros((0, 0)), signed=signed)


# --------------------------------------------------------------------------- upsample_map


def test_upsample_map_keeps_constant_map_constant():
    heat = images.upsample_map(np.full((7, 7), 0.3), (224, 160))
    assert heat.shape == (224, 160)
    np.testing.assert_allclose(heat, 0.3, rtol=1e-6)


def test_upsample_map_stays_within_input_range_and_is_identity_at_same_size():
    coarse = np.random.default_rng(4).random((5, 6)).astype(np.float32)
    fine = images.upsample_map(torch.from_numpy(coarse), (40, 48))
    assert coarse.min() - 1e-6 <= fine.min() and fine.max() <= coarse.max() + 1e-6
    np.testing.assert_allclose(images.upsample_map(coarse, (5, 6)), coarse, atol=1e-6)


def test_upsample_map_rejects_a_list():
    with pytest.raises(TypeError, match="heatmap must be a numpy array or a tensor, got list"):
        images.upsample_map([[0.0, 1.0], [1.0, 0.0]], (4, 4))


@pytest.mark.parametrize(("heatmap", "size", "message"), [
    (np.zeros((3, 2, 2)), (4, 4), r"heatmap must be 2-D \(h, w\), got shape \(3, 2, 2\)"),
    (np.zeros((2, 2)), (0, 4), r"size must be two positive ints \(H, W\)"),
    (np.zeros((2, 2)), (4, 4, 4), "size must be two positive ints"),
    (np.zeros((2, 2)), (4.0, 4), "size must be two positive ints"),
])
def test_upsample_map_rejects_bad_input(heatmap, size, message):
    with pytest.raises(ValueError, match=message):
        images.upsample_map(heatmap, size)


# --------------------------------------------------------------------------- overlay


def test_overlay_with_alpha_zero_returns_the_image(rgb):
    heat = np.random.default_rng(5).random(rgb.shape[:2])
    np.testing.assert_array_equal(images.overlay(rgb, heat, alpha=0.0), rgb)
    uint8 = (rgb * 255).astype(np.uint8)
    np.testing.assert_allclose(images.overlay(Image.fromarray(uint8), heat, alpha=0.0),
                               uint8 / 255.0, atol=1e-6)


def test_overlay_with_alpha_one_returns_colormap_colours(rgb):
    heat = np.zeros(rgb.shape[:2])
    heat[0, 0] = 1.0
    out = images.overlay(rgb, heat, alpha=1.0, cmap="viridis")
    np.testing.assert_allclose(out[0, 0], colormaps["viridis"](1.0)[:3], atol=1e-6)
    np.testing.assert_allclose(out[1, 1], colormaps["viridis"](0.0)[:3], atol=1e-6)


def test_overlay_blends_linearly_and_upsamples_small_heatmap(rgb):
    out = images.overlay(rgb, np.ones((2, 2)), alpha=0.25, cmap="gray")
    assert out.shape == rgb.shape
    np.testing.assert_allclose(out, 0.75 * rgb + 0.25, atol=1e-6)


@pytest.mark.parametrize(("image", "heatmap", "kwargs", "message"), [
    (np.zeros((4, 4, 3)), np.zeros((4, 4)), {"alpha": 1.5},
     r"alpha must be a number in \[0, 1\], got 1.5"),
    (np.zeros((4, 4, 3)), np.zeros((4, 4)), {"alpha": -0.1}, r"alpha must be a number in \[0, 1\]"),
    (np.zeros((4, 4, 3)), np.zeros((4, 4)), {"cmap": "nope"}, "unknown matplotlib colormap 'nope'"),
    (np.zeros((4, 4, 3)), np.zeros((4, 4, 1)), {}, r"heatmap must be 2-D \(H, W\)"),
    (np.zeros((4, 4, 3)), np.full((4, 4), 2.0), {}, r"heatmap must lie in \[0, 1\]"),
    (np.zeros((4, 4)), np.zeros((4, 4)), {}, "image must have 3 colour channels last"),
    (np.zeros((2, 4, 4, 3)), np.zeros((4, 4)), {}, r"image must be \(H, W, 3\)"),
])
def test_overlay_rejects_bad_input(image, heatmap, kwargs, message):
    with pytest.raises(ValueError, match=message):
        images.overlay(image, heatmap, **kwargs)


def test_overlay_rejects_nan_heatmap():
    with pytest.raises(ValueError, match="heatmap"):
        images.overlay(np.zeros((4, 4, 3)), np.full((4, 4), np.nan))


def test_normalize_map_2d_unsigned_keeps_magnitude():
    """A 2-D map is one channel: its strongest pixel stays the strongest, whatever its sign."""
    heat = np.array([[-5.0, 0.0], [0.0, 1.0]])
    expected = np.array([[1.0, 0.0], [0.0, 0.2]])
    np.testing.assert_allclose(images.normalize_map(heat, clip_percentile=100), expected)
    np.testing.assert_allclose(images.normalize_map(heat, clip_percentile=100),
                               images.normalize_map(heat[None], clip_percentile=100))
