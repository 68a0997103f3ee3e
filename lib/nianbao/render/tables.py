"""The tables of §§ 二, 三, 四 as HTML in the official layout: merged headers, exact labels.

The layout comes from the edition (nesting of rows and columns); cells a finding points at get
a class (flag-error / flag-warning) that the review page highlights and the public page ignores.
"""
from __future__ import annotations

from html import escape

import pandas as pd

from ..model.edition import header_spans
from ..model.report import Report


def _cell_text(report: Report, table: str, row: str, column: str) -> tuple[str, str]:
    """(text, css class) of one cell: its number, its not-applicable mark as written, the raw
    text it could not use, or blank."""
    value = report.tables[table].at[row, column]
    if pd.isna(value):
        mark = report.not_applicable.get((table, row, column))
        if mark is not None:
            return escape(mark), "na"
        raw = report.raw.get((table, row, column))
        return (escape(raw), "invalid") if raw is not None else ("", "missing")
    if report.edition.tables[table].value_type(column) == "amount":
        text = f"{float(value):.2f}".rstrip("0").rstrip(".") if float(value) % 1 else f"{float(value):.0f}"
        unit = report.units.get(row)
        return (text + escape(unit) if unit else text), "num"
    return str(int(value)), "num"


def _td(report: Report, marks: dict, table: str, row: str, column: str, span: int = 1) -> str:
    text, css = _cell_text(report, table, row, column)
    flag = marks.get((table, row, column))
    classes = " ".join(c for c in (css, f"flag-{flag}" if flag else "") if c)
    colspan = f' colspan="{span}"' if span > 1 else ""
    return f'<td class="{classes}"{colspan}>{text}</td>'


def _th(text: str, rowspan: int = 1, colspan: int = 1, css: str = "") -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in (("rowspan", rowspan), ("colspan", colspan)) if v > 1)
    attrs += f' class="{css}"' if css else ""
    return f"<th{attrs}>{escape(text)}</th>"


def proactive_html(report: Report, marks: dict) -> str:
    table = report.edition.tables["proactive"]
    width = table.spec["grid_columns"]
    body = []
    for part in table.parts:
        body.append(f'<tr class="caption">{_th(part.caption, colspan=width + 1)}</tr>')
        heads = [_th(table.spec["row_header"])]
        for i, col in enumerate(part.columns):
            last = i == len(part.columns) - 1
            heads.append(_th(col.label, colspan=width - i if last else 1))
        body.append("<tr>" + "".join(heads) + "</tr>")
        for row in part.rows:
            tds = [_td(report, marks, "proactive", row.id, col.id,
                       width - i if i == len(part.columns) - 1 else 1)
                   for i, col in enumerate(part.columns)]
            body.append(f'<tr>{_th(row.label, css="label")}{"".join(tds)}</tr>')
    return _table("proactive", "".join(body), label=table.title)


def _chars(label: str) -> int:
    """Characters a value column of 三 needs so that its label never wraps one character per
    line: the whole label up to four, else half of it (two even lines), at least three."""
    n = len(label)
    return max(3, n if n <= 4 else min(4, -(-n // 2)))


def requests_cols(table, depth: int) -> str:
    """Column widths in em of the table's font: the groups of rows narrow (3 and 4 characters),
    the row labels take what the value columns leave. (report.css keeps the label columns in view
    on a phone at these offsets: .at-1 at 3.4em, .at-2 at 7.8em.)"""
    labels = ["3.4em", "4.4em"][:depth - 1]
    values = [f"{_chars(c.label) + 0.4:.1f}em" for c in table.columns]
    return ("<colgroup>" + "".join(f'<col style="width:{w}">' for w in labels) + '<col class="label">'
            + "".join(f'<col style="width:{w}">' for w in values) + "</colgroup>")


def requests_html(report: Report, marks: dict) -> str:
    table = report.edition.tables["requests"]
    spec = table.spec
    depth = 1 + max(len(r.groups) for r in table.rows)      # label columns of the form
    col_depth = 1 + max(len(c.groups) for c in table.columns)
    head = [_th(spec["corner_note"], rowspan=col_depth + 1, colspan=depth, css="corner"),
            _th(spec["header"], colspan=len(table.columns))]
    rows = ["<tr>" + "".join(head) + "</tr>"]
    for level in range(col_depth):
        cells = []
        for col, starts in zip(table.columns, header_spans(table.columns)):
            if level in starts:
                cells.append(_th(starts[level][0], colspan=starts[level][1]))
            elif level == len(col.groups):
                cells.append(_th(col.label, rowspan=col_depth - level))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    for row, starts in zip(table.rows, header_spans(table.rows)):
        # at-N: the label column a label starts in (a phone keeps them in view: report.css)
        labels = [_th(g, rowspan=n, css=f"group at-{level}") for level, (g, n) in starts.items()]
        labels.append(_th(row.label, colspan=depth - len(row.groups), css=f"label at-{len(row.groups)}"))
        tds = [_td(report, marks, "requests", row.id, col.id) for col in table.columns]
        rows.append("<tr>" + "".join(labels + tds) + "</tr>")
    return _table("requests", "".join(rows[col_depth + 1:]), head="".join(rows[:col_depth + 1]),
                  cols=requests_cols(table, depth), label=table.title)


def appeals_html(report: Report, marks: dict) -> str:
    table = report.edition.tables["appeals"]
    width = len(table.columns)
    top, middle, bottom, values = [], [], [], []
    for row, starts in zip(table.rows, header_spans(table.rows)):
        if not row.groups:                      # e.g. 行政复议: its column labels span two rows
            top.append(_th(row.label, colspan=width))
            middle += [_th(c.label, rowspan=2) for c in table.columns]
        else:
            for group, count in starts.values():
                top.append(_th(group, colspan=width * count))
            middle.append(_th(row.label, colspan=width))
            bottom += [_th(c.label) for c in table.columns]
        values += [_td(report, marks, "appeals", row.id, c.id) for c in table.columns]
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in (top, middle, bottom))
    return _table("appeals", f"<tr>{''.join(values)}</tr>", head=head, label=table.title)


def _table(table_id: str, rows: str, head: str = "", cols: str = "", label: str = "") -> str:
    """The header rows go in <thead>: printed, they repeat on every page the table crosses."""
    thead = f"<thead>{head}</thead>" if head else ""
    return scroll_box(f'<table class="form-table {table_id}">{cols}{thead}<tbody>{rows}</tbody></table>', label)


def scroll_box(table: str, label: str) -> str:
    """A table in a box of its own: on a phone the box scrolls sideways, not the page
    (report.css, screen only; printed, the box is a plain block). The box takes the keyboard's
    focus, so that its arrow keys scroll it too, and names itself to a screen reader."""
    return f'<div class="table-box" role="region" tabindex="0" aria-label="{escape(label)}">{table}</div>'


RENDERERS = {"proactive": proactive_html, "requests": requests_html, "appeals": appeals_html}


def table_html(report: Report, table_id: str, marks: dict | None = None) -> str:
    return RENDERERS[table_id](report, marks or {})
