"""For the reviewer: where a unit stands among its county's units of the year — each key
indicator and ratio beside the county's lower quartile, median and upper quartile
(checks/peers.py), as the batch told the unit (checks.Context.quartiles)."""
from __future__ import annotations

from html import escape

from ..checks import peers
from ..model.report import Report
from .tables import scroll_box


def standing_html(report: Report, told: dict | None) -> str:
    if told is None:
        return '<section class="standing"><p>未与本县（区）其他单位比较。</p></section>'
    title = f"在{report.county}{report.year}年度{told['units']}个单位中的位置"
    if told.get("bounds") is None:
        return (f'<section class="standing"><h2 class="findings-title">{escape(title)}</h2>'
                f"<p>本县（区）本年度只有{told['units']}个单位的数据，少于{peers.MIN_UNITS}个，"
                "不计算四分位数。</p></section>")
    mine = peers.measures(report.edition, report.value)
    names = peers.labels(report.edition)
    rows = []
    for measure, value in mine.items():
        bounds = told["bounds"].get(measure)
        where = peers.place(value, bounds)
        cells = "".join(f'<td class="num">{peers.shown(measure, q)}</td>' for q in (bounds or [None] * 3))
        rows.append(f'<tr class="{where or "unknown"}"><th class="label">{escape(names.get(measure, measure))}</th>'
                    f'<td class="num">{peers.shown(measure, value)}</td>{cells}'
                    f"<td>{peers.PLACE_WORDS.get(where, '—')}</td></tr>")
    return (f'<section class="standing"><h2 class="findings-title">{escape(title)}</h2>'
            f"<p>下四分位数、中位数、上四分位数按本县（区）本年度各单位的数计算：{peers.QUARTILES_EXPLAINED}"
            "低于下四分位数或高于上四分位数的，请留意是否属实。</p>"
            + scroll_box('<table class="form-table standing"><thead><tr><th>指标</th><th>本单位</th>'
                         "<th>下四分位数</th><th>中位数</th><th>上四分位数</th><th>位置</th></tr></thead>"
                         f"<tbody>{''.join(rows)}</tbody></table>", title)
            + "</section>")
