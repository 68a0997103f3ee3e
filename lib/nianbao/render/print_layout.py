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

import base64
import re
import struct
from dataclasses import dataclass, field

from bs4 import Tag

from . import print_fonts
from .blocks import grid, header_rows, plain_text, walk
from .typeset import Line, break_lines, natural_width, shape, widest_unbreakable

MM = 72 / 25.4
PX = 0.75                                   # a CSS pixel in points
PAGE_W, PAGE_H = 210 * MM, 297 * MM
TOP, RIGHT, BOTTOM, LEFT = 37 * MM, 26 * MM, 35 * MM, 28 * MM
TEXT_W, TEXT_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM
BLACK, RED, GREY = (0, 0, 0), (0.698, 0.133, 0.133), (0.333, 0.333, 0.333)
EM_WIDTH = re.compile(r"width:\s*([\d.]+)em")
DATA_URL = re.compile(r"data:(image/[a-z+.-]+);base64,(.*)", re.S)


@dataclass(frozen=True)
class Style:
    role: str                       # the font stack of report.css (body, heading, kai, title, song)
    size: float = 16
    line: float = 1.75              # line height, in em
    align: str = "justify"
    indent: float = 2               # first line, em
    top: float = 0                  # margins, points
    bottom: float = 0
    keep: bool = False              # kept with what follows (a heading)
    bold: bool = False
    color: tuple = BLACK
    right: float = 0                # padding on the right, points


STYLES = {
    "title": Style("title", 22, 1.5, "center", 0, 0, 22, keep=True, bold=True),
    "h2": Style("heading", 16, align="left", top=9.6, bottom=3.2, keep=True),
    "h3": Style("kai", 16, align="left", top=4.8, bottom=4.8, keep=True),
    "p": Style("body"),
    "note": Style("body", 12),
    "signature": Style("body", align="right", indent=0, right=32),
    "banner": Style("heading", align="center", indent=0, bottom=16, color=RED),
    "caption": Style("body", 12, align="center", indent=0),
    "empty": Style("body", 12, align="center", indent=0, color=GREY),
}


@dataclass
class Picture:
    """An image of the page, as its bytes say (PNG read directly, anything else by Pillow)."""
    kind: str
    data: bytes
    width: int
    height: int


# A page is a list of steps: ("text", x, baseline, size, Line, colour, synthetic bold),
# ("rect", x, y, w, h, line width, colour, dashed), ("image", x, y, w, h, Picture).
Page = list


def _text_steps(lines: list[Line], style: Style, face, x: float, y: float, height: float) -> list:
    """Lines from y, each in a line box `height` tall, the glyphs centred in it as CSS does."""
    fake_bold = style.bold and not face.bold
    first = (height - (face.ascent + face.descent) * style.size) / 2 + face.ascent * style.size
    return [("text", x + line.x, y + first + i * height, style.size, line, style.color, fake_bold)
            for i, line in enumerate(lines)]


class Flow:
    """A block as pieces of fixed height; it may break before piece i when breakable(i)."""
    top = bottom = 0.0
    keep = False
    head = 0.0                      # height repeated at the top of each page it continues on
    heights: list[float]

    def breakable(self, i: int) -> bool:
        return True

    def draw(self, start: int, end: int, y: float, continued: bool) -> list:
        raise NotImplementedError

    def least(self) -> float:
        """The height it needs on a page to start there."""
        total = 0.0
        for i, h in enumerate(self.heights):
            total += h
            if self.breakable(i + 1) or i + 1 == len(self.heights):
                return total
        return total


class TextFlow(Flow):
    def __init__(self, text: str, style: Style, top: float | None = None, border=None):
        self.style, self.face = style, print_fonts.face(style.role, style.bold)
        self.top = style.top if top is None else top
        self.bottom, self.keep, self.border = style.bottom, style.keep, border
        self.pad = 0.2 * style.size if border else 0.0
        width = TEXT_W - style.right - 2 * self.pad
        self.lines = break_lines(shape(text, self.face, style.size), width, style.indent * style.size,
                                 style.align)
        self.line_height = style.line * style.size
        self.heights = [self.line_height] * len(self.lines)
        if border:                            # a framed block is one piece, its frame around it
            self.heights = [sum(self.heights) + 2 * self.pad + 2 * border[0]]

    def breakable(self, i: int) -> bool:        # orphans: 2, widows: 2
        return not self.border and 2 <= i <= len(self.heights) - 2

    def draw(self, start, end, y, continued):
        if self.border:
            width, colour, dashed = self.border
            inner = y + width + self.pad
            steps = [("rect", LEFT + width / 2, y + width / 2, TEXT_W - width, self.heights[0] - width,
                      width, colour, dashed)]
            return steps + _text_steps(self.lines, self.style, self.face, LEFT + width + self.pad, inner,
                                       self.line_height)
        return _text_steps(self.lines[start:end], self.style, self.face, LEFT, y, self.line_height)


@dataclass
class _Cell:
    row: int
    col: int
    rows: int
    cols: int
    lines: list[Line]
    style: Style
    face: object = None
    need: float = 0.0


@dataclass
class _TableStyle:
    size: float = 10
    line: float = 14
    pad_x: float = 3
    pad_y: float = 2.25
    border: float = PX
    fixed: bool = False
    whole: bool = False
    form: bool = True


def _table_style(classes: list[str]) -> _TableStyle:
    form = "form-table" in classes
    pad_x = 1.5 if "requests" in classes else PX if "appeals" in classes else 3
    return _TableStyle(pad_x=pad_x, fixed="requests" in classes or "appeals" in classes,
                       whole="proactive" in classes or "appeals" in classes, form=form)


class TableFlow(Flow):
    top, bottom = 6.0, 10.0

    def __init__(self, table: Tag):
        classes = table.get("class") or []
        self.look = look = _table_style(classes)
        placed = grid(table.find_all("tr"))
        if not placed:
            self.heights, self.cells, self.widths, self.unbreakable = [], [], [], set()
            return
        self.count = max(c + cs for _, c, _, cs, _ in placed)
        rows = max(r + rs for r, _, rs, _, _ in placed)
        self.header = min(header_rows(table), rows - 1)
        texts = []
        for r, c, rs, cs, cell in placed:
            cell_classes = cell.get("class") or []
            caption = "caption" in (cell.parent.get("class") or [])
            size = 9 if "corner" in cell_classes else look.size
            if look.form:
                left = cell.name == "th" and "requests" in classes and (
                    "label" in cell_classes or "group" in cell_classes)
            else:
                left = cell.name == "td"
            style = Style("heading" if caption else "body", size, look.line / look.size,
                          "left" if left else "center", 0)
            face = print_fonts.face(style.role)
            glyphs = shape(plain_text(cell), face, size)
            texts.append((r, c, rs, cs, style, face, glyphs, cell.name == "td" and look.form))
        self.widths = self._widths(table, texts)
        self.cells = []
        for r, c, rs, cs, style, face, glyphs, nowrap in texts:
            room = sum(self.widths[c:c + cs]) - 2 * look.pad_x - look.border
            lines = break_lines(glyphs, 1e9 if nowrap else room, 0, style.align)
            if nowrap and lines:
                free = room - lines[0].width
                lines[0].x = free / 2 if style.align == "center" else 0
            cell = _Cell(r, c, rs, cs, lines, style, face)
            cell.need = max(len(lines), 1) * look.line + 2 * look.pad_y + look.border
            self.cells.append(cell)
        self.heights = [0.0] * rows
        for cell in self.cells:
            if cell.rows == 1:
                self.heights[cell.row] = max(self.heights[cell.row], cell.need)
        for r in range(rows):
            self.heights[r] = self.heights[r] or look.line + 2 * look.pad_y + look.border
        for cell in self.cells:
            spanned = range(cell.row, min(cell.row + cell.rows, rows))
            short = cell.need - sum(self.heights[r] for r in spanned)
            if short > 0:
                self.heights[spanned[-1]] += short
        self.head = sum(self.heights[:self.header])
        # a group's label split by a page break must fit, whole, in the rows on either side
        self.unbreakable = {i for cell in self.cells if cell.rows > 1
                            for i in range(cell.row + 1, min(cell.row + cell.rows, rows))
                            if min(sum(self.heights[cell.row:i]), sum(self.heights[i:cell.row + cell.rows]))
                            < cell.need}

    def _widths(self, table: Tag, texts) -> list[float]:
        """The columns: <colgroup>'s em widths (the free ones share what is left); a fixed
        table without one, equal columns; otherwise CSS's automatic layout, to the full width."""
        look, count = self.look, self.count
        declared = []
        for col in table.find_all("col"):
            width = EM_WIDTH.search(col.get("style", ""))
            declared += [float(width.group(1)) * look.size if width else None] * int(col.get("span", 1) or 1)
        if len(declared) == count:
            free = [i for i, w in enumerate(declared) if w is None]
            rest = max(TEXT_W - sum(w for w in declared if w is not None), 0)
            return [w if w is not None else rest / len(free) for w in declared]
        if look.fixed:
            return [TEXT_W / count] * count
        extra = 2 * look.pad_x + look.border
        low, high = [extra] * count, [extra] * count
        for single in (True, False):
            for _, c, _, cs, _, _, glyphs, nowrap in texts:
                if (cs == 1) != single:
                    continue
                most = natural_width(glyphs) + extra
                least = most if nowrap else widest_unbreakable(glyphs) + extra
                for bound, need in ((low, least), (high, most)):
                    short = need - sum(bound[c:c + cs])
                    for i in range(c, c + cs):
                        bound[i] += max(short, 0) / cs
        if sum(high) <= TEXT_W:
            return [h + (TEXT_W - sum(high)) * h / sum(high) for h in high]
        if sum(low) <= TEXT_W:
            spread = sum(h - lo for h, lo in zip(high, low)) or 1
            return [lo + (TEXT_W - sum(low)) * (h - lo) / spread for h, lo in zip(high, low)]
        return [lo * TEXT_W / sum(low) for lo in low]

    def breakable(self, i: int) -> bool:
        if self.look.whole:
            return i in (0, len(self.heights))
        return i > self.header and i not in self.unbreakable

    def draw(self, start, end, y, continued):
        shown = (list(range(self.header)) if continued else []) + list(range(start, end))
        tops, at = {}, y
        for r in shown:
            tops[r] = at
            at += self.heights[r]
        lefts = [LEFT]
        for w in self.widths:
            lefts.append(lefts[-1] + w)
        steps = []
        look = self.look
        for cell in self.cells:
            visible = [r for r in range(cell.row, cell.row + cell.rows) if r in tops]
            if not visible:
                continue
            x, top = lefts[cell.col], tops[visible[0]]
            width = lefts[cell.col + cell.cols] - x
            height = sum(self.heights[r] for r in visible)
            steps.append(("rect", x, top, width, height, look.border, BLACK, False))
            text_height = max(len(cell.lines), 1) * look.line
            first = top + (height - text_height) / 2
            steps += _text_steps(cell.lines, cell.style, cell.face, x + look.pad_x + look.border / 2,
                                 first, look.line)
        return steps


def picture(src: str) -> Picture:
    """The image an <img> embeds; anything else (a web address, a file) is refused."""
    match = DATA_URL.match(src or "")
    if match is None:
        raise ValueError(f"页面引用了外部资源 {src[:120]}，报告不从网络或磁盘读取任何内容")
    data = base64.b64decode(match[2])
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 24:
        width, height = struct.unpack_from(">II", data, 16)
        return Picture("png", data, width, height)
    from PIL import Image, UnidentifiedImageError
    import io
    try:
        with Image.open(io.BytesIO(data)) as image:
            return Picture(match[1], data, *image.size)
    except UnidentifiedImageError:
        raise ValueError(f"页面中的图片（{match[1]}）无法放入PDF") from None


class FigureFlow(Flow):
    """A chart with its notes and caption, kept on one page; or an image standing alone."""
    top = bottom = 12.8

    def __init__(self, image: Tag | None, notes: list[str], caption: str | None):
        self.image = None
        height = 0.0
        if image is not None:
            self.image = picture(image.get("src", ""))
            w = min(self.image.width * PX, TEXT_W)
            h = w * self.image.height / self.image.width
            if h > 200 * MM:                                   # print.css: max-height 200mm
                w, h = w * 200 * MM / h, 200 * MM
            self.size = (w, h)
            height += h
        self.texts = [TextFlow(n, STYLES["empty"], border=(PX, (0.6, 0.6, 0.6), True)) for n in notes]
        if caption:
            self.texts.append(TextFlow(caption, STYLES["caption"]))
        self.heights = [height + sum(sum(t.heights) for t in self.texts)]

    def draw(self, start, end, y, continued):
        steps = []
        if self.image is not None:
            w, h = self.size
            steps.append(("image", LEFT + (TEXT_W - w) / 2, y, w, h, self.image))
            y += h
        for text in self.texts:
            steps += text.draw(0, len(text.heights), y, False)
            y += sum(text.heights)
        return steps


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


def paginate(made: list[Flow]) -> list[Page]:
    """The flows on pages: each piece where it fits, breaking only where a flow allows it."""
    book = _Pages()
    for index, flow in enumerate(made):
        if flow.keep and book.y > 0:
            # a heading and the start of what follows it share a page
            need = max(book.after, flow.top) + sum(flow.heights)
            if index + 1 < len(made):
                following = made[index + 1]
                need += max(flow.bottom, following.top) + following.least()
            if book.y + need > TEXT_H:
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
    return _text_steps([line], style, face, x, PAGE_H - BOTTOM + 7 * MM,
                       (face.ascent + face.descent) * 14)


def lay_out(main: Tag) -> list[Page]:
    pages = paginate(flows(main))
    for number, page in enumerate(pages, start=1):
        page += page_number(number)
    return pages
