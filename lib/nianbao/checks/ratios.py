"""The ratios third-party evaluators compute from § 三 and § 四, per unit and for a county.

A unit's ratio is kept as its two parts (numerator, denominator) — they travel in the batch
record (run.json) — so that the county's pooled ratio is a sum of parts, not a mean of ratios.
The county also gets the median of its units' ratios; a unit is marked "far from it" when its
ratio differs from the median by at least FAR (25 percentage points) and rests on at least
MIN_BASE cases: a township with two requests is not an outlier because one was refused.
Plain Python below the parts: the batch client uses it without pandas work.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:              # the batch client uses this module without importing pandas
    from ..model.report import Report

FAR = 0.25
MIN_BASE = 5
GROUPS = ("review", "suit_direct", "suit_after_review")


@dataclass(frozen=True)
class Ratio:
    id: str
    name: str
    definition: str                                  # shown on the summary page
    numerator: tuple[tuple[str, str, str], ...]
    denominator: tuple[tuple[str, str, str], ...]


RATIOS = (
    Ratio("substantive", "实质公开率", "（予以公开＋部分公开）÷ 本年度办理结果总计（三、（七）总计）",
          (("requests", "granted", "total"), ("requests", "partially_granted", "total")),
          (("requests", "total_handled", "total"),)),
    Ratio("correction", "纠错率", "结果纠正 ÷ 已审结的行政复议和行政诉讼（结果维持＋结果纠正＋其他结果，不含尚未审结）",
          tuple(("appeals", g, "corrected") for g in GROUPS),
          tuple(("appeals", g, c) for g in GROUPS for c in ("upheld", "corrected", "other"))),
    Ratio("not_held", "“本机关不掌握”占比", "本机关不掌握相关政府信息 ÷ 本年度办理结果总计",
          (("requests", "unavailable_not_held", "total"),),
          (("requests", "total_handled", "total"),)),
)


def parts(report: Report) -> dict[str, list[int] | None]:
    """{ratio id: [numerator, denominator]}; None when a cell it needs is missing."""
    return parts_of(report.value)


def parts_of(value) -> dict[str, list[int] | None]:
    """The same over any lookup of cells: value(table, row, column)."""
    out: dict[str, list[int] | None] = {}
    for ratio in RATIOS:
        values = [[value(*cell) for cell in cells] for cells in (ratio.numerator, ratio.denominator)]
        out[ratio.id] = None if any(v is None for side in values for v in side) else [sum(side) for side in values]
    return out


def share(part: list[int] | None) -> float | None:
    """numerator / denominator, None when there is nothing to divide by."""
    return part[0] / part[1] if part and part[1] else None


@dataclass(frozen=True)
class Column:
    """One ratio over a county's units."""
    ratio: Ratio
    shares: dict[str, float | None]      # unit → its ratio
    bases: dict[str, int | None]         # unit → its denominator
    pooled: float | None                 # the county's: sum of numerators / sum of denominators
    median: float | None                 # of the units that have a ratio
    far: set[str]                        # units far from the median

    def mark(self, unit: str) -> str:
        """↑ / ↓ for a unit far above / below the median."""
        if unit not in self.far:
            return ""
        return "↑" if self.shares[unit] > self.median else "↓"


def county(units: dict[str, dict]) -> list[Column]:
    """The ratios of a county's units from their parts ({unit: parts(report)})."""
    columns = []
    for ratio in RATIOS:
        got = {name: p.get(ratio.id) for name, p in units.items()}
        shares = {name: share(p) for name, p in got.items()}
        bases = {name: p[1] if p else None for name, p in got.items()}
        present = [s for s in shares.values() if s is not None]
        median = statistics.median(present) if present else None
        numerator = sum(p[0] for p in got.values() if p)
        denominator = sum(p[1] for p in got.values() if p)
        far = {name for name, s in shares.items()
               if s is not None and median is not None and abs(s - median) >= FAR - 1e-9
               and (bases[name] or 0) >= MIN_BASE}
        columns.append(Column(ratio, shares, bases, numerator / denominator if denominator else None, median, far))
    return columns


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def csv_rows(units: dict[str, dict]) -> list[list]:
    """ratios.csv: a row per unit, then the county's pooled ratios and the medians."""
    columns = county(units)
    header = ["unit"]
    for c in columns:
        header += [f"{c.ratio.id}_numerator", f"{c.ratio.id}_denominator", c.ratio.id, f"{c.ratio.id}_far_from_median"]
    rows = [header]
    for name, p in units.items():
        row = [name]
        for c in columns:
            part = p.get(c.ratio.id)
            row += [part[0] if part else "", part[1] if part else "", _round(c.shares[name]), c.mark(name)]
        rows.append(row)
    total, median = ["全县合计"], ["中位数"]
    for c in columns:
        got = [p.get(c.ratio.id) for p in units.values() if p.get(c.ratio.id)]
        total += [sum(g[0] for g in got), sum(g[1] for g in got), _round(c.pooled), ""]
        median += ["", "", _round(c.median), ""]
    return rows + [total, median]


def _round(value: float | None):
    return "" if value is None else round(value, 4)
