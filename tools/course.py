"""What the course's tooling shares: the notebook list, the repository URL, the offline
environment for executed notebooks, and notebook execution with timing."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
EXECUTED_DIR = BUILD_DIR / "notebooks"  # make run's executed notebooks, reused by make slides
# The network guard: its sitecustomize installs it in every process with this folder on the path.
GUARD_DIR = ROOT / "tools" / "offline"
TEMPLATE_DIR = ROOT / "tools" / "templates"  # the page and deck templates and their partials
# Pages and decks load MathJax from the copy that vendor_static puts next to them.
LOCAL_MATHJAX = "../_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
NOTEBOOK_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+$")
NOTEBOOK_LINK = re.compile(r'href="(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"')


def notebooks() -> list[Path]:
    """The course notebooks (``notebooks/NN_name.ipynb``) in teaching order."""
    return sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if NOTEBOOK_PATTERN.match(p.stem))


def repository_url() -> str:
    """The GitHub URL of the course: the one place it is written is ``pyproject.toml``."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["urls"]["Repository"]


def colab_url(notebook: Path) -> str:
    """The 'Open in Colab' link of a notebook, derived from the repository URL."""
    slug = repository_url().removeprefix("https://github.com/")
    return (f"https://colab.research.google.com/github/{slug}/blob/main/"
            f"notebooks/{notebook.stem}.ipynb")


def link_pages(body: str, suffix: str) -> str:
    """Point the notebooks' links to each other (``05_gradient_methods.ipynb``, which work in
    Jupyter and on GitHub) at the file with ``suffix`` in the same folder of the site."""
    return NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}{suffix}{m.group(2) or ""}"', body)


def setup_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook's setup cell: the code cell right after its ``## Setup`` heading."""
    heading = next(i for i, c in enumerate(notebook.cells)
                   if c.cell_type == "markdown" and "## Setup" in c.source)
    return notebook.cells[heading + 1]


def title(notebook: nbformat.NotebookNode) -> str:
    """The notebook's H1 title (first line of its first cell, without the ``#``)."""
    first = notebook.cells[0].source.splitlines()[0] if notebook.cells else ""
    return first.lstrip("#").strip()


README = ROOT / "README.md"


def _readme_span(name: str, readme: Path) -> tuple[str, int, int]:
    """The README's text and where the block ``name`` starts and ends (inside its markers);
    missing or repeated markers raise instead of silently reading or writing nothing."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text(encoding="utf-8")
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{readme} needs exactly one {start} ... {end} pair of markers")
    return text, text.index(start) + len(start), text.index(end)


def readme_block(name: str, readme: Path = README) -> str:
    """The text between the README's ``<!-- name:start -->`` and ``<!-- name:end -->`` markers."""
    text, begin, finish = _readme_span(name, readme)
    return text[begin:finish].strip()


def replace_readme_block(name: str, content: str, readme: Path = README) -> bool:
    """Put ``content`` between the README's ``<!-- name:start -->`` and ``<!-- name:end -->``
    markers; returns whether the text changed. Missing markers raise instead of silently
    writing nothing. Only deliberate steps call this (``make bench``, ``make readme``)."""
    text, begin, finish = _readme_span(name, readme)
    updated = f"{text[:begin]}\n{content.strip()}\n{text[finish:]}"
    readme.write_text(updated, encoding="utf-8")
    return updated != text


def enable_offline_guard() -> Path:
    """Refuse network connections in this process and in every process it starts (Jupyter
    kernels included); attempts are logged to the returned file, which callers check."""
    log = Path(os.environ.get("XAI_COURSE_NETLOG") or tempfile.mkstemp(prefix="netlog-")[1])
    os.environ["XAI_COURSE_NETLOG"] = str(log)
    os.environ["XAI_COURSE_OFFLINE"] = "1"
    paths = [str(GUARD_DIR)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if str(GUARD_DIR) not in sys.path:
        sys.path.insert(0, str(GUARD_DIR))
    import netguard

    netguard.install()
    return log


def network_attempts(log: Path) -> str:
    """What the guard logged so far (empty when nothing tried to go online)."""
    return log.read_text(encoding="utf-8") if log.exists() else ""


class OfflineRun:
    """A job run behind the offline guard, with the environment of an executed notebook:

        with OfflineRun("make run"):
            ...

    On leaving the block the job fails (exit status 1, with the attempts printed) if anything
    tried to reach the network, even where a library caught the error and carried on. The test
    session enters it in ``pytest_configure`` and reads :meth:`report` at the end instead."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.log: Path | None = None

    def __enter__(self) -> OfflineRun:
        quiet_environment()
        self.log = enable_offline_guard()
        return self

    def report(self) -> str:
        """Empty when nothing went online; otherwise the job's name and every attempt."""
        attempts = network_attempts(self.log) if self.log else ""
        if not attempts:
            return ""
        return f"NETWORK ACCESS ATTEMPTED during {self.job} (the course must run offline):\n" \
            + attempts

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is None and self.report():
            raise SystemExit(self.report())


def quiet_environment() -> None:
    """Settings every executed notebook gets: no progress bars, fixed threads, exercise checks
    that fail loudly (XAI_COURSE_STRICT_CHECKS). MPLBACKEND is removed: set to Agg it would
    stop a kernel's inline backend and drop every figure."""
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("XAI_COURSE_THREADS", "2")
    os.environ.setdefault("OMP_NUM_THREADS", os.environ["XAI_COURSE_THREADS"])
    os.environ.setdefault("MKL_NUM_THREADS", os.environ["XAI_COURSE_THREADS"])
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("XAI_COURSE_STRICT_CHECKS", "1")  # a failed exercise check is an error


def execute(path: Path, timeout: int = 600) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook top to bottom in a fresh kernel (cwd = its folder); return it and the
    wall-clock seconds. A failing cell raises ``nbclient.exceptions.CellExecutionError``."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def vendor_static(target: Path) -> Path:
    """Copy reveal.js (from sphinx-revealjs) and MathJax 2 (from jupyter-server-mathjax) into
    ``target``, so that decks and pages render their slides and formulas without a network."""
    import jupyter_server_mathjax
    import sphinx_revealjs

    sources = {
        "revealjs": Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs",
        "mathjax": Path(jupyter_server_mathjax.__file__).parent / "static",
    }
    for name, source in sources.items():
        if not (target / name).exists():
            shutil.copytree(source, target / name)
    return target
