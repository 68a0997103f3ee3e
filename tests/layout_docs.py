"""PDFs in the layouts of real 2021-edition reports, and their text renderings, for the import tests.

Printed by WeasyPrint from HTML whose tables are nianbao's own official layout
(render/tables.py: group labels merged across their rows with rowspan), with the traps of
real files (issue 22): the label columns narrow, so that “2.其他法律行政法规禁止公开” and
“1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请” wrap over several lines and
the group labels （三）不予公开 and （六）其他处理 stand beside their rows, centred; a title wide
enough to wrap over two lines, with spaces around the year as Word writes them; tables with or
without rules. The text renderings are what pdftotext (poppler) gives: what a portal's text view
or a copy from a PDF viewer holds.
"""
from __future__ import annotations

import html
import subprocess
from pathlib import Path

from nianbao.render.tables import table_html

CSS = """
@page { size: A4; margin: 2cm 2.2cm; %(page_number)s }
body { font-family: "Noto Serif CJK SC", serif; font-size: 10.5pt; }
h1 { font-size: 20pt; font-weight: normal; letter-spacing: %(title_spacing)sem; text-align: center; margin: 0 auto 1em; width: %(title_em)sem; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; margin: 0.5em 0; }
td, th { border: %(rule)s; padding: 3pt 2pt; font-weight: normal; text-align: center; vertical-align: middle; }
col.label { width: %(label_em)sem; }
p { text-indent: 2em; margin: 0.2em 0; }
"""


def layout_html(report, *, label_em: float = 5.0, ruled: bool = True, title: str | None = None,
                title_em: float = 16.5, title_spacing: float = 0.0, numbered: bool = False) -> str:
    """The report as HTML; the default title (“青山区 2024 年政府信息公开工作年度报告”) wraps as
    “…工作年 / 度报告”; spaced out (title_spacing 0.6, title_em 20) its text has a space between
    every two characters, the year's digits too; `numbered`: a page number under every page."""
    css = CSS % {"rule": "0.75pt solid black" if ruled else "none", "label_em": label_em, "title_em": title_em,
                 "title_spacing": title_spacing,
                 "page_number": "@bottom-center { content: counter(page); }" if numbered else ""}
    part = []
    paragraphs = lambda text: "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())  # noqa: E731
    part.append(f"<h1>{html.escape(title or report.title)}</h1>")
    part.append("<p>一、总体情况</p>" + paragraphs(report.narrative["overview"]))
    for tid in ("proactive", "requests", "appeals"):
        part.append(f"<p>{html.escape(report.edition.tables[tid].title)}</p>" + table_html(report, tid))
    part.append("<p>五、存在的主要问题及改进情况</p><p>（一）存在问题</p>" + paragraphs(report.narrative["problems"])
                + "<p>（二）改进措施</p>" + paragraphs(report.narrative["improvements"]))
    part.append("<p>六、其他需要报告的事项</p>" + paragraphs(report.narrative["other"] or "无。"))
    signed = report.published
    part.append(f"<p style='text-align:right'>{html.escape(report.unit)}</p>"
                f"<p style='text-align:right'>{signed.year}年{signed.month}月{signed.day}日</p>")
    return f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>{''.join(part)}</body></html>"


def layout_pdf(report, path: Path, **options) -> Path:
    from weasyprint import HTML
    HTML(string=layout_html(report, **options)).write_pdf(str(path))
    return path


def text_rendering(pdf: Path, path: Path, *, layout: bool) -> Path:
    """The PDF's text as pdftotext gives it: `-layout` keeps the columns, the default reading
    order puts each cell on lines of its own."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path


def tally(imported_yaml: Path, expected) -> dict[str, int]:
    """Cells of an import compared with the known report: read (the right number, or the
    not-applicable mark the report writes there), wrong (a number that is not the report's, a
    mark where it has a number, a number where it has a mark), missing and ambiguous (left open,
    as import_notes says)."""
    import yaml

    from nianbao.model.report import not_applicable_mark
    data = yaml.safe_load(imported_yaml.read_text(encoding="utf-8"))
    notes = data.get("import_notes", {})
    ambiguous = {c for a in notes.get("ambiguous", []) for c in a["cells"]}
    counts = {"read": 0, "missing": 0, "ambiguous": 0, "wrong": 0}
    for tid, table in expected.edition.tables.items():
        for row, col in table.cells:
            value = (data.get(tid) or {}).get(row, {}).get(col)
            if f"{tid}.{row}.{col}" in ambiguous:
                counts["ambiguous"] += 1
            elif value is None or isinstance(value, str) and not not_applicable_mark(value):
                counts["missing"] += 1
            elif (tid, row, col) in expected.not_applicable or isinstance(value, str):
                right = not_applicable_mark(value) == expected.not_applicable.get((tid, row, col))
                counts["read" if right else "wrong"] += 1
            else:
                counts["read" if float(value) == float(expected.value(tid, row, col)) else "wrong"] += 1
    return counts
