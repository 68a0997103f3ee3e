"""The slots of the site's pages (the unit pages, the summaries, the county indexes): an empty
slot between two markers in every page (the template of notebook/export.py; county_index), filled
by the client when it knows what else is built. The navigation slot holds a breadcrumb
首页 › 县 › 年度 › 单位, the same unit's other built years, the downloads; the head slot holds what
the review site adds to a page's <head> (noindex). Only what is between the markers is replaced,
atomically and only when it changed; every link is relative."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..io.files import atomic_write
from .paths import COUNTY_DATA, DATA_FILES
from .templating import href, render

HOME = "index.html"
SUMMARY = "summary.html"
NAV_START, NAV_END = b"<!--nianbao:nav-->", b"<!--/nianbao:nav-->"
HEAD_START, HEAD_END = b"<!--nianbao:head-->", b"<!--/nianbao:head-->"
NAV_SLOT = (NAV_START + NAV_END).decode()
# what the review site puts in a unit page's or a summary's head: not for search engines
NOINDEX = (HEAD_START + b'<meta name="robots" content="noindex">' + HEAD_END)
EMPTY_HEAD = HEAD_START + HEAD_END


def county_anchor(county: str) -> str:
    return "c" + hashlib.sha256(str(county).encode()).hexdigest()[:10]


def _crumbs(county: str, year, last: str | None) -> list[tuple[str, str | None]]:
    crumbs = [("首页", "../../" + HOME), (str(county), "../../" + HOME + "#" + county_anchor(county)),
              (f"{year}年度", HOME if last is not None else None)]
    return crumbs + ([(last, None)] if last is not None else [])


def _nav(internal: bool, crumbs: list, *lines) -> bytes:
    html = render("nav.html", internal=internal, crumbs=crumbs, lines=[line for line in lines if line])
    return (NAV_START.decode() + html + NAV_END.decode()).encode()


def _years(links: list[tuple[str, str]]):
    return ("其他年度", [(f"{year}年", target) for year, target in links], "、") if links else None


def unit_nav(content: dict, rec: dict, page: str, others: list[tuple[str, dict]], data: bool,
             internal: bool = True) -> bytes:
    """The slot of a unit's page ("public" or "review"); `others`: (year folder, record) of the
    same unit's other built years; `internal`: on the review site."""
    outputs = rec["outputs"]
    links = [(year, href("..", year, r["outputs"][page])) for year, r in others if (r.get("outputs") or {}).get(page)]
    stem = outputs["public"].removesuffix(".public.html")
    files = [(text, href(outputs[kind])) for kind, text in (("pdf", "PDF"), ("docx", "Word")) if outputs.get(kind)]
    if data:
        files += [("表格（CSV）", href(stem + DATA_FILES["csv"])), ("JSON", href(stem + DATA_FILES["json"]))]
    return _nav(internal, _crumbs(content["county"], content["year"], rec.get("short_name") or ""),
                _years(links), ("下载", files, " · ") if files else None)


def summary_nav(content: dict, other_years: list[str]) -> bytes:
    """The slot of a county-year's summary (review site only)."""
    return _nav(True, _crumbs(content["county"], content["year"], "全县汇总"),
                _years([(y, href("..", y, SUMMARY)) for y in other_years]))


def index_nav(content: dict, other_years: list[str], data: bool, internal: bool = True) -> bytes:
    """The slot of a county-year's index: its other years, its units' cells (COUNTY_DATA)."""
    return _nav(internal, _crumbs(content["county"], content["year"], None),
                _years([(y, href("..", y, HOME)) for y in other_years]),
                ("下载数据", [("全县各单位表格（CSV）", href(COUNTY_DATA))], "") if data else None)


def _between(page: bytes, start: bytes, end: bytes) -> tuple[int, int]:
    first = page.find(start)
    last = page.find(end, first)
    return (first, last + len(end)) if first >= 0 and last >= 0 else (-1, -1)


def with_slot(page: bytes, slot: bytes) -> bytes:
    """`page` with its slot (the markers at both ends of `slot` say which) replaced by `slot`;
    unchanged when the page has no such slot (made by an older nianbao)."""
    start, end = (NAV_START, NAV_END) if slot.startswith(NAV_START) else (HEAD_START, HEAD_END)
    first, last = _between(page, start, end)
    return page if first < 0 else page[:first] + slot + page[last:]


def empty_slot(page: bytes) -> bytes:
    """The page as its worker made it (and `nianbao export` makes it): the slots emptied."""
    return with_slot(with_slot(page, NAV_SLOT.encode()), EMPTY_HEAD)


def fill_slot(path: Path, *slots: bytes) -> bool:
    """Put each slot between the page's markers, in place (atomically); False when they were there
    already, or the page has no slot (made by an older nianbao: left as it is)."""
    try:
        page = path.read_bytes()
    except OSError:
        return False
    filled = page
    for slot in slots:
        filled = with_slot(filled, slot)
    if filled == page:
        return False
    atomic_write(path, filled)
    return True
