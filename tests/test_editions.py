"""The student edition builds from the one source and every exercise stub is well-formed."""

from __future__ import annotations

import nbformat
import pytest

from tools import editions
from tools.course import notebooks

NOTEBOOKS = notebooks()


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    return notebook


def _solution(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["solution"]})


def _exercise(n: int) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(f"### Exercise {n}: try it")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_edition_is_well_formed(path):
    source = nbformat.read(path, as_version=4)
    student = editions.student_edition(source)
    assert editions.problems(source, student) == []
    nbformat.validate(student)


def test_build_writes_every_notebook(tmp_path):
    written = editions.build(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]


def test_stub_keeps_hint_and_drops_solution():
    source = _notebook(
        nbformat.v4.new_markdown_cell("# 99 · Title"),
        _exercise(1),
        _solution("# Hint: sort the scores.\n#   Then take the first.\nanswer = sorted(x)[0]"),
        nbformat.v4.new_markdown_cell("The answer is ...", metadata={"tags": ["solution"]}),
        _exercise(2),
        _solution("# Hint: use a loop.\ntotal = sum(x)"),
    )
    student = editions.student_edition(source)
    stub = student.cells[2].source
    assert stub.startswith("# Hint: sort the scores.\n#   Then take the first.")
    assert "sorted(x)" not in stub and stub.endswith("...")
    assert all("The answer is" not in c.source for c in student.cells)
    assert "Student edition" in student.cells[0].source
    assert editions.problems(source, student) == []


def test_solution_without_hint_is_refused():
    source = _notebook(_exercise(1), _solution("answer = 42"))
    with pytest.raises(ValueError, match="no leading '# Hint:' line"):
        editions.student_edition(source)


@pytest.mark.parametrize("cells, message", [
    ((_exercise(1), _solution("# Hint: h\nx = 1")), "1 exercises"),
    ((_exercise(1), _exercise(2), _solution("# Hint: h\nx = 1")), "has no solution cell"),
    ((_solution("# Hint: h\nx = 1"), _exercise(1), _exercise(2)),
     "solution cell comes before any"),
])
def test_problems_are_reported(cells, message):
    source = _notebook(*cells)
    found = editions.problems(source, editions.student_edition(source))
    assert any(message in problem for problem in found), found
