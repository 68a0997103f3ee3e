"""Sentences written from the tables for § 一. Every number in them comes from a cell."""
from __future__ import annotations

import pandas as pd

from ..model.edition import short_label
from ..model.report import Report

MISSING = "（未填写）"


def _n(report: Report, table: str, row: str, column: str) -> str:
    value = report.tables[table].at[row, column]
    if pd.isna(value):
        return MISSING
    if report.edition.tables[table].value_type(column) == "amount":
        return f"{float(value):g}"
    return str(int(value))


def requests_sentence(report: Report) -> str:
    n = lambda row, col="total": _n(report, "requests", row, col)   # noqa: E731
    table = report.edition.tables["requests"]
    rule = next(r for r in report.edition.rules if r["id"] == "requests.outcomes_sum")
    if n("new_received") == "0" and n("carried_over") == "0":
        return f"{report.year}年，本机关未收到政府信息公开申请，也没有上年结转的申请。"
    kinds: dict[str, list[str]] = {}
    for row_id in rule["right"]:
        line = table.row(row_id)
        kinds.setdefault(line.prefix[-1] if line.prefix else line.label, []).append(row_id)
    parts = []
    for label, rows in kinds.items():
        values = [report.tables["requests"].at[r, "total"] for r in rows]
        total = MISSING if any(pd.isna(v) for v in values) else str(int(sum(values)))
        parts.append(f"{short_label(label)}{total}件")
    return (f"{report.year}年，本机关新收政府信息公开申请{n('new_received')}件"
            f"（其中自然人{n('new_received', 'natural_person')}件），"
            f"上年结转{n('carried_over')}件；本年度办理结果合计{n('total_handled')}件，其中"
            + "、".join(parts) + f"；结转下年度继续办理{n('carried_forward')}件。")


def appeals_sentence(report: Report) -> str:
    n = lambda row: _n(report, "appeals", row, "total")   # noqa: E731
    review, direct, after = n("review"), n("suit_direct"), n("suit_after_review")
    if (review, direct, after) == ("0", "0", "0"):
        return "本年度未发生因政府信息公开引起的行政复议和行政诉讼。"
    return (f"本年度因政府信息公开被申请行政复议{review}件；被提起行政诉讼"
            f"未经复议直接起诉{direct}件、复议后起诉{after}件。")


def proactive_sentence(report: Report) -> str:
    table = report.edition.tables["proactive"]
    bits = []
    for part in table.parts:
        for row in part.rows:
            cells = "、".join(f"{col.label}{_n(report, 'proactive', row.id, col.id)}"
                             for col in part.columns)
            bits.append(f"{row.label}：{cells}")
    return "主动公开方面（第二十条），" + "；".join(bits) + "。"


def overview_facts(report: Report) -> list[str]:
    """The generated paragraphs of § 一, after the clerk's own text."""
    return [requests_sentence(report), appeals_sentence(report), proactive_sentence(report)]
