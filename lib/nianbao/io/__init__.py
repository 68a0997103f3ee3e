"""Inputs → Report: every data source becomes a Report (model/report.py); `read_report` picks the
reader by the file's suffix."""
from __future__ import annotations

from pathlib import Path

from ..errors import DataFileError, Problem
from ..model.report import Report
from .source import DATA_LIMIT, WORKBOOK_LIMIT, read_bytes
from .xlsx_reader import read_xlsx
from .yaml_reader import read_yaml

READERS = {".yaml": read_yaml, ".yml": read_yaml, ".xlsx": read_xlsx}
LIMITS = {".yaml": DATA_LIMIT, ".yml": DATA_LIMIT, ".xlsx": WORKBOOK_LIMIT}


def read_input(path: Path) -> bytes:
    """A data file's bytes, bounded by the limit of its kind (DataFileError beyond it)."""
    return read_bytes(path, LIMITS.get(Path(path).suffix.lower(), DATA_LIMIT))


def read_report(path: str | Path) -> Report:
    """Read one unit's year from a data file; DataFileError when the file cannot be used."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = "、".join(sorted(READERS))
        raise DataFileError([Problem(path, None, None, f"无法识别的文件类型“{path.suffix}”，应为 {known} 文件")])
    return reader(path)


__all__ = ["read_report", "read_input", "READERS"]
