"""Charts of one report, as self-contained HTML figures (PNG embedded, no file, no network).

Figures are built with matplotlib.figure.Figure (no pyplot): no global figure state and nothing
drawn twice by the notebook's inline backend. All-zero or missing data gives a sentence instead
of an empty axis.
"""
from __future__ import annotations

import base64
import io
from html import escape

import pandas as pd
from matplotlib.figure import Figure

from ..model.edition import short_label
from ..model.report import Report
from .fonts import use_cjk_font

WIDTH = 6.3            # inches: the text width of an A4 page with official margins
BAR = "#b22222"        # the red of official documents, used sparingly
DPI = 220              # ≥ 200 dpi once a chart (cropped tight) is scaled to the 156 mm text block
PALETTE = ("#b22222", "#4a6fa5", "#6b8e23", "#8c8c8c", "#b8860b")  # one per article item


def figure_html(fig: Figure, number: int, caption: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    text = f"图{number}　{escape(caption)}"
    return (f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{text}">'
            f"<figcaption>{text}</figcaption></figure>")


def empty_html(number: int, caption: str, reason: str) -> str:
    return (f'<figure class="chart empty"><p>{escape(reason)}</p>'
            f"<figcaption>图{number}　{escape(caption)}</figcaption></figure>")


def _bars(values: pd.Series, title_unit: str) -> Figure:
    use_cjk_font()                  # before any text is laid out, or glyphs come out as boxes
    fig = Figure(figsize=(WIDTH, 0.32 * len(values) + 0.9))
    ax = fig.subplots()
    ax.barh(range(len(values)), values.to_numpy(dtype=float), color=BAR, height=0.6)
    ax.set_yticks(range(len(values)), list(values.index))
    ax.invert_yaxis()
    for i, v in enumerate(values):
        ax.annotate(f"{v:g}", (v, i), xytext=(3, 0), textcoords="offset points", va="center")
    ax.set_xlabel(title_unit)
    ax.set_xlim(left=min(0.0, float(values.min())) * 1.1, right=max(1.0, float(values.max())) * 1.12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return fig


def requests_by_applicant(report: Report, number: int) -> str:
    caption = "本年新收政府信息公开申请（按申请人类型）"
    table = report.edition.tables["requests"]
    columns = [c for c in table.columns if c.id != "total"]
    values = report.tables["requests"].loc["new_received", [c.id for c in columns]]
    if values.isna().all() or (values.fillna(0) == 0).all():
        return empty_html(number, caption, "本年没有新收政府信息公开申请（各类申请人均为0或未填写），不绘制此图。")
    values = pd.Series(values.fillna(0).to_numpy(), index=[c.label for c in columns])
    return figure_html(_bars(values, "件"), number, caption)


def outcomes(report: Report, number: int) -> str:
    caption = "本年度办理结果（总计列，按结果分类）"
    edition = report.edition
    rule = next(r for r in edition.rules if r["id"] == "requests.outcomes_sum")
    table = edition.tables["requests"]
    totals = report.tables["requests"]["total"]
    grouped: dict[str, float] = {}
    for row_id in rule["right"]:
        line = table.row(row_id)
        name = short_label(line.prefix[-1] if line.prefix else line.label)
        value = totals[row_id]
        grouped[name] = grouped.get(name, 0) + (0 if pd.isna(value) else float(value))
    values = pd.Series(grouped)
    if (values == 0).all():
        return empty_html(number, caption, "本年度没有办理完毕的政府信息公开申请（各项办理结果均为0或未填写），不绘制此图。")
    return figure_html(_bars(values, "件"), number, caption)


def proactive(report: Report, number: int) -> str:
    """One bar per count cell of § 二, in form order, coloured by the article item it reports."""
    caption = "主动公开政府信息情况（第二十条各项，不含金额）"
    table = report.edition.tables["proactive"]
    frame = report.tables["proactive"]
    labels, values, colours = [], [], []
    for k, part in enumerate(table.parts):
        for row in part.rows:
            for col in part.columns:
                if table.value_type(col.id) == "amount":
                    continue
                value = frame.at[row.id, col.id]
                labels.append(f"{row.label}·{col.label}")
                values.append(0.0 if pd.isna(value) else float(value))
                colours.append(PALETTE[k % len(PALETTE)])
    if all(v == 0 for v in values):
        return empty_html(number, caption, "主动公开各项数量均为0或未填写，不绘制此图。")
    fig = _bars(pd.Series(values, index=labels), "件/项")
    for bar, colour in zip(fig.axes[0].patches, colours):
        bar.set_color(colour)
    return figure_html(fig, number, caption)


def all_charts(report: Report) -> str:
    makers = (requests_by_applicant, outcomes, proactive)
    return "".join(make(report, i) for i, make in enumerate(makers, start=1))
