"""The machinery of § 一's generated sentences; their wording lives in the notebook.

`Facts(report, last_year)` names the values a sentence speaks of (cells of the tables, sums of
them, last year's same values); each is a `Count` that writes itself with its measure word
(f"{v.received:件}" → "2件"), compares itself with last year (v.received.change("件") →
"，较上年增加3件") and says when it is zero or missing. Every number written comes from a cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd
from IPython.display import HTML

from ..checks.prose import statements
from ..model.edition import short_label
from ..model.report import Report, number

MISSING = "（未填写）"
NOT_APPLICABLE = "（不适用）"
ORGS = ("commercial", "research", "social_welfare", "legal_service", "other_org")
SUITS = ("suit_direct", "suit_after_review")


@dataclass(frozen=True, eq=False)
class Count:
    """One value of the report: `value` None when missing (or not in this edition's form);
    `last` the same value of last year, None when last year's data is absent or blank there."""
    value: float | None
    last: float | None = None
    not_applicable: bool = False        # value None because every cell of it is not applicable

    @property
    def known(self) -> bool:
        return self.value is not None

    def __bool__(self) -> bool:          # known and not zero: "is there anything to say?"
        return self.value is not None and self.value != 0

    def __format__(self, unit: str) -> str:
        if self.value is None:
            return NOT_APPLICABLE if self.not_applicable else MISSING
        return number(self.value) + unit

    def __str__(self) -> str:
        return format(self, "")

    def __eq__(self, other) -> bool:
        other = other.value if isinstance(other, Count) else other
        return self.value is not None and self.value == other

    def __hash__(self) -> int:
        return hash(self.value)

    def __gt__(self, other) -> bool:
        return self.value is not None and self.value > (other.value if isinstance(other, Count) else other)

    def change(self, unit: str, lead: str = "，") -> str:
        """"，较上年增加3件" / "，较上年减少2件" / "，与上年持平"; empty without last year's value."""
        if self.value is None or self.last is None:
            return ""
        diff = self.value - self.last
        if diff == 0:
            return f"{lead}与上年持平"
        return f"{lead}较上年{'增加' if diff > 0 else '减少'}{number(abs(diff))}{unit}"

    def share(self, whole: Count) -> str:
        """This value as a percentage of `whole` ("66.7%"); empty when it cannot be said."""
        if self.value is None or not whole:
            return ""
        return f"{self.value / whole.value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _sum(report: Report | None, cells: list[tuple[str, str, str]]) -> float | None:
    """The sum of the cells that apply (a not-applicable cell counts as nothing, as in the
    county's totals); None when one is missing or not in this report's form, or none applies."""
    if report is None:
        return None
    total, applies = 0.0, False
    for table, row, column in cells:
        frame = report.tables[table]
        if (table, row, column) in report.not_applicable:
            continue
        if row not in frame.index or column not in frame.columns or pd.isna(frame.at[row, column]):
            return None
        total += float(frame.at[row, column])
        applies = True
    return total if applies else None


def _none_applies(report: Report, cells: list[tuple[str, str, str]]) -> bool:
    return bool(cells) and all(cell in report.not_applicable for cell in cells)


class Facts:
    """The named values of one report (and of last year's, for comparisons)."""

    def __init__(self, report: Report, last_year: Report | None = None):
        self.report, self.last_year = report, last_year

    def total(self, table: str, rows, column: str | tuple = "total") -> Count:
        """The sum of cells (rows × columns) of a table, with last year's same sum."""
        rows = [rows] if isinstance(rows, str) else rows
        columns = [column] if isinstance(column, str) else column
        cells = [(table, r, c) for r in rows for c in columns]
        return Count(_sum(self.report, cells), _sum(self.last_year, cells), _none_applies(self.report, cells))

    # § 三: applications
    @property
    def received(self) -> Count:
        return self.total("requests", "new_received")

    @property
    def received_by_people(self) -> Count:
        return self.total("requests", "new_received", "natural_person")

    @property
    def received_by_organisations(self) -> Count:
        return self.total("requests", "new_received", ORGS)

    @property
    def carried_over(self) -> Count:
        return self.total("requests", "carried_over")

    @property
    def handled(self) -> Count:
        return self.total("requests", "total_handled")

    @property
    def carried_forward(self) -> Count:
        return self.total("requests", "carried_forward")

    @property
    def outcomes(self) -> dict[str, Count]:
        """The results of § 三 by kind as the form groups them (予以公开, 部分公开, 不予公开, …)."""
        table = self.report.edition.tables["requests"]
        rule = next(r for r in self.report.edition.rules if r["id"] == "requests.outcomes_sum")
        kinds: dict[str, list[str]] = {}
        for row_id in rule["right"]:
            line = table.row(row_id)
            kinds.setdefault(short_label(line.prefix[-1] if line.prefix else line.label), []).append(row_id)
        return {kind: self.total("requests", rows) for kind, rows in kinds.items()}

    # § 四: reviews and lawsuits
    @property
    def reviews(self) -> Count:
        return self.total("appeals", "review")

    @property
    def suits(self) -> Count:
        return self.total("appeals", SUITS)

    @property
    def corrected(self) -> Count:
        """Reviews and lawsuits whose result corrected the organ."""
        return self.total("appeals", ("review", *SUITS), "corrected")

    # § 二: proactive disclosure (a value not in this edition's form is missing)
    @property
    def documents_issued(self) -> Count:
        """规章 and (行政)规范性文件 made this year (edition 2019 本年新制作, 2021 本年制发)."""
        column = "issued" if self.report.edition.id != "2019" else "new_made"
        return self.total("proactive", ("rules", "normative_documents"), column)

    @property
    def documents_in_force(self) -> Count:
        return self.total("proactive", ("rules", "normative_documents"), "in_force")

    @property
    def decisions(self) -> dict[str, Count]:
        """Decisions of § 二 by kind: 行政许可, 行政处罚, 行政强制 (and more where the form has them)."""
        table = self.report.edition.tables["proactive"]
        return {row.label: self.total("proactive", row.id, "decisions")
                for part in table.parts if "decisions" in [c.id for c in part.columns]
                for row in part.rows}

    @property
    def items(self) -> dict[str, Count]:
        """Items of § 二 listed this year by kind (edition 2019: 上一年项目数量 + 本年增/减)."""
        table = self.report.edition.tables["proactive"]
        return {row.label: self.total("proactive", row.id, ("previous_count", "change"))
                for part in table.parts if "previous_count" in [c.id for c in part.columns]
                for row in part.rows}

    @property
    def procurement(self) -> Count:
        """政府集中采购 amount (edition 2019 only), in 万元."""
        return self.total("proactive", "procurement", "amount")

    def clerk_wrote(self, what: str) -> bool:
        """The clerk's § 一 already states this count (received, review, suits, …)."""
        said = statements(self.report.narrative["overview"])
        return what in said or (what in ("review", "suits") and "appeals_and_suits" in said)


def listing(counts: dict[str, Count], unit: str, word: str = "") -> str:
    """"行政许可6件、行政处罚38件" (with word="决定": "行政许可决定6件、…"): the known non-zero
    values, in order; zeros left out."""
    return "、".join(f"{label}{word}{count:{unit}}" for label, count in counts.items() if count)


def only(counts: dict[str, Count]) -> str | None:
    """The one label whose value is non-zero when all others are zero (e.g. 均予以公开)."""
    nonzero = [label for label, count in counts.items() if count]
    known = all(count.known for count in counts.values())
    return nonzero[0] if known and len(nonzero) == 1 else None


def sentence(*clauses: str) -> str:
    """Clauses joined with "，" and ended with "。"; empty clauses (False, "") left out."""
    parts = [c.strip("，。") for c in clauses if c]
    return "，".join(parts) + "。" if parts else ""


def paragraphs(*texts: str) -> HTML:
    """The generated paragraphs of a section, each its own <p class="generated">; empty ones
    (a sentence with nothing to say) are left out."""
    return HTML("".join(f'<p class="generated">{escape(t)}</p>' for t in texts if t))

