"""A workbook made by `nianbao template` and filled by a clerk, read cell by cell.

The layout of the edition named on the metadata sheet (workbook.layout) says where each value
stands; the labels around them are compared with it first, so a sheet that was rearranged or
replaced is refused rather than read at the wrong places. Problems are located as
工作表「三」D7, the way a clerk finds them in Excel.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ..errors import DataFileError, Problem
from ..model.edition import all_editions, load_edition
from ..model.report import LEVELS, Report
from .build import Raw, assemble
from .form import EDITION_CELL, META_SHEET, YES, coord, layout, located
from .inflate import ZipLimits, unzipped
from .source import MB, WORKBOOK_LIMIT, read_bytes

LEVEL_IDS = {name: key for key, name in LEVELS.items()}
NOT_TEMPLATE = "不是用 nianbao template 生成的填报表"
# A filled form's largest part (sheet 三) is about 30 KB of XML, and the whole about 70 KB.
# openpyxl holds every cell as an object (~0.5 KB each), so what it is given is bounded before
# it is inflated (inflate.py): a zip bomb or a sheet of a million rows is refused, not loaded.
# Every part counts, whatever its name: the workbook names its sheets' parts in its relationships.
LIMITS = ZipLimits(kind="工作簿", part=4 * MB, total=16 * MB, parts=500,
                   advice="填报表解压后只有约 70 KB；请在 nianbao template 生成的原表中填写，不要粘贴大量数据或图片")


def _load(path: Path):
    from openpyxl import load_workbook
    data = read_bytes(path, WORKBOOK_LIMIT)
    archive = unzipped(path, data, LIMITS)
    try:
        # data_only: a formula a clerk typed into a value cell counts with its computed value
        return load_workbook(archive or io.BytesIO(data), data_only=True)
    except FileNotFoundError:
        raise DataFileError([Problem(path, None, None, "找不到这个文件")]) from None
    except Exception:          # InvalidFileException, BadZipFile, broken XML…: not a usable workbook
        raise DataFileError([Problem(path, None, None,
                                     "不是 Excel 工作簿（.xlsx），或文件已损坏；请用 Excel 或 WPS 另存为 .xlsx")]) from None


def _value(cell_value):
    """Excel keeps whole numbers typed as 12 sometimes as 12.0; dates come as datetimes."""
    if isinstance(cell_value, float) and cell_value.is_integer():
        return int(cell_value)
    if isinstance(cell_value, str) and not cell_value.strip():
        return None
    return cell_value


def _layout_problems(path: Path, wb, lay) -> list[Problem]:
    """The sheets and labels must be the template's: values are read by position."""
    problems = []
    for sheet in lay.sheets:
        if sheet.name not in wb.sheetnames:
            problems.append(Problem(path, None, None, f"缺少工作表「{sheet.name}」（{NOT_TEMPLATE}，"
                                    f"或工作表被改名、删除；请用 nianbao template 重新生成模板）"))
            continue
        ws = wb[sheet.name]
        for row, col, text, _, _ in sheet.labels:
            found = ws.cell(row, col).value
            if str(found or "").strip() != text:
                at = coord(row, col)
                problems.append(Problem(path, located(sheet.name, at), None,
                                        f"应为“{text}”，实际为“{found or ''}”（表格的行列被改动过，"
                                        f"无法确定数值的位置；请在原模板中填写）"))
                break          # one per sheet: the rest follow from it
    return problems


def read_xlsx(path: str | Path) -> Report:
    path = Path(path)
    wb = _load(path)
    if META_SHEET not in wb.sheetnames:
        raise DataFileError([Problem(path, None, None, f"{NOT_TEMPLATE}：缺少工作表「{META_SHEET}」。"
                                     f"请用 nianbao template --edition 2019 或 2021 生成模板后填写")])
    meta_ws = wb[META_SHEET]
    edition_id = str(_value(meta_ws[EDITION_CELL].value) or "").strip()
    known = [e.id for e in all_editions()]
    if edition_id not in known:
        raise DataFileError([Problem(path, located(META_SHEET, EDITION_CELL), "edition",
                                     f"格式版本应为 {' 或 '.join(known)}，实际为“{edition_id}”（{NOT_TEMPLATE}）")])
    lay = layout(load_edition(edition_id))
    problems = _layout_problems(path, wb, lay)
    if problems:
        raise DataFileError(problems)

    meta = {"edition": Raw(edition_id, located(META_SHEET, EDITION_CELL))}
    for key, at in lay.meta_cells.items():
        value = _value(meta_ws[at].value)
        if key == "level":
            value = LEVEL_IDS.get(value, value)
        elif key == "demo":
            value = value == YES
        elif key == "published" and isinstance(value, dt.datetime):
            value = value.date()
        meta[key] = Raw(value, located(META_SHEET, at))
    narrative = {key: Raw(_value(meta_ws[at].value), located(META_SHEET, at))
                 for key, at in lay.narrative_cells.items()}
    units = {row_id: str(meta_ws[at].value).strip() for row_id, at in lay.unit_cells.items()
             if _value(meta_ws[at].value) is not None}

    cells = {}
    for tid, sheet in lay.tables.items():
        ws = wb[sheet.name]
        for key, (r, c, _) in sheet.inputs.items():
            cells[key] = Raw(_value(ws.cell(r, c).value), located(sheet.name, coord(r, c)))
    return assemble(path, meta, narrative, cells, lay.where, [], units)
