"""The Excel workbook a clerk fills: the official form of an edition, laid out from its data.

`layout(edition)` says where every label, input cell and check cell stands; the template writer
(documents/workbook.py) and the workbook reader (xlsx_reader.py) both use it, so what is written is
exactly what is read back. Tables follow the nesting of the edition (merged headers, as
tables.py lays out the HTML); the check cells are Excel formulas made from the edition's `rules`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

from openpyxl.utils import get_column_letter

from ..model.edition import Edition, Line, Table, header_spans, load_edition
from ..model.report import NARRATIVE

META_SHEET = "基本信息"
EDITION_CELL = "B2"
META_FIELDS = (   # (key, label, hint) in the order of the sheet, after the edition row
    ("unit", "发布机关（全称）", "如：姚集镇人民政府"),
    ("short_name", "简称", "如：姚集镇（用作报告标题和文件名）"),
    ("level", "层级", "乡镇、街道、县级或部门"),
    ("county", "所属县（区）", "如：商水县"),
    ("year", "报告年度", "如：2020"),
    ("published", "发布日期", "如：2021-01-28"),
    ("demo", "示例数据", "真实报告选“否”"),
)
NARRATIVE_LABELS = {"overview": "一、总体情况", "problems": "五、存在的主要问题",
                    "improvements": "五、改进情况", "other": "六、其他需要报告的事项"}
UNIT_CHOICES = ("元", "万元")
YES, NO = "是", "否"
FAILED = "不符"      # check cells start with this word when a rule is broken
NOT_CHECKED = "不适用，未核对"   # … and say this when a cell it needs is not applicable
NUMBERING = re.compile(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+\.)")


@dataclass(frozen=True)
class Check:
    """A live check of one rule for one column (or row): a formula and where it stands."""
    rule: str
    line: str
    row: int
    col: int
    formula: str
    span: int = 1


@dataclass
class Sheet:
    name: str
    table: str | None
    labels: list[tuple[int, int, str, int, int]] = field(default_factory=list)  # row, col, text, rowspan, colspan
    inputs: dict[tuple[str, str, str], tuple[int, int, int]] = field(default_factory=dict)  # cell -> row, col, colspan
    checks: list[Check] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    title_rows: tuple[int, int] | None = None   # header rows printed again on every page

    def label(self, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> None:
        self.labels.append((row, col, text, rowspan, colspan))


@dataclass
class Layout:
    edition: Edition
    meta: Sheet
    meta_cells: dict[str, str]            # metadata key -> coordinate on the metadata sheet
    narrative_cells: dict[str, str]       # narrative key -> coordinate
    unit_cells: dict[str, str]            # row id with an amount -> coordinate of its unit
    tables: dict[str, Sheet]              # table id -> its sheet

    @property
    def sheets(self) -> list[Sheet]:
        return [self.meta, *self.tables.values()]

    def where(self, table: str, row: str, column: str) -> str:
        sheet = self.tables[table]
        r, c, _ = sheet.inputs[(table, row, column)]
        return located(sheet.name, coord(r, c))


def coord(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def located(sheet: str, at: str) -> str:
    """工作表「三」D7: a cell as a clerk finds it in Excel."""
    return f"工作表「{sheet}」{at}"


def sheet_name(table: Table) -> str:
    """二 for 二、主动公开政府信息情况: the section numeral, as clerks call the tables."""
    return table.title.split("、")[0]


# ---------------------------------------------------------------- the layout of each table

def _proactive(table: Table) -> Sheet:
    sheet = Sheet(sheet_name(table), table.id, widths={1: 26})
    width = table.spec["grid_columns"]
    sheet.label(1, 1, table.title, colspan=width + 1)
    r = 2
    for part in table.parts:
        sheet.label(r, 1, part.caption, colspan=width + 1)
        sheet.label(r + 1, 1, table.spec["row_header"])
        for i, col in enumerate(part.columns):       # the last column spans what is left
            span = width - i if i == len(part.columns) - 1 else 1
            sheet.label(r + 1, 2 + i, col.label, colspan=span)
        r += 2
        for row in part.rows:
            sheet.label(r, 1, row.label)
            for i, col in enumerate(part.columns):
                span = width - i if i == len(part.columns) - 1 else 1
                sheet.inputs[(table.id, row.id, col.id)] = (r, 2 + i, span)
            r += 1
    for c in range(2, width + 2):
        sheet.widths[c] = 16
    return sheet


def _requests(table: Table) -> Sheet:
    sheet = Sheet(sheet_name(table), table.id)
    depth = 1 + max(len(r.groups) for r in table.rows)           # label columns of the form
    col_depth = 1 + max(len(c.groups) for c in table.columns)
    first = depth + 1                                             # first value column
    sheet.label(1, 1, table.title, colspan=depth + len(table.columns))
    sheet.label(2, 1, table.spec["corner_note"], rowspan=col_depth + 1, colspan=depth)
    sheet.label(2, first, table.spec["header"], colspan=len(table.columns))
    for level in range(col_depth):
        for j, (col, starts) in enumerate(zip(table.columns, header_spans(table.columns))):
            if level in starts:
                sheet.label(3 + level, first + j, starts[level][0], colspan=starts[level][1])
            elif level == len(col.groups):
                sheet.label(3 + level, first + j, col.label, rowspan=col_depth - level)
    top = 3 + col_depth
    sheet.title_rows = (2, top - 1)
    for i, (row, starts) in enumerate(zip(table.rows, header_spans(table.rows))):
        for d, (group, count) in starts.items():
            sheet.label(top + i, 1 + d, group, rowspan=count)
        sheet.label(top + i, 1 + len(row.groups), row.label, colspan=depth - len(row.groups))
        for j, col in enumerate(table.columns):
            sheet.inputs[(table.id, row.id, col.id)] = (top + i, first + j, 1)
    sheet.widths = {c: 10 for c in range(1, depth)} | {depth: 44} | {
        first + j: 11 for j in range(len(table.columns))}
    return sheet


def _appeals(table: Table) -> Sheet:
    sheet = Sheet(sheet_name(table), table.id)
    width = len(table.columns)
    sheet.label(1, 1, table.title, colspan=width * len(table.rows))
    for i, (row, starts) in enumerate(zip(table.rows, header_spans(table.rows))):
        left = 1 + i * width
        if not row.groups:                  # e.g. 行政复议: its column labels span two rows
            sheet.label(2, left, row.label, colspan=width)
            for j, col in enumerate(table.columns):
                sheet.label(3, left + j, col.label, rowspan=2)
        else:
            for group, count in starts.values():
                sheet.label(2, left, group, colspan=width * count)
            sheet.label(3, left, row.label, colspan=width)
            for j, col in enumerate(table.columns):
                sheet.label(4, left + j, col.label)
        for j, col in enumerate(table.columns):
            sheet.inputs[(table.id, row.id, col.id)] = (5, left + j, 1)
    sheet.widths = {c: 9 for c in range(1, width * len(table.rows) + 1)}
    sheet.title_rows = (2, 4)
    return sheet


BUILDERS = {"proactive": _proactive, "requests": _requests, "appeals": _appeals}


# ---------------------------------------------------------------- check cells from the rules

def _short(line: Line) -> str:
    """一 for 一、本年新收…, （七） for （七）总计, the label itself when it has no number."""
    for text in (*line.prefix, line.label):
        found = NUMBERING.match(text)
        if found:
            return found.group(1).rstrip("、.")
    return line.label


def _side(lines: list[Line]) -> str:
    if len(lines) > 4:
        return f"{_short(lines[0])}至{_short(lines[-1])}各项之和"
    return "＋".join(_short(line) for line in lines)


def caption(rule: dict, table: Table) -> str:
    """核对：一＋二＝（七）＋四 — what a check row or column verifies, from the rule's ids."""
    lines = {line.id: line for line in (*table.rows, *table.columns)}
    left = _side([lines[i] for i in rule["left"]])
    return f"核对：{left}＝{_side([lines[i] for i in rule['right']])}"


def ranges(cells: list[tuple[int, int]]) -> list[str]:
    """Cell coordinates, consecutive runs in one column or one row written as a range (D7:D25)."""
    runs: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for cell in cells:
        if runs:
            start, end = runs[-1]
            down = start[1] == end[1] == cell[1] and cell[0] == end[0] + 1 and (start == end or start[0] != end[0])
            right = start[0] == end[0] == cell[0] and cell[1] == end[1] + 1 and (start == end or start[1] != end[1])
            if down or right:
                runs[-1] = (start, cell)
                continue
        runs.append((cell, cell))
    return [coord(*a) if a == b else f"{coord(*a)}:{coord(*b)}" for a, b in runs]


def _text(s: str) -> str:
    return s.replace('"', '""')


def check_formula(rule: dict, line: Line, sheet: Sheet) -> str:
    """=IF(COUNTA(…)<n,"待填",IF(COUNT(…)<n,"不适用，未核对",IF(SUM(left)=SUM(right),"相符",
    "不符：<the rule's message>"))): a cell left blank is to be filled; one holding a mark (the
    validation lets in no other text) is not applicable, and the check does not run."""
    per_column = rule["per"] == "column"

    def cells(ids):
        keys = [(rule["table"], i, line.id) if per_column else (rule["table"], line.id, i) for i in ids]
        return [sheet.inputs[k][:2] for k in keys]
    left, right = cells(rule["left"]), cells(rule["right"])
    left_sum = f"SUM({','.join(ranges(left))})"
    right_sum = f"SUM({','.join(ranges(right))})"
    every = ','.join(ranges(left + right))
    message = _text(rule["message"]).format(label=_text(line.full_label),
                                            left=f'"&{left_sum}&"', right=f'"&{right_sum}&"')
    op = rule.get("op", "==")
    op = "=" if op == "==" else op                      # Excel writes equality as =
    n = len(left) + len(right)
    return (f'=IF(COUNTA({every})<{n},"待填",IF(COUNT({every})<{n},"{NOT_CHECKED}",'
            f'IF({left_sum}{op}{right_sum},"相符","{FAILED}：{message}")))')


def _lines_of(rule: dict, table: Table, sheet: Sheet) -> list[Line]:
    """The columns (or rows) of the table that hold every cell the rule names."""
    per_column = rule["per"] == "column"
    lines = table.columns if per_column else table.rows
    ids = rule["left"] + rule["right"]
    return [line for line in lines
            if all(((table.id, i, line.id) if per_column else (table.id, line.id, i)) in sheet.inputs
                   for i in ids)]


def _add_checks(sheet: Sheet, table: Table, rules: list[dict]) -> None:
    """Per-column checks in rows under the table; per-row checks in columns beside it, or — when
    the table's rows share one sheet row (四) — under the total they check."""
    last_row = max(r for r, _, _ in sheet.inputs.values())
    last_col = max(c + s - 1 for _, c, s in sheet.inputs.values())
    label_cols = min(c for _, c, _ in sheet.inputs.values()) - 1
    first_row = min(r for r, _, _ in sheet.inputs.values())
    below, beside = last_row + 1, last_col + 1
    one_row = len({r for r, _, _ in sheet.inputs.values()}) == 1
    for rule in rules:
        lines = _lines_of(rule, table, sheet)
        if not lines:
            continue
        if rule["per"] == "column":
            if label_cols:
                sheet.label(below, 1, caption(rule, table), colspan=label_cols)
            for col in lines:
                _, c, _ = sheet.inputs[(table.id, table.rows[0].id, col.id)]
                sheet.checks.append(Check(rule["id"], col.id, below, c, check_formula(rule, col, sheet)))
            below += 1
        elif one_row:
            sheet.label(below, 1, caption(rule, table), colspan=last_col)
            for row in lines:
                cols = sorted(c for (_, r, _), (_, c, _) in sheet.inputs.items() if r == row.id)
                sheet.checks.append(Check(rule["id"], row.id, below + 1, cols[0],
                                          check_formula(rule, row, sheet), span=len(cols)))
            below += 2
        else:
            sheet.label(2, beside, caption(rule, table), rowspan=first_row - 2)
            for row in lines:
                r = min(r for (_, rid, _), (r, _, _) in sheet.inputs.items() if rid == row.id)
                sheet.checks.append(Check(rule["id"], row.id, r, beside, check_formula(rule, row, sheet)))
            sheet.widths[beside] = 30
            beside += 1


# ---------------------------------------------------------------- how a sheet prints

DEFAULT_WIDTH = 8.43       # Excel's column width, in widths of the digit 0
LINE_PT = 15.0             # one line of 11 pt text
LANDSCAPE_ABOVE = 120      # a sheet wider than this (in digit widths) prints on landscape A4


def text_width(text: str) -> int:
    """In digit widths: a Chinese character (or full-width sign) takes two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def column_width(sheet: Sheet, col: int, colspan: int = 1) -> float:
    return sum(sheet.widths.get(c, DEFAULT_WIDTH) for c in range(col, col + colspan))


def extent(sheet: Sheet) -> tuple[int, int]:
    """The last row and column the sheet uses: labels, inputs and check cells."""
    cells = ([(r + rs - 1, c + cs - 1) for r, c, _, rs, cs in sheet.labels]
             + [(r, c + span - 1) for r, c, span in sheet.inputs.values()]
             + [(k.row, k.col + k.span - 1) for k in sheet.checks])
    return max(r for r, _ in cells), max(c for _, c in cells)


def landscape(sheet: Sheet) -> bool:
    return column_width(sheet, 1, extent(sheet)[1]) > LANDSCAPE_ABOVE


def lines_of(text: str, width: float) -> int:
    """Lines a text wraps to in a cell `width` digit widths wide (its own line breaks kept)."""
    room = max(1.0, width - 1)
    return sum(max(1, math.ceil(text_width(part) / room)) for part in text.split("\n"))


def row_heights(sheet: Sheet) -> dict[int, float]:
    """Rows made tall enough for their wrapped labels, so that no label runs into the next; a
    label over several rows shares what it needs among them. Labels of one row come first."""
    heights: dict[int, float] = {}
    for row, col, text, rowspan, colspan in sorted(sheet.labels, key=lambda label: label[3]):
        need = lines_of(text, column_width(sheet, col, colspan)) * LINE_PT + 3
        have = sum(heights.get(r, LINE_PT) for r in range(row, row + rowspan))
        if need > have:
            for r in range(row, row + rowspan):
                heights[r] = heights.get(r, LINE_PT) + (need - have) / rowspan
    return {r: round(h, 1) for r, h in heights.items() if h > LINE_PT}


# ---------------------------------------------------------------- the whole layout

def _meta_sheet(edition: Edition) -> tuple[Sheet, dict, dict, dict]:
    sheet = Sheet(META_SHEET, None, widths={1: 24, 2: 60, 3: 30})
    sheet.label(1, 1, f"政府信息公开工作年度报告 填报表（{edition.id}版格式，{edition.issued_by}）", colspan=3)
    sheet.label(2, 1, "格式版本")
    sheet.label(2, 3, "由模板决定，不可修改")
    meta, narrative, units = {}, {}, {}
    r = 3
    for key, label, hint in META_FIELDS:
        sheet.label(r, 1, label)
        sheet.label(r, 3, hint)
        meta[key] = coord(r, 2)
        r += 1
    proactive = edition.tables["proactive"]
    for row in proactive.rows:
        for col in proactive.columns_of(row.id):
            if col.id in proactive.spec.get("units_allowed", ()):
                sheet.label(r, 1, f"{row.label}·{col.label}的单位")
                sheet.label(r, 3, "表中没有单位时可不填")
                units[row.id] = coord(r, 2)
                r += 1
    for key in NARRATIVE:
        sheet.label(r, 1, NARRATIVE_LABELS[key])
        sheet.label(r, 3, "直接粘贴正文，可分段（Alt+回车）")
        narrative[key] = coord(r, 2)
        r += 1
    return sheet, meta, narrative, units


def layout(edition: Edition) -> Layout:
    return _layout(edition.id)


@cache
def _layout(edition_id: str) -> Layout:
    edition = load_edition(edition_id)
    meta, meta_cells, narrative_cells, unit_cells = _meta_sheet(edition)
    tables = {}
    for tid, table in edition.tables.items():
        sheet = BUILDERS[tid](table)
        _add_checks(sheet, table, [r for r in edition.rules if r["table"] == tid])
        tables[tid] = sheet
    return Layout(edition, meta, meta_cells, narrative_cells, unit_cells, tables)
