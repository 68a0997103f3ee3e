"""Turning raw values read from any source into a Report, with the same rules and words.

A reader (YAML, workbook, published page) finds the raw values and where they stand; this
module decides what they mean: metadata problems make the input unusable (DataFileError), cell
problems are findings (cells.missing, cells.type, edition.year) and the report is still made.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import DataFileError, Problem, display_path, suggest
from ..model.contract import META_REQUIRED
from ..model.edition import Edition, all_editions, edition_for, load_edition
from ..model.findings import ERROR, Finding
from ..model.report import LEVELS, NARRATIVE, Report, empty_table, not_applicable_mark
from .signs import plain_number

TYPE_WORDS = {"count": "非负整数", "signed_count": "整数（可为负数）", "amount": "非负数（金额）"}
NUMERAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
LARGEST = 10 ** 12            # no count or amount (元) of a report comes near a trillion
NAME_LIMITS = {"unit": 100, "short_name": 50, "county": 50, "source": 500}   # characters
FILE_NAMES = ("short_name", "county")       # become folder and file names of the outputs
NOT_IN_FILE_NAMES = re.compile(r"[\x00-\x1f\x7f/\\]")
YEAR_FOLDER = re.compile(r"(19|20)\d\d")
SHOWN = 40                    # characters of a typed value quoted back in a message


def shown(value: object) -> str:
    """A typed value as quoted in a message: cut when long (a message is read, not scrolled)."""
    text = str(value)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}…（共{len(text)}个字符）"


def too_large(raw: object) -> bool:
    """A number beyond any report's scale (or beyond what a machine number holds)."""
    if isinstance(raw, str):
        text = raw.strip().replace(",", "").lstrip("+-")
        return bool(NUMERAL.fullmatch(text)) and len(text.split(".")[0].lstrip("0")) > len(str(LARGEST))
    return isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == raw and abs(raw) > LARGEST


@dataclass(frozen=True)
class Raw:
    """A value as read, and where it stands in the source (e.g. 第41行)."""
    value: object
    where: str | None = None


def unknown_id(file, where, field, word, known, what) -> Problem:
    """An id the edition does not have; names the edition that has it, or the closest one."""
    elsewhere = [e.id for e in all_editions() if word in _ids_of(e, field)]
    hint = f"（这是{elsewhere[0]}版格式的项目）" if elsewhere else suggest(word, known)
    return Problem(file, where, field, f"未知的{what}“{word}”{hint}")


def _ids_of(edition: Edition, field: str) -> set[str]:
    table = edition.tables.get(field.split(".")[0])
    if table is None:
        return set()
    return {r.id for r in table.rows} | {c.id for c in table.columns}


def parse_cell(raw: object, value_type: str):
    """(value, None) for a usable cell, or (None, rule) with rule cells.missing / cells.type."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "cells.missing"
    if isinstance(raw, bool) or too_large(raw):
        return None, "cells.type"
    if isinstance(raw, str):
        text = (plain_number(raw) or raw.strip()).replace(",", "")      # 减12, （3） as clerks type them
        if not NUMERAL.fullmatch(text):
            return None, "cells.type"
        raw = float(text) if any(ch in text for ch in ".") else int(text)
    if not isinstance(raw, (int, float)) or raw != raw or raw in (float("inf"), float("-inf")):
        return None, "cells.type"
    if value_type == "amount":
        return (float(raw), None) if raw >= 0 else (None, "cells.type")
    if float(raw) != int(raw):
        return None, "cells.type"
    if value_type == "count" and raw < 0:
        return None, "cells.type"
    return int(raw), None


def _meta(file, meta: dict[str, Raw], problems: list[Problem]) -> dict:
    out: dict = {}
    for key in META_REQUIRED:
        raw = meta.get(key)
        if raw is None or raw.value in (None, ""):
            problems.append(Problem(file, raw.where if raw else None, key, "缺少此项，必须填写"))
    for key in ("unit", "short_name", "county", "source"):
        if key in meta and meta[key].value not in (None, ""):
            value = meta[key].value
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                problems.append(Problem(file, meta[key].where, key, "应为文字"))
            elif problem := _name_problem(key, str(value).strip()):
                problems.append(Problem(file, meta[key].where, key, problem))
            else:
                out[key] = str(value).strip()
    year = meta.get("year")
    if year is not None and year.value not in (None, ""):
        value = year.value
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 2008 <= value <= 2100:
            problems.append(Problem(file, year.where, "year", f"应为报告年度（如 2020），实际为“{shown(year.value)}”"))
        elif YEAR_FOLDER.fullmatch(Path(file).parent.name) and Path(file).parent.name != str(value):
            folder = Path(file).parent.name
            problems.append(Problem(file, year.where, "year",
                                    f"文件写的是{value}年度，却放在“{folder}”年度的文件夹中（data/<县>/<年度>/）；"
                                    f"请改正 year，或把文件放到“{value}”文件夹"))
        else:
            out["year"] = value
    level = meta.get("level")
    out["level"] = "township"
    if level is not None and level.value not in (None, ""):
        if level.value not in LEVELS:
            known = "、".join(f"{k}（{v}）" for k, v in LEVELS.items())
            problems.append(Problem(file, level.where, "level", f"应为 {known} 之一，实际为“{level.value}”"))
        else:
            out["level"] = level.value
    edition = meta.get("edition")
    if edition is not None and edition.value not in (None, ""):
        known = [e.id for e in all_editions()]
        if str(edition.value) not in known:
            problems.append(Problem(file, edition.where, "edition",
                                    f"应为 {' 或 '.join(known)}，实际为“{edition.value}”"))
        else:
            out["edition"] = load_edition(str(edition.value))
    published = meta.get("published")
    out["published"] = None
    if published is not None and published.value not in (None, ""):
        value = published.value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if not isinstance(value, dt.date):
            calendar = "（日历上没有这一天）" if re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", str(value)) else ""
            problems.append(Problem(file, published.where, "published",
                                    f"应为日期（如 2021-01-28），实际为“{shown(published.value)}”{calendar}"))
        else:
            out["published"] = value
    demo = meta.get("demo")
    out["demo"] = bool(demo and demo.value)
    return out


def _name_problem(key: str, name: str) -> str | None:
    """Why a name cannot be used: too long for a page title or a file name, or (short name,
    county) holding what a file system cannot hold. Refused here, so `check` and `run` agree."""
    if len(name) > NAME_LIMITS[key]:
        return f"过长（{len(name)}个字），应不超过{NAME_LIMITS[key]}个字"
    if key in FILE_NAMES:
        bad = NOT_IN_FILE_NAMES.search(name)
        if bad or name in (".", ".."):
            what = f"字符“{bad.group()}”" if bad and bad.group().isprintable() else \
                (f"控制字符（编码 {ord(bad.group()):#04x}）" if bad else f"“{name}”")
            return f"不能含有{what}：它会用作报告的文件夹或文件名"
    return None


def assemble(file: Path, meta: dict[str, Raw], narrative: dict[str, Raw],
             cells: dict[tuple[str, str, str], Raw], locate: Callable[[str, str, str], str | None],
             problems: list[Problem], units: dict[str, str] | None = None) -> Report:
    """Build the Report; raise DataFileError with `problems` plus any found here.

    `cells` holds every cell the source has, keyed by (table, row, column); `locate` says where
    an absent cell would have been (e.g. the line of its row).
    """
    info = _meta(file, meta, problems)
    narrative_text: dict[str, str] = {}
    for key, raw in narrative.items():
        if raw.value is None:
            continue
        if not isinstance(raw.value, (str, int, float)) or isinstance(raw.value, bool):
            problems.append(Problem(file, raw.where, f"narrative.{key}", "应为一段文字"))
        else:
            narrative_text[key] = str(raw.value).strip()
    if problems:
        raise DataFileError(problems)

    year = info["year"]
    in_force = edition_for(year)
    edition = info.get("edition", in_force)
    findings: list[Finding] = []
    name = display_path(file)
    if edition.id != in_force.id:
        where = meta["edition"].where
        findings.append(Finding(
            "edition.year", ERROR, None, None, None, in_force.id, edition.id,
            f"{name} {where or ''} edition：{year}年度报告应使用{in_force.id}版格式"
            f"（{in_force.issued_by}），文件使用的是{edition.id}版".replace("  ", " ")))

    tables = {tid: empty_table(t) for tid, t in edition.tables.items()}
    raw_texts: dict[tuple[str, str, str], str] = {}
    marks: dict[tuple[str, str, str], str] = {}
    for tid, table in edition.tables.items():
        for row_id, col_id in table.cells:
            raw = cells.get((tid, row_id, col_id))
            if raw is not None and (mark := not_applicable_mark(raw.value)):
                marks[(tid, row_id, col_id)] = mark      # neither missing nor a wrong type
                continue
            kind = table.value_type(col_id)
            value, rule = parse_cell(None if raw is None else raw.value, kind)
            if rule is None:
                tables[tid].at[row_id, col_id] = value
                continue
            where = raw.where if raw is not None else locate(tid, row_id, col_id)
            label = f"{table.title} {table.row(row_id).full_label}·{table.column(col_id).label}"
            head = f"{name} {where} " if where else f"{name} "
            field = f"{tid}.{row_id}.{col_id}"
            if rule == "cells.missing":
                message = f"{head}{field}（{label}）：缺少数据。空白不等于0，没有发生请填0"
                actual = None
            else:
                raw_texts[(tid, row_id, col_id)] = str(raw.value)
                large = "数字过大（不应超过一万亿）；" if too_large(raw.value) else ""
                message = f"{head}{field}（{label}）：{large}应为{TYPE_WORDS[kind]}，实际为“{shown(raw.value)}”"
                actual = shown(raw.value)
            findings.append(Finding(rule, ERROR, tid, row_id, col_id, TYPE_WORDS[kind], actual,
                                    message, ((tid, row_id, col_id),)))

    return Report(
        unit=info["unit"], short_name=info["short_name"], level=info["level"],
        county=info["county"], year=year, edition=edition, published=info["published"],
        narrative={k: narrative_text.get(k, "") for k in NARRATIVE}, tables=tables,
        source=file, demo=info["demo"], units=units or {}, raw=raw_texts,
        not_applicable=marks, reader_findings=findings)
