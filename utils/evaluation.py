"""Scores of a saliency map against a known object region: the share of the map's mass inside
the region, and the pointing game (does the map's peak land on the object?)."""

from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage

__all__ = ["mass_share", "pointing_hit"]


def _check_pair(heatmap: np.ndarray | torch.Tensor, mask: np.ndarray) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    if isinstance(heatmap, torch.Tensor):
        heatmap = heatmap.detach().cpu().numpy()
    if not isinstance(heatmap, np.ndarray) or heatmap.ndim != 2:
        raise ValueError(f"heatmap must be a 2-D (H, W) array, "
                         f"got {getattr(heatmap, 'shape', type(heatmap).__name__)}")
    if heatmap.size == 0:
        raise ValueError("heatmap is empty")
    if not np.issubdtype(heatmap.dtype, np.number) or not np.all(np.isfinite(heatmap)):
        raise ValueError("heatmap must hold finite numbers")
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        raise TypeError(f"mask must be a boolean numpy array, got "
                        f"{getattr(mask, 'dtype', type(mask).__name__)}")
    if mask.shape != heatmap.shape:
        raise ValueError(f"mask shape {mask.shape} differs from heatmap shape {heatmap.shape}; "
                         "upsample the map first (utils.images.upsample_map)")
    if not mask.any():
        raise ValueError("mask selects no pixel")
    return heatmap.astype(np.float64), mask


def mass_share(heatmap: np.ndarray | torch.Tensor, mask: np.ndarray) -> float:
    """Share of the map's positive mass that falls inside ``mask`` (1 = all evidence on the
    object; the area share of the mask is what a uniform map scores)."""
    values, mask = _check_pair(heatmap, mask)
    positive = np.maximum(values, 0.0)
    total = positive.sum()
    if total <= 0:
        raise ValueError("heatmap has no positive mass to share out")
    return float(positive[mask].sum() / total)


def pointing_hit(heatmap: np.ndarray | torch.Tensor, mask: np.ndarray, tolerance: int = 15
                 ) -> bool:
    """The pointing game: whether the map's maximum lies within ``tolerance`` pixels of the
    mask (15 px, as in Zhang et al. 2018). Ties go to the first maximum in row-major order."""
    values, mask = _check_pair(heatmap, mask)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | np.integer) or tolerance < 0:
        raise ValueError(f"tolerance must be a non-negative int, got {tolerance!r}")
    if tolerance > 0:
        disk = np.hypot(*np.ogrid[-tolerance:tolerance + 1, -tolerance:tolerance + 1]) <= tolerance
        mask = ndimage.binary_dilation(mask, structure=disk)
    row, col = np.unravel_index(int(np.argmax(values)), values.shape)
    return bool(mask[row, col])
