"""A reviewer's word on a finding: `reviews.yaml` beside the data files, written by `nianbao review`.

Why a file beside the data rather than a store of the tool's: the decisions judge that data, so
they travel with its folder (copied, sent, kept under version control with it), a person can
read and correct them in any editor, and a batch on another machine sees them without any
database. `nianbao review` writes it so nobody has to type its layout by hand.

    姚集镇:                          # the data file's name without its suffix
      - rule: prose.numbers
        cell: requests.new_received.total     # table.row.column, as `nianbao check` prints it
        expected: 2                            # the finding's values when it was explained
        actual: 3
        note: 该单位2020年9月成立，……
        by: 王五
        at: 2026-11-29T09:30:00+08:00

A decision explains a finding while its rule, cell and both values are the same; a changed value
(the data corrected, or made worse) reopens the finding, and the stale decision is ignored.
"""
from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import yaml

from ..errors import DataFileError, Problem
from ..io.files import atomic_write
from ..io.safe_yaml import NoAliasDumper, compose, plain
from ..io.source import REVIEWS_LIMIT, read_text
from ..model.findings import Finding

FILE = "reviews.yaml"
FIELDS = ("rule", "cell", "expected", "actual", "note", "by", "at")
HEADER = ("# 审核意见：由 nianbao review 写入，也可以手工修改。每条意见只在规则、单元格和两个数值都不变时有效；\n"
          "# 数据改动后数值变化，该检查结果重新打开。\n")


def reviews_path(data_path: str | Path) -> Path:
    return Path(data_path).resolve().parent / FILE


def _value(value) -> str:
    """Values as text: YAML may read back 2 as 2 and 2021-01-31 as a date."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def key(item: Finding | dict) -> tuple[str, str, str, str]:
    if isinstance(item, Finding):
        return item.rule, item.cell, _value(item.expected), _value(item.actual)
    return (str(item.get("rule", "")), str(item.get("cell") or ""), _value(item.get("expected")),
            _value(item.get("actual")))


def load_all(path: Path) -> dict[str, list[dict]]:
    """Every decision of a reviews file, by unit; {} when there is none.
    DataFileError (naming the file, the line and what was expected) when it cannot be used."""
    if not Path(path).exists():
        return {}
    # bounded and alias-refusing like every input (io/source.py, io/safe_yaml.py): a reviews
    # file travels with the data folder, so it is as untrusted as the data files are
    top = plain(compose(read_text(path, REVIEWS_LIMIT), path, "审核意见文件")) or {}
    problems = []
    if not isinstance(top, dict):
        raise DataFileError([Problem(path, None, None, "审核意见文件应为“单位: 意见列表”形式")])
    for unit, items in top.items():
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("rule") and i.get("note")
                                                  for i in items):
            problems.append(Problem(path, None, str(unit), "应为审核意见的列表，每条至少有 rule（规则）和 note（说明）"))
    if problems:
        raise DataFileError(problems)
    return {str(unit): items for unit, items in top.items()}


def decisions_for(data_path: str | Path) -> list[dict]:
    """The decisions recorded for one data file (by its name without suffix)."""
    return load_all(reviews_path(data_path)).get(Path(data_path).stem, [])


def apply(findings: list[Finding], decisions: list[dict]) -> list[Finding]:
    """The findings, each one a decision still explains marked with it (note, by, at)."""
    if not decisions:
        return findings
    by_key = {key(d): d for d in decisions}
    out = []
    for f in findings:
        d = by_key.get(key(f))
        out.append(f if d is None else
                   Finding(f.rule, f.severity, f.table, f.row, f.column, f.expected, f.actual, f.message,
                           f.cells, {"note": str(d["note"]), "by": str(d.get("by") or ""), "at": _value(d.get("at"))}))
    return out


def matching(findings: list[Finding], target: str) -> list[Finding]:
    """Open findings named by RULE or RULE@CELL."""
    rule, _, cell = target.partition("@")
    return [f for f in findings if f.review is None and f.rule == rule and (not cell or f.cell == cell)]


def reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def record(data_path: str | Path, accepted: list[Finding], note: str, by: str | None = None) -> Path:
    """Add a decision for each finding to the reviews file beside the data file; returns its path."""
    path = reviews_path(data_path)
    everything = load_all(path)
    unit = Path(data_path).stem
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    fresh = {key(f): f for f in accepted}        # the same finding named twice: one decision
    mine = [d for d in everything.get(unit, []) if key(d) not in fresh]
    for f in fresh.values():
        mine.append({"rule": f.rule, "cell": f.cell or None, "expected": _plain(f.expected),
                     "actual": _plain(f.actual), "note": note, "by": by or reviewer(), "at": now})
    everything[unit] = mine
    atomic_write(path, HEADER + yaml.dump(everything, Dumper=NoAliasDumper, allow_unicode=True,
                                          sort_keys=False, width=1000))
    return path


def _plain(value):
    """A finding's value as YAML can write it (numbers stay numbers, anything else text)."""
    if hasattr(value, "item"):          # numpy and pandas scalars
        value = value.item()
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
