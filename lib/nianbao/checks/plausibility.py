"""Rules about what a unit of its level can have done at all."""
from __future__ import annotations

from ..model.findings import WARNING, Finding
from ..model.report import LEVELS, Report

# Only the State Council's departments and provincial or (districted) city governments make 规章
# (《立法法》 art. 91, 93); a township or sub-district cannot issue, repeal or hold any.
NO_RULES = ("township", "subdistrict")


def cannot_make_rules(report: Report) -> bool:
    return report.level in NO_RULES


def township_rules(report: Report) -> list[Finding]:
    table = report.edition.tables["proactive"]
    findings = []
    for col in table.columns_of("rules"):
        value = report.value("proactive", "rules", col.id)
        if not value:               # missing (a finding of its own) or 0
            continue
        findings.append(Finding(
            "plausibility.township_rules", WARNING, "proactive", "rules", col.id, 0, int(value),
            f"「{table.title}」{table.row('rules').label}·{col.label}为{int(value)}："
            f"{LEVELS[report.level]}不能制定规章（只有国务院部门和省、设区的市人民政府可以），"
            f"请核对是否应填在“{table.row('normative_documents').label}”一行",
            (("proactive", "rules", col.id),)))
    return findings
