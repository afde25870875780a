"""Guided backpropagation that works on any ReLU-family activation, shared or not.

captum's ``GuidedBackprop`` only rewrites ``nn.ReLU`` modules, so on a network built from shared
``nn.ReLU6`` modules (EfficientNet-Lite0) it silently returns the plain gradient. Notebook 05
derives the rule; notebooks 06 (Guided Grad-CAM) and 07 (sanity checks) reuse it from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

__all__ = ["GUIDED_ACTIVATIONS", "guided_relus", "guided_backprop"]

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
