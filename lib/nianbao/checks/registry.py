"""The rules written as functions (RULES), which of them ran for a report (coverage) and the
entry points: run_checks over a report, check_file over a data file (with last year's file and
what the batch told it), and the table of files already checked that forked notebooks inherit
(handed_over)."""
from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..io import read_report
from ..model.findings import Finding
from ..model.report import Report
from . import copied, crossyear, deadline, plausibility, reviews, trends
from . import peers as county_peers
from . import prose as prose_checks
from .context import Context
from .arithmetic import arithmetic_findings, not_applicable_cells

READER_RULES = ("cells.missing", "cells.type", "edition.year")   # found while reading


@dataclass(frozen=True)
class Rule:
    """A rule written as a function: check(report) → findings, or check(report, previous)."""
    id: str
    check: Callable[..., list[Finding]]
    applies: Callable[[Report], bool] = lambda report: True    # e.g. only edition 2021
    needs_previous: bool = False
    same_edition: bool = False      # compares with last year's cells of the same edition
    named_when_skipped: bool = True # a skipped rule is listed to the reader (not a mere name check)
    # the cells it compares, this year's and last year's: one not applicable skips its comparison
    cells: Callable[[Report, Report | None], tuple[list, list]] | None = None


RULES = (
    Rule("cross_year.unit_name", crossyear.unit_name, needs_previous=True, named_when_skipped=False),
    Rule("cross_year.carry_over", crossyear.carry_over, needs_previous=True, cells=crossyear.carry_over_cells),
    Rule("cross_year.in_force", crossyear.in_force, crossyear.has_in_force,
         needs_previous=True, same_edition=True, cells=crossyear.in_force_cells),
    Rule("cross_year.item_count", crossyear.item_count, crossyear.has_item_counts,
         needs_previous=True, same_edition=True, cells=crossyear.item_count_cells),
    Rule("plausibility.township_rules", plausibility.township_rules, plausibility.cannot_make_rules),
    Rule("prose.numbers", prose_checks.numbers, cells=prose_checks.numbers_cells),
    Rule("prose.year", prose_checks.year),
    Rule("narrative.fee_statement", prose_checks.fee_statement, prose_checks.fee_required),
    Rule("narrative.copied", copied.own_last_year, needs_previous=True),
    Rule(trends.RULE, trends.jump, needs_previous=True),
)
# rules that need more than the unit's own files (Context): run by _findings, named by coverage
CONTEXT_RULES = (deadline.RULE,)


@dataclass(frozen=True)
class Coverage:
    """Which rules ran for a report, and which were skipped and why (Chinese, for the reader)."""
    ran: tuple[str, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    def skipped_note(self) -> str:
        """未进行rule、rule：why (部分进行 for a rule that ran only in part, e.g. published.deadline
        without the county's date: also among the rules that passed) — empty when every rule
        that applies ran in full."""
        reasons: dict[tuple[str, str], list[str]] = {}
        for rule, why in self.skipped.items():
            reasons.setdefault(("部分进行" if rule in self.ran else "未进行", why), []).append(rule)
        return "；".join(f"{lead}{'、'.join(rules)}：{why}" for (lead, why), rules in reasons.items())


def coverage(report: Report, previous: Report | None = None, why_no_previous: str = "",
             context: Context | None = None) -> Coverage:
    context = context or Context()
    ran = [*READER_RULES, *dict.fromkeys(r["id"] for r in report.edition.rules)]
    skipped: dict[str, str] = {}
    for rule in RULES:
        if not rule.applies(report):
            continue
        if rule.id == "narrative.copied" and context.peers is not None:
            ran.append(rule.id)          # compared with the county-year's units, if not with last year
        elif rule.needs_previous and previous is None:
            if rule.named_when_skipped:
                skipped[rule.id] = why_no_previous or f"没有{report.year - 1}年度的数据"
        elif rule.same_edition and previous.edition.id != report.edition.id:
            skipped[rule.id] = (f"{previous.year}年度使用{previous.edition.id}版格式，"
                                f"本年度使用{report.edition.id}版格式，两年的表格不可比")
        else:
            ran.append(rule.id)
            if rule.cells is not None and (report.not_applicable or (previous and previous.not_applicable)):
                now, before = rule.cells(report, previous)
                if why := not_applicable_note(report, now, previous, before):
                    skipped[rule.id] = why
    for rule_id, cells in not_applicable_cells(report).items():
        skipped[rule_id] = not_applicable_note(report, cells)
    why = deadline.why_skipped(report, context.deadline)
    if why != deadline.NO_DATE:
        ran.append(deadline.RULE)
    if why:
        skipped[deadline.RULE] = why
    return Coverage(tuple(ran), skipped)


def not_applicable_note(report: Report, cells, previous: Report | None = None, previous_cells=()) -> str:
    """Why a rule ran in part: the not-applicable cells among those it compares (named, the first
    with its mark), empty when there is none."""
    found = [(report, cell) for cell in dict.fromkeys(cells) if cell in report.not_applicable]
    if previous is not None:
        found += [(previous, cell) for cell in dict.fromkeys(previous_cells) if cell in previous.not_applicable]
    if not found:
        return ""
    first, (tid, row, column) = found[0]
    table = first.edition.tables[tid]
    year = f"{first.year}年度" if first is previous else ""
    more = f"等{len(found)}个单元格" if len(found) > 1 else ""
    return (f"{year}「{table.title}」{table.row(row).full_label}·{table.column(column).label}{more}"
            f"填为不适用（“{first.not_applicable[(tid, row, column)]}”），用到{'它们' if more else '它'}的核对未进行")


def run_checks(report: Report, previous: Report | None = None, context: Context | None = None) -> list[Finding]:
    """Every finding for a report: what the reader found, the edition's rules, then the rest,
    each one a reviewer explained marked so (context.decisions).

    `previous` is the same unit's report of the year before; without it the cross-year rules
    are skipped (coverage() says so).
    """
    return _findings(report, previous, coverage(report, previous, context=context), context)


def _findings(report: Report, previous: Report | None, cover: Coverage,
              context: Context | None = None) -> list[Finding]:
    context = context or Context()
    findings = [*report.reader_findings, *arithmetic_findings(report)]
    for rule in RULES:
        if rule.id in cover.ran and (previous is not None or not rule.needs_previous):
            findings += rule.check(report, previous) if rule.needs_previous else rule.check(report)
    findings += context.peers or ()
    if deadline.RULE in cover.ran:
        findings += deadline.check(report, context.deadline)
    return reviews.apply(findings, list(context.decisions))


@dataclass(frozen=True)
class Checked:
    """One data file checked: its report, findings, which rules ran, last year's data, and what
    the checks knew beyond the file (given, or from its folder)."""
    report: Report
    findings: list[Finding]
    coverage: Coverage
    previous: crossyear.Previous
    context: Context
    earlier: tuple[Report, ...] = ()    # the years before last year's, newest first (crossyear.load_earlier)


# Files already read and checked by this process, for the notebooks it forks (handed_over).
_handed: dict[tuple[str, str, str], Checked] = {}


def _key(data_path, previous_path, context: Context | None) -> tuple[str, str, str]:
    return (os.fspath(data_path), os.fspath(previous_path) if previous_path else "",
            context.to_json() if context is not None else "")


@contextmanager
def handed_over(checked: Checked, data_path, previous_path=None) -> Iterator[None]:
    """While the block runs, check_file(data_path, previous_path, checked.context) returns
    `checked` instead of reading the file again. A batch worker reads and checks a unit (for
    findings.csv), then forks the unit's notebook: the child inherits this table, so the page
    renders the very report and finding objects the batch recorded, and the file is read once."""
    key = _key(data_path, previous_path, checked.context)
    _handed[key] = checked
    try:
        yield
    finally:
        del _handed[key]


def check_file(data_path, previous_path=None, context: Context | None = None,
               county_deadline: dt.date | None = None) -> Checked:
    """Read a data file and last year's (given, or found in the same data tree) and check them;
    the years before last year's are read too, for the report's table of its years.

    Without a context (one file, not a batch), the file's folder gives it: the other units of
    the same county-year there and the reviewers' decisions beside it (context_beside).
    DataFileError when the data file, a previous-year file the user named, or the reviews file
    is unusable.
    """
    handed = _handed.get(_key(data_path, previous_path, context))
    if handed is not None:
        return handed
    report = read_report(data_path)
    previous = crossyear.load_previous(report, previous_path or None)
    context = context or context_beside(report, county_deadline)
    cover = coverage(report, previous.report, previous.note, context)
    return Checked(report, _findings(report, previous.report, cover, context), cover, previous, context,
                   crossyear.load_earlier(previous))


def context_beside(report: Report, county_deadline: dt.date | None = None) -> Context:
    """A single file's context from its folder: the units of the same county-year in it (for
    narrative.copied and the county's quartiles) and reviews.yaml beside it."""
    from ..errors import DataFileError
    from ..io import SUFFIXES
    if report.source is None:
        return Context(county_deadline)
    source = Path(report.source).resolve()
    peers = [copied.Peer(str(source), report.short_name, (report.unit, report.short_name), report.narrative)]
    measured = [county_peers.measures(report.edition, report.value)]
    for path in sorted(source.parent.iterdir()):
        if (path == source or path.name == reviews.FILE or path.name.startswith(".")
                or path.suffix.lower() not in SUFFIXES or not path.is_file()):
            continue
        try:
            other = read_report(path)
        except DataFileError:
            continue            # its own problems are reported when it is checked
        if (other.county, other.year) == (report.county, report.year):
            peers.append(copied.Peer(str(path), other.short_name, (other.unit, other.short_name), other.narrative))
            measured.append(county_peers.measures(other.edition, other.value))
    found = copied.peer_findings(peers, report.county) if len(peers) > 1 else {}
    return Context(county_deadline, tuple(found.get(str(source), ())) if len(peers) > 1 else None,
                   tuple(reviews.decisions_for(source)), county_peers.told(measured))
