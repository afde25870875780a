"""Tests for utils.evaluation: mass share inside a region, the pointing game and the rank
correlation of two maps."""

import numpy as np
import pytest
import torch

from utils import evaluation
from utils.evaluation import rank_correlation


@pytest.fixture
def box() -> np.ndarray:
    mask = np.zeros((40, 60), dtype=bool)
    mask[10:20, 30:50] = True
    return mask


def test_mass_share(box):
    heatmap = np.zeros(box.shape)
    heatmap[box] = 3.0
    heatmap[0, 0] = box.sum() * 3.0  # as much mass in one pixel outside as in the box
    assert evaluation.mass_share(heatmap, box) == pytest.approx(0.5)
    assert evaluation.mass_share(np.ones(box.shape), box) == pytest.approx(box.mean())
    negative_outside = np.where(box, 1.0, -5.0)  # negative evidence does not count
    assert evaluation.mass_share(torch.as_tensor(negative_outside), box) == pytest.approx(1.0)


def test_pointing_hit_with_tolerance(box):
    heatmap = np.zeros(box.shape)
    heatmap[15, 25] = 1.0  # 5 px left of the box
    assert not evaluation.pointing_hit(heatmap, box, tolerance=0)
    assert not evaluation.pointing_hit(heatmap, box, tolerance=4)
    assert evaluation.pointing_hit(heatmap, box, tolerance=5)
    assert evaluation.pointing_hit(heatmap, box)  # default 15 px
    heatmap[35, 5] = 2.0
    assert not evaluation.pointing_hit(heatmap, box)


@pytest.mark.parametrize(
    ("heatmap", "mask", "error", "message"),
    [
        (np.zeros(5), np.ones(5, bool), ValueError, "2-D"),
        ("map", np.ones((2, 2), bool), TypeError, "heatmap must be a numpy array or a tensor"),
        (np.zeros((0, 3)), np.ones((0, 3), bool), ValueError, "empty"),
        (np.full((2, 2), np.nan), np.ones((2, 2), bool), ValueError, "finite"),
        (np.ones((2, 2)), np.ones((2, 2)), TypeError, "boolean"),
        (np.ones((2, 2)), np.ones((3, 2), bool), ValueError, "upsample"),
        (np.ones((2, 2)), np.zeros((2, 2), bool), ValueError, "no pixel"),
    ],
)
def test_bad_input(heatmap, mask, error, message):
    for score in (evaluation.mass_share, evaluation.pointing_hit):
        with pytest.raises(error, match=message):
            score(heatmap, mask)


def test_mass_share_needs_positive_mass(box):
    with pytest.raises(ValueError, match="positive mass"):
        evaluation.mass_share(-np.ones(box.shape), box)


@pytest.mark.parametrize(("tolerance", "error"), [(-1, ValueError), (1.5, TypeError),
                                                  (True, TypeError), ("15", TypeError)])
def test_bad_tolerance(box, tolerance, error):
    with pytest.raises(error, match="tolerance must be"):
        evaluation.pointing_hit(np.ones(box.shape), box, tolerance=tolerance)


def test_grow_mask_is_the_region_pointing_hit_accepts(box):
    grown = evaluation.grow_mask(box, 5)
    assert grown[15, 25] and not grown[15, 24] and grown[box].all()
    assert not grown[4, 30] and grown[5, 30], "5 px above the box is in, 6 px is not"
    np.testing.assert_array_equal(evaluation.grow_mask(box, 0), box)
    assert evaluation.grow_mask(box, 0) is not box, "a copy, not the caller's array"
    rng = np.random.default_rng(0)
    for _ in range(20):  # the pointing game is "the arg-max lies in the grown mask"
        heatmap = rng.random(box.shape)
        peak = np.unravel_index(heatmap.argmax(), box.shape)
        assert evaluation.pointing_hit(heatmap, box, tolerance=7) == evaluation.grow_mask(box,
                                                                                         7)[peak]


@pytest.mark.parametrize(("mask", "tolerance", "error", "message"), [
    (np.ones((2, 2)), 1, TypeError, "boolean"),
    (np.ones(4, bool), 1, TypeError, "2-D"),
    (np.ones((2, 2), bool), -1, ValueError, "tolerance must be"),
    (np.ones((2, 2), bool), 1.0, TypeError, "tolerance must be"),
])
def test_grow_mask_rejects_bad_input(mask, tolerance, error, message):
    with pytest.raises(error, match=message):
        evaluation.grow_mask(mask, tolerance)


def test_rank_correlation_of_a_map_with_itself_and_its_reverse():
    heat = np.arange(12.0).reshape(3, 4)
    assert rank_correlation(heat, heat ** 3) == pytest.approx(1.0), "only the order counts"
    assert rank_correlation(heat, -heat) == pytest.approx(-1.0)
    assert rank_correlation(torch.from_numpy(heat), heat) == pytest.approx(1.0), "tensors too"


def test_rank_correlation_gives_ties_their_mean_rank():
    a, b = np.array([0.0, 0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0, 4.0])
    expected = np.corrcoef([1.5, 1.5, 3, 4], [1, 2, 3, 4])[0, 1]
    assert rank_correlation(a, b) == pytest.approx(expected)


@pytest.mark.parametrize("map_a, map_b, error, match", [
    (np.zeros((3, 3)), np.arange(9.0).reshape(3, 3), ValueError, "constant"),
    (np.arange(9.0).reshape(3, 3), np.arange(8.0).reshape(2, 4), ValueError, "differ in shape"),
    (np.array([1.0, np.nan, 2.0]), np.arange(3.0), ValueError, "finite"),
    ([1.0, 2.0], np.arange(2.0), TypeError, "numpy array or a tensor"),
    (np.array([1.0]), np.array([2.0]), ValueError, "at least two pixels"),
])
def test_rank_correlation_refuses_bad_maps(map_a, map_b, error, match):
    with pytest.raises(error, match=match):
        rank_correlation(map_a, map_b)


def test_disk_is_the_euclidean_footprint():
    from utils.evaluation import disk

    assert disk(0).tolist() == [[True]]
    assert disk(1).tolist() == [[False, True, False], [True, True, True], [False, True, False]]
    with pytest.raises(ValueError, match="radius"):
        disk(-1)
