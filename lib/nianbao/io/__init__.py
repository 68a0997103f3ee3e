"""Inputs → Report: every data source becomes a Report (model/report.py); `read_report` picks the
reader by the file's suffix."""
from __future__ import annotations

from pathlib import Path

from ..errors import DataFileError, Problem
from ..model.report import Report
from .xlsx_reader import read_xlsx
from .yaml_reader import read_yaml

READERS = {".yaml": read_yaml, ".yml": read_yaml, ".xlsx": read_xlsx}


def read_report(path: str | Path) -> Report:
    """Read one unit's year from a data file; DataFileError when the file cannot be used."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = "、".join(sorted(READERS))
        raise DataFileError([Problem(path, None, None, f"无法识别的文件类型“{path.suffix}”，应为 {known} 文件")])
    return reader(path)


__all__ = ["read_report", "READERS"]
