"""Where outputs go, and writing them so that nothing is ever half-written."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UnsafeName
from ..io.files import atomic_write_all

UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_component(name: str, what: str = "名称") -> str:
    """A name usable as one path component: no separator, no '..', no control characters."""
    cleaned = UNSAFE.sub("_", str(name)).strip().strip(".")
    if not cleaned:
        raise UnsafeName(f"{what}“{name}”不能用作文件名")
    return cleaned


def report_stem(out_root: Path, county: str, year: int, short_name: str) -> Path:
    """out_root/<county>/<year>/<short_name> — always inside out_root."""
    root = Path(out_root).resolve()
    stem = root / safe_component(county, "县名") / str(int(year)) / safe_component(short_name, "简称")
    if root not in stem.resolve().parents:
        raise UnsafeName(f"“{short_name}”会写到输出目录之外")
    return stem


OUTPUTS = {".ipynb": "notebook", ".html": "review", ".public.html": "public", ".pdf": "pdf", ".docx": "docx"}
DOCUMENTS = (".pdf", ".docx")           # made from the public page; `--pages-only` leaves them out
# open data (open_data.py), written by the client from run.json: a unit's tables beside its
# public page ("data." keeps them apart from run.json and findings.csv), the county-year's cells
DATA_FILES = {"csv": ".data.csv", "json": ".data.json"}
COUNTY_DATA = "units.csv"


def write_outputs(stem: Path, notebook_text: str, files: dict[str, str | bytes]) -> dict[str, Path]:
    """A unit's executed notebook and its files (file-name suffix → content), written together
    (atomic_write_all: all or, on a full disk, none), by output name (OUTPUTS); called only once
    every part is ready, so a failed run never replaces a good earlier output. A PDF or Word file
    not made this time is removed: it would be last run's, no longer the report the pages show."""
    contents = {".ipynb": notebook_text, **files}
    path = {suffix: stem.parent / f"{stem.name}{suffix}" for suffix in OUTPUTS}
    atomic_write_all({path[suffix]: contents[suffix] for suffix in OUTPUTS if suffix in contents})
    for suffix in DOCUMENTS:
        if suffix not in contents:
            path[suffix].unlink(missing_ok=True)
    return {name: path[suffix] for suffix, name in OUTPUTS.items() if suffix in contents}
