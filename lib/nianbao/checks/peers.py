"""A unit among its county's peers: the lower quartile, median and upper quartile
(下四分位数、中位数、上四分位数) of each key indicator and each evaluators' ratio over the units of
a county-year, and where a unit stands (below the lower, above the upper quartile).

Plain Python: the batch's client computes the quartiles before any unit runs (batch/context.py)
and tells each unit (checks.Context.quartiles); the county summary computes them from the batch
record the same way. With fewer than MIN_UNITS units they are not computed.
"""
from __future__ import annotations

import statistics

from ..model.edition import Edition
from ..model.indicators import Lookup, indicator_values
from . import ratios

MIN_UNITS = 4
BELOW, ABOVE, WITHIN = "below", "above", "within"
RATIO_IDS = frozenset(r.id for r in ratios.RATIOS)
# what a quartile is, in a reader's words (the review page and the county summary say it)
QUARTILES_EXPLAINED = ("把各单位的数从小到大排列，约四分之一的单位低于下四分位数，约四分之一高于上四分位数，"
                       "中位数居中。")
PLACE_WORDS = {BELOW: "低于下四分位数", ABOVE: "高于上四分位数", WITHIN: "在下、上四分位数之间"}


def measures(edition: Edition, lookup: Lookup) -> dict[str, float | None]:
    """One unit's key indicators and ratios (ids as in the edition and checks/ratios.py)."""
    found = indicator_values(edition, lookup)
    found.update({rid: ratios.share(part) for rid, part in ratios.parts_of(lookup).items()})
    return found


def labels(edition: Edition) -> dict[str, str]:
    """Each measure's name as a reader knows it."""
    return {**{i.id: i.label for i in edition.indicators}, **{r.id: r.name for r in ratios.RATIOS}}


def quartiles(values: list[float]) -> list[float] | None:
    """[lower quartile, median, upper quartile] (linear between the ranks, as spreadsheets'
    QUARTILE.INC); None with fewer than MIN_UNITS values."""
    if len(values) < MIN_UNITS:
        return None
    return [round(q, 6) for q in statistics.quantiles(values, n=4, method="inclusive")]


def county_quartiles(units: list[dict[str, float | None]]) -> dict[str, list[float] | None]:
    """{measure id: quartiles over the units that have it} from each unit's measures()."""
    ids = dict.fromkeys(k for unit in units for k in unit)
    return {k: quartiles([u[k] for u in units if u.get(k) is not None]) for k in ids}


def told(measured: list[dict]) -> dict:
    """What each unit of a county-year is told of its peers (checks.Context.quartiles), from
    every unit's measures()."""
    return {"units": len(measured),
            "bounds": county_quartiles(measured) if len(measured) >= MIN_UNITS else None}


def place(value: float | None, bounds: list[float] | None) -> str | None:
    """below / above / within the quartile band; None when either is unknown."""
    if value is None or bounds is None:
        return None
    return BELOW if value < bounds[0] else ABOVE if value > bounds[2] else WITHIN


def shown(measure: str, value: float | None) -> str:
    """A ratio as a percentage, a count as a number; “—” when unknown."""
    if value is None:
        return "—"
    if measure in RATIO_IDS:
        return ratios.percent(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")
