"""The clerks' data and the run's params → Report and units: every data source becomes a Report
(model/report.py); `read_report` picks the reader by the file's suffix. The readers (pandas,
openpyxl) are imported on first use: the batch's client only reads inputs' bytes here, and
starts faster without them."""
from __future__ import annotations

from pathlib import Path

from ..errors import DataFileError, Problem
from .source import DATA_LIMIT, WORKBOOK_LIMIT, read_bytes

LIMITS = {".yaml": DATA_LIMIT, ".yml": DATA_LIMIT, ".xlsx": WORKBOOK_LIMIT}
SUFFIXES = tuple(LIMITS)        # what a data file may be: the readers of read_report


def read_input(path: Path) -> bytes:
    """A data file's bytes, bounded by the limit of its kind (DataFileError beyond it)."""
    return read_bytes(path, LIMITS.get(Path(path).suffix.lower(), DATA_LIMIT))


def read_report(path: str | Path):
    """Read one unit's year from a data file (a model.report.Report); DataFileError when the
    file cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        known = "、".join(sorted(SUFFIXES))
        raise DataFileError([Problem(path, None, None, f"无法识别的文件类型“{path.suffix}”，应为 {known} 文件")])
    if suffix == ".xlsx":
        from .xlsx_reader import read_xlsx
        return read_xlsx(path)
    from .yaml_reader import read_yaml
    return read_yaml(path)


__all__ = ["read_report", "read_input", "SUFFIXES"]
