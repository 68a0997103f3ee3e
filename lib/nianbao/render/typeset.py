"""Text set for print: characters to glyphs of the right face (falling back as fontconfig would,
never to an empty box), and lines broken as Chinese typesetting breaks them — between any two
characters, but never before a closing mark (，。、）》…) or after an opening one (（《“…), and
never inside a run of Latin letters and digits (2020年, 1306.14).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from . import print_fonts
from .print_fonts import Face

CLOSING = set("，。、；：？！）》」』”’〉】〕…—％‰·,.;:?!)]}%")
OPENING = set("（《「『“‘〈【〔([{")


@dataclass(frozen=True, slots=True)
class Glyph:
    face: Face
    gid: int
    width: float            # points
    char: str


@dataclass(slots=True)
class Line:
    glyphs: list[Glyph]
    x: float = 0.0          # offset from the left of the box
    spacing: float = 0.0    # extra points after each glyph (justification)

    @property
    def width(self) -> float:
        return sum(g.width for g in self.glyphs) + self.spacing * max(len(self.glyphs) - 1, 0)


def shape(text: str, face: Face, size: float) -> list[Glyph]:
    """The text's glyphs at a size; white space runs are one space (as on the page)."""
    glyphs: list[Glyph] = []
    for char in text:
        if char.isspace():
            if not glyphs or glyphs[-1].char == " ":
                continue
            char = " "
        found, used = face.glyph(char), face
        if found is None:
            if unicodedata.category(char) in ("Cf", "Cc"):      # zero-width and control marks
                continue
            for used in print_fonts.fallbacks():
                found = used.glyph(char)
                if found is not None:
                    break
            else:
                raise ValueError(f"字体中没有字符“{char}”（U+{ord(char):04X}），PDF无法正确显示它")
        glyphs.append(Glyph(used, found[0], found[1] * size, char))
    while glyphs and glyphs[-1].char == " ":
        glyphs.pop()
    return glyphs


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _breakable(before: str, after: str) -> bool:
    """May a line end between these two characters?"""
    if after in CLOSING or before in OPENING:
        return False
    return before == " " or after == " " or _wide(before) or _wide(after)


def break_lines(glyphs: list[Glyph], width: float, indent: float = 0.0,
                align: str = "left") -> list[Line]:
    """Lines no wider than `width` (the first `indent` narrower), aligned: left, right, center
    or justify (every line but the last filled edge to edge)."""
    lines: list[Line] = []
    start, n = 0, len(glyphs)
    while start < n:
        room = width - (indent if not lines else 0)
        used, end, last_break = 0.0, start, None
        while end < n and (used + glyphs[end].width <= room + 0.01 or end == start):
            if end > start and _breakable(glyphs[end - 1].char, glyphs[end].char):
                last_break = end
            used += glyphs[end].width
            end += 1
        if end < n:
            if _breakable(glyphs[end - 1].char, glyphs[end].char):
                pass
            elif last_break is not None:
                end = last_break
        line = glyphs[start:end]
        while line and line[-1].char == " ":
            line = line[:-1]
        lines.append(Line(line))
        start = end
        while start < n and glyphs[start].char == " ":
            start += 1
    for i, line in enumerate(lines):
        room = width - (indent if i == 0 else 0)
        free = room - line.width
        if align == "justify" and i < len(lines) - 1 and len(line.glyphs) > 1:
            line.spacing = free / (len(line.glyphs) - 1)
        elif align == "center":
            line.x = free / 2
        elif align == "right":
            line.x = free
        line.x += indent if i == 0 else 0
    return lines


def balanced_lines(glyphs: list[Glyph], width: float) -> list[Line]:
    """Centred lines as even as the breaks allow (GB/T 9704: a title that runs over lines is set
    symmetrically): the narrowest measure that needs no more lines than the full width does."""
    lines = break_lines(glyphs, width, align="center")
    if len(lines) < 2:
        return lines
    low, high = natural_width(glyphs) / len(lines), width
    for _ in range(16):
        middle = (low + high) / 2
        low, high = (low, middle) if len(break_lines(glyphs, middle)) <= len(lines) else (middle, high)
    lines = break_lines(glyphs, high)
    for line in lines:
        line.x = (width - line.width) / 2
    return lines


def natural_width(glyphs: list[Glyph]) -> float:
    return sum(g.width for g in glyphs)


def widest_unbreakable(glyphs: list[Glyph]) -> float:
    """The widest piece a line can never split (a cell's narrowest possible width)."""
    widest = run = 0.0
    for i, g in enumerate(glyphs):
        if i and _breakable(glyphs[i - 1].char, g.char):
            run = 0.0
        run += g.width
        widest = max(widest, run)
    return widest
