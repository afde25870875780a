"""The shipped data files are the ones data/README.md describes (same SHA-256)."""

from __future__ import annotations

import hashlib
import re

import pytest

from tools.course import ROOT

DATA = ROOT / "data"
README = (DATA / "README.md").read_text(encoding="utf-8")
ROWS = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", README, re.M)


def test_every_data_file_is_documented():
    shipped = {p.name for p in DATA.iterdir() if p.name != "README.md"}
    assert shipped == {name for name, _ in ROWS}


@pytest.mark.parametrize("name, digest", ROWS)
def test_checksum(name, digest):
    assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest
