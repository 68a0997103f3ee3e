"""A PDF's text as a PDF reader lays it out (`pdftotext -layout`, a portal's text of the PDF):
each page a grid of characters, table cells apart by runs of spaces, pages apart by form feeds.

The grid keeps where the words stood, so its lines are made into the lines pdf_layout.py reads
from a PDF's words — a column of the grid for half a character's width, a line of it for a line
of print — and the report is read as the PDF it came from: wrapped labels joined to their rows,
group labels set apart, value columns by their places. Text that is not laid out so (the plain
text, a portal's flattened tables) is left to page_text.py.
"""
from __future__ import annotations

import re
import unicodedata
from types import SimpleNamespace

from .pdf import flow_html
from .pdf_layout import Line, Segment

ROW = re.compile(r"\S {2,}[-\d.]+(?: {2,}[-\d.]+){2,}\s*$")    # a label, then three values or more apart
ROWS_NEEDED = 5
COLUMN = 3.0                   # points a column of the grid stands for: a value centred one column
                               # off its neighbours (the grid rounds) is still in their column
LEADING = 13.0                 # points from one line of the grid to the next
SIZE = 10.5
BLANK = 6.0                    # points a blank line of the grid stands for beyond a line
WIDE = 1.6                     # columns a Chinese character covers (see _width)
CELL = re.compile(r"\S+(?: \S+)*")                             # one space inside a cell, two between


def is_laid_out(text: str) -> bool:
    return sum(1 for line in text.splitlines() if ROW.search(line)) >= ROWS_NEEDED


def _width(text: str) -> float:
    """Columns a word covers on the page. The grid gives a Chinese character one column, where
    it is about two wide on the page (the next word starts at its own column); 1.6 keeps a
    label short of the values beside it at the grid's rounding (2 made labels reach them)."""
    return sum(WIDE if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _segment(match: re.Match, top: float) -> Segment:
    """A run of words one space apart, and its words, each up to where the next one starts."""
    found = list(re.finditer(r"\S+", match.group(0)))
    words = []
    for k, w in enumerate(found):
        x0 = match.start() + w.start()
        x1 = x0 + _width(w.group(0))
        if k + 1 < len(found):
            x1 = min(x1, match.start() + found[k + 1].start() - 1)
        words.append(Segment(w.group(0), x0 * COLUMN, x1 * COLUMN, top))
    return Segment(match.group(0), words[0].x0, words[-1].x1, top, words if len(words) > 1 else [])


def laid_out_html(text: str) -> str:
    pages = []
    for number, page in enumerate(text.split("\f")):
        lines = []
        top = 0.0
        for row in page.splitlines():
            segments = [_segment(m, top) for m in CELL.finditer(row)]
            if segments:
                lines.append(Line(number, top, top + SIZE, SIZE, segments))
            # the grid has a blank line where the page had more room than a line's: between two
            # rows, not between the lines of a cell (a group's label beside them fills its line)
            top += LEADING if segments else LEADING + BLANK
        height = max(top, LEADING)
        pages.append((SimpleNamespace(height=height), lines))
    return flow_html(pages, [[] for _ in pages])
