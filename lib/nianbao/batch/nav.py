"""The navigation slot of the site's pages (the unit pages, the county indexes): an empty slot
between two markers in every page (the template of render/export.py; county_index.index_html),
filled by the client when it knows what else is built — a breadcrumb 首页 › 县 › 年度 › 单位, the
same unit's other built years, 下载数据. Only what is between the markers is replaced, atomically
and only when it changed; every link is relative."""
from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..io.files import atomic_write
from .paths import COUNTY_DATA, DATA_FILES

HOME = "index.html"
NAV_START, NAV_END = b"<!--nianbao:nav-->", b"<!--/nianbao:nav-->"
NAV_SLOT = (NAV_START + NAV_END).decode()


def county_anchor(county: str) -> str:
    return "c" + hashlib.sha256(str(county).encode()).hexdigest()[:10]


def href(*parts: str) -> str:
    return escape("/".join(quote(p) for p in parts))


def link(href: str, text: str) -> str:
    return f'<a href="{href}">{escape(text)}</a>'


def _crumbs(county: str, year, unit: str | None) -> str:
    items = [link("../../" + HOME, "首页"), link("../../" + HOME + "#" + county_anchor(county), county)]
    items.append(link(HOME, f"{year}年度") if unit is not None else f'<span aria-current="page">{year}年度</span>')
    if unit is not None:
        items.append(f'<span aria-current="page">{escape(unit)}</span>')
    return '<ol class="crumbs">' + "".join(f"<li>{i}</li>" for i in items) + "</ol>"


def _nav(crumbs: str, *lines: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in lines if line)
    return (NAV_START.decode() + f'<nav class="site" aria-label="网站导航">{crumbs}{body}</nav>'
            + NAV_END.decode()).encode()


def _years(label: str, links: list[tuple[str, str]]) -> str:
    return f"{label}：" + "、".join(link(target, f"{year}年") for year, target in links) if links else ""


def unit_nav(content: dict, rec: dict, page: str, others: list[tuple[str, dict]], data: bool) -> bytes:
    """The slot of a unit's page ("public" or "review"); `others`: (year folder, record) of the
    same unit's other built years."""
    links = [(year, href("..", year, r["outputs"][page])) for year, r in others if (r.get("outputs") or {}).get(page)]
    stem = rec["outputs"]["public"].removesuffix(".public.html")
    downloads = ("下载数据：" + link(href(stem + DATA_FILES["csv"]), "表格（CSV）") + " · "
                 + link(href(stem + DATA_FILES["json"]), "JSON")) if data else ""
    return _nav(_crumbs(content["county"], content["year"], rec.get("short_name") or ""),
                _years("其他年度", links), downloads)


def index_nav(content: dict, other_years: list[str], data: bool) -> bytes:
    """The slot of a county-year's index: its other years, its units' cells (COUNTY_DATA)."""
    return _nav(_crumbs(content["county"], content["year"], None),
                _years("其他年度", [(y, href("..", y, HOME)) for y in other_years]),
                "下载数据：" + link(href(COUNTY_DATA), "全县各单位表格（CSV）") if data else "")


def empty_slot(page: bytes) -> bytes:
    """The page as its worker made it (and `nianbao export` makes it): the slot emptied."""
    start = page.find(NAV_START)
    end = page.find(NAV_END, start)
    return page if start < 0 or end < 0 else page[:start] + NAV_START + page[end:]


def fill_slot(path: Path, nav: bytes) -> bool:
    """Put `nav` between the page's markers, in place (atomically); False when it was there
    already, or the page has no slot (made by an older nianbao: left as it is)."""
    try:
        page = path.read_bytes()
    except OSError:
        return False
    start = page.find(NAV_START)
    end = page.find(NAV_END, start)
    if start < 0 or end < 0 or page[start:end + len(NAV_END)] == nav:
        return False
    atomic_write(path, page[:start] + nav + page[end + len(NAV_END):])
    return True


