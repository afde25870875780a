"""Student and instructor editions from one source.

In a notebook source, an exercise is a markdown cell whose first line starts ``### Exercise``,
followed by its solution: code cells tagged ``solution`` (``# %% tags=["solution"]``) that begin
with ``# Hint:`` comment lines, and optionally markdown cells tagged ``solution``. The student
edition keeps each solution cell's hint lines, replaces the rest by a stub, and drops solution
markdown; the instructor edition is the notebook as written.

    python -m tools.editions [OUT_DIR]     # writes the student edition (default build/student)
"""

from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path

import nbformat

from tools.course import BUILD_DIR, notebooks

SOLUTION_TAG = "solution"
HINT_PREFIX = "# Hint:"
STUB_LINES = ("# Your code here.", "...")
EXERCISE_PREFIX = "### Exercise"
STUDENT_NOTE = ("> **Student edition.** Exercise solutions are replaced by stubs with a hint; "
                "the instructor edition has them.")


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def hint_lines(source: str) -> list[str]:
    """The leading ``# Hint:`` comment lines of a solution cell (continuation comments kept)."""
    lines = source.splitlines()
    if not lines or not lines[0].startswith(HINT_PREFIX):
        return []
    kept = []
    for line in lines:
        if not line.startswith("#"):
            break
        kept.append(line)
    return kept


def student_edition(notebook: nbformat.NotebookNode,
                    keep_outputs: bool = False) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with solutions replaced by hint + stub. Outputs are cleared, or,
    with ``keep_outputs``, only the solutions' (the site's reading copy of an executed run)."""
    student = copy.deepcopy(notebook)
    cells = []
    for cell in student.cells:
        if cell.cell_type == "code" and (is_solution(cell) or not keep_outputs):
            cell.outputs, cell.execution_count = [], None
        if is_solution(cell):
            if cell.cell_type != "code":
                continue
            hints = hint_lines(cell.source)
            if not hints:
                raise ValueError(f"solution cell has no leading '{HINT_PREFIX}' line:\n"
                                 f"{cell.source[:200]}")
            cell.source = "\n".join([*hints, *STUB_LINES])
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != SOLUTION_TAG] + [
                "exercise"]
        cells.append(cell)
    if cells and cells[0].cell_type == "markdown":
        cells[0].source = cells[0].source + "\n\n" + STUDENT_NOTE
    student.cells = cells
    return student


def problems(source: nbformat.NotebookNode, student: nbformat.NotebookNode) -> list[str]:
    """What is wrong with an exercise layout or its student edition (empty list: well-formed)."""
    found = []
    exercises: list[list] = []  # [heading, number of solution code cells]
    for cell in source.cells:
        if cell.cell_type == "markdown" and cell.source.startswith(EXERCISE_PREFIX):
            exercises.append([cell.source.splitlines()[0], 0])
        elif cell.cell_type == "code" and is_solution(cell):
            if not exercises:
                found.append("a solution cell comes before any '### Exercise' heading")
            else:
                exercises[-1][1] += 1
            if not hint_lines(cell.source):
                found.append(f"solution cell lacks a leading '{HINT_PREFIX}' line")
    found += [f"{heading!r} has no solution cell" for heading, count in exercises if count == 0]
    if not 2 <= len(exercises) <= 4:
        found.append(f"{len(exercises)} exercises; the course asks for 2-4 per notebook")
    if any(is_solution(c) for c in student.cells):
        found.append("the student edition still contains solution cells")
    stubs = [c for c in student.cells if "exercise" in c.get("metadata", {}).get("tags", [])]
    if len(stubs) != sum(count for _, count in exercises):
        found.append("the student edition has a different number of stubs than solutions")
    for stub in stubs:
        try:
            ast.parse(stub.source)
        except SyntaxError as err:
            found.append(f"stub is not valid Python: {err}")
        if not stub.source.startswith(HINT_PREFIX) or STUB_LINES[0] not in stub.source:
            found.append(f"stub lacks its hint or placeholder:\n{stub.source}")
    return found


def build(out_dir: Path) -> list[Path]:
    """Write the student edition of every notebook into ``out_dir``; fail on malformed ones."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks():
        source = nbformat.read(path, as_version=4)
        student = student_edition(source)
        issues = problems(source, student)
        if issues:
            raise SystemExit(f"{path.name}: " + "; ".join(issues))
        nbformat.validate(student)
        target = out_dir / path.name
        nbformat.write(student, target)
        written.append(target)
    return written


if __name__ == "__main__":
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else BUILD_DIR / "student"
    for written_path in build(destination):
        print(f"student edition: {written_path}")
