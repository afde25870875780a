"""Every notebook follows the course anatomy, its jupytext pair is in sync, the committed
.ipynb carries no outputs, and the README's notebook table lists exactly these notebooks."""

from __future__ import annotations

import json
import re

import jupytext
import nbformat
import pytest

from tools.course import NOTEBOOK_DIR, ROOT, colab_url, notebooks, repository_url, setup_cell

NOTEBOOKS = notebooks()
IDS = [p.stem for p in NOTEBOOKS]
# In this order, each must appear in some markdown cell of every notebook.
SECTIONS = ("## Learning objectives", "## Prerequisites", "**Run time:**", "## Setup",
            "## Exercises", "## Summary", "## References")


def _cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str, tuple[str, ...], str]]:
    return [(c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", [])),
             json.dumps(c.get("metadata", {}).get("slideshow", {}))) for c in notebook.cells]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_name.ipynb found"


def test_every_source_has_its_twin():
    py_stems = {p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")}
    assert py_stems == set(IDS), "each notebooks/NN_name.py needs its .ipynb twin and back"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_pair_in_sync(path):
    from_py = jupytext.read(path.with_suffix(".py"))
    committed = nbformat.read(path, as_version=4)
    assert _cells(from_py) == _cells(committed), (
        f"{path.name} differs from {path.stem}.py: run `make notebooks` to regenerate it")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_notebook_is_stripped(path):
    notebook = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_anatomy(path):
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    number = path.stem[:2]
    assert re.match(rf"^# {number} · \S", first.source), "title line '# NN · Title' first"
    assert f"]({colab_url(path)})" in first.source and "colab-badge.svg" in first.source, (
        "the Colab badge must point at this notebook's own path")
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    positions = []
    for section in SECTIONS:
        where = [i for i, text in enumerate(markdown) if section.lower() in text.lower()]
        assert where, f"{path.name} lacks '{section}'"
        positions.append(where[0])
    assert positions == sorted(positions), f"sections out of order: {SECTIONS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_cell(path):
    setup = setup_cell(nbformat.read(path, as_version=4))
    assert setup.cell_type == "code"
    assert '"google.colab" in sys.modules' in setup.source, "install only on Colab"
    assert repository_url() in setup.source, "Colab installs the course from its repository"
    assert "setup_notebook(" in setup.source, "seed, threads and device come from setup_notebook"
    assert 'os.environ.get("XAI_COURSE_COLAB") == "1"' in setup.source, "tests force the branch"


def test_setup_cells_are_identical():
    """The setup cell runs before the course is importable, so it cannot share code through
    utils; it is the same in every notebook, so that tests/test_colab.py covers them all."""
    sources = {path.stem: setup_cell(nbformat.read(path, as_version=4)).source
               for path in NOTEBOOKS}
    assert len(set(sources.values())) == 1, "setup cells differ: copy 00's to the others"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_references_cite_sources(path):
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    references = text[text.lower().rindex("## references"):]
    assert len(re.findall(r"https?://", references)) >= 2, "references need links"


def test_readme_table_lists_exactly_the_notebooks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- notebooks:start -->")[1].split("<!-- notebooks:end -->")[0]
    listed = re.findall(r"\(notebooks/(\d\d_[a-z0-9_]+)\.ipynb\)", table)
    assert listed == IDS, "the README's notebook table must list every notebook, in order"


def test_readme_lecture_plan_covers_every_notebook_in_90_minutes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- lectures:start -->")[1].split("<!-- lectures:end -->")[0]
    rows = re.findall(r"^\| (\d\d) \| (.+) \|$", block, flags=re.MULTILINE)
    assert [number for number, _ in rows] == [stem[:2] for stem in IDS]
    for number, plan in rows:
        minutes = sum(int(m) for m in re.findall(r"\((\d+)\)", plan))
        assert minutes == 90, f"the plan for notebook {number} adds up to {minutes} minutes"
