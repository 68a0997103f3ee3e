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
from types import SimpleNamespace

from .pdf import flow_html
from .pdf_layout import Line, Segment

ROW = re.compile(r"\S {2,}[-\d.]+(?: {2,}[-\d.]+){2,}\s*$")    # a label, then three values or more apart
ROWS_NEEDED = 5
COLUMN = 3.0                   # points a column of the grid stands for: a value centred one column
                               # off its neighbours (the grid rounds) is still in their column
LEADING = 13.0                 # points from one line of the grid to the next
SIZE = 10.5
CELL = re.compile(r"\S+(?: \S+)*")                             # one space inside a cell, two between


def is_laid_out(text: str) -> bool:
    return sum(1 for line in text.splitlines() if ROW.search(line)) >= ROWS_NEEDED


def _segment(match: re.Match, top: float) -> Segment:
    """A run of words one space apart, and its words: a column of the grid per character, as
    the grid places them (a Chinese character is wider on the page, but its column says where
    the next word starts, and a label stays short of the values beside it)."""
    words = [Segment(w.group(0), (match.start() + w.start()) * COLUMN, (match.start() + w.end()) * COLUMN, top)
             for w in re.finditer(r"\S+", match.group(0))]
    return Segment(match.group(0), words[0].x0, words[-1].x1, top, words if len(words) > 1 else [])


def laid_out_html(text: str) -> str:
    pages = []
    for number, page in enumerate(text.split("\f")):
        lines = []
        for i, row in enumerate(page.splitlines()):
            top = i * LEADING
            segments = [_segment(m, top) for m in CELL.finditer(row)]
            if segments:
                lines.append(Line(number, top, top + SIZE, SIZE, segments))
        height = max(1, len(page.splitlines())) * LEADING
        pages.append((SimpleNamespace(height=height), lines))
    return flow_html(pages, [[] for _ in pages])
