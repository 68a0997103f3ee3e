"""`nianbao import`: a published report (text, portal text view, HTML page, Word, PDF) → canonical data.

The page is read with the edition as the map: the section headings cut it into sections, the
labels of each table are the anchors between which its values stand, and importer/digits.py splits
values that ran together. Whatever the page does differently from the official form (another
edition, altered labels, half-width brackets, marks instead of numbers) is read as far as it goes
and reported as a deviation; a split the digits and the rules do not settle is left missing,
its candidates recorded under `import_notes` in the output (the YAML reader ignores that key).
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataFileError, NotAReport, Problem, UnreadableDocument, display_path
from ..io import read_report
from ..io.files import atomic_write
from ..io.safe_yaml import NoAliasDumper
from ..io.source import DOCUMENT_LIMIT, PAGE_LIMIT, read_bytes, read_text
from ..model.edition import Edition, edition_for
from ..model.names import organ_name, signing_organ
from ..model.report import LEVELS
from .digits import Mark
from .old_rows import OldRow, kept_old_rows, spread, with_old_rows
from .page import Page, compact, detect_edition
from .page_tables import Reader
from .page_text import page_text
from .pdf import pdf_html
from .reflow import paragraphs
from .word import doc_html, docx_html

DATE = r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
TITLE = re.compile(r"^(?P<org>.*?)\s*(?:关于)?\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:政府信息公开|政务公开)")
TITLE_YEAR_FIRST = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<org>.+?)\s*(?:政府信息公开|政务公开)")
PERIOD_YEAR = re.compile(r"统计期限[^。]{0,12}?((?:19|20)\d{2})\s*年")
SIGNATURE = re.compile(r"(?:此函\s*)?(?P<org>[^\s。；！？，,]{2,40}?)\s*(?P<date>" + DATE + r")(?P<tail>[^。]*)$")
COUNTY = re.compile(r"^(?:[^省]{2,}?省)?(?:[^市县区]{2,}?市(?=.+[县区旗]))?(?P<county>[^县区旗市]{1,12}?[县区旗市])")
PROBLEMS_HEAD = re.compile(r"^\s*[（(]一[)）]\s*(?:存在|主要问题)[^。：:\n]{0,8}[。：:]?\s*")
IMPROVEMENTS_HEAD = re.compile(r"[（(]二[)）]\s*(?:改进|整改|下一步)[^。：:\n]{0,6}[。：:]?\s*")
SENTENCE_END = "。！？；"
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")          # an old binary .doc (and .wps, .xls)
# The text (as HTML) of a Word or PDF report is 20–60 thousand characters, and what it becomes
# must fit a data file (256 KB); the importer reads a million characters in a few seconds.
TEXT_LIMIT = 1_000_000



@dataclass
class Imported:
    data: dict
    edition: Edition
    deviations: list[str] = field(default_factory=list)
    ambiguous: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)            # text that is no value: missing
    not_applicable: dict[str, str] = field(default_factory=dict)   # /, —, 无, 不适用: read as such
    totals: dict[str, dict] = field(default_factory=dict)          # an old row's values: its group's sum

    @property
    def complete(self) -> bool:
        return not (self.ambiguous or self.missing or self.marks)


# ---------------------------------------------------------------- metadata and narrative

def _date(text: str) -> dt.date | None:
    found = re.search(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text or "")
    try:
        return dt.date(*map(int, found.groups())) if found else None
    except ValueError:
        return None


def _title(fields: dict, body: str) -> tuple[str | None, int | None]:
    """(organ, year) from the title; a title wrapped over lines (PDF, Word) is joined first, and
    the spaces a PDF's text puts between characters (“2 0 2 4 年”, “工作年 / 度报告”) are dropped."""
    lines = [line for line in body.strip().splitlines()[:8] if line.strip()][:5]
    # the title may stand under a line of the portal's (“正文”) and wrap (“2024 年…工作 / 年度报告”)
    candidates = [fields.get("标题", "")] + ["".join(lines[first:first + n]) for first in range(3) for n in (1, 2, 3)]
    for text in candidates:
        text = compact(text)
        for pattern in (TITLE, TITLE_YEAR_FIRST):
            found = pattern.match(text)
            if found and organ_name(found.group("org")):
                return organ_name(found.group("org")), int(found.group("year"))
    return None, None


def _signature(text: str) -> tuple[str, str | None, dt.date | None, str]:
    """(text without the closing lines, organ signing, date signed, page furniture dropped)."""
    last = max(text.rfind(ch) for ch in SENTENCE_END)
    found = SIGNATURE.search(text, last + 1 if last >= 0 else 0)
    if found:
        return text[:found.start()], found.group("org"), _date(found.group("date")), ""
    tail = text[last + 1:] if last >= 0 else ""
    if tail.strip() and len(tail.strip()) <= 30:      # e.g. 附件下载: the portal's, not the report's
        return text[:last + 1], None, None, tail.strip()
    return text, None, None, ""


def _derive_names(unit: str) -> tuple[str | None, str, str]:
    """(county, short name, level) as the organ's name gives them."""
    found = COUNTY.match(unit)
    county = found.group("county") if found else None
    short = unit[found.end():] if found and found.end() < len(unit) else unit
    short = re.sub(r"(人民政府|办事处)$", "", short) or short
    own = county and found.end() == len(re.sub(r"人民政府$", "", unit))   # the county's own report:
    if own:
        short = county                                                  # 洪泽区人民政府 → 洪泽区
    if own:
        level = "county"
    elif "街道" in unit:
        level = "subdistrict"
    elif re.search(r"[镇乡](人民政府)?$", unit):
        level = "township"
    else:
        level = "department"
    return county, short, level


def _narrative(page: Page, spans: dict[str, tuple[int, int]], from_pdf: bool) -> dict[str, str]:
    out = {}
    if "narrative.overview" in spans:
        out["overview"] = paragraphs(page.body[slice(*spans["narrative.overview"])], from_pdf)
    if "narrative.problems" in spans:
        text = PROBLEMS_HEAD.sub("", page.body[slice(*spans["narrative.problems"])], count=1)
        split = IMPROVEMENTS_HEAD.search(text)
        if split:
            out["problems"], out["improvements"] = paragraphs(text[:split.start()], from_pdf), paragraphs(text[split.end():], from_pdf)
        else:
            out["problems"] = paragraphs(text, from_pdf)
            page.note("“五、存在的主要问题及改进情况”没有分列问题与改进的小标题，全文记为“存在的主要问题”")
    if "narrative.other" in spans:
        out["other"] = paragraphs(page.body[slice(*spans["narrative.other"])], from_pdf)
    return {k: v for k, v in out.items() if v}


# ---------------------------------------------------------------- the whole import

def _sections(page: Page) -> tuple[dict[str, tuple[int, int]], str | None, dt.date | None]:
    """Where each section's text runs, and who signed the report when (its closing lines)."""
    body = page.body
    ordered = sorted(page.headings().items(), key=lambda kv: kv[1][0])
    spans: dict[str, tuple[int, int]] = {}
    signer = signed = None
    for i, (sid, (_, end)) in enumerate(ordered):
        stop = ordered[i + 1][1][0] if i + 1 < len(ordered) else len(body)
        if i == len(ordered) - 1:
            kept, signer, signed, dropped = _signature(body[end:stop])
            stop = end + len(kept)
            if dropped:
                page.note(f"页面末尾的“{dropped}”不是报告正文，未导入")
        spans[sid] = (end, stop)
    return spans, signer, signed


def import_text(text: str, overrides: dict | None = None) -> Imported:
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    page_in = page_text(text)
    fields, body = page_in.fields, page_in.body
    title_org, year = _title(fields, body)
    if year is None:
        found = PERIOD_YEAR.search(body)
        year = int(found.group(1)) if found else None
    if year is None:
        raise NotAReport("找不到报告年度（标题应如“××2020年政府信息公开工作年度报告”）")
    in_force = edition_for(year)
    # the section headings are the same in every edition; the tables tell which edition it is
    spans, _, _ = _sections(Page(body, in_force))
    tables_text = "\n".join(body[slice(*spans[t])] for t in ("proactive", "requests", "appeals") if t in spans)
    edition, score = detect_edition(tables_text or body, year)
    page = Page(body, edition)
    if edition.id != in_force.id:
        page.note(f"页面使用{edition.id}版格式的表格，{year}年度报告应使用{in_force.id}版格式（{in_force.issued_by}）")
    for eid, labels in score.items():
        if eid != edition.id and labels:
            shown = "、".join(f"“{l}”" for l in dict.fromkeys(labels))
            page.note(f"页面中也有{eid}版格式特有的项目：{shown}")
    spans, signer, signed = _sections(page)
    if not any(tid in spans for tid in edition.tables):
        raise NotAReport("找不到“二、主动公开政府信息情况”等各部分的标题")

    regions = {tid: span for tid, span in spans.items() if tid in edition.tables}
    kept = kept_old_rows(edition, body, regions)
    reader = Reader(page, regions, with_old_rows(edition, kept))
    reader.read()

    unit = overrides.get("unit")
    signer = signer and signing_organ(signer, title_org)
    if not unit:
        unit = title_org
        if signer and (not title_org or signer.startswith(title_org)):
            unit = signer
        elif signer and signer != title_org:
            page.note(f"落款“{signer}”与标题中的“{title_org}”不同，采用标题中的名称")
    if not unit:
        raise NotAReport("找不到发布机关的名称（标题或落款）")
    county, short, level = _derive_names(unit)
    meta = {"unit": unit, "short_name": overrides.get("short_name") or short,
            "level": overrides.get("level") or level, "county": overrides.get("county") or county,
            "year": year, "edition": edition.id,
            "published": _date(fields.get("发布时间", "")) or signed}
    if fields.get("原文链接"):
        meta["source"] = fields["原文链接"]
    imported = Imported({**meta, "narrative": _narrative(page, spans, page_in.from_pdf)}, edition)
    _fill(imported, reader, kept)
    imported.deviations = page.deviations
    return imported


def _fill(imported: Imported, reader: Reader, kept: list[OldRow]) -> None:
    tables: dict[str, dict[str, dict]] = {tid: {} for tid in imported.edition.tables}
    old = {(o.table, o.row.id): o for o in kept}
    for line in reader.lines:
        if (line.keys[0][0], line.keys[0][1]) in old:       # an old row: its group's rows, where determined
            found = old[line.keys[0][0], line.keys[0][1]]
            values, totals, note = spread(found, imported.edition, line.chosen)
            for (tid, row, col), value in values.items():
                tables[tid].setdefault(row, {})[col] = value
            imported.totals[f"{found.table}.{found.group}"] = totals
            reader.page.note(note)
            continue
        for key in line.keys:
            tables[key[0]].setdefault(key[1], {})
        if line.chosen is None and not line.readings:       # e.g. a column the printed page cut off
            shown = " ".join(line.text.split())
            reader.page.note(f"“{shown[:40]}”不能读作{len(line.keys)}个单元格的数值"
                             f"（{'、'.join('.'.join(k) for k in line.keys[:2])}等），按缺失处理")
            continue
        if line.chosen is None:
            imported.ambiguous.append({
                "cells": [".".join(k) for k in line.keys], "text": line.text,
                "candidates": [[v.text if isinstance(v, Mark) else v for v in r] for r in line.readings]})
            continue
        for (tid, row, col), value in zip(line.keys, line.chosen):
            if isinstance(value, Mark):
                if value.text:
                    tables[tid][row][col] = value.text
                    kept = imported.not_applicable if value.not_applicable else imported.marks
                    kept[f"{tid}.{row}.{col}"] = value.text
            else:
                tables[tid][row][col] = value
    for row, unit in reader.units.items():
        tables["proactive"].setdefault(row, {})["unit"] = unit
    ambiguous = {c for a in imported.ambiguous for c in a["cells"]}
    for tid, table in imported.edition.tables.items():
        rows = {}
        for row in table.rows:                    # the edition's order, whatever the page's
            if row.id in tables[tid]:
                rows[row.id] = tables[tid][row.id]
        imported.data[tid] = rows
        for row_id, col_id in table.cells:
            key = f"{tid}.{row_id}.{col_id}"
            value = rows.get(row_id, {}).get(col_id)
            if value is None and key not in ambiguous:
                imported.missing.append(key)


# ---------------------------------------------------------------- writing the data file

def to_yaml(imported: Imported, source_name: str) -> str:
    import yaml

    class Flow(dict):
        pass

    class Block(str):
        pass

    class FlowList(list):
        pass

    class Dumper(NoAliasDumper):     # the file is read back by safe_yaml, which refuses aliases
        pass

    Dumper.add_representer(Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
    Dumper.add_representer(FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
    Dumper.add_representer(Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))
    data = dict(imported.data)
    data["narrative"] = {k: Block(v) if "\n" in v else v for k, v in data["narrative"].items()}
    for tid in imported.edition.tables:
        data[tid] = {row: Flow(cells) for row, cells in data[tid].items()}
    notes = {"source_file": source_name, "edition_detected": imported.edition.id}
    if imported.deviations:
        notes["deviations"] = imported.deviations
    if imported.ambiguous:
        notes["ambiguous"] = [{"cells": FlowList(a["cells"]), "text": a["text"],
                               "candidates": [FlowList(c) for c in a["candidates"]]}
                              for a in imported.ambiguous]
    if imported.totals:
        notes["group_totals"] = {group: Flow(cells) for group, cells in imported.totals.items()}
    if imported.not_applicable:
        notes["not_applicable"] = imported.not_applicable
    if imported.marks:
        notes["marks"] = imported.marks
    if imported.missing:
        notes["missing"] = imported.missing
    data["import_notes"] = notes
    head = (f"# Imported by `nianbao import` from {source_name}.\n"
            "# import_notes (ignored by the reader) lists what the page does differently from the form,\n"
            "# the cells it leaves open and, for ambiguous runs of digits, every possible reading.\n")
    return head + yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=10 ** 6,
                            default_flow_style=False)


def source_text(source: Path) -> str:
    """The report as text or HTML, whatever the file: Word and PDF become HTML (word.py, pdf.py).

    The first bytes decide, not the name: portals serve Word's HTML export as “.doc”. The text
    a Word or PDF file becomes is bounded (TEXT_LIMIT) before the importer reads it."""
    data = read_bytes(source, DOCUMENT_LIMIT)
    if b"%PDF-" in data[:1024] or (source.suffix.lower() == ".pdf" and not data.lstrip()[:1] == b"<"):
        return _text_bounded(source, pdf_html(source))
    if data.startswith(OLE_MAGIC):
        return _text_bounded(source, doc_html(source))
    if data.startswith(b"PK\x03\x04"):
        return _text_bounded(source, docx_html(source, data))
    return read_text(source, PAGE_LIMIT)          # a page: text or HTML, within the page's limit


def _text_bounded(source: Path, text: str) -> str:
    if len(text) > TEXT_LIMIT:
        raise DataFileError([Problem(source, None, None, f"文件中的文字超过 {TEXT_LIMIT // 10000} 万字，"
                                                         "不像是一份年度报告；请检查是否选错了文件")])
    return text


def run_import(args) -> int:
    """`nianbao import`: exit 0 every cell read, 1 some missing or ambiguous, 2 not a report."""
    source = Path(args.published)
    try:
        text = source_text(source)
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except UnreadableDocument as exc:
        print(f"{display_path(source)}：{exc}", file=sys.stderr)
        return 2
    overrides = {"unit": args.unit, "short_name": args.short_name, "county": args.county, "level": args.level}
    if args.level and args.level not in LEVELS:
        known = "、".join(f"{k}（{v}）" for k, v in LEVELS.items())
        print(f"--level 应为 {known} 之一，实际为“{args.level}”", file=sys.stderr)
        return 2
    try:
        imported = import_text(text, overrides)
    except NotAReport as exc:
        print(f"{display_path(source)}：不是可以导入的政府信息公开工作年度报告（{exc}）", file=sys.stderr)
        return 2
    if not imported.data.get("county"):
        print(f"{display_path(source)}：页面没有写明所属县（区），请用 --county 指定", file=sys.stderr)
        return 2
    text_out = to_yaml(imported, source.name)
    with tempfile.TemporaryDirectory() as tmp:           # what we write must be readable
        probe = Path(tmp) / "probe.yaml"
        probe.write_text(text_out, encoding="utf-8")
        try:
            read_report(probe)
        except DataFileError as exc:
            problems = "；".join(p.message for p in exc.problems)       # the probe's name means nothing
            print(f"{display_path(source)}：导入结果无法使用：{problems}", file=sys.stderr)
            return 2
    if args.output:
        atomic_write(Path(args.output), text_out)
    else:
        sys.stdout.write(text_out)
    _report(imported, source, args.output)
    if not args.level:
        level = imported.data["level"]
        print(f"  层级按名称推断为“{LEVELS[level]}”（{level}），不对时请用 --level 指定", file=sys.stderr)
    return 0 if imported.complete else 1


def _report(imported: Imported, source: Path, output: str | None) -> None:
    name = display_path(source)
    total = imported.edition.cell_count
    ambiguous = sum(len(a["cells"]) for a in imported.ambiguous)
    read = total - ambiguous - len(imported.missing) - len(imported.marks)
    where = f" → {output}" if output else ""
    na = f"（其中不适用{len(imported.not_applicable)}个）" if imported.not_applicable else ""
    print(f"{name}{where}：{imported.data['year']}年度，{imported.edition.id}版格式，"
          f"读出{read}/{total}个单元格{na}，缺失{len(imported.missing)}个，"
          f"非数字{len(imported.marks)}个，有歧义{ambiguous}个", file=sys.stderr)
    for text in imported.deviations:
        print(f"  与官方格式不同：{text}", file=sys.stderr)
    for key, mark in imported.not_applicable.items():
        print(f"  {key}：页面上是“{mark}”，按不适用记录（不是0，也不是缺失）", file=sys.stderr)
    for key, mark in imported.marks.items():
        print(f"  {key}：页面上是“{mark}”，不是数字，按缺失处理", file=sys.stderr)
    for a in imported.ambiguous:
        shown = "；".join(" | ".join(map(str, c)) for c in a["candidates"][:6])
        more = f"等{len(a['candidates'])}种" if len(a["candidates"]) > 6 else ""
        print(f"  “{a['text']}”有多种拆分，未采用任何一种（{'、'.join(a['cells'])}）：{shown}{more}",
              file=sys.stderr)
