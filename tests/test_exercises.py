"""The exercise framework: check's three verdicts, escalating hints read from the notebooks,
clear errors for a misused check, and every student stub reported as not attempted."""

from __future__ import annotations

import ast

import nbformat
import numpy as np
import pytest

import utils.exercises as exercises
from tools import editions
from tools.course import notebooks
from utils.exercises import Wrong, check, evaluate, expect_close, expect_sums_to, hint
from utils.exercises.n04 import shapley_by_orders

NOTEBOOKS = notebooks()


@pytest.fixture(autouse=True)
def fresh_hints(monkeypatch):
    monkeypatch.setattr(exercises, "_HINTS_SHOWN", {})
    monkeypatch.delenv(exercises.STRICT_ENV, raising=False)


def _band_answer(bonus: float = 40.0) -> dict:
    band = np.array([0, 10, 20, 40, 30, 50, 60, 90], dtype=float)
    game = np.concatenate([band, band + bonus * ((np.arange(8) & 4) > 0)])
    phi = shapley_by_orders(game)
    loo = np.array([game[-1] - game[15 & ~(1 << i)] for i in range(4)])
    return {"game": game, "phi": phi, "leave_one_out": loo, "band": band}


def test_check_prints_correct_with_what_it_shows(capsys):
    check("04.1", **_band_answer())
    line = capsys.readouterr().out.strip()
    assert line.startswith("✓ Exercise 04.1: efficiency holds") and "\n" not in line


def test_check_prints_the_first_failed_property_without_raising(capsys):
    answer = _band_answer()
    answer["phi"] = answer["phi"] * -1  # a sign flip
    check("04.1", **answer)
    line = capsys.readouterr().out.strip()
    assert line.startswith("✗ Exercise 04.1: your Shapley values sum to -")


def test_strict_mode_turns_a_wrong_answer_into_an_error(monkeypatch, capsys):
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    answer = _band_answer()
    answer["phi"] = answer["phi"] * -1
    with pytest.raises(AssertionError, match="Exercise 04.1"):
        check("04.1", **answer)


def test_a_stub_is_not_attempted_even_in_strict_mode(monkeypatch, capsys):
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    check("04.1", game=..., phi=..., leave_one_out=..., band=np.zeros(8))
    line = capsys.readouterr().out.strip()
    assert line == ("· Exercise 04.1: not attempted yet: replace the stub's `...` with your "
                    "answer (3 of 4 inputs missing), then run this cell again")


def test_verdict_is_truthy_only_when_correct():
    assert evaluate("04.1", **_band_answer())
    assert not evaluate("04.1", **_band_answer(bonus=20.0))
    assert evaluate("04.1", **_band_answer(bonus=20.0)).status == "incorrect"


@pytest.mark.parametrize("exercise, error, message", [
    (4.1, TypeError, "must be a string"),
    ("4.1", ValueError, "must look like '04.1'"),
    ("04.9", ValueError, "no checker for exercise '04.9'"),
    ("99.1", ValueError, "no checker for exercise '99.1'"),
])
def test_bad_exercise_ids_are_refused(exercise, error, message):
    with pytest.raises(error, match=message):
        check(exercise, game=...)


def test_wrong_keywords_name_the_expected_ones():
    with pytest.raises(TypeError, match="takes the keywords game, phi, leave_one_out, band"):
        check("04.1", gmae=...)


def test_a_checker_is_registered_once():
    with pytest.raises(ValueError, match="already has a checker"):
        exercises.checker("04.1")(lambda: "")


def test_hint_levels_split_at_each_hint_line():
    source = "# Hint: the idea,\n#   continued.\n# Hint: the formula.\n# a note\nx = 1\n# later"
    assert exercises.hint_levels(source) == ["the idea, continued.", "the formula. a note"]


def test_hints_escalate_then_say_there_are_no_more(capsys):
    levels = exercises.exercise_hints("04.1")
    assert len(levels) >= 3
    for _ in range(len(levels) + 1):
        hint("04.1")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"Hint 1 of {len(levels)} for exercise 04.1: {levels[0]}"
    assert lines[1].startswith(f"Hint 2 of {len(levels)}")
    assert "that was the last" in lines[-1]


def test_hints_need_the_notebooks(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebook 04_"):
        exercises.exercise_hints("04.1", notebook_dir=tmp_path)


@pytest.mark.parametrize("call, message", [
    (lambda: expect_close("phi", [1.0], [2.0], "the target"), "phi is 1, the target is 2"),
    (lambda: expect_close("phi", [1.0, 2.0], [1.0], "the target"), "has shape (2,)"),
    (lambda: expect_close("phi", [1.0, np.nan], [1.0, 1.0], "t"), "NaN or infinite"),
    (lambda: expect_close("phi", "abc", [1.0], "t"), "should be an array of numbers"),
    (lambda: expect_sums_to("values", [1.0, 2.0], 4.0, "f(x) - E[f]"),
     "your values sum to 3, f(x) - E[f] is 4"),
])
def test_property_helpers_say_what_failed(call, message):
    with pytest.raises(Wrong) as raised:
        call()
    assert message in str(raised.value)


def _exercise_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(stub source, check source) for each exercise of a student edition."""
    cells, pairs = notebook.cells, []
    for position, cell in enumerate(cells):
        if "exercise" in cell.get("metadata", {}).get("tags", []):
            checking = next(c for c in cells[position + 1:] if editions.check_call(c))
            pairs.append((cell.source, checking.source))
    return pairs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_student_stub_is_reported_as_not_attempted(path, capsys):
    student = editions.student_edition(nbformat.read(path, as_version=4))
    pairs = _exercise_cells(student)
    assert pairs, "no exercise stubs"
    for stub, checking in pairs:
        namespace = {"check": check, "hint": hint}
        exec(compile(stub, "stub", "exec"), namespace)
        for name in (n.id for n in ast.walk(ast.parse(checking)) if isinstance(n, ast.Name)):
            namespace.setdefault(name, object())  # what the notebook defined before
        exec(compile(checking, "check", "exec"), namespace)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(pairs) and all("not attempted yet" in line for line in lines), lines
