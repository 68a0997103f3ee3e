"""Rules across years: this year's report against the same unit's report of the year before.

The previous year is found by itself in the same data tree (data/<county>/<year-1>/<same file
name>) or given by the user. cross_year.carry_over holds across the edition change (both
editions share the § 三 ids); the § 二 rules compare cells of one edition only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataFileError, PreviousFileError, Problem
from ..io import read_report
from ..model.findings import ERROR, WARNING, Finding
from ..model.indicators import EARLIER_YEARS
from ..model.names import unit_key
from ..model.report import Report


@dataclass(frozen=True)
class Previous:
    """Last year's report of the unit, or None; `note` says where it came from or why none."""
    report: Report | None
    path: Path | None
    note: str


def _short(path: Path) -> str:
    """county/year/file: enough to find it, without the machine's folders (shown in reports)."""
    return "/".join(path.parts[-3:])


def previous_path_for(source: Path | None, year: int) -> Path | None:
    """data/<county>/<year>/<unit>.yaml → data/<county>/<year-1>/<unit>.yaml (None off that layout)."""
    if source is None or source.parent.name != str(year):
        return None
    return source.parent.parent / str(year - 1) / source.name


def _read_previous(report: Report, path: Path) -> Report:
    """The file's report; DataFileError when unusable or not this unit's year before."""
    previous = read_report(path)
    problems = []
    if previous.year != report.year - 1:
        problems.append(Problem(path, None, "year", f"作为上一年度的数据，应为{report.year - 1}年度，"
                                                    f"实际为{previous.year}年度"))
    if previous.county != report.county:        # a unit's name may change; its county does not
        problems.append(Problem(path, None, "county", f"作为上一年度的数据，应为同一县（区）“{report.county}”，"
                                                      f"实际为“{previous.county}”"))
    if problems:
        raise DataFileError(problems)
    return previous


def load_previous(report: Report, given: str | Path | None = None) -> Previous:
    """Last year's report: the file given (DataFileError when unusable), else the one in the tree.

    A file found by itself that cannot be used does not stop this year's checks: the cross-year
    rules are skipped and the note says why.
    """
    if given:
        path = Path(given)
        try:
            previous = _read_previous(report, path)
        except DataFileError as exc:
            raise PreviousFileError(exc.problems) from None
        return Previous(previous, path, f"上一年度数据：{_short(path)}")
    path = previous_path_for(report.source, report.year)
    if path is None or not path.is_file():
        where = f"（应为 {_short(path)}）" if path else ""
        return Previous(None, None, f"没有找到{report.year - 1}年度的数据文件{where}")
    try:
        previous = _read_previous(report, path)
    except DataFileError as exc:
        first = exc.problems[0]
        return Previous(None, path, f"{report.year - 1}年度的数据文件 {_short(path)} 无法使用"
                                    f"（{first.field + '：' if first.field else ''}{first.message}）")
    return Previous(previous, path, f"上一年度数据：{_short(path)}")


def load_earlier(previous: Previous, years: int = EARLIER_YEARS - 1) -> tuple[Report, ...]:
    """The unit's reports before last year's, newest first, each found from the one after it as
    last year's is found (data/<county>/<year-k>/<same file name>); stops at the first year
    missing or unusable (a trend across a gap would mislead)."""
    found: list[Report] = []
    later, path = previous.report, previous.path
    while later is not None and path is not None and len(found) < years:
        path = previous_path_for(path, later.year)
        if path is None or not path.is_file():
            break
        try:
            later = _read_previous(later, path)
        except DataFileError:
            break
        found.append(later)
    return tuple(found)


def _value(report: Report, table: str, row: str, column: str):
    frame = report.tables[table]
    if row not in frame.index or column not in frame.columns or pd.isna(frame.at[row, column]):
        return None
    return int(frame.at[row, column])


def unit_name(report: Report, previous: Report) -> list[Finding]:
    """Last year's file names the unit otherwise, even without the report-type words: a warning
    (a unit may be renamed, or a page signed differently), the cross-year rules still run."""
    if unit_key(report.unit) == unit_key(previous.unit):
        return []
    return [Finding(
        "cross_year.unit_name", WARNING, None, None, None, report.unit, previous.unit,
        f"{previous.year}年度数据的单位名称为“{previous.unit}”，本年度为“{report.unit}”：请确认是同一单位"
        f"（跨年度检查已按同一单位进行）")]


def carry_over(report: Report, previous: Report) -> list[Finding]:
    """Per column: this year's 上年结转 = last year's 结转下年度继续办理."""
    table = report.edition.tables["requests"]
    forward = previous.edition.tables["requests"].row("carried_forward").label
    findings = []
    for col in table.columns:
        now = _value(report, "requests", "carried_over", col.id)
        before = _value(previous, "requests", "carried_forward", col.id)
        if now is None or before is None or now == before:
            continue
        findings.append(Finding(
            "cross_year.carry_over", ERROR, "requests", "carried_over", col.id, before, now,
            f"「{table.title}」{table.row('carried_over').label}·{col.full_label}：应等于"
            f"{previous.year}年度报告的“{forward}”（{before}），表中为{now}",
            (("requests", "carried_over", col.id),)))
    return findings


IN_FORCE = ("issued", "repealed", "in_force")        # the § 二 columns of cross_year.in_force
ITEM_COUNT = ("previous_count", "change")           # and of cross_year.item_count

Cells = list[tuple[str, str, str]]


# The cells each rule reads, this year's and last year's (for the coverage: one not applicable
# keeps its comparison from running).
def carry_over_cells(report: Report, previous: Report) -> tuple[Cells, Cells]:
    columns = [c.id for c in report.edition.tables["requests"].columns]
    return ([("requests", "carried_over", c) for c in columns],
            [("requests", "carried_forward", c) for c in columns])


def in_force_cells(report: Report, previous: Report) -> tuple[Cells, Cells]:
    rows = [row for _, row in _rows_with(report, *IN_FORCE)]
    return [("proactive", r, c) for r in rows for c in IN_FORCE], [("proactive", r, "in_force") for r in rows]


def item_count_cells(report: Report, previous: Report) -> tuple[Cells, Cells]:
    rows = [row for _, row in _rows_with(report, *ITEM_COUNT)]
    return [("proactive", r, "previous_count") for r in rows], [("proactive", r, c) for r in rows for c in ITEM_COUNT]


def _rows_with(report: Report, *columns: str) -> list[tuple[str, str]]:
    """(caption, row id) of the § 二 rows that have all these columns."""
    table = report.edition.tables["proactive"]
    return [(part.caption, row.id) for part in table.parts for row in part.rows
            if set(columns) <= {c.id for c in part.columns}]


def has_in_force(report: Report) -> bool:
    return bool(_rows_with(report, *IN_FORCE))


def has_item_counts(report: Report) -> bool:
    return bool(_rows_with(report, *ITEM_COUNT))


def in_force(report: Report, previous: Report) -> list[Finding]:
    """现行有效件数 = last year's 现行有效件数 + 本年制发 − 本年废止 (documents can also lapse)."""
    table = report.edition.tables["proactive"]
    label = {c: table.column(c).label for c in IN_FORCE}
    findings = []
    for caption, row in _rows_with(report, *IN_FORCE):
        values = [_value(report, "proactive", row, c) for c in IN_FORCE]
        before = _value(previous, "proactive", row, "in_force")
        if None in values or before is None:
            continue
        issued, repealed, now = values
        expected = before + issued - repealed
        if now == expected:
            continue
        findings.append(Finding(
            "cross_year.in_force", WARNING, "proactive", row, "in_force", expected, now,
            f"「{table.title}」{caption} {table.row(row).label}·{label['in_force']}：{previous.year}年度"
            f"{label['in_force']}{before}加{label['issued']}{issued}减{label['repealed']}{repealed}"
            f"应为{expected}，表中为{now}（如有文件到期失效，请在报告中说明）",
            tuple(("proactive", row, c) for c in IN_FORCE)))
    return findings


def item_count(report: Report, previous: Report) -> list[Finding]:
    """上一年项目数量 = last year's 上一年项目数量 + last year's 本年增/减."""
    table = report.edition.tables["proactive"]
    count, change = table.column("previous_count").label, table.column("change").label
    findings = []
    for caption, row in _rows_with(report, *ITEM_COUNT):
        now = _value(report, "proactive", row, "previous_count")
        last_count = _value(previous, "proactive", row, "previous_count")
        last_change = _value(previous, "proactive", row, "change")
        if None in (now, last_count, last_change):
            continue
        expected = last_count + last_change
        if now == expected:
            continue
        findings.append(Finding(
            "cross_year.item_count", WARNING, "proactive", row, "previous_count", expected, now,
            f"「{table.title}」{caption} {table.row(row).label}·{count}：按{previous.year}年度报告"
            f"（{count}{last_count}，{change}{last_change:+d}）应为{expected}，表中为{now}",
            (("proactive", row, "previous_count"),)))
    return findings
