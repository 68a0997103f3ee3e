"""A unit's key indicators (新收申请, 办结, 予以公开, …) as the edition defines them (its
`indicators:`): each the sum of some cells. Plain Python: the batch's client computes them from a
data file's values without pandas, the county summary from the batch record.

The same indicator id in two editions is the same indicator, so years of both editions are
compared by the ids they share.
"""
from __future__ import annotations

from typing import Callable

from .edition import Edition, Indicator

EARLIER_YEARS = 5      # earlier years' files of a unit read for its report (found as last year's is)

Lookup = Callable[[str, str, str], object]      # (table, row, column) → a value, None when missing


def indicator_value(indicator: Indicator, lookup: Lookup) -> float | None:
    """The sum of the indicator's cells; None when one of them is missing (or not a number)."""
    total = 0
    for cell in indicator.cells:
        value = lookup(*cell)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        total += value
    return total


def indicator_values(edition: Edition, lookup: Lookup) -> dict[str, float | None]:
    """{indicator id: value} of one report's cells, in the edition's order."""
    return {i.id: indicator_value(i, lookup) for i in edition.indicators}


def from_values(values: dict) -> Lookup:
    """A lookup over cells kept as {table: {row: {column: value}}} (a batch record's `values`)."""
    def lookup(table: str, row: str, column: str):
        return ((values.get(table) or {}).get(row) or {}).get(column)
    return lookup


def place(indicator: Indicator) -> tuple[str, str, str]:
    """Where a finding about the indicator applies, as table, row, column (cells summed are
    joined with "+": appeals.suit_direct+suit_after_review.total), so a reviewer can name it."""
    parts = zip(*indicator.cells)
    return tuple("+".join(dict.fromkeys(part)) for part in parts)


def shared(*editions: Edition) -> list[Indicator]:
    """The indicators every one of these editions has (by id), in the first one's order."""
    ids = set.intersection(*({i.id for i in e.indicators} for e in editions))
    return [i for i in editions[0].indicators if i.id in ids]
