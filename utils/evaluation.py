"""Scores of a saliency map: against a known object region, the share of the map's mass inside
it and the pointing game (does the map's peak land on the object?); against another map, the
Spearman rank correlation of their pixels (the similarity measure of the sanity checks)."""

from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage
from scipy.stats import spearmanr

from utils.checks import check_array, check_int

__all__ = ["disk", "grow_mask", "mass_share", "pointing_hit", "rank_correlation"]


def _check_pair(heatmap: np.ndarray | torch.Tensor, mask: np.ndarray) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    heatmap = check_array("heatmap", heatmap, 2, "(H, W)")
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
    mask = grow_mask(mask, tolerance)
    row, col = np.unravel_index(int(np.argmax(values)), values.shape)
    return bool(mask[row, col])


def grow_mask(mask: np.ndarray, tolerance: int) -> np.ndarray:
    """``mask`` grown by every pixel within ``tolerance`` pixels (Euclidean) of it: the region
    the pointing game accepts. Notebook 07 hands it to Quantus, whose pointing game has no
    tolerance of its own."""
    if not isinstance(mask, np.ndarray) or mask.dtype != bool or mask.ndim != 2:
        raise TypeError(f"mask must be a 2-D boolean numpy array, got "
                        f"{getattr(mask, 'dtype', type(mask).__name__)} "
                        f"{getattr(mask, 'shape', '')}")
    tolerance = check_int("tolerance", tolerance, 0)
    if tolerance == 0:
        return mask.copy()
    return ndimage.binary_dilation(mask, structure=disk(tolerance))


def disk(radius: int) -> np.ndarray:
    """The boolean footprint of every pixel within ``radius`` pixels (Euclidean) of the centre."""
    radius = check_int("radius", radius, 0)
    grid = np.arange(-radius, radius + 1)
    return grid[:, None] ** 2 + grid[None, :] ** 2 <= radius ** 2


def _as_map(values: np.ndarray | torch.Tensor, name: str) -> np.ndarray:
    values = check_array(name, values, allow_empty=True)
    if values.size < 2:
        raise ValueError(f"{name} needs at least two pixels, got shape {values.shape}")
    return values


def rank_correlation(map_a: np.ndarray | torch.Tensor, map_b: np.ndarray | torch.Tensor
                     ) -> float:
    """Spearman rank correlation of two maps of the same shape, pixel by pixel (1 = the same
    ranking, about 0 = unrelated). A constant map has no ranking, so it is refused."""
    a, b = _as_map(map_a, "map_a"), _as_map(map_b, "map_b")
    if a.shape != b.shape:
        raise ValueError(f"the maps differ in shape: {a.shape} and {b.shape}")
    for name, values in (("map_a", a), ("map_b", b)):
        if np.ptp(values) == 0:
            raise ValueError(f"{name} is constant: a flat map has no rank correlation")
    return float(spearmanr(a.ravel(), b.ravel()).statistic)
