"""Tests for utils.saliency: guided backprop equals captum's where captum applies (unshared
nn.ReLU) and, on EfficientNet-Lite0's shared ReLU6 modules, differs from the plain gradient;
the glue to PAIR's saliency.core (call_model_function, XRAI's segments, Guided IG on NumPy 2.4)
gives what PAIR and captum give."""

import numpy as np
import pytest
import torch
from captum.attr import GuidedBackprop, Saliency
from torch import nn

from utils import data, models, saliency


@pytest.fixture(scope="module")
def small_cnn() -> nn.Module:
    torch.manual_seed(0)
    return models.SmallCNN().eval()


@pytest.fixture(scope="module")
def inputs() -> torch.Tensor:
    return torch.as_tensor(data.make_planted_images(n_samples=4, seed=1).images)


def test_equals_captum_on_unshared_relus(small_cnn, inputs):
    ours = saliency.guided_backprop(small_cnn, inputs, 1)
    theirs = GuidedBackprop(small_cnn).attribute(inputs, target=1)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-7)


def test_differs_from_gradient_and_hooks_are_removed(small_cnn, inputs):
    gradient = Saliency(small_cnn).attribute(inputs, target=1, abs=False)
    guided = saliency.guided_backprop(small_cnn, inputs, 1)
    assert not torch.allclose(guided, gradient)
    after = Saliency(small_cnn).attribute(inputs, target=1, abs=False)
    torch.testing.assert_close(after, gradient)  # no hook left behind


def test_per_row_targets(small_cnn, inputs):
    both = saliency.guided_backprop(small_cnn, inputs[:2], torch.tensor([0, 1]))
    torch.testing.assert_close(both[0], saliency.guided_backprop(small_cnn, inputs[:1], 0)[0])
    torch.testing.assert_close(both[1], saliency.guided_backprop(small_cnn, inputs[1:2], 1)[0])


def test_reaches_every_call_of_shared_relu6():
    """EfficientNet-Lite0 calls each ReLU6 module several times per forward pass; captum's
    GuidedBackprop leaves them alone and returns the gradient, ours does not."""
    torch.set_num_threads(1)
    classifier = models.load_image_classifier()
    x = classifier.preprocess(data.load_photo("chelsea", size=96))
    gradient = Saliency(classifier.model).attribute(x, target=282, abs=False)
    captum_guided = GuidedBackprop(classifier.model).attribute(x, target=282)
    torch.testing.assert_close(captum_guided, gradient)  # the pitfall the course teaches
    with saliency.guided_relus(classifier.model) as n_hooked:
        assert n_hooked == 17
    guided = saliency.guided_backprop(classifier.model, x, 282)
    assert guided.shape == x.shape and torch.isfinite(guided).all()
    assert (guided - gradient).abs().max() > 0.1 * gradient.abs().max()


@pytest.mark.parametrize(
    ("model", "x", "target", "error", "message"),
    [
        ("not a model", torch.zeros(1, 3, 8, 8), 0, TypeError, "nn.Module"),
        (None, [[0.0]], 0, TypeError, "torch.Tensor"),
        (None, torch.zeros(3, 8, 8), 0, ValueError, r"\(N, C, H, W\)"),
        (None, torch.zeros(1, 3, 8, 8, dtype=torch.long), 0, TypeError, "floating point"),
        (None, torch.zeros(1, 3, 8, 8), 2, ValueError, r"\[0, 2\)"),
        (None, torch.zeros(1, 3, 8, 8), -1, ValueError, r"\[0, 2\)"),
        (None, torch.zeros(1, 3, 8, 8), 0.5, TypeError, "int class index"),
        (None, torch.zeros(2, 3, 8, 8), torch.tensor([0, 1, 1]), ValueError, "one per row"),
    ],
)
def test_bad_input(small_cnn, model, x, target, error, message):
    with pytest.raises(error, match=message):
        saliency.guided_backprop(small_cnn if model is None else model, x, target)


def test_model_without_relus_or_with_inplace_relus():
    with pytest.raises(ValueError, match="no nn.ReLU"):
        with saliency.guided_relus(nn.Linear(2, 2)):
            pass
    with pytest.raises(ValueError, match="inplace"):
        with saliency.guided_relus(nn.Sequential(nn.Linear(2, 2), nn.ReLU(inplace=True))):
            pass


def test_non_logit_output():
    model = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU())
    with pytest.raises(ValueError, match="logits"):
        saliency.guided_backprop(model, torch.zeros(1, 3, 4, 4), 0)


# --------------------------------------------------------------------------- PAIR saliency.core


def test_pair_keys_are_saliency_cores():
    from saliency.core import base

    assert saliency.INPUT_OUTPUT_GRADIENTS == base.INPUT_OUTPUT_GRADIENTS
    assert saliency.OUTPUT_LAYER_VALUES == base.OUTPUT_LAYER_VALUES


@pytest.mark.parametrize("channels_last", [False, True])
def test_pair_call_model_function_gives_the_target_logits_gradient(small_cnn, inputs,
                                                                   channels_last):
    call = saliency.pair_call_model_function(small_cnn, 1, channels_last=channels_last, chunk=2)
    batch = inputs[:3].permute(0, 2, 3, 1) if channels_last else inputs[:3]
    out = call(batch.numpy().astype(np.float64), expected_keys=[
        saliency.INPUT_OUTPUT_GRADIENTS, saliency.OUTPUT_LAYER_VALUES])
    expected = Saliency(small_cnn).attribute(inputs[:3], target=1, abs=False)
    if channels_last:
        expected = expected.permute(0, 2, 3, 1)
    np.testing.assert_allclose(out[saliency.INPUT_OUTPUT_GRADIENTS], expected.numpy(),
                               rtol=1e-5, atol=1e-7)
    with torch.no_grad():
        np.testing.assert_allclose(out[saliency.OUTPUT_LAYER_VALUES],
                                   small_cnn(inputs[:3])[:, 1].numpy(), rtol=1e-5)
    only = call(batch.numpy(), expected_keys=[saliency.INPUT_OUTPUT_GRADIENTS])
    assert set(only) == {saliency.INPUT_OUTPUT_GRADIENTS}


def test_pair_smoothgrad_through_the_call_model_function(small_cnn, inputs):
    from saliency.core import GradientSaliency

    x = inputs[0].numpy()
    call = saliency.pair_call_model_function(small_cnn, 0)
    np.random.seed(3)
    pair = GradientSaliency().GetSmoothedMask(x, call, stdev_spread=0.1, nsamples=3,
                                              magnitude=False)
    np.random.seed(3)
    sigma = 0.1 * (x.max() - x.min())
    noisy = torch.as_tensor(np.stack([x + np.random.normal(0, sigma, x.shape)
                                      for _ in range(3)]), dtype=torch.float32)
    ours = Saliency(small_cnn).attribute(noisy, target=0, abs=False).mean(dim=0)
    np.testing.assert_allclose(pair, ours.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("args", "kwargs", "error", "message"), [
    (("not a model", 0), {}, TypeError, "nn.Module"),
    ((None, -1), {}, ValueError, "target must be"),
    ((None, 0), {"chunk": 0}, ValueError, "chunk must be"),
    ((None, 0), {"channels_last": 1}, TypeError, "channels_last must be a bool"),
])
def test_pair_call_model_function_rejects_bad_arguments(small_cnn, args, kwargs, error, message):
    model = small_cnn if args[0] is None else args[0]
    with pytest.raises(error, match=message):
        saliency.pair_call_model_function(model, *args[1:], **kwargs)


def test_pair_call_model_function_rejects_bad_calls(small_cnn, inputs):
    call = saliency.pair_call_model_function(small_cnn, 5)
    with pytest.raises(ValueError, match="answers only"):
        call(inputs.numpy(), expected_keys=["CONVOLUTION_LAYER_VALUES"])
    with pytest.raises(ValueError, match="4-D"):
        call(inputs[0].numpy())
    with pytest.raises(ValueError, match="not a class"):
        call(inputs.numpy())  # the small CNN has two classes


def test_xrai_segments_equal_pairs_own():
    from saliency.core import xrai

    image = data.make_planted_images(n_samples=2, seed=2).images[0].transpose(1, 2, 0)
    ours = saliency.xrai_segments(image)
    theirs = xrai._get_segments_felzenszwalb(image)
    assert len(ours) == len(theirs) > 6
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
    plain = saliency.xrai_segments(image, scales=(100,), dilation_radius=0, resize_to=None)
    np.testing.assert_array_equal(np.sum(plain, axis=0), 1)  # without growth: a partition


@pytest.mark.parametrize(("image", "kwargs", "error", "message"), [
    (np.zeros((8, 8)), {}, ValueError, "3-D"),
    (np.zeros((8, 8, 3)), {}, ValueError, "constant"),
    (np.random.default_rng(0).random((8, 8, 3)), {"scales": ()}, ValueError, "at least one"),
    (np.random.default_rng(0).random((8, 8, 3)), {"scales": (0,)}, ValueError, "scale must"),
    (np.random.default_rng(0).random((8, 8, 3)), {"min_size": 0}, ValueError, "min_size"),
])
def test_xrai_segments_rejects_bad_input(image, kwargs, error, message):
    with pytest.raises(error, match=message):
        saliency.xrai_segments(image, **kwargs)


def test_guided_ig_runs_on_numpy2_and_is_ig_on_the_straight_line(small_cnn, inputs):
    from captum.attr import IntegratedGradients
    from saliency.core import GuidedIG, guided_ig

    x, baseline = inputs[:1], torch.zeros_like(inputs[:1])
    call = saliency.pair_call_model_function(small_cnn, 1)
    if np.lib.NumpyVersion(np.__version__) >= "2.4.0":
        with pytest.raises(TypeError, match="interpolation"):  # why the shim exists
            GuidedIG().GetMask(x[0].numpy(), call, x_baseline=baseline[0].numpy(), x_steps=2)
    with saliency.pair_guided_ig_numpy2():
        straight = GuidedIG().GetMask(x[0].numpy(), call, x_baseline=baseline[0].numpy(),
                                      x_steps=6, max_dist=0.0)
        guided = GuidedIG().GetMask(x[0].numpy(), call, x_baseline=baseline[0].numpy(),
                                    x_steps=6, max_dist=1.0)
    assert guided_ig.np is np, "the shim is gone after the block"
    ig = IntegratedGradients(small_cnn).attribute(x, baselines=baseline, target=1, n_steps=6,
                                                  method="riemann_left")
    np.testing.assert_allclose(straight, ig[0].detach().numpy(), rtol=1e-4, atol=1e-7)
    assert not np.allclose(guided, straight), "an unbounded path is another path"
