"""What a batch runs: params files (one per county-year), data files and folders → units.

A params file, e.g. `params/商水县/2020.yaml`, names the data folder (relative to the params
file), optionally the units (file names without suffix; default: every data file in the folder)
and options. Paths are resolved here; nothing is read but the params files themselves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import DataFileError, Problem
from ..io import READERS
from ..io.keys import FAST_LOADER, TOP_LEVEL

PROJECT = Path(__file__).resolve().parents[3]
DEFAULT_PARAMS = Path("params")
DEFAULT_NOTEBOOK = PROJECT / "notebooks" / "township_report.ipynb"
FIELDS = ("data", "units", "previous", "notebook", "timeout", "deadline")
REVIEWS = "reviews.yaml"      # reviewers' decisions beside the data files (checks/reviews.py), no unit


@dataclass(frozen=True)
class Unit:
    source: Path                  # the data file (absolute)
    previous: Path | None         # last year's file of the same unit, when there is one
    notebook: Path
    timeout: float | None = None  # seconds for this unit; None: the command's default
    group: tuple[str, str] | None = None   # (county, year) the file is filed under, a hint
    deadline: dt.date | None = None         # the county's publication deadline for its townships


def is_params(path: Path) -> bool:
    """A params file is a YAML mapping with none of a data file's items (unit, year, requests…)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        top = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(top, dict) and bool(top) and not set(map(str, top)) & set(TOP_LEVEL)


def data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in READERS and not p.name.startswith(".")
                  and p.name != REVIEWS)


def previous_of(source: Path, previous_folder: Path | None = None) -> Path | None:
    """data/<county>/<year-1>/<same name>, or the same name in the given folder, when it exists."""
    if previous_folder is None:
        if not source.parent.name.isdigit():
            return None
        previous_folder = source.parent.parent / str(int(source.parent.name) - 1)
    candidate = previous_folder / source.name
    return candidate if candidate.is_file() else None


def _group_of(source: Path) -> tuple[str, str] | None:
    year, county = source.parent.name, source.parent.parent.name
    return (county, year) if year.isdigit() and county else None


def read_params(path: Path) -> list[Unit]:
    """The units of one params file; DataFileError naming the file and field when it is wrong."""
    path = path.resolve()
    try:
        top = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else None
        raise DataFileError([Problem(path, where, None, "YAML 格式错误，请检查缩进、冒号和引号")]) from None
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(path, None, field, message))

    if not isinstance(top, dict):
        raise DataFileError([Problem(path, None, None, "参数文件应为“项目: 值”形式（YAML 映射）")])
    for key in top:
        if key not in FIELDS:
            from ..io.build import suggest      # (with the readers: imported only for a wrong item)
            bad(str(key), f"未知的项目“{key}”{suggest(key, FIELDS)}，可用的项目为 {'、'.join(FIELDS)}")
    folder = previous = None
    if not isinstance(top.get("data"), str) or not top["data"].strip():
        bad("data", "应为数据文件夹的路径（相对于本参数文件），如 ../../data/商水县/2020")
    else:
        folder = (path.parent / top["data"]).resolve()
        if not folder.is_dir():
            bad("data", f"找不到数据文件夹“{top['data']}”")
    if top.get("previous") is not None:
        previous = (path.parent / str(top["previous"])).resolve()
        if not previous.is_dir():
            bad("previous", f"找不到上年数据文件夹“{top['previous']}”")
    notebook = DEFAULT_NOTEBOOK
    if top.get("notebook") is not None:
        notebook = (path.parent / str(top["notebook"])).resolve()
        if not notebook.is_file():
            bad("notebook", f"找不到报告笔记本“{top['notebook']}”")
    timeout = top.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        bad("timeout", f"应为每个单位最多用时的秒数（正数），实际为“{timeout}”")
    deadline = top.get("deadline")
    if isinstance(deadline, dt.datetime):
        deadline = deadline.date()
    if deadline is not None and not isinstance(deadline, dt.date):
        bad("deadline", f"应为本县乡镇（街道）报告的公布期限（日期，如 2021-01-31），实际为“{deadline}”")
        deadline = None
    names = top.get("units")
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) and n for n in names)):
        bad("units", "应为单位名称的列表（数据文件名，不含扩展名），如 [姚集镇, 黄寨镇]；不写则为文件夹中的全部数据文件")
        names = None
    if problems:
        raise DataFileError(problems)

    files = data_files(folder)
    if names is not None:
        by_stem = {f.stem: f for f in files}
        missing = [n for n in names if n not in by_stem]
        if missing:
            raise DataFileError([Problem(path, None, "units", f"在 {top['data']} 中找不到单位“{n}”的数据文件")
                                 for n in missing])
        files = [by_stem[n] for n in names]
    group = (path.parent.name, path.stem) if path.stem.isdigit() else None
    return [Unit(f, previous_of(f, previous), notebook, timeout, group or _group_of(f), deadline) for f in files]


def resolve(targets: list[str | Path]) -> list[Unit]:
    """Params files, data files and folders (of either) → units, in the order given, no repeats."""
    units: dict[Path, Unit] = {}
    for target in map(Path, targets or [DEFAULT_PARAMS]):
        if not target.exists():
            raise DataFileError([Problem(target, None, None, "找不到这个文件或文件夹")])
        files = [target] if target.is_file() else data_files(target)
        params = [f for f in files if is_params(f)]
        for f in params:
            for unit in read_params(f):
                units.setdefault(unit.source, unit)
        if params and target.is_dir():
            continue          # a folder of params files: the data files below it are theirs
        for f in files:
            if f not in params:
                source = f.resolve()
                units.setdefault(source, Unit(source, previous_of(source), DEFAULT_NOTEBOOK,
                                              group=_group_of(source)))
    return list(units.values())
