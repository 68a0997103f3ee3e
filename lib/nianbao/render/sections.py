"""What the notebook shows, section by section: each function returns displayable HTML.

Tables are one call each; the wording of § 一's generated paragraphs and the charts are cells
of the notebook (prose.py and charts.py hold their machinery). Every text a user typed is escaped.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from IPython import get_ipython
from IPython.display import HTML, display

from ..checks import Checked, Context, Coverage, check_file
from ..checks import coverage as rules_coverage
from ..model.findings import Finding, flagged_cells
from ..model.report import Report
from . import tables
from .labstyle import LAB_STYLE, lab_style
from .panel import panel_html
from .standing import standing_html

DEMO_BANNER = '<p class="demo-banner">示例数据（非真实）</p>'
PROJECT = Path(__file__).resolve().parents[3]     # the project, when nianbao runs from its clone
META = "nianbao"                                  # our key in an output's metadata


def shown(html: str, metadata: dict) -> HTML:
    """HTML whose notebook output also carries `metadata` (read back after the run)."""
    return HTML(html, metadata={META: metadata})


def _paragraphs(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return "".join(f"<p{cls}>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def located(path: str) -> str:
    """A relative path as given when it exists from here, else from the project (the notebook's
    parameters name files from the project, wherever the kernel runs: notebooks/, a temp dir)."""
    if not path or Path(path).is_absolute() or Path(path).exists() or not (PROJECT / path).exists():
        return path
    return str(PROJECT / path)


def load(data_path: str, previous_path: str = "", context: str = ""
         ) -> tuple[Report, list[Finding], Coverage, Report | None]:
    """The report, its findings, which rules ran, and last year's report (None when absent);
    last year's data found by itself when previous_path is empty; `context` (JSON) is what a
    batch tells the unit, else the data file's folder tells it (the other units, reviews.yaml)."""
    checked = check_file(located(data_path), located(previous_path),
                         Context.from_json(context) if context else None)
    global _loaded
    _loaded = checked
    return checked.report, checked.findings, checked.coverage, checked.previous.report


_loaded: Checked | None = None      # what load() last read: the notebook's report and what came with it


def _checked(report: Report) -> Checked | None:
    return _loaded if _loaded is not None and _loaded.report is report else None


def history(report: Report) -> tuple[Report, ...]:
    """The unit's reports of the years before this one — last year's and up to four earlier ones,
    found as last year's is (checks.crossyear.load_earlier), newest first; () when none. Those
    load() read for this report, else read now from the report's file."""
    checked = _checked(report)
    if checked is None:
        from ..checks.crossyear import load_earlier, load_previous
        last = load_previous(report)
        return tuple(r for r in (last.report, *load_earlier(last)) if r is not None)
    return tuple(r for r in (checked.previous.report, *checked.earlier) if r is not None)


def header(report: Report) -> HTML:
    """The title and preamble; shown first, after the lab's look (a style block the pages drop)."""
    if get_ipython() is not None:            # a notebook: JupyterLab shows the page's look
        display(HTML(lab_style()), metadata={META: LAB_STYLE})
    preamble = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，"
                f"由{report.unit}发布。本报告中所列数据的统计期限为{report.year}年1月1日至"
                f"{report.year}年12月31日。")
    return shown((DEMO_BANNER if report.demo else "")
                 + f'<h1 class="title">{escape(report.title)}</h1>'
                 + f'<p class="preamble">{escape(preamble)}</p>',
                 {"title": report.title, "short_name": report.short_name, "description": report.description})


def findings_panel(report: Report, findings: list[Finding], cover: Coverage | None = None) -> HTML:
    """For the reviewer: every finding. Its records travel with the output, so that problems
    found after the run (notebook.warnings) join them in the page (export.export_pages)."""
    cover = cover or rules_coverage(report)
    records = [{"rule": f.rule, "severity": f.severity, "message": f.message,
                **({"review": f.review} if f.review else {})} for f in findings]
    panel = {"findings": records, "ran": list(cover.ran), "skipped": cover.skipped_note()}
    return shown(panel_html(**panel), {"panel": panel})


def standing(report: Report) -> HTML:
    """For the reviewer: the unit among its county's units of the year (quartiles), as the batch
    or the data file's folder told it."""
    checked = _checked(report)
    return HTML(standing_html(report, checked.context.quartiles if checked else None))


def overview(report: Report) -> HTML:
    """The clerk's own text of § 一 (the generated paragraphs follow in the notebook)."""
    return HTML(_paragraphs(report.narrative["overview"]))


def table(report: Report, table_id: str, findings: list[Finding]) -> HTML:
    return HTML(tables.table_html(report, table_id, flagged_cells(findings)))


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
