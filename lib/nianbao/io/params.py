"""What a batch runs: params files (one per county-year), data files and folders → units.

A params file, e.g. `params/商水县/2020.yaml`, names the data folder (relative to the params
file), optionally the units (file names without suffix; default: every data file in the folder)
and options. Paths are resolved here; nothing is read but the params files themselves.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import DataFileError, Problem, suggest
from ..model.contract import TOP_LEVEL
from ..model.indicators import EARLIER_YEARS
from . import SUFFIXES, read_input
from .safe_yaml import compose_file, plain
from .source import decode

PROJECT = Path(__file__).resolve().parents[3]
DEFAULT_PARAMS = Path("params")
DEFAULT_NOTEBOOK = PROJECT / "notebooks" / "township_report.ipynb"
FIELDS = ("data", "units", "previous", "notebook", "timeout", "deadline")
REVIEWS = "reviews.yaml"      # reviewers' decisions beside the data files (checks/reviews.py), no unit
PARAMS_PEEK = 64 * 1024     # a params file is a few lines; anything longer is a data file
MAX_ENTRIES = 5000          # files and folders looked at under one target: a county has ~30


@dataclass(frozen=True)
class Unit:
    source: Path                  # the data file (absolute)
    previous: Path | None         # last year's file of the same unit, when there is one
    notebook: Path
    timeout: float | None = None  # seconds for this unit; None: the command's default
    group: tuple[str, str] | None = None   # (county, year) the file is filed under, a hint
    deadline: dt.date | None = None         # the county's publication deadline for its townships
    earlier: tuple[Path, ...] = ()          # the years before last year's, newest first (earlier_of)


def is_params(path: Path) -> bool | None:
    """A params file is a small YAML mapping of params items (data:, units:…, or close
    misspellings) and none of a data file's items (unit, year, requests…); any other file is a
    unit. Only the top-level keys of at most PARAMS_PEEK bytes are looked at, so a data file is
    not parsed twice; whatever the file holds this never raises: a file that is not a params
    file is a unit, and its own reading says what is wrong with it. None: a small file that breaks
    (YAML or its encoding) before any data item — among params files, a broken params file."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    keys: set[str] = set()
    try:
        with open(path, "rb") as handle:
            head = handle.read(PARAMS_PEEK + 1)
        if len(head) > PARAMS_PEEK:
            return False
        for key in _top_keys(decode(head, path)):
            if key in TOP_LEVEL:
                return False      # a data file: stop at its first item, the rest is not parsed
            keys.add(key)
    except (yaml.YAMLError, DataFileError):   # not YAML, or not text we can read: not known yet
        return None
    except Exception:         # unreadable, not text, anything: not a params file
        return False
    # `data:` or a misspelling of a params item (dat:) — a file of other keys is a unit
    return any(key in FIELDS or difflib.get_close_matches(key, FIELDS, cutoff=0.6) for key in keys)


def _top_keys(text: str):
    """The keys of a top-level mapping, one by one from the event stream (values unbuilt);
    nothing for a document that is not a mapping of plain keys."""
    depth, want_key = 0, True
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            if (depth == 0 and not isinstance(event, yaml.MappingStartEvent)) or (depth == 1 and want_key):
                return                    # not a mapping, or a key that is not plain text
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            want_key = True if depth == 1 else want_key
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            if depth == 0:
                return
            if depth == 1:
                if want_key:
                    yield str(getattr(event, "value", ""))
                want_key = not want_key


def data_files(folder: Path) -> list[Path]:
    """Data files below `folder` (not reviews.yaml), symlinked folders not followed; a tree too
    large to be a county's data (e.g. `data: /`) is refused before it is walked further."""
    found, seen = [], 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        seen += len(dirs) + len(files)
        if seen > MAX_ENTRIES:
            raise DataFileError([Problem(folder, None, None, f"文件夹中的文件超过{MAX_ENTRIES}个，不像是"
                                         "一个县的数据文件夹（data/<县>/<年度>/）；请指定具体的文件夹")])
        found += [Path(root) / f for f in files
                  if Path(f).suffix.lower() in SUFFIXES and not f.startswith(".") and f != REVIEWS
                  and (Path(root) / f).is_file()]
    return sorted(found)


def previous_of(source: Path, previous_folder: Path | None = None) -> Path | None:
    """data/<county>/<year-1>/<same name>, or the same name in the given folder, when it exists."""
    if previous_folder is None:
        if not source.parent.name.isdigit():
            return None
        previous_folder = source.parent.parent / str(int(source.parent.name) - 1)
    candidate = previous_folder / source.name
    return candidate if candidate.is_file() else None


def earlier_of(previous: Path | None) -> tuple[Path, ...]:
    """The unit's files before last year's, each found from the one after it as last year's is
    (<county>/<year-k>/<same name>), newest first, up to EARLIER_YEARS in all with last year's;
    they stop at the first missing year. The report's table of its years reads them, so they are
    part of the unit's key."""
    found: list[Path] = []
    while previous is not None and len(found) < EARLIER_YEARS - 1:
        previous = previous_of(previous)
        if previous is not None:
            found.append(previous)
    return tuple(found)


def read_earlier(paths: tuple[Path, ...]) -> tuple[bytes, ...]:
    """The bytes of a unit's earlier files (for its key and its job), up to the first one that
    cannot be read (bounded like every input; the report's years stop there too)."""
    found = []
    for path in paths:
        try:
            found.append(read_input(path))
        except DataFileError:
            break
    return tuple(found)


def _group_of(source: Path) -> tuple[str, str] | None:
    year, county = source.parent.name, source.parent.parent.name
    return (county, year) if year.isdigit() and county else None


def read_params(path: Path) -> list[Unit]:
    """The units of one params file; DataFileError naming the file and field when it is wrong."""
    path = path.resolve()
    top = plain(compose_file(path))
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(path, None, field, message))

    if not isinstance(top, dict):
        raise DataFileError([Problem(path, None, None, "参数文件应为“项目: 值”形式（YAML 映射）")])
    for key in top:
        if key not in FIELDS:
            bad(str(key), f"未知的项目“{key}”{suggest(key, FIELDS) or '，'}可用的项目为 {'、'.join(FIELDS)}")
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
    units = []
    for f in files:
        last = previous_of(f, previous)
        units.append(Unit(f, last, notebook, timeout, group or _group_of(f), deadline, earlier_of(last)))
    return units


def resolve(targets: list[str | Path], unusable: list[DataFileError] | None = None) -> list[Unit]:
    """Params files, data files and folders (of either) → units, in the order given, no repeats.
    A params file or target that cannot be used raises DataFileError; with `unusable` given,
    its error is added there instead and the rest are still resolved (one broken params file
    of a county's does not stop the others)."""
    units: dict[Path, Unit] = {}

    def refused(error: DataFileError) -> None:
        if unusable is None:
            raise error
        unusable.append(error)

    for target in map(Path, targets or [DEFAULT_PARAMS]):
        if not target.exists():
            refused(DataFileError([Problem(target, None, None, "找不到这个文件或文件夹")]))
            continue
        try:
            files = [target] if target.is_file() else data_files(target)
        except DataFileError as exc:
            refused(exc)
            continue
        kinds = {f: is_params(f) for f in files}
        params = [f for f in files if kinds[f]]
        for f in params:
            try:
                found = read_params(f)
            except DataFileError as exc:
                refused(exc)
                continue
            for unit in found:
                units.setdefault(unit.source, unit)
        if params and target.is_dir():
            # a folder of params files: the data files below it are theirs; a YAML file that
            # does not parse and is no unit of theirs is a params file with a YAML error
            for f in files:
                if kinds[f] is None and f.resolve() not in units:
                    try:
                        read_params(f)
                    except DataFileError as exc:
                        refused(exc)
            continue
        for f in files:
            if f not in params:
                source = f.resolve()
                last = previous_of(source)
                units.setdefault(source, Unit(source, last, DEFAULT_NOTEBOOK, group=_group_of(source),
                                              earlier=earlier_of(last)))
    return list(units.values())
