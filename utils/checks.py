"""Argument checks for the public functions of ``utils``: each returns the checked value (as a
plain ``int``, ``float`` or ``numpy`` array) or raises an exception that names the argument,
what it must be and what it got, so that a student's mistake reads as a sentence."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["check_int", "check_number", "check_choice", "check_string", "check_callable",
           "check_array"]


def _integer_bounds(low: int | None, high: int | None) -> str:
    if high is None:
        return {0: "a non-negative int", 1: "a positive int"}.get(low, f"an int >= {low}")
    if low is None:
        return f"an int <= {high}"
    return f"an int in [{low}, {high}]"


def check_int(name: str, value: object, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` (numpy integers accepted, ``bool`` refused) within
    ``[low, high]`` (either bound may be ``None``)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {_integer_bounds(low, high)}, got {value!r}")
    return int(value)


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if high is None:
        if low == 0:
            return "a positive number" if low_open else "a non-negative number"
        return f"a number {'>' if low_open else '>='} {low}"
    if low is None:
        return f"a number {'<' if high_open else '<='} {high}"
    return f"a number in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"


def check_number(name: str, value: object, low: float | None = None, high: float | None = None,
                 *, low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite ``float`` (ints accepted, ``bool`` refused) within the interval
    from ``low`` to ``high``; ``low_open``/``high_open`` exclude the bound itself."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        raise ValueError(f"{name} must be {_interval(low, high, low_open, high_open)}, "
                         f"got {value!r}")
    return number


def check_choice(name: str, value: object, choices: Sequence[str], what: str | None = None
                 ) -> str:
    """``value``, which must be one of the strings ``choices``. With ``what`` (for example
    "tabular dataset") the error reads "unknown tabular dataset 'x'; choose one of ..."."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if value not in choices:
        if what:
            raise ValueError(f"unknown {what} {value!r}; choose one of {tuple(choices)}")
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def check_string(name: str, value: object) -> str:
    """``value``, which must be a string with something in it besides spaces."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_callable(name: str, value: object, what: str = "a callable") -> Callable:
    """``value``, which must be callable (a model's batch function, a scorer, ...)."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def check_array(name: str, value: object, ndim: int | Sequence[int] | None = None,
                shape_hint: str = "", finite: bool = True, allow_empty: bool = False
                ) -> np.ndarray:
    """``value`` as a numpy array (a torch tensor is detached and copied to the CPU) with one of
    the allowed numbers of dimensions, holding numbers, not empty and, by default, finite.
    ``shape_hint`` (for example "(H, W)") is shown when the dimensions are wrong."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array or a tensor, got {type(value).__name__}")
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim) if ndim is not None else ()
    if allowed and value.ndim not in allowed:
        dims = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {dims}{' ' + shape_hint if shape_hint else ''}, "
                         f"got shape {value.shape}")
    if value.dtype.kind not in "biufc":
        raise TypeError(f"{name} must hold numbers, got dtype {value.dtype}")
    if value.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty")
    if finite and value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return value
