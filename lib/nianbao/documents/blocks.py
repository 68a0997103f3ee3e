"""The public page as the printed files read it: its blocks in document order (headings,
paragraphs, tables, figures, images) as plain data, each table's cells placed on its grid with
what report.css says of each. The Word file and the PDF are both made from these (`blocks`), so
both say exactly what the page says.

The page is read by lxml's HTML parser (libxml2): a unit's page is ≈ 400 kB, most of it its
charts' data URLs, and building BeautifulSoup's tree of it cost 17 ms of every unit; lxml 2 ms.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml.html import HtmlElement, HTMLParser, document_fromstring

EM_WIDTH = re.compile(r"width:\s*([\d.]+)em")
BLOCKS = {"h1", "h2", "h3", "h4", "p", "table", "figure", "img", "li", "pre", "blockquote"}
SKIPPED = {"style", "script", "title", "head"}
# huge_tree: a staff member's own picture may be a data URL of many MB (libxml2 would cut it off)
# Control characters other than white space (a narrative pasted from elsewhere may hold one): no
# reader sees them, and a Word file's XML may not hold them
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
PARSER = HTMLParser(huge_tree=True)


@lru_cache(maxsize=1)
def parse(html: str) -> HtmlElement:
    """The page parsed once for both documents (the PDF and the Word file of one page)."""
    return document_fromstring(html, parser=PARSER)


def content(html: str) -> HtmlElement:
    """What is printed: the page's <main>, else its body."""
    page = parse(html)
    return next((found for found in (page.find(".//main"), page.find("body")) if found is not None), page)


def page_title(html: str) -> str:
    return printable(parse(html).findtext(".//title") or "")


def printable(text: str) -> str:
    """Text as a reader sees it: runs of white space one space, control characters left out."""
    return re.sub(r"\s+", " ", CONTROL.sub("", text)).strip()


def plain_text(element: HtmlElement) -> str:
    """A block's text as a reader sees it."""
    return printable(element.text_content())


def classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def walk(node: HtmlElement) -> Iterator[HtmlElement | str]:
    """Blocks in document order, and text standing loose between them (as a string);
    containers (div, section, ul…) are walked into."""
    if node.text and node.text.strip():
        yield node.text.strip()
    for child in node:
        if isinstance(child, HtmlElement):            # not a comment or processing instruction
            if child.tag in BLOCKS:
                yield child
            elif child.tag not in SKIPPED:
                yield from walk(child)
        if child.tail and child.tail.strip():          # the text after it, a comment's too
            yield child.tail.strip()


def rows(table: HtmlElement) -> list[HtmlElement]:
    return list(table.iter("tr"))


def grid(rows: list[HtmlElement]) -> list[tuple[int, int, int, int, HtmlElement]]:
    """(row, column, rowspan, colspan, cell) of every HTML cell, placed as a reader sees them."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if cell.tag not in ("th", "td"):
                continue
            while (r, c) in taken:
                c += 1
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            placed.append((r, c, rs, cs, cell))
            c += cs
    return placed


def _span(cell: HtmlElement, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, 1)), 1000))
    except ValueError:              # a span a person typed by hand: one cell, as browsers take it
        return 1


def header_rows(table: HtmlElement) -> int:
    """How many rows the table repeats on every page it crosses (its <thead>)."""
    head = next(table.iter("thead"), None)
    return len(rows(head)) if head is not None else 0


def declared_widths(table: HtmlElement) -> list[float | None]:
    """Each column's width in em of the table's font, as its <colgroup> declares it (None: not
    declared); [] without one."""
    widths: list[float | None] = []
    for col in table.iter("col"):
        width = EM_WIDTH.search(col.get("style", ""))
        widths += [float(width.group(1)) if width else None] * _span(col, "span")
    return widths


def kind(block: HtmlElement) -> str:
    """What a block prints as (report.css's look): title, h2, h3, table, figure, banner,
    signature, note or p."""
    named = {"h1": "title", "h2": "h2", "h3": "h3", "h4": "h3", "table": "table", "figure": "figure", "img": "figure"}
    if block.tag in named:
        return named[block.tag]
    names = classes(block)
    return next((look for look, wanted in (("banner", {"demo-banner"}), ("signature", {"signature"}),
                                           ("note", {"note", "demo-note"})) if wanted & names), "p")


def aligned_left(cell: HtmlElement, table: HtmlElement) -> bool:
    """A cell of the table that report.css sets flush left (三's row labels; a plain table's data),
    not centred."""
    table_classes = classes(table)
    if "form-table" not in table_classes:
        return cell.tag == "td"
    return cell.tag == "th" and "requests" in table_classes and bool({"label", "group"} & classes(cell))


@lru_cache(maxsize=1)
def blocks(html: str) -> tuple[dict, ...]:
    """Every block of the page's content, in order (shared by the two documents of one page: not
    to be changed). A block has a kind (title, h2, h3, p, banner, signature, note: with its text;
    table; figure: its image's src and alt, its notes and caption); headings their level in the
    outline: their rank among the kinds of heading the page has."""
    made: list[dict] = []
    for block in walk(content(html)):
        look = "p" if isinstance(block, str) else kind(block)
        if look == "table":
            made += filter(None, [_table(block)])
        elif look == "figure":
            img = block if block.tag == "img" else block.find(".//img")
            caption = block.find(".//figcaption")
            made.append({"kind": "figure", "src": None if img is None else img.get("src", ""),
                         "alt": None if img is None else CONTROL.sub("", img.get("alt") or "") or "图片",
                         "notes": [plain_text(p) for p in block.iter("p")],
                         "caption": plain_text(caption) if caption is not None else None})
        elif text := printable(block) if isinstance(block, str) else plain_text(block):
            made.append({"kind": look, "text": text,
                         "first": look == "signature" and next(block.itersiblings("p", preceding=True), None) is None})
    ranks = [look for look in ("title", "h2", "h3") if any(b["kind"] == look for b in made)]
    for b in made:
        if b["kind"] in ranks:
            b["level"] = ranks.index(b["kind"]) + 1
    return tuple(made)


def _table(table: HtmlElement) -> dict | None:
    """A table's cells on their grid, with what report.css says of each; None for an empty one. A
    span past the table's last row ends there, as in a browser."""
    trs = rows(table)
    placed = grid(trs)
    if not placed:
        return None
    look = next((name for name in ("proactive", "requests", "appeals") if name in classes(table)), "")
    height = max(len(trs), max(r for r, *_ in placed) + 1)
    first = {r: c for r, c, *_ in reversed(placed)}                 # each row's first cell
    cells = [{"r": r, "c": c, "rs": min(rs, height - r), "cs": cs, "text": plain_text(cell),
              "left": aligned_left(cell, table), "corner": "corner" in classes(cell),
              "caption": "caption" in classes(cell.getparent()), "first": first[r] == c}
             for r, c, rs, cs, cell in placed]
    return {"kind": "table", "look": look, "rows": height, "columns": max(c + cs for _, c, _, cs, _ in placed),
            "header": min(header_rows(table), height - 1), "widths": declared_widths(table), "cells": cells}
