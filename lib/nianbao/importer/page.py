"""A published page's structure, read with the edition as the map: where its sections and
the labels of its tables stand (whatever the spacing and bracket width), and which edition it is."""
from __future__ import annotations

import difflib
import re
from functools import cache

from ..errors import NotAReport
from ..model.edition import Edition, Table, all_editions, edition_for

EQUIVALENT = {"（": "[（(]", "）": "[）)]", "：": "[：:]", "，": "[，,]", "“": "[“”\"]", "”": "[”“\"]",
              ".": "[.．、]", "/": "[/／]"}

@cache
def label_pattern(label: str) -> re.Pattern:
    """A label as it may be written: any whitespace between characters, either bracket width."""
    return re.compile(r"\s*".join(EQUIVALENT.get(ch, re.escape(ch)) for ch in label if not ch.isspace()))


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def mask(text: str, hit: re.Match) -> str:
    """The text with a found label blanked out, so a shorter label cannot match inside it."""
    return text[:hit.start()] + "\0" * (hit.end() - hit.start()) + text[hit.end():]


class Page:
    def __init__(self, body: str, edition: Edition):
        self.body = body
        self.edition = edition
        self.deviations: list[str] = []

    def find(self, label: str, start: int, end: int | None = None):
        """The first place the label stands in body[start:end], noting any deviant spelling."""
        found = label_pattern(label).search(self.body, start, len(self.body) if end is None else end)
        if found and compact(found.group(0)) != compact(label):
            self.note(f"“{compact(found.group(0))}”写法与官方“{label}”不同（括号或标点）")
        return found

    def note(self, text: str) -> None:
        if text not in self.deviations:
            self.deviations.append(text)

    def headings(self) -> dict[str, tuple[int, int]]:
        """Where each section heading stands: exact, or numeral、 plus its first words."""
        found: dict[str, tuple[int, int]] = {}
        pos = 0
        for sid, heading in self.edition.sections:
            hit = self.find(heading, pos)
            if hit:
                found[sid] = (hit.start(), hit.end())
                pos = hit.end()
                continue
            numeral, rest = heading.split("、", 1)
            start = re.compile(re.escape(numeral) + r"\s*、\s*" + label_pattern(rest[:4]).pattern).search(self.body, pos)
            if not start:
                self.note(f"未找到“{heading}”这一部分")
                continue
            end, count = start.start(), 0
            while end < len(self.body) and count < len(compact(heading)):
                count += not self.body[end].isspace()
                end += 1
            self.note(f"标题“{compact(self.body[start.start():end])}”与官方“{heading}”不同")
            found[sid] = (start.start(), end)
            pos = end
        return found

    def header_deviations(self, start: int, end: int, labels: list[str], where: str) -> None:
        """Labels of a table header that are missing or altered (科研企业 for 科研机构)."""
        text = self.body[start:end]
        missing = []
        for label in sorted(set(labels), key=len, reverse=True):
            hits = list(label_pattern(label).finditer(text))
            if not hits:
                missing.append(label)
            for hit in hits:
                text = mask(text, hit)
        extra = [t.strip() for t in re.split(r"[\0\s]+", text) if t.strip()]
        for label in missing:
            close = difflib.get_close_matches(label, extra, n=1, cutoff=0.5)
            if close:
                extra.remove(close[0])
                self.note(f"{where}表头“{close[0]}”与官方“{label}”不同")
            else:
                self.note(f"{where}表头缺少“{label}”")
        for text in extra:
            self.note(f"{where}表头有官方格式没有的“{text}”")


def table_labels(table: Table) -> set[str]:
    spec = table.spec
    out = {line.label for line in (*table.rows, *table.columns)}
    out |= {g for line in (*table.rows, *table.columns) for g in line.groups}
    out |= {p.caption for p in table.parts}
    out |= {spec[k] for k in ("corner_note", "header", "row_header") if k in spec}
    return out


def detect_edition(body: str, year: int | None) -> tuple[Edition, dict[str, list[str]]]:
    """The edition whose own labels (those the other editions lack) the page uses most."""
    editions = all_editions()
    own = {e.id: set().union(*(table_labels(t) for t in e.tables.values())) for e in editions}
    unique = {eid: labels - set().union(*(v for k, v in own.items() if k != eid)) for eid, labels in own.items()}
    masked = body
    found: dict[str, list[str]] = {eid: [] for eid in own}
    for label, eid in sorted(((l, e) for e, ls in unique.items() for l in ls), key=lambda x: (-len(x[0]), x)):
        for hit in list(label_pattern(label).finditer(masked)):
            found[eid].append(label)
            masked = mask(masked, hit)
    score = {eid: len(labels) for eid, labels in found.items()}
    shared = set.intersection(*own.values())
    if not any(score.values()) and not any(label_pattern(l).search(body) for l in shared if len(l) > 3):
        raise NotAReport("找不到年度报告的表格（主动公开、依申请公开、复议诉讼）")
    best = max(score.values())
    winners = [e for e in editions if score[e.id] == best]
    in_force = edition_for(year) if year else None
    return (in_force if in_force in winners else winners[-1]), found
