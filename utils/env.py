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

from utils.checks import check_callable, check_choice, check_int, check_number, check_string

T = TypeVar("T")

__all__ = ["in_colab", "colab_install_summary", "datasets_offline", "seed_everything",
           "set_threads", "get_device", "setup_notebook", "record_throughput",
           "measure_forward_rate", "warm_up_shap", "progress", "CountingModel"]

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

    check_string("distribution", distribution)
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
    seed = check_int("seed", seed, 0, 2**32 - 1)
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
    n = check_int("the thread count (argument n or XAI_COURSE_THREADS)", n, 1)
    torch.set_num_threads(n)
    return n


def get_device(prefer: str = "auto") -> torch.device:
    """Return the device to compute on: ``"auto"`` takes CUDA, then Apple MPS, then the CPU;
    naming a device that is not available raises instead of silently falling back."""
    check_choice("prefer", prefer, _DEVICE_CHOICES)
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if prefer == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if prefer == "cuda" and not cuda:
        raise RuntimeError("device 'cuda' was asked for but no CUDA GPU is available")
    if prefer == "mps" and not mps:
        raise RuntimeError("device 'mps' was asked for but Apple's MPS backend is not available")
    return torch.device(prefer)


def datasets_offline() -> None:
    """Switch Hugging Face ``datasets`` to offline mode (``HF_DATASETS_OFFLINE=1``, unless the
    user set it) and silence its progress bars: the course builds every Dataset from shipped
    files, so a connection attempt could only be a mistake."""
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if "datasets" in sys.modules:  # imported already: its config read the old values
        import datasets

        offline = os.environ["HF_DATASETS_OFFLINE"].upper() in datasets.config.ENV_VARS_TRUE_VALUES
        datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = offline
        datasets.disable_progress_bars()


def setup_notebook(seed: int = 0, threads: int | None = None, device: str = "auto") -> torch.device:
    """Seed every RNG, fix threads, apply the course's plot style and pick the device.

    Called once in each notebook's setup cell; prints a one-line summary (on Colab, a second
    line with the versions the setup cell installed) and returns the device.
    """
    from utils.plotting import set_style

    seed_everything(seed)
    datasets_offline()
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
    keep up with the best rate so far, so the measurement takes a few seconds at most. The best
    batch is then timed again for three times as long and that rate is returned: the largest of
    several short, noisy timings would overstate the floor.
    """
    check_callable("forward", forward, "a callable batch function")
    if not isinstance(example, str | torch.Tensor | np.ndarray):
        raise TypeError("example must be one input: a string, a tensor or an array, "
                        f"got {type(example).__name__}")
    if not list(batch_sizes):
        raise ValueError("batch_sizes is empty")
    sizes = sorted(check_int("each of batch_sizes", b, 1) for b in batch_sizes)
    check_number("min_seconds", min_seconds, 0, low_open=True)
    def rate_at(size: int, seconds: float) -> float:
        """Inputs per second of ``forward`` on ``size`` copies, timed for at least ``seconds``."""
        batch = _copies(example, size)
        calls, start = 0, time.perf_counter()
        while calls == 0 or time.perf_counter() - start < seconds:
            forward(batch)
            calls += 1
        return calls * size / (time.perf_counter() - start)

    best_rate, best_batch = 0.0, sizes[0]
    with torch.inference_mode():
        forward(_copies(example, sizes[0]))  # warm-up: lazy allocations, kernel choice
        for size in sizes:
            rate = rate_at(size, min_seconds)
            if rate > best_rate:
                best_rate, best_batch = rate, size
            elif rate < 0.85 * best_rate:
                break  # past the best batch: memory traffic grows faster than the work
        return rate_at(best_batch, 3 * min_seconds), best_batch


def record_throughput(method: str, evaluations: int, seconds: float,
                      forward: Callable | None = None, example: object = None) -> float:
    """Print a perturbation method's model evaluations per second (``seconds`` is the wall time
    of the whole method, library included) and, under ``make bench`` (which sets
    ``XAI_COURSE_BENCH_LOG``), record it for the benchmark table. Returns the rate.

    Under the bench, ``forward`` (the bare model, a batch function) and ``example`` (one input of
    the size the method sends) also give the model's own throughput in the same run, through
    :func:`measure_forward_rate`; the table prints the method's rate as a share of it.
    """
    check_string("method", method)
    evaluations = check_int("evaluations", evaluations, 1)
    seconds = check_number("seconds", seconds, 0, low_open=True)
    if (forward is None) != (example is None):
        raise ValueError("pass forward and example together (the bare model and one input), "
                         "or neither")
    if forward is not None:
        check_callable("forward", forward, "a callable batch function")
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


def warm_up_shap(outputs: int = 1, dtype: str = "float64") -> None:
    """Compile shap's numba helpers for a Partition explanation whose model returns ``outputs``
    scores of ``dtype`` per input (a 1-D array when ``outputs`` is 1, row-major otherwise).

    shap compiles them on the first such explanation in a process, a second or more, once per
    dtype and memory layout of the model's output. A tiny explanation of a constant model does
    it here, so that a timed explanation measures the method and not the compiler.
    """
    import shap

    outputs = check_int("outputs", outputs, 1)
    check_choice("dtype", dtype, ("float32", "float64"))
    shape = (outputs,) if outputs > 1 else ()

    def constant(images: np.ndarray) -> np.ndarray:
        return np.zeros((len(images), *shape), dtype=dtype)

    explainer = shap.Explainer(constant, shap.maskers.Image("blur(4,4)", (8, 8, 3)))
    explainer(np.zeros((1, 8, 8, 3), np.float32), max_evals=8, silent=True)


def progress(iterable: Iterable[T], description: str, total: int | None = None) -> Iterable[T]:
    """Wrap a loop that a reader waits on for more than about ten seconds in a tqdm progress
    bar (a widget where ipywidgets is installed, as on Colab; text elsewhere). The bar is off
    when ``TQDM_DISABLE=1`` or ``CI`` is set, as under ``make run`` and ``make test``."""
    if not isinstance(iterable, Iterable):
        raise TypeError(f"iterable must be iterable, got {type(iterable).__name__}")
    check_string("description", description)
    if total is not None:
        check_int("total", total, 1)
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
        check_callable("f", f, "a callable batch function")
        self.f = f
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, batch):
        start = time.perf_counter()
        output = self.f(batch)
        self.seconds += time.perf_counter() - start
        self.calls += len(batch)
        return output
