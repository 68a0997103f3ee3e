"""A unit's name as a report gives it, and when two names are the same unit.

Titles and signatures carry words that are not the organ's name: a cover letter's
“关于报送…的函”, the report's own “年度报告”, an office that signs for its organ
(“…局办公室” under a title naming “…局”). The importer removes them when it takes the name;
the cross-year check compares names with them removed, so that last year's file of the same
unit is recognised however its page was worded.
"""
from __future__ import annotations

import re

# “…管理局关于报送2020年度…的函”: what stands between the organ and the year in a cover letter
COVER_WORDS = re.compile(r"\s*关于\s*(?:报送|印发|公布|发布|公开|上报|呈报)?\s*$")
REPORT_WORDS = re.compile(r"\s*(?:(?:(?:19|20)\d{2}\s*年度?)?\s*(?:政府信息公开|政务公开)\S*?)?"
                          r"(?:工作)?(?:年度)?报告\s*(?:的函|的通知)?\s*$")
SIGNING_OFFICES = ("办公室", "办公厅", "综合科", "政务公开办")
BRACKETS = str.maketrans("()", "（）")


def organ_name(text: str) -> str:
    """The organ's name out of the words a title puts around it (spaces of PDF text removed)."""
    name = re.sub(r"\s+", "", text or "").translate(BRACKETS)
    name = REPORT_WORDS.sub("", name)
    return COVER_WORDS.sub("", name)


def signing_organ(signer: str, title_organ: str | None) -> str | None:
    """The organ a signature stands for: “…局办公室” signs for the title's “…局”, and
    “…区人民政府办公室” for the title's “…区” (a county's report signed by its government's office)."""
    signer = organ_name(signer)
    if title_organ:
        for office in SIGNING_OFFICES:
            if signer == title_organ + office:
                return title_organ
            if signer == title_organ + "人民政府" + office and not title_organ.endswith("人民政府"):
                return title_organ + "人民政府"
    return signer or None


def unit_key(name: str) -> str:
    """What must agree for two names to be one unit: the organ's name without report words."""
    key = organ_name(name)
    return re.sub(r"(人民政府|办事处)$", "", key) or key
