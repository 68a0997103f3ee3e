"""Charts of one report: the data of each (a Series), a bar chart of it, and the figure shown as
self-contained HTML (PNG embedded, numbered caption; no file, no network).

The notebook has one cell per chart that calls these helpers, so a chart's colour, kind or title
is changed there. Figures are built with matplotlib.figure.Figure (no pyplot): no global figure
state and nothing drawn twice by the inline backend; a pyplot figure can be shown the same way.
All-zero or missing data gives a sentence instead of an empty axis.
"""
from __future__ import annotations

import base64
import math
import struct
from html import escape

import pandas as pd
from IPython.display import HTML
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..model.edition import short_label
from ..model.report import Report
from .fonts import use_cjk_font
from .png import DPI, png

WIDTH = 6.3            # inches: the text width of an A4 page with official margins
BAR = "#b22222"        # the red of official documents, used sparingly
PALETTE = ("#b22222", "#4a6fa5", "#6b8e23", "#8c8c8c", "#b8860b")  # one per article item


def figure_html(fig: Figure, number: int, caption: str) -> str:
    """The figure as the page shows it; its image's text alternative gives the numbers drawn.
    On a narrow screen the image keeps the width at which its smallest text is readable
    (--phone-width, report.css) and scrolls in its figure, which therefore takes the keyboard's
    focus; a desk and print ignore both."""
    image = png(fig)
    data = base64.b64encode(image).decode("ascii")
    text = f"图{number}　{escape(caption)}"
    numbers = bar_numbers(fig)
    alt = f"{text}：{escape(numbers)}。" if numbers else text
    return (f'<figure class="chart" tabindex="0"><img src="data:image/png;base64,{data}" alt="{alt}" '
            f'style="--phone-width: {phone_width(fig, image)}px"><figcaption>{text}</figcaption></figure>')


MIN_TEXT_PX = 11       # CSS px: a chart's smallest text on a phone


def phone_width(fig: Figure, image: bytes) -> int:
    """The CSS width at which the figure's smallest text is MIN_TEXT_PX (its print size, 96 CSS
    px an inch, when that is wider): the PNG's pixels are DPI an inch, a text's size is in points."""
    width = struct.unpack(">I", image[16:20])[0]             # the PNG's IHDR: width in pixels
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    smallest = min(sizes, default=10.0) / 72 * DPI           # in the PNG's pixels
    return math.ceil(width * max(96 / DPI, MIN_TEXT_PX / smallest))


def bar_numbers(fig: Figure) -> str:
    """The bars of a figure as text, in their order: "自然人2件；商业企业0件；…" — each bar's
    value with the tick label at its place and the value axis's unit. Read from the figure, so
    that a chart staff change in the notebook (colours, title, vertical bars) still says its
    numbers; a figure without bars says nothing (its caption stays the alternative)."""
    parts = []
    for ax in fig.axes:
        for drawn in (c for c in ax.containers if isinstance(c, BarContainer)):
            across = drawn.orientation == "horizontal"
            ticks = ax.get_yticks() if across else ax.get_xticks()
            labels = [t.get_text() for t in (ax.get_yticklabels() if across else ax.get_xticklabels())]
            unit = ax.get_xlabel() if across else ax.get_ylabel()
            for patch, value in zip(drawn.patches, drawn.datavalues):
                place = patch.get_y() + patch.get_height() / 2 if across else patch.get_x() + patch.get_width() / 2
                label = labels[min(range(len(ticks)), key=lambda i: abs(ticks[i] - place))] if len(ticks) else ""
                parts.append(f"{label}{value:g}{unit}")
    return "；".join(parts)


def empty_html(number: int, caption: str, reason: str) -> str:
    return (f'<figure class="chart empty"><p>{escape(reason)}</p>'
            f"<figcaption>图{number}　{escape(caption)}</figcaption></figure>")


def show(fig: Figure | None, number: int, caption: str, otherwise: str = "") -> HTML:
    """A figure as the page shows it (图N and its caption); None: the sentence `otherwise`."""
    return HTML(figure_html(fig, number, caption) if fig is not None
                else empty_html(number, caption, otherwise))


def drawable(values: pd.Series) -> bool:
    """Anything to draw: some value known and not zero."""
    return bool((values.fillna(0) != 0).any())


def bars(values: pd.Series, unit: str = "件", color=BAR) -> Figure:
    """Horizontal bars, one per value, labelled with the index and annotated with the value;
    `color` one colour or one per bar."""
    use_cjk_font()                  # cheap once registered; a figure never lays out without it
    values = values.fillna(0).astype(float)
    fig = Figure()
    ax = fig.subplots()
    ax.barh(range(len(values)), values.to_numpy(), color=color, height=0.6)
    ax.set_yticks(range(len(values)), list(values.index))
    ax.invert_yaxis()
    for i, v in enumerate(values):
        ax.annotate(f"{v:g}", (v, i), xytext=(3, 0), textcoords="offset points", va="center")
    ax.set_xlabel(unit)
    ax.set_xlim(left=min(0.0, float(values.min())) * 1.1, right=max(1.0, float(values.max())) * 1.12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    # the axes keep the inches they had in a WIDTH-wide figure 0.32 inch a bar tall with
    # matplotlib's default margins (0.775 of the width, 0.77 of the height are the axes)
    _room_for_labels(fig, ax, axes_size=(WIDTH * 0.775, (0.32 * len(values) + 0.9) * 0.77))
    return fig


def _room_for_labels(fig: Figure, ax, axes_size: tuple[float, float]) -> None:
    """Size the figure around an axes of `axes_size` inches so that its labels lie inside the
    canvas: the figure is then drawn once and cropped (png.py) instead of laid out twice.
    Margins are generous (the crop takes what is blank); the left one fits the longest label."""
    labels = ax.get_yticklabels()
    measure = RendererAgg(1, 1, 72)             # 72 dpi: widths in points
    widest = max((measure.get_text_width_height_descent(t.get_text(), t.get_fontproperties(), ismath=False)[0]
                  for t in labels), default=0.0)
    tick = ax.yaxis.get_major_ticks()[0] if labels else None
    reach = (tick.get_tick_padding() + tick.get_pad()) if tick else 0.0   # tick line and gap, points
    left, right, bottom, top = (widest + reach) / 72 + 0.3, 0.9, 0.8, 0.3
    width, height = left + axes_size[0] + right, bottom + axes_size[1] + top
    fig.set_size_inches(width, height)
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


def applicants(report: Report) -> pd.Series:
    """本年新收申请 by applicant kind (自然人, 商业企业, …), total column left out."""
    table = report.edition.tables["requests"]
    columns = [c for c in table.columns if c.id != "total"]
    values = report.tables["requests"].loc["new_received", [c.id for c in columns]]
    return pd.Series(values.to_numpy(dtype=float, na_value=float("nan")), index=[c.label for c in columns])


def outcomes(report: Report) -> pd.Series:
    """The results of the year (总计 column) by kind as the form groups them; missing counts as 0."""
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
    return pd.Series(grouped)


def proactive(report: Report) -> pd.Series:
    """Every count cell of § 二 in form order ("行政许可·处理决定数量"), amounts left out."""
    table = report.edition.tables["proactive"]
    frame = report.tables["proactive"]
    values = {f"{row.label}·{col.label}": frame.at[row.id, col.id]
              for part in table.parts for row in part.rows for col in part.columns
              if table.value_type(col.id) != "amount"}
    return pd.Series({k: float("nan") if pd.isna(v) else float(v) for k, v in values.items()})


def proactive_colours(report: Report) -> list[str]:
    """One colour per bar of proactive(): the article item (part of the form) it reports."""
    table = report.edition.tables["proactive"]
    return [PALETTE[k % len(PALETTE)] for k, part in enumerate(table.parts)
            for _ in part.rows for col in part.columns if table.value_type(col.id) != "amount"]


# The default charts, as the township notebook draws them (its cells are the place to change
# them); used where no notebook runs (the benchmark's floor).
DEFAULTS = (
    (applicants, "件", lambda r: BAR, "本年新收政府信息公开申请（按申请人类型）",
     "本年没有新收政府信息公开申请（各类申请人均为0或未填写），不绘制此图。"),
    (outcomes, "件", lambda r: BAR, "本年度办理结果（总计列，按结果分类）",
     "本年度没有办理完毕的政府信息公开申请（各项办理结果均为0或未填写），不绘制此图。"),
    (proactive, "件/项", proactive_colours, "主动公开政府信息情况（第二十条各项，不含金额）",
     "主动公开各项数量均为0或未填写，不绘制此图。"),
)


def all_charts(report: Report) -> str:
    out = []
    for number, (data, unit, colour, caption, otherwise) in enumerate(DEFAULTS, start=1):
        values = data(report)
        fig = bars(values, unit, colour(report)) if drawable(values) else None
        out.append(show(fig, number, caption, otherwise).data)
    return "".join(out)
