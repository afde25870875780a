"""Exercise checkers and escalating hints for the notebooks.

``check("04.1", phi=phi, game=game)`` tests the properties a right answer must have (not a
stored answer) and prints one line: correct and what that shows, the first property that fails
with its numbers, or "not attempted yet" while a stub's ``...`` is still there. It never raises
on a student's answer, so a student edition runs top to bottom; a course run (which sets
``XAI_COURSE_STRICT_CHECKS=1``) turns a failed check into an error.

``hint("04.1")`` prints the next of the exercise's hints each time it is called. The hints are
the ``# Hint:`` lines of the solution cell in the notebook's source, so there is one place to
edit them. Each notebook's checkers live in ``utils/exercises/nNN.py``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["check", "hint", "evaluate", "Verdict", "Wrong", "checker", "hint_levels",
           "exercise_hints", "expect", "expect_close", "expect_sums_to", "expect_array",
           "NOTEBOOK_DIR"]

EXERCISE_ID = re.compile(r"^(\d\d)\.(\d+)$")
HINT_PREFIX = "# Hint:"
NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
STRICT_ENV = "XAI_COURSE_STRICT_CHECKS"

_CHECKERS: dict[str, Callable[..., str]] = {}
_HINTS_SHOWN: dict[str, int] = {}


class Wrong(Exception):
    """A property a right answer must have does not hold; the message names it, with numbers."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``status`` is "correct", "incorrect" or "not attempted"."""

    exercise: str
    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def line(self) -> str:
        """The one line ``check`` prints."""
        mark = {"correct": "✓", "incorrect": "✗", "not attempted": "·"}[self.status]
        return f"{mark} Exercise {self.exercise}: {self.message}"


def _exercise_id(exercise: object) -> tuple[str, str]:
    if not isinstance(exercise, str):
        raise TypeError(f"exercise must be a string such as '04.1', got {type(exercise).__name__}")
    match = EXERCISE_ID.match(exercise)
    if match is None:
        raise ValueError(f"exercise must look like '04.1' (notebook number, a dot, the exercise "
                         f"number), got {exercise!r}")
    return match.group(1), match.group(2)


def checker(exercise: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register the decorated function as the checker of ``exercise``. It receives the
    answer's keyword arguments, raises ``Wrong`` at the first failed property and returns the
    success message (what a right answer shows)."""
    _exercise_id(exercise)

    def register(function: Callable[..., str]) -> Callable[..., str]:
        if exercise in _CHECKERS:
            raise ValueError(f"exercise {exercise} already has a checker")
        _CHECKERS[exercise] = function
        return function

    return register


def _checker_for(exercise: str) -> Callable[..., str]:
    notebook, _ = _exercise_id(exercise)
    if exercise not in _CHECKERS:
        try:
            importlib.import_module(f"{__name__}.n{notebook}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.n{notebook}":
                raise
    if exercise not in _CHECKERS:
        known = ", ".join(sorted(_CHECKERS)) or "none loaded"
        raise ValueError(f"no checker for exercise {exercise!r} (known: {known})")
    return _CHECKERS[exercise]


def evaluate(exercise: str, **answer: object) -> Verdict:
    """The verdict on ``answer`` without printing it (``check`` prints it)."""
    function = _checker_for(exercise)
    try:
        inspect.signature(function).bind(**answer)
    except TypeError as err:
        expected = ", ".join(inspect.signature(function).parameters)
        raise TypeError(f"check({exercise!r}, ...) takes the keywords {expected}: {err}") from None
    missing = [name for name, value in answer.items() if value is Ellipsis]
    if missing:
        return Verdict(exercise, "not attempted", "not attempted yet: replace the stub's `...` "
                       f"with your answer ({len(missing)} of {len(answer)} inputs missing), then "
                       "run this cell again")
    try:
        message = function(**answer)
    except Wrong as wrong:
        return Verdict(exercise, "incorrect", str(wrong))
    return Verdict(exercise, "correct", message)


def check(exercise: str, **answer: object) -> None:
    """Print whether ``answer`` has the properties a right answer to ``exercise`` must have.
    Raises only for a failed check in a course run (``XAI_COURSE_STRICT_CHECKS=1``)."""
    verdict = evaluate(exercise, **answer)
    print(verdict.line)
    if verdict.status == "incorrect" and os.environ.get(STRICT_ENV) == "1":
        raise AssertionError(verdict.line)


def hint_levels(source: str) -> list[str]:
    """The hints of a solution cell, in order: each leading ``# Hint:`` line starts one, and
    the comment lines after it continue it."""
    levels: list[str] = []
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(HINT_PREFIX):
            levels.append(line[len(HINT_PREFIX):].strip())
        elif levels:
            levels[-1] += " " + line.lstrip("#").strip()
    return levels


def exercise_hints(exercise: str, notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """The hints of ``exercise``, read from its notebook's solution cell."""
    notebook, number = _exercise_id(exercise)
    paths = sorted(Path(notebook_dir).glob(f"{notebook}_*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebook {notebook}_*.ipynb in {notebook_dir}; hints are "
                                "read from the course's notebooks folder")
    cells = json.loads(paths[0].read_text(encoding="utf-8"))["cells"]
    heading = f"### Exercise {number}:"
    for position, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith(heading):
            for later in cells[position + 1:]:
                if "solution" in later.get("metadata", {}).get("tags", []) and \
                        later["cell_type"] == "code":
                    return hint_levels("".join(later["source"]))
    raise ValueError(f"{paths[0].name} has no exercise {number} with a solution cell")


def hint(exercise: str) -> None:
    """Print the next hint of ``exercise``: the first call gives the idea, later calls more."""
    levels = exercise_hints(exercise)
    shown = _HINTS_SHOWN.get(exercise, 0)
    if shown >= len(levels):
        print(f"Exercise {exercise}: that was the last of its {len(levels)} hints; the "
              "instructor edition has a worked solution.")
        return
    _HINTS_SHOWN[exercise] = shown + 1
    print(f"Hint {shown + 1} of {len(levels)} for exercise {exercise}: {levels[shown]}")


def expect(condition: bool, message: str) -> None:
    """Raise ``Wrong(message)`` unless ``condition`` holds."""
    if not condition:
        raise Wrong(message)


def expect_array(name: str, value: object, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``value`` as a finite float array (of ``shape``, where given), or ``Wrong``."""
    try:
        array = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value,
                           dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{name} should be an array of numbers, got {type(value).__name__}") from None
    expect(shape is None or array.shape == tuple(shape),
           f"{name} should have shape {tuple(shape or ())}, got {array.shape}")
    expect(bool(np.all(np.isfinite(array))), f"{name} holds NaN or infinite values")
    return array


def expect_close(name: str, value: object, target: object, what: str, *, atol: float = 1e-6,
                 rtol: float = 1e-6) -> None:
    """``Wrong`` unless ``value`` equals ``target`` (described as ``what``) within tolerance."""
    value_array, target_array = expect_array(name, value), expect_array(what, target)
    expect(value_array.shape == target_array.shape,
           f"{name} has shape {value_array.shape}, {what} has shape {target_array.shape}")
    if not np.allclose(value_array, target_array, atol=atol, rtol=rtol):
        if value_array.size == 1:
            raise Wrong(f"{name} is {value_array.item():.4g}, {what} is {target_array.item():.4g}")
        worst = np.max(np.abs(value_array - target_array))
        raise Wrong(f"{name} differs from {what} by up to {worst:.3g}")


def expect_sums_to(name: str, values: object, total: float, what: str, *, atol: float = 1e-6,
                   rtol: float = 1e-6) -> None:
    """``Wrong`` unless ``values`` add up to ``total`` (efficiency, completeness)."""
    observed = float(expect_array(name, values).sum())
    if not np.isclose(observed, total, atol=atol, rtol=rtol):
        raise Wrong(f"your {name} sum to {observed:.4g}, {what} is {total:.4g}")
