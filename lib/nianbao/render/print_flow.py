"""The blocks of the printed page as flows: a column of unbreakable pieces (lines, rows, a
figure) with the rule for where it may break, and the drawing steps of each piece. The page's
geometry and type are print.css's and report.css's (GB/T 9704): A4, the text block 156 × 225 mm,
body 16 pt at 1.75 lines, headings 黑体 and 楷体, title 22 pt bold.

A drawing step is in points from the page's top left: ("text", x, baseline, size, Line, colour,
synthetic bold), ("rect", x, y, w, h, line width, colour, dashed), ("image", x, y, w, h, Picture).
"""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

from bs4 import Tag

from . import print_fonts
from .png_data import png_size
from .typeset import Line, balanced_lines, break_lines, shape

MM = 72 / 25.4
PX = 0.75                                   # a CSS pixel in points
PAGE_W, PAGE_H = 210 * MM, 297 * MM
TOP, RIGHT, BOTTOM, LEFT = 37 * MM, 26 * MM, 35 * MM, 28 * MM
TEXT_W, TEXT_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM
BLACK, RED, GREY = (0, 0, 0), (0.698, 0.133, 0.133), (0.333, 0.333, 0.333)
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
    balance: bool = False           # lines as even as the breaks allow (a title)


STYLES = {
    "title": Style("title", 22, 1.5, "center", 0, 0, 22, keep=True, bold=True, balance=True),
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


def text_steps(lines: list[Line], style: Style, face, x: float, y: float, height: float) -> list:
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
        glyphs = shape(text, self.face, style.size)
        self.lines = (balanced_lines(glyphs, width) if style.balance else
                      break_lines(glyphs, width, style.indent * style.size, style.align))
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
            return steps + text_steps(self.lines, self.style, self.face, LEFT + width + self.pad, inner,
                                       self.line_height)
        return text_steps(self.lines[start:end], self.style, self.face, LEFT, y, self.line_height)


def picture(src: str) -> Picture:
    """The image an <img> embeds; anything else (a web address, a file) is refused."""
    match = DATA_URL.match(src or "")
    if match is None:
        raise ValueError(f"页面引用了外部资源 {src[:120]}，报告不从网络或磁盘读取任何内容")
    data = base64.b64decode(match[2])
    size = png_size(data)
    if size is None:
        from PIL import Image, UnidentifiedImageError
        try:
            with Image.open(io.BytesIO(data)) as image:
                size = image.size
        except UnidentifiedImageError:
            raise ValueError(f"页面中的图片（{match[1]}）无法读取，无法放入PDF") from None
    if not all(size):
        raise ValueError(f"页面中的图片（{match[1]}）大小为0，无法放入PDF")
    return Picture("png" if png_size(data) else match[1], data, *size)


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
