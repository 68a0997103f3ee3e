"""published.deadline: the publication date against the deadline for the unit's level.

《中华人民共和国政府信息公开条例》第四十九条: departments of county level and above publish their
report by 31 January, a government's own report by 31 March of the next year. The law sets no
date for townships and sub-districts: their county does (often in January or February) — the
params file's `deadline:` in a batch, `nianbao check --deadline` for one file; without it the rule
is skipped and named. A report dated on or before 31 December of the year it reports cannot be
right: an error, whatever the level.
"""
from __future__ import annotations

import datetime as dt

from ..model.findings import ERROR, WARNING, Finding
from ..model.report import Report

RULE = "published.deadline"
BY_LAW = {"department": (1, 31, "《条例》第四十九条规定县级以上人民政府部门应于1月31日前公布"),
          "county": (3, 31, "《条例》第四十九条规定县级以上地方人民政府应于3月31日前公布")}


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def deadline_for(report: Report, county_deadline: dt.date | None) -> tuple[dt.date, str] | None:
    """The last day the report may be published, and where that date comes from; None: unknown."""
    if report.level in BY_LAW:
        month, day, why = BY_LAW[report.level]
        return dt.date(report.year + 1, month, day), why
    if county_deadline is not None:
        return county_deadline, f"县（市、区）规定乡镇（街道）报告应于{_date(county_deadline)}前公布"
    return None


NO_DATE = "数据文件中没有报告的公布日期（published）"


def why_skipped(report: Report, county_deadline: dt.date | None) -> str | None:
    """Why the rule, or its comparison with the deadline, cannot run (Chinese); None: it all runs.
    Without the county's date a township's report is still checked against the year's end."""
    if report.published is None:
        return NO_DATE
    if deadline_for(report, county_deadline) is None:
        return ("没有县里规定的乡镇（街道）报告公布期限（参数文件中的 deadline:，或 nianbao check --deadline），"
                "只检查了公布日期是否在年度结束以后")
    return None


def check(report: Report, county_deadline: dt.date | None) -> list[Finding]:
    published = report.published
    year_end = dt.date(report.year, 12, 31)
    if published <= year_end:
        return [Finding(RULE, ERROR, None, "published", None, f"{report.year + 1}年1月1日以后", published.isoformat(),
                        f"报告的公布日期为{_date(published)}，早于{report.year}年度结束（{_date(year_end)}）："
                        f"年度报告只能在年度结束以后公布，请核对公布日期。")]
    if deadline_for(report, county_deadline) is None:
        return []
    last_day, why = deadline_for(report, county_deadline)
    if published > last_day:
        late = (published - last_day).days
        return [Finding(RULE, WARNING, None, "published", None, last_day.isoformat(), published.isoformat(),
                        f"报告的公布日期为{_date(published)}，晚于公布期限{_date(last_day)}{late}天（{why}）。")]
    return []
