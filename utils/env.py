"""Runtime set-up for a notebook: seeds, thread counts, device choice and Colab detection."""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import numpy as np
import torch

T = TypeVar("T")

__all__ = ["in_colab", "colab_install_summary", "seed_everything", "set_threads", "get_device",
           "setup_notebook", "record_throughput", "measure_forward_rate", "progress",
           "CountingModel"]

_DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
# Batch sizes the forward-throughput floor tries, smallest first (measure_forward_rate).
FLOOR_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64)


def in_colab() -> bool:
    """True when running inside Google Colab (its module is already imported there)."""
    return "google.colab" in sys.modules


def colab_install_summary(distribution: str = "xai-course") -> str:
    """One line naming the libraries the setup cell's Colab branch installed (the course's
    ``colab`` extra, pinned to the tested versions) and the runtime's own torch and numpy it
    kept, with the versions now installed."""
    from importlib import metadata

    if not isinstance(distribution, str) or not distribution.strip():
        raise ValueError(f"distribution must be a package name, got {distribution!r}")
    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError as err:
        raise ValueError(f"{distribution!r} is not installed: nothing to summarise") from err
    names = [re.split(r"[=<>!~;\[ ]", r, maxsplit=1)[0] for r in requirements
             if re.search(r"extra\s*==\s*['\"]colab['\"]", r)]
    if not names:
        raise ValueError(f"{distribution!r} has no 'colab' extra")
    installed = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    kept = ", ".join(f"{name} {metadata.version(name)}" for name in ("torch", "numpy"))
    return f"installed for the course: {installed}; kept the runtime's {kept}"


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

    Called once in each notebook's setup cell; prints a one-line summary (on Colab, a second
    line with the versions the setup cell installed) and returns the device.
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
    if in_colab() or os.environ.get("XAI_COURSE_COLAB") == "1":
        print(colab_install_summary())  # what the setup cell's Colab branch installed
    return chosen


def _copies(example: object, n: int) -> object:
    """A batch of ``n`` copies of one input: a tensor or array gains a leading axis, a string
    becomes a list of strings."""
    if isinstance(example, str):
        return [example] * n
    if isinstance(example, torch.Tensor):
        return example.unsqueeze(0).repeat(n, *([1] * example.ndim))
    return np.repeat(np.asarray(example)[None], n, axis=0)


def measure_forward_rate(forward: Callable, example: object,
                         batch_sizes: Sequence[int] = FLOOR_BATCH_SIZES,
                         min_seconds: float = 0.5) -> tuple[float, int]:
    """The model's own throughput: inputs per second of ``forward`` on batches of copies of
    ``example``, with no explanation code around it, at the best of ``batch_sizes``. This is
    the floor a perturbation method's rate is compared with; returns ``(rate, best batch)``.

    A module runs under ``torch.inference_mode``. Larger batches are tried only while they
    keep up with the best rate so far, so the measurement takes a few seconds at most.
    """
    if not callable(forward):
        raise TypeError(f"forward must be a callable batch function, got {type(forward).__name__}")
    if not isinstance(example, str | torch.Tensor | np.ndarray):
        raise TypeError("example must be one input: a string, a tensor or an array, "
                        f"got {type(example).__name__}")
    sizes = list(batch_sizes)
    if not sizes or any(isinstance(b, bool) or not isinstance(b, int | np.integer) or b < 1
                        for b in sizes):
        raise ValueError(f"batch_sizes must be positive ints, got {batch_sizes!r}")
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, int | float) \
            or not min_seconds > 0:
        raise ValueError(f"min_seconds must be a positive number, got {min_seconds!r}")
    best_rate, best_batch = 0.0, int(sizes[0])
    with torch.inference_mode():
        forward(_copies(example, int(sizes[0])))  # warm-up: lazy allocations, kernel choice
        for size in sorted(int(b) for b in sizes):
            batch = _copies(example, size)
            calls, start = 0, time.perf_counter()
            while calls == 0 or time.perf_counter() - start < min_seconds:
                forward(batch)
                calls += 1
            rate = calls * size / (time.perf_counter() - start)
            if rate > best_rate:
                best_rate, best_batch = rate, size
            elif rate < 0.85 * best_rate:
                break  # past the best batch: memory traffic grows faster than the work
    return best_rate, best_batch


def record_throughput(method: str, evaluations: int, seconds: float,
                      forward: Callable | None = None, example: object = None) -> float:
    """Print a perturbation method's model evaluations per second (``seconds`` is the wall time
    of the whole method, library included) and, under ``make bench`` (which sets
    ``XAI_COURSE_BENCH_LOG``), record it for the benchmark table. Returns the rate.

    Under the bench, ``forward`` (the bare model, a batch function) and ``example`` (one input of
    the size the method sends) also give the model's own throughput in the same run, through
    :func:`measure_forward_rate`; the table prints the method's rate as a share of it.
    """
    if not isinstance(method, str) or not method.strip():
        raise ValueError(f"method must be a non-empty string, got {method!r}")
    if isinstance(evaluations, bool) or not isinstance(evaluations, int | np.integer):
        raise TypeError(f"evaluations must be an int, got {type(evaluations).__name__}")
    if evaluations < 1:
        raise ValueError(f"evaluations must be at least 1, got {evaluations}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    if (forward is None) != (example is None):
        raise ValueError("pass forward and example together (the bare model and one input), "
                         "or neither")
    if forward is not None and not callable(forward):
        raise TypeError(f"forward must be a callable batch function, got {type(forward).__name__}")
    rate = evaluations / seconds
    print(f"{method}: {evaluations} model evaluations in {seconds:.2f} s ({rate:,.0f} per second)")
    log = os.environ.get("XAI_COURSE_BENCH_LOG")
    if log:
        record = {"method": method, "evaluations": int(evaluations), "seconds": float(seconds)}
        if forward is not None:
            start = time.perf_counter()
            floor, batch = measure_forward_rate(forward, example)
            record |= {"floor": floor, "floor_batch": batch,
                       "floor_seconds": time.perf_counter() - start}
            print(f"  the bare model: {floor:,.0f} inputs per second (batch {batch}); "
                  f"the method runs at {rate / floor:.2f} of it")
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
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
