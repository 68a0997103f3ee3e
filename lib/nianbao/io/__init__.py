"""Inputs → Report: every data source becomes a Report (model/report.py); `read_report` picks the
reader by the file's suffix."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataFileError, Problem

if TYPE_CHECKING:
    from ..model.report import Report

# suffix → (module, function): a reader is imported when first used, so that knowing which files
# are data files (the batch's client does, on every run) costs no import of pandas or openpyxl
READERS = {".yaml": ("yaml_reader", "read_yaml"), ".yml": ("yaml_reader", "read_yaml"),
           ".xlsx": ("xlsx_reader", "read_xlsx")}


def read_report(path: str | Path) -> Report:
    """Read one unit's year from a data file; DataFileError when the file cannot be used."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = "、".join(sorted(READERS))
        raise DataFileError([Problem(path, None, None, f"无法识别的文件类型“{path.suffix}”，应为 {known} 文件")])
    module, function = reader
    return getattr(import_module(f".{module}", __name__), function)(path)


__all__ = ["read_report", "READERS"]
