"""Consistency checks (勾稽关系): the edition's arithmetic rules, evaluated by one small engine.

Rules are data (the `rules` of an edition file): for each column (or row) of a table, the sum of
the `left` lines must equal the sum of the `right` lines. A comparison that involves a missing
cell is skipped — the missing cell is already a finding of its own (cells.missing / cells.type).
"""
from __future__ import annotations

import pandas as pd

from .findings import ERROR, Finding
from .report import Report


def arithmetic_findings(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    for rule in report.edition.rules:
        table = report.edition.tables[rule["table"]]
        frame = report.tables[rule["table"]]
        per_column = rule["per"] == "column"
        across = table.columns if per_column else table.rows
        for line in across:
            def cells(ids):
                return [(rid, line.id) if per_column else (line.id, rid) for rid in ids]
            left, right = cells(rule["left"]), cells(rule["right"])
            if any(pd.isna(frame.at[r, c]) for r, c in left + right):
                continue
            left_sum = sum(int(frame.at[r, c]) for r, c in left)
            right_sum = sum(int(frame.at[r, c]) for r, c in right)
            if left_sum == right_sum:
                continue
            single = rule["left"][0] if len(rule["left"]) == 1 else None
            row, column = (single, line.id) if per_column else (line.id, single)
            message = f"「{table.title}」" + rule["message"].format(
                label=line.full_label, left=left_sum, right=right_sum)
            findings.append(Finding(
                rule["id"], ERROR, table.id, row, column, right_sum, left_sum, message,
                tuple((table.id, r, c) for r, c in left + right)))
    return findings


def run_checks(report: Report) -> list[Finding]:
    """Every finding for a report: what the reader found, then the rules of its edition."""
    return [*report.reader_findings, *arithmetic_findings(report)]


RULES_RUN = ("cells.missing", "cells.type", "edition.year", "requests.balance",
             "requests.outcomes_sum", "requests.row_total", "appeals.group_total")
