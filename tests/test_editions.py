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


HINTS = "# Hint: the idea.\n# Hint: the formula,\n#   continued.\n# Hint: the first line.\n"


def _check(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def test_stub_sets_the_answer_names_and_drops_solution():
    source = _notebook(
        nbformat.v4.new_markdown_cell("# 04 · Title"),
        _exercise(1),
        _solution(HINTS + "game = np.zeros(16)\nphi = game[:4]"),
        _check('check("04.1", game=game, phi=phi, leave_one_out=band, band=band)'),
        nbformat.v4.new_markdown_cell("The answer is ...", metadata={"tags": ["solution"]}),
    )
    student = editions.student_edition(source)
    stub = student.cells[2].source
    assert stub.startswith(editions.STUB_PLACEHOLDER) and 'hint("04.1")' in stub
    assert stub.endswith("game = ...\nphi = ...") and "np.zeros" not in stub
    assert "band = ..." not in stub  # band exists before the exercise: not the student's answer
    assert all("The answer is" not in c.source for c in student.cells)
    assert "Student edition" in student.cells[0].source


def test_a_real_exercise_layout_has_no_problems():
    source = _notebook(nbformat.v4.new_markdown_cell("# 04 · Title"), _exercise(1),
                       _solution(HINTS + "with_dancer = 1\nphi_dancer = 2\nloo = 3"),
                       _check('check("04.1", game=with_dancer, phi=phi_dancer, '
                              'leave_one_out=loo, band=band)'),
                       _exercise(2), _solution(HINTS + "a = 1\nb = 2\nexact = 3\nt = 4"),
                       _check('check("04.2", phi_default=a, phi_no_l1=b, exact=exact, total=t)'))
    assert editions.problems(source, editions.student_edition(source)) == []


def test_solution_without_hint_is_refused():
    source = _notebook(_exercise(1), _solution("answer = 42"), _check('check("04.1", a=answer)'))
    with pytest.raises(ValueError, match="no leading '# Hint:' line"):
        editions.student_edition(source)


def test_solution_without_check_is_refused():
    source = _notebook(_exercise(1), _solution(HINTS + "answer = 42"))
    with pytest.raises(ValueError, match="no check cell after it"):
        editions.student_edition(source)


def _layout(*cells):
    return _notebook(nbformat.v4.new_markdown_cell("# 04 · Title"), *cells)


@pytest.mark.parametrize("cells, message", [
    ((_exercise(1), _solution("# Hint: h\nx = 1"), _check('check("04.1", game=x)')),
     "1 exercises"),
    ((_exercise(1), _solution("# Hint: h\nx = 1"), _check('check("04.1", game=x)'),
      _exercise(2)), "has no solution cell"),
    ((_exercise(1), _solution("# Hint: only one\nx = 1"), _check('check("04.1", game=x)')),
     "has 1 hints"),
    ((_exercise(1), _solution(HINTS + "x = 1"), _check('check("04.2", game=x)')),
     "expected '04.1'"),
    ((_exercise(1), _solution(HINTS + "x = 1"), _check('check("04.1", game=band)')),
     "reads no name that the solution assigns"),
    ((_exercise(1), _solution(HINTS + "x = 1"), _check('check("04.1", gmae=x)')),
     "takes the keywords"),
    ((_exercise(1), _solution(HINTS + "x = 1"), _check('check("04.9", game=x)')),
     "no checker for exercise"),
])
def test_problems_are_reported(cells, message):
    source = _layout(*cells)
    found = editions.problems(source, editions.student_edition(source))
    assert any(message in problem for problem in found), found


def test_a_solution_before_any_exercise_is_reported():
    source = _layout(_solution(HINTS + "x = 1"), _check('check("04.1", game=x)'), _exercise(1),
                     _exercise(2))
    found = editions.problems(source, editions.student_edition(source))
    assert any("solution cell comes before any" in problem for problem in found), found
