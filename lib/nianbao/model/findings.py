"""A finding: one broken rule at one place, with a message a township clerk understands."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["rule", "severity", "table", "row", "column", "expected", "actual", "message"]
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str            # "error" | "warning"
    table: str | None
    row: str | None
    column: str | None
    expected: object
    actual: object
    message: str
    # The cells a reader should look at, as (table, row, column); not part of the public record.
    cells: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)
    # A reviewer's decision that explains it (checks/reviews.py): {note, by, at}; None: open.
    review: dict | None = field(default=None, compare=False)

    def record(self) -> dict:
        data = asdict(self)
        data.pop("cells")
        data.pop("review")
        return data

    @property
    def cell(self) -> str:
        """Where it applies, as a reviewer names it: table.row.column (the parts that exist)."""
        return ".".join(p for p in (self.table, self.row, self.column) if p)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with the columns of the data contract, errors first."""
    import pandas as pd     # here: a finding is made and recorded without pandas (the batch's client)
    # object columns: expected/actual mix numbers, words and None, and must stay as they are
    frame = pd.DataFrame([f.record() for f in findings], columns=COLUMNS, dtype=object)
    order = frame["severity"].map({ERROR: 0, WARNING: 1})
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def has_errors(findings: list[Finding]) -> bool:
    """Open errors: an error a reviewer explained no longer counts."""
    return any(f.severity == ERROR and f.review is None for f in findings)


def flagged_cells(findings: list[Finding]) -> dict[tuple[str, str, str], str]:
    """Each flagged cell with the worst severity found there (findings a reviewer explained
    mark nothing)."""
    marks: dict[tuple[str, str, str], str] = {}
    for f in findings:
        if f.review:
            continue
        for cell in f.cells:
            if marks.get(cell) != ERROR:
                marks[cell] = f.severity
    return marks
