"""requirements.txt and environment.yml pin the same versions; torch and torchvision are a
matching pair from the package index (design doc §4)."""

from __future__ import annotations

import re
import tomllib

from tools.course import ROOT

PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)")


def _pins(text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in map(PIN.match, text.splitlines()) if m}


def test_same_pins_in_both_files():
    requirements = _pins((ROOT / "requirements.txt").read_text())
    conda = _pins((ROOT / "environment.yml").read_text())
    assert requirements, "requirements.txt pins nothing"
    assert requirements == conda


def test_torch_pair_from_the_index():
    pins = _pins((ROOT / "requirements.txt").read_text())
    assert (pins["torch"], pins["torchvision"]) == ("2.15.0", "0.29.2")
    assert "+cpu" not in pins["torch"], "the local CPU-only wheel breaks torchvision's import"


def colab_pins() -> dict[str, str]:
    """The ``colab`` extra of pyproject.toml: what the setup cell installs on Colab."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        extra = tomllib.load(handle)["project"]["optional-dependencies"]["colab"]
    return _pins("\n".join(extra))


def test_colab_installs_the_tested_versions():
    requirements = _pins((ROOT / "requirements.txt").read_text())
    pins = colab_pins()
    assert pins, "the colab extra pins nothing"
    assert {name: requirements.get(name) for name in pins} == pins, \
        "the colab extra must pin the versions of requirements.txt"
    assert not pins.keys() & {"torch", "torchvision", "numpy"}, "Colab's own copies stay"
