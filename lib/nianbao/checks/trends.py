"""trend.jump (warning): a key indicator that changed sharply from last year — a township that
answered 20 requests last year and 2 this year — so the reviewer asks before publishing.

The thresholds are the edition's (`trend_jump: {ratio, difference}`): this year's value at least
`ratio` times last year's, or at most 1/`ratio` of it, and the two differ by at least
`difference`. The difference keeps small numbers quiet (0 → 4 is no jump) while a rise from
nothing to many is one (0 → 30: a unit that had no request has thirty). Indicators are compared
by the ids both years' editions have, so the rule also runs across the edition change.
"""
from __future__ import annotations

from ..model.findings import WARNING, Finding
from ..model.indicators import indicator_value, indicator_values, place, shared
from ..model.report import Report, number

RULE = "trend.jump"
DEFAULTS = {"ratio": 3, "difference": 10}


def thresholds(report: Report) -> tuple[float, float]:
    given = {**DEFAULTS, **report.edition.trend_jump}
    return float(given["ratio"]), float(given["difference"])


def is_jump(before: float, now: float, ratio: float, difference: float) -> bool:
    """At least `ratio` times (or at most 1/`ratio` of) last year's, and by at least `difference`."""
    if abs(now - before) < difference:
        return False
    return now >= ratio * before or now * ratio <= before


def _how(before: float, now: float) -> str:
    if before == 0:
        return "上年为0"
    if now > before:
        return f"是上年的{now / before:.1f}倍".replace(".0倍", "倍")
    return f"仅为上年的{now / before:.0%}"


def jump(report: Report, previous: Report) -> list[Finding]:
    ratio, difference = thresholds(report)
    findings = []
    earlier = indicator_values(previous.edition, previous.value)
    for indicator in shared(report.edition, previous.edition):
        now, before = indicator_value(indicator, report.value), earlier[indicator.id]
        if now is None or before is None or not is_jump(before, now, ratio, difference):
            continue
        change = "增加" if now > before else "减少"
        findings.append(Finding(
            RULE, WARNING, *place(indicator), before, now,
            f"主要指标“{indicator.label}”{report.year}年为{number(now)}件，{previous.year}年为"
            f"{number(before)}件，{change}{number(abs(now - before))}件（{_how(before, now)}）："
            f"变化很大，请核实数据后再公布；如数据无误，请在审核意见中说明原因",
            tuple(indicator.cells)))
    return findings
