"""The county summary's peers and years: the quartiles (下四分位数、中位数、上四分位数) of each key
indicator and ratio across the county-year's units with the units below and above them, a chart
of each distribution with its quartile band, and the county's totals of the key indicators by
year when its earlier years were built (OUT/<county>/<year-k>/run.json).

The quartiles are checks/peers.py's, the ones each unit's review page was told.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from ..checks import peers
from ..model.edition import load_edition
from ..model.indicators import from_values, indicator_values, shared
from ..render import charts, tables
from .county_summary import County
from .record import earlier_runs

BAND, DOT, MEDIAN = "#f2d7d5", "#4a6fa5", "#b22222"


def measured(county: County) -> dict[str, dict[str, float | None]]:
    """{unit name: its measures} of the units with a report."""
    return {county.name(r): peers.measures(r.edition, r.value) for r in county.reports}


def quartiles(county: County) -> HTML:
    """Per key indicator and ratio: the quartiles, and the units below the lower and above the
    upper one; with fewer than 4 units, a sentence saying they are not computed."""
    units = measured(county)
    if len(units) < peers.MIN_UNITS:
        return HTML(f"<p>本县（区）本年度只有{len(units)}个单位有报告，少于{peers.MIN_UNITS}个，不计算四分位数。</p>")
    bounds = peers.county_quartiles(list(units.values()))
    rows = []
    for measure, label in peers.labels(county.edition).items():
        q = bounds.get(measure)
        places = {name: peers.place(values.get(measure), q) for name, values in units.items()}
        below = "、".join(n for n, p in places.items() if p == peers.BELOW)
        above = "、".join(n for n, p in places.items() if p == peers.ABOVE)
        rows.append(f"<tr><td>{escape(label)}</td>"
                    + "".join(f'<td class="num">{peers.shown(measure, v)}</td>' for v in (q or [None] * 3))
                    + f"<td>{escape(below)}</td><td>{escape(above)}</td></tr>")
    return HTML(f'<p class="note">按本县（区）本年度{len(units)}个单位的数计算（线性插值，同 Excel 的 QUARTILE.INC）；'
                f"比率的分母为0的单位不计入该比率。{peers.QUARTILES_EXPLAINED}</p>"
                + tables.scroll_box('<table class="summary-table quartiles"><thead><tr><th>指标</th>'
                                    "<th>下四分位数</th><th>中位数</th><th>上四分位数</th>"
                                    "<th>低于下四分位数的单位</th><th>高于上四分位数的单位</th></tr></thead>"
                                    f"<tbody>{''.join(rows)}</tbody></table>", "各项指标的四分位数"))


def distribution_figure(units: dict[str, dict], labels: dict[str, str]) -> Figure | None:
    """One strip per measure: each unit a dot, the quartile band shaded, the median a line."""
    measures = [m for m in labels if sum(u.get(m) is not None for u in units.values()) >= peers.MIN_UNITS]
    if not measures:
        return None
    charts.use_cjk_font()
    fig = Figure(figsize=(charts.WIDTH, 0.55 * len(measures) + 0.6))
    axes = fig.subplots(len(measures), 1, squeeze=False)[:, 0]
    for ax, measure in zip(axes, measures):
        values = [u[measure] for u in units.values() if u.get(measure) is not None]
        q1, median, q3 = peers.quartiles(values)
        ratio = measure in peers.RATIO_IDS
        scale = 100 if ratio else 1
        ax.axvspan(q1 * scale, q3 * scale, color=BAND, zorder=0)
        ax.axvline(median * scale, color=MEDIAN, linewidth=1.2, zorder=1)
        jitter = [((k * 7) % 5 - 2) * 0.12 for k in range(len(values))]
        ax.plot([v * scale for v in values], jitter, "o", color=DOT, markersize=3.5, alpha=0.8, zorder=2)
        ax.set_ylim(-0.6, 0.6)
        ax.set_yticks([0], [labels[measure] + ("（%）" if ratio else "（件）")])
        ax.spines[["top", "right", "left"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=8)
        if not ratio:
            ax.xaxis.get_major_locator().set_params(integer=True)
    # room for the labels inside the canvas, so the chart is drawn once (png.py), not twice
    fig.subplots_adjust(left=0.34, right=0.96, top=0.97, bottom=0.06, hspace=0.9)
    return fig


def distribution(county: County) -> HTML:
    units = measured(county)
    caption = "各单位的分布（浅色带为下四分位数至上四分位数，竖线为中位数，每个点为一个单位）"
    figure = distribution_figure(units, peers.labels(county.edition)) if len(units) >= peers.MIN_UNITS else None
    if figure is None:
        return HTML("")
    return HTML(charts.figure_html(figure, 4, caption))


def by_year(county: County, run_json: str | Path) -> pd.DataFrame:
    """The county's totals of the key indicators (rows) by year (columns, oldest first): this
    year's and the built earlier years' (record.earlier_runs), by the indicators all share;
    a row 单位数 counts the units summed. One year only: a single column."""
    years = {county.year: [(r.edition, r.value) for r in county.reports]}
    for path in earlier_runs(Path(run_json).resolve().parent):
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
            recs = [r for r in run["units"] if r["status"] in ("ok", "errors") and r.get("values") is not None]
            years[int(run["year"])] = [(load_edition(r["edition"]), from_values(r["values"])) for r in recs]
        except (OSError, ValueError, KeyError):
            break
    editions = {edition.id: edition for found in years.values() for edition, _ in found}
    indicators = shared(county.edition, *editions.values())
    columns = {}
    for year in sorted(years):
        totals = dict.fromkeys((i.id for i in indicators), 0)
        for edition, lookup in years[year]:
            values = indicator_values(edition, lookup)
            for i in indicators:
                totals[i.id] += values.get(i.id) or 0
        columns[year] = [*totals.values(), len(years[year])]
    return pd.DataFrame(columns, index=[*(i.label for i in indicators), "单位数"])


def years_table(years: pd.DataFrame) -> HTML:
    """The county by year; a sentence when only this year was built."""
    if len(years.columns) < 2:
        return HTML("<p>本县往年的报告尚未在这个输出文件夹中生成，这里只有本年度的数据。</p>")
    head = "".join(f"<th>{y}年</th>" for y in years.columns)
    rows = "".join(f"<tr><td>{escape(str(label))}</td>"
                   + "".join(f'<td class="num">{int(v)}</td>' for v in values) + "</tr>"
                   for label, values in years.iterrows())
    return HTML('<p class="note">各年度为当年生成报告的各单位之和（缺少数据的单元格按0计）。</p>'
                + tables.scroll_box(f'<table class="summary-table years"><thead><tr><th>指标</th>{head}</tr>'
                                    f"</thead><tbody>{rows}</tbody></table>", "全县各年度主要数据"))
