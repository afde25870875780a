"""Runtime set-up for a notebook: seeds, thread counts, device choice and Colab detection."""

from __future__ import annotations

import json
import os
import random
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np
import torch

T = TypeVar("T")

__all__ = ["in_colab", "seed_everything", "set_threads", "get_device", "setup_notebook",
           "record_throughput", "progress", "CountingModel"]

_DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def in_colab() -> bool:
    """True when running inside Google Colab (its module is already imported there)."""
    return "google.colab" in sys.modules


def seed_everything(seed: int = 0) -> int:
    """Seed Python's, NumPy's and PyTorch's RNGs so that every run prints the same numbers."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by subprocesses
    return seed


def set_threads(n: int | None = None) -> int:
    """Fix the number of CPU threads torch uses; ``None`` reads ``XAI_COURSE_THREADS`` or uses
    at most 4 cores. Fixed counts keep timings comparable and floating-point sums repeatable."""
    if n is None:
        env = os.environ.get("XAI_COURSE_THREADS")
        if env is not None:
            try:
                n = int(env)
            except ValueError as err:
                raise ValueError(f"XAI_COURSE_THREADS must be an integer, got {env!r}") from err
        else:
            n = min(4, os.cpu_count() or 1)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int or None, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"thread count must be at least 1 (argument n or XAI_COURSE_THREADS), "
                         f"got {n}")
    torch.set_num_threads(n)
    return n


def get_device(prefer: str = "auto") -> torch.device:
    """Return the device to compute on: ``"auto"`` takes CUDA, then Apple MPS, then the CPU;
    naming a device that is not available raises instead of silently falling back."""
    if prefer not in _DEVICE_CHOICES:
        raise ValueError(f"prefer must be one of {_DEVICE_CHOICES}, got {prefer!r}")
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if prefer == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if prefer == "cuda" and not cuda:
        raise RuntimeError("device 'cuda' was asked for but no CUDA GPU is available")
    if prefer == "mps" and not mps:
        raise RuntimeError("device 'mps' was asked for but Apple's MPS backend is not available")
    return torch.device(prefer)


def setup_notebook(seed: int = 0, threads: int | None = None, device: str = "auto") -> torch.device:
    """Seed every RNG, fix threads, apply the course's plot style and pick the device.

    Called once in each notebook's setup cell; prints a one-line summary and returns the device.
    """
    from utils.plotting import set_style

    seed_everything(seed)
    # lime and shap import tqdm.auto, which warns in every kernel without ipywidgets.
    warnings.filterwarnings("ignore", message="IProgress not found")
    n_threads = set_threads(threads)
    chosen = get_device(device)
    set_style()
    where = "Colab" if in_colab() else "local"
    print(f"seed={seed} | threads={n_threads} | device={chosen} | "
          f"torch {torch.__version__} | {where}")
    return chosen


def record_throughput(method: str, evaluations: int, seconds: float) -> float:
    """Print a perturbation method's model evaluations per second and, under ``make bench``
    (which sets ``XAI_COURSE_BENCH_LOG``), record it for the benchmark table. Returns the rate."""
    if not isinstance(method, str) or not method.strip():
        raise ValueError(f"method must be a non-empty string, got {method!r}")
    if isinstance(evaluations, bool) or not isinstance(evaluations, int | np.integer):
        raise TypeError(f"evaluations must be an int, got {type(evaluations).__name__}")
    if evaluations < 1:
        raise ValueError(f"evaluations must be at least 1, got {evaluations}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    rate = evaluations / seconds
    print(f"{method}: {evaluations} model evaluations in {seconds:.2f} s ({rate:,.0f} per second)")
    log = os.environ.get("XAI_COURSE_BENCH_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"method": method, "evaluations": int(evaluations),
                                     "seconds": float(seconds)}) + "\n")
    return rate


def progress(iterable: Iterable[T], description: str, total: int | None = None) -> Iterable[T]:
    """Wrap a loop that a reader waits on for more than about ten seconds in a tqdm progress
    bar (a widget where ipywidgets is installed, as on Colab; text elsewhere). The bar is off
    when ``TQDM_DISABLE=1`` or ``CI`` is set, as under ``make run`` and ``make test``."""
    if not isinstance(iterable, Iterable):
        raise TypeError(f"iterable must be iterable, got {type(iterable).__name__}")
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"description must be a non-empty string, got {description!r}")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int | np.integer)
                              or total < 1):
        raise ValueError(f"total must be a positive int or None, got {total!r}")
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    quiet = os.environ.get("TQDM_DISABLE", "") not in ("", "0") or bool(os.environ.get("CI"))
    return tqdm(iterable, desc=description, total=total, disable=quiet, leave=False)


class CountingModel:
    """Wrap a batch prediction function to count the inputs an explainer sends it and the
    seconds spent inside it: the two numbers :func:`record_throughput` needs."""

    def __init__(self, f: Callable) -> None:
        if not callable(f):
            raise TypeError(f"f must be a callable batch function, got {type(f).__name__}")
        self.f = f
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, batch):
        start = time.perf_counter()
        output = self.f(batch)
        self.seconds += time.perf_counter() - start
        self.calls += len(batch)
        return output
