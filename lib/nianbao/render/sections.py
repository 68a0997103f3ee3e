"""What the notebook shows, section by section: each function returns displayable HTML.

The notebook stays thin — a heading per section and one call under it; the wording and layout
live here, where they are tested. Every text a user typed is escaped.
"""
from __future__ import annotations

from html import escape

from IPython.display import HTML

from ..checks import Context, Coverage, check_file
from ..checks import coverage as rules_coverage
from ..model.findings import ERROR, Finding, flagged_cells
from ..model.report import Report
from . import charts, prose, tables

DEMO_BANNER = '<p class="demo-banner">示例数据（非真实）</p>'


def _paragraphs(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return "".join(f"<p{cls}>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def load(data_path: str, previous_path: str = "", context: str = "") -> tuple[Report, list[Finding], Coverage]:
    """The report, its findings and which rules ran; last year's data found by itself when
    previous_path is empty; `context` (JSON) is what a batch tells the unit, else the data
    file's folder tells it (the other units there, reviews.yaml)."""
    checked = check_file(data_path, previous_path, Context.from_json(context) if context else None)
    return checked.report, checked.findings, checked.coverage


def header(report: Report) -> HTML:
    preamble = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，"
                f"由{report.unit}发布。本报告中所列数据的统计期限为{report.year}年1月1日至"
                f"{report.year}年12月31日。")
    return HTML((DEMO_BANNER if report.demo else "")
                + f'<h1 class="title">{escape(report.title)}</h1>'
                + f'<p class="preamble">{escape(preamble)}</p>')


def findings_panel(report: Report, findings: list[Finding], cover: Coverage | None = None) -> HTML:
    """For the reviewer: every finding, errors first, then warnings; or one line saying all
    checks passed and which ran. Rules skipped (no data of last year) are always named."""
    cover = cover or rules_coverage(report)
    skipped = cover.skipped_note()
    if not findings:
        line = (f"检查结果：全部{len(cover.ran)}项检查通过（{'、'.join(cover.ran)}）"
                + (f"；{skipped}" if skipped else "") + "。")
        return HTML(f'<section class="findings clean"><p>{escape(line)}</p></section>')
    errors = [f for f in findings if f.severity == ERROR and not f.review]
    warnings = [f for f in findings if f.severity != ERROR and not f.review]
    explained = [f for f in findings if f.review]
    items = "".join(_finding_item(f) for f in errors + warnings + explained)
    note = f'<p class="skipped">{escape(skipped)}。</p>' if skipped else ""
    told = f"，已说明{len(explained)}项" if explained else ""
    return HTML(f'<section class="findings"><h2 class="findings-title">检查结果：错误{len(errors)}项，'
                f"提醒{len(warnings)}项{told}</h2><p>表中标色的单元格即问题所在（红色为错误，黄色为提醒）。</p>"
                f"<ol>{items}</ol>{note}</section>")


def _finding_item(f: Finding) -> str:
    """One finding; one a reviewer explained says so, with the note, who and when."""
    if not f.review:
        return f'<li class="{f.severity}"><span class="rule">{escape(f.rule)}</span>{escape(f.message)}</li>'
    who = "，".join(x for x in (f.review.get("by"), f.review.get("at")) if x)
    return (f'<li class="{f.severity} explained"><span class="rule">{escape(f.rule)}</span>'
            f'<span class="state">已说明</span>{escape(f.message)}'
            f'<span class="review-note">审核意见：{escape(f.review["note"])}'
            + (f"（{escape(who)}）" if who else "") + "</span></li>")


def overview(report: Report) -> HTML:
    generated = "".join(f'<p class="generated">{escape(s)}</p>' for s in prose.overview_facts(report))
    return HTML(_paragraphs(report.narrative["overview"]) + generated)


def table(report: Report, table_id: str, findings: list[Finding]) -> HTML:
    return HTML(tables.table_html(report, table_id, flagged_cells(findings)))


def figures(report: Report) -> HTML:
    return HTML(f'<section class="charts">{charts.all_charts(report)}</section>')


def problems(report: Report) -> HTML:
    return HTML('<h3>（一）存在的主要问题</h3>' + _paragraphs(report.narrative["problems"] or "无。")
                + '<h3>（二）改进情况</h3>' + _paragraphs(report.narrative["improvements"] or "无。"))


def other(report: Report) -> HTML:
    return HTML(_paragraphs(report.narrative["other"] or "无其他需要报告的事项。"))


def closing(report: Report) -> HTML:
    date = report.published
    when = f"{date.year}年{date.month}月{date.day}日" if date else ""
    return HTML(f'<p class="signature">{escape(report.unit)}</p>'
                + (f'<p class="signature date">{when}</p>' if when else ""))
