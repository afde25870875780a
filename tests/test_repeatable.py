"""Runs are repeatable: two quick notebooks, each executed twice in fresh kernels, print the
same numbers in every cell. A difference names the cell and both values."""

from __future__ import annotations

import re

import nbformat
import pytest

from tools.course import NOTEBOOK_DIR, execute

# Quick notebooks that print many numbers (tables, scores, seeds, model outputs).
REPEATED = ("00_introduction", "02_ice_pdp_ale")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def printed_numbers(notebook: nbformat.NotebookNode) -> dict[int, list[str]]:
    """Every number in each code cell's printed text and plain-text results, by cell index."""
    numbers = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        texts = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                texts.append(output.get("text", ""))
            elif "data" in output and "text/plain" in output["data"] \
                    and "image/png" not in output["data"]:  # a figure's repr is an address
                texts.append(output["data"]["text/plain"])
        numbers[index] = NUMBER.findall("".join(texts))
    return numbers


def first_difference(first: dict[int, list[str]], second: dict[int, list[str]]) -> str:
    """A message naming the first cell whose printed numbers differ, or '' if none does."""
    for index in first:
        a, b = first[index], second.get(index, [])
        if a != b:
            where = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                         min(len(a), len(b)))
            shown = (a[where] if where < len(a) else "nothing",
                     b[where] if where < len(b) else "nothing")
            return (f"cell {index}: number {where + 1} printed {shown[0]} in the first run "
                    f"and {shown[1]} in the second")
    return ""


def test_first_difference_names_the_cell_and_both_values():
    assert first_difference({3: ["1", "0.25"]}, {3: ["1", "0.25"]}) == ""
    assert first_difference({3: ["1", "0.25"]}, {3: ["1", "0.26"]}) == (
        "cell 3: number 2 printed 0.25 in the first run and 0.26 in the second")
    assert "printed 7 in the first run and nothing" in first_difference({0: ["7"]}, {0: []})


@pytest.mark.parametrize("stem", REPEATED)
def test_two_runs_print_the_same_numbers(stem):
    path = NOTEBOOK_DIR / f"{stem}.ipynb"
    first, _ = execute(path)
    second, _ = execute(path)
    numbers = printed_numbers(first)
    assert sum(len(v) for v in numbers.values()) > 20, "the notebook should print numbers"
    difference = first_difference(numbers, printed_numbers(second))
    assert not difference, f"{stem}: {difference}"
