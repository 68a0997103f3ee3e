"""Writing the Excel workbook a clerk fills (`nianbao template`), from the layout in io/form.py."""
from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..errors import DataFileError, display_path
from ..io import read_report
from ..io.files import atomic_write
from ..model.edition import Edition, Table, load_edition
from ..model.report import LEVELS, Report
from ..io.form import (EDITION_CELL, FAILED, LINE_PT, NO, UNIT_CHOICES, YES, Layout, Sheet, column_width, extent,
                   landscape, layout, lines_of, ranges, row_heights)

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF9E0")
RED_FILL = PatternFill("solid", fgColor="F4B6B6")
GREEN_FONT = Font(color="2E7D32")
RED_FONT = Font(color="9C0006", bold=True)
UNLOCKED = Protection(locked=False)
# value type -> (what a cell of it holds, as an Excel condition on the cell {c}; the message)
TYPE_RULES = {
    "count": ("AND(ISNUMBER({c}),{c}>=0,{c}=INT({c}))", "应为非负整数（没有发生请填0，空白不等于0）"),
    "signed_count": ("AND(ISNUMBER({c}),{c}=INT({c}))", "应为整数（可为负数）"),
    "amount": ("AND(ISNUMBER({c}),{c}>=0)", "应为非负数（金额）"),
}
# the not-applicable marks a clerk may type instead (model.report.NOT_APPLICABLE; any run of
# dashes is read as one, these are the ones offered)
MARKS = ("/", "／", "—", "——", "－", "-", "无", "不适用")
NOT_APPLICABLE_WORDS = "；本行不适用于本单位的，填“/”、“—”、“无”或“不适用”"


def _put(cell, value) -> None:
    """A value typed by a user, written as what it is: text that starts with "=" stays text
    (openpyxl would store it as a live formula — CSV injection's twin in a workbook)."""
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True          # and stays text when the clerk edits it in Excel


def _validations(cells: dict[str, list[tuple[int, int]]]) -> list[DataValidation]:
    """A number of the value type, or a not-applicable mark: one custom rule per run of input
    cells of one kind in one column (its formula speaks of the run's first cell, as Excel reads
    a rule's formula relative to the top-left cell of its range)."""
    out = []
    for kind, coords in cells.items():
        condition, message = TYPE_RULES[kind]
        for run in ranges(sorted(coords, key=lambda rc: (rc[1], rc[0]))):
            first = run.split(":")[0]
            marks = ",".join(f'{first}="{m}"' for m in MARKS)
            validation = DataValidation(type="custom", formula1=f"OR({condition.format(c=first)},{marks})",
                                        allow_blank=True, showErrorMessage=True, errorTitle="输入有误",
                                        error=message + NOT_APPLICABLE_WORDS)
            validation.add(run)
            out.append(validation)
    return out


def _choices(options, message: str) -> DataValidation:
    return DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                          showErrorMessage=True, errorTitle="输入有误", error=message)


def _write_labels(ws, sheet: Sheet) -> None:
    for row, col, text, rowspan, colspan in sheet.labels:
        cell = ws.cell(row, col, text)
        cell.alignment = CENTER if sheet.table else LEFT
        if rowspan > 1 or colspan > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + rowspan - 1,
                           end_column=col + colspan - 1)
        if sheet.table:
            for r in range(row, row + rowspan):
                for c in range(col, col + colspan):
                    ws.cell(r, c).border = BOX
    if sheet.table:
        ws.cell(1, 1).font = Font(bold=True, size=13)
        ws.cell(1, 1).border = Border()
    for col, width in sheet.widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _write_table(ws, sheet: Sheet, table: Table, report: Report | None) -> None:
    inputs: dict[str, list[tuple[int, int]]] = {}
    for (tid, row_id, col_id), (r, c, span) in sheet.inputs.items():
        cell = ws.cell(r, c)
        if span > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + span - 1)
        for k in range(c, c + span):
            ws.cell(r, k).border = BOX
        cell.protection = UNLOCKED
        cell.fill = INPUT_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        inputs.setdefault(table.value_type(col_id), []).append((r, c))
        if report is not None:
            value = report.value(tid, row_id, col_id)
            key = (tid, row_id, col_id)
            _put(cell, value if value is not None else report.not_applicable.get(key, report.raw.get(key)))
    for validation in _validations(inputs):
        ws.add_data_validation(validation)
    for check in sheet.checks:
        cell = ws.cell(check.row, check.col, check.formula)
        if check.span > 1:
            ws.merge_cells(start_row=check.row, start_column=check.col, end_row=check.row,
                           end_column=check.col + check.span - 1)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        cell.font = GREEN_FONT
        cell.border = BOX
        ws.conditional_formatting.add(cell.coordinate, FormulaRule(
            formula=[f'LEFT({cell.coordinate},{len(FAILED)})="{FAILED}"'], fill=RED_FILL, font=RED_FONT))


def _write_meta(ws, lay: Layout, report: Report | None) -> None:
    edition = lay.edition
    ws[EDITION_CELL] = edition.id
    levels = _choices(LEVELS.values(), "请从列表中选择")
    years = DataValidation(type="whole", operator="between", formula1="2008", formula2="2100",
                           showErrorMessage=True, errorTitle="输入有误", error="应为报告年度（如 2020）")
    dates = DataValidation(type="date", operator="greaterThan", formula1="39448", showErrorMessage=True,
                           errorTitle="输入有误", error="应为日期（如 2021-01-28）")
    yes_no = _choices((YES, NO), "请选择“是”或“否”")
    units = _choices(UNIT_CHOICES, "请选择“元”或“万元”，或不填")
    validated = {"level": levels, "year": years, "published": dates, "demo": yes_no}
    for key, at in lay.meta_cells.items():
        cell = ws[at]
        cell.protection = UNLOCKED
        cell.fill = INPUT_FILL
        if key in validated:
            validated[key].add(at)
        if key == "published":
            cell.number_format = "yyyy-mm-dd"
    for at in lay.unit_cells.values():
        ws[at].protection = UNLOCKED
        ws[at].fill = INPUT_FILL
        units.add(at)
    for at in lay.narrative_cells.values():
        ws[at].protection = UNLOCKED
        ws[at].fill = INPUT_FILL
        ws[at].alignment = LEFT
        ws.row_dimensions[ws[at].row].height = 120
    for validation in (levels, years, dates, yes_no, units):
        ws.add_data_validation(validation)
    ws[lay.meta_cells["demo"]] = NO
    if report is None:
        return
    values = {"unit": report.unit, "short_name": report.short_name, "level": LEVELS[report.level],
              "county": report.county, "year": report.year, "published": report.published,
              "demo": YES if report.demo else NO}
    for key, value in values.items():
        if value is not None:
            _put(ws[lay.meta_cells[key]], dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value)
    for row_id, at in lay.unit_cells.items():
        if report.units.get(row_id):
            _put(ws[at], report.units[row_id])
    for key, at in lay.narrative_cells.items():
        if report.narrative.get(key):
            _put(ws[at], report.narrative[key])
            # tall enough to print the whole text (Excel allows rows up to 409 pt)
            lines = lines_of(report.narrative[key], column_width(lay.meta, ws[at].column))
            ws.row_dimensions[ws[at].row].height = min(409, max(120, lines * LINE_PT + 3))


def _print_setup(ws, sheet: Sheet) -> None:
    """A4, the sheet's whole width on one page (landscape when wide), header rows repeated,
    rows tall enough for their wrapped labels: labels, inputs and checks print together."""
    last_row, last_col = extent(sheet)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape(sheet) else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0      # as many pages tall as needed
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if sheet.title_rows:
        ws.print_title_rows = f"{sheet.title_rows[0]}:{sheet.title_rows[1]}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    for row, height in row_heights(sheet).items():
        if ws.row_dimensions[row].height is None:           # the narrative rows keep their own
            ws.row_dimensions[row].height = height


def template_bytes(edition: Edition, report: Report | None = None) -> bytes:
    """The workbook (.xlsx) for an edition, filled from `report` when given."""
    lay = layout(edition)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in lay.sheets:
        ws = wb.create_sheet(sheet.name)
        _write_labels(ws, sheet)
        if sheet.table:
            _write_table(ws, sheet, edition.tables[sheet.table], report)
        else:
            _write_meta(ws, lay, report)
        _print_setup(ws, sheet)
        ws.protection.sheet = True           # labels and formulas locked; input cells are not
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
    wb.calculation.fullCalcOnLoad = True     # the checks have no stored results: compute on opening
    wb.properties.title = f"政府信息公开工作年度报告（{edition.id}版格式）"
    wb.properties.keywords = f"nianbao-template {edition.id}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run_template(args) -> int:
    """`nianbao template`: write the workbook; exit 2 when the data file or options are unusable."""
    report = None
    if args.source:
        try:
            report = read_report(args.source)
        except DataFileError as exc:
            print(exc, file=sys.stderr)
            return 2
        if args.edition and args.edition != report.edition.id:
            print(f"{args.source}：数据使用{report.edition.id}版格式，与 --edition {args.edition} 不符",
                  file=sys.stderr)
            return 2
    elif not args.edition:
        print("请用 --edition 2019 或 --edition 2021 指定格式版本，或用 --from 指定数据文件", file=sys.stderr)
        return 2
    edition = report.edition if report else load_edition(args.edition)
    out = Path(args.output or (Path(args.source).with_suffix(".xlsx").name if args.source
                               else f"年报填报表-{edition.id}版.xlsx"))
    if out.suffix.lower() != ".xlsx":
        print(f"{out}：输出文件应以 .xlsx 结尾", file=sys.stderr)
        return 2
    if args.source and out.resolve() == Path(args.source).resolve():
        print(f"{out}：不能覆盖作为 --from 的数据文件", file=sys.stderr)
        return 2
    atomic_write(out, template_bytes(edition, report))
    print(f"已生成填报表 {display_path(out)}（{edition.id}版格式）", file=sys.stderr)
    return 0
