"""``make slides``: a reveal.js deck per notebook, built from the slide metadata in its source.

A cell's ``metadata.slideshow.slide_type`` is written in the jupytext source (the
``slideshow=...`` on its ``# %%`` line; a cell without one continues the slide), so an
instructor edits the deck where they edit the notebook. Each ``##`` section opens a slide; each
``###`` method step, pitfall box, pros-and-cons list and large figure opens a sub-slide
(reveal.js stacks sub-slides vertically below their section); solutions appear on a click. Long
code cells are folded into a "show the code" box so that the figures, not the code, carry the
slide. reveal.js and MathJax are copied next to the decks, so they open from disk without a
network.

    python -m tools.slides              # decks for every notebook into build/slides/
    python -m tools.slides --annotate   # give cells without slide metadata the default type
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor

from tools.course import (
    BUILD_DIR,
    EXECUTED_DIR,
    LOCAL_MATHJAX,
    NOTEBOOK_DIR,
    TEMPLATE_DIR,
    OfflineRun,
    execute,
    link_pages,
    notebooks,
    vendor_static,
)

SLIDES_DIR = BUILD_DIR / "slides"
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
FOLD_LINES = 12  # code cells longer than this are folded on the slide
FULL_SLIDE_LINES = 14  # a figure after this many lines of text or code gets its own sub-slide
SLIDE_HEADING = re.compile(r"#{1,2} ")  # a title or a section
SUBSLIDE_OPENERS = ("### ", "> **Pitfall", "**Pros and cons")


def slide_type(cell: nbformat.NotebookNode) -> str:
    """The cell's reveal.js role as set in the source; "-" (continue the slide) when unset."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def default_slide_types(notebook: nbformat.NotebookNode) -> list[str]:
    """The course's default role for each cell: ``#``/``##`` headings open slides; ``###``
    steps, pitfalls, pros and cons, long text and figures after a full slide open sub-slides;
    solutions are fragments; everything else continues the current slide."""
    kinds, filled = [], 0
    for cell in notebook.cells:
        text = cell.source.lstrip()
        lines = len(text.splitlines())
        if cell.cell_type == "markdown" and SLIDE_HEADING.match(text):
            kind = "slide"
        elif cell.cell_type == "markdown" and text.startswith(SUBSLIDE_OPENERS):
            kind = "subslide"
        elif "solution" in cell.get("metadata", {}).get("tags", []):
            kind = "fragment"
        elif cell.cell_type == "markdown":
            kind = "subslide" if filled + lines > 2 * FULL_SLIDE_LINES else "-"
        else:
            draws = "plt.show()" in cell.source
            kind = "subslide" if draws and filled > FULL_SLIDE_LINES else "-"
            lines = 1 if lines > FOLD_LINES else lines
        filled = lines if kind in ("slide", "subslide") else filled + lines
        kinds.append(kind)
    return kinds


def problems(notebook: nbformat.NotebookNode) -> list[str]:
    """What keeps a notebook from making a well-formed deck (empty when it makes one)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        kind, text = slide_type(cell), cell.source.lstrip()
        if kind not in SLIDE_TYPES:
            found.append(f"cell {index}: slide_type {kind!r} is not one of {SLIDE_TYPES}")
        elif cell.cell_type == "markdown" and SLIDE_HEADING.match(text) and kind != "slide":
            found.append(f"cell {index}: a '#'/'##' heading must open a slide, not {kind!r}")
        elif cell.cell_type == "markdown" and text.startswith("### ") and kind not in (
                "slide", "subslide"):
            found.append(f"cell {index}: a '###' heading must open a slide or sub-slide")
    if notebook.cells and slide_type(notebook.cells[0]) != "slide":
        found.append("the first cell must open a slide")
    return found


def annotate(source: Path) -> int:
    """Write the default slide type onto the ``# %%`` line of each cell of a jupytext source
    that has none and whose default is not "-"; cells with a type keep it. Returns how many
    cells were annotated."""
    import jupytext

    notebook = jupytext.read(source)
    defaults = default_slide_types(notebook)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    markers = [i for i, line in enumerate(lines) if line.startswith("# %%")]
    if len(markers) != len(notebook.cells):
        raise ValueError(f"{source}: {len(markers)} '# %%' lines but {len(notebook.cells)} cells")
    changed = 0
    for line_index, cell, kind in zip(markers, notebook.cells, defaults, strict=True):
        if "slideshow" not in cell.get("metadata", {}) and kind != "-":
            value = json.dumps({"slide_type": kind})
            lines[line_index] = lines[line_index].rstrip("\n") + f" slideshow={value}\n"
            changed += 1
    source.write_text("".join(lines), encoding="utf-8")
    return changed


class FoldLongCode(Preprocessor):
    """Mark long code cells so that the deck folds their input into a "show the code" box
    (``tools/templates/course_reveal``); their outputs stay on the slide."""

    def preprocess_cell(self, cell, resources, index):
        lines = cell.source.count("\n") + 1
        if cell.cell_type == "code" and lines > FOLD_LINES:
            label = "the solution" if "solution" in cell.metadata.get("tags", []) else "the code"
            cell.metadata["fold"] = {"lines": lines, "label": label}
        return cell, resources


def deck(notebook: nbformat.NotebookNode, name: str) -> str:
    """The reveal.js HTML of one notebook; assets are looked up in ``../_static``."""
    exporter = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR)], extra_template_paths=[str(TEMPLATE_DIR)],
        template_name="course_reveal",
        reveal_url_prefix="../_static/revealjs", reveal_theme="white", reveal_transition="none",
        reveal_number="c/t", reveal_width="1280", reveal_height="800",
        exclude_input_prompt=True, exclude_output_prompt=True, mathjax_url=LOCAL_MATHJAX)
    exporter.register_preprocessor(FoldLongCode(), enabled=True)
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": html.escape(name)}})
    return body


def build(out_dir: Path = SLIDES_DIR,
          executed: dict[str, nbformat.NotebookNode] | None = None) -> list[Path]:
    """Write ``NN_name.slides.html`` for every notebook. Notebooks in ``executed`` (by stem)
    are used as they are; the others are taken from ``build/notebooks`` when that copy is
    newer than the source, and executed offline otherwise."""
    executed = dict(executed or {})
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor_static(out_dir.parent / "_static")
    written = []
    for path in notebooks():
        notebook = executed.get(path.stem) or _executed_copy(path)
        if notebook is None:
            notebook, seconds = execute(path)
            print(f"{seconds:6.1f} s  executed {path.name} for its deck", flush=True)
        found = problems(notebook)
        if found:
            raise ValueError(f"{path.name} cannot make a deck:\n" + "\n".join(found))
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(link_pages(deck(notebook, path.stem), ".slides.html"), encoding="utf-8")
        written.append(target)
    return written


def _executed_copy(path: Path) -> nbformat.NotebookNode | None:
    copy = EXECUTED_DIR / path.name
    if copy.exists() and copy.stat().st_mtime >= path.stat().st_mtime:
        return nbformat.read(copy, as_version=4)
    return None


def main(argv: list[str]) -> int:
    if argv == ["--annotate"]:
        for source in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")):
            print(f"{annotate(source):4d} cells annotated in {source.name}")
        return 0
    if argv:
        print(__doc__)
        return 2
    with OfflineRun("make slides"):
        for target in build():
            print(f"wrote {target.relative_to(BUILD_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
