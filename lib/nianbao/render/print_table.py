"""A table of the page as a flow: its cells placed on the grid (rowspan and colspan), its columns
as wide as print.css makes them, its rows as tall as their text, broken between rows only — after
at least one row below its header, never where a group's label would not fit on either side —
with its header rows (<thead>) drawn again on every page it continues on.
"""
from __future__ import annotations

from dataclasses import dataclass

from bs4 import Tag

from . import print_fonts
from .blocks import declared_widths, grid, header_rows, plain_text
from .print_flow import BLACK, LEFT, PX, TEXT_W, Flow, Style, text_steps
from .typeset import Line, break_lines, natural_width, shape, widest_unbreakable

@dataclass(eq=False)
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
        rows = max(len(table.find_all("tr")), max(r for r, *_ in placed) + 1)
        self.header = min(header_rows(table), rows - 1)
        texts = []
        for r, c, rs, cs, cell in placed:
            rs = min(rs, rows - r)                  # a span past the last row ends with the table
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
        self.covering: list[list[_Cell]] = [[] for _ in range(rows)]    # the cells over each row
        for cell in self.cells:
            short = cell.need - sum(self.heights[cell.row:cell.row + cell.rows])
            if short > 0:
                self.heights[cell.row + cell.rows - 1] += short
            for r in range(cell.row, cell.row + cell.rows):
                self.covering[r].append(cell)
        self.head = sum(self.heights[:self.header])
        # a group's label split by a page break must fit, whole, in the rows on either side
        above = [0.0]
        for height in self.heights:
            above.append(above[-1] + height)
        self.unbreakable = {i for cell in self.cells if cell.rows > 1
                            for i in range(cell.row + 1, cell.row + cell.rows)
                            if min(above[i] - above[cell.row], above[cell.row + cell.rows] - above[i]) < cell.need}

    def _widths(self, table: Tag, texts) -> list[float]:
        """The columns: <colgroup>'s em widths (the free ones share what is left); a fixed
        table without one, equal columns; otherwise CSS's automatic layout, to the full width."""
        look, count = self.look, self.count
        declared = [em * look.size if em is not None else None for em in declared_widths(table)]
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
        for cell in dict.fromkeys(cell for r in shown for cell in self.covering[r]):
            visible = [r for r in range(cell.row, cell.row + cell.rows) if r in tops]
            x, top = lefts[cell.col], tops[visible[0]]
            width = lefts[cell.col + cell.cols] - x
            height = sum(self.heights[r] for r in visible)
            steps.append(("rect", x, top, width, height, look.border, BLACK, False))
            text_height = max(len(cell.lines), 1) * look.line
            first = top + (height - text_height) / 2
            steps += text_steps(cell.lines, cell.style, cell.face, x + look.pad_x + look.border / 2,
                                 first, look.line)
        return steps
