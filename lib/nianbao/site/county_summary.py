"""What the county summary notebook shows: one county's year from its batch record (run.json) —
the units and their status, county totals of every table in the official layout, the units
compared in charts, and every finding. Each function returns displayable HTML; user text is escaped.
"""
from __future__ import annotations

import json
from functools import cached_property
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML

from ..io import read_report
from ..model.edition import edition_for, load_edition
from ..model.report import LEVELS, Report, tables_from_values
from ..render import charts, tables
from ..render.sections import DEMO_BANNER
from ..checks import ratios as evaluator_ratios
from .county_index import STATUS_WORDS, copied_list, status_counts


class County:
    """A county's year: the batch record and the reports of the units that have one (as the
    record keeps them: recorded())."""

    def __init__(self, run_json: str | Path):
        self.run = json.loads(Path(run_json).read_text(encoding="utf-8"))
        self.county, self.year = self.run["county"], int(self.run["year"])
        self.records = self.run["units"]
        self.edition = edition_for(self.year)
        self.reports: list[Report] = []
        self.left_out: list[str] = []          # units with a report that the totals do not include
        for rec in self.records:
            if rec["status"] not in ("ok", "errors"):
                continue
            try:
                report = recorded(rec) if rec.get("values") is not None else read_report(rec["source"])
            except Exception:         # changed or gone since the run: left out, said so
                self.left_out.append(f"{rec['short_name']}（数据文件已无法读取）")
                continue
            if report.edition.id != self.edition.id:
                self.left_out.append(f"{report.short_name}（使用{report.edition.id}版格式）")
            else:
                self.reports.append(report)

    @property
    def title(self) -> str:
        return summary_title(self.run)

    @cached_property
    def total(self) -> Report | None:
        """Computed once, shown as three tables."""
        return total_report(self)

    @staticmethod
    def name(unit: dict | Report) -> str:
        """A unit's short name, marked when its data is for demonstration."""
        if isinstance(unit, Report):
            short, demo = unit.short_name, unit.demo
        else:
            short, demo = unit.get("short_name") or unit["display"], unit.get("demo")
        return f"{short}（示例）" if demo else short


def recorded(rec: dict) -> Report:
    """A unit's report as its batch record keeps it (the numbers its page shows); the data file
    is read only for a record made before records kept them."""
    edition = load_edition(rec["edition"])
    tables, marks = tables_from_values(edition, rec["values"])
    return Report(unit=rec["unit"], short_name=rec["short_name"], level=rec["level"], county=rec["county"],
                  year=int(rec["year"]), edition=edition, published=None, narrative={},
                  tables=tables, demo=bool(rec.get("demo")), units=dict(rec.get("amount_units") or {}),
                  not_applicable=marks)


def summary_title(run: dict) -> str:
    return f"{run['county']}{run['year']}年乡镇（街道）政府信息公开工作年度报告汇总"


def summary_description(run: dict) -> str:
    """What a shared link of the summary says under its title."""
    return (f"{run['county']}{run['year']}年各乡镇（街道）政府信息公开工作年度报告汇总：各单位状态，"
            "主动公开、依申请公开、行政复议和行政诉讼的全县合计，各单位比较、评估指标和检查结果。")


def header(county: County) -> HTML:
    demo = [r["short_name"] for r in county.records if r.get("demo")]
    note = (f'<p class="demo-note">以下{len(demo)}个单位使用示例数据（非真实），标有“（示例）”：'
            f'{escape("、".join(demo))}。</p>' if demo else "")
    return HTML((DEMO_BANNER if demo else "") + f'<h1 class="title">{escape(county.title)}</h1>' + note)


def status_table(county: County) -> HTML:
    rows = "".join(
        f'<tr><td>{escape(county.name(r))}</td><td>{escape(LEVELS.get(r.get("level") or "", ""))}</td>'
        f'<td>{STATUS_WORDS[r["status"]]}</td>{_counts(r)}</tr>' for r in county.records)
    return HTML(f"<p>本次汇总共{len(county.records)}个单位：{status_counts(county.records)}。</p>"
                + tables.scroll_box('<table class="summary-table"><thead><tr><th>单位</th><th>类别</th><th>状态</th>'
                                    f"<th>错误</th><th>提醒</th></tr></thead><tbody>{rows}</tbody></table>", "各单位状态"))


def _counts(rec: dict) -> str:
    if rec["status"] not in ("ok", "errors"):
        return "<td></td><td></td>"
    return f'<td class="num">{rec["errors"]}</td><td class="num">{rec["warnings"]}</td>'


def total_report(county: County) -> Report | None:
    """The county's totals as a Report of its own: every cell the sum over the units (a cell
    missing in a unit counts as 0, said on the page; one not applicable counts as nothing, and
    is not missing); amounts only when all share one unit. A cell no unit has a number in and
    every unit marks not applicable is not applicable in the total too (its mark, when all agree)."""
    if not county.reports:
        return None
    first = county.reports[0]
    # a cell's total: the sum of the units that have it; missing only where every unit misses it
    totals = {tid: pd.concat([r.tables[tid] for r in county.reports])
                     .groupby(level="row", sort=False).sum(min_count=1)
              for tid in county.edition.tables}
    units = {}
    for row in {row for r in county.reports for row in r.units}:
        kinds = {r.units.get(row) for r in county.reports}
        if len(kinds) == 1:
            units[row] = kinds.pop()
        else:
            for tid, table in county.edition.tables.items():
                if row in totals[tid].index:
                    amounts = [c.id for c in table.columns if table.value_type(c.id) == "amount"]
                    totals[tid].loc[row, amounts] = pd.NA
    marks = {}
    for cell in set.intersection(*(set(r.not_applicable) for r in county.reports)):
        written = {r.not_applicable[cell] for r in county.reports}
        marks[cell] = written.pop() if len(written) == 1 else "/"
    return Report(unit=f"{county.county}各乡镇（街道）", short_name=county.county, level="county",
                  county=county.county, year=county.year, edition=first.edition, published=None,
                  narrative={}, tables=totals, units=units, not_applicable=marks)


def totals(county: County, table_id: str) -> HTML:
    report = county.total
    if report is None:
        return HTML("<p>没有可汇总的报告。</p>")
    missing = missing_cells(county.reports, table_id)
    notes = [f"合计{len(county.reports)}个单位。"]
    if missing:
        notes.append(f"各单位共有{missing}个单元格缺少数据，合计时按0计。")
    if county.left_out:
        notes.append(f"未计入：{'、'.join(county.left_out)}。")
    return HTML(f'<p class="note">{escape("".join(notes))}</p>' + tables.table_html(report, table_id, {}))


def missing_cells(reports: list[Report], table_id: str) -> int:
    """How many of the layout's cells are missing (blank, not "not applicable") in one table of
    reports of one edition (same shape)."""
    first = reports[0].tables[table_id]
    layout = np.zeros(first.shape, dtype=bool)
    for row, col in reports[0].edition.tables[table_id].cells:
        layout[first.index.get_loc(row), first.columns.get_loc(col)] = True
    blank = sum((r.tables[table_id].isna().to_numpy() & layout).sum() for r in reports)
    return int(blank) - sum(cell[0] == table_id for r in reports for cell in r.not_applicable)


# A chart of more bars is unreadable on an A4 page (print caps a chart at 200 mm), and its
# drawing grows with every bar: a county-year of hundreds of units must not draw hundreds.
MAX_BARS = 40


def _per_unit(county: County, pick) -> pd.Series:
    # a "$" in a name would start matplotlib's mathtext (and a bad formula stops the chart)
    return pd.Series({county.name(r).replace("$", r"\$"): float(pd.Series(pick(r)).fillna(0).sum()) for r in county.reports})


def comparison(county: County) -> HTML:
    """The units side by side: requests received, requests handled, decisions published."""
    if not county.reports:
        return HTML("")
    charts.use_cjk_font()
    cells = set(county.edition.tables["proactive"].cells)
    decisions = [row for row, column in cells if column == "decisions"]
    series = [
        ("各单位本年新收政府信息公开申请数量", _per_unit(county, lambda r: [r.value("requests", "new_received", "total")])),
        ("各单位本年度办理结果总计", _per_unit(county, lambda r: [r.value("requests", "total_handled", "total")])),
        ("各单位主动公开的处理决定数量（许可、处罚、强制等合计）",
         _per_unit(county, lambda r: [r.value("proactive", row, "decisions") for row in decisions])),
    ]
    parts = []
    for number, (caption, values) in enumerate(series, start=1):
        if (values == 0).all():
            parts.append(charts.empty_html(number, caption, "各单位均为0或未填写，不绘制此图。"))
            continue
        if len(values) > MAX_BARS:
            caption += f"（{len(values)}个单位中数量最多的{MAX_BARS}个）"
            values = values.sort_values(ascending=False, kind="stable").head(MAX_BARS)
        parts.append(charts.figure_html(charts.bars(values, "件"), number, caption))
    return HTML(f'<section class="charts">{"".join(parts)}</section>')


def all_findings(county: County) -> HTML:
    items = [(county.name(r), f) for r in county.records for f in r.get("findings", [])]
    failures = [r for r in county.records if r["status"] in ("failed", "unusable")]
    if not items and not failures:
        return HTML("<p>全部单位的全部检查通过。</p>")
    rows = "".join(
        f'<tr class="{escape(f["severity"])}"><td>{escape(name)}</td>'
        f'<td>{"错误" if f["severity"] == "error" else "提醒"}</td><td>{escape(f["rule"])}</td>'
        f'<td>{escape(f["message"])}</td></tr>' for name, f in items)
    fails = "".join(f"<li>{escape(county.name(r))}：{escape(r.get('message', ''))}</li>" for r in failures)
    copied = copied_list(county.records, county.name)
    return HTML((f"<p>未能生成报告的单位：</p><ul>{fails}</ul>" if fails else "")
                + (f"<p>内容雷同（narrative.copied）：</p>{copied}" if copied else "")
                + (tables.scroll_box('<table class="summary-table findings-table"><thead><tr><th>单位</th><th>类别</th>'
                                     f"<th>规则</th><th>说明</th></tr></thead><tbody>{rows}</tbody></table>",
                                     "全部检查结果") if rows else ""))


def ratios(county: County) -> HTML:
    """The evaluators' ratios per unit and for the county, their definitions, the median, and
    the units far from it (the same numbers as ratios.csv)."""
    by_name = {county.name(r): r["ratios"] for r in county.records
               if r["status"] in ("ok", "errors") and r.get("ratios")}
    if not by_name:
        return HTML("<p>没有可计算的报告。</p>")
    columns = evaluator_ratios.county(by_name)
    P = evaluator_ratios.percent
    defs = "".join(f"<li>{escape(c.ratio.name)}＝{escape(c.ratio.definition)}</li>" for c in columns)
    head = "".join(f"<th>{escape(c.ratio.name)}</th>" for c in columns)
    rows = "".join(f"<tr><td>{escape(name)}</td>"
                   + "".join(f'<td class="num{" far" if name in c.far else ""}">{P(c.shares[name])}{c.mark(name)}'
                             f"{_base(c.bases[name])}</td>" for c in columns) + "</tr>" for name in by_name)
    pooled = "".join(f'<td class="num">{P(c.pooled)}</td>' for c in columns)
    medians = "".join(f'<td class="num">{P(c.median)}</td>' for c in columns)
    return HTML(f"<ul class=\"definitions\">{defs}</ul>"
                f'<p class="note">“—”表示分母为0（没有可计算的件数）。全县合计按各单位分子、分母分别相加后计算。'
                f"与中位数相差{round(100 * evaluator_ratios.FAR)}个百分点以上、且分母不少于{evaluator_ratios.MIN_BASE}件的单位标为↑（高于）或↓（低于）。</p>"
                + tables.scroll_box(f'<table class="summary-table ratios"><thead><tr><th>单位</th>{head}</tr></thead>'
                                    f"<tbody>{rows}<tr><td>全县合计</td>{pooled}</tr><tr><td>各单位中位数</td>{medians}</tr>"
                                    "</tbody></table>", "评估指标"))


def _base(base: int | None) -> str:
    return "" if base is None else f'<span class="base">（{base}件）</span>'


def render_summary(run_json: Path, notebook: Path, engine: str) -> tuple[str, str]:
    """The executed summary notebook (JSON text) and its page, exported like the reports."""
    import nbformat

    from ..notebook.export import export_html
    from ..notebook.runner import run_notebook
    if engine == "fork":
        from ..notebook.engine import warm
        warm()          # import once here, not in every forked child (one per county-year)
    nb = run_notebook(notebook, {"run_json": str(run_json)}, attempts=3, engine=engine)
    run = json.loads(Path(run_json).read_text(encoding="utf-8"))
    return nbformat.writes(nb), export_html(nb, "review", summary_title(run), summary_description(run))
