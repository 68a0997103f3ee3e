"""The clerk's prose against the tables: numbers of applications, appeals and lawsuits, the
report year and the statistics period, and the fee statement of § 六 (edition 2021).

Only the clerk's own text (report.narrative) is read, never the sentences prose.py writes.
These rules must not cry wolf: a statement is read only in forms that leave no doubt what it
counts, a sentence about another year is left alone, and where a clerk may reasonably count
the carried-over applications in "收到", either reading is accepted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..model.edition import edition_for
from ..model.findings import WARNING, Finding
from ..model.report import Report
from .numerals import PATTERN as NUMERAL
from .numerals import parse_number

NUM = rf"\s*({NUMERAL})\s*"
UNIT = "[件条宗起个]"
GAP = r"[^，,。；;：:！？\d０-９]"                       # within one clause, no number
RECEIVE = r"(?:收到|新收|受理|接到|接收)"
SENTENCE = re.compile(r"[^。！？；;\n]+[。！？；;]?")
CLAUSE = re.compile(r"[^，,。！？；;\n]+")
OTHER_TIME = re.compile(r"去年|前年|上一年(?!项目)|上年度(?!结转)|同比|较上年")
ORGS = ("commercial", "research", "social_welfare", "legal_service", "other_org")
SUITS = ("suit_direct", "suit_after_review")


@dataclass(frozen=True)
class Claim:
    """What one statement of the prose says: which count, and the number it gives."""
    what: str
    value: int
    start: int          # where the statement begins in its sentence


def _about_disclosure(gap: str) -> bool:
    """The words between the verb and the number name applications for disclosure."""
    words = re.sub(r"\s|共|各类|的|了|群众|公民", "", gap)
    return words in ("", "申请") or ("申请" in words and "公开" in words)


# (what, pattern): group 1 is the number. Order matters: a span read once is not read again.
STATEMENTS = [(what, re.compile(pattern)) for what, pattern in [
    ("appeals_and_suits", rf"行政复议{GAP}{{0,8}}?行政诉讼(?:案件)?(?:共|合计|均为|均)?{NUM}{UNIT}"),
    ("review", rf"行政复议(?:案件|申请)?(?:共|合计)?{NUM}{UNIT}"),
    ("review", rf"{NUM}{UNIT}行政复议"),
    ("suits", rf"行政诉讼(?:案件)?(?:共|合计)?{NUM}{UNIT}"),
    ("suits", rf"{NUM}{UNIT}行政诉讼"),
    ("carried_over", rf"上年度?结转(?:的)?(?:申请)?{NUM}{UNIT}"),
    ("carried_forward", rf"结转下一?年度?(?:继续办理)?{NUM}{UNIT}"),
    ("carried_forward", rf"{NUM}{UNIT}(?:申请)?结转(?:至|到)?下一?年"),
]]
RECEIVED = [
    re.compile(rf"{RECEIVE}(?:了)?({GAP}{{0,24}}?申请{GAP}{{0,6}}?){NUM}{UNIT}"),
    re.compile(rf"{RECEIVE}(?:了)?((?:共|各类)?){NUM}{UNIT}({GAP}{{0,12}}?)申请"),
]
# Only after a statement of applications received, in the same sentence:
DETAILS = [(what, re.compile(pattern)) for what, pattern in [
    ("natural_person", rf"自然人(?:申请|提出)?(?:的)?(?:申请)?{NUM}{UNIT}"),
    ("legal_persons", rf"法人(?:[和或及]其他组织)?(?:申请|提出)?(?:的)?(?:申请)?{NUM}{UNIT}"),
    ("handled", rf"办结{NUM}{UNIT}"),
]]
PART_OF = re.compile(r"其中|尚未|审结|维持|纠正|直接起诉|复议后")   # a part of the count, not all of it
NO_REQUESTS = re.compile(rf"(?:未|没有|无)(?:收到|接到|受理|接收|新收){GAP}{{0,20}}?申请(?!人)")
NEGATION = re.compile(r"未(?!经|审结|结)|没有|无(?!正当|法)")     # not 未经复议, 尚未审结, 无法


def _claims(sentence: str) -> list[Claim]:
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    def add(what: str, m: re.Match, group: int) -> None:
        value = parse_number(m.group(group))
        if value is not None and free(m):
            claims.append(Claim(what, value, m.start()))
            taken.append(m.span())

    for pattern in RECEIVED:
        for m in pattern.finditer(sentence):
            gap = "".join(g for i, g in enumerate(m.groups()) if i != 1 and g)
            if _about_disclosure(gap):
                add("received", m, 2)
    if any(c.what == "received" for c in claims):
        for what, pattern in DETAILS:
            for m in pattern.finditer(sentence):
                add(what, m, 1)
    for what, pattern in STATEMENTS:
        for m in pattern.finditer(sentence):
            clause = re.split(r"[，,]", sentence[:m.start()])[-1]
            if not PART_OF.search(clause):
                add(what, m, 1)
    for m in NO_REQUESTS.finditer(sentence):
        if free(m):
            claims.append(Claim("received", 0, m.start()))
    for clause in CLAUSE.finditer(sentence):       # 未发生…行政复议和行政诉讼: each of them is 0
        negation = NEGATION.search(clause.group())
        after = clause.group()[negation.end():] if negation else ""
        if not after or re.search(NUMERAL, after):
            continue
        for what, word in (("review", "行政复议"), ("suits", "行政诉讼")):
            if word in after and not any(c.what == what for c in claims):
                claims.append(Claim(what, 0, clause.start()))
    return claims


def _total(report: Report, table: str, rows, columns) -> int | None:
    frame = report.tables[table]
    values = [frame.at[r, c] for r in rows for c in columns]
    return None if any(pd.isna(v) for v in values) else int(sum(values))


def _target(report: Report, what: str):
    """(table, row, column, cells, label, accepted values) a claim is compared with."""
    requests = report.edition.tables["requests"]
    appeals = report.edition.tables["appeals"]
    req = lambda rows, cols: _total(report, "requests", rows, cols)   # noqa: E731
    label = lambda row, col: f"「{requests.title}」{requests.row(row).label}·{col}"  # noqa: E731
    both = ("new_received", "carried_over")
    if what == "received":
        cells = [("requests", "new_received", "total")]
        return ("requests", "new_received", "total", cells, label("new_received", "总计"),
                [req(["new_received"], ["total"]), req(both, ["total"])])
    if what == "natural_person":
        cells = [("requests", "new_received", "natural_person")]
        return ("requests", "new_received", "natural_person", cells, label("new_received", "自然人"),
                [req(["new_received"], ["natural_person"]), req(both, ["natural_person"])])
    if what == "legal_persons":
        cells = [("requests", "new_received", c) for c in ORGS]
        return ("requests", "new_received", None, cells, label("new_received", "法人或其他组织各列之和"),
                [req(["new_received"], ORGS), req(both, ORGS)])
    if what in ("carried_over", "carried_forward", "handled"):
        row = {"handled": "total_handled"}.get(what, what)
        return ("requests", row, "total", [("requests", row, "total")], label(row, "总计"),
                [req([row], ["total"])])
    rows = {"review": ("review",), "suits": SUITS, "appeals_and_suits": ("review", *SUITS)}[what]
    words = {"review": "行政复议·总计", "suits": "行政诉讼（未经复议直接起诉与复议后起诉）总计之和",
             "appeals_and_suits": "行政复议与行政诉讼总计之和"}[what]
    cells = [("appeals", r, "total") for r in rows]
    return ("appeals", rows[0] if len(rows) == 1 else None, "total", cells,
            f"「{appeals.title}」{words}", [_total(report, "appeals", rows, ["total"])])


WORDS = {"received": "收到（新收）的申请", "natural_person": "自然人申请", "legal_persons": "法人或其他组织申请",
         "carried_over": "上年结转的申请", "carried_forward": "结转下年度的申请", "handled": "办结的申请",
         "review": "行政复议", "suits": "行政诉讼", "appeals_and_suits": "行政复议和行政诉讼"}


def _sections(report: Report):
    """(key, heading, text) of each part of the clerk's narrative."""
    heading = report.edition.heading
    yield "overview", heading("narrative.overview"), report.narrative["overview"]
    yield "problems", heading("narrative.problems") + "（存在的主要问题）", report.narrative["problems"]
    yield "improvements", heading("narrative.problems") + "（改进情况）", report.narrative["improvements"]
    yield "other", heading("narrative.other"), report.narrative["other"]


def _quote(sentence: str, at: int, width: int = 100) -> str:
    sentence = sentence.strip()
    if len(sentence) <= width:
        return sentence
    start = max(0, min(at - width // 3, len(sentence) - width))
    return ("…" if start else "") + sentence[start:start + width] + ("…" if start + width < len(sentence) else "")


def _about_other_year(prefix: str, year: int) -> bool:
    years = re.findall(r"(\d{4})年", prefix)
    return bool(OTHER_TIME.search(prefix)) or bool(years and int(years[-1]) != year)


def _report_year_claims(report: Report):
    """(heading, sentence, claim) of every statement of the prose about the report year."""
    for _, heading, text in _sections(report):
        for s in SENTENCE.finditer(text):
            sentence = s.group()
            for claim in _claims(sentence):
                if not _about_other_year(sentence[:claim.start], report.year):
                    yield heading, sentence, claim


def numbers(report: Report) -> list[Finding]:
    findings = []
    for heading, sentence, claim in _report_year_claims(report):
        table, row, column, cells, label, accepted = _target(report, claim.what)
        if None in accepted or claim.value in accepted:
            continue
        said = (f"文中{WORDS[claim.what]}为{claim.value}件" if claim.value
                else f"文中说没有{WORDS[claim.what]}")
        findings.append(Finding(
            "prose.numbers", WARNING, table, row, column, accepted[0], claim.value,
            f"「{heading}」写道“{_quote(sentence, claim.start)}”：{said}，而{label}为{accepted[0]}",
            tuple(cells)))
    return findings


def numbers_cells(report: Report, previous: Report | None = None) -> tuple[list, list]:
    """The cells the prose's statements are compared with (for the coverage), as crossyear's."""
    if not report.not_applicable:
        return [], []
    return [cell for _, _, claim in _report_year_claims(report) for cell in _target(report, claim.what)[3]], []


def statements(text: str) -> set[str]:
    """What a text states a count of, in the forms `numbers` reads (received, review, suits, …):
    the generated sentences leave out what the clerk already wrote."""
    return {c.what for s in SENTENCE.finditer(text) for c in _claims(s.group())}


PERIOD = re.compile(
    r"统计[^。；，]{0,12}?(\d{4})年(\d{1,2})月(\d{1,2})日[起]?\s*(?:至|到|—|－|-|~|～)\s*"
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
NAMED = re.compile(r"(\d{4})年度?政府信息公开工作(?:年度报告|情况)")
OPENING = re.compile(r"^\s*(?:（[一二三四五六七八九十]+）)?\s*(\d{4})年[，,]")
TITLES = re.compile(r"《[^》]*》|“[^”]*”")          # a document's title names its own year


def year(report: Report) -> list[Finding]:
    findings = []
    y = report.year
    for key, heading, text in _sections(report):
        for s in SENTENCE.finditer(text):
            sentence = s.group()
            for m in PERIOD.finditer(sentence):
                y1, m1, d1, y2, m2, d2 = m.groups()
                y2 = y2 or y1
                if (int(y1), int(m1), int(d1), int(y2), int(m2), int(d2)) == (y, 1, 1, y, 12, 31):
                    continue
                said = f"{y1}年{int(m1)}月{int(d1)}日至{y2}年{int(m2)}月{int(d2)}日"
                findings.append(Finding(
                    "prose.year", WARNING, None, None, None, f"{y}年1月1日至{y}年12月31日", said,
                    f"「{heading}」写道“{_quote(sentence, m.start())}”：统计期限为{said}，"
                    f"应为报告年度的{y}年1月1日至{y}年12月31日"))
            plain = TITLES.sub(lambda t: "＿" * len(t.group()), sentence)
            named = list(NAMED.finditer(plain))
            # § 一 opening with another year and naming the report year nowhere: last year's text
            if key == "overview" and s.start() == 0 and f"{y}年" not in text:
                named += list(OPENING.finditer(plain))
            for m in named:
                if int(m.group(1)) == y:
                    continue
                findings.append(Finding(
                    "prose.year", WARNING, None, None, None, y, int(m.group(1)),
                    f"「{heading}」写道“{_quote(sentence, m.start())}”：文中以{m.group(1)}年为报告年度，"
                    f"本报告是{y}年度的"))
    return findings


def fee_required(report: Report) -> bool:
    """From edition 2021 on, § 六 must state the 信息处理费 charged — by the edition in force for
    the year, even when the file (wrongly) uses an older layout."""
    return edition_for(report.year).first_year >= 2021


def fee_statement(report: Report) -> list[Finding]:
    if "处理费" in report.narrative["other"]:     # 信息处理费, 信息公开处理费…
        return []
    heading = report.edition.heading("narrative.other")
    return [Finding(
        "narrative.fee_statement", WARNING, None, None, None, "信息处理费", None,
        f"「{heading}」没有说明信息处理费的收取情况（{report.edition.issued_by}要求写明，"
        f"未收取的也应写明“未收取信息处理费”）")]
