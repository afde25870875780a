"""Student and instructor editions from one source.

In a notebook source, an exercise is a markdown cell whose first line starts ``### Exercise``,
followed by its solution: a code cell tagged ``solution`` (``# %% tags=["solution"]``) that
begins with its hints (``# Hint:`` lines, at least ``MIN_HINTS``: the idea, the formula, the
first line of code), then a check cell ``check("NN.k", name=value, ...)`` that is not tagged,
and optionally markdown cells tagged ``solution``. The student edition replaces each solution
by a stub that sets the answer's names (those the check reads and the solution assigns) to
``...``, so the check prints "not attempted yet" until the student writes an answer, and drops
solution markdown; ``hint("NN.k")`` reads the hints from the source. The instructor edition is
the notebook as written.

    python -m tools.editions [OUT_DIR]     # writes the student edition (default build/student)
    python -m tools.editions --execute [OUT_DIR]   # ... and runs it: nothing raises, every
                                                   # check says "not attempted yet"
"""

from __future__ import annotations

import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

from tools.course import BUILD_DIR, notebooks
from utils.exercises import HINT_PREFIX, hint_levels
from utils.exercises import evaluate as evaluate_answer

SOLUTION_TAG = "solution"
EXERCISE_PREFIX = "### Exercise"
MIN_HINTS = 3
STUB_PLACEHOLDER = "# Your code here."
STUDENT_NOTE = ("> **Student edition.** Each exercise has a stub to fill in, a `check` cell that "
                "says whether your answer is right, and hints: `hint(\"NN.k\")` prints the next "
                "one each time. The instructor edition has the solutions.")
NOTEBOOK_NUMBER = re.compile(r"^# (\d\d) ")


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


def check_call(cell: nbformat.NotebookNode) -> tuple[str, dict[str, str]] | None:
    """The exercise id and keyword-to-name map of a check cell, or ``None`` for another cell."""
    if cell.cell_type != "code" or is_solution(cell):
        return None
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == "check" and call.args and isinstance(call.args[0], ast.Constant)):
        return None
    names = {k.arg: k.value.id for k in call.keywords if isinstance(k.value, ast.Name)}
    return str(call.args[0].value), names


def assigned_names(source: str) -> set[str]:
    """The names a cell binds at its top level (assignments, defs, for targets, imports)."""
    bound = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
    return bound


def answer_names(solution: str, names: dict[str, str]) -> list[str]:
    """The names a check reads that its solution cell creates: what the student must supply."""
    bound = assigned_names(solution)
    return [name for name in dict.fromkeys(names.values()) if name in bound]


def _following_check(cells: list, position: int) -> tuple[str, dict[str, str]] | None:
    for cell in cells[position + 1:]:
        if cell.cell_type == "markdown" and cell.source.startswith(EXERCISE_PREFIX):
            return None
        found = check_call(cell)
        if found:
            return found
    return None


def stub(exercise: str, names: list[str]) -> str:
    """The student's stub: where to write, how to get hints, and the answer's names set to
    ``...`` so that the check says "not attempted yet"."""
    lines = [f"{STUB_PLACEHOLDER} Then run the check cell below.",
             f"# Stuck? hint(\"{exercise}\") prints a hint; each call gives the next one.",
             *(f"{name} = ..." for name in names)]
    return "\n".join(lines)


def student_edition(notebook: nbformat.NotebookNode,
                    keep_outputs: bool = False) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with solutions replaced by stubs. Outputs are cleared, or, with
    ``keep_outputs``, only the solutions' and the checks' (the site's reading copy of a run)."""
    student = copy.deepcopy(notebook)
    cells = []
    for position, cell in enumerate(student.cells):
        solution, checking = is_solution(cell), check_call(cell) is not None
        if cell.cell_type == "code" and (solution or checking or not keep_outputs):
            cell.outputs, cell.execution_count = [], None
        if solution:
            if cell.cell_type != "code":
                continue
            if not hint_lines(cell.source):
                raise ValueError(f"solution cell has no leading '{HINT_PREFIX}' line:\n"
                                 f"{cell.source[:200]}")
            found = _following_check(student.cells, position)
            if found is None:
                raise ValueError(f"solution cell has no check cell after it:\n"
                                 f"{cell.source[:200]}")
            exercise, names = found
            cell.source = stub(exercise, answer_names(cell.source, names))
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != SOLUTION_TAG] + [
                "exercise"]
        cells.append(cell)
    if cells and cells[0].cell_type == "markdown":
        cells[0].source = cells[0].source + "\n\n" + STUDENT_NOTE
    student.cells = cells
    return student


def _exercise_problems(number: str, k: int, solutions: list[str],
                       found: tuple[str, dict[str, str]] | None) -> list[str]:
    where = f"exercise {k}"
    if not solutions:
        return [f"{where} has no solution cell"]
    problems = [f"{where}: its solution has {len(levels)} hints, the course asks for at least "
                f"{MIN_HINTS} (idea, formula, first line of code)"
                for levels in map(hint_levels, solutions) if len(levels) < MIN_HINTS]
    if found is None:
        return [*problems, f"{where} has no check cell"]
    exercise, names = found
    if exercise != f"{number}.{k}":
        problems.append(f"{where}: its check cell names {exercise!r}, expected '{number}.{k}'")
    if not answer_names("\n".join(solutions), names):
        problems.append(f"{where}: the check reads no name that the solution assigns, so a "
                        "stub cannot mark it as not attempted")
    try:
        verdict = evaluate_answer(exercise, **{keyword: ... for keyword in names})
    except (TypeError, ValueError) as err:
        problems.append(f"{where}: {err}")
    else:
        if verdict.status != "not attempted":
            problems.append(f"{where}: its checker does not report a stub as not attempted")
    return problems


def problems(source: nbformat.NotebookNode, student: nbformat.NotebookNode) -> list[str]:
    """What is wrong with an exercise layout or its student edition (empty list: well-formed)."""
    found = []
    title = source.cells[0].source if source.cells else ""
    number = NOTEBOOK_NUMBER.match(title)
    exercises: list[dict] = []
    for position, cell in enumerate(source.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(EXERCISE_PREFIX):
            exercises.append({"solutions": [], "check": _following_check(source.cells, position)})
        elif cell.cell_type == "code" and is_solution(cell):
            if not exercises:
                found.append("a solution cell comes before any '### Exercise' heading")
            else:
                exercises[-1]["solutions"].append(cell.source)
            if not hint_lines(cell.source):
                found.append(f"solution cell lacks a leading '{HINT_PREFIX}' line")
    if exercises and number is None:
        found.append("the first cell's title does not start with the notebook number '# NN '")
    elif number is not None:
        for k, exercise in enumerate(exercises, start=1):
            found += _exercise_problems(number.group(1), k, exercise["solutions"],
                                        exercise["check"])
    if not 2 <= len(exercises) <= 4:
        found.append(f"{len(exercises)} exercises; the course asks for 2-4 per notebook")
    if any(is_solution(c) for c in student.cells):
        found.append("the student edition still contains solution cells")
    stubs = [c for c in student.cells if "exercise" in c.get("metadata", {}).get("tags", [])]
    if len(stubs) != sum(len(e["solutions"]) for e in exercises):
        found.append("the student edition has a different number of stubs than solutions")
    for cell in stubs:
        try:
            ast.parse(cell.source)
        except SyntaxError as err:
            found.append(f"stub is not valid Python: {err}")
        if not cell.source.startswith(STUB_PLACEHOLDER) or "= ..." not in cell.source:
            found.append(f"stub lacks its placeholder or answer names:\n{cell.source}")
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


def execute_student_editions(out_dir: Path) -> list[str]:
    """Build the student edition and execute every notebook of it in a fresh kernel, offline:
    one line per notebook with its seconds and its checks' verdicts. Fails (``SystemExit``)
    when a cell raises or a check says anything but "not attempted yet"."""
    from tools.course import OfflineRun, execute

    report, failures = [], []
    with OfflineRun("the student editions"):
        for path in build(out_dir):
            try:
                executed, seconds = execute(path)
            except Exception as err:  # a cell raised: the edition does not run top to bottom
                failures.append(f"{path.name}: {type(err).__name__}: {str(err)[-300:]}")
                continue
            verdicts = [line for cell in executed.cells if check_call(cell)
                        for output in cell.get("outputs", []) if output.get("name") == "stdout"
                        for line in output.get("text", "").splitlines()]
            attempted = [line for line in verdicts if "not attempted yet" not in line]
            failures += [f"{path.name}: {line}" for line in attempted]
            report.append(f"{path.name}: ran in {seconds:.1f} s, {len(verdicts)} checks, "
                          f"{len(verdicts) - len(attempted)} 'not attempted yet'")
    if failures:
        raise SystemExit("\n".join([*report, "FAILED:", *failures]))
    return report


if __name__ == "__main__":
    arguments = sys.argv[1:]
    run = "--execute" in arguments
    arguments = [a for a in arguments if a != "--execute"]
    destination = Path(arguments[0]) if arguments else BUILD_DIR / "student"
    if run:
        print("\n".join(execute_student_editions(destination)))
    else:
        for written_path in build(destination):
            print(f"student edition: {written_path}")
