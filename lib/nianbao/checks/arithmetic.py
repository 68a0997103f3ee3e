"""The edition's arithmetic rules (勾稽关系), which are data (the `rules` of an edition file).

One small engine: for each column (or row) of a table, the sum of the `left` lines compared
(`op`, default "==") with the sum of the `right` lines. A comparison that involves a missing
cell is skipped — the missing cell is already a finding of its own (cells.missing / cells.type);
so is one that involves a cell not applicable (“/”, “—”, “无”…): that rule ran in part, and
`not_applicable_cells` tells the coverage which cells kept it from running in full.
"""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from ..model.edition import OPERATORS
from ..model.findings import ERROR, Finding
from ..model.report import Report


def _comparisons(report: Report) -> Iterator[tuple[dict, object, list, list]]:
    """(rule, line, left cells, right cells) of every comparison the edition's rules make."""
    for rule in report.edition.rules:
        table = report.edition.tables[rule["table"]]
        per_column = rule["per"] == "column"
        known = set(table.cells)
        for line in table.columns if per_column else table.rows:
            def cells(ids):
                return [(rid, line.id) if per_column else (line.id, rid) for rid in ids]
            left, right = cells(rule["left"]), cells(rule["right"])
            if set(left + right) <= known:      # else the rule is about other lines (e.g. one part of § 二)
                yield rule, line, left, right


def not_applicable_cells(report: Report) -> dict[str, list[tuple[str, str, str]]]:
    """{rule id: the not-applicable cells its skipped comparisons would have needed}."""
    found: dict[str, dict] = {}
    if report.not_applicable:
        for rule, _, left, right in _comparisons(report):
            for row, column in left + right:
                if (rule["table"], row, column) in report.not_applicable:
                    found.setdefault(rule["id"], {})[(rule["table"], row, column)] = None
    return {rule: list(cells) for rule, cells in found.items()}


def arithmetic_findings(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    for rule, line, left, right in _comparisons(report):
        table = report.edition.tables[rule["table"]]
        frame = report.tables[rule["table"]]
        if any(pd.isna(frame.at[r, c]) for r, c in left + right):
            continue
        left_sum = sum(int(frame.at[r, c]) for r, c in left)
        right_sum = sum(int(frame.at[r, c]) for r, c in right)
        if OPERATORS[rule.get("op", "==")](left_sum, right_sum):
            continue
        single = rule["left"][0] if len(rule["left"]) == 1 else None
        row, column = (single, line.id) if rule["per"] == "column" else (line.id, single)
        message = f"「{table.title}」" + rule["message"].format(
            label=line.full_label, left=left_sum, right=right_sum)
        findings.append(Finding(
            rule["id"], rule.get("severity", ERROR), table.id, row, column, right_sum, left_sum,
            message, tuple((table.id, r, c) for r, c in left + right)))
    return findings
