"""Consistency checks (勾稽关系): every rule of editions.md, run over one report.

The edition's arithmetic rules are data (the `rules` of an edition file), evaluated by one small
engine: for each column (or row) of a table, the sum of the `left` lines compared (`op`, default
"==") with the sum of the `right` lines. A comparison that involves a missing cell is skipped —
the missing cell is already a finding of its own (cells.missing / cells.type). The other rules
(across years, against the prose, plausibility) are plain functions in modules beside this one,
registered in RULES below.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from . import crossyear, plausibility, prose_checks
from .findings import ERROR, Finding
from .io import read_report
from .report import Report

OPERATORS = {"==": operator.eq, ">=": operator.ge}
READER_RULES = ("cells.missing", "cells.type", "edition.year")   # found while reading


def arithmetic_findings(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    for rule in report.edition.rules:
        table = report.edition.tables[rule["table"]]
        frame = report.tables[rule["table"]]
        per_column = rule["per"] == "column"
        holds = OPERATORS[rule.get("op", "==")]
        known = set(table.cells)
        for line in table.columns if per_column else table.rows:
            def cells(ids):
                return [(rid, line.id) if per_column else (line.id, rid) for rid in ids]
            left, right = cells(rule["left"]), cells(rule["right"])
            if not set(left + right) <= known:
                continue        # the rule is about other lines (e.g. one part of § 二)
            if any(pd.isna(frame.at[r, c]) for r, c in left + right):
                continue
            left_sum = sum(int(frame.at[r, c]) for r, c in left)
            right_sum = sum(int(frame.at[r, c]) for r, c in right)
            if holds(left_sum, right_sum):
                continue
            single = rule["left"][0] if len(rule["left"]) == 1 else None
            row, column = (single, line.id) if per_column else (line.id, single)
            message = f"「{table.title}」" + rule["message"].format(
                label=line.full_label, left=left_sum, right=right_sum)
            findings.append(Finding(
                rule["id"], rule.get("severity", ERROR), table.id, row, column, right_sum, left_sum,
                message, tuple((table.id, r, c) for r, c in left + right)))
    return findings


@dataclass(frozen=True)
class Rule:
    """A rule written as a function: check(report) → findings, or check(report, previous)."""
    id: str
    check: Callable[..., list[Finding]]
    applies: Callable[[Report], bool] = lambda report: True    # e.g. only edition 2021
    needs_previous: bool = False
    same_edition: bool = False      # compares with last year's cells of the same edition


RULES = (
    Rule("cross_year.carry_over", crossyear.carry_over, needs_previous=True),
    Rule("cross_year.in_force", crossyear.in_force, crossyear.has_in_force,
         needs_previous=True, same_edition=True),
    Rule("cross_year.item_count", crossyear.item_count, crossyear.has_item_counts,
         needs_previous=True, same_edition=True),
    Rule("plausibility.township_rules", plausibility.township_rules, plausibility.cannot_make_rules),
    Rule("prose.numbers", prose_checks.numbers),
    Rule("prose.year", prose_checks.year),
    Rule("narrative.fee_statement", prose_checks.fee_statement, prose_checks.fee_required),
)


@dataclass(frozen=True)
class Coverage:
    """Which rules ran for a report, and which were skipped and why (Chinese, for the reader)."""
    ran: tuple[str, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    def skipped_note(self) -> str:
        """未进行rule、rule：why — empty when every rule that applies ran."""
        reasons: dict[str, list[str]] = {}
        for rule, why in self.skipped.items():
            reasons.setdefault(why, []).append(rule)
        return "；".join(f"未进行{'、'.join(rules)}：{why}" for why, rules in reasons.items())


def coverage(report: Report, previous: Report | None = None, why_no_previous: str = "") -> Coverage:
    ran = [*READER_RULES, *dict.fromkeys(r["id"] for r in report.edition.rules)]
    skipped: dict[str, str] = {}
    for rule in RULES:
        if not rule.applies(report):
            continue
        if rule.needs_previous and previous is None:
            skipped[rule.id] = why_no_previous or f"没有{report.year - 1}年度的数据"
        elif rule.same_edition and previous.edition.id != report.edition.id:
            skipped[rule.id] = (f"{previous.year}年度使用{previous.edition.id}版格式，"
                                f"本年度使用{report.edition.id}版格式，两年的表格不可比")
        else:
            ran.append(rule.id)
    return Coverage(tuple(ran), skipped)


def run_checks(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every finding for a report: what the reader found, the edition's rules, then the rest.

    `previous` is the same unit's report of the year before; without it the cross-year rules
    are skipped (coverage() says so).
    """
    return _findings(report, previous, coverage(report, previous))


def _findings(report: Report, previous: Report | None, cover: Coverage) -> list[Finding]:
    findings = [*report.reader_findings, *arithmetic_findings(report)]
    for rule in RULES:
        if rule.id in cover.ran:
            findings += rule.check(report, previous) if rule.needs_previous else rule.check(report)
    return findings


@dataclass(frozen=True)
class Checked:
    """One data file checked: its report, findings, which rules ran, and last year's data."""
    report: Report
    findings: list[Finding]
    coverage: Coverage
    previous: crossyear.Previous


def check_file(data_path, previous_path=None) -> Checked:
    """Read a data file and last year's (given, or found in the same data tree) and check them.

    DataFileError when the data file, or a previous-year file the user named, is unusable.
    """
    report = read_report(data_path)
    previous = crossyear.load_previous(report, previous_path or None)
    cover = coverage(report, previous.report, previous.note)
    return Checked(report, _findings(report, previous.report, cover), cover, previous)
