"""The Report: one unit's year — metadata, narrative and one DataFrame per table.

Every reader produces a Report; everything downstream (checks, tables, charts, prose, export)
consumes only it. Tables are indexed by the row ids and have the column ids of the edition;
a missing cell is NA (not 0). Cells the reader could not use keep their raw text in `raw`.

A cell written “/”, “—”, “无”, “不适用”… (the form's row does not apply to the unit) is *not
applicable*: NA in its table like a missing cell, and its mark, as written, in `not_applicable`.
So every sum and comparison stays numeric and skips it exactly as it skips a missing cell (what
already holds for NA holds for it, with no third kind of value in the frames); only what tells a
missing cell apart — cells.missing, the pages, the record, the coverage of the rules — asks
`not_applicable`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .edition import Edition, Table
from .findings import Finding

NARRATIVE = ("overview", "problems", "improvements", "other")
# How a cell says its row does not apply: a slash, a dash (one or more, any width), 无, 不适用.
NOT_APPLICABLE = re.compile(r"[/／]|[—―–\-－−]+|无|不适用")


def number(value: float) -> str:
    """2 → "2", 1306.14 → "1306.14": a value as the form shows it (the prose, the findings)."""
    return str(int(value)) if float(value).is_integer() else f"{float(value):g}"


def not_applicable_mark(value: object) -> str | None:
    """The mark as written (trimmed) when a cell's value is one of NOT_APPLICABLE, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if NOT_APPLICABLE.fullmatch(text) else None
LEVELS = {"township": "乡镇", "subdistrict": "街道", "county": "县级", "department": "部门"}
CONTENTS = "主动公开、依申请公开、行政复议和行政诉讼情况"    # what every report tells, for its description


@dataclass
class Report:
    unit: str
    short_name: str
    level: str
    county: str
    year: int
    edition: Edition
    published: dt.date | None
    narrative: dict[str, str]
    tables: dict[str, pd.DataFrame]
    source: Path | None = None
    demo: bool = False                      # demonstration data, not a real report
    units: dict[str, str] = field(default_factory=dict)          # row id -> unit of its amount
    raw: dict[tuple[str, str, str], str] = field(default_factory=dict)  # unusable cell texts
    not_applicable: dict[tuple[str, str, str], str] = field(default_factory=dict)  # cell -> its mark
    reader_findings: list[Finding] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.short_name}{self.year}年政府信息公开工作年度报告"

    @property
    def description(self) -> str:
        """What a shared link of the report says under its title (the page's description)."""
        unit = self.unit if self.unit.startswith(self.county) else self.county + self.unit
        demo = "示例数据（非真实）：" if self.demo else ""
        return f"{demo}{unit}{self.year}年政府信息公开工作年度报告：{CONTENTS}。"

    def value(self, table: str, row: str, column: str):
        """A cell's value, or None when it is missing or not applicable."""
        v = self.tables[table].at[row, column]
        return None if pd.isna(v) else v.item() if hasattr(v, "item") else v


def empty_table(table: Table) -> pd.DataFrame:
    """A table of the edition with every cell missing, typed per column."""
    frame = pd.DataFrame(index=pd.Index([r.id for r in table.rows], name="row"),
                         columns=pd.Index([c.id for c in table.columns], name="column"))
    return frame.astype({c.id: _dtype(table, c.id) for c in table.columns})


def _dtype(table: Table, column: str) -> str:
    return "Float64" if table.value_type(column) == "amount" else "Int64"


def table_values(report: Report) -> dict[str, dict[str, dict[str, int | float | str | None]]]:
    """Every cell as a plain value (None: missing; its mark, e.g. "/", when not applicable), by
    table, row and column: what the batch record (run.json) keeps of a report, so that a county's
    summary adds up the very numbers its units' pages show, without reading their data files
    again. Read a table at a time (to_dict gives Python numbers): it runs for every unit of a batch."""
    marks = report.not_applicable
    return {tid: {row: {col: marks.get((tid, row, col)) if pd.isna(v) else v for col, v in cells.items()}
                  for row, cells in frame.to_dict(orient="index").items()}
            for tid, frame in report.tables.items()}


def tables_from_values(edition: Edition, values: dict) -> tuple[dict[str, pd.DataFrame], dict]:
    """table_values back into the edition's tables and the not-applicable marks; a cell not
    given (or unknown) is missing. Built a column at a time: a county summary makes a hundred
    units' tables, and setting their cells one by one took most of its time."""
    tables, marks = {}, {}
    for tid, table in edition.tables.items():
        given, rows = values.get(tid) or {}, [r.id for r in table.rows]
        columns = {}
        for c in table.columns:
            cells = [(given.get(row) or {}).get(c.id) for row in rows]
            for row, cell in zip(rows, cells):
                if isinstance(cell, str):
                    marks[(tid, row, c.id)] = cell
            columns[c.id] = pd.array([None if isinstance(v, str) else v for v in cells], dtype=_dtype(table, c.id))
        frame = pd.DataFrame(columns, index=pd.Index(rows, name="row"))
        frame.columns.name = "column"
        tables[tid] = frame
    return tables, marks
