"""The public page as the printed files read it: its blocks in document order (headings,
paragraphs, tables, figures, images) and each table's cells placed on its grid. The Word file
and the PDF are both made from these, so both say exactly what the page says.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from bs4 import BeautifulSoup, NavigableString, Tag

EM_WIDTH = re.compile(r"width:\s*([\d.]+)em")
BLOCKS = {"h1", "h2", "h3", "h4", "p", "table", "figure", "img", "li", "pre", "blockquote"}
SKIPPED = {"style", "script", "title", "head"}


@lru_cache(maxsize=1)
def parse(html: str) -> BeautifulSoup:
    """The page parsed once for both documents (the PDF and the Word file of one page)."""
    return BeautifulSoup(html, "html.parser")


def content(html: str) -> Tag:
    """What is printed: the page's <main>, else its body."""
    page = parse(html)
    return page.find("main") or page.body or page


def page_title(html: str) -> str:
    title = parse(html).title
    return title.get_text() if title else ""


def plain_text(tag: Tag) -> str:
    """A block's text as a reader sees it: runs of white space one space."""
    return re.sub(r"\s+", " ", tag.get_text()).strip()


def walk(node: Tag) -> Iterator[Tag | str]:
    """Blocks in document order, and text standing loose between them (as a string);
    containers (div, section, ul…) are walked into."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString and child.strip():     # text, not a comment
                yield child.strip()
        elif isinstance(child, Tag):
            if child.name in BLOCKS:
                yield child
            elif child.name not in SKIPPED:
                yield from walk(child)


def grid(rows: list[Tag]) -> list[tuple[int, int, int, int, Tag]]:
    """(row, column, rowspan, colspan, cell) of every HTML cell, placed as a reader sees them."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["th", "td"], recursive=False):
            while (r, c) in taken:
                c += 1
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            placed.append((r, c, rs, cs, cell))
            c += cs
    return placed


def _span(cell: Tag, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, 1)), 1000))
    except ValueError:              # a span a person typed by hand: one cell, as browsers take it
        return 1


def header_rows(table: Tag) -> int:
    """How many rows the table repeats on every page it crosses (its <thead>)."""
    head = table.find("thead")
    return len(head.find_all("tr")) if head else 0


def declared_widths(table: Tag) -> list[float | None]:
    """Each column's width in em of the table's font, as its <colgroup> declares it (None: not
    declared); [] without one."""
    widths: list[float | None] = []
    for col in table.find_all("col"):
        width = EM_WIDTH.search(col.get("style", ""))
        widths += [float(width.group(1)) if width else None] * _span(col, "span")
    return widths


def kind(block: Tag) -> str:
    """What a block prints as (report.css's look): title, h2, h3, table, figure, banner,
    signature, note or p."""
    classes = block.get("class") or []
    named = {"h1": "title", "h2": "h2", "h3": "h3", "h4": "h3", "table": "table", "figure": "figure", "img": "figure"}
    if block.name in named:
        return named[block.name]
    return next((look for look, names in (("banner", {"demo-banner"}), ("signature", {"signature"}),
                                          ("note", {"note", "demo-note"})) if names & set(classes)), "p")


def aligned_left(cell: Tag) -> bool:
    """A cell report.css sets flush left (三's row labels; a plain table's data), not centred."""
    table = cell.find_parent("table")
    classes, table_classes = cell.get("class") or [], table.get("class") or []
    if "form-table" not in table_classes:
        return cell.name == "td"
    return cell.name == "th" and "requests" in table_classes and bool({"label", "group"} & set(classes))
