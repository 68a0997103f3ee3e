"""The Report: one unit's year — metadata, narrative and one DataFrame per table.

Every reader produces a Report; everything downstream (checks, tables, charts, prose, export)
consumes only it. Tables are indexed by the row ids and have the column ids of the edition;
a missing cell is NA (not 0). Cells the reader could not use keep their raw text in `raw`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .edition import Edition, Table
from .findings import Finding

NARRATIVE = ("overview", "problems", "improvements", "other")
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
        """A cell's value, or None when it is missing."""
        v = self.tables[table].at[row, column]
        return None if pd.isna(v) else v.item() if hasattr(v, "item") else v


def empty_table(table: Table) -> pd.DataFrame:
    """A table of the edition with every cell missing, typed per column."""
    frame = pd.DataFrame(index=pd.Index([r.id for r in table.rows], name="row"),
                         columns=pd.Index([c.id for c in table.columns], name="column"))
    return frame.astype({c.id: _dtype(table, c.id) for c in table.columns})


def _dtype(table: Table, column: str) -> str:
    return "Float64" if table.value_type(column) == "amount" else "Int64"


def table_values(report: Report) -> dict[str, dict[str, dict[str, int | float | None]]]:
    """Every cell as a plain value (None: missing), by table, row and column: what the batch
    record (run.json) keeps of a report, so that a county's summary adds up the very numbers its
    units' pages show, without reading their data files again. Read a table at a time (to_dict
    gives Python numbers): it runs for every unit of a batch."""
    return {tid: {row: {col: None if pd.isna(v) else v for col, v in cells.items()}
                  for row, cells in frame.to_dict(orient="index").items()}
            for tid, frame in report.tables.items()}


def tables_from_values(edition: Edition, values: dict) -> dict[str, pd.DataFrame]:
    """table_values back into the edition's tables; a cell not given (or unknown) is missing.
    Built a column at a time: a county summary makes a hundred units' tables, and setting
    their cells one by one took most of its time."""
    tables = {}
    for tid, table in edition.tables.items():
        given, rows = values.get(tid) or {}, [r.id for r in table.rows]
        columns = {c.id: pd.array([(given.get(row) or {}).get(c.id) for row in rows], dtype=_dtype(table, c.id))
                   for c in table.columns}
        frame = pd.DataFrame(columns, index=pd.Index(rows, name="row"))
        frame.columns.name = "column"
        tables[tid] = frame
    return tables
