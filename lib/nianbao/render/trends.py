"""The unit's years in its report: its key indicators (the edition's `indicators:`) by year, as
a small table, a chart and a sentence naming a clear trend.

The notebook's cells call these: `by_year` gives the data (a DataFrame, indicators × years),
`table` and `lines` show it, `trend_sentence` says what is clear in it. Years of both editions are
compared by the indicators they share. With one year only there is nothing to show.
"""
from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from ..model.indicators import indicator_value, shared
from ..model.report import Report, number
from .charts import PALETTE, WIDTH
from .fonts import use_cjk_font
from .tables import scroll_box

COUNTS = ("零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十")


def by_year(report: Report, *others: Report | None) -> pd.DataFrame:
    """The key indicators (rows, by label) of this year's report and the other years given (last
    year's, earlier ones; None skipped), one column per year, oldest first; NaN where a cell is
    missing. Only the indicators every year's edition has."""
    reports = sorted([report, *(r for r in others if r is not None)], key=lambda r: r.year)
    indicators = shared(report.edition, *{r.edition.id: r.edition for r in reports}.values())
    columns = {}
    for r in reports:
        mine = {i.id: i for i in r.edition.indicators}
        columns[r.year] = [indicator_value(mine[i.id], r.value) for i in indicators]
    frame = pd.DataFrame(columns, index=pd.Index([i.label for i in indicators], name="指标"), dtype=float)
    frame.columns.name = "年度"
    return frame


def several(years: pd.DataFrame) -> bool:
    """More than one year to compare."""
    return len(years.columns) > 1


def table(years: pd.DataFrame, sentence: str = "") -> HTML:
    """The indicators by year as a small table (件; a missing value shows “—”), then `sentence`
    (e.g. trend_sentence) as a generated paragraph."""
    head = "".join(f"<th>{escape(str(y))}年</th>" for y in years.columns)
    rows = "".join(f"<tr><th class=\"label\">{escape(str(label))}</th>"
                   + "".join(f'<td class="num">{"—" if pd.isna(v) else number(v)}</td>' for v in values)
                   + "</tr>" for label, values in years.iterrows())
    caption = f"{years.columns[0]}—{years.columns[-1]}年主要数据（单位：件）"
    # the caption a paragraph, not <caption>: the Word file is made from the page's blocks
    table = (f'<table class="form-table years"><thead><tr><th>指标</th>{head}</tr></thead>'
             f"<tbody>{rows}</tbody></table>")
    return HTML(f'<p class="table-caption">{escape(caption)}</p>{scroll_box(table, caption)}'
                + (f'<p class="generated">{escape(sentence)}</p>' if sentence else ""))


def lines(years: pd.DataFrame, colors=PALETTE) -> Figure:
    """One line per indicator that is not zero in every year, with a marker at each year."""
    use_cjk_font()
    shown = years[(years.fillna(0) != 0).any(axis=1)]
    fig = Figure(figsize=(WIDTH, 3.4))
    ax = fig.subplots()
    for k, (label, values) in enumerate(shown.iterrows()):
        style = "-" if k < len(colors) else "--"
        ax.plot(list(years.columns), values.to_numpy(), style, marker="o", color=colors[k % len(colors)],
                label=str(label).replace("$", r"\$"))
    ax.set_xticks(list(years.columns), [f"{y}年" for y in years.columns])
    ax.set_ylabel("件")
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    # room for the legend inside the canvas, so the chart is drawn once (png.py), not twice
    fig.subplots_adjust(left=0.08, right=0.66, bottom=0.12, top=0.95)
    return fig


def drawable(years: pd.DataFrame) -> bool:
    """Several years, and some indicator not zero in one of them."""
    return several(years) and bool((years.fillna(0) != 0).any(axis=None))


def _run(values: list[float]) -> tuple[int, int]:
    """(+n / -n / 0, how many yearly changes in a row end at the last year, all in one direction)."""
    steps = [b - a for a, b in zip(values, values[1:])]
    if not steps or steps[-1] == 0:
        return 0, 0
    sign = 1 if steps[-1] > 0 else -1
    count = 0
    for step in reversed(steps):
        if step * sign <= 0:
            break
        count += 1
    return sign, count


def trend_sentence(years: pd.DataFrame, least: int = 2) -> str:
    """“新收申请连续三年增长（由2件增至9件）。”: each indicator that rose (or fell) in each of at
    least `least` years in a row up to this year, every year's value known; empty otherwise."""
    said = []
    for label, values in years.iterrows():
        known = list(values.dropna())
        if len(known) != len(values):
            continue
        sign, count = _run(known)
        if count >= least:
            start = known[-count - 1]
            said.append(f"{label}连续{COUNTS[count] if count < len(COUNTS) else count}年"
                        f"{'增长' if sign > 0 else '下降'}（由{number(start)}件{'增至' if sign > 0 else '降至'}"
                        f"{number(known[-1])}件）")
    return "与往年相比，" + "；".join(said) + "。" if said else ""
