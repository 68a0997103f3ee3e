"""narrative.copied: a narrative section that is nearly the same as another unit's of the same
county-year, or as the unit's own of last year (国办公开办函〔2021〕30号 names 雷同 reports).

The measure. Each section is cut into clauses (at 。；！？，： and line ends); a clause is
normalised — every unit name of the comparison, years, numbers (Arabic and Chinese) masked,
punctuation and spaces dropped — and kept when it has at least MIN_CLAUSE characters and is not
one of the form's fixed phrases. Two sections are compared by the characters of the clauses
they share: similarity = shared / the larger section. A section is "copied" when similarity
≥ THRESHOLD and at least MIN_SHARED characters are shared: most of *each* text is the other's,
so a stock phrase or two (坚持以公开为常态、不公开为例外) inside a unit's own text never counts.

The cost. Clauses are hashed; within a county-year an inverted index (clause hash → sections
holding it) yields, in one pass, the characters each pair of sections shares — pairs that share
nothing are never looked at, and no two sentences are ever compared with each other. Work grows
with the number of clauses times the (small) number of sections holding each, not with the
square of the units. A clause held by more than STOCK sections of one comparison (only possible
beyond a county: in a province-wide run) is a stock phrase: it counts in each section's size,
never as shared, which also bounds the work per clause.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model.findings import WARNING, Finding

if TYPE_CHECKING:
    from ..model.report import Report

THRESHOLD = 0.6          # shared characters / characters of the larger section
MIN_SHARED = 30          # characters: less is never "a section copied"
MIN_CLAUSE = 6           # characters of a normalised clause; shorter ones are too common to count
QUOTE = 3                # shared clauses quoted in a finding
STOCK = 50               # a clause in more sections than this (of one comparison) is a stock phrase

# § 一, § 五 (problems and improvements read as one text), § 六
SECTIONS = {"overview": ("一、总体情况", ("overview",)),
            "problems": ("五、存在的主要问题及改进情况", ("problems", "improvements")),
            "other": ("六、其他需要报告的事项", ("other",))}
OWN_YEAR_SECTIONS = ("overview", "problems")   # against the unit's own last year

# Phrases of the form itself and of its instructions: every unit may write them.
FIXED_PHRASES = ("无其他需要报告的事项", "无需要报告的其他事项", "本年度无其他需要报告的事项", "暂无",
                 "本报告中所列数据的统计期限自年月日起至年月日止", "本报告所列数据的统计期限自年月日起至年月日止",
                 "本年度未收取信息处理费", "本机关未收取信息处理费", "未收取信息处理费",
                 "本报告由某编制", "如对本报告有任何疑问请联系")

_CUT = re.compile(r"[。；;！!？?，,：:\n]+")
_YEAR = re.compile(r"[0-9０-９〇零一二三四五六七八九]{4}\s*年")
_NUMBER = re.compile(r"[0-9０-９.．%％]+|[〇零一二两三四五六七八九十百千万亿]+(?=[件个项条次人家万元余多])")
_KEEP = re.compile(r"[^\u4e00-\u9fff#A-Za-z]")


def _names(*reports_names: str) -> list[str]:
    """Names to mask, longest first; a short name's stem too (姚集镇 → 姚集)."""
    names = set()
    for name in reports_names:
        if not name:
            continue
        names.add(name)
        for suffix in ("人民政府", "办事处", "街道", "镇", "乡"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
    return sorted(names, key=len, reverse=True)


def _mask(text: str, names: list[str]) -> str:
    """Every name in the text replaced by 某, longest first. A scan with set lookups, so that the
    cost does not grow with the number of names (thousands in a province-wide comparison)."""
    if len(names) <= 100:            # a county: a few dozen replace() calls are quicker
        for name in names:
            text = text.replace(name, "某")
        return text
    known, lengths = _lookup(tuple(names))
    out, i = [], 0
    while i < len(text):
        for length in lengths:
            if text[i:i + length] in known:
                out.append("某")
                i += length
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@lru_cache(maxsize=8)
def _lookup(names: tuple[str, ...]) -> tuple[frozenset[str], list[int]]:
    return frozenset(names), sorted({len(n) for n in names}, reverse=True)


def _normalise(clause: str, names: list[str]) -> str:
    clause = _mask(clause, names)
    clause = _YEAR.sub("#年", clause)
    clause = _NUMBER.sub("#", clause)
    return _KEEP.sub("", clause)


_FIXED = {_normalise(p, []) for p in FIXED_PHRASES}


@dataclass(frozen=True)
class Section:
    """A section's clauses: normalised hash → (length, the original wording)."""
    clauses: dict[bytes, tuple[int, str]]

    @property
    def size(self) -> int:
        return sum(length for length, _ in self.clauses.values())


def section(text: str, names: list[str]) -> Section:
    clauses: dict[bytes, tuple[int, str]] = {}
    for piece in _CUT.split(text or ""):
        norm = _normalise(piece, names)
        if len(norm) >= MIN_CLAUSE and norm not in _FIXED:
            clauses.setdefault(hashlib.blake2b(norm.encode(), digest_size=8).digest(),
                               (len(norm), piece.strip()))
    return Section(clauses)


def sections_of(narrative: dict, names: list[str]) -> dict[str, Section]:
    return {sid: section("\n".join(narrative.get(k) or "" for k in keys), names)
            for sid, (_, keys) in SECTIONS.items()}


def similarity(a: Section, b: Section, shared: int) -> float:
    larger = max(a.size, b.size)
    return shared / larger if larger else 0.0


def is_copied(a: Section, b: Section, shared: int) -> bool:
    return shared >= MIN_SHARED and similarity(a, b, shared) >= THRESHOLD


def _quote(a: Section, b: Section) -> str:
    common = [a.clauses[h][1] for h in a.clauses if h in b.clauses]
    common.sort(key=len, reverse=True)
    quoted = "”“".join(c[:40] + ("…" if len(c) > 40 else "") for c in common[:QUOTE])
    more = f"等{len(common)}处" if len(common) > QUOTE else ""
    return f"“{quoted}”{more}"


def finding(section_id: str, mine: Section, other: Section, shared: int, whom: str) -> Finding:
    heading = SECTIONS[section_id][0]
    share = round(100 * similarity(mine, other, shared))
    return Finding("narrative.copied", WARNING, "narrative", section_id, None, whom, f"{share}%",
                   f"「{heading}」与{whom}的内容基本相同（相同文字占{share}%，已忽略单位名称、年份和数字），"
                   f"相同的语句如{_quote(mine, other)}。请结合本单位本年度实际情况撰写，避免内容雷同。")


# ---- the unit against its own last year: a rule like the other cross-year ones ----

def own_last_year(report: Report, previous: Report) -> list[Finding]:
    names = _names(report.unit, report.short_name, report.county, previous.unit, previous.short_name)
    mine, theirs = sections_of(report.narrative, names), sections_of(previous.narrative, names)
    found = []
    for sid in OWN_YEAR_SECTIONS:
        a, b = mine[sid], theirs[sid]
        shared = sum(a.clauses[h][0] for h in a.clauses if h in b.clauses)
        if is_copied(a, b, shared):
            found.append(finding(sid, a, b, shared, f"本单位{previous.year}年度报告"))
    return found


# ---- units of one county-year against each other (the batch's part) ----

@dataclass(frozen=True)
class Peer:
    """One unit of a county-year, as the comparison needs it."""
    key: str                 # how the caller knows it (e.g. the data file's path)
    name: str                # shown in the other units' findings, e.g. 东城街道
    names: tuple[str, ...]   # unit name, short name: masked in every unit's text
    narrative: dict


def peer_findings(peers: list[Peer], county: str = "") -> dict[str, list[Finding]]:
    """narrative.copied for units of one county-year: {peer key: findings}; one finding per
    section of a unit, naming every unit it is nearly the same as."""
    names = _names(county, *(n for p in peers for n in p.names))
    index: dict[tuple[str, bytes], list[int]] = defaultdict(list)
    cut = [sections_of(p.narrative, names) for p in peers]
    for i, sections in enumerate(cut):
        for sid, sec in sections.items():
            for h in sec.clauses:
                index[sid, h].append(i)
    shared: dict[tuple[str, int, int], int] = defaultdict(int)
    for (sid, h), holders in index.items():
        if not 2 <= len(holders) <= STOCK:
            continue
        length = cut[holders[0]][sid].clauses[h][0]
        for x, i in enumerate(holders):
            for j in holders[x + 1:]:
                if peers[i].names[0] != peers[j].names[0]:    # two files of one organ: drafts, not copying
                    shared[sid, i, j] += length
    partners: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for (sid, i, j), count in shared.items():
        if is_copied(cut[i][sid], cut[j][sid], count):
            partners[i, sid].append((j, count))
            partners[j, sid].append((i, count))
    found: dict[str, list[Finding]] = defaultdict(list)
    for (i, sid), others in sorted(partners.items()):
        others.sort(key=lambda pair: peers[pair[0]].name)
        j, count = max(others, key=lambda pair: pair[1])        # the closest one is quoted
        listed = "、".join(peers[k].name for k, _ in others[:5])
        whom = f"本县{listed}" + (f"等{len(others)}个单位" if len(others) > 5 else "")
        found[peers[i].key].append(finding(sid, cut[i][sid], cut[j][sid], count, whom))
    return dict(found)
