"""The public page laid out on A4 as print.css and report.css lay it out (GB/T 9704): the text
block 156 × 225 mm; body 16 pt at 1.75 lines; headings kept with what follows; no lone line of
a paragraph at a page's foot or head; tables' header rows repeated on every page they cross, no
row split, 二 and 四 kept whole; charts whole with their captions; “— N —” on the outer side.

Blocks come from the page (blocks.walk): the same blocks the Word file is made of. Each becomes
a Flow — a column of unbreakable pieces (lines, rows, a figure) and the rule for where it may
break — and the pages are filled flow by flow. The result is a list of pages of drawing steps
(text lines, rectangles, images) in points from the page's top left; pdf.py writes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import Tag

from . import print_fonts
from .blocks import plain_text, walk
from .print_flow import BOTTOM, LEFT, MM, PAGE_H, PAGE_W, RED, RIGHT, STYLES, TEXT_H, TOP, \
    FigureFlow, Flow, Style, TextFlow, text_steps
from .print_table import TableFlow
from .typeset import Line, shape

# A page: its drawing steps (print_flow's docstring says what each holds)
Page = list


def flows(main: Tag) -> list[Flow]:
    """Every block of the page, in order, as a Flow."""
    made: list[Flow] = []
    for block in walk(main):
        if isinstance(block, str):
            made.append(TextFlow(block, STYLES["p"]))
            continue
        classes = block.get("class") or []
        if block.name == "table":
            flow = TableFlow(block)
            if flow.heights:
                made.append(flow)
            continue
        if block.name == "figure":
            caption = block.find("figcaption")
            made.append(FigureFlow(block.find("img"), [plain_text(p) for p in block.find_all("p")],
                                   plain_text(caption) if caption else None))
            continue
        if block.name == "img":
            made.append(FigureFlow(block, [], None))
            continue
        text = plain_text(block)
        if not text:
            continue
        if block.name == "h1":
            made.append(TextFlow(text, STYLES["title"]))
        elif block.name == "h2":
            made.append(TextFlow(text, STYLES["h2"]))
        elif block.name in ("h3", "h4"):
            made.append(TextFlow(text, STYLES["h3"]))
        elif "demo-banner" in classes:
            made.append(TextFlow(text, STYLES["banner"], border=(1.5, RED, False)))
        elif "signature" in classes:
            first = block.find_previous_sibling("p") is None
            made.append(TextFlow(text, STYLES["signature"], top=32 if first else 0))
        elif "note" in classes or "demo-note" in classes:
            made.append(TextFlow(text, STYLES["note"]))
        else:
            made.append(TextFlow(text, STYLES["p"]))
    return made


@dataclass
class _Pages:
    pages: list[Page] = field(default_factory=lambda: [[]])
    y: float = 0.0                  # used height of the current page's text block
    after: float = 0.0              # the bottom margin of the last block placed

    def new(self) -> None:
        self.pages.append([])
        self.y = self.after = 0.0


def _kept_start(made: list[Flow], index: int, after: float) -> float:
    """What a heading needs below it on its page: itself, the headings right after it and the
    start of the block they head (a heading never ends a page)."""
    need = 0.0
    for flow in made[index:]:
        need += max(after, flow.top) + (sum(flow.heights) if flow.keep else flow.least())
        if not flow.keep:
            break
        after = flow.bottom
    return need


def paginate(made: list[Flow]) -> list[Page]:
    """The flows on pages: each piece where it fits, breaking only where a flow allows it."""
    book = _Pages()
    for index, flow in enumerate(made):
        if flow.keep and book.y > 0 and book.y + _kept_start(made, index, book.after) > TEXT_H:
            book.new()
        start, n = 0, len(flow.heights)
        while start < n:
            continued = start > 0
            gap = 0.0 if book.y == 0 else (max(book.after, flow.top) if not continued else 0.0)
            room = TEXT_H - book.y - gap - (flow.head if continued else 0.0)
            end, used = start, 0.0
            while end < n and used + flow.heights[end] <= room + 0.01:
                used += flow.heights[end]
                end += 1
            while end > start and end < n and not flow.breakable(end):
                end -= 1
            if end == start:
                if book.y > 0:
                    book.new()
                    continue
                # taller than a page where it may not break: as much as fits, at least a piece
                end, used = start + 1, flow.heights[start]
                while end < n and used + flow.heights[end] <= room:
                    used += flow.heights[end]
                    end += 1
            y = TOP + book.y + gap
            book.pages[-1] += flow.draw(start, end, y, continued)
            book.y += gap + (flow.head if continued else 0.0) + sum(flow.heights[start:end])
            book.after = flow.bottom
            start = end
            if start < n:
                book.new()
    return book.pages if book.pages[-1] or len(book.pages) == 1 else book.pages[:-1]


def page_number(number: int) -> list:
    """“— N —” in 14 pt Song, 7 mm below the text block, one character in from its outer edge."""
    style = Style("song", 14, 1.0, "left", 0)
    face = print_fonts.face("song")
    glyphs = shape(f"— {number} —", face, 14)
    line = Line(glyphs)
    x = PAGE_W - RIGHT - 14 - line.width if number % 2 else LEFT + 14
    return text_steps([line], style, face, x, PAGE_H - BOTTOM + 7 * MM,
                       (face.ascent + face.descent) * 14)


def lay_out(main: Tag) -> list[Page]:
    pages = paginate(flows(main))
    for number, page in enumerate(pages, start=1):
        page += page_number(number)
    return pages
