"""Shared test helpers: the seed's data, and hand-made broken copies of it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "商水县" / "2020" / "姚集镇.yaml"
DATA = ROOT / "tests" / "data"
SEED_TEXT = DATA / "seed" / "000_5008492d97724081.txt"  # the real report the seed was typed from
PUBLISHED = DATA / "published"  # real pages (*.txt), their expected imports (*.yaml)
BIN = Path(sys.executable).parent


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def replace_line(text: str, pattern: str, new: str) -> str:
    """Replace the one line matching `pattern` (a regex) with `new`."""
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    assert len(hits) == 1, f"{pattern!r} matches {len(hits)} lines"
    lines[hits[0]] = new
    return "\n".join(lines) + "\n"


def line_of(text: str, pattern: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line))


@pytest.fixture
def write_data(tmp_path):
    """Write a data file (text) under tmp_path/data/<county>/<year>/ and return its path; the
    folder is the year the text says (the reader refuses a file filed under another year)."""
    def write(text: str, name: str = "姚集镇.yaml") -> Path:
        year = re.search(r"^year:\s*(\d{4})\s*$", text, re.M)
        path = tmp_path / "data" / "商水县" / (year.group(1) if year else "2020") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
    return write


def nianbao(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "nianbao"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def seed_outputs(tmp_path_factory):
    """`nianbao run` on the seed, once for the tests that look at its files: the county-year folder."""
    out = tmp_path_factory.mktemp("seed-out")
    done = nianbao("run", SEED, "--out", out)
    assert done.returncode == 0, done.stderr
    return out / "商水县" / "2020"
