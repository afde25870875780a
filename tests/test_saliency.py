"""Tests for utils.saliency: guided backprop equals captum's where captum applies (unshared
nn.ReLU) and, on EfficientNet-Lite0's shared ReLU6 modules, differs from the plain gradient."""

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
