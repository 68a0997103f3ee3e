"""Open data: a report's tables as CSV and JSON beside its public page, and one CSV of every
unit's cells per county-year — written by the client from the unit records of run.json (which
keep every cell's value: record.py), so no data file is read again.

Every cell of the edition is listed in its form order, with the edition's ids and official
labels; a blank cell is null (JSON) or empty (CSV), never 0. One function, `value`, turns a
recorded value into what the files hold.
"""
from __future__ import annotations

import json
import math
from functools import cache

from ..model.edition import load_edition
from .county_index import csv_text
from .paths import DATA_FILES

HEADER = ["县", "年度", "单位", "表格", "行", "列", "表格名称", "行名称", "列名称", "数值", "计量单位"]
# An amount's unit when its data file names none: the unit the report's text gives amounts in
# (render/prose.py) and the 2021 form's label (本年收费金额（单位：万元）); a data file may say
# another ({amount: …, unit: 元}), kept as the unit record (run.json's amount_units).
AMOUNT_UNIT = "万元"


def value(recorded):
    """A recorded cell → a JSON/CSV value: a number stays a number, missing (None, NaN) is None.
    Anything else (a cell's text) is kept as text."""
    if recorded is None or (isinstance(recorded, float) and math.isnan(recorded)):
        return None
    if isinstance(recorded, (int, float)) and not isinstance(recorded, bool):
        return recorded
    return str(recorded)


@cache
def _layout(edition_id: str) -> tuple[tuple, ...]:
    """(table id, title, row id, column id, row label, column label, is an amount) of every
    cell, form order."""
    edition = load_edition(edition_id)
    return tuple((tid, table.title, row, col, table.row(row).full_label, table.column(col).full_label,
                  table.value_type(col) == "amount")
                 for tid, table in edition.tables.items() for row, col in table.cells)


def has_data(rec: dict) -> bool:
    return rec.get("values") is not None and rec.get("edition") is not None


def amount_units(rec: dict) -> dict[str, str]:
    """Row id → the unit of its amount, for every row of the edition with an amount."""
    units = rec.get("amount_units") or {}
    return {row: str(units.get(row) or AMOUNT_UNIT)
            for _table, _title, row, _col, _row_label, _col_label, amount in _layout(str(rec["edition"])) if amount}


def cells(rec: dict):
    """(table, title, row, column, row label, column label, value, unit) of every cell of a
    unit; the unit is an amount's (None for a count)."""
    values, units = rec["values"], amount_units(rec)
    for tid, title, row, col, row_label, col_label, amount in _layout(str(rec["edition"])):
        yield (tid, title, row, col, row_label, col_label, value(((values.get(tid) or {}).get(row) or {}).get(col)),
               units[row] if amount else None)


def _rows(rec: dict) -> list[list]:
    who = [rec.get("county"), rec.get("year"), rec.get("short_name")]
    return [[*who, tid, row, col, title, row_label, col_label, v, unit]
            for tid, title, row, col, row_label, col_label, v, unit in cells(rec)]


def unit_csv(rec: dict) -> str:
    return csv_text([HEADER, *_rows(rec)])


def county_csv(records: list[dict]) -> str:
    return csv_text([HEADER, *(row for rec in records if has_data(rec) for row in _rows(rec))])


def unit_json(rec: dict) -> str:
    tables: dict[str, dict] = {}
    for tid, title, row, col, row_label, col_label, v, unit in cells(rec):
        table = tables.setdefault(tid, {"id": tid, "title": title, "cells": []})
        table["cells"].append({"row": row, "column": col, "row_label": row_label,
                               "column_label": col_label, "value": v, "unit": unit})
    content = {"county": rec.get("county"), "year": rec.get("year"), "unit": rec.get("unit"),
               "short_name": rec.get("short_name"), "edition": str(rec["edition"]),
               "amount_units": amount_units(rec), "tables": list(tables.values())}
    return json.dumps(content, ensure_ascii=False, indent=1) + "\n"


def unit_files(rec: dict) -> dict[str, str]:
    """File-name suffix → text, for a unit with recorded values."""
    return {DATA_FILES["csv"]: unit_csv(rec), DATA_FILES["json"]: unit_json(rec)}
