"""utils.checks: each check returns the value it accepts and names the argument, the rule and
what it got when it refuses one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utils import checks


def test_check_int_accepts_numpy_integers_and_returns_an_int():
    value = checks.check_int("n", np.int64(3), 1, 5)
    assert value == 3 and type(value) is int


@pytest.mark.parametrize(("value", "low", "high", "error", "message"), [
    (True, None, None, TypeError, "n must be an int, got bool"),
    (2.0, None, None, TypeError, "n must be an int, got float"),
    (0, 1, None, ValueError, "n must be a positive int, got 0"),
    (-1, 0, None, ValueError, "n must be a non-negative int, got -1"),
    (1, 2, None, ValueError, "n must be an int >= 2, got 1"),
    (6, 1, 5, ValueError, r"n must be an int in \[1, 5\], got 6"),
    (6, None, 5, ValueError, "n must be an int <= 5, got 6"),
])
def test_check_int_rejects(value, low, high, error, message):
    with pytest.raises(error, match=message):
        checks.check_int("n", value, low, high)


def test_check_number_accepts_ints_and_returns_a_float():
    assert checks.check_number("x", 1, 0, 1) == 1.0


@pytest.mark.parametrize(("value", "kwargs", "error", "message"), [
    ("1", {}, TypeError, "x must be a number, got str"),
    (False, {}, TypeError, "x must be a number, got bool"),
    (float("nan"), {}, ValueError, "x must be a finite number, got nan"),
    (0.0, {"low": 0, "low_open": True}, ValueError, "x must be a positive number, got 0.0"),
    (-1, {"low": 0}, ValueError, "x must be a non-negative number, got -1"),
    (1.0, {"low": 0, "high": 1, "high_open": True}, ValueError,
     r"x must be a number in \[0, 1\), got 1.0"),
    (3, {"high": 2}, ValueError, "x must be a number <= 2, got 3"),
    (0.5, {"low": 1}, ValueError, "x must be a number >= 1, got 0.5"),
])
def test_check_number_rejects(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        checks.check_number("x", value, **kwargs)


def test_check_choice():
    assert checks.check_choice("sort", "value", ("value", "none")) == "value"
    with pytest.raises(ValueError, match=r"sort must be one of \('value', 'none'\), got 'x'"):
        checks.check_choice("sort", "x", ("value", "none"))
    with pytest.raises(ValueError, match=r"unknown photo 'cat'; choose one of \('dog',\)"):
        checks.check_choice("name", "cat", ("dog",), "photo")
    with pytest.raises(TypeError, match="name must be a string, got int"):
        checks.check_choice("name", 3, ("dog",))


@pytest.mark.parametrize("value", ["", "  ", None, 3])
def test_check_string_rejects(value):
    with pytest.raises(ValueError, match="method must be a non-empty string"):
        checks.check_string("method", value)


def test_check_callable():
    assert checks.check_callable("f", len) is len
    with pytest.raises(TypeError, match="f must be a batch function, got int"):
        checks.check_callable("f", 3, "a batch function")


def test_check_array_takes_tensors_and_arrays():
    np.testing.assert_array_equal(checks.check_array("m", torch.ones(2, 2), 2), np.ones((2, 2)))
    assert checks.check_array("m", np.zeros(0), allow_empty=True).size == 0


@pytest.mark.parametrize(("value", "kwargs", "error", "message"), [
    ([1.0], {}, TypeError, "m must be a numpy array or a tensor, got list"),
    (np.zeros(3), {"ndim": 2, "shape_hint": "(H, W)"}, ValueError,
     r"m must be 2-D \(H, W\), got shape \(3,\)"),
    (np.zeros((1, 1, 1)), {"ndim": (2, 4)}, ValueError, "m must be 2-D or 4-D"),
    (np.array(["a"]), {}, TypeError, "m must hold numbers, got dtype <U1"),
    (np.zeros((0, 2)), {}, ValueError, "m is empty"),
    (np.array([1.0, np.inf]), {}, ValueError, "m contains NaN or infinite values"),
])
def test_check_array_rejects(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        checks.check_array("m", value, **kwargs)
