"""Consistency checks (勾稽关系): every rule of editions.md, run over one report.

The edition's arithmetic rules are data, evaluated by arithmetic.py. The other rules (across
years, against the prose, plausibility) are plain functions in the modules beside it,
registered in RULES below; `run_checks` and `check_file` are the entry points.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..io import read_report
from ..model.findings import Finding
from ..model.report import Report
from . import crossyear, plausibility
from . import prose as prose_checks
from .arithmetic import arithmetic_findings

READER_RULES = ("cells.missing", "cells.type", "edition.year")   # found while reading


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


# Files already read and checked by this process, for the notebooks it forks (handed_over).
_handed: dict[tuple[str, str], Checked] = {}


def _key(data_path, previous_path) -> tuple[str, str]:
    return os.fspath(data_path), os.fspath(previous_path) if previous_path else ""


@contextmanager
def handed_over(checked: Checked, data_path, previous_path=None) -> Iterator[None]:
    """While the block runs, check_file(data_path, previous_path) returns `checked` instead of
    reading the file again. A batch worker reads and checks a unit (for findings.csv), then forks
    the unit's notebook: the child inherits this table, so the page renders the very report and
    finding objects the batch recorded, and the file is read once."""
    key = _key(data_path, previous_path)
    _handed[key] = checked
    try:
        yield
    finally:
        del _handed[key]


def check_file(data_path, previous_path=None) -> Checked:
    """Read a data file and last year's (given, or found in the same data tree) and check them.

    DataFileError when the data file, or a previous-year file the user named, is unusable.
    """
    handed = _handed.get(_key(data_path, previous_path))
    if handed is not None:
        return handed
    report = read_report(data_path)
    previous = crossyear.load_previous(report, previous_path or None)
    cover = coverage(report, previous.report, previous.note)
    return Checked(report, _findings(report, previous.report, cover), cover, previous)
