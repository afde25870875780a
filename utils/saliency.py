"""Guided backpropagation that works on any ReLU-family activation, shared or not, and the
glue that lets Google PAIR's framework-free ``saliency.core`` explain a torch model.

captum's ``GuidedBackprop`` only rewrites ``nn.ReLU`` modules, so on a network built from shared
``nn.ReLU6`` modules (EfficientNet-Lite0) it silently returns the plain gradient. Notebook 05
derives the rule; notebooks 06 (Guided Grad-CAM) and 07 (sanity checks) reuse it from here.

``pair_call_model_function`` wraps a torch classifier in the ``call_model_function`` protocol of
``saliency.core`` (notebook 05 uses it for SmoothGrad, notebook 07 for XRAI and Guided IG);
``xrai_segments`` builds XRAI's multi-scale Felzenszwalb segments as ``saliency.core.XRAI`` does,
about ten times faster, and ``pair_guided_ig_numpy2`` lets ``saliency.core.GuidedIG`` run on
NumPy >= 2.4 (notebook 07).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from scipy import ndimage
from torch import nn

from utils.checks import check_array, check_int, check_number
from utils.evaluation import disk

__all__ = ["GUIDED_ACTIVATIONS", "guided_relus", "guided_backprop", "pair_call_model_function",
           "pair_guided_ig_numpy2", "xrai_segments", "INPUT_OUTPUT_GRADIENTS",
           "OUTPUT_LAYER_VALUES"]

# The two keys of saliency.core's call_model_function protocol that a gradient method asks for
# (equal to saliency.core.base's constants; a test checks it).
INPUT_OUTPUT_GRADIENTS = "INPUT_OUTPUT_GRADIENTS"
OUTPUT_LAYER_VALUES = "OUTPUT_LAYER_VALUES"

GUIDED_ACTIVATIONS: tuple[type[nn.Module], ...] = (nn.ReLU, nn.ReLU6)


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


@contextmanager
def guided_relus(model: nn.Module) -> Iterator[int]:
    """While active, every call of a ReLU or ReLU6 module in ``model`` passes back only positive
    gradients: the guided-backprop rule. Yields the number of activation modules hooked.

    A forward hook registers a tensor hook on each call's output, so a module used several times
    in one forward pass gets the rule at every use; the hooks are removed on exit.
    """
    _check_model(model)

    def clamp_gradient(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        if output.requires_grad:
            output.register_hook(lambda gradient: gradient.clamp(min=0))

    activations = [m for m in model.modules() if isinstance(m, GUIDED_ACTIVATIONS)]
    if not activations:
        raise ValueError("model has no nn.ReLU or nn.ReLU6 module: guided backprop would equal "
                         "the plain gradient")
    if any(getattr(m, "inplace", False) for m in activations):
        raise ValueError("model uses in-place ReLUs; guided backprop needs inplace=False")
    handles = [m.register_forward_hook(clamp_gradient) for m in activations]
    try:
        yield len(activations)
    finally:
        for handle in handles:
            handle.remove()


def guided_backprop(model: nn.Module, inputs: torch.Tensor, target: int | torch.Tensor
                    ) -> torch.Tensor:
    """Guided-backprop attribution ``(N, C, H, W)`` of the logit ``target`` (one class for all
    rows, or one per row) with respect to ``inputs``."""
    _check_model(model)
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a torch.Tensor, got {type(inputs).__name__}")
    if inputs.ndim != 4:
        raise ValueError(f"inputs must be (N, C, H, W), got shape {tuple(inputs.shape)}")
    if not inputs.is_floating_point():
        raise TypeError(f"inputs must be floating point, got {inputs.dtype}")
    x = inputs.detach().clone().requires_grad_(True)
    with guided_relus(model), torch.enable_grad():
        logits = model(x)
        if logits.ndim != 2:
            raise ValueError(f"model must return logits (N, classes), got {tuple(logits.shape)}")
        targets = torch.as_tensor(target, device=logits.device)
        if targets.dtype.is_floating_point or targets.dtype == torch.bool:
            raise TypeError(f"target must be an int class index, got {target!r}")
        if targets.ndim == 0:
            targets = targets.expand(len(x))
        if targets.shape != (len(x),):
            raise ValueError(f"target must be one int or one per row ({len(x)}), "
                             f"got shape {tuple(targets.shape)}")
        if targets.min() < 0 or targets.max() >= logits.shape[1]:
            raise ValueError(f"target must lie in [0, {logits.shape[1]}), got {target!r}")
        logits.gather(1, targets[:, None].long()).sum().backward()
    return x.grad.detach()


def pair_call_model_function(model: nn.Module, target: int, *, channels_last: bool = False,
                             chunk: int = 4) -> Callable[..., dict[str, np.ndarray]]:
    """A ``call_model_function`` for ``saliency.core`` (PAIR's framework-free saliency library)
    that explains the logit ``target`` of the torch classifier ``model``.

    PAIR hands the function a numpy batch ``(N, ...)`` (float64 once it has added its noise)
    and the keys it wants; the function answers ``INPUT_OUTPUT_GRADIENTS`` (the gradient of the
    target logit, same shape and layout as the batch) and ``OUTPUT_LAYER_VALUES`` (the target
    logit per row). The batch is cast to float32 and run ``chunk`` rows per pass. With
    ``channels_last`` the batch is ``(N, H, W, C)``, the layout XRAI's segmentation needs.
    """
    _check_model(model)
    target = check_int("target", target, 0)
    chunk = check_int("chunk", chunk, 1)
    if not isinstance(channels_last, bool):
        raise TypeError(f"channels_last must be a bool, got {type(channels_last).__name__}")
    device = next(model.parameters()).device
    known = (INPUT_OUTPUT_GRADIENTS, OUTPUT_LAYER_VALUES)

    def call_model_function(x_value_batch: np.ndarray, call_model_args: object = None,
                            expected_keys: Sequence[str] | None = None
                            ) -> dict[str, np.ndarray]:
        batch = check_array("x_value_batch", x_value_batch, 4, "(N, C, H, W)")
        keys = list(expected_keys or known)
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise ValueError(f"pair_call_model_function answers only {known}, asked for "
                             f"{unknown}")
        x = torch.as_tensor(batch, dtype=torch.float32, device=device)
        if channels_last:
            x = x.permute(0, 3, 1, 2)
        grads, logits = [], []
        for rows in x.split(chunk):
            rows = rows.detach().clone().requires_grad_(True)
            with torch.enable_grad():
                out = model(rows)
                if out.ndim != 2 or target >= out.shape[1]:
                    raise ValueError(f"target {target} is not a class of logits shaped "
                                     f"{tuple(out.shape)}")
                chosen = out[:, target]
                chosen.sum().backward()
            grads.append(rows.grad.detach())
            logits.append(chosen.detach())
        gradient = torch.cat(grads)
        if channels_last:
            gradient = gradient.permute(0, 2, 3, 1)
        answers = {INPUT_OUTPUT_GRADIENTS: gradient.cpu().numpy(),
                   OUTPUT_LAYER_VALUES: torch.cat(logits).cpu().numpy()}
        return {key: answers[key] for key in keys}

    return call_model_function


def xrai_segments(image: np.ndarray, scales: Sequence[float] = (50, 100, 150, 250, 500, 1200),
                  sigma: float = 0.8, min_size: int = 150, dilation_radius: int = 5,
                  resize_to: tuple[int, int] | None = (224, 224)) -> list[np.ndarray]:
    """XRAI's candidate regions for an ``(H, W, C)`` image: Felzenszwalb segmentations at each
    of ``scales`` (on the image rescaled to [-1, 1] and, as PAIR does, resized to ``resize_to``
    and back), every segment as a boolean ``(H, W)`` mask grown by ``dilation_radius`` pixels.

    With the defaults the masks equal ``saliency.core.xrai._get_segments_felzenszwalb``'s (a
    test checks it); each mask is dilated only inside its bounding box, which is what makes
    this about ten times faster than dilating every full-size mask.
    """
    from skimage import segmentation
    from skimage.transform import resize

    image = check_array("image", image, 3, "(H, W, C)").astype(np.float64)
    if not scales:
        raise ValueError("scales must name at least one Felzenszwalb scale")
    scales = [check_number("scale", s, 0, low_open=True) for s in scales]
    sigma = check_number("sigma", sigma, 0)
    min_size = check_int("min_size", min_size, 1)
    radius = check_int("dilation_radius", dilation_radius, 0)
    spread = image.max() - image.min()
    if spread == 0:
        raise ValueError("image is constant: it has no segments")
    height, width = image.shape[:2]
    unit = (image - image.min()) / spread * 2 - 1  # PAIR segments images in [-1, 1]
    if resize_to is not None:
        unit = resize(unit, resize_to, order=3, mode="constant", preserve_range=True,
                      anti_aliasing=True)
    footprint = disk(radius) if radius else None
    masks = []
    for scale in scales:
        labels = segmentation.felzenszwalb(unit, scale=scale, sigma=sigma, min_size=min_size)
        if resize_to is not None:
            labels = resize(labels, (height, width), order=0, preserve_range=True,
                            mode="constant", anti_aliasing=False).astype(int)
        for label in range(labels.min(), labels.max() + 1):
            segment = labels == label
            mask = np.zeros((height, width), dtype=bool)
            rows, cols = np.nonzero(segment)
            if rows.size == 0 or footprint is None:
                masks.append(segment)
                continue
            r0, r1 = max(rows.min() - radius, 0), min(rows.max() + radius + 1, height)
            c0, c1 = max(cols.min() - radius, 0), min(cols.max() + radius + 1, width)
            mask[r0:r1, c0:c1] = ndimage.binary_dilation(segment[r0:r1, c0:c1],
                                                         structure=footprint)
            masks.append(mask)
    return masks


@contextmanager
def pair_guided_ig_numpy2() -> Iterator[None]:
    """While active, ``saliency.core.GuidedIG`` (saliency 0.2.1) runs on NumPy >= 2.4.

    Its step rule calls ``np.quantile(..., interpolation='lower')``; NumPy 2.4 removed that
    keyword (``method`` replaced it), so every call raises ``TypeError``. Inside the context the
    ``guided_ig`` module sees a NumPy whose ``quantile`` maps ``interpolation`` to ``method``
    (the same rule); NumPy itself and every other module are untouched.
    """
    from saliency.core import guided_ig

    real = guided_ig.np

    def quantile(a, q, *args, interpolation=None, **kwargs):
        if interpolation is not None:
            kwargs["method"] = interpolation
        return real.quantile(a, q, *args, **kwargs)

    shim = types.ModuleType("numpy_with_quantile_interpolation")
    shim.__dict__.update(real.__dict__)
    shim.quantile = quantile
    guided_ig.np = shim
    try:
        yield
    finally:
        guided_ig.np = real
